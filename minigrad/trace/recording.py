"""How models tell the traces what they compute, at no cost when no trace is listening.

- ``scope(name, **meta)`` marks the ops created inside it as one unit (e.g. "LSTMCell step", layer=0, t=7), so
  the graph trace can fold an unrolled recurrence into "LSTMCell step × 50".
- ``record(**tensors)`` hands named tensors (h, c, gate activations) to every active recorder, e.g. the
  through-time trace; with none active it returns at once.

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
    ``meta`` such as t=3)."""
    return Scope(name, meta)


def record(**tensors) -> None:
    """Offer named tensors of the current scope to the active recorders (a no-op when there are none)."""
    for recorder in _recorders:
        recorder.add(engine.annotation(), tensors)


@contextlib.contextmanager
def listening(recorder):
    """Make ``recorder.add(scope, tensors)`` receive every ``record`` call inside the block."""
    _recorders.append(recorder)
    try:
        yield recorder
    finally:
        _recorders.remove(recorder)
