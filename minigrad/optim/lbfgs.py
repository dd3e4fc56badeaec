"""L-BFGS, as torch.optim.LBFGS: a quasi-Newton method that re-evaluates the loss itself (``step(closure)``).

Each iteration turns the gradient g into a direction d ≈ -H⁻¹g, where the inverse Hessian H⁻¹ is never formed:
it is implied by the last ``history_size`` pairs (s, y) of parameter changes s and gradient changes y, and applied
by the two-loop recursion. The step along d is either ``lr`` times d (the first iteration scaled down to a step of
length at most ``lr`` in the 1-norm), or the one a line search finds that satisfies the strong Wolfe conditions:

    f(θ + t·d) ≤ f(θ) + c₁·t·∇f(θ)ᵀd        (enough decrease)
    |∇f(θ + t·d)ᵀd| ≤ c₂·|∇f(θ)ᵀd|          (the slope along d has flattened)

All parameters are treated as one flat vector, so the optimiser has a single parameter group. Like torch's, the
scalars of the algorithm (slopes, step lengths, curvatures) stay 0-d arrays of the parameters' dtype and device
(NumPy scalars on the cpu), so a float32 model computes them in float32 as torch does; comparing them synchronises
with the device, as it does in torch.
"""

from __future__ import annotations

from functools import partial

from .. import backend
from ..checks import check_positive_int
from ..engine import enable_grad
from .optimizer import Optimizer, _check_state_device, check_hyperparameters

LINE_SEARCHES = (None, "strong_wolfe")
# the history and state kept as flat vectors (one entry per parameter element) and as scalars
FLAT_STATE = ("d", "prev_flat_grad", "old_dirs", "old_stps")
SCALAR_STATE = ("t", "H_diag", "ro", "al")


def _sqrt(value):
    return backend.device_of(value).xp.sqrt(value)


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to ``bounds`` (by
    default the interval between x1 and x2); the middle of the bounds when the cubic has no minimum."""
    xmin_bound, xmax_bound = bounds if bounds is not None else (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = _sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step length t along d that satisfies the strong Wolfe conditions (Nocedal & Wright, algorithms 3.5 and
    3.6), with at most ``max_ls`` evaluations of ``obj_func(x, t, d)`` → (loss, flat gradient) at θ = x + t·d.

    First it brackets: it tries longer steps (cubic extrapolation) until the loss stops decreasing or the slope
    turns up, which encloses an acceptable step between two trial points. Then it zooms: it shrinks the bracket
    around the lower end by cubic interpolation until a point satisfies both conditions (or the bracket is shorter
    than ``tolerance_change``). Returns the loss, flat gradient and step at the best point, and the evaluations.
    Flat gradients are never changed in place, so the points keep theirs without copies.
    """
    d_norm = abs(d).max()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    # bracketing: each point is (step, loss, flat gradient, slope along d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], \
                [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], \
                [gtd_prev, gtd_new]
            break
        # extrapolate: a longer step, past t by at least 1% of the last increase, and at most 10·t
        t_next = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                    bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

    if ls_iter == max_ls:  # out of evaluations: between the start and the last trial
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket, keeping at low_pos the point with the lower loss
    insufficient_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])

        # A trial within 10% of the bracket's length from an end makes little progress: the second time in a row,
        # or when it falls on or outside an end, move it to that 10% mark.
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # not enough decrease, or not lower than the low end: the trial becomes the high end
            bracket[high_pos], bracket_f[high_pos], bracket_g[high_pos], bracket_gtd[high_pos] = \
                t, f_new, g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # the slope points away from the high end: the old low end becomes the high end
                bracket[high_pos], bracket_f[high_pos], bracket_g[high_pos], bracket_gtd[high_pos] = \
                    bracket[low_pos], bracket_f[low_pos], bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos], bracket_g[low_pos], bracket_gtd[low_pos] = t, f_new, g_new, gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


