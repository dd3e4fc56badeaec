"""Optimisers, as torch.optim: how a gradient becomes a step. One module per algorithm; each updates the
parameters' arrays in place, outside the graph, with torch's update rule (and numbers)."""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "Adagrad", "lr_scheduler"]
