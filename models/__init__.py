"""Sequence models built only from minigrad's public API: recurrent cells and layers, packing, truncated BPTT.

Names, arguments, shapes and parameter names follow torch.nn, so ``from models import LSTM`` can stand in for
``from torch.nn import LSTM`` and a torch state_dict (as NumPy arrays) loads unchanged.
"""

from .attention import AdditiveAttention, Attention, DotAttention, GeneralAttention
from .gru import GRU, GRUCell
from .lstm import LSTM, LSTMCell
from .packing import PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence
from .rnn import RNN, RNNCell
from .tbptt import bptt_batches, detach_state

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "PackedSequence", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "detach_state", "bptt_batches", "Attention", "AdditiveAttention",
           "DotAttention", "GeneralAttention"]
