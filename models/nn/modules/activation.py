"""``torch.nn.modules.activation``: minigrad's activations, and ``MultiheadAttention``, which torch files here."""

from minigrad.nn.activation import GELU, LeakyReLU, LogSigmoid, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh

from ...multihead_attention import MultiheadAttention

__all__ = ["ReLU", "LeakyReLU", "Tanh", "Sigmoid", "LogSigmoid", "GELU", "Softmax", "LogSoftmax",
           "MultiheadAttention"]
