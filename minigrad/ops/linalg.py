"""Matrix products: matmul with NumPy's rules, and the fused linear layer."""

from __future__ import annotations

from ..engine import Function


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if a.ndim > 2 and b.ndim == 2:  # a stack of rows times one matrix is one matrix product
            return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + b.shape[-1:])
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        xp = ctx.xp
        need_a, need_b = ctx.needs_input_grad
        # C = A B  ⇒  dA = dC Bᵀ,  dB = Aᵀ dC
        if a.ndim > 2 and b.ndim == 2:  # as in forward: one product over all leading axes, no broadcast copies
            flat_grad = grad.reshape(-1, grad.shape[-1])
            return ((flat_grad @ b.T).reshape(a.shape) if need_a else None,
                    a.reshape(-1, a.shape[-1]).T @ flat_grad if need_b else None)
        # A vector operand is a matrix with one row (a) or one column (b) whose extra axis the product dropped:
        # put the axes back, use the matrix rule, then drop them again. Broadcast batch axes of the matrices are
        # summed back by the engine.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:
            grad = xp.expand_dims(grad, -1)
        if a.ndim == 1:
            grad = xp.expand_dims(grad, -2)
        grad_a = grad @ xp.swapaxes(b2, -1, -2) if need_a else None
        grad_b = xp.swapaxes(a2, -1, -2) @ grad if need_b else None
        if a.ndim == 1 and need_a:
            grad_a = grad_a[..., 0, :]
        if b.ndim == 1 and need_b:
            grad_b = grad_b[..., 0]
        return grad_a, grad_b


class Linear(Function):
    """y = x Wᵀ + b for x of shape (..., in): one node and one matrix product for all the leading axes.

    The layer every network is made of, fused into one op because it runs at every time step of a recurrence.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        flat = x.reshape(-1, x.shape[-1])
        ctx.save_for_backward(flat, weight)
        ctx.shape = x.shape
        out = flat @ weight.T
        if bias is not None:
            out += bias
        return out.reshape(x.shape[:-1] + weight.shape[:1])

    @staticmethod
    def backward(ctx, grad):
        flat, weight = ctx.saved_tensors
        flat_grad = grad.reshape(-1, weight.shape[0])
        need = ctx.needs_input_grad
        # y = x Wᵀ + b  ⇒  dx = dy W,  dW = dyᵀ x,  db = dy summed over the rows (by the engine's unbroadcast,
        # as for any broadcast operand)
        return ((flat_grad @ weight).reshape(ctx.shape) if need[0] else None,
                flat_grad.T @ flat if need[1] else None) + ((grad,) if len(need) == 3 else ())
