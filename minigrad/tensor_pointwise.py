"""More of Tensor's elementwise math, as torch has it: rounding, division with a remainder, the functions of real
numbers beyond exp and log, interpolation, the multiply-adds that optimizers use, logic and closeness; each with its
in-place form where torch has one.

A mixin, the base of ``Math`` (tensor_math.py), written apart so that each module stays short. As there, a method
checks the user's arguments and calls a primitive op of ops/elementwise.py, or composes other methods, whose gradients
it then has for free. In-place forms are made by ``in_place``: each goes through Tensor._inplace, the one door of
in-place changes (version counters, and the graph moved onto the op).
"""

from __future__ import annotations

import numbers
import warnings

from . import backend, ops
from .checks import broadcast_shapes, is_number, type_name
from .tensor_base import TensorBase



def in_place(name: str, cast: bool = False):
    """The in-place form of the method ``name``: ``t.name_(...)`` writes ``t.name(...)`` into t and returns t.
    ``cast``: the result may be of a higher dtype category, written in t's own (a comparison writes 1 and 0)."""
    def method(self, *args, **kwargs):
        return self._inplace(name + "_", lambda t: getattr(t, name)(*args, **kwargs), *args, *kwargs.values(),
                             cast=cast)
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"``t.{name}_(...)`` is ``t.{name}(...)`` written into t, in place."
    return method


def _of_reals(op, doc: str | None = None):
    """The method (named as the primitive ``op``, in lower case) that applies ``op`` to the tensor, cast first to the
    default float if it holds integers or bools (torch: tan of an integer tensor is a float tensor)."""
    def method(self):
        return self._apply(op, self._floating())
    method.__name__ = method.__qualname__ = op.__name__.lower()
    method.__doc__ = doc
    return method


def check_kernel(tensor, op: str, kinds: str) -> None:
    """torch has no kernel of some ops for some dtypes (frac of integers, floor of bools) and raises
    NotImplementedError: so does minigrad, for a tensor whose dtype kind is not one of ``kinds``."""
    if tensor.dtype.kind not in kinds:
        raise NotImplementedError(f"{op}: not implemented for {tensor.dtype} tensors")


