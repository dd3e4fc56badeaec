"""Learning-rate schedules, as torch.optim.lr_scheduler: how the step size changes over training.

A scheduler wraps an optimizer and, at each ``scheduler.step()`` (usually once per epoch, after
``optimizer.step()``), writes a new ``param_groups[i]["lr"]`` into it; it touches nothing else of the optimizer.
Most schedules are written, as torch writes them, as a *recursion* on the current learning rate (``lr ← γ·lr``),
so that another change made to the learning rate in between (by hand, or by a second scheduler) is kept and
scaled rather than overwritten; the values then match torch's step by step, to the last bit.

Construction already takes one step (epoch 0): it records each group's starting rate as
``group["initial_lr"]`` (the ``base_lrs``) and sets epoch 0's rate. Passing ``last_epoch=k`` resumes a schedule
at epoch ``k + 1``; the groups must then hold ``initial_lr`` (restored with the optimizer's state).

Two of torch's warnings are left out, with the state torch keeps for them (``_step_count``,
``_get_lr_called_within_step``): the one about calling ``scheduler.step()`` before ``optimizer.step()`` (torch
wraps ``optimizer.step`` to notice; here the optimizer is left alone) and the one about calling ``get_lr()``
directly (``get_last_lr()`` is the way to read the rate, as in torch).
"""

from .cycles import ChainedScheduler, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, SequentialLR
from .schedules import (ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, LRScheduler,
                        MultiplicativeLR, MultiStepLR, PolynomialLR, ReduceLROnPlateau, StepLR)
from . import schedules

_LRScheduler = schedules._LRScheduler  # torch's old name of the base class, which older programs subclass

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
           "OneCycleLR", "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau"]
