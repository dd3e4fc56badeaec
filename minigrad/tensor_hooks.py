"""Where gradients reach tensors: a leaf's AccumulateGrad node, and tensor hooks turned into engine hooks.

The engine (engine.py) knows arrays and nodes; these are the tensor side's pieces it is handed:

- every leaf that requires grad ends in an ``AccumulateGrad`` node, which adds the total gradient into
  ``leaf.grad`` after the leaf's hooks have seen it;
- ``tensor.register_hook(fn)`` becomes a pre-hook of the node that produced the tensor, wrapped so that ``fn``
  sees a Tensor and its answer is checked (torch's shape and dtype rules);
- ``retain_grad()`` is one more such hook, which always runs last.
"""

from __future__ import annotations

from . import engine
from .tensor_base import TensorBase


def add_into_grad(tensor: TensorBase, grad) -> None:
    """``tensor.grad += grad``: an array, or a tensor with a graph (create_graph), which is kept and summed out of
    place so that its graph stays whole."""
    if isinstance(grad, TensorBase):
        tensor.grad = grad if tensor.grad is None else tensor.grad + grad
    elif tensor.grad is None:
        # A copy: the array may be shared with another leaf's gradient or be a read-only broadcast view, and
        # users scale .grad in place (clipping).
        tensor.grad = tensor._make(grad.copy())
    else:
        tensor.grad._array += grad
        tensor.grad._bump_version()

class AccumulateGrad(engine.Function):
    """The node where a leaf's gradient ends: it adds the total into ``leaf.grad``, after the leaf's hooks.

    It has no inputs; nothing is saved, so it is never released: a leaf used by several graphs keeps one node
    while any of them is alive.
    """

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable
        self.edges = ()
        self.num_outputs = 1
        self.device = variable.device
        self.scope = None

    @property
    def pre_hooks(self):
        hooks = self.variable._hooks
        return {0: hooks} if hooks else None

    @staticmethod
    def backward(ctx, grad):
        leaf = ctx.variable
        if leaf.requires_grad:  # (after requires_grad_(False) since the forward, torch accumulates nothing either)
            add_into_grad(leaf, grad)
        return ()

    def release(self) -> None:
        pass

    def name(self) -> str:
        return "AccumulateGrad"


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` takes the hook away again."""

    _next_id = 0

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


RETAIN = "retain_grad"  # the key of the hook that keeps a non-leaf's gradient


def tensor_hook(hook, tensor):
    """The user's ``hook(grad: Tensor) -> Tensor | None`` on ``tensor``'s gradient, as an engine hook on arrays."""
    make = tensor._make

    def run(grad):
        on_tensors = isinstance(grad, TensorBase)  # (a gradient that is being differentiated: create_graph)
        replacement = hook(grad if on_tensors else make(grad))
        if replacement is None:
            return None
        if not hasattr(replacement, "_array") or replacement.shape != tuple(grad.shape):
            raise RuntimeError(f"hook '{_name(hook)}' must return None or a Tensor of the gradient's shape "
                               f"{tuple(grad.shape)}, got {replacement!r}")
        if replacement.dtype != grad.dtype:
            raise RuntimeError(f"hook '{_name(hook)}' has changed the type of value (was {grad.dtype} got "
                               f"{replacement.dtype})")
        return replacement if on_tensors else replacement._array
    return run


def retainer(tensor_ref):
    """The engine hook behind ``retain_grad``: add the gradient into the (weakly held) tensor's ``.grad``."""
    def keep(grad):
        tensor = tensor_ref()
        if tensor is None:
            return
        if isinstance(grad, TensorBase):
            tensor.grad = grad if tensor.grad is None else tensor.grad + grad
        else:
            tensor.grad = tensor._make(grad.copy() if tensor.grad is None else tensor.grad._array + grad)
    return keep


def _name(hook) -> str:
    return getattr(hook, "__name__", type(hook).__name__)
