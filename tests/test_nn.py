"""minigrad.nn: module registration and state, layers against NumPy, init, losses, gradient clipping.

Expected values are computed here with NumPy from the formulas (torch's documentation); torch itself is an
optional second oracle (skipped when it is not installed). Host values come out of minigrad only through
.numpy() / .item() / .tolist(), so the suite also runs with MINIGRAD_DEVICE=strict.
"""

import math
import warnings

import numpy as np
import pytest

import minigrad
from conftest import host
import minigrad.nn as nn
import minigrad.nn.functional as F


pytestmark = pytest.mark.usefixtures("seeded")



def leaf(values, dtype=None):
    return minigrad.tensor(np.asarray(values), dtype=dtype, requires_grad=True)


def snapshot(module):
    return {name: host(value) for name, value in module.state_dict().items()}


def assert_same_state(module, expected):
    actual = snapshot(module)
    assert list(actual) == list(expected)
    for name in expected:
        np.testing.assert_array_equal(actual[name], expected[name], err_msg=name)


def np_log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def np_cross_entropy(logits, target, ignore_index=-100, reduction="mean"):
    """torch.nn.functional.cross_entropy for class indices, class dimension 1 (or 0 for a single example)."""
    class_axis = 0 if logits.ndim == 1 else 1
    log_probs = np.moveaxis(np_log_softmax(logits, class_axis), class_axis, -1)
    valid = target != ignore_index
    picked = np.take_along_axis(log_probs, np.where(valid, target, 0)[..., None], axis=-1)[..., 0]
    losses = np.where(valid, -picked, 0.0)
    if reduction == "mean":
        return losses.sum() / valid.sum()
    return losses.sum() if reduction == "sum" else losses


