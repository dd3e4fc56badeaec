"""RAdam, as torch.optim.RAdam."""

from __future__ import annotations

from .. import backend
from .optimizer import Optimizer, check_adam_arguments, count_step, decay_and_direct, update_moments


class RAdam(Optimizer):
    """RAdam (Liu et al., 2020): Adam whose adaptive step is switched on only once the variance of its estimate of
    v is finite, and is scaled by a rectification factor r until that estimate settles.

    ρ∞ = 2/(1-β₂) - 1 is the length of the simple moving average that v approximates; after t steps it has
    ρₜ = ρ∞ - 2tβ₂ᵗ/(1-β₂ᵗ). While ρₜ ≤ 5 the step is momentum SGD with a bias-corrected m,
    θ ← θ - η·m/(1-β₁ᵗ); after,

    r = √((ρₜ-4)(ρₜ-2)ρ∞ / ((ρ∞-4)(ρ∞-2)ρₜ));  θ ← θ - η·m/(1-β₁ᵗ) · √(1-β₂ᵗ)/(√v + ε) · r

    (with the default β₂ = 0.999 the switch comes at the sixth step). ``weight_decay`` λ adds λθ to the gradient,
    or, with ``decoupled_weight_decay=True``, shrinks the parameters before the step, θ ← θ(1 - ηλ); ``maximize``
    climbs the objective. ``foreach`` is accepted and changes nothing; ``capturable`` and ``differentiable`` only
    as False.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_adam_arguments("RAdam", lr, betas, eps, weight_decay, foreach, None, capturable, differentiable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, param, grad, group, state):
        lr, (beta1, beta2) = group["lr"], group["betas"]
        xp = backend.device_of(param).xp
        t = count_step(state, param, exp_avg=True, exp_avg_sq=True)
        grad = decay_and_direct(param, grad, group)
        update_moments(state, grad, group["betas"])
        bias_correction2 = 1 - beta2 ** t
        corrected_exp_avg = state["exp_avg"] / (1 - beta1 ** t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2 ** t / bias_correction2
        if rho_t > 5.0:
            rectification = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive_lr = bias_correction2 ** 0.5 / (xp.sqrt(state["exp_avg_sq"]) + group["eps"])
            param -= corrected_exp_avg * lr * adaptive_lr * rectification
        else:
            param -= corrected_exp_avg * lr