class LBFGS(Optimizer):
    """L-BFGS (Liu & Nocedal, 1989), torch's algorithm (after minFunc): ``optimizer.step(closure)``, where
    ``closure()`` clears the gradients, computes the loss, calls ``backward()`` and returns the loss.

    One ``step`` runs up to ``max_iter`` iterations and ``max_eval`` closure calls (default ``max_iter * 5 // 4``);
    it stops early when the largest gradient element is at most ``tolerance_grad``, or when the loss or the step
    changes by less than ``tolerance_change``. ``history_size`` pairs (s, y) are remembered across steps.
    ``line_search_fn`` is None (steps of length ``lr``) or ``"strong_wolfe"``. Only one parameter group, as in
    torch; an unknown ``line_search_fn`` is refused here, where torch refuses it at the first step.

    The state (torch's names: ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``, ``prev_flat_grad``,
    ``prev_loss``, ``n_iter``, ``func_evals``) is global; it is kept as the first parameter's, as torch keeps it.
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        check_hyperparameters("LBFGS", lr=lr, tolerance_grad=tolerance_grad, tolerance_change=tolerance_change)
        check_positive_int(max_iter, "max_iter", "LBFGS")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        check_positive_int(max_eval, "max_eval", "LBFGS")
        check_positive_int(history_size, "history_size", "LBFGS")
        if line_search_fn not in LINE_SEARCHES:
            raise RuntimeError(f"LBFGS: expected line_search_fn None or 'strong_wolfe', got {line_search_fn!r}")
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError(f"LBFGS: expected one parameter group (it doesn't support per-parameter options), "
                             f"got {len(self.param_groups)}")
        self._params = self.param_groups[0]["params"]

    def _state_shape(self, param, key):
        if key in FLAT_STATE:
            return (sum(p.numel() for p in self._params),)
        return () if key in SCALAR_STATE else param.shape

    # --- the parameters as one flat vector ---------------------------------------------------------------
    def _gather_flat_grad(self):
        """All gradients as one new flat array (zeros for a parameter without one)."""
        xp = self._params[0].device.xp
        return xp.concatenate([p.grad._array.reshape(-1) if p.grad is not None else
                               xp.zeros(p.numel(), dtype=p.dtype) for p in self._params])

    def _add_grad(self, step_size, update) -> None:
        """θ ← θ + step_size · update, each parameter taking its slice of the flat ``update``."""
        offset = 0
        for p in self._params:
            numel = p.numel()
            p._array += step_size * update[offset:offset + numel].reshape(p.shape)
            p._bump_version()
            offset += numel

    def _clone_param(self):
        return [p._array.copy() for p in self._params]

    def _set_param(self, arrays) -> None:
        for p, array in zip(self._params, arrays):
            p._array[...] = array
            p._bump_version()

    def _directional_evaluate(self, closure, x, t, d):
        """The loss and flat gradient at θ = x + t·d; the parameters are put back to x afterwards."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # --- one step ------------------------------------------------------------------------------------------
    def step(self, closure):
        """Run up to ``max_iter`` iterations, calling ``closure`` (always with gradients enabled) for the loss and
        gradients; returns the loss the first call returned."""
        closure = enable_grad()(closure)
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]

        state = self.state.setdefault(self._params[0], {})
        _check_state_device("LBFGS", self._params[0], state)
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if abs(flat_grad).max() <= tolerance_grad:  # already optimal
            return orig_loss

        d, t = state.get("d"), state.get("t")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # the direction: steepest descent at first, then the two-loop recursion on the remembered pairs
            if state["n_iter"] == 1:
                d = -flat_grad
                state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            else:
                self._remember(state, y=flat_grad - prev_flat_grad, s=d * t, history_size=group["history_size"])
                d = self._direction(state, flat_grad, group["history_size"])

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            # the step length: the first one at most lr in the 1-norm, then lr (the line search's first guess)
            t = min(1.0, 1.0 / abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)  # the slope along d
            if gtd > -tolerance_change:  # d no longer goes down
                break

            if group["line_search_fn"] == "strong_wolfe":
                x_init = self._clone_param()
                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    partial(self._directional_evaluate, closure), x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                optimal = abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                ls_func_evals = 0
                optimal = False
                # the last iteration does not evaluate: with a stochastic loss that evaluation would be wasted
                if n_iter != max_iter:
                    loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    optimal = abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if (n_iter == max_iter or current_evals >= max_eval or optimal
                    or abs(d * t).max() <= tolerance_change  # the step no longer moves the parameters
                    or abs(loss - prev_loss) < tolerance_change):  # nor the loss
                break

        state.update(d=d, t=t, prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    @staticmethod
    def _remember(state: dict, y, s, history_size: int) -> None:
        """Keep the pair (s, y) of the last step if the curvature along it, yᵀs, is positive enough (otherwise
        the inverse-Hessian estimate would stop being positive definite), forgetting the oldest beyond
        ``history_size``; H_diag = yᵀs / yᵀy scales the initial inverse Hessian."""
        ys = y.dot(s)
        if ys > 1e-10:
            if len(state["old_dirs"]) == history_size:
                for key in ("old_dirs", "old_stps", "ro"):
                    state[key].pop(0)
            state["old_dirs"].append(y)
            state["old_stps"].append(s)
            state["ro"].append(1.0 / ys)
            state["H_diag"] = ys / y.dot(y)

    @staticmethod
    def _direction(state: dict, flat_grad, history_size: int):
        """d = -H⁻¹g by the two-loop recursion: the remembered pairs, newest first, then oldest first, around the
        initial inverse Hessian H_diag · I. The coefficients of the first loop are kept in ``state["al"]``."""
        old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        al = state.setdefault("al", [None] * history_size)
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q -= al[i] * old_dirs[i]
        r = q * state["H_diag"]
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        return r
