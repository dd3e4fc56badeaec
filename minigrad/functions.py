"""Functions of tensors: torch's function forms (``minigrad.exp(x)``, ``minigrad.cat([...])``).

Most are the Tensor method of the same name; those that take several tensors (cat, stack, where) are written here.
"""

from __future__ import annotations

import builtins  # (this module defines all, any, sum, max, min and abs as torch's functions)

from . import backend, ops
from .checks import broadcast_shapes, check_dim, check_tensor, type_name
from .tensor import Tensor, apply
from .tensor_math import deprecated_alpha_first, operand


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


# --- the function forms of Tensor methods ------------------------------------------------------------------
def add(input, other, *alpha_first, alpha=1):
    """input + alpha·other, as torch.add (with its deprecated ``add(input, alpha, other)``)."""
    other, alpha = deprecated_alpha_first("add", other, alpha_first, alpha)
    return check_tensor(input, "add").add(other, alpha=alpha)


def sub(input, other, *alpha_first, alpha=1):
    """input - alpha·other, as torch.sub (with its deprecated ``sub(input, alpha, other)``)."""
    other, alpha = deprecated_alpha_first("sub", other, alpha_first, alpha)
    return check_tensor(input, "sub").sub(other, alpha=alpha)


def mul(input, other):
    """``minigrad.mul(x, ...)`` is ``x.mul(...)``."""
    return check_tensor(input, "mul").mul(other)


def div(input, other, *, rounding_mode=None):
    """``minigrad.div(x, ...)`` is ``x.div(...)``."""
    return check_tensor(input, "div").div(other, rounding_mode=rounding_mode)


def _comparison(name: str):
    """The function form of a comparison: ``minigrad.eq(x, y)`` is ``x.eq(y)``, a boolean tensor."""
    def compare(input, other):
        return getattr(check_tensor(input, name), name)(other)

    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"``minigrad.{name}(x, y)`` is ``x.{name}(y)``: a boolean tensor, elementwise."
    return compare


eq, ne, lt, le, gt, ge = (_comparison(name) for name in ("eq", "ne", "lt", "le", "gt", "ge"))


def masked_select(input, mask):
    """``minigrad.masked_select(x, ...)`` is ``x.masked_select(...)``."""
    return check_tensor(input, "masked_select").masked_select(mask)


def scatter(input, dim, index, src=None, *, value=None):
    """``minigrad.scatter(x, ...)`` is ``x.scatter(...)``."""
    return check_tensor(input, "scatter").scatter(dim, index, src, value=value)


