"""The Elman RNN: one hidden state, squashed at every step.

    h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)

The same W_hh multiplies the state at every step, so the gradient reaching h_0 is a product of T Jacobians
W_hhᵀ·diag(1 - h_t²): it shrinks or grows geometrically with T (the vanishing/exploding gradient problem).
"""

from __future__ import annotations

import minigrad.nn.functional as F

from .recurrent import Recurrence, RecurrentCell, RecurrentLayer

NONLINEARITIES = ("tanh", "relu")


def rnn_step(input_projection, h, weight_hh, bias_hh, nonlinearity="tanh"):
    # h' = tanh(W_ih x + b_ih + W_hh h + b_hh)   (relu instead of tanh when asked)
    pre_activation = input_projection + F.linear(h, weight_hh, bias_hh)
    return pre_activation.tanh() if nonlinearity == "tanh" else pre_activation.relu()


# one gate, a state h; tanh unless the cell or layer asks for relu (its ``step`` below passes the choice on)
RNN_RECURRENCE = Recurrence(rnn_step)


def _check_nonlinearity(nonlinearity, kind: str) -> str:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"{kind}: expected nonlinearity 'tanh' or 'relu', got {nonlinearity!r}")
    return nonlinearity


class _Nonlinearity:
    """What RNNCell and RNN add to the shared recurrence: their ``nonlinearity``, passed to every step and shown
    in the repr when it is not the default."""

    def step(self, input_projection, h, weight_hh, bias_hh):
        return rnn_step(input_projection, h, weight_hh, bias_hh, self.nonlinearity)

    def extra_repr(self):
        return super().extra_repr() + ("" if self.nonlinearity == "tanh" else f", nonlinearity={self.nonlinearity}")


class RNNCell(_Nonlinearity, RecurrentCell):
    """One step of an Elman RNN: ``h' = cell(x, h)``. Weights as torch.nn.RNNCell: weight_ih (H, I),
    weight_hh (H, H), bias_ih (H,), bias_hh (H,)."""

    recurrence = RNN_RECURRENCE

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        self.nonlinearity = _check_nonlinearity(nonlinearity, "RNNCell")
        super().__init__(input_size, hidden_size, bias, device, dtype)


class RNN(_Nonlinearity, RecurrentLayer):
    """A multi-layer Elman RNN over sequences, as torch.nn.RNN (see RecurrentLayer for inputs and outputs)."""

    recurrence = RNN_RECURRENCE

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        self.nonlinearity = _check_nonlinearity(nonlinearity, "RNN")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device,
                         dtype)