class Block(nn.Module):
    """A module with every kind of member: parameter, buffer, child, and attributes that are none of them."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(minigrad.ones(2))
        self.register_buffer("running", minigrad.zeros(2))
        self.inner = nn.Linear(3, 2)
        self.plain_tensor = minigrad.zeros(5)  # a plain Tensor attribute is not a parameter
        self.layers_in_a_list = [nn.Linear(2, 2)]  # hidden from registration, as in torch

    def forward(self, x):
        return self.inner(x) * self.scale + self.running


def make_mlp(dtype=None):
    return nn.Sequential(nn.Linear(3, 4, dtype=dtype), nn.Tanh(), nn.Linear(4, 2, dtype=dtype))


# --- registration ------------------------------------------------------------------------------------------
def test_sequential_names_parameters_like_torch():
    model = make_mlp()
    names = ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [name for name, _ in model.named_parameters()] == names
    assert list(model.state_dict()) == names
    shapes = [tuple(p.shape) for p in model.parameters()]
    assert shapes == [(4, 3), (4,), (2, 4), (2,)]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in model.parameters())


def test_parameters_buffers_children_and_modules_of_a_custom_module():
    block = Block()
    assert [name for name, _ in block.named_parameters()] == ["scale", "inner.weight", "inner.bias"]
    assert [name for name, _ in block.named_buffers()] == ["running"]
    assert list(block.state_dict()) == ["scale", "running", "inner.weight", "inner.bias"]
    assert list(block.children()) == [block.inner]
    assert list(block.modules()) == [block, block.inner]
    assert [name for name, _ in block.named_parameters(recurse=False)] == ["scale"]


def test_nested_modules_are_walked_in_order():
    inner = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    model = nn.Sequential(nn.Linear(2, 2), inner)
    assert list(model.children()) == [model[0], inner]
    assert list(model.modules()) == [model, model[0], inner, inner[0], inner[1]]
    assert [name for name, _ in model.named_modules()] == ["", "0", "1", "1.0", "1.1"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.0.weight", "1.0.bias"]


def test_shared_layer_is_one_parameter_set_but_saved_under_every_name():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, shared)
    assert len(list(model.parameters())) == 2  # each parameter once, so an optimiser steps it once
    # torch's state_dict lists a shared module under each of its names (tied weights are saved twice), so a
    # torch checkpoint of this model loads with strict=True.
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_linear_without_bias_has_only_a_weight():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Sequential(nn.Dropout(0.1), nn.ReLU()))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    assert model.train() is model
    assert all(m.training for m in model.modules())
    model.train(False)
    assert not any(m.training for m in model.modules())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_module_zero_grad(set_to_none):
    model = make_mlp()
    model(minigrad.randn(5, 3)).sum().backward()
    assert all(p.grad is not None and np.abs(host(p.grad)).sum() > 0 for p in model.parameters())
    model.zero_grad(set_to_none=set_to_none)
    for p in model.parameters():
        if set_to_none:
            assert p.grad is None
        else:
            np.testing.assert_array_equal(host(p.grad), np.zeros(p.shape))


# --- repr --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("module, text", [
    (lambda: nn.Linear(3, 4), "Linear(in_features=3, out_features=4, bias=True)"),
    (lambda: nn.Linear(3, 4, bias=False), "Linear(in_features=3, out_features=4, bias=False)"),
    (lambda: nn.Embedding(10, 3, padding_idx=0), "Embedding(10, 3, padding_idx=0)"),
    (lambda: nn.Embedding(10, 3), "Embedding(10, 3)"),
    (lambda: nn.ReLU(), "ReLU()"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Tanh(), nn.Linear(4, 2))),
     "Sequential(\n"
     "  (0): Linear(in_features=3, out_features=4, bias=True)\n"
     "  (1): ReLU()\n"
     "  (2): Sequential(\n"
     "    (0): Tanh()\n"
     "    (1): Linear(in_features=4, out_features=2, bias=True)\n"
     "  )\n"
     ")"),
], ids=["linear", "linear-no-bias", "embedding-padding", "embedding", "relu", "nested-sequential"])
def test_repr_like_torch(module, text):
    assert repr(module()) == text


def test_repr_matches_torch():
    torch = pytest.importorskip("torch")

    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(),
                                 lib.nn.Sequential(lib.nn.Sigmoid(), lib.nn.Embedding(7, 2, padding_idx=-1)),
                                 lib.nn.Linear(4, 1, bias=False))
    assert repr(build(minigrad)) == repr(build(torch))


# --- layers against NumPy ----------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_shape", [(5,), (2, 3)])
def test_linear_forward_is_x_wt_plus_b(batch_shape):
    layer = nn.Linear(3, 4)
    x = np.random.default_rng(1).standard_normal(batch_shape + (3,)).astype(np.float32)
    out = layer(minigrad.tensor(x))
    assert out.shape == batch_shape + (4,)
    np.testing.assert_allclose(host(out), x @ host(layer.weight).T + host(layer.bias), rtol=1e-5, atol=1e-6)


def test_linear_init_is_uniform_within_one_over_sqrt_fan_in():
    in_features = 400
    layer = nn.Linear(in_features, 300)
    bound = 1 / math.sqrt(in_features)
    for name, values in [("weight", host(layer.weight)), ("bias", host(layer.bias))]:
        assert np.all(np.abs(values) <= bound), name
        assert np.abs(values).max() > 0.9 * bound, name  # spread over the whole interval
    weight = host(layer.weight)
    assert abs(weight.mean()) < 0.05 * bound
    np.testing.assert_allclose(weight.std(), bound / math.sqrt(3), rtol=0.02)  # std of U(-a, a) is a/sqrt(3)


def test_embedding_forward_picks_rows():
    layer = nn.Embedding(6, 3)
    index = np.array([[0, 5, 2], [2, 2, 1]])
    out = layer(minigrad.tensor(index))
    np.testing.assert_array_equal(host(out), host(layer.weight)[index])


def test_embedding_padding_row_starts_at_zero_and_gets_no_gradient():
    layer = nn.Embedding(5, 3, padding_idx=1)
    np.testing.assert_array_equal(host(layer.weight)[1], np.zeros(3))
    assert np.abs(host(layer.weight)[[0, 2, 3, 4]]).min() > 0
    index = np.array([1, 3, 1, 0, 3])
    upstream = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
    out = layer(minigrad.tensor(index))
    (out * minigrad.tensor(upstream)).sum().backward()
    expected = np.zeros((5, 3), dtype=np.float32)
    np.add.at(expected, index, upstream)
    expected[1] = 0.0
    np.testing.assert_allclose(host(layer.weight.grad), expected, rtol=1e-6)


def test_embedding_negative_padding_idx_counts_from_the_end():
    layer = nn.Embedding(4, 2, padding_idx=-1)
    assert layer.padding_idx == 3
    np.testing.assert_array_equal(host(layer.weight)[3], np.zeros(2))


def test_embedding_index_out_of_range_is_refused():
    with pytest.raises(IndexError, match="5"):
        nn.Embedding(5, 2)(minigrad.tensor(np.array([0, 5])))


@pytest.mark.parametrize("normalized_shape, shape", [(4, (3, 4)), ((2, 3), (2, 2, 3))])
def test_layer_norm_forward_matches_numpy(normalized_shape, shape):
    rng = np.random.default_rng(3)
    layer = nn.LayerNorm(normalized_shape)
    affine_shape = shape[-len(layer.normalized_shape):]
    weight, bias = rng.standard_normal(affine_shape), rng.standard_normal(affine_shape)
    layer.load_state_dict({"weight": weight, "bias": bias})
    x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    axes = tuple(range(x.ndim - len(affine_shape), x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=axes, keepdims=True)  # biased, as torch
    expected = (x - mean) / np.sqrt(variance + layer.eps) * weight + bias
    np.testing.assert_allclose(host(layer(minigrad.tensor(x))), expected, rtol=1e-4, atol=1e-5)


def test_layer_norm_starts_as_plain_normalisation():
    layer = nn.LayerNorm(5)
    np.testing.assert_array_equal(host(layer.weight), np.ones(5))
    np.testing.assert_array_equal(host(layer.bias), np.zeros(5))


# --- dropout -----------------------------------------------------------------------------------------------
def test_dropout_in_eval_mode_is_the_identity():
    x = np.random.default_rng(4).standard_normal((10, 10)).astype(np.float32)
    np.testing.assert_array_equal(host(nn.Dropout(0.5).eval()(minigrad.tensor(x))), x)
    np.testing.assert_array_equal(host(F.dropout(minigrad.tensor(x), 0.5, training=False)), x)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_zeroes_about_p_and_scales_survivors_to_keep_the_mean(p):
    n = 200_000
    x = np.random.default_rng(5).uniform(0.5, 1.5, n).astype(np.float32)
    input = leaf(x)
    out = nn.Dropout(p)(input)
    values = host(out)
    dropped = values == 0
    assert abs(dropped.mean() - p) < 0.01
    np.testing.assert_allclose(values[~dropped], x[~dropped] / (1 - p), rtol=1e-6)
    assert abs(values.mean() / x.mean() - 1) < 0.02
    out.sum().backward()  # the gradient is the same mask: 0 where dropped, 1/(1-p) where kept
    np.testing.assert_allclose(host(input.grad), np.where(dropped, 0.0, 1 / (1 - p)), rtol=1e-6)


def test_dropout_edge_probabilities():
    x = np.random.default_rng(6).standard_normal(100).astype(np.float32)
    np.testing.assert_array_equal(host(nn.Dropout(0.0)(minigrad.tensor(x))), x)
    np.testing.assert_array_equal(host(nn.Dropout(1.0)(minigrad.tensor(x))), np.zeros(100))


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_probabilities_outside_zero_one(p):
    with pytest.raises(ValueError, match=str(p)):
        nn.Dropout(p)
    with pytest.raises(ValueError, match=str(p)):
        F.dropout(minigrad.ones(3), p)


# --- gradcheck of composites -------------------------------------------------------------------------------
def float64_leaf(rng, shape):
    return leaf(rng.standard_normal(shape), dtype=minigrad.float64)


def test_gradcheck_linear_module():
    layer = nn.Linear(3, 2, dtype=minigrad.float64)
    x = float64_leaf(np.random.default_rng(7), (4, 3))
    assert minigrad.gradcheck(lambda x, w, b: layer(x), (x, layer.weight, layer.bias))


def test_gradcheck_layer_norm_module():
    rng = np.random.default_rng(8)
    layer = nn.LayerNorm(4, dtype=minigrad.float64)
    layer.load_state_dict({"weight": rng.standard_normal(4), "bias": rng.standard_normal(4)})
    x = float64_leaf(rng, (3, 4))
    assert minigrad.gradcheck(lambda x, w, b: layer(x), (x, layer.weight, layer.bias))


def test_gradcheck_embedding():
    # (with padding_idx the padding row's gradient is zero by definition, not the numerical derivative: see
    # test_embedding_padding_row_starts_at_zero_and_gets_no_gradient)
    weight = float64_leaf(np.random.default_rng(9), (4, 3))
    index = minigrad.tensor(np.array([[0, 2], [3, 2], [0, 1]]))
    assert minigrad.gradcheck(lambda w: F.embedding(index, w) ** 2, (weight,))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck_cross_entropy_with_ignored_targets(reduction):
    logits = float64_leaf(np.random.default_rng(10), (5, 4))
    target = minigrad.tensor(np.array([0, 3, -100, 1, 3]))
    assert minigrad.gradcheck(lambda x: F.cross_entropy(x, target, reduction=reduction), (logits,))


def test_gradcheck_nll_loss_with_extra_dimensions():
    log_probs = float64_leaf(np.random.default_rng(11), (3, 4, 2))
    target = minigrad.tensor(np.array([[0, 3], [1, 1], [2, -100]]))
    assert minigrad.gradcheck(lambda x: F.nll_loss(x, target), (log_probs,))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck_mse_loss(reduction):
    rng = np.random.default_rng(12)
    input, target = float64_leaf(rng, (3, 2)), float64_leaf(rng, (3, 2))
    assert minigrad.gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), (input, target))


# --- losses against NumPy ----------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape, target", [
    ((6, 5), np.array([4, 0, 7, 2, 7, 1])),
    ((2, 5, 3), np.array([[0, 7, 4], [7, 2, 2]])),
    ((5,), np.array(3)),
], ids=["N,C", "N,C,d", "C"])
def test_cross_entropy_matches_numpy(reduction, shape, target):
    logits = np.random.default_rng(13).standard_normal(shape) * 3
    loss = F.cross_entropy(minigrad.tensor(logits), minigrad.tensor(target), ignore_index=7, reduction=reduction)
    expected = np_cross_entropy(logits, target, ignore_index=7, reduction=reduction)
    assert loss.shape == np.shape(expected)
    np.testing.assert_allclose(host(loss), expected, rtol=1e-10)


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_counted_targets():
    logits = np.random.default_rng(14).standard_normal((4, 3))
    target = np.array([2, -100, 0, 2])
    x = leaf(logits)
    F.cross_entropy(x, minigrad.tensor(target)).backward()
    valid = target != -100
    expected = np.exp(np_log_softmax(logits, 1))
    expected[np.arange(4)[valid], target[valid]] -= 1
    expected[~valid] = 0
    np.testing.assert_allclose(host(x.grad), expected / valid.sum(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_loss_module_passes_its_arguments():
    logits = np.random.default_rng(15).standard_normal((4, 3))
    target = np.array([1, 0, 0, 2])
    loss = nn.CrossEntropyLoss(ignore_index=0, reduction="sum")(minigrad.tensor(logits), minigrad.tensor(target))
    np.testing.assert_allclose(loss.item(), np_cross_entropy(logits, target, 0, "sum"), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_stable_at_plus_minus_1000(dtype):
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -1000.0]], dtype)
    target = np.array([1, 2, 0])
    x = leaf(logits)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss = F.cross_entropy(x, minigrad.tensor(target), reduction="none")
        loss.sum().backward()
    expected = np_cross_entropy(logits.astype(np.float64), target, reduction="none")  # [2000, log 2, log 3]
    np.testing.assert_allclose(host(loss), expected, rtol=1e-6)
    grad = host(x.grad)
    assert np.all(np.isfinite(grad))
    expected_grad = np.exp(np_log_softmax(logits.astype(np.float64), 1))
    expected_grad[np.arange(3), target] -= 1
    np.testing.assert_allclose(grad, expected_grad, atol=1e-6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_matches_numpy(reduction):
    rng = np.random.default_rng(16)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    squared = (a - b) ** 2
    expected = {"mean": squared.mean(), "sum": squared.sum(), "none": squared}[reduction]
    loss = nn.MSELoss(reduction=reduction)(minigrad.tensor(a), minigrad.tensor(b))
    np.testing.assert_allclose(host(loss), expected, rtol=1e-12)


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
def test_losses_reject_unknown_reduction(loss):
    with pytest.raises(ValueError, match="average"):
        loss(minigrad.zeros(2, 3), minigrad.tensor(np.array([0, 1])), reduction="average")


# --- load_state_dict ---------------------------------------------------------------------------------------
def test_load_state_dict_round_trip_copies_values():
    source, target = make_mlp(), make_mlp()
    expected = snapshot(source)
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert_same_state(target, expected)
    with minigrad.no_grad():
        source[0].weight.fill_(7.0)  # the target holds copies, not views of the source's arrays
    assert_same_state(target, expected)
    x = minigrad.tensor(np.random.default_rng(17).standard_normal((2, 3)).astype(np.float32))
    source.load_state_dict(expected)
    np.testing.assert_array_equal(host(target(x)), host(source(x)))


def test_load_state_dict_accepts_numpy_arrays_and_casts_to_the_parameter_dtype():
    model = make_mlp()
    rng = np.random.default_rng(18)
    arrays = {name: rng.standard_normal(value.shape) for name, value in snapshot(model).items()}  # float64
    model.load_state_dict(arrays)
    for name, value in model.state_dict().items():
        assert value.dtype == minigrad.float32, name
        np.testing.assert_array_equal(host(value), arrays[name].astype(np.float32), err_msg=name)


def drop_last_key(state):
    del state["2.bias"]
    return "2.bias"


def add_key(state):
    state["3.weight"] = np.zeros((2, 2))
    return "3.weight"


def reshape_key(state):
    state["2.weight"] = np.zeros((4, 2))
    return "2.weight"


@pytest.mark.parametrize("corrupt, words", [
    (drop_last_key, ["missing"]),
    (add_key, ["unexpected"]),
    (reshape_key, ["(2, 4)", "(4, 2)"]),
], ids=["missing", "unexpected", "shape"])
def test_failed_load_state_dict_names_the_key_and_changes_nothing(corrupt, words):
    model = make_mlp()
    before = snapshot(model)
    state = {name: value + 1.0 for name, value in before.items()}  # every value differs from the model's
    key = corrupt(state)
    with pytest.raises(RuntimeError) as caught:
        model.load_state_dict(state)
    for word in [key] + words:
        assert word in str(caught.value)
    assert_same_state(model, before)


def test_shape_mismatch_is_an_error_even_when_not_strict():
    model = make_mlp()
    before = snapshot(model)
    state = {name: value + 1.0 for name, value in before.items()}
    reshape_key(state)
    with pytest.raises(RuntimeError, match="2.weight"):
        model.load_state_dict(state, strict=False)
    assert_same_state(model, before)


def test_load_state_dict_not_strict_reports_missing_and_unexpected_and_loads_the_rest():
    model = make_mlp()
    before = snapshot(model)
    state = {name: value + 1.0 for name, value in before.items()}
    missing, unexpected = drop_last_key(state), add_key(state)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == [missing]
    assert result.unexpected_keys == [unexpected]
    after = snapshot(model)
    np.testing.assert_array_equal(after["2.bias"], before["2.bias"])
    for name in ["0.weight", "0.bias", "2.weight"]:
        np.testing.assert_array_equal(after[name], before[name] + 1.0)


def test_state_dict_includes_buffers_and_loads_them():
    block = Block()
    state = {name: value + 2.0 for name, value in snapshot(block).items()}
    block.load_state_dict(state)
    np.testing.assert_array_equal(host(block.running), np.full(2, 2.0))


# --- dtype and device --------------------------------------------------------------------------------------
@pytest.mark.parametrize("convert, dtype", [
    (lambda m: m.double(), minigrad.float64),
    (lambda m: m.to(minigrad.float64), minigrad.float64),
    (lambda m: m.to(dtype=np.float64).float(), minigrad.float32),
], ids=["double", "to-float64", "to-and-back"])
def test_module_dtype_conversion_keeps_parameter_objects_and_values(convert, dtype):
    model = Block()
    model.inner(minigrad.randn(2, 3)).sum().backward()
    params = list(model.parameters())
    before = snapshot(model)
    assert convert(model) is model
    assert list(model.parameters()) == params  # same objects: an optimiser built earlier still holds them
    for name, value in model.state_dict().items():
        assert value.dtype == dtype, name
        np.testing.assert_allclose(host(value), before[name], rtol=1e-7, err_msg=name)
    assert model.inner.weight.grad.dtype == dtype
    out = model(minigrad.tensor(np.ones((1, 3)), dtype=dtype))
    assert out.dtype == dtype


def test_module_to_device_moves_parameters_and_buffers():
    model = Block()
    default = minigrad.get_default_device()
    for device in ["cpu", default]:
        model.to(device)
        assert all(t.device == device for t in list(model.parameters()) + list(model.buffers()))


# --- nn.init -----------------------------------------------------------------------------------------------
def init_uniform_bound(fn, fan_in, fan_out):
    return {
        nn.init.xavier_uniform_: math.sqrt(6 / (fan_in + fan_out)),
        nn.init.kaiming_uniform_: math.sqrt(2.0) * math.sqrt(3 / fan_in),  # gain of leaky_relu with a=0
    }[fn]


@pytest.mark.parametrize("fn", [nn.init.xavier_uniform_, nn.init.kaiming_uniform_])
def test_uniform_inits_fill_up_to_their_bound(fn):
    weight = minigrad.empty(300, 200)
    assert fn(weight) is weight
    bound = init_uniform_bound(fn, fan_in=200, fan_out=300)
    values = host(weight)
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.95 * bound
    np.testing.assert_allclose(values.std(), bound / math.sqrt(3), rtol=0.02)


@pytest.mark.parametrize("fn, std", [
    (nn.init.xavier_normal_, math.sqrt(2 / (200 + 300))),
    (lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), math.sqrt(2) / math.sqrt(300)),
], ids=["xavier_normal", "kaiming_normal-fan_out"])
def test_normal_inits_have_their_std(fn, std):
    weight = minigrad.empty(300, 200)
    fn(weight)
    values = host(weight)
    assert abs(values.mean()) < 0.05 * std
    np.testing.assert_allclose(values.std(), std, rtol=0.02)


@pytest.mark.parametrize("shape", [(6, 3), (3, 6), (4, 4)])
def test_orthogonal_init_gives_orthonormal_rows_or_columns(shape):
    weight = minigrad.empty(*shape, dtype=minigrad.float64)
    nn.init.orthogonal_(weight, gain=2.0)
    q = host(weight) / 2.0
    small = min(shape)
    gram = q.T @ q if shape[0] >= shape[1] else q @ q.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-10)


@pytest.mark.parametrize("fn, value", [
    (lambda t: nn.init.constant_(t, 0.25), 0.25), (nn.init.zeros_, 0.0), (nn.init.ones_, 1.0),
], ids=["constant", "zeros", "ones"])
def test_constant_inits(fn, value):
    weight = nn.Linear(3, 2).weight
    fn(weight)
    np.testing.assert_array_equal(host(weight), np.full((2, 3), value, dtype=np.float32))
    assert weight.requires_grad and weight.is_leaf


@pytest.mark.parametrize("fn", [nn.init.xavier_uniform_, nn.init.kaiming_normal_, nn.init.orthogonal_])
def test_fan_based_inits_need_two_dimensions(fn):
    with pytest.raises(ValueError, match=r"\(5,\)"):
        fn(minigrad.empty(5))


# --- gradient clipping -------------------------------------------------------------------------------------
def params_with_grads(rng, shapes, scale):
    params = []
    for shape in shapes:
        p = nn.Parameter(minigrad.tensor(rng.standard_normal(shape)))
        p.grad = minigrad.tensor(rng.standard_normal(shape) * scale)
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
@pytest.mark.parametrize("scale", [10.0, 0.01], ids=["clipped", "untouched"])
def test_clip_grad_norm_returns_pre_clip_norm_and_scales_to_max_norm(norm_type, scale):
    rng = np.random.default_rng(19)
    params = params_with_grads(rng, [(3, 4), (5,)], scale)
    no_grad = nn.Parameter(minigrad.ones(2))  # parameters without a gradient are skipped
    grads = [host(p.grad) for p in params]
    flat = np.concatenate([g.ravel() for g in grads])
    total = np.linalg.norm(flat, ord=norm_type)
    max_norm = 1.0
    returned = nn.utils.clip_grad_norm_(params + [no_grad], max_norm=max_norm, norm_type=norm_type)
    np.testing.assert_allclose(returned.item(), total, rtol=1e-10)
    after = [host(p.grad) for p in params]
    if total > max_norm:
        post = np.linalg.norm(np.concatenate([g.ravel() for g in after]), ord=norm_type)
        np.testing.assert_allclose(post, max_norm, rtol=1e-5)
        for g, a in zip(grads, after):
            np.testing.assert_allclose(a, g * (max_norm / total), rtol=1e-5)
    else:
        for g, a in zip(grads, after):
            np.testing.assert_array_equal(a, g)
    assert no_grad.grad is None


def test_clip_grad_norm_accepts_a_single_tensor():
    (p,) = params_with_grads(np.random.default_rng(20), [(4,)], 5.0)
    expected = np.linalg.norm(host(p.grad))
    np.testing.assert_allclose(nn.utils.clip_grad_norm_(p, 0.5).item(), expected, rtol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(host(p.grad)), 0.5, rtol=1e-5)


def test_clip_grad_value_clamps_every_element():
    params = params_with_grads(np.random.default_rng(21), [(3, 4), (6,)], 2.0)
    grads = [host(p.grad) for p in params]
    nn.utils.clip_grad_value_(params, 0.5)
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(host(p.grad), np.clip(g, -0.5, 0.5))


@pytest.mark.parametrize("clip", [lambda ps: nn.utils.clip_grad_norm_(ps, -1.0),
                                  lambda ps: nn.utils.clip_grad_value_(ps, 0.0)], ids=["norm", "value"])
def test_clipping_rejects_non_positive_limits(clip):
    with pytest.raises(ValueError):
        clip(params_with_grads(np.random.default_rng(22), [(2,)], 1.0))


# --- torch parity (optional) -------------------------------------------------------------------------------
def test_linear_matches_torch_outputs_and_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(23)
    weight, bias = rng.standard_normal((4, 3)), rng.standard_normal(4)
    x, upstream = rng.standard_normal((5, 3)), rng.standard_normal((5, 4))

    ours = nn.Linear(3, 4, dtype=minigrad.float64)
    ours.load_state_dict({"weight": weight, "bias": bias})
    theirs = torch.nn.Linear(3, 4, dtype=torch.float64)
    theirs.load_state_dict({"weight": torch.from_numpy(weight), "bias": torch.from_numpy(bias)})

    x_ours, x_theirs = leaf(x), torch.tensor(x, requires_grad=True)
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    (out_ours * minigrad.tensor(upstream)).sum().backward()
    (out_theirs * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(host(out_ours), out_theirs.detach().numpy(), rtol=1e-12)
    for mine, other in [(x_ours.grad, x_theirs.grad), (ours.weight.grad, theirs.weight.grad),
                        (ours.bias.grad, theirs.bias.grad)]:
        np.testing.assert_allclose(host(mine), other.numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_ignore_index_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(24)
    logits = rng.standard_normal((3, 5, 4)) * 2
    target = rng.integers(0, 5, (3, 4))
    target[0, 1] = target[2, 3] = 0
    ours_x, theirs_x = leaf(logits), torch.tensor(logits, requires_grad=True)
    ours = F.cross_entropy(ours_x, minigrad.tensor(target), ignore_index=0, reduction=reduction)
    theirs = torch.nn.functional.cross_entropy(theirs_x, torch.from_numpy(target), ignore_index=0,
                                               reduction=reduction)
    np.testing.assert_allclose(host(ours), theirs.detach().numpy(), rtol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(host(ours_x.grad), theirs_x.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_clip_grad_norm_gives_the_same_bits_on_cpu_and_strict():
    # NumPy scalars and 0-d arrays can round a power differently (about 1 value in 1,500): many draws expose it
    rng = np.random.default_rng(7)
    for _ in range(3000):
        grads = [rng.standard_normal(shape).astype(np.float32) * 10 for shape in ((3, 4), (5,))]
        results = []
        for device in ("cpu", "strict"):
            params = [minigrad.nn.Parameter(minigrad.zeros(*g.shape, device=device)) for g in grads]
            for p, g in zip(params, grads):
                p.grad = minigrad.tensor(g, device=device)
            total = minigrad.nn.utils.clip_grad_norm_(params, max_norm=1.0)
            results.append((total.item(), [p.grad.numpy().tolist() for p in params]))
        assert results[0] == results[1]
