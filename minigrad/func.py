"""Function transforms, as torch.func: ``jvp``, ``vjp`` and ``grad`` turn a function into its derivatives.

    minigrad.func.grad(f)(x)                      # ∇f(x), for f with one-element output
    minigrad.func.jvp(f, (x,), (v,))              # (f(x), J·v)    forward mode
    out, pullback = minigrad.func.vjp(f, x)       # pullback(u) = uᵀJ, reverse mode
    minigrad.func.jacrev(f)(x), jacfwd(f)(x)      # the whole Jacobian, a row or a column at a time
    minigrad.func.hessian(f)(x)                   # jacfwd(jacrev(f)): forward over reverse

They compose: ``jvp(grad(f), (x,), (v,))`` is a Hessian-vector product (forward over reverse) and
``grad(lambda x: grad(f)(x) @ v)`` another (reverse over reverse). Each transform differentiates the function as a
fresh computation that stays connected to whatever differentiates around it.
"""

from __future__ import annotations

from . import dual
from .autograd import forward_ad
from .autograd.functional import unit_directions
from .autograd.backward import grad as _grad
from .checks import check_tensors, is_int
from .functions import stack
from .tensor import Tensor


def _differentiable(tensor: Tensor) -> Tensor:
    """A tensor with ``tensor``'s values that this transform can differentiate with respect to, still connected to
    the graph (and the tangents) of transforms around it."""
    if tensor.requires_grad:
        return tensor[...]  # a view: gradients flow on to the tensor, and tangents come along through the op
    fresh = tensor.detach().requires_grad_(tensor.dtype.kind == "f")
    for level in dual.levels:
        tangent = level.get(tensor)
        if tangent is not None:
            level[fresh] = tangent
    return fresh


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), the directional derivative J·tangents), by forward mode: one forward pass, no graph."""
    primals, tangents = check_tensors(primals, "jvp"), check_tensors(tangents, "jvp")
    if len(primals) != len(tangents):
        raise RuntimeError(f"jvp: expected as many tangents as primals, got {len(tangents)} and {len(primals)}")
    with forward_ad.dual_level():
        result = func(*(forward_ad.make_dual(p, t) for p, t in zip(primals, tangents)))
        result, aux = result if has_aux else (result, None)
        outputs = check_tensors(result, "jvp")
        unpacked = [forward_ad.unpack_dual(o) for o in outputs]
    values = tuple(u.primal for u in unpacked)
    derivatives = tuple(u.tangent if u.tangent is not None else u.primal.new_zeros(u.primal.shape)
                        for u in unpacked)
    if isinstance(result, Tensor):
        values, derivatives = values[0], derivatives[0]
    return (values, derivatives, aux) if has_aux else (values, derivatives)


def vjp(func, *primals, has_aux=False):
    """(func(*primals), pullback): ``pullback(cotangents)`` gives the vector-Jacobian products uᵀJ, one per
    primal, by reverse mode (the graph is kept, so the pullback can be called several times)."""
    inputs = tuple(_differentiable(p) for p in check_tensors(primals, "vjp"))
    result = func(*inputs)
    result, aux = result if has_aux else (result, None)
    outputs = check_tensors(result, "vjp")

    def pullback(cotangents):
        cotangents = check_tensors(cotangents, "vjp")
        grads = _grad(outputs, inputs, cotangents, retain_graph=True, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else x.new_zeros(x.shape) for g, x in zip(grads, inputs))

    return (result, pullback, aux) if has_aux else (result, pullback)


def grad(func, argnums=0, has_aux=False):
    """The function x ↦ ∇func(x) with respect to the argument(s) ``argnums`` (func returns one value)."""
    def gradient(*args, **kwargs):
        positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        args = list(args)
        for position in positions:
            args[position] = _differentiable(args[position])
        result = func(*args, **kwargs)
        value, aux = result if has_aux else (result, None)
        if not isinstance(value, Tensor) or value.numel() != 1:
            raise RuntimeError(f"grad: expected func to return a one-element Tensor, got "
                               f"{value.shape if isinstance(value, Tensor) else type(value).__name__}")
        grads = _grad(value, [args[p] for p in positions], create_graph=True, allow_unused=True,
                      materialize_grads=True)
        grads = grads[0] if isinstance(argnums, int) else grads
        return (grads, aux) if has_aux else grads
    return gradient


def jacrev(func, argnums=0, *, has_aux=False):
    """The function x ↦ ∂func/∂x, the Jacobian, by reverse mode: one vector-Jacobian product per output element,
    each a row of J. For an output of shape O and an argument of shape I it has shape O + I; several outputs or
    ``argnums`` give tuples (outputs outside, arguments inside), as torch.func.jacrev."""
    def jacobian(*args):
        positions, chosen, of_chosen = _chosen(func, argnums, args, "jacrev")
        result, pullback, *aux = vjp(of_chosen, *chosen, has_aux=has_aux)
        outputs = _outputs(result, "jacrev")
        blocks = []
        for i, output in enumerate(outputs):
            rows = [pullback(tuple(direction if m == i else o.new_zeros(o.shape) for m, o in enumerate(outputs)))
                    for direction in unit_directions(output)]
            blocks.append(tuple(_assembled([row[j] for row in rows], 0, output, x) for j, x in enumerate(chosen)))
        return _nested(blocks, result, argnums, aux)
    return jacobian


def jacfwd(func, argnums=0, has_aux=False):
    """The function x ↦ ∂func/∂x, the Jacobian, by forward mode: one Jacobian-vector product per element of the
    arguments, each a column of J. Shapes and tuples as :func:`jacrev`'s (torch.func.jacfwd)."""
    def jacobian(*args):
        positions, chosen, of_chosen = _chosen(func, argnums, args, "jacfwd")
        result = of_chosen(*chosen)
        result, *aux = result if has_aux else (result,)
        outputs = _outputs(result, "jacfwd")
        columns = [[[] for _ in chosen] for _ in outputs]  # [output][argument]: one column per direction
        for j, x in enumerate(chosen):
            for direction in unit_directions(x):
                tangents = tuple(direction if m == j else y.new_zeros(y.shape) for m, y in enumerate(chosen))
                derivatives = jvp(of_chosen, chosen, tangents, has_aux=has_aux)[1]
                for i, derivative in enumerate(_outputs(derivatives, "jacfwd")):
                    columns[i][j].append(derivative)
        blocks = [tuple(_assembled(columns[i][j], output.ndim, output, x) for j, x in enumerate(chosen))
                  for i, output in enumerate(outputs)]
        return _nested(blocks, result, argnums, aux)
    return jacobian


