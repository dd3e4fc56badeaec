"""The engine's conventions: accumulation, shared nodes, hooks, retain_grad, no_grad, detach, freeing, depth."""

import numpy as np
import pytest

import minigrad


def leaf(values, dtype=minigrad.float64):
    return minigrad.tensor(np.asarray(values, dtype=float), dtype=dtype, requires_grad=True)


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, -2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 3 + 2 * np.array([1.0, -2.0]))


def test_a_tensor_used_twice_receives_both_gradients():
    x = leaf([0.5, 2.0])
    y = x * x + x  # x feeds Mul twice and Add once
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy() + 1)


def test_in_place_summing_never_changes_an_array_that_another_input_received():
    # Add hands one array to both its inputs, so the leaf x and the node y start from the same gradient array;
    # y then receives a second contribution. Summing it into that first array in place would change x's too.
    x, v = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = v * 1.0
    ((x * 5.0 + y * 7.0) + (x + y)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])
    np.testing.assert_array_equal(v.grad.numpy(), [8.0, 8.0])


def test_a_weight_used_at_every_step_gets_the_sum_of_all_steps():
    w = leaf([0.5, -1.0])
    h = leaf([1.0, 1.0])
    for _ in range(5):
        h = h * w + 1.0
    h.sum().backward()
    expected = np.zeros(2)  # d/dw of the recurrence h_{k+1} = h_k w + 1, by the chain rule written out
    values = [np.array([1.0, 1.0])]
    for _ in range(5):
        values.append(values[-1] * np.array([0.5, -1.0]) + 1.0)
    for k in range(5):  # the step k term: h_k times the product of w over the later steps
        expected += values[k] * np.array([0.5, -1.0]) ** (4 - k)
    np.testing.assert_allclose(w.grad.numpy(), expected)


def test_shared_intermediate_node_runs_once_with_its_total_gradient():
    x = leaf([1.5])
    h = x.tanh()
    calls = []
    h.register_hook(lambda g: calls.append(g.numpy().copy()))
    (h * 2 + h * 3).sum().backward()
    assert len(calls) == 1 and calls[0] == pytest.approx([5.0])
    np.testing.assert_allclose(x.grad.numpy(), 5 * (1 - np.tanh(1.5) ** 2))


def test_leaf_hook_sees_the_total_gradient_once_and_can_replace_it():
    x = leaf([1.0, 2.0])
    seen = []

    def double(grad):
        seen.append(grad.numpy().copy())
        return grad * 2

    handle = x.register_hook(double)
    (x * 3 + x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [4.0, 4.0])
    np.testing.assert_array_equal(x.grad.numpy(), [8.0, 8.0])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_hook_on_intermediate_changes_what_flows_upstream():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.register_hook(lambda g: g * 0)
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_retain_grad_keeps_an_intermediate_gradient_and_others_are_freed():
    x = leaf([1.0, 2.0])
    y = x * 3
    z = y.tanh()
    y.retain_grad()
    z.sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), 1 - np.tanh(y.numpy()) ** 2)
    assert z.grad is None  # not retained: its gradient was dropped once consumed


def test_saved_values_are_freed_and_a_second_backward_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    assert y.grad_fn.released and set(y.grad_fn.__dict__) == {"released"}  # nothing forward saved is left
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_which_accumulates():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 4 * x.numpy())


def test_no_grad_as_context_and_decorator():
    x = leaf([1.0])
    with minigrad.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert minigrad.is_grad_enabled()

    @minigrad.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad
    assert (x * 2).requires_grad


def test_detach_cuts_the_graph():
    x = leaf([3.0])
    y = x * x.detach()  # only the first factor carries gradient
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0])
    assert x.detach().is_leaf and not x.detach().requires_grad


def test_is_leaf_and_grad_fn():
    x = leaf([1.0])
    y = x + 1
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn.name() == "AddBackward"
    assert minigrad.tensor([1.0]).is_leaf


def test_a_20000_op_chain_backpropagates_without_recursion_error():
    x = leaf([1.0])
    y = x
    for _ in range(20_000):
        y = y * 1.0001 - 0.00001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 20_000], rtol=1e-9)


def test_backward_needs_a_gradient_for_non_scalars():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"shape \(2,\)"):
        (x * 2).backward()
    (x * 2).backward(minigrad.tensor([1.0, 10.0], dtype=minigrad.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 20.0])
    with pytest.raises(RuntimeError, match=r"expected a gradient of shape \(2,\) \(the output's\), got \(3,\)"):
        (x * 2).backward(minigrad.tensor([1.0, 2.0, 3.0]))


def test_backward_on_a_tensor_without_grad_names_the_problem():
    with pytest.raises(RuntimeError, match="requires grad.*requires_grad=False"):
        minigrad.tensor([1.0]).sum().backward()


def test_comparisons_and_integers_carry_no_gradient():
    x = leaf([1.0, -1.0])
    mask = x > 0
    assert mask.dtype == minigrad.bool and not mask.requires_grad
    assert not x.argmax().requires_grad
    with pytest.raises(RuntimeError, match="only floating point tensors can require gradients, got dtype int64"):
        minigrad.tensor([1, 2], requires_grad=True)
    counts = minigrad.tensor([1, 2]) * 3
    assert counts.dtype == minigrad.int64 and not counts.requires_grad


def test_broadcast_gradients_are_summed_back_to_the_input_shape():
    bias = leaf([[1.0, 2.0, 3.0]])  # (1, 3)
    x = leaf(np.ones((4, 3)))
    (x + bias).sum().backward()
    np.testing.assert_array_equal(bias.grad.numpy(), [[4.0, 4.0, 4.0]])
    assert bias.grad.shape == (1, 3)


def test_in_place_changes_of_tensors_that_require_grad_are_refused_outside_no_grad():
    w = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 5.0
    with minigrad.no_grad():
        w[0] = 5.0
        w.copy_(minigrad.tensor([7.0, 8.0]))
    np.testing.assert_array_equal(w.numpy(), [7.0, 8.0])


def test_numpy_works_on_tensors_that_require_grad():
    x = leaf([1.0, 2.0])
    np.testing.assert_array_equal((x * 2).numpy(), [2.0, 4.0])


def test_custom_function_with_forward_and_backward():
    class Cube(minigrad.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a ** 3

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * 3 * a ** 2

    x = leaf([2.0, -1.0])
    assert minigrad.gradcheck(lambda x: Cube.apply(x), (x,))


def test_hooks_and_retain_grad_on_one_output_of_a_multi_output_op():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    first, second = x.split(2)
    second.retain_grad()
    seen = []
    first.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 10)
    (first * 2).sum().backward(retain_graph=True)
    assert second.grad is None  # second got no gradient in this pass
    (second * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [2.0, 2.0])
    np.testing.assert_array_equal(second.grad.numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [20.0, 20.0, 3.0, 3.0])


def test_iterating_over_a_tensor_is_one_unbind():
    x = leaf(np.arange(6.0).reshape(3, 2))
    rows = list(x)
    assert len(rows) == 3 and rows[0].grad_fn is rows[2].grad_fn
    sum(r * (i + 1.0) for i, r in enumerate(rows)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])


def test_a_no_grad_function_that_calls_itself_restores_grad_mode():
    @minigrad.no_grad()
    def depth(n):
        assert not minigrad.is_grad_enabled()
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3
    assert minigrad.is_grad_enabled()
