"""Gated recurrent unit (Cho et al. 2014), with torch.nn.GRU's gate order r, z, n.

The new state interpolates between the old one and a candidate, h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}, so
∂h_t/∂h_{t-1} contains the term diag(z_t): an update gate near 1 carries the state (and its gradient) forward.
The reset gate multiplies the recurrent term *after* its matmul, r ⊙ (W_hn h + b_hn), as torch (and cuDNN) do.
"""

from __future__ import annotations

import minigrad.nn.functional as F
from minigrad import trace

from .recurrent import Recurrence, RecurrentCell, RecurrentLayer


def gru_step(input_projection, h, weight_hh, bias_hh):
    x_r, x_z, x_n = input_projection.chunk(3, dim=-1)
    h_r, h_z, h_n = F.linear(h, weight_hh, bias_hh).chunk(3, dim=-1)  # the recurrent terms, one matmul
    r = (x_r + h_r).sigmoid()       # r = σ(W_ir x + b_ir + W_hr h + b_hr)          reset gate
    z = (x_z + h_z).sigmoid()       # z = σ(W_iz x + b_iz + W_hz h + b_hz)          update gate
    n = (x_n + r * h_n).tanh()      # n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))  candidate state
    trace.record(reset_gate=r, update_gate=z)  # for minigrad.trace.through_time (free otherwise)
    return (1 - z) * n + z * h      # h' = (1 - z) ⊙ n + z ⊙ h


# three gates (r, z, n); b_hn is multiplied by r, so it cannot join b_in in the input projection
GRU_RECURRENCE = Recurrence(gru_step, gate_count=3, recurrent_bias_is_additive=False)


class GRUCell(RecurrentCell):
    """One GRU step: ``h' = cell(x, h)``. Weights as torch.nn.GRUCell (3H rows: r, z, n)."""

    recurrence = GRU_RECURRENCE


class GRU(RecurrentLayer):
    """A multi-layer GRU over sequences, as torch.nn.GRU; returns ``(output, h_n)``."""

    recurrence = GRU_RECURRENCE
