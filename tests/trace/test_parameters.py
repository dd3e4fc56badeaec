"""trace.parameters: per-parameter gradient statistics and the global norm before/after clipping.

Every number is checked against NumPy computations on the gradients themselves (host copies via .numpy()), and the
predicted clipped norm against what nn.utils.clip_grad_norm_ actually does to an identical model.
"""

import io
import math

import numpy as np
import pytest

import minigrad
from conftest import host
import minigrad.nn as nn
from minigrad.trace import parameters
from minigrad.trace.render import show



def trained_model(seed=0):
    """A small model with gradients from one backward pass (same seed → same weights, same gradients)."""
    minigrad.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    x = minigrad.randn(4, 3)
    (model(x) ** 2).sum().backward()
    return model


def rendered(report) -> str:
    buffer = io.StringIO()
    show(report, file=buffer)
    return buffer.getvalue()


def test_rows_match_numpy_statistics_of_each_gradient():
    model = trained_model()
    report = parameters(model)
    names = [name for name, _ in model.named_parameters()]
    assert [row["name"] for row in report.rows] == names
    for row, (_, p) in zip(report.rows, model.named_parameters()):
        g = host(p.grad, np.float64)
        assert row["shape"] == p.shape
        assert row["norm"] == pytest.approx(np.linalg.norm(g), rel=1e-6)
        assert row["mean_abs"] == pytest.approx(np.abs(g).mean(), rel=1e-6)
        assert row["max_abs"] == pytest.approx(np.abs(g).max(), rel=1e-6)
        assert row["zero_fraction"] == pytest.approx((g == 0).mean())
        assert row["nan"] is False and row["inf"] is False


def test_global_norm_is_the_norm_of_all_gradients_as_one_vector():
    model = trained_model()
    everything = np.concatenate([host(p.grad, np.float64).ravel() for p in model.parameters()])
    assert parameters(model).global_norm == pytest.approx(np.linalg.norm(everything), rel=1e-6)


@pytest.mark.parametrize("max_norm", [0.1, 1e6])
def test_clipped_norm_is_what_clip_grad_norm_produces_and_gradients_are_untouched(max_norm):
    model, twin = trained_model(), trained_model()
    before = [host(p.grad, np.float64) for p in model.parameters()]
    report = parameters(model, max_norm=max_norm)

    total = nn.utils.clip_grad_norm_(twin.parameters(), max_norm)
    clipped = np.sqrt(sum((host(p.grad, np.float64) ** 2).sum() for p in twin.parameters()))
    assert report.global_norm == pytest.approx(total.item(), rel=1e-5)
    assert report.clipped_norm == pytest.approx(clipped, rel=1e-5)
    assert (report.clipped_norm < report.global_norm) == (max_norm < report.global_norm)
    for p, g in zip(model.parameters(), before):
        np.testing.assert_array_equal(host(p.grad, np.float64), g)


def test_clipping_is_shown_in_the_caption():
    report = parameters(trained_model(), max_norm=0.1)
    text = rendered(report)
    assert "global" in text and "→" in text and "clip_grad_norm_" in text
    assert "max_norm=" in rendered(parameters(trained_model()))  # without max_norm, a hint
    assert parameters(trained_model()).clipped_norm is None


def test_named_parameter_pairs_are_accepted_like_a_module():
    model = trained_model()
    assert parameters(model.named_parameters()).rows == parameters(model).rows


def test_a_parameter_without_gradient_gets_an_empty_row():
    used = minigrad.tensor([1.0, 2.0], requires_grad=True)
    unused = minigrad.tensor([3.0], requires_grad=True)
    (used * used).sum().backward()
    report = parameters([("used", used), ("unused", unused)])
    row = report.rows[1]
    assert row["has_grad"] is False and row["norm"] is None and row["max_abs"] is None
    assert report.global_norm == pytest.approx(np.linalg.norm(2 * np.array([1.0, 2.0])))
    assert "no grad" in rendered(report)


def test_nan_and_inf_are_flagged_per_parameter_and_in_the_caption():
    def with_grad(values):
        p = minigrad.tensor(np.zeros(len(values)), dtype=minigrad.float32, requires_grad=True)
        p.grad = minigrad.tensor(np.array(values), dtype=minigrad.float32)
        return p

    report = parameters([("fine", with_grad([0.0, 0.0, 3.0, 4.0])), ("bad_nan", with_grad([1.0, math.nan])),
                         ("bad_inf", with_grad([-math.inf, 1.0]))], max_norm=1.0)
    fine, bad_nan, bad_inf = report.rows
    assert (fine["nan"], fine["inf"], fine["zero_fraction"], fine["norm"]) == (False, False, 0.5, 5.0)
    assert bad_nan["nan"] is True and bad_nan["inf"] is False
    assert bad_inf["inf"] is True and bad_inf["nan"] is False and bad_inf["max_abs"] == math.inf
    assert math.isnan(report.global_norm) and math.isnan(report.clipped_norm)
    assert report.nonfinite == ["bad_nan", "bad_inf"]
    text = rendered(report)
    assert "!NaN" in text and "!Inf" in text and "bad_nan, bad_inf" in text


def test_the_table_fits_80_columns_even_with_long_names():
    p = minigrad.tensor(np.ones((3, 4)), requires_grad=True)
    (p * 2).sum().backward()
    report = parameters([("encoder.layers.0.attention.query_projection.weight_ih_l0_reverse", p)], max_norm=1.0)
    text = rendered(report)
    assert max(map(len, text.splitlines())) <= 80
    assert "3×4" in text


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(ValueError, match="max_norm to be a number > 0.*got 0"):
        parameters(trained_model(), max_norm=0)
    with pytest.raises(TypeError, match="Module or \\(name, tensor\\) pairs, got int"):
        parameters(42)
    with pytest.raises(TypeError, match="\\(name, tensor\\) pairs"):
        parameters([minigrad.tensor([1.0])])
