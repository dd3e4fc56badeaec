"""Adadelta, as torch.optim.Adadelta."""

from __future__ import annotations

from .. import backend
from ..checks import check_number
from .optimizer import Optimizer, check_hyperparameters, check_implementation_flags, count_step, directed_gradient


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): a step whose size is the running RMS of past steps over that of the gradients,
    so that it carries the parameters' units (``lr`` only scales it; 1.0 by default).

    v ← ρv + (1-ρ)g²;  Δ ← √(u + ε) / √(v + ε) · g;  u ← ρu + (1-ρ)Δ²;  θ ← θ - ηΔ

    ``weight_decay`` λ adds λθ to the gradient; ``maximize`` climbs the objective. ``foreach`` is accepted and
    changes nothing; ``capturable`` and ``differentiable`` only as False.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_hyperparameters("Adadelta", lr=lr, eps=eps, weight_decay=weight_decay)
        check_number(rho, "rho", "Adadelta", 0.0, 1.0)
        check_implementation_flags("Adadelta", foreach, None, capturable, differentiable)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _update(self, param, grad, group, state):
        rho, eps = group["rho"], group["eps"]
        xp = backend.device_of(param).xp
        count_step(state, param, square_avg=True, acc_delta=True)
        grad = directed_gradient(grad, param, group["maximize"], group["weight_decay"])
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param -= group["lr"] * delta
