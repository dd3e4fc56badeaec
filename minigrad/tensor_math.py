"""Tensor's math: arithmetic with broadcasting, comparisons, elementwise functions and reductions.

A mixin of ``Tensor`` (see tensor_base.py for why it is written apart): each method checks the user's arguments,
with errors that say what was expected and what was got, and calls a primitive op of ``ops/`` — or, for
composites such as ``mean`` or ``min``, other methods, so that they need no backward of their own.
"""

from __future__ import annotations

import collections
import math
import numbers

from . import backend, ops
from .checks import broadcast_shapes, check_dim, check_dims
from .tensor_base import TensorBase

MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])
SortResult = collections.namedtuple("sort", ["values", "indices"])


class Math(TensorBase):
    __slots__ = ()

    # --- arithmetic -------------------------------------------------------------------------------------
    def _binary(self, function, other, op: str, reflected=False):
        if not isinstance(other, TensorBase):
            other = operand(other, self, op)
        elif other._array.shape != self._array.shape:
            broadcast_shapes(self.shape, other.shape, op=op)
        return self._apply(function, other, self) if reflected else self._apply(function, self, other)

    def __add__(self, other):
        return self._binary(ops.Add, other, "add")

    def __radd__(self, other):
        return self._binary(ops.Add, other, "add", reflected=True)

    def __sub__(self, other):
        return self._binary(ops.Sub, other, "sub")

    def __rsub__(self, other):
        return self._binary(ops.Sub, other, "sub", reflected=True)

    def __mul__(self, other):
        return self._binary(ops.Mul, other, "mul")

    def __rmul__(self, other):
        return self._binary(ops.Mul, other, "mul", reflected=True)

    def __truediv__(self, other):
        return self._binary(ops.Div, other, "div")

    def __rtruediv__(self, other):
        return self._binary(ops.Div, other, "div", reflected=True)

    def __pow__(self, other):
        return self._binary(ops.Pow, other, "pow")

    def __rpow__(self, other):
        return self._binary(ops.Pow, other, "pow", reflected=True)

    def __neg__(self):
        return self._apply(ops.Neg, self)

    def __pos__(self):
        return self

    def matmul(self, other):
        """Matrix product with NumPy's rules: vectors, matrices, and broadcast batches of matrices."""
        other = operand(other, self, "matmul")
        if not isinstance(other, TensorBase):
            raise TypeError(f"matmul: expected the second operand to be a Tensor, got {type(other).__name__}")
        if self.ndim == 0 or other.ndim == 0:
            raise ValueError(f"matmul: expected tensors with at least one dimension, got shapes {self.shape} and "
                             f"{other.shape}")
        inner_a = self.shape[-1]
        inner_b = other.shape[0] if other.ndim == 1 else other.shape[-2]
        if inner_a != inner_b:
            raise ValueError(f"matmul: shapes {self.shape} and {other.shape} cannot be multiplied (expected "
                             f"a.shape[-1] == b.shape[{0 if other.ndim == 1 else -2}], got {inner_a} and {inner_b})")
        if self.ndim > 2 or other.ndim > 2:
            broadcast_shapes(self.shape[:-2], other.shape[:-2], op="matmul (batch dimensions)")
        return self._apply(ops.MatMul, self, other)

    __matmul__ = matmul

    def __rmatmul__(self, other):
        other = operand(other, self, "matmul")
        if not isinstance(other, TensorBase):
            raise TypeError(f"matmul: expected the first operand to be a Tensor, got {type(other).__name__}")
        return other.matmul(self)

    # --- comparisons and logic: boolean tensors, which carry no gradient --------------------------------
    def _compare(self, other, compare, op: str):
        other = operand(other, self, op)
        if isinstance(other, TensorBase):
            if other.device != self.device:
                raise RuntimeError(f"{op}: expected both tensors on the same device, got {self.device} "
                                   f"and {other.device}")
            broadcast_shapes(self.shape, other.shape, op=op)
            other = other._array
        return self._make(compare(self._array, other))

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b, "lt")

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b, "le")

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b, "gt")

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b, "ge")

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b, "eq")

    def __ne__(self, other):
        return self._compare(other, lambda a, b: a != b, "ne")

    def __and__(self, other):
        return self._compare(other, lambda a, b: a & b, "logical and")

    def __or__(self, other):
        return self._compare(other, lambda a, b: a | b, "logical or")

    def __invert__(self):
        return self._make(~self._array)

    def logical_not(self):
        return self._make(~self._array.astype(bool))

    def any(self):
        return self._make(self._array.any())

    def all(self):
        return self._make(self._array.all())

    # --- elementwise functions --------------------------------------------------------------------------
    def exp(self):
        return self._apply(ops.Exp, self)

    def log(self):
        return self._apply(ops.Log, self)

    def tanh(self):
        return self._apply(ops.Tanh, self)

    def sigmoid(self):
        return self._apply(ops.Sigmoid, self)

    def relu(self):
        return self._apply(ops.Relu, self)

    def sqrt(self):
        return self._apply(ops.Sqrt, self)

    def abs(self):
        return self._apply(ops.Abs, self)

    __abs__ = abs

    def clamp(self, min=None, max=None):
        """Limit values to [min, max]; the gradient is zero where a value was clipped."""
        if min is None and max is None:
            raise ValueError("clamp: expected at least one of min and max, got neither")
        return self._apply(ops.Clamp, self, min=min, max=max)

    clip = clamp

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other`` (torch's Tensor.where): see minigrad.where."""
        if not isinstance(condition, TensorBase) or condition.dtype != backend.bool_:
            raise TypeError(f"where: expected a boolean Tensor condition, got "
                            f"{condition.dtype if isinstance(condition, TensorBase) else type(condition).__name__}")
        other = operand(other, condition, "where")
        broadcast_shapes(*(t.shape for t in (condition, self, other) if isinstance(t, TensorBase)), op="where")
        return self._apply(ops.Where, condition, self, other)

    def masked_fill(self, mask, value):
        """Replace the elements where ``mask`` is True by ``value``; they receive no gradient."""
        if not isinstance(mask, TensorBase) or mask.dtype != backend.bool_:
            raise TypeError(f"masked_fill: expected a boolean Tensor mask, got "
                            f"{mask.dtype if isinstance(mask, TensorBase) else type(mask).__name__}")
        if broadcast_shapes(self.shape, mask.shape, op="masked_fill") != self.shape:
            raise ValueError(f"masked_fill: expected a mask broadcastable to {self.shape}, got shape {mask.shape}")
        return self._apply(ops.Where, mask, operand(value, mask, "masked_fill"), self)

    def softmax(self, dim):
        return self._apply(ops.Softmax, self, dim=check_dim(dim, self.ndim, "softmax"))

    def log_softmax(self, dim):
        return self._apply(ops.LogSoftmax, self, dim=check_dim(dim, self.ndim, "log_softmax"))

    def clone(self):
        """A copy of the values that stays in the graph (gradients flow back to self), as torch.clone."""
        return self._apply(ops.Clone, self)

    # --- reductions -------------------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False):
        return self._apply(ops.Sum, self, dim=check_dims(dim, self.ndim, "sum"), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False):
        dims = check_dims(dim, self.ndim, "mean")
        count = math.prod(self.shape[d] for d in dims) if dims is not None else self.numel()
        return self.sum(dims, keepdim) / count

    def max(self, dim=None, keepdim=False):
        """The maximum of all elements, or with ``dim`` a named tuple (values, indices) along it, as in torch."""
        if dim is None:
            return self._apply(ops.Max, self)
        d = check_dim(dim, self.ndim, "max")
        indices = self._array.argmax(axis=d, keepdims=True)
        values = self._apply(ops.Gather, self, indices, dim=d)
        if not keepdim:
            values, indices = values.squeeze(d), indices.squeeze(axis=d)
        return MaxResult(values, self._make(indices))

    def min(self, dim=None, keepdim=False):
        """The minimum; with ``dim``, (values, indices) along it. It is -max(-x)."""
        if dim is None:
            return -(-self).max()
        values, indices = (-self).max(dim, keepdim)
        return MinResult(-values, indices)

    def amax(self, dim=None, keepdim=False):
        """The maximum over one or more dims; tied maxima share the gradient equally."""
        return self._apply(ops.Max, self, dim=check_dims(dim, self.ndim, "amax"), keepdim=keepdim)

    def argmax(self, dim=None, keepdim=False):
        axis = None if dim is None else check_dim(dim, self.ndim, "argmax")
        return self._make(self._array.argmax(axis=axis, keepdims=keepdim))

    def argmin(self, dim=None, keepdim=False):
        axis = None if dim is None else check_dim(dim, self.ndim, "argmin")
        return self._make(self._array.argmin(axis=axis, keepdims=keepdim))

    def sort(self, dim=-1, descending=False):
        """(values, indices) sorted along ``dim``; equal values keep their order (a stable sort)."""
        d = check_dim(dim, self.ndim, "sort")
        xp = self.device.xp
        indices = xp.argsort(-self._array if descending else self._array, axis=d, kind="stable")
        return SortResult(self._apply(ops.Gather, self, indices, dim=d), self._make(indices))


# --- operands --------------------------------------------------------------------------------------------------
def operand(value, like, op: str):
    """The other operand of a binary op: a Tensor, a Python number (kept as a scalar), or an array of the
    same device (wrapped). Anything else is refused, as torch refuses lists."""
    if isinstance(value, TensorBase) or type(value) is float or type(value) is int:
        return value  # the common cases first: this runs for every arithmetic op
    if isinstance(value, numbers.Number):
        return value.item() if hasattr(value, "item") else value  # NumPy scalars would force their dtype
    if backend.is_array(value):
        if backend.device_of(value) != like.device:
            raise RuntimeError(f"{op}: expected an array on device {like.device}, got one on "
                               f"{backend.device_of(value)}")
        return like._make(value)
    raise TypeError(f"{op}: expected a Tensor or a number, got {type(value).__name__}")


def operand_array(value, like, op: str):
    """``operand``'s value as something to write into ``like``'s array: an array of like's dtype, or a number."""
    value = operand(value, like, op)
    return value._array.astype(like.dtype, copy=False) if isinstance(value, TensorBase) else value


def check_tensor(value, op: str, name: str = "input"):
    """``value`` if it is a Tensor, else a TypeError naming the op and the argument."""
    if not isinstance(value, TensorBase):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(value).__name__}")
    return value
