"""Elementwise ops: arithmetic, the functions of one value, and moving between devices and dtypes."""

from __future__ import annotations

from ..engine import Function
from .formulas import total


# --- arithmetic --------------------------------------------------------------------------------------------
class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    @staticmethod
    def jvp(ctx, ta, tb):
        return total(ta, tb)


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad

    @staticmethod
    def jvp(ctx, ta, tb):
        return total(ta, None if tb is None else -tb)


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return total(None if ta is None else ta * b, None if tb is None else a * tb)


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = a / b
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # d(a/b)/da = 1/b;  d(a/b)/db = -a/b²
        grad_a = grad / b
        return grad_a, (-grad_a * a / b) if ctx.needs_input_grad[1] else None

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return total(None if ta is None else ta / b, None if tb is None else -tb * a / (b * b))


class Pow(Function):
    @staticmethod
    def forward(ctx, base, exponent):
        out = base ** exponent
        ctx.save_for_backward(base, exponent, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        need_base, need_exponent = ctx.needs_input_grad
        return (grad * Pow._by_base(ctx) if need_base else None,
                grad * Pow._by_exponent(ctx) if need_exponent else None)

    @staticmethod
    def jvp(ctx, tb, te):
        return total(None if tb is None else tb * Pow._by_base(ctx), None if te is None else te * Pow._by_exponent(ctx))

    # The two partial derivatives, as torch defines them at the edges (computed there on a harmless stand-in, 1,
    # so that NumPy has nothing to warn about):
    @staticmethod
    def _by_base(ctx):
        # d(b^e)/db = e·b^(e-1), which is 0 where e = 0 (b^0 is the constant 1, even at b = 0)
        base, exponent, _ = ctx.saved_tensors
        xp = ctx.xp
        constant = exponent == 0
        return xp.where(constant, 0.0, exponent * base ** (xp.where(constant, 1.0, exponent) - 1))

    @staticmethod
    def _by_exponent(ctx):
        # d(b^e)/de = b^e·ln b, which is 0 where b = 0 and e >= 0 (0^e is constant there)
        base, exponent, out = ctx.saved_tensors
        xp = ctx.xp
        constant = (base == 0) & (exponent >= 0)
        return xp.where(constant, 0.0, out * xp.log(xp.where(constant, 1.0, base)))


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad

    @staticmethod
    def jvp(ctx, t):
        return -t


class Maximum(Function):
    """The larger of a and b, elementwise; where they tie, each gets half the gradient (torch's rule)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        share_a, share_b = Maximum._shares(ctx)
        return grad * share_a, grad * share_b

    @staticmethod
    def jvp(ctx, ta, tb):
        share_a, share_b = Maximum._shares(ctx)
        return total(None if ta is None else ta * share_a, None if tb is None else tb * share_b)

    @staticmethod
    def _shares(ctx):
        a, b = ctx.saved_tensors
        xp = ctx.xp
        share_a = xp.where(a > b, 1.0, xp.where(a == b, 0.5, 0.0))
        return share_a, 1 - share_a


# --- functions of one value: y = f(x), dy/dx written beside ----------------------------------------------
class Unary(Function):
    """An elementwise function whose derivative is one expression: ``backward`` and ``jvp`` are both the chain
    rule with ``derivative(ctx)``, dy/dx elementwise (grad · dy/dx, and tangent · dy/dx)."""

    @staticmethod
    def derivative(ctx):
        raise NotImplementedError

    @classmethod
    def backward(cls, ctx, grad):
        return grad * cls.derivative(ctx)

    @classmethod
    def jvp(cls, ctx, t):
        return t * cls.derivative(ctx)


class Exp(Unary):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(ctx):
        (out,) = ctx.saved_tensors
        return out  # d(eˣ)/dx = eˣ


class Log(Unary):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log(a)

    @staticmethod
    def derivative(ctx):
        (a,) = ctx.saved_tensors
        return 1 / a  # d(ln x)/dx = 1/x


class Log1p(Unary):
    """log(1 + x), exact for tiny x (where 1 + x would round away x)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log1p(a)

    @staticmethod
    def derivative(ctx):
        (a,) = ctx.saved_tensors
        return 1 / (1 + a)


class Tanh(Unary):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(ctx):
        (out,) = ctx.saved_tensors
        return 1 - out * out  # d(tanh x)/dx = 1 - tanh²x


class Sigmoid(Unary):
    @staticmethod
    def forward(ctx, a):
        # σ(x) = 1/(1+e^-x), accurate to the last bits in both tails: for x ≪ 0 it is 1/(huge), a tiny number
        # with full precision (the shifted tanh (1 + tanh(x/2))/2 would cancel to exactly 0 below about -17 in
        # float32). e^-x overflows to inf below about -88.7 (float32), where 1/inf = 0 is the right answer, so
        # that overflow is expected and not warned about.
        with ctx.device.overflow_expected():
            out = ctx.xp.exp(-a)
        out += 1  # (in place: one array fewer)
        out = 1 / out
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(ctx):
        (out,) = ctx.saved_tensors
        return out * (1 - out)  # dσ/dx = σ(1-σ)


class LogSigmoid(Unary):
    """log σ(x) = -log(1 + e^-x), computed as min(x, 0) - log(1 + e^-|x|): no overflow anywhere, and exact in the
    tails (log σ(-20) is -20, where log of a sigmoid that rounded to 0 would be -inf)."""

    @staticmethod
    def forward(ctx, a):
        xp = ctx.xp
        ctx.save_for_backward(a)
        return xp.minimum(a, 0) - xp.log1p(xp.exp(-abs(a)))

    @staticmethod
    def derivative(ctx):
        (a,) = ctx.saved_tensors
        xp = ctx.xp
        # d log σ(x)/dx = 1 - σ(x) = σ(-x); with z = e^-|x| that is z/(1+z) for x >= 0 and 1/(1+z) for x < 0
        z = xp.exp(-abs(a))
        return xp.where(a >= 0, z, 1.0) / (1 + z)


class Sqrt(Unary):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def derivative(ctx):
        (out,) = ctx.saved_tensors
        return 0.5 / out  # d√x/dx = 1/(2√x)


class Abs(Unary):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return abs(a)

    @staticmethod
    def derivative(ctx):
        (a,) = ctx.saved_tensors
        return ctx.xp.sign(a)  # 0 at 0, as in torch


class Sin(Unary):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.sin(a)

    @staticmethod
    def derivative(ctx):
        (a,) = ctx.saved_tensors
        return ctx.xp.cos(a)


class Cos(Unary):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.cos(a)

    @staticmethod
    def derivative(ctx):
        (a,) = ctx.saved_tensors
        return -ctx.xp.sin(a)


class Sinh(Unary):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.sinh(a)

    @staticmethod
    def derivative(ctx):
        (a,) = ctx.saved_tensors
        return ctx.xp.cosh(a)


class Cosh(Unary):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.cosh(a)

    @staticmethod
    def derivative(ctx):
        (a,) = ctx.saved_tensors
        return ctx.xp.sinh(a)


class Erf(Unary):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.erf(a)

    @staticmethod
    def derivative(ctx):
        (a,) = ctx.saved_tensors
        return 1.1283791670955126 * ctx.xp.exp(-a * a)  # d erf(x)/dx = (2/√π)·e^(-x²)


class Relu(Unary):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a > 0)
        return ctx.xp.maximum(a, 0).astype(a.dtype, copy=False)

    @staticmethod
    def derivative(ctx):
        (positive,) = ctx.saved_tensors
        return positive


