"""minigrad.nn.Module's surface and the new layers against torch: activation layers, Identity, Flatten, GELU,
LazyLinear, forward hooks, and the Module methods programs call (get_submodule, requires_grad_, state_dict's
options, named_modules, register_buffer(persistent=False), train's checks, reprs)."""

import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
from conftest import host
from torch_oracle import compare

torch = pytest.importorskip("torch")


# --- layers without parameters -----------------------------------------------------------------------------
@pytest.mark.parametrize("make, shape", [
    (lambda lib: lib.nn.ReLU(), (3, 4)), (lambda lib: lib.nn.ReLU(inplace=True), (3, 4)),
    (lambda lib: lib.nn.LeakyReLU(), (3, 4)), (lambda lib: lib.nn.LeakyReLU(0.2, inplace=True), (3, 4)),
    (lambda lib: lib.nn.Tanh(), (3, 4)), (lambda lib: lib.nn.Sigmoid(), (3, 4)),
    (lambda lib: lib.nn.Softmax(dim=1), (3, 4)), (lambda lib: lib.nn.LogSoftmax(dim=0), (3, 4)),
    (lambda lib: lib.nn.LogSoftmax(-1), (2, 3, 4)), (lambda lib: lib.nn.Identity(54, unused="x"), (3, 4)),
    (lambda lib: lib.nn.Flatten(), (2, 3, 4)), (lambda lib: lib.nn.Flatten(0, 1), (2, 3, 4)),
    (lambda lib: lib.nn.Flatten(start_dim=-2), (2, 3, 4, 1)),
], ids=["relu", "relu-inplace", "leaky_relu", "leaky_relu-0.2-inplace", "tanh", "sigmoid", "softmax", "log_softmax",
        "log_softmax-last", "identity", "flatten", "flatten-0-1", "flatten-last-two"])
def test_parameterless_layers_match_torch(make, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    x.reshape(-1)[0] = 0.0  # the kinks of relu and leaky_relu
    compare(lambda lib, x: make(lib)(x * 1), x)
    assert repr(make(minigrad)) == repr(make(torch))


@pytest.mark.parametrize("layer", ["Softmax", "LogSoftmax"])
def test_softmax_layers_without_dim_warn_and_pick_torch_dim(layer):
    x = np.random.default_rng(1).standard_normal((2, 3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        getattr(nn, layer)()(minigrad.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, x: getattr(lib.nn, layer)()(x), x)
    assert repr(getattr(nn, layer)()) == repr(getattr(torch.nn, layer)()) == f"{layer}(dim=None)"


def test_flatten_of_too_few_dimensions_raises_like_torch():
    with pytest.raises(IndexError):
        torch.nn.Flatten()(torch.ones(2))
    with pytest.raises(IndexError):
        nn.Flatten()(minigrad.ones(2))


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_layer_matches_torch(approximate):
    assert repr(nn.GELU(approximate)) == repr(torch.nn.GELU(approximate))
    x = np.random.default_rng(2).standard_normal((3, 4))
    compare(lambda lib, x: lib.nn.GELU(approximate=approximate)(x), x)


# --- LazyLinear --------------------------------------------------------------------------------------------
def test_lazy_linear_before_its_first_call_is_as_torch():
    ours, theirs = nn.LazyLinear(5), torch.nn.LazyLinear(5)
    assert repr(ours) == repr(theirs) == "LazyLinear(in_features=0, out_features=5, bias=True)"
    assert repr(nn.LazyLinear(4, bias=False)) == repr(torch.nn.LazyLinear(4, bias=False))
    assert {k: repr(v) for k, v in ours.state_dict().items()} == {k: repr(v) for k, v in theirs.state_dict().items()}
    assert repr(ours.weight) == "<UninitializedParameter>"
    assert isinstance(ours, nn.Linear) and isinstance(ours.weight, nn.Parameter)
    with pytest.raises(RuntimeError, match="uninitialized"):
        ours.weight.shape


def test_lazy_linear_first_call_makes_a_linear_layer_like_torch():
    x = minigrad.randn(2, 4)
    minigrad.manual_seed(3)
    lazy = nn.LazyLinear(5)
    out = lazy(x)
    assert type(lazy) is nn.Linear and repr(lazy) == repr(torch.nn.Linear(4, 5))
    assert lazy.in_features == 4 and lazy.weight.shape == (5, 4) and lazy.bias.shape == (5,)
    assert [name for name, _ in lazy.named_parameters()] == ["weight", "bias"]
    minigrad.manual_seed(3)
    eager = nn.Linear(4, 5)  # drawn from the same seed: the lazy layer was initialised as Linear is
    np.testing.assert_array_equal(host(lazy.weight), host(eager.weight))
    np.testing.assert_array_equal(host(lazy.bias), host(eager.bias))
    np.testing.assert_array_equal(host(out), host(eager(x)))


def test_lazy_linear_takes_the_dtype_it_was_built_or_moved_with():
    built = nn.LazyLinear(3, dtype=minigrad.float64)
    moved = nn.LazyLinear(3, bias=False).double()
    for layer in (built, moved):
        out = layer(minigrad.randn(2, 2, dtype=minigrad.float64))
        assert layer.weight.dtype == minigrad.float64 and out.dtype == minigrad.float64
    assert moved.bias is None and list(moved.state_dict()) == ["weight"]


def test_lazy_linear_trains_when_the_optimizer_is_built_after_the_first_call():
    model = nn.Sequential(nn.LazyLinear(8), nn.Tanh(), nn.LazyLinear(1))
    x, y = minigrad.randn(32, 3), minigrad.randn(32, 1)
    model(x)
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(20):
        loss = nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.9 * losses[0]
    assert repr(model) == repr(torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)))


def test_lazy_linear_loads_a_state_dict_and_takes_its_shapes():
    source = nn.Linear(3, 2)
    lazy = nn.LazyLinear(2)
    lazy.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(host(lazy.weight), host(source.weight))
    with minigrad.no_grad():
        source.weight.fill_(7.0)  # the lazy layer holds a copy, not the checkpoint's values
    assert not np.any(host(lazy.weight) == 7.0)
    x = minigrad.randn(4, 3)
    assert lazy(x).shape == (4, 2) and type(lazy) is nn.Linear and lazy.in_features == 3
    untouched = nn.LazyLinear(2)
    untouched.load_state_dict(nn.LazyLinear(2).state_dict())  # nothing to load: it still waits for its input
    assert untouched.has_uninitialized_params()
    with pytest.raises(RuntimeError, match="uninitialized"):
        nn.Linear(3, 2).load_state_dict(nn.LazyLinear(2).state_dict())


def test_lazy_linear_refuses_a_0d_input_like_torch():
    with pytest.raises(IndexError):
        torch.nn.LazyLinear(3)(torch.tensor(1.0))
    with pytest.raises(IndexError, match="0-d"):
        nn.LazyLinear(3)(minigrad.tensor(1.0))


# --- hooks -------------------------------------------------------------------------------------------------
def test_forward_hooks_change_inputs_and_outputs_like_torch():
    def hooked(lib):
        layer = lib.nn.Linear(3, 2, dtype=lib.float64)
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(np.arange(6.0).reshape(2, 3)))
            layer.bias.fill_(0.5)
        layer.register_forward_pre_hook(lambda module, args: args[0] * 2)  # a single value: wrapped in a tuple
        layer.register_forward_hook(lambda module, args, output: output + args[0].sum())
        return layer
    compare(lambda lib, x: hooked(lib)(x), np.random.default_rng(4).standard_normal((4, 3)))


