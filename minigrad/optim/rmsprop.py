"""RMSprop, as torch.optim.RMSprop."""

from __future__ import annotations

from .. import backend
from .optimizer import (Optimizer, check_hyperparameters, check_implementation_flags, count_step, directed_gradient,
                        lerp_)


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012): each coordinate's step divided by a running root mean square of its gradients.

    v ← αv + (1-α)g²;  θ ← θ - η·g / (√v + ε)

    ``centered`` subtracts the square of a running mean of the gradients, ḡ ← αḡ + (1-α)g, from v (dividing by
    an estimate of the gradient's standard deviation instead); ``momentum`` μ accumulates the scaled steps,
    b ← μb + g / (√v + ε), θ ← θ - ηb. ``weight_decay`` λ adds λθ to the gradient; ``maximize`` climbs the objective.
    ``foreach`` is accepted and changes nothing; ``capturable`` and ``differentiable`` only as False.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_hyperparameters("RMSprop", lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum)
        check_implementation_flags("RMSprop", foreach, None, capturable, differentiable)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize))

    def _update(self, param, grad, group, state):
        alpha, momentum = group["alpha"], group["momentum"]
        xp = backend.device_of(param).xp
        count_step(state, param, square_avg=True, momentum_buffer=momentum > 0, grad_avg=group["centered"])
        grad = directed_gradient(grad, param, group["maximize"], group["weight_decay"])
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, grad, 1 - alpha)
            avg = xp.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += group["eps"]
        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += grad / avg
            param -= group["lr"] * buffer
        else:
            param -= group["lr"] * grad / avg
