"""The scheduler base class, and the schedules that move the learning rate one way: by a factor, by steps,
along a cosine, linearly, by a polynomial, or when a metric stops improving (see the package's docstring)."""


from __future__ import annotations

import math
import numbers
import types
import warnings
from bisect import bisect_right
from collections import Counter

from ..optimizer import Optimizer


EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. "
    "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from "
    "None, the closed form is used instead of the new chainable form, where available.")


def _check_optimizer(optimizer, owner: str) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected an Optimizer, got {type(optimizer).__name__}")


def _check_period(value, name: str, owner: str) -> None:
    # torch takes any value and divides by it at a later step() (ZeroDivisionError for 0); say so at construction
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{owner}: expected {name} > 0, got {value!r}")


def _check_factor(value, name: str, owner: str, zero_allowed: bool = True) -> None:
    """A multiplicative factor of the initial rate, in [0, 1] (or (0, 1]): torch's ValueError otherwise."""
    if not (0 <= value <= 1.0 if zero_allowed else 0 < value <= 1.0):
        raise ValueError(f"{owner}: expected {name} in {'[' if zero_allowed else '('}0, 1], got {value}")


def _per_group(values, name: str, optimizer: Optimizer, owner: str) -> list:
    """One value per parameter group: a list of exactly that many, or a single value repeated."""
    if not isinstance(values, (list, tuple)):
        return [values] * len(optimizer.param_groups)
    if len(values) != len(optimizer.param_groups):
        raise ValueError(f"{owner}: expected {len(optimizer.param_groups)} {name} (one per parameter group), "
                         f"got {len(values)}")
    return list(values)


class LRScheduler:
    """Base class: keeps ``last_epoch`` (the index of the last step taken, 0 after construction), ``base_lrs``
    and the learning rates it last set; subclasses define ``get_lr()``, the rates of epoch ``last_epoch``.

    Build the scheduler *before* calling the optimizer's ``load_state_dict`` when restoring a checkpoint: the
    initial step at construction overwrites every group's ``lr``, as in torch.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        _check_optimizer(optimizer, type(self).__name__)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: resuming at last_epoch={last_epoch}, expected "
                                   f"'initial_lr' in every parameter group (restore the optimizer's state_dict "
                                   f"first), got none in param_groups[{i}]")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The step taken at construction (and by SequentialLR for the schedule it starts with): it only sets the
        current epoch's rate, so schedules written as a recursion must not apply their factor then (a resumed
        ExponentialLR would otherwise be one step ahead of itself)."""
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list:
        """The learning rates of epoch ``last_epoch``, one per parameter group."""
        raise NotImplementedError

    def get_last_lr(self) -> list:
        """The learning rates this scheduler set last, one per parameter group."""
        return self._last_lr

    def _current_lrs(self) -> list:
        return [group["lr"] for group in self.optimizer.param_groups]

    def _scaled_lrs(self, factor: float) -> list:
        """Every group's current rate times ``factor``: one step of a schedule written as a recursion."""
        return [lr * factor for lr in self._current_lrs()]

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and write its learning rates into the optimizer.

        ``epoch`` (deprecated in torch, still accepted with its warning) jumps to that epoch instead, using the
        schedule's closed form where it has one.
        """
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """``step`` without its warning: SequentialLR restarts a schedule at a milestone with ``_update_lr(0)``."""
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def state_dict(self) -> dict:
        """Everything the scheduler holds except the optimizer (whose state is saved on its own)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict`` returned."""
        self.__dict__.update(state_dict)


class _LRScheduler(LRScheduler):
    """torch's old name for ``LRScheduler``, which custom schedulers in older programs subclass."""


def _saved_attributes(fn):
    """How torch saves a user's function in a scheduler's state: plain functions and lambdas not at all (None in
    their place), callable objects by their attributes."""
    return None if fn is None or isinstance(fn, types.FunctionType) else fn.__dict__.copy()


class _LambdaScheduler(LRScheduler):
    """A schedule given by the user's functions of the epoch, ``lr_lambdas``: one for every group, or a list of
    one per group. Their state is saved as torch saves it (see ``_saved_attributes``)."""

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1):
        owner = type(self).__name__
        _check_optimizer(optimizer, owner)
        self.lr_lambdas = _per_group(lr_lambda, "lr_lambdas", optimizer, owner)
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict:
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [_saved_attributes(fn) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)  # the caller's dict is left as it was
        saved_lambdas = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for fn, attributes in zip(self.lr_lambdas, saved_lambdas):
            if attributes is not None:
                fn.__dict__.update(attributes)


class LambdaLR(_LambdaScheduler):
    """lr = initial_lr · lr_lambda(epoch): one function for every group, or a list of one per group."""

    def get_lr(self) -> list:
        return [base_lr * lr_lambda(self.last_epoch) for lr_lambda, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaScheduler):
    """lr ← lr · lr_lambda(epoch) at each step after the first: one function for every group, or one per group."""

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1):
        _check_optimizer(optimizer, "MultiplicativeLR")
        lr_lambdas = _per_group(lr_lambda, "lr_lambdas", optimizer, "MultiplicativeLR")
        for fn in lr_lambdas:
            if not callable(fn):
                raise TypeError(f"MultiplicativeLR: expected lr_lambda to be a function, got {type(fn).__name__}")
        super().__init__(optimizer, lr_lambdas, last_epoch)

    def get_lr(self) -> list:
        if self._is_initial:
            return self._current_lrs()
        return [lr * lr_lambda(self.last_epoch) for lr_lambda, lr in zip(self.lr_lambdas, self._current_lrs())]


