"""Module: how layers own their weights, as in torch.nn.

A Module registers every Parameter and sub-Module assigned to it as an attribute, so ``parameters()``,
``state_dict()``, ``to()`` and ``train()``/``eval()`` reach the whole tree without any bookkeeping by the layer.
Hooks let a program watch (or change) what goes into and comes out of a module's ``forward``.
"""

from __future__ import annotations

import collections
import numbers

from .. import backend
from ..engine import no_grad
from ..creation import empty
from ..tensor import Tensor
from .parameter import Parameter, UninitializedParameter

_IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class RemovableHandle:
    """Returned by ``register_forward_hook`` and ``register_forward_pre_hook``: ``handle.remove()`` (or leaving
    a ``with handle:`` block) takes the hook away again."""

    def __init__(self, hooks: dict):
        self._hooks = hooks

    def remove(self) -> None:
        self._hooks.pop(self, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


class Module:
    """Base class of layers and models: subclasses set parameters and sub-modules in ``__init__`` and define
    ``forward``; calling the module calls ``forward`` (and the hooks registered on it)."""

    def __init__(self):
        # object.__setattr__ skips our __setattr__, which needs these registries to exist
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers", set())  # names of buffers that state_dict leaves out
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_pre_hooks", {})  # handle -> (hook, with_kwargs), in calling order
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "training", True)

    # --- registration -----------------------------------------------------------------------------------
    def __setattr__(self, name, value):
        registries = self.__dict__.get("_parameters"), self.__dict__.get("_buffers"), self.__dict__.get("_modules")
        if registries[0] is None and isinstance(value, (Parameter, Module)):
            raise AttributeError(f"cannot assign {type(value).__name__} '{name}' before Module.__init__() is called")
        if isinstance(value, Parameter):
            self._unregister(name, keep=self._parameters)
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._unregister(name, keep=self._modules)
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

    def _unregister(self, name, keep: dict | None = None):
        """Forget ``name`` as an attribute, parameter, buffer or module, except in ``keep``: the registry about to
        receive it again, where replacing a value keeps its place (and so its place in state_dict)."""
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent_buffers.discard(name)

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

    def _check_new_name(self, name, registry: str, op: str) -> None:
        """A name for a member: a non-empty string without dots, not already another kind of attribute."""
        if not isinstance(name, str):
            raise TypeError(f"{op}: expected the name to be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f"{op}: expected a non-empty name without '.', got {name!r}")
        if hasattr(self, name) and name not in getattr(self, registry):
            raise KeyError(f"{op}: attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._check_new_name(name, "_parameters", "register_parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: expected a Parameter or None, got {type(param).__name__}")
        self._unregister(name, keep=self._parameters)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that belongs to the module (moved by ``to()``) but is not trained; ``persistent`` buffers
        are also saved by ``state_dict()``."""
        self._check_new_name(name, "_buffers", "register_buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: expected a Tensor or None, got {type(tensor).__name__}")
        self._unregister(name, keep=self._buffers)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        self._check_new_name(name, "_modules", "add_module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: expected a Module, got {type(module).__name__}")
        self._unregister(name, keep=self._modules)
        self._modules[name] = module

    register_module = add_module

    # --- calling ----------------------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks):  # the usual case, checked first: modules are
            return self.forward(*args, **kwargs)                   # called at every step of a recurrence
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict):
        for hook, with_kwargs in list(self._forward_pre_hooks.values()):
            if with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook: expected None or a tuple (new_args, new_kwargs), "
                                           f"got {result!r}")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook, with_kwargs in list(self._forward_hooks.values()):
            result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
            if result is not None:
                output = result
        return output

    @staticmethod
    def _add_hook(hooks: dict, hook, prepend: bool, with_kwargs: bool) -> RemovableHandle:
        handle = RemovableHandle(hooks)
        others = dict(hooks) if prepend else {}
        for key in others:
            del hooks[key]
        hooks[handle] = (hook, with_kwargs)
        hooks.update(others)  # when prepending, the others go back in after the new hook
        return handle

    def register_forward_pre_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False):
        """Call ``hook(module, args)`` before each ``forward``; if it returns something, that replaces the
        positional arguments (a tuple, or a single value). With ``with_kwargs`` it is ``hook(module, args,
        kwargs)`` and may return a new ``(args, kwargs)``. Returns a handle whose ``remove()`` undoes this."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False):
        """Call ``hook(module, args, output)`` after each ``forward`` (``hook(module, args, kwargs, output)``
        with ``with_kwargs``); if it returns something, that replaces the output. Returns a removable handle."""
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)

    # --- walking the tree -------------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True):
        """(name, module) for this module and every module below it, depth first; a module reached by two
        paths is listed once (at the first), unless ``remove_duplicate`` is False."""
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if module in memo:
                continue
            if remove_duplicate:
                memo.add(module)
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

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_name, module in modules:
            for name, member in getattr(module, registry).items():
                if member is None or (remove_duplicate and id(member) in seen):
                    continue
                seen.add(id(member))
                yield (f"{module_name}.{name}" if module_name else name), member

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """(dotted name, parameter) for every parameter, each once (a shared layer is trained once)."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        return (param for _, param in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True):
        return (buffer for _, buffer in self.named_buffers(recurse=recurse))

    def get_submodule(self, target: str) -> Module:
        """The module at a dotted path such as ``"encoder.layers.0"`` (``""`` is this module)."""
        module = self
        for name in target.split(".") if target else []:
            if name not in module._modules or module._modules[name] is None:
                problem = "is not an nn.Module" if hasattr(module, name) else "does not exist"
                raise AttributeError(f"get_submodule: expected a sub-module at {target!r}, but "
                                     f"{type(module).__name__}.{name} {problem}")
            module = module._modules[name]
        return module

    def _get_member(self, target: str, registry: str, kind: str, op: str):
        path, _, name = target.rpartition(".")
        members = getattr(self.get_submodule(path), registry)
        if members.get(name) is None:
            raise AttributeError(f"{op}: expected {kind} at {target!r}, found none")
        return members[name]

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path such as ``"encoder.0.weight"``."""
        return self._get_member(target, "_parameters", "a parameter", "get_parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at a dotted path."""
        return self._get_member(target, "_buffers", "a buffer", "get_buffer")

    def apply(self, fn):
        """Call ``fn(module)`` on every sub-module and then on this one (e.g. custom initialisation)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- modes and gradients ----------------------------------------------------------------------------
    def train(self, mode: bool = True):
        """Training mode (dropout active). Returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: expected mode to be a bool, got {type(mode).__name__}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Evaluation mode (dropout off): ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True):
        """Switch gradient recording of every parameter on or off (to freeze a part of a model). Returns self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                with no_grad():
                    param.grad.zero_()

    # --- state ------------------------------------------------------------------------------------------
    def state_dict(self, *, destination=None, prefix: str = "", keep_vars: bool = False) -> dict:
        """Every parameter and persistent buffer by its dotted name (after ``prefix``), detached from the
        graph (values shared, not copied) unless ``keep_vars``."""
        # Unlike parameters(), every path is listed: a module used twice is saved under both, as torch does.
        state = collections.OrderedDict() if destination is None else destination
        for path, module in self.named_modules(remove_duplicate=False):
            for registry in (module._parameters, module._buffers):
                for name, value in registry.items():
                    if value is None or (registry is module._buffers and name in module._non_persistent_buffers):
                        continue
                    keep = keep_vars or isinstance(value, UninitializedParameter)
                    state[prefix + (f"{path}.{name}" if path else name)] = value if keep else value.detach()
        return state

    def load_state_dict(self, state_dict, strict: bool = True):
        """Copy values (Tensors or NumPy arrays) into this module's parameters and buffers.

        Every key and shape is checked before anything changes, so a failed load leaves the module untouched.
        Values are cast to each parameter's dtype and moved to its device. With ``strict``, missing and
        unexpected keys are errors; a shape mismatch always is. An uninitialized parameter of a lazy module takes
        the checkpoint's shape. Returns (missing_keys, unexpected_keys).
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict: expected a mapping of names to tensors, got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        problems = []
        if strict:
            problems += [f'missing key "{key}"' for key in missing]
            problems += [f'unexpected key "{key}"' for key in unexpected]
        values = {}
        for key, target in own.items():
            if key in state_dict:
                problem, values[key] = _checked_value(key, state_dict[key], target)
                problems += [problem] if problem else []
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__} (nothing was changed):\n  "
                               + "\n  ".join(problems))
        with no_grad():
            for key, value in values.items():
                if value is None:
                    continue  # an uninitialized parameter loaded into another: both still wait for their shape
                if isinstance(own[key], UninitializedParameter):
                    self._materialize(key, own[key], value)
                else:
                    own[key].copy_(value)
        return _IncompatibleKeys(missing, unexpected)

    def _materialize(self, key: str, placeholder: UninitializedParameter, value: Tensor) -> None:
        """Replace an uninitialized parameter by a Parameter holding a copy of ``value`` (in no_grad)."""
        path, _, name = key.rpartition(".")
        fresh = Parameter(empty(value.shape, dtype=placeholder.dtype, device=placeholder.device),
                          requires_grad=placeholder.requires_grad)
        setattr(self.get_submodule(path), name, fresh.copy_(value))

    def to(self, *args, device=None, dtype=None, non_blocking: bool = False):
        """Move every parameter and buffer to a device and/or cast floating ones to a dtype, in place:
        ``to('cuda')``, ``to(minigrad.float64)``, ``to(tensor)`` (its device and dtype). Returns self."""
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, (str, backend.Device)):
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

    def half(self):
        return self.to(dtype=backend.float16)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else f"cuda:{device}" if isinstance(device, numbers.Integral)
                       else device)

    # --- printing ---------------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The module's own settings, shown inside the parentheses of its repr (layers override this)."""
        return ""

    def __repr__(self):
        return self._format_repr(self.extra_repr(), [(name, repr(module)) for name, module in self._modules.items()])

    def _format_repr(self, extra: str, children) -> str:
        """torch's layout: ``Name(extra)`` on one line, else one line per extra line and per ``(label): child``,
        with the children's own lines indented."""
        extra_lines = extra.split("\n") if extra else []
        lines = extra_lines + [f"({label}): " + text.replace("\n", "\n  ") for label, text in children]
        if len(lines) == 1 and extra_lines:
            return f"{type(self).__name__}({extra})"
        return f"{type(self).__name__}(" + "".join("\n  " + line for line in lines) + ("\n" if lines else "") + ")"


def _checked_value(key: str, value, target: Tensor):
    """(problem or None, the value as a Tensor) for loading ``value`` into ``target``; the value is None for an
    uninitialized parameter of a checkpoint (saved from a lazy module that was never called)."""
    if isinstance(value, UninitializedParameter):
        if isinstance(target, UninitializedParameter):
            return None, None
        return (f'key "{key}": expected values, got an uninitialized parameter (call the lazy module before '
                "saving it)"), None
    try:
        value = value if isinstance(value, Tensor) else Tensor._from_data(value)
    except TypeError as error:
        return f'key "{key}": {error}', None
    if value.dtype.kind not in "biuf":
        return f'key "{key}": expected numbers, got dtype {value.dtype}', None
    if not isinstance(target, UninitializedParameter) and value.shape != target.shape:
        return (f'size mismatch for "{key}": expected shape {target.shape} (the model\'s), '
                f"got {value.shape} (the checkpoint's)"), None
    return None, value
