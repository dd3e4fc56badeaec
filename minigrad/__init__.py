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
from .functions import (bmm, broadcast_tensors, cat, column_stack, concat, concatenate, einsum, floor_divide, hstack,
                        is_tensor, matmul, meshgrid, pow, remainder, stack, std_mean, tensordot, true_divide, var_mean,
                        vstack, where)
from .math_forms import (abs, absolute, acos, add, addcdiv, addcmul, allclose, arccos, arcsin, arctan, arctan2, asin,
                         atan, atan2, ceil, clamp, clamp_max, clamp_min, clip, clone, cos, cosh, div, eq, equal, erf,
                         exp, expm1, floor, fmod, frac, ge, gt, isclose, isfinite, isinf, isnan, le, lerp, log, log10,
                         log1p, log2, log_softmax, logaddexp, logical_and, logical_not, logical_or, logical_xor, lt,
                         masked_fill, maximum, minimum, mul, nan_to_num, ne, neg, negative, norm, reciprocal, relu,
                         round, rsqrt, sigmoid, sign, sin, sinh, softmax, sqrt, square, sub, tan, tanh, trunc)
from .shape_forms import (addmm, addmv, all, amax, amin, any, argmax, argmin, argsort, argwhere, baddbmm, broadcast_to,
                          chunk, count_nonzero, cumprod, cumsum, diag, diag_embed, diagonal, diff, dot, flatten, flip,
                          gather, ger, index_add, index_copy, index_select, inner, is_floating_point, kron, logsumexp,
                          masked_scatter, masked_select, max, mean, median, min, mm, moveaxis, movedim, mv, nanmean,
                          narrow, nonzero, numel, outer, permute, prod, repeat_interleave, reshape, roll, scatter,
                          scatter_add, select, sort, split, squeeze, std, sum, swapaxes, t, take, tile, topk,
                          transpose, tril, triu, unbind, unique, unsqueeze, var)
from .io import load, save
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Tensor
from . import autograd, distributions, func, linalg, nn, optim, random, serialization, trace, utils
from . import backends, cuda, jit, onnx  # torch's GPU questions and switches; refusals for ONNX, TorchScript

# dtypes by torch's names: minigrad.float32, minigrad.float64, minigrad.long, minigrad.bool, ...; their class and
# limits. A shape is a plain tuple here, so torch.Size is tuple (torch.Size([2, 3]) == (2, 3), as in torch).
globals().update(backend.DTYPE_NAMES)
dtype, finfo, iinfo = backend.DType, backend.finfo, backend.iinfo
Size = tuple


def get_default_device():
    """The device tensors are created on when none is named."""
    return backend.default_device()


__version__ = "0.1.0"
