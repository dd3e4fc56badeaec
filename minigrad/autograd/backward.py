"""``backward`` and ``grad``, as torch.autograd's: run the engine from some outputs, and either accumulate into
the leaves' ``.grad`` or hand the gradients back.

With ``create_graph=True`` the gradients are tensors with graphs of their own (every op's backward runs on tensors:
see differentiable.py), so they can be differentiated again: a Hessian-vector product, a gradient penalty, the
gradient norm as a loss.
"""

from __future__ import annotations

from .. import engine
from ..tensor import Tensor
from ..tensor_hooks import add_into_grad
from .differentiable import TENSOR_VALUES


def _as_list(value, name: str) -> list:
    values = [value] if isinstance(value, Tensor) else list(value)
    for v in values:
        if not isinstance(v, Tensor):
            raise TypeError(f"{name}: expected Tensors, got {type(v).__name__}")
    return values


def _seeds(outputs: list, grad_outputs, create_graph: bool, op: str) -> list:
    """The gradient each output starts with: given, or 1 for a one-element output (else an error, as torch's)."""
    given = [None] * len(outputs) if grad_outputs is None else (
        [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs))
    if len(given) != len(outputs):
        raise RuntimeError(f"{op}: got {len(given)} gradients for {len(outputs)} outputs")
    seeds = []
    for output, gradient in zip(outputs, given):
        if gradient is None:
            if output.numel() != 1:
                raise RuntimeError(f"{op}: a gradient can be created implicitly only for a one-element output; "
                                   f"expected a gradient for the output of shape {output.shape}")
            gradient = output.new_ones(output.shape)
        elif not isinstance(gradient, Tensor):
            raise TypeError(f"{op}: expected the gradient to be a Tensor, got {type(gradient).__name__}")
        elif gradient.shape != output.shape:
            raise RuntimeError(f"{op}: expected a gradient of shape {output.shape} (the output's), got "
                               f"{gradient.shape}")
        elif gradient.device != output.device:
            raise RuntimeError(f"{op}: expected the gradient on device {output.device}, got {gradient.device}")
        gradient = gradient.to(output.dtype)
        seeds.append(gradient if create_graph else gradient._array)
    return seeds


def _run(outputs, seeds, retain_graph, create_graph, targets):
    for output in outputs:
        if not output.requires_grad:
            raise RuntimeError("element of the outputs does not require grad and does not have a grad_fn: "
                               "expected tensors computed from tensors that require grad")
    with engine.set_grad_enabled(create_graph):  # formulas on tensors record their own graph
        return engine.backward([output._gradient_edge() for output in outputs], seeds,
                               create_graph if retain_graph is None else retain_graph, targets,
                               TENSOR_VALUES if create_graph else engine.ArrayGradients)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Add d(tensors)/d(leaf) · grad_tensors into ``leaf.grad`` for every leaf the tensors depend on (only the
    ``inputs``, when given: leaves, or computed tensors, whose ``.grad`` then collects theirs).

    The graph's saved values are freed as it is walked unless ``retain_graph`` (by default: ``create_graph``).
    """
    outputs = _as_list(tensors, "backward")
    seeds = _seeds(outputs, grad_tensors, create_graph, "backward")
    if inputs is None:
        _run(outputs, seeds, retain_graph, create_graph, None)
        return
    inputs = _as_list(inputs, "backward")
    if not inputs:
        raise RuntimeError("backward: expected a non-empty list of inputs")
    captured = _run(outputs, seeds, retain_graph, create_graph, [t._gradient_edge() for t in inputs])
    for tensor, gradient in zip(inputs, captured):
        if gradient is not None:
            add_into_grad(tensor, gradient)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False) -> tuple:
    """d(outputs)/d(inputs) · grad_outputs, returned (nothing is accumulated into any ``.grad``), as torch's.

    ``inputs`` may be leaves or computed tensors. An input the outputs do not depend on is an error unless
    ``allow_unused`` (then its gradient is None, or zeros with ``materialize_grads``). With ``create_graph`` the
    results are differentiable.
    """
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched (vmap over the gradients) is not supported; loop over the "
                                  "gradients instead")
    outputs = _as_list(outputs, "grad")
    inputs = _as_list(inputs, "grad")
    for tensor in inputs:
        if not tensor.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    seeds = _seeds(outputs, grad_outputs, create_graph, "grad")
    captured = _run(outputs, seeds, retain_graph, create_graph, [t._gradient_edge() for t in inputs])
    results = []
    for tensor, gradient in zip(inputs, captured):
        if gradient is None:
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                                   "Set allow_unused=True if this is the desired behavior.")
            results.append(tensor.new_zeros(tensor.shape) if materialize_grads else None)
        else:
            results.append(gradient if isinstance(gradient, Tensor) else Tensor._make(gradient.copy()))
    return tuple(results)
