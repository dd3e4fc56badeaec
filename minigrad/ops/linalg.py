"""Products: matmul with NumPy's rules, the fused linear layer, and einsum. Each is linear in every operand, so
its jvp is a sum of products with one operand replaced by its tangent."""

from __future__ import annotations

import string

from ..engine import Function
from .formulas import total


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

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return total(None if ta is None else ta @ b, None if tb is None else a @ tb)


class Linear(Function):
    """y = x Wᵀ + b for x of shape (..., in): one node and one matrix product for all the leading axes.

    The layer every network is made of, fused into one op because it runs at every time step of a recurrence.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        out = (x if x.ndim == 2 else x.reshape(-1, x.shape[-1])) @ weight.T
        if bias is not None:
            out += bias
        return out.reshape(x.shape[:-1] + weight.shape[:1])

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        flat_grad = grad.reshape(-1, weight.shape[0])
        need = ctx.needs_input_grad
        # y = x Wᵀ + b  ⇒  dx = dy W,  dW = dyᵀ x,  db = dy summed over the rows (by the engine's unbroadcast,
        # as for any broadcast operand)
        flat_x = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])  # (a recurrent step's x is 2-d already)
        return ((flat_grad @ weight).reshape(x.shape) if need[0] else None,
                flat_grad.T @ flat_x if need[1] else None) + ((grad,) if len(need) == 3 else ())

    @staticmethod
    def jvp(ctx, tx, tw, tb=None):
        x, weight = ctx.saved_tensors
        return total(None if tx is None else tx @ weight.T, None if tw is None else x @ tw.T, tb)


class Einsum(Function):
    """``einsum(equation, *operands)``, NumPy's and torch's: a sum of products over the indices that the output
    leaves out. Its gradient for one operand is another einsum: the output's gradient times the other operands,
    summed over everything that operand does not index."""

    @staticmethod
    def forward(ctx, *operands, equation):
        ctx.inputs, ctx.output = _parse_einsum(equation, len(operands))
        ctx.save_for_backward(*operands)
        return ctx.xp.einsum(equation, *operands)

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        return tuple(_einsum_gradient(ctx, position, grad, operands) if needed else None
                     for position, needed in enumerate(ctx.needs_input_grad))

    @staticmethod
    def jvp(ctx, *tangents):
        operands = ctx.saved_tensors
        equation = ",".join(ctx.inputs) + "->" + ctx.output
        return total(*(None if tangent is None else ctx.xp.einsum(
            equation, *(tangent if j == i else operand for j, operand in enumerate(operands)))
            for i, tangent in enumerate(tangents)))


def _parse_einsum(equation: str, count: int) -> tuple:
    """(input subscripts, output subscripts) of an einsum equation, the implicit output made explicit (the
    indices that appear once, in alphabetical order, after any ...)."""
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    inputs = inputs.split(",")
    if len(inputs) != count:
        raise RuntimeError(f"einsum: the equation has {len(inputs)} operands, got {count} tensors")
    if not arrow:
        letters = "".join(inputs).replace(".", "")
        output = ("..." if "..." in equation else "") + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1))
    for subscripts in inputs + [output]:
        if set(subscripts.replace("...", "")) - set(string.ascii_letters):
            raise RuntimeError(f"einsum: expected subscripts of letters (and ...), got {subscripts!r}")
    return inputs, output


def _einsum_gradient(ctx, position: int, grad, operands):
    """dL/d(operand) as an einsum of the output's gradient with the other operands."""
    xp = ctx.xp
    subscripts = ctx.inputs[position]
    letters = subscripts.replace("...", "")
    if len(set(letters)) != len(letters):
        raise NotImplementedError(f"einsum: the gradient for operand {position} ({subscripts!r}) repeats an index "
                                  "(a diagonal); express it with a mask or torch.diagonal-like indexing instead")
    if "..." in subscripts and not subscripts.startswith("..."):
        raise NotImplementedError(f"einsum: the gradient for operand {position} needs its ... first, got "
                                  f"{subscripts!r}")
    others = [s for i, s in enumerate(ctx.inputs) if i != position]
    present = set(ctx.output + "".join(others))
    kept = "".join(c for c in letters if c in present)
    ellipsis = "..." if "..." in subscripts else ""
    result = xp.einsum(",".join([ctx.output] + others) + "->" + ellipsis + kept,
                       grad, *(o for i, o in enumerate(operands) if i != position))
    # indices that only this operand has were summed over inside the op: their gradient is the same for every
    # value, so the result is broadcast along them
    shape = operands[position].shape
    leading = result.ndim - len(kept)  # the ... axes (as broadcast in the output; the engine sums them back)
    for axis, letter in enumerate(letters):
        if letter not in present:
            result = xp.expand_dims(result, leading + axis)
    return xp.broadcast_to(result, result.shape[:leading] + tuple(shape[len(shape) - len(letters):]))
