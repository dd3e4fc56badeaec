"""Containers, as torch.nn's: modules that hold other modules (``Sequential``, ``ModuleList``, ``ModuleDict``) or
parameters (``ParameterList``, ``ParameterDict``) and register them, so that ``parameters()``, ``state_dict()``
and ``to()`` find what a plain Python list or dict would hide."""

from __future__ import annotations

import collections
import collections.abc
import itertools
import operator

from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _check_iterable(values, op: str):
    try:
        return iter(values)
    except TypeError:
        raise TypeError(f"{op}: expected an iterable, got {type(values).__name__}") from None


class _NumberedModules(Module):
    """What Sequential and ModuleList share: modules in order, reached by position (negative from the end) or
    by slice, and renumbered 0, 1, ... after a deletion or an insertion, as torch does."""

    def _key(self, index) -> str:
        """The name of the module at position ``index``."""
        index, size = operator.index(index), len(self._modules)
        if not -size <= index < size:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for {size} modules")
        return list(self._modules)[index % size]

    def _renumber(self, modules) -> None:
        self._modules.clear()
        self._modules.update((str(i), module) for i, module in enumerate(modules))

    def _sliced(self, index: slice):
        raise NotImplementedError

    def __getitem__(self, index):
        return self._sliced(index) if isinstance(index, slice) else self._modules[self._key(index)]

    def __setitem__(self, index, module) -> None:
        self.add_module(self._key(index), module)

    def __delitem__(self, index) -> None:
        for key in list(self._modules)[index] if isinstance(index, slice) else [self._key(index)]:
            del self._modules[key]
        self._renumber(list(self._modules.values()))

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add ``module`` at the end."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        """Add each of ``modules`` at the end."""
        for module in _check_iterable(modules, f"{type(self).__name__}.extend"):
            self.append(module)
        return self

    def insert(self, index: int, module: Module):
        """Put ``module`` before position ``index``."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.insert: expected a Module, got {type(module).__name__}")
        size = len(self)
        if not -size <= index <= size:
            raise IndexError(f"{type(self).__name__}.insert: index {index} is out of range for {size} modules")
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)
        return self

    def pop(self, index):
        """Remove the module at ``index`` and return it."""
        module = self[index]
        del self[index]
        return module


class Sequential(_NumberedModules):
    """Modules applied one after the other: ``Sequential(a, b, c)(x)`` is ``c(b(a(x)))``; ``seq[i]`` is the i-th.

    ``Sequential(OrderedDict(name=module, ...))`` names them; they are still reached by position too.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            self.extend(args)

    def _sliced(self, index: slice):
        return type(self)(collections.OrderedDict(list(self._modules.items())[index]))

    def __add__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(f"Sequential + : expected a Sequential, got {type(other).__name__}")
        return Sequential(*self, *other)

    def __iadd__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(f"Sequential += : expected a Sequential, got {type(other).__name__}")
        return self.extend(list(other))

    def forward(self, input):
        for module in self:
            input = module(input)
        return input


class ModuleList(_NumberedModules):
    """A list of modules whose parameters are registered (a plain Python list would hide them). It has no
    forward: the model that holds it decides how to call them."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _sliced(self, index: slice):
        return type(self)(list(self._modules.values())[index])

    def __add__(self, other):
        return ModuleList(itertools.chain(self, _check_iterable(other, "ModuleList +")))

    def __iadd__(self, other):
        return self.extend(other)

    def __repr__(self):
        # torch's ModuleList repr folds runs of identical modules: "(0-2): 3 x Linear(...)"
        runs = []  # [first index, last index, repr]
        for i, module in enumerate(self):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        return self._format_repr("", [(str(first), text) if first == last else
                                      (f"{first}-{last}", f"{last - first + 1} x {text}")
                                      for first, last, text in runs])


