"""Linear layers, as torch.nn's: ``Identity``, ``Linear`` and ``LazyLinear``."""

from __future__ import annotations

import math

from ..creation import empty
from . import functional as F
from . import init
from ..checks import check_positive_int, check_tensor
from .module import Module
from .parameter import Parameter, UninitializedParameter


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. for a layer switched off); any arguments are ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x Wᵀ + b, with W of shape (out_features, in_features) and W, b ~ U(-1/√in, 1/√in) as in torch."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features", "Linear")
        self.out_features = check_positive_int(out_features, "out_features", "Linear")
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype, device=device))
        self.bias = Parameter(empty(out_features, dtype=dtype, device=device)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw W and b from U(-1/√in_features, 1/√in_features) (torch's kaiming_uniform_ with a = √5)."""
        bound = 1 / math.sqrt(self.in_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class LazyLinear(Linear):
    """A Linear layer whose ``in_features`` is taken from its first input's last dimension.

    Until that first call its weight and bias are ``UninitializedParameter``s (no shape, no values) and
    ``in_features`` is 0. The first call creates them, initialised as Linear's, with the dtype and device the
    layer was built with (or moved to with ``.to()``), and the layer then becomes a plain ``Linear``.

    Build the optimizer after that first call (run one batch through the model first): the call puts new
    Parameter objects in the layer, and an optimizer built before it would hold the placeholders and never
    update the real weights. Loading a ``state_dict`` also gives the parameters their shapes.
    """

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = check_positive_int(out_features, "out_features", "LazyLinear")
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.bias = UninitializedParameter(device=device, dtype=dtype) if bias else None

    def has_uninitialized_params(self) -> bool:
        return any(isinstance(p, UninitializedParameter) for p in (self.weight, self.bias))

    def forward(self, input):
        check_tensor(input, "LazyLinear")
        if self.has_uninitialized_params():
            if input.ndim == 0:
                raise IndexError("LazyLinear: expected an input with at least one dimension (its last is "
                                 "in_features), got a 0-d tensor")
            self.in_features = input.shape[-1]
            self.weight = Parameter(empty(self.out_features, self.in_features, dtype=self.weight.dtype,
                                          device=self.weight.device))
            if self.bias is not None:
                self.bias = Parameter(empty(self.out_features, dtype=self.bias.dtype, device=self.bias.device))
            self.reset_parameters()
        self.in_features = self.weight.shape[1]  # also right when a state_dict gave the shapes
        self.__class__ = Linear  # as torch does: from now on it is an ordinary Linear layer
        return Linear.forward(self, input)
