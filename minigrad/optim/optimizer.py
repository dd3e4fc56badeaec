"""Optimisers: how a gradient becomes a step. torch.optim's names, arguments and update rules.

Each optimiser keeps ``param_groups`` (lists of parameters with their hyper-parameters) and per-parameter
``state``; ``step()`` updates parameters in place on their raw arrays, outside the graph.
"""

from __future__ import annotations

import math
import numbers

from .. import backend
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
        for group in groups:
            params = list(group["params"])
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
        """Update every parameter that has a gradient."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    state = self.state.setdefault(p, {})
                    _check_state_device(type(self).__name__, p, state)
                    self._update(p._array, p.grad._array, group, state)

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


def _zeros_like(array):
    return backend.device_of(array).xp.zeros_like(array)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (heavy ball or Nesterov) and L2 weight decay.

    g ← ∇ + λθ;  b ← μb + (1-τ)g (b = g at the first step);  g ← g + μb (Nesterov) or b;  θ ← θ - ηg
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        _check(_is_number(lr) and lr >= 0, f"SGD: expected lr >= 0, got {lr}")
        _check(_is_number(momentum) and momentum >= 0, f"SGD: expected momentum >= 0, got {momentum}")
        _check(_is_number(weight_decay) and weight_decay >= 0, f"SGD: expected weight_decay >= 0, got {weight_decay}")
        _check(not nesterov or (momentum > 0 and dampening == 0),
               f"SGD: Nesterov momentum expects momentum > 0 and dampening = 0, got {momentum} and {dampening}")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov))

    def _update(self, param, grad, group, state):
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        momentum = group["momentum"]
        if momentum:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = grad.copy()
            else:
                buffer = state["momentum_buffer"]
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            buffer = state["momentum_buffer"]
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= group["lr"] * grad


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running estimates of the gradient's mean and square.

    m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  θ ← θ - η·(m / (1-β₁ᵗ)) / (√(v / (1-β₂ᵗ)) + ε)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        _check(_is_number(lr) and lr >= 0, f"Adam: expected lr >= 0, got {lr}")
        _check(len(betas) == 2 and all(_is_number(b) and 0 <= b < 1 for b in betas),
               f"Adam: expected betas as two numbers in [0, 1), got {betas}")
        _check(_is_number(eps) and eps >= 0, f"Adam: expected eps >= 0, got {eps}")
        _check(_is_number(weight_decay) and weight_decay >= 0, f"Adam: expected weight_decay >= 0, got {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _update(self, param, grad, group, state):
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        beta1, beta2 = group["betas"]
        if "step" not in state:
            state["step"] = 0
            state["exp_avg"] = _zeros_like(grad)
            state["exp_avg_sq"] = _zeros_like(grad)
        state["step"] += 1
        m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        # torch's arrangement of the bias corrections, so both give the same numbers
        denominator = (v ** 0.5) / math.sqrt(1 - beta2 ** t) + group["eps"]
        param -= (group["lr"] / (1 - beta1 ** t)) * m / denominator


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): each coordinate's step shrinks with its accumulated squared gradients.

    s ← s + g²;  θ ← θ - η_t · g / (√s + ε),  η_t = η / (1 + (t-1)·decay)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
        _check(_is_number(lr) and lr >= 0, f"Adagrad: expected lr >= 0, got {lr}")
        _check(_is_number(lr_decay) and lr_decay >= 0, f"Adagrad: expected lr_decay >= 0, got {lr_decay}")
        _check(_is_number(weight_decay) and weight_decay >= 0,
               f"Adagrad: expected weight_decay >= 0, got {weight_decay}")
        _check(_is_number(initial_accumulator_value) and initial_accumulator_value >= 0,
               f"Adagrad: expected initial_accumulator_value >= 0, got {initial_accumulator_value}")
        _check(_is_number(eps) and eps >= 0, f"Adagrad: expected eps >= 0, got {eps}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _update(self, param, grad, group, state):
        if "step" not in state:
            state["step"] = 0
            state["sum"] = _zeros_like(grad) + group["initial_accumulator_value"]
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += grad * grad
        param -= lr * grad / (state["sum"] ** 0.5 + group["eps"])
