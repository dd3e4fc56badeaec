"""``minigrad bench``: what the graph costs, measured against the same math with no graph at all.

For each recurrent layer (LSTM, GRU, tanh RNN) one training step, forward and backward through time, is timed
three ways on the same parameters and inputs:

- minigrad: ``models.LSTM`` etc., whose backward emerges from the recorded graph;
- NumPy: a hand-written BPTT below, the equations and their derivatives written out for this benchmark (run on
  the device's array module, so it is CuPy on cuda) — the cost of the arithmetic alone;
- torch.nn, when torch is installed (CPU only).

Runs are interleaved (one of each, repeatedly) so that a slow moment of the machine hits all of them alike, and
the medians are compared. ``memory`` measures peak allocation as T grows; ``op_overhead`` the fixed cost of one
recorded op.
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc

import minigrad

from . import backend

DEFAULT_SIZES = ((50, 32, 64, 128), (100, 64, 128, 256))  # (T, B, I, H)
CELLS = ("lstm", "gru", "rnn")


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
def _layer(cell: str, inputs: int, hidden: int, device):
    import models

    kind = {"lstm": models.LSTM, "gru": models.GRU, "rnn": models.RNN}[cell]
    return kind(inputs, hidden, device=device)


def contestants(cell: str, steps: int, batch: int, inputs: int, hidden: int, device="cpu", seed: int = 0) -> dict:
    """{name: function running one training step}, all on the same parameters and data."""
    device = minigrad.device(device)
    minigrad.manual_seed(seed)
    layer = _layer(cell, inputs, hidden, device)
    x = minigrad.randn(steps, batch, inputs, device=device)
    grad_output = minigrad.randn(steps, batch, hidden, device=device)
    params = {name: p.data for name, p in layer.named_parameters()}
    params = {key: params[key + "_l0"] for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}

    def run_minigrad():
        layer.zero_grad()
        output, _ = layer(x)
        output.backward(grad_output)

    def run_reference():
        reference_step(cell, params, x.data, grad_output.data, device.xp)

    runs = {"minigrad": run_minigrad, "numpy": run_reference}
    torch_run = _torch_contestant(cell, layer, x, grad_output) if device == "cpu" else None
    if torch_run is not None:
        runs["torch"] = torch_run
    return runs


def _torch_contestant(cell, layer, x, grad_output):
    # torch's OpenMP threads otherwise keep spinning on the other cores after each call, slowing whichever
    # contestant runs next; passive waiting leaves the machine to it (this must be set before torch starts).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
    except ImportError:
        return None
    twin = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell](layer.input_size,
                                                                                 layer.hidden_size)
    twin.load_state_dict({name: torch.from_numpy(p.numpy().copy()) for name, p in layer.named_parameters()})
    tx, tg = torch.from_numpy(x.numpy().copy()), torch.from_numpy(grad_output.numpy().copy())

    def run_torch():
        twin.zero_grad()
        output, _ = twin(tx)
        output.backward(tg)
    return run_torch


def _synchronize(device) -> None:
    if device == "cuda":
        device.xp.cuda.Device().synchronize()


def _settle_allocator() -> None:
    """Free one 30 MiB block, so that glibc's malloc raises its mmap threshold to 30 MiB (and its trim threshold
    to twice that): the arrays of a few MiB that every contestant allocates then come from the heap, instead of
    from fresh pages that fault on first touch. Without this, each contestant paid thousands of page faults or
    none depending on what had run before it (importing torch raised the thresholds too), and the ratios
    measured the allocator's history rather than the arithmetic."""
    block = backend.cpu.xp.empty(30 * 2 ** 20, dtype=backend.uint8)  # reserved, never touched
    del block


def time_interleaved(runs: dict, repeats: int, device="cpu", warmup: int = 1) -> dict:
    """Median seconds of each run, measured round-robin: each repeat runs every contestant once, and the order
    rotates from one repeat to the next, so that no contestant always runs right after the same other one (torch
    leaves its threads and caches behind: a contestant that always followed it measured up to 10% slower)."""
    device = minigrad.device(device)
    _settle_allocator()
    times = {name: [] for name in runs}
    names = list(runs)
    for repeat in range(warmup + repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            run = runs[name]
            _synchronize(device)
            start = time.perf_counter()
            run()
            _synchronize(device)
            if repeat >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def peak_memory(run) -> int:
    """Peak bytes allocated on the host (NumPy's allocations included) while ``run()`` executes."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def memory_growth(cell: str = "lstm", lengths=(25, 50, 100, 200), batch: int = 32, inputs: int = 64,
                  hidden: int = 128) -> list:
    """(T, minigrad peak bytes, reference peak bytes) for each T: both should grow linearly in T."""
    rows = []
    for steps in lengths:
        runs = contestants(cell, steps, batch, inputs, hidden)
        rows.append((steps, peak_memory(runs["minigrad"]), peak_memory(runs["numpy"])))
    return rows


def op_overhead(count: int = 2000, repeats: int = 5) -> dict:
    """Microseconds per recorded op: a chain of ``count`` multiplications of a one-element tensor, forward plus
    backward, against the same multiplications on a bare NumPy array (forward only, nothing recorded)."""
    x = minigrad.ones(1, requires_grad=True)
    array = backend.cpu.xp.ones(1, dtype=backend.float32)

    def graph_chain():
        y = x
        for _ in range(count):
            y = y * 1.0
        y.backward(minigrad.ones(1))

    def bare_chain():
        y = array
        for _ in range(count):
            y = y * 1.0

    medians = time_interleaved({"graph": graph_chain, "bare": bare_chain}, repeats)
    return {"per_op_us": 1e6 * medians["graph"] / count, "bare_op_us": 1e6 * medians["bare"] / count}
