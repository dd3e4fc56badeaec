"""Reverse-mode automatic differentiation: the nodes of the backward graph, and the engine that walks them.

This module knows two things only: arrays, and graph nodes. Tensors are the tensor side's business
(tensor.py): it turns a call on tensors into a node (``apply``), gives each leaf an ``AccumulateGrad`` node that
adds the gradient into ``.grad``, and hands the engine hooks that see gradients as tensors.

Every differentiable op is a subclass of :class:`Function` with its formulas written side by side::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):            # arrays in, array out
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):           # dL/d(out) in, dL/d(each input) out
            a, b = ctx.saved_tensors
            return grad * b, grad * a

One call of an op is one Function instance: the ``ctx`` its forward and backward share, and, when a gradient
will be wanted, a node of the backward graph. A node's ``edges`` lead to the nodes that produced its inputs.
:func:`backward` visits the nodes in a topological order found without recursion (a 20,000-step chain is no
problem) and frees what each node saved as soon as it has run.

Gradients are summed back to each input's shape in ONE place, :func:`unbroadcast`, called by the engine: an op's
backward may return a gradient with the broadcast shape of its output and never has to think about it.
"""

from __future__ import annotations

import contextlib

# --- grad mode -----------------------------------------------------------------------------------------------
_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether ops record the graph now (False inside ``no_grad``)."""
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


# --- observers: the one way for tools to watch the engine ----------------------------------------------------
class Observer:
    """Something that watches the engine, as chainer's function hooks do (the traces and ``detect_anomaly``).

    Override either method; both do nothing by default. Watch with ``with minigrad.engine.observe(observer):``,
    or ``handle = observe(observer)`` ... ``handle.remove()``.
    """

    def node_created(self, node: "Function") -> None:
        """Called when a call of an op becomes a node of the graph."""

    def node_backward(self, node: "Function", output_grads, input_grads) -> None:
        """Called after ``node`` ran its backward, before its saved values are freed: the gradients it received
        (one per output, None where none arrived) and those it returned (one per input)."""


_observers: list = []  # empty unless a tool is watching, so ordinary code pays one truth test per op


class observe:
    """Let ``observer`` watch every node created and every backward run: inside a ``with`` block, or from now until
    ``remove()`` (for tools whose watching does not follow one block)."""

    def __init__(self, observer: Observer):
        self.observer = observer
        _observers.append(observer)

    def remove(self) -> None:
        if self.observer in _observers:
            _observers.remove(self.observer)

    def __enter__(self) -> Observer:
        return self.observer

    def __exit__(self, *exc) -> None:
        self.remove()


class annotate:
    """``with annotate(label):`` marks every node created inside the block with ``node.scope = label``.

    The traces use it to know which step of which layer made a node (``minigrad.trace.scope``). A plain class
    with slots, not a generator: recurrent layers enter one at every time step.
    """

    __slots__ = ("_outer",)

    def __enter__(self):
        global _scope
        self._outer, _scope = _scope, self
        return self

    def __exit__(self, *exc):
        global _scope
        _scope, self._outer = self._outer, None


_scope = None  # the innermost annotate block, or None


def annotation():
    """The innermost ``annotate`` block now open (the label new nodes get), or None."""
    return _scope


# --- the node --------------------------------------------------------------------------------------------------
class Function:
    """A differentiable operation; an instance is both the ``ctx`` of one call and a node of the backward graph.

    Graph bookkeeping lives in slots; whatever ``forward`` stores on ``ctx`` lives in the instance ``__dict__``,
    so freeing a node after its backward (unless ``retain_graph``) is one ``clear()``.

    Most ops have one output. An op whose forward returns a tuple of arrays (``unbind``, ``split``) has several:
    its backward then receives one gradient per output, None for outputs that received none.
    """

    __slots__ = ("edges", "num_outputs", "device", "scope", "__dict__", "__weakref__")
    # Rarely set, so class-level defaults rather than slots filled for every node; a node that needs one gets it
    # in its __dict__. ``pre_hooks``: {output_nr: {id: hook}}, each hook maps that output's gradient to a new one
    # (or None to keep it) before the node runs (tensor hooks, retain_grad).
    pre_hooks = None
    released = False
    _saved = ()
    _saved_versions = ()  # (version counter, version, position, role) of each saved input or output (tensor side)
    # What this node computes its formulas with: None for arrays (ctx.xp is NumPy/CuPy, ctx.saved_tensors the saved
    # arrays); while its backward is being differentiated (create_graph) or its jvp computed, the tensor side's
    # arithmetic of tensors (ctx.xp is minigrad's differentiable ops under NumPy's names, saved_tensors tensors).
    _values = None

    # --- the methods each op writes --------------------------------------------------------------------------
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @staticmethod
    def jvp(ctx, *tangents):
        """Forward mode: d(output) for the inputs' tangents d(input) (None where an input has none)."""
        raise NotImplementedError(f"{ctx.name()}: this op has no jvp (forward-mode derivative)")

    # --- used inside forward/backward -------------------------------------------------------------------------
    def save_for_backward(self, *arrays) -> None:
        """Keep arrays for backward: inputs and outputs of forward (their versions are checked when backward
        reads them), or constants such as a boolean mask."""
        self._saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        """What forward saved, after checking that no in-place change touched an input or output since."""
        if self.released:
            raise RuntimeError(_FREED)
        for counter, version, position, _ in self._saved_versions:
            if counter[0] != version:
                array = self._saved[position]
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{array.dtype} {list(array.shape)}], saved by {self.name()}, is at version "
                    f"{counter[0]}; expected version {version} instead. Hint: the in-place change happened after "
                    "this op's forward; clone() the tensor before changing it, or change it before using it.")
        return self._saved if self._values is None else self._values.saved(self)

    @property
    def needs_input_grad(self) -> list:
        """For each input of the call, whether a gradient must be computed for it."""
        return [edge is not None and edge[0] is not None for edge in self.edges]

    @property
    def xp(self):
        """The array module of the device this op runs on (numpy or cupy, with a few additions: backend.devices),
        or, while a formula is computed on tensors, the same names on minigrad's differentiable ops."""
        return self.device.xp if self._values is None else self._values.namespace(self.device)

    # --- recording ----------------------------------------------------------------------------------------------
    def connect(self, edges: list, num_outputs: int) -> None:
        """Make this call a node of the graph: one edge per input, ``(parent node, output_nr, shape, dtype)`` where
        the parent produced the input (None when the input needs no gradient), or None for a constant."""
        self.edges = edges
        self.num_outputs = num_outputs
        self.scope = _scope
        if _observers:
            for observer in _observers:
                observer.node_created(self)

    # --- the edges, one by one (for the trace tools) -------------------------------------------------------------
    @property
    def parents(self) -> list:
        """For each input, the node that produced it (a leaf's AccumulateGrad node for a leaf); None for inputs
        that need no gradient."""
        return [None if edge is None else edge[0] for edge in self.edges]

    @property
    def parent_outputs(self) -> list:
        """For each input, which output of its parent node it is (0 for leaves and constants)."""
        return [0 if edge is None else edge[1] for edge in self.edges]

    @property
    def input_meta(self) -> list:
        """For each input, (shape, dtype) of the tensor, or None for a constant."""
        return [None if edge is None else edge[2:] for edge in self.edges]

    def release(self) -> None:
        """Free what forward saved; a later backward through this node raises instead of using stale data."""
        self.__dict__.clear()
        self.released = True

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name()}>"


