"""``torch.cuda``'s questions, answered for minigrad: is there a GPU, which, what is it called, seed it, wait for it.

Programs choose their device with

    device = minigrad.device("cuda" if minigrad.cuda.is_available() else "cpu")

and that runs anywhere: ``is_available()`` tries CuPy the first time it is called (``import minigrad`` never imports
CuPy) and answers False, without raising, where CuPy or a GPU is missing. minigrad computes on one GPU, device
``cuda`` (``cuda:0``), so the device index is always 0.
"""

from __future__ import annotations

import numbers

from . import backend, random


def is_available() -> bool:
    """Whether device 'cuda' can be used here: CuPy is installed and sees a GPU."""
    return backend.cuda_available()


def device_count() -> int:
    """How many GPUs minigrad can use: 1 where a GPU is available, else 0. torch counts every GPU it sees; minigrad
    computes on ``cuda:0`` only, and a program that spreads work over the GPUs it counts must find one."""
    return int(is_available())


def current_device() -> int:
    """The index of the GPU in use: 0. Raises RuntimeError, saying what is missing, where no GPU can be used."""
    backend.get_device("cuda")  # raises where CuPy or a GPU is missing
    return 0


def get_device_name(device=None) -> str:
    """The GPU's name as its driver reports it (``device``: None, 0, 'cuda', 'cuda:0' or that device)."""
    _check_device(device, "get_device_name")
    return backend.cuda_device_name()


def synchronize(device=None) -> None:
    """Wait until the GPU has finished the work queued on it; time GPU code only after this returns. Does nothing
    where no GPU is in use (torch raises there; minigrad lets the same timing code run on a CPU)."""
    _check_device(device, "synchronize")
    backend.cuda_synchronize()


def manual_seed(seed: int) -> None:
    """Seed the random numbers drawn for tensors on the GPU. Every minigrad device draws from one host generator
    (and receives the numbers by transfer, so a seed gives the same weights on every device): this seeds that
    generator, as ``minigrad.manual_seed`` does."""
    random.manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    """Seed the random numbers of every GPU: with one generator for all devices, the same as ``manual_seed``."""
    random.manual_seed(seed)


def _check_device(device, op: str) -> None:
    """Refuse any device but the one GPU minigrad uses."""
    is_index = isinstance(device, numbers.Integral) and not isinstance(device, bool)
    if device is None or (is_index and device == 0) or (not is_index and device in ("cuda", "cuda:0")):
        return
    raise ValueError(f"{op}: expected the GPU minigrad uses (None, 0, 'cuda' or 'cuda:0'), got {device!r}")
