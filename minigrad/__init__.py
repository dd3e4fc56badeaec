"""minigrad: a small reverse-mode autograd library with PyTorch's names, on NumPy (CPU) or CuPy (GPU).

    import minigrad
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad        # tensor([2., 4., 6.])

Importing minigrad needs NumPy only: the terminal traces (``minigrad.trace``'s drawings, which need rich) load the
first time one is used.
"""

from . import backend
from .autograd import Function, GradcheckError, detect_anomaly, gradcheck, gradgradcheck, inference_mode
from .backend import Device, get_default_dtype, set_default_device, set_default_dtype
from .backend import get_device as device
from .checks import broadcast_shapes
from .creation import (BoolTensor, ByteTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor, arange, as_tensor,
                       bernoulli, empty, eye, from_numpy, full, full_like, linspace, multinomial, normal, ones,
                       ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .engine import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .functions import (abs, add, all, allclose, amax, any, argmax, argmin, argsort, bmm, broadcast_tensors, cat,
                        chunk, clamp, clone, cos, cosh, cumsum, diagonal, div, einsum, eq, equal, erf, exp, flatten,
                        flip, gather, ge, gt, index_select, isfinite, isinf, isnan, le, log, log1p, log_softmax,
                        logsumexp, lt, masked_fill, masked_select, matmul, max, maximum, mean, meshgrid, min, minimum,
                        moveaxis, movedim, mul, narrow, ne, norm, numel, permute, prod, relu, repeat_interleave,
                        reshape, roll, scatter, scatter_add, select, sigmoid, sin, sinh, softmax, sort, split, sqrt,
                        squeeze, stack, std, sub, sum, swapaxes, t, tanh, topk, transpose, tril, triu, unbind,
                        unsqueeze, var, where)
from .functions import (absolute, acos, addcdiv, addcmul, arccos, arcsin, arctan, arctan2, asin, atan, atan2, ceil, clamp_max, clamp_min, clip, expm1, floor, floor_divide, fmod, frac, isclose, lerp, log2, log10, logaddexp, logical_and, logical_not, logical_or, logical_xor, nan_to_num, neg, negative, pow, reciprocal, remainder, round, rsqrt, sign, square, tan, true_divide, trunc)  # surf-math
from .io import load, save
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Tensor
from . import autograd, distributions, func, linalg, nn, optim, random, serialization, trace, utils
from . import backends, cuda, jit, onnx  # torch's GPU questions and switches; refusals for ONNX, TorchScript

# dtypes by torch's names: minigrad.float32, minigrad.float64, minigrad.long, minigrad.bool, ...
globals().update(backend.DTYPE_NAMES)


def get_default_device():
    """The device tensors are created on when none is named."""
    return backend.default_device()


__version__ = "0.1.0"
