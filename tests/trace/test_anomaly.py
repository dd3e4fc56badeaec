"""trace.detect_anomaly: raise at the op whose backward returns NaN/Inf, naming the line that created it.

Every case has a finite forward and a non-finite backward: the situation anomaly mode exists for.
"""

import inspect
import os

import numpy as np
import pytest

import minigrad
from minigrad import engine
from minigrad.trace import detect_anomaly

HERE = os.path.basename(__file__)


def next_line() -> int:
    """The line number of the caller's next line."""
    return inspect.currentframe().f_back.f_lineno + 1


@pytest.fixture(autouse=True)
def quiet_numpy():
    # the non-finite gradients are the point; NumPy's warnings about them are not
    with np.errstate(divide="ignore", invalid="ignore"):
        yield
    assert engine._observers == []  # every block removed its observer again


def test_sqrt_at_zero_is_reported_with_the_line_that_created_it():
    x = minigrad.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        line = next_line()
        root = x.sqrt()
        assert root.tolist() == [0.0, 2.0]  # the forward is fine
        with pytest.raises(RuntimeError) as error:
            root.sum().backward()
    message = str(error.value)
    assert message.startswith("detect_anomaly: SqrtBackward returned Inf in the gradient for its 1st input")
    assert f"{HERE}:{line} in test_sqrt_at_zero_is_reported_with_the_line_that_created_it" in message
    assert "`root = x.sqrt()`" in message


def test_the_first_bad_op_is_reported_not_the_ones_it_spreads_to():
    # d(0·√x)/dx at 0 is 0 · ∞ = NaN: Mul passes a finite 0, Sqrt turns it into NaN, Mul below would spread it
    x = minigrad.tensor([0.0], requires_grad=True)
    with detect_anomaly():
        line = next_line()
        y = (x * 3).sqrt() * 0
        with pytest.raises(RuntimeError, match=f"SqrtBackward returned NaN .*{HERE}:{line}"):
            y.sum().backward()


def test_the_position_of_the_bad_input_is_named():
    # (-1)² = 1 is fine, and so is d/db = 2·(-1) = -2, but d(b^e)/de = b^e · ln b is 1 · ln(-1) = NaN
    base = minigrad.tensor([-1.0], requires_grad=True)
    exponent = minigrad.tensor([2.0], requires_grad=True)
    with detect_anomaly():
        with pytest.raises(RuntimeError, match="PowBackward returned NaN in the gradient for its 2nd input"):
            (base ** exponent).sum().backward()


def test_works_as_a_decorator_and_for_ops_created_inside_minigrad_functions():
    @detect_anomaly()
    def loss_of(x):
        line = next_line()
        return minigrad.sqrt(x).sum(), line  # sqrt runs in minigrad/tensor.py; the line reported is this one

    @detect_anomaly()
    def train_step(x):
        loss_of(x)[0].backward()

    x = minigrad.tensor([0.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=f"SqrtBackward returned Inf .*{HERE}:\\d+ in loss_of"):
        train_step(x)
    loss, line = loss_of(x)
    loss.backward()  # built inside the decorated function, but backward runs outside: no check
    assert x.grad.tolist() == [float("inf")]
    with detect_anomaly():
        loss, line = loss_of(x)
        with pytest.raises(RuntimeError, match=f"{HERE}:{line} in loss_of: `return minigrad.sqrt"):
            loss.backward()


def test_nested_blocks_restore_the_state_they_found():
    with detect_anomaly():
        with detect_anomaly():
            assert len(engine._observers) == 1
        assert len(engine._observers) == 1
    assert engine._observers == []  # every block removed its observer again


def test_hooks_are_removed_when_the_block_raises():
    with pytest.raises(KeyError):
        with detect_anomaly():
            raise KeyError("boom")
    assert engine._observers == []  # every block removed its observer again


def test_outside_the_block_nothing_is_checked_or_recorded():
    with detect_anomaly():
        pass
    x = minigrad.tensor([0.0], requires_grad=True)
    y = x.sqrt()
    assert "created_at" not in y.grad_fn.__dict__
    y.sum().backward()  # an infinite gradient, and no error: anomaly mode is off
    assert x.grad.tolist() == [float("inf")]


def test_a_graph_built_before_the_block_is_checked_but_its_origin_is_unknown():
    x = minigrad.tensor([0.0], requires_grad=True)
    y = x.sqrt().sum()
    with detect_anomaly():
        with pytest.raises(RuntimeError, match="SqrtBackward returned Inf.*created before detect_anomaly"):
            y.backward()


def test_finite_gradients_pass_through_unchanged():
    x = minigrad.tensor([1.0, 4.0], dtype=minigrad.float64, requires_grad=True)
    with detect_anomaly():
        (x.sqrt() * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * np.sqrt([1.0, 4.0]))  # d(x^1.5)/dx
