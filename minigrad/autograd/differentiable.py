"""Formulas on tensors: how a gradient (or a tangent) becomes something that can be differentiated again.

Every op writes its backward (and jvp) once, against ``ctx.xp`` and ``ctx.saved_tensors``. On the first-order
path those are NumPy (or CuPy) and the saved arrays. To differentiate a gradient again (``create_graph``), or to
push a tangent forward (forward mode), the same formula runs on tensors: ``ctx.xp`` is then ``Namespace`` below,
NumPy's names for minigrad's own differentiable ops, and ``ctx.saved_tensors`` gives tensors connected to the graph
(an input as the tensor it was, an output as this node's own output), so that the formula records a graph of its
own. This is HIPS autograd's idea: gradients written against a wrapped NumPy serve every order.
"""

from __future__ import annotations

from .. import backend, dual, engine, ops
from ..creation import arange, zeros
from ..functions import cat, einsum, stack, where
from ..tensor import Tensor, apply
from ..tensor_base import TensorBase
from ..tensor_hooks import AccumulateGrad


class Namespace:
    """NumPy's names for minigrad's differentiable ops, for one device: what ``ctx.xp`` is while a formula is
    computed on tensors. It holds exactly the functions the ops' formulas use (a formula that reaches for another
    fails loudly here, and the test that differentiates every op twice finds it)."""

    def __init__(self, device):
        self.device = device

    @staticmethod
    def where(condition, a, b):
        if not isinstance(condition, TensorBase):
            condition = Tensor._from_data(condition, dtype=backend.bool_)
        return where(condition, a, b)

    # functions of one value
    @staticmethod
    def exp(a):
        return a.exp()

    @staticmethod
    def log(a):
        return a.log()

    @staticmethod
    def log1p(a):
        return a.log1p()

    @staticmethod
    def sign(a):
        return a.sign()

    @staticmethod
    def sqrt(a):
        return a.sqrt()

    @staticmethod
    def trunc(a):
        return a.trunc()

    @staticmethod
    def floor_divide(a, b):
        return a.floor_divide(b) if isinstance(a, TensorBase) else b.__rfloordiv__(a)

    @staticmethod
    def sin(a):
        return a.sin()

    @staticmethod
    def cos(a):
        return a.cos()

    @staticmethod
    def sinh(a):
        return a.sinh()

    @staticmethod
    def cosh(a):
        return a.cosh()

    @staticmethod
    def erf(a):
        return a.erf()

    @staticmethod
    def isnan(a):
        return a.isnan()

    # shapes
    @staticmethod
    def expand_dims(a, axis):
        for d in sorted(axis if isinstance(axis, tuple) else (axis,)):
            a = a.unsqueeze(d)
        return a

    @staticmethod
    def broadcast_to(a, shape):
        return a.expand(tuple(shape))

    @staticmethod
    def transpose(a, axes):
        return a.permute(tuple(axes))

    @staticmethod
    def swapaxes(a, axis0, axis1):
        return a.transpose(axis0, axis1)

    @staticmethod
    def flip(a, axis):
        return a.flip(axis)

    @staticmethod
    def concatenate(tensors, axis):
        return cat(list(tensors), axis)

    @staticmethod
    def stack(tensors, axis):
        return stack(list(tensors), axis)

    @staticmethod
    def split(a, boundaries, axis):
        """NumPy's split at the given boundaries."""
        edges = [0, *boundaries, a.shape[axis]]
        return tuple(a.narrow(axis, start, end - start) for start, end in zip(edges, edges[1:]))

    # sums and products
    @staticmethod
    def cumsum(a, axis):
        return a.cumsum(axis)

    @staticmethod
    def einsum(equation, *operands):
        return einsum(equation, *operands)

    @staticmethod
    def take_along_axis(a, index, axis):
        return a.gather(axis, index)

    # making and writing
    def zeros(self, shape, dtype):
        return zeros(*shape, dtype=dtype, device=self.device)

    def arange(self, n):
        return arange(n, device=self.device)

    @staticmethod
    def accumulate(shape, dtype, key, values):
        """Zeros of ``shape`` with ``values`` added at ``key`` (an element named twice gets both)."""
        return apply(ops.IndexAdd, values, shape=tuple(shape), key=_array_key(key))

    @staticmethod
    def setitem(a, key, values):
        """A copy of ``a`` with ``[key] = values``."""
        out = a.clone()
        out[_array_key(key)] = values
        return out

    @staticmethod
    def transfer(a, device):
        return a.to(device)

    @staticmethod
    def cast(a, dtype):
        return a.to(dtype)


def _array_key(key):
    """An indexing key whose index tensors are replaced by their arrays (formulas mix both)."""
    if isinstance(key, tuple):
        return tuple(_array_key(k) for k in key)
    return key._array if isinstance(key, TensorBase) else key


class TensorValues:
    """The engine's arithmetic (engine.ArrayGradients) on gradients that are tensors, with graphs of their own;
    and, for the nodes whose formulas run on them, their namespace and their saved values as tensors."""

    _namespaces = {}

    @staticmethod
    def unbroadcast(grad, shape):
        return engine.unbroadcast(grad, shape)

    @staticmethod
    def cast(grad, dtype):
        return grad.to(dtype)

    @staticmethod
    def add(total, grad, owned):
        return total + grad

    @classmethod
    def namespace(cls, device):
        found = cls._namespaces.get(device)
        if found is None:
            found = cls._namespaces[device] = Namespace(device)
        return found

    @staticmethod
    def saved(node) -> tuple:
        """The node's saved arrays as tensors: an input as the tensor it was (connected to its own node), an output
        as this node's output, and a constant (a mask, an index) as a tensor without a graph. A float value the
        node computed for itself cannot be differentiated through, and is refused."""
        given = node.__dict__.get("_saved_for_jvp")
        if given is not None:
            return given
        roles = {position: role for _, _, position, role in node._saved_versions}
        result = []
        for position, value in enumerate(node._saved):
            role = roles.get(position)
            if not backend.is_array(value):
                result.append(value)  # a Python number: a constant
            elif role is None:
                if value.dtype.kind == "f":
                    raise RuntimeError(f"{node.name()} cannot be differentiated twice: its backward uses a value it "
                                       "computed for itself, which is not part of the graph")
                result.append(Tensor._make(value))
            elif role >= 0:
                result.append(_input_as_tensor(node.edges[role], value))
            else:
                result.append(Tensor._make(value, node, -1 - role))
        for position, pairs in node.__dict__.get("_saved_tangents", {}).items():
            for level, tangent in pairs:  # forward mode was on in the forward pass: they were dual tensors
                if level in dual.levels and level.get(result[position]) is None:
                    level[result[position]] = tangent
        return tuple(result)


def _input_as_tensor(edge, array) -> Tensor:
    """The tensor an input was: the leaf itself, or a tensor with the input's node and output number."""
    parent = None if edge is None else edge[0]
    if parent is None:
        return Tensor._make(array)
    if isinstance(parent, AccumulateGrad):
        return parent.variable
    return Tensor._make(array, parent, edge[1])


TENSOR_VALUES = TensorValues()
