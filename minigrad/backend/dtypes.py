"""dtypes: NumPy's dtype objects (CuPy shares them), torch's names for them, and torch's promotion rules."""

from __future__ import annotations

import numbers
import types

import numpy as np

# --- dtypes ------------------------------------------------------------------------------------------------
# CuPy uses NumPy's dtype objects, so one set of dtypes serves every device.
float16, float32, float64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
int8, int16, int32, int64 = np.dtype("int8"), np.dtype("int16"), np.dtype("int32"), np.dtype("int64")
uint8, bool_ = np.dtype("uint8"), np.dtype("bool")
DType = np.dtype  # the class of them all: isinstance(x.dtype, minigrad.dtype), as torch.dtype

# The names `minigrad.<name>` gives, with torch's aliases (minigrad.float is float32, minigrad.long int64, ...).
DTYPE_NAMES = {
    "float16": float16, "half": float16, "float32": float32, "float": float32, "float64": float64,
    "double": float64, "int8": int8, "int16": int16, "short": int16, "int32": int32, "int": int32, "int64": int64,
    "long": int64, "uint8": uint8, "bool": bool_,
}

_default_dtype = float32


def as_dtype(dtype) -> np.dtype:
    """Normalise anything naming a numeric dtype (np.float64, minigrad.float64, 'float64') to a dtype object."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"expected a dtype such as minigrad.float32, got {dtype!r}") from None
    if result.kind not in "biuf":
        raise TypeError(f"expected a boolean, integer or floating dtype, got {result}")
    return result


def is_floating(dtype) -> bool:
    return np.dtype(dtype).kind == "f"


def get_default_dtype() -> np.dtype:
    """The floating dtype of tensors made from Python floats (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Set the floating dtype used for tensors made from Python floats, e.g. ``set_default_dtype(float64)``."""
    global _default_dtype
    dtype = as_dtype(dtype)
    if not is_floating(dtype):
        raise TypeError(f"the default dtype must be a floating dtype, got {dtype}")
    _default_dtype = dtype


def category(dtype) -> int:
    """0 for bool, 1 for integers, 2 for floats: the order in which torch's type promotion climbs."""
    return {"b": 0, "i": 1, "u": 1, "f": 2}[dtype.kind]


def promote_types(a, b) -> np.dtype:
    """The dtype both operands become, by torch's table: within a category the wider type (NumPy's rule, which
    agrees for bool, ints and floats); across categories the higher category's type (int64 with float16 is
    float16, where NumPy would say float64)."""
    if category(a) != category(b):
        return a if category(a) > category(b) else b
    return np.promote_types(a, b)


def result_type(tensors=(), zero_dim=(), scalars=()) -> np.dtype:
    """The dtype of an op's result, by torch's rules. Operands come in three ranks: tensors with dimensions,
    zero-dimensional tensors, and Python numbers (whose dtype is bool, int64 or the default float). A lower rank
    changes the result only by lifting it to a higher category: float32 tensor × float64 0-d tensor is float32,
    int tensor × 2.5 is the default float."""
    def combine(higher, lower):  # torch's combine_categories: the higher rank wins unless lower lifts its category
        if higher is None or lower is None:
            return lower if higher is None else higher
        if category(higher) == 2:
            return higher
        if category(higher) == 0 or category(lower) == 2:
            return promote_types(higher, lower)
        return higher

    def promoted(dtypes):
        result = None
        for dtype in dtypes:
            result = dtype if result is None else promote_types(result, dtype)
        return result

    return combine(promoted(tensors), combine(promoted(zero_dim), promoted(scalars)))


class Limits(types.SimpleNamespace):
    """A dtype's limits as Python numbers (torch's finfo and iinfo hold Python floats and ints, not NumPy scalars,
    which would take part in type promotion differently)."""

    def __repr__(self):
        fields = ", ".join(f"{name}={value:.6g}" if isinstance(value, float) else f"{name}={value}"
                           for name, value in vars(self).items() if not name.startswith("_"))
        return f"{self._kind}({fields})"


def finfo(dtype=None) -> Limits:
    """The limits of a floating dtype (``eps``, ``min``, ``max``, ``tiny``, ...; the default dtype's without one),
    as torch.finfo gives them."""
    dtype = _default_dtype if dtype is None else as_dtype(dtype)
    if not is_floating(dtype):
        raise TypeError(f"finfo: expected a floating dtype, got {dtype}")
    info = np.finfo(dtype)
    return Limits(_kind="finfo", bits=info.bits, resolution=10.0 ** -info.precision, min=float(info.min),
                  max=float(info.max), eps=float(info.eps), smallest_normal=float(info.smallest_normal),
                  tiny=float(info.tiny), dtype=str(dtype))


def iinfo(dtype) -> Limits:
    """The limits of an integer dtype (``min``, ``max``, ``bits``), as torch.iinfo gives them."""
    dtype = as_dtype(dtype)
    if dtype.kind not in "iu":
        raise TypeError(f"iinfo: expected an integer dtype, got {dtype}")
    info = np.iinfo(dtype)
    return Limits(_kind="iinfo", bits=info.bits, min=int(info.min), max=int(info.max), dtype=str(dtype))


def fits(value: int, dtype) -> bool:
    """Whether a Python int is a value of an integer dtype (NumPy refuses those that are not; torch wraps them)."""
    limits = np.iinfo(dtype) if dtype.kind in "iu" else None
    return limits is None or limits.min <= value <= limits.max


def scalar_dtype(value) -> np.dtype:
    """The dtype torch gives a Python number in an operation: bool, int64, or the default float."""
    return bool_ if isinstance(value, (bool, np.bool_)) else int64 if isinstance(value, numbers.Integral) \
        else _default_dtype