class Pointwise(TensorBase):
    __slots__ = ()

    # --- rounding: piecewise constant, so zero gradients -------------------------------------------------
    def _rounded(self, mode: str, decimals=None):
        """floor, ceil, trunc or round: a copy for integers (already whole), an op of zero gradient for floats."""
        check_kernel(self, mode, "fiu" if decimals is None else "f")
        if self.dtype.kind != "f":
            return self.clone()
        return self._apply(ops.Rounding, self, mode=mode, decimals=decimals or 0)

    def floor(self):
        return self._rounded("floor")

    def ceil(self):
        return self._rounded("ceil")

    def trunc(self):
        return self._rounded("trunc")

    def round(self, *, decimals=None):
        """Round half to even (2.5 to 2), at ``decimals`` places (negative: to tens, hundreds, ...), as torch.round,
        which takes ``decimals`` for floating-point tensors only."""
        return self._rounded("round", decimals)

    def frac(self):
        """self - trunc(self): the fractional part, with self's sign; its gradient is 1."""
        check_kernel(self, "frac", "f")
        return self - self.trunc()

    def sign(self):
        """-1, 0 or 1 elementwise (a bool stays itself); its gradient is zero."""
        return self.clone() if self.dtype == backend.bool_ else self._apply(ops.Rounding, self, mode="sign")

    # --- division with a remainder -----------------------------------------------------------------------
    def floor_divide(self, other):
        """floor(self/other) of the exact quotient, as torch.floor_divide and Python's ``//`` (1 // 0.1 is 9, though
        1/0.1 rounds to 10). Its gradient is zero, as torch's div(rounding_mode='floor') has it (torch's
        floor_divide has none: its backward raises)."""
        return self._rounding_division(ops.FloorDivide, other, "floor_divide")

    def fmod(self, other):
        """The remainder of self/other with the sign of self (C's fmod), exact; d/dself = 1 and
        d/dother = -trunc(self/other), as torch has them."""
        return self._rounding_division(ops.Fmod, other, "fmod")

    def remainder(self, other):
        """The remainder of self/other with the sign of other (Python's ``%``), exact; d/dself = 1 and
        d/dother = -floor(self/other), as torch has them."""
        return self._rounding_division(ops.Remainder, other, "remainder")

    __mod__ = remainder

    def __rmod__(self, other):
        return self._rounding_division(ops.Remainder, other, "remainder", reflected=True)

    def __rfloordiv__(self, other):
        return self._rounding_division(ops.FloorDivide, other, "floor_divide", reflected=True)

    def _rounding_division(self, function, other, op: str, reflected=False):
        """``function`` (floor division, fmod, remainder) of self by other (of other by self when ``reflected``), in
        the promoted dtype, where integers stay integers."""
        self._check_integer_division(other, op, reflected)
        return self._binary(function, other, op, reflected)

    def _check_integer_division(self, other, op: str, reflected=False) -> None:
        """torch's errors for a division of integers: none of bools, and none by zero (NumPy would warn and give 0)."""
        kinds = {self.dtype.kind, getattr(other, "dtype", backend.scalar_dtype(other)).kind}
        if kinds == {"b"}:
            raise NotImplementedError(f"{op}: not implemented for bool tensors")
        divisor = self if reflected else other
        if "f" not in kinds and bool((self.device.xp.asarray(getattr(divisor, "_array", divisor)) == 0).any()):
            raise RuntimeError(f"ZeroDivisionError: {op}: integer division by zero; expected a divisor without "
                               "zeros (torch raises here too)")

    # --- functions of real numbers, one primitive each ----------------------------------------------------
    expm1 = _of_reals(ops.Expm1, "eˣ - 1, exact for tiny x (where eˣ rounds to 1).")
    log2 = _of_reals(ops.Log2)
    log10 = _of_reals(ops.Log10)
    tan = _of_reals(ops.Tan)
    reciprocal = _of_reals(ops.Reciprocal, "1/x.")
    rsqrt = _of_reals(ops.Rsqrt, "1/√x.")
    atan = arctan = _of_reals(ops.Atan)
    asin = arcsin = _of_reals(ops.Asin)
    acos = arccos = _of_reals(ops.Acos)

    def square(self):
        """self², which keeps integers integers (and makes bools int64, as torch does)."""
        return (self.to(backend.int64) if self.dtype == backend.bool_ else self) ** 2

    def atan2(self, other):
        """The angle of the point (other, self), in [-π, π] (integers give the default float)."""
        self._check_comparable(other, "atan2")
        return self._binary(ops.Atan2, other, "atan2", floating=True)

    arctan2 = atan2

    def logaddexp(self, other):
        """log(e^self + e^other), without overflow."""
        self._check_comparable(other, "logaddexp")
        if self.dtype.kind != "f" and other.dtype.kind != "f":
            raise NotImplementedError(f"logaddexp: not implemented for {self.dtype} and {other.dtype} tensors")
        return self._binary(ops.LogAddExp, other, "logaddexp")

    # --- combinations ------------------------------------------------------------------------------------
    def lerp(self, end, weight):
        """self + weight·(end - self), computed from the nearer end as torch computes it (end - (end - self)·(1 -
        weight) where |weight| >= 0.5, so that weight 1 gives end exactly); ``weight`` a number or a tensor."""
        check_kernel(self, "lerp", "f")
        if not isinstance(end, TensorBase):
            raise TypeError(f"lerp(): argument 'end' (position 1) must be Tensor, not {type_name(end)}")
        for name, value in (("end", end), ("weight", weight)):
            if isinstance(value, TensorBase) and value.dtype != self.dtype and (value.ndim or name == "end"):
                raise RuntimeError(f"lerp: expected dtype {self.dtype} for `{name}` but got dtype {value.dtype}")
        span = end - self
        if not isinstance(weight, TensorBase):
            if not isinstance(weight, numbers.Real):
                raise TypeError(f"lerp: expected weight to be a number or a Tensor, got {type_name(weight)}")
            return self + weight * span if abs(weight) < 0.5 else end - span * (1 - weight)
        weight = weight.to(self.dtype)  # (a 0-d weight of another dtype is taken, as torch takes it)
        return (self + weight * span).where(weight.abs() < 0.5, end - span * (1 - weight))

    def addcmul(self, tensor1, tensor2, *value_first, value=1):
        """self + value·tensor1·tensor2 (torch.addcmul; also its deprecated ``addcmul(value, tensor1, tensor2)``)."""
        return self._add_scaled("addcmul", (tensor1, tensor2, *value_first), value)

    def addcdiv(self, tensor1, tensor2, *value_first, value=1):
        """self + value·tensor1/tensor2 (torch.addcdiv; also its deprecated ``addcdiv(value, tensor1, tensor2)``)."""
        return self._add_scaled("addcdiv", (tensor1, tensor2, *value_first), value)

    def addcmul_(self, tensor1, tensor2, *value_first, value=1):
        return self._add_scaled("addcmul_", (tensor1, tensor2, *value_first), value)

    def addcdiv_(self, tensor1, tensor2, *value_first, value=1):
        return self._add_scaled("addcdiv_", (tensor1, tensor2, *value_first), value)

    def _add_scaled(self, op: str, given: tuple, value):
        """addcmul, addcdiv and their in-place forms: self + (value·tensor1)·tensor2 or self + (value·tensor1)/tensor2,
        in torch's order, in the dtype the three tensors promote to (value truncated if that is an integer dtype)."""
        from .tensor_math import promoted  # (tensor_math builds on this module)
        (tensor1, tensor2), value = deprecated_scale_first(op, given, ("tensor1", "tensor2"), "value", value)
        if op.endswith("_"):
            return self._inplace(op, lambda t: t._add_scaled(op[:-1], (tensor1, tensor2), value), tensor1, tensor2)
        for name, t in (("tensor1", tensor1), ("tensor2", tensor2)):
            if not isinstance(t, TensorBase):
                raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type_name(t)}")
        if op == "addcdiv" and tensor1.dtype.kind != "f" and tensor2.dtype.kind != "f":
            raise RuntimeError("addcdiv: integer division with addcdiv is no longer supported; expected a "
                               f"floating-point tensor1 or tensor2, got {tensor1.dtype} and {tensor2.dtype}")
        broadcast_shapes(self.shape, tensor1.shape, tensor2.shape, op=op)
        start, tensor1, tensor2 = promoted(self, tensor1, tensor2)
        if start.dtype.kind != "f" and isinstance(value, float):
            value = int(value)
        scaled = value * tensor1
        return start + (scaled * tensor2 if op == "addcmul" else scaled / tensor2)

    def clamp_min(self, min):
        return self.clamp(min=min)

    def clamp_max(self, max):
        return self.clamp(max=max)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        """nan, inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and the dtype's largest and
        smallest values); the replaced elements get no gradient. Integers and bools come back as they are."""
        if self.dtype.kind != "f":
            return self.clone()
        replaced = self.device.xp.nan_to_num(self._array, nan=nan, posinf=posinf, neginf=neginf)
        return self.where(self.isfinite(), self._make(replaced))

    # --- logic and closeness: boolean tensors, which carry no gradient -----------------------------------
    def logical_and(self, other):
        """Where both are nonzero (a nan is nonzero), as torch.logical_and."""
        self._check_comparable(other, "logical_and")
        return (self != 0) & (other != 0)

    def logical_or(self, other):
        self._check_comparable(other, "logical_or")
        return (self != 0) | (other != 0)

    def logical_xor(self, other):
        self._check_comparable(other, "logical_xor")
        return (self != 0) ^ (other != 0)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """Where |self - other| <= atol + rtol·|other|, elementwise (broadcast), as torch.isclose: an infinity is close
        only to itself, a nan only with ``equal_nan``; one dtype, computed in it (integers in the default float)."""
        self._check_comparable(other, "isclose")
        if other.dtype != self.dtype:
            raise RuntimeError(f"isclose: expected tensors of one dtype, got {self.dtype} and {other.dtype}")
        if rtol < 0 or atol < 0:
            raise RuntimeError(f"isclose: expected rtol and atol >= 0, got rtol={rtol}, atol={atol}")
        a, b = self.detach(), other.detach()
        close = a == b
        if equal_nan and a.dtype.kind == "f":
            close = close | (a.isnan() & b.isnan())
        if rtol == 0 and atol == 0:
            return close
        a, b = a._floating(), b._floating()
        with self.device.quiet("invalid", "over"):  # (inf - inf and 0·inf are nan, which is not close, as in torch)
            error = (a - b).abs()
            return close | (error.isfinite() & (error <= atol + (rtol * b).abs()))

    # --- in place ----------------------------------------------------------------------------------------
    neg_ = negative_ = in_place("neg")
    abs_ = absolute_ = in_place("abs")
    sign_ = in_place("sign")
    floor_ = in_place("floor")
    ceil_ = in_place("ceil")
    trunc_ = in_place("trunc")
    round_ = in_place("round")
    frac_ = in_place("frac")
    square_ = in_place("square")
    sqrt_ = in_place("sqrt")
    true_divide_ = in_place("true_divide")
    floor_divide_ = in_place("floor_divide")
    fmod_ = in_place("fmod")
    remainder_ = in_place("remainder")
    reciprocal_ = in_place("reciprocal")
    rsqrt_ = in_place("rsqrt")
    expm1_ = in_place("expm1")
    log2_ = in_place("log2")
    log10_ = in_place("log10")
    tan_ = in_place("tan")
    atan_ = arctan_ = in_place("atan")
    asin_ = arcsin_ = in_place("asin")
    acos_ = arccos_ = in_place("acos")
    atan2_ = arctan2_ = in_place("atan2")
    lerp_ = in_place("lerp")
    clamp_min_ = in_place("clamp_min")
    clamp_max_ = in_place("clamp_max")
    nan_to_num_ = in_place("nan_to_num")
    logical_and_ = in_place("logical_and", cast=True)
    logical_or_ = in_place("logical_or", cast=True)
    logical_xor_ = in_place("logical_xor", cast=True)
    logical_not_ = in_place("logical_not", cast=True)


