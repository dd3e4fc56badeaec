"""Adamax, as torch.optim.Adamax."""

from __future__ import annotations

from .. import backend
from .optimizer import Optimizer, check_adam_arguments, count_step, directed_gradient, lerp_


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7): Adam with the root mean square of the gradients replaced by a decaying
    infinity norm, which needs no bias correction.

    m ← β₁m + (1-β₁)g;  u ← max(β₂u, |g| + ε);  θ ← θ - η·(m / (1-β₁ᵗ)) / u

    ``weight_decay`` λ adds λθ to the gradient; ``maximize`` climbs the objective. ``foreach`` is accepted and
    changes nothing; ``capturable`` and ``differentiable`` only as False.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_adam_arguments("Adamax", lr, betas, eps, weight_decay, foreach, None, capturable, differentiable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, param, grad, group, state):
        beta1, beta2 = group["betas"]
        xp = backend.device_of(param).xp
        t = count_step(state, param, exp_avg=True, exp_inf=True)
        grad = directed_gradient(grad, param, group["maximize"], group["weight_decay"])
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        lerp_(exp_avg, grad, 1 - beta1)
        exp_inf *= beta2
        xp.maximum(exp_inf, xp.abs(grad) + group["eps"], out=exp_inf)
        param -= (group["lr"] / (1 - beta1 ** t)) * exp_avg / exp_inf
