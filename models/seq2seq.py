"""Sequence to sequence: an encoder reads the source, a decoder writes the target one token at a time.

Without attention the decoder starts from the encoder's final state and sees nothing else: the whole source must
squeeze through one fixed-size vector (the bottleneck), which fails for long inputs. With attention (attention.py)
the decoder looks at every encoder output at every step.

Training feeds the decoder the gold previous token (teacher forcing). At test time it must feed its own
predictions, which it never practised on (exposure bias); scheduled sampling mixes in its own predictions during
training with a probability that grows as training goes on.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import minigrad
import minigrad.nn.functional as F
from minigrad import Tensor, nn

from .packing import pack_padded_sequence, pad_packed_sequence
from .registry import RECURRENCES
from .search import beam_search, greedy_search


def _layer_class(cell: str, kind: str):
    if cell not in RECURRENCES:
        raise ValueError(f"{kind}: expected cell to be one of {list(RECURRENCES)}, got {cell!r}")
    return RECURRENCES[cell].layer


class Memory(NamedTuple):
    """What the decoder may consult at every step: the encoder outputs, which of them are real, and the
    attention's precomputed key projection."""

    outputs: Tensor                  # (B, S, encoder output size)
    mask: Tensor                     # (B, S) True at real (non-padding) positions
    keys_projection: Tensor | None   # attention.project_keys(outputs), or None without attention


class Encoder(nn.Module):
    """Embedding + recurrent layer over the (padded, batch-first) source, packed by the source lengths.

    Returns the outputs (B, S, D·H) and a final state whose directions are joined per layer, (L, B, D·H), so a
    decoder of hidden size D·H can start from it.
    """

    def __init__(self, vocab_size, embed_size, hidden_size, cell="gru", num_layers=1, bidirectional=False,
                 dropout=0.0, padding_idx=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=padding_idx)
        self.rnn = _layer_class(cell, "Encoder")(embed_size, hidden_size, num_layers, batch_first=True,
                                                 dropout=dropout, bidirectional=bidirectional)
        self.output_size = hidden_size * self.rnn.num_directions

    def forward(self, src: Tensor, lengths):
        if not isinstance(src, Tensor) or src.ndim != 2 or src.dtype.kind not in "iu":
            raise ValueError(f"Encoder: expected src token ids of shape (B, S), got "
                             f"{(src.dtype, src.shape) if isinstance(src, Tensor) else type(src).__name__}")
        packed = pack_padded_sequence(self.embedding(src), lengths, batch_first=True, enforce_sorted=False)
        packed_outputs, state = self.rnn(packed)
        outputs, _ = pad_packed_sequence(packed_outputs, batch_first=True, total_length=src.shape[1])
        if isinstance(state, tuple):  # LSTM: (h_n, c_n)
            return outputs, tuple(self._join_directions(part) for part in state)
        return outputs, self._join_directions(state)

    def _join_directions(self, state: Tensor) -> Tensor:
        layers, directions = self.rnn.num_layers, self.rnn.num_directions
        _, batch, hidden = state.shape
        # (L·D, B, H) → (L, D, B, H) → (L, B, D, H) → (L, B, D·H): forward then reverse, as in the outputs
        return state.reshape(layers, directions, batch, hidden).permute(0, 2, 1, 3).reshape(layers, batch, -1)


class Decoder(nn.Module):
    """Writes one token per ``step``: embed the previous token, (attend,) advance the recurrent state, predict.

    With ``attention``, the query is the top layer's previous hidden state, the context is fed to the recurrent
    layer together with the embedding and again to the output layer (Bahdanau et al. 2015).
    ``context_size`` is the size of the encoder outputs (needed with attention).
    """

    def __init__(self, vocab_size, embed_size, hidden_size, cell="gru", num_layers=1, attention=None,
                 context_size=None, dropout=0.0, padding_idx=0):
        super().__init__()
        if attention is not None and not isinstance(context_size, numbers.Integral):
            raise ValueError(f"Decoder: attention needs context_size (the encoder output size), got {context_size!r}")
        extra = context_size if attention is not None else 0
        self.vocab_size, self.hidden_size, self.num_layers = vocab_size, hidden_size, num_layers
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=padding_idx)
        self.attention = attention
        self.rnn = _layer_class(cell, "Decoder")(embed_size + extra, hidden_size, num_layers, dropout=dropout)
        self.out = nn.Linear(hidden_size + extra, vocab_size)

    def step(self, tokens: Tensor, state, memory: Memory):
        """tokens (B,) → (logits (B, V), next state, attention weights (B, S) or None)."""
        embedded = self.embedding(tokens)
        if self.attention is None:
            output, state = self.rnn(embedded.unsqueeze(0), state)
            return self.out(output.squeeze(0)), state, None
        query = (state[0] if isinstance(state, tuple) else state)[-1]  # top layer's h_{t-1}
        context, weights = self.attention(query, memory.outputs, memory.mask, memory.keys_projection)
        output, state = self.rnn(minigrad.cat([embedded, context], dim=-1).unsqueeze(0), state)
        return self.out(minigrad.cat([output.squeeze(0), context], dim=-1)), state, weights


