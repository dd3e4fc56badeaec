"""The one door to NumPy and CuPy.

Every array minigrad computes with lives on a *device*. A device is an object that knows its array module
``xp`` (NumPy's or CuPy's namespace, Chainer style), so a single implementation of each op serves CPU and GPU:
the op asks its inputs' device for ``xp`` and calls ``xp.exp``, ``xp.where``, ... on it.

Three devices exist:

``cpu``     NumPy arrays in host memory.
``cuda``    CuPy arrays in GPU memory. CuPy is imported the first time the device is asked for, so a machine
            without it never pays for (or trips over) the import.
``strict``  A stand-in for ``cuda`` that runs anywhere. Its arrays are NumPy arrays in a wrapper that behaves like
            CuPy where GPU code usually breaks: ``np.asarray(a)`` raises instead of silently copying to the host,
            mixing a host array into an op raises, and host data comes out only through an explicit transfer.
            Running the test suite with ``MINIGRAD_DEVICE=strict`` catches on a CPU the code that a GPU would reject.

No other module of minigrad imports numpy or cupy; they reach arrays through this module.
"""

from __future__ import annotations

import contextlib
import numbers
import os

import numpy as np

# --- dtypes ------------------------------------------------------------------------------------------------
# CuPy uses NumPy's dtype objects, so one set of dtypes serves every device.
float16, float32, float64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
int32, int64, uint8 = np.dtype("int32"), np.dtype("int64"), np.dtype("uint8")
bool_ = np.dtype("bool")

# The names `minigrad.<name>` gives, with torch's aliases (minigrad.float is float32, minigrad.long int64, ...).
DTYPE_NAMES = {
    "float16": float16, "half": float16, "float32": float32, "float": float32, "float64": float64,
    "double": float64, "int32": int32, "int": int32, "int64": int64, "long": int64, "uint8": uint8,
    "bool": bool_,
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


def fits(value: int, dtype) -> bool:
    """Whether a Python int is a value of an integer dtype (NumPy refuses those that are not; torch wraps them)."""
    limits = np.iinfo(dtype) if dtype.kind in "iu" else None
    return limits is None or limits.min <= value <= limits.max


def scalar_dtype(value) -> np.dtype:
    """The dtype torch gives a Python number in an operation: bool, int64, or the default float."""
    return bool_ if isinstance(value, (bool, np.bool_)) else int64 if isinstance(value, numbers.Integral) \
        else _default_dtype


# --- the strict stand-in device ----------------------------------------------------------------------------
class HostDeviceMixError(TypeError):
    """A host (NumPy) array met a device array in one operation, which CuPy refuses."""


def _unwrap(value, where):
    """The NumPy array inside a strict array; refuse host arrays the way CuPy does."""
    if isinstance(value, StrictArray):
        return value._array
    if isinstance(value, np.ndarray):
        raise HostDeviceMixError(
            f"{where}: expected arrays on the 'strict' device, got a host NumPy array of shape {value.shape}; "
            "move host data to the device explicitly (minigrad.tensor(x, device=...) or Tensor.to(device))")
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(item, where) for item in value)
    if isinstance(value, dict):
        return {key: _unwrap(item, where) for key, item in value.items()}
    return value


def _wrap(value):
    """Results stay on the device: arrays and NumPy scalars come back as strict arrays (0-d, as CuPy does)."""
    if isinstance(value, np.ndarray):
        return StrictArray(value)
    if isinstance(value, np.generic):
        return StrictArray(np.asarray(value))
    if isinstance(value, (list, tuple)):
        return type(value)(_wrap(item) for item in value)
    return value


def _strict_call(function, args, kwargs, where):
    return _wrap(function(*_unwrap(args, where), **_unwrap(kwargs, where)))


