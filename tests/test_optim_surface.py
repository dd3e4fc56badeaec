"""The rest of torch.optim's surface, against torch as the oracle: the optimisers Adamax, NAdam, RAdam, Rprop and
ASGD (the same parameters after every step, the same state, a state_dict that round-trips, torch's defaults and
error types) and the schedulers ConstantLR, LinearLR, MultiplicativeLR, PolynomialLR, CosineAnnealingWarmRestarts,
CyclicLR, OneCycleLR, SequentialLR and ChainedScheduler (the same learning rates, and momenta where they cycle,
at every step; state_dicts that resume a schedule; torch's errors)."""

import numpy as np
import pytest

import minigrad
from conftest import host
from minigrad import optim

torch = pytest.importorskip("torch")

# --- optimisers --------------------------------------------------------------------------------------------
STEPS = 12  # RAdam's rectification switches on at its sixth step with the default betas
SHAPES = [(3, 2), (4,)]

OPTIMIZER_CASES = {
    "adamax": ("Adamax", {}),
    "adamax-all": ("Adamax", dict(lr=0.05, betas=(0.3, 0.8), eps=1e-3, weight_decay=0.1)),
    "adamax-maximize": ("Adamax", dict(lr=0.05, maximize=True, foreach=False)),
    "nadam": ("NAdam", {}),
    "nadam-l2": ("NAdam", dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    "nadam-decoupled": ("NAdam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.2, decoupled_weight_decay=True)),
    "nadam-maximize": ("NAdam", dict(lr=0.05, maximize=True)),
    "radam": ("RAdam", {}),
    "radam-never-rectified": ("RAdam", dict(lr=0.05, betas=(0.9, 0.9999))),  # ρₜ stays below 5 in 12 steps
    "radam-early-switch": ("RAdam", dict(lr=0.05, betas=(0.5, 0.7), eps=1e-3)),  # ρ∞ ≈ 5.7: the switch at step 3
    "radam-l2": ("RAdam", dict(lr=0.05, weight_decay=0.1)),
    "radam-decoupled": ("RAdam", dict(lr=0.05, weight_decay=0.2, decoupled_weight_decay=True, maximize=True)),
    "rprop": ("Rprop", {}),
    "rprop-all": ("Rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(0.02, 0.3))),
    "rprop-maximize": ("Rprop", dict(lr=0.05, maximize=True)),
    "asgd": ("ASGD", {}),
    "asgd-averaging": ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.1)),
    "asgd-averaging-from-start": ("ASGD", dict(lr=0.02, t0=0.0, maximize=True)),
}
OPTIMIZERS = ["Adamax", "NAdam", "RAdam", "Rprop", "ASGD"]


def bowl(rng):
    """∇ of ½ Σ h·(w - c)² for each parameter shape: the pull of a fixed, badly scaled bowl. Its gradients change
    sign along the way, which Rprop's step sizes react to."""
    bowls = [(rng.uniform(0.1, 10.0, shape), rng.standard_normal(shape)) for shape in SHAPES]
    return lambda weights: [h * (w - c) for w, (h, c) in zip(weights, bowls)]


def twins(seed=0):
    """The same starting parameters (float64) in minigrad and torch, and the bowl's gradient."""
    rng = np.random.default_rng(seed)
    gradient_at = bowl(rng)
    start = [rng.standard_normal(shape) for shape in SHAPES]
    return ([minigrad.tensor(w, requires_grad=True) for w in start],
            [torch.tensor(w, requires_grad=True) for w in start], gradient_at)


def groups_of(params, grouped):
    """The parameters as one group, or as two with the first group's own lr (param_groups' overrides)."""
    return [{"params": params[:1], "lr": 0.02}, {"params": params[1:]}] if grouped else params


def run_steps(optimizer, params, gradient_at, steps, make):
    """``steps`` updates with the bowl's gradient at the current parameters; the parameters after each step."""
    seen = []
    for _ in range(steps):
        for p, g in zip(params, gradient_at([np.array(host_of(p)) for p in params])):
            p.grad = make(g)
        optimizer.step()
        seen.append([np.array(host_of(p)) for p in params])
    return seen


def host_of(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else host(t)


def state_as_numbers(value):
    """A state entry as a comparable host value: arrays and tensors as float64 arrays, numbers as floats."""
    if isinstance(value, (torch.Tensor, minigrad.Tensor)):
        return np.asarray(host_of(value), dtype=np.float64)
    return float(value)


@pytest.mark.parametrize("grouped", [False, True], ids=["one group", "two groups"])
@pytest.mark.parametrize("case", OPTIMIZER_CASES)
def test_optimizer_matches_torch_step_by_step(case, grouped):
    name, kwargs = OPTIMIZER_CASES[case]
    ours, theirs, gradient_at = twins()
    our_optimizer = getattr(optim, name)(groups_of(ours, grouped), **kwargs)
    their_optimizer = getattr(torch.optim, name)(groups_of(theirs, grouped), **kwargs)
    our_steps = run_steps(our_optimizer, ours, gradient_at, STEPS, minigrad.tensor)
    their_steps = run_steps(their_optimizer, theirs, gradient_at, STEPS, torch.tensor)
    for step, (mine, other) in enumerate(zip(our_steps, their_steps)):
        for i, (a, b) in enumerate(zip(mine, other)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"parameter {i}, step {step}")
    # the same state under the same names: buffers, the step count and the per-parameter scalars
    our_state, their_state = our_optimizer.state_dict()["state"], their_optimizer.state_dict()["state"]
    for i in their_state:
        assert set(our_state[i]) == set(their_state[i])
        for key, value in their_state[i].items():
            np.testing.assert_allclose(state_as_numbers(our_state[i][key]), state_as_numbers(value), rtol=1e-12,
                                       atol=1e-14, err_msg=f"state {key!r} of parameter {i}")


@pytest.mark.parametrize("name", ["NAdam", "ASGD"])
def test_scalar_state_follows_the_default_dtype_as_torch(name):
    """torch keeps NAdam's mu_product and ASGD's eta and mu in 0-d tensors of float64 when that is the default
    dtype (float32 otherwise, as in the test above): the steps then change in their eighth digit."""
    kwargs = dict(t0=2) if name == "ASGD" else {}
    previous = minigrad.get_default_dtype(), torch.get_default_dtype()
    minigrad.set_default_dtype(minigrad.float64)
    torch.set_default_dtype(torch.float64)
    try:
        ours, theirs, gradient_at = twins()
        our_steps = run_steps(getattr(optim, name)(ours, **kwargs), ours, gradient_at, STEPS, minigrad.tensor)
        their_steps = run_steps(getattr(torch.optim, name)(theirs, **kwargs), theirs, gradient_at, STEPS,
                                torch.tensor)
    finally:
        minigrad.set_default_dtype(previous[0])
        torch.set_default_dtype(previous[1])
    np.testing.assert_allclose(np.concatenate([a.ravel() for a in our_steps[-1]]),
                               np.concatenate([b.ravel() for b in their_steps[-1]]), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", ["adamax-all", "nadam-decoupled", "radam", "rprop-all", "asgd-averaging"])
def test_state_dict_round_trip_resumes_the_same_steps(case):
    """Six steps, a new optimizer loaded from the state_dict, six more: the same as twelve uninterrupted steps
    (NAdam's mu_product, ASGD's eta and mu, Rprop's step sizes all come back)."""
    name, kwargs = OPTIMIZER_CASES[case]
    params, _, gradient_at = twins()
    whole = run_steps(getattr(optim, name)(params, **kwargs), params, gradient_at, STEPS, minigrad.tensor)

    params, _, gradient_at = twins()
    first = getattr(optim, name)(params, **kwargs)
    run_steps(first, params, gradient_at, STEPS // 2, minigrad.tensor)
    second = getattr(optim, name)(params, lr=1.0)  # the saved hyper-parameters replace these
    second.load_state_dict(first.state_dict())
    resumed = run_steps(second, params, gradient_at, STEPS // 2, minigrad.tensor)
    for mine, other in zip(resumed, whole[STEPS // 2:]):
        for a, b in zip(mine, other):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_defaults_are_torchs(name):
    ours = getattr(optim, name)([minigrad.zeros(2, requires_grad=True)]).param_groups[0]
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).param_groups[0]
    assert ours.keys() - {"params"} <= theirs.keys()
    assert {key: value for key, value in ours.items() if key != "params"} == {
        key: theirs[key] for key in ours if key != "params"}


def test_optimizers_are_reachable_as_torch_optim_names():
    for name in OPTIMIZERS:
        assert getattr(minigrad.optim, name).__name__ == name and name in optim.__all__


OPTIMIZER_ERRORS = {
    "negative lr": ("Adamax", dict(lr=-1.0)),
    "lr as a string": ("NAdam", dict(lr="0.1")),
    "negative eps": ("RAdam", dict(eps=-1e-8)),
    "beta1 of 1": ("Adamax", dict(betas=(1.0, 0.999))),
    "negative beta2": ("RAdam", dict(betas=(0.9, -0.1))),
    "negative weight_decay": ("NAdam", dict(weight_decay=-0.1)),
    "negative momentum_decay": ("NAdam", dict(momentum_decay=-1.0)),
    "etaminus of 1": ("Rprop", dict(etas=(1.0, 1.2))),
    "etaplus below 1": ("Rprop", dict(etas=(0.5, 0.9))),
    "etaminus of 0": ("Rprop", dict(etas=(0.0, 1.2))),
    "negative Rprop lr": ("Rprop", dict(lr=-0.1)),
    "negative ASGD lr": ("ASGD", dict(lr=-0.1)),
    "negative ASGD weight_decay": ("ASGD", dict(weight_decay=-0.1)),
}


@pytest.mark.parametrize("case", OPTIMIZER_ERRORS)
def test_bad_arguments_raise_torchs_exception_types(case):
    name, kwargs = OPTIMIZER_ERRORS[case]
    with pytest.raises(Exception) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(theirs.type) as ours:
        getattr(optim, name)([minigrad.zeros(2, requires_grad=True)], **kwargs)
    assert "expected" in str(ours.value) and name in str(ours.value)


@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam", "Rprop", "ASGD"])
def test_implementation_flags_are_accepted_as_torchs(name):
    """``foreach`` changes nothing; ``capturable`` and ``differentiable`` are refused when True (as elsewhere in
    minigrad.optim, whose steps run outside the graph)."""
    params = [minigrad.zeros(2, requires_grad=True)]
    getattr(optim, name)(params, foreach=True, capturable=False, differentiable=False)
    with pytest.raises(NotImplementedError, match="capturable"):
        getattr(optim, name)(params, capturable=True)


# --- schedulers ----------------------------------------------------------------------------------------------
SCHEDULER_STEPS = 40
GROUP_LRS = (0.1, 0.03)


def make_optimizer(lib, kind="SGD"):
    """Two parameter groups: SGD with momentum (cycled as ``momentum``) or Adam (cycled as β₁)."""
    groups = [{"params": [lib.zeros(2, requires_grad=True)], "lr": lr} for lr in GROUP_LRS]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=GROUP_LRS[0], momentum=0.9)
    return lib.optim.Adam(groups, lr=GROUP_LRS[0])


def momenta(optimizer):
    return [group["momentum"] if "momentum" in group else group["betas"][0] for group in optimizer.param_groups]


def schedule_of(lib, make, kind="SGD", steps=SCHEDULER_STEPS, step=lambda scheduler, i: scheduler.step()):
    """The learning rates and momenta after construction and after each of ``steps`` scheduler steps."""
    optimizer = make_optimizer(lib, kind)
    scheduler = make(lib.optim.lr_scheduler, optimizer)
    seen = [(scheduler.get_last_lr(), momenta(optimizer))]
    for i in range(steps):
        optimizer.step()
        step(scheduler, i)
        assert scheduler.get_last_lr() == [group["lr"] for group in optimizer.param_groups]
        seen.append((scheduler.get_last_lr(), momenta(optimizer)))
    return np.array(seen)


def assert_same_schedule(make, **kwargs):
    ours, theirs = schedule_of(minigrad, make, **kwargs), schedule_of(torch, make, **kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


class Halving:
    """A callable object (its attributes are saved in state_dicts, a lambda's are not)."""

    def __init__(self, factor):
        self.factor = factor

    def __call__(self, x):
        return self.factor ** x


# name -> how to build the scheduler from a lr_scheduler module and an optimizer (and last_epoch, to resume)
SCHEDULES = {
    "ConstantLR": lambda S, o, **kw: S.ConstantLR(o, **kw),
    "ConstantLR factor": lambda S, o, **kw: S.ConstantLR(o, factor=0.3, total_iters=7, **kw),
    "LinearLR": lambda S, o, **kw: S.LinearLR(o, **kw),
    "LinearLR decay": lambda S, o, **kw: S.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=25, **kw),
    "MultiplicativeLR": lambda S, o, **kw: S.MultiplicativeLR(o, lambda epoch: 0.95, **kw),
    "MultiplicativeLR per group": lambda S, o, **kw: S.MultiplicativeLR(
        o, [lambda epoch: 0.9 if epoch % 3 else 1.1, Halving(0.99)], **kw),
    "PolynomialLR": lambda S, o, **kw: S.PolynomialLR(o, **kw),
    "PolynomialLR power": lambda S, o, **kw: S.PolynomialLR(o, total_iters=30, power=2.5, **kw),
    "CosineAnnealingWarmRestarts": lambda S, o, **kw: S.CosineAnnealingWarmRestarts(o, T_0=7, **kw),
    "CosineAnnealingWarmRestarts T_mult": lambda S, o, **kw: S.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001, **kw),
    "CyclicLR triangular": lambda S, o, **kw: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4, **kw),
    "CyclicLR triangular2": lambda S, o, **kw: S.CyclicLR(o, base_lr=[0.01, 0.002], max_lr=[0.1, 0.05],
                                                          step_size_up=3, step_size_down=5, mode="triangular2",
                                                          base_momentum=0.7, max_momentum=0.95, **kw),
    "CyclicLR exp_range": lambda S, o, **kw: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5,
                                                        mode="exp_range", gamma=0.97, **kw),
    "CyclicLR scale_fn": lambda S, o, **kw: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2,
                                                       scale_fn=Halving(0.9), scale_mode="iterations", **kw),
    "CyclicLR no momentum": lambda S, o, **kw: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6,
                                                          cycle_momentum=False, **kw),
    "OneCycleLR cos": lambda S, o, **kw: S.OneCycleLR(o, max_lr=0.5, total_steps=SCHEDULER_STEPS, **kw),
    "OneCycleLR linear": lambda S, o, **kw: S.OneCycleLR(o, max_lr=[0.5, 0.2], epochs=8, steps_per_epoch=5,
                                                         anneal_strategy="linear", pct_start=0.25, div_factor=10.0,
                                                         final_div_factor=100.0, **kw),
    "OneCycleLR three_phase": lambda S, o, **kw: S.OneCycleLR(o, max_lr=0.5, total_steps=SCHEDULER_STEPS + 3,
                                                              three_phase=True, base_momentum=0.8,
                                                              max_momentum=0.9, **kw),
    "OneCycleLR no momentum": lambda S, o, **kw: S.OneCycleLR(o, max_lr=0.5, total_steps=SCHEDULER_STEPS,
                                                              cycle_momentum=False, **kw),
    "SequentialLR": lambda S, o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                                    S.ExponentialLR(o, gamma=0.9)], milestones=[5]),
    "SequentialLR three": lambda S, o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=3),
                                                          S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
                                                          S.MultiplicativeLR(o, lambda epoch: 0.97)],
                                                      milestones=[4, 20]),
    "SequentialLR of a chain": lambda S, o: S.SequentialLR(o, [
        S.ChainedScheduler([S.ExponentialLR(o, gamma=0.95), S.StepLR(o, step_size=4, gamma=0.5)]),
        S.ConstantLR(o, factor=0.2, total_iters=3)], milestones=[9]),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=4),
                                                         S.ExponentialLR(o, gamma=0.9)]),
    "ChainedScheduler warmup and decay": lambda S, o: S.ChainedScheduler(
        [S.LinearLR(o, start_factor=0.2, total_iters=6), S.PolynomialLR(o, total_iters=30, power=0.5)],
        optimizer=o),
}
CYCLING = [name for name in SCHEDULES if name.startswith(("CyclicLR", "OneCycleLR"))]


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_matches_torch(name):
    assert_same_schedule(SCHEDULES[name])


