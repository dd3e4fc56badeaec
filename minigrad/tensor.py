"""Tensor: an array, the gradient it receives, and the node of the graph that produced it.

A Tensor wraps one array of some device (``.data``: a NumPy, CuPy or strict array). Operations on tensors call
the primitive ops of ``ops.py``, which record the backward graph as they go; ``loss.backward()`` walks it.
Everything here is sugar over those primitives: checks of the user's arguments with errors that say what was
expected and what was got, PyTorch's names and argument conventions, and composites such as ``mean`` or
``stack`` that are built from primitives and so need no backward of their own.
"""

from __future__ import annotations

import builtins
import collections
import math
import numbers
import weakref

from . import backend, ops
from .autograd import RemovableHandle, backward as _run_backward, is_grad_enabled

_builtin_float, _builtin_int, _builtin_bool = builtins.float, builtins.int, builtins.bool

MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])
SortResult = collections.namedtuple("sort", ["values", "indices"])


# --- argument checks shared by many ops --------------------------------------------------------------------
def _is_int(value) -> bool:
    """An integer but not a bool (the exact type is tested first: the ABC check is slow and this runs per op)."""
    return type(value) is _builtin_int or (isinstance(value, numbers.Integral) and not isinstance(value, _builtin_bool))


def _check_dim(dim, ndim: int, op: str, extra: int = 0) -> int:
    """A dimension index in [-ndim-extra, ndim+extra) as a non-negative int (``extra=1`` for unsqueeze)."""
    if not _is_int(dim):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    size = ndim + extra
    if not -size <= dim < size:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dimensions "
                         f"(expected {-size} to {size - 1})")
    return _builtin_int(dim) % size


def _check_dims(dim, ndim: int, op: str):
    """None (all dimensions), or one or more dims, as a tuple of non-negative ints."""
    if dim is None:
        return None
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(_check_dim(d, ndim, op) for d in dims)


