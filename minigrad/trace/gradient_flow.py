"""Gradient flow through time: how big ∂L/∂h_t is at every step of an unrolled recurrence.

    with minigrad.trace.through_time() as flow:
        output, (h_n, c_n) = lstm(x)
    loss = output[-1].sum()
    loss.backward()
    flow.show()                      # per-step ‖∂L/∂h_t‖, ‖∂L/∂c_t‖ and mean gate activations
    flow.series("grad_h")            # the numbers, as a list over t

The recurrent layers of ``models`` announce h_t, c_t and their gate activations with ``trace.record``; inside the
block every announced h_t and c_t gets a hook that keeps the norm of its gradient when backward reaches it. A
loss on the last step shows the vanishing gradient directly: in a tanh RNN the norms fall geometrically as t goes
back, in an LSTM the cell path keeps them up.
"""

from __future__ import annotations

import contextlib

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .recording import listening
from .render import log_bar, number, show, sparkline

STATE_NAMES = ("h", "c")


def _norm(tensor) -> float:
    return (tensor * tensor).sum().item() ** 0.5


class ThroughTime:
    """The recorder: for each stream (layer, direction) and step t, the recorded quantities.

    Quantities: ``grad_h`` and ``grad_c`` (‖∂L/∂h_t‖, ‖∂L/∂c_t‖ after backward, None before), ``h`` and ``c``
    (‖h_t‖, ‖c_t‖), and the mean activation of every gate recorded (``forget_gate``, ``update_gate`` ...).
    """

    def __init__(self):
        self.streams = {}  # (layer, direction) -> {t: {quantity: value}}
        self._calls = {}   # steps recorded without a time index (cells called in a loop) are numbered in order

    def add(self, scope, tensors: dict) -> None:
        key = (scope.get("layer", 0), scope.get("direction", 0)) if scope is not None else (0, 0)
        t = scope.get("t") if scope is not None else None
        steps = self.streams.setdefault(key, {})
        if t is None:
            t = self._calls.get(key, 0)
            if "h" in tensors:  # a new step starts with its state
                self._calls[key] = t + 1
        entry = steps.setdefault(t, {})
        for name, tensor in tensors.items():
            if name in STATE_NAMES:
                entry[name] = _norm(tensor.detach())
                entry.setdefault("grad_" + name, None)
                if tensor.requires_grad:
                    tensor.register_hook(self._keeper(entry, "grad_" + name))
            else:
                entry[name] = tensor.mean().item()

    @staticmethod
    def _keeper(entry: dict, quantity: str):
        def keep(grad):
            entry[quantity] = (entry[quantity] or 0.0) + _norm(grad)  # two backward passes add up, as .grad does
        return keep

    # --- the numbers ---------------------------------------------------------------------------------------
    def stream(self, layer: int = 0, direction: int = 0) -> dict:
        key = (layer, direction)
        if key not in self.streams:
            raise KeyError(f"through_time: no steps recorded for layer {layer}, direction {direction}; recorded: "
                           f"{sorted(self.streams)}")
        return self.streams[key]

    def steps(self, layer: int = 0, direction: int = 0) -> list:
        return sorted(self.stream(layer, direction))

    def series(self, quantity: str, layer: int = 0, direction: int = 0) -> list:
        """One quantity over t (in time order), e.g. ``series("grad_h")``; None where it was not recorded."""
        stream = self.stream(layer, direction)
        return [stream[t].get(quantity) for t in sorted(stream)]

    def quantities(self, layer: int = 0, direction: int = 0) -> list:
        found = []
        for entry in self.stream(layer, direction).values():
            found += [q for q in entry if q not in found]
        order = {"grad_h": 0, "grad_c": 1, "h": 2, "c": 3}
        return sorted(found, key=lambda q: (order.get(q, 4), q))

    def ratio(self, quantity: str = "grad_h", layer: int = 0, direction: int = 0):
        """first step / last step: < 1 when the gradient shrinks going back in time (vanishing)."""
        values = self.series(quantity, layer, direction)
        if not values or not values[-1] or values[0] is None:
            return None
        return values[0] / values[-1]

    # --- drawing -------------------------------------------------------------------------------------------
    def table(self, layer: int = 0, direction: int = 0, max_rows: int = 60) -> Table:
        quantities = [q for q in self.quantities(layer, direction) if q not in STATE_NAMES]
        steps = self.steps(layer, direction)
        grads = [v for q in ("grad_h", "grad_c") if q in quantities for v in self.series(q, layer, direction) if v]
        low, high = (min(grads), max(grads)) if grads else (1.0, 10.0)
        table = Table(title=f"Gradient flow through time (layer {layer}, direction {direction})", box=None,
                      padding=(0, 1))
        table.add_column("t", justify="right")
        for q in quantities:
            table.add_column(_label(q), justify="right")
        if "grad_h" in quantities:
            table.add_column("log ‖∂L/∂h_t‖", no_wrap=True)
        stride = max(1, -(-len(steps) // max_rows))
        stream = self.stream(layer, direction)
        for t in steps[::stride]:
            cells = [number(stream[t].get(q)) for q in quantities]
            if "grad_h" in quantities:
                cells.append(log_bar(stream[t].get("grad_h"), low, high, width=20))
            table.add_row(str(t), *cells)
        return table

    def summary(self, layer: int = 0, direction: int = 0) -> Text:
        parts = []
        for q in ("grad_h", "grad_c"):
            values = self.series(q, layer, direction) if q in self.quantities(layer, direction) else []
            if any(values):
                ratio = self.ratio(q, layer, direction)
                parts.append(f"{_label(q)}: {sparkline(values)}  first/last = {number(ratio)}")
        return Text("\n".join(parts))

    def __rich__(self):
        if not self.streams:
            return Text("through_time: nothing was recorded (run a models RNN/LSTM/GRU inside the block)")
        return Group(*(part for key in sorted(self.streams) for part in (self.table(*key), self.summary(*key))))

    def show(self, file=None) -> None:
        show(self, file)


def _label(quantity: str) -> str:
    if quantity.startswith("grad_"):
        return f"‖∂L/∂{quantity[5:]}_t‖"
    if quantity.endswith("_gate"):
        return "mean " + quantity[:-5]
    return quantity


@contextlib.contextmanager
def through_time():
    """Record the recurrent states (and gates) of every models RNN/LSTM/GRU run inside the block."""
    recorder = ThroughTime()
    with listening(recorder):
        yield recorder


def compare(flows: dict, quantity: str = "grad_h", layer: int = 0, direction: int = 0, max_rows: int = 60):
    """Side by side: one quantity per step for several recordings (e.g. {"RNN": ..., "LSTM": ..., "GRU": ...}),
    on one shared log scale, with each one's first/last ratio underneath."""
    names = list(flows)
    series = {name: flows[name].series(quantity, layer, direction) for name in names}
    values = [v for s in series.values() for v in s if v]
    low, high = (min(values), max(values)) if values else (1.0, 10.0)
    bar_width = max(6, (64 - 12 * len(names)) // max(1, len(names)))
    table = Table(title=f"{_label(quantity)} per step (shared log scale)", box=None, padding=(0, 1))
    table.add_column("t", justify="right")
    for name in names:
        table.add_column(name, justify="right")
        table.add_column("", no_wrap=True)
    length = max(len(s) for s in series.values())
    stride = max(1, -(-length // max_rows))
    for t in range(0, length, stride):
        cells = []
        for name in names:
            value = series[name][t] if t < len(series[name]) else None
            cells += [number(value), log_bar(value, low, high, width=bar_width)]
        table.add_row(str(t), *cells)
    ratios = Text("first/last step: " + ",  ".join(
        f"{name} {number(flows[name].ratio(quantity, layer, direction))}" for name in names))
    return Group(table, ratios)
