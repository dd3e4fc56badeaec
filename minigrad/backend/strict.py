"""The ``strict`` device's arrays: NumPy arrays in a wrapper that refuses what CuPy refuses (see backend/__init__)."""

from __future__ import annotations

import numpy as np

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
