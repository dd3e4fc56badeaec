"""Activation layers, as torch.nn's: each calls its function in ``minigrad.nn.functional``."""

from __future__ import annotations

import warnings

from ..creation import empty
from . import functional as F
from .init import constant_
from .module import Module
from .parameter import Parameter


def _inplace_repr(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class _InplaceActivation(Module):
    """An activation with torch's ``inplace`` flag, shown in its repr when set."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class ReLU(_InplaceActivation):
    """max(x, 0). ``inplace`` is accepted for torch's signature; the result is computed out of place."""

    def forward(self, input):
        return F.relu(input)


class LeakyReLU(Module):
    """x for x > 0, else ``negative_slope``·x: negative inputs keep a small gradient."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return ", ".join(filter(None, [f"negative_slope={self.negative_slope}", _inplace_repr(self.inplace)]))


class Tanh(Module):
    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    def forward(self, input):
        return F.sigmoid(input)


class LogSigmoid(Module):
    """log σ(x), exact in both tails (see F.logsigmoid)."""

    def forward(self, input):
        return F.logsigmoid(input)


class GELU(Module):
    """x·Φ(x), Φ the standard normal CDF (``approximate='tanh'``: torch's tanh approximation)."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class _AlongDim(Module):
    """A normalisation along one dimension: ``dim`` None picks torch's implicit dim, with its deprecation
    warning."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """softmax along ``dim``: probabilities that sum to 1."""

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)


class LogSoftmax(_AlongDim):
    """log softmax along ``dim``: log-probabilities, for ``NLLLoss``."""

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmin(_AlongDim):
    """softmin along ``dim``: softmax(-x), weights that favour the smallest values."""

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)


class Hardtanh(Module):
    """x clipped to [min_val, max_val] (``min_value`` and ``max_value`` are torch's deprecated names)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None):
        super().__init__()
        for old, new, value in (("min_value", "min_val", min_value), ("max_value", "max_val", max_value)):
            if value is not None:
                warnings.warn(f"keyword argument `{old}` is deprecated and renamed to `{new}`", FutureWarning,
                              stacklevel=3)
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        self.inplace = inplace
        if self.max_val <= self.min_val:  # (torch's type for this error)
            raise AssertionError(f"Hardtanh: expected max_val > min_val, got max_val ({self.max_val}) and "
                                 f"min_val ({self.min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class ELU(Module):
    """x for x > 0, else alpha·(e^x - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """max(0, x) + min(0, alpha·(e^(x/alpha) - 1))."""

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class SELU(_InplaceActivation):
    """scale·elu(x, alpha), with torch's self-normalising constants."""

    def forward(self, input):
        return F.selu(input, self.inplace)


class SiLU(_InplaceActivation):
    """x·σ(x)."""

    def forward(self, input):
        return F.silu(input, self.inplace)


class Mish(_InplaceActivation):
    """x·tanh(softplus(x))."""

    def forward(self, input):
        return F.mish(input, self.inplace)


class Hardsigmoid(_InplaceActivation):
    """relu6(x + 3)/6 (torch shows no ``inplace`` in this one's repr)."""

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)

    def extra_repr(self):
        return ""


class Hardswish(Hardsigmoid):
    """x·relu6(x + 3)/6."""

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class Softplus(Module):
    """log(1 + e^(beta·x))/beta, linear where beta·x > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """x/(1 + |x|)."""

    def forward(self, input):
        return F.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input):
        return F.tanhshrink(input)


class Softshrink(Module):
    """0 on [-lambd, lambd], else x moved lambd towards 0."""

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(Softshrink):
    """0 on [-lambd, lambd], else x."""

    def forward(self, input):
        return F.hardshrink(input, self.lambd)


class GLU(Module):
    """a·σ(b), a and b the halves of the input along ``dim``."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class PReLU(Module):
    """x for x > 0, else a·x, with a learned slope ``weight`` (one, or one per channel), starting at ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty(num_parameters, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"
