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


class StridedView(GetItem):
    """The views that no basic index gives, diagonal and unfold: ``out[i_0, ..., i_k] = a[start + i_0·moves_0 + ...
    + i_k·moves_k]``, where ``start`` is an index of ``a`` and ``moves_j`` how far one step along output axis j goes
    along each axis of ``a``. The diagonal of axes (0, 1) moves (1, 1), one along both at once; unfold's windows
    move ``step`` along their axis, and 1 within a window.

    As a selection of a's elements it is GetItem with the key of those indices (the same backward and jvp); but
    the output shares a's memory and can be written (NumPy's own diagonal is read-only): its strides are a's own,
    combined as the moves say. Overlapping windows name an element more than once; its gradient is the sum.
    """

    @staticmethod
    def forward(ctx, a, shape, start, moves):
        ctx.shape, ctx.dtype, ctx.key = a.shape, a.dtype, walked(ctx.xp, shape, start, moves)
        first = a[tuple(slice(index, None) for index in start)]  # (empty when the output is)
        strides = tuple(sum(steps * stride for steps, stride in zip(move, a.strides)) for move in moves)
        return ctx.xp.lib.stride_tricks.as_strided(first, shape, strides)


def walked(xp, shape, start, moves) -> tuple:
    """The index of a that each element of a StridedView is: one integer array of the output's shape per axis of
    a."""
    key = []
    for axis, first in enumerate(start):
        index = xp.full(shape, first)
        for along, (size, move) in enumerate(zip(shape, moves)):
            if move[axis]:
                index = index + move[axis] * xp.arange(size).reshape((-1,) + (1,) * (len(shape) - along - 1))
        key.append(index)
    return tuple(key)


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
