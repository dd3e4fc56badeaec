"""Optimisers: how a gradient becomes a step. torch.optim's names, arguments and update rules.

Each optimiser keeps ``param_groups`` (lists of parameters with their hyper-parameters) and per-parameter
``state``; ``step()`` updates parameters in place on their raw arrays, outside the graph.
"""

from __future__ import annotations

import warnings

from .. import backend
from ..checks import check_number
from ..tensor import Tensor


class Optimizer:
    """Base class: holds parameter groups and state; subclasses define ``_update``."""

    def __init__(self, params, defaults: dict):
        if isinstance(params, Tensor):
            raise TypeError("optimizer: expected an iterable of Tensors (e.g. model.parameters()), got a Tensor")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.defaults = defaults
        self.param_groups = []
        self.state = {}
        seen = set()
        for group in groups:
            params = list(group["params"])
            if len({id(p) for p in params}) != len(params):
                warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                              "cause an error (torch's warning: a duplicate is stepped twice)", UserWarning, stacklevel=3)
            if seen & {id(p) for p in params}:
                raise ValueError("some parameters appear in more than one parameter group")
            seen |= {id(p) for p in params}
            for p in params:
                if not isinstance(p, Tensor):
                    raise TypeError(f"{type(self).__name__}: expected Tensors to optimize, got {type(p).__name__}")
                if not p.is_leaf:
                    raise ValueError(f"{type(self).__name__}: expected leaf Tensors (parameters), got a computed "
                                     f"tensor (grad_fn={p.grad_fn.name()})")
            self.param_groups.append({**defaults, **group, "params": params})

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad._array[...] = 0

    def step(self) -> None:
        """Update every parameter that has a gradient, in place (each update is an in-place change: it bumps the
        parameter's version, so a graph that saved the old value refuses to backward through it)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    state = self.state.setdefault(p, {})
                    _check_state_device(type(self).__name__, p, state)
                    self._update(p._array, p.grad._array, group, state)
                    p._bump_version()

    def _update(self, param, grad, group: dict, state: dict) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """Hyper-parameters and per-parameter state, with parameters named by their position (as torch does)."""
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(p, len(index))
                ids.append(index[p])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[p]: {k: Tensor._make(v) if backend.is_array(v) else v for k, v in s.items()}
                 for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict`` returned; checked completely before anything changes."""
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        if groups is None or "state" not in state_dict:
            raise ValueError("load_state_dict: expected a dict with 'state' and 'param_groups'")
        if len(groups) != len(self.param_groups) or any(
                len(saved["params"]) != len(own["params"]) for saved, own in zip(groups, self.param_groups)):
            raise ValueError(f"load_state_dict: expected groups of sizes {[len(g['params']) for g in self.param_groups]}, "
                             f"got {[len(g['params']) for g in groups]}")
        params = {i: p for saved, own in zip(groups, self.param_groups) for i, p in zip(saved["params"], own["params"])}
        new_state = {}
        for i, saved in state_dict["state"].items():
            i = int(i)
            if i not in params:
                raise ValueError(f"load_state_dict: state for parameter {i}, which no group holds")
            p = params[i]
            entry = {}
            for key, value in saved.items():
                if isinstance(value, Tensor) or backend.is_array(value):
                    array = value._array if isinstance(value, Tensor) else value
                    if tuple(array.shape) != p.shape:
                        raise ValueError(f"load_state_dict: state '{key}' of parameter {i}: expected shape "
                                         f"{p.shape}, got {tuple(array.shape)}")
                    value = backend.transfer(array, p.device).astype(p.dtype)
                entry[key] = value
            new_state[p] = entry
        for saved, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in saved.items() if k != "params"})
        self.state = new_state


def _check_state_device(optimizer: str, param: Tensor, state: dict) -> None:
    """State made before ``model.to(device)`` stays where it was; say so instead of failing inside an update."""
    for key, value in state.items():
        if backend.is_array(value) and backend.device_of(value) != param.device:
            raise RuntimeError(f"{optimizer}: the state {key!r} of a parameter is on {backend.device_of(value)} but "
                               f"the parameter is on {param.device}; move the model before creating the "
                               "optimizer (or create a new optimizer after moving it)")


def zeros_like(array):
    return backend.device_of(array).xp.zeros_like(array)


def check_hyperparameters(optimizer: str, **values) -> None:
    """Each value a finite number >= 0 (lr, momentum, weight_decay, eps, ...), else torch's error types: TypeError
    for what is not a number (lr="0.1"), ValueError for a negative one."""
    for name, value in values.items():
        check_number(value, name, optimizer, minimum=0.0)


def check_betas(optimizer: str, betas) -> None:
    """Two numbers in [0, 1): the decay rates of running averages (Adam's β₁, β₂)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{optimizer}: expected betas as two numbers in [0, 1), got {betas!r}")
    for index, beta in enumerate(betas):
        check_number(beta, f"betas[{index}]", optimizer, minimum=0.0)
        if beta >= 1:
            raise ValueError(f"{optimizer}: expected betas[{index}] < 1, got {beta}")
