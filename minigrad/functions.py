"""Functions of tensors: torch's function forms (``minigrad.exp(x)``, ``minigrad.cat([...])``).

Most are the Tensor method of the same name; those that take several tensors (cat, stack, where) are written here.
"""

from __future__ import annotations

from . import backend, ops
from .checks import broadcast_shapes, check_dim
from .tensor import Tensor, apply
from .checks import check_tensor
from .tensor_math import operand


def matmul(input, other):
    """Matrix product with NumPy's rules: vectors, matrices, and broadcast batches of matrices."""
    return check_tensor(input, "matmul", "the first operand").matmul(other)


def where(condition, input, other):
    """Elementwise ``input if condition else other``; each side gets the gradient where it was chosen."""
    if not isinstance(condition, Tensor) or condition.dtype != backend.bool_:
        raise TypeError(f"where: expected a boolean Tensor condition, got "
                        f"{condition.dtype if isinstance(condition, Tensor) else type(condition).__name__}")
    input, other = operand(input, condition, "where"), operand(other, condition, "where")
    broadcast_shapes(*(t.shape for t in (condition, input, other) if isinstance(t, Tensor)), op="where")
    return apply(ops.Where, condition, input, other)


def cat(tensors, dim=0):
    """Join tensors along an existing dimension."""
    tensors = list(tensors)
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError("cat: expected a non-empty sequence of Tensors")
    first = tensors[0]
    d = check_dim(dim, first.ndim, "cat")
    for t in tensors[1:]:
        if t.ndim != first.ndim or t.shape[:d] + t.shape[d + 1:] != first.shape[:d] + first.shape[d + 1:]:
            raise ValueError(f"cat: expected all tensors to match shape {first.shape} except in dim {d}, "
                             f"got {t.shape}")
    return apply(ops.Cat, *_in_one_dtype(tensors), dim=d)


def stack(tensors, dim=0):
    """Join tensors of one shape along a new dimension."""
    tensors = list(tensors)
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError("stack: expected a non-empty sequence of Tensors")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: expected all tensors to have shape {tensors[0].shape}, got {t.shape}")
    d = check_dim(dim, tensors[0].ndim, "stack", extra=1)
    return apply(ops.Stack, *_in_one_dtype(tensors), dim=d)


def _in_one_dtype(tensors: list) -> list:
    """Tensors to be joined, cast to the dtype they promote to (torch's rule: all count as tensors)."""
    first = tensors[0].dtype
    if all(t.dtype == first for t in tensors):
        return tensors
    dtype = backend.result_type([t.dtype for t in tensors])
    return [t.to(dtype) for t in tensors]


# --- the function forms of Tensor methods ------------------------------------------------------------------
def exp(input):
    """``minigrad.exp(x, ...)`` is ``x.exp(...)``."""
    return check_tensor(input, "exp").exp()


def log(input):
    """``minigrad.log(x, ...)`` is ``x.log(...)``."""
    return check_tensor(input, "log").log()


def tanh(input):
    """``minigrad.tanh(x, ...)`` is ``x.tanh(...)``."""
    return check_tensor(input, "tanh").tanh()


def sigmoid(input):
    """``minigrad.sigmoid(x, ...)`` is ``x.sigmoid(...)``."""
    return check_tensor(input, "sigmoid").sigmoid()


def relu(input):
    """``minigrad.relu(x, ...)`` is ``x.relu(...)``."""
    return check_tensor(input, "relu").relu()


def sqrt(input):
    """``minigrad.sqrt(x, ...)`` is ``x.sqrt(...)``."""
    return check_tensor(input, "sqrt").sqrt()


def abs(input):
    """``minigrad.abs(x, ...)`` is ``x.abs(...)``."""
    return check_tensor(input, "abs").abs()


def clamp(input, min=None, max=None):
    """``minigrad.clamp(x, ...)`` is ``x.clamp(...)``."""
    return check_tensor(input, "clamp").clamp(min, max)


def softmax(input, dim):
    """``minigrad.softmax(x, ...)`` is ``x.softmax(...)``."""
    return check_tensor(input, "softmax").softmax(dim)


def log_softmax(input, dim):
    """``minigrad.log_softmax(x, ...)`` is ``x.log_softmax(...)``."""
    return check_tensor(input, "log_softmax").log_softmax(dim)


def gather(input, dim, index):
    """``minigrad.gather(x, ...)`` is ``x.gather(...)``."""
    return check_tensor(input, "gather").gather(dim, index)


def flatten(input, start_dim=0, end_dim=-1):
    """``minigrad.flatten(x, ...)`` is ``x.flatten(...)``."""
    return check_tensor(input, "flatten").flatten(start_dim, end_dim)


def transpose(input, dim0, dim1):
    """``minigrad.transpose(x, ...)`` is ``x.transpose(...)``."""
    return check_tensor(input, "transpose").transpose(dim0, dim1)


def permute(input, dims):
    """``minigrad.permute(x, ...)`` is ``x.permute(...)``."""
    return check_tensor(input, "permute").permute(dims)


def reshape(input, shape):
    """``minigrad.reshape(x, ...)`` is ``x.reshape(...)``."""
    return check_tensor(input, "reshape").reshape(shape)


def squeeze(input, dim=None):
    """``minigrad.squeeze(x, ...)`` is ``x.squeeze(...)``."""
    return check_tensor(input, "squeeze").squeeze(dim)


def unsqueeze(input, dim):
    """``minigrad.unsqueeze(x, ...)`` is ``x.unsqueeze(...)``."""
    return check_tensor(input, "unsqueeze").unsqueeze(dim)


def chunk(input, chunks, dim=0):
    """``minigrad.chunk(x, ...)`` is ``x.chunk(...)``."""
    return check_tensor(input, "chunk").chunk(chunks, dim)


def split(tensor, split_size_or_sections, dim=0):
    """``minigrad.split(x, ...)`` is ``x.split(...)``."""
    return check_tensor(tensor, "split").split(split_size_or_sections, dim)


def masked_fill(input, mask, value):
    """``minigrad.masked_fill(x, ...)`` is ``x.masked_fill(...)``."""
    return check_tensor(input, "masked_fill").masked_fill(mask, value)


def argmax(input, dim=None, keepdim=False):
    """``minigrad.argmax(x, ...)`` is ``x.argmax(...)``."""
    return check_tensor(input, "argmax").argmax(dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """``minigrad.argmin(x, ...)`` is ``x.argmin(...)``."""
    return check_tensor(input, "argmin").argmin(dim, keepdim)


def amax(input, dim=None, keepdim=False):
    """``minigrad.amax(x, ...)`` is ``x.amax(...)``."""
    return check_tensor(input, "amax").amax(dim, keepdim)


def unbind(input, dim=0):
    """``minigrad.unbind(x, ...)`` is ``x.unbind(...)``."""
    return check_tensor(input, "unbind").unbind(dim)


def sort(input, dim=-1, descending=False):
    """``minigrad.sort(x, ...)`` is ``x.sort(...)``."""
    return check_tensor(input, "sort").sort(dim, descending)


def flip(input, dims):
    """``minigrad.flip(x, ...)`` is ``x.flip(...)``."""
    return check_tensor(input, "flip").flip(dims)


def clone(input):
    """``minigrad.clone(x, ...)`` is ``x.clone(...)``."""
    return check_tensor(input, "clone").clone()
