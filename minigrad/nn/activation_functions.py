"""More activation functions of ``minigrad.nn.functional``, with torch's names, arguments, values and gradients.

Each is a few primitive ops. Where torch's kernel defines the gradient at a kink or at NaN by a particular
comparison (hardtanh passes no gradient at its limits, hardswish's middle piece owns both of its ends), the
``where`` conditions below are written with the same comparisons, so that every input, NaN included, gets
torch's gradient. They appear in ``minigrad.nn.functional`` under torch's names.
"""

from __future__ import annotations

from ..checks import check_dim, check_floating, check_tensor
from ..functions import where
from ..tensor import Tensor

SELU_ALPHA = 1.6732632423543772848170429916717  # the constants that make SELU self-normalising (Klambauer 2017)
SELU_SCALE = 1.0507009873554804934193349852946


def _activation(input: Tensor, op: str, function, inplace: bool = False, integers: bool = False) -> Tensor:
    """``function(input)``, after torch's checks (``integers``: torch takes integer tensors too); with
    ``inplace``, written into input (recorded in the graph)."""
    check_tensor(input, op)
    if not integers:
        check_floating(input, op)
    return input._inplace(f"{op}_", function) if inplace else function(input)


def _expm1(x: Tensor) -> Tensor:
    """e^x - 1 to full precision, value and gradient.

    Near 0, exp(x) - 1 would lose x's digits: there e^x - 1 = tanh(x/2)·(e^x + 1), and tanh keeps its relative
    precision for small arguments. Further out exp(x) - 1 is exact enough, and its gradient e^x exact, where the
    tanh form's would cancel (1 - tanh² as tanh nears ±1).
    """
    near_zero = x.abs() < 0.5
    small = where(near_zero, x, 0.0)
    return where(near_zero, (small * 0.5).tanh() * (small.exp() + 1), x.exp() - 1)


def _elu(x: Tensor, alpha: float, scale: float = 1.0, input_scale: float = 1.0) -> Tensor:
    """scale·x for x > 0, else scale·alpha·(e^(input_scale·x) - 1): torch's one kernel for elu, selu and celu.

    The exponential is taken of min(x, 0) only, so a large x never makes an inf whose zero gradient is a NaN. At 0
    (and at NaN) the choice follows torch's gradient: the exponential side owns 0, the linear side NaN.
    """
    negative = x <= 0
    exponential = _expm1(where(negative, x, 0.0) * input_scale) * (alpha * scale)
    return where(negative, exponential, x * scale)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else alpha·(e^x - 1): a smooth negative side that saturates at -alpha."""
    return _activation(input, "elu", lambda x: _elu(x, alpha), inplace)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale·elu(x, alpha) with torch's constants, which keep activations near zero mean and unit variance."""
    return _activation(input, "selu", lambda x: _elu(x, SELU_ALPHA, SELU_SCALE), inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha·(e^(x/alpha) - 1)): elu rescaled so that its slope is 1 on both sides of 0."""
    if alpha == 0:
        raise RuntimeError("celu: expected a nonzero alpha (ZeroDivisionError: alpha cannot be 0 for CELU)")
    return _activation(input, "celu", lambda x: _elu(x, alpha, input_scale=1 / alpha), inplace)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]; unlike clamp, no gradient at the limits themselves (as torch's)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: expected min_val <= max_val, got min_val={min_val}, max_val={max_val}")
    return _activation(input, "hardtanh",
                       lambda x: where(x <= min_val, min_val, where(x >= max_val, max_val, x)).to(x.dtype), inplace,
                       integers=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3)/6, a piecewise-linear sigmoid; the gradient 1/6 only strictly inside (-3, 3) (0 at NaN)."""
    def hard(x):
        inside = (x > -3) & (x < 3)
        return where(inside, (x + 3) / 6, ((x.detach() + 3).clamp(0, 6) / 6))
    return _activation(input, "hardsigmoid", hard, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·relu6(x + 3)/6 (MobileNetV3): 0 up to -3, x·(x + 3)/6 between, x from 3 on."""
    def swish(x):
        # the middle piece is computed of x only where it is chosen (of 0 elsewhere), so that its zero gradient
        # outside never meets a NaN or an inf
        middle = where((x > -3) & (x < 3), x, 0.0)
        return where(x <= -3, 0.0, where(x < 3, middle * (middle + 3) / 6, x)).to(x.dtype)
    return _activation(input, "hardswish", swish, inplace)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x·σ(x) (also called swish)."""
    return _activation(input, "silu", lambda x: x * x.sigmoid(), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta·x))/beta, a smooth relu; x itself where beta·x > threshold, as torch's.

    Below the threshold e^(beta·x) cannot overflow, and log1p keeps the digits of its tiny values far left; the
    exponential is taken of the argument capped at the threshold, so the linear side's gradient never meets an inf.
    """
    check_floating(check_tensor(input, "softplus"), "softplus")
    scaled = input * beta
    linear = scaled > threshold
    return where(linear, input, where(linear, 0.0, scaled).exp().log1p() / beta)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(softplus(x)), with softplus = max(x, 0) + log(1 + e^-|x|), which never overflows."""
    def smooth(x):
        positive = x > 0
        soft = where(positive, x, 0.0) + where(positive, -x, x).exp().log1p()
        return x * soft.tanh()
    return _activation(input, "mish", smooth, inplace)


def softsign(input: Tensor) -> Tensor:
    """x/(1 + |x|)."""
    check_tensor(input, "softsign")
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    check_tensor(input, "tanhshrink")
    return input - input.tanh()


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 on [-lambd, lambd], else x moved lambd towards 0 (the proximal step of the L1 norm)."""
    check_floating(check_tensor(input, "softshrink"), "softshrink")
    if lambd < 0:
        raise RuntimeError(f"softshrink: expected lambd >= 0, got {lambd}")
    return where((input >= -lambd) & (input <= lambd), 0.0, where(input > 0, input - lambd, input + lambd))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 on [-lambd, lambd], else x."""
    check_floating(check_tensor(input, "hardshrink"), "hardshrink")
    return where((input >= -lambd) & (input <= lambd), 0.0, input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: a·σ(b), with a and b the two halves of ``input`` along ``dim``."""
    check_tensor(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu: expected a tensor with at least one dimension (glu does not support scalars "
                           "because halving size must be even)")
    d = check_dim(dim, input.ndim, "glu")
    if input.shape[d] % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    check_floating(input, "glu")
    a, b = input.chunk(2, d)
    return a * b.sigmoid()


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else weight·x, with one learned slope per channel (dim 1; an input of fewer than two
    dimensions has one channel) or one slope for all."""
    check_floating(check_tensor(input, "prelu"), "prelu")
    check_tensor(weight, "prelu", "weight")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    if weight.numel() == 1:
        slope = weight.reshape(())
    else:
        channels = input.shape[1] if input.ndim > 1 else 1
        if weight.numel() != channels:
            raise RuntimeError(f"prelu: Mismatch of parameter numbers and input channel size. Found parameter "
                               f"numbers = {weight.numel()} and channel size = {channels}.")
        slope = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, slope * input)
