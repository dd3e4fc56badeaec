"""Optimisers: how a gradient becomes a step. torch.optim's names, arguments and update rules.

Each optimiser keeps ``param_groups`` (lists of parameters with their hyper-parameters) and per-parameter
``state``; ``step()`` updates parameters in place on their raw arrays, outside the graph.
"""

from __future__ import annotations

import warnings

from .. import backend
from ..checks import check_number
from ..engine import enable_grad
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
                              "cause an error (torch's warning: a duplicate is stepped twice)", UserWarning,
                              stacklevel=3)
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

    def step(self, closure=None):
        """Update every parameter that has a gradient, in place (each update is an in-place change: it bumps the
        parameter's version, so a graph that saved the old value refuses to backward through it).

        ``closure``, as torch's: a function that recomputes the loss (and its gradients) first; its loss is
        returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    state = self.state.setdefault(p, {})
                    _check_state_device(type(self).__name__, p, state)
                    self._update(p._array, p.grad._array, group, state)
                    p._bump_version()
        return loss

    def _update(self, param, grad, group: dict, state: dict) -> None:
        raise NotImplementedError

    def _state_shape(self, param: Tensor, key: str) -> tuple:
        """The shape the state ``key`` of ``param`` has (checked by load_state_dict): the parameter's own, unless an
        optimiser keeps state of another shape (LBFGS's flattened vectors)."""
        return param.shape

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
        state = {index[p]: {k: _as_tensors(v) for k, v in s.items()} for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict`` returned; checked completely before anything changes."""
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        if groups is None or "state" not in state_dict:
            raise ValueError("load_state_dict: expected a dict with 'state' and 'param_groups'")
        if len(groups) != len(self.param_groups) or any(
                len(saved["params"]) != len(own["params"]) for saved, own in zip(groups, self.param_groups)):
            sizes = [len(group["params"]) for group in self.param_groups]
            raise ValueError(f"load_state_dict: expected groups of sizes {sizes}, "
                             f"got {[len(group['params']) for group in groups]}")
        params = {i: p for saved, own in zip(groups, self.param_groups) for i, p in zip(saved["params"], own["params"])}
        new_state = {}
        for i, saved in state_dict["state"].items():
            i = int(i)
            if i not in params:
                raise ValueError(f"load_state_dict: state for parameter {i}, which no group holds")
            p = params[i]
            new_state[p] = {key: _as_arrays(value, p, self._state_shape(p, key), f"state '{key}' of parameter {i}")
                            for key, value in saved.items()}
        for saved, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in saved.items() if k != "params"})
        self.state = new_state


def _as_tensors(value):
    """A state value as state_dict hands it out: arrays as Tensors, also inside lists (LBFGS's history)."""
    if isinstance(value, list):
        return [_as_tensors(item) for item in value]
    return Tensor._make(value) if backend.is_array(value) else value


def _as_arrays(value, param: Tensor, shape: tuple, where: str):
    """A saved state value as the optimiser keeps it: Tensors and arrays (also inside lists) copied to the
    parameter's device and dtype, as torch casts them, after checking their shape."""
    if isinstance(value, list):
        return [_as_arrays(item, param, shape, where) for item in value]
    if not (isinstance(value, Tensor) or backend.is_array(value)):
        return value
    array = value._array if isinstance(value, Tensor) else value
    if tuple(array.shape) != shape:
        raise ValueError(f"load_state_dict: {where}: expected shape {shape}, got {tuple(array.shape)}")
    return backend.transfer(array, param.device).astype(param.dtype)


def _check_state_device(optimizer: str, param: Tensor, state: dict) -> None:
    """State made before ``model.to(device)`` stays where it was; say so instead of failing inside an update."""
    for key, value in state.items():
        if backend.is_array(value) and backend.device_of(value) != param.device:
            raise RuntimeError(f"{optimizer}: the state {key!r} of a parameter is on {backend.device_of(value)} but "
                               f"the parameter is on {param.device}; move the model before creating the "
                               "optimizer (or create a new optimizer after moving it)")


def zeros_like(array):
    return backend.device_of(array).xp.zeros_like(array)


def count_step(state: dict, param, **buffers: bool) -> int:
    """Count one more update of a parameter and return the count; at its first, create at zero the buffers
    (running averages) flagged True: ``count_step(state, param, exp_avg=True, max_exp_avg_sq=amsgrad)``."""
    if "step" not in state:
        state.update(step=0, **{name: zeros_like(param) for name, wanted in buffers.items() if wanted})
    state["step"] += 1
    return state["step"]


def directed_gradient(grad, param, maximize: bool, weight_decay: float):
    """The gradient an update follows: negated to climb (``maximize``), plus λθ for L2 ``weight_decay`` λ."""
    if maximize:
        grad = -grad
    if weight_decay:
        grad = grad + weight_decay * param
    return grad


def decay_and_direct(param, grad, group: dict):
    """The gradient of the Adam family's update (Adam, NAdam, RAdam), after its weight decay λ: with
    ``decoupled_weight_decay`` (AdamW's way) the parameters shrink first, θ ← θ(1 - ηλ), and the gradient is only
    directed (``maximize``); otherwise λθ is added to it (L2), so that the decay passes through the moments."""
    weight_decay, decoupled = group["weight_decay"], group["decoupled_weight_decay"]
    if decoupled and weight_decay:
        param *= 1 - group["lr"] * weight_decay
    return directed_gradient(grad, param, group["maximize"], 0 if decoupled else weight_decay)


def update_moments(state: dict, grad, betas) -> None:
    """Adam's running averages of the gradient and its square, in place, rounded as torch's:
    m ← β₁m + (1-β₁)g (``exp_avg``);  v ← β₂v + (1-β₂)g² (``exp_avg_sq``)."""
    beta1, beta2 = betas
    lerp_(state["exp_avg"], grad, 1 - beta1)
    exp_avg_sq = state["exp_avg_sq"]
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * grad * grad


def scalar_state(value: float) -> float:
    """A per-parameter scalar of an optimiser's state (NAdam's ``mu_product``, ASGD's ``eta`` and ``mu``) rounded
    as torch keeps it: in a 0-d tensor of float32, or of float64 when that is the default dtype. The rounding
    changes the steps in their eighth digit, so it is kept to give torch's numbers."""
    dtype = backend.float64 if backend.get_default_dtype() == backend.float64 else backend.float32
    return float(dtype.type(value))


def lerp_(start, end, weight: float) -> None:
    """start ← start + weight·(end - start), in place, rounded as torch's ``lerp_``: computed from the end that
    ``weight`` is nearer to (a running average's update, ``m ← βm + (1-β)g``, with weight 1-β)."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


def check_implementation_flags(optimizer: str, foreach=None, fused=None, capturable=False, differentiable=False):
    """torch's choices between implementations of one update: ``foreach`` and ``fused`` are accepted and change
    nothing (minigrad has one implementation, which computes what torch's default one does). ``capturable`` (for
    CUDA graphs) and ``differentiable`` (a step autograd can differentiate) are accepted only as False: the steps
    here run outside the graph and are not captured."""
    for name, value in (("capturable", capturable), ("differentiable", differentiable)):
        if value:
            raise NotImplementedError(f"{optimizer}: expected {name}=False, got {value!r}: minigrad's optimisers "
                                      "update the parameters outside the graph, with one implementation")
    if fused and foreach:
        raise RuntimeError(f"{optimizer}: expected at most one of fused and foreach to be True, got both")


def check_hyperparameters(optimizer: str, **values) -> None:
    """Each value a finite number >= 0 (lr, momentum, weight_decay, eps, ...), else torch's error types: TypeError
    for what is not a number (lr="0.1"), ValueError for a negative one."""
    for name, value in values.items():
        check_number(value, name, optimizer, minimum=0.0)


def check_adam_arguments(optimizer: str, lr, betas, eps, weight_decay, foreach=None, fused=None, capturable=False,
                         differentiable=False) -> None:
    """The arguments the Adam family (Adam, Adamax, NAdam, RAdam) shares, checked as torch checks them."""
    check_hyperparameters(optimizer, lr=lr, eps=eps, weight_decay=weight_decay)
    check_betas(optimizer, betas)
    check_implementation_flags(optimizer, foreach, fused, capturable, differentiable)


def check_betas(optimizer: str, betas) -> None:
    """Two numbers in [0, 1): the decay rates of running averages (Adam's β₁, β₂)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{optimizer}: expected betas as two numbers in [0, 1), got {betas!r}")
    for index, beta in enumerate(betas):
        check_number(beta, f"betas[{index}]", optimizer, minimum=0.0)
        if beta >= 1:
            raise ValueError(f"{optimizer}: expected betas[{index}] < 1, got {beta}")