_FREED = ("Trying to backward through the graph a second time (or after its saved values were freed). "
          "Pass retain_graph=True to the first backward() if you need to backward through it again.")


# --- the engine --------------------------------------------------------------------------------------------------
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


class ArrayGradients:
    """The arithmetic the engine does on gradients that are raw arrays (the first-order path). Differentiating
    a gradient again needs the same on tensors; the tensor side supplies it (``create_graph``), together with
    ``namespace`` and ``saved``, which the nodes then use for their formulas (see Function._values)."""

    unbroadcast = staticmethod(unbroadcast)

    @staticmethod
    def cast(grad, dtype):
        return grad.astype(dtype)

    @staticmethod
    def add(total, grad, owned: bool):
        """The sum of two contributions. ``owned``: ``total`` is an array the engine made itself, which nobody
        else holds, so it can take the sum in place (a weight used at every time step costs one buffer)."""
        if owned:
            total += grad
            return total
        return total + grad


def backward(roots, root_grads, retain_graph: bool = False, targets=None, gradients=ArrayGradients):
    """Propagate gradients from ``roots`` (a list of ``(node, output_nr)``) seeded with ``root_grads``.

    1. Find every node reachable from the roots and count, for each, the edges that lead into it.
    2. Kahn's algorithm: a node runs once all its consumers have handed it their gradients, so its incoming
       gradients are complete; they are dropped as soon as the node has used them.
    3. Leaves' AccumulateGrad nodes run like any other and add the total into ``.grad``.

    With ``targets`` (a list of ``(node, output_nr)``), the engine runs only the nodes that lead to a target and
    returns, for each target, the gradient that reached it (after its hooks; None if none did): nothing is
    accumulated anywhere (``autograd.grad``). ``gradients`` is the arithmetic for the gradient values.
    """
    root_nodes = [node for node, _ in roots]
    if targets is None:
        wanted = needed = None
        pending = _count_consumers(root_nodes)
    else:
        wanted = {}  # node -> [(which of its outputs is a target, where its answer goes)]
        for position, (node, output_nr) in enumerate(targets):
            wanted.setdefault(node, []).append((output_nr, position))
        pending, needed = _count_consumers_leading_to(root_nodes, wanted)
    grads = {}
    for (node, output_nr), grad in zip(roots, root_grads):
        slots = grads.setdefault(node, [None] * node.num_outputs)
        slots[output_nr] = grad if slots[output_nr] is None else gradients.add(slots[output_nr], grad, False)
    captured = None if wanted is None else [None] * len(targets)
    owned = set()  # (node, output_nr) whose gradient array the engine made itself (see ArrayGradients.add)
    unbroadcast_, cast, add = gradients.unbroadcast, gradients.cast, gradients.add
    on_tensors = gradients is not ArrayGradients
    ready = [node for node, _ in roots if pending[node] == 0]
    ready = list(dict.fromkeys(ready))  # a node given twice as a root runs once
    while ready:
        node = ready.pop()
        output_grads = grads.pop(node, None)
        if output_grads is not None and node.pre_hooks is not None:
            _run_pre_hooks(node, output_grads)
        if wanted is not None:
            for output_nr, position in wanted.get(node, ()):
                captured[position] = output_grads[output_nr] if output_grads is not None else None
            if not _passes_to(node, needed):
                continue
        if output_grads is None:  # nothing reached this node (its consumers produced no gradient for it)
            input_grads = (None,) * len(node.edges)
        else:
            if node.released:
                raise RuntimeError(_FREED)
            if on_tensors:
                node._values = gradients
                try:
                    input_grads = node.backward(node, *output_grads)
                finally:
                    del node._values
            else:
                input_grads = node.backward(node, *output_grads)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if _observers:
                for observer in _observers:
                    observer.node_backward(node, output_grads, input_grads)
        if not retain_graph:
            node.release()
        try:
            for edge, grad in zip(node.edges, input_grads, strict=True):
                if edge is None or edge[0] is None:
                    continue
                parent, output_nr, shape, dtype = edge
                if wanted is not None and parent not in needed:
                    continue
                if grad is not None:
                    if grad.shape != shape:
                        grad = unbroadcast_(grad, shape)
                    if grad.dtype is not dtype and grad.dtype != dtype:  # identity first: dtypes are shared
                        grad = cast(grad, dtype)
                    slots = grads.get(parent)
                    if slots is None:
                        slots = grads[parent] = [None] * parent.num_outputs
                    if slots[output_nr] is None:
                        slots[output_nr] = grad
                    else:
                        key = (parent, output_nr)
                        slots[output_nr] = add(slots[output_nr], grad, key in owned)
                        owned.add(key)
                left = pending[parent] - 1
                pending[parent] = left
                if left == 0:
                    ready.append(parent)
        except ValueError:
            if len(input_grads) != len(node.edges):  # (zip's strict check, at no cost when all is well)
                raise RuntimeError(
                    f"{node.name()}: backward returned {len(input_grads)} gradients; expected {len(node.edges)}, one "
                    "per input of forward (None for inputs without one)") from None
            raise
    return captured


