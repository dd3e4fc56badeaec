"""The graph trace: structure, folded time steps, gradient norms, names, limits, width."""

import io

import numpy as np
from rich.console import Console

import minigrad
import models
from minigrad import trace


def render(renderable) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=80).print(renderable)
    return buffer.getvalue()


def test_small_graph_lists_ops_and_named_leaves():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)
    text = render(trace.graph((a * b + a).sum(), names={a: "a", b: "b"}))
    for expected in ("SumBackward", "AddBackward", "MulBackward", "a  (2,)", "b  (2,)"):
        assert expected in text


def test_backward_option_reports_each_nodes_gradient_norm():
    a = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    product = a * 2.0
    product.retain_grad()
    loss = (product * product).sum()
    result = trace.graph(loss, backward=True)
    node_norms = {node.name(): value for node, value in result.gradient_norms.items()}
    # dL/d(a*2) = 2·product: the first MulBackward (the one producing `product`) receives that gradient
    assert node_norms["SumBackward"] == 1.0
    assert any(abs(v - np.linalg.norm(product.grad.numpy())) < 1e-9 for v in result.gradient_norms.values())
    np.testing.assert_allclose(a.grad.numpy(), 8 * a.numpy())


def test_an_unrolled_lstm_folds_into_one_line_per_chain():
    minigrad.manual_seed(0)
    lstm = models.LSTM(3, 4)
    output, _ = lstm(minigrad.randn(50, 2, 3))
    text = render(trace.graph(output.sum(), names=lstm))
    assert "LSTM step" in text and "× 50 steps" in text
    assert "weight_hh_l0" in text and "weight_ih_l0" in text
    assert len(text.splitlines()) < 40
    assert max(len(line) for line in text.splitlines()) <= 80


def test_bidirectional_layers_fold_each_direction():
    minigrad.manual_seed(1)
    gru = models.GRU(3, 4, bidirectional=True)
    output, _ = gru(minigrad.randn(20, 2, 3))
    text = render(trace.graph(output.sum(), names=gru))
    assert text.count("× 20 steps") == 2


def test_depth_limit_and_shared_nodes():
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10):
        y = y.tanh()
    text = render(trace.graph(y * y, depth=3))
    assert "depth limit" in text
    shared = x.exp()
    text = render(trace.graph(shared * (shared + 1.0)))  # ExpBackward is reached twice
    assert text.count("ExpBackward") == 2 and "(shown above)" in text


def test_a_loop_over_a_cell_counts_its_steps_and_draws_the_same_way_twice():
    minigrad.manual_seed(2)
    cell = models.RNNCell(3, 4)
    h, outputs = None, []
    for x_t in minigrad.randn(5, 2, 3):
        h = cell(x_t, h)
        outputs.append(h)
    loss = minigrad.stack(outputs).sum()
    first, second = render(trace.graph(loss, names=cell)), render(trace.graph(loss, names=cell))
    assert "RNNCell step  × 5 steps" in first
    assert first == second
