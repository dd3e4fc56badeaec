"""Functions of tensors that layers and losses are made of, composed from minigrad's primitive ops.

Nothing here writes a backward: each function is a few primitive ops, and its gradient follows from theirs.
The losses are in ``loss_functions.py`` and appear here under torch's names (``F.cross_entropy``, ...).
"""

from __future__ import annotations

import numbers
import warnings

from .. import backend, ops, random
from ..creation import arange, full
from ..functions import cat, where
from ..tensor import Tensor, apply
from ..checks import check_floating, check_tensor
from .loss_functions import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss,
                             l1_loss, mse_loss, nll_loss, smooth_l1_loss)


# --- activations -------------------------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    check_tensor(input, "relu")
    return input.relu_() if inplace else input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, ``negative_slope``·x otherwise (at 0 the gradient is the slope, as in torch)."""
    check_floating(check_tensor(input, "leaky_relu"), "leaky_relu")

    def leaky(x):
        return where(x > 0, x, x * negative_slope)
    return input._inplace("leaky_relu_", leaky) if inplace else leaky(input)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x), Φ the standard normal CDF: Φ(x) = (1 + erf(x/√2))/2 (``approximate='tanh'``: torch's
    0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))))."""
    check_floating(check_tensor(input, "gelu"), "gelu")
    if approximate == "none":
        return input * 0.5 * (1 + (input * 0.7071067811865476).erf())
    if approximate == "tanh":
        return input * 0.5 * (1 + ((input + 0.044715 * input ** 3) * 0.7978845608028654).tanh())
    raise ValueError(f"gelu: expected approximate 'none' or 'tanh', got {approximate!r}")


def sigmoid(input: Tensor) -> Tensor:
    return check_tensor(input, "sigmoid").sigmoid()


def tanh(input: Tensor) -> Tensor:
    return check_tensor(input, "tanh").tanh()


def _softmax_input(input, dim, dtype, op: str, stacklevel: int):
    """The input (cast to ``dtype`` first, when given) and the dim: torch's implicit choice, with its warning,
    when ``dim`` is None (0 for 0-, 1- and 3-dimensional inputs, 1 otherwise)."""
    check_tensor(input, op)
    if dtype is not None:
        input = input.to(dtype=dtype)
    check_floating(input, op)
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. "
                      "Change the call to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return input, dim


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x_i) / Σ_j exp(x_j) along ``dim``, computed without overflow."""
    input, dim = _softmax_input(input, dim, dtype, "softmax", _stacklevel)
    return input.softmax(dim) if input.ndim else input.reshape(1).softmax(dim).reshape(())


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """log softmax along ``dim``: x_i - log Σ_j exp(x_j), stable for inputs of any size."""
    input, dim = _softmax_input(input, dim, dtype, "log_softmax", _stacklevel)
    return input.log_softmax(dim) if input.ndim else input.reshape(1).log_softmax(dim).reshape(())


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = -log(1 + e^-x), exact in both tails: logsigmoid(-20) is -20 (log(sigmoid(x)) would round the
    sigmoid to 0 below about -88 in float32 and give -inf with a NaN gradient)."""
    return check_tensor(input, "logsigmoid").logsigmoid()


