"""``torch.nn.modules.rnn``: the recurrent layers and cells of models.

``RNNBase`` and ``RNNCellBase`` are the classes every layer and every cell derive from, as in torch, so
``isinstance(module, RNNBase)`` finds them. Unlike torch's, their constructors take no ``mode`` ('LSTM', 'GRU', ...):
a kind of recurrence is a subclass here (see models.recurrent), so subclass ``LSTM`` or ``GRU`` rather than
``RNNBase``.
"""

from ...gru import GRU, GRUCell
from ...lstm import LSTM, LSTMCell
from ...recurrent import RecurrentCell as RNNCellBase
from ...recurrent import RecurrentLayer as RNNBase
from ...rnn import RNN, RNNCell

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
