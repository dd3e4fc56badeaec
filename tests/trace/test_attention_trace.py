"""The traces on attention: per-position gradients (watch, Transformer layers), attention weights, folded graphs,
the fitted per-step factor, and the ``minigrad trace`` command's attention kinds.

Every recorded number is checked against an independent computation: ``.grad`` of the same tensors reached by
running the layers one by one, the weights MultiheadAttention returns itself, a series built to decay by a known
factor.
"""

import argparse
import io
import math

import numpy as np
import pytest
from rich.console import Console

import minigrad
import models
from minigrad import trace
from models import cli

f64 = minigrad.float64


def render(renderable) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=80).print(renderable)
    return buffer.getvalue()


def position_norms(grad, dim=0) -> np.ndarray:
    """‖g_t‖ over every dimension but ``dim``, in NumPy."""
    array = np.moveaxis(grad.numpy(), dim, 0)
    return np.linalg.norm(array.reshape(array.shape[0], -1), axis=1)


def encoder_stack(num_layers=2, dropout=0.0, batch_first=False, norm_first=False):
    minigrad.manual_seed(0)
    layer = models.TransformerEncoderLayer(8, 2, 16, dropout=dropout, batch_first=batch_first,
                                           norm_first=norm_first, dtype=f64)
    return models.TransformerEncoder(layer, num_layers)


# --- watch ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -2])
def test_watch_keeps_the_norm_of_each_positions_gradient(dim):
    minigrad.manual_seed(1)
    x = minigrad.randn(5, 6, 3, dtype=f64, requires_grad=True)
    weights = minigrad.randn(5, 6, 3, dtype=f64)
    with trace.through_time() as flow:
        watched = flow.watch(x, dim=dim)
    assert watched is x
    assert flow.series("grad_x") == [None] * x.shape[dim]  # nothing before backward
    (x.tanh() * weights).sum().backward()
    np.testing.assert_allclose(flow.series("grad_x"), position_norms(x.grad, dim), rtol=1e-12)
    np.testing.assert_allclose(flow.series("x"), position_norms(x.detach(), dim), rtol=1e-12)


def test_watch_sits_beside_a_recurrences_steps_in_the_same_stream():
    minigrad.manual_seed(2)
    lstm = models.LSTM(3, 4).double()
    x = minigrad.randn(7, 2, 3, dtype=f64, requires_grad=True)
    with trace.through_time() as flow:
        output, _ = lstm(flow.watch(x))
    output[-1].sum().backward()
    assert sorted(flow.streams) == [(0, 0)]
    assert flow.quantities()[:3] == ["grad_h", "grad_c", "grad_x"]
    np.testing.assert_allclose(flow.series("grad_x"), position_norms(x.grad), rtol=1e-12)
    text = render(flow)
    assert "‖∂L/∂x_t‖" in text and "‖∂L/∂h_t‖" in text


@pytest.mark.parametrize("call, error", [
    (lambda flow: flow.watch([1.0, 2.0]), TypeError),
    (lambda flow: flow.watch(minigrad.randn(3, 2)), ValueError),
    (lambda flow: flow.watch(minigrad.randn(3, 2, requires_grad=True), dim=2), IndexError),
    (lambda flow: flow.watch(minigrad.randn(3, 2, requires_grad=True), name="h"), ValueError),
])
def test_watch_refuses_what_it_cannot_trace(call, error):
    with trace.through_time() as flow, pytest.raises(error, match="through_time.watch: expected"):
        call(flow)
    assert flow.streams == {}


# --- Transformer layers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_first", [False, True])
def test_each_stacked_layer_records_the_gradient_at_its_input(norm_first):
    encoder = encoder_stack(norm_first=norm_first)
    src = minigrad.tensor(np.random.default_rng(3).standard_normal((6, 2, 8)), requires_grad=True)
    readout = minigrad.tensor(np.random.default_rng(4).standard_normal((2, 8)))
    with trace.through_time() as flow:
        output = encoder(src)
    (output[-1] * readout).sum().backward()

    # the same layers run one by one, each input kept by retain_grad
    inputs, x = [], src.detach().requires_grad_()
    for layer in encoder.layers:
        x.retain_grad()
        inputs.append(x)
        x = layer(x)
    (x[-1] * readout).sum().backward()
    np.testing.assert_allclose(output.numpy(), x.numpy(), rtol=0)
    assert sorted(flow.streams) == [(0, 0, "TransformerEncoderLayer"), (1, 0, "TransformerEncoderLayer")]
    for i, reference in enumerate(inputs):
        np.testing.assert_allclose(flow.series("grad_x", layer=i), position_norms(reference.grad), rtol=1e-10)
        np.testing.assert_allclose(flow.series("x", layer=i), position_norms(reference.detach()), rtol=1e-12)


