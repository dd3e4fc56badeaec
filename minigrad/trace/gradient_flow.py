"""Gradient flow through time: how big ∂L/∂h_t is at every step of an unrolled recurrence, and ∂L/∂x_t at every
position of the sequence an attention layer reads.

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

An attention layer has no steps: it reads all positions at once. The Transformer layers of ``models`` announce
their input x, every position together (``trace.record_positions``), and their attention weights
(``trace.record_attention``); the recording then holds ‖∂L/∂x_t‖ for every position t, and ``attention_map()``
draws the weights. ``flow.watch(x)`` keeps ‖∂L/∂x_t‖ of any tensor, e.g. the input of a bare MultiheadAttention
or of an RNN, so that different models can be compared on the same quantity.

What a recurrence records is kept per stream (layer, direction); what an attention layer records per
(layer, direction, the layer's name), e.g. (0, 0, "TransformerDecoderLayer"), so that an encoder's layer 0 and a
decoder's layer 0 stay apart. The methods take ``layer`` and ``direction``, and ``name`` where those two do not
tell the streams apart.
"""

from __future__ import annotations

import contextlib
import math
import numbers

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..tensor import Tensor
from .heat_map import attention_map
from .recording import listening
from .render import log_bar, number, show, sparkline

STATE_NAMES = ("h", "c")
_MAP_ROWS = 24  # the printed recording draws attention maps of at most this many query positions


def _norm(tensor) -> float:
    return (tensor * tensor).sum().item() ** 0.5


def _position_norms(tensor, dim: int) -> list:
    """‖x_t‖ for every index t along ``dim``: the norm over all the other dimensions (batch and features)."""
    squares = (tensor * tensor).transpose(0, dim)
    return squares.reshape(squares.shape[0], -1).sum(dim=1).sqrt().tolist()