class Clamp(Unary):
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
    def derivative(ctx):
        (inside,) = ctx.saved_tensors
        return inside  # the gradient passes only where the input was not clipped


class Rounding(Unary):
    """floor, ceil, trunc or round (``mode``): piecewise constant, so the derivative is zero wherever it exists
    (torch's convention at the jumps too)."""

    @staticmethod
    def forward(ctx, a, mode):
        return {"floor": ctx.xp.floor, "ceil": ctx.xp.ceil, "trunc": ctx.xp.trunc, "round": ctx.xp.round}[mode](a)

    @staticmethod
    def derivative(ctx):
        return 0.0


# --- choosing and converting --------------------------------------------------------------------------------
class Where(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return ctx.xp.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        xp = ctx.xp
        need_a, need_b = ctx.needs_input_grad[1:]
        return (None,
                xp.where(condition, grad, 0.0) if need_a else None,
                xp.where(condition, 0.0, grad) if need_b else None)

    @staticmethod
    def jvp(ctx, _, ta, tb):
        (condition,) = ctx.saved_tensors
        if ta is None and tb is None:
            return None
        return ctx.xp.where(condition, 0.0 if ta is None else ta, 0.0 if tb is None else tb)


class To(Function):
    @staticmethod
    def forward(ctx, a, device, dtype):
        ctx.target = (device, dtype)
        return ctx.xp.transfer(a, device).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.transfer(grad, ctx.device)  # the engine casts back to the input's dtype

    @staticmethod
    def jvp(ctx, t):
        device, dtype = ctx.target
        return ctx.xp.cast(ctx.xp.transfer(t, device), dtype)
