"""Indexing: picking elements by a key (ints, slices, index arrays, masks) or along a dimension (gather)."""

from __future__ import annotations

from .. import backend
from ..engine import Function


class GetItem(Function):
    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.dtype, ctx.key = a.shape, a.dtype, key
        return a[key]

    @staticmethod
    def backward(ctx, grad):
        full = ctx.xp.zeros(ctx.shape, dtype=ctx.dtype)
        key = ctx.key if isinstance(ctx.key, tuple) else (ctx.key,)
        if any(backend.is_array(k) and k.dtype.kind in "iu" for k in key):
            # an index array may name the same element twice; each occurrence adds its gradient
            ctx.device.scatter_add(full, ctx.key, grad)
        else:
            full[ctx.key] = grad  # slices and masks select each element at most once
        return full


class Gather(Function):
    """``out[i][j] = a[i][index[i][j]]`` along ``dim`` (torch.gather)."""

    @staticmethod
    def forward(ctx, a, index, dim):
        ctx.shape, ctx.dtype, ctx.dim = a.shape, a.dtype, dim
        ctx.save_for_backward(index)
        return ctx.xp.take_along_axis(a, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        xp = ctx.xp
        # Address every gathered element by a full index tuple: `index` along dim, a broadcast arange elsewhere.
        coordinates = tuple(
            index if axis == ctx.dim else xp.arange(size).reshape((-1,) + (1,) * (index.ndim - axis - 1))
            for axis, size in enumerate(index.shape))
        full = xp.zeros(ctx.shape, dtype=ctx.dtype)
        ctx.device.scatter_add(full, coordinates, grad)
        return full, None


class SetItem(Function):
    """``a[key] = value``, written into a's own array: the op behind item assignment and in-place changes of a
    tensor that is part of a graph (torch's CopySlices).

    The output IS the input array, changed in place; the node records how the gradient divides: the overwritten
    elements pass nothing back to the old values, and pass theirs to ``value`` instead.
    """

    @staticmethod
    def forward(ctx, a, value, key):
        ctx.key = key
        a[key] = value
        return a

    @staticmethod
    def backward(ctx, grad):
        need_a, need_value = ctx.needs_input_grad
        grad_a = None
        if need_a:
            grad_a = grad.copy()
            grad_a[ctx.key] = 0
        return grad_a, grad[ctx.key] if need_value else None
