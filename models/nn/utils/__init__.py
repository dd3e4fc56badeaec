"""``torch.nn.utils``: minigrad's gradient clipping, plus ``rnn`` (packing) from models."""

from minigrad.nn.utils import clip_grad_norm_, clip_grad_value_  # noqa: F401

from . import rnn  # noqa: F401

__all__ = ["clip_grad_norm_", "clip_grad_value_", "rnn"]
