"""Greedy and beam search, on hand-built models whose best sequences the tests can work out independently."""

import functools
import itertools
import math

import numpy as np
import pytest

import minigrad
from models.search import beam_search, greedy_search

BOS, EOS = 0, 1


# --- hand-built step models --------------------------------------------------------------------------------
class TrigramModel:
    """log P(next | token before last, last token) read from a (V, V, V) table; the state is the token before last.

    Each batch row starts from its own context token, so rows decode differently, and the log-probs are right only
    if the state follows its hypothesis through ``select``.
    """

    def __init__(self, log_table, contexts):
        self.log_table = np.asarray(log_table, dtype=np.float32)
        self.table = minigrad.tensor(self.log_table)
        self.contexts = list(contexts)

    def initial_state(self):
        return minigrad.tensor(self.contexts)

    def step(self, tokens, state):
        return self.table[state, tokens], tokens

    def select(self, state, indices):
        return state[indices]

    def log_prob(self, row, tokens):
        """Σ log P(token | two before) over ``tokens`` (eos included by the caller), in Python floats."""
        before, last, total = self.contexts[row], BOS, 0.0
        for token in tokens:
            total += float(self.log_table[before, last, token])
            before, last = last, token
        return total


def random_trigram_model(seed, contexts, vocab_size=6):
    logits = np.random.default_rng(seed).normal(size=(vocab_size,) * 3) * 2
    return TrigramModel(logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True), contexts)


class PrefixModel:
    """log P(next | whole prefix) from ``distribution(prefix)``; the state is each row's prefix, a Python tuple.

    Row r's prefix starts with ``starts[r]``, then bos, then the generated tokens. The model counts its steps and
    records whether a graph was being built.
    """

    def __init__(self, distribution, starts=((),)):
        self.distribution = distribution
        self.starts = [tuple(start) for start in starts]
        self.steps = 0
        self.grad_enabled = []

    def initial_state(self):
        return list(self.starts)

    def step(self, tokens, state):
        self.steps += 1
        self.grad_enabled.append(minigrad.is_grad_enabled())
        prefixes = [prefix + (token,) for prefix, token in zip(state, tokens.tolist())]
        return minigrad.tensor([self.distribution(p) for p in prefixes], dtype=minigrad.float64), prefixes

    def select(self, state, indices):
        return [state[i] for i in indices.tolist()]

    def log_prob(self, row, tokens):
        prefix, total = self.starts[row] + (BOS,), 0.0
        for token in tokens:
            total += self.distribution(prefix)[token]
            prefix += (token,)
        return total


def random_prefix_model(seed, rows=1, vocab_size=3):
    """Every prefix gets its own random distribution (drawn from a generator seeded by the prefix)."""
    @functools.cache
    def distribution(prefix):
        logits = np.random.default_rng([seed, *prefix]).normal(size=vocab_size)  # flat enough for greedy to err
        return list(logits - np.logaddexp.reduce(logits))
    return PrefixModel(distribution, starts=[(row,) for row in range(rows)])


def rule_model(rules, default):
    """A PrefixModel with the next-token probabilities ``rules[generated tokens]``, else ``default``."""
    def distribution(prefix):
        return [math.log(p) if p > 0 else -math.inf for p in rules.get(prefix[1:], default)]
    return PrefixModel(distribution)


# --- independent answers -----------------------------------------------------------------------------------
def with_eos(sequence, max_len):
    """The tokens a search generated for ``sequence``: eos follows unless max_len cut the sequence."""
    return list(sequence) + ([EOS] if len(sequence) < max_len else [])


def brute_force_best(model, row, vocab_size, max_len, alpha=0.0):
    """The best (sequence, raw score) over every possible output: bodies of non-eos tokens ended by eos, or cut
    at max_len, ranked by score / length**alpha."""
    body_tokens = [t for t in range(vocab_size) if t != EOS]
    outputs = [list(body) for n in range(max_len + 1) for body in itertools.product(body_tokens, repeat=n)]

    def normalised(sequence):
        generated = with_eos(sequence, max_len)
        return model.log_prob(row, generated) / len(generated) ** alpha
    best = max(outputs, key=normalised)
    return best, model.log_prob(row, with_eos(best, max_len))


