"""``torch.nn.modules.normalization``."""

from minigrad.nn.normalization import GroupNorm, LayerNorm

__all__ = ["LayerNorm", "GroupNorm"]
