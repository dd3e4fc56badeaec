"""``minigrad bench``'s recurrent layers: what the graph costs, measured against the same math with no graph.

For each recurrent layer (tanh RNN, LSTM, GRU) one training step, forward and backward through time, is timed
three ways on the same parameters and inputs:

- minigrad: ``models.LSTM`` etc., whose backward emerges from the recorded graph;
- NumPy: a hand-written BPTT below, the equations and their derivatives written out for this benchmark (run on
  the device's array module, so it is CuPy on cuda) — the cost of the arithmetic alone;
- torch.nn, when torch is installed (CPU only).

The timing itself (interleaved runs, medians, peak memory, the cost of one recorded op) is the engine's and
lives in ``minigrad.bench``; this module supplies the contestants.
"""

from __future__ import annotations

import os

import minigrad
from minigrad import bench

from .registry import RECURRENCES

DEFAULT_SIZES = ((50, 32, 64, 128), (100, 64, 128, 256))  # (T, B, I, H)


# --- the hand-written reference: forward and backward through time, no graph ----------------------------------
def _sigmoid(xp, z):
    return 1 / (1 + xp.exp(-z))


def reference_step(cell: str, params: dict, x, grad_output, xp):
    """Forward over x (T, B, I) and backward from dL/d(output) = grad_output; returns the parameter gradients.

    ``params`` holds weight_ih, weight_hh, bias_ih, bias_hh (torch's layout and gate order).
    """
    steps, batch, _ = x.shape
    w_ih, w_hh, b_ih, b_hh = params["weight_ih"], params["weight_hh"], params["bias_ih"], params["bias_hh"]
    hidden = w_hh.shape[1]
    flat_x = x.reshape(steps * batch, -1)
    h = xp.zeros((batch, hidden), dtype=x.dtype)
    saved = []
    if cell == "gru":
        projections = (flat_x @ w_ih.T + b_ih).reshape(steps, batch, -1)
        for t in range(steps):
            x_r, x_z, x_n = xp.split(projections[t], 3, axis=1)
            h_r, h_z, h_n = xp.split(h @ w_hh.T + b_hh, 3, axis=1)
            r, z = _sigmoid(xp, x_r + h_r), _sigmoid(xp, x_z + h_z)
            n = xp.tanh(x_n + r * h_n)
            saved.append((h, r, z, n, h_n))
            h = (1 - z) * n + z * h
    else:  # the recurrent bias can join the input projection: it is added before any nonlinearity
        projections = (flat_x @ w_ih.T + (b_ih + b_hh)).reshape(steps, batch, -1)
        c = xp.zeros_like(h)
        for t in range(steps):
            gates = projections[t] + h @ w_hh.T
            if cell == "rnn":
                saved.append((h, xp.tanh(gates)))
                h = saved[-1][1]
            else:
                i, f, o = (_sigmoid(xp, g) for g in (gates[:, :hidden], gates[:, hidden:2 * hidden],
                                                     gates[:, 3 * hidden:]))
                g = xp.tanh(gates[:, 2 * hidden:3 * hidden])
                c_prev, c = c, f * c + i * g
                tanh_c = xp.tanh(c)
                saved.append((h, c_prev, i, f, g, o, tanh_c))
                h = o * tanh_c

    grad_w_hh = xp.zeros_like(w_hh)
    grad_b_hh = xp.zeros_like(b_hh)
    grad_projections = xp.empty_like(projections)
    grad_h = xp.zeros((batch, hidden), dtype=x.dtype)
    grad_c = xp.zeros_like(grad_h)
    for t in range(steps - 1, -1, -1):
        grad_h = grad_h + grad_output[t]
        if cell == "rnn":
            h_prev, h_t = saved[t]
            grad_pre = grad_h * (1 - h_t * h_t)
            grad_hidden_projection = grad_pre
            grad_projections[t] = grad_pre
            grad_h = grad_pre @ w_hh
        elif cell == "lstm":
            h_prev, c_prev, i, f, g, o, tanh_c = saved[t]
            grad_o = grad_h * tanh_c
            grad_c = grad_c + grad_h * o * (1 - tanh_c * tanh_c)
            grad_gates = xp.concatenate([grad_c * g * i * (1 - i), grad_c * c_prev * f * (1 - f),
                                         grad_c * i * (1 - g * g), grad_o * o * (1 - o)], axis=1)
            grad_c = grad_c * f
            grad_hidden_projection = grad_gates
            grad_projections[t] = grad_gates
            grad_h = grad_gates @ w_hh
        else:
            h_prev, r, z, n, h_n = saved[t]
            grad_n = grad_h * (1 - z) * (1 - n * n)
            grad_r = grad_n * h_n * r * (1 - r)
            grad_z = grad_h * (h_prev - n) * z * (1 - z)
            grad_projections[t] = xp.concatenate([grad_r, grad_z, grad_n], axis=1)
            grad_hidden_projection = xp.concatenate([grad_r, grad_z, grad_n * r], axis=1)
            grad_h = grad_h * z + grad_hidden_projection @ w_hh
        grad_w_hh += grad_hidden_projection.T @ h_prev
        if cell == "gru":  # elsewhere the recurrent bias joined the input projection and shares its gradient
            grad_b_hh += grad_hidden_projection.sum(axis=0)
    flat_grad = grad_projections.reshape(steps * batch, -1)
    grad_b_ih = flat_grad.sum(axis=0)
    return {"weight_ih": flat_grad.T @ flat_x, "weight_hh": grad_w_hh, "bias_ih": grad_b_ih,
            "bias_hh": grad_b_hh if cell == "gru" else grad_b_ih}


