"""The schedules that go up and down: cosine annealing with warm restarts, cyclic and one-cycle rates (and
momenta), and the schedules made of others (one after another, or all at once)."""

from __future__ import annotations

import math
from bisect import bisect_right

from ..optimizer import Optimizer
from .schedules import LRScheduler, ReduceLROnPlateau, _check_optimizer, _per_group, _saved_attributes


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing from initial_lr to ``eta_min`` over a period of T_i epochs, then a restart at initial_lr
    (SGDR, Loshchilov & Hutter, 2017); the first period is ``T_0``, each next one ``T_mult`` times longer:

        lr = eta_min + (initial_lr - eta_min) · (1 + cos(π T_cur / T_i)) / 2,  T_cur the epochs since the restart

    ``step(epoch)`` takes a fractional epoch (``scheduler.step(epoch + i / iters)`` within an epoch), without
    torch's deprecation warning, since this schedule is meant to be stepped so.
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1):
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected T_0 to be a positive int, got {T_0!r}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected T_mult to be an int >= 1, got {T_mult!r}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"CosineAnnealingWarmRestarts: expected eta_min to be a float or an int, got "
                             f"{type(eta_min).__name__} ({eta_min!r})")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (a float is allowed): find its period and the place in it."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        elif epoch < 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected a non-negative epoch, got {epoch}")
        elif epoch < self.T_0:
            self.T_i = self.T_0
            self.T_cur = epoch
        elif self.T_mult == 1:
            self.T_cur = epoch % self.T_0
        else:
            # periods T_0, T_0·m, T_0·m², ...: n whole periods end at epoch T_0 (mⁿ - 1) / (m - 1)
            n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
            self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
            self.T_i = self.T_0 * self.T_mult ** n
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


def _cycle_momentum(scheduler: LRScheduler, optimizer: Optimizer, base_momentum, max_momentum,
                    last_epoch: int) -> tuple:
    """Prepare a schedule that cycles the momentum against the learning rate (CyclicLR, OneCycleLR): it cycles
    ``momentum`` (SGD, RMSprop) or β₁, the first of ``betas`` (Adam and its family). A fresh schedule starts every
    group at its max_momentum and records both ends in the group. Returns the per-group (base, max) momenta."""
    owner = type(scheduler).__name__
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{owner}: with cycle_momentum, expected an optimizer with momentum or betas, got "
                         f"{type(optimizer).__name__}")
    scheduler.use_beta1 = "betas" in optimizer.defaults
    base_momentums = _per_group(base_momentum, "base_momentum", optimizer, owner)
    max_momentums = _per_group(max_momentum, "max_momentum", optimizer, owner)
    if last_epoch == -1:
        for group, base, top in zip(optimizer.param_groups, base_momentums, max_momentums, strict=True):
            _set_momentum(scheduler, group, top)
            group["max_momentum"] = top
            group["base_momentum"] = base
    return base_momentums, max_momentums


