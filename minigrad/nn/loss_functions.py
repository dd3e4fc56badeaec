"""The loss functions of ``minigrad.nn.functional``, with torch's names, arguments, values and gradients.

Classification: ``nll_loss`` (log-probabilities against class indices), ``cross_entropy`` (logits against class
indices or against class probabilities, with class weights and label smoothing), ``binary_cross_entropy`` (of
probabilities) and ``binary_cross_entropy_with_logits``. Regression: ``mse_loss``, ``l1_loss``,
``smooth_l1_loss``, ``huber_loss``.

Every loss takes torch's ``reduction``: 'none' (one loss per element), 'sum', or 'mean'. With class weights the
mean of ``nll_loss`` and ``cross_entropy`` is weighted, Σ w[tᵢ]·lossᵢ / Σ w[tᵢ], so that a weight scales how much
a class counts and not the size of the loss. All of them are composed from primitive ops: the gradients follow.
"""

from __future__ import annotations

import warnings

from .. import backend
from ..checks import broadcast_shapes
from ..functions import where
from ..tensor import Tensor
from ..checks import check_floating, check_tensor

_REDUCTIONS = ("mean", "sum", "none")


# --- reductions --------------------------------------------------------------------------------------------
def _reduction(reduction, size_average, reduce, op: str) -> str:
    """The reduction to apply. torch's deprecated ``size_average`` and ``reduce`` override it when given, with
    torch's warning: ``reduce=False`` is 'none', else ``size_average=False`` is 'sum', else 'mean'."""
    if size_average is not None or reduce is not None:
        reduction = "none" if reduce is False else "sum" if size_average is False else "mean"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", UserWarning, stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: expected reduction to be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _broadcast_to(shape: tuple, other: Tensor, op: str, name: str) -> None:
    """torch's broadcasting error (a RuntimeError) unless ``other`` broadcasts to ``shape`` without growing it."""
    try:
        grown = broadcast_shapes(shape, other.shape) != shape
    except RuntimeError:
        grown = True
    if grown:
        raise RuntimeError(f"{op}: expected {name} broadcastable to the input's shape {shape}, got {other.shape}")


def _weighted(losses: Tensor, weight, reduction: str, op: str) -> Tensor:
    """Losses times an element weight broadcast over them (the mean stays a plain mean, as in torch)."""
    if weight is not None:
        _broadcast_to(losses.shape, check_tensor(weight, op, "weight"), op, "weight")
        losses = losses * weight.to(dtype=losses.dtype)  # torch computes in the input's dtype
    return _reduce(losses, reduction)


# --- stable logarithms (private composites: a log1p primitive and F.logsigmoid would replace them) ----------
def _log1p(y: Tensor) -> Tensor:
    """log(1 + y) to full precision for small y, where log(1 + y) would lose y's digits in the sum.

    u = 1 + y rounds; c = y - (u - 1) is exactly what the rounding lost (both subtractions are exact), and
    log(1 + y) = log u + log(1 + c/u) ≈ log u + c/u. The gradient comes out as 1/u - c/u², i.e. 1/(1 + y).
    """
    u = 1 + y
    return u.log() + (y - (u - 1)) / u


def _log_sigmoid(x: Tensor) -> Tensor:
    """log σ(x) = min(x, 0) - log(1 + exp(-|x|)): exp is only taken of numbers <= 0, so nothing overflows, and
    log σ(-20) is -20 - 2e-9, not log of a rounded σ.

    min(x, 0) and -|x| are written with ``where`` on the sign: at x = 0 autograd then follows one smooth side
    and gives the true derivative 1/2, where abs and min would each give their subgradient 0.
    """
    nonnegative = x >= 0
    return where(nonnegative, 0.0, x) - _log1p(where(nonnegative, -x, x).exp())


def _clamped_log(x: Tensor) -> Tensor:
    """log x, but never below -100, as torch's binary_cross_entropy takes it (so a probability of exactly 0 costs
    100, not infinity). Where x is 0 the log is taken of 1 and then replaced, so the gradient there is 0, not 0/0."""
    positive = x > 0
    return where(positive, where(positive, x, 1.0).log(), -100.0).clamp(min=-100.0)


# --- classification against class indices ------------------------------------------------------------------
def _class_rows(input: Tensor) -> Tensor:
    """(N, C, d1, ...) as (N·d1·…, C): one row per prediction, the class dimension last; (C,) as (1, C)."""
    classes = input.shape[0 if input.ndim == 1 else 1]
    if input.ndim == 1:
        return input.reshape(1, classes)
    return input.permute([0] + list(range(2, input.ndim)) + [1]).reshape(-1, classes)


