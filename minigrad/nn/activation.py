"""Activation layers, as torch.nn's: each calls its function in ``minigrad.nn.functional``."""

from __future__ import annotations

from . import functional as F
from .module import Module


def _inplace_repr(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class ReLU(Module):
    """max(x, 0). ``inplace`` is accepted for torch's signature; the result is computed out of place."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


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
