"""Module and Parameter: how layers own their weights, as in torch.nn.

A Module registers every Parameter and sub-Module assigned to it as an attribute, so ``parameters()``,
``state_dict()``, ``to()`` and ``train()``/``eval()`` reach the whole tree without any bookkeeping by the layer.
"""

from __future__ import annotations

import collections

from .. import backend
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a weight of a Module: a leaf that requires grad, registered when assigned to a module."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        super().__init__([] if data is None else data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


_IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class of layers and models: subclasses set parameters and sub-modules in ``__init__`` and define
    ``forward``; calling the module calls ``forward``."""

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # --- registration -----------------------------------------------------------------------------------
    def __setattr__(self, name, value):
        registries = self.__dict__.get("_parameters"), self.__dict__.get("_buffers"), self.__dict__.get("_modules")
        if registries[0] is None and isinstance(value, (Parameter, Module)):
            raise AttributeError(f"cannot assign {type(value).__name__} '{name}' before Module.__init__() is called")
        if isinstance(value, Parameter):
            self._unregister(name)
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._unregister(name)
            self._modules[name] = value
        elif registries[0] is not None and name in self._parameters:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter '{name}' "
                                "(expected a Parameter or None)")
            self._parameters[name] = None
        elif registries[1] is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer '{name}' (expected a Tensor or None)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _unregister(self, name):
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)

    def __getattr__(self, name):
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        if name in self._parameters or name in self._buffers or name in self._modules:
            self._unregister(name)
        else:
            object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: expected a Parameter or None, got {type(param).__name__}")
        self._unregister(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """A tensor that belongs to the module's state (saved, moved) but is not trained."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: expected a Tensor or None, got {type(tensor).__name__}")
        self._unregister(name)
        self._buffers[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: expected a Module, got {type(module).__name__}")
        self._unregister(name)
        self._modules[name] = module

    # --- calling ----------------------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # --- walking the tree -------------------------------------------------------------------------------
    def named_modules(self, prefix: str = ""):
        """(name, module) for this module and every module below it, each once."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module._modules.items() if child is not None]
            stack.extend(reversed(children))

    def modules(self):
        return (module for _, module in self.named_modules())

    def named_children(self):
        return ((name, module) for name, module in self._modules.items() if module is not None)

    def children(self):
        return (module for _, module in self.named_children())

    def _named_members(self, registry: str, recurse: bool):
        seen = set()
        modules = self.named_modules() if recurse else [("", self)]
        for module_name, module in modules:
            for name, member in getattr(module, registry).items():
                if member is None or id(member) in seen:
                    continue
                seen.add(id(member))
                yield (f"{module_name}.{name}" if module_name else name), member

    def named_parameters(self, recurse: bool = True):
        return self._named_members("_parameters", recurse)

    def parameters(self, recurse: bool = True):
        return (param for _, param in self.named_parameters(recurse))

    def named_buffers(self, recurse: bool = True):
        return self._named_members("_buffers", recurse)

    def buffers(self, recurse: bool = True):
        return (buffer for _, buffer in self.named_buffers(recurse))

    def apply(self, fn):
        """Call ``fn(module)`` on every sub-module and then on this one (e.g. custom initialisation)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- modes and gradients ----------------------------------------------------------------------------
    def train(self, mode: bool = True):
        """Training mode (dropout active). Returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self):
        """Evaluation mode (dropout off): ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad._array[...] = 0

    # --- state ------------------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Every parameter and buffer by its dotted name, detached from the graph (values shared, not copied)."""
        # Unlike parameters(), every name is listed: a module used twice is saved under both, as torch does.
        state = collections.OrderedDict()
        stack = [("", self)]
        while stack:
            name, module = stack.pop()
            for registry in (module._parameters, module._buffers):
                for key, value in registry.items():
                    if value is not None:
                        state[f"{name}.{key}" if name else key] = value.detach()
            stack.extend(reversed([(f"{name}.{child_name}" if name else child_name, child)
                                   for child_name, child in module._modules.items() if child is not None]))
        return state

    def load_state_dict(self, state_dict, strict: bool = True):
        """Copy values (Tensors or NumPy arrays) into this module's parameters and buffers.

        Every key and shape is checked before anything changes, so a failed load leaves the module untouched.
        Values are cast to each parameter's dtype and moved to its device. With ``strict``, missing and
        unexpected keys are errors; a shape mismatch always is. Returns (missing_keys, unexpected_keys).
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict: expected a mapping of names to tensors, got {type(state_dict).__name__}")
        own = self.state_dict()
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        problems = []
        if strict:
            problems += [f'missing key "{key}"' for key in missing]
            problems += [f'unexpected key "{key}"' for key in unexpected]
        converted = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            try:
                array = value._array if isinstance(value, Tensor) else (
                    value if backend.is_array(value) else backend.host_array(value))
            except TypeError as error:
                problems.append(f'key "{key}": {error}')
                continue
            if tuple(array.shape) != target.shape:
                problems.append(f'size mismatch for "{key}": expected shape {target.shape} (the model\'s), '
                                f"got {tuple(array.shape)} (the checkpoint's)")
                continue
            if array.dtype.kind not in "biuf":
                problems.append(f'key "{key}": expected numbers, got dtype {array.dtype}')
                continue
            converted[key] = backend.transfer(array, target.device).astype(target.dtype, copy=False)
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__} (nothing was changed):\n  "
                               + "\n  ".join(problems))
        for key, array in converted.items():
            own[key]._array[...] = array  # own[key] shares its array with the parameter: this writes the parameter
            own[key]._bump_version()  # (and its version counter: a graph that saved the old value will notice)
        return _IncompatibleKeys(missing, unexpected)

    def to(self, *args, device=None, dtype=None):
        """Move every parameter and buffer to a device and/or cast floating ones to a dtype, in place."""
        for arg in args:
            if isinstance(arg, (str, backend.Device)):
                device = arg
            else:
                dtype = arg
        device = None if device is None else backend.get_device(device)
        dtype = None if dtype is None else backend.as_dtype(dtype)
        if dtype is not None and not backend.is_floating(dtype):
            raise TypeError(f"Module.to: expected a floating dtype, got {dtype}")
        for tensor in list(self.parameters()) + list(self.buffers()):
            for holder in (tensor, tensor.grad):
                if holder is None:
                    continue
                if device is not None:
                    holder._array = backend.transfer(holder._array, device)
                if dtype is not None and backend.is_floating(holder.dtype):
                    holder._array = holder._array.astype(dtype, copy=False)
        return self

    def float(self):
        return self.to(dtype=backend.float32)

    def double(self):
        return self.to(dtype=backend.float64)

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    # --- printing ---------------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        lines = [f"({name}): " + repr(module).replace("\n", "\n  ") for name, module in self.named_children()]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        head = self.extra_repr()
        return f"{type(self).__name__}(" + ("\n  " + head if head else "") + "".join(
            "\n  " + line for line in lines) + "\n)"
