"""torch's function forms of the elementwise Tensor methods: ``minigrad.exp(x)`` is ``x.exp()``,
``minigrad.add(x, y, alpha=2)`` is ``x.add(y, alpha=2)``. Each is a plain definition with the method's arguments
(the method in tensor_math.py or tensor_pointwise.py holds the docstring that says what it computes)."""

from __future__ import annotations

from .checks import check_tensor
from .tensor_math import deprecated_alpha_first


def abs(input):
    """``minigrad.abs(x, ...)`` is ``x.abs(...)``."""
    return check_tensor(input, "abs").abs()


def acos(input):
    """``minigrad.acos(x, ...)`` is ``x.acos(...)``."""
    return check_tensor(input, "acos").acos()


def add(input, other, *alpha_first, alpha=1):
    """input + alpha·other, as torch.add (with its deprecated ``add(input, alpha, other)``)."""
    other, alpha = deprecated_alpha_first("add", other, alpha_first, alpha)
    return check_tensor(input, "add").add(other, alpha=alpha)


def addcdiv(input, tensor1, tensor2, *value_first, value=1):
    """``minigrad.addcdiv(x, ...)`` is ``x.addcdiv(...)`` (with torch's deprecated value-first form too)."""
    return check_tensor(input, "addcdiv").addcdiv(tensor1, tensor2, *value_first, value=value)


def addcmul(input, tensor1, tensor2, *value_first, value=1):
    """``minigrad.addcmul(x, ...)`` is ``x.addcmul(...)`` (with torch's deprecated value-first form too)."""
    return check_tensor(input, "addcmul").addcmul(tensor1, tensor2, *value_first, value=value)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``minigrad.allclose(x, ...)`` is ``x.allclose(...)``."""
    return check_tensor(input, "allclose").allclose(other, rtol, atol, equal_nan)


def asin(input):
    """``minigrad.asin(x, ...)`` is ``x.asin(...)``."""
    return check_tensor(input, "asin").asin()


def atan(input):
    """``minigrad.atan(x, ...)`` is ``x.atan(...)``."""
    return check_tensor(input, "atan").atan()


def atan2(input, other):
    """``minigrad.atan2(x, ...)`` is ``x.atan2(...)``."""
    return check_tensor(input, "atan2").atan2(other)


def ceil(input):
    """``minigrad.ceil(x, ...)`` is ``x.ceil(...)``."""
    return check_tensor(input, "ceil").ceil()


def clamp(input, min=None, max=None):
    """``minigrad.clamp(x, ...)`` is ``x.clamp(...)``."""
    return check_tensor(input, "clamp").clamp(min, max)


def clamp_max(input, max):
    """``minigrad.clamp_max(x, ...)`` is ``x.clamp_max(...)``."""
    return check_tensor(input, "clamp_max").clamp_max(max)


def clamp_min(input, min):
    """``minigrad.clamp_min(x, ...)`` is ``x.clamp_min(...)``."""
    return check_tensor(input, "clamp_min").clamp_min(min)


def clone(input):
    """``minigrad.clone(x, ...)`` is ``x.clone(...)``."""
    return check_tensor(input, "clone").clone()


def cos(input):
    """``minigrad.cos(x, ...)`` is ``x.cos(...)``."""
    return check_tensor(input, "cos").cos()


def cosh(input):
    """``minigrad.cosh(x, ...)`` is ``x.cosh(...)``."""
    return check_tensor(input, "cosh").cosh()


def div(input, other, *, rounding_mode=None):
    """``minigrad.div(x, ...)`` is ``x.div(...)``."""
    return check_tensor(input, "div").div(other, rounding_mode=rounding_mode)


def eq(input, other):
    """``minigrad.eq(x, y)`` is ``x.eq(y)``: x == y elementwise, a boolean tensor."""
    return check_tensor(input, "eq").eq(other)


def equal(input, other):
    """``minigrad.equal(x, ...)`` is ``x.equal(...)``."""
    return check_tensor(input, "equal").equal(other)


def erf(input):
    """``minigrad.erf(x, ...)`` is ``x.erf(...)``."""
    return check_tensor(input, "erf").erf()


def exp(input):
    """``minigrad.exp(x, ...)`` is ``x.exp(...)``."""
    return check_tensor(input, "exp").exp()


def expm1(input):
    """``minigrad.expm1(x, ...)`` is ``x.expm1(...)``."""
    return check_tensor(input, "expm1").expm1()


def floor(input):
    """``minigrad.floor(x, ...)`` is ``x.floor(...)``."""
    return check_tensor(input, "floor").floor()


def fmod(input, other):
    """``minigrad.fmod(x, ...)`` is ``x.fmod(...)``."""
    return check_tensor(input, "fmod").fmod(other)


def frac(input):
    """``minigrad.frac(x, ...)`` is ``x.frac(...)``."""
    return check_tensor(input, "frac").frac()


def ge(input, other):
    """``minigrad.ge(x, y)`` is ``x.ge(y)``: x >= y elementwise, a boolean tensor."""
    return check_tensor(input, "ge").ge(other)


def gt(input, other):
    """``minigrad.gt(x, y)`` is ``x.gt(y)``: x > y elementwise, a boolean tensor."""
    return check_tensor(input, "gt").gt(other)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``minigrad.isclose(x, ...)`` is ``x.isclose(...)``."""
    return check_tensor(input, "isclose").isclose(other, rtol, atol, equal_nan)


