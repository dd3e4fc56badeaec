"""``torch.nn.utils``: minigrad's gradient clipping, plus ``rnn`` (packing) from models."""

from minigrad.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,  # noqa: F401
                               vector_to_parameters)

from . import rnn  # noqa: F401

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters", "rnn"]
