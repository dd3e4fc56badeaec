"""Stochastic gradient descent, as torch.optim.SGD."""

from __future__ import annotations

from .optimizer import Optimizer, check_hyperparameters


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (heavy ball or Nesterov) and L2 weight decay.

    g ← ∇ + λθ;  b ← μb + (1-τ)g (b = g at the first step);  g ← g + μb (Nesterov) or b;  θ ← θ - ηg
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        check_hyperparameters("SGD", lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(f"SGD: Nesterov momentum expects momentum > 0 and dampening = 0, got {momentum} and "
                             f"{dampening}")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov))

    def _update(self, param, grad, group, state):
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        momentum = group["momentum"]
        if momentum:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = grad.copy()
            else:
                buffer = state["momentum_buffer"]
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            buffer = state["momentum_buffer"]
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= group["lr"] * grad
