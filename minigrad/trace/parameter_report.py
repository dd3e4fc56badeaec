"""Every parameter's gradient in one table, with the global norm before and after clipping.

    loss.backward()
    minigrad.trace.parameters(model, max_norm=1.0).show()

After ``backward()`` each parameter holds a gradient, and training is healthy when those gradients are of sensible
size everywhere. The table shows, per parameter, the L2 norm of its gradient (with a log-scale bar, so a layer a
thousand times quieter than the others stands out), the mean and largest magnitude, the fraction of exact zeros
(dead ReLUs, unused embedding rows, padding) and whether any element is NaN or Inf.

The caption gives the *global* norm, the norm of all gradients taken as one vector: the number
``nn.utils.clip_grad_norm_`` compares with ``max_norm``. With ``max_norm`` the report also shows the norm the
gradients would have after clipping, computed here without touching them, so you can see how hard clipping bites
before you switch it on. (A NaN or Inf global norm cannot be clipped into shape: the scaled gradients are NaN.)
"""

from __future__ import annotations

import math
import numbers

from rich import box
from rich.table import Table
from rich.text import Text

from ..nn.utils import CLIP_EPS
from ..tensor import Tensor
from .render import log_bar, number, show

# clip_grad_norm_ divides by (norm + eps) so that an all-zero gradient does not divide by zero; the report must use
# the same eps to predict its result.


def _named_tensors(source, caller: str) -> list:
    """(name, tensor) pairs from a Module (its named_parameters) or from an iterable of such pairs."""
    if hasattr(source, "named_parameters"):
        return list(source.named_parameters())
    try:
        pairs = list(source)
    except TypeError:
        raise TypeError(f"{caller}: expected a Module or (name, tensor) pairs, got {type(source).__name__}") from None
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)
                and isinstance(pair[1], Tensor)):
            raise TypeError(f"{caller}: expected (name, tensor) pairs such as model.named_parameters(), "
                            f"got {pair!r:.80}")
    return pairs


def _row(name: str, parameter: Tensor) -> dict:
    """The statistics of one parameter's gradient, as host numbers."""
    row = {"name": name, "shape": parameter.shape, "has_grad": parameter.grad is not None, "norm": None,
           "mean_abs": None, "max_abs": None, "zero_fraction": None, "nan": False, "inf": False}
    if parameter.grad is None or parameter.grad.numel() == 0:
        return row
    # float64 so that the sum of squares of a large float32 gradient does not overflow to inf in the report
    grad = parameter.grad.detach().double()
    magnitude = grad.abs()
    row.update(
        norm=math.sqrt((grad * grad).sum().item()),
        mean_abs=magnitude.mean().item(),
        max_abs=magnitude.max().item(),
        zero_fraction=(grad == 0).sum().item() / grad.numel(),
        nan=bool((grad != grad).any().item()),
        inf=bool((magnitude == math.inf).any().item()),
    )
    return row


def _flag(row: dict) -> Text:
    if not row["has_grad"]:
        return Text("no grad", style="dim")
    problems = [word for word, present in (("NaN", row["nan"]), ("Inf", row["inf"])) if present]
    return Text("!" + "+".join(problems), style="bold red") if problems else Text("ok", style="green")


class ParameterReport:
    """The rows (one dict per parameter), the global gradient norm and, with ``max_norm``, the norm after clipping.

    Printing it (``show()`` or rich) draws the table.
    """

    def __init__(self, rows: list, max_norm: float | None):
        self.rows = rows
        self.max_norm = max_norm
        # The global norm is the norm of the per-parameter norms: sqrt(Σ‖g_i‖²) = ‖(g_1, g_2, ...)‖.
        self.global_norm = math.sqrt(sum(row["norm"] ** 2 for row in rows if row["norm"] is not None))
        self.clipped_norm = (None if max_norm is None else
                             self.global_norm * min(1.0, max_norm / (self.global_norm + CLIP_EPS)))

    @property
    def nonfinite(self) -> list:
        """Names of the parameters whose gradient holds NaN or Inf."""
        return [row["name"] for row in self.rows if row["nan"] or row["inf"]]

    def _caption(self) -> Text:
        caption = Text(f"global ‖grad‖ = {number(self.global_norm)}")
        if self.max_norm is None:
            caption.append("  (pass max_norm= to see the effect of clipping)", style="dim")
        elif not math.isfinite(self.global_norm):
            caption.append(f": clip_grad_norm_(max_norm={number(self.max_norm)}) cannot rescale a non-finite norm "
                           f"(the gradients would become NaN)")
        elif self.clipped_norm < self.global_norm:
            caption.append(f" → {number(self.clipped_norm)} after clip_grad_norm_(max_norm={number(self.max_norm)})"
                           f", scaled by {number(self.clipped_norm / self.global_norm)}")
        else:
            caption.append(f" → {number(self.clipped_norm)}: within max_norm={number(self.max_norm)}, not clipped")
        if self.nonfinite:
            caption.append(f"\nNaN/Inf in the gradient of: {', '.join(self.nonfinite)}", style="bold red")
        return caption

    def __rich__(self):
        norms = [row["norm"] for row in self.rows if row["norm"] and math.isfinite(row["norm"])]
        low, high = (min(norms), max(norms)) if norms else (1.0, 10.0)
        table = Table(title="Parameter gradients", caption=self._caption(), box=box.SIMPLE_HEAD,
                      caption_justify="left", pad_edge=False)
        table.add_column("parameter", overflow="fold")
        table.add_column("shape", overflow="fold")
        for heading in ("‖grad‖", "", "mean|g|", "max|g|", "zeros"):
            table.add_column(heading, justify="right" if heading else "left", no_wrap=True)
        table.add_column("", no_wrap=True)
        for row in self.rows:
            zeros = "–" if row["zero_fraction"] is None else f"{row['zero_fraction']:.0%}"
            table.add_row(row["name"], "×".join(map(str, row["shape"])) or "scalar", number(row["norm"]),
                          Text(log_bar(row["norm"], low, high, width=8), style="cyan"),
                          number(row["mean_abs"]), number(row["max_abs"]), zeros, _flag(row))
        return table

    def show(self, file=None) -> None:
        show(self, file)


def parameters(model_or_named_parameters, max_norm: float | None = None) -> ParameterReport:
    """Report every parameter's gradient: a Module, or (name, tensor) pairs such as ``model.named_parameters()``.

    ``max_norm``, as in ``nn.utils.clip_grad_norm_``, adds the global norm after clipping; the gradients themselves
    are left untouched.
    """
    if max_norm is not None and (not isinstance(max_norm, numbers.Real) or isinstance(max_norm, bool)
                                 or not max_norm > 0):
        raise ValueError(f"parameters: expected max_norm to be a number > 0 (or None), got {max_norm!r}")
    pairs = _named_tensors(model_or_named_parameters, "parameters")
    return ParameterReport([_row(name, p) for name, p in pairs], None if max_norm is None else float(max_norm))
