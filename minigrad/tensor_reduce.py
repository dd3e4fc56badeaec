"""Tensor's reductions and orderings: sums, means, maxima, medians, log-sum-exp, running sums and products,
sorting, top-k, unique and the positions of nonzero elements; the writes into slices (index_add, index_copy,
masked_scatter); and the products of vectors and matrices (mm, dot, ...), which are sums of products.

A mixin of ``Tensor`` (see tensor_base.py for why it is written apart). Reductions take torch's ``dim`` and
``keepdim``, and NumPy's ``axis`` and ``keepdims`` as torch does too.
"""

from __future__ import annotations

import collections
import math

from . import backend, ops
from .checks import broadcast_shapes, check_dim, check_dims, check_int, check_tensor, is_int, type_name
from .tensor_base import TensorBase
from .tensor_math import promoted
from .tensor_shape import first_outside

MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])
SortResult = collections.namedtuple("sort", ["values", "indices"])
TopkResult = collections.namedtuple("topk", ["values", "indices"])
MedianResult = collections.namedtuple("median", ["values", "indices"])


def _aliases(dim, keepdim, axis, keepdims, op: str):
    """torch's ``dim``/``keepdim``, or NumPy's ``axis``/``keepdims`` (which torch accepts too), not both."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: got both dim and its alias axis")
        dim = axis
    return dim, keepdim if keepdims is None else keepdims


def _check_reducible(tensor, dim, op: str, error=RuntimeError) -> None:
    """The extremes (max, argmax, ...) of nothing do not exist: refused as torch refuses them, where NumPy would
    say "zero-size array to reduction operation"."""
    if tensor.numel() != 0:
        return
    if dim is None:
        raise error(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
                    "dim with the 'dim' argument.")
    for d in check_dims(dim, tensor.ndim, op):
        if tensor.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


class Reduce(TensorBase):
    __slots__ = ()

    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        dim, keepdim = _aliases(dim, keepdim, axis, keepdims, "sum")
        source = self if dtype is None else self.to(dtype)
        return self._apply(ops.Sum, source, dim=check_dims(dim, self.ndim, "sum"), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        dim, keepdim = _aliases(dim, keepdim, axis, keepdims, "mean")
        source = self if dtype is None else self.to(dtype)
        if source.dtype.kind != "f":
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be floating point, got "
                               f"{source.dtype} (cast with .float() first)")
        dims = check_dims(dim, self.ndim, "mean")
        count = math.prod(self.shape[d] for d in dims) if dims is not None else self.numel()
        return source.sum(dims, keepdim) / count

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
        """The variance, Σ(x - mean)² / (N - correction); torch's default correction is 1 (unbiased)."""
        dim, keepdim = _aliases(dim, keepdim, axis, keepdims, "var")
        if correction is None:
            correction = 0 if unbiased is False else 1
        dims = check_dims(dim, self.ndim, "var")
        count = math.prod(self.shape[d] for d in dims) if dims is not None else self.numel()
        centred = self - self.mean(dims, keepdim=True)
        return (centred * centred).sum(dims, keepdim) / max(count - correction, 0)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
        """The standard deviation, √var (torch's default correction 1)."""
        return self.var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims).sqrt()

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The maximum of all elements; with ``dim`` a named tuple (values, indices) along it; with a tensor, the
        elementwise maximum (torch.max(a, b)). A NaN is the maximum (its gradient goes to it), as in torch."""
        if isinstance(dim, TensorBase):
            return self.maximum(dim)
        dim, keepdim = _aliases(dim, keepdim, axis, keepdims, "max")
        _check_reducible(self, dim, "max")
        if dim is None:
            return self._apply(ops.Max, self, nan_is_max=True)
        d = check_dim(dim, self.ndim, "max")
        indices = self._array.argmax(axis=d, keepdims=True)
        values = self._apply(ops.Gather, self, indices, dim=d)
        if not keepdim:
            values, indices = values.squeeze(d), indices.squeeze(axis=d)
        return MaxResult(values, self._make(indices))

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The minimum; with ``dim``, (values, indices) along it; with a tensor, the elementwise minimum. It is
        -max(-x)."""
        if isinstance(dim, TensorBase):
            return self.minimum(dim)
        dim, keepdim = _aliases(dim, keepdim, axis, keepdims, "min")
        _check_reducible(self, dim, "min")
        if dim is None:
            return -(-self).max()
        values, indices = (-self).max(dim, keepdim)
        return MinResult(-values, indices)

    def amax(self, dim=None, keepdim=False):
        """The maximum over one or more dims; tied maxima share the gradient equally."""
        _check_reducible(self, dim, "amax")
        return self._apply(ops.Max, self, dim=check_dims(dim, self.ndim, "amax"), keepdim=keepdim)

    def amin(self, dim=None, keepdim=False):
        _check_reducible(self, dim, "amin")
        return -(-self).amax(dim, keepdim)

    def median(self, dim=None, keepdim=False):
        """The median; for an even count the lower of the two middle values, as torch (a NaN makes it NaN). With
        ``dim``, a named tuple (values, indices) along it, the gradient going to the element picked (among equal
        values, the first in sorted order; torch does not promise which); without, one value, whose gradient tied
        elements share equally (as max's, and torch's)."""
        if dim is None:
            flat = self.reshape(-1)
            if flat.numel() == 0:  # torch's median of nothing is NaN (here connected to self, as torch's)
                return flat.sum() + math.nan
            value = flat.median(0).values.detach()
            ties = (flat == value) | (flat.isnan() & value.isnan())
            return self._apply(ops.Max, flat[ties], nan_is_max=True)
        d = check_dim(dim, max(self.ndim, 1), "median")
        source = self.reshape(1) if self.ndim == 0 else self
        _check_reducible(source, d, "median")
        count = source.shape[d]
        xp = self.device.xp
        index = xp.take(xp.argsort(source._array, axis=d, kind="stable"), [(count - 1) // 2], axis=d)
        if source.dtype.kind == "f":  # a NaN sorts last; torch's median of a slice with one is its first NaN
            nan = xp.isnan(source._array)
            index = xp.where(nan.any(axis=d, keepdims=True), nan.argmax(axis=d, keepdims=True), index)
        values = self._apply(ops.Gather, source, index, dim=d)
        if self.ndim == 0 or not keepdim:
            values, index = values.squeeze(d), index.squeeze(axis=d)
        return MedianResult(values, self._make(index))

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        """The mean of the elements that are not NaN (NaN where there are none). The NaNs get gradient 0, also in
        a slice of NaNs alone, where torch's (0 times the infinite gradient of a sum divided by a count of 0) is
        NaN."""
        source = self if dtype is None else self.to(dtype)
        if source.dtype.kind != "f":
            raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                               f"{source.dtype}")
        missing = source.isnan()
        return source.masked_fill(missing, 0).sum(dim, keepdim) / (~missing).sum(dim, keepdim)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _aliases(dim, keepdim, axis, keepdims, "argmax")
        _check_reducible(self, dim, "argmax", IndexError)
        axis = None if dim is None else check_dim(dim, self.ndim, "argmax")
        return self._make(self._array.argmax(axis=axis, keepdims=keepdim))

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _aliases(dim, keepdim, axis, keepdims, "argmin")
        _check_reducible(self, dim, "argmin", IndexError)
        axis = None if dim is None else check_dim(dim, self.ndim, "argmin")
        return self._make(self._array.argmin(axis=axis, keepdims=keepdim))

    def logsumexp(self, dim, keepdim=False):
        """log Σ exp(x) over ``dim``, without overflow: the maximum is taken out first (and put back), and a slice
        that is all -inf gives -inf. Its gradient is the softmax."""
        dims = check_dims(dim, self.ndim, "logsumexp")
        source = self._floating()
        top = source.amax(dims, keepdim=True).detach()
        top = top.masked_fill(top.isinf(), 0.0)  # -inf rows (and +inf) stay what they are through exp and log
        result = (source - top).exp().sum(dims, keepdim=True).log() + top
        return result if keepdim else result.reshape(tuple(n for axis, n in enumerate(result.shape)
                                                           if axis not in dims))

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        """The product of the elements (along ``dim``), as torch.prod; integers and bools multiply as int64.

        Multiplied in pairs, (x₀·x₁)·(x₂·x₃)·..., a mul op per halving: the gradient is the product of the other
        elements, exact where an element is 0 (no division by it), and every derivative comes from mul's."""
        if dim is not None and not is_int(dim):
            raise TypeError(f"prod(): expected dim to be one int (or None for all elements), got {dim!r}")
        x = self._to_multiply(dtype)
        if dim is None:
            x, d = x.reshape(-1), 0
        else:
            d = check_dim(dim, max(self.ndim, 1), "prod")
            x = x.reshape(1) if self.ndim == 0 else x
        if x.shape[d] == 0:  # the empty product is 1 (still connected to x, whose gradient is empty)
            x = x.sum(d, keepdim=True) + 1
        while x.shape[d] > 1:
            if x.shape[d] % 2:  # an odd count: one more factor, 1
                x = self._apply(ops.Cat, x, x.new_ones(x.shape[:d] + (1,) + x.shape[d + 1:]), dim=d)
            pairs = x.reshape(x.shape[:d] + (x.shape[d] // 2, 2) + x.shape[d + 1:])
            x = pairs.select(d + 1, 0) * pairs.select(d + 1, 1)
        if dim is None or self.ndim == 0:
            return x.reshape(())
        return x if keepdim else x.squeeze(d)

    def _to_multiply(self, dtype):
        """Self in the dtype that prod and cumprod multiply in: ``dtype`` when given, else self's, with integers and
        bools as int64 (as torch)."""
        x = self if dtype is None else self.to(dtype)
        return x.to(backend.int64) if dtype is None and x.dtype.kind in "biu" else x

    def cumsum(self, dim, *, dtype=None):
        """Running sums along ``dim``: out_i = x_0 + ... + x_i."""
        source = self if dtype is None else self.to(dtype)
        return self._apply(ops.Cumsum, source, dim=check_dim(dim, self.ndim, "cumsum"))

    def cumsum_(self, dim, *, dtype=None):
        return self._inplace("cumsum_", lambda t: t.cumsum(dim, dtype=dtype))

    def cumprod(self, dim, *, dtype=None):
        """Running products along ``dim``: out_i = x_0·x_1·...·x_i; integers and bools multiply as int64.

        A scan in log2(n) steps (Hillis and Steele's): after the step that shifts by s, out_i is the product of the
        2s elements that end at i (ones before the start). Each step is one mul, and nothing is divided, so the
        gradient is exact where an element is 0 (out / x_i would be 0/0 there) and every derivative is mul's. The
        products are grouped differently from a left-to-right loop, so the last bit may differ from torch's."""
        x = self._to_multiply(dtype)
        d = check_dim(dim, max(self.ndim, 1), "cumprod")  # (a 0-d tensor has the one dim 0, as in torch)
        length = x.shape[d] if x.ndim else 1
        shift = 1
        while shift < length:
            ones = x.new_ones(x.shape[:d] + (shift,) + x.shape[d + 1:])
            x = x * self._apply(ops.Cat, ones, x.narrow(d, 0, length - shift), dim=d)
            shift *= 2
        return x.clone() if x is self else x

    def cumprod_(self, dim, *, dtype=None):
        return self._inplace("cumprod_", lambda t: t.cumprod(dim, dtype=dtype))

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        """The n-th forward difference along ``dim``: out_i = x_{i+1} - x_i, taken n times, after joining the
        tensors ``prepend`` and ``append`` at the two ends (for bools, x_{i+1} != x_i, as torch). Each difference
        is one element shorter; n beyond the length leaves an empty dim."""
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        if not is_int(n):
            raise TypeError(f"diff(): argument 'n' must be int, not {type_name(n)}")
        if n < 0:
            raise RuntimeError(f"order must be non-negative but got {n}")
        d = check_dim(dim, self.ndim, "diff")
        ends = {"prepend": prepend, "append": append}
        for name, end in ends.items():
            if end is not None and not isinstance(end, TensorBase):
                raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type_name(end)}")
            if end is not None and (end.ndim != self.ndim or end.shape[:d] + end.shape[d + 1:] !=
                                    self.shape[:d] + self.shape[d + 1:]):
                raise RuntimeError(f"diff expects {name} to be of shape {list(self.shape)} but for dim {d}, got "
                                   f"{list(end.shape)}")
        joined = [t for t in (prepend, self, append) if t is not None]
        x = self._apply(ops.Cat, *promoted(*joined), dim=d) if len(joined) > 1 else self
        for _ in range(min(n, x.shape[d])):
            later, earlier = x.narrow(d, 1, x.shape[d] - 1), x.narrow(d, 0, x.shape[d] - 1)
            x = later != earlier if x.dtype == backend.bool_ else later - earlier
        return x.clone() if x is self else x

    def any(self, dim=None, keepdim=False):
        axis = None if dim is None else check_dim(dim, self.ndim, "any")
        return self._make(self._array.any(axis=axis, keepdims=keepdim))

    def all(self, dim=None, keepdim=False):
        axis = None if dim is None else check_dim(dim, self.ndim, "all")
        return self._make(self._array.all(axis=axis, keepdims=keepdim))

    # --- orderings -----------------------------------------------------------------------------------------
    def argsort(self, dim=-1, descending=False, stable=False):
        """The indices that sort along ``dim`` (stable: equal values keep their order)."""
        d = check_dim(dim, self.ndim, "argsort")
        return self._make(self.device.xp.argsort(-self._array if descending else self._array, axis=d,
                                                 kind="stable"))

    def sort(self, dim=-1, descending=False, stable=False):
        """(values, indices) sorted along ``dim``; equal values keep their order (a stable sort)."""
        indices = self.argsort(dim, descending)
        d = check_dim(dim, self.ndim, "sort")
        return SortResult(self._apply(ops.Gather, self, indices._array, dim=d), indices)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """(values, indices) of the ``k`` largest (or smallest) elements along ``dim``, largest first."""
        d = check_dim(dim, self.ndim, "topk")
        k = check_int(k, "k", "topk", minimum=0)
        if k > max(self.shape[d] if self.ndim else 1, 0):
            raise RuntimeError(f"topk: k ({k}) is too big for dimension {dim} of size {self.shape[d]}")
        indices = self.argsort(d, descending=largest)._array
        indices = indices[(slice(None),) * d + (slice(0, k),)]
        return TopkResult(self._apply(ops.Gather, self, indices, dim=d), self._make(indices))

    def count_nonzero(self, dim=None):
        """The number of nonzero elements (over ``dim``, an int or a tuple of them, when given), as int64."""
        axis = check_dims(dim, max(self.ndim, 1), "count_nonzero")
        axis = None if self.ndim == 0 else axis
        return self._make(self.device.xp.asarray((self._array != 0).sum(axis=axis), dtype=backend.int64))

    def nonzero(self, *, as_tuple=False):
        """The positions of the nonzero elements, one row of indices each, in row-major order (an int64 tensor of
        shape (count, ndim)); with ``as_tuple``, one 1-d tensor per dim (a 0-d tensor counts as 1-d), as torch."""
        values = self._array.reshape(-1) if as_tuple and self.ndim == 0 else self._array
        positions = self.device.xp.argwhere(values).astype(backend.int64)
        if not as_tuple:
            return self._make(positions)
        return tuple(self._make(positions[:, axis].copy()) for axis in range(values.ndim))

    def argwhere(self):
        """The positions of the nonzero elements, as ``nonzero()``."""
        return self.nonzero()

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        """The distinct values in ascending order (torch sorts them whether or not ``sorted`` is asked, and so
        does this); with ``return_inverse``, where each element's value is among them (self's shape); with
        ``return_counts``, how often each occurs. With ``dim``, the distinct slices along dim, in the order of
        their elements. Each NaN counts as distinct, as in torch. No gradient flows through it."""
        xp = self.device.xp
        if dim is None:
            values, inverse, counts = xp.unique(self._array.reshape(-1), return_inverse=True, return_counts=True,
                                                equal_nan=False)
            inverse = inverse.reshape(self.shape)
        else:
            d = check_dim(dim, self.ndim, "unique")
            values, inverse, counts = xp.unique(self._array, return_inverse=True, return_counts=True, axis=d)
            inverse = inverse.reshape(-1)
        extras = [array for array, wanted in ((inverse, return_inverse), (counts, return_counts)) if wanted]
        if not extras:
            return self._make(values)
        return (self._make(values),) + tuple(self._make(array.astype(backend.int64)) for array in extras)

    # --- writes into slices ------------------------------------------------------------------------------------
    def index_add(self, dim, index, source, *, alpha=1):
        """self with alpha·source's slices added to the slices at ``index`` along ``dim``; a position that index
        names twice gets both (torch.index_add). Gradient: all of it to self, the picked slices (times alpha) to
        source."""
        if self.ndim == 0:  # (a 0-d tensor has one dim of size 1 here, as in torch)
            return self.reshape(1).index_add(dim, index, _flat(source, "index_add"), alpha=alpha).reshape(())
        key = self._index_key(dim, index, source, "index_add", (backend.int32, backend.int64), RuntimeError)
        return self + self._apply(ops.IndexAdd, source if alpha == 1 else source * alpha, shape=self.shape, key=key)

    def index_copy(self, dim, index, source):
        """A copy of self with the slices at ``index`` along ``dim`` replaced by source's (torch.index_copy; which
        write wins where index names a position twice is left undefined, as in torch)."""
        if self.ndim == 0:
            return self.reshape(1).index_copy(dim, index, _flat(source, "index_copy")).reshape(())
        key = self._index_key(dim, index, source, "index_copy", (backend.int64,), IndexError)
        out = self.clone()
        out[key] = source
        return out

    def _index_key(self, dim, index, source, op: str, dtypes: tuple, error: type) -> tuple:
        """The key of index_add's and index_copy's writes, the slices at ``index`` along ``dim``, with index and
        source checked as torch checks them (``error``: torch's type for a source or index that does not fit)."""
        d = check_dim(dim, self.ndim, op)
        if not isinstance(index, TensorBase) or index.dtype not in dtypes:
            raise RuntimeError(f"{op}_(): Expected dtype {'/'.join(map(str, dtypes))} for index but got: "
                               f"{index.dtype if isinstance(index, TensorBase) else type_name(index)}")
        if index.ndim > 1:
            raise IndexError(f"{op}_(): Index is supposed to be a vector, but got dim: {index.ndim}")
        if not isinstance(source, TensorBase):
            raise TypeError(f"{op}(): argument 'source' must be Tensor, not {type_name(source)}")
        if source.dtype != self.dtype:
            raise RuntimeError(f"{op}_(): self ({self.dtype}) and source ({source.dtype}) must have the same "
                               "scalar type")
        expected = self.shape[:d] + (index.numel(),) + self.shape[d + 1:]
        if source.shape != expected:
            raise error(f"{op}_(): expected source of shape {list(expected)} (self's, with the number of indices "
                        f"along dim {d}), got {list(source.shape)}")
        outside = first_outside(index, 0, self.shape[d])
        if outside is not None:
            raise error(f"{op}_(): index {outside} is out of bounds for dimension {d} with size {self.shape[d]}")
        return (slice(None),) * d + (index._array.reshape(-1),)

    def index_add_(self, dim, index, source, *, alpha=1):
        return self._inplace("index_add_", lambda t: t.index_add(dim, index, source, alpha=alpha), source)

    def index_copy_(self, dim, index, source):
        return self._inplace("index_copy_", lambda t: t.index_copy(dim, index, source), source)

    def masked_scatter(self, mask, source):
        """A copy of self (broadcast with ``mask``) whose elements where mask is True are source's first elements,
        taken in order (row by row), as torch.masked_scatter. Gradient: those elements to source, the others to
        self."""
        if not isinstance(mask, TensorBase) or mask.dtype != backend.bool_:
            raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                               f"{mask.dtype if isinstance(mask, TensorBase) else type_name(mask)}")
        if not isinstance(source, TensorBase):
            raise TypeError(f"masked_scatter(): argument 'source' must be Tensor, not {type_name(source)}")
        if source.dtype != self.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got {self.dtype} "
                               f"and {source.dtype}")
        shape = broadcast_shapes(self.shape, mask.shape, op="masked_scatter")
        mask = mask.expand(shape)
        count = int(mask.count_nonzero().item())
        if source.numel() < count:
            raise RuntimeError(f"masked_scatter: Number of elements of source ({source.numel()}) < number of ones in "
                               f"mask ({count})")
        out = self.expand(shape).clone()
        out[mask] = source.reshape(-1)[:count]
        return out

    def masked_scatter_(self, mask, source):
        return self._inplace("masked_scatter_", lambda t: t.masked_scatter(mask, source), source)

    # --- products of vectors and matrices ----------------------------------------------------------------------
    def mm(self, mat2):
        """The product of two matrices, (n, m) @ (m, p) → (n, p), as torch.mm (no vectors, no broadcasting)."""
        return self._fixed_product(mat2, (2, 2), "mm")

    def mv(self, vec):
        """A matrix times a vector, (n, m) @ (m,) → (n,)."""
        return self._fixed_product(vec, (2, 1), "mv")

    def dot(self, tensor):
        """The dot product of two vectors of one length, Σ_i a_i·b_i: a 0-d tensor."""
        return self._fixed_product(tensor, (1, 1), "dot")

    def _fixed_product(self, other, ndims: tuple, op: str):
        """self @ other for the products whose operands have a fixed number of dims (mm, mv, dot), refused as
        torch refuses them where matmul would broadcast or take a vector instead."""
        check_tensor(other, op, "the second operand")
        if (self.ndim, other.ndim) != ndims:
            raise RuntimeError(f"{op}: expected {ndims[0]}-D and {ndims[1]}-D tensors, got {self.ndim}-D and "
                               f"{other.ndim}-D (shapes {list(self.shape)} and {list(other.shape)})")
        if self.shape[-1] != other.shape[0]:
            raise RuntimeError(f"{op}: shapes {list(self.shape)} and {list(other.shape)} cannot be multiplied "
                               f"({self.shape[-1]} != {other.shape[0]})")
        return self.matmul(other)

    def bmm(self, mat2):
        """Batched matrix product of two 3-D tensors, (B, n, m) @ (B, m, p) → (B, n, p) (see minigrad.bmm)."""
        from .functions import bmm  # (functions builds on Tensor)
        return bmm(self, mat2)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        """beta·self + alpha·(mat1 @ mat2), as torch.addmm (self broadcast to the product's shape)."""
        return self._plus_product(check_tensor(mat1, "addmm", "mat1").mm(mat2), beta, alpha, "addmm")

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        """beta·self + alpha·(mat @ vec), as torch.addmv."""
        return self._plus_product(check_tensor(mat, "addmv", "mat").mv(vec), beta, alpha, "addmv")

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        """beta·self + alpha·(batch1 @ batch2) for batches of matrices, as torch.baddbmm."""
        return self._plus_product(check_tensor(batch1, "baddbmm", "batch1").bmm(batch2), beta, alpha, "baddbmm")

    def _plus_product(self, product, beta, alpha, op: str):
        """beta·self + alpha·product for the add* products. With beta 0 self's values are ignored, a NaN or inf
        among them included, and its gradient is 0, as in torch."""
        if self.dtype != product.dtype:
            raise RuntimeError(f"{op}: expected input of dtype {product.dtype} (the product's), got {self.dtype}")
        try:
            shape = broadcast_shapes(self.shape, product.shape, op=op)
        except RuntimeError:
            shape = None
        if shape != product.shape:
            raise RuntimeError(f"{op}: expected input broadcastable to the product's shape {list(product.shape)}, "
                               f"got shape {list(self.shape)}")
        if beta == 0:
            scaled = self.masked_fill(self.new_ones((), dtype=backend.bool_), 0)
        else:
            scaled = self if beta == 1 else self * beta
        return scaled + (product if alpha == 1 else product * alpha)

    def outer(self, vec2):
        """The outer product of two vectors: out[i, j] = self[i]·vec2[j]."""
        check_tensor(vec2, "outer", "vec2")
        for name, vector in (("self", self), ("vec2", vec2)):
            if vector.ndim != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {vector.ndim}-D")
        return self.reshape(-1, 1) * vec2

    ger = outer

    def inner(self, other):
        """Σ over the last dim of both: out[i..., j...] = Σ_k self[i..., k]·other[j..., k]; a product when either
        is 0-d."""
        check_tensor(other, "inner", "other")
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        if self.shape[-1] != other.shape[-1]:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                               f"{list(self.shape)} and {list(other.shape)}")
        return self._contract(other, [self.ndim - 1], [other.ndim - 1])

    def _tensordot(self, other, dims=2):
        """minigrad.tensordot(self, other, dims) (torch has no such Tensor method): ``dims`` checked as torch checks
        it, then the contraction."""
        if isinstance(dims, TensorBase):
            dims = dims.tolist()
        if is_int(dims):
            if dims < 0:
                raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
            if dims > min(self.ndim, other.ndim):
                raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
            dims = (list(range(self.ndim - dims, self.ndim)), list(range(dims)))
        if not isinstance(dims, (tuple, list)) or len(dims) != 2:
            raise RuntimeError(f"tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
                               f"containing two lists, but got dims={dims}")
        ours, theirs = (check_dims(d, t.ndim, "tensordot") for d, t in zip(dims, (self, other)))
        if len(ours) != len(theirs):
            raise RuntimeError(f"both dimension lists should have same length, got {len(ours)} and {len(theirs)}")
        return self._contract(other, list(ours), list(theirs))

    def _contract(self, other, dims: list, other_dims: list):
        """Σ over the paired ``dims`` of self and ``other_dims`` of other (torch.tensordot, checked dims): the other
        dims of self, then those of other, remain. One matrix product: the summed dims are moved last in self and
        first in other, and each side is flattened to a matrix."""
        for d, e in zip(dims, other_dims):
            if self.shape[d] != other.shape[e]:
                raise RuntimeError(f"contracted dimensions need to match, but first has size {self.shape[d]} in dim "
                                   f"{d} and second has size {other.shape[e]} in dim {e}")
        kept = [d for d in range(self.ndim) if d not in dims]
        other_kept = [e for e in range(other.ndim) if e not in other_dims]
        shape = tuple(self.shape[d] for d in kept)
        other_shape = tuple(other.shape[e] for e in other_kept)
        summed = math.prod(self.shape[d] for d in dims)
        rows = self.permute(kept + list(dims)).reshape(math.prod(shape), summed)
        columns = other.permute(list(other_dims) + other_kept).reshape(summed, math.prod(other_shape))
        return (rows @ columns).reshape(shape + other_shape)

    def kron(self, other):
        """The Kronecker product: along each dim, block i is self[i] times the whole of other, so out[i·m + j] =
        self[i]·other[j] where other has size m (the operand with fewer dims gets leading dims of size 1)."""
        check_tensor(other, "kron", "other")
        ndim = max(self.ndim, other.ndim)
        shape = (1,) * (ndim - self.ndim) + self.shape
        other_shape = (1,) * (ndim - other.ndim) + other.shape
        spread = self.reshape(tuple(n for size in shape for n in (size, 1)))
        other_spread = other.reshape(tuple(n for size in other_shape for n in (1, size)))
        return (spread * other_spread).reshape(tuple(p * q for p, q in zip(shape, other_shape)))


def _flat(source, op: str):
    """index_add's and index_copy's source for a 0-d self, which they treat as a tensor of one element: a 0-d
    source, as torch requires."""
    if isinstance(source, TensorBase) and source.ndim:
        raise RuntimeError(f"{op}: source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = [] source.shape = {list(source.shape)}")
    return source.reshape(1) if isinstance(source, TensorBase) else source