def _check_class_weight(weight, input: Tensor, op: str) -> None:
    if weight is None:
        return
    check_tensor(weight, op, "weight")
    classes = input.shape[0 if input.ndim == 1 else 1]
    if weight.shape != (classes,):
        raise RuntimeError(f"{op}: expected a weight for each of the {classes} classes, shape ({classes},), "
                           f"got shape {weight.shape}")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"{op}: expected weight of the input's dtype {input.dtype}, got {weight.dtype}")


def _check_class_target(input: Tensor, target: Tensor, op: str) -> None:
    if target.dtype not in (backend.int64, backend.uint8):
        raise RuntimeError(f"{op}: expected target to hold class indices of dtype int64 (or uint8), "
                           f"got dtype {target.dtype}")
    expected = () if input.ndim == 1 else (input.shape[0],) + input.shape[2:]
    if input.ndim > 1 and target.ndim > 0 and target.shape[0] != input.shape[0]:
        raise ValueError(f"{op}: expected target with the input's batch size {input.shape[0]}, "
                         f"got target of shape {target.shape}")
    if target.shape != expected:
        raise RuntimeError(f"{op}: expected target of shape {expected} for input of shape {input.shape}, "
                           f"got {target.shape}")


def _class_index_loss(log_probs: Tensor, target: Tensor, weight, ignore_index: int, reduction: str,
                      label_smoothing: float, op: str) -> Tensor:
    """-w[t]·log p_t for each target class t, blended with ``label_smoothing`` of the (weighted) loss against
    every class alike; targets equal to ``ignore_index`` add nothing and are not counted by the mean."""
    _check_class_target(log_probs, target, op)
    _check_class_weight(weight, log_probs, op)
    rows = _class_rows(log_probs)
    classes = rows.shape[1]
    flat_target = target.reshape(-1).long()
    valid = flat_target != ignore_index
    if (((flat_target < 0) | (flat_target >= classes)) & valid).any().item():
        raise IndexError(f"{op}: expected target classes in [0, {classes}) or ignore_index={ignore_index}, "
                         f"got values from {flat_target.min().item()} to {flat_target.max().item()}")
    safe_target = where(valid, flat_target, 0)  # ignored targets pick class 0, then their loss is replaced by 0
    losses = -rows.gather(1, safe_target.unsqueeze(1)).squeeze(1)
    if weight is not None:
        target_weight = weight[safe_target]
        losses = losses * target_weight
    if label_smoothing:
        # the target distribution is (1-ε)·one_hot + ε/C: its cross-entropy splits into these two parts
        every_class = -(rows if weight is None else rows * weight).sum(1)
        losses = (1 - label_smoothing) * losses + (label_smoothing / classes) * every_class
    losses = where(valid, losses, 0.0)
    if reduction == "mean":
        counted = valid.to(dtype=losses.dtype) if weight is None else where(valid, target_weight, 0.0)
        return losses.sum() / counted.sum()
    return _reduce(losses.reshape(target.shape), reduction)