def isfinite(input):
    """``minigrad.isfinite(x, ...)`` is ``x.isfinite(...)``."""
    return check_tensor(input, "isfinite").isfinite()


def isinf(input):
    """``minigrad.isinf(x, ...)`` is ``x.isinf(...)``."""
    return check_tensor(input, "isinf").isinf()


def isnan(input):
    """``minigrad.isnan(x, ...)`` is ``x.isnan(...)``."""
    return check_tensor(input, "isnan").isnan()


def le(input, other):
    """``minigrad.le(x, y)`` is ``x.le(y)``: x <= y elementwise, a boolean tensor."""
    return check_tensor(input, "le").le(other)


def lerp(input, end, weight):
    """``minigrad.lerp(x, ...)`` is ``x.lerp(...)``."""
    return check_tensor(input, "lerp").lerp(end, weight)


def log(input):
    """``minigrad.log(x, ...)`` is ``x.log(...)``."""
    return check_tensor(input, "log").log()


def log10(input):
    """``minigrad.log10(x, ...)`` is ``x.log10(...)``."""
    return check_tensor(input, "log10").log10()


def log1p(input):
    """``minigrad.log1p(x, ...)`` is ``x.log1p(...)``."""
    return check_tensor(input, "log1p").log1p()


def log2(input):
    """``minigrad.log2(x, ...)`` is ``x.log2(...)``."""
    return check_tensor(input, "log2").log2()


def log_softmax(input, dim):
    """``minigrad.log_softmax(x, ...)`` is ``x.log_softmax(...)``."""
    return check_tensor(input, "log_softmax").log_softmax(dim)


def logaddexp(input, other):
    """``minigrad.logaddexp(x, ...)`` is ``x.logaddexp(...)``."""
    return check_tensor(input, "logaddexp").logaddexp(other)


def logical_and(input, other):
    """``minigrad.logical_and(x, ...)`` is ``x.logical_and(...)``."""
    return check_tensor(input, "logical_and").logical_and(other)


def logical_not(input):
    """``minigrad.logical_not(x, ...)`` is ``x.logical_not(...)``."""
    return check_tensor(input, "logical_not").logical_not()


def logical_or(input, other):
    """``minigrad.logical_or(x, ...)`` is ``x.logical_or(...)``."""
    return check_tensor(input, "logical_or").logical_or(other)


def logical_xor(input, other):
    """``minigrad.logical_xor(x, ...)`` is ``x.logical_xor(...)``."""
    return check_tensor(input, "logical_xor").logical_xor(other)


def lt(input, other):
    """``minigrad.lt(x, y)`` is ``x.lt(y)``: x < y elementwise, a boolean tensor."""
    return check_tensor(input, "lt").lt(other)


