"""torch.autograd's API: write your own differentiable op (``Function``), grad modes, anomaly detection.

The engine itself (graph nodes, the backward walk) is ``minigrad.engine``; this package is what a user calls.
"""

import warnings

from .. import engine
from ..engine import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ..checks import check_tensor
from ..tensor import apply
from . import forward_ad, functional, graph
from .anomaly import detect_anomaly
from .backward import backward, grad
from .grad_mode import inference_mode
from .gradcheck import GradcheckError, gradcheck, gradgradcheck


class Function(engine.Function):
    """A differentiable op of your own: subclass it, write ``forward(ctx, *arrays)`` and ``backward(ctx, grad)``
    on arrays (see ``minigrad.engine.Function``), and call it on tensors with ``MyOp.apply(x, y)``."""

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on tensors (and Python numbers, passed as constants); returns a Tensor or a tuple."""
        return apply(cls, *inputs, **params)


def Variable(data, requires_grad=False, volatile=False):
    """torch's old wrapper, a no-op since tensors carry their gradients themselves (torch 0.4): a tensor sharing
    ``data``'s memory, a leaf that requires grad as asked. Kept so that older programs run."""
    if volatile:
        warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                      UserWarning, stacklevel=2)
    return check_tensor(data, "Variable").detach().requires_grad_(requires_grad)


__all__ = ["Variable", "Function", "backward", "grad", "gradcheck", "gradgradcheck", "GradcheckError", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled", "inference_mode", "detect_anomaly"]
