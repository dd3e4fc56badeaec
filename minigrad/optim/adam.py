"""Adam and AdamW, as torch.optim.Adam and torch.optim.AdamW: AdamW is Adam with its weight decay taken out of
the gradient and applied to the parameters directly."""

from __future__ import annotations

from .. import backend
from .optimizer import Optimizer, check_adam_arguments, count_step, decay_and_direct, update_moments


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running estimates of the gradient's mean and square.

    m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  θ ← θ - η·(m / (1-β₁ᵗ)) / (√(v / (1-β₂ᵗ)) + ε)

    ``weight_decay`` λ adds λθ to the gradient (L2 regularisation, which then passes through the moments), or,
    with ``decoupled_weight_decay=True`` (AdamW), shrinks the parameters before the step, θ ← θ(1 - ηλ).
    ``amsgrad`` divides by the largest v seen so far instead of v; ``maximize`` climbs the objective.
    ``foreach`` and ``fused`` are accepted and change nothing; ``capturable`` and ``differentiable`` only as False.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_adam_arguments(type(self).__name__, lr, betas, eps, weight_decay, foreach, fused, capturable,
                             differentiable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, param, grad, group, state):
        lr, (beta1, beta2) = group["lr"], group["betas"]
        xp = backend.device_of(param).xp
        t = count_step(state, param, exp_avg=True, exp_avg_sq=True, max_exp_avg_sq=group["amsgrad"])
        grad = decay_and_direct(param, grad, group)
        update_moments(state, grad, group["betas"])
        m, v = state["exp_avg"], state["exp_avg_sq"]
        if group["amsgrad"]:
            v = xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        # torch's arrangement of the bias corrections, so both give the same numbers
        denominator = xp.sqrt(v) / (1 - beta2 ** t) ** 0.5 + group["eps"]
        param -= (lr / (1 - beta1 ** t)) * m / denominator


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): Adam whose weight decay shrinks the parameters directly,
    θ ← θ(1 - ηλ), instead of passing through the moments (where Adam's per-coordinate scaling would undo it).
    Note the default weight_decay, 1e-2 (Adam's is 0).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
