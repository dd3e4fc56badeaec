"""``torch.nn`` as seen from minigrad: everything in ``minigrad.nn`` plus the recurrent, attention and Transformer
layers of ``models``, with torch.nn's module paths (``nn.modules.rnn.LSTM``, ``nn.utils.rnn``).

PyTorch code ports by swapping imports::

    import torch                    →   import minigrad as torch
    import torch.nn as nn           →   import models.nn as nn
    from torch.nn.utils.rnn import  →   from models.nn.utils.rnn import
"""

import importlib

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
