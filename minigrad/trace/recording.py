"""How models tell the traces what they compute, at no cost when no trace is listening.

- ``scope(name, **meta)`` marks the ops created inside it as one unit (e.g. "LSTMCell step", layer=0, t=7), so
  the graph trace can fold an unrolled recurrence into "LSTMCell step × 50". A scope opened inside another
  inherits its meta: a Transformer layer opens its own scope inside its stack's (layer=2) and is still layer 2.
- ``record(**tensors)`` hands named tensors of one time step (h, c, gate activations) to every active recorder,
  e.g. the through-time trace; with none active it returns at once.
- ``record_positions(dim, **tensors)`` does the same for tensors that hold every position of a sequence along
  ``dim`` (the input of an attention layer, which sees all positions at once), and ``record_attention(**weights)``
  for attention weights of shape (..., L, S).
- ``is_recording()`` says whether anyone listens, for a layer that would have to compute something extra.

Neither needs rich: models import this module at every step, and ``import minigrad`` stays NumPy-only.
"""

from __future__ import annotations

import contextlib

from .. import engine

_recorders: list = []


class Scope(engine.annotate):
    """One named unit of computation; ``meta`` says which one (layer, direction, time step ...).

    ``with scope(...)`` makes a new Scope and, through the engine's ``annotate``, labels every node created inside
    the block with it (a single object: recurrent layers enter one at every step). Scopes compare by identity:
    two calls of the same cell are two steps, even when nothing in their meta tells them apart.
    """

    __slots__ = ("name", "meta")

    def __init__(self, name: str, meta: dict):
        self.name = name
        self.meta = meta  # e.g. {"layer": 0, "t": 7}

    def get(self, key, default=None):
        return self.meta.get(key, default)

    def describe(self) -> str:
        return self.name + (" (" + ", ".join(f"{k}={v}" for k, v in self.meta.items()) + ")" if self.meta else "")


def scope(name: str, **meta) -> Scope:
    """``with scope(name, **meta):`` attributes every op created inside the block to a new Scope ``name`` (with
    ``meta`` such as t=3, added to the meta of the scope it is opened in, if any)."""
    outer = engine.annotation()
    return Scope(name, {**outer.meta, **meta} if isinstance(outer, Scope) else meta)


def is_recording() -> bool:
    """True while a recorder listens (inside ``trace.through_time()``): what ``record*`` offers is then kept."""
    return bool(_recorders)


def record(**tensors) -> None:
    """Offer named tensors of one time step of the current scope to the active recorders (a no-op when there are
    none)."""
    for recorder in _recorders:
        recorder.add(engine.annotation(), tensors)


def record_positions(dim: int, **tensors) -> None:
    """Offer named tensors that hold a whole sequence, position t at index t of ``dim``, e.g. an attention layer's
    input (a no-op when no recorder listens)."""
    for recorder in _recorders:
        recorder.add_positions(engine.annotation(), dim, tensors)


def record_attention(**weights) -> None:
    """Offer attention weights (..., L, S) by the name of the attention that made them, e.g. ``self_attn=w``: row l
    is how query position l spread its attention over the S key positions (a no-op when no recorder listens)."""
    for recorder in _recorders:
        recorder.add_attention(engine.annotation(), weights)


@contextlib.contextmanager
def listening(recorder):
    """Make ``recorder.add(scope, tensors)`` receive every ``record`` call inside the block."""
    _recorders.append(recorder)
    try:
        yield recorder
    finally:
        _recorders.remove(recorder)