@pytest.mark.parametrize("name", CYCLING)
def test_cycled_beta1_matches_torch(name):
    """With Adam the momentum that cycles is β₁, the first of ``betas``."""
    assert_same_schedule(SCHEDULES[name], kind="Adam")


def test_warm_restarts_take_fractional_epochs_as_torch():
    """``step(epoch + i / iters)`` within epochs, as SGDR is stepped per batch, through several restarts."""
    epochs = [e + i / 4 for e in range(15) for i in range(4)] + [2.5, 0.0, 40.25, 7]

    def jump(scheduler, i):
        scheduler.step(epochs[i])

    for make in (SCHEDULES["CosineAnnealingWarmRestarts"], SCHEDULES["CosineAnnealingWarmRestarts T_mult"]):
        assert_same_schedule(make, steps=len(epochs), step=jump)


@pytest.mark.parametrize("name", ["ConstantLR factor", "LinearLR decay", "PolynomialLR power"])
def test_step_with_epoch_uses_the_closed_form_as_torch(name):
    epochs = [3, 4, 9, 2, 35, 16, 0, 7]

    def jump(scheduler, i):
        with pytest.warns(UserWarning, match="epoch parameter"):
            scheduler.step(epochs[i])

    assert_same_schedule(SCHEDULES[name], steps=len(epochs), step=jump)


