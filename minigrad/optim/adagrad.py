"""Adagrad, as torch.optim.Adagrad."""

from __future__ import annotations

from .optimizer import Optimizer, check_hyperparameters, zeros_like


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): each coordinate's step shrinks with its accumulated squared gradients.

    s ← s + g²;  θ ← θ - η_t · g / (√s + ε),  η_t = η / (1 + (t-1)·decay)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
        check_hyperparameters("Adagrad", lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                              initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _update(self, param, grad, group, state):
        if "step" not in state:
            state["step"] = 0
            state["sum"] = zeros_like(grad) + group["initial_accumulator_value"]
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += grad * grad
        param -= lr * grad / (state["sum"] ** 0.5 + group["eps"])
