"""The experiment functions: training lowers the loss, budgets and stopping rules hold, evaluation is consistent,
buckets cover the lengths."""

import pytest

import minigrad
import models
from models import experiments


def small_model(data, seed):
    minigrad.manual_seed(seed)
    return experiments.build_seq2seq(data, attention=True, hidden_size=16, embed_size=8, attention_size=8)


def test_train_lowers_the_loss_in_a_fixed_number_of_steps():
    data = models.reverse_task(64, 3, 5, vocab_size=6, seed=0)
    history = experiments.train(small_model(data, 0), data, steps=60, batch_size=16, lr=1e-2)
    assert [record["step"] for record in history] == list(range(1, 61))
    assert history[-1]["loss"] < 0.5 * history[0]["loss"]


def test_a_step_budget_gives_the_same_run_twice():
    data = models.reverse_task(64, 3, 5, vocab_size=6, seed=0)
    runs = [experiments.train(small_model(data, 3), data, steps=12, batch_size=16) for _ in range(2)]
    assert [record["loss"] for record in runs[0]] == [record["loss"] for record in runs[1]]


def test_train_needs_a_budget():
    data = models.reverse_task(8, 3, 5, vocab_size=6, seed=0)
    with pytest.raises(ValueError, match="train: expected a budget of steps, got steps=None"):
        experiments.train(small_model(data, 0), data)


def test_training_stops_at_the_target():
    data = models.reverse_task(64, 3, 5, vocab_size=6, seed=0)
    scores = iter([0.2, 0.6, 0.9, 0.95])
    history = experiments.train(small_model(data, 0), data, steps=100, batch_size=16, every=3, target=0.85,
                                evaluate=lambda model: next(scores))
    assert history[-1]["step"] == 9 and history[-1]["score"] == 0.9


def test_patience_stops_on_a_plateau_and_keeps_the_best_weights():
    data = models.reverse_task(64, 3, 5, vocab_size=6, seed=0)
    model = small_model(data, 0)
    scores, snapshots = iter([0.2, 0.6, 0.5, 0.6, 0.4, 0.9]), []

    def evaluate(m):
        snapshots.append({name: value.clone() for name, value in m.state_dict().items()})
        return next(scores)

    history = experiments.train(model, data, steps=100, batch_size=16, every=2, patience=3, evaluate=evaluate)
    # 0.6 at the second check; 0.5, 0.6 (not better) and 0.4 make three checks without a new best
    assert history[-1]["step"] == 10 and len(snapshots) == 5
    best, last = snapshots[1], snapshots[-1]
    for name, value in model.state_dict().items():
        assert (value == best[name]).all().item()
    assert any(not (value == last[name]).all().item() for name, value in model.state_dict().items())


def test_a_gain_of_min_delta_or_less_does_not_count_as_progress():
    data = models.reverse_task(64, 3, 5, vocab_size=6, seed=0)
    scores = iter([0.5, 0.505, 0.509, 0.52, 0.9])
    history = experiments.train(small_model(data, 0), data, steps=100, batch_size=16, every=2, patience=2,
                                min_delta=0.01, evaluate=lambda model: next(scores))
    # 0.505 and 0.509 gain less than 0.01 over 0.5: two checks without progress
    assert history[-1]["step"] == 6


def test_reaching_the_target_keeps_the_weights_that_reached_it():
    data = models.reverse_task(64, 3, 5, vocab_size=6, seed=0)
    model = small_model(data, 0)
    scores, snapshots = iter([0.985, 0.99]), []

    def evaluate(m):
        snapshots.append({name: value.clone() for name, value in m.state_dict().items()})
        return next(scores)

    # 0.99 is no gain of more than min_delta over 0.985, but it is the target
    history = experiments.train(model, data, steps=100, batch_size=16, every=2, target=0.99, patience=3,
                                min_delta=0.01, evaluate=evaluate)
    assert history[-1]["step"] == 4
    assert all((value == snapshots[-1][name]).all().item() for name, value in model.state_dict().items())


def test_accuracy_is_exact_match_of_greedy_decoding():
    minigrad.manual_seed(1)
    data = models.copy_task(20, 2, 4, vocab_size=5, seed=1)
    model = experiments.build_seq2seq(data, attention=False, hidden_size=8, embed_size=4)
    predictions = experiments.decode(model, data)
    expected = sum(p == list(t) for p, t in zip(predictions, data.targets)) / len(data)
    assert experiments.accuracy(model, data) == pytest.approx(expected)
    assert len(predictions) == len(data)


def test_token_accuracy_counts_positions_and_buckets_split_it_by_length():
    data = models.reverse_task(60, 2, 9, vocab_size=5, seed=4)
    model = small_model(data, 4)
    experiments.train(model, data, steps=30, batch_size=16, lr=1e-2)
    predictions = experiments.decode(model, data)
    right = sum(sum(p == t for p, t in zip(pr, tg)) for pr, tg in zip(predictions, data.targets))
    positions = sum(max(len(pr), len(tg)) for pr, tg in zip(predictions, data.targets))
    assert experiments.token_accuracy(model, data) == pytest.approx(right / positions)

    buckets = experiments.accuracy_by_length(model, data, min_len=2, bucket=3)
    assert list(buckets) == [(2, 4), (5, 7), (8, 9)]
    assert sum(b["count"] for b in buckets.values()) == len(data)
    for (shortest, longest), bucket in buckets.items():
        inside = [i for i, source in enumerate(data.sources) if shortest <= len(source) <= longest]
        assert bucket["count"] == len(inside)
        assert bucket["exact_match"] == pytest.approx(
            sum(predictions[i] == list(data.targets[i]) for i in inside) / len(inside))
        assert 0 <= bucket["exact_match"] <= bucket["token_accuracy"] <= 1  # an exact match has every token right


def test_reversal_experiment_reports_its_budget_and_every_length():
    result = experiments.reversal_experiment(attention=True, steps=4, every=2, min_len=5, max_len=14, n_train=64,
                                             n_validation=20, n_test=40, bucket=5, seed=2)
    assert result["steps"] <= 4 and 0 <= result["validation"] <= 1
    assert list(result["buckets"]) == [(5, 9), (10, 14)]
    assert sum(b["count"] for b in result["buckets"].values()) == 40
