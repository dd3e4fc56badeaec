"""``torch.nn`` as seen from minigrad: everything in ``minigrad.nn`` plus the recurrent, attention and Transformer
layers of ``models``, with torch.nn's module paths (``nn.modules.rnn.LSTM``, ``nn.utils.rnn``).

PyTorch code ports by swapping imports::

    import torch                    →   import minigrad as torch
    import torch.nn as nn           →   import models.nn as nn
    from torch.nn.utils.rnn import  →   from models.nn.utils.rnn import

Importing this package also registers its layers, ``modules`` and ``utils.rnn`` in ``minigrad.nn`` (attributes, and
``sys.modules`` entries such as ``minigrad.nn.modules.rnn``), so that the same program's ``torch.nn.LSTM`` and
``torch.nn.utils.rnn.pad_sequence``, written against the ``torch`` alias, work too.
"""

import importlib
import sys

import minigrad.nn

from minigrad.nn import *  # noqa: F401,F403  (the whole of minigrad.nn, re-exported)
from minigrad.nn import __all__ as _minigrad_nn_names
from minigrad.nn import functional, init  # noqa: F401

from . import modules
from .modules.activation import MultiheadAttention
from .modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .modules.transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                                  TransformerEncoderLayer)

# The star import bound `utils` to minigrad.nn.utils, and `from . import utils` would leave it so (that form loads a
# submodule only when the package has no attribute of its name yet): import models.nn.utils, which adds `rnn`.
utils = importlib.import_module(f"{__name__}.utils")

__all__ = list(_minigrad_nn_names) + ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell",
                                      "GRUCell", "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
                                      "TransformerDecoderLayer", "TransformerDecoder", "Transformer", "modules"]


def _register_in_minigrad_nn() -> None:
    """Give minigrad.nn what torch.nn has and minigrad.nn leaves to models (minigrad never imports models)."""
    for name in minigrad.nn.PROVIDED_BY_MODELS:
        setattr(minigrad.nn, name, globals()[name])
    minigrad.nn.utils.rnn = utils.rnn
    for name, module in list(sys.modules.items()):  # `import minigrad.nn.modules.rnn` finds the module here
        if name.startswith(f"{__name__}.modules") or name == f"{__name__}.utils.rnn":
            sys.modules["minigrad.nn" + name[len(__name__):]] = module


_register_in_minigrad_nn()