def deprecated_scale_first(op: str, given: tuple, names: tuple, scale_name: str, scale):
    """(tensors, scale) of a call to an op that takes the tensors ``names`` and a keyword-only scale (add's alpha,
    addcdiv's value), or, in torch's deprecated overload still found in older tutorials and optimizers,
    ``op(scale, *tensors)`` with a number first: that form works with torch's warning; any other extra positional
    argument is refused, as torch refuses it."""
    if len(given) == len(names):
        return given, scale
    if len(given) > len(names) + 1 or not is_number(given[0]):
        raise TypeError(f"{op}() takes {len(names)} positional argument{'s' * (len(names) > 1)} but {len(given)} were "
                        f"given (expected {op}({', '.join(names)}, *, {scale_name}=1), or the deprecated "
                        f"{op}({scale_name}, {', '.join(names)}) with a number {scale_name}; got a "
                        f"{type_name(given[0])} first)")
    tensors = ", ".join(f"Tensor {name}" for name in names)
    warnings.warn(f"This overload of {op} is deprecated:\n\t{op}(Number {scale_name}, {tensors})\nConsider using one "
                  f"of the following signatures instead:\n\t{op}({tensors}, *, Number {scale_name} = 1)", UserWarning,
                  stacklevel=4)
    return given[1:], given[0]