def _probability_loss(log_probs: Tensor, target: Tensor, weight, ignore_index: int, reduction: str,
                      label_smoothing: float, op: str) -> Tensor:
    """-Σ_c w_c·q_c·log p_c against a target distribution q of the input's shape (soft labels)."""
    if target.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating target for class probabilities (a target of the input's "
                           f"shape {log_probs.shape}), got dtype {target.dtype}")
    if ignore_index != -100:
        raise RuntimeError(f"{op}: expected no ignore_index with class-probability targets (it applies to class "
                           f"indices), got ignore_index={ignore_index}")
    _check_class_weight(weight, log_probs, op)
    class_dim = 0 if log_probs.ndim == 1 else 1
    classes = log_probs.shape[class_dim]
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = log_probs * target
    if weight is not None:
        terms = terms * weight.reshape((classes,) + (1,) * (log_probs.ndim - class_dim - 1))
    return _reduce(-terms.sum(class_dim), reduction)  # a mean over predictions, whatever the weights (as torch)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the target classes, given log-probabilities.

    ``input`` is (N, C) or (N, C, d1, ...) or (C,); ``target`` holds class indices of shape (N,) or (N, d1, ...)
    or (). ``weight`` (C,) scales each class's loss and the mean is then Σ w[t]·loss / Σ w[t]. Targets equal to
    ``ignore_index`` (padding) add nothing and are not counted by the mean.
    """
    check_tensor(input, "nll_loss")
    check_tensor(target, "nll_loss", "target")
    reduction = _reduction(reduction, size_average, reduce, "nll_loss")
    check_floating(input, "nll_loss")
    if input.ndim == 0:
        raise ValueError("nll_loss: expected input of shape (N, C), (N, C, d1, ...) or (C,), got a 0-d tensor")
    return _class_index_loss(input, target, weight, ignore_index, reduction, 0.0, "nll_loss")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of unnormalised scores (logits) against a target: log_softmax, then the negative
    log-likelihood.

    The class dimension is 1 (or 0 for a single example of shape (C,)), as in torch. The target is either class
    indices (the shape of the input without the class dimension; ``ignore_index`` is skipped) or, when it has the
    input's shape, class probabilities (soft labels; the mean is over predictions). ``label_smoothing`` ε mixes
    the target with the uniform distribution: (1-ε)·target + ε/C. ``weight`` (C,) scales each class.
    """
    check_tensor(input, "cross_entropy")
    check_tensor(target, "cross_entropy", "target")
    reduction = _reduction(reduction, size_average, reduce, "cross_entropy")
    check_floating(input, "cross_entropy")
    if input.ndim == 0:
        raise ValueError("cross_entropy: expected input of shape (N, C), (N, C, d1, ...) or (C,), "
                         "got a 0-d tensor")
    if label_smoothing > 1.0:
        raise RuntimeError(f"cross_entropy: expected label_smoothing between 0.0 and 1.0, got {label_smoothing}")
    log_probs = input.log_softmax(0 if input.ndim == 1 else 1)
    loss = _probability_loss if target.shape == input.shape else _class_index_loss
    return loss(log_probs, target, weight, ignore_index, reduction, label_smoothing, "cross_entropy")


