"""Where minigrad used to differ from torch without saying so: numerics of sigmoid, indexing, type promotion,
gradients at the edges, and a few checks torch makes. Torch is the oracle (property tests compare with it on
random cases); each case gave a different value, gradient or dtype, or no error, before."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import models
from minigrad import nn
from minigrad.nn import functional as F

torch = pytest.importorskip("torch")


def both(values, dtype="float64", requires_grad=True):
    return (minigrad.tensor(values, dtype=getattr(minigrad, dtype), requires_grad=requires_grad),
            torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=requires_grad))


# --- 5. sigmoid keeps its tails -----------------------------------------------------------------------------
def test_sigmoid_is_accurate_in_float32_down_to_minus_88():
    x = np.linspace(-88, 30, 2001)
    ours = minigrad.tensor(x, dtype=minigrad.float32).sigmoid().numpy().astype(np.float64)
    exact = np.array([1 / (1 + math.exp(-v)) for v in x.astype(np.float32).astype(np.float64)])
    assert np.max(np.abs(ours - exact) / exact) < 1e-6
    assert minigrad.tensor([-1000.0, 1000.0]).sigmoid().tolist() == [0.0, 1.0]


def test_log_of_a_far_tail_through_logsigmoid_is_exact_and_its_gradient_finite():
    for dtype in ("float32", "float64"):
        x, tx = both([-20.0, -100.0, 0.0, 30.0, 1000.0], dtype)
        y, ty = F.logsigmoid(x), torch.nn.functional.logsigmoid(tx)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-6)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-30)
    assert minigrad.tensor(-20.0).sigmoid().log().item() == pytest.approx(-20.0, rel=1e-6)


def test_logsigmoid_gradient_matches_central_differences():
    x = minigrad.tensor([-30.0, -2.0, 0.0, 0.5, 25.0], dtype=minigrad.float64, requires_grad=True)
    assert minigrad.gradcheck(F.logsigmoid, (x,))


# --- 6. indexing as torch indexes -------------------------------------------------------------------------
def test_an_int_and_an_index_tensor_across_a_slice_keep_torchs_layout():
    x, tx = both(np.arange(24.0).reshape(2, 3, 4).tolist())
    y, ty = x[0, :, minigrad.tensor([0, 2, 3])], tx[0, :, torch.tensor([0, 2, 3])]
    assert y.shape == tuple(ty.shape) == (3, 3)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    (y * minigrad.arange(9.0, dtype=minigrad.float64).reshape(3, 3)).sum().backward()
    (ty * torch.arange(9.0, dtype=torch.float64).reshape(3, 3)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_a_uint8_index_tensor_is_a_mask():
    x, tx = both([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    mask = [1, 0, 1]
    with pytest.warns(UserWarning):
        expected = tx[torch.tensor(mask, dtype=torch.uint8)]
    assert x[minigrad.tensor(mask, dtype=minigrad.uint8)].tolist() == expected.tolist()


def test_negative_steps_are_refused_as_torch_refuses_them():
    with pytest.raises(ValueError, match="step must be greater than zero"):
        minigrad.arange(5)[::-1]
    assert minigrad.arange(5).flip(0).tolist() == [4, 3, 2, 1, 0]


key_entries = st.one_of(st.integers(-2, 1), st.just(slice(None)), st.just(slice(1, None)), st.just(None),
                        st.lists(st.integers(-2, 1), min_size=1, max_size=3))


@settings(max_examples=150, deadline=None)
@given(entries=st.lists(key_entries, min_size=1, max_size=4))
def test_indexing_matches_torch(entries):
    values = np.arange(2 * 3 * 2 * 3, dtype=np.float64).reshape(2, 3, 2, 3)
    x, tx = minigrad.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    key = tuple(minigrad.tensor(e) if isinstance(e, list) else e for e in entries)
    torch_key = tuple(torch.tensor(e) if isinstance(e, list) else e for e in entries)
    try:
        expected = tx[torch_key]
    except (IndexError, RuntimeError, ValueError):
        with pytest.raises((IndexError, RuntimeError, ValueError)):
            x[key]
        return
    result = x[key]
    assert result.shape == tuple(expected.shape)
    np.testing.assert_array_equal(result.detach().numpy(), expected.detach().numpy())
    weights = np.random.default_rng(0).standard_normal(result.shape)
    (result * minigrad.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


# --- 6. gradients at the edges: pow at 0, max with NaN ---------------------------------------------------
def test_pow_gradients_at_zero_are_torchs():
    base, tbase = both([0.0, 1.0, 2.0])
    (base ** 0).sum().backward()
    (tbase ** 0).sum().backward()
    assert base.grad.tolist() == tbase.grad.tolist() == [0.0, 0.0, 0.0]
    exponent, texponent = both([2.0, 0.0, -1.0])
    (minigrad.zeros(3, dtype=minigrad.float64) ** exponent).sum().backward()
    (torch.zeros(3, dtype=torch.float64) ** texponent).sum().backward()
    assert exponent.grad.tolist() == texponent.grad.tolist()  # [0, 0, -inf]


def test_max_of_a_tensor_with_nan_sends_the_gradient_to_the_nan():
    x, tx = both([1.0, float("nan"), 3.0])
    x.max().backward()
    tx.max().backward()
    assert x.grad.tolist() == tx.grad.tolist() == [0.0, 1.0, 0.0]
    y, ty = both([1.0, float("nan"), 3.0])
    y.amax().backward()
    ty.amax().backward()
    assert np.isnan(y.grad.numpy()).all() and np.isnan(ty.grad.numpy()).all()


# --- 6. type promotion -----------------------------------------------------------------------------------
DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 2, -3, 2.5]


@settings(max_examples=200, deadline=None)
@given(a=st.sampled_from(DTYPES), b=st.sampled_from(DTYPES + SCALARS), a_dims=st.booleans(), b_dims=st.booleans(),
       op=st.sampled_from(["add", "mul", "truediv", "sub"]))
def test_binary_ops_promote_as_torch(a, b, a_dims, b_dims, op):
    def make(lib, dtype, dims):
        return lib.ones(2, dtype=getattr(lib, dtype)) if dims else lib.ones((), dtype=getattr(lib, dtype))

    x, tx = make(minigrad, a, a_dims), make(torch, a, a_dims)
    y, ty = (b, b) if not isinstance(b, str) else (make(minigrad, b, b_dims), make(torch, b, b_dims))
    method = f"__{op}__"
    try:
        expected = getattr(tx, method)(ty)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            getattr(x, method)(y)
        return
    result = getattr(x, method)(y)
    assert str(result.dtype) == str(expected.dtype).removeprefix("torch."), (a, b, a_dims, b_dims, op)


@pytest.mark.parametrize("function", ["exp", "log", "sqrt", "tanh", "sigmoid"])
def test_float_functions_of_integers_give_the_default_float(function):
    assert getattr(minigrad.tensor([1, 2]), function)().dtype == minigrad.float32
    assert getattr(torch.tensor([1, 2]), function)().dtype == torch.float32


def test_joining_tensors_of_several_dtypes_promotes():
    assert minigrad.cat([minigrad.ones(2), minigrad.zeros(2, dtype=minigrad.float64)]).dtype == minigrad.float64
    assert minigrad.stack([minigrad.ones(2), minigrad.zeros(2, dtype=minigrad.int64)]).dtype == minigrad.float32
    condition = minigrad.tensor([True, False])
    assert minigrad.where(condition, minigrad.ones(2), minigrad.zeros(2, dtype=minigrad.float64)).dtype \
        == minigrad.float64


def test_linear_and_matmul_refuse_mixed_dtypes_as_torch_does():
    layer = nn.Linear(3, 2)
    for bad in (minigrad.ones(1, 3, dtype=minigrad.float64), minigrad.ones(1, 3, dtype=minigrad.int64)):
        with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype"):
            layer(bad)
    with pytest.raises(RuntimeError, match="same dtype"):
        minigrad.ones(2, 3) @ minigrad.ones(3, 2, dtype=minigrad.float64)


def test_bool_subtraction_and_negation_are_refused():
    with pytest.raises(RuntimeError, match="bool"):
        minigrad.tensor([True]) - minigrad.tensor([True])
    with pytest.raises(RuntimeError, match="bool"):
        -minigrad.tensor([True])


# --- 6. gradients, hooks and requires_grad as torch checks them ---------------------------------------------
def test_a_parameter_in_two_groups_is_refused():
    w = nn.Parameter(minigrad.ones(2))
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        minigrad.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


def test_assigning_a_grad_of_the_wrong_shape_dtype_or_kind_is_refused():
    w = minigrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="size"):
        w.grad = minigrad.zeros(3)
    with pytest.raises(RuntimeError, match="dtype"):
        w.grad = minigrad.zeros(2, dtype=minigrad.float64)
    with pytest.raises(TypeError, match="Tensor"):
        w.grad = np.zeros(2)
    w.grad = minigrad.zeros(2)
    w.grad = None


def test_a_hook_that_changes_the_dtype_is_refused():
    w = minigrad.ones(2, requires_grad=True)
    y = w * 2
    y.register_hook(lambda grad: grad.double())
    with pytest.raises(RuntimeError, match="has changed the type of value"):
        y.sum().backward()


def test_requires_grad_false_after_the_forward_accumulates_nothing():
    x = minigrad.ones(2, requires_grad=True)
    y = (x * 2).sum()
    x.requires_grad_(False)
    y.backward()
    assert x.grad is None


# --- 7. edges that used to fail inside NumPy --------------------------------------------------------------
def test_recurrent_layers_refuse_zero_steps_clearly():
    with pytest.raises(RuntimeError, match="expected sequence length to be larger than 0"):
        models.LSTM(3, 4)(minigrad.zeros(0, 2, 3))
    with pytest.raises(RuntimeError):
        torch.nn.LSTM(3, 4)(torch.zeros(0, 2, 3))


def test_packing_an_empty_batch_is_refused_clearly():
    with pytest.raises(RuntimeError, match="cannot pack empty tensors"):
        models.pack_padded_sequence(minigrad.zeros(3, 0, 2), [])


@pytest.mark.parametrize("function", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_dimension_is_empty(function):
    for shape, dim in (((2, 0), 1), ((0, 3), 0)):
        x = minigrad.zeros(*shape, requires_grad=True)
        y = getattr(x, function)(dim)
        assert y.shape == tuple(getattr(torch.zeros(*shape), function)(dim).shape) == shape
        y.sum().backward()
        assert x.grad.shape == shape


def test_optimizer_hyperparameters_that_are_not_numbers_are_named():
    w = nn.Parameter(minigrad.ones(1))
    with pytest.raises(TypeError, match="expected lr to be a number, got str"):
        minigrad.optim.Adam([w], lr="0.1")
    with pytest.raises(ValueError, match="expected lr >= 0"):
        minigrad.optim.SGD([w], lr=-1.0)


def test_an_index_on_another_device_is_named():
    x = minigrad.ones(2, 3, device="cpu")
    index = minigrad.tensor([[0], [1]], device="strict")
    with pytest.raises(RuntimeError, match="expected index on device cpu"):
        x.gather(1, index)
    with pytest.raises(RuntimeError, match="device"):
        F.cross_entropy(x, minigrad.tensor([0, 1], device="strict"))
    with pytest.raises(TypeError, match="implicitly"):
        np.asarray(index)
    assert np.asarray(x).tolist() == [[1.0] * 3] * 2


def test_the_logsigmoid_module_is_torchs():
    x, tx = both([-50.0, 0.0, 3.0])
    np.testing.assert_allclose(nn.LogSigmoid()(x).detach().numpy(), torch.nn.LogSigmoid()(tx).detach().numpy())


def test_sign_abs_and_relu_at_nan_are_torchs():
    # torch's sign of nan is 0 (NumPy's is nan), so abs passes no gradient at nan; relu passes it (nan <= 0 fails)
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor([float("nan"), -0.0, 0.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        (x.abs().sum() + x.relu().sum()).backward()
        results.append((np.nan_to_num(x.detach().sign().numpy(), nan=7.0).tolist(), x.grad.tolist()))
    assert results[0] == results[1]