class Seq2Seq(nn.Module):
    """Encoder-decoder with optional attention, teacher forcing, scheduled sampling, greedy and beam search.

    Target batches (B, T) start with ``bos_idx`` and end with ``eos_idx`` (then padding); ``forward`` predicts
    target positions 1..T-1 and returns logits (B, T-1, V). The attention weights of the last forward are kept
    in ``attention_weights`` (B, T-1, S) for inspection.
    """

    def __init__(self, encoder: Encoder, decoder: Decoder, bos_idx=1, eos_idx=2, pad_idx=0):
        super().__init__()
        if encoder.output_size != decoder.hidden_size or encoder.rnn.num_layers != decoder.num_layers:
            raise ValueError(f"Seq2Seq: the decoder starts from the encoder's final state, so it needs "
                             f"{encoder.rnn.num_layers} layers of size {encoder.output_size} (the encoder's), got "
                             f"{decoder.num_layers} of size {decoder.hidden_size}")
        if type(encoder.rnn) is not type(decoder.rnn):
            raise ValueError(f"Seq2Seq: expected encoder and decoder of the same cell, got "
                             f"{type(encoder.rnn).__name__} and {type(decoder.rnn).__name__}")
        self.encoder, self.decoder = encoder, decoder
        self.bos_idx, self.eos_idx, self.pad_idx = bos_idx, eos_idx, pad_idx
        self.attention_weights = None

    def encode(self, src: Tensor, lengths):
        """The decoder's initial state and its Memory for a source batch."""
        outputs, state = self.encoder(src, lengths)
        mask = src != self.pad_idx
        attention = self.decoder.attention
        return state, Memory(outputs, mask, None if attention is None else attention.project_keys(outputs))

    def forward(self, src: Tensor, lengths, tgt: Tensor, teacher_forcing_ratio: float = 1.0) -> Tensor:
        """Logits (B, T-1, V) for tgt[:, 1:].

        At each step the next input is the gold token tgt[:, t] with probability ``teacher_forcing_ratio``,
        otherwise the model's own prediction (argmax of the previous step), decided per sequence and step.
        """
        if not isinstance(teacher_forcing_ratio, numbers.Real) or not 0 <= teacher_forcing_ratio <= 1:
            raise ValueError(f"Seq2Seq: expected teacher_forcing_ratio in [0, 1], got {teacher_forcing_ratio!r}")
        if not isinstance(tgt, Tensor) or tgt.ndim != 2 or tgt.shape[0] != src.shape[0] or tgt.shape[1] < 2:
            raise ValueError(f"Seq2Seq: expected tgt of shape ({src.shape[0]}, T) with T >= 2 (bos ... eos), got "
                             f"{tgt.shape if isinstance(tgt, Tensor) else type(tgt).__name__}")
        if (tgt[:, 0] != self.bos_idx).any().item():
            raise ValueError(f"Seq2Seq: expected every target to start with bos_idx={self.bos_idx}")
        vocab = self.decoder.vocab_size
        if ((tgt < 0) | (tgt >= vocab)).any().item():
            raise ValueError(f"Seq2Seq: expected target ids in [0, {vocab}) (the decoder's vocabulary), got values "
                             f"from {tgt.min().item()} to {tgt.max().item()}")
        state, memory = self.encode(src, lengths)
        gold = tgt.unbind(1)
        token, all_logits, all_weights = gold[0], [], []
        for t in range(1, len(gold)):
            logits, state, weights = self.decoder.step(token, state, memory)
            all_logits.append(logits)
            all_weights.append(weights)
            token = gold[t]
            if teacher_forcing_ratio < 1:
                use_gold = minigrad.rand(tgt.shape[0], device=tgt.device) < teacher_forcing_ratio
                token = minigrad.where(use_gold, gold[t], logits.argmax(-1))
        if all_weights[0] is not None:
            self.attention_weights = minigrad.stack(all_weights, dim=1).detach()
        return minigrad.stack(all_logits, dim=1)

    # --- decoding --------------------------------------------------------------------------------------------
    def greedy(self, src: Tensor, lengths, max_len: int):
        """Batched greedy decoding: (token lists without bos/eos, total log-probabilities)."""
        with minigrad.no_grad():
            return greedy_search(_Decoding(self, src, lengths), src.shape[0], self.bos_idx, self.eos_idx, max_len,
                                 device=src.device)

    def beam(self, src: Tensor, lengths, max_len: int, beam_size: int = 5, alpha: float = 0.0):
        """Beam search with ``beam_size`` hypotheses and length normalisation score / length**alpha."""
        with minigrad.no_grad():
            return beam_search(_Decoding(self, src, lengths), src.shape[0], self.bos_idx, self.eos_idx, max_len,
                               beam_size, alpha, device=src.device)


