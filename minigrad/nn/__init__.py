"""Neural-network building blocks, as torch.nn: Module, Parameter, layers, containers, losses, init, functional,
utils. The layers are in files named as torch.nn.modules' are (linear.py, activation.py, loss.py, container.py...).
"""

from . import functional, init, utils
from .activation import GELU, LeakyReLU, LogSigmoid, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .dropout import Dropout
from .flatten import Flatten
from .linear import Identity, LazyLinear, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss)
from .module import Module
from .normalization import LayerNorm
from .parameter import Parameter, UninitializedParameter
from .sparse import Embedding

__all__ = ["Module", "Parameter", "UninitializedParameter",
           "Identity", "Linear", "LazyLinear", "Embedding", "Dropout", "LayerNorm", "Flatten",
           "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "LogSigmoid", "GELU", "Softmax", "LogSoftmax",
           "L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss", "BCELoss",
           "BCEWithLogitsLoss", "functional", "init", "utils"]
