"""Long short-term memory (Hochreiter & Schmidhuber 1997), with torch.nn.LSTM's gate order i, f, g, o.

The cell state c is updated additively, c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t, so ∂c_t/∂c_{t-1} = f_t: when the
forget gate stays near 1 the gradient passes through many steps almost unchanged (the constant error carousel).
"""

from __future__ import annotations

import minigrad
import minigrad.nn.functional as F
from minigrad import trace

from .recurrent import Recurrence, RecurrentCell, RecurrentLayer


def lstm_step(input_projection, state, weight_hh, bias_hh):
    h, c = state
    gates = input_projection + F.linear(h, weight_hh, bias_hh)  # all four gates from one matmul
    i, f, g, o = gates.chunk(4, dim=-1)
    i = i.sigmoid()        # i = σ(W_ii x + b_ii + W_hi h + b_hi)   input gate: how much new content to write
    f = f.sigmoid()        # f = σ(W_if x + b_if + W_hf h + b_hf)   forget gate: how much old content to keep
    g = g.tanh()           # g = tanh(W_ig x + b_ig + W_hg h + b_hg) candidate content
    o = o.sigmoid()        # o = σ(W_io x + b_io + W_ho h + b_ho)   output gate: how much of the cell to show
    c = f * c + i * g      # c' = f ⊙ c + i ⊙ g
    h = o * c.tanh()       # h' = o ⊙ tanh(c')
    trace.record(input_gate=i, forget_gate=f, output_gate=o)  # for minigrad.trace.through_time (free otherwise)
    return h, c


# four gates (i, f, g, o), a state of two parts
LSTM_RECURRENCE = Recurrence(lstm_step, gate_count=4, state_names=("h", "c"))


def _set_forget_bias(module, forget_bias) -> None:
    """Make every forget gate's total bias b_if + b_hf equal ``forget_bias`` (b_if = forget_bias, b_hf = 0).

    A positive value (1.0 is the usual choice) starts the forget gate near σ(1) ≈ 0.73, so the cell remembers
    from the first update on instead of halving its memory every step.
    """
    if forget_bias is None:
        return
    hidden = module.hidden_size
    with minigrad.no_grad():
        for name, param in module.named_parameters():
            if name.startswith("bias_ih"):
                param[hidden:2 * hidden] = float(forget_bias)
            elif name.startswith("bias_hh"):
                param[hidden:2 * hidden] = 0.0


def _check_forget_bias(forget_bias, bias: bool, kind: str) -> None:
    if forget_bias is not None and not bias:
        raise ValueError(f"{kind}: forget_bias needs bias=True, got bias=False")


class LSTMCell(RecurrentCell):
    """One LSTM step: ``(h', c') = cell(x, (h, c))``. Weights as torch.nn.LSTMCell (4H rows: i, f, g, o).

    ``forget_bias`` (e.g. 1.0) sets the forget gates' bias after the default initialisation; None keeps torch's.
    """

    recurrence = LSTM_RECURRENCE

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, forget_bias=None):
        _check_forget_bias(forget_bias, bias, "LSTMCell")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        _set_forget_bias(self, forget_bias)


class LSTM(RecurrentLayer):
    """A multi-layer LSTM over sequences, as torch.nn.LSTM; returns ``(output, (h_n, c_n))``.

    ``forget_bias`` (e.g. 1.0) sets the forget gates' bias after the default initialisation; None keeps torch's.
    """

    recurrence = LSTM_RECURRENCE

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, forget_bias=None):
        _check_forget_bias(forget_bias, bias, "LSTM")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device,
                         dtype)
        _set_forget_bias(self, forget_bias)
