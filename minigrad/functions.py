"""Functions of tensors that are not simply a Tensor method: those of several tensors (cat, stack, where, einsum,
meshgrid, ...) and the operators whose first operand may be a number. The function forms of the methods
(``minigrad.exp(x)`` is ``x.exp()``) are in math_forms.py and shape_forms.py.
"""

from __future__ import annotations

import builtins  # (this module defines all, any, sum, max, min and abs as torch's functions)

from . import backend, ops
from .checks import broadcast_shapes, check_dim, check_tensor, type_name
from .tensor import Tensor, apply
from .tensor_math import operand


def matmul(input, other):
    """Matrix product with NumPy's rules: vectors, matrices, and broadcast batches of matrices."""
    return check_tensor(input, "matmul", "the first operand").matmul(other)


def where(condition, input, other):
    """Elementwise ``input if condition else other``; each side gets the gradient where it was chosen."""
    if not isinstance(condition, Tensor) or condition.dtype != backend.bool_:
        raise TypeError(f"where: expected a boolean Tensor condition, got "
                        f"{condition.dtype if isinstance(condition, Tensor) else type(condition).__name__}")
    input, other = operand(input, condition, "where"), operand(other, condition, "where")
    broadcast_shapes(*(t.shape for t in (condition, input, other) if isinstance(t, Tensor)), op="where")
    return apply(ops.Where, condition, input, other)


def broadcast_tensors(*tensors):
    """The tensors expanded to the shape they broadcast to, as views (a tensor already of that shape comes back as
    it is, as in torch)."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type_name(t)}")
    if not tensors:
        return ()
    shape = broadcast_shapes(*(t.shape for t in tensors), op="broadcast_tensors")
    return tuple(t if t.shape == shape else t.expand(shape) for t in tensors)


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors, (B, n, m) @ (B, m, p) → (B, n, p), as torch.bmm (no
    broadcasting)."""
    check_tensor(input, "bmm")
    check_tensor(mat2, "bmm", "mat2")
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, got shapes {input.shape} and {mat2.shape}")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: expected the same batch size, got {input.shape[0]} and {mat2.shape[0]}")
    return input.matmul(mat2)


def einsum(equation, *operands):
    """Sums of products over named indices, NumPy's and torch's einsum: ``einsum("bij,bjk->bik", a, b)`` is a
    batched matmul. Differentiable in every operand (the gradient is another einsum)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum: expected the equation as a string, got {type(equation).__name__}")
    for each in operands:
        check_tensor(each, "einsum", "every operand")
    return apply(ops.Einsum, *_in_one_dtype(list(operands)), equation=equation)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-d tensors: with indexing 'ij' the i-th output varies along dim i; 'xy' (NumPy's
    default) swaps the grids' first two dims, so the first tensor varies along the columns."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"meshgrid: expected indexing 'ij' or 'xy', got {indexing!r}")
    for t in tensors:
        if check_tensor(t, "meshgrid", "every tensor").ndim > 1:
            raise RuntimeError(f"meshgrid: expected 0-d or 1-d tensors, got shape {t.shape}")
    vectors = [t.reshape(-1) for t in tensors]
    shape = tuple(v.shape[0] for v in vectors)
    grids = [v.reshape(tuple(-1 if axis == i else 1 for axis in range(len(vectors)))).expand(shape)
             for i, v in enumerate(vectors)]
    if indexing == "xy" and len(grids) >= 2:  # the 'ij' grids with their first two dims swapped
        grids = [g.transpose(0, 1) for g in grids]
    return tuple(grids)


def _tensor_list(tensors, op: str) -> list:
    """The tensors of cat's and stack's first argument, a sequence of Tensors, checked as torch checks them (an
    element from NumPy or torch is named with its module: "got torch.Tensor", not a "Tensor" that reads as ours)."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensor as element {i} in argument 0, but got {type_name(t)}")
    return tensors