# --- binary classification ---------------------------------------------------------------------------------
def _check_binary_target(input: Tensor, target: Tensor, op: str, message: str) -> None:
    check_tensor(input, op)
    check_tensor(target, op, "target")
    if target.shape != input.shape:
        raise ValueError(f"{op}: {message}: expected target of the input's shape {input.shape}, "
                         f"got {target.shape}")
    check_floating(input, op)
    if target.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating target (probabilities of the positive class), "
                           f"got dtype {target.dtype}")


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """-[t·log p + (1-t)·log(1-p)] for probabilities p (after a sigmoid) and targets t in [0, 1].

    As in torch, each log is clamped at -100, so p = 0 or 1 gives a finite loss. ``weight`` (broadcast to the
    input's shape) scales each element. Prefer ``binary_cross_entropy_with_logits``: it is stable where a
    sigmoid followed by this is not.
    """
    op = "binary_cross_entropy"
    _check_binary_target(input, target, op, "a target of another size is not broadcast")
    reduction = _reduction(reduction, size_average, reduce, op)
    if target.dtype != input.dtype:
        raise RuntimeError(f"{op}: expected target of the input's dtype {input.dtype}, got {target.dtype}")
    for name, values in (("input", input), ("target", target)):
        if values.numel() and ((values < 0) | (values > 1)).any().item():
            raise RuntimeError(f"{op}: expected all elements of {name} between 0 and 1, got values from "
                               f"{values.min().item()} to {values.max().item()}")
    losses = -(target * _clamped_log(input) + (1 - target) * _clamped_log(1 - input))
    return _weighted(losses, weight, reduction, op)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of logits x: -[w_pos·t·log σ(x) + (1-t)·log σ(-x)], computed stably.

    log σ is taken directly (never log of a sigmoid that rounded to 0 or 1), so logits of ±1000 give exact
    losses and gradients σ(x) - t. ``pos_weight`` (broadcast over the last dimensions: one per class) weighs
    the positive term; ``weight`` (broadcast to the input's shape) scales each element.
    """
    op = "binary_cross_entropy_with_logits"
    _check_binary_target(input, target, op, "sizes must match")
    reduction = _reduction(reduction, size_average, reduce, op)
    positive = target
    if pos_weight is not None:
        _broadcast_to(input.shape, check_tensor(pos_weight, op, "pos_weight"), op, "pos_weight")
        positive = target * pos_weight.to(dtype=input.dtype)
    losses = -(positive * _log_sigmoid(input) + (1 - target) * _log_sigmoid(-input))
    return _weighted(losses, weight, reduction, op)


# --- regression --------------------------------------------------------------------------------------------
def _difference(input: Tensor, target: Tensor, op: str) -> Tensor:
    """input - target; shapes that differ are broadcast with torch's warning (it is usually a mistake)."""
    check_tensor(input, op)
    check_tensor(target, op, "target")
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", UserWarning, stacklevel=4)
        try:
            broadcast_shapes(input.shape, target.shape)
        except RuntimeError:
            raise RuntimeError(f"{op}: expected a target broadcastable to the input's shape {input.shape}, "
                               f"got {target.shape}") from None
    if input.dtype.kind != "f" and target.dtype.kind != "f":
        raise NotImplementedError(f"{op}: expected floating tensors, got dtypes {input.dtype} and {target.dtype}")
    return input - target


def _pointwise_loss(losses: Tensor, input: Tensor, weight, reduction: str, op: str,
                    mean_over_weights: bool = True) -> Tensor:
    """Reduce elementwise losses; an element ``weight`` of the input's shape scales them, and the mean is then
    Σ w·loss / Σ w (``mean_over_weights``, mse and l1) or the plain mean of the products (huber), as torch."""
    if weight is None:
        return _reduce(losses, reduction)
    check_tensor(weight, op, "weight")
    if weight.shape != input.shape:
        raise ValueError(f"{op}: expected weight of the input's shape {input.shape}, got {weight.shape}")
    losses = losses * weight
    if reduction == "mean" and mean_over_weights:
        return losses.sum() / weight.sum()
    return _reduce(losses, reduction)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean (or sum) of squared differences."""
    reduction = _reduction(reduction, size_average, reduce, "mse_loss")
    return _pointwise_loss(_difference(input, target, "mse_loss") ** 2, input, weight, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean (or sum) of absolute differences (the gradient at a difference of 0 is 0)."""
    reduction = _reduction(reduction, size_average, reduce, "l1_loss")
    return _pointwise_loss(_difference(input, target, "l1_loss").abs(), input, weight, reduction, "l1_loss")


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """½d²/β where |d| < β, else |d| - ½β: quadratic near 0, absolute far away (β = 0 is l1_loss)."""
    reduction = _reduction(reduction, size_average, reduce, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: expected beta >= 0, got {beta}")
    difference = _difference(input, target, "smooth_l1_loss")
    size = difference.abs()
    if beta == 0:
        return _reduce(size, reduction)
    return _reduce(where(size < beta, 0.5 * difference ** 2 / beta, size - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """½d² where |d| < δ, else δ·(|d| - ½δ): smooth_l1_loss with β = δ, times δ (and it takes a weight)."""
    reduction = _reduction(reduction, None, None, "huber_loss")
    if delta <= 0:
        raise RuntimeError(f"huber_loss: expected delta > 0, got {delta}")
    difference = _difference(input, target, "huber_loss")
    size = difference.abs()
    losses = where(size < delta, 0.5 * difference ** 2, delta * (size - 0.5 * delta))
    return _pointwise_loss(losses, input, weight, reduction, "huber_loss", mean_over_weights=False)


# --- distributions -----------------------------------------------------------------------------------------
def _x_log_x(x: Tensor) -> Tensor:
    """x·log x, with 0·log 0 = 0 (torch's xlogy(x, x)); the log is taken of 1 where x is 0, so no -inf meets the
    zero gradient there."""
    zero = x == 0
    return where(zero, 0.0, x * where(zero, 1.0, x).log())


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """The Kullback-Leibler divergence of ``input`` (log-probabilities) from ``target`` (probabilities, or
    log-probabilities with ``log_target``), elementwise: t·(log t - input), with 0·log 0 = 0.

    ``reduction='batchmean'`` divides the sum by the batch size (dim 0), which gives the true KL divergence per
    sample; 'mean' divides by the number of elements, and warns so, as torch does.
    """
    check_tensor(input, "kl_div")
    check_tensor(target, "kl_div", "target")
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce, "kl_div")
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"kl_div: {reduction} is not a valid value for reduction; expected one of "
                         f"{_REDUCTIONS + ('batchmean',)}")
    if input.dtype.kind != "f" or target.dtype.kind != "f":
        raise RuntimeError(f"kl_div: Integral inputs not supported; expected floating tensors, got dtypes "
                           f"{input.dtype} and {target.dtype}")
    try:
        broadcast_shapes(input.shape, target.shape)
    except RuntimeError:
        raise RuntimeError(f"kl_div: expected input and target of shapes that broadcast, got {input.shape} and "
                           f"{target.shape}") from None
    if log_target:
        losses = target.exp() * (target - input)
    else:
        losses = _x_log_x(target) - target * input
    if reduction == "batchmean":
        return losses.sum() / input.shape[0] if input.ndim else losses.sum()
    return _reduce(losses, reduction)
