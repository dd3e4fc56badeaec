"""Tensor: an array, the gradient it receives, and the node of the graph that produced it.

A Tensor wraps one array of some device (a NumPy, CuPy or strict array). This module is the tensor side of
autograd: ``apply`` runs a primitive op (engine.Function) on the arrays of its tensor inputs and, when a gradient
will be wanted, makes the call a node of the backward graph whose edges lead to the nodes that produced the
inputs; ``Tensor.backward`` hands the graph to the engine; a leaf's gradient ends in its ``AccumulateGrad`` node
(tensor_hooks.py).

In-place changes follow torch (tensor_inplace.py): a version counter per tensor, shared by its views, bumped by
every in-place write; an op that saves a tensor for backward notes its version, and backward refuses a saved value
that changed since. An in-place op on a tensor that is part of a graph is recorded in the graph.

The math a tensor offers is written in mixins: ``tensor_math.Math`` (arithmetic, comparisons, functions
of one value), ``tensor_reduce.Reduce`` (sums, maxima, sorting) and ``tensor_shape.Shape`` (reshaping,
indexing, joining): thin methods that check the user's arguments and call the primitive ops of ``ops/``.
"""

from __future__ import annotations

import builtins
import weakref

from . import backend, dual, engine, ops
from .tensor_hooks import RETAIN, AccumulateGrad, RemovableHandle, retainer, tensor_hook
from .checks import is_int, sizes, type_name
from .tensor_inplace import InPlace
from .tensor_math import Math
from .tensor_reduce import Reduce
from .tensor_shape import Shape

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
    if type(out) not in backend.DEVICE_OF_TYPE and type(out) is not tuple:
        # NumPy answers a 0-d result with a scalar (np.float64); the tensor holds a 0-d array, and what forward
        # saved must be that same array, so that backward can tell it is the output
        scalar, out = out, backend.as_array(out)
        if ctx._saved:
            ctx._saved = tuple(out if value is scalar else value for value in ctx._saved)
    make = Tensor._make
    several = type(out) is tuple
    first = (out[0] if out else None) if several else out
    if not (wants_graph and first is not None and first.dtype.kind == "f"):
        results = tuple([make(array) for array in out]) if several else make(out)
    else:  # the call becomes a node of the graph, and the node owns its outputs
        if several:
            ctx.connect(edges, len(out))
            results = tuple([make(array, ctx, number) for number, array in enumerate(out)])
        else:
            ctx.connect(edges, 1)
            results = make(out, ctx)
        if ctx._saved:
            ctx._saved_versions = _versions_of_saved(ctx._saved, inputs, arrays,
                                                     results if several else (results,))
    if dual.levels:  # forward mode is on: push the inputs' tangents through the op
        from .autograd.forward_ad import push_tangents  # (the autograd package builds on this module)
        push_tangents(function, ctx, inputs, arrays, results if several else (results,))
    return results


def _versions_of_saved(saved: tuple, inputs: tuple, arrays: list, outputs: tuple) -> list:
    """(version counter, version now, position, role) for every saved array that is an input (role: its index)
    or an output (role: -1 - its number) of the op: backward checks that no in-place change touched it since,
    and differentiating the backward again finds the tensor it stands for. Other saved arrays (a boolean mask,
    an index) belong to the node alone."""
    # (Runs for most ops, so the loops count by hand: a third faster than with enumerate.)
    versions = []
    position = 0
    for array in saved:
        index = 0
        for candidate in arrays:
            if candidate is array:
                if isinstance(inputs[index], Tensor):
                    counter = inputs[index]._counter
                    versions.append((counter, counter[0], position, index))
                break
            index += 1
        else:
            role = -1
            for output in outputs:
                if output._array is array:
                    versions.append((output._counter, output._counter[0], position, role))
                    break
                role -= 1
        position += 1
    return versions


def _check_one_device(function, inputs) -> None:
    devices = [x.device for x in inputs if isinstance(x, Tensor)]
    for device in devices[1:]:
        if device != devices[0]:
            raise RuntimeError(f"{function.__name__}: expected all tensors on the same device, "
                               f"got {devices[0]} and {device}")