def test_hooks_run_in_registration_order_and_prepend_goes_first():
    layer, calls = nn.Identity(), []
    layer.register_forward_hook(lambda *args: calls.append("after"))
    layer.register_forward_hook(lambda *args: calls.append("after, prepended"), prepend=True)
    layer.register_forward_pre_hook(lambda *args: calls.append("before"))
    layer.register_forward_pre_hook(lambda *args: calls.append("before, prepended"), prepend=True)
    layer(1)
    assert calls == ["before, prepended", "before", "after, prepended", "after"]


def test_hooks_with_kwargs_see_and_replace_keyword_arguments():
    layer = nn.Linear(2, 2)
    seen = []
    layer.register_forward_pre_hook(lambda module, args, kwargs: ((args[0] * 0,), kwargs), with_kwargs=True)
    layer.register_forward_hook(lambda module, args, kwargs, output: seen.append((args, kwargs)), with_kwargs=True)
    out = layer(minigrad.ones(1, 2))
    np.testing.assert_array_equal(host(out), host(layer.bias)[None])
    assert seen[0][1] == {}
    bad = nn.Identity()
    bad.register_forward_pre_hook(lambda module, args, kwargs: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match="expected None or a tuple"):
        bad(1)


def test_a_removed_hook_is_not_called_again():
    layer, calls = nn.Identity(), []
    handle = layer.register_forward_hook(lambda *args: calls.append(1))
    layer(0)
    handle.remove()
    layer(0)
    with layer.register_forward_pre_hook(lambda *args: calls.append(2)):
        layer(0)
    layer(0)
    assert calls == [1, 2]


# --- the Module methods programs call ----------------------------------------------------------------------
def nested(lib):
    return lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Linear(3, 1)))


