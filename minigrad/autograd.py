"""Reverse-mode automatic differentiation: the graph node and the engine that walks it backwards.

Every differentiable op is a subclass of :class:`Function` with two static methods written side by side::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):            # raw arrays in, raw array out
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):           # dL/d(out) in, dL/d(each input) out
            a, b = ctx.saved_tensors
            return grad * b, grad * a

``Mul.apply(x, y)`` runs ``forward`` and, when a gradient will be wanted, keeps the Function instance as the
output's ``grad_fn``: a node of the backward graph that remembers its parents (the nodes, or leaf tensors, that
produced its inputs) and what ``forward`` saved. ``Tensor.backward`` hands the graph to :func:`backward`, which
visits the nodes in a topological order found without recursion, so a 20,000-step chain is no problem.

Gradients are summed back to each input's shape in ONE place, :func:`unbroadcast`, called by the engine: an op's
backward may return a gradient with the broadcast shape of its output and never has to think about it.
"""

from __future__ import annotations

import contextlib

# autograd and tensor need each other; tensor imports this module first (see minigrad/__init__), so the
# module object below is complete by the time any function here runs.
from . import tensor as _tensor
from .backend import DEVICE_OF_TYPE  # filled in place when CuPy loads, so this name stays current

_grad_enabled = True

# Observers for the trace tools (minigrad.trace). Each list is empty unless a trace is active, so ordinary code pays
# one truth test per op. A creation hook is called as hook(node) when a node is recorded; a backward observer is
# called as observer(node, output_grads, input_grads) after each node's backward, before its saved values are freed.
creation_hooks: list = []
backward_observers: list = []
# The trace scope (which step of which layer, see minigrad.trace.scope) that new nodes belong to, or None.
current_scope = None


def is_grad_enabled() -> bool:
    return _grad_enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off inside a ``with`` block or a decorated function."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._previous = []  # a stack: a decorated function may call itself, entering the same object again

    def __enter__(self):
        global _grad_enabled
        self._previous.append(_grad_enabled)
        _grad_enabled = self.mode

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous.pop()


class no_grad(set_grad_enabled):
    """Record no graph: ``with minigrad.no_grad(): ...`` or ``@minigrad.no_grad()`` (evaluation, updates)."""

    def __init__(self):
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record the graph again inside a ``no_grad`` region."""

    def __init__(self):
        super().__init__(True)


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` takes the hook away again."""

    _next_id = 0

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