@pytest.mark.parametrize("name", ["ConstantLR factor", "LinearLR decay", "MultiplicativeLR", "PolynomialLR power",
                                  "CosineAnnealingWarmRestarts T_mult", "CyclicLR triangular2"])
def test_resuming_with_last_epoch_matches_torch(name):
    def resumed(S, optimizer):
        earlier = SCHEDULES[name](S, optimizer)
        for _ in range(12):
            optimizer.step()
            earlier.step()
        return SCHEDULES[name](S, optimizer, last_epoch=earlier.last_epoch)

    assert_same_schedule(resumed, steps=20)


@pytest.mark.parametrize("name", SCHEDULES)
def test_state_dict_round_trip(name):
    """Stop after 13 steps, rebuild optimizer and scheduler, load both state_dicts, go on: the same rates and
    momenta as an uninterrupted run."""
    make = SCHEDULES[name]
    whole = schedule_of(minigrad, make)

    optimizer = make_optimizer(minigrad)
    scheduler = make(minigrad.optim.lr_scheduler, optimizer)
    for _ in range(13):
        scheduler.step()
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()

    optimizer = make_optimizer(minigrad)
    scheduler = make(minigrad.optim.lr_scheduler, optimizer)
    optimizer.load_state_dict(saved_optimizer)
    scheduler.load_state_dict(saved_scheduler)
    resumed = [(scheduler.get_last_lr(), momenta(optimizer))]
    for _ in range(SCHEDULER_STEPS - 13):
        scheduler.step()
        resumed.append((scheduler.get_last_lr(), momenta(optimizer)))
    np.testing.assert_array_equal(np.array(resumed), whole[13:])


