"""``torch.nn.modules.normalization``."""

from minigrad.nn.normalization import LayerNorm

__all__ = ["LayerNorm"]