def test_recorded_weights_are_the_ones_multihead_attention_returns():
    encoder = encoder_stack(num_layers=1)
    src = minigrad.tensor(np.random.default_rng(5).standard_normal((5, 3, 8)))
    mask = models.Transformer.generate_square_subsequent_mask(5, dtype=f64)
    with trace.through_time() as flow:
        encoder(src, mask=mask)
    _, expected = encoder.layers[0].self_attn(src, src, src, attn_mask=mask)  # (N, L, S), mean over the heads
    np.testing.assert_allclose(flow.attention(), expected.numpy().mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(flow.attention(index=2), expected.numpy()[2], rtol=1e-12)
    assert np.triu(np.array(flow.attention()), 1).max() == 0.0  # the causal mask: no weight on later positions
    heat_map = flow.attention_map()
    assert heat_map.argmax() == list(np.argmax(expected.numpy().mean(axis=0), axis=1))
    with pytest.raises(KeyError, match="multihead_attn"):
        flow.attention("multihead_attn")
    with pytest.raises(IndexError, match="through_time.attention: expected index"):
        flow.attention(index=3)


def test_batch_first_layers_record_positions_along_dim_1():
    encoder = encoder_stack(num_layers=1, batch_first=True)
    src = minigrad.tensor(np.random.default_rng(6).standard_normal((2, 7, 8)), requires_grad=True)
    with trace.through_time() as flow:
        output = encoder(src)
    (output[:, -1] * output[:, -1]).sum().backward()
    assert flow.steps() == list(range(7))
    np.testing.assert_allclose(flow.series("grad_x"), position_norms(src.grad, dim=1), rtol=1e-10)


def test_encoder_and_decoder_layers_of_one_index_stay_apart():
    minigrad.manual_seed(7)
    model = models.Transformer(8, 2, 1, 2, 16, dropout=0.0, dtype=f64)
    src = minigrad.randn(6, 2, 8, dtype=f64, requires_grad=True)
    tgt = minigrad.randn(4, 2, 8, dtype=f64, requires_grad=True)
    with trace.through_time() as flow:
        output = model(src, tgt)
    output.sum().backward()
    assert sorted(flow.streams) == [(0, 0, "TransformerDecoderLayer"), (0, 0, "TransformerEncoderLayer"),
                                    (1, 0, "TransformerDecoderLayer")]
    assert len(flow.steps(name="TransformerEncoderLayer")) == 6 and len(flow.steps(name="TransformerDecoderLayer")) == 4
    np.testing.assert_allclose(flow.series("grad_x", name="TransformerEncoderLayer"), position_norms(src.grad),
                               rtol=1e-10)
    np.testing.assert_allclose(flow.series("grad_x", name="TransformerDecoderLayer"), position_norms(tgt.grad),
                               rtol=1e-10)
    with pytest.raises(KeyError, match="name= tells"):
        flow.series("grad_x", layer=0)
    assert flow.series("grad_x", layer=1) == flow.series("grad_x", layer=1, name="TransformerDecoderLayer")

    # the cross-attention of the last decoder layer: queries from its input, keys and values from the memory
    decoder_layer = model.decoder.layers[1]
    memory = model.encoder(src)
    layer_input = model.decoder.layers[0](tgt, memory)
    _, expected = decoder_layer.multihead_attn(
        decoder_layer.norm1(layer_input + decoder_layer.self_attn(layer_input, layer_input, layer_input)[0]),
        memory, memory)
    cross = flow.attention("multihead_attn", layer=1, name="TransformerDecoderLayer")
    assert np.array(cross).shape == (4, 6)
    np.testing.assert_allclose(cross, expected.numpy().mean(axis=0), rtol=1e-12)


def test_tracing_changes_no_result_and_draws_no_random_number():
    minigrad.manual_seed(8)
    model = models.Transformer(8, 2, 1, 1, 16, dropout=0.3)  # training mode: dropout draws random numbers
    src, tgt = minigrad.randn(5, 2, 8), minigrad.randn(3, 2, 8)
    results = []
    for traced in (False, True):
        minigrad.manual_seed(9)
        if traced:
            with trace.through_time() as flow:
                output = model(src, tgt)
        else:
            output = model(src, tgt)
        results.append((output.numpy(), minigrad.rand(3).numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert model.training and model.encoder.layers[0].self_attn.training  # train mode given back
    assert sorted(flow.weights[(0, 0, "TransformerDecoderLayer")]) == ["multihead_attn", "self_attn"]


def test_nothing_is_recorded_or_recomputed_outside_a_trace():
    encoder = encoder_stack(num_layers=1)
    calls = []
    encoder.layers[0].self_attn.register_forward_hook(lambda module, inputs, output: calls.append(output[1]))
    assert not trace.is_recording()
    encoder(minigrad.randn(4, 2, 8, dtype=f64))
    assert calls == [None]  # one call, without weights
    with trace.through_time():
        assert trace.is_recording()
        encoder(minigrad.randn(4, 2, 8, dtype=f64))
    assert len(calls) == 3 and calls[2] is not None  # the layer's own call, then the weights for the trace


def test_printed_recording_shows_positions_and_a_heat_map_in_80_columns():
    encoder = encoder_stack(num_layers=1)
    src = minigrad.randn(6, 2, 8, dtype=f64, requires_grad=True)
    with trace.through_time() as flow:
        output = encoder(src)
    (output[-1] * output[-1]).sum().backward()
    text = render(flow)
    assert "Gradient per position (TransformerEncoderLayer, layer 0)" in " ".join(text.split())
    assert "‖∂L/∂x_t‖" in text and "most attended source" in text and "self_attn" in text
    assert max(len(line) for line in text.splitlines()) <= 80


# --- graph ----------------------------------------------------------------------------------------------------
def test_a_single_layer_folds_into_one_node_of_the_graph():
    minigrad.manual_seed(10)
    layer = models.TransformerDecoderLayer(8, 2, 16, dropout=0.0)
    tgt, memory = minigrad.randn(4, 2, 8, requires_grad=True), minigrad.randn(5, 2, 8, requires_grad=True)
    text = render(trace.graph(layer(tgt, memory).sum(), names=layer))
    assert "TransformerDecoderLayer" in text and "multihead_attn.in_proj_weight" in text
    assert "SoftmaxBackward" not in text  # the ops inside are folded away
    assert len(text.splitlines()) < 25


def test_a_scope_inherits_the_meta_of_the_scope_it_opens_in():
    with trace.scope("stack", layer=3, direction=1):
        inner = trace.scope("layer", t=2)
        with inner:
            innermost = trace.scope("sublayer", layer=4)
    assert inner.meta == {"layer": 3, "direction": 1, "t": 2}
    assert innermost.meta == {"layer": 4, "direction": 1, "t": 2}  # its own meta wins
    assert trace.scope("alone").meta == {}


# --- the fitted factor ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("factor", [0.5, 1.0, 1.25])
def test_factor_recovers_a_known_decay(factor):
    x = minigrad.ones(12, 3, dtype=f64, requires_grad=True)
    scale = minigrad.tensor([factor ** (11 - t) for t in range(11)] + [1000.0], dtype=f64).unsqueeze(1)
    with trace.through_time() as flow:
        flow.watch(x)
    (x * scale).sum().backward()  # ‖∂L/∂x_t‖ = √3 · factor^(11 - t), and a last step unlike the others
    assert flow.factor("grad_x") == pytest.approx(factor, rel=1e-12)
    assert flow.ratio("grad_x") == pytest.approx(factor ** 11 / 1000, rel=1e-12)


def test_factor_is_none_without_enough_steps_or_with_a_zero():
    x = minigrad.ones(2, 3, requires_grad=True)
    with trace.through_time() as flow:
        flow.watch(x)
    (x * 2).sum().backward()
    assert flow.factor("grad_x") is None  # one step before the last: no line to fit
    y = minigrad.ones(4, 3, requires_grad=True)
    with trace.through_time() as flow:
        flow.watch(y)
    y[1:].sum().backward()
    assert flow.factor("grad_x") is None  # step 0 received no gradient


# --- the command ----------------------------------------------------------------------------------------------
def run_trace_command(*argv) -> tuple:
    parser = argparse.ArgumentParser()
    cli.add_trace(parser.add_subparsers(), "trace")
    args = parser.parse_args(["trace", *argv])
    buffer = io.StringIO()
    code = args.run(Console(file=buffer, width=80), args)
    return code, buffer.getvalue()


def test_trace_command_races_recurrences_against_attention():
    code, text = run_trace_command("--cells", "rnn,attention,encoder", "--steps", "12", "--hidden", "8", "--graph")
    assert code == 0
    assert "‖∂L/∂x_t‖ per step" in text and "Fitted factor per step back" in text
    assert text.count("most attended source") == 2
    for kind in ("tanh RNN", "attention", "encoder"):
        assert f"{kind}: the backward graph of the loss" in text
    assert "RNN step, layer=0, direction=0  × 12 steps" in text
    assert "MultiheadAttention\n" in text and "TransformerEncoderLayer\n" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_trace_command_gradient_flow_matches_the_input_gradients():
    """The command's numbers for the attention kinds are ‖∂L/∂x_t‖ of the very layer it draws."""
    flows = cli.gradient_flow(["attention"], steps=9, hidden=8, inputs=3, batch=2, seed=4)
    minigrad.manual_seed(4)
    x = minigrad.randn(9, 2, 3, requires_grad=True)
    minigrad.manual_seed(5)
    layer = cli._AttentionLayer("attention", 3, 8)
    layer(x)[-1].sum().backward()
    np.testing.assert_allclose(flows["attention"].series("grad_x"), position_norms(x.grad), rtol=1e-5)
    factor = flows["attention"].factor("grad_x")
    assert math.isfinite(factor)


def test_trace_command_without_attention_keeps_measuring_h():
    code, text = run_trace_command("--cells", "rnn,gru", "--steps", "6", "--hidden", "4")
    assert code == 0 and "‖∂L/∂h_t‖ per step" in text and "most attended" not in text
