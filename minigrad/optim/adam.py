"""Adam, as torch.optim.Adam."""

from __future__ import annotations

import math

from .optimizer import Optimizer, check_betas, check_hyperparameters, zeros_like


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running estimates of the gradient's mean and square.

    m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  θ ← θ - η·(m / (1-β₁ᵗ)) / (√(v / (1-β₂ᵗ)) + ε)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        check_hyperparameters("Adam", lr=lr, eps=eps, weight_decay=weight_decay)
        check_betas("Adam", betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _update(self, param, grad, group, state):
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        beta1, beta2 = group["betas"]
        if "step" not in state:
            state["step"] = 0
            state["exp_avg"] = zeros_like(grad)
            state["exp_avg_sq"] = zeros_like(grad)
        state["step"] += 1
        m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        # torch's arrangement of the bias corrections, so both give the same numbers
        denominator = (v ** 0.5) / math.sqrt(1 - beta2 ** t) + group["eps"]
        param -= (group["lr"] / (1 - beta1 ** t)) * m / denominator