class Function:
    """A differentiable operation; an instance is both the ``ctx`` of one call and a node of the backward graph.

    Graph bookkeeping lives in slots; whatever ``forward`` stores on ``ctx`` lives in the instance ``__dict__``,
    so freeing a node after its backward (unless ``retain_graph``) is one ``clear()``.

    Most ops have one output. An op whose forward returns a tuple of arrays (``unbind``, ``split``) has several:
    its backward then receives one gradient per output, None for outputs that received none.
    """

    __slots__ = ("edges", "num_outputs", "device", "scope", "__dict__",
                 "__weakref__")
    # Rarely set, so class-level defaults rather than slots filled for every node; an instance that needs one
    # (a hook, retain_grad, a released node) gets it in its __dict__.
    hooks = None
    retained = None
    released = False

    # --- the two methods each op writes -------------------------------------------------------------------
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    # --- used inside forward/backward ---------------------------------------------------------------------
    def save_for_backward(self, *arrays) -> None:
        self.saved_tensors = arrays

    @property
    def needs_input_grad(self) -> list:
        """For each input of the call, whether a gradient must be computed for it."""
        return [edge is not None and edge[0] is not None for edge in self.edges]

    # --- the edges, one by one (for the trace tools) --------------------------------------------------------
    @property
    def parents(self) -> list:
        """For each input, the node that produced it, or the leaf tensor itself; None for inputs that need no
        gradient (constants, tensors that do not require grad)."""
        return [None if edge is None else edge[0] for edge in self.edges]

    @property
    def parent_outputs(self) -> list:
        """For each input, which output of its parent node it is (0 for leaves and constants)."""
        return [0 if edge is None else edge[1] for edge in self.edges]

    @property
    def input_meta(self) -> list:
        """For each input, (shape, dtype) of the tensor, or None for a constant."""
        return [None if edge is None else edge[2:] for edge in self.edges]

    @property
    def xp(self):
        """The array module (numpy or cupy) of the device this op runs on."""
        return self.device.xp

    # --- running an op -------------------------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs, **params):
        """Run ``forward`` on the inputs' arrays; record a graph node when any input requires grad.

        ``inputs`` are Tensors or Python numbers (a number is a constant); ``params`` are passed to forward as is.
        Returns a Tensor, or a tuple of Tensors when forward returns a tuple.
        """
        # This runs for every op of every model, so it is written for speed: one pass over the inputs collects
        # the arrays for forward and, when a graph is being recorded, the edges of the node.
        Tensor = _tensor.Tensor
        ctx = cls.__new__(cls)  # (not cls(): an op written by a user may have an __init__ of its own)
        arrays, edges, array_type, wants_graph = [], [], None, False
        for x in inputs:
            if isinstance(x, Tensor):
                data = x.data
                if type(data) is not array_type:
                    if array_type is not None:  # only then can the devices differ
                        _check_one_device(cls, inputs)
                    array_type = type(data)
                arrays.append(data)
                if not _grad_enabled:
                    continue
                # One edge per input: (parent, output_nr, shape, dtype), where the parent is the node that
                # produced the input (or the leaf itself; None when it needs no gradient), output_nr which of the
                # parent's outputs it is, and shape and dtype what its gradient must have.
                if x.requires_grad:
                    wants_graph = True
                    edges.append((x.grad_fn or x, x.output_nr, data.shape, data.dtype))
                else:
                    edges.append((None, 0, data.shape, data.dtype))
            else:  # a constant, passed to forward as it is
                arrays.append(x)
                edges.append(None)
        ctx.device = None if array_type is None else DEVICE_OF_TYPE[array_type]
        out = cls.forward(ctx, *arrays, **params)
        make = Tensor._make
        several = type(out) is tuple
        first = (out[0] if out else None) if several else out
        if wants_graph and first is not None and first.dtype.kind == "f":
            # the call becomes a node of the graph, and the node owns its outputs
            ctx.edges = edges
            ctx.scope = current_scope
            if several:
                ctx.num_outputs = len(out)
                results = tuple([make(array, ctx, number) for number, array in enumerate(out)])
            else:
                ctx.num_outputs = 1
                results = make(out, ctx)
            if creation_hooks:
                for hook in creation_hooks:
                    hook(ctx)
            return results
        return tuple([make(array) for array in out]) if several else make(out)

    def release(self) -> None:
        """Free what forward saved; a later backward through this node raises instead of using stale data."""
        self.__dict__.clear()
        self.released = True

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name()}>"


def _check_one_device(function, inputs) -> None:
    devices = [x.device for x in inputs if isinstance(x, _tensor.Tensor)]
    for device in devices[1:]:
        if device != devices[0]:
            raise RuntimeError(f"{function.__name__}: expected all tensors on the same device, "
                               f"got {devices[0]} and {device}")


def unbroadcast(grad, shape: tuple):
    """Sum a gradient back to the shape of the input it belongs to.

    Broadcasting copies an input along new leading axes and along axes of size 1; in the backward pass each copy's
    gradient flows to the same input element, so those axes are summed.
    """
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    axes = tuple(range(leading)) + tuple(
        leading + axis for axis, size in enumerate(shape) if size == 1 and grad.shape[leading + axis] != 1)
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape)


_FREED = ("Trying to backward through the graph a second time (or after its saved values were freed). "
          "Pass retain_graph=True to the first backward() if you need to backward through it again.")


