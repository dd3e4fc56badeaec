"""minigrad.optim's AdamW, RMSprop, Adadelta (and Adam's options) and LBFGS, against torch.optim as the oracle.

The first-order optimisers get the same parameters and the same gradients as torch's, step after step, and must
hold the same parameters after every step. L-BFGS evaluates the loss itself, so it runs the same problem (the
Rosenbrock function, a small least-squares fit) through the same closure on both sides; the closure's calls (their
number and losses) and the iterates must agree; its strong-Wolfe line search is also run alone, against torch's,
on one-dimensional functions chosen to take every branch.
"""

import numpy as np
import pytest

import minigrad
from conftest import host
from minigrad import optim

torch = pytest.importorskip("torch")
from torch.optim.lbfgs import _strong_wolfe as torch_strong_wolfe  # noqa: E402  (the oracle of the line search)

from minigrad.optim.lbfgs import _strong_wolfe  # noqa: E402

STEPS = 10
SHAPES = [(3, 2), (4,)]

CASES = {
    "adamw": ("AdamW", {}),
    "adamw-decay": ("AdamW", dict(lr=0.05, weight_decay=0.3)),
    "adamw-amsgrad": ("AdamW", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3, amsgrad=True)),
    "adamw-maximize": ("AdamW", dict(lr=0.05, maximize=True)),
    "adamw-small-betas": ("AdamW", dict(lr=0.05, betas=(0.3, 0.4))),  # lerp from its other end (weight > 0.5)
    "adam-amsgrad": ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    "adam-maximize": ("Adam", dict(lr=0.05, maximize=True)),
    "adam-decoupled": ("Adam", dict(lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)),
    "rmsprop": ("RMSprop", {}),
    "rmsprop-centered": ("RMSprop", dict(lr=0.01, centered=True)),
    "rmsprop-momentum": ("RMSprop", dict(lr=0.01, momentum=0.9)),
    "rmsprop-all": ("RMSprop", dict(lr=0.02, alpha=0.3, eps=1e-3, weight_decay=0.1, momentum=0.5, centered=True)),
    "rmsprop-maximize": ("RMSprop", dict(lr=0.01, maximize=True)),
    "adadelta": ("Adadelta", {}),
    "adadelta-all": ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-3, weight_decay=0.1)),
    "adadelta-maximize": ("Adadelta", dict(maximize=True)),
}


def quadratic_gradients(rng):
    """∇ of ½ Σ h·(w - c)² for each parameter shape: the pull of a fixed, badly scaled bowl."""
    bowls = [(rng.uniform(0.1, 10.0, shape), rng.standard_normal(shape)) for shape in SHAPES]
    return lambda weights: [h * (w - c) for w, (h, c) in zip(weights, bowls)]


def twin_parameters(rng):
    start = [rng.standard_normal(shape) for shape in SHAPES]
    return ([minigrad.tensor(w, requires_grad=True) for w in start],
            [torch.tensor(w, requires_grad=True) for w in start])


def set_gradients(params, grads, make):
    for p, g in zip(params, grads):
        p.grad = make(g)


@pytest.mark.parametrize("case", CASES)
def test_first_order_optimizers_match_torch_step_by_step(case):
    name, kwargs = CASES[case]
    rng = np.random.default_rng(0)
    gradient_at = quadratic_gradients(rng)
    ours, theirs = twin_parameters(rng)
    our_optimizer = getattr(optim, name)(ours, **kwargs)
    their_optimizer = getattr(torch.optim, name)(theirs, **kwargs)
    for step in range(STEPS):
        grads = gradient_at([p.detach().numpy() for p in theirs])  # the same gradients for both
        set_gradients(ours, grads, minigrad.tensor)
        set_gradients(theirs, grads, torch.tensor)
        our_optimizer.step()
        their_optimizer.step()
        for i, (mine, other) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(host(mine), other.detach().numpy(), rtol=1e-12, atol=1e-14,
                                       err_msg=f"parameter {i}, step {step}")


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adadelta", "LBFGS"])
def test_defaults_are_torchs(name):
    ours = getattr(optim, name)([minigrad.zeros(2, requires_grad=True)]).param_groups[0]
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).param_groups[0]
    assert {key: value for key, value in ours.items() if key != "params"} == {
        key: theirs[key] for key in ours if key != "params"}


