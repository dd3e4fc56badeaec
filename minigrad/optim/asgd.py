"""ASGD, as torch.optim.ASGD."""

from __future__ import annotations

from .optimizer import (Optimizer, check_hyperparameters, check_implementation_flags, count_step, directed_gradient,
                        scalar_state)


class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky, 1992; Bottou's schedule): SGD with a slowly decaying step size, which also
    keeps a running average of its iterates, ``ax``, the estimate to read once training ends (the parameters
    themselves keep following plain SGD).

    θ ← θ(1 - λη) - ηg;  ax ← ax + μ(θ - ax);  η ← lr / (1 + λ·lr·t)^α;  μ ← 1 / max(1, t - t₀)

    ``lambd`` λ is the decay term (also in the step size's schedule), ``alpha`` α its power, ``t0`` t₀ the step
    at which averaging starts (before, ``ax`` only copies θ). ``eta`` and ``mu`` are kept in the state, rounded as
    torch keeps them (see ``scalar_state``). ``weight_decay`` adds its multiple of θ to the gradient; ``maximize``
    climbs the objective. ``foreach`` is accepted and changes nothing; ``capturable`` and ``differentiable`` only
    as False.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_hyperparameters("ASGD", lr=lr, weight_decay=weight_decay)
        check_implementation_flags("ASGD", foreach, None, capturable, differentiable)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, param, grad, group, state):
        lr, lambd = group["lr"], group["lambd"]
        if "step" not in state:
            state.update(eta=scalar_state(lr), mu=1.0)
        t = count_step(state, param, ax=True)
        grad = directed_gradient(grad, param, group["maximize"], group["weight_decay"])
        eta, ax = state["eta"], state["ax"]
        param *= 1 - lambd * eta
        param -= eta * grad
        if state["mu"] != 1:
            ax += (param - ax) * state["mu"]
        else:
            ax[...] = param
        state["eta"] = scalar_state(lr / (1 + lambd * lr * t) ** group["alpha"])
        state["mu"] = scalar_state(1 / max(1, t - group["t0"]))