def scatter_add(input, dim, index, src):
    """``minigrad.scatter_add(x, ...)`` is ``x.scatter_add(...)``."""
    return check_tensor(input, "scatter_add").scatter_add(dim, index, src)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``minigrad.allclose(x, ...)`` is ``x.allclose(...)``."""
    return check_tensor(input, "allclose").allclose(other, rtol, atol, equal_nan)


def equal(input, other):
    """``minigrad.equal(x, ...)`` is ``x.equal(...)``."""
    return check_tensor(input, "equal").equal(other)


def exp(input):
    """``minigrad.exp(x, ...)`` is ``x.exp(...)``."""
    return check_tensor(input, "exp").exp()


def log(input):
    """``minigrad.log(x, ...)`` is ``x.log(...)``."""
    return check_tensor(input, "log").log()


def tanh(input):
    """``minigrad.tanh(x, ...)`` is ``x.tanh(...)``."""
    return check_tensor(input, "tanh").tanh()


def sigmoid(input):
    """``minigrad.sigmoid(x, ...)`` is ``x.sigmoid(...)``."""
    return check_tensor(input, "sigmoid").sigmoid()


def relu(input):
    """``minigrad.relu(x, ...)`` is ``x.relu(...)``."""
    return check_tensor(input, "relu").relu()


def sqrt(input):
    """``minigrad.sqrt(x, ...)`` is ``x.sqrt(...)``."""
    return check_tensor(input, "sqrt").sqrt()


def abs(input):
    """``minigrad.abs(x, ...)`` is ``x.abs(...)``."""
    return check_tensor(input, "abs").abs()


def clamp(input, min=None, max=None):
    """``minigrad.clamp(x, ...)`` is ``x.clamp(...)``."""
    return check_tensor(input, "clamp").clamp(min, max)


def softmax(input, dim):
    """``minigrad.softmax(x, ...)`` is ``x.softmax(...)``."""
    return check_tensor(input, "softmax").softmax(dim)


def log_softmax(input, dim):
    """``minigrad.log_softmax(x, ...)`` is ``x.log_softmax(...)``."""
    return check_tensor(input, "log_softmax").log_softmax(dim)


def gather(input, dim, index):
    """``minigrad.gather(x, ...)`` is ``x.gather(...)``."""
    return check_tensor(input, "gather").gather(dim, index)


def flatten(input, start_dim=0, end_dim=-1):
    """``minigrad.flatten(x, ...)`` is ``x.flatten(...)``."""
    return check_tensor(input, "flatten").flatten(start_dim, end_dim)


def transpose(input, dim0, dim1):
    """``minigrad.transpose(x, ...)`` is ``x.transpose(...)``."""
    return check_tensor(input, "transpose").transpose(dim0, dim1)


def permute(input, dims):
    """``minigrad.permute(x, ...)`` is ``x.permute(...)``."""
    return check_tensor(input, "permute").permute(dims)


def reshape(input, shape):
    """``minigrad.reshape(x, ...)`` is ``x.reshape(...)``."""
    return check_tensor(input, "reshape").reshape(shape)


def squeeze(input, dim=None):
    """``minigrad.squeeze(x, ...)`` is ``x.squeeze(...)``."""
    return check_tensor(input, "squeeze").squeeze(dim)


def unsqueeze(input, dim):
    """``minigrad.unsqueeze(x, ...)`` is ``x.unsqueeze(...)``."""
    return check_tensor(input, "unsqueeze").unsqueeze(dim)


def chunk(input, chunks, dim=0):
    """``minigrad.chunk(x, ...)`` is ``x.chunk(...)``."""
    return check_tensor(input, "chunk").chunk(chunks, dim)


def split(tensor, split_size_or_sections, dim=0):
    """``minigrad.split(x, ...)`` is ``x.split(...)``."""
    return check_tensor(tensor, "split").split(split_size_or_sections, dim)


def masked_fill(input, mask, value):
    """``minigrad.masked_fill(x, ...)`` is ``x.masked_fill(...)``."""
    return check_tensor(input, "masked_fill").masked_fill(mask, value)


def argmax(input, dim=None, keepdim=False):
    """``minigrad.argmax(x, ...)`` is ``x.argmax(...)``."""
    return check_tensor(input, "argmax").argmax(dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """``minigrad.argmin(x, ...)`` is ``x.argmin(...)``."""
    return check_tensor(input, "argmin").argmin(dim, keepdim)


def amax(input, dim=None, keepdim=False):
    """``minigrad.amax(x, ...)`` is ``x.amax(...)``."""
    return check_tensor(input, "amax").amax(dim, keepdim)


def unbind(input, dim=0):
    """``minigrad.unbind(x, ...)`` is ``x.unbind(...)``."""
    return check_tensor(input, "unbind").unbind(dim)


def sort(input, dim=-1, descending=False):
    """``minigrad.sort(x, ...)`` is ``x.sort(...)``."""
    return check_tensor(input, "sort").sort(dim, descending)


def flip(input, dims):
    """``minigrad.flip(x, ...)`` is ``x.flip(...)``."""
    return check_tensor(input, "flip").flip(dims)


def clone(input):
    """``minigrad.clone(x, ...)`` is ``x.clone(...)``."""
    return check_tensor(input, "clone").clone()


def prod(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.prod(x, ...)`` is ``x.prod(...)``."""
    return check_tensor(input, "prod").prod(dim, keepdim, **kwargs)