@pytest.mark.parametrize("case", ["adamw-amsgrad", "rmsprop-all", "adadelta-all"])
def test_state_holds_torchs_entries(case):
    name, kwargs = CASES[case]
    ours, theirs = twin_parameters(np.random.default_rng(1))
    our_optimizer = getattr(optim, name)(ours, **kwargs)
    their_optimizer = getattr(torch.optim, name)(theirs, **kwargs)
    for params, make, optimizer in ((ours, minigrad.tensor, our_optimizer), (theirs, torch.tensor, their_optimizer)):
        set_gradients(params, [np.ones(shape) for shape in SHAPES], make)
        optimizer.step()
    assert set(our_optimizer.state_dict()["state"][0]) == set(their_optimizer.state_dict()["state"][0])


# --- L-BFGS ------------------------------------------------------------------------------------------------
def rosenbrock(lib):
    """f(x, y) = (1 - x)² + 100 (y - x²)², from (-1.5, 2): a curved valley, L-BFGS's classic test."""
    def make():
        return [lib.tensor(np.array([-1.5, 2.0]), requires_grad=True)]

    def loss(params):
        (x,) = params
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    return make, loss


def least_squares(lib):
    """Mean squared error of a linear map W x + b on fixed data: two parameters, one flat vector."""
    rng = np.random.default_rng(2)
    inputs, targets = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    start_weight, start_bias = rng.standard_normal((2, 3)), rng.standard_normal(2)

    def make():
        return [lib.tensor(start_weight, requires_grad=True), lib.tensor(start_bias, requires_grad=True)]

    def loss(params):
        weight, bias = params
        return ((lib.tensor(inputs) @ weight.T + bias - lib.tensor(targets)) ** 2).mean()
    return make, loss


def closure_for(optimizer, loss_of, params):
    """torch's closure: clear the gradients, compute the loss, backward, return the loss."""
    def closure():
        optimizer.zero_grad()
        loss = loss_of(params)
        loss.backward()
        return loss
    return closure


PROBLEMS = {"rosenbrock": rosenbrock, "least-squares": least_squares}
LBFGS_CASES = {
    "fixed-step": dict(lr=0.5, max_iter=5),
    "fixed-step-short-history": dict(lr=0.5, history_size=3, max_iter=7),
    "fixed-step-loose-tolerances": dict(lr=0.01, tolerance_change=1e-3, tolerance_grad=1e-3, max_iter=10),
    "strong-wolfe": dict(line_search_fn="strong_wolfe", max_iter=5),
    "strong-wolfe-short-history": dict(line_search_fn="strong_wolfe", history_size=2, max_iter=6, max_eval=9),
    "strong-wolfe-short-first-step": dict(line_search_fn="strong_wolfe", lr=0.01, max_iter=5),  # extrapolates
}
LBFGS_STEPS = 3


def run_lbfgs(lib, module, problem, kwargs, steps=LBFGS_STEPS):
    """The losses of every closure call, the iterates after every step and the counters of the state."""
    make, loss_of = PROBLEMS[problem](lib)
    params = make()
    optimizer = module.LBFGS(params, **kwargs)
    losses, iterates = [], []

    def recorded_loss(params):
        loss = loss_of(params)
        losses.append(loss.item())
        return loss

    for _ in range(steps):
        optimizer.step(closure_for(optimizer, recorded_loss, params))
        iterates.append(np.concatenate([np.array(p.detach().numpy()).ravel() for p in params]))
    state = optimizer.state[params[0]]
    return np.array(losses), np.array(iterates), (state["n_iter"], state["func_evals"], len(state["old_dirs"]))


# torch's CPU kernels fuse multiply-adds (θ + t·d rounds once there, twice in NumPy) and sum dot products in another
# order, so the two differ in the last bits of each update, and L-BFGS amplifies such differences along flat
# directions as it goes (torch against itself, started one ulp apart, does the same). The cases above stop while
# the differences are still small: about 1e-11 at most here.
LBFGS_RTOL = 1e-10


@pytest.mark.parametrize("case", LBFGS_CASES)
@pytest.mark.parametrize("problem", PROBLEMS)
def test_lbfgs_matches_torch(problem, case):
    kwargs = LBFGS_CASES[case]
    our_losses, our_iterates, our_counts = run_lbfgs(minigrad, optim, problem, kwargs)
    their_losses, their_iterates, their_counts = run_lbfgs(torch, torch.optim, problem, kwargs)
    assert our_counts == their_counts  # iterations, closure calls, remembered pairs
    np.testing.assert_allclose(our_losses, their_losses, rtol=LBFGS_RTOL, atol=1e-14)
    np.testing.assert_allclose(our_iterates, their_iterates, rtol=0, atol=LBFGS_RTOL * abs(their_iterates).max())


