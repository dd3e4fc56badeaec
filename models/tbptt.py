"""Truncated backpropagation through time, for language models trained on one long stream.

Backpropagating through the whole stream would keep every step's graph in memory. Instead the stream is cut into
chunks of ``bptt`` steps; the recurrent state is carried from one chunk to the next (so the model still *sees*
the whole history) but detached at the boundary (so gradients flow back at most ``bptt`` steps and each chunk's
graph is freed after its backward)::

    state = None
    for inputs, targets in bptt_batches(tokens, batch_size=32, bptt=35):
        output, state = lstm(embedding(inputs), state)
        loss = F.cross_entropy(decoder(output).transpose(1, 2), targets)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        state = detach_state(state)          # keep the values, drop the graph
"""

from __future__ import annotations

import numbers

import minigrad
from minigrad import Tensor


def detach_state(state):
    """The same recurrent state cut from the graph: a Tensor, or a tuple/list (nested) of them, or None."""
    if state is None:
        return None
    if isinstance(state, Tensor):
        return state.detach()
    if isinstance(state, (tuple, list)):
        return type(state)(detach_state(part) for part in state)
    raise TypeError(f"detach_state: expected a Tensor or a tuple/list of Tensors, got {type(state).__name__}")


def bptt_batches(tokens, batch_size: int, bptt: int, device=None):
    """Yield ``(inputs, targets)`` chunks of shape (batch_size, ≤ bptt) from one long stream of token ids.

    The stream is split into ``batch_size`` contiguous rows (the tail that does not fill a row is dropped), so
    row b of consecutive chunks continues the same text and a carried state stays meaningful. ``targets`` are
    the inputs shifted by one step: the next token to predict.
    """
    for name, value in (("batch_size", batch_size), ("bptt", bptt)):
        if not isinstance(value, numbers.Integral) or value <= 0:
            raise ValueError(f"bptt_batches: expected {name} to be a positive int, got {value!r}")
    stream = tokens if isinstance(tokens, Tensor) else minigrad.tensor(tokens, device=device)
    if stream.ndim != 1 or stream.dtype.kind not in "iu":
        raise ValueError(f"bptt_batches: expected a 1-D stream of integer token ids, got dtype {stream.dtype} and "
                         f"shape {stream.shape}")
    row_length = stream.shape[0] // batch_size
    if row_length < 2:
        raise ValueError(f"bptt_batches: a stream of {stream.shape[0]} tokens is too short for {batch_size} rows "
                         "of at least 2 tokens")
    rows = stream[:row_length * batch_size].reshape(batch_size, row_length)
    for start in range(0, row_length - 1, bptt):
        stop = min(start + bptt, row_length - 1)
        yield rows[:, start:stop], rows[:, start + 1:stop + 1]
