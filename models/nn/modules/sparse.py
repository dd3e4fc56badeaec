"""``torch.nn.modules.sparse``."""

from minigrad.nn.sparse import Embedding

__all__ = ["Embedding"]
