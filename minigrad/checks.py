"""Argument checks and shape algebra, shared by tensors, nn, optim and models.

Every public function of minigrad checks its arguments where the user called it, and says what it expected and
what it got ("split: expected a positive split size, got 0"), with the exception type torch raises. The checks
live here once, so that every layer of the library words them the same way.
"""

from __future__ import annotations

import math
import numbers

from .tensor_base import TensorBase


# --- numbers -----------------------------------------------------------------------------------------------
def is_int(value) -> bool:
    """An integer but not a bool (the exact type is tested first: the ABC check is slow and this runs per op)."""
    return type(value) is int or (isinstance(value, numbers.Integral) and not isinstance(value, bool))


def is_number(value) -> bool:
    """A real number (int or float, NumPy's included) that is not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(value, name: str, op: str, minimum: int | None = None) -> int:
    """``value`` as an int, refusing bools, floats and values below ``minimum``."""
    if not is_int(value):
        raise TypeError(f"{op}: expected {name} to be an int, got {type(value).__name__} ({value!r})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{op}: expected {name} >= {minimum}, got {value}")
    return int(value)


def check_positive_int(value, name: str, op: str) -> int:
    """``value`` as an int > 0 (a size, a count)."""
    if not is_int(value) or value <= 0:
        raise ValueError(f"{op}: expected {name} to be a positive int, got {value!r}")
    return int(value)


def check_number(value, name: str, op: str, minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite real number within [minimum, maximum] (a learning rate, a probability, a momentum)."""
    if not is_number(value):
        raise TypeError(f"{op}: expected {name} to be a number, got {type(value).__name__} ({value!r})")
    if not math.isfinite(value) or (minimum is not None and value < minimum) or (
            maximum is not None and value > maximum):
        bounds = (f"in [{minimum}, {maximum}]" if minimum is not None and maximum is not None else
                  f">= {minimum}" if minimum is not None else f"<= {maximum}" if maximum is not None else "finite")
        raise ValueError(f"{op}: expected {name} {bounds}, got {value}")
    return value


def check_probability(value, name: str, op: str) -> float:
    return check_number(value, name, op, 0.0, 1.0)


def type_name(value) -> str:
    """The type of ``value`` as torch names it in errors: a builtin bare (int, list), any other with its module
    (numpy.ndarray, torch.Tensor), so that a foreign tensor is not mistaken for minigrad's."""
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


# --- tensors -----------------------------------------------------------------------------------------------
def check_tensor(value, op: str, name: str = "input"):
    """``value`` if it is a Tensor, else a TypeError naming the op and the argument."""
    if not isinstance(value, TensorBase):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(value).__name__}")
    return value


def check_tensors(value, op: str, name: str = "inputs") -> tuple:
    """A Tensor or a sequence of them, as a tuple; a TypeError naming the op and the first non-Tensor."""
    values = (value,) if isinstance(value, TensorBase) else tuple(value)
    for i, item in enumerate(values):
        if not isinstance(item, TensorBase):
            raise TypeError(f"{op}: expected {name} to be Tensors, got {type_name(item)} as element {i}")
    return values


def check_floating(tensor, op: str, name: str = "input"):
    """A tensor of a floating dtype: torch has no integer kernels for these functions and says so with
    NotImplementedError."""
    if tensor.dtype.kind != "f":
        raise NotImplementedError(f"{op}: expected {name} of a floating dtype, got {tensor.dtype}")
    return tensor


# --- dimensions and shapes ---------------------------------------------------------------------------------
def check_dim(dim, ndim: int, op: str, extra: int = 0) -> int:
    """A dimension index in [-ndim-extra, ndim+extra) as a non-negative int (``extra=1`` for unsqueeze)."""
    if not is_int(dim):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    size = ndim + extra
    if not -size <= dim < size:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dimensions "
                         f"(expected {-size} to {size - 1})")
    return int(dim) % size


def check_dims(dim, ndim: int, op: str):
    """None (all dimensions), or one or more dims, as a tuple of non-negative ints."""
    if dim is None:
        return None
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    checked = tuple(check_dim(d, ndim, op) for d in dims)
    if len(set(checked)) != len(checked):
        raise RuntimeError(f"{op}: dim {dims} appears multiple times in the list of dims")
    return checked


def sizes(args, op: str) -> tuple:
    """Sizes given as f(2, 3) or f((2, 3)) or f([2, 3]), checked to be non-negative ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if not all(is_int(n) and n >= 0 for n in args):
        raise ValueError(f"{op}: expected sizes to be non-negative integers, got {args}")
    return tuple(int(n) for n in args)


def broadcast_shapes(*shapes, op: str = "broadcast") -> tuple:
    """The shape that shapes broadcast to, or a RuntimeError (torch's type) naming them all."""
    ndim = max(len(shape) for shape in shapes)
    result = []
    for axis in range(-ndim, 0):
        found = {shape[axis] for shape in shapes if len(shape) >= -axis} - {1}
        if len(found) > 1:
            raise RuntimeError(f"{op}: shapes {' and '.join(str(tuple(s)) for s in shapes)} are not broadcastable "
                             f"(dimension {axis} has sizes {sorted(found)}; each must match or be 1)")
        result.append(found.pop() if found else 1)
    return tuple(result)


def reshaped(shape, current: tuple, op: str) -> tuple:
    """The target shape of a reshape (given as f(2, 3) or f((2, 3))), with a -1 resolved, checked to hold the
    same number of elements as ``current``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    numel = math.prod(current)
    if not all(is_int(n) and n >= -1 for n in shape) or list(shape).count(-1) > 1:
        raise RuntimeError(f"{op}: expected sizes that are non-negative ints with at most one -1, got {shape}")
    if -1 in shape:
        known = math.prod(n for n in shape if n != -1)
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}: cannot reshape a tensor of shape {current} ({numel} elements) into {shape}")
        shape = tuple(numel // known if n == -1 else n for n in shape)
    shape = tuple(int(n) for n in shape)
    if math.prod(shape) != numel:
        raise RuntimeError(f"{op}: cannot reshape a tensor of shape {current} ({numel} elements) into shape "
                         f"{shape} ({math.prod(shape)} elements)")
    return shape


def check_choice(value, choices: tuple, name: str, op: str):
    """One of ``choices`` (a reduction, a mode, a nonlinearity)."""
    if value not in choices:
        raise ValueError(f"{op}: expected {name} to be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


# --- names that live elsewhere -----------------------------------------------------------------------------
def lives_in_models_nn(path: str) -> str:
    """The message for a torch.nn name that models.nn provides (``minigrad.nn.LSTM``), asked for before models.nn
    was imported."""
    return (f"{path} lives in models.nn: add `import models.nn as nn` (the swap of `import torch.nn as nn`); after "
            f"that, {path} works too")