def reference_greedy(model, row, max_len):
    """Greedy decoding of one row of a TrigramModel, written with NumPy."""
    before, last, sequence = model.contexts[row], BOS, []
    for _ in range(max_len):
        token = int(np.argmax(model.log_table[before, last]))
        if token == EOS:
            break
        sequence.append(token)
        before, last = last, token
    return sequence


def assert_scores_are_log_probs(model, sequences, scores, max_len):
    for row, (sequence, score) in enumerate(zip(sequences, scores)):
        assert score == pytest.approx(model.log_prob(row, with_eos(sequence, max_len)), rel=1e-12, abs=1e-12)


# --- greedy search -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(3))
def test_greedy_feeds_back_the_argmax_token(seed):
    model = random_trigram_model(seed, contexts=[2, 3, 4, 5])
    sequences, scores = greedy_search(model, batch_size=4, bos_idx=BOS, eos_idx=EOS, max_len=8)
    assert sequences == [reference_greedy(model, row, max_len=8) for row in range(4)]
    assert_scores_are_log_probs(model, sequences, scores, max_len=8)


def countdown(prefix):
    """Row (n,) says A (token 2) n times, then eos; after eos it would go on saying A (the search must ignore it)."""
    count, generated = prefix[0], prefix[2:]
    said_enough = len(generated) >= count and EOS not in generated
    return [math.log(p) for p in ([0.05, 0.9, 0.05] if said_enough else [0.05, 0.05, 0.9])]  # bos, eos, A


def test_greedy_stops_rows_at_eos_and_at_max_len():
    model = PrefixModel(countdown, starts=[(2,), (9,)])
    sequences, scores = greedy_search(model, batch_size=2, bos_idx=BOS, eos_idx=EOS, max_len=5)
    assert sequences == [[2, 2], [2, 2, 2, 2, 2]]  # row 0 said eos at step 3; row 1 was cut at max_len
    # row 0: A, A, eos, each with probability 0.9; row 1: five A's and no eos
    assert scores == pytest.approx([3 * math.log(0.9), 5 * math.log(0.9)], rel=1e-12)
    assert model.steps == 5


def test_greedy_stops_as_soon_as_every_row_has_finished():
    model = PrefixModel(countdown, starts=[(1,), (2,)])
    sequences, _ = greedy_search(model, batch_size=2, bos_idx=BOS, eos_idx=EOS, max_len=10)
    assert sequences == [[2], [2, 2]]
    assert model.steps == 3  # row 1's eos came at step 3; nothing after it


# --- beam search -------------------------------------------------------------------------------------------
def trigram_or_prefix(kind, seed):
    if kind == "trigram":
        return random_trigram_model(seed, contexts=[2, 3, 4, 5], vocab_size=7), 4
    return random_prefix_model(seed, rows=4, vocab_size=5), 4


@pytest.mark.parametrize("kind", ["trigram", "prefix"])
@pytest.mark.parametrize("seed", range(5))
def test_beam_size_one_is_exactly_greedy_search(kind, seed):
    model, rows = trigram_or_prefix(kind, seed)
    greedy = greedy_search(model, batch_size=rows, bos_idx=BOS, eos_idx=EOS, max_len=9)
    beam = beam_search(model, batch_size=rows, bos_idx=BOS, eos_idx=EOS, max_len=9, beam_size=1)
    assert beam == greedy  # the same sequences and the same scores, to the last bit


@pytest.mark.parametrize("search", [greedy_search, functools.partial(beam_search, beam_size=3, alpha=0.5)])
def test_batch_rows_are_decoded_independently(search):
    contexts = [2, 5, 3]
    model = random_trigram_model(7, contexts)
    together = search(model, batch_size=3, bos_idx=BOS, eos_idx=EOS, max_len=7)
    alone = [search(random_trigram_model(7, [c]), batch_size=1, bos_idx=BOS, eos_idx=EOS, max_len=7)
             for c in contexts]
    assert together == tuple(list(itertools.chain(*parts)) for parts in zip(*alone))


