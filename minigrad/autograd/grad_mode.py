"""torch.autograd.grad_mode's ``inference_mode``: the graph is not recorded inside it, as with ``no_grad``.

torch also marks the tensors made in inference mode (they skip autograd's bookkeeping, and autograd refuses them
later); minigrad has no such tensors, so one made inside is an ordinary tensor that does not require grad, as under
``no_grad``. ``inference_mode(False)`` turns recording back on for a block, as torch's does.
"""

from ..engine import set_grad_enabled


class inference_mode(set_grad_enabled):
    """``with minigrad.inference_mode():``, ``@minigrad.inference_mode()`` or ``@minigrad.inference_mode``."""

    def __new__(cls, mode=True):
        if callable(mode):  # used bare as a decorator: `mode` is the function
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        super().__init__(not mode)
