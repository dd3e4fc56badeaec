"""minigrad.optim.lr_scheduler against torch.optim.lr_scheduler: the same learning rates at every step (exactly:
both compute with the same Python float recursion), the same state, the same errors."""

import math
import warnings

import pytest

import minigrad
from minigrad.optim import lr_scheduler

torch = pytest.importorskip("torch")

STEPS = 30
GROUP_LRS = (0.1, 0.03)  # two parameter groups, so that per-group lists are exercised


def make_optimizer(lib):
    """An SGD with two parameter groups, in minigrad or torch."""
    groups = [{"params": [lib.zeros(2, requires_grad=True)], "lr": lr} for lr in GROUP_LRS]
    return lib.optim.SGD(groups, lr=GROUP_LRS[0], momentum=0.9)


def same_as_torch(run, *args, **kwargs) -> bool:
    """Whether ``run(lib, ...)`` gives the same for minigrad and torch."""
    return run(minigrad, *args, **kwargs) == run(torch, *args, **kwargs)


def schedule_of(lib, make, steps=STEPS, step=lambda scheduler, i: scheduler.step()):
    """The learning rates after construction and after each of ``steps`` scheduler steps, as torch programs
    call them (optimizer.step() first, then scheduler.step())."""
    optimizer = make_optimizer(lib)
    scheduler = make(lib.optim.lr_scheduler, optimizer)
    seen = [scheduler.get_last_lr()]
    for i in range(steps):
        optimizer.step()
        step(scheduler, i)
        assert scheduler.get_last_lr() == [group["lr"] for group in optimizer.param_groups]
        seen.append(scheduler.get_last_lr())
    return seen


class Warmup:
    """A callable object as lr_lambda: its attributes are saved by LambdaLR's state_dict."""

    def __init__(self, epochs):
        self.epochs = epochs

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.epochs)


# name -> how to build the scheduler from a lr_scheduler module and an optimizer (and last_epoch, to resume)
SCHEDULES = {
    "StepLR": lambda S, o, **kw: S.StepLR(o, step_size=3, gamma=0.5, **kw),
    "StepLR every epoch": lambda S, o, **kw: S.StepLR(o, step_size=1, **kw),
    "MultiStepLR": lambda S, o, **kw: S.MultiStepLR(o, milestones=[2, 5, 5, 15], gamma=0.3, **kw),
    "MultiStepLR at 0": lambda S, o, **kw: S.MultiStepLR(o, milestones=[0, 4], **kw),
    "ExponentialLR": lambda S, o, **kw: S.ExponentialLR(o, gamma=0.9, **kw),
    "LambdaLR": lambda S, o, **kw: S.LambdaLR(o, lr_lambda=lambda epoch: 1 / (epoch + 1), **kw),
    "LambdaLR per group": lambda S, o, **kw: S.LambdaLR(o, [lambda epoch: 0.95 ** epoch, Warmup(5)], **kw),
    "CosineAnnealingLR": lambda S, o, **kw: S.CosineAnnealingLR(o, T_max=10, **kw),  # 30 steps: down, up, down
    "CosineAnnealingLR eta_min": lambda S, o, **kw: S.CosineAnnealingLR(o, T_max=7, eta_min=0.01, **kw),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_matches_torch(name):
    assert same_as_torch(schedule_of, SCHEDULES[name])


def test_cosine_follows_its_closed_form():
    """The recursion stays on lr_t = eta_min + (lr_0 - eta_min)(1 + cos(π t / T)) / 2, through the restarts."""
    seen = schedule_of(minigrad, lambda S, o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01))
    for t, lrs in enumerate(seen):
        for lr, lr0 in zip(lrs, GROUP_LRS):
            assert lr == pytest.approx(0.01 + (lr0 - 0.01) * (1 + math.cos(math.pi * t / 10)) / 2, rel=1e-9, abs=1e-15)


def test_chained_schedulers_match_torch():
    """Two schedulers on one optimizer: each scales the rate the other left, which only a recursion keeps."""
    def both(S, optimizer):
        first, second = S.StepLR(optimizer, step_size=4, gamma=0.5), S.ExponentialLR(optimizer, gamma=0.95)

        class Both:
            def step(self):
                first.step()
                second.step()

            def get_last_lr(self):
                return second.get_last_lr()
        return Both()

    assert same_as_torch(schedule_of, both)


@pytest.mark.parametrize("fresh_lr", [False, True], ids=["lr kept", "lr back at initial_lr"])
@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "LambdaLR", "CosineAnnealingLR"])
def test_resuming_with_last_epoch_matches_torch(name, fresh_lr):
    """A second scheduler built with last_epoch=k on an optimizer that holds initial_lr carries on from k + 1,
    whether the groups kept the last rate or hold their initial rate again (a rebuilt optimizer)."""
    def resumed(S, optimizer):
        earlier = SCHEDULES[name](S, optimizer)
        for _ in range(12):
            optimizer.step()
            earlier.step()
        if fresh_lr:
            for group in optimizer.param_groups:
                group["lr"] = group["initial_lr"]
        return SCHEDULES[name](S, optimizer, last_epoch=earlier.last_epoch)

    assert same_as_torch(schedule_of, resumed, steps=15)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR"])