class ModuleDict(Module):
    """A dict of modules whose parameters are registered, in insertion order; keys are attribute names."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def clear(self) -> None:
        self._modules.clear()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def update(self, modules) -> None:
        """Add (or replace) modules from a mapping or from an iterable of (key, module) pairs."""
        pairs = modules.items() if hasattr(modules, "items") else _check_iterable(modules, "ModuleDict.update")
        for i, pair in enumerate(pairs):
            if len(pair) != 2:
                raise ValueError(f"ModuleDict.update: expected (key, module) pairs, got element #{i} of length "
                                 f"{len(pair)}")
            self[pair[0]] = pair[1]


def _as_parameter(value):
    """A Tensor becomes a Parameter (sharing its values); anything else is kept as it is, as torch does."""
    return Parameter(value) if isinstance(value, Tensor) and not isinstance(value, Parameter) else value


def _describe(value, dtype_text: str) -> str:
    """One line of a ParameterList's or ParameterDict's repr, as torch writes it."""
    if not isinstance(value, Tensor):
        return f"Object of type: {type(value).__name__}"
    size = "x".join(str(n) for n in value.shape)
    device = "" if value.device == "cpu" else f" ({value.device})"
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    return f"{kind} containing: [{dtype_text} of size {size}{device}]"


class ParameterList(Module):
    """A list of parameters, registered under the names 0, 1, ...; tensors put in it become Parameters."""

    def __init__(self, values=None):
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _key(self, index) -> str:
        index = operator.index(index)
        if not -self._size <= index < self._size:
            raise IndexError(f"ParameterList: index {index} is out of range for {self._size} parameters")
        return str(index % self._size)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ParameterList([self[i] for i in range(self._size)[index]])
        return getattr(self, self._key(index))

    def __setitem__(self, index, value) -> None:
        setattr(self, self._key(index), _as_parameter(value))

    def __len__(self):
        return self._size

    def __iter__(self):
        return (self[i] for i in range(self._size))

    def __iadd__(self, values):
        return self.extend(values)

    def append(self, value):
        value = _as_parameter(value)  # first, so that a refused value leaves the list as it was
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values):
        for value in _check_iterable(values, "ParameterList.extend"):
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({i}): " + _describe(value, f"minigrad.{value.dtype}" if isinstance(value, Tensor)
                                                  else "") for i, value in enumerate(self))


# torch's legacy tensor type names, which ParameterDict's repr shows ("FloatTensor")
_TYPE_NAMES = {"float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor", "int8": "CharTensor",
               "int16": "ShortTensor", "int32": "IntTensor", "int64": "LongTensor", "uint8": "ByteTensor",
               "bool": "BoolTensor"}


class ParameterDict(Module):
    """A dict of parameters, registered under their keys; tensors put in it become Parameters."""

    def __init__(self, parameters=None):
        super().__init__()
        self._keys = {}  # insertion order of the keys (a dict used as an ordered set)
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str):
        if key not in self._keys:  # an AttributeError, as torch raises (it looks the key up as an attribute)
            raise AttributeError(f"ParameterDict: no entry {key!r}; the keys are {list(self._keys)}")
        return getattr(self, key)

    def __setitem__(self, key: str, value) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict: expected a string key, got {type(key).__name__}")
        value = _as_parameter(value)
        if isinstance(value, Parameter):
            self.register_parameter(key, value)
        else:
            setattr(self, key, value)
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(list(self._keys))

    def __contains__(self, key) -> bool:
        return key in self._keys

    def keys(self):
        return list(self._keys)

    def items(self):
        return [(key, self[key]) for key in self._keys]

    def values(self):
        return [self[key] for key in self._keys]

    def get(self, key: str, default=None):
        return self[key] if key in self._keys else default

    def pop(self, key: str):
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    def update(self, parameters) -> None:
        """Add (or replace) entries from a mapping or from an iterable of (key, value) pairs. As torch does, the
        keys of a plain dict are taken in sorted order (of an OrderedDict or ParameterDict, in theirs)."""
        if isinstance(parameters, (collections.OrderedDict, ParameterDict)):
            pairs = parameters.items()
        elif isinstance(parameters, collections.abc.Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = _check_iterable(parameters, "ParameterDict.update")
        for key, value in pairs:
            self[key] = value

    def extra_repr(self) -> str:
        def type_name(value):
            prefix = "minigrad." if value.device == "cpu" else f"minigrad.{value.device}."
            return prefix + _TYPE_NAMES.get(str(value.dtype), f"{value.dtype}Tensor")
        return "\n".join(f"  ({key}): " + _describe(value, type_name(value) if isinstance(value, Tensor) else "")
                         for key, value in self.items())