# --- the three contestants -------------------------------------------------------------------------------------
def problem(cell: str, steps: int, batch: int, inputs: int, hidden: int, device="cpu", seed: int = 0):
    """One training step's data, drawn once as float32 arrays on ``device``: returns (layer, parameters, x,
    grad_output), where ``parameters`` maps the layer's parameter names to arrays and the minigrad layer has been
    loaded from them. The reference computes on these very arrays, so every contestant sees the same values.

    Parameters follow torch's initialisation U(-1/√H, 1/√H), inputs and output gradients N(0, 1); they are drawn
    on the host (one generator for every device) and transferred.
    """
    device = minigrad.device(device)
    host = minigrad.device("cpu").xp
    generator = host.random.default_rng(seed)
    layer = RECURRENCES[cell].layer(inputs, hidden, device=device)
    bound = hidden ** -0.5
    parameters = {name: device.from_host(generator.uniform(-bound, bound, p.shape).astype(host.float32))
                  for name, p in layer.named_parameters()}
    layer.load_state_dict(parameters)
    x, grad_output = (device.from_host(generator.standard_normal(shape, dtype=host.float32))
                      for shape in ((steps, batch, inputs), (steps, batch, hidden)))
    return layer, parameters, x, grad_output


def contestants(cell: str, steps: int, batch: int, inputs: int, hidden: int, device="cpu", seed: int = 0) -> dict:
    """{name: function running one training step}, all on the same parameters and data."""
    device = minigrad.device(device)
    layer, parameters, x, grad_output = problem(cell, steps, batch, inputs, hidden, device, seed)
    first_layer = {key: parameters[key + "_l0"] for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    x_tensor, grad_output_tensor = minigrad.tensor(x, device=device), minigrad.tensor(grad_output, device=device)

    def run_minigrad():
        layer.zero_grad()
        output, _ = layer(x_tensor)
        output.backward(grad_output_tensor)

    def run_reference():
        reference_step(cell, first_layer, x, grad_output, device.xp)

    runs = {"minigrad": run_minigrad, "numpy": run_reference}
    if device == "cpu":
        torch_run = _torch_contestant(layer, parameters, x, grad_output)
        if torch_run is not None:
            runs["torch"] = torch_run
    return runs


def _torch_contestant(layer, parameters, x, grad_output):
    # torch's OpenMP threads otherwise keep spinning on the other cores after each call, slowing whichever
    # contestant runs next; passive waiting leaves the machine to it (this must be set before torch starts).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
    except ImportError:
        return None
    twin = getattr(torch.nn, type(layer).__name__)(layer.input_size, layer.hidden_size)  # the same names
    twin.load_state_dict({name: torch.from_numpy(array) for name, array in parameters.items()})
    tx, tg = torch.from_numpy(x), torch.from_numpy(grad_output)

    def run_torch():
        twin.zero_grad()
        output, _ = twin(tx)
        output.backward(tg)
    return run_torch


def memory_growth(cell: str = "lstm", lengths=(25, 50, 100, 200), batch: int = 32, inputs: int = 64,
                  hidden: int = 128) -> list:
    """(T, minigrad peak bytes, reference peak bytes) for each T: both should grow linearly in T."""
    rows = []
    for steps in lengths:
        runs = contestants(cell, steps, batch, inputs, hidden)
        rows.append((steps, bench.peak_memory(runs["minigrad"]), bench.peak_memory(runs["numpy"])))
    return rows
