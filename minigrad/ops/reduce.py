"""Reductions: sums, maxima, running sums, and the softmax family (a normalisation along one dimension)."""

from __future__ import annotations

from ..engine import Function


class Sum(Function):
    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return a.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        # Every summed element contributed with weight 1: spread the gradient back over the reduced axes.
        if not ctx.keepdim and ctx.dim is not None:
            grad = ctx.xp.expand_dims(grad, ctx.dim)
        return ctx.xp.broadcast_to(grad, ctx.shape)

    @staticmethod
    def jvp(ctx, t):
        return t.sum(axis=ctx.dim, keepdims=ctx.keepdim)


class Max(Function):
    """The largest value over ``dim`` (all axes when None); tied maxima share the gradient equally.

    ``nan_is_max``: a NaN is the maximum (torch's ``max()``: the gradient goes to the NaN); otherwise (``amax``) a
    NaN result matches no element and its gradient is NaN too, as in torch.
    """

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, nan_is_max=False):
        out = a.max(axis=dim, keepdims=keepdim)
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.keepdim, ctx.nan_is_max = dim, keepdim, nan_is_max
        return out

    @staticmethod
    def backward(ctx, grad):
        return Max._kept(ctx, grad) * Max._share(ctx)

    @staticmethod
    def jvp(ctx, t):
        return (t * Max._share(ctx)).sum(axis=ctx.dim, keepdims=ctx.keepdim)

    @staticmethod
    def _kept(ctx, value):
        """A reduced value with its reduced axes put back (size 1), so that it broadcasts against the input (a
        full reduction is 0-d and broadcasts as it is)."""
        return value if ctx.keepdim or ctx.dim is None else ctx.xp.expand_dims(value, ctx.dim)

    @staticmethod
    def _share(ctx):
        """Each element's share of the maximum: 1/count where it is (one of) the maxima, 0 elsewhere."""
        a, out = ctx.saved_tensors
        xp = ctx.xp
        out = Max._kept(ctx, out)
        is_max = a == out
        if ctx.nan_is_max:
            is_max = is_max | (xp.isnan(a) & xp.isnan(out))
        is_max = xp.cast(is_max, a.dtype)
        with ctx.device.quiet("invalid"):  # a NaN maximum (amax) is no element's: 0/0, a NaN gradient, as in torch
            return is_max / is_max.sum(axis=ctx.dim, keepdims=True)


class Cumsum(Function):
    """Running sums along ``dim``: out_i = Σ_{j<=i} a_j."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return ctx.xp.cumsum(a, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        # a_j counts in every out_i with i >= j: its gradient is the sum of the later gradients, a reversed cumsum
        xp = ctx.xp
        return xp.flip(xp.cumsum(xp.flip(grad, ctx.dim), axis=ctx.dim), ctx.dim)

    @staticmethod
    def jvp(ctx, t):
        return ctx.xp.cumsum(t, axis=ctx.dim)


class Softmax(Function):
    @staticmethod
    def forward(ctx, a, dim):
        # softmax is unchanged by subtracting a constant; subtracting the max keeps exp() from overflowing. A row
        # that is all -inf (every position masked) has no max to subtract, -inf - -inf: its softmax is nan, as
        # in torch, without NumPy's warning.
        with ctx.device.quiet("invalid"):
            e = ctx.xp.exp(a - a.max(axis=dim, keepdims=True))
            out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        # ds_i/dx_j = s_i(δ_ij - s_j)  ⇒  dx = s ⊙ (g - Σ_j g_j s_j)  (the Jacobian is symmetric: jvp alike)
        return s * (grad - (grad * s).sum(axis=ctx.dim, keepdims=True))

    jvp = backward


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, a, dim):
        with ctx.device.quiet("invalid"):  # a row that is all -inf gives nan, as softmax's (and torch's)
            shifted = a - a.max(axis=dim, keepdims=True)
            out = shifted - ctx.xp.log(ctx.xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # d log s_i / dx_j = δ_ij - s_j  ⇒  dx = g - s Σ_i g_i
        return grad - ctx.xp.exp(out) * grad.sum(axis=ctx.dim, keepdims=True)

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        # d(log s_i) = dx_i - Σ_j s_j dx_j
        return t - (ctx.xp.exp(out) * t).sum(axis=ctx.dim, keepdims=True)
