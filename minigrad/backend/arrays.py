"""Array services: where a view's elements sit in its base, host data in minigrad's dtype rules, seeded random
streams, printing, and .npz files."""

from __future__ import annotations

import numpy as np

from .devices import device_of, is_array
from .dtypes import as_dtype, get_default_dtype, int64
from .strict import StrictArray


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
    """Whether two elements of ``array`` are one memory location (an expand()ed tensor, overlapping unfold()
    windows): writing into it would write the same place several times. With the axes ordered by stride, each
    stride must step past all that the smaller ones reach; a layout that fails this is taken as overlapping."""
    if array.size <= 1:
        return False  # (an empty array has zero strides, and nothing to overlap)
    reach = 0
    for stride, size in sorted((abs(stride), size) for size, stride in zip(array.shape, array.strides) if size > 1):
        if stride <= reach:
            return True
        reach += stride * (size - 1)
    return False


# --- host data ---------------------------------------------------------------------------------------------
def host_array(data, dtype=None) -> np.ndarray:
    """Python data (numbers, nested lists) or a host array as a NumPy array, with minigrad's dtype rules:
    Python floats take the default dtype, Python ints int64, as in torch."""
    if is_array(data) and device_of(data) != "cpu":
        raise TypeError("expected host data, got a device array")
    array = np.asarray(data)
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise TypeError(f"expected numbers (int, float or bool data), got an array of dtype {array.dtype}")
    if dtype is not None:
        return array.astype(as_dtype(dtype), copy=False)
    if not isinstance(data, np.ndarray) and not isinstance(data, np.generic):
        if array.dtype.kind == "f":
            return array.astype(get_default_dtype(), copy=False)
        if array.dtype.kind in "iu":
            return array.astype(int64, copy=False)
    return array


# The host's random numbers: every device draws its random numbers on the host and receives them by transfer, so a
# seed gives the same initial weights and dropout masks on cpu, strict and cuda (minigrad.random holds the streams).
def random_stream(seed: int) -> np.random.Generator:
    """A new stream of random numbers (NumPy's PCG64) started from ``seed``, a non-negative int."""
    return np.random.default_rng(seed)


def format_array(array, prefix: str) -> str:
    """An array's values as text (copied to the host), aligned for a repr that starts with ``prefix``, as torch
    prints them: floats with 4 decimals, all alike, right-aligned; whole numbers as ``3.``; scientific notation
    (``1.0000e-05``) when the nonzero magnitudes span more than 1000 or reach 1e8 (or, with fractions, go below
    1e-4); lines of at most 80 characters, and the middle of more than 1000 elements left out."""
    values = device_of(array).to_host(array)
    # torch fits rows to 80 columns not counting the brackets that open the inner dimensions; NumPy counts them
    options = {"separator": ", ", "prefix": prefix, "max_line_width": 80 + max(values.ndim - 1, 0)}
    if values.dtype.kind != "f" or values.size == 0:
        return np.array2string(values, **options)
    finite = values[np.isfinite(values)].astype(np.float64)
    magnitudes = np.abs(finite[finite != 0])
    whole = bool(np.all(finite == np.round(finite)))
    scientific = magnitudes.size > 0 and (magnitudes.max() / magnitudes.min() > 1000 or magnitudes.max() > 1e8
                                          or (not whole and magnitudes.min() < 1e-4))
    pattern = "{:.4e}" if scientific else "{:.0f}." if whole else "{:.4f}"

    def text(value) -> str:
        return pattern.format(value) if np.isfinite(value) else str(float(value))

    width = max((len(text(value)) for value in finite), default=0)  # (nan and inf are padded to it, never widen it)
    printed = np.array2string(values, formatter={"float_kind": lambda value: text(value).rjust(width)}, **options)
    return printed.replace(", ..., ", ",  ..., ")  # (torch's spacing around the elements left out)


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
