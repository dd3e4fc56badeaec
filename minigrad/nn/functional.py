"""Functions of tensors that layers and losses are made of, composed from minigrad's primitive ops.

Nothing here writes a backward: each function is a few primitive ops, and its gradient follows from theirs.
The losses are in ``loss_functions.py`` and appear here under torch's names (``F.cross_entropy``, ...).
"""

from __future__ import annotations

import math
import numbers
import warnings

from .. import backend, ops, random
from ..creation import arange, full, ones
from ..engine import no_grad
from ..functions import broadcast_tensors, cat, where
from ..linalg import vector_norm
from ..tensor import Tensor, apply
from ..checks import check_dim, check_floating, check_tensor
from .activation_functions import (celu, elu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, mish, prelu, relu6,
                                   selu, silu, softplus, softshrink, softsign, tanhshrink)
from .loss_functions import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss,
                             kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss)


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
    raise RuntimeError(f"gelu: expected approximate 'none' or 'tanh', got {approximate!r}")


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


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along ``dim``: weights that favour the smallest values."""
    input, dim = _softmax_input(input, dim, dtype, "softmin", _stacklevel)
    return softmax(-input, dim)


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
        raise RuntimeError(f"linear: expected input with last dimension {weight.shape[-1]} (in_features), "
                         f"got shape {input.shape}")
    if bias is not None and bias._array.shape != weight._array.shape[:1]:
        raise RuntimeError(f"linear: expected bias of shape {weight.shape[:1]}, got {bias.shape}")
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


def _standardized(input: Tensor, dims: tuple, eps: float):
    """(x - mean)/√(variance + eps) over ``dims``, with the biased variance (as torch normalises); and the mean
    and variance."""
    mean = input.mean(dims, keepdim=True)
    centred = input - mean
    variance = (centred * centred).mean(dims, keepdim=True)
    return centred / (variance + eps).sqrt(), mean, variance


def _per_channel(t: Tensor, ndim: int) -> Tensor:
    """A vector of one value per channel, shaped (C, 1, ...) to broadcast along dim 1 of an ``ndim``-d input."""
    return t.reshape((t.shape[0],) + (1,) * (ndim - 2))


def _scaled_and_shifted(out: Tensor, weight: Tensor | None, bias: Tensor | None, ndim: int) -> Tensor:
    """out·weight + bias, with one weight and one bias per channel."""
    if weight is not None:
        out = out * _per_channel(weight, ndim)
    if bias is not None:
        out = out + _per_channel(bias, ndim)
    return out


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dimensions to zero mean and unit variance."""
    check_tensor(input, "layer_norm")
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) \
        else tuple(normalized_shape)
    if input.shape[input.ndim - len(normalized_shape):] != normalized_shape:
        raise RuntimeError(f"layer_norm: expected input ending in shape {normalized_shape}, got {input.shape}")
    out, _, _ = _standardized(input, tuple(range(input.ndim - len(normalized_shape), input.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def _verify_batch_size(size: tuple, op: str) -> None:
    """Statistics over one value are no statistics: torch refuses to normalise a single value per channel."""
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(f"{op}: Expected more than 1 value per channel when training, got input size {size}")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1 of (N, C, ...)) to zero mean and unit variance, then scale and shift it.

    In training the statistics are the batch's (over every dim but 1, with the biased variance), and the running
    statistics given are moved towards them in place: r ← (1 - momentum)·r + momentum·s, where s is the batch
    mean, or the batch's *unbiased* variance, as torch keeps it. In evaluation the running statistics are used.
    """
    check_floating(check_tensor(input, "batch_norm"), "batch_norm")
    if training:
        _verify_batch_size(input.shape, "batch_norm")
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm: eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm: eps must be non-negative, but got {eps}")
    if input.ndim < 2:
        raise RuntimeError(f"batch_norm: expected an input of shape (N, C, ...), got shape {input.shape}")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and check_tensor(t, "batch_norm", name).numel() != channels:
            raise RuntimeError(f"batch_norm: {name} should contain {channels} elements not {t.numel()}")
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var must be defined in evaluation mode")
        out = (input - _per_channel(running_mean, input.ndim)) / (_per_channel(running_var, input.ndim) + eps).sqrt()
        return _scaled_and_shifted(out, weight, bias, input.ndim)
    dims = (0,) + tuple(range(2, input.ndim))
    out, mean, variance = _standardized(input, dims, eps)
    count = input.numel() // channels
    with no_grad():
        if running_mean is not None:
            running_mean.copy_(mean.reshape(channels) * momentum + running_mean * (1 - momentum))
        if running_var is not None:
            unbiased = variance.reshape(channels) * (count / (count - 1))
            running_var.copy_(unbiased * momentum + running_var * (1 - momentum))
    return _scaled_and_shifted(out, weight, bias, input.ndim)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Split the channels (dim 1 of (N, C, ...)) into ``num_groups`` groups and normalise each group of each
    sample to zero mean and unit variance, then scale and shift each channel."""
    check_floating(check_tensor(input, "group_norm"), "group_norm")
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: Expected at least 2 dimensions for input tensor but received {input.ndim}")
    batch, channels = input.shape[:2]
    if channels % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible by num_groups, but "
                           f"got input of shape {list(input.shape)} and num_groups={num_groups}")
    _verify_batch_size((batch * channels // num_groups, num_groups) + input.shape[2:], "group_norm")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (check_tensor(t, "group_norm", name).ndim != 1 or t.numel() != channels):
            raise RuntimeError(f"group_norm: Expected {name} to be a vector of size equal to the number of channels "
                               f"in input, but got {name} of shape {list(t.shape)} and input of shape "
                               f"{list(input.shape)}")
    out, _, _ = _standardized(input.reshape(batch, num_groups, -1), (2,), eps)
    return _scaled_and_shifted(out.reshape(input.shape), weight, bias, input.ndim)


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


# --- distances and attention --------------------------------------------------------------------------------
def _norm_clamped_in_value(x: Tensor, dim: int, eps: float) -> Tensor:
    """‖x‖ along ``dim`` with its value clamped to at least eps, as torch's cosine_similarity clamps it: out of
    autograd's sight, so the gradient is that of the unclamped norm (0 for a zero vector)."""
    norm = vector_norm(x, 2, dim, keepdim=True)
    return (norm - norm.detach()) + norm.detach().clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along ``dim``, after broadcasting x1 and x2; each is divided by its
    norm before the product, which keeps the result within [-1, 1]."""
    check_tensor(x1, "cosine_similarity", "x1")
    check_tensor(x2, "cosine_similarity", "x2")
    if x1.dtype.kind != "f" and x2.dtype.kind != "f":
        raise RuntimeError(f"cosine_similarity: expected common dtype to be floating point, got {x1.dtype} and "
                           f"{x2.dtype}")
    x1, x2 = broadcast_tensors(x1, x2)
    d = check_dim(dim, x1.ndim, "cosine_similarity")
    return ((x1 / _norm_clamped_in_value(x1, d, eps)) * (x2 / _norm_clamped_in_value(x2, d, eps))).sum(d)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 - x2 + eps‖_p along the last dimension (of the broadcast shape): eps keeps the norm's gradient finite
    when x1 = x2."""
    check_tensor(x1, "pairwise_distance", "x1")
    check_tensor(x2, "pairwise_distance", "x2")
    difference = broadcast_tensors(x1, x2)
    return vector_norm(difference[0] - difference[1] + eps, p, -1, keepdim)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q·Kᵀ·scale + mask)·V over shapes (..., L, E), (..., S, E), (..., S, Ev) → (..., L, Ev).

    ``scale`` defaults to 1/√E. ``attn_mask`` is boolean (True: may attend) or a float added to the scores; it
    broadcasts to (..., L, S). ``is_causal``: query i attends to keys 0..i only. A query that may attend to nothing
    gets zero weights (and output), as torch's. ``dropout_p``: dropout on the weights, always applied (this
    function has no training flag). ``enable_gqa``: K and V have fewer heads (dim -3) than Q, each shared by a
    group of Q's heads.
    """
    op = "scaled_dot_product_attention"
    tensors = [check_tensor(t, op, name) for t, name in ((query, "query"), (key, "key"), (value, "value"))]
    if min(t.ndim for t in tensors) < 2:
        raise RuntimeError(f"{op}: expected query, key and value to be at least 2-dimensional, got "
                           f"{query.ndim}, {key.ndim} and {value.ndim} dimensions")
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError(f"{op}: expected query, key and value to have the same dtype, got {query.dtype}, "
                           f"{key.dtype} and {value.dtype}")
    check_floating(query, op, "query")
    if key.shape[-1] != query.shape[-1] or value.shape[-2] != key.shape[-2]:
        raise RuntimeError(f"{op}: expected key of shape (..., S, {query.shape[-1]}) and value of shape "
                           f"(..., S, Ev) for a query of shape {query.shape}, got {key.shape} and {value.shape}")
    if is_causal and attn_mask is not None:
        raise RuntimeError(f"{op}: expected no attn_mask when is_causal=True (the causal mask is implied), got one")
    if enable_gqa and query.ndim >= 3 and key.ndim >= 3:
        if query.shape[-3] % key.shape[-3] or query.shape[-3] % value.shape[-3]:
            raise RuntimeError(f"{op}: expected the number of query heads ({query.shape[-3]}) to be a multiple of "
                               f"those of key ({key.shape[-3]}) and value ({value.shape[-3]}) with enable_gqa")
        key = key.repeat_interleave(query.shape[-3] // key.shape[-3], -3)
        value = value.repeat_interleave(query.shape[-3] // value.shape[-3], -3)
    scores = query @ key.transpose(-2, -1) * (1 / math.sqrt(query.shape[-1]) if scale is None else scale)
    if is_causal:
        attn_mask = ones(scores.shape[-2:], dtype=backend.bool_, device=query.device).tril()
    if attn_mask is not None:
        check_tensor(attn_mask, op, "attn_mask")
        if attn_mask.dtype == backend.bool_:
            scores = scores.masked_fill(attn_mask.logical_not(), -math.inf)
        elif attn_mask.dtype.kind == "f":
            scores = scores + attn_mask.to(scores.dtype)
        else:
            raise RuntimeError(f"{op}: expected attn_mask of dtype bool or a floating dtype, got {attn_mask.dtype}")
    # A row of -inf only (a query that may attend to nothing) would make softmax 0/0: it gets zero weights, and
    # the softmax is taken of zeros there, so that no NaN reaches the gradient either.
    blocked = (scores == -math.inf).all(-1, keepdim=True)
    weights = where(blocked, 0.0, where(blocked, 0.0, scores).softmax(-1)).to(scores.dtype)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return weights @ value


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


__all__ = ["relu", "leaky_relu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax", "logsigmoid", "linear",
           "dropout", "embedding", "layer_norm", "normalize", "one_hot", "pad", "nll_loss", "cross_entropy",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "l1_loss", "smooth_l1_loss",
           "huber_loss", "relu6", "elu", "selu", "celu", "silu", "mish", "softplus", "softsign", "hardtanh",
           "hardsigmoid", "hardswish", "softmin", "glu", "prelu", "tanhshrink", "softshrink", "hardshrink",
           "batch_norm", "group_norm", "cosine_similarity", "pairwise_distance", "scaled_dot_product_attention",
           "kl_div"]