def test_beam_search_finds_a_better_sequence_than_greedy():
    # tokens: 0 bos, 1 eos, 2 A, 3 B. A is the likelier first token, but everything after A is unlikely, while
    # B is almost surely followed by eos.
    model = rule_model({(): [0, 0, 0.6, 0.4], (3,): [0, 0.9, 0.05, 0.05]}, default=[0, 0.3, 0.4, 0.3])
    greedy_sequences, greedy_scores = greedy_search(model, 1, BOS, EOS, max_len=4)
    beam_sequences, beam_scores = beam_search(model, 1, BOS, EOS, max_len=4, beam_size=2)
    assert greedy_sequences == [[2, 2, 2, 2]]  # P = 0.6 · 0.4 · 0.4 · 0.4 = 0.0384 (cut at max_len)
    assert greedy_scores[0] == pytest.approx(math.log(0.0384))
    assert beam_sequences == [[3]]  # P = 0.4 · 0.9 = 0.36
    assert beam_scores[0] == pytest.approx(math.log(0.36))
    assert beam_scores[0] > greedy_scores[0]
    assert (beam_sequences[0], beam_scores[0]) == brute_force_best(model, 0, vocab_size=4, max_len=4)


def test_each_hypothesis_keeps_its_own_state_when_the_beam_reorders():
    # tokens: 0 bos, 1 eos, 2 A, 3 B. Step 1 puts A (0.5) in slot 0 and B (0.4) in slot 1; at step 2 B·A (0.36)
    # overtakes A·A (0.25) and moves to slot 0, so the states must swap rows for step 3 to see the right prefix.
    model = rule_model({(): [0, 0.1, 0.5, 0.4], (2,): [0, 0.2, 0.5, 0.3], (3,): [0, 0.05, 0.9, 0.05],
                        (3, 2): [0, 0.9, 0.05, 0.05]}, default=[0, 0.5, 0.25, 0.25])
    sequences, scores = beam_search(model, 1, BOS, EOS, max_len=4, beam_size=2)
    assert sequences == [[3, 2]]
    assert scores[0] == pytest.approx(math.log(0.4 * 0.9 * 0.9))  # B, A, eos
    assert (sequences[0], scores[0]) == brute_force_best(model, 0, vocab_size=4, max_len=4)


def test_the_search_goes_on_while_a_hypothesis_on_the_beam_can_still_win():
    # tokens: 0 bos, 1 eos, 2 A, 3 B; alpha = 1 ranks by log-prob per token. After step 1, [] (eos, P = 0.45)
    # has finished with -0.80 per token, ahead of A (P = 0.4, -0.92 per token so far). But A continues A, A with
    # P = 0.97 each and then ends: [A, A, A] + eos scores log(0.4 · 0.97³) / 4 = -0.25 per token.
    model = rule_model({(): [0, 0.45, 0.4, 0.15], (2, 2, 2): [0, 0.97, 0.02, 0.01]}, default=[0, 0.02, 0.97, 0.01])
    sequences, scores = beam_search(model, 1, BOS, EOS, max_len=5, beam_size=2, alpha=1.0)
    assert sequences == [[2, 2, 2]]
    assert scores[0] == pytest.approx(math.log(0.4 * 0.97 ** 3))
    assert (sequences[0], scores[0]) == brute_force_best(model, 0, vocab_size=4, max_len=5, alpha=1.0)


