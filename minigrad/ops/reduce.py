"""Reductions: sums, maxima, and the softmax family (a normalisation along one dimension)."""

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


class Max(Function):
    """The largest value over ``dim`` (all axes when None); tied maxima share the gradient equally.

    ``nan_is_max``: a NaN is the maximum (torch's ``max()``: the gradient goes to the NaN); otherwise (``amax``) a
    NaN result matches no element and its gradient is NaN too, as in torch.
    """

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, nan_is_max=False):
        out = a.max(axis=dim, keepdims=True)
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.keepdim, ctx.nan_is_max = dim, keepdim, nan_is_max
        return out if keepdim else out.squeeze(axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        is_max = a == out
        if ctx.nan_is_max:
            is_max = is_max | (ctx.xp.isnan(a) & ctx.xp.isnan(out))
        grad = grad.reshape(out.shape)
        return grad * is_max / is_max.sum(axis=ctx.dim, keepdims=True)


class Softmax(Function):
    @staticmethod
    def forward(ctx, a, dim):
        # softmax is unchanged by subtracting a constant; subtracting the max keeps exp() from overflowing
        e = ctx.xp.exp(a - a.max(axis=dim, keepdims=True))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        # ds_i/dx_j = s_i(δ_ij - s_j)  ⇒  dx = s ⊙ (g - Σ_j g_j s_j)
        return s * (grad - (grad * s).sum(axis=ctx.dim, keepdims=True))


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, a, dim):
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
