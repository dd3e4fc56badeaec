"""minigrad.optim: every update rule against a NumPy transcription of the formula in torch.optim's documentation,
over several steps with changing gradients; torch itself as an optional second oracle.
"""

import math

import numpy as np
import pytest

import minigrad
from conftest import host
from minigrad import optim

SHAPES = [(3, 2), (4,)]
STEPS = 5


pytestmark = pytest.mark.usefixtures("seeded")



# --- reference update rules (torch.optim docs, written out for NumPy) --------------------------------------
def sgd_reference(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    def step(p, g, state):
        g = g + weight_decay * p
        if momentum:
            # b_1 = g_1;  b_t = μ b_{t-1} + (1 - τ) g_t
            b = g.copy() if "b" not in state else momentum * state["b"] + (1 - dampening) * g
            state["b"] = b
            g = g + momentum * b if nesterov else b
        return p - lr * g
    return step


def adam_reference(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas

    def step(p, g, state):
        g = g + weight_decay * p
        t = state["t"] = state.get("t", 0) + 1
        m = state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
        v = state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g ** 2
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        return p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return step


def adagrad_reference(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    def step(p, g, state):
        t = state["t"] = state.get("t", 0) + 1
        g = g + weight_decay * p
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = state["s"] = state.get("s", initial_accumulator_value) + g ** 2
        return p - lr_t * g / (np.sqrt(s) + eps)
    return step


CASES = {
    "sgd": (optim.SGD, sgd_reference, dict(lr=0.1)),
    "sgd-momentum": (optim.SGD, sgd_reference, dict(lr=0.1, momentum=0.9)),
    "sgd-dampening": (optim.SGD, sgd_reference, dict(lr=0.1, momentum=0.8, dampening=0.3)),
    "sgd-nesterov": (optim.SGD, sgd_reference, dict(lr=0.05, momentum=0.9, nesterov=True)),
    "sgd-weight-decay": (optim.SGD, sgd_reference, dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    "adam": (optim.Adam, adam_reference, dict(lr=0.01)),
    "adam-all": (optim.Adam, adam_reference, dict(lr=0.05, betas=(0.8, 0.95), eps=1e-3, weight_decay=0.2)),
    "adagrad": (optim.Adagrad, adagrad_reference, dict(lr=0.1)),
    "adagrad-all": (optim.Adagrad, adagrad_reference,
                    dict(lr=0.1, lr_decay=0.5, weight_decay=0.1, initial_accumulator_value=0.3, eps=1e-3)),
}


def make_params(rng):
    return [minigrad.tensor(rng.standard_normal(shape), requires_grad=True) for shape in SHAPES]


def gradient_sequence(rng, steps=STEPS):
    return [[rng.standard_normal(shape) for shape in SHAPES] for _ in range(steps)]


def step_with(optimizer, params, grads):
    for p, g in zip(params, grads):
        p.grad = minigrad.tensor(g)
    optimizer.step()


@pytest.mark.parametrize("case", CASES)
def test_update_matches_the_documented_formula(case):
    cls, reference, kwargs = CASES[case]
    rng = np.random.default_rng(1)
    params = make_params(rng)
    expected = [host(p) for p in params]
    states = [{} for _ in params]
    update = reference(**kwargs)
    optimizer = cls(params, **kwargs)
    for step, grads in enumerate(gradient_sequence(rng)):
        step_with(optimizer, params, grads)
        expected = [update(p, g, s) for p, g, s in zip(expected, grads, states)]
        for i, (p, e) in enumerate(zip(params, expected)):
            np.testing.assert_allclose(host(p), e, rtol=1e-12, atol=1e-14, err_msg=f"param {i}, step {step}")


@pytest.mark.parametrize("case", CASES)
def test_parameters_without_gradient_are_left_alone(case):
    cls, _, kwargs = CASES[case]
    rng = np.random.default_rng(2)
    params = make_params(rng)
    optimizer = cls(params, **kwargs)
    untouched = host(params[1])
    params[0].grad = minigrad.tensor(rng.standard_normal(SHAPES[0]))
    optimizer.step()
    np.testing.assert_array_equal(host(params[1]), untouched)


def test_param_groups_use_their_own_learning_rate():
    rng = np.random.default_rng(3)
    a, b = make_params(rng)
    start_a, start_b = host(a), host(b)
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    ga, gb = rng.standard_normal(a.shape), rng.standard_normal(b.shape)
    step_with(optimizer, [a, b], [ga, gb])
    np.testing.assert_allclose(host(a), start_a - 0.1 * ga, rtol=1e-12)
    np.testing.assert_allclose(host(b), start_b - 0.5 * gb, rtol=1e-12)


def test_optimizer_updates_the_model_after_backward():
    layer = minigrad.nn.Linear(3, 1)
    before = {name: host(p) for name, p in layer.named_parameters()}
    x = np.random.default_rng(4).standard_normal((5, 3)).astype(np.float32)
    layer(minigrad.tensor(x)).sum().backward()
    grads = {name: host(p.grad) for name, p in layer.named_parameters()}
    optim.SGD(layer.parameters(), lr=0.1).step()
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(host(p), before[name] - 0.1 * grads[name], rtol=1e-5, err_msg=name)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    params = make_params(np.random.default_rng(5))
    optimizer = optim.Adam(params)
    for p in params:
        (p * p).sum().backward()
    optimizer.zero_grad(set_to_none=set_to_none)
    for p in params:
        if set_to_none:
            assert p.grad is None
        else:
            np.testing.assert_array_equal(host(p.grad), np.zeros(p.shape))


# --- argument checks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, named", [
    (optim.SGD, dict(lr=-0.1), "-0.1"),
    (optim.SGD, dict(lr=0.1, momentum=-0.9), "-0.9"),
    (optim.SGD, dict(lr=0.1, weight_decay=-0.01), "-0.01"),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5, nesterov=True), "0.5"),
    (optim.SGD, dict(lr=math.nan), "nan"),
    (optim.Adam, dict(lr=-1.0), "-1.0"),
    (optim.Adam, dict(betas=(0.9, 1.0)), "1.0"),
    (optim.Adam, dict(betas=(-0.1, 0.999)), "-0.1"),
    (optim.Adam, dict(eps=-1e-8), "-1e-08"),
    (optim.Adam, dict(weight_decay=-0.5), "-0.5"),
    (optim.Adagrad, dict(lr=-0.01), "-0.01"),
    (optim.Adagrad, dict(lr_decay=-0.5), "-0.5"),
    (optim.Adagrad, dict(weight_decay=-0.25), "-0.25"),
    (optim.Adagrad, dict(initial_accumulator_value=-1.0), "-1.0"),
    (optim.Adagrad, dict(eps=-0.001), "-0.001"),
], ids=lambda value: None if not isinstance(value, dict) else ",".join(value))
def test_bad_hyper_parameters_raise_value_error_naming_the_value(cls, kwargs, named):
    with pytest.raises(ValueError) as caught:
        cls(make_params(np.random.default_rng(6)), **kwargs)
    assert named in str(caught.value)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.Adagrad])
