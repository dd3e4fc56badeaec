"""``torch.nn.modules``: the layers by kind, in files named as torch's, for programs that name a layer by its
module path (``nn.modules.rnn.LSTM``, ``from torch.nn.modules.loss import NLLLoss``). Each file re-exports the
classes of minigrad.nn's file of the same name, and of models for the layers minigrad.nn does not have.
"""

from . import (activation, batchnorm, container, distance, dropout, flatten, linear, loss, module, normalization, rnn,
               sparse, transformer)
from .activation import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403

__all__ = [name for part in (activation, batchnorm, container, distance, dropout, flatten, linear, loss, module,
                             normalization, rnn, sparse, transformer) for name in part.__all__]
