"""through_time reports the same per-step gradients as an independent computation with retain_grad."""

import io

import numpy as np
import pytest
from rich.console import Console

import minigrad
import models
from minigrad import trace


def run_layer(kind, steps=6):
    minigrad.manual_seed(0)
    layer = models.RECURRENCES[kind].layer(3, 4).double()
    x = minigrad.randn(steps, 2, 3, dtype=minigrad.float64)
    return layer, x


def unrolled_reference(layer, x, kind):
    """The same recurrence stepped by hand with a cell sharing the layer's weights; every h_t and c_t retained."""
    cell = models.RECURRENCES[kind].cell(3, 4).double()
    cell.load_state_dict({name[:-3]: p for name, p in layer.state_dict().items()})  # weight_ih_l0 -> weight_ih
    state = None
    hs, cs = [], []
    for x_t in x:
        state = cell(x_t, state)
        h = state[0] if kind == "lstm" else state
        h.retain_grad()
        hs.append(h)
        if kind == "lstm":
            state[1].retain_grad()
            cs.append(state[1])
    (hs[-1] * hs[-1]).sum().backward()
    norm = lambda t: float(np.linalg.norm(t.grad.numpy()))  # noqa: E731
    return [norm(h) for h in hs], [norm(c) for c in cs]


@pytest.mark.parametrize("kind", models.RECURRENCES)
def test_gradient_norms_match_retain_grad(kind):
    layer, x = run_layer(kind)
    with trace.through_time() as flow:
        output, _ = layer(x)
    (output[-1] * output[-1]).sum().backward()
    expected_h, expected_c = unrolled_reference(layer, x, kind)
    np.testing.assert_allclose(flow.series("grad_h"), expected_h, rtol=1e-10)
    if kind == "lstm":
        np.testing.assert_allclose(flow.series("grad_c"), expected_c, rtol=1e-10)
    assert flow.ratio() == pytest.approx(expected_h[0] / expected_h[-1])


def test_lstm_forget_gate_means_match_the_equations():
    layer, x = run_layer("lstm", steps=3)
    with trace.through_time() as flow:
        layer(x)
    w_ih, w_hh = layer.weight_ih_l0.numpy(), layer.weight_hh_l0.numpy()
    b = layer.bias_ih_l0.numpy() + layer.bias_hh_l0.numpy()
    h, c, means = np.zeros((2, 4)), np.zeros((2, 4)), []
    for x_t in x.numpy():
        gates = x_t @ w_ih.T + h @ w_hh.T + b
        i, f, g, o = np.split(gates, 4, axis=1)
        sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
        f = sig(f)
        c = f * c + sig(i) * np.tanh(g)
        h = sig(o) * np.tanh(c)
        means.append(f.mean())
    np.testing.assert_allclose(flow.series("forget_gate"), means, rtol=1e-10)


def test_bidirectional_streams_are_kept_apart():
    minigrad.manual_seed(1)
    layer = models.GRU(3, 4, num_layers=2, bidirectional=True)
    with trace.through_time() as flow:
        output, _ = layer(minigrad.randn(5, 2, 3))
    output.sum().backward()
    assert sorted(flow.streams) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert flow.steps(1, 1) == [0, 1, 2, 3, 4]
    assert all(v > 0 for v in flow.series("grad_h", 1, 1))


def test_nothing_is_recorded_outside_the_block():
    layer, x = run_layer("rnn")
    with trace.through_time() as flow:
        pass
    layer(x)
    assert flow.streams == {}


@pytest.mark.parametrize("no_color", [False, True])
def test_renders_within_80_columns(no_color, monkeypatch):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    layer, x = run_layer("lstm", steps=40)
    with trace.through_time() as flow:
        output, _ = layer(x)
    output[-1].sum().backward()
    buffer = io.StringIO()
    Console(file=buffer, width=80).print(flow)
    Console(file=buffer, width=80).print(trace.compare({"LSTM": flow, "again": flow}))
    text = buffer.getvalue()
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "‖∂L/∂h_t‖" in text and "first/last" in text
