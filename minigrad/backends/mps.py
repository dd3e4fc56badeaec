"""``torch.backends.mps``: Apple's Metal GPUs, which minigrad does not compute on. Programs ask before choosing a
device (``"mps" if minigrad.backends.mps.is_available() else "cpu"``); the answer is no."""


def is_available() -> bool:
    """Whether device 'mps' can be used: never, in minigrad (CuPy, its only GPU library, drives NVIDIA GPUs)."""
    return False


def is_built() -> bool:
    """Whether minigrad was built with MPS support: it was not."""
    return False
