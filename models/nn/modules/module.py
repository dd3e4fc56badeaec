"""``torch.nn.modules.module``."""

from minigrad.nn.module import Module

__all__ = ["Module"]
