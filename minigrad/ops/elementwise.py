"""Elementwise ops: arithmetic, the functions of one value, and moving between devices and dtypes."""

from __future__ import annotations

import contextlib

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


NUMBERS = (int, float, bool)  # the Python numbers an op receives as constants (torch's scalars)


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        # each factor is kept for the other's gradient only: times a number, nothing of the tensor is kept, so it
        # may change in place before backward (torch keeps just as much)
        ctx.save_for_backward(None if type(b) in NUMBERS else a, None if type(a) in NUMBERS else b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return None if b is None else grad * b, None if a is None else grad * a

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return total(None if ta is None else ta * b, None if tb is None else a * tb)


class Div(Function):
    """a/b, which is ±inf or nan where b = 0 (and overflows where b is tiny), as torch gives it: the formulas run
    without NumPy's warnings about that."""

    QUIET = ("divide", "over", "invalid")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(None if type(b) in NUMBERS else a, b)  # (a is kept for b's gradient only)
        if type(b) in (int, float) and abs(b) >= 1:  # (mean's division by a count: nothing to quiet, nothing to pay)
            return a / b
        with ctx.device.quiet(*Div.QUIET):
            return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # d(a/b)/da = 1/b;  d(a/b)/db = -a/b²
        with ctx.device.quiet(*Div.QUIET):
            grad_a = grad / b
            return grad_a, (-grad_a * a / b) if ctx.needs_input_grad[1] else None

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        with ctx.device.quiet(*Div.QUIET):
            return total(None if ta is None else ta / b, None if tb is None else -tb * a / (b * b))


class Pow(Function):
    """base^exponent, which is ±inf at 0^(negative), nan for a negative base with a fractional exponent, and
    overflows for large results, as torch gives it (without NumPy's warnings)."""

    QUIET = ("divide", "over", "invalid")

    @staticmethod
    def forward(ctx, base, exponent):
        if type(exponent) is int and exponent >= 0:
            # repeated multiplication (a square, in mse and var): like mul, it can only overflow, and like mul's,
            # its forward pays for no quieting
            out = base ** exponent
        else:
            with ctx.device.quiet(*Pow.QUIET):
                out = base ** exponent
        ctx.save_for_backward(base, exponent, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        need_base, need_exponent = ctx.needs_input_grad
        with ctx.device.quiet(*Pow.QUIET):
            return (grad * Pow._by_base(ctx) if need_base else None,
                    grad * Pow._by_exponent(ctx) if need_exponent else None)

    @staticmethod
    def jvp(ctx, tb, te):
        with ctx.device.quiet(*Pow.QUIET):
            return total(None if tb is None else tb * Pow._by_base(ctx),
                         None if te is None else te * Pow._by_exponent(ctx))

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


class Binary(Function):
    """z = f(a, b) elementwise, whose two partial derivatives are expressions: ``backward`` and ``jvp`` are the chain
    rule (grad·∂z/∂a and grad·∂z/∂b; ta·∂z/∂a + tb·∂z/∂b). A subclass writes ``function(xp, a, b)`` and, beside it,
    ``slopes(xp, a, b)``, the pair (∂z/∂a, ∂z/∂b); ``QUIET`` as for Unary below."""

    QUIET = ()

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        with cls._quiet(ctx):
            return cls.function(ctx.xp, a, b)

    @classmethod
    def backward(cls, ctx, grad):
        need_a, need_b = ctx.needs_input_grad
        with cls._quiet(ctx):
            by_a, by_b = cls.slopes(ctx.xp, *ctx.saved_tensors)
            return grad * by_a if need_a else None, grad * by_b if need_b else None

    @classmethod
    def jvp(cls, ctx, ta, tb):
        with cls._quiet(ctx):
            by_a, by_b = cls.slopes(ctx.xp, *ctx.saved_tensors)
            return total(None if ta is None else ta * by_a, None if tb is None else tb * by_b)

    @classmethod
    def _quiet(cls, ctx):
        return ctx.device.quiet(*cls.QUIET) if cls.QUIET else contextlib.nullcontext()


class Maximum(Binary):
    """The larger of a and b, elementwise; where they tie, each gets half the gradient (torch's rule)."""

    function = staticmethod(lambda xp, a, b: xp.maximum(a, b))

    @staticmethod
    def slopes(xp, a, b):
        share_a = xp.where(a > b, 1.0, xp.where(a == b, 0.5, 0.0))
        return share_a, 1 - share_a


class Atan2(Binary):
    """atan2(a, b): the angle of the point (b, a) (b along the x axis), in [-π, π]."""

    QUIET = ("divide", "over", "invalid")
    function = staticmethod(lambda xp, a, b: xp.arctan2(a, b))

    @staticmethod
    def slopes(xp, a, b):
        # ∂/∂a = b/(a² + b²), ∂/∂b = -a/(a² + b²); torch takes 1/(a² + b²) as 0 at the origin (where the angle jumps),
        # so that the gradient there is 0 rather than 0·inf = nan
        squared = a * a + b * b
        shared = xp.where(squared == 0, 0.0, 1 / squared)
        return b * shared, -a * shared


class LogAddExp(Binary):
    """log(eᵃ + eᵇ) without overflow, as max(a, b) + log(1 + e^-|a - b|) (NumPy's logaddexp; like torch's, it is a
    itself where a = b = ±inf)."""

    QUIET = ("over", "invalid")
    function = staticmethod(lambda xp, a, b: xp.logaddexp(a, b))
    # ∂/∂a = eᵃ/(eᵃ + eᵇ) = 1/(1 + e^(b-a)), and ∂/∂b likewise: nan where a = b = ±inf, as in torch
    slopes = staticmethod(lambda xp, a, b: (1 / (1 + xp.exp(b - a)), 1 / (1 + xp.exp(a - b))))


class Fmod(Binary):
    """a - b·trunc(a/b), the remainder with the sign of a (C's fmod, torch.fmod), computed exactly; nan where b = 0.
    Between the jumps of the quotient q, a - b·q has ∂/∂a = 1 and ∂/∂b = -q (torch's convention at the jumps too)."""

    QUIET = ("divide", "invalid")
    function = staticmethod(lambda xp, a, b: xp.fmod(a, b))
    slopes = staticmethod(lambda xp, a, b: (1, -xp.trunc(a / b)))


class Remainder(Binary):
    """a - b·floor(a/b), the remainder with the sign of b (Python's %, torch.remainder): fmod's exact remainder,
    moved by b where its sign differs from b's (so a zero keeps fmod's sign: -4 mod 2 is -0.0, as in torch)."""

    QUIET = ("divide", "invalid")

    @staticmethod
    def function(xp, a, b):
        r = xp.fmod(a, b)
        return xp.where((r != 0) & ((b < 0) != (r < 0)), r + b, r)

    slopes = staticmethod(lambda xp, a, b: (1, -xp.floor_divide(a, b)))


class FloorDivide(Function):
    """floor(a/b) of the exact quotient, not of the rounded a/b (1 // 0.1 is 9, though 1/0.1 rounds to 10), as
    Python and torch compute it; ±inf or nan where b = 0. Piecewise constant: its derivative is zero."""

    QUIET = ("divide", "invalid")

    @staticmethod
    def forward(ctx, a, b):
        with ctx.device.quiet(*FloorDivide.QUIET):
            return ctx.xp.floor_divide(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.0, grad * 0.0

    @staticmethod
    def jvp(ctx, ta, tb):
        return total(None if ta is None else ta * 0.0, None if tb is None else tb * 0.0)


# --- functions of one value: y = f(x), dy/dx written beside ----------------------------------------------
class Unary(Function):
    """y = f(x) elementwise, whose derivative is one expression: ``backward`` and ``jvp`` are both the chain rule
    (grad · dy/dx, and tangent · dy/dx).

    A subclass writes the function and its derivative side by side: ``function(xp, x)``, and ``slope(xp, saved)``,
    dy/dx from the one array that forward saves. That is x, or y where the derivative reads best in it
    (``SAVES_OUTPUT``: d(eˣ)/dx = eˣ, d(tanh x)/dx = 1 - tanh²x). A function computed in a special way writes its
    own ``forward``, which saves what its ``slope`` reads.

    ``QUIET``: the floating-point events (see Device.quiet) the function meets at its singular points, where it
    and its derivative are ±inf or nan as in torch (and the chain rule meets 0·inf); its forward, backward and jvp
    compute there without NumPy's warnings. Empty for the functions that have none, which then pay nothing."""

    QUIET = ()
    SAVES_OUTPUT = False

    @staticmethod
    def function(xp, x):
        raise NotImplementedError

    @staticmethod
    def slope(xp, *saved):
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, a):
        if not cls.QUIET:
            out = cls.function(ctx.xp, a)
        else:
            with ctx.device.quiet(*cls.QUIET):
                out = cls.function(ctx.xp, a)
        ctx.save_for_backward(out if cls.SAVES_OUTPUT else a)
        return out

    @classmethod
    def backward(cls, ctx, grad):  # (and jvp: tangent · dy/dx)
        if not cls.QUIET:
            return grad * cls.slope(ctx.xp, *ctx.saved_tensors)
        with ctx.device.quiet(*cls.QUIET):
            return grad * cls.slope(ctx.xp, *ctx.saved_tensors)

    jvp = backward


class Exp(Unary):
    QUIET = ("over", "invalid")  # e^x overflows to inf above about 88.7 (float32), 709.8 (float64)
    SAVES_OUTPUT = True
    function = staticmethod(lambda xp, x: xp.exp(x))
    slope = staticmethod(lambda xp, y: y)  # d(eˣ)/dx = eˣ


class Log(Unary):
    QUIET = ("divide", "over", "invalid")  # ln 0 = -inf, ln of a negative is nan; 1/x is inf at 0
    function = staticmethod(lambda xp, x: xp.log(x))
    slope = staticmethod(lambda xp, x: 1 / x)  # d(ln x)/dx = 1/x


class Log1p(Unary):
    """log(1 + x), exact for tiny x (where 1 + x would round away x)."""

    QUIET = ("divide", "over", "invalid")  # -inf at -1, nan below
    function = staticmethod(lambda xp, x: xp.log1p(x))
    slope = staticmethod(lambda xp, x: 1 / (1 + x))


class Tanh(Unary):
    """The hottest op of the recurrent layers: its forward and backward are Unary's written out for tanh, which
    saves 0.4% of an RNN's training step (function and slope still serve jvp and read as the definition)."""

    SAVES_OUTPUT = True
    function = staticmethod(lambda xp, x: xp.tanh(x))
    slope = staticmethod(lambda xp, y: 1 - y * y)  # d(tanh x)/dx = 1 - tanh²x

    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Unary):
    @staticmethod
    def forward(ctx, a):
        # σ(x) = 1/(1+e^-x), accurate to the last bits in both tails: for x ≪ 0 it is 1/(huge), a tiny number
        # with full precision (the shifted tanh (1 + tanh(x/2))/2 would cancel to exactly 0 below about -17 in
        # float32). e^-x overflows to inf below about -88.7 (float32), where 1/inf = 0 is the right answer, so
        # that overflow is expected and not warned about.
        with ctx.device.quiet("over"):
            out = ctx.xp.exp(-a)
        out += 1  # (in place: one array fewer)
        out = 1 / out
        ctx.save_for_backward(out)
        return out

    slope = staticmethod(lambda xp, y: y * (1 - y))  # dσ/dx = σ(1-σ)


class LogSigmoid(Unary):
    """log σ(x) = -log(1 + e^-x), computed as min(x, 0) - log(1 + e^-|x|): no overflow anywhere, and exact in the
    tails (log σ(-20) is -20, where log of a sigmoid that rounded to 0 would be -inf)."""

    function = staticmethod(lambda xp, x: xp.minimum(x, 0) - xp.log1p(xp.exp(-abs(x))))

    @staticmethod
    def slope(xp, x):
        # d log σ(x)/dx = 1 - σ(x) = σ(-x); with z = e^-|x| that is z/(1+z) for x >= 0 and 1/(1+z) for x < 0
        z = xp.exp(-abs(x))
        return xp.where(x >= 0, z, 1.0) / (1 + z)


class Sqrt(Unary):
    QUIET = ("divide", "over", "invalid")  # √ of a negative is nan; 1/(2√x) is inf at 0
    SAVES_OUTPUT = True
    function = staticmethod(lambda xp, x: xp.sqrt(x))
    slope = staticmethod(lambda xp, y: 0.5 / y)  # d√x/dx = 1/(2√x)


def sign(xp, x):
    """torch's sign: -1, 0 or 1, and 0 at nan too (NumPy's is nan there)."""
    return xp.where(x == x, xp.sign(x), 0)


class Abs(Unary):
    function = staticmethod(lambda xp, x: abs(x))
    slope = staticmethod(sign)  # 0 at 0 (and at nan), as in torch


class Sin(Unary):
    QUIET = ("invalid",)  # sin ±inf is nan
    function = staticmethod(lambda xp, x: xp.sin(x))
    slope = staticmethod(lambda xp, x: xp.cos(x))


class Cos(Unary):
    QUIET = ("invalid",)  # cos ±inf is nan
    function = staticmethod(lambda xp, x: xp.cos(x))
    slope = staticmethod(lambda xp, x: -xp.sin(x))


class Sinh(Unary):
    QUIET = ("over", "invalid")  # overflows to ±inf for |x| above about 89 (float32)
    function = staticmethod(lambda xp, x: xp.sinh(x))
    slope = staticmethod(lambda xp, x: xp.cosh(x))


class Cosh(Unary):
    QUIET = ("over", "invalid")  # overflows to inf for |x| above about 89 (float32)
    function = staticmethod(lambda xp, x: xp.cosh(x))
    slope = staticmethod(lambda xp, x: xp.sinh(x))


class Erf(Unary):
    QUIET = ("over",)  # x² in the derivative overflows for huge x (where e^(-x²) is 0 all the same)
    function = staticmethod(lambda xp, x: xp.erf(x))
    slope = staticmethod(lambda xp, x: 1.1283791670955126 * xp.exp(-x * x))  # d erf(x)/dx = (2/√π)·e^(-x²)


class Expm1(Unary):
    """eˣ - 1, exact for tiny x (where eˣ would round to 1)."""

    QUIET = ("over",)  # overflows to inf above about 88.7 (float32), 709.8 (float64)
    SAVES_OUTPUT = True
    function = staticmethod(lambda xp, x: xp.expm1(x))
    slope = staticmethod(lambda xp, y: y + 1)  # d(eˣ - 1)/dx = eˣ


class Log2(Unary):
    QUIET = ("divide", "over", "invalid")  # -inf at 0, nan below; the slope is inf at 0
    function = staticmethod(lambda xp, x: xp.log2(x))
    slope = staticmethod(lambda xp, x: 1 / (x * 0.6931471805599453))  # d(log₂ x)/dx = 1/(x ln 2)


class Log10(Unary):
    QUIET = ("divide", "over", "invalid")  # -inf at 0, nan below; the slope is inf at 0
    function = staticmethod(lambda xp, x: xp.log10(x))
    slope = staticmethod(lambda xp, x: 1 / (x * 2.302585092994046))  # d(log₁₀ x)/dx = 1/(x ln 10)


class Reciprocal(Unary):
    """1/x: one node, where 1 / x would be a division with a constant (and a slope of two divisions)."""

    QUIET = ("divide", "over", "invalid")  # ±inf at 0; the slope overflows for tiny x
    SAVES_OUTPUT = True
    function = staticmethod(lambda xp, x: 1 / x)
    slope = staticmethod(lambda xp, y: -(y * y))  # d(1/x)/dx = -1/x²


class Rsqrt(Unary):
    """1/√x: one node, where it would be three (sqrt, a division and its constant)."""

    QUIET = ("divide", "over", "invalid")  # inf at 0, nan below 0
    SAVES_OUTPUT = True
    function = staticmethod(lambda xp, x: 1 / xp.sqrt(x))
    slope = staticmethod(lambda xp, y: -0.5 * (y * y * y))  # d(x^-½)/dx = -½·x^-3/2


class Tan(Unary):
    QUIET = ("over", "invalid")  # tan ±inf is nan; 1 + tan² overflows near the poles
    SAVES_OUTPUT = True
    function = staticmethod(lambda xp, x: xp.tan(x))
    slope = staticmethod(lambda xp, y: 1 + y * y)  # d(tan x)/dx = 1 + tan²x


class Atan(Unary):
    QUIET = ("over",)  # x² overflows for huge x (where the slope is 0 all the same)
    function = staticmethod(lambda xp, x: xp.arctan(x))
    slope = staticmethod(lambda xp, x: 1 / (1 + x * x))


class Asin(Unary):
    QUIET = ("divide", "invalid")  # nan outside [-1, 1]; the slope is inf at ±1
    function = staticmethod(lambda xp, x: xp.arcsin(x))
    slope = staticmethod(lambda xp, x: 1 / xp.sqrt(1 - x * x))  # d(asin x)/dx = 1/√(1 - x²)


class Acos(Unary):
    QUIET = ("divide", "invalid")  # nan outside [-1, 1]; the slope is -inf at ±1
    function = staticmethod(lambda xp, x: xp.arccos(x))
    slope = staticmethod(lambda xp, x: -1 / xp.sqrt(1 - x * x))  # d(acos x)/dx = -1/√(1 - x²)


class Relu(Unary):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(~(a <= 0))  # (torch lets the gradient through at nan, which is not <= 0)
        return ctx.xp.maximum(a, 0).astype(a.dtype, copy=False)

    slope = staticmethod(lambda xp, passes: passes)


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

    slope = staticmethod(lambda xp, inside: inside)  # the gradient passes only where the input was not clipped


class Rounding(Unary):
    """floor, ceil, trunc, round (half to even, at ``decimals`` places) or sign (``mode``): piecewise constant, so
    the derivative is zero wherever it exists (torch's convention at the jumps too)."""

    @staticmethod
    def forward(ctx, a, mode, decimals=0):
        if mode == "round":
            return ctx.xp.round(a, decimals)  # x·10^d rounded, then divided by 10^d: torch's arithmetic
        if mode == "sign":
            return sign(ctx.xp, a)
        return {"floor": ctx.xp.floor, "ceil": ctx.xp.ceil, "trunc": ctx.xp.trunc}[mode](a)

    slope = staticmethod(lambda xp: 0.0)  # (forward saves nothing)


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
        moved = ctx.xp.transfer(a, device)
        if a.dtype.kind == "f" and (dtype.kind != "f" or dtype.itemsize < a.dtype.itemsize):
            # to an integer, nan and ±inf have no value (torch gives what the cast gives); to a narrower float, a
            # large value overflows to ±inf
            with ctx.device.quiet("invalid", "over"):
                return moved.astype(dtype, copy=False)
        return moved.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.transfer(grad, ctx.device)  # the engine casts back to the input's dtype

    @staticmethod
    def jvp(ctx, t):
        device, dtype = ctx.target
        return ctx.xp.cast(ctx.xp.transfer(t, device), dtype)