def _count_consumers(roots) -> dict:
    """For every node reachable from ``roots``: how many edges lead into it (its pending gradients)."""
    pending = dict.fromkeys(roots, 0)
    stack = list(pending)
    while stack:
        node = stack.pop()
        if node.released:
            raise RuntimeError(_FREED)
        for edge in node.edges:
            if edge is not None and edge[0] is not None:
                parent = edge[0]
                if parent not in pending:
                    pending[parent] = 0
                    stack.append(parent)
                pending[parent] += 1
    return pending


def _count_consumers_leading_to(roots, targets) -> tuple:
    """As _count_consumers, for a backward that needs only the nodes from which a target can be reached.

    Returns (pending, needed): ``needed`` holds the targets and every node that leads to one; only the edges
    from nodes that run into needed nodes are counted."""
    reachable = _count_consumers(roots)  # (its counts are redone below, for the needed nodes only)
    consumers = {}
    for node in reachable:
        for edge in node.edges:
            if edge is not None and edge[0] is not None:
                consumers.setdefault(edge[0], []).append(node)
    needed = set(targets)
    stack = list(needed)
    while stack:
        for consumer in consumers.get(stack.pop(), ()):
            if consumer not in needed:
                needed.add(consumer)
                stack.append(consumer)
    pending = dict.fromkeys(reachable, 0)
    for node in reachable:
        if _passes_to(node, needed):
            for edge in node.edges:
                if edge is not None and edge[0] in needed:
                    pending[edge[0]] += 1
    return pending, needed


def _passes_to(node, needed) -> bool:
    """Whether a node must run: it passes a gradient on to a node that leads to a target (always, when every
    node is wanted)."""
    return needed is None or any(edge is not None and edge[0] in needed for edge in node.edges)


def _run_pre_hooks(node: Function, output_grads: list) -> None:
    """Let the hooks of each output replace its gradient, in the order they were registered."""
    for output_nr, hooks in node.pre_hooks.items():
        grad = output_grads[output_nr]
        if grad is None:
            continue
        for hook in list(hooks.values()):
            replacement = hook(grad)
            if replacement is not None:
                grad = replacement
        output_grads[output_nr] = grad
