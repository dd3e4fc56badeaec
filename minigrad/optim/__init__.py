"""Optimisers, as torch.optim: how a gradient becomes a step. One module per algorithm; each updates the
parameters' arrays in place, outside the graph, with torch's update rule (and numbers)."""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta", "LBFGS", "lr_scheduler"]
