"""``torch.nn.modules.dropout``."""

from minigrad.nn.dropout import Dropout

__all__ = ["Dropout"]
