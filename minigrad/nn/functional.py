"""Functions of tensors that layers and losses are made of, composed from minigrad's primitive ops.

Nothing here writes a backward: each function is a few primitive ops, and its gradient follows from theirs.
"""

from __future__ import annotations

import numbers

from .. import backend, ops
from ..functions import where
from ..tensor import Tensor, apply
from ..tensor_math import check_tensor

_REDUCTIONS = ("mean", "sum", "none")


def relu(input: Tensor) -> Tensor:
    return check_tensor(input, "relu").relu()


def sigmoid(input: Tensor) -> Tensor:
    return check_tensor(input, "sigmoid").sigmoid()


def tanh(input: Tensor) -> Tensor:
    return check_tensor(input, "tanh").tanh()


def softmax(input: Tensor, dim: int) -> Tensor:
    """exp(x_i) / Σ_j exp(x_j) along ``dim``, computed without overflow."""
    return check_tensor(input, "softmax").softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """log softmax along ``dim``: x_i - log Σ_j exp(x_j), stable for inputs of any size."""
    return check_tensor(input, "log_softmax").log_softmax(dim)


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = -log(1 + e^-x), exact in both tails: logsigmoid(-20) is -20 (log(sigmoid(x)) would round the
    sigmoid to 0 below about -88 in float32 and give -inf with a NaN gradient)."""
    return check_tensor(input, "logsigmoid").logsigmoid()


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


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability p and scale the survivors by 1/(1-p), so the expected value is kept.

    In evaluation (``training=False``) it is the identity.
    """
    check_tensor(input, "dropout")
    if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout: expected a probability p in [0, 1], got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    keep = (backend.rng().random(input.shape) >= p) / (1 - p)
    return input * Tensor(keep, dtype=input.dtype, device=input.device)


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _check_reduction(reduction, op: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: expected reduction to be one of {_REDUCTIONS}, got {reduction!r}")


def nll_loss(input: Tensor, target: Tensor, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the target classes, given log-probabilities.

    ``input`` is (N, C) or (N, C, d1, ...) or (C,); ``target`` holds class indices of shape (N,) or (N, d1, ...)
    or (). Targets equal to ``ignore_index`` (padding) add nothing and are not counted by the mean.
    """
    check_tensor(input, "nll_loss")
    check_tensor(target, "nll_loss", "target")
    _check_reduction(reduction, "nll_loss")
    if target.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: expected target to hold class indices (an integer tensor), got dtype {target.dtype}")
    if input.ndim == 0:
        raise ValueError("nll_loss: expected input of shape (N, C) or (C,), got a 0-d tensor")
    expected = () if input.ndim == 1 else (input.shape[0],) + input.shape[2:]
    if target.shape != expected:
        raise ValueError(f"nll_loss: expected target of shape {expected} for input of shape {input.shape}, "
                         f"got {target.shape}")
    classes = input.shape[0 if input.ndim == 1 else 1]
    # class dimension last, everything else flattened: (M, C) against (M,)
    log_probs = input.reshape(1, classes) if input.ndim == 1 else \
        input.permute([0] + list(range(2, input.ndim)) + [1]).reshape(-1, classes)
    flat_target = target.reshape(-1)
    valid = flat_target != ignore_index
    if (((flat_target < 0) | (flat_target >= classes)) & valid).any().item():
        raise IndexError(f"nll_loss: expected target classes in [0, {classes}) or ignore_index={ignore_index}, "
                         f"got values from {flat_target.min().item()} to {flat_target.max().item()}")
    safe_target = where(valid, flat_target, 0)
    picked = log_probs.gather(1, safe_target.unsqueeze(1)).squeeze(1)
    losses = where(valid, -picked, 0.0)
    if reduction == "mean":
        return losses.sum() / valid.to(dtype=losses.dtype).sum()
    return _reduce(losses.reshape(target.shape), reduction)


def cross_entropy(input: Tensor, target: Tensor, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Cross-entropy of unnormalised scores (logits) against class indices: nll_loss(log_softmax(input)).

    The class dimension is 1 (or 0 for a single example of shape (C,)), as in torch.
    """
    check_tensor(input, "cross_entropy")
    return nll_loss(input.log_softmax(dim=0 if input.ndim == 1 else 1), target, ignore_index, reduction)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of squared differences."""
    check_tensor(input, "mse_loss")
    check_tensor(target, "mse_loss", "target")
    _check_reduction(reduction, "mse_loss")
    if input.shape != target.shape:
        raise ValueError(f"mse_loss: expected target of the input's shape {input.shape}, got {target.shape}")
    return _reduce((input - target) ** 2, reduction)


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


__all__ = ["relu", "sigmoid", "tanh", "softmax", "log_softmax", "logsigmoid", "linear", "dropout", "nll_loss", "cross_entropy",
           "mse_loss", "embedding", "layer_norm"]