@pytest.mark.parametrize("alpha", [0.0, 0.7])
def test_a_beam_wide_enough_for_every_hypothesis_is_exhaustive_search(alpha):
    # with V = 4 (3 non-eos tokens) and max_len = 4 there are at most 3**3 live hypotheses, so 3**3 · 4 = 108
    # candidates per step: a beam of 108 prunes nothing, and its early stop must not cut off the optimum either
    greedy_misses = 0
    for seed in range(6):
        model = random_prefix_model(seed, rows=2, vocab_size=4)
        sequences, scores = beam_search(model, 2, BOS, EOS, max_len=4, beam_size=108, alpha=alpha)
        greedy_sequences, _ = greedy_search(model, 2, BOS, EOS, max_len=4)
        for row in range(2):
            best, best_score = brute_force_best(model, row, vocab_size=4, max_len=4, alpha=alpha)
            assert sequences[row] == best
            assert scores[row] == pytest.approx(best_score, rel=1e-12)
            greedy_misses += greedy_sequences[row] != best
        assert_scores_are_log_probs(model, sequences, scores, max_len=4)
    assert greedy_misses >= 2  # the models are not so peaked that greedy search would pass this test too


def test_length_normalisation_prefers_longer_outputs():
    # tokens: 0 bos, 1 eos, 2 A. [] (eos at once): P = 0.4, length 1; [A]: P = 0.6 · 0.6 = 0.36, length 2.
    # Raw log-probs prefer []: log 0.4 = -0.92 > log 0.36 = -1.02. Per token (alpha = 1) [A] wins: -1.02 / 2 = -0.51.
    model = rule_model({(): [0, 0.4, 0.6]}, default=[0, 0.6, 0.4])
    for alpha, expected in ((0.0, []), (1.0, [2])):
        sequences, scores = beam_search(model, 1, BOS, EOS, max_len=3, beam_size=2, alpha=alpha)
        assert sequences == [expected]
        assert scores[0] == pytest.approx(model.log_prob(0, expected + [EOS]))  # the raw log-prob, not normalised
        assert (sequences[0], scores[0]) == brute_force_best(model, 0, vocab_size=3, max_len=3, alpha=alpha)


@pytest.mark.parametrize("search", [greedy_search, functools.partial(beam_search, beam_size=2)])
def test_search_records_no_graph(search):
    model = random_prefix_model(0)
    search(model, 1, BOS, EOS, max_len=3)
    assert model.steps > 0 and not any(model.grad_enabled)


# --- argument checks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("changes, error, message", [
    ({"beam_size": 0}, ValueError, "expected beam_size >= 1, got 0"),
    ({"beam_size": 2.0}, TypeError, "expected beam_size to be an int, got float"),
    ({"max_len": 0}, ValueError, "expected max_len >= 1, got 0"),
    ({"alpha": -0.5}, ValueError, "expected alpha >= 0, got -0.5"),
    ({"alpha": math.nan}, ValueError, "expected alpha >= 0, got nan"),
    ({"batch_size": 0}, ValueError, "expected batch_size >= 1, got 0"),
    ({"eos_idx": -1}, ValueError, "expected eos_idx >= 0, got -1"),
    ({"eos_idx": 3}, ValueError, r"expected eos_idx < V = 3 \(the model's vocabulary\), got 3"),
])
def test_beam_search_rejects_bad_arguments(changes, error, message):
    arguments = dict(batch_size=1, bos_idx=BOS, eos_idx=EOS, max_len=3, beam_size=2, alpha=0.0) | changes
    with pytest.raises(error, match=f"beam_search: {message}"):
        beam_search(random_prefix_model(0), **arguments)


def test_greedy_search_rejects_bad_arguments():
    with pytest.raises(ValueError, match="greedy_search: expected max_len >= 1, got 0"):
        greedy_search(random_prefix_model(0), 1, BOS, EOS, max_len=0)
    with pytest.raises(TypeError, match="greedy_search: expected bos_idx to be an int, got str"):
        greedy_search(random_prefix_model(0), 1, "<s>", EOS, max_len=3)


def test_a_batch_size_that_does_not_match_the_model_is_reported():
    model = random_prefix_model(0, rows=3)  # its state has 3 rows, the search is told 4
    with pytest.raises(ValueError, match=r"expected model.step to return log-probs of shape \(4, V\), "
                                         r"got shape \(3, 3\)"):
        greedy_search(model, 4, BOS, EOS, max_len=3)
