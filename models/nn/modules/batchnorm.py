"""``torch.nn.modules.batchnorm``."""

from minigrad.nn.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]
