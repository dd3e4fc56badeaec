"""``torch.backends``: the switches programs set for torch's GPU libraries. minigrad calls no such library (its ops
are NumPy's or CuPy's array functions), so the switches are there to be set and read, and change nothing."""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
