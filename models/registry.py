"""Every kind of recurrence by the name users give it (``Encoder(cell="lstm")``, ``minigrad trace --cells lstm``):
the one registry that seq2seq, the command line, the benchmark and the tests read.

The order is the history's, which the tutorials and the traces follow too: the Elman RNN, the LSTM that keeps
its gradient through time, the GRU that does the same with fewer gates.
"""

from __future__ import annotations

from typing import NamedTuple

from .gru import GRU, GRUCell
from .lstm import LSTM, LSTMCell
from .recurrent import Recurrence
from .rnn import RNN, RNNCell


class RecurrentKind(NamedTuple):
    """One kind of recurrence with its cell and layer classes (named as torch.nn's) and its display title."""

    title: str      # how tables and traces label it
    cell: type
    layer: type

    @property
    def recurrence(self) -> Recurrence:
        """The declaration (step function, gates, state) that the cell and the layer share."""
        return self.layer.recurrence


RECURRENCES = {
    "rnn": RecurrentKind("tanh RNN", RNNCell, RNN),  # tanh: the default nonlinearity
    "lstm": RecurrentKind("LSTM", LSTMCell, LSTM),
    "gru": RecurrentKind("GRU", GRUCell, GRU),
}
