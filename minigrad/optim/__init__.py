"""Optimisers, as torch.optim: how a gradient becomes a step."""

from .optimizer import SGD, Adagrad, Adam, Optimizer

__all__ = ["Optimizer", "SGD", "Adam", "Adagrad"]
