"""Whole derivatives of a function, as torch.autograd.functional: ``jacobian``, ``hessian``, and the products
``vjp`` (uᵀJ), ``jvp`` (J·v), ``vhp`` (vᵀH) and ``hvp`` (H·v).

``inputs`` is a Tensor or a tuple of them, and the results follow: a Tensor for a Tensor, tuples for tuples (a
Jacobian of several outputs by several inputs is a tuple of tuples). By default the results are plain tensors;
``create_graph=True`` keeps them differentiable.
"""

from __future__ import annotations

from ..checks import check_tensors
from ..functions import stack
from ..tensor import Tensor
from .backward import grad
from .forward_ad import dual_level, make_dual, unpack_dual


def unit_directions(like: Tensor):
    """The unit tensors of ``like``'s shape, one per element, in order: the columns of the identity."""
    for k in range(like.numel()):
        unit = like.detach().new_zeros(like.numel())
        unit[k] = 1.0
        yield unit.reshape(like.shape)


def _fresh(inputs: tuple) -> tuple:
    """Copies of the inputs that require grad, so that the function's graph starts at them."""
    return tuple(x.detach().requires_grad_() for x in inputs)


def _shaped(values: tuple, like) -> object:
    """One value for a Tensor ``like``, the tuple for a tuple."""
    return values[0] if isinstance(like, Tensor) else values


def _finished(values, create_graph: bool):
    if isinstance(values, tuple):
        return tuple(_finished(v, create_graph) for v in values)
    return values if create_graph or values is None else values.detach()


def _gradients(outputs, inputs, cotangents, create_graph: bool, strict: bool, op: str) -> tuple:
    grads = grad(outputs, inputs, cotangents, retain_graph=True, create_graph=True, allow_unused=True)
    if strict and any(g is None for g in grads):
        raise RuntimeError(f"{op}: the output does not depend on every input (strict=True)")
    return tuple(x.new_zeros(x.shape) if g is None else g for g, x in zip(grads, inputs))


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ·J): the gradient of the output's dot product with ``v`` (1 for a one-element output)."""
    given = check_tensors(inputs, "vjp", "inputs")
    xs = _fresh(given)
    output = func(*xs)
    outputs = check_tensors(output, "vjp", "the outputs")
    cotangents = None if v is None else check_tensors(v, "vjp", "v")
    products = _gradients(outputs, xs, cotangents, create_graph, strict, "vjp")
    return _finished(output, create_graph), _finished(_shaped(products, inputs), create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J·v), by forward mode (one pass, no graph): the output's change along ``v``."""
    given = check_tensors(inputs, "jvp", "inputs")
    tangents = (given[0].new_ones(given[0].shape),) if v is None else check_tensors(v, "jvp", "v")
    if len(tangents) != len(given) or any(t.shape != x.shape for t, x in zip(tangents, given)):
        raise RuntimeError("jvp: expected v of the inputs' shapes")
    with dual_level():
        output = func(*(make_dual(x if create_graph else x.detach(), t) for x, t in zip(given, tangents)))
        unpacked = [unpack_dual(o) for o in check_tensors(output, "jvp", "the outputs")]
    values = tuple(u.primal for u in unpacked)
    products = tuple(u.primal.new_zeros(u.primal.shape) if u.tangent is None else u.tangent for u in unpacked)
    return _finished(_shaped(values, output), create_graph), _finished(_shaped(products, output), create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d(outputs)/d(inputs): for output shape O and input shape I, a tensor of shape O + I (tuples for tuples).
    Reverse mode takes one backward per output element; ``strategy="forward-mode"`` one jvp per input element."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: expected strategy 'reverse-mode' or 'forward-mode', got {strategy!r}")
    given = check_tensors(inputs, "jacobian", "inputs")
    xs = _fresh(given)
    output = func(*xs)
    outputs = check_tensors(output, "jacobian", "the outputs")
    if strategy == "forward-mode":
        columns = [[[] for _ in given] for _ in outputs]
        for j, x in enumerate(given):
            for direction in unit_directions(x):
                tangents = tuple(direction if i == j else y.new_zeros(y.shape) for i, y in enumerate(given))
                _, products = jvp(func, given, tangents, create_graph=create_graph)
                for out_index, product in enumerate(check_tensors(products, "jacobian", "the outputs")):
                    columns[out_index][j].append(product.reshape(-1))
        blocks = tuple(tuple(stack(cols, 1).reshape(o.shape + x.shape) for cols, x in zip(row, given))
                       for row, o in zip(columns, outputs))
    else:
        blocks = []
        for o in outputs:
            rows = [[] for _ in given]
            flat = o.reshape(-1)
            for i in range(flat.numel()):
                for j, g in enumerate(_gradients((flat[i],), xs, None, create_graph, strict, "jacobian")):
                    rows[j].append(g.reshape(-1))
            blocks.append(tuple(stack(r, 0).reshape(o.shape + x.shape) for r, x in zip(rows, given)))
        blocks = tuple(blocks)
    blocks = tuple(_shaped(row, inputs) for row in blocks)
    return _finished(_shaped(blocks, output), create_graph)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """d²func/d(inputs)² for a function with one output value: the Jacobian of its gradient."""
    given = check_tensors(inputs, "hessian", "inputs")

    def gradient(*xs):
        output = func(*xs)
        if not isinstance(output, Tensor) or output.numel() != 1:
            raise RuntimeError("hessian: expected func to return a one-element Tensor")
        return _gradients((output,), xs, None, True, strict, "hessian")

    blocks = jacobian(gradient, given, create_graph=create_graph, strict=strict,
                      strategy=outer_jacobian_strategy)
    return blocks[0][0] if isinstance(inputs, Tensor) else blocks


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ·H): the gradient of ∇func · v, by reverse mode twice."""
    return _second_order(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H·v). The Hessian of a function with continuous second derivatives is symmetric, so this is
    vᵀH as a column: computed, like vhp, by differentiating ∇func · v once more."""
    return _second_order(func, inputs, v, create_graph, strict, "hvp")


def _second_order(func, inputs, v, create_graph, strict, op):
    given = check_tensors(inputs, op, "inputs")
    xs = _fresh(given)
    output = func(*xs)
    if not isinstance(output, Tensor) or output.numel() != 1:
        raise RuntimeError(f"{op}: expected func to return a one-element Tensor")
    directions = check_tensors(v, op, "v") if v is not None else tuple(x.new_ones(x.shape) for x in xs)
    gradients = _gradients((output,), xs, None, True, strict, op)
    along = sum((g * d).sum() for g, d in zip(gradients, directions))
    products = _gradients((along,), xs, None, create_graph, strict, op)
    return _finished(output, create_graph), _finished(_shaped(products, inputs), create_graph)


__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]