def broadcast_shapes(*shapes, op: str = "broadcast") -> tuple:
    """The shape that shapes broadcast to, or a ValueError naming them all."""
    ndim = max(len(shape) for shape in shapes)
    result = []
    for axis in range(-ndim, 0):
        sizes = {shape[axis] for shape in shapes if len(shape) >= -axis} - {1}
        if len(sizes) > 1:
            raise ValueError(f"{op}: shapes {' and '.join(str(tuple(s)) for s in shapes)} are not broadcastable "
                             f"(dimension {axis} has sizes {sorted(sizes)}; each must match or be 1)")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def _size(args, op: str) -> tuple:
    """Sizes given as f(2, 3) or f((2, 3)) or f([2, 3])."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if not all(_is_int(n) and n >= 0 for n in args):
        raise ValueError(f"{op}: expected sizes to be non-negative integers, got {args}")
    return tuple(_builtin_int(n) for n in args)


def _check_requires_grad(requires_grad, dtype) -> None:
    if requires_grad and not backend.is_floating(dtype):
        raise RuntimeError(f"only floating point tensors can require gradients, got dtype {dtype}")


class Tensor:
    """An n-dimensional array that can record the operations applied to it and differentiate through them.

    ``data``           the array (NumPy on cpu, CuPy on cuda)
    ``requires_grad``  whether ops on this tensor are recorded for backward
    ``grad``           after ``backward()``, the accumulated gradient (a Tensor) of a leaf
    ``grad_fn``        the graph node that produced this tensor, None for leaves
    """

    __slots__ = ("data", "requires_grad", "grad", "grad_fn", "output_nr", "_hooks", "__weakref__")
    __array_ufunc__ = None  # NumPy defers to our reflected operators: np_array * tensor gives a Tensor
    __hash__ = object.__hash__  # tensors compare elementwise, yet are still usable as dict keys (by identity)

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        if isinstance(data, Tensor) or (backend.is_array(data) and backend.device_of(data) != backend.cpu):
            # data already on a device stays there unless another device is named
            array = data.data if isinstance(data, Tensor) else data
            if device is not None:
                array = backend.transfer(array, backend.get_device(device))
            if dtype is not None:
                array = array.astype(backend.as_dtype(dtype), copy=False)
        else:  # host data (Python numbers and lists, NumPy arrays) goes to the named or default device
            array = backend.get_device(device).from_host(backend.host_array(data, dtype))
        _check_requires_grad(requires_grad, array.dtype)
        self.data = array
        self.requires_grad = _builtin_bool(requires_grad)
        self.grad = None
        self.grad_fn = None
        self.output_nr = 0
        self._hooks = None

    @staticmethod
    def _make(array, grad_fn=None, output_nr: int = 0) -> "Tensor":
        """A tensor around an array computed by minigrad itself: no checks, no copies. Given a ``grad_fn``, it is
        that node's output number ``output_nr`` (ops such as split have several) and requires grad."""
        tensor = object.__new__(Tensor)
        tensor.data = backend.as_array(array)
        tensor.requires_grad = grad_fn is not None
        tensor.grad = None
        tensor.grad_fn = grad_fn
        tensor.output_nr = output_nr
        tensor._hooks = None
        return tensor

    # --- what it is -------------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return tuple(self.data.shape)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self) -> backend.Device:
        return backend.device_of(self.data)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op: the ones that accumulate ``.grad``."""
        return self.grad_fn is None

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[_check_dim(dim, self.ndim, "size")]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return _builtin_int(self.data.size)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __repr__(self):
        text = backend.format_array(self.data, prefix="tensor(")
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
        return Tensor._make(self.data)

    def numpy(self):
        """The values as a host NumPy array (shares memory on cpu). Works on tensors that require grad."""
        return self.device.to_host(self.data)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise ValueError(f"item(): expected a tensor with one element, got shape {self.shape} "
                             f"({self.numel()} elements)")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

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
        return ops.To.apply(self, device=device, dtype=dtype)

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
            gradient = self.device.xp.ones(self.data.shape, dtype=self.dtype)
        else:
            if not isinstance(gradient, Tensor):
                raise TypeError(f"backward(): expected gradient to be a Tensor, got {type(gradient).__name__}")
            if gradient.shape != self.shape:
                raise ValueError(f"backward(): expected gradient of shape {self.shape}, got {gradient.shape}")
            if gradient.device != self.device:
                raise RuntimeError(f"backward(): expected gradient on device {self.device}, got {gradient.device}")
            gradient = gradient.data.astype(self.dtype, copy=False)
        _run_backward(self, gradient, retain_graph)

    def register_hook(self, hook) -> RemovableHandle:
        """Call ``hook(grad)`` with this tensor's gradient during backward; it may return a replacement.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook(): expected a tensor that requires grad, got requires_grad=False")
        if not callable(hook):
            raise TypeError(f"register_hook(): expected a callable, got {type(hook).__name__}")
        hooks = self._hook_dict()
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def _hook_dict(self) -> dict:
        # A leaf keeps its hooks; a computed tensor's hooks live on its node, which runs them when its
        # gradient is complete.
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            return self._hooks
        if self.grad_fn.hooks is None:
            self.grad_fn.hooks = {}
        return self.grad_fn.hooks.setdefault(self.output_nr, {})

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (leaves always keep theirs)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad(): expected a tensor that requires grad, got requires_grad=False")
        if self.grad_fn is not None:
            if self.grad_fn.retained is None:
                self.grad_fn.retained = {}
            self.grad_fn.retained[self.output_nr] = weakref.ref(self)

    def requires_grad_(self, requires_grad=True) -> "Tensor":
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False) is only allowed on leaves; use detach() on computed tensors")
        _check_requires_grad(requires_grad, self.dtype)
        self.requires_grad = _builtin_bool(requires_grad)
        return self

    # --- in-place writes (outside the graph) ------------------------------------------------------------
    def _check_writable(self, op: str) -> None:
        if self.requires_grad and (is_grad_enabled() or self.grad_fn is not None):
            raise RuntimeError(
                f"{op}: in-place change of a tensor that requires grad would corrupt the recorded graph; "
                "expected it inside `with minigrad.no_grad():` on a leaf (as parameter updates are)")

    def __setitem__(self, key, value) -> None:
        self._check_writable("item assignment")
        self.data[_index_key(key, self.device)] = _array_for(value, self, "item assignment")

    def copy_(self, source) -> "Tensor":
        """Copy values (broadcast, cast and moved as needed) into this tensor, in place."""
        self._check_writable("copy_")
        source = source if isinstance(source, Tensor) else Tensor(source, dtype=self.dtype, device=self.device)
        if broadcast_shapes(source.shape, self.shape, op="copy_") != self.shape:
            raise ValueError(f"copy_: expected a source broadcastable to {self.shape}, got shape {source.shape}")
        self.data[...] = backend.transfer(source.data, self.device)
        return self

    def fill_(self, value) -> "Tensor":
        self._check_writable("fill_")
        self.data[...] = value
        return self

    def zero_(self) -> "Tensor":
        return self.fill_(0)

    # --- arithmetic -------------------------------------------------------------------------------------
    def _binary(self, function, other, op: str, reflected=False):
        if not isinstance(other, Tensor):
            other = _operand(other, self, op)
        elif other.data.shape != self.data.shape:
            broadcast_shapes(self.shape, other.shape, op=op)
        return function.apply(other, self) if reflected else function.apply(self, other)

    def __add__(self, other):
        return self._binary(ops.Add, other, "add")

    def __radd__(self, other):
        return self._binary(ops.Add, other, "add", reflected=True)

    def __sub__(self, other):
        return self._binary(ops.Sub, other, "sub")

    def __rsub__(self, other):
        return self._binary(ops.Sub, other, "sub", reflected=True)

    def __mul__(self, other):
        return self._binary(ops.Mul, other, "mul")

    def __rmul__(self, other):
        return self._binary(ops.Mul, other, "mul", reflected=True)

    def __truediv__(self, other):
        return self._binary(ops.Div, other, "div")

    def __rtruediv__(self, other):
        return self._binary(ops.Div, other, "div", reflected=True)

    def __pow__(self, other):
        return self._binary(ops.Pow, other, "pow")

    def __rpow__(self, other):
        return self._binary(ops.Pow, other, "pow", reflected=True)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(_operand(other, self, "matmul"), self)

    # Comparisons and logic give boolean tensors, which carry no gradient.
    def _compare(self, other, compare, op: str):
        other = _operand(other, self, op)
        if isinstance(other, Tensor):
            if other.device != self.device:
                raise RuntimeError(f"{op}: expected both tensors on the same device, got {self.device} "
                                   f"and {other.device}")
            broadcast_shapes(self.shape, other.shape, op=op)
            other = other.data
        return Tensor._make(compare(self.data, other))

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b, "lt")

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b, "le")

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b, "gt")

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b, "ge")

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b, "eq")

    def __ne__(self, other):
        return self._compare(other, lambda a, b: a != b, "ne")

    def __and__(self, other):
        return self._compare(other, lambda a, b: a & b, "logical and")

    def __or__(self, other):
        return self._compare(other, lambda a, b: a | b, "logical or")

    def __invert__(self):
        return Tensor._make(~self.data)

    def logical_not(self):
        return Tensor._make(~self.data.astype(bool))

    def any(self):
        return Tensor._make(self.data.any())

    def all(self):
        return Tensor._make(self.data.all())

    # --- elementwise functions --------------------------------------------------------------------------
    def exp(self):
        return ops.Exp.apply(self)

    def log(self):
        return ops.Log.apply(self)

    def tanh(self):
        return ops.Tanh.apply(self)

    def sigmoid(self):
        return ops.Sigmoid.apply(self)

    def relu(self):
        return ops.Relu.apply(self)

    def sqrt(self):
        return ops.Sqrt.apply(self)

    def abs(self):
        return ops.Abs.apply(self)

    __abs__ = abs

    def clamp(self, min=None, max=None):
        """Limit values to [min, max]; the gradient is zero where a value was clipped."""
        if min is None and max is None:
            raise ValueError("clamp: expected at least one of min and max, got neither")
        return ops.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def softmax(self, dim):
        return ops.Softmax.apply(self, dim=_check_dim(dim, self.ndim, "softmax"))

    def log_softmax(self, dim):
        return ops.LogSoftmax.apply(self, dim=_check_dim(dim, self.ndim, "log_softmax"))

    # --- reductions -------------------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False):
        return ops.Sum.apply(self, dim=_check_dims(dim, self.ndim, "sum"), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False):
        dims = _check_dims(dim, self.ndim, "mean")
        count = math.prod(self.shape[d] for d in dims) if dims is not None else self.numel()
        return self.sum(dims, keepdim) / count

    def max(self, dim=None, keepdim=False):
        """The maximum of all elements, or with ``dim`` a named tuple (values, indices) along it, as in torch."""
        if dim is None:
            return ops.Max.apply(self)
        d = _check_dim(dim, self.ndim, "max")
        indices = self.data.argmax(axis=d, keepdims=True)
        values = ops.Gather.apply(self, indices, dim=d)
        if not keepdim:
            values, indices = values.squeeze(d), indices.squeeze(axis=d)
        return MaxResult(values, Tensor._make(indices))

    def min(self, dim=None, keepdim=False):
        """The minimum; with ``dim``, (values, indices) along it. It is -max(-x)."""
        if dim is None:
            return -(-self).max()
        values, indices = (-self).max(dim, keepdim)
        return MinResult(-values, indices)

    def amax(self, dim=None, keepdim=False):
        """The maximum over one or more dims; tied maxima share the gradient equally."""
        return ops.Max.apply(self, dim=_check_dims(dim, self.ndim, "amax"), keepdim=keepdim)

    def argmax(self, dim=None, keepdim=False):
        axis = None if dim is None else _check_dim(dim, self.ndim, "argmax")
        return Tensor._make(self.data.argmax(axis=axis, keepdims=keepdim))

    def argmin(self, dim=None, keepdim=False):
        axis = None if dim is None else _check_dim(dim, self.ndim, "argmin")
        return Tensor._make(self.data.argmin(axis=axis, keepdims=keepdim))

    def flip(self, dims):
        """The elements in reverse order along each of ``dims`` (a copy in torch; a view here)."""
        dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
        key = [slice(None)] * self.ndim
        for d in dims:
            key[_check_dim(d, self.ndim, "flip")] = slice(None, None, -1)
        return self[tuple(key)]

    def clone(self):
        """A copy of the values that stays in the graph (gradients flow back to self), as torch.clone."""
        return ops.Clone.apply(self)

    def sort(self, dim=-1, descending=False):
        """(values, indices) sorted along ``dim``; equal values keep their order (a stable sort)."""
        d = _check_dim(dim, self.ndim, "sort")
        xp = self.device.xp
        indices = xp.argsort(-self.data if descending else self.data, axis=d, kind="stable")
        return SortResult(ops.Gather.apply(self, indices, dim=d), Tensor._make(indices))

    # --- shape ------------------------------------------------------------------------------------------
    def reshape(self, *shape):
        shape = _target_shape(shape, self.shape, "reshape")
        return self if shape == self.shape else ops.Reshape.apply(self, shape=shape)

    def view(self, *shape):
        shape = _target_shape(shape, self.shape, "view")
        return self if shape == self.shape else ops.Reshape.apply(self, shape=shape)

    def permute(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        if len(dims) != self.ndim:
            raise ValueError(f"permute: expected {self.ndim} dims for a tensor of shape {self.shape}, got {dims}")
        checked = tuple(_check_dim(d, self.ndim, "permute") for d in dims)
        if sorted(checked) != list(range(self.ndim)):
            raise ValueError(f"permute: expected a permutation of 0..{self.ndim - 1}, got {dims}")
        return ops.Permute.apply(self, dims=checked)

    def transpose(self, dim0, dim1):
        dims = list(range(self.ndim))
        a, b = _check_dim(dim0, self.ndim, "transpose"), _check_dim(dim1, self.ndim, "transpose")
        dims[a], dims[b] = dims[b], dims[a]
        return ops.Permute.apply(self, dims=tuple(dims))

    @property
    def T(self):
        return ops.Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    def unsqueeze(self, dim):
        d = _check_dim(dim, self.ndim, "unsqueeze", extra=1)
        return ops.Reshape.apply(self, shape=self.shape[:d] + (1,) + self.shape[d:])

    def squeeze(self, dim=None):
        """Drop dimensions of size 1 (only ``dim``, when given; a dim of another size is left alone, as in torch)."""
        if dim is None:
            shape = tuple(n for n in self.shape if n != 1)
        else:
            d = _check_dim(dim, self.ndim, "squeeze")
            shape = self.shape[:d] + self.shape[d + 1:] if self.shape[d] == 1 else self.shape
        return self.reshape(shape)

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        start = _check_dim(start_dim, self.ndim, "flatten")
        end = _check_dim(end_dim, self.ndim, "flatten")
        if start > end:
            raise ValueError(f"flatten: expected start_dim <= end_dim, got {start_dim} and {end_dim}")
        return self.reshape(self.shape[:start] + (math.prod(self.shape[start:end + 1]),) + self.shape[end + 1:])

    def expand(self, *sizes):
        """Broadcast to a larger shape without copying (-1 keeps a size); the backward sums the copies."""
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        new_axes = len(sizes) - self.ndim
        if new_axes < 0:
            raise ValueError(f"expand: expected at least {self.ndim} sizes for shape {self.shape}, got {sizes}")
        sizes = _size(tuple(self.shape[i - new_axes] if n == -1 and i >= new_axes else n
                            for i, n in enumerate(sizes)), "expand")
        if broadcast_shapes(self.shape, sizes, op="expand") != sizes:
            raise ValueError(f"expand: cannot expand shape {self.shape} to {sizes}")
        return ops.BroadcastTo.apply(self, shape=sizes)

    def expand_as(self, other):
        return self.expand(other.shape)

    # --- indexing and slicing ---------------------------------------------------------------------------
    def __getitem__(self, key):
        return ops.GetItem.apply(self, key=_index_key(key, self.device))

    def gather(self, dim, index):
        """``out[i][j] = self[i][index[i][j]]`` for dim=1 (torch.gather)."""
        d = _check_dim(dim, self.ndim, "gather")
        if not isinstance(index, Tensor) or index.dtype.kind not in "iu":
            raise TypeError(f"gather: expected index to be an integer Tensor, got "
                            f"{index.dtype if isinstance(index, Tensor) else type(index).__name__}")
        if index.ndim != self.ndim:
            raise ValueError(f"gather: expected index with {self.ndim} dimensions, got shape {index.shape}")
        return ops.Gather.apply(self, index.data, dim=d)

    def split(self, split_size_or_sections, dim=0):
        """Pieces of ``split_size`` along dim (the last may be smaller), or of the listed sizes."""
        d = _check_dim(dim, self.ndim, "split")
        if isinstance(split_size_or_sections, numbers.Integral):
            if split_size_or_sections <= 0:
                raise ValueError(f"split: expected a positive split size, got {split_size_or_sections}")
            return self._split_every(split_size_or_sections, d)
        sizes = tuple(split_size_or_sections)
        length = self.data.shape[d]
        if sum(sizes) != length:
            raise ValueError(f"split: expected sizes summing to {length} (the size of dim {dim}), "
                             f"got {list(sizes)} (sum {sum(sizes)})")
        return ops.Split.apply(self, sizes=sizes, dim=d)

    def _split_every(self, size: int, d: int):
        """Pieces of ``size`` along dimension d (checked), the last one possibly smaller."""
        whole, rest = divmod(self.data.shape[d], size)
        return ops.Split.apply(self, sizes=(size,) * whole + ((rest,) if rest else ()), dim=d)

    def unbind(self, dim=0):
        """The slices along ``dim`` as a tuple (``x.unbind(0)`` gives x[0], x[1], ...), from one graph node."""
        return ops.Unbind.apply(self, dim=_check_dim(dim, self.ndim, "unbind"))

    def chunk(self, chunks, dim=0):
        """Split into ``chunks`` pieces of equal size along dim (the last may be smaller), as torch.chunk."""
        if not _is_int(chunks) or chunks <= 0:
            raise ValueError(f"chunk: expected a positive number of chunks, got {chunks}")
        d = _check_dim(dim, self.ndim, "chunk")
        return self._split_every(max(1, -(-self.data.shape[d] // chunks)), d)

    def masked_fill(self, mask, value):
        """Replace the elements where ``mask`` is True by ``value``; they receive no gradient."""
        if not isinstance(mask, Tensor) or mask.dtype != backend.bool_:
            raise TypeError(f"masked_fill: expected a boolean Tensor mask, got "
                            f"{mask.dtype if isinstance(mask, Tensor) else type(mask).__name__}")
        if broadcast_shapes(self.shape, mask.shape, op="masked_fill") != self.shape:
            raise ValueError(f"masked_fill: expected a mask broadcastable to {self.shape}, got shape {mask.shape}")
        return where(mask, value, self)


# --- helpers for operands and keys -------------------------------------------------------------------------
def _operand(value, like: Tensor, op: str):
    """The other operand of a binary op: a Tensor, a Python number (kept as a scalar), or an array of the
    same device (wrapped). Anything else is refused, as torch refuses lists."""
    if isinstance(value, Tensor) or type(value) is _builtin_float or type(value) is _builtin_int:
        return value  # the common cases first: this runs for every arithmetic op
    if isinstance(value, numbers.Number):
        return value.item() if hasattr(value, "item") else value  # NumPy scalars would force their dtype
    if backend.is_array(value):
        if backend.device_of(value) != like.device:
            raise RuntimeError(f"{op}: expected an array on device {like.device}, got one on "
                               f"{backend.device_of(value)}")
        return Tensor._make(value)
    raise TypeError(f"{op}: expected a Tensor or a number, got {type(value).__name__}")


def _array_for(value, like: Tensor, op: str):
    value = _operand(value, like, op)
    return value.data.astype(like.dtype, copy=False) if isinstance(value, Tensor) else value


def _index_key(key, device):
    """An indexing key with Tensors and lists replaced by arrays of ``device``; floats refused."""
    if isinstance(key, tuple):
        return tuple(_index_key(k, device) for k in key)
    if key is None or key is Ellipsis or isinstance(key, slice):
        return key
    if _is_int(key):
        return _builtin_int(key)
    if isinstance(key, Tensor):
        array = key.data
    elif isinstance(key, list):
        array = device.from_host(backend.host_array(key))
    elif backend.is_array(key):
        array = key
    else:
        raise TypeError(f"indexing: expected ints, slices, None, ..., or integer/boolean tensors, "
                        f"got {type(key).__name__}")
    if array.dtype.kind not in "biu":
        raise IndexError(f"indexing: tensors used as indices must be integer or boolean, got dtype {array.dtype}")
    if backend.device_of(array) != device:
        raise RuntimeError(f"indexing: expected an index on device {device}, got one on {backend.device_of(array)}")
    return array


def _target_shape(shape, current: tuple, op: str) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    numel = math.prod(current)
    if not all(isinstance(n, numbers.Integral) and n >= -1 for n in shape) or list(shape).count(-1) > 1:
        raise ValueError(f"{op}: expected sizes that are non-negative ints with at most one -1, got {shape}")
    if -1 in shape:
        known = math.prod(n for n in shape if n != -1)
        if known == 0 or numel % known:
            raise ValueError(f"{op}: cannot reshape a tensor of shape {current} ({numel} elements) into {shape}")
        shape = tuple(numel // known if n == -1 else n for n in shape)
    shape = tuple(_builtin_int(n) for n in shape)
    if math.prod(shape) != numel:
        raise ValueError(f"{op}: cannot reshape a tensor of shape {current} ({numel} elements) into shape "
                         f"{shape} ({math.prod(shape)} elements)")
    return shape


def _check_tensor(value, op: str, name: str = "input") -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(value).__name__}")
    return value


# --- functions of tensors ----------------------------------------------------------------------------------
def matmul(a, b):
    """Matrix product with NumPy's rules: vectors, matrices, and broadcast batches of matrices."""
    _check_tensor(a, "matmul", "the first operand")
    b = _operand(b, a, "matmul")
    _check_tensor(b, "matmul", "the second operand")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: expected tensors with at least one dimension, got shapes {a.shape} and {b.shape}")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                         f"(expected a.shape[-1] == b.shape[{0 if b.ndim == 1 else -2}], got {inner_a} and {inner_b})")
    if a.ndim > 2 or b.ndim > 2:
        broadcast_shapes(a.shape[:-2], b.shape[:-2], op="matmul (batch dimensions)")
    return ops.MatMul.apply(a, b)


def where(condition, input, other):
    """Elementwise ``input if condition else other``; each side gets the gradient where it was chosen."""
    if not isinstance(condition, Tensor) or condition.dtype != backend.bool_:
        raise TypeError(f"where: expected a boolean Tensor condition, got "
                        f"{condition.dtype if isinstance(condition, Tensor) else type(condition).__name__}")
    input, other = _operand(input, condition, "where"), _operand(other, condition, "where")
    broadcast_shapes(*(t.shape for t in (condition, input, other) if isinstance(t, Tensor)), op="where")
    return ops.Where.apply(condition, input, other)


def cat(tensors, dim=0):
    """Join tensors along an existing dimension."""
    tensors = list(tensors)
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError("cat: expected a non-empty sequence of Tensors")
    first = tensors[0]
    d = _check_dim(dim, first.ndim, "cat")
    for t in tensors[1:]:
        if t.ndim != first.ndim or t.shape[:d] + t.shape[d + 1:] != first.shape[:d] + first.shape[d + 1:]:
            raise ValueError(f"cat: expected all tensors to match shape {first.shape} except in dim {d}, "
                             f"got {t.shape}")
    return ops.Cat.apply(*tensors, dim=d)


def stack(tensors, dim=0):
    """Join tensors of one shape along a new dimension."""
    tensors = list(tensors)
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError("stack: expected a non-empty sequence of Tensors")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: expected all tensors to have shape {tensors[0].shape}, got {t.shape}")
    d = _check_dim(dim, tensors[0].ndim, "stack", extra=1)
    return ops.Stack.apply(*tensors, dim=d)


def _method_as_function(name):
    def function(input, *args, **kwargs):
        return getattr(_check_tensor(input, name), name)(*args, **kwargs)
    function.__name__ = name
    function.__doc__ = f"``minigrad.{name}(x, ...)`` is ``x.{name}(...)``."
    return function


exp, log, tanh, sigmoid, relu, sqrt, abs, clamp, softmax, log_softmax, gather, flatten, transpose, \
    permute, reshape, squeeze, unsqueeze, chunk, split, masked_fill, argmax, argmin, amax, unbind, sort, flip, \
    clone = (
        _method_as_function(name) for name in (
            "exp", "log", "tanh", "sigmoid", "relu", "sqrt", "abs", "clamp", "softmax", "log_softmax", "gather",
            "flatten", "transpose", "permute", "reshape", "squeeze", "unsqueeze", "chunk", "split", "masked_fill",
            "argmax", "argmin", "amax", "unbind", "sort", "flip", "clone"))


# --- creation ----------------------------------------------------------------------------------------------
def tensor(data, requires_grad=False, dtype=None, device=None) -> Tensor:
    """A new tensor from Python data, a NumPy array or another tensor (copied).

    Python floats become the default dtype (float32), Python ints int64; NumPy arrays keep their dtype.
    """
    result = Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)
    if result.data is data or (isinstance(data, Tensor) and result.data is data.data):
        result.data = result.data.copy()  # a new tensor never shares memory with what it was made from
    return result


def _created(make, dtype, device, requires_grad) -> Tensor:
    """A new leaf whose array is ``make(xp, dtype)``, made directly on the device (no host round trip)."""
    dtype = backend.get_default_dtype() if dtype is None else backend.as_dtype(dtype)
    _check_requires_grad(requires_grad, dtype)
    result = Tensor._make(make(backend.get_device(device).xp, dtype))
    result.requires_grad = _builtin_bool(requires_grad)
    return result


def _from_host(array, dtype, device, requires_grad) -> Tensor:
    dtype = backend.get_default_dtype() if dtype is None else backend.as_dtype(dtype)
    return Tensor(array.astype(dtype), requires_grad=requires_grad, device=device)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape = _size(size, "zeros")
    return _created(lambda xp, dtype: xp.zeros(shape, dtype=dtype), dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape = _size(size, "ones")
    return _created(lambda xp, dtype: xp.ones(shape, dtype=dtype), dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor whose values are whatever the memory held: for buffers that are filled before use."""
    shape = _size(size, "empty")
    return _created(lambda xp, dtype: xp.empty(shape, dtype=dtype), dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None and _is_int(fill_value):
        dtype = backend.int64
    shape = _size((size,), "full")
    return _created(lambda xp, dtype: xp.full(shape, fill_value, dtype=dtype), dtype, device, requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of the standard normal distribution (from minigrad's seeded generator)."""
    return _from_host(backend.rng().standard_normal(_size(size, "randn")), dtype, device, requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of the uniform distribution on [0, 1)."""
    return _from_host(backend.rng().random(_size(size, "rand")), dtype, device, requires_grad)


def randint(low, high=None, size=None, dtype=None, device=None) -> Tensor:
    """Integers drawn uniformly from [low, high) (``randint(high, size)`` starts at 0), as torch.randint."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: expected randint(low, high, size) or randint(high, size) with a size tuple")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if not high > low:
        raise ValueError(f"randint: expected low < high, got low={low}, high={high}")
    array = backend.rng().integers(low, high, size=_size((size,), "randint"))
    return Tensor(array, dtype=backend.int64 if dtype is None else dtype, device=device)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Evenly spaced values in [start, end); integers unless a float is given (then the default dtype)."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: expected a non-zero step, got 0")
    integral = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    if dtype is None:
        dtype = backend.int64 if integral else backend.get_default_dtype()
    return _created(lambda xp, dtype: xp.arange(start, end, step, dtype=dtype), dtype, device, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """The identity matrix (n × m, m = n by default)."""
    return _created(lambda xp, dtype: xp.eye(n, m, dtype=dtype), dtype, device, requires_grad)


def _like(factory):
    def like(input, dtype=None, device=None, requires_grad=False, **kwargs):
        _check_tensor(input, factory.__name__ + "_like")
        return factory(input.shape, **kwargs, dtype=input.dtype if dtype is None else dtype,
                       device=input.device if device is None else device, requires_grad=requires_grad)
    like.__name__ = factory.__name__ + "_like"
    like.__doc__ = f"Like ``{factory.__name__}`` with the shape, dtype and device of ``input``."
    return like


zeros_like, ones_like, randn_like, rand_like = (_like(f) for f in (zeros, ones, randn, rand))


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_tensor(input, "full_like")
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype,
                device=input.device if device is None else device, requires_grad=requires_grad)