class StrictArray:
    """An array of the ``strict`` device: a NumPy array that will not leave the 'device' by accident."""

    __slots__ = ("_array",)
    __hash__ = None

    def __init__(self, array: np.ndarray):
        self._array = array

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "Implicit conversion of a 'strict' device array to a NumPy array is not allowed (CuPy refuses it "
            "too); transfer explicitly with Tensor.numpy(), Tensor.cpu() or Tensor.item()")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _strict_call(getattr(ufunc, method), inputs, kwargs, f"numpy.{ufunc.__name__}")

    def __array_function__(self, function, types, args, kwargs):
        return _strict_call(function, args, kwargs, f"numpy.{function.__name__}")

    def get(self) -> np.ndarray:
        """Copy to the host, as ``cupy.ndarray.get`` does."""
        return self._array.copy()

    shape = property(lambda self: self._array.shape)
    dtype = property(lambda self: self._array.dtype)
    ndim = property(lambda self: self._array.ndim)
    size = property(lambda self: self._array.size)
    nbytes = property(lambda self: self._array.nbytes)
    T = property(lambda self: _wrap(self._array.T))

    def __getattr__(self, name):
        if name.startswith("__"):  # __array_interface__ and friends would hand NumPy the memory behind our back
            raise AttributeError(name)
        attribute = getattr(self._array, name)
        if callable(attribute):
            return lambda *args, **kwargs: _strict_call(attribute, args, kwargs, f"ndarray.{name}")
        return _wrap(attribute)

    def __getitem__(self, key):
        return _wrap(self._array[_unwrap(key, "indexing")])

    def __setitem__(self, key, value):
        self._array[_unwrap(key, "indexing")] = _unwrap(value, "item assignment")

    def __len__(self):
        return len(self._array)

    def __iter__(self):
        return (_wrap(row) for row in self._array)

    # CuPy turns one-element arrays into Python scalars on request (it synchronises); so does the stand-in.
    def __bool__(self):
        return bool(self._array)

    def __float__(self):
        return float(self._array)

    def __int__(self):
        return int(self._array)

    def __repr__(self):
        return f"strict_{self._array!r}"


def _strict_operator(name):
    method = getattr(np.ndarray, name)
    if name.startswith("__i"):  # in-place operators change the wrapped array and return the wrapper itself
        def operator(self, other):
            method(self._array, _unwrap(other, name))
            return self
    else:
        def operator(self, other):
            return _strict_call(method, (self, other), {}, name)
    operator.__name__ = name
    return operator


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor"):
    for _form in ("__{}__", "__r{}__", "__i{}__"):
        setattr(StrictArray, _form.format(_name), _strict_operator(_form.format(_name)))
for _name in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"):
    setattr(StrictArray, _name, _strict_operator(_name))
for _name in ("__neg__", "__pos__", "__abs__", "__invert__"):
    setattr(StrictArray, _name, (lambda method: lambda self: _wrap(method(self._array)))(
        getattr(np.ndarray, _name)))


class _StrictNamespace:
    """The ``xp`` of the strict device: NumPy's namespace with every function keeping arrays on the device."""

    # Functions that bring host data onto the device: the explicit transfers, as in CuPy.
    _TRANSFERS = {"asarray", "array", "ascontiguousarray"}

    def __init__(self, module):
        self._module = module

    ndarray = StrictArray

    def __getattr__(self, name):
        attribute = getattr(self._module, name)
        if name in self._TRANSFERS:
            def transfer(data, *args, **kwargs):
                if isinstance(data, StrictArray):
                    return _strict_call(attribute, (data,) + args, kwargs, name)
                return StrictArray(np.array(attribute(data, *args, **kwargs), copy=True))  # host → device copies
            return transfer
        if isinstance(attribute, type(np)):  # a submodule such as numpy.linalg
            return _StrictNamespace(attribute)
        if isinstance(attribute, np.ufunc):
            return _StrictUfunc(attribute)
        if callable(attribute) and not isinstance(attribute, type):
            return lambda *args, **kwargs: _strict_call(attribute, args, kwargs, f"{name}")
        return attribute  # dtypes, constants


class _StrictUfunc:
    """A ufunc of the strict namespace; its methods (``add.at``, ``maximum.reduce``) keep arrays on the device."""

    def __init__(self, ufunc):
        self._ufunc = ufunc

    def __call__(self, *args, **kwargs):
        return _strict_call(self._ufunc, args, kwargs, self._ufunc.__name__)

    def __getattr__(self, name):
        method = getattr(self._ufunc, name)
        return lambda *args, **kwargs: _strict_call(method, args, kwargs, f"{self._ufunc.__name__}.{name}")


# --- devices -----------------------------------------------------------------------------------------------
class Device:
    """Where arrays live: a name and the array module that computes there."""

    def __init__(self, type: str, xp):
        self.type = type
        self.xp = xp

    def overflow_expected(self):
        """A context in which NumPy does not warn about overflow to inf (CuPy never warns)."""
        errstate = getattr(self.xp, "errstate", None)
        return contextlib.nullcontext() if errstate is None else errstate(over="ignore")

    def from_host(self, data, dtype=None):
        """Bring host data (a NumPy array, scalar or nested list) onto this device: an explicit transfer."""
        return self.xp.asarray(data, dtype=dtype)

    def to_host(self, array) -> np.ndarray:
        """An explicit copy to host memory (for ``cpu`` the array itself)."""
        return array if isinstance(array, np.ndarray) else array.get()

    def scatter_add(self, target, index, values) -> None:
        """``target[index] += values`` where repeated indices add up (plain ``+=`` would keep only one)."""
        self.xp.add.at(target, index, values)

    def __eq__(self, other):
        if isinstance(other, str):
            return self.type == other
        return isinstance(other, Device) and other.type == self.type

    def __hash__(self):
        return hash(self.type)

    def __str__(self):
        return self.type

    def __repr__(self):
        return f"device(type='{self.type}')"


