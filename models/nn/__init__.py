"""``torch.nn`` as seen from minigrad: everything in ``minigrad.nn`` plus the recurrent, attention and Transformer
layers of ``models``.

PyTorch code ports by swapping imports::

    import torch                    →   import minigrad as torch
    import torch.nn as nn           →   import models.nn as nn
    from torch.nn.utils.rnn import  →   from models.nn.utils.rnn import
"""

from minigrad.nn import *  # noqa: F401,F403  (the whole of minigrad.nn, re-exported)
from minigrad.nn import __all__ as _minigrad_nn_names
from minigrad.nn import functional, init  # noqa: F401

from ..gru import GRU, GRUCell
from ..lstm import LSTM, LSTMCell
from ..multihead_attention import MultiheadAttention
from ..rnn import RNN, RNNCell
from ..transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                           TransformerEncoderLayer)
from . import utils

__all__ = list(_minigrad_nn_names) + ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "MultiheadAttention",
                                      "TransformerEncoderLayer", "TransformerEncoder", "TransformerDecoderLayer",
                                      "TransformerDecoder", "Transformer", "utils"]
