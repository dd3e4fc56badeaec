"""Rprop, as torch.optim.Rprop."""

from __future__ import annotations

from .. import backend
from ..checks import is_number
from .optimizer import Optimizer, check_hyperparameters, check_implementation_flags, count_step, directed_gradient


class Rprop(Optimizer):
    """Rprop (Riedmiller & Braun, 1993): each coordinate moves by its own step size in the direction opposite its
    gradient's sign; the size of the gradient is not used at all. A coordinate whose gradient kept its sign takes a
    longer step, one whose gradient flipped (it jumped over a minimum) a shorter one, and skips this move:

    s ← clamp(s·η₊, s_min, s_max) if g·g_prev > 0;  clamp(s·η₋, ...) and g ← 0 if g·g_prev < 0;
    θ ← θ - sign(g)·s;  g_prev ← g

    ``etas`` = (η₋, η₊) with 0 < η₋ < 1 < η₊; ``step_sizes`` = (s_min, s_max); every step size starts at ``lr``.
    ``maximize`` climbs the objective. ``foreach`` is accepted and changes nothing; ``capturable`` and
    ``differentiable`` only as False.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_hyperparameters("Rprop", lr=lr)
        if not (isinstance(etas, (tuple, list)) and len(etas) == 2 and all(map(is_number, etas))
                and 0.0 < etas[0] < 1.0 < etas[1]):
            raise ValueError(f"Rprop: expected etas = (etaminus, etaplus) with 0 < etaminus < 1 < etaplus, "
                             f"got {etas!r}")
        check_implementation_flags("Rprop", foreach, None, capturable, differentiable)
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize))

    def _update(self, param, grad, group, state):
        (eta_minus, eta_plus), (step_size_min, step_size_max) = group["etas"], group["step_sizes"]
        xp = backend.device_of(param).xp
        if "step" not in state:
            state["step_size"] = xp.full_like(param, group["lr"])
        count_step(state, param, prev=True)
        grad = directed_gradient(grad, param, group["maximize"], 0)
        prev, step_size = state["prev"], state["step_size"]
        sign = xp.sign(grad * prev)
        # the factors in the parameters' dtype, as torch writes them into its tensor of signs
        factor = xp.where(sign > 0, eta_plus, xp.where(sign < 0, eta_minus, 1.0)).astype(param.dtype)
        step_size *= factor
        xp.clip(step_size, step_size_min, step_size_max, out=step_size)
        grad = xp.where(sign < 0, 0.0, grad).astype(param.dtype)  # after a sign change: no move, and no sign next
        param -= xp.sign(grad) * step_size
        prev[...] = grad
