"""NAdam, as torch.optim.NAdam."""

from __future__ import annotations

from .. import backend
from ..checks import check_number
from .optimizer import Optimizer, check_adam_arguments, count_step, decay_and_direct, scalar_state, update_moments


class NAdam(Optimizer):
    """NAdam (Dozat, 2016): Adam with Nesterov momentum, whose step looks one momentum step ahead. The momentum
    coefficient warms up over the first steps, μₜ = β₁(1 - ½·0.96^(t·ψ)) with ``momentum_decay`` ψ, and the
    products of the μ replace Adam's bias correction of the first moment:

    m, v as Adam's;  v̂ = v / (1-β₂ᵗ);
    θ ← θ - η(1-μₜ)/(1-Πᵢ≤ₜ μᵢ) · g / (√v̂ + ε) - η μₜ₊₁/(1-Πᵢ≤ₜ₊₁ μᵢ) · m / (√v̂ + ε)

    ``weight_decay`` λ adds λθ to the gradient, or, with ``decoupled_weight_decay=True`` (NAdamW), shrinks the
    parameters before the step, θ ← θ(1 - ηλ); ``maximize`` climbs the objective. The running product Π μ is
    kept in the state as ``mu_product``, rounded as torch keeps it (see ``scalar_state``). ``foreach`` is accepted
    and changes nothing; ``capturable`` and ``differentiable`` only as False.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_adam_arguments("NAdam", lr, betas, eps, weight_decay, foreach, None, capturable, differentiable)
        check_number(momentum_decay, "momentum_decay", "NAdam", minimum=0.0)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _update(self, param, grad, group, state):
        lr, (beta1, beta2), psi = group["lr"], group["betas"], group["momentum_decay"]
        xp = backend.device_of(param).xp
        state.setdefault("mu_product", 1.0)
        t = count_step(state, param, exp_avg=True, exp_avg_sq=True)
        grad = decay_and_direct(param, grad, group)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        # torch multiplies in the product's precision: μ is rounded to it first
        mu_product = state["mu_product"] = scalar_state(state["mu_product"] * scalar_state(mu))
        update_moments(state, grad, group["betas"])
        denominator = xp.sqrt(state["exp_avg_sq"] / (1 - beta2 ** t)) + group["eps"]
        param -= (lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denominator
        param -= (lr * mu_next / (1.0 - mu_product * mu_next)) * state["exp_avg"] / denominator