def test_step_with_epoch_uses_the_closed_form_as_torch(name):
    epochs = [3, 4, 9, 2, 15, 16, 0]

    def jump(scheduler, i):
        with pytest.warns(UserWarning, match="epoch parameter"):
            scheduler.step(epochs[i])

    assert same_as_torch(schedule_of, SCHEDULES[name], steps=len(epochs), step=jump)


# --- ReduceLROnPlateau -------------------------------------------------------------------------------------
# Improves, stalls (with changes under the threshold), drops, stalls again, rises: reductions, cooldowns and
# the floor min_lr all happen within the sequence.
LOSSES = [1.0, 0.9, 0.9, 0.89995, 0.95, 0.91, 0.92, 0.8, 0.85, 0.86, 0.87, 0.88, 0.5, 0.5, 0.6, 0.7, 0.7, 0.8, 0.9,
          0.49, 0.48, 0.48, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2]

PLATEAUS = {
    "min rel": dict(factor=0.5, patience=2, cooldown=2, min_lr=0.01),
    "min abs": dict(factor=0.3, patience=1, cooldown=0, threshold=0.05, threshold_mode="abs"),
    "max rel": dict(mode="max", factor=0.7, patience=3, cooldown=1),
    "max abs, min_lr per group": dict(mode="max", factor=0.5, patience=0, threshold=0.01, threshold_mode="abs",
                                      min_lr=[0.02, 0.001]),
    "eps skips tiny updates": dict(factor=0.9, patience=0, min_lr=0.099999995, eps=1e-7),
    "defaults": dict(),
}


def plateau_run(lib, kwargs):
    optimizer = make_optimizer(lib)
    scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)
    seen = []
    for loss in LOSSES:
        optimizer.step()
        scheduler.step(lib.tensor(loss))  # a one-element tensor, as programs pass their validation loss
        seen.append((scheduler.get_last_lr(), scheduler.best, scheduler.num_bad_epochs, scheduler.cooldown_counter,
                     scheduler.last_epoch))
    return seen


@pytest.mark.parametrize("name", PLATEAUS)
def test_reduce_on_plateau_matches_torch(name):
    assert same_as_torch(plateau_run, PLATEAUS[name])


def test_reduce_on_plateau_reduces_after_patience_and_waits_out_the_cooldown():
    """Read off by hand: patience 1, cooldown 2, factor 0.5 on a flat metric."""
    optimizer = make_optimizer(minigrad)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1, cooldown=2)
    lrs = []
    for _ in range(8):
        scheduler.step(1.0)
        lrs.append(scheduler.get_last_lr()[0])
    # epoch 1 sets the best; 2 and 3 are bad -> reduce at 3; 4 and 5 cool down; 6 and 7 bad -> reduce at 7
    assert lrs == [0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025]


# --- state ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "LambdaLR per group", "CosineAnnealingLR eta_min"])
def test_state_dict_round_trip(name):
    """Stop after 9 steps, rebuild optimizer and scheduler from their state_dicts, go on: the same rates as an
    uninterrupted run."""
    make = SCHEDULES[name]
    whole = schedule_of(minigrad, make)

    optimizer = make_optimizer(minigrad)
    scheduler = make(lr_scheduler, optimizer)
    for _ in range(9):
        scheduler.step()
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()

    optimizer = make_optimizer(minigrad)
    scheduler = make(lr_scheduler, optimizer)
    optimizer.load_state_dict(saved_optimizer)
    scheduler.load_state_dict(saved_scheduler)
    resumed = [scheduler.get_last_lr()]
    for _ in range(STEPS - 9):
        scheduler.step()
        resumed.append(scheduler.get_last_lr())
    assert resumed == whole[9:]


def test_state_dict_holds_torchs_entries_and_loads_torchs_state():
    ours_optimizer, theirs_optimizer = make_optimizer(minigrad), make_optimizer(torch)
    ours = lr_scheduler.CosineAnnealingLR(ours_optimizer, T_max=6)
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(theirs_optimizer, T_max=6)
    for _ in range(4):
        theirs_optimizer.step()
        theirs.step()
    # torch's extra entries serve its warnings about call order, which minigrad leaves out
    assert set(theirs.state_dict()) - set(ours.state_dict()) == {"_get_lr_called_within_step", "_step_count"}
    assert set(ours.state_dict()) <= set(theirs.state_dict())

    ours.load_state_dict(theirs.state_dict())
    for group, theirs_group in zip(ours_optimizer.param_groups, theirs_optimizer.param_groups):
        group["lr"] = theirs_group["lr"]
    for _ in range(10):
        theirs_optimizer.step()
        theirs.step()
        ours.step()
        assert ours.get_last_lr() == theirs.get_last_lr()