def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing dimension."""
    dim = dim if axis is None else axis
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors, got an empty one")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat: zero-dimensional tensor (at position {i}) cannot be concatenated")
    first = tensors[0]
    d = check_dim(dim, first.ndim, "cat")
    for t in tensors[1:]:
        if t.ndim != first.ndim or t.shape[:d] + t.shape[d + 1:] != first.shape[:d] + first.shape[d + 1:]:
            raise RuntimeError(f"cat: expected all tensors to match shape {first.shape} except in dim {d}, "
                               f"got {t.shape}")
    return apply(ops.Cat, *_in_one_dtype(tensors), dim=d)


def stack(tensors, dim=0, *, axis=None):
    """Join tensors of one shape along a new dimension."""
    dim = dim if axis is None else axis
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList, got an empty one")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack: expected all tensors to have shape {tensors[0].shape}, got {t.shape}")
    d = check_dim(dim, tensors[0].ndim, "stack", extra=1)
    return apply(ops.Stack, *_in_one_dtype(tensors), dim=d)


def _in_one_dtype(tensors: list) -> list:
    """Tensors to be joined, cast to the dtype they promote to (torch's rule: all count as tensors)."""
    first = tensors[0].dtype
    if builtins.all(t.dtype == first for t in tensors):
        return tensors
    dtype = backend.result_type([t.dtype for t in tensors])
    return [t.to(dtype) for t in tensors]


# --- functions of several tensors, and those that take a number first ----------------------------------------
concat = concatenate = cat  # (torch's aliases)


def tensordot(a, b, dims=2):
    """Σ over paired dims of a and b, as torch.tensordot: ``dims`` an int n (the last n dims of a with the first n
    of b), a pair of lists of dims (a's, b's), or a tensor holding either."""
    return check_tensor(a, "tensordot", "a")._tensordot(check_tensor(b, "tensordot", "b"), dims)


def hstack(tensors):
    """Join along the columns: 1-d tensors (and 0-d, as 1-d) end to end, others along dim 1."""
    tensors = [t.reshape(1) if t.ndim == 0 else t for t in _non_empty(tensors, "hstack")]
    return cat(tensors, 0 if builtins.all(t.ndim == 1 for t in tensors) else 1)


def vstack(tensors):
    """Join along the rows, dim 0: a 1-d (or 0-d) tensor is one row."""
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in _non_empty(tensors, "vstack")], 0)


def column_stack(tensors):
    """Join as columns, along dim 1: a 1-d (or 0-d) tensor is one column."""
    return cat([t.reshape(-1, 1) if t.ndim < 2 else t for t in _non_empty(tensors, "column_stack")], 1)


def _non_empty(tensors, op: str) -> list:
    tensors = _tensor_list(tensors, op)
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return tensors


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over ``dim``, as torch.var_mean (``var_mean(x, False)`` passes unbiased, as torch's overload)."""
    return _spread_mean(input, dim, unbiased, keepdim, correction, "var")


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over ``dim``, as torch.std_mean."""
    return _spread_mean(input, dim, unbiased, keepdim, correction, "std")


def _spread_mean(input, dim, unbiased, keepdim, correction, spread: str) -> tuple:
    check_tensor(input, f"{spread}_mean")
    if isinstance(dim, bool):  # torch's overload (input, unbiased)
        dim, unbiased = None, dim
    return getattr(input, spread)(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim)


def is_tensor(obj):
    """Whether ``obj`` is a minigrad Tensor."""
    return isinstance(obj, Tensor)
# --- binary operators whose first operand may be a number (torch.remainder(2, x)), though not both -----------
def remainder(input, other):
    """input % other, with the sign of other (Python's remainder), as torch.remainder."""
    _check_one_is_a_tensor("remainder", input, other, "other")
    return input % other


def floor_divide(input, other):
    """input // other, the quotient rounded down, as torch.floor_divide."""
    _check_one_is_a_tensor("floor_divide", input, other, "other")
    return input // other


def true_divide(input, other):
    """input / other, as torch.true_divide (torch.div's other name)."""
    _check_one_is_a_tensor("true_divide", input, other, "other")
    return input / other


def pow(input, exponent):
    """input ** exponent, as torch.pow."""
    _check_one_is_a_tensor("pow", input, exponent, "exponent")
    return input ** exponent


def _check_one_is_a_tensor(op: str, input, other, name: str) -> None:
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{op}: expected input or {name} to be a Tensor, got {type_name(input)} and "
                        f"{type_name(other)}")