# one-dimensional functions (value, derivative) for the line search alone: convex, two wells, wavy, a steep step
LINE_FUNCTIONS = {
    "quadratic": (lambda y: (y - 3) ** 2, lambda y: 2 * (y - 3)),
    "double-well": (lambda y: y ** 4 - 3 * y ** 2 + y, lambda y: 4 * y ** 3 - 6 * y + 1),
    "wavy": (lambda y: np.sin(3 * y) + 0.1 * y ** 2, lambda y: 3 * np.cos(3 * y) + 0.2 * y),
    "steep-step": (lambda y: y ** 2 + 10 * np.tanh(5 * y), lambda y: 2 * y + 50 * (1 - np.tanh(5 * y) ** 2)),
}


def line_search(strong_wolfe, array, function, start, t, tolerance_change, max_ls):
    """Run a line search from ``start`` down the negative gradient of a 1-d function: (loss, slope, t, evaluations)."""
    value, derivative = function
    x = array(np.array([start]))
    g = array(derivative(np.array([start])))
    d = -g

    def obj_func(x, t, d):
        y = x + t * d
        return float(value(np.asarray(y))[0]), array(derivative(np.asarray(y)))

    f_new, g_new, t_new, evaluations = strong_wolfe(obj_func, x, t, d, float(value(np.array([start]))[0]), g,
                                                    g.dot(d), tolerance_change=tolerance_change, max_ls=max_ls)
    return float(f_new), float(g_new[0]), float(t_new), evaluations


@pytest.mark.parametrize("function", LINE_FUNCTIONS)
def test_strong_wolfe_line_search_matches_torchs(function):
    """Every branch: steps too short (extrapolation), too long (zoom, also to within 10% of an end, twice), a
    bracket below tolerance_change, and the evaluation budget max_ls running out."""
    value, derivative = LINE_FUNCTIONS[function]
    for start in (0.0, 0.5, 1.3, -2.0):
        f_scale, g_scale = abs(value(np.array([start]))[0]) + 1, abs(derivative(np.array([start]))[0]) + 1
        for t in (1e-3, 0.03, 0.3, 1.0, 3.0, 10.0, 100.0):
            for tolerance_change in (1e-9, 1.0):
                for max_ls in (25, 3, 2, 1):
                    args = (LINE_FUNCTIONS[function], start, t, tolerance_change, max_ls)
                    ours = line_search(_strong_wolfe, lambda a: a, *args)
                    theirs = line_search(torch_strong_wolfe, torch.from_numpy, *args)
                    where = f"start {start}, t {t}, tolerance_change {tolerance_change}, max_ls {max_ls}"
                    assert ours[3] == theirs[3], where
                    # torch's sqrt of a 0-d double can be an ulp off the correctly rounded one
                    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12, atol=1e-15, err_msg=where)
                    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-12 * f_scale, err_msg=where)
                    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-12 * g_scale, err_msg=where)


def test_lbfgs_with_strong_wolfe_reaches_the_rosenbrock_minimum():
    losses, iterates, _ = run_lbfgs(minigrad, optim, "rosenbrock", dict(line_search_fn="strong_wolfe"), steps=3)
    # it stops once the loss changes by less than tolerance_change (1e-9): that close, not closer
    assert losses[-1] < 1e-9
    np.testing.assert_allclose(iterates[-1], [1.0, 1.0], atol=1e-5)


def test_lbfgs_returns_the_first_loss_and_stops_at_an_optimum():
    x = minigrad.tensor(np.array([1.0, 1.0]), requires_grad=True)
    optimizer = optim.LBFGS([x])
    _, rosenbrock_loss = rosenbrock(minigrad)
    calls = []

    def recorded_loss(params):
        calls.append(rosenbrock_loss(params))
        return calls[-1]

    assert optimizer.step(closure_for(optimizer, recorded_loss, [x])) is calls[0]
    assert len(calls) == 1  # the gradient is already 0: no iteration
    np.testing.assert_array_equal(host(x), [1.0, 1.0])


def test_lbfgs_closure_runs_with_gradients_enabled():
    x = minigrad.tensor(np.array([0.5, -0.5]), requires_grad=True)
    optimizer = optim.LBFGS([x], max_iter=3)
    with minigrad.no_grad():
        optimizer.step(closure_for(optimizer, lambda ps: (ps[0] * ps[0]).sum(), [x]))
    np.testing.assert_array_equal(host(x), [0.0, 0.0])  # the first step, of length lr / ‖g‖₁, lands on 0


