"""``torch.backends.cudnn``: the cuDNN switches programs set at the top, for reproducibility or speed::

    minigrad.backends.cudnn.deterministic = True
    minigrad.backends.cudnn.benchmark = False

They can be set and read, and they have no effect: minigrad never calls cuDNN (its recurrent layers are loops of
its own ops, on every device), so there is no kernel choice for them to steer.
"""

from __future__ import annotations

from .. import cuda

# torch's defaults.
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """Whether torch could use cuDNN here, which needs a GPU: True only where ``minigrad.cuda.is_available()``."""
    return cuda.is_available()


def version():
    """The cuDNN version in use: None, as torch answers where cuDNN is not loaded, for minigrad never loads it."""
    return None
