"""The primitive ops: each forward and its backward side by side, on raw arrays.

Conventions (see autograd.Function):
- ``forward(ctx, *inputs, **params)`` gets arrays (or Python numbers) and returns one array.
- ``backward(ctx, grad)`` gets dL/d(output) and returns dL/d(input) for each input, in order; None where an input
  needs no gradient. A gradient may keep the output's broadcast shape: the engine sums it back to the input's
  shape (autograd.unbroadcast), so no op repeats that logic.
- Array functions come from ``ctx.xp`` (numpy or cupy, whichever the inputs live on).

Everything else (mean, softmax-based losses, stack, chunk, ...) is composed from these in tensor.py and
functional.py, and gets its gradient for free.
"""

from __future__ import annotations

from . import backend
from .autograd import Function


# --- elementwise arithmetic --------------------------------------------------------------------------------
class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # d(a/b)/da = 1/b;  d(a/b)/db = -a/b²
        grad_a = grad / b
        return grad_a, (-grad_a * a / b) if ctx.needs_input_grad[1] else None


class Pow(Function):
    @staticmethod
    def forward(ctx, base, exponent):
        out = base ** exponent
        ctx.save_for_backward(base, exponent, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        base, exponent, out = ctx.saved_tensors
        need_base, need_exponent = ctx.needs_input_grad
        # d(b^e)/db = e·b^(e-1);  d(b^e)/de = b^e·ln b  (only asked for when the exponent is a tensor)
        grad_base = grad * exponent * base ** (exponent - 1) if need_base else None
        grad_exponent = grad * out * ctx.xp.log(base) if need_exponent else None
        return grad_base, grad_exponent


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


# --- elementwise functions ---------------------------------------------------------------------------------
class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out  # d(eˣ)/dx = eˣ


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a  # d(ln x)/dx = 1/x


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)  # d(tanh x)/dx = 1 - tanh²x


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        # σ(x) = 1/(1+e^-x) overflows e^-x for x ≪ 0. The same function is a shifted, scaled tanh,
        # σ(x) = (1 + tanh(x/2)) / 2, and tanh never overflows: stable at ±1000, and half the work of a
        # two-branch formula.
        out = ctx.xp.tanh(a * 0.5)
        out += 1
        out *= 0.5
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)  # dσ/dx = σ(1-σ)


class Relu(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a > 0)
        return ctx.xp.maximum(a, 0).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return grad * positive


class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)  # d√x/dx = 1/(2√x)


class Abs(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ctx.xp.sign(a)  # 0 at 0, as in torch


class Clamp(Function):
    @staticmethod
    def forward(ctx, a, min=None, max=None):
        xp = ctx.xp
        inside = xp.ones(a.shape, dtype=bool)
        out = a
        if min is not None:
            inside = inside & (a >= min)
            out = xp.maximum(out, min)
        if max is not None:
            inside = inside & (a <= max)
            out = xp.minimum(out, max)
        ctx.save_for_backward(inside)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside  # the gradient passes only where the input was not clipped


# --- linear algebra ----------------------------------------------------------------------------------------
class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if a.ndim > 2 and b.ndim == 2:  # a stack of rows times one matrix is one matrix product
            return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + b.shape[-1:])
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        xp = ctx.xp
        need_a, need_b = ctx.needs_input_grad
        # C = A B  ⇒  dA = dC Bᵀ,  dB = Aᵀ dC
        if a.ndim > 2 and b.ndim == 2:  # as in forward: one product over all leading axes, no broadcast copies
            flat_grad = grad.reshape(-1, grad.shape[-1])
            return ((flat_grad @ b.T).reshape(a.shape) if need_a else None,
                    a.reshape(-1, a.shape[-1]).T @ flat_grad if need_b else None)
        # A vector operand is a matrix with one row (a) or one column (b) whose extra axis the product dropped:
        # put the axes back, use the matrix rule, then drop them again. Broadcast batch axes of the matrices are
        # summed back by the engine.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:
            grad = xp.expand_dims(grad, -1)
        if a.ndim == 1:
            grad = xp.expand_dims(grad, -2)
        grad_a = grad @ xp.swapaxes(b2, -1, -2) if need_a else None
        grad_b = xp.swapaxes(a2, -1, -2) @ grad if need_b else None
        if a.ndim == 1 and need_a:
            grad_a = grad_a[..., 0, :]
        if b.ndim == 1 and need_b:
            grad_b = grad_b[..., 0]
        return grad_a, grad_b


