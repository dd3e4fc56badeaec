"""Gradient clipping: keep one bad batch from throwing the weights far away (exploding gradients); all parameters
as one vector and back. torch.nn.utils' ``rnn`` (padding and packing) is written in models: importing
``models.nn`` registers it here as ``rnn``."""

from __future__ import annotations

import math

from .. import backend
from ..checks import lives_in_models_nn, type_name
from ..functions import cat
from ..tensor import Tensor


CLIP_EPS = 1e-6  # added to the norm before dividing, as torch does (traces that predict clipping use it too)


def _with_grads(parameters, op: str):
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: expected Tensors (parameters), got {type(p).__name__}")
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False):
    """Scale all gradients together so that their global norm is at most ``max_norm``.

    The norm is taken over all gradients as if they were one vector. Returns that norm *before* clipping, as a
    Tensor (torch semantics) — the number to log when watching for explosions.
    """
    if not max_norm > 0:
        raise ValueError(f"clip_grad_norm_: expected max_norm > 0, got {max_norm}")
    grads = [p.grad._array for p in _with_grads(parameters, "clip_grad_norm_")]
    if not grads:
        return Tensor(0.0)
    xp = backend.device_of(grads[0]).xp
    # Kept as a 0-d array throughout (NumPy would hand back scalars, whose arithmetic can round differently from
    # arrays'), so every device computes the same bits.
    if norm_type == math.inf:
        total = xp.asarray(xp.stack([abs(g).max() for g in grads]).max())
    else:
        total = xp.power(xp.asarray(xp.stack([(abs(g) ** norm_type).sum() for g in grads]).sum()), 1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(f"clip_grad_norm_: the total norm of the gradients is {float(total)}; expected a "
                           "finite number (pass error_if_nonfinite=False to clip anyway)")
    # Multiplying by min(1, ...) rather than branching on the norm avoids copying it to the host (a GPU sync).
    scale = (max_norm / (total + CLIP_EPS)).clip(max=1.0)
    for g in grads:
        g *= scale.astype(g.dtype)
    return Tensor._make(total)


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place."""
    if not clip_value > 0:
        raise ValueError(f"clip_grad_value_: expected clip_value > 0, got {clip_value}")
    for p in _with_grads(parameters, "clip_grad_value_"):
        p.grad._array[...] = p.grad._array.clip(-clip_value, clip_value)


def parameters_to_vector(parameters) -> Tensor:
    """Every parameter flattened and joined, in order, into one vector (in the graph: gradients flow back)."""
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """The reverse of parameters_to_vector: each parameter takes its slice of ``vec``, reshaped, as its values.
    As in torch, the parameters then share ``vec``'s memory."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected torch.Tensor, but got: {type_name(vec)}")
    parameters = list(parameters)
    needed = sum(param.numel() for param in parameters)
    if vec.numel() < needed:
        raise RuntimeError(f"vector_to_parameters: expected a vector of at least {needed} elements (one for each "
                           f"parameter value), got {vec.numel()}")
    start = 0
    for param in parameters:
        count = param.numel()
        param.data = vec[start:start + count].view_as(param).data
        start += count


def __getattr__(name):
    if name == "rnn":  # (until models.nn registers it)
        raise AttributeError(lives_in_models_nn(f"{__name__}.{name}"))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
