"""BLEU and exact match: hand-worked examples (the arithmetic is in the comments) and a comparison with NLTK."""

import math
import random

import pytest

from models.metrics import corpus_bleu, exact_match, sentence_bleu


def words(text):
    return text.split()


# --- BLEU by hand ------------------------------------------------------------------------------------------
def test_clipping_the_papineni_example():
    # Papineni et al. 2002: "the" occurs 7 times in the hypothesis but at most twice in a reference, so only 2 of
    # the 7 unigrams count: p_1 = 2/7 (unclipped it would be 7/7). c = 7; the references have 6 and 7 tokens, so
    # r = 7 and BP = exp(1 - 7/7) = 1.
    hypothesis = words("the the the the the the the")
    references = [words("the cat is on the mat"), words("there is a cat on the mat")]
    assert corpus_bleu([hypothesis], [references], max_n=1) == pytest.approx(2 / 7)


def test_a_perfect_match_scores_one():
    sentence = words("the cat sat on the mat")
    assert corpus_bleu([sentence], [sentence]) == 1.0
    assert corpus_bleu([[5, 1, 4, 2, 3]], [[5, 1, 4, 2, 3]]) == 1.0  # token ids work as well as strings


def test_brevity_penalty_by_hand():
    # Every n-gram of the hypothesis is in the reference: p_1 = 5/5, p_2 = 4/4, p_3 = 3/3, p_4 = 2/2. But it is
    # shorter: c = 5, r = 6, BP = exp(1 - 6/5) = exp(-0.2) = 0.8187.
    score = corpus_bleu([words("the cat sat on the")], [words("the cat sat on the mat")])
    assert score == pytest.approx(math.exp(-0.2))


def test_the_closest_reference_length_breaks_ties_towards_the_shorter():
    # c = 5; the references have 4 and 6 tokens, both 1 away: r = 4, so c > r and BP = 1 (with r = 6 it would be
    # exp(1 - 6/5)). p_1 = 5/5: a..d occur in the first reference, e in the second.
    score = corpus_bleu([words("a b c d e")], [[words("a b c d"), words("a b c d e f")]], max_n=1)
    assert score == 1.0


def test_several_references_clip_each_ngram_by_its_largest_count_in_any_one_of_them():
    references = [words("the cat is on the mat"), words("a cat a cat sat")]
    # hypothesis "a cat the cat", c = 4; reference lengths 6 and 5, the closest is r = 5: BP = exp(1 - 5/4).
    # unigrams: a 1 (max ref count 2), cat 2 (max 2: from the second reference; the first has only 1), the 1
    #   (max 2)                                                               -> p_1 = (1 + 2 + 1) / 4 = 1
    # bigrams: "a cat" 1 (max 2), "cat the" 0, "the cat" 1 (max 1)          -> p_2 = 2/3
    hypothesis = words("a cat the cat")
    expected = math.exp(1 - 5 / 4) * math.sqrt(1 * 2 / 3)
    assert corpus_bleu([hypothesis], [references], max_n=2) == pytest.approx(expected)
    # the largest count in any one reference, not the sum over them: "cat" ×3 is clipped to 2 (not 1 + 2 = 3);
    # c = 3, r = 5: BLEU-1 = exp(1 - 5/3) · 2/3
    assert corpus_bleu([words("cat cat cat")], [references], max_n=1) == pytest.approx(math.exp(-2 / 3) * 2 / 3)
    # weights (1, 0) keep only p_1: exp(1 - 5/4) · 1
    assert corpus_bleu([hypothesis], [references], max_n=2, weights=(1, 0)) == pytest.approx(math.exp(-0.25))


def test_one_reference_may_be_given_bare_or_in_a_list():
    hypothesis, reference = words("the cat sat on a mat"), words("the cat sat on the mat")
    assert corpus_bleu([hypothesis], [reference]) == corpus_bleu([hypothesis], [[reference]]) > 0


def test_corpus_bleu_is_not_the_average_of_sentence_bleu():
    hypotheses = [words("the cat sat down"), words("a dog ran home")]
    references = [words("the cat sat down"), words("a dog sat home")]
    # sentence 1 matches perfectly: 1.0. Sentence 2 matches a, dog, home (p_1 = 3/4) and "a dog" (p_2 = 1/3) but no
    # trigram (p_3 = 0/2): 0.0 without smoothing. The average of the two is 0.5.
    sentence_scores = [sentence_bleu(h, r) for h, r in zip(hypotheses, references)]
    assert sentence_scores == [1.0, 0.0]
    # the corpus sums counts first: p_1 = (4 + 3) / (4 + 4) = 7/8, p_2 = (3 + 1) / (3 + 3) = 4/6,
    # p_3 = (2 + 0) / (2 + 2) = 1/2, p_4 = (1 + 0) / (1 + 1) = 1/2; c = r = 8, BP = exp(1 - 8/8) = 1
    expected = (7 / 8 * 4 / 6 * 1 / 2 * 1 / 2) ** (1 / 4)  # = 0.618
    assert corpus_bleu(hypotheses, references) == pytest.approx(expected)
    assert expected != pytest.approx(sum(sentence_scores) / 2)