class _Decoding:
    """Seq2Seq seen through the StepModel protocol of search.py: a state is (recurrent state, Memory)."""

    def __init__(self, model: Seq2Seq, src: Tensor, lengths):
        self.model = model
        self.start = model.encode(src, lengths)

    def initial_state(self):
        return self.start

    def step(self, tokens, state):
        recurrent, memory = state
        logits, recurrent, _ = self.model.decoder.step(tokens, recurrent, memory)
        return logits.log_softmax(-1), (recurrent, memory)

    def select(self, state, indices):
        recurrent, memory = state
        # recurrent states are (L, B, H): the rows are along dim 1; the memory's along dim 0
        if isinstance(recurrent, tuple):
            recurrent = tuple(part[:, indices] for part in recurrent)
        else:
            recurrent = recurrent[:, indices]
        return recurrent, Memory(*(None if t is None else t[indices] for t in memory))


def sequence_loss(logits: Tensor, targets: Tensor, pad_idx: int = 0) -> Tensor:
    """Mean cross-entropy over the real (non-padding) target tokens: logits (B, T, V), targets (B, T)."""
    if not isinstance(logits, Tensor) or logits.ndim != 3 or not isinstance(targets, Tensor) \
            or targets.shape != logits.shape[:2]:
        raise ValueError(f"sequence_loss: expected logits (B, T, V) and targets (B, T), got "
                         f"{getattr(logits, 'shape', None)} and {getattr(targets, 'shape', None)}")
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=pad_idx)


# --- scheduled sampling (Bengio et al. 2015): the probability of feeding the gold token at training step i ------
def _check_step(step) -> int:
    if not isinstance(step, numbers.Integral) or step < 0:
        raise ValueError(f"expected a training step >= 0, got {step!r}")
    return int(step)


def linear_schedule(step: int, total_steps: int, start: float = 1.0, end: float = 0.0) -> float:
    """ε_i falls in a straight line from ``start`` to ``end`` over ``total_steps``, then stays at ``end``."""
    step = _check_step(step)
    if not total_steps > 0 or not 0 <= end <= start <= 1:
        raise ValueError(f"linear_schedule: expected total_steps > 0 and 0 <= end <= start <= 1, got "
                         f"{total_steps}, {end}, {start}")
    return max(end, start - (start - end) * step / total_steps)


def exponential_schedule(step: int, k: float = 0.999) -> float:
    """ε_i = kⁱ with 0 < k < 1."""
    step = _check_step(step)
    if not 0 < k < 1:
        raise ValueError(f"exponential_schedule: expected 0 < k < 1, got {k}")
    return k ** step


def inverse_sigmoid_schedule(step: int, k: float = 100.0) -> float:
    """ε_i = k / (k + exp(i / k)) with k ≥ 1: stays near 1 for a while, then falls smoothly towards 0."""
    step = _check_step(step)
    if not k >= 1:
        raise ValueError(f"inverse_sigmoid_schedule: expected k >= 1, got {k}")
    return k / (k + math.exp(min(step / k, 700.0)))
