"""Elementwise ops: arithmetic, the functions of one value, and moving between devices and dtypes."""

from __future__ import annotations

from .. import backend
from ..engine import Function


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # d(a/b)/da = 1/b;  d(a/b)/db = -a/b²
        grad_a = grad / b
        return grad_a, (-grad_a * a / b) if ctx.needs_input_grad[1] else None


class Pow(Function):
    @staticmethod
    def forward(ctx, base, exponent):
        out = base ** exponent
        ctx.save_for_backward(base, exponent, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        base, exponent, out = ctx.saved_tensors
        need_base, need_exponent = ctx.needs_input_grad
        # d(b^e)/db = e·b^(e-1);  d(b^e)/de = b^e·ln b  (only asked for when the exponent is a tensor)
        grad_base = grad * exponent * base ** (exponent - 1) if need_base else None
        grad_exponent = grad * out * ctx.xp.log(base) if need_exponent else None
        return grad_base, grad_exponent


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out  # d(eˣ)/dx = eˣ


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a  # d(ln x)/dx = 1/x


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)  # d(tanh x)/dx = 1 - tanh²x


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        # σ(x) = 1/(1+e^-x) overflows e^-x for x ≪ 0. The same function is a shifted, scaled tanh,
        # σ(x) = (1 + tanh(x/2)) / 2, and tanh never overflows: stable at ±1000, and half the work of a
        # two-branch formula.
        out = ctx.xp.tanh(a * 0.5)
        out += 1
        out *= 0.5
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)  # dσ/dx = σ(1-σ)


class Relu(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a > 0)
        return ctx.xp.maximum(a, 0).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return grad * positive


class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)  # d√x/dx = 1/(2√x)


class Abs(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ctx.xp.sign(a)  # 0 at 0, as in torch


class Clamp(Function):
    @staticmethod
    def forward(ctx, a, min=None, max=None):
        xp = ctx.xp
        inside = xp.ones(a.shape, dtype=bool)
        out = a
        if min is not None:
            inside = inside & (a >= min)
            out = xp.maximum(out, min)
        if max is not None:
            inside = inside & (a <= max)
            out = xp.minimum(out, max)
        ctx.save_for_backward(inside)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside  # the gradient passes only where the input was not clipped


class Where(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return ctx.xp.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        zero = ctx.xp.zeros((), dtype=grad.dtype)
        need_a, need_b = ctx.needs_input_grad[1:]
        return (None,
                ctx.xp.where(condition, grad, zero) if need_a else None,
                ctx.xp.where(condition, zero, grad) if need_b else None)


class To(Function):
    @staticmethod
    def forward(ctx, a, device, dtype):
        return backend.transfer(a, device).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return backend.transfer(grad, ctx.device)  # the engine casts back to the input's dtype
