"""``torch.nn.modules.flatten``."""

from minigrad.nn.flatten import Flatten

__all__ = ["Flatten"]
