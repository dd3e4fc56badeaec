"""Neural-network building blocks, as torch.nn: Module, Parameter, layers, losses, init, functional, utils."""

from . import functional, init, utils
from .layers import (CrossEntropyLoss, Dropout, Embedding, LayerNorm, Linear, ModuleList, MSELoss, ReLU, Sequential,
                     Sigmoid, Tanh)
from .module import Module, Parameter

__all__ = ["Module", "Parameter", "Linear", "Embedding", "Dropout", "LayerNorm", "Sequential", "ModuleList", "ReLU",
           "Tanh", "Sigmoid", "CrossEntropyLoss", "MSELoss", "functional", "init", "utils"]