def masked_fill(input, mask, value):
    """``minigrad.masked_fill(x, ...)`` is ``x.masked_fill(...)``."""
    return check_tensor(input, "masked_fill").masked_fill(mask, value)


def maximum(input, other):
    """``minigrad.maximum(x, ...)`` is ``x.maximum(...)``."""
    return check_tensor(input, "maximum").maximum(other)


def minimum(input, other):
    """``minigrad.minimum(x, ...)`` is ``x.minimum(...)``."""
    return check_tensor(input, "minimum").minimum(other)


def mul(input, other):
    """``minigrad.mul(x, ...)`` is ``x.mul(...)``."""
    return check_tensor(input, "mul").mul(other)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """``minigrad.nan_to_num(x, ...)`` is ``x.nan_to_num(...)``."""
    return check_tensor(input, "nan_to_num").nan_to_num(nan, posinf, neginf)


def ne(input, other):
    """``minigrad.ne(x, y)`` is ``x.ne(y)``: x != y elementwise, a boolean tensor."""
    return check_tensor(input, "ne").ne(other)


def neg(input):
    """``minigrad.neg(x, ...)`` is ``x.neg(...)``."""
    return check_tensor(input, "neg").neg()


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``minigrad.norm(x, ...)`` is ``x.norm(...)``."""
    return check_tensor(input, "norm").norm(p, dim, keepdim, dtype)


def reciprocal(input):
    """``minigrad.reciprocal(x, ...)`` is ``x.reciprocal(...)``."""
    return check_tensor(input, "reciprocal").reciprocal()


def relu(input):
    """``minigrad.relu(x, ...)`` is ``x.relu(...)``."""
    return check_tensor(input, "relu").relu()


def round(input, *, decimals=None):
    """``minigrad.round(x, ...)`` is ``x.round(...)``."""
    return check_tensor(input, "round").round(decimals=decimals)


def rsqrt(input):
    """``minigrad.rsqrt(x, ...)`` is ``x.rsqrt(...)``."""
    return check_tensor(input, "rsqrt").rsqrt()


def sigmoid(input):
    """``minigrad.sigmoid(x, ...)`` is ``x.sigmoid(...)``."""
    return check_tensor(input, "sigmoid").sigmoid()


def sign(input):
    """``minigrad.sign(x, ...)`` is ``x.sign(...)``."""
    return check_tensor(input, "sign").sign()


def sin(input):
    """``minigrad.sin(x, ...)`` is ``x.sin(...)``."""
    return check_tensor(input, "sin").sin()


def sinh(input):
    """``minigrad.sinh(x, ...)`` is ``x.sinh(...)``."""
    return check_tensor(input, "sinh").sinh()


def softmax(input, dim):
    """``minigrad.softmax(x, ...)`` is ``x.softmax(...)``."""
    return check_tensor(input, "softmax").softmax(dim)


def sqrt(input):
    """``minigrad.sqrt(x, ...)`` is ``x.sqrt(...)``."""
    return check_tensor(input, "sqrt").sqrt()


def square(input):
    """``minigrad.square(x, ...)`` is ``x.square(...)``."""
    return check_tensor(input, "square").square()


def sub(input, other, *alpha_first, alpha=1):
    """input - alpha·other, as torch.sub (with its deprecated ``sub(input, alpha, other)``)."""
    other, alpha = deprecated_alpha_first("sub", other, alpha_first, alpha)
    return check_tensor(input, "sub").sub(other, alpha=alpha)


def tan(input):
    """``minigrad.tan(x, ...)`` is ``x.tan(...)``."""
    return check_tensor(input, "tan").tan()


def tanh(input):
    """``minigrad.tanh(x, ...)`` is ``x.tanh(...)``."""
    return check_tensor(input, "tanh").tanh()


def trunc(input):
    """``minigrad.trunc(x, ...)`` is ``x.trunc(...)``."""
    return check_tensor(input, "trunc").trunc()


# torch's second names for some of them
absolute = abs
arccos = acos
arcsin = asin
arctan = atan
arctan2 = atan2
clip = clamp
negative = neg
