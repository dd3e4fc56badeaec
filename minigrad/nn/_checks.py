"""Argument checks shared by minigrad.nn's functions and layers: each names what was expected and what was got."""

from __future__ import annotations

import numbers

from ..tensor import Tensor


def check_tensor(value, op: str, name: str = "input") -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(value).__name__}")
    return value


def is_floating(tensor: Tensor) -> bool:
    return tensor.dtype.kind == "f"


def check_floating(tensor: Tensor, op: str, name: str = "input") -> Tensor:
    """torch has no integer kernels for these functions, and says so with NotImplementedError."""
    if not is_floating(tensor):
        raise NotImplementedError(f"{op}: expected {name} of a floating dtype, got {tensor.dtype}")
    return tensor


def check_positive_int(value, name: str, layer: str) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer}: expected {name} to be a positive int, got {value!r}")
    return int(value)
