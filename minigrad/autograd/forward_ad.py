"""Forward-mode automatic differentiation, as torch.autograd.forward_ad: dual tensors.

    with forward_ad.dual_level():
        x = forward_ad.make_dual(primal, tangent)     # x carries dx = tangent
        y = f(x)                                      # every op pushes the tangent forward: dy = J_f · dx
        value, dy = forward_ad.unpack_dual(y)

Reverse mode (backward) computes vᵀJ for one output direction v in one sweep, after the forward pass; forward mode
computes J·v for one input direction v *during* the forward pass, with no graph to keep. Each op's ``jvp`` sits
beside its ``forward`` and ``backward``; it runs on tensors (differentiable.py), so forward mode composes with
reverse mode (a gradient of a jvp, a jvp of a gradient) and with itself (nested levels).
"""

from __future__ import annotations

import collections

from .. import backend, dual, engine
from ..tensor import Tensor
from .differentiable import TENSOR_VALUES

UnpackedDualTensor = collections.namedtuple("UnpackedDualTensor", ["primal", "tangent"])


class dual_level:
    """A block in which dual tensors can be made: each open block is one level of forward mode (nested blocks
    differentiate what the inner ones compute). Leaving the block forgets the tangents of its level."""

    def __enter__(self):
        self.level = dual.open_level()
        return self.level

    def __exit__(self, *exc):
        dual.close_level(self.level)
        return False


def _level(level) -> int:
    if not dual.levels:
        raise RuntimeError("forward AD: expected to be inside a `with forward_ad.dual_level():` block")
    level = len(dual.levels) - 1 if level is None else level
    if not 0 <= level < len(dual.levels):
        raise RuntimeError(f"forward AD: level {level} is not open (open levels: 0 to {len(dual.levels) - 1})")
    return level


def make_dual(tensor: Tensor, tangent: Tensor, *, level=None) -> Tensor:
    """A tensor with ``tensor``'s values (a view of it) that carries ``tangent`` at the level (the innermost)."""
    level = _level(level)
    if not isinstance(tensor, Tensor) or not isinstance(tangent, Tensor):
        raise TypeError(f"make_dual: expected two Tensors, got {type(tensor).__name__} and "
                        f"{type(tangent).__name__}")
    if tangent.shape != tensor.shape:
        raise RuntimeError(f"make_dual: expected a tangent of the primal's shape {tensor.shape}, got "
                           f"{tangent.shape}")
    if tangent.dtype != tensor.dtype or tensor.dtype.kind != "f":
        raise RuntimeError(f"make_dual: expected a floating primal and a tangent of its dtype, got {tensor.dtype} "
                           f"and {tangent.dtype}")
    if tangent.device != tensor.device:
        raise RuntimeError(f"make_dual: expected the tangent on device {tensor.device}, got {tangent.device}")
    tensor._check_no_overlap("make_dual")  # (torch writes the tangent into the primal's storage layout)
    result = _view(tensor, level)
    dual.levels[level][result] = tangent
    return result


def unpack_dual(tensor: Tensor, *, level=None) -> UnpackedDualTensor:
    """(primal, tangent): the values (a view, without the tangent) and the tangent at the level (None if none)."""
    if not dual.levels:
        return UnpackedDualTensor(tensor, None)
    level = _level(level)
    return UnpackedDualTensor(_view(tensor, level), dual.levels[level].get(tensor))


def _view(tensor: Tensor, level: int) -> Tensor:
    """A new tensor that is a view of ``tensor`` (in the graph too), without its tangent at ``level``."""
    dual.hidden.add(level)
    try:
        return tensor[...]
    finally:
        dual.hidden.discard(level)


def push_tangents(function, ctx, inputs, arrays, outputs) -> None:
    """The forward-mode step of ``apply``: for every open level at which an input has a tangent, the op's jvp
    gives the outputs' tangents. The formula runs on tensors, with that level hidden from the ops it calls.

    The node also notes the tangents of what it saved, so that differentiating its backward later (a jvp of a
    gradient: forward over reverse) sees the saved values as the dual tensors they were."""
    sources = None
    for index, level in enumerate(dual.levels):
        if index in dual.hidden:
            continue
        tangents = [level.get(x) if isinstance(x, Tensor) else None for x in inputs]
        if all(t is None for t in tangents):
            continue
        if function.jvp is engine.Function.jvp:
            raise NotImplementedError(f"{function.__name__}: this op has no jvp (forward-mode derivative); write "
                                      "jvp(ctx, *tangents) beside its backward to use it in forward mode")
        sources = _saved_as_tensors(ctx, inputs, arrays, outputs)
        ctx._values = TENSOR_VALUES
        ctx._saved_for_jvp = sources
        dual.hidden.add(index)
        try:
            pushed = function.jvp(ctx, *tangents)
        finally:
            dual.hidden.discard(index)
            del ctx._values, ctx._saved_for_jvp
        for output, tangent in zip(outputs, pushed if isinstance(pushed, tuple) else (pushed,)):
            if tangent is None or output.dtype.kind != "f":
                continue
            if not isinstance(tangent, Tensor):  # a constant derivative (0) times the tangent
                tangent = output.new_full(output.shape, tangent)
            if tangent.shape != output.shape:
                tangent = tangent.expand(output.shape)
            level[output] = tangent.to(output.dtype)
    if sources is not None:
        ctx._saved_tangents = {position: [(level, level.get(source)) for level in dual.levels
                                          if level.get(source) is not None]
                               for position, source in enumerate(sources) if isinstance(source, Tensor)}


def _saved_as_tensors(ctx, inputs, arrays, outputs) -> tuple:
    """What forward saved, as the tensors it came from: the very inputs and outputs, and constants as tensors."""
    result = []
    for value in ctx._saved:
        if not backend.is_array(value):
            result.append(value)
            continue
        found = next((x for x, a in zip(inputs, arrays) if a is value and isinstance(x, Tensor)), None)
        if found is None:
            found = next((o for o in outputs if o._array is value), None)
        if found is None:
            if value.dtype.kind == "f":
                raise RuntimeError(f"{type(ctx).__name__} has no forward-mode derivative here: its jvp needs a value "
                                   "it computed for itself")
            found = Tensor._make(value)
        result.append(found)
    return tuple(result)


__all__ = ["dual_level", "make_dual", "unpack_dual", "UnpackedDualTensor"]
