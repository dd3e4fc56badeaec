"""Decoding: turning a model's next-token distributions into output sequences (greedy search and beam search).

An autoregressive decoder gives log P(y_t | y_<t) one token at a time. The output we want is the most probable
sequence, argmax_y Σ_t log P(y_t | y_<t), but there are V^T sequences of length T, far too many to score them all,
so we search:

- **greedy search** commits to the most probable token at every step. It is cheap, but it can never take a choice
  back: a token that looks best now may only have improbable continuations.
- **beam search** keeps the ``beam_size`` best partial sequences (*hypotheses*) at every step and extends all of
  them, so a hypothesis that starts a little worse but continues well survives long enough to win. With
  ``beam_size=1`` it is greedy search; with a beam wide enough to hold every hypothesis it is exhaustive search.

Both are written against the small ``StepModel`` protocol below, so they work for any decoder: the hand-built
tables of the tests as well as a Seq2Seq model. Everything runs under ``minigrad.no_grad()`` (decoding needs no
gradients); ranking happens on the tensors' device and only the few numbers the bookkeeping needs come to the host.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple, Protocol

import minigrad
from minigrad import Tensor


class StepModel(Protocol):
    """What a model must offer to be decoded: a state for N rows, one step, and a way to reorder rows."""

    def initial_state(self):
        """The decoder state before the first token, for N rows (N = the batch size given to the search)."""

    def step(self, tokens: Tensor, state):
        """Feed one token per row (an int64 Tensor of shape (N,)); return ``(log_probs (N, V), new_state)``."""

    def select(self, state, indices: Tensor):
        """A state whose row i is row ``indices[i]`` of ``state`` (an int64 Tensor; rows may repeat or vanish)."""


class Hypothesis(NamedTuple):
    """A generated sequence: its tokens (without bos/eos), total log-prob, and length counting eos if produced."""

    tokens: tuple
    score: float
    length: int

    def normalised(self, alpha: float) -> float:
        return self.score / self.length ** alpha


@minigrad.no_grad()
def greedy_search(model: StepModel, batch_size: int, bos_idx: int, eos_idx: int, max_len: int, device=None):
    """Decode every row by feeding back its most probable token, until eos or ``max_len`` generated tokens.

    Returns ``(sequences, scores)``: per row the generated tokens (no bos, no eos) and their total log-prob, which
    includes the eos token's log-prob when eos was produced. All rows run as one batch; a row that has produced
    eos is finished and what the model says for it afterwards is ignored. ``device`` is where the token tensors fed
    to ``model.step`` are made (default: minigrad's default device).
    """
    _check_search_arguments("greedy_search", batch_size, bos_idx, eos_idx, max_len)
    state = model.initial_state()
    tokens = minigrad.full((batch_size,), bos_idx, dtype=minigrad.int64, device=device)
    sequences = [[] for _ in range(batch_size)]
    scores = [0.0] * batch_size
    finished = [False] * batch_size
    for _ in range(max_len):
        log_probs, state = _step(model, tokens, state, bos_idx, eos_idx, "greedy_search")
        best_log_probs, tokens = log_probs.max(dim=1)
        for row, (token, log_prob) in enumerate(zip(tokens.tolist(), best_log_probs.tolist())):
            if finished[row]:
                continue
            scores[row] += log_prob
            if token == eos_idx:
                finished[row] = True
            else:
                sequences[row].append(token)
        if all(finished):
            break
    return sequences, scores


@minigrad.no_grad()
def beam_search(model: StepModel, batch_size: int, bos_idx: int, eos_idx: int, max_len: int, beam_size: int,
                alpha: float = 0.0, device=None):
    """Decode every row keeping its ``beam_size`` best hypotheses at each step; return the best finished one.

    The algorithm, for k = ``beam_size``:

    1. Every batch row starts with one hypothesis, the empty one. The model's state is copied k times per row
       (``model.select``) so that all B·k hypotheses run through ``model.step`` as one batch.
    2. At each step every hypothesis h and token w give a candidate with score(h) + log P(w | h): k·V candidates
       per row. The k best of them, over all of the row's hypotheses at once, form the new beam; the state rows are
       reordered to follow their parents.
    3. A candidate ending in eos is complete: it moves to the row's finished list and frees its place in the beam.
    4. A row is done when no hypothesis left on its beam can end better than its best finished one (or after
       ``max_len`` generated tokens, when what is left on the beam counts as finished). The winner is the finished
       hypothesis with the highest ``score / length ** alpha``.

    **Length normalisation.** Every token adds a log-prob ≤ 0, so raw scores favour short outputs: a hypothesis that
    stops early has fewer negative terms, whatever its quality. Dividing by ``length ** alpha`` (length = generated
    tokens including eos) removes part of that bias: ``alpha=0`` ranks by raw log-prob, ``alpha=1`` by the average
    log-prob per token; values around 0.6-1 are common in translation.

    Returns ``(sequences, scores)`` like ``greedy_search``: the winners' tokens (no bos/eos) and their raw total
    log-probs (not normalised). ``beam_size=1`` gives exactly greedy_search's result.
    """
    _check_search_arguments("beam_search", batch_size, bos_idx, eos_idx, max_len)
    _check_int("beam_search", "beam_size", beam_size, minimum=1)
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha >= 0:  # `not >=` refuses NaN
        raise ValueError(f"beam_search: expected alpha >= 0, got {alpha!r}")
    k = beam_size
    copies_of_rows = minigrad.arange(batch_size, device=device).reshape(-1, 1).expand(batch_size, k).reshape(-1)
    state = model.select(model.initial_state(), copies_of_rows)
    tokens = minigrad.full((batch_size * k,), bos_idx, dtype=minigrad.int64, device=device)
    # Only the first copy is a real hypothesis; the others score -inf, else the first step would fill the beam with
    # k copies of the same best token. Scores are summed in float64, as greedy_search sums Python floats, so that
    # beam_size=1 reproduces its scores to the last bit.
    scores = minigrad.tensor([[0.0] + [-math.inf] * (k - 1)] * batch_size, dtype=minigrad.float64, device=device)
    first_beam_of_row = minigrad.arange(0, batch_size * k, k, device=device).reshape(-1, 1)
    # the host's copy of the beams: beams[row][slot] is the Hypothesis in that slot, or None for an empty slot
    beams = [[Hypothesis((), 0.0, 0)] + [None] * (k - 1) for _ in range(batch_size)]
    finished = [[] for _ in range(batch_size)]
    done = [False] * batch_size
    for _ in range(max_len):
        log_probs, state = _step(model, tokens, state, bos_idx, eos_idx, "beam_search")
        vocab_size = log_probs.shape[1]
        candidates = (scores.reshape(-1, 1) + log_probs.double()).reshape(batch_size, k * vocab_size)
        top_scores, top = candidates.sort(dim=1, descending=True)  # a stable sort: ties keep the lower index, as argmax
        top_scores, top = top_scores[:, :k], top[:, :k]
        parents, next_tokens = _beam_and_token(top, k, vocab_size)  # (B, k) each
        state = model.select(state, (first_beam_of_row + parents).reshape(-1))
        tokens = next_tokens.reshape(-1)
        scores = top_scores.masked_fill(next_tokens == eos_idx, -math.inf)  # a finished hypothesis leaves the beam
        for row, (row_scores, row_parents, row_tokens) in enumerate(
                zip(top_scores.tolist(), parents.tolist(), next_tokens.tolist())):
            if not done[row]:
                beams[row] = _extend(beams[row], row_scores, row_parents, row_tokens, eos_idx, finished[row])
                done[row] = _cannot_improve(finished[row], beams[row], alpha, max_len)
        if all(done):
            break
    sequences, final_scores = [], []
    for row in range(batch_size):
        if not done[row]:  # max_len reached: the unfinished hypotheses compete as they are
            finished[row].extend(h for h in beams[row] if h is not None)
        if not finished[row]:
            raise RuntimeError(f"beam_search: every continuation of batch row {row} has probability 0 (log-prob "
                               "-inf); expected a model that gives some token a finite log-prob")
        best = max(finished[row], key=lambda h: h.normalised(alpha))  # ties: the first to finish wins
        sequences.append(list(best.tokens))
        final_scores.append(best.score)
    return sequences, final_scores


def _beam_and_token(candidate: Tensor, beam_size: int, vocab_size: int):
    """Candidate c of a row's beam_size·V continuations extends beam c // V with token c % V.

    Looked up in two small tables instead of computed, which keeps it to ops every device has.
    """
    beam_of = minigrad.arange(beam_size, device=candidate.device).reshape(-1, 1).expand(beam_size, vocab_size)
    token_of = minigrad.arange(vocab_size, device=candidate.device).expand(beam_size, vocab_size)
    return beam_of.reshape(-1)[candidate], token_of.reshape(-1)[candidate]


def _extend(beam: list, scores: list, parents: list, tokens: list, eos_idx: int, finished: list) -> list:
    """One row's new beam from its top-k candidates; those ending in eos go to ``finished`` instead."""
    new_beam = []
    for score, parent, token in zip(scores, parents, tokens):
        if score == -math.inf:  # fewer than k candidates were possible at all: the slot stays empty
            new_beam.append(None)
        elif token == eos_idx:
            finished.append(Hypothesis(beam[parent].tokens, score, beam[parent].length + 1))
            new_beam.append(None)
        else:
            new_beam.append(Hypothesis(beam[parent].tokens + (token,), score, beam[parent].length + 1))
    return new_beam


def _cannot_improve(finished: list, beam: list, alpha: float, max_len: int) -> bool:
    """True when no hypothesis on the beam can still end with a better normalised score than the best finished one.

    Log-probs are ≤ 0, so a hypothesis with score s can only end with a score s' ≤ s, and at a length of at most
    max_len; its normalised score s' / length**alpha is then at most s / max_len**alpha. Stopping earlier, once k
    hypotheses have finished (a common shortcut), could miss a better one still on the beam.
    """
    live = [h for h in beam if h is not None]
    if not finished:
        return not live
    best = max(h.normalised(alpha) for h in finished)
    return all(h.score / max_len ** alpha <= best for h in live)


def _step(model: StepModel, tokens: Tensor, state, bos_idx: int, eos_idx: int, op: str):
    """``model.step``, with its output checked so that a wrong model fails here and not deep in the search."""
    log_probs, state = model.step(tokens, state)
    rows = tokens.shape[0]
    if not isinstance(log_probs, Tensor) or log_probs.ndim != 2 or log_probs.shape[0] != rows:
        got = f"shape {log_probs.shape}" if isinstance(log_probs, Tensor) else type(log_probs).__name__
        raise ValueError(f"{op}: expected model.step to return log-probs of shape ({rows}, V), got {got}")
    vocab_size = log_probs.shape[1]
    for name, index in (("bos_idx", bos_idx), ("eos_idx", eos_idx)):
        if index >= vocab_size:
            raise ValueError(f"{op}: expected {name} < V = {vocab_size} (the model's vocabulary), got {index}")
    return log_probs, state


def _check_search_arguments(op: str, batch_size, bos_idx, eos_idx, max_len) -> None:
    _check_int(op, "batch_size", batch_size, minimum=1)
    _check_int(op, "bos_idx", bos_idx, minimum=0)
    _check_int(op, "eos_idx", eos_idx, minimum=0)
    _check_int(op, "max_len", max_len, minimum=1)


def _check_int(op: str, name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{op}: expected {name} to be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{op}: expected {name} >= {minimum}, got {value}")
