"""``torch.nn.modules.linear``."""

from minigrad.nn.linear import Identity, LazyLinear, Linear

__all__ = ["Identity", "Linear", "LazyLinear"]
