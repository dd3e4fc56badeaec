"""``torch.nn.modules.activation``: minigrad's activations, and ``MultiheadAttention``, which torch files here."""

from minigrad.nn.activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,
                                    LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax,
                                    Softmin, Softplus, Softshrink, Softsign, Tanh, Tanhshrink)

from ...multihead_attention import MultiheadAttention

__all__ = ["ReLU", "LeakyReLU", "Tanh", "Sigmoid", "LogSigmoid", "GELU", "Softmax", "LogSoftmax",
           "ReLU6", "ELU", "SELU", "CELU", "SiLU", "Mish", "Softplus", "Softsign", "Hardtanh", "Hardsigmoid",
           "Hardswish", "Softmin", "GLU", "PReLU", "Tanhshrink", "Softshrink", "Hardshrink", "MultiheadAttention"]