# --- state_dict ----------------------------------------------------------------------------------------------
def continue_after_restoring(make_optimizer, advance, steps_before, steps_after, through=None):
    """Run an optimiser, restore its state_dict into a fresh one over copies of the parameters (passing it
    ``through`` a function first, if given), and advance both: the parameters after each later step, for both."""
    rng = np.random.default_rng(3)
    params = [minigrad.tensor(rng.standard_normal(shape), requires_grad=True) for shape in SHAPES]
    original = make_optimizer(params)
    for step in range(steps_before):
        advance(original, params, step)
    copies = [minigrad.tensor(host(p), requires_grad=True) for p in params]
    restored = make_optimizer(copies)
    saved = original.state_dict()
    restored.load_state_dict(through(saved) if through else saved)
    pairs = []
    for step in range(steps_before, steps_before + steps_after):
        advance(original, params, step)  # before the restored one: the two must not share state
        advance(restored, copies, step)
        pairs.append(([host(p) for p in params], [host(p) for p in copies]))
    return pairs


def gradient_step(optimizer, params, step):
    rng = np.random.default_rng(100 + step)
    set_gradients(params, [rng.standard_normal(p.shape) for p in params], minigrad.tensor)
    optimizer.step()


def lbfgs_step(optimizer, params, step):
    optimizer.step(closure_for(optimizer, lambda ps: sum(((p - 1) ** 4).sum() + (p * p).sum() for p in ps), params))


@pytest.mark.parametrize("case", ["adamw-amsgrad", "rmsprop-all", "adadelta-all"])
def test_restored_first_order_optimizer_continues_as_the_original(case):
    name, kwargs = CASES[case]
    for original, restored in continue_after_restoring(lambda params: getattr(optim, name)(params, **kwargs),
                                                       gradient_step, 3, 3):
        for a, b in zip(original, restored):
            np.testing.assert_array_equal(b, a)


@pytest.mark.parametrize("via_file", [False, True])
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_restored_lbfgs_continues_as_the_original(line_search_fn, via_file, tmp_path):
    def make(params):
        return optim.LBFGS(params, lr=0.5, max_iter=4, history_size=3, line_search_fn=line_search_fn)

    def save_and_load(state_dict):
        minigrad.save(state_dict, tmp_path / "lbfgs.npz")
        return minigrad.load(tmp_path / "lbfgs.npz")
    for original, restored in continue_after_restoring(make, lbfgs_step, 2, 3, save_and_load if via_file else None):
        for a, b in zip(original, restored):
            np.testing.assert_array_equal(b, a)


def test_lbfgs_state_dict_holds_the_history_as_tensors_and_checks_its_length():
    params = [minigrad.tensor(np.ones(shape), requires_grad=True) for shape in SHAPES]
    optimizer = optim.LBFGS(params, max_iter=3)
    lbfgs_step(optimizer, params, 0)
    saved = optimizer.state_dict()
    state = saved["state"][0]
    assert isinstance(state["d"], minigrad.Tensor) and state["d"].shape == (10,)
    assert state["old_dirs"] and all(isinstance(y, minigrad.Tensor) for y in state["old_dirs"])
    other = optim.LBFGS([minigrad.tensor(np.ones(5), requires_grad=True)])  # 5 elements, not 10
    with pytest.raises(ValueError, match=r"state '\w+' of parameter 0: expected shape \(5,\), got \(10,\)"):
        other.load_state_dict({"state": {0: state}, "param_groups": [dict(saved["param_groups"][0], params=[0])]})


# --- argument checks -------------------------------------------------------------------------------------------
BAD_ARGUMENTS = [
    ("AdamW", dict(lr=-1e-3), "-0.001"),
    ("AdamW", dict(eps=-1e-8), "-1e-08"),
    ("AdamW", dict(betas=(1.0, 0.999)), "1.0"),
    ("AdamW", dict(betas=(0.9, -0.5)), "-0.5"),
    ("AdamW", dict(weight_decay=-0.01), "-0.01"),
    ("RMSprop", dict(lr=-0.01), "-0.01"),
    ("RMSprop", dict(alpha=-0.99), "-0.99"),
    ("RMSprop", dict(eps=-1.0), "-1.0"),
    ("RMSprop", dict(momentum=-0.9), "-0.9"),
    ("RMSprop", dict(weight_decay=-0.1), "-0.1"),
    ("Adadelta", dict(lr=-1.0), "-1.0"),
    ("Adadelta", dict(rho=1.5), "1.5"),
    ("Adadelta", dict(rho=-0.1), "-0.1"),
    ("Adadelta", dict(eps=-1e-6), "-1e-06"),
    ("Adadelta", dict(weight_decay=-0.2), "-0.2"),
    ("LBFGS", dict(lr=-1.0), "-1.0"),
]


@pytest.mark.parametrize("name, kwargs, value", BAD_ARGUMENTS, ids=lambda value: None if not isinstance(value, dict)
                         else ",".join(f"{key}={item}" for key, item in value.items()))
