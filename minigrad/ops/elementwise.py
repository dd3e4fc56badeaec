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
        xp = ctx.xp
        # d(b^e)/db = e·b^(e-1), which is 0 where e = 0 (b^0 is the constant 1, even at b = 0: 0·0^-1 would be NaN);
        # d(b^e)/de = b^e·ln b, which is 0 where b = 0 and e >= 0 (0^e is constant there; 0·ln 0 would be NaN).
        # Both as torch defines them.
        # (The excluded places are computed with a harmless stand-in, 1, so that NumPy has nothing to warn about.)
        grad_base = grad_exponent = None
        if need_base:
            constant = exponent == 0
            grad_base = xp.where(constant, 0.0, grad * exponent * base ** (xp.where(constant, 1, exponent) - 1))
        if need_exponent:
            constant = (base == 0) & (exponent >= 0)
            grad_exponent = xp.where(constant, 0.0, grad * out * xp.log(xp.where(constant, 1, base)))
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
        # σ(x) = 1/(1+e^-x), accurate to the last bits in both tails: for x ≪ 0 it is 1/(huge), a tiny number
        # with full precision (the shifted tanh (1 + tanh(x/2))/2 would cancel to exactly 0 below about -17 in
        # float32). e^-x overflows to inf below about -88.7 (float32), where 1/inf = 0 is the right answer, so
        # that overflow is expected and not warned about.
        with ctx.device.overflow_expected():
            out = 1 / (1 + ctx.xp.exp(-a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)  # dσ/dx = σ(1-σ)


class LogSigmoid(Function):
    """log σ(x) = -log(1 + e^-x), computed as min(x, 0) - log(1 + e^-|x|): no overflow anywhere, and exact in the
    tails (log σ(-20) is -20, where log of a sigmoid that rounded to 0 would be -inf)."""

    @staticmethod
    def forward(ctx, a):
        xp = ctx.xp
        ctx.save_for_backward(a)
        return xp.minimum(a, 0) - xp.log1p(xp.exp(-abs(a)))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        xp = ctx.xp
        # d log σ(x)/dx = 1 - σ(x) = σ(-x); with z = e^-|x| that is z/(1+z) for x >= 0 and 1/(1+z) for x < 0
        z = xp.exp(-abs(a))
        return grad * xp.where(a >= 0, z, 1.0) / (1 + z)


class Rounding(Function):
    """floor, ceil, trunc or round (``mode``): piecewise constant, so the gradient is zero everywhere it exists
    (torch's convention at the jumps too)."""

    @staticmethod
    def forward(ctx, a, mode):
        return {"floor": ctx.xp.floor, "ceil": ctx.xp.ceil, "trunc": ctx.xp.trunc, "round": ctx.xp.round}[mode](a)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


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