def _set_momentum(scheduler: LRScheduler, group: dict, momentum: float) -> None:
    if scheduler.use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class CyclicLR(LRScheduler):
    """The learning rate cycles between ``base_lr`` and ``max_lr`` (Smith, 2017), linearly up for
    ``step_size_up`` steps and down for ``step_size_down``, the height of the cycle scaled by ``mode``:
    "triangular" (constant), "triangular2" (halved every cycle), "exp_range" (gamma^step), or by a ``scale_fn``
    of the cycle or of the step (``scale_mode``). Stepped after every batch, not every epoch.

    With ``cycle_momentum`` the momentum (or β₁) cycles the other way, between ``max_momentum`` and
    ``base_momentum``.
    """

    def __init__(self, optimizer: Optimizer, base_lr, max_lr, step_size_up: int = 2000, step_size_down=None,
                 mode: str = "triangular", gamma: float = 1.0, scale_fn=None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum=0.8, max_momentum=0.9, last_epoch: int = -1):
        _check_optimizer(optimizer, "CyclicLR")
        self.optimizer = optimizer
        base_lrs = _per_group(base_lr, "base_lr", optimizer, "CyclicLR")
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs, strict=True):
                group["lr"] = lr
        self.max_lrs = _per_group(max_lr, "max_lr", optimizer, "CyclicLR")
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"CyclicLR: expected mode 'triangular', 'triangular2' or 'exp_range' (or a scale_fn), "
                             f"got {mode!r}")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_mode()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = _cycle_momentum(self, optimizer, base_momentum, max_momentum,
                                                                      last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_mode(self) -> None:
        # the built-in modes scale by the cycle, except exp_range, which scales by the step
        if self._scale_fn_custom is None:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x) -> float:
        """The height of the cycle, as a fraction of max_lr - base_lr, at cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self) -> list:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # the place in the cycle, in [0, 1)
        scale_factor = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * scale_factor * scale
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:
            for group, base, top in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums,
                                        strict=True):
                _set_momentum(self, group, top - (top - base) * scale_factor * scale)
        return lrs

    def state_dict(self) -> dict:
        """As torch: a scale_fn that is a plain function or a lambda is not saved (None); a callable object's
        attributes are."""
        state = super().state_dict()
        state["_scale_fn_custom"] = _saved_attributes(self._scale_fn_custom)
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)  # the caller's dict is left as it was
        attributes = state.pop("_scale_fn_custom")
        super().load_state_dict(state)
        if attributes is not None:
            self._scale_fn_custom.__dict__.update(attributes)
        self._init_scale_mode()


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), stepped after every batch: the learning rate climbs from
    max_lr / ``div_factor`` to ``max_lr`` over the first ``pct_start`` of ``total_steps`` (or ``epochs`` ·
    ``steps_per_epoch``), then anneals to initial_lr / ``final_div_factor``; ``anneal_strategy`` "cos" or
    "linear". ``three_phase`` comes back down to initial_lr symmetrically first, and anneals to the minimum in a
    third phase. With ``cycle_momentum`` the momentum (or β₁) moves the other way, between ``max_momentum`` and
    ``base_momentum``. Stepping past ``total_steps`` is an error.
    """

    def __init__(self, optimizer: Optimizer, max_lr, total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False, last_epoch: int = -1):
        _check_optimizer(optimizer, "OneCycleLR")
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"OneCycleLR: expected total_steps to be a positive int, got {total_steps!r}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            for name, value in (("epochs", epochs), ("steps_per_epoch", steps_per_epoch)):
                if not isinstance(value, int) or value <= 0:
                    raise ValueError(f"OneCycleLR: expected {name} to be a positive int, got {value!r}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: expected total_steps, or epochs and steps_per_epoch, got neither")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: expected pct_start to be a float in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: expected anneal_strategy 'cos' or 'linear', got {anneal_strategy!r}")
        self._anneal_func_type = anneal_strategy
        # each phase anneals from one group entry to another, ending at its end_step
        warmup_end = float(pct_start * self.total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                _phase(warmup_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr", "base_momentum",
                       "max_momentum"),
                _phase(self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._schedule_phases = [
                _phase(warmup_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        max_lrs = _per_group(max_lr, "max_lr", optimizer, "OneCycleLR")
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _cycle_momentum(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        """The value a fraction ``pct`` of the way from ``start`` to ``end``: along a half cosine, or a line."""
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: expected at most total_steps={self.total_steps} steps, got step {step}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                if step <= phase["end_step"] or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (phase["end_step"] - start_step)
                    break
                start_step = phase["end_step"]
            lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
            if self.cycle_momentum:
                _set_momentum(self, group, self._anneal(group[phase["start_momentum"]],
                                                        group[phase["end_momentum"]], pct))
        return lrs


def _phase(end_step: float, start_lr: str, end_lr: str, start_momentum: str, end_momentum: str) -> dict:
    """One phase of OneCycleLR, as torch records it (the names are the group entries it anneals between)."""
    return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr, "start_momentum": start_momentum,
            "end_momentum": end_momentum}


class _SchedulerCollection(LRScheduler):
    """Schedulers of one optimizer run together (SequentialLR, ChainedScheduler); their state is saved within
    this one's, under ``_schedulers``."""

    def _check_schedulers(self, schedulers, optimizer) -> None:
        owner = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{owner}: expected at least one scheduler, got none")
        for i, scheduler in enumerate(schedulers):
            if not hasattr(scheduler, "optimizer"):
                raise TypeError(f"{owner}: expected schedulers with an optimizer, got {type(scheduler).__name__} "
                                f"at index {i}")
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(f"{owner}: expected schedulers stepped without arguments, got ReduceLROnPlateau "
                                 f"(which needs the metric) at index {i}")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"{owner}: expected every scheduler to belong to the same optimizer, got "
                                 f"{type(scheduler).__name__} at index {i} with another one")

    def state_dict(self) -> dict:
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)  # the caller's dict is left as it was
        saved = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, scheduler_state in zip(self._schedulers, saved):
            scheduler.load_state_dict(scheduler_state)


class SequentialLR(_SchedulerCollection):
    """One schedule after another: ``schedulers[i]`` runs from ``milestones[i-1]`` (restarted at its epoch 0
    there) until the next milestone. The schedulers' own construction steps are undone; the first one starts
    from the groups' initial_lr."""

    def __init__(self, optimizer: Optimizer, schedulers, milestones, last_epoch: int = -1):
        self._check_schedulers(schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expected {len(schedulers) - 1} milestones (one fewer than the "
                             f"schedulers), got {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_steps(self)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_steps(self, scheduler) -> None:
        """Take back the construction step of every scheduler inside (also inside nested collections)."""
        if hasattr(scheduler, "_schedulers"):
            for inner in scheduler._schedulers:
                self._undo_steps(inner)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self) -> None:
        """Advance one epoch in the schedule whose turn it is; at a milestone, restart the next one."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_SchedulerCollection):
    """Several schedulers stepped together, each changing the rate the ones before it set (a warm-up factor and
    a decay, say): ``step()`` steps them all, in order."""

    def __init__(self, schedulers, optimizer: Optimizer | None = None):
        if len(schedulers) >= 1 and optimizer is None:
            optimizer = schedulers[0].optimizer
        self._check_schedulers(schedulers, optimizer)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = self._current_lrs()

    def step(self) -> None:
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()
