"""Tensor: an array, the gradient it receives, and the node of the graph that produced it.

A Tensor wraps one array of some device (a NumPy, CuPy or strict array). This module is the tensor side of
autograd: ``apply`` runs a primitive op (engine.Function) on the arrays of its tensor inputs and, when a gradient
will be wanted, makes the call a node of the backward graph whose edges lead to the nodes that produced the
inputs; ``Tensor.backward`` hands the graph to the engine; a leaf's gradient ends in its ``AccumulateGrad`` node
(tensor_hooks.py).

In-place changes follow torch. Every tensor has a version counter, shared with its views (tensors that look at
the same memory), and every in-place write bumps it; an op that saves a tensor for backward notes its version,
and backward refuses a saved value that changed since. An in-place op on a tensor that is part of a graph is
recorded in the graph: the tensor's ``grad_fn`` moves to the new node (and, through a view, the base's does).

The math a tensor offers (arithmetic, reductions, reshaping, indexing, ...) is written in two mixins,
``tensor_math.Math`` and ``tensor_shape.Shape``: thin methods that check the user's arguments and call the
primitive ops of ``ops/``.
"""

from __future__ import annotations

import builtins
import weakref

from . import backend, engine, ops
from .tensor_hooks import RETAIN, AccumulateGrad, RemovableHandle, retainer, tensor_hook
from .checks import broadcast_shapes
from .tensor_math import Math, operand
from .tensor_shape import Shape, index_key, split_index

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
            if x._base is not None and x._view_version != x._counter[0]:
                x._refresh_view()
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
    if not (wants_graph and first is not None and first.dtype.kind == "f"):
        return tuple([make(array) for array in out]) if several else make(out)
    # the call becomes a node of the graph, and the node owns its outputs
    if several:
        ctx.connect(edges, len(out))
        results = tuple([make(array, ctx, number) for number, array in enumerate(out)])
    else:
        ctx.connect(edges, 1)
        results = make(out, ctx)
    if ctx._saved:
        ctx._saved_versions = _versions_of_saved(ctx._saved, inputs, arrays, results if several else (results,))
    return results


def _versions_of_saved(saved: tuple, inputs: tuple, arrays: list, outputs: tuple) -> list:
    """(version counter, version now, position) for every saved array that is an input or an output of the op,
    so that backward can tell whether an in-place change touched it since. Other saved arrays (a boolean mask,
    an index) belong to the node alone."""
    versions = []
    for position, array in enumerate(saved):
        for index, candidate in enumerate(arrays):
            if candidate is array and isinstance(inputs[index], Tensor):
                counter = inputs[index]._counter
                versions.append((counter, counter[0], position))
                break
        else:
            for output in outputs:
                if output._array is array:
                    versions.append((output._counter, output._counter[0], position))
                    break
    return versions


def _check_one_device(function, inputs) -> None:
    devices = [x.device for x in inputs if isinstance(x, Tensor)]
    for device in devices[1:]:
        if device != devices[0]:
            raise RuntimeError(f"{function.__name__}: expected all tensors on the same device, "
                               f"got {devices[0]} and {device}")


