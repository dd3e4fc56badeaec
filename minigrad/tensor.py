"""Tensor: an array, the gradient it receives, and the node of the graph that produced it.

A Tensor wraps one array of some device (a NumPy, CuPy or strict array). This module is the tensor side of
autograd: ``apply`` runs a primitive op (engine.Function) on the arrays of its tensor inputs and, when a gradient
will be wanted, makes the call a node of the backward graph whose edges lead to the nodes that produced the
inputs; ``Tensor.backward`` hands the graph to the engine; a leaf's gradient ends in its ``AccumulateGrad`` node.

The math a tensor offers (arithmetic, reductions, reshaping, indexing, ...) is written in two mixins,
``tensor_math.Math`` and ``tensor_shape.Shape``: thin methods that check the user's arguments and call the
primitive ops of ``ops/``.
"""

from __future__ import annotations

import builtins
import weakref

from . import backend, engine, ops
from .checks import broadcast_shapes
from .tensor_math import Math, operand_array
from .tensor_shape import Shape, index_key

_builtin_float, _builtin_int, _builtin_bool = builtins.float, builtins.int, builtins.bool


def check_requires_grad(requires_grad, dtype) -> None:
    if requires_grad and not backend.is_floating(dtype):
        raise RuntimeError(f"only floating point tensors can require gradients, got dtype {dtype}")


# --- running an op on tensors ----------------------------------------------------------------------------------
def apply(function, *inputs, **params):
    """Run ``function.forward`` on the inputs' arrays; make the call a node of the graph when any input requires
    grad (and grad mode is on).

    ``inputs`` are Tensors or Python numbers (a number is a constant); ``params`` are passed to forward as is.
    Returns a Tensor, or a tuple of Tensors when forward returns a tuple.
    """
    # This runs for every op of every model, so it is written for speed: one pass over the inputs collects
    # the arrays for forward and, when a graph is being recorded, the edges of the node.
    ctx = function.__new__(function)  # (not function(): an op written by a user may have an __init__ of its own)
    recording = engine.is_grad_enabled()
    arrays, edges, array_type, wants_graph = [], [], None, False
    for x in inputs:
        if isinstance(x, Tensor):
            data = x._array
            if type(data) is not array_type:
                if array_type is not None:  # only then can the devices differ
                    _check_one_device(function, inputs)
                array_type = type(data)
            arrays.append(data)
            if not recording:
                continue
            # One edge per input: (parent, output_nr, shape, dtype), where the parent is the node that produced
            # the input (a leaf's AccumulateGrad; None when it needs no gradient), output_nr which of the
            # parent's outputs it is, and shape and dtype what its gradient must have.
            if x.requires_grad:
                wants_graph = True
                edges.append((x.grad_fn or x._grad_accumulator(), x.output_nr, data.shape, data.dtype))
            else:
                edges.append((None, 0, data.shape, data.dtype))
        else:  # a constant, passed to forward as it is
            arrays.append(x)
            edges.append(None)
    ctx.device = None if array_type is None else backend.DEVICE_OF_TYPE[array_type]
    out = function.forward(ctx, *arrays, **params)
    make = Tensor._make
    several = type(out) is tuple
    first = (out[0] if out else None) if several else out
    if wants_graph and first is not None and first.dtype.kind == "f":
        # the call becomes a node of the graph, and the node owns its outputs
        if several:
            ctx.connect(edges, len(out))
            return tuple([make(array, ctx, number) for number, array in enumerate(out)])
        ctx.connect(edges, 1)
        return make(out, ctx)
    return tuple([make(array) for array in out]) if several else make(out)


def _check_one_device(function, inputs) -> None:
    devices = [x.device for x in inputs if isinstance(x, Tensor)]
    for device in devices[1:]:
        if device != devices[0]:
            raise RuntimeError(f"{function.__name__}: expected all tensors on the same device, "
                               f"got {devices[0]} and {device}")



