"""Dropout, as torch.nn's."""

from __future__ import annotations

import numbers

from . import functional as F
from .module import Module


class Dropout(Module):
    """Zero activations with probability p while training; the identity in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"Dropout: expected a probability p in [0, 1], got {p!r}")
        self.p = p
        self.inplace = inplace  # accepted for torch's signature; the result is computed out of place

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
