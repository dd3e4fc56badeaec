"""Weight initialisation, in place, with torch.nn.init's names and formulas.

Random values are drawn on the host from minigrad's seeded generator and copied to the tensor's device, so a seed
gives the same weights on every device.
"""

from __future__ import annotations

import math
import warnings

from .. import backend, random
from ..engine import no_grad
from ..tensor import Tensor
from ..checks import check_tensor


def _fill_from_host(tensor: Tensor, values) -> Tensor:
    with no_grad():
        return tensor.copy_(Tensor(values, dtype=tensor.dtype, device=tensor.device))


def _fans(tensor: Tensor, op: str):
    """(fan_in, fan_out) of a weight of shape (out, in, *receptive field)."""
    if tensor.ndim < 2:
        raise ValueError(f"{op}: expected a tensor with at least 2 dimensions to compute fan in and fan out, "
                         f"got shape {tensor.shape}")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The factor that keeps activations' variance steady through a layer followed by ``nonlinearity``."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; expected one of linear, sigmoid, "
                     "tanh, relu, leaky_relu")


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with samples of U(a, b) (from the default generator, or ``generator``)."""
    check_tensor(tensor, "uniform_", "tensor")
    if not a <= b:
        raise ValueError(f"uniform_: expected a <= b, got a={a}, b={b}")
    return _fill_from_host(tensor, random.source(generator, "uniform_").uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with samples of N(mean, std²) (from the default generator, or ``generator``)."""
    check_tensor(tensor, "normal_", "tensor")
    if std < 0:
        raise ValueError(f"normal_: expected std >= 0, got {std}")
    return _fill_from_host(tensor, random.source(generator, "normal_").normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    check_tensor(tensor, "constant_", "tensor")
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot: U(-a, a) with a = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot: N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity, op):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{op}: expected mode 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, op)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None):
    """He: U(-b, b) with b = gain·√(3 / fan)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None):
    """He: N(0, σ²) with σ = gain / √fan."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_"), generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """A (semi-)orthogonal matrix: its singular values are all ``gain``, so repeated products neither shrink nor
    grow a vector — a classic start for recurrent weights."""
    check_tensor(tensor, "orthogonal_", "tensor")
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: expected a tensor with at least 2 dimensions, got shape {tensor.shape}")
    rows, cols = tensor.shape[0], tensor.numel() // tensor.shape[0]
    sample = random.source(generator, "orthogonal_").standard_normal((max(rows, cols), min(rows, cols)))
    q, r = backend.cpu.xp.linalg.qr(sample)
    q = q * backend.cpu.xp.sign(backend.cpu.xp.diag(r))  # makes the result uniformly distributed (Mezzadri 2007)
    if rows < cols:
        q = q.T
    return _fill_from_host(tensor, gain * q.reshape(tensor.shape))


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (a 2-d tensor only): a linear layer that starts by passing its input through."""
    check_tensor(tensor, "eye_", "tensor")
    if tensor.ndim != 2:
        raise ValueError(f"eye_: Only tensors with 2 dimensions are supported, got shape {tensor.shape}")
    return _fill_from_host(tensor, backend.cpu.xp.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """The Dirac delta for convolution weights (out, in, *kernel) of 3 to 5 dimensions: output channel d of each
    group copies input channel d at the kernel's centre (as many channels as both sides have), so the convolution
    starts as the identity."""
    check_tensor(tensor, "dirac_", "tensor")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: Only tensors with 3, 4, or 5 dimensions are supported, got shape {tensor.shape}")
    if tensor.shape[0] % groups:
        raise ValueError(f"dirac_: dim 0 must be divisible by groups, got size {tensor.shape[0]} and "
                         f"groups={groups}")
    xp = backend.cpu.xp
    per_group = tensor.shape[0] // groups
    channels = xp.arange(min(per_group, tensor.shape[1]))
    rows = (xp.arange(groups)[:, None] * per_group + channels).reshape(-1)
    values = xp.zeros(tensor.shape)
    values[(rows, xp.tile(channels, groups)) + tuple(size // 2 for size in tensor.shape[2:])] = 1
    return _fill_from_host(tensor, values)


def _normal_cdf(x: float) -> float:
    return (1 + math.erf(x / math.sqrt(2))) / 2


def _erfinv(y):
    """The inverse of erf on host arrays of values in [-1, 1] (±inf at ±1): Winitzki's closed-form guess, within
    0.2%, then Newton's steps x ← x - (erf(x) - y)/erf'(x), each of which doubles the correct digits."""
    xp = backend.cpu.xp
    a = 0.147
    with xp.errstate(divide="ignore", invalid="ignore"):  # (log 0 and inf - inf at ±1; those are set below)
        inner = xp.log1p(-y * y)
        first = 2 / (math.pi * a) + inner / 2
        x = xp.sign(y) * xp.sqrt(xp.sqrt(first * first - inner / a) - first)
    finite = xp.abs(y) < 1
    for _ in range(4):
        step = (xp.erf(x[finite]) - y[finite]) / (2 / math.sqrt(math.pi) * xp.exp(-x[finite] ** 2))
        x[finite] -= step
    x[~finite] = xp.sign(y[~finite]) * xp.inf
    return x


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None) -> Tensor:
    """Fill with samples of N(mean, std²) truncated to [a, b] (the bounds are values, not numbers of stds).

    As torch, by inverting the normal CDF Φ: u uniform on [Φ(α), Φ(β)], α = (a - mean)/std and β likewise, then
    x = mean + std·Φ⁻¹(u) = mean + std·√2·erfinv(2u - 1), clamped to [a, b] against rounding.
    """
    check_tensor(tensor, "trunc_normal_", "tensor")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may "
                      "be incorrect.", UserWarning, stacklevel=2)
    low, high = 2 * _normal_cdf((a - mean) / std) - 1, 2 * _normal_cdf((b - mean) / std) - 1
    if low > high:
        raise RuntimeError(f"trunc_normal_: expected a <= b, got a={a}, b={b}")
    u = random.source(generator, "trunc_normal_").uniform(low, high, tensor.shape)
    values = (mean + std * math.sqrt(2) * _erfinv(u)).clip(a, b)
    return _fill_from_host(tensor, values)
