"""Scores for generated sequences: BLEU (Papineni et al. 2002) and exact match.

Both work on plain Python lists of tokens (strings, or ints such as the token ids that ``models.search`` returns),
so they need no tensors.

BLEU asks how many of the hypothesis' n-grams (n = 1..4) also occur in a reference translation:

- **clipped precision** p_n: each hypothesis n-gram counts at most as often as it occurs in a single reference
  (the most generous reference for that n-gram). Without clipping, "the the the the the the the" would score a
  unigram precision of 7/7 against "the cat is on the mat"; clipped, it scores 2/7.
- **geometric mean** of p_1..p_4: a hypothesis must get words (p_1) and word order (p_2..p_4) right.
- **brevity penalty** BP = exp(1 - r/c) when the hypotheses are shorter than the references (c ≤ r), else 1:
  precision alone would reward saying little, since a short hypothesis has few n-grams to get wrong.

Corpus BLEU sums the counts over all sentences before dividing, which is not the average of sentence scores.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter


def corpus_bleu(hypotheses, references, max_n: int = 4, weights=None) -> float:
    """Corpus-level BLEU, as a number in [0, 1] (papers usually report it ×100: 0.253 is "25.3 BLEU").

    ``hypotheses``: one token list per sentence. ``references``: one entry per hypothesis, either a token list (one
    reference) or a list of token lists (several references). The two are told apart by the entry's items: lists or
    tuples mean several references, anything else (strings, ints) means tokens of one reference.

    With clipped counts summed over the corpus, p_n = Σ min(count_hyp(g), max_ref count_ref(g)) / Σ count_hyp(g)
    for every n-gram g of order n, and

        BLEU = BP · exp(Σ_n w_n log p_n),   BP = 1 if c > r else exp(1 - r/c),

    where c is the total hypothesis length and r the sum, over sentences, of the reference length closest to the
    hypothesis' length (ties go to the shorter reference). ``weights`` w_1..w_max_n default to uniform 1/max_n.
    There is no smoothing: if some order has no matching n-gram at all (p_n = 0) the score is 0.0, which is common
    for single short sentences and rare for a corpus.
    """
    hypotheses, reference_sets, weights = _check_bleu_arguments(hypotheses, references, max_n, weights)
    matches, totals = [0] * max_n, [0] * max_n
    hypothesis_length = reference_length = 0
    for hypothesis, candidates in zip(hypotheses, reference_sets):
        hypothesis_length += len(hypothesis)
        reference_length += min((len(ref) for ref in candidates), key=lambda n: (abs(n - len(hypothesis)), n))
        for n in range(1, max_n + 1):
            counts = Counter(_ngrams(hypothesis, n))
            max_reference_counts = Counter()
            for reference in candidates:
                max_reference_counts |= Counter(_ngrams(reference, n))  # `|` keeps the larger count
            matches[n - 1] += sum((counts & max_reference_counts).values())  # `&` keeps the smaller: clipping
            totals[n - 1] += sum(counts.values())
    if 0 in matches:  # also covers hypotheses too short to have any n-gram of some order
        return 0.0
    log_precision = sum(w * math.log(m / t) for w, m, t in zip(weights, matches, totals))
    brevity_penalty = 1.0 if hypothesis_length > reference_length else math.exp(1 - reference_length /
                                                                                 hypothesis_length)
    return brevity_penalty * math.exp(log_precision)


def sentence_bleu(hypothesis, references, max_n: int = 4, weights=None) -> float:
    """BLEU of one sentence: ``corpus_bleu`` of a one-sentence corpus. Without smoothing it is often 0.0."""
    return corpus_bleu([hypothesis], [references], max_n, weights)


def exact_match(predictions, targets) -> float:
    """The fraction of predictions that equal their target exactly (as sequences: a list equals the same tuple)."""
    predictions, targets = list(predictions), list(targets)
    if len(predictions) != len(targets):
        raise ValueError(f"exact_match: expected as many targets as predictions ({len(predictions)}), "
                         f"got {len(targets)}")
    if not predictions:
        raise ValueError("exact_match: expected at least one prediction, got 0")
    return sum(list(p) == list(t) for p, t in zip(predictions, targets)) / len(predictions)


def _ngrams(tokens, n: int):
    return zip(*(tokens[i:] for i in range(n)))


def _check_bleu_arguments(hypotheses, references, max_n, weights):
    """Validated inputs: hypotheses as token lists, references as lists of token lists, and the weights."""
    hypotheses, references = list(hypotheses), list(references)
    if len(hypotheses) != len(references):
        raise ValueError(f"corpus_bleu: expected one references entry per hypothesis ({len(hypotheses)}), "
                         f"got {len(references)}")
    if not hypotheses:
        raise ValueError("corpus_bleu: expected at least one hypothesis, got 0")
    if isinstance(max_n, bool) or not isinstance(max_n, numbers.Integral) or max_n < 1:
        raise ValueError(f"corpus_bleu: expected max_n to be an int >= 1, got {max_n!r}")
    if weights is None:
        weights = [1 / max_n] * max_n
    weights = list(weights)
    if len(weights) != max_n or any(not w >= 0 for w in weights):
        raise ValueError(f"corpus_bleu: expected {max_n} non-negative weights (one per n-gram order), got {weights}")
    hypotheses = [_token_list(h, f"hypotheses[{i}]") for i, h in enumerate(hypotheses)]
    reference_sets = [_reference_set(entry, f"references[{i}]") for i, entry in enumerate(references)]
    return hypotheses, reference_sets, weights


def _reference_set(entry, where: str) -> list:
    """One hypothesis' references as a list of token lists: an entry of lists is several, else it is one."""
    entry = _token_list(entry, where)
    if not entry:
        raise ValueError(f"corpus_bleu: expected {where} to be a reference (a token list) or a non-empty list of "
                         "references, got an empty list")
    if all(isinstance(item, (list, tuple)) for item in entry):
        return [_token_list(reference, f"{where}[{j}]") for j, reference in enumerate(entry)]
    if any(isinstance(item, (list, tuple)) for item in entry):
        raise ValueError(f"corpus_bleu: expected {where} to hold either tokens or token lists, got a mix of both")
    return [entry]


def _token_list(tokens, where: str) -> list:
    if isinstance(tokens, str):  # a str would be read as a list of characters
        raise TypeError(f"corpus_bleu: expected {where} to be a list of tokens, got a str (split it into tokens)")
    if not isinstance(tokens, (list, tuple)):
        raise TypeError(f"corpus_bleu: expected {where} to be a list of tokens, got {type(tokens).__name__}")
    return list(tokens)