@pytest.mark.parametrize("name", SCHEDULES)
def test_state_dict_holds_torchs_entries(name):
    """The same names as torch's state_dict (torch's warning bookkeeping aside), also for the schedulers inside."""
    ours = SCHEDULES[name](minigrad.optim.lr_scheduler, make_optimizer(minigrad)).state_dict()
    theirs = SCHEDULES[name](torch.optim.lr_scheduler, make_optimizer(torch)).state_dict()

    def names(state):
        inner = [names(s) for s in state.get("_schedulers", [])]
        return set(state) - {"_get_lr_called_within_step", "_step_count"}, inner

    assert names(ours) == names(theirs)


def test_callable_objects_in_state_dicts_are_saved_by_their_attributes():
    optimizer = make_optimizer(minigrad)
    scale = Halving(0.9)
    S = minigrad.optim.lr_scheduler
    cyclic = S.CyclicLR(optimizer, 0.01, 0.1, scale_fn=scale)
    state = cyclic.state_dict()
    assert state["_scale_fn_custom"] == {"factor": 0.9}
    state["_scale_fn_custom"] = {"factor": 0.5}
    cyclic.load_state_dict(state)
    assert scale.factor == 0.5 and state["_scale_fn_custom"] == {"factor": 0.5}
    multiplicative = S.MultiplicativeLR(optimizer, [lambda epoch: 1.0, Halving(0.8)])
    assert multiplicative.state_dict()["lr_lambdas"] == [None, {"factor": 0.8}]


