"""Find the op whose backward first produced NaN or Inf, and the line of your code that created it.

    with minigrad.detect_anomaly():
        loss = model(x)
        loss.backward()      # RuntimeError: detect_anomaly: SqrtBackward returned Inf in the gradient for its
                             # 1st input; the op was created at train.py:12 in step: `r = d.sqrt()`

A NaN in a gradient spreads: every op it passes through turns its own gradient into NaN, so by the time a
parameter's ``.grad`` is NaN the culprit is hidden among hundreds of ops. The cause is often an op whose forward
is perfectly finite while its derivative is not: ``sqrt`` at 0 (the slope 1/(2√x) is infinite), ``log`` at 0, or
``0 * log(0)``. Anomaly mode checks every gradient the moment a node returns it, so the first bad one is the one
reported, together with where its op was created (which a backward traceback cannot show: backward runs in the
engine, long after your line has returned).

It costs a stack walk per op and a device-to-host check per gradient: switch it on to hunt a bug, not to train.
"""

from __future__ import annotations

import contextlib
import functools
import linecache
import os
import sys
from typing import NamedTuple

from .. import engine

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

# How many detect_anomaly blocks are open: the observer is installed by the outermost and removed by it, so nested
# blocks (or a recursive decorated function) leave the state exactly as they found it.
_depth = 0
_watching = None


class CreatedAt(NamedTuple):
    """The line of user code (the innermost frame outside minigrad) that created a graph node."""

    filename: str
    lineno: int
    function: str
    line: str

    def __str__(self):
        return f"{self.filename}:{self.lineno} in {self.function}: `{self.line}`"


@functools.lru_cache(maxsize=None)
def _inside_minigrad(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PACKAGE_DIR)


def _caller_outside_minigrad() -> CreatedAt | None:
    # Ops are created deep inside tensor.py, functional.py, nn/...; the learner wants their own line (or the
    # model's, in models/), so skip every frame that belongs to the minigrad package itself.
    frame = sys._getframe(1)
    while frame is not None and _inside_minigrad(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    return CreatedAt(filename, lineno, frame.f_code.co_name, linecache.getline(filename, lineno).strip())


class _AnomalyObserver(engine.Observer):
    def node_created(self, node) -> None:
        """Note on the node where it was made (in its __dict__, which release() clears after use)."""
        node.__dict__["created_at"] = _caller_outside_minigrad()

    def node_backward(self, node, output_grads, input_grads) -> None:
        """Refuse a gradient with NaN or Inf the moment a node returns it."""
        _check_gradients(node, input_grads)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _check_gradients(node, input_grads) -> None:
    xp = node.device.xp
    for position, grad in enumerate(input_grads):
        if grad is None:
            continue
        problem = "NaN" if bool(xp.isnan(grad).any()) else "Inf" if bool(xp.isinf(grad).any()) else None
        if problem is None:
            continue
        origin = node.__dict__.get("created_at")
        where = (f"the op was created at {origin}" if origin is not None else
                 "the op was created before detect_anomaly() was entered, so where is unknown")
        raise RuntimeError(f"detect_anomaly: {node.name()} returned {problem} in the gradient for its "
                           f"{_ordinal(position + 1)} input; {where}")


class detect_anomaly(contextlib.ContextDecorator):
    """Inside the block (or the decorated function), raise at the first op whose backward returns NaN or Inf.

    As ``torch.autograd.detect_anomaly``: usable as ``with minigrad.detect_anomaly():`` and as a decorator
    ``@minigrad.detect_anomaly()``. The graph must be built inside the block for the error to say where each op
    was created; the check itself runs for any backward called inside it.
    """

    def __enter__(self):
        global _depth, _watching
        if _depth == 0:
            _watching = engine.observe(_AnomalyObserver())
        _depth += 1
        return self

    def __exit__(self, *exc):
        global _depth, _watching
        _depth -= 1
        if _depth == 0:
            _watching.remove()
            _watching = None
        return False
