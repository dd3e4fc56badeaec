"""Drawing helpers shared by the traces: consoles that suit any terminal, bars, sparklines, numbers."""

from __future__ import annotations

import math
import numbers

from rich.console import Console

from ..tensor import AccumulateGrad, Tensor

SPARKS = "▁▂▃▄▅▆▇█"
SHADES = " ░▒▓█"


def console(width: int | None = None) -> Console:
    """A rich Console: colour only on a terminal and never with NO_COLOR (rich checks both), at most 80 columns
    unless told otherwise, so output reads the same in a narrow terminal, a pipe or a file."""
    probe = Console()
    return Console(width=width or min(probe.width, 80))


def show(renderable, file=None) -> None:
    """Print a trace result (anything rich can render)."""
    target = console() if file is None else Console(file=file, width=80)
    target.print(renderable)


def number(value: float) -> str:
    """A compact number: 3 significant digits, scientific notation when tiny or huge."""
    if value is None:
        return "–"
    if value != value:
        return "nan"
    if value in (math.inf, -math.inf):
        return "inf" if value > 0 else "-inf"
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    return f"{value:.2e}"


def log_bar(value: float, low: float, high: float, width: int = 24) -> str:
    """A bar whose length is ``value``'s position between ``low`` and ``high`` on a log scale (0 → empty)."""
    if not value or value <= 0 or not math.isfinite(value):
        return ""
    low, high = max(low, 1e-300), max(high, low * 10)
    fraction = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
    return "█" * max(1, round(min(max(fraction, 0.0), 1.0) * width))


def sparkline(values, log: bool = True) -> str:
    """One character per value, ▁ (smallest) to █ (largest), on a log scale by default."""
    finite = [v for v in values if v and v > 0 and math.isfinite(v)] if log else [v for v in values if math.isfinite(v)]
    if not finite:
        return " " * len(values)
    scale = (lambda v: math.log10(v)) if log else (lambda v: v)
    low, high = scale(min(finite)), scale(max(finite))
    span = (high - low) or 1.0
    out = []
    for v in values:
        if (log and (not v or v <= 0)) or not math.isfinite(v):
            out.append(" ")
        else:
            out.append(SPARKS[min(len(SPARKS) - 1, int((scale(v) - low) / span * (len(SPARKS) - 1) + 0.5))])
    return "".join(out)


def leaf_names_of(names, caller: str) -> dict:
    """id(tensor) → name from a Module, {name: tensor}, {tensor: name} or {id(tensor): name}."""
    if names is None:
        return {}
    if hasattr(names, "named_parameters"):
        return {id(p): name for name, p in names.named_parameters()}
    if not hasattr(names, "items"):
        raise TypeError(f"{caller}: expected names as a Module or a dict, got {type(names).__name__}")
    table = {}
    for key, value in names.items():
        if isinstance(key, str) and isinstance(value, Tensor):
            table[id(value)] = key
        elif isinstance(key, (Tensor, numbers.Integral)) and isinstance(value, str):
            table[key if isinstance(key, numbers.Integral) else id(key)] = value
        else:
            raise TypeError(f"{caller}: expected names entries as name: tensor, tensor: name or "
                            f"id(tensor): name, got {type(key).__name__}: {type(value).__name__}")
    return table


def inputs_of(node) -> list:
    """For each input of a graph node: the node that produced it, the leaf Tensor itself (where the engine has the
    leaf's AccumulateGrad node), or None for an input that needs no gradient."""
    return [parent.variable if isinstance(parent, AccumulateGrad) else parent for parent in node.parents]