def test_one_cycle_refuses_to_step_past_total_steps_as_torch():
    for lib in (torch, minigrad):
        optimizer = make_optimizer(lib)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=3)
        for _ in range(3):
            optimizer.step()
            scheduler.step()
        with pytest.raises(ValueError, match="total_steps" if lib is minigrad else "total steps"):
            scheduler.step()


def adagrad_like(optimizer):
    """Another optimizer, without momentum or betas, of the same library as ``optimizer``."""
    lib = torch if isinstance(optimizer, torch.optim.Optimizer) else minigrad
    return lib.optim.Adagrad([lib.zeros(2, requires_grad=True)])


SCHEDULER_ERRORS = {
    "ConstantLR factor above 1": lambda S, o: S.ConstantLR(o, factor=1.5),
    "LinearLR start_factor 0": lambda S, o: S.LinearLR(o, start_factor=0.0),
    "LinearLR end_factor above 1": lambda S, o: S.LinearLR(o, end_factor=2.0),
    "MultiplicativeLR not callable": lambda S, o: S.MultiplicativeLR(o, 0.9),
    "MultiplicativeLR too few": lambda S, o: S.MultiplicativeLR(o, [lambda epoch: 0.9]),
    "warm restarts T_0 of 0": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=0),
    "warm restarts float T_0": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2.5),
    "warm restarts T_mult of 0": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    "warm restarts eta_min as a string": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
    "warm restarts negative epoch": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2).step(-1),
    "CyclicLR unknown mode": lambda S, o: S.CyclicLR(o, 0.01, 0.1, mode="sawtooth"),
    "CyclicLR too few max_lr": lambda S, o: S.CyclicLR(o, 0.01, [0.1]),
    "CyclicLR not an optimizer": lambda S, o: S.CyclicLR(None, 0.01, 0.1),
    "CyclicLR momentum without momentum": lambda S, o: S.CyclicLR(adagrad_like(o), 0.01, 0.1),
    "OneCycleLR no length": lambda S, o: S.OneCycleLR(o, max_lr=0.1),
    "OneCycleLR total_steps 0": lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=0),
    "OneCycleLR epochs 0": lambda S, o: S.OneCycleLR(o, max_lr=0.1, epochs=0, steps_per_epoch=3),
    "OneCycleLR pct_start above 1": lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=5, pct_start=1.5),
    "OneCycleLR pct_start an int": lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=5, pct_start=0),
    "OneCycleLR unknown anneal": lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=5, anneal_strategy="exp"),
    "SequentialLR no schedulers": lambda S, o: S.SequentialLR(o, [], milestones=[]),
    "SequentialLR milestones": lambda S, o: S.SequentialLR(o, [S.ConstantLR(o), S.ConstantLR(o)], milestones=[]),
    "SequentialLR with plateau": lambda S, o: S.SequentialLR(o, [S.ReduceLROnPlateau(o)], milestones=[]),
    "SequentialLR not a scheduler": lambda S, o: S.SequentialLR(o, [o], milestones=[]),
    "SequentialLR another optimizer": lambda S, o: S.SequentialLR(o, [S.ConstantLR(adagrad_like(o))], []),
    "ChainedScheduler no schedulers": lambda S, o: S.ChainedScheduler([]),
    "ChainedScheduler with plateau": lambda S, o: S.ChainedScheduler([S.ConstantLR(o), S.ReduceLROnPlateau(o)]),
    "ChainedScheduler two optimizers": lambda S, o: S.ChainedScheduler([S.ConstantLR(o),
                                                                        S.ConstantLR(adagrad_like(o))]),
}


@pytest.mark.parametrize("name", SCHEDULER_ERRORS)
def test_scheduler_errors_match_torch(name):
    make = SCHEDULER_ERRORS[name]
    with pytest.raises(Exception) as theirs:
        make(torch.optim.lr_scheduler, make_optimizer(torch))
    with pytest.raises(theirs.type) as ours:
        make(minigrad.optim.lr_scheduler, make_optimizer(minigrad))
    assert "expected" in str(ours.value)