def test_lambda_state_dict_saves_callable_objects_only():
    optimizer = make_optimizer(minigrad)
    warmup = Warmup(5)
    scheduler = lr_scheduler.LambdaLR(optimizer, [lambda epoch: 1.0, warmup])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [None, {"epochs": 5}]
    state["lr_lambdas"] = [None, {"epochs": 8}]
    scheduler.load_state_dict(state)
    assert warmup.epochs == 8 and state["lr_lambdas"] == [None, {"epochs": 8}]


def test_plateau_state_dict_round_trip():
    kwargs = PLATEAUS["min rel"]
    optimizer = make_optimizer(minigrad)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)
    for loss in LOSSES[:10]:
        scheduler.step(loss)
    saved = scheduler.state_dict()
    copy = lr_scheduler.ReduceLROnPlateau(make_optimizer(minigrad), mode="max")  # mode comes back from the state
    copy.load_state_dict(saved)
    copy.optimizer.load_state_dict(optimizer.state_dict())
    for loss in LOSSES[10:]:
        scheduler.step(loss)
        copy.step(loss)
        assert copy.get_last_lr() == scheduler.get_last_lr() and copy.best == scheduler.best


def test_construction_records_initial_lr_and_base_lrs():
    optimizer = make_optimizer(minigrad)
    scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
    assert [g["initial_lr"] for g in optimizer.param_groups] == list(GROUP_LRS) == scheduler.base_lrs
    assert scheduler.last_epoch == 0 and isinstance(scheduler, lr_scheduler.LRScheduler)
    optimizer.param_groups[0]["lr"] = 1.0  # a later scheduler keeps the recorded initial_lr
    assert lr_scheduler.StepLR(optimizer, 2).base_lrs == list(GROUP_LRS)


def test_import_minigrad_reaches_lr_scheduler():
    assert minigrad.optim.lr_scheduler.StepLR is lr_scheduler.StepLR


# --- errors ------------------------------------------------------------------------------------------------
def add_group_with_min_lr_list(S, optimizer, lib):
    scheduler = S.ReduceLROnPlateau(optimizer, patience=0, min_lr=[0.0, 0.0])
    optimizer.param_groups.append({**optimizer.param_groups[0], "params": [lib.zeros(1, requires_grad=True)]})
    scheduler.step(1.0)
    scheduler.step(2.0)


ERRORS = {
    "not an optimizer": (lambda S, o, lib: S.StepLR(object(), step_size=2), "got object"),
    "plateau not an optimizer": (lambda S, o, lib: S.ReduceLROnPlateau([1, 2]), "got list"),
    "too few lambdas": (lambda S, o, lib: S.LambdaLR(o, [lambda e: 1.0]), "got 1"),
    "resume without initial_lr": (lambda S, o, lib: S.ExponentialLR(o, gamma=0.9, last_epoch=3), "param_groups[0]"),
    "factor 1": (lambda S, o, lib: S.ReduceLROnPlateau(o, factor=1.0), "got 1.0"),
    "unknown mode": (lambda S, o, lib: S.ReduceLROnPlateau(o, mode="avg"), "got 'avg'"),
    "unknown threshold mode": (lambda S, o, lib: S.ReduceLROnPlateau(o, threshold_mode="pct"), "got 'pct'"),
    "min_lr list of wrong length": (lambda S, o, lib: S.ReduceLROnPlateau(o, min_lr=[0.1]), "got 1"),
    "group added after min_lr list": (lambda S, o, lib: add_group_with_min_lr_list(S, o, lib), "got 3"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    make, got = ERRORS[name]
    with pytest.raises(Exception) as theirs:
        make(torch.optim.lr_scheduler, make_optimizer(torch), torch)
    with pytest.raises(theirs.type) as ours:
        make(lr_scheduler, make_optimizer(minigrad), minigrad)
    assert "expected" in str(ours.value) and got in str(ours.value)


@pytest.mark.parametrize("make", [lambda o: lr_scheduler.StepLR(o, step_size=0),
                                  lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0)])
def test_zero_periods_are_refused_at_construction(make):
    """torch accepts them and divides by zero at a later step(); minigrad says so when the scheduler is made."""
    with pytest.raises(ValueError, match="expected (step_size|T_max) > 0, got 0"):
        make(make_optimizer(minigrad))


def test_no_warning_in_the_usual_loop():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schedule_of(minigrad, SCHEDULES["StepLR"])
