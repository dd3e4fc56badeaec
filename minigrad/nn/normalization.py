"""LayerNorm, as torch.nn's."""

from __future__ import annotations

import numbers

from ..creation import ones, zeros
from . import functional as F
from .module import Module
from .parameter import Parameter


class LayerNorm(Module):
    """Normalise the last dimensions to zero mean and unit variance, then scale (ones) and shift (zeros)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) \
            else tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.weight = Parameter(ones(self.normalized_shape, dtype=dtype, device=device)) \
            if elementwise_affine else None
        self.bias = Parameter(zeros(self.normalized_shape, dtype=dtype, device=device)) \
            if elementwise_affine and bias else None

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