# --- layers' functions -------------------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: weight has shape (out_features, in_features)."""
    check_tensor(input, "linear")
    shape = input._array.shape  # the array's own, skipping a property call: this runs at every recurrent step
    if not shape or shape[-1] != weight._array.shape[-1]:
        raise ValueError(f"linear: expected input with last dimension {weight.shape[-1]} (in_features), "
                         f"got shape {input.shape}")
    if bias is not None and bias._array.shape != weight._array.shape[:1]:
        raise ValueError(f"linear: expected bias of shape {weight.shape[:1]}, got {bias.shape}")
    if input._array.dtype is not weight._array.dtype and input.dtype != weight.dtype:
        raise RuntimeError(f"linear: mat1 and mat2 must have the same dtype, but got {input.dtype} (the input) and "
                           f"{weight.dtype} (the weight)")
    return apply(ops.Linear, input, weight) if bias is None else apply(ops.Linear, input, weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the survivors by 1/(1-p), so the expected value is kept.

    In evaluation (``training=False``) it is the identity.
    """
    check_tensor(input, "dropout")
    if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout: expected a probability p in [0, 1], got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        scale = 0.0
    else:
        scale = Tensor((random.source().random(input.shape) >= p) / (1 - p), dtype=input.dtype, device=input.device)
    return input.mul_(scale) if inplace else input * scale


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input``; rows at ``padding_idx`` receive no gradient."""
    check_tensor(input, "embedding")
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: expected integer indices, got dtype {input.dtype}")
    count = weight.shape[0]
    if input.numel() and ((input < 0) | (input >= count)).any().item():
        raise IndexError(f"embedding: expected indices in [0, {count}), got values from "
                         f"{input.min().item()} to {input.max().item()}")
    rows = weight[input]
    if padding_idx is None:
        return rows
    # The padding rows are taken from a detached copy, so no gradient reaches weight[padding_idx].
    return where((input == padding_idx).unsqueeze(-1), rows.detach(), rows)


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dimensions to zero mean and unit variance."""
    check_tensor(input, "layer_norm")
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) \
        else tuple(normalized_shape)
    if input.shape[input.ndim - len(normalized_shape):] != normalized_shape:
        raise ValueError(f"layer_norm: expected input ending in shape {normalized_shape}, got {input.shape}")
    dims = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    centred = input - input.mean(dims, keepdim=True)
    variance = (centred * centred).mean(dims, keepdim=True)  # the biased variance, as torch uses
    out = centred / (variance + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input / max(‖input‖_p, eps)`` along ``dim``: unit vectors, with zero vectors left at zero."""
    check_floating(check_tensor(input, "normalize"), "normalize")
    magnitude = input.abs()
    if p == float("inf"):
        norm = magnitude.amax(dim, keepdim=True)
    else:
        total = (magnitude ** p).sum(dim, keepdim=True)
        # The root's gradient is infinite at 0; a zero vector takes the root of 1 instead and keeps its norm 0,
        # so its gradient is that of the clamp to eps (as in torch), not 0·∞.
        positive = total > 0
        norm = where(positive, where(positive, total, 1.0) ** (1 / p), 0.0)
    return input / norm.clamp(min=eps)


# --- encoding and shaping ----------------------------------------------------------------------------------
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``out[..., c] = 1`` where ``c == tensor[...]``, else 0: an int64 tensor with a new last dimension of
    ``num_classes`` (by default one more than the largest class)."""
    check_tensor(tensor, "one_hot", "tensor")
    if tensor.dtype != backend.int64:
        raise RuntimeError(f"one_hot: expected an index tensor of dtype int64, got {tensor.dtype}")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("one_hot: cannot infer the number of classes from an empty tensor; "
                               "expected num_classes")
        num_classes = tensor.max().item() + 1
    if tensor.numel() and tensor.min().item() < 0:
        raise RuntimeError(f"one_hot: expected non-negative class values, got {tensor.min().item()}")
    if tensor.numel() and tensor.max().item() >= num_classes:
        raise RuntimeError(f"one_hot: expected class values smaller than num_classes={num_classes}, "
                           f"got {tensor.max().item()}")
    return (tensor.unsqueeze(-1) == arange(num_classes, device=tensor.device)).long()


def _block_like(tensor: Tensor, d: int, size: int, value) -> Tensor:
    """A tensor of ``value`` shaped like ``tensor`` except for ``size`` along dimension d."""
    return full(tensor.shape[:d] + (size,) + tensor.shape[d + 1:], value, dtype=tensor.dtype, device=tensor.device)


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad with ``value`` (0 by default): ``pad`` = (left, right) for the last dimension, then (top, bottom)
    for the one before it, and so on. Negative amounts crop. Only mode 'constant' is implemented."""
    check_tensor(input, "pad")
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is implemented, got mode={mode!r}")
    pad = tuple(pad)
    if not all(isinstance(n, numbers.Integral) for n in pad):
        raise TypeError(f"pad: expected a tuple of ints, got {pad}")
    if len(pad) % 2:
        raise RuntimeError(f"pad: expected an even number of padding amounts (before, after per dim), got {pad}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"pad: expected at most {2 * input.ndim} padding amounts for a {input.ndim}-d input, "
                           f"got {len(pad)}")
    fill = 0 if value is None else value
    out = input
    for i in range(len(pad) // 2):
        d = input.ndim - 1 - i  # the pairs run from the last dimension backwards
        before, after = pad[2 * i], pad[2 * i + 1]
        length = out.shape[d]
        crop_before, crop_after = max(-before, 0), max(-after, 0)  # negative amounts crop
        if length + before + after < 0 or crop_before + crop_after > length:
            raise RuntimeError(f"pad: expected amounts that leave dimension {d} (size {length}) a non-negative "
                               f"size, got ({before}, {after})")
        out = out[(slice(None),) * d + (slice(crop_before, length - crop_after),)]
        if before > 0:
            out = cat([_block_like(out, d, before, fill), out], dim=d)
        if after > 0:
            out = cat([out, _block_like(out, d, after, fill)], dim=d)
    return out


__all__ = ["relu", "leaky_relu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax", "logsigmoid", "linear", "dropout", "embedding",
           "layer_norm", "normalize", "one_hot", "pad", "nll_loss", "cross_entropy", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"]