def sum(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.sum(x, ...)`` is ``x.sum(...)``."""
    return check_tensor(input, "sum").sum(dim, keepdim, **kwargs)


def mean(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.mean(x, ...)`` is ``x.mean(...)``."""
    return check_tensor(input, "mean").mean(dim, keepdim, **kwargs)


def max(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.max(x, ...)`` is ``x.max(...)``."""
    return check_tensor(input, "max").max(dim, keepdim, **kwargs)


def min(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.min(x, ...)`` is ``x.min(...)``."""
    return check_tensor(input, "min").min(dim, keepdim, **kwargs)


def std(input, dim=None, unbiased=None, keepdim=False, **kwargs):
    """``minigrad.std(x, ...)`` is ``x.std(...)``."""
    return check_tensor(input, "std").std(dim, unbiased, keepdim, **kwargs)


def var(input, dim=None, unbiased=None, keepdim=False, **kwargs):
    """``minigrad.var(x, ...)`` is ``x.var(...)``."""
    return check_tensor(input, "var").var(dim, unbiased, keepdim, **kwargs)


def logsumexp(input, dim, keepdim=False):
    """``minigrad.logsumexp(x, ...)`` is ``x.logsumexp(...)``."""
    return check_tensor(input, "logsumexp").logsumexp(dim, keepdim)


def cumsum(input, dim, **kwargs):
    """``minigrad.cumsum(x, ...)`` is ``x.cumsum(...)``."""
    return check_tensor(input, "cumsum").cumsum(dim, **kwargs)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """``minigrad.topk(x, ...)`` is ``x.topk(...)``."""
    return check_tensor(input, "topk").topk(k, dim, largest, sorted)


def argsort(input, dim=-1, descending=False, stable=False):
    """``minigrad.argsort(x, ...)`` is ``x.argsort(...)``."""
    return check_tensor(input, "argsort").argsort(dim, descending, stable)


def any(input, dim=None, keepdim=False):
    """``minigrad.any(x, ...)`` is ``x.any(...)``."""
    return check_tensor(input, "any").any(dim, keepdim)


def all(input, dim=None, keepdim=False):
    """``minigrad.all(x, ...)`` is ``x.all(...)``."""
    return check_tensor(input, "all").all(dim, keepdim)


def isnan(input):
    """``minigrad.isnan(x, ...)`` is ``x.isnan(...)``."""
    return check_tensor(input, "isnan").isnan()


def isinf(input):
    """``minigrad.isinf(x, ...)`` is ``x.isinf(...)``."""
    return check_tensor(input, "isinf").isinf()


def isfinite(input):
    """``minigrad.isfinite(x, ...)`` is ``x.isfinite(...)``."""
    return check_tensor(input, "isfinite").isfinite()


def maximum(input, other):
    """``minigrad.maximum(x, ...)`` is ``x.maximum(...)``."""
    return check_tensor(input, "maximum").maximum(other)


def minimum(input, other):
    """``minigrad.minimum(x, ...)`` is ``x.minimum(...)``."""
    return check_tensor(input, "minimum").minimum(other)


def sin(input):
    """``minigrad.sin(x, ...)`` is ``x.sin(...)``."""
    return check_tensor(input, "sin").sin()


def cos(input):
    """``minigrad.cos(x, ...)`` is ``x.cos(...)``."""
    return check_tensor(input, "cos").cos()


def sinh(input):
    """``minigrad.sinh(x, ...)`` is ``x.sinh(...)``."""
    return check_tensor(input, "sinh").sinh()


def cosh(input):
    """``minigrad.cosh(x, ...)`` is ``x.cosh(...)``."""
    return check_tensor(input, "cosh").cosh()


def erf(input):
    """``minigrad.erf(x, ...)`` is ``x.erf(...)``."""
    return check_tensor(input, "erf").erf()


def log1p(input):
    """``minigrad.log1p(x, ...)`` is ``x.log1p(...)``."""
    return check_tensor(input, "log1p").log1p()


def tril(input, diagonal=0):
    """``minigrad.tril(x, ...)`` is ``x.tril(...)``."""
    return check_tensor(input, "tril").tril(diagonal)


def triu(input, diagonal=0):
    """``minigrad.triu(x, ...)`` is ``x.triu(...)``."""
    return check_tensor(input, "triu").triu(diagonal)


def repeat_interleave(input, repeats, dim=None):
    """``minigrad.repeat_interleave(x, ...)`` is ``x.repeat_interleave(...)``."""
    return check_tensor(input, "repeat_interleave").repeat_interleave(repeats, dim)


def narrow(input, dim, start, length):
    """``minigrad.narrow(x, ...)`` is ``x.narrow(...)``."""
    return check_tensor(input, "narrow").narrow(dim, start, length)


def index_select(input, dim, index):
    """``minigrad.index_select(x, ...)`` is ``x.index_select(...)``."""
    return check_tensor(input, "index_select").index_select(dim, index)


def t(input):
    """``minigrad.t(x, ...)`` is ``x.t(...)``."""
    return check_tensor(input, "t").t()


def swapaxes(input, axis0, axis1):
    """``minigrad.swapaxes(x, ...)`` is ``x.swapaxes(...)``."""
    return check_tensor(input, "swapaxes").swapaxes(axis0, axis1)


def numel(input):
    """``minigrad.numel(x, ...)`` is ``x.numel(...)``."""
    return check_tensor(input, "numel").numel()


def diagonal(input, offset=0, dim1=0, dim2=1):
    """``minigrad.diagonal(x, ...)`` is ``x.diagonal(...)``."""
    return check_tensor(input, "diagonal").diagonal(offset, dim1, dim2)


def select(input, dim, index):
    """``minigrad.select(x, ...)`` is ``x.select(...)``."""
    return check_tensor(input, "select").select(dim, index)


def movedim(input, source, destination):
    """``minigrad.movedim(x, ...)`` is ``x.movedim(...)``."""
    return check_tensor(input, "movedim").movedim(source, destination)


def moveaxis(input, source, destination):
    """``minigrad.moveaxis(x, ...)`` is ``x.moveaxis(...)``."""
    return check_tensor(input, "moveaxis").moveaxis(source, destination)


def roll(input, shifts, dims=None):
    """``minigrad.roll(x, ...)`` is ``x.roll(...)``."""
    return check_tensor(input, "roll").roll(shifts, dims)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``minigrad.norm(x, ...)`` is ``x.norm(...)``."""
    return check_tensor(input, "norm").norm(p, dim, keepdim, dtype)



# --- shapes and linear algebra (surf-shape) ------------------------------------------------------------------
def _method_form(name: str):
    """torch's function form of a Tensor method: ``minigrad.<name>(x, ...)`` is ``x.<name>(...)`` (the method's
    argument names serve as keywords, torch's own)."""
    def function(input, *args, **kwargs):
        return getattr(check_tensor(input, name), name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``minigrad.{name}(x, ...)`` is ``x.{name}(...)``."
    return function


(addmm, addmv, amin, argwhere, baddbmm, broadcast_to, count_nonzero, cumprod, diag, diag_embed, diff, dot,
 index_add, index_copy, inner, is_floating_point, kron, masked_scatter, median, mm, mv, nanmean, nonzero, outer,
 take, tile, unique) = map(_method_form, (
    "addmm", "addmv", "amin", "argwhere", "baddbmm", "broadcast_to", "count_nonzero", "cumprod", "diag",
    "diag_embed", "diff", "dot", "index_add", "index_copy", "inner", "is_floating_point", "kron", "masked_scatter",
    "median", "mm", "mv", "nanmean", "nonzero", "outer", "take", "tile", "unique"))
ger = outer
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


# --- elementwise math (surf-math) ------------------------------------------------------------------------------
(neg, negative, sign, round, floor, ceil, trunc, frac, square, reciprocal, rsqrt, absolute, tan, atan, arctan, asin,
 arcsin, acos, arccos, atan2, arctan2, expm1, log2, log10, logaddexp, fmod, lerp, addcmul, addcdiv, clamp_min,
 clamp_max, clip, nan_to_num, logical_and, logical_or, logical_xor, logical_not, isclose) = map(_method_form, (
    "neg", "negative", "sign", "round", "floor", "ceil", "trunc", "frac", "square", "reciprocal", "rsqrt", "absolute",
    "tan", "atan", "arctan", "asin", "arcsin", "acos", "arccos", "atan2", "arctan2", "expm1", "log2", "log10",
    "logaddexp", "fmod", "lerp", "addcmul", "addcdiv", "clamp_min", "clamp_max", "clip", "nan_to_num", "logical_and",
    "logical_or", "logical_xor", "logical_not", "isclose"))


def _operator_form(name: str, compute):
    """The function form of a binary operator whose first operand may be a number (torch.remainder(2, x)), not both."""
    def function(input, other):
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise TypeError(f"{name}: expected input or other to be a Tensor, got {type_name(input)} and "
                            f"{type_name(other)}")
        return compute(input, other)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``minigrad.{name}(x, y)`` is ``x.{name}(y)``; x may be a number when y is a Tensor."
    return function


remainder = _operator_form("remainder", lambda a, b: a % b)
floor_divide = _operator_form("floor_divide", lambda a, b: a // b)
true_divide = _operator_form("true_divide", lambda a, b: a / b)


def pow(input, exponent):
    """input ** exponent, where either may be a number (not both), as torch.pow."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError(f"pow: expected input or exponent to be a Tensor, got {type_name(input)} and "
                        f"{type_name(exponent)}")
    return input ** exponent
