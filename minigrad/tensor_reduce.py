"""Tensor's reductions and orderings: sums, means, maxima, log-sum-exp, running sums, sorting and top-k.

A mixin of ``Tensor`` (see tensor_base.py for why it is written apart). Reductions take torch's ``dim`` and
``keepdim``, and NumPy's ``axis`` and ``keepdims`` as torch does too.
"""

from __future__ import annotations

import collections
import math

from . import backend, ops
from .checks import check_dim, check_dims, check_int, is_int
from .tensor_base import TensorBase

MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])
SortResult = collections.namedtuple("sort", ["values", "indices"])
TopkResult = collections.namedtuple("topk", ["values", "indices"])


def _aliases(dim, keepdim, axis, keepdims, op: str):
    """torch's ``dim``/``keepdim``, or NumPy's ``axis``/``keepdims`` (which torch accepts too), not both."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: got both dim and its alias axis")
        dim = axis
    return dim, keepdim if keepdims is None else keepdims


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
        if dim is None:
            return -(-self).max()
        values, indices = (-self).max(dim, keepdim)
        return MinResult(-values, indices)

    def amax(self, dim=None, keepdim=False):
        """The maximum over one or more dims; tied maxima share the gradient equally."""
        return self._apply(ops.Max, self, dim=check_dims(dim, self.ndim, "amax"), keepdim=keepdim)

    def amin(self, dim=None, keepdim=False):
        return -(-self).amax(dim, keepdim)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _aliases(dim, keepdim, axis, keepdims, "argmax")
        axis = None if dim is None else check_dim(dim, self.ndim, "argmax")
        return self._make(self._array.argmax(axis=axis, keepdims=keepdim))

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _aliases(dim, keepdim, axis, keepdims, "argmin")
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
        x = self if dtype is None else self.to(dtype)
        if dtype is None and x.dtype.kind in "biu":
            x = x.to(backend.int64)
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

    def cumsum(self, dim, *, dtype=None):
        """Running sums along ``dim``: out_i = x_0 + ... + x_i."""
        source = self if dtype is None else self.to(dtype)
        return self._apply(ops.Cumsum, source, dim=check_dim(dim, self.ndim, "cumsum"))

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
        axis = None if dim is None else check_dim(dim, self.ndim, "count_nonzero")
        return self._make(self.device.xp.asarray((self._array != 0).sum(axis=axis), dtype=backend.int64))
