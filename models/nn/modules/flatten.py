"""``torch.nn.modules.flatten``."""

from minigrad.nn.flatten import Flatten, Unflatten

__all__ = ["Flatten", "Unflatten"]
