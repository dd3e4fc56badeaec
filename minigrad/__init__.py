"""minigrad: a small reverse-mode autograd library with PyTorch's names, on NumPy (CPU) or CuPy (GPU).

    import minigrad
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad        # tensor([2., 4., 6.])
"""

from . import backend
# tensor before autograd: the two modules refer to each other (see autograd's imports)
from .tensor import (Tensor, abs, amax, arange, argmax, argmin, broadcast_shapes, cat, chunk, clamp, clone, empty, exp,
                     eye, flatten, flip, full, full_like, gather, log, log_softmax, masked_fill, matmul, ones, ones_like,
                     permute, rand, rand_like, randint, randn, randn_like, relu, reshape, sigmoid, softmax, sort, split,
                     sqrt, squeeze, stack, tanh, tensor, transpose, unbind, unsqueeze, where, zeros, zeros_like)
from .autograd import Function, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .backend import (Device, get_default_dtype, manual_seed, set_default_device, set_default_dtype)
from .backend import get_device as device
from .gradcheck import GradcheckError, gradcheck
from .io import load, save
from . import nn, optim, trace
from . import utils  # after the names it builds on: utils.data collates with minigrad.stack and minigrad.tensor
from .trace import detect_anomaly

# dtypes by torch's names: minigrad.float32, minigrad.float64, minigrad.long, minigrad.bool, ...
globals().update(backend.DTYPE_NAMES)


def get_default_device():
    """The device tensors are created on when none is named."""
    return backend.default_device()


__version__ = "0.1.0"
