"""Bad input gets an error at the user's call that names what was expected and what was got."""

import numpy as np
import pytest

import minigrad


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4, 5\).*got 3 and 4"):
        minigrad.ones(2, 3) @ minigrad.ones(4, 5)


def test_matmul_batch_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"\(2,\) and \(3,\)"):
        minigrad.ones(2, 1, 3) @ minigrad.ones(3, 3, 2)


@pytest.mark.parametrize("op", [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / b])
def test_broadcast_mismatch_names_both_shapes(op):
    with pytest.raises(RuntimeError, match=r"shapes \(2, 3\) and \(4,\) are not broadcastable"):
        op(minigrad.ones(2, 3), minigrad.ones(4))


def test_float_index_tensors_are_refused():
    with pytest.raises(IndexError, match="integer or boolean, got dtype float32"):
        minigrad.ones(3)[minigrad.tensor([0.0, 1.0])]


def test_mixing_devices_names_both_devices():
    a = minigrad.ones(2, device="cpu")
    b = minigrad.ones(2, device="strict")
    with pytest.raises(RuntimeError, match="same device, got cpu and strict"):
        a + b
    with pytest.raises(RuntimeError, match="same device, got strict and cpu"):
        b * a


def test_unknown_device_names_the_choices():
    with pytest.raises(ValueError, match="unknown device 'tpu': expected one of 'cpu', 'cuda', 'strict'"):
        minigrad.ones(2, device="tpu")


def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="expected a tensor that requires grad"):
        minigrad.ones(1).backward()


def test_dim_out_of_range():
    with pytest.raises(IndexError, match="dim 2 is out of range for a tensor with 2 dimensions"):
        minigrad.ones(2, 3).sum(2)


def test_reshape_to_the_wrong_number_of_elements():
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\) \(6 elements\) into shape \(4,\)"):
        minigrad.ones(2, 3).reshape(4)


def test_cat_with_mismatched_shapes():
    with pytest.raises(RuntimeError, match=r"match shape \(2, 3\) except in dim 0, got \(2, 4\)"):
        minigrad.cat([minigrad.ones(2, 3), minigrad.ones(2, 4)])


def test_stack_with_mismatched_shapes():
    with pytest.raises(RuntimeError, match=r"shape \(2,\), got \(3,\)"):
        minigrad.stack([minigrad.ones(2), minigrad.ones(3)])


def test_lists_are_not_operands():
    with pytest.raises(TypeError, match="expected a Tensor or a number, got list"):
        minigrad.ones(2) * [1, 2]


def test_item_of_a_tensor_with_many_elements():
    with pytest.raises(ValueError, match=r"one element, got shape \(3,\)"):
        minigrad.ones(3).item()


def test_bad_dtype_and_data():
    with pytest.raises(TypeError, match="expected a dtype"):
        minigrad.ones(2, dtype="no-such-type")
    with pytest.raises(TypeError, match="got an array of dtype"):
        minigrad.tensor(np.array(["a", "b"]))


def test_negative_sizes():
    with pytest.raises(ValueError, match=r"non-negative integers, got \(2, -1\)"):
        minigrad.zeros(2, -1)


SHAPE_ERRORS = {  # torch raises RuntimeError for every one of these (minigrad once raised ValueError)
    "broadcast": lambda lib: lib.ones(2, 3) + lib.ones(4),
    "compare": lambda lib: lib.ones(2, 3) == lib.ones(4),
    "matmul": lambda lib: lib.ones(2, 3) @ lib.ones(4, 2),
    "matmul of a 0-d": lambda lib: lib.matmul(lib.tensor(1.0), lib.ones(2)),
    "bmm": lambda lib: lib.bmm(lib.ones(2, 2, 3), lib.ones(2, 2, 3)),
    "linear": lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.ones(4, 2)),
    "linear bias": lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.ones(4, 3), lib.ones(5)),
    "view": lambda lib: lib.ones(6).view(4),
    "view with two -1": lambda lib: lib.ones(6).view(-1, -1),
    "reshape to a negative size": lambda lib: lib.ones(6).reshape(-2, 3),
    "masked_fill": lambda lib: lib.ones(2, 3).masked_fill(lib.ones(4, dtype=lib.bool), 0),
    "where": lambda lib: lib.where(lib.ones(4, dtype=lib.bool), lib.ones(2, 3), 0),
    "cat": lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]),
    "stack": lambda lib: lib.stack([lib.ones(2), lib.ones(3)]),
    "permute": lambda lib: lib.ones(2, 3).permute(0, 0),
    "flatten": lambda lib: lib.ones(2, 3, 4).flatten(2, 1),
    "gather": lambda lib: lib.ones(2, 3).gather(1, lib.zeros(2, dtype=lib.long)),
    "split": lambda lib: lib.ones(4).split([1, 2]),
    "chunk": lambda lib: lib.ones(4).chunk(0),
    "layer_norm": lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 3), (4,)),
    "einsum": lambda lib: lib.einsum("ij,jk", lib.ones(2, 2)),
    "clamp": lambda lib: lib.ones(2).clamp(),
    "uniform_": lambda lib: lib.ones(2).uniform_(1, 0),
    "normal_": lambda lib: lib.ones(2).normal_(0, -1),
    "div's rounding_mode": lambda lib: lib.ones(2).div(2, rounding_mode="x"),
}


@pytest.mark.parametrize("case", SHAPE_ERRORS)
def test_shape_and_argument_errors_have_torchs_type(case):
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError):
            SHAPE_ERRORS[case](lib)


EMPTY = {  # reductions with nothing to reduce: torch's error type, or its value
    "max": lambda x: x.max(), "max(0)": lambda x: x.max(0), "max(1)": lambda x: x.max(1)[0],
    "amax(0)": lambda x: x.amax(0), "amax(1)": lambda x: x.amax(1), "amax()": lambda x: x.amax(),
    "argmax()": lambda x: x.argmax(), "argmax(0)": lambda x: x.argmax(0), "min": lambda x: x.min(),
    "min(0)": lambda x: x.min(0), "amin(0)": lambda x: x.amin(0), "argmin(1)": lambda x: x.argmin(1),
}


@pytest.mark.parametrize("case", EMPTY)
def test_reducing_an_empty_dim_fails_or_gives_what_torch_does(case):
    # NumPy's "zero-size array to reduction operation" ValueError once came through
    torch = pytest.importorskip("torch")
    outcomes = []
    for lib in (minigrad, torch):
        try:
            outcomes.append(tuple(EMPTY[case](lib.zeros(0, 3)).shape))
        except (RuntimeError, IndexError) as error:
            outcomes.append(type(error).__name__)
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("ord", [1, -1, float("inf"), -float("inf")])
@pytest.mark.parametrize("shape", [(3, 0), (0, 3), (0, 0)])
def test_matrix_norms_of_empty_matrices_as_torch(ord, shape):
    torch = pytest.importorskip("torch")
    outcomes = []
    for lib in (minigrad, torch):
        try:
            outcomes.append(lib.linalg.matrix_norm(lib.zeros(*shape), ord).item())
        except IndexError:
            outcomes.append("IndexError")
    assert outcomes[0] == outcomes[1]
