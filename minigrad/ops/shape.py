"""Ops that move values around without computing new ones: reshaping, permuting, copying, broadcasting,
joining and splitting. Each is linear, so its jvp is the op itself applied to the tangent."""

from __future__ import annotations

from ..engine import Function


class Reshape(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape, ctx.new_shape = a.shape, shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)

    @staticmethod
    def jvp(ctx, t):
        return t.reshape(ctx.new_shape)


class Permute(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for position, axis in enumerate(ctx.dims):
            inverse[axis] = position
        return ctx.xp.transpose(grad, inverse)

    @staticmethod
    def jvp(ctx, t):
        return ctx.xp.transpose(t, ctx.dims)


class Clone(Function):
    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def jvp(ctx, t):
        return t


class BroadcastTo(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = shape
        # the copies are a stride of 0 along each new or stretched axis. Made with as_strided, not broadcast_to
        # (which NumPy makes read-only), so that an expand in which nothing repeats (a new axis of size 1) can be
        # written, as torch's; a write where elements do repeat is refused before it reaches the array.
        new = len(shape) - a.ndim
        strides = (0,) * new + tuple(stride if size == own else 0
                                     for size, own, stride in zip(shape[new:], a.shape, a.strides))
        return ctx.xp.lib.stride_tricks.as_strided(a, shape, strides)

    @staticmethod
    def backward(ctx, grad):
        return grad  # the engine's unbroadcast sums the copies back: that IS the gradient of broadcasting

    @staticmethod
    def jvp(ctx, t):
        return ctx.xp.broadcast_to(t, ctx.shape)


class Cat(Function):
    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.shapes = [array.shape for array in arrays]
        ctx.dtype = arrays[0].dtype
        ctx.boundaries = []
        total = 0
        for array in arrays[:-1]:
            total += array.shape[dim]
            ctx.boundaries.append(total)
        return ctx.xp.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(ctx.xp.split(grad, ctx.boundaries, axis=ctx.dim))

    @staticmethod
    def jvp(ctx, *tangents):
        if all(t is None for t in tangents):
            return None
        return ctx.xp.concatenate([ctx.xp.zeros(shape, dtype=ctx.dtype) if t is None else t
                                   for t, shape in zip(tangents, ctx.shapes)], axis=ctx.dim)


class Split(Function):
    """Consecutive pieces of the given sizes along ``dim``: several outputs of one node, so the backward joins
    the pieces' gradients once instead of padding each to the full size."""

    @staticmethod
    def forward(ctx, a, sizes, dim):
        ctx.shape, ctx.dtype, ctx.dim, ctx.sizes = a.shape, a.dtype, dim, sizes
        return tuple(_pieces(a, sizes, dim))

    @staticmethod
    def backward(ctx, *grads):
        return ctx.xp.concatenate([_or_zeros(ctx, g, size) for g, size in zip(grads, ctx.sizes)], axis=ctx.dim)

    @staticmethod
    def jvp(ctx, t):
        return tuple(_pieces(t, ctx.sizes, ctx.dim))


class Stack(Function):
    """Arrays of one shape joined along a new axis ``dim``: the inverse of Unbind, and one node however many
    arrays (a recurrent layer stacks its T outputs)."""

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim, ctx.shape, ctx.dtype = dim, arrays[0].shape, arrays[0].dtype
        return ctx.xp.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return _slices(grad, ctx.dim)

    @staticmethod
    def jvp(ctx, *tangents):
        if all(t is None for t in tangents):
            return None
        return ctx.xp.stack([ctx.xp.zeros(ctx.shape, dtype=ctx.dtype) if t is None else t for t in tangents],
                            axis=ctx.dim)


class Unbind(Function):
    """The slices a[..., i, ...] along ``dim`` for every i, as several outputs of one node."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.shape, ctx.dtype, ctx.dim = a.shape, a.dtype, dim
        return _slices(a, dim)

    @staticmethod
    def backward(ctx, *grads):
        return ctx.xp.stack([_or_zeros(ctx, g, None) for g in grads], axis=ctx.dim)

    @staticmethod
    def jvp(ctx, t):
        return _slices(t, ctx.dim)


def _pieces(a, sizes, dim: int) -> list:
    """Consecutive slices of ``sizes`` along ``dim``: basic slices, so views, nothing copied."""
    pieces, start, before = [], 0, (slice(None),) * dim
    for size in sizes:
        pieces.append(a[before + (slice(start, start + size),)])
        start += size
    return pieces


def _slices(a, dim: int) -> tuple:
    """a[..., i, ...] along ``dim`` for every i: views, nothing copied."""
    return tuple(a[(slice(None),) * dim + (i,)] for i in range(a.shape[dim]))


def _or_zeros(ctx, grad, size):
    """An output's gradient, or zeros of that output's shape when it received none (the output went unused).
    ``size`` is the output's extent along ctx.dim, or None when the output has lost that dimension."""
    if grad is not None:
        return grad
    shape = list(ctx.shape)
    if size is None:
        del shape[ctx.dim]
    else:
        shape[ctx.dim] = size
    return ctx.xp.zeros(tuple(shape), dtype=ctx.dtype)