class ThroughTime:
    """The recorder: for each stream and each step or position t, the recorded quantities.

    Quantities: ``grad_h`` and ``grad_c`` (‖∂L/∂h_t‖, ‖∂L/∂c_t‖ after backward, None before), ``h`` and ``c``
    (‖h_t‖, ‖c_t‖), the mean activation of every gate recorded (``forget_gate``, ``update_gate`` ...), and for
    sequences recorded whole, ``x`` and ``grad_x`` (‖x_t‖, ‖∂L/∂x_t‖; other names as recorded or watched).
    ``weights`` holds the attention weights recorded: {stream: {attention name: Tensor (..., L, S)}}.
    """

    def __init__(self):
        self.streams = {}  # (layer, direction) or (layer, direction, name) -> {t: {quantity: value}}
        self.weights = {}  # (layer, direction, name) -> {attention name: weights}
        self._calls = {}   # steps recorded without a time index (cells called in a loop) are numbered in order
        self._norms = set(STATE_NAMES)  # quantities that are the norm of a recorded tensor (not drawn as columns)

    # --- what models (and users) hand in -------------------------------------------------------------------
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
                    tensor.register_hook(self._keeper([entry], "grad_" + name, lambda grad: [_norm(grad)]))
            else:
                entry[name] = tensor.mean().item()

    @staticmethod
    def _layer_key(scope) -> tuple:
        return (scope.get("layer", 0), scope.get("direction", 0), scope.name) if scope is not None else (0, 0)

    def add_positions(self, scope, dim: int, tensors: dict) -> None:
        self._add_positions(self._layer_key(scope), dim, tensors)

    def add_attention(self, scope, weights: dict) -> None:
        self.weights.setdefault(self._layer_key(scope), {}).update(
            {name: tensor.detach() for name, tensor in weights.items()})

    def watch(self, tensor: Tensor, name: str = "x", dim: int = 0, layer: int = 0, direction: int = 0) -> Tensor:
        """Keep ‖∂L/∂x_t‖ of ``tensor`` for every position t along ``dim`` (the quantity ``grad_`` + ``name``) in the
        stream (layer, direction), beside what a recurrence records there. Returns ``tensor``: ``lstm(flow.watch(x))``.
        """
        if not isinstance(tensor, Tensor):
            raise TypeError(f"through_time.watch: expected a Tensor, got {type(tensor).__name__}")
        if not tensor.requires_grad:
            raise ValueError("through_time.watch: expected a tensor that requires grad (its gradient is what is "
                             "kept), got one with requires_grad=False")
        if not isinstance(name, str) or not name.isidentifier() or name in STATE_NAMES:
            raise ValueError(f"through_time.watch: expected a name other than 'h' and 'c' (a recurrence's state), "
                             f"got {name!r}")
        if not isinstance(dim, numbers.Integral) or not -tensor.ndim <= dim < tensor.ndim:
            raise IndexError(f"through_time.watch: expected dim in [{-tensor.ndim}, {tensor.ndim - 1}] for a tensor "
                             f"of shape {tensor.shape}, got {dim!r}")
        self._add_positions((layer, direction), dim, {name: tensor})
        return tensor

    def _add_positions(self, key: tuple, dim: int, tensors: dict) -> None:
        steps = self.streams.setdefault(key, {})
        for name, tensor in tensors.items():
            norms = _position_norms(tensor.detach(), dim)
            entries = [steps.setdefault(t, {}) for t in range(len(norms))]
            for entry, norm in zip(entries, norms):
                entry[name] = norm
                entry.setdefault("grad_" + name, None)
            self._norms.add(name)
            if tensor.requires_grad:
                tensor.register_hook(self._keeper(entries, "grad_" + name, lambda grad: _position_norms(grad, dim)))

    @staticmethod
    def _keeper(entries: list, quantity: str, norms_of):
        def keep(grad):
            for entry, norm in zip(entries, norms_of(grad)):
                entry[quantity] = (entry[quantity] or 0.0) + norm  # two backward passes add up, as .grad does
        return keep

    # --- the numbers ---------------------------------------------------------------------------------------
    @staticmethod
    def _key(recorded: dict, layer: int, direction: int, name: str | None, what: str) -> tuple:
        """The key of ``recorded`` that (layer, direction[, name]) means: (layer, direction) itself, or the one
        stream of an attention layer with that layer and direction."""
        if name is not None:
            candidates = [(layer, direction, name)]
        elif (layer, direction) in recorded:
            candidates = [(layer, direction)]
        else:
            candidates = [key for key in recorded if key[:2] == (layer, direction)]
        if len(candidates) != 1 or candidates[0] not in recorded:
            named = "" if name is None else f", name {name!r}"
            raise KeyError(f"through_time: expected one stream of {what} for layer {layer}, direction {direction}"
                           f"{named} (name= tells the layers of one index apart), got the streams {sorted(recorded)}")
        return candidates[0]

    def stream(self, layer: int = 0, direction: int = 0, name: str | None = None) -> dict:
        return self.streams[self._key(self.streams, layer, direction, name, "steps")]

    def steps(self, layer: int = 0, direction: int = 0, name: str | None = None) -> list:
        return sorted(self.stream(layer, direction, name))

    def series(self, quantity: str, layer: int = 0, direction: int = 0, name: str | None = None) -> list:
        """One quantity over t (in time order), e.g. ``series("grad_h")``; None where it was not recorded."""
        stream = self.stream(layer, direction, name)
        return [stream[t].get(quantity) for t in sorted(stream)]

    def quantities(self, layer: int = 0, direction: int = 0, name: str | None = None) -> list:
        found = []
        for entry in self.stream(layer, direction, name).values():
            found += [q for q in entry if q not in found]
        order = {"grad_h": 0, "grad_c": 1, "h": 3, "c": 4}  # then the other gradients, then the rest by name
        return sorted(found, key=lambda q: (order.get(q, 2 if q.startswith("grad_") else 5), q))

    def ratio(self, quantity: str = "grad_h", layer: int = 0, direction: int = 0, name: str | None = None):
        """first step / last step: < 1 when the gradient shrinks going back in time (vanishing)."""
        values = self.series(quantity, layer, direction, name)
        if not values or not values[-1] or values[0] is None:
            return None
        return values[0] / values[-1]

    def factor(self, quantity: str = "grad_h", layer: int = 0, direction: int = 0, name: str | None = None):
        """How much one step back multiplies ``quantity``, from a least-squares line through its logarithm over
        every step but the last (the step a loss on the last output reads directly, not through the others):
        < 1 vanishing, > 1 exploding, about 1 where distance does not matter. None with fewer than two steps to
        fit or a norm of 0."""
        values = self.series(quantity, layer, direction, name)[:-1]
        if len(values) < 2 or not all(values):
            return None
        logs = [math.log(v) for v in values]
        mean_t, mean_log = (len(logs) - 1) / 2, sum(logs) / len(logs)
        slope = sum((t - mean_t) * (y - mean_log) for t, y in enumerate(logs)) / sum(
            (t - mean_t) ** 2 for t in range(len(logs)))
        return math.exp(-slope)  # log ‖g_t‖ rises by -log(factor) per step towards the end

    def attention(self, module: str = "self_attn", layer: int = 0, direction: int = 0, name: str | None = None,
                  index: int | None = None) -> list:
        """The weights recorded as ``module`` (``self_attn``; a decoder layer's cross-attention ``multihead_attn``)
        as L rows of S floats: those of sequence ``index`` of the batch, or their mean over the batch (None)."""
        recorded = self.weights[self._key(self.weights, layer, direction, name, "attention weights")]
        if module not in recorded:
            raise KeyError(f"through_time: expected attention weights named one of {sorted(recorded)}, got {module!r}")
        weights = recorded[module]
        if index is not None:
            if weights.ndim < 3 or not -weights.shape[0] <= index < weights.shape[0]:
                raise IndexError(f"through_time.attention: expected index in a batch of weights of shape "
                                 f"{weights.shape}, got {index}")
            weights = weights[index]
        return weights.reshape(-1, *weights.shape[-2:]).mean(dim=0).tolist()

    # --- drawing -------------------------------------------------------------------------------------------
    def attention_map(self, source_tokens=None, target_tokens=None, module: str = "self_attn", layer: int = 0,
                      direction: int = 0, name: str | None = None, index: int | None = None, title: str | None = None):
        """The weights of :meth:`attention` as a heat map (``trace.attention_map``); tokens default to positions."""
        rows = self.attention(module, layer, direction, name, index)
        sources = [str(s) for s in range(len(rows[0]))] if source_tokens is None else source_tokens
        targets = [str(t) for t in range(len(rows))] if target_tokens is None else target_tokens
        return attention_map(rows, sources, targets, title=title or f"Attention weights of {module} (rows: query "
                             "positions, columns: key positions)")

    def table(self, layer: int = 0, direction: int = 0, max_rows: int = 60, name: str | None = None) -> Table:
        key = self._key(self.streams, layer, direction, name, "steps")
        quantities = [q for q in self.quantities(*key) if q not in self._norms]
        main = next((q for q in quantities if q.startswith("grad_")), None)  # grad_h first
        grads = [v for q in quantities if q.startswith("grad_") for v in self.series(q, *key) if v]
        low, high = (min(grads), max(grads)) if grads else (1.0, 10.0)
        title = (f"Gradient flow through time (layer {layer}, direction {direction})" if len(key) == 2 else
                 f"Gradient per position ({key[2]}, layer {layer})")
        table = Table(title=title, box=None, padding=(0, 1))
        table.add_column("t", justify="right")
        for q in quantities:
            table.add_column(_label(q), justify="right")
        if main:
            table.add_column(f"log {_label(main)}", no_wrap=True)
        stride = max(1, -(-len(self.streams[key]) // max_rows))
        stream = self.streams[key]
        for t in sorted(stream)[::stride]:
            cells = [number(stream[t].get(q)) for q in quantities]
            if main:
                cells.append(log_bar(stream[t].get(main), low, high, width=20))
            table.add_row(str(t), *cells)
        return table

    def summary(self, layer: int = 0, direction: int = 0, name: str | None = None) -> Text:
        parts = []
        for q in self.quantities(layer, direction, name):
            values = self.series(q, layer, direction, name) if q.startswith("grad_") else []
            if any(values):
                ratio = self.ratio(q, layer, direction, name)
                parts.append(f"{_label(q)}: {sparkline(values)}  first/last = {number(ratio)}")
        return Text("\n".join(parts))

    def _maps(self) -> list:
        """A heat map of every attention recorded, or a line saying how to draw one too tall to print."""
        parts = []
        for key in sorted(self.weights):
            layer, direction, *name = key
            for module, weights in self.weights[key].items():
                queries = weights.shape[-2]
                where = f"{module} of {name[0] if name else 'layer'} {layer}"
                if queries <= _MAP_ROWS:
                    parts.append(self.attention_map(module=module, layer=layer, direction=direction,
                                                    name=name[0] if name else None,
                                                    title=f"Attention weights, {where} (batch mean)"))
                else:
                    parts.append(Text(f"{where}: {queries} query positions recorded; flow.attention_map(module="
                                      f"{module!r}, layer={layer}) draws them", style="dim"))
        return parts

    def __rich__(self):
        if not self.streams and not self.weights:
            return Text("through_time: nothing was recorded (run a models RNN/LSTM/GRU or Transformer layer inside "
                        "the block, or watch a tensor)")
        parts = []
        for key in sorted(self.streams):
            options = dict(layer=key[0], direction=key[1], name=key[2] if len(key) == 3 else None)
            parts += [self.table(**options), self.summary(**options)]
        return Group(*parts, *self._maps())

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
    """Record the recurrent states (and gates) of every models RNN/LSTM/GRU, and the inputs and attention weights
    of every Transformer layer, run inside the block; ``flow.watch(tensor)`` adds any tensor."""
    recorder = ThroughTime()
    with listening(recorder):
        yield recorder


def compare(flows: dict, quantity: str = "grad_h", layer: int = 0, direction: int = 0, max_rows: int = 60,
            name: str | None = None):
    """Side by side: one quantity per step for several recordings (e.g. {"RNN": ..., "LSTM": ..., "GRU": ...}),
    on one shared log scale, with each one's first/last ratio underneath."""
    names = list(flows)
    series = {label: flows[label].series(quantity, layer, direction, name) for label in names}
    values = [v for s in series.values() for v in s if v]
    low, high = (min(values), max(values)) if values else (1.0, 10.0)
    bar_width = max(6, (64 - 12 * len(names)) // max(1, len(names)))
    table = Table(title=f"{_label(quantity)} per step (shared log scale)", box=None, padding=(0, 1))
    table.add_column("t", justify="right")
    for label in names:
        table.add_column(label, justify="right")
        table.add_column("", no_wrap=True)
    length = max(len(s) for s in series.values())
    stride = max(1, -(-length // max_rows))
    for t in range(0, length, stride):
        cells = []
        for label in names:
            value = series[label][t] if t < len(series[label]) else None
            cells += [number(value), log_bar(value, low, high, width=bar_width)]
        table.add_row(str(t), *cells)
    ratios = Text("first/last step: " + ",  ".join(
        f"{label} {number(flows[label].ratio(quantity, layer, direction, name))}" for label in names))
    return Group(table, ratios)