def test_bad_hyper_parameters_raise_torchs_error_naming_expected_and_got(name, kwargs, value):
    with pytest.raises(Exception) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(theirs.type) as ours:
        getattr(optim, name)([minigrad.zeros(2, requires_grad=True)], **kwargs)
    message = str(ours.value)
    assert message.startswith(f"{name}: expected") and message.endswith(f"got {value}"), message


@pytest.mark.parametrize("kwargs, value", [(dict(max_iter=0), "0"), (dict(max_eval=0), "0"),
                                           (dict(history_size=0), "0"), (dict(max_iter=2.5), "2.5")])
def test_lbfgs_refuses_counts_that_are_not_positive_ints(kwargs, value):
    with pytest.raises(ValueError, match=f"LBFGS: expected .* positive int, got {value}"):
        optim.LBFGS([minigrad.zeros(2, requires_grad=True)], **kwargs)


def test_lbfgs_refuses_an_unknown_line_search_with_torchs_error_type():
    x = torch.zeros(2, requires_grad=True)
    torch_optimizer = torch.optim.LBFGS([x], line_search_fn="armijo")
    with pytest.raises(RuntimeError):  # torch refuses it at the first step
        torch_optimizer.step(closure_for(torch_optimizer, lambda ps: ((ps[0] - 1) ** 2).sum(), [x]))
    with pytest.raises(RuntimeError, match="LBFGS: expected line_search_fn None or 'strong_wolfe', got 'armijo'"):
        optim.LBFGS([minigrad.zeros(2, requires_grad=True)], line_search_fn="armijo")


def test_lbfgs_refuses_parameter_groups_as_torch_does():
    def groups(lib):
        return [{"params": [lib.zeros(2, requires_grad=True)]}, {"params": [lib.zeros(2, requires_grad=True)]}]
    with pytest.raises(ValueError):
        torch.optim.LBFGS(groups(torch))
    with pytest.raises(ValueError, match="LBFGS: expected one parameter group .*got 2"):
        optim.LBFGS(groups(minigrad))


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adadelta"])
def test_implementation_choices_are_accepted_and_change_nothing(name):
    ours, theirs = twin_parameters(np.random.default_rng(4))
    choice = dict(fused=True) if name.startswith("Adam") else dict(foreach=True)
    our_optimizer = getattr(optim, name)(ours, capturable=False, differentiable=False, **choice)
    their_optimizer = getattr(torch.optim, name)(theirs)  # torch's default implementation
    grads = [np.full(shape, 0.5) for shape in SHAPES]
    set_gradients(ours, grads, minigrad.tensor)
    set_gradients(theirs, grads, torch.tensor)
    our_optimizer.step()
    their_optimizer.step()
    for mine, other in zip(ours, theirs):
        np.testing.assert_allclose(host(mine), other.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ["AdamW", "RMSprop", "Adadelta"])
@pytest.mark.parametrize("flag", ["capturable", "differentiable"])
def test_graph_flags_are_refused(name, flag):
    with pytest.raises(NotImplementedError, match=f"{name}: expected {flag}=False, got True"):
        getattr(optim, name)([minigrad.zeros(2, requires_grad=True)], **{flag: True})


def test_fused_and_foreach_together_are_refused_as_torch_does():
    with pytest.raises(RuntimeError):
        torch.optim.AdamW([torch.zeros(2, requires_grad=True)], fused=True, foreach=True)
    with pytest.raises(RuntimeError, match="AdamW: expected at most one of fused and foreach"):
        optim.AdamW([minigrad.zeros(2, requires_grad=True)], fused=True, foreach=True)


# --- a step is an in-place change ------------------------------------------------------------------------------
OPTIMIZERS = {
    "AdamW": lambda params: optim.AdamW(params),
    "RMSprop": lambda params: optim.RMSprop(params),
    "Adadelta": lambda params: optim.Adadelta(params),
    "LBFGS": lambda params: optim.LBFGS(params, max_iter=2),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_graph_that_saved_the_parameter_refuses_backward_after_a_step(name):
    w = minigrad.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    x = minigrad.tensor(np.array([0.5, 0.25, -1.0]))
    y = (w * x).sum()  # saves w for its backward
    optimizer = OPTIMIZERS[name]([w])
    if name == "LBFGS":
        optimizer.step(closure_for(optimizer, lambda ps: ((ps[0] - 1) ** 2).sum(), [w]))
    else:
        w.grad = minigrad.tensor(np.array([0.1, 0.2, 0.3]))
        optimizer.step()
    with pytest.raises(RuntimeError, match="inplace operation"):
        y.backward()