class StepLR(LRScheduler):
    """lr ← gamma · lr every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        _check_period(step_size, "step_size", "StepLR")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return self._scaled_lrs(self.gamma)

    def _get_closed_form_lr(self) -> list:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """lr ← gamma · lr at each epoch in ``milestones`` (gamma^k at a milestone listed k times)."""

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        return self._scaled_lrs(self.gamma ** self.milestones[self.last_epoch])

    def _get_closed_form_lr(self) -> list:
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base_lr * self.gamma ** passed for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """lr ← gamma · lr every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        if self._is_initial:
            return self._current_lrs()
        return self._scaled_lrs(self.gamma)

    def _get_closed_form_lr(self) -> list:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial lr down to ``eta_min`` over ``T_max`` epochs (then back up, and so on):

        lr_t = eta_min + (initial_lr - eta_min) · (1 + cos(π t / T_max)) / 2

    computed, as torch does, by a recursion from one epoch's lr to the next,

        lr_t = eta_min + (lr_{t-1} - eta_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t-1) / T_max)),

    with the step out of the minimum (where that ratio would divide by zero) taken additively. A resumed schedule
    (``last_epoch=k``) recurs from the rates the groups hold, as in torch: restore the optimizer's state first.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        _check_period(T_max, "T_max", "CosineAnnealingLR")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (t - 1 - T) % (2 * T) == 0:  # leaving the minimum: 1 + cos(π (t-1) / T) is 0
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base_lr in zip(self._current_lrs(), self.base_lrs)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta_min) + eta_min
                for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list:
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class ReduceLROnPlateau(LRScheduler):
    """Divide the learning rate when a metric stops improving: ``scheduler.step(validation_loss)``.

    The metric *improves* when it beats the best seen so far by more than ``threshold`` (relative:
    best · (1 ∓ threshold); absolute: best ∓ threshold), downwards in ``mode="min"``, upwards in ``"max"``.
    After more than ``patience`` epochs in a row without improvement, lr ← max(lr · factor, min_lr) (an update
    smaller than ``eps`` is skipped), and the next ``cooldown`` epochs count no bad epochs.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0, min_lr=0,
                 eps: float = 1e-8):
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: expected factor < 1.0, got {factor}")
        _check_optimizer(optimizer, "ReduceLROnPlateau")
        self.factor = factor
        self.optimizer = optimizer
        # a single min_lr is remembered, so that it can cover groups added to the optimizer later
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.min_lrs = _per_group(min_lr, "min_lrs", optimizer, "ReduceLROnPlateau")
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode, threshold, threshold_mode)
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: expected mode 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: expected threshold_mode 'rel' or 'abs', got {threshold_mode!r}")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        """Whether the metric value ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            return a < (best * (1.0 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold)
        return a > (best * (self.threshold + 1.0) if self.threshold_mode == "rel" else best + self.threshold)

    def step(self, metrics, epoch=None) -> None:
        """Record one epoch's metric (a number or a one-element tensor) and reduce the rate if it has stalled."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch

        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during a cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: expected {len(self.min_lrs)} parameter groups (one per "
                                   f"min_lr given), got {len(groups)}: a group was added to the optimizer; set "
                                   "min_lrs to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


class ConstantLR(LRScheduler):
    """lr = initial_lr · factor for the first ``total_iters`` epochs, then initial_lr (a constant warm-up)."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1):
        _check_factor(factor, "factor", "ConstantLR")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        # the factor is applied at epoch 0 and taken back at total_iters (as torch does: by 1 / factor)
        if self.last_epoch == 0:
            return self._scaled_lrs(self.factor)
        return self._scaled_lrs(1.0 / self.factor if self.last_epoch == self.total_iters else 1.0)

    def _get_closed_form_lr(self) -> list:
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """lr = initial_lr · f, with the factor f going linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, then staying there (a linear warm-up, or decay). Written as torch writes it, as the
    ratio of one epoch's factor to the previous one's."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        _check_factor(start_factor, "start_factor", "LinearLR", zero_allowed=False)
        _check_factor(end_factor, "end_factor", "LinearLR")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        if self.last_epoch == 0:
            return self._scaled_lrs(self.start_factor)
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return self._scaled_lrs(ratio)

    def _get_closed_form_lr(self) -> list:
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr = initial_lr · (1 - epoch / total_iters)^power, reaching 0 at ``total_iters`` and staying there;
    written, as torch does, as a recursion on the ratio of successive factors."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        ratio = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return self._scaled_lrs(ratio)

    def _get_closed_form_lr(self) -> list:
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
                for base_lr in self.base_lrs]