cpu = Device("cpu", np)
strict = Device("strict", _StrictNamespace(np))
_cuda = None
# The device of each array type: one dictionary lookup tells an array's device, and whether a value is an array.
DEVICE_OF_TYPE = {np.ndarray: cpu, StrictArray: strict}


def _cuda_device() -> Device:
    global _cuda
    if _cuda is None:
        try:
            import cupy
        except ImportError as error:
            raise RuntimeError(
                "device 'cuda' needs CuPy, which is not installed: pip install -e \".[gpu]\" "
                f"(on a machine with an NVIDIA GPU); the import failed with: {error}") from None
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as error:  # CuPy raises its own CUDARuntimeError when no driver is present
            raise RuntimeError(f"device 'cuda' needs a CUDA GPU, but CuPy found none: {error}") from None
        if count == 0:
            raise RuntimeError("device 'cuda' needs a CUDA GPU, but CuPy found none")
        _cuda = Device("cuda", cupy)
        DEVICE_OF_TYPE[cupy.ndarray] = _cuda
    return _cuda


_cuda_unusable = False  # set when device 'cuda' was tried and failed, so that asking again costs nothing


def cuda_available() -> bool:
    """Whether device 'cuda' works here: CuPy imports and sees a GPU. CuPy is imported on the first call (never by
    ``import minigrad``) and the answer is remembered. Never raises: programs ask it to choose their device."""
    global _cuda_unusable
    if _cuda is None and not _cuda_unusable:
        try:
            _cuda_device()
        except Exception:  # beyond a missing CuPy, a broken install (no driver, a missing CUDA library) means no GPU
            _cuda_unusable = True
    return _cuda is not None


def cuda_synchronize() -> None:
    """Wait until the GPU has finished the work queued on it (CuPy launches kernels asynchronously). Where device
    'cuda' was never set up, no work can be queued and there is nothing to wait for."""
    if _cuda is not None:
        _cuda.xp.cuda.Device().synchronize()


def cuda_device_name() -> str:
    """The GPU's name as its driver reports it; RuntimeError, saying what is missing, where there is none."""
    name = _cuda_device().xp.cuda.runtime.getDeviceProperties(0)["name"]
    return name.decode() if isinstance(name, bytes) else name


DEVICE_NAMES = ("cpu", "cuda", "strict")


def get_device(spec=None) -> Device:
    """The Device named by ``spec``: a Device, 'cpu', 'cuda' (or 'cuda:0'), 'strict', or None for the default."""
    if spec is None:
        return default_device()
    if isinstance(spec, Device):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"expected a device name such as 'cpu' or a minigrad device, got {type(spec).__name__}")
    if spec == "cpu":
        return cpu
    if spec == "strict":
        return strict
    if spec in ("cuda", "cuda:0"):
        return _cuda_device()
    raise ValueError(f"unknown device {spec!r}: expected one of {', '.join(map(repr, DEVICE_NAMES))}")


_default = None


def default_device() -> Device:
    """The device tensors are created on when none is named: MINIGRAD_DEVICE, or set_default_device, or cpu."""
    global _default
    if _default is None:
        _default = get_device(os.environ.get("MINIGRAD_DEVICE") or "cpu")
    return _default


def set_default_device(spec) -> None:
    """Create new tensors on this device unless told otherwise, e.g. ``set_default_device('cuda')``."""
    global _default
    _default = get_device(spec)


def device_of(array) -> Device:
    """The device an array lives on (host NumPy arrays and scalars are on cpu)."""
    known = DEVICE_OF_TYPE.get(type(array))  # the common case in one dictionary lookup: it runs for every op
    if known is not None:
        return known
    if isinstance(array, (np.ndarray, np.generic, numbers.Number)):
        return cpu
    if isinstance(array, StrictArray):
        return strict
    if _cuda is not None and isinstance(array, _cuda.xp.ndarray):
        return _cuda
    raise TypeError(f"expected an array of a minigrad device, got {type(array).__name__}")