def test_empty_parameter_list_raises(cls):
    with pytest.raises(ValueError, match="empty"):
        cls([], lr=0.1)


# --- state_dict --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["sgd-momentum", "sgd-nesterov", "adam-all", "adagrad-all"])
def test_restored_optimizer_takes_the_same_next_steps(case):
    cls, _, kwargs = CASES[case]
    rng = np.random.default_rng(7)
    grads = gradient_sequence(rng, steps=5)
    original_params = make_params(rng)
    original = cls(original_params, **kwargs)
    for step in grads[:3]:
        step_with(original, original_params, step)

    restored_params = [minigrad.tensor(host(p), requires_grad=True) for p in original_params]
    restored = cls(restored_params, lr=123.0)  # hyper-parameters come back from the state_dict too
    restored.load_state_dict(original.state_dict())
    for step in grads[3:]:
        step_with(original, original_params, step)  # before the restored one steps: state must not be shared
        step_with(restored, restored_params, step)
        for a, b in zip(original_params, restored_params):
            np.testing.assert_array_equal(host(b), host(a))


def test_state_dict_names_parameters_by_position_and_keeps_hyper_parameters():
    params = make_params(np.random.default_rng(8))
    optimizer = optim.Adam(params, lr=0.01, betas=(0.8, 0.9))
    step_with(optimizer, params, gradient_sequence(np.random.default_rng(9), steps=1)[0])
    state = optimizer.state_dict()
    assert sorted(state["state"]) == [0, 1]
    assert state["param_groups"][0]["params"] == [0, 1]
    assert state["param_groups"][0]["lr"] == 0.01
    assert tuple(state["param_groups"][0]["betas"]) == (0.8, 0.9)


# --- torch parity (optional) -------------------------------------------------------------------------------
TORCH_CASES = ["sgd", "sgd-momentum", "sgd-dampening", "sgd-nesterov", "sgd-weight-decay", "adam", "adam-all",
               "adagrad", "adagrad-all"]


@pytest.mark.parametrize("case", TORCH_CASES)
def test_matches_torch_over_several_steps(case):
    torch = pytest.importorskip("torch")
    cls, _, kwargs = CASES[case]
    rng = np.random.default_rng(10)
    weight, bias = rng.standard_normal((2, 3)), rng.standard_normal(2)
    inputs = [rng.standard_normal((4, 3)) for _ in range(STEPS)]

    ours = [minigrad.tensor(weight, requires_grad=True), minigrad.tensor(bias, requires_grad=True)]
    theirs = [torch.tensor(weight, requires_grad=True), torch.tensor(bias, requires_grad=True)]
    our_optimizer = cls(ours, **kwargs)
    their_optimizer = getattr(torch.optim, cls.__name__)(theirs, **kwargs)
    for x in inputs:
        our_optimizer.zero_grad()
        their_optimizer.zero_grad()
        (minigrad.tensor(x) @ ours[0].T + ours[1]).tanh().sum().backward()
        (torch.from_numpy(x) @ theirs[0].T + theirs[1]).tanh().sum().backward()
        our_optimizer.step()
        their_optimizer.step()
        for mine, other in zip(ours, theirs):
            np.testing.assert_allclose(host(mine), other.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_state_left_behind_by_module_to_is_named():
    model = minigrad.nn.Linear(3, 2, device="cpu")
    optimizer = minigrad.optim.Adam(model.parameters())
    model(minigrad.ones(1, 3, device="cpu")).sum().backward()
    optimizer.step()
    model.to("strict")
    model(minigrad.ones(1, 3, device="strict")).sum().backward()
    with pytest.raises(RuntimeError, match="'exp_avg' of a parameter is on cpu but the parameter is on strict"):
        optimizer.step()
