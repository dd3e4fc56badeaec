"""Optimisers, as torch.optim: how a gradient becomes a step."""

from .optimizer import SGD, Adagrad, Adam, Optimizer
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "Adagrad"]
