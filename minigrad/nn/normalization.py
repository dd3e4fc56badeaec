"""LayerNorm and GroupNorm, as torch.nn's."""

from __future__ import annotations

import numbers

from ..creation import ones, zeros
from . import functional as F
from .init import ones_, zeros_
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


def _affine_parameters(module: Module, affine: bool, bias: bool, count: int, dtype, device) -> None:
    """``weight`` (ones) and ``bias`` (zeros) of ``count`` values, or None for either, as torch registers them."""
    module.weight = Parameter(ones(count, dtype=dtype, device=device)) if affine else None
    module.bias = Parameter(zeros(count, dtype=dtype, device=device)) if affine and bias else None


def _reset_affine_parameters(module: Module) -> None:
    if module.weight is not None:
        ones_(module.weight)
    if module.bias is not None:
        zeros_(module.bias)


class GroupNorm(Module):
    """Normalise each group of ``num_channels // num_groups`` channels of each sample, then scale and shift each
    channel (ones and zeros to start)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, device=None,
                 dtype=None, *, bias: bool = True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, affine, bias, num_channels, dtype, device)

    def reset_parameters(self) -> None:
        _reset_affine_parameters(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
