"""Neural-network building blocks, as torch.nn: Module, Parameter, layers, containers, losses, init, functional,
utils. The layers are in files named as torch.nn.modules' are (linear.py, activation.py, loss.py, container.py...).

torch.nn's recurrent, attention and Transformer layers, and its ``modules`` package, are written in ``models`` on
minigrad's public API, and minigrad never imports models. Importing ``models.nn`` (the swap of ``import torch.nn as
nn``) registers them here too, so that a program that says ``torch.nn.LSTM`` or ``torch.nn.utils.rnn`` through
``import minigrad as torch`` finds them; before that, such a name raises an error that names the missing import.
"""

from ..checks import lives_in_models_nn
from . import functional, init, utils
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softmin, Softplus,
                         Softshrink, Softsign, Tanh, Tanhshrink)
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Identity, LazyLinear, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module
from .normalization import GroupNorm, LayerNorm
from .parameter import Parameter, UninitializedParameter
from .sparse import Embedding

__all__ = ["Module", "Parameter", "UninitializedParameter",
           "Identity", "Linear", "LazyLinear", "Embedding", "Dropout", "LayerNorm", "Flatten",
           "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "LogSigmoid", "GELU", "Softmax", "LogSoftmax",
           "L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss", "BCELoss",
           "BCEWithLogitsLoss", "functional", "init", "utils",
           "ReLU6", "ELU", "SELU", "CELU", "SiLU", "Mish", "Softplus", "Softsign", "Hardtanh", "Hardsigmoid",
           "Hardswish", "Softmin", "GLU", "PReLU", "Tanhshrink", "Softshrink", "Hardshrink", "Unflatten",
           "CosineSimilarity", "PairwiseDistance", "KLDivLoss", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
           "GroupNorm"]

PROVIDED_BY_MODELS = ("RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
                      "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder", "TransformerDecoderLayer",
                      "TransformerDecoder", "Transformer", "modules")  # what models.nn registers here


def __getattr__(name):
    # (called only for names the module does not have: once models.nn has registered its layers, never for them)
    if name in PROVIDED_BY_MODELS:
        raise AttributeError(lives_in_models_nn(f"{__name__}.{name}"))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
