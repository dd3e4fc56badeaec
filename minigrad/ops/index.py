"""Indexing: picking elements by a key (ints, slices, index arrays, masks) or along a dimension (gather), writing
them (setitem), and the reverse of picking (adding values into zeros at a key)."""

from __future__ import annotations

from ..engine import Function


def along_axis(xp, index, dim: int) -> tuple:
    """The key that addresses, for each position of ``index``, the element it names along ``dim``: ``index`` along
    dim, a broadcast arange along every other axis (gather reads a[key], scatter writes a[key] = src)."""
    return tuple(index if axis == dim else xp.arange(size).reshape((-1,) + (1,) * (index.ndim - axis - 1))
                 for axis, size in enumerate(index.shape))


class GetItem(Function):
    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.dtype, ctx.key = a.shape, a.dtype, key
        return a[key]

    @staticmethod
    def backward(ctx, grad):
        # each picked element sends its gradient back to where it came from (twice if it was picked twice)
        return ctx.xp.accumulate(ctx.shape, ctx.dtype, ctx.key, grad)

    @staticmethod
    def jvp(ctx, t):
        return t[ctx.key]


class IndexAdd(Function):
    """Zeros of ``shape`` with ``values`` added at ``key``, where an element named twice gets both: the backward of
    GetItem, and so the op that differentiates it (its own backward is a GetItem)."""

    @staticmethod
    def forward(ctx, values, shape, key):
        ctx.shape, ctx.key = shape, key
        return ctx.xp.accumulate(shape, values.dtype, key, values)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key]

    @staticmethod
    def jvp(ctx, t):
        return ctx.xp.accumulate(ctx.shape, t.dtype, ctx.key, t)


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
        return ctx.xp.accumulate(ctx.shape, ctx.dtype, along_axis(ctx.xp, index, ctx.dim), grad), None

    @staticmethod
    def jvp(ctx, t, _):
        (index,) = ctx.saved_tensors
        return ctx.xp.take_along_axis(t, index, axis=ctx.dim)


class SetItem(Function):
    """``a[key] = value``, written into a's own array: the op behind item assignment and in-place changes of a
    tensor that is part of a graph (torch's CopySlices).

    The output IS the input array, changed in place; the node records how the gradient divides: the overwritten
    elements pass nothing back to the old values, and pass theirs to ``value`` instead.
    """

    @staticmethod
    def forward(ctx, a, value, key):
        ctx.key, ctx.shape, ctx.dtype = key, a.shape, a.dtype
        a[key] = value
        return a

    @staticmethod
    def backward(ctx, grad):
        need_a, need_value = ctx.needs_input_grad
        return (ctx.xp.setitem(grad, ctx.key, 0.0) if need_a else None,
                grad[ctx.key] if need_value else None)

    @staticmethod
    def jvp(ctx, ta, tv):
        if ta is None and tv is None:
            return None
        if ta is None:
            return ctx.xp.accumulate(ctx.shape, ctx.dtype, ctx.key, tv)
        return ctx.xp.setitem(ta, ctx.key, 0.0 if tv is None else tv)
