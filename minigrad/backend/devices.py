"""Devices: where arrays live, and the array module that computes there."""

from __future__ import annotations

import contextlib
import numbers
import os

import numpy as np

from . import special
from .strict import StrictArray, _StrictNamespace


# --- devices -----------------------------------------------------------------------------------------------
class ArrayNamespace:
    """A device's array module as the ops see it (``ctx.xp``): every function of NumPy (or CuPy, or the strict
    stand-in), plus the few that the ops' formulas need and NumPy lacks under one name. The graph namespace of
    autograd (minigrad.autograd.graph_values) has the same names on tensors, so that each op's backward and jvp
    are written once and serve both first-order gradients (on arrays) and gradients of gradients (on tensors)."""

    _EXTRAS = ("accumulate", "setitem", "transfer", "cast", "erf")

    def __init__(self, module, erf=None):
        self._module = module
        self._erf = erf  # the array library's own, where it has one (CuPy does)
        if isinstance(module, type(np)):  # copied, so that xp.exp is one dictionary lookup, as on the module
            self.__dict__.update({name: value for name, value in vars(module).items()
                                  if not name.startswith("_") and name not in self._EXTRAS})

    def __getattr__(self, name):
        return getattr(self._module, name)

    def accumulate(self, shape, dtype, key, values):
        """Zeros of ``shape`` with ``values`` added at ``key``; an element an index array names twice gets both
        (plain assignment would keep one)."""
        out = self.zeros(shape, dtype=dtype)
        if any(is_array(k) and k.dtype.kind in "iu" for k in (key if isinstance(key, tuple) else (key,))):
            self.add.at(out, key, values)
        else:
            out[key] = values  # slices and masks name each element at most once
        return out

    @staticmethod
    def setitem(array, key, values):
        """A copy of ``array`` with ``[key] = values``."""
        out = array.copy()
        out[key] = values
        return out

    @staticmethod
    def transfer(array, device):
        return transfer(array, device)

    @staticmethod
    def cast(array, dtype):
        return array.astype(dtype, copy=False)

    def erf(self, array):
        """The error function, elementwise (NumPy has none: see special.py)."""
        return self._erf(array) if self._erf is not None else special.erf(self, array)


class Device:
    """Where arrays live: a name and the array module that computes there."""

    def __init__(self, type: str, module, erf=None):
        self.type = type
        self.xp = ArrayNamespace(module, erf)
        self._errstate = getattr(module, "errstate", None)  # NumPy's; CuPy has none (and never warns)

    def quiet(self, *events):
        """A context in which NumPy does not warn about the named floating-point events, which an op meets where
        its result is ±inf or nan and torch gives that result silently: "divide" (by zero: 1/0, log 0), "over"
        (overflow to ±inf: exp(1000)) and "invalid" (a nan from numbers: 0/0, log(-1), 0·inf). CuPy never warns.
        Entering one costs about a microsecond, so the hot ops (add, mul, matmul, tanh, ...) never do."""
        if self._errstate is None:
            return contextlib.nullcontext()
        return self._errstate(**dict.fromkeys(events, "ignore"))

    def from_host(self, data, dtype=None):
        """Bring host data (a NumPy array, scalar or nested list) onto this device: an explicit transfer."""
        return self.xp.asarray(data, dtype=dtype)

    def to_host(self, array) -> np.ndarray:
        """An explicit copy to host memory (for ``cpu`` the array itself)."""
        return array if isinstance(array, np.ndarray) else array.get()

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
        _cuda = Device("cuda", cupy, erf=_cupy_erf)
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


def _cupy_erf(array):
    """CuPy's own erf (in its SciPy namespace), imported the first time it is needed."""
    from cupyx.scipy.special import erf
    return erf(array)


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
