"""Flatten, as torch.nn's."""

from __future__ import annotations

from ..checks import check_tensor
from .module import Module


class Flatten(Module):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one: (N, C, H, W) → (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return check_tensor(input, "Flatten").flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