class Linear(Function):
    """y = x Wᵀ + b for x of shape (..., in): one node and one matrix product for all the leading axes.

    The layer every network is made of, fused into one op because it runs at every time step of a recurrence.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        flat = x.reshape(-1, x.shape[-1])
        ctx.save_for_backward(flat, weight)
        ctx.shape = x.shape
        out = flat @ weight.T
        if bias is not None:
            out += bias
        return out.reshape(x.shape[:-1] + weight.shape[:1])

    @staticmethod
    def backward(ctx, grad):
        flat, weight = ctx.saved_tensors
        flat_grad = grad.reshape(-1, weight.shape[0])
        need = ctx.needs_input_grad
        # y = x Wᵀ + b  ⇒  dx = dy W,  dW = dyᵀ x,  db = dy summed over the rows (by the engine's unbroadcast,
        # as for any broadcast operand)
        return ((flat_grad @ weight).reshape(ctx.shape) if need[0] else None,
                flat_grad.T @ flat if need[1] else None) + ((grad,) if len(need) == 3 else ())


# --- reductions --------------------------------------------------------------------------------------------
class Sum(Function):
    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return a.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        # Every summed element contributed with weight 1: spread the gradient back over the reduced axes.
        if not ctx.keepdim and ctx.dim is not None:
            grad = ctx.xp.expand_dims(grad, ctx.dim)
        return ctx.xp.broadcast_to(grad, ctx.shape)


class Max(Function):
    """The largest value over ``dim`` (all axes when None); tied maxima share the gradient equally."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        out = a.max(axis=dim, keepdims=True)
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out if keepdim else out.squeeze(axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        is_max = a == out
        grad = grad.reshape(out.shape)
        return grad * is_max / is_max.sum(axis=ctx.dim, keepdims=True)


# --- shape -------------------------------------------------------------------------------------------------
class Reshape(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Permute(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for position, axis in enumerate(ctx.dims):
            inverse[axis] = position
        return grad.transpose(inverse)


class Clone(Function):
    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class BroadcastTo(Function):
    @staticmethod
    def forward(ctx, a, shape):
        return ctx.xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad  # the engine's unbroadcast sums the copies back: that IS the gradient of broadcasting


# --- indexing ----------------------------------------------------------------------------------------------
class GetItem(Function):
    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.dtype, ctx.key = a.shape, a.dtype, key
        return a[key]

    @staticmethod
    def backward(ctx, grad):
        full = ctx.xp.zeros(ctx.shape, dtype=ctx.dtype)
        key = ctx.key if isinstance(ctx.key, tuple) else (ctx.key,)
        if any(backend.is_array(k) and k.dtype.kind in "iu" for k in key):
            # an index array may name the same element twice; each occurrence adds its gradient
            ctx.device.scatter_add(full, ctx.key, grad)
        else:
            full[ctx.key] = grad  # slices and masks select each element at most once
        return full


class Gather(Function):
    """``out[i][j] = a[i][index[i][j]]`` along ``dim`` (torch.gather)."""

    @staticmethod
    def forward(ctx, a, index, dim):
        ctx.shape, ctx.dtype, ctx.dim = a.shape, a.dtype, dim
        ctx.save_for_backward(index)
        return ctx.xp.take_along_axis(a, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        xp = ctx.xp
        # Address every gathered element by a full index tuple: `index` along dim, a broadcast arange elsewhere.
        coordinates = tuple(
            index if axis == ctx.dim else xp.arange(size).reshape((-1,) + (1,) * (index.ndim - axis - 1))
            for axis, size in enumerate(index.shape))
        full = xp.zeros(ctx.shape, dtype=ctx.dtype)
        ctx.device.scatter_add(full, coordinates, grad)
        return full, None


class Split(Function):
    """Consecutive pieces of the given sizes along ``dim``: several outputs of one node, so the backward joins
    the pieces' gradients once instead of padding each to the full size."""

    @staticmethod
    def forward(ctx, a, sizes, dim):
        ctx.shape, ctx.dtype, ctx.dim, ctx.sizes = a.shape, a.dtype, dim, sizes
        pieces, start, before = [], 0, (slice(None),) * dim
        for size in sizes:  # basic slices are views: nothing is copied
            pieces.append(a[before + (slice(start, start + size),)])
            start += size
        return tuple(pieces)

    @staticmethod
    def backward(ctx, *grads):
        return ctx.xp.concatenate([_or_zeros(ctx, g, size) for g, size in zip(grads, ctx.sizes)], axis=ctx.dim)


class Stack(Function):
    """Arrays of one shape joined along a new axis ``dim``: the inverse of Unbind, and one node however many
    arrays (a recurrent layer stacks its T outputs)."""

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        return ctx.xp.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return _slices(grad, ctx.dim)


class Unbind(Function):
    """The slices a[..., i, ...] along ``dim`` for every i, as several outputs of one node."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.shape, ctx.dtype, ctx.dim = a.shape, a.dtype, dim
        return _slices(a, dim)

    @staticmethod
    def backward(ctx, *grads):
        return ctx.xp.stack([_or_zeros(ctx, g, None) for g in grads], axis=ctx.dim)


def _slices(a, dim: int) -> tuple:
    """a[..., i, ...] along ``dim`` for every i: views, nothing copied."""
    return tuple(a[(slice(None),) * dim + (i,)] for i in range(a.shape[dim]))


def _or_zeros(ctx, grad, size):
    """An output's gradient, or zeros of that output's shape when it received none (the output went unused).
    ``size`` is the output's extent along ctx.dim, or None when the output has lost that dimension."""
    if grad is not None:
        return grad
    shape = list(ctx.shape)
    if size is None:
        del shape[ctx.dim]
    else:
        shape[ctx.dim] = size
    return ctx.xp.zeros(tuple(shape), dtype=ctx.dtype)


class Cat(Function):
    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.boundaries = []
        total = 0
        for array in arrays[:-1]:
            total += array.shape[dim]
            ctx.boundaries.append(total)
        return ctx.xp.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(ctx.xp.split(grad, ctx.boundaries, axis=ctx.dim))


class Where(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return ctx.xp.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        zero = ctx.xp.zeros((), dtype=grad.dtype)
        need_a, need_b = ctx.needs_input_grad[1:]
        return (None,
                ctx.xp.where(condition, grad, zero) if need_a else None,
                ctx.xp.where(condition, zero, grad) if need_b else None)


# --- softmax family ----------------------------------------------------------------------------------------
class Softmax(Function):
    @staticmethod
    def forward(ctx, a, dim):
        # softmax is unchanged by subtracting a constant; subtracting the max keeps exp() from overflowing
        e = ctx.xp.exp(a - a.max(axis=dim, keepdims=True))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        # ds_i/dx_j = s_i(δ_ij - s_j)  ⇒  dx = s ⊙ (g - Σ_j g_j s_j)
        return s * (grad - (grad * s).sum(axis=ctx.dim, keepdims=True))


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, a, dim):
        shifted = a - a.max(axis=dim, keepdims=True)
        out = shifted - ctx.xp.log(ctx.xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # d log s_i / dx_j = δ_ij - s_j  ⇒  dx = g - s Σ_i g_i
        return grad - ctx.xp.exp(out) * grad.sum(axis=ctx.dim, keepdims=True)


# --- moving between devices and dtypes ---------------------------------------------------------------------
class To(Function):
    @staticmethod
    def forward(ctx, a, device, dtype):
        return backend.transfer(a, device).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return backend.transfer(grad, ctx.device)  # the engine casts back to the input's dtype