def is_array(value) -> bool:
    """True for an array of any device (NumPy, CuPy or strict)."""
    return isinstance(value, (np.ndarray, StrictArray)) or (_cuda is not None and isinstance(value, _cuda.xp.ndarray))


def as_array(value):
    """NumPy returns a scalar (np.float32) from a full reduction or a 0-d operation; tensors hold arrays."""
    if type(value) in DEVICE_OF_TYPE:  # already an array: the common case, decided by one dictionary lookup
        return value
    return np.asarray(value) if isinstance(value, np.generic) else value


def transfer(array, device: Device):
    """Move an array to ``device``, through host memory when the two devices differ."""
    source = device_of(array)
    if source == device:
        return array
    return device.from_host(source.to_host(array))


# --- memory: views and overlap -----------------------------------------------------------------------------
def _address(array) -> int:
    """Where an array's element [0, ..., 0] lives in memory."""
    if isinstance(array, StrictArray):
        array = array._array
    if isinstance(array, np.ndarray):
        return array.__array_interface__["data"][0]
    return array.data.ptr  # CuPy


def element_positions(base, view):
    """For every element of ``view``, an array that shares memory with ``base`` (a view of it), the flat C-order
    index of the same element in ``base``: an array of view's shape. This is how an in-place write through a view
    is told to the base (which of its elements changed), whatever chain of slicing, reshaping and transposing made
    the view."""
    xp = device_of(base).xp

    def byte_offsets(array, start: int):
        total = xp.full(array.shape, start, dtype=int64)
        for axis, (size, stride) in enumerate(zip(array.shape, array.strides)):
            total = total + (xp.arange(size, dtype=int64) * stride).reshape((-1,) + (1,) * (array.ndim - axis - 1))
        return total.reshape(-1)

    in_base = byte_offsets(base, 0)
    in_view = byte_offsets(view, _address(view) - _address(base))
    order = xp.argsort(in_base, kind="stable")
    found = xp.searchsorted(in_base[order], in_view).clip(0, max(base.size - 1, 0))
    if base.size == 0 or not bool((in_base[order][found] == in_view).all()):
        raise ValueError("element_positions: expected a view of the base array, got an array whose elements are "
                         "not all elements of the base")
    return order[found].reshape(view.shape)


def has_internal_overlap(array) -> bool:
    """Whether two elements of ``array`` are one memory location (an expanded tensor): writing into it would
    write the same place several times."""
    return any(stride == 0 and size > 1 for size, stride in zip(array.shape, array.strides))


# --- host data ---------------------------------------------------------------------------------------------
def host_array(data, dtype=None) -> np.ndarray:
    """Python data (numbers, nested lists) or a host array as a NumPy array, with minigrad's dtype rules:
    Python floats take the default dtype, Python ints int64, as in torch."""
    if isinstance(data, StrictArray) or (_cuda is not None and isinstance(data, _cuda.xp.ndarray)):
        raise TypeError("expected host data, got a device array")
    array = np.asarray(data)
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise TypeError(f"expected numbers (int, float or bool data), got an array of dtype {array.dtype}")
    if dtype is not None:
        return array.astype(as_dtype(dtype), copy=False)
    if not isinstance(data, np.ndarray) and not isinstance(data, np.generic):
        if array.dtype.kind == "f":
            return array.astype(_default_dtype, copy=False)
        if array.dtype.kind in "iu":
            return array.astype(int64, copy=False)
    return array


# The host random generator: every device draws its random numbers here and receives them by transfer, so a
# seed gives the same initial weights and dropout masks on cpu, strict and cuda.
_rng = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Seed minigrad's random number generator."""
    global _rng
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    _rng = np.random.default_rng(int(seed))


def rng() -> np.random.Generator:
    return _rng



def format_array(array, prefix: str) -> str:
    """An array's values as text (copied to the host), aligned for a repr that starts with ``prefix``."""
    return np.array2string(device_of(array).to_host(array), separator=", ", prefix=prefix)


# --- files -------------------------------------------------------------------------------------------------
def save_npz(file, arrays: dict) -> None:
    """Write host arrays (and strings) to an open binary file in .npz format; object arrays are refused."""
    converted = {name: np.asarray(value) for name, value in arrays.items()}
    for name, array in converted.items():
        if array.dtype == object:
            raise TypeError(f"save: {name!r} would be stored as a Python object (pickle); expected numbers or text")
    np.savez(file, **converted)


def load_npz(path):
    """Open an .npz archive without ever unpickling (object arrays raise when read)."""
    return np.load(path, allow_pickle=False)
