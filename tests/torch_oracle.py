"""Run one computation in minigrad and in torch on the same float64 values, and compare what comes out.

``compare(call, *args)`` calls ``call(lib, *tensors)`` with ``lib`` = minigrad, then torch (so ``call`` writes
``lib.nn.functional.cross_entropy(...)`` once for both), compares the outputs, back-propagates the same random
upstream gradient through both and compares the gradient of every differentiable input. Float arrays become
leaves that require grad; integer arrays and ``Fixed(array)`` (targets, class weights) do not.
``raises_like_torch(call, *args)`` checks that both libraries refuse the call with the same exception type.
"""

import numpy as np
import pytest

import minigrad
from conftest import host


class Fixed:
    """An input that is not differentiated (torch gives no gradient to class weights, for instance)."""

    def __init__(self, array):
        self.array = np.asarray(array)


def _inputs(lib, args, differentiate=True):
    tensors = []
    for arg in args:
        if arg is None:
            tensors.append(None)
        elif isinstance(arg, Fixed):
            tensors.append(lib.tensor(arg.array))
        else:
            array = np.asarray(arg)
            tensors.append(lib.tensor(array, requires_grad=differentiate and array.dtype.kind == "f"))
    return tensors


def compare(call, *args, rtol=1e-12, atol=0.0, seed=0):
    """Outputs and input gradients of ``call`` in minigrad equal torch's; returns minigrad's output."""
    torch = pytest.importorskip("torch")
    ours, theirs = _inputs(minigrad, args), _inputs(torch, args)
    out_ours, out_theirs = call(minigrad, *ours), call(torch, *theirs)
    expected = out_theirs.detach().numpy()
    assert out_ours.shape == tuple(expected.shape)
    assert str(out_ours.dtype) == str(expected.dtype)
    np.testing.assert_allclose(host(out_ours), expected, rtol=rtol, atol=atol)
    assert out_ours.requires_grad == out_theirs.requires_grad
    if not out_theirs.requires_grad:
        return out_ours
    upstream = np.random.default_rng(seed).standard_normal(expected.shape)
    (out_ours * minigrad.tensor(upstream)).sum().backward()
    (out_theirs * torch.from_numpy(upstream)).sum().backward()
    for i, (mine, other) in enumerate(zip(ours, theirs)):
        if other is not None and other.requires_grad:
            assert (mine.grad is None) == (other.grad is None), f"gradient of argument {i}"
            if other.grad is not None:
                np.testing.assert_allclose(host(mine.grad), other.grad.numpy(), rtol=rtol, atol=atol,
                                           err_msg=f"gradient of argument {i}")
    return out_ours


def raises_like_torch(call, *args):
    """Both libraries raise, with the same exception type; returns minigrad's exception (to check its message)."""
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        call(torch, *_inputs(torch, args, differentiate=False))
    with pytest.raises(Exception) as ours:
        call(minigrad, *_inputs(minigrad, args, differentiate=False))
    assert type(ours.value) is type(theirs.value), f"torch raised {theirs.value!r}, minigrad {ours.value!r}"
    return ours.value