def hessian(func, argnums=0):
    """The function x ↦ ∂²func/∂x², the Jacobian of the Jacobian: ``jacfwd(jacrev(func))``, forward over reverse
    (as torch.func.hessian). For a one-element output and an argument of shape I it has shape I + I."""
    return jacfwd(jacrev(func, argnums), argnums)


def _chosen(func, argnums, args: tuple, op: str):
    """The positions ``argnums`` names, those arguments, and func as a function of them alone (the other
    arguments held as given)."""
    positions = (argnums,) if is_int(argnums) else argnums
    if not isinstance(positions, tuple) or not positions or not all(is_int(p) for p in positions):
        raise RuntimeError(f"{op}: argnums must be int or Tuple[int, ...], got: {type(argnums).__name__}")
    if len(set(positions)) != len(positions):
        raise RuntimeError(f"{op}: argnums elements must be unique, got {argnums}")
    for position in positions:
        if not -len(args) <= position < len(args):
            raise RuntimeError(f"{op}: Got argnum={position}, but only {len(args)} positional inputs")
    positions = tuple(p % len(args) for p in positions)
    chosen = check_tensors(tuple(args[p] for p in positions), op, "the arguments argnums names")
    for x in chosen:
        if x.dtype.kind != "f":
            raise RuntimeError(f"{op}: only Tensors of floating point dtype can be differentiated, got {x.dtype}")

    def of_chosen(*values):
        full = list(args)
        for position, value in zip(positions, values):
            full[position] = value
        return func(*full)
    return positions, chosen, of_chosen


def _outputs(result, op: str) -> tuple:
    """func's output(s) as a tuple of floating tensors."""
    outputs = check_tensors(result, op, "func's outputs")
    for output in outputs:
        if output.dtype.kind != "f":
            raise RuntimeError(f"{op}: all outputs of func must be floating-point Tensors, got dtype {output.dtype}")
    return outputs


def _assembled(pieces: list, dim: int, output: Tensor, argument: Tensor) -> Tensor:
    """The block ∂output/∂argument, of shape output.shape + argument.shape, from its rows (``dim`` 0, each of the
    argument's shape) or its columns (``dim`` = output.ndim, each of the output's shape)."""
    shape = output.shape + argument.shape
    if not pieces:  # (an output or an argument without elements)
        return output.new_zeros(shape)
    return stack(pieces, dim).reshape(shape)


def _nested(blocks: list, result, argnums, aux: list):
    """The Jacobian blocks in the structure of func's result and of argnums, as torch.func returns them."""
    blocks = [row[0] if is_int(argnums) else row for row in blocks]
    jacobian = blocks[0] if isinstance(result, Tensor) else tuple(blocks)
    return (jacobian, *aux) if aux else jacobian


__all__ = ["jvp", "vjp", "grad", "jacrev", "jacfwd", "hessian"]