_TYPE_NAMES = {backend.float16: "Half", backend.float32: "Float", backend.float64: "Double", backend.int8: "Char",
               backend.int16: "Short", backend.int32: "Int", backend.int64: "Long", backend.uint8: "Byte",
               backend.bool_: "Bool"}


class Tensor(Math, Reduce, Shape, InPlace):
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

    def __init__(self, *data, requires_grad=False, dtype=None, device=None):
        """torch.Tensor's constructor: ``Tensor(2, 3)`` is a 2×3 tensor of the default float dtype (zeros here,
        uninitialised in torch), ``Tensor(data)`` the data as the default float dtype (a tensor or device array
        keeps its own). ``minigrad.tensor(data)`` is the function that keeps the data's kind (ints stay ints)."""
        if len(data) != 1 or is_int(data[0]):
            shape = sizes(data, "Tensor")
            dtype = backend.get_default_dtype() if dtype is None else backend.as_dtype(dtype)
            self._fill(backend.get_device(device).xp.zeros(shape, dtype=dtype), requires_grad)
            return
        (data,) = data
        if dtype is None and not isinstance(data, Tensor) and not backend.is_array(data):
            dtype = backend.get_default_dtype()
        elif dtype is None and backend.is_array(data) and backend.device_of(data) == backend.cpu:
            dtype = backend.get_default_dtype()  # a host NumPy array becomes a float tensor, as in torch
        self._fill(Tensor._array_of(data, dtype, device), requires_grad)

    @staticmethod
    def _array_of(data, dtype, device):
        """``data`` as an array of ``device`` (the default one unless named, or the device it is already on) with
        ``dtype`` (when given; else Python floats take the default dtype, Python ints int64, arrays keep theirs)."""
        if isinstance(data, Tensor) or (backend.is_array(data) and backend.device_of(data) != backend.cpu):
            # data already on a device stays there unless another device is named
            array = data._array if isinstance(data, Tensor) else data
            if device is not None:
                array = backend.transfer(array, backend.get_device(device))
            if dtype is not None:
                array = array.astype(backend.as_dtype(dtype), copy=False)
        else:  # host data (Python numbers and lists, NumPy arrays) goes to the named or default device
            array = backend.get_device(device).from_host(backend.host_array(data, dtype))
        return array

    @classmethod
    def _from_data(cls, data, dtype=None, device=None, requires_grad=False) -> "Tensor":
        """A leaf holding ``data`` with the kinds of ``_array_of`` (minigrad.tensor's rules)."""
        tensor = cls.__new__(cls)
        tensor._fill(Tensor._array_of(data, dtype, device), requires_grad)
        return tensor

    def _fill(self, array, requires_grad) -> None:
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
        tensor._array = array if type(array) in backend.DEVICE_OF_TYPE else backend.as_array(array)
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
            raise TypeError(f"data: expected a Tensor to assign (a minigrad Tensor), got {type_name(value)}; "
                            "minigrad.tensor(value) converts a NumPy array or a torch tensor")
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
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op: the ones that accumulate ``.grad``."""
        return self.grad_fn is None

    def dim(self) -> int:
        return self._array.ndim

    def numel(self) -> int:
        return _builtin_int(self._array.size)

    ndimension, nelement = dim, numel  # (torch's older names)

    @property
    def mT(self):
        """The transpose of the last two dims: each matrix of a batch transposed (a view)."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                               f"{self.ndim}-D tensor.")
        return self.transpose(-2, -1)

    def element_size(self) -> int:
        """The bytes one element takes (4 for float32)."""
        return _builtin_int(self._array.itemsize)

    def is_floating_point(self) -> bool:
        return backend.is_floating(self.dtype)

    def type_as(self, other) -> "Tensor":
        """Self in ``other``'s dtype and on its device (torch's ``self.type(other.type())``)."""
        return self.to(device=other.device, dtype=other.dtype)

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

    def detach_(self) -> "Tensor":
        """Cut this tensor from the graph in place: it becomes a leaf that does not require grad, as torch's. A
        view cannot be cut so (the graph still reaches its memory through its base): detach() it instead."""
        if self._base is not None:
            raise RuntimeError("detach_: can't detach views in-place; use detach() instead")
        self.grad_fn, self.output_nr, self.requires_grad = None, 0, False
        return self

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

    def __format__(self, format_spec):
        """``f"{loss:.3f}"``: a 0-d tensor formats its value, as torch's; any other takes no format spec."""
        if self.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

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

    def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False) -> "Tensor":
        """Move to a device and/or cast: ``t.to('cuda')``, ``t.to(minigrad.float64)``, ``t.to(other)``.

        Differentiable: the gradient flows back to the original device and dtype. Returns self when nothing
        changes (unless ``copy``). ``non_blocking`` is accepted for torch's sake: transfers here always complete
        before ``to`` returns.
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
            return self.clone() if copy else self
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

    def short(self):
        return self.to(dtype=backend.int16)

    def char(self):
        return self.to(dtype=backend.int8)

    def byte(self):
        return self.to(dtype=backend.uint8)

    def is_contiguous(self) -> bool:
        """Whether the elements lie in memory row by row, with no gaps and no element shared (as torch)."""
        return bool(self._array.flags.c_contiguous)

    def contiguous(self):
        """Self when laid out row by row, else a copy that is (a transpose or an expand() gets memory of its
        own, so writing the result leaves the source alone, as in torch)."""
        return self if self.is_contiguous() else self.clone()

    def type(self, dtype=None):
        """Without an argument, torch's type name ("torch.FloatTensor"); with a dtype (or such a name), ``to`` it."""
        if dtype is None:
            return "torch." + _TYPE_NAMES.get(self.dtype, str(self.dtype)) + "Tensor"
        if isinstance(dtype, str):
            names = {"torch." + name + "Tensor": dt for dt, name in _TYPE_NAMES.items()}
            if dtype not in names:
                raise ValueError(f"type: unknown type name {dtype!r}; expected one of {sorted(names)}")
            dtype = names[dtype]
        return self.to(dtype=getattr(dtype, "legacy_dtype", dtype))  # (x.type(minigrad.LongTensor) names one too)

    # --- new tensors like this one (its dtype and device unless told otherwise) --------------------------
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return Tensor._from_data(data, dtype or self.dtype, device or self.device, requires_grad)._copied_from(data)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(size, 0, dtype, device, requires_grad, "new_zeros")

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(size, 1, dtype, device, requires_grad, "new_ones")

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(size, 0, dtype, device, requires_grad, "new_empty")

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return self._new((size,), fill_value, dtype, device, requires_grad, "new_full")

    def _new(self, size, value, dtype, device, requires_grad, op: str):
        dtype = self.dtype if dtype is None else backend.as_dtype(dtype)
        device = self.device if device is None else backend.get_device(device)
        return Tensor._from_data(device.xp.full(sizes(size, op), value, dtype=dtype), device=device,
                                 requires_grad=requires_grad)

    def _copied_from(self, data) -> "Tensor":
        """Self, made not to share memory with ``data`` (a new tensor never does)."""
        if self._array is data or (isinstance(data, Tensor) and self._array is data._array):
            self._array = self._array.copy()
        return self

    # --- autograd ---------------------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Compute d(self)/d(leaf) for every leaf this tensor depends on and add it to ``leaf.grad``.

        ``gradient`` is dL/d(self), needed unless self holds a single value (then it is 1). The graph's saved
        values are freed as it is walked; pass ``retain_graph=True`` to walk it again later. ``create_graph``:
        the gradients get graphs of their own, to be differentiated again. ``inputs``: accumulate only into
        these. See minigrad.autograd.backward.
        """
        from .autograd.backward import backward  # (the autograd package builds on this module)
        if not self.requires_grad:
            raise RuntimeError("backward(): expected a tensor that requires grad (the result of ops on a tensor "
                               "created with requires_grad=True), got one with requires_grad=False")
        backward(self, gradient, retain_graph, create_graph, inputs)

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


__all__ = ["Tensor", "apply", "check_requires_grad"]