def backward(tensor, gradient, retain_graph: bool = False) -> None:
    """Accumulate d(tensor)/d(leaf) · gradient into ``leaf.grad`` for every leaf the tensor depends on.

    1. Count, for every node reachable from the root, how many of its consumers lie in this graph.
    2. Kahn's algorithm: a node runs once all its consumers have handed it their gradients, so its incoming
       gradients are complete; they are dropped as soon as the node has used them.
    3. Leaves collect their total gradient, which passes through their hooks and is added to ``.grad``.
    """
    root = tensor.grad_fn
    leaf_grads = {}
    summed = set()  # see _add
    if root is None:  # backward on a leaf: d(leaf)/d(leaf) is the identity
        leaf_grads[tensor] = gradient
    else:
        pending = _count_consumers(root)
        grads = {root: [None] * root.num_outputs}  # node -> the gradient of each of its outputs
        grads[root][tensor.output_nr] = gradient
        ready = [root]
        while ready:
            node = ready.pop()
            output_grads = grads.pop(node, None)
            if output_grads is None:  # nothing reached this node (its consumers produced no gradient for it)
                input_grads = (None,) * len(node.edges)
            else:
                if node.hooks is not None or node.retained is not None:
                    _run_tensor_hooks(node, output_grads)
                input_grads = node.backward(node, *output_grads)
                if type(input_grads) is not tuple:
                    input_grads = (input_grads,)
                if backward_observers:
                    for observer in backward_observers:
                        observer(node, output_grads, input_grads)
            if not retain_graph:
                node.release()
            for edge, grad in zip(node.edges, input_grads):
                if edge is None:
                    continue
                parent, output_nr, shape, dtype = edge
                if parent is None:
                    continue
                if grad is not None:
                    if grad.shape != shape:
                        grad = unbroadcast(grad, shape)
                    if grad.dtype is not dtype and grad.dtype != dtype:  # identity first: dtypes are shared
                        grad = grad.astype(dtype)
                if parent in pending:  # a node (leaves are not counted)
                    if grad is not None:
                        slots = grads.get(parent)
                        if slots is None:
                            slots = grads[parent] = [None] * parent.num_outputs
                        slots[output_nr] = grad if slots[output_nr] is None else _add(
                            slots[output_nr], grad, (parent, output_nr), summed)
                    left = pending[parent] - 1
                    pending[parent] = left
                    if left == 0:
                        ready.append(parent)
                elif grad is not None:
                    total = leaf_grads.get(parent)
                    leaf_grads[parent] = grad if total is None else _add(total, grad, parent, summed)
    for leaf, grad in leaf_grads.items():
        _accumulate_into_leaf(leaf, grad)


def _add(total, grad, key, summed: set):
    """The gradient so far plus one more contribution.

    The first contribution is kept as it is (by the caller): it may be shared (Add hands the same array to both
    its inputs). The second makes a new array, the sum, whose ``key`` goes into ``summed``; nobody else holds that
    array, so later contributions are added into it in place: a weight used at every time step costs one buffer,
    not one per step.
    """
    if key in summed:
        total += grad
        return total
    summed.add(key)
    return total + grad


def _count_consumers(root: Function) -> dict:
    pending = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        if node.released:
            raise RuntimeError(_FREED)
        for edge in node.edges:
            if edge is not None and isinstance(edge[0], Function):
                parent = edge[0]
                if parent not in pending:
                    pending[parent] = 0
                    stack.append(parent)
                pending[parent] += 1
    return pending


def _run_tensor_hooks(node: Function, output_grads: list) -> None:
    """Apply the hooks (and retain_grad) of the tensors this node produced, before the node's own backward."""
    for output_nr, grad in enumerate(output_grads):
        if grad is None:
            continue
        grad = output_grads[output_nr] = _apply_hooks((node.hooks or {}).get(output_nr), grad)
        retained = (node.retained or {}).get(output_nr)
        tensor = retained() if retained is not None else None
        if tensor is not None:
            tensor.grad = _tensor.Tensor._make(grad.copy() if tensor.grad is None else tensor.grad.data + grad)


def _apply_hooks(hooks, grad):
    for hook in list((hooks or {}).values()):
        replacement = hook(_tensor.Tensor._make(grad))
        if replacement is not None:
            if not isinstance(replacement, _tensor.Tensor) or replacement.shape != grad.shape:
                raise RuntimeError(
                    f"a hook must return None or a Tensor of the gradient's shape {tuple(grad.shape)}, "
                    f"got {replacement!r}")
            grad = replacement.data
    return grad


def _accumulate_into_leaf(leaf, grad) -> None:
    grad = _apply_hooks(leaf._hooks, grad)
    if leaf.grad is None:
        # A copy: the array may be shared with another leaf's gradient or be a read-only broadcast view,
        # and users scale .grad in place (clipping).
        leaf.grad = _tensor.Tensor._make(grad.copy())
    else:
        leaf.grad.data += grad
