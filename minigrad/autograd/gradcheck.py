"""Check analytic derivatives against central differences, as torch.autograd.gradcheck and gradgradcheck do.

For a function f of tensors, the numerical Jacobian comes from nudging one input element at a time:

    ∂f/∂x_i ≈ (f(x + ε e_i) - f(x - ε e_i)) / 2ε        (error O(ε²))

Reverse mode gives the analytic Jacobian one row at a time (a backward per output element); forward mode one
column at a time (a jvp per input element, ``check_forward_ad``). They must agree elementwise within
``atol + rtol·|numerical|``. ``gradgradcheck`` checks second derivatives the same way: it gradchecks the function
that computes the gradient (with ``create_graph``). Use float64: in float32 the rounding error of f (≈1e-7·|f|)
divided by 2ε swamps the comparison.
"""

from __future__ import annotations

import itertools

from .. import backend, random
from ..engine import enable_grad, no_grad
from ..tensor import Tensor
from .backward import grad
from .forward_ad import dual_level, make_dual, unpack_dual


class GradcheckError(RuntimeError):
    """The analytic and numerical derivatives disagree."""


def _outputs(fn, inputs) -> tuple:
    out = fn(*inputs)
    outputs = out if isinstance(out, (tuple, list)) else (out,)
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: expected fn to return Tensors, got {type(o).__name__}")
    return tuple(outputs)


def _flat_host(outputs) -> list:
    """All output values, copied to the host, as one flat list of floats."""
    return [value for o in outputs for value in o.numpy().reshape(-1).tolist()]


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
              check_forward_ad: bool = False, check_backward_ad: bool = True) -> bool:
    """True when fn's derivatives with respect to every input that requires grad match central differences: by
    reverse mode (``check_backward_ad``, the default) and by forward mode (``check_forward_ad``).

    ``inputs`` is a Tensor or a tuple of them (and other arguments, passed through). ``fn`` returns a Tensor or a
    tuple of Tensors. On a mismatch, raises GradcheckError naming the mode, the input, the element and both values
    (or returns False with ``raise_exception=False``).
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: expected at least one input Tensor with requires_grad=True")
    for i in checked:
        if inputs[i].dtype != backend.float64:
            raise TypeError(f"gradcheck: expected float64 inputs (float32 rounding swamps the differences), "
                            f"got input {i} of dtype {inputs[i].dtype}")
    numerical = _numerical_jacobians(fn, inputs, checked, eps)  # {input: [column per element: flat outputs]}
    analytic = {}
    if check_backward_ad:
        analytic["reverse mode"] = _reverse_jacobians(fn, inputs, checked)
    if check_forward_ad:
        analytic["forward mode"] = _forward_jacobians(fn, inputs, checked)
    for mode, jacobians in analytic.items():
        for i in checked:
            x = inputs[i]
            for k, index in enumerate(itertools.product(*(range(n) for n in x.shape))):
                for r, expected in enumerate(numerical[i][k]):
                    value = jacobians[i][k][r]
                    if not abs(value - expected) <= atol + rtol * abs(expected):
                        if not raise_exception:
                            return False
                        raise GradcheckError(
                            f"gradcheck ({mode}): derivative mismatch for input {i} (shape {x.shape}) at element "
                            f"{index}, output element {r}: analytic {value!r}, numerical {expected!r} "
                            f"(tolerance atol={atol} + rtol={rtol}·|numerical|)")
    return True


def _numerical_jacobians(fn, inputs, checked, eps) -> dict:
    """Column k of input i's Jacobian: the central difference of all outputs in input element k."""
    columns = {}
    with no_grad():
        for i in checked:
            x = inputs[i]
            columns[i] = []
            for index in itertools.product(*(range(n) for n in x.shape)):
                original = x._array[index].item()
                x._array[index] = original + eps
                plus = _flat_host(_outputs(fn, inputs))
                x._array[index] = original - eps
                minus = _flat_host(_outputs(fn, inputs))
                x._array[index] = original
                columns[i].append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    return columns


def _reverse_jacobians(fn, inputs, checked) -> dict:
    """The same columns from backward: row r of the Jacobian is the gradient of output element r."""
    outputs = _outputs(fn, inputs)
    rows = {i: [] for i in checked}
    for o in outputs:
        for element in range(o.numel()):
            seed = o.new_zeros(o.numel())
            seed[element] = 1
            grads = grad([o], [inputs[i] for i in checked], [seed.reshape(o.shape)], retain_graph=True,
                         allow_unused=True) if o.requires_grad else [None] * len(checked)
            for i, g in zip(checked, grads):
                rows[i].append([0.0] * inputs[i].numel() if g is None else g.numpy().reshape(-1).tolist())
    return {i: [list(column) for column in zip(*rows[i])] for i in checked}


def _forward_jacobians(fn, inputs, checked) -> dict:
    """The same columns from forward mode: column k is the jvp along input element k."""
    columns = {}
    for i in checked:
        x = inputs[i]
        columns[i] = []
        for k in range(x.numel()):
            direction = x.new_zeros(x.numel())
            direction[k] = 1.0
            with dual_level():
                duals = [make_dual(y.detach(), direction.reshape(y.shape) if j == i else y.new_zeros(y.shape))
                         if j in checked else y for j, y in enumerate(inputs)]
                tangents = [unpack_dual(o).tangent for o in _outputs(fn, duals)]
            columns[i].append([value for t, o in zip(tangents, _outputs(fn, inputs))
                               for value in (o.new_zeros(o.shape) if t is None else t).numpy().reshape(-1).tolist()])
    return columns


def gradgradcheck(fn, inputs, grad_outputs=None, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True) -> bool:
    """True when fn's second derivatives match central differences of its first: gradcheck of the function
    (inputs, grad_outputs) ↦ d(fn(inputs))/d(inputs)·grad_outputs, computed with ``create_graph``. Random
    ``grad_outputs`` (that require grad) are drawn when none are given."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    outputs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = random.source()
        grad_outputs = tuple(Tensor._from_data(rng.standard_normal(o.shape), dtype=backend.float64,
                                               device=o.device, requires_grad=True) for o in outputs)
    grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)

    def first_derivatives(*arguments):
        given, seeds = arguments[:len(inputs)], arguments[len(inputs):]
        with enable_grad():  # (gradcheck evaluates its function inside no_grad for the central differences)
            outs = _outputs(fn, given)
            differentiable = [x for x in given if isinstance(x, Tensor) and x.requires_grad]
            grads = grad(outs, differentiable, seeds, create_graph=True, allow_unused=True)
        return tuple(x.new_zeros(x.shape) if g is None else g for g, x in zip(grads, differentiable))

    if not checked:
        raise ValueError("gradgradcheck: expected at least one input Tensor with requires_grad=True")
    return gradcheck(first_derivatives, inputs + grad_outputs, eps, atol, rtol, raise_exception)