class Tensor(Math, Shape):
    """An n-dimensional array that can record the operations applied to it and differentiate through them.

    ``data``           the array (NumPy on cpu, CuPy on cuda)
    ``requires_grad``  whether ops on this tensor are recorded for backward
    ``grad``           after ``backward()``, the accumulated gradient (a Tensor) of a leaf
    ``grad_fn``        the graph node that produced this tensor, None for leaves
    """

    __slots__ = ("_array", "requires_grad", "grad", "grad_fn", "output_nr", "_hooks", "_accumulator",
                 "__weakref__")
    _apply = staticmethod(apply)  # the mixins run ops through self._apply
    __array_ufunc__ = None  # NumPy defers to our reflected operators: np_array * tensor gives a Tensor
    __hash__ = object.__hash__  # tensors compare elementwise, yet are still usable as dict keys (by identity)

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        if isinstance(data, Tensor) or (backend.is_array(data) and backend.device_of(data) != backend.cpu):
            # data already on a device stays there unless another device is named
            array = data._array if isinstance(data, Tensor) else data
            if device is not None:
                array = backend.transfer(array, backend.get_device(device))
            if dtype is not None:
                array = array.astype(backend.as_dtype(dtype), copy=False)
        else:  # host data (Python numbers and lists, NumPy arrays) goes to the named or default device
            array = backend.get_device(device).from_host(backend.host_array(data, dtype))
        check_requires_grad(requires_grad, array.dtype)
        self._array = array
        self.requires_grad = _builtin_bool(requires_grad)
        self.grad = None
        self.grad_fn = None
        self.output_nr = 0
        self._hooks = None
        self._accumulator = None

    @staticmethod
    def _make(array, grad_fn=None, output_nr: int = 0) -> "Tensor":
        """A tensor around an array computed by minigrad itself: no checks, no copies. Given a ``grad_fn``, it is
        that node's output number ``output_nr`` (ops such as split have several) and requires grad."""
        tensor = object.__new__(Tensor)
        tensor._array = backend.as_array(array)
        tensor.requires_grad = grad_fn is not None
        tensor.grad = None
        tensor.grad_fn = grad_fn
        tensor.output_nr = output_nr
        tensor._hooks = None
        tensor._accumulator = None
        return tensor

    # --- what it is -------------------------------------------------------------------------------------
    @property
    def data(self):
        """The array itself (NumPy on cpu, CuPy on cuda)."""
        return self._array

    @data.setter
    def data(self, array):
        self._array = array

    @property
    def shape(self) -> tuple:
        return tuple(self._array.shape)

    @property
    def dtype(self):
        return self._array.dtype

    @property
    def device(self) -> backend.Device:
        return backend.device_of(self._array)

    @property
    def ndim(self) -> int:
        return self._array.ndim

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op: the ones that accumulate ``.grad``."""
        return self.grad_fn is None

    def dim(self) -> int:
        return self._array.ndim

    def numel(self) -> int:
        return _builtin_int(self._array.size)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __repr__(self):
        text = backend.format_array(self._array, prefix="tensor(")
        extras = []
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self.dtype not in (backend.get_default_dtype(), backend.int64, backend.bool_):
            extras.append(f"dtype=minigrad.{self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([text] + extras) + ")"

    # --- leaving the graph, leaving the device ----------------------------------------------------------
    def detach(self) -> "Tensor":
        """The same data, cut from the graph: no gradient flows through the result."""
        return Tensor._make(self._array)

    def numpy(self):
        """The values as a host NumPy array (shares memory on cpu). Works on tensors that require grad."""
        return self.device.to_host(self._array)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise ValueError(f"item(): expected a tensor with one element, got shape {self.shape} "
                             f"({self.numel()} elements)")
        return self._array.item()

    def tolist(self):
        return self._array.tolist()

    def __float__(self):
        return _builtin_float(self.item())

    def __int__(self):
        return _builtin_int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.numel()} elements is ambiguous; "
                               "use .any() or .all()")
        return _builtin_bool(self.item())

    def __index__(self):
        if self.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, got dtype {self.dtype}")
        return _builtin_int(self.item())

    def to(self, *args, device=None, dtype=None) -> "Tensor":
        """Move to a device and/or cast: ``t.to('cuda')``, ``t.to(minigrad.float64)``, ``t.to(other)``.

        Differentiable: the gradient flows back to the original device and dtype. Returns self when nothing
        changes.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, (str, backend.Device)):
                device = arg
            else:
                dtype = arg
        device = self.device if device is None else backend.get_device(device)
        dtype = self.dtype if dtype is None else backend.as_dtype(dtype)
        if device == self.device and dtype == self.dtype:
            return self
        return apply(ops.To, self, device=device, dtype=dtype)

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    def float(self):
        return self.to(dtype=backend.float32)

    def double(self):
        return self.to(dtype=backend.float64)

    def half(self):
        return self.to(dtype=backend.float16)

    def long(self):
        return self.to(dtype=backend.int64)

    def int(self):
        return self.to(dtype=backend.int32)

    def bool(self):
        return self.to(dtype=backend.bool_)

    def contiguous(self):
        return self  # arrays are reshaped freely here, so there is no layout to fix

    # --- autograd ---------------------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=False) -> None:
        """Compute d(self)/d(leaf) for every leaf this tensor depends on and add it to ``leaf.grad``.

        ``gradient`` is dL/d(self), needed unless self holds a single value (then it is 1). The graph's saved
        values are freed as it is walked; pass ``retain_graph=True`` to walk it again later.
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): expected a tensor that requires grad (the result of ops on a tensor "
                               "created with requires_grad=True), got one with requires_grad=False")
        if gradient is None:
            if self.numel() != 1:
                raise RuntimeError(f"backward(): a gradient can be created implicitly only for a one-element "
                                   f"output; expected gradient= for this tensor of shape {self.shape}")
            gradient = self.device.xp.ones(self._array.shape, dtype=self.dtype)
        else:
            if not isinstance(gradient, Tensor):
                raise TypeError(f"backward(): expected gradient to be a Tensor, got {type(gradient).__name__}")
            if gradient.shape != self.shape:
                raise ValueError(f"backward(): expected gradient of shape {self.shape}, got {gradient.shape}")
            if gradient.device != self.device:
                raise RuntimeError(f"backward(): expected gradient on device {self.device}, got {gradient.device}")
            gradient = gradient._array.astype(self.dtype, copy=False)
        engine.backward([self._gradient_edge()], [gradient], retain_graph)

    def _gradient_edge(self) -> tuple:
        """(node, output_nr): where a gradient for this tensor enters the graph. A leaf's is its AccumulateGrad."""
        if self.grad_fn is not None:
            return self.grad_fn, self.output_nr
        return self._grad_accumulator(), 0

    def _grad_accumulator(self) -> "AccumulateGrad":
        """This leaf's AccumulateGrad node. The tensor holds it weakly (the graphs that use it hold it), so a
        leaf keeps no graph alive."""
        node = None if self._accumulator is None else self._accumulator()
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)
        return node

    def register_hook(self, hook) -> "RemovableHandle":
        """Call ``hook(grad)`` with this tensor's gradient during backward; it may return a replacement.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook(): expected a tensor that requires grad, got requires_grad=False")
        if not callable(hook):
            raise TypeError(f"register_hook(): expected a callable, got {type(hook).__name__}")
        hooks = self._hook_dict()
        handle = RemovableHandle(hooks)
        hooks[handle.id] = _tensor_hook(hook)
        retained = hooks.pop(_RETAIN, None)
        if retained is not None:  # retain_grad keeps the gradient after every other hook has run, as in torch
            hooks[_RETAIN] = retained
        return handle

    def _hook_dict(self) -> dict:
        # A leaf keeps its hooks, which its AccumulateGrad node runs; a computed tensor's hooks live on its node,
        # which runs them when its gradient is complete.
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            return self._hooks
        if self.grad_fn.pre_hooks is None:
            self.grad_fn.pre_hooks = {}
        return self.grad_fn.pre_hooks.setdefault(self.output_nr, {})

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (leaves always keep theirs)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad(): expected a tensor that requires grad, got requires_grad=False")
        if self.grad_fn is not None:
            self._hook_dict()[_RETAIN] = _retainer(weakref.ref(self))

    def requires_grad_(self, requires_grad=True) -> "Tensor":
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False) is only allowed on leaves; use detach() on computed tensors")
        check_requires_grad(requires_grad, self.dtype)
        self.requires_grad = _builtin_bool(requires_grad)
        return self

    # --- in-place writes (outside the graph) ------------------------------------------------------------
    def _check_writable(self, op: str) -> None:
        if self.requires_grad and (engine.is_grad_enabled() or self.grad_fn is not None):
            raise RuntimeError(
                f"{op}: in-place change of a tensor that requires grad would corrupt the recorded graph; "
                "expected it inside `with minigrad.no_grad():` on a leaf (as parameter updates are)")

    def __setitem__(self, key, value) -> None:
        self._check_writable("item assignment")
        self._array[index_key(key, self.device)] = operand_array(value, self, "item assignment")

    def copy_(self, source) -> "Tensor":
        """Copy values (broadcast, cast and moved as needed) into this tensor, in place."""
        self._check_writable("copy_")
        source = source if isinstance(source, Tensor) else Tensor(source, dtype=self.dtype, device=self.device)
        if broadcast_shapes(source.shape, self.shape, op="copy_") != self.shape:
            raise ValueError(f"copy_: expected a source broadcastable to {self.shape}, got shape {source.shape}")
        self._array[...] = backend.transfer(source._array, self.device)
        return self

    def fill_(self, value) -> "Tensor":
        self._check_writable("fill_")
        self._array[...] = value
        return self

    def zero_(self) -> "Tensor":
        return self.fill_(0)


class AccumulateGrad(engine.Function):
    """The node where a leaf's gradient ends: it adds the total into ``leaf.grad``, after the leaf's hooks.

    It has no inputs; nothing is saved, so it is never released: a leaf used by several graphs keeps one node
    while any of them is alive.
    """

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor):
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
        if leaf.grad is None:
            # A copy: the array may be shared with another leaf's gradient or be a read-only broadcast view,
            # and users scale .grad in place (clipping).
            leaf.grad = Tensor._make(grad.copy())
        else:
            leaf.grad._array += grad
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


_RETAIN = "retain_grad"  # the key of the hook that keeps a non-leaf's gradient


def _tensor_hook(hook):
    """The user's ``hook(grad: Tensor) -> Tensor | None`` as an engine hook on arrays."""
    def run(grad):
        replacement = hook(Tensor._make(grad))
        if replacement is None:
            return None
        if not isinstance(replacement, Tensor) or replacement.shape != grad.shape:
            raise RuntimeError(f"a hook must return None or a Tensor of the gradient's shape {tuple(grad.shape)}, "
                               f"got {replacement!r}")
        return replacement._array
    return run


def _retainer(tensor_ref):
    """The engine hook behind ``retain_grad``: add the gradient into the (weakly held) tensor's ``.grad``."""
    def keep(grad):
        tensor = tensor_ref()
        if tensor is not None:
            tensor.grad = Tensor._make(grad.copy() if tensor.grad is None else tensor.grad._array + grad)
    return keep


__all__ = ["Tensor", "apply", "check_requires_grad"]
