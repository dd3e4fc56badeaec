"""Function transforms, as torch.func: ``jvp``, ``vjp`` and ``grad`` turn a function into its derivatives.

    minigrad.func.grad(f)(x)                      # ∇f(x), for f with one-element output
    minigrad.func.jvp(f, (x,), (v,))              # (f(x), J·v)    forward mode
    out, pullback = minigrad.func.vjp(f, x)       # pullback(u) = uᵀJ, reverse mode

They compose: ``jvp(grad(f), (x,), (v,))`` is a Hessian-vector product (forward over reverse) and
``grad(lambda x: grad(f)(x) @ v)`` another (reverse over reverse). Each transform differentiates the function as a
fresh computation that stays connected to whatever differentiates around it.
"""

from __future__ import annotations

from . import dual
from .autograd import forward_ad
from .autograd.backward import grad as _grad
from .checks import check_tensors
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


__all__ = ["jvp", "vjp", "grad"]