class Tensor(Math, Shape):
    """An n-dimensional array that can record the operations applied to it and differentiate through them.

    ``data``           the same values as a Tensor outside the graph (writes to it are not tracked)
    ``requires_grad``  whether ops on this tensor are recorded for backward
    ``grad``           after ``backward()``, the accumulated gradient (a Tensor) of a leaf
    ``grad_fn``        the graph node that produced this tensor, None for leaves
    ``numpy()``        the values as a host NumPy array
    """

    __slots__ = ("_array", "requires_grad", "_grad", "grad_fn", "output_nr", "_hooks", "_accumulator", "_counter",
                 "_base", "_view_version", "__weakref__")
    # _counter: [version], a list shared by every tensor that looks at the same memory (views, detach());
    # _base: for a view, the tensor it views (the root of the chain), else None; _view_version: the version when
    # a view's grad_fn was made (an in-place change since makes it stale, see _refresh_view).
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
        self._grad = self.grad_fn = self._hooks = self._accumulator = self._base = None
        self.output_nr = 0
        self._counter = [0]

    @staticmethod
    def _make(array, grad_fn=None, output_nr: int = 0) -> "Tensor":
        """A tensor around an array computed by minigrad itself: no checks, no copies. Given a ``grad_fn``, it is
        that node's output number ``output_nr`` (ops such as split have several) and requires grad."""
        tensor = object.__new__(Tensor)
        tensor._array = backend.as_array(array)
        tensor.requires_grad = grad_fn is not None
        tensor._grad = tensor._hooks = tensor._accumulator = tensor._base = None
        tensor.grad_fn = grad_fn
        tensor.output_nr = output_nr
        tensor._counter = [0]
        return tensor

    # --- what it is -------------------------------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """The same values (the same memory), as a tensor outside the graph: ``requires_grad`` is False and its
        in-place changes are not tracked (no version bump here), as torch's ``.data``. ``p.data = t`` makes p
        hold t's values."""
        return Tensor._make(self._array)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor to assign, got {type(value).__name__}")
        self._array = value._array

    @property
    def grad(self):
        """The gradient accumulated by backward (a leaf's, or a retained one's), None until then."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad: expected a Tensor or None, got {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size {list(value.shape)} to a tensor of "
                                   f"size {list(self.shape)}. Please ensure that the gradient and the tensor are "
                                   "the same size")
            if value.dtype != self.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype {value.dtype} to a tensor with "
                                   f"dtype {self.dtype}; the gradient must have the tensor's dtype")
            if value.device != self.device:
                raise RuntimeError(f"attempting to assign a gradient located on device {value.device} to a tensor "
                                   f"located on device {self.device}")
        self._grad = value

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has seen (shared with its views), as torch's."""
        return self._counter[0]

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
        """The same data, cut from the graph: no gradient flows through the result. It shares the version counter,
        so an in-place change through it is still noticed by the graph that saved this tensor."""
        detached = Tensor._make(self._array)
        detached._counter = self._counter
        return detached

    def numpy(self):
        """The values as a host NumPy array (shares memory on cpu). Works on tensors that require grad."""
        return self.device.to_host(self._array)

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)`` for a tensor on the cpu (its values, shared); elsewhere an error, as torch and CuPy
        give for GPU tensors: moving data to the host is explicit (``numpy()``, ``cpu()``)."""
        if self.device != "cpu":
            raise TypeError(f"can't convert a tensor on device {self.device} to a NumPy array implicitly; call "
                            ".numpy() or .cpu() first")
        array = self._array if dtype is None else self._array.astype(dtype, copy=False)
        return array.copy() if copy else array

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
        if self._base is not None and self._view_version != self._counter[0]:
            self._refresh_view()
        if self.grad_fn is not None:
            return self.grad_fn, self.output_nr
        return self._grad_accumulator(), 0

    def _grad_accumulator(self) -> AccumulateGrad:
        """This leaf's AccumulateGrad node. The tensor holds it weakly (the graphs that use it hold it), so a
        leaf keeps no graph alive."""
        node = None if self._accumulator is None else self._accumulator()
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)
        return node

    def register_hook(self, hook) -> RemovableHandle:
        """Call ``hook(grad)`` with this tensor's gradient during backward; it may return a replacement (of the
        same shape and dtype). Returns a handle whose ``remove()`` unregisters the hook."""
        if not self.requires_grad:
            raise RuntimeError("register_hook(): expected a tensor that requires grad, got requires_grad=False")
        if not callable(hook):
            raise TypeError(f"register_hook(): expected a callable, got {type(hook).__name__}")
        hooks = self._hook_dict()
        handle = RemovableHandle(hooks)
        hooks[handle.id] = tensor_hook(hook, self)
        retained = hooks.pop(RETAIN, None)
        if retained is not None:  # retain_grad keeps the gradient after every other hook has run, as in torch
            hooks[RETAIN] = retained
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
            self._hook_dict()[RETAIN] = retainer(weakref.ref(self))

    def requires_grad_(self, requires_grad=True) -> "Tensor":
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False) is only allowed on leaves; use detach() on computed tensors")
        check_requires_grad(requires_grad, self.dtype)
        self.requires_grad = _builtin_bool(requires_grad)
        return self

    # --- versions and views -----------------------------------------------------------------------------
    def _bump_version(self) -> None:
        """Note one in-place change of this tensor's memory (seen by all its views)."""
        self._counter[0] += 1

    def _as_views(self, outputs):
        """Mark the outputs of a view op (a tensor, or a tuple of them) as views of self: they share its memory,
        its version counter and its base."""
        for output in (outputs if type(outputs) is tuple else (outputs,)):
            output._counter = self._counter
            output._base = self if self._base is None else self._base
            output._view_version = self._counter[0]
        return outputs

    def _refresh_view(self) -> None:
        """This view's memory changed in place since its grad_fn was made (through its base or another view), so
        that grad_fn may describe values that are gone: make it again, as the selection of the base's elements
        that this view is (torch's AsStridedBackward)."""
        base = self._base
        self._view_version = self._counter[0]
        if base.requires_grad:
            key = base.device.xp.unravel_index(backend.element_positions(base._array, self._array), base.shape)
            with engine.enable_grad():
                selection = apply(ops.GetItem, base, key=key)
            self.grad_fn, self.output_nr, self.requires_grad = selection.grad_fn, 0, True

    # --- in-place changes -------------------------------------------------------------------------------
    def _check_writable(self, op: str) -> None:
        if self.requires_grad and self.grad_fn is None and engine.is_grad_enabled():
            raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an in-place operation "
                               "(change it inside `with minigrad.no_grad():`, as optimizers do)")
        if backend.has_internal_overlap(self._array):
            raise RuntimeError(f"{op}: unsupported operation: more than one element of the written-to tensor refers "
                               "to a single memory location (an expanded tensor). Please clone() the tensor before "
                               "performing the operation.")

    def _inplace(self, op: str, compute, *operands, cast: bool = False) -> "Tensor":
        """Change this tensor's values in place to ``compute(source)``, where ``source`` holds the current values:
        the one door for every in-place op (add_, exp_, copy_, ...).

        When a graph is being recorded (something involved requires grad), the result is computed on a copy of
        the current values that stands for them in the graph (the op may save them for its backward, and they are
        about to be overwritten), then written in, and this tensor (or, for a view, its base) moves to the new
        node. ``cast``: the result may be of a higher dtype category than this tensor (copy_ casts; add_ of a float
        into an integer tensor is refused, as in torch).
        """
        self._check_writable(op)
        tracked = engine.is_grad_enabled() and (self.requires_grad or any(
            isinstance(o, Tensor) and o.requires_grad for o in operands))
        if tracked:
            if self._base is not None and self._view_version != self._counter[0]:
                self._refresh_view()
            source = Tensor._make(self._array.copy(), self.grad_fn, self.output_nr)
            source.requires_grad = self.requires_grad
        else:
            source = self
        result = compute(source)
        if not cast and backend.category(result.dtype) > backend.category(self.dtype):
            raise RuntimeError(f"{op}: result type {result.dtype} can't be cast to the desired output type "
                               f"{self.dtype}")
        if result.shape != self.shape and broadcast_shapes(result.shape, self.shape, op=op) != self.shape:
            raise RuntimeError(f"{op}: output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(broadcast_shapes(result.shape, self.shape))}")
        if not tracked:
            self._array[...] = result._array
            self._bump_version()
        elif self._base is None and result.grad_fn is not None:
            self._rebase((result if result.shape == self.shape else result.expand(self.shape)).to(self.dtype))
        else:  # a view, whose base must learn of the change; or a result that is a leaf or a constant
            self._write_recorded(Ellipsis, result, op)
        return self

    def _rebase(self, result: "Tensor") -> None:
        """Take ``result``'s values (of this tensor's shape and dtype) into this tensor's memory and move this
        tensor to result's node: from now on, the graph sees it as that op's output."""
        self._array[...] = result._array
        self._bump_version()
        self.grad_fn, self.output_nr, self.requires_grad = result.grad_fn, result.output_nr, True
        # If the op saved its output for backward (exp_ does), that output is now this tensor: a later in-place
        # change of this tensor must be noticed by backward, as in torch.
        node = result.grad_fn
        if "_saved_versions" in node.__dict__:
            node._saved_versions = [(self._counter, self._counter[0], position) if counter is result._counter
                                    else (counter, version, position)
                                    for counter, version, position in node._saved_versions]

    def _write_recorded(self, key, value, op: str) -> None:
        """``self[key] = value`` as a node of the graph (ops.SetItem, torch's CopySlices): the tensor that holds
        the memory (self, or the base of a view) moves to the node, and its version is bumped."""
        if isinstance(value, Tensor) and value.dtype != self.dtype:
            value = value.to(self.dtype)
        target = self
        if self._base is not None:  # write through the base: the key, in the base's own coordinates
            target = self._base
            positions = backend.element_positions(target._array, self._array)[key]
            key = target.device.xp.unravel_index(positions, target.shape)
        with engine.enable_grad():
            written = apply(ops.SetItem, target, value, key=key)
        target.grad_fn, target.output_nr, target.requires_grad = written.grad_fn, 0, True
        target._bump_version()

    def __setitem__(self, key, value) -> None:
        """``t[key] = value``: ints, slices, index tensors and masks as in torch. When t or value requires grad
        (with grad mode on), the write is a node of the graph: gradient flows to value from the written elements
        and to t's old values from the others."""
        first, key = split_index(key, self)
        if first is not None:  # ints mixed with index tensors: select the ints' slice first, as torch does
            self[first][key] = value
            return
        self._check_writable("item assignment")
        value = operand(value, self, "item assignment")
        key = index_key(key, self.device)
        if engine.is_grad_enabled() and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
            if self._base is not None and self._view_version != self._counter[0]:
                self._refresh_view()
            self._write_recorded(key, value, "item assignment")
            return
        if isinstance(value, Tensor):
            if value.device != self.device:
                raise RuntimeError(f"item assignment: expected a value on device {self.device}, got one on "
                                   f"{value.device}")
            value = value._array
        try:
            self._array[key] = value
        except ValueError as error:  # NumPy's broadcast error, in torch's words
            raise RuntimeError(f"item assignment: shape mismatch: the value cannot be broadcast to the indexed "
                               f"part of a tensor of shape {list(self.shape)} ({error})") from None
        self._bump_version()

    def _reshape_in_place(self, reshaped: "Tensor", op: str) -> "Tensor":
        """Make this tensor the reshaped one (unsqueeze_, squeeze_): same memory, new shape, and, in a graph, the
        reshaping node."""
        self._check_writable(op)
        self._array = reshaped._array
        if reshaped.grad_fn is not None:
            self.grad_fn, self.output_nr = reshaped.grad_fn, reshaped.output_nr
        self._bump_version()
        return self

    def copy_(self, source) -> "Tensor":
        """Copy values (broadcast, cast and moved as needed) into this tensor, in place; differentiable."""
        if not isinstance(source, Tensor):
            source = Tensor(source, dtype=self.dtype, device=self.device)
        return self._inplace("copy_", lambda _: source.to(self.device), source, cast=True)

    def fill_(self, value) -> "Tensor":
        """Set every element to ``value`` (a number or a one-element tensor), in place."""
        self[...] = value
        return self

    def zero_(self) -> "Tensor":
        return self.fill_(0)


__all__ = ["Tensor", "apply", "check_requires_grad"]