def test_get_submodule_parameter_and_buffer():
    ours, theirs = nested(minigrad), nested(torch)
    assert ours.get_submodule("1.1") is ours[1][1] and ours.get_submodule("") is ours
    assert ours.get_parameter("1.1.bias") is ours[1][1].bias
    ours[0].register_buffer("scale", minigrad.ones(1))
    assert ours.get_buffer("0.scale") is ours[0].scale
    for lookup in (lambda m: m.get_submodule("1.2"), lambda m: m.get_submodule("0.weight"),
                   lambda m: m.get_parameter("0.in_features"), lambda m: m.get_parameter("0.missing"),
                   lambda m: m.get_buffer("0.weight")):
        with pytest.raises(AttributeError):
            lookup(theirs)
        with pytest.raises(AttributeError):
            lookup(ours)


def test_requires_grad_freezes_and_unfreezes_every_parameter():
    model = nested(minigrad)
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    model[1].requires_grad_()
    assert [p.requires_grad for p in model.parameters()] == [False, False, True, True]


def test_state_dict_options_match_torch():
    ours, theirs = nested(minigrad), nested(torch)
    assert list(ours.state_dict(prefix="model.")) == list(theirs.state_dict(prefix="model."))
    assert all(isinstance(v, nn.Parameter) for v in ours.state_dict(keep_vars=True).values())
    assert not any(isinstance(v, nn.Parameter) for v in ours.state_dict().values())
    for lib, model in ((minigrad, ours), (torch, theirs)):
        model[0].register_buffer("running", lib.zeros(3))
        model[0].register_buffer("scratch", lib.zeros(3), persistent=False)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()] == ["0.running",
                                                                                                "0.scratch"]


def test_replacing_a_parameter_keeps_its_place_in_state_dict_like_torch():
    ours, theirs = minigrad.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    ours.weight = nn.Parameter(minigrad.zeros(2, 2))
    theirs.weight = torch.nn.Parameter(torch.zeros(2, 2))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]


def test_walking_a_model_with_a_shared_layer_matches_torch():
    def shared(lib):
        layer = lib.nn.Linear(2, 2)
        return lib.nn.Sequential(layer, lib.nn.ReLU(), layer)
    ours, theirs = shared(minigrad), shared(torch)
    for walk in (lambda m: [n for n, _ in m.named_modules()],
                 lambda m: [n for n, _ in m.named_modules(remove_duplicate=False)],
                 lambda m: [n for n, _ in m.named_modules(prefix="net")],
                 lambda m: [n for n, _ in m.named_parameters()],
                 lambda m: [n for n, _ in m.named_parameters(prefix="net", remove_duplicate=False)],
                 lambda m: [n for n, _ in m.named_parameters(recurse=False)],
                 lambda m: list(m.state_dict())):
        assert walk(ours) == walk(theirs)


@pytest.mark.parametrize("misuse", [
    lambda lib, m: m.train(1), lambda lib, m: m.add_module("a.b", lib.nn.ReLU()),
    lambda lib, m: m.add_module("", lib.nn.ReLU()), lambda lib, m: m.add_module("in_features", lib.nn.ReLU()),
    lambda lib, m: m.add_module(1, lib.nn.ReLU()), lambda lib, m: m.register_parameter("a.b", None),
    lambda lib, m: m.register_buffer("in_features", None), lambda lib, m: m.to(lib.int64),
    lambda lib, m: setattr(m, "weight", lib.ones(2, 2)),
], ids=["train-non-bool", "dotted-name", "empty-name", "existing-attribute", "int-name", "dotted-parameter",
        "buffer-over-attribute", "integer-dtype", "tensor-as-parameter"])
def test_module_misuse_raises_like_torch(misuse):
    with pytest.raises(Exception) as expected:
        misuse(torch, torch.nn.Linear(2, 2))
    with pytest.raises(type(expected.value)):
        misuse(minigrad, nn.Linear(2, 2))


def test_register_module_and_half_and_to_a_tensor():
    model = nn.Linear(2, 2)
    model.register_module("act", nn.ReLU())
    assert repr(model) == "Linear(\n  in_features=2, out_features=2, bias=True\n  (act): ReLU()\n)"
    assert model.half().weight.dtype == minigrad.float16
    assert model.to(minigrad.zeros(1, dtype=minigrad.float64)).weight.dtype == minigrad.float64


def test_reprs_of_a_model_with_every_new_layer_match_torch():
    def build(lib):
        return lib.nn.Sequential(lib.nn.Flatten(), lib.nn.LazyLinear(4), lib.nn.LeakyReLU(0.2), lib.nn.Dropout(0.1),
                                 lib.nn.ModuleList([lib.nn.Identity(), lib.nn.Identity()]),
                                 lib.nn.ModuleDict({"out": lib.nn.Linear(4, 2), "act": lib.nn.LogSoftmax(dim=1)}),
                                 lib.nn.CrossEntropyLoss(label_smoothing=0.1), lib.nn.GELU("tanh"))
    assert repr(build(minigrad)) == repr(build(torch))
