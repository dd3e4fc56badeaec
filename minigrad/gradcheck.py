"""Check analytic gradients against central differences, as torch.autograd.gradcheck does.

For a function f of tensors, the numerical Jacobian comes from nudging one input element at a time:

    ∂f/∂x_i ≈ (f(x + ε e_i) - f(x - ε e_i)) / 2ε        (error O(ε²))

and the analytic Jacobian from backward, one output element at a time. They must agree elementwise within
``atol + rtol·|numerical|``. Use float64: in float32 the rounding error of f (≈1e-7·|f|) divided by 2ε swamps the
comparison.
"""

from __future__ import annotations

import itertools

from . import backend
from .engine import no_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """The analytic and numerical gradients disagree."""


def _outputs(fn, inputs) -> tuple:
    out = fn(*inputs)
    outputs = out if isinstance(out, (tuple, list)) else (out,)
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: expected fn to return Tensors, got {type(o).__name__}")
    return tuple(outputs)


def _flat_host(outputs) -> list:
    """All output values, copied to the host, as one flat list of floats."""
    return [value for o in outputs for value in backend.device_of(o._array).to_host(o._array).reshape(-1).tolist()]


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """True when fn's gradients with respect to every input that requires grad match central differences.

    ``inputs`` is a Tensor or a tuple of them (and other arguments, passed through). ``fn`` returns a Tensor or a
    tuple of Tensors. On a mismatch, raises GradcheckError naming the input, the element and both values (or
    returns False with ``raise_exception=False``).
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: expected at least one input Tensor with requires_grad=True")
    for i in checked:
        if inputs[i].dtype != backend.float64:
            raise TypeError(f"gradcheck: expected float64 inputs (float32 rounding swamps the differences), "
                            f"got input {i} of dtype {inputs[i].dtype}")

    outputs = _outputs(fn, inputs)
    sizes = [o.numel() for o in outputs]

    # analytic: row r of the Jacobian is the gradient of output element r
    analytic = {i: [] for i in checked}
    for which, o in enumerate(outputs):
        for element in range(sizes[which]):
            for i in checked:
                inputs[i].grad = None
            if o.requires_grad:
                seed = o.device.xp.zeros(o.numel(), dtype=o.dtype)
                seed[element] = 1
                o.backward(Tensor._make(seed.reshape(o._array.shape)), retain_graph=True)
            for i in checked:
                grad = inputs[i].grad
                analytic[i].append(None if grad is None else grad.numpy().reshape(-1).tolist())
    for i in checked:
        inputs[i].grad = None

    # numerical: column k of the Jacobian is the central difference in input element k
    with no_grad():
        for i in checked:
            x = inputs[i]
            for k, index in enumerate(itertools.product(*(range(n) for n in x.shape))):
                original = x._array[index].item()
                x._array[index] = original + eps
                plus = _flat_host(_outputs(fn, inputs))
                x._array[index] = original - eps
                minus = _flat_host(_outputs(fn, inputs))
                x._array[index] = original
                for r, (p, m) in enumerate(zip(plus, minus)):
                    numerical = (p - m) / (2 * eps)
                    row = analytic[i][r]
                    value = 0.0 if row is None else row[k]
                    if not abs(value - numerical) <= atol + rtol * abs(numerical):
                        if not raise_exception:
                            return False
                        raise GradcheckError(
                            f"gradcheck: gradient mismatch for input {i} (shape {x.shape}) at element {index}, "
                            f"output element {r}: analytic {value!r}, numerical {numerical!r} "
                            f"(tolerance atol={atol} + rtol={rtol}·|numerical|)")
    return True
