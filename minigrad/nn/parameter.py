"""Parameter, the Tensor a Module trains, and UninitializedParameter, one whose shape a lazy module learns later."""

from __future__ import annotations

from ..creation import empty
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a weight of a Module: a leaf that requires grad, registered when assigned to a module."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        super().__init__([] if data is None else data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet: a lazy module (``LazyLinear``) holds these until its first call.

    It has a dtype and a device (``module.to(...)`` moves it like any parameter) but no shape and no values;
    the lazy module replaces it with a Parameter of the right shape when it first sees an input.
    """

    __slots__ = ()

    def __init__(self, requires_grad=True, device=None, dtype=None):
        super().__init__(empty(0, dtype=dtype, device=device), requires_grad=requires_grad)

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter: call the lazy module on an "
                           "input first (its shape is inferred from it), or load a state_dict into it")

    def __repr__(self):
        return "<UninitializedParameter>"
