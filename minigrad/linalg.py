"""torch.linalg's norms: vector norms (the p-norms of a tensor's elements) and the matrix norms that need no
singular values.

Each is composed from differentiable ops, so its gradient comes free. Where a formula's slope is infinite at 0
(the square root of Σx² when every x is 0, |x|^p for p < 1), the composition would give nan; there the
gradient is torch's subgradient, 0, by ``_at_nonzero`` below.
"""

from __future__ import annotations

import math

from . import backend, ops
from .checks import check_dim, check_dims, check_tensor, is_int, is_number, type_name
from .functions import where
from .tensor import apply

__all__ = ["matrix_norm", "norm", "vector_norm"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """(Σ|x|^ord)^(1/ord) over ``dim`` (every dim when None): ord 2 is the length, 1 the sum of magnitudes, inf the
    largest magnitude, -inf the smallest, 0 the number of nonzero elements. ``dtype``: compute in that dtype."""
    op = "linalg.vector_norm"
    x = _floating(x, dtype, op)
    if not is_number(ord):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type_name(ord)}")
    dims = check_dims(dim, max(x.ndim, 1), op) or None  # (a 0-d tensor has the one dim 0; dim=() means every dim)
    if x.ndim == 0:
        dims = None
    reduced = [x.shape[d] for d in dims] if dims is not None else [x.numel()]
    if (ord < 0 or ord == math.inf) and 0 in reduced:
        raise RuntimeError(f"{op} cannot compute the {ord} norm over an empty dimension (or an empty tensor): the "
                           "operation does not have an identity")
    magnitude = x.abs()
    if ord == math.inf:  # a NaN counts as the largest, as in torch, and gets the gradient
        return apply(ops.Max, magnitude, dim=dims, keepdim=keepdim, nan_is_max=True)
    if ord == -math.inf:
        return -apply(ops.Max, -magnitude, dim=dims, keepdim=keepdim, nan_is_max=True)
    if ord == 0:  # the count of nonzero elements: torch's is in the graph and passes no gradient back, and so is
        # a sum over none of x's elements (0), added to it (x.grad gets zeros, where torch's stays None)
        return (x != 0).to(x.dtype).sum(dims, keepdim) + x.reshape(-1)[:0].sum()
    if ord == 1:
        return magnitude.sum(dims, keepdim)
    if ord == 2:
        return _at_nonzero((x * x).sum(dims, keepdim), lambda total: total.sqrt(), 0.0)
    if ord > 1:
        return _at_nonzero((magnitude ** ord).sum(dims, keepdim), lambda total: total ** (1 / ord), 0.0)
    # 0 < ord < 1 and ord < 0: |x|^ord has an infinite slope at 0 (and is inf there when ord < 0)
    powers = _at_nonzero(magnitude, lambda m: m ** ord, 0.0 if ord > 0 else math.inf)
    return powers.sum(dims, keepdim) ** (1 / ord)


def _at_nonzero(x, function, at_zero: float):
    """``function(x)`` where x is nonzero, and the constant ``at_zero`` where it is 0, with no gradient through the
    zeros: function is applied to 1 there instead, so that its infinite slope at 0 never meets the zero slope of
    what came before (inf·0 would make the whole gradient nan)."""
    zero = x == 0
    return where(zero, at_zero, function(where(zero, 1.0, x)))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """A norm of the matrices over the two dims ``dim``: 'fro' (the 2-norm of all elements), 1 and -1 (the largest
    and smallest column sum of magnitudes), inf and -inf (the same for rows). The norms that need singular values
    ('nuc', 2, -2) are refused: minigrad has no SVD."""
    op = "linalg.matrix_norm"
    A = _floating(A, dtype, op)
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dims) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    rows, columns = (check_dim(d, A.ndim, op) for d in dims)
    if rows == columns:
        raise RuntimeError(f"{op}: dims must be different. Got ({dims[0]}, {dims[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (rows, columns), keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"{op}: ord {ord!r} needs the singular values, which minigrad does not compute "
                                  "(it has no SVD); expected 'fro', 1, -1, inf or -inf")
    if isinstance(ord, str) or ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    summed, extreme = (rows, columns) if abs(ord) == 1 else (columns, rows)  # inf: the 1-norm of the transpose
    sums = vector_norm(A, 1, summed, keepdim=True)
    if ord > 0 and sums.shape[extreme] == 0:  # the largest of no sums: 0, as torch (the smallest is refused)
        result = sums.sum(extreme, keepdim=True)
    else:
        result = sums.amax(extreme, keepdim=True) if ord > 0 else sums.amin(extreme, keepdim=True)
    return result if keepdim else result.squeeze((rows, columns))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm: with ``ord`` and two dims (or none, for a 2-D A), a matrix norm; otherwise a vector norm
    (ord None: the 2-norm of the elements over ``dim``, of all of them when dim is None)."""
    op = "linalg.norm"
    check_tensor(A, op)
    dims = None if dim is None else (dim,) if is_int(dim) else tuple(dim)
    if dims is not None and len(dims) not in (1, 2):
        raise RuntimeError(f"{op}: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    if dims is None and ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"{op}: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.ndim}D.")
    if isinstance(ord, str) or (ord is not None and (len(dims) == 2 if dims is not None else A.ndim == 2)):
        return matrix_norm(A, ord, dims or (0, 1), keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)


def _floating(x, dtype, op: str):
    """x (cast to ``dtype`` when given) if it is of a floating dtype: torch computes no norm of integers."""
    check_tensor(x, op)
    if dtype is not None:
        if not backend.is_floating(backend.as_dtype(dtype)):
            raise RuntimeError(f"{op}: dtype should be floating point or complex, but got {dtype}")
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {x.dtype}")
    return x
