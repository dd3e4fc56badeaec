"""The experiment functions: training lowers the loss, evaluation is consistent, buckets cover the lengths."""

import pytest

import minigrad
import models
from models import experiments


def test_train_lowers_the_loss_in_a_fixed_number_of_steps():
    minigrad.manual_seed(0)
    data = models.reverse_task(64, 3, 5, vocab_size=6, seed=0)
    model = experiments.build_seq2seq(data, attention=True, hidden_size=16, embed_size=8, attention_size=8)
    history = experiments.train(model, data, seconds=60, batch_size=16, lr=1e-2, max_steps=60)
    assert len(history) == 60
    assert history[-1]["loss"] < 0.5 * history[0]["loss"]


def test_accuracy_is_exact_match_of_greedy_decoding():
    minigrad.manual_seed(1)
    data = models.copy_task(20, 2, 4, vocab_size=5, seed=1)
    model = experiments.build_seq2seq(data, attention=False, hidden_size=8, embed_size=4)
    predictions = experiments.decode(model, data)
    expected = sum(p == list(t) for p, t in zip(predictions, data.targets)) / len(data)
    assert experiments.accuracy(model, data) == pytest.approx(expected)
    assert len(predictions) == len(data)


def test_reversal_buckets_cover_every_length():
    result = experiments.reversal_experiment(attention=True, seconds=1, min_len=5, max_len=14, n_train=64,
                                             n_test=40, bucket=5, seed=2)
    assert list(result["buckets"]) == [(5, 9), (10, 14)]
    assert sum(b["count"] for b in result["buckets"].values()) == 40
    for bucket in result["buckets"].values():
        assert 0 <= bucket["exact_match"] <= bucket["token_accuracy"] <= 1  # an exact match has every token right
