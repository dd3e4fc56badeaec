"""BatchNorm1d, BatchNorm2d and BatchNorm3d, as torch.nn's."""

from __future__ import annotations

from .. import backend
from ..creation import ones, tensor, zeros
from ..engine import no_grad
from . import functional as F
from .module import Module
from .normalization import _affine_parameters, _reset_affine_parameters


class _BatchNorm(Module):
    """Batch normalisation of channel dim 1, with running statistics as buffers.

    In training each batch is normalised by its own statistics, and ``running_mean``/``running_var`` move towards
    them by ``momentum`` (None: their cumulative average over the ``num_batches_tracked`` batches so far); in
    evaluation the running statistics are used. Without ``track_running_stats`` there are no buffers and the
    batch's statistics are used in evaluation too.
    """

    input_dims: tuple  # the numbers of dimensions the layer accepts

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, affine, bias, num_features, dtype, device)
        tracked = track_running_stats
        self.register_buffer("running_mean", zeros(num_features, dtype=dtype, device=device) if tracked else None)
        self.register_buffer("running_var", ones(num_features, dtype=dtype, device=device) if tracked else None)
        self.register_buffer("num_batches_tracked",
                             tensor(0, dtype=backend.int64, device=device) if tracked else None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine_parameters(self)

    def forward(self, input):
        if input.ndim not in self.input_dims:
            expected = " or ".join(f"{n}D" for n in self.input_dims)
            raise ValueError(f"{type(self).__name__}: expected {expected} input (got {input.ndim}D input)")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # a cumulative average: the n-th batch has weight 1/n
                factor = 1.0 / self.num_batches_tracked.item()
        use_batch_statistics = self.training or (self.running_mean is None and self.running_var is None)
        tracked = not self.training or self.track_running_stats  # else the buffers are not to be updated
        return F.batch_norm(input, self.running_mean if tracked else None, self.running_var if tracked else None,
                            self.weight, self.bias, use_batch_statistics, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs."""

    input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs."""

    input_dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs."""

    input_dims = (5,)