def test_a_sentence_shorter_than_n_adds_no_ngrams_of_order_n():
    # a perfect corpus: p_1 = (1 + 4) / (1 + 4), p_2 = (0 + 3) / (0 + 3), p_3 = 2/2, p_4 = 1/1, BP = 1. (NLTK gives
    # 0.71 here: it counts the one-token sentence as having 1 bigram, 1 trigram and 1 4-gram, none matching.)
    corpus = [words("a"), words("a b c d")]
    assert corpus_bleu(corpus, corpus) == 1.0


def test_no_matching_ngram_of_some_order_gives_zero():
    assert corpus_bleu([words("a b c")], [words("a b c")]) == 0.0  # no 4-gram at all: p_4 = 0/0
    assert corpus_bleu([words("a b c")], [words("a b c")], max_n=3) == 1.0
    assert corpus_bleu([[]], [words("a b c")]) == 0.0  # an empty hypothesis


@pytest.mark.parametrize("call, message", [
    (lambda: corpus_bleu([words("a b")], []), r"expected one references entry per hypothesis \(1\), got 0"),
    (lambda: corpus_bleu([], []), "expected at least one hypothesis, got 0"),
    (lambda: corpus_bleu(["a b"], [words("a b")]), "expected hypotheses\\[0\\] to be a list of tokens, got a str"),
    (lambda: corpus_bleu([words("a b")], [[]]), "expected references\\[0\\] to be a reference .* got an empty list"),
    (lambda: corpus_bleu([words("a b")], [["a", ["b"]]]),
     r"expected references\[0\] to hold either tokens or token lists, got a mix of both"),
    (lambda: corpus_bleu([words("a b")], [words("a b")], max_n=0), "expected max_n to be an int >= 1, got 0"),
    (lambda: corpus_bleu([words("a b")], [words("a b")], max_n=2, weights=[1.0]),
     r"expected 2 non-negative weights \(one per n-gram order\), got \[1.0\]"),
])
def test_bleu_rejects_bad_arguments(call, message):
    with pytest.raises((ValueError, TypeError), match=f"corpus_bleu: {message}"):
        call()


# --- BLEU against NLTK -------------------------------------------------------------------------------------
def random_corpus(seed, sentences=30):
    """Random references, and hypotheses that are noisy copies of the first one (so that 4-grams match too).

    Every hypothesis has at least 4 tokens: for a shorter one NLTK counts 1 n-gram instead of 0 in the precision's
    denominator (its guard against dividing by zero), which departs from Papineni's corpus sums.
    """
    rng = random.Random(seed)
    vocabulary = "a b c d e".split()

    def sentence():
        return [rng.choice(vocabulary) for _ in range(rng.randint(4, 12))]

    def noisy_copy(tokens):
        copy = [rng.choice(vocabulary) if rng.random() < 0.3 else token for token in tokens]
        return copy[:rng.randint(4, len(copy))] + [rng.choice(vocabulary) for _ in range(rng.randint(0, 2))]
    references = [[sentence() for _ in range(rng.randint(1, 3))] for _ in range(sentences)]
    hypotheses = [noisy_copy(candidates[0]) for candidates in references]
    return hypotheses, references


@pytest.mark.filterwarnings("ignore::UserWarning")  # NLTK warns when some n-gram order has no match
@pytest.mark.parametrize("seed", range(5))
def test_corpus_and_sentence_bleu_agree_with_nltk(seed):
    nltk_bleu = pytest.importorskip("nltk.translate.bleu_score")
    hypotheses, references = random_corpus(seed)
    assert corpus_bleu(hypotheses, references) == pytest.approx(nltk_bleu.corpus_bleu(references, hypotheses),
                                                                rel=1e-12)
    assert corpus_bleu(hypotheses, references, max_n=2) == pytest.approx(
        nltk_bleu.corpus_bleu(references, hypotheses, weights=(0.5, 0.5)), rel=1e-12)
    for hypothesis, candidates in zip(hypotheses[:10], references):
        # NLTK returns a tiny positive number instead of 0 when a higher order has no match (hence abs)
        assert sentence_bleu(hypothesis, candidates) == pytest.approx(
            nltk_bleu.sentence_bleu(candidates, hypothesis), rel=1e-12, abs=1e-60)


# --- exact match -------------------------------------------------------------------------------------------
def test_exact_match_counts_identical_sequences():
    assert exact_match([[1, 2], [3], [4, 5]], [[1, 2], [3, 4], (4, 5)]) == pytest.approx(2 / 3)  # a tuple equals
    assert exact_match([words("a b")], [words("a b")]) == 1.0


def test_exact_match_rejects_different_lengths_and_empty_input():
    with pytest.raises(ValueError, match=r"exact_match: expected as many targets as predictions \(2\), got 1"):
        exact_match([[1], [2]], [[1]])
    with pytest.raises(ValueError, match="exact_match: expected at least one prediction, got 0"):
        exact_match([], [])
