# %% [markdown]
# # 10 · Devices: cpu, cuda, and the strict stand-in for a GPU
#
# Every tensor lives on a device, and a device is little more than the array
# module that computes there: NumPy for `cpu`, CuPy for `cuda`. An op runs
# where its inputs are, and minigrad never moves data behind your back: the
# inputs of an op must share a device, and every move is one you write
# (`.to(device)`, `.cpu()`, `.numpy()`, `.item()`).
#
# Code written on a laptop tends to lean on NumPy without noticing —
# `np.asarray(t)`, an index array made with NumPy — and it breaks the
# day it meets a GPU, because CuPy refuses to turn GPU memory into a NumPy
# array implicitly. The `strict` device is a stand-in for a GPU that runs
# anywhere: NumPy underneath, but with CuPy's refusals. Code that passes on
# `strict` will not trip over the host/device boundary on `cuda`.
#
# Every device below is named explicitly, so this tutorial means the same
# thing whatever the default device (`MINIGRAD_DEVICE`) is.

# %%
import os
import textwrap
import time

import numpy as np
from rich.console import Console
from rich.table import Table

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
import models

FAST = os.environ.get("MINIGRAD_FAST") == "1"
if FAST:
    print("MINIGRAD_FAST=1, the short version: section 5 trains 6 steps instead of 20 and section 6 times "
          "only the small model, over 3 steps instead of 5, so the losses stop early and the timings are rougher; "
          "the devices are compared the same way.")
console = Console(width=80)
print("default device:", minigrad.get_default_device())

# %% [markdown]
# ## 1. Which devices are here
#
# `cpu` and `strict` always exist. `minigrad.device("cuda")` needs CuPy and
# an NVIDIA GPU, and says plainly which one is missing.

# %%
try:
    cuda = minigrad.device("cuda")
except RuntimeError as error:
    cuda = None
    print(textwrap.fill(f"No GPU here, so this run compares cpu with the "
                        f"strict stand-in only. ({error})", width=78))
DEVICES = ["cpu", "strict"] + (["cuda"] if cuda is not None else [])
OTHER = "cuda" if cuda is not None else "strict"   # the "GPU" of this run
print("devices in this run:", ", ".join(DEVICES))

# %% [markdown]
# ## 2. What the strict device refuses, and what it allows
#
# Each refusal below is one CuPy makes too; each is caught and printed.

# %%
def refusal(attempt):
    """Run `attempt`, which must fail; return the error's name and start."""
    try:
        attempt()
    except (TypeError, RuntimeError) as error:
        message = str(error)
        return type(error).__name__, (message[:71] + "…" if len(message) > 72
                                      else message)
    raise AssertionError("expected the strict device to refuse this")


t = minigrad.tensor([1.0, 2.0, 3.0], device="strict")
on_cpu = minigrad.tensor([1.0, 1.0, 1.0], device="cpu")
host = np.ones(3, dtype=np.float32)
print(t)
refusals = {
    "np.asarray(t)": lambda: np.asarray(t),
    "t + host array": lambda: t + host,
    "t + cpu tensor": lambda: t + on_cpu,
    "t[host index array]": lambda: t[np.array([0, 2])],
}
for attempt, function in refusals.items():
    name, message = refusal(function)
    print(f"{attempt:<20} → {name}\n    {message}")

# %% [markdown]
# The explicit ways across the boundary all work. `numpy()` and `cpu()` copy
# to the host; `item()` and `tolist()` give Python numbers; a host array or
# list becomes device data through `minigrad.tensor(..., device=...)` or
# `.to(device)`.

# %%
back = t.numpy()
print(f"t.numpy()          → {type(back).__name__} {back}")
print(f"t.cpu()            → {t.cpu()}")
print(f"t.sum().item()     → {t.sum().item()}")
print(f"t.tolist()         → {t.tolist()}")
moved = minigrad.tensor(host, device="strict") + t
print(f"host → strict      → {moved}")
picked = t[minigrad.tensor([0, 2], device="strict")]
print(f"t[strict index]    → {picked}")
assert isinstance(back, np.ndarray) and back.tolist() == [1.0, 2.0, 3.0]
assert t.cpu().device == "cpu" and t.to("cpu").device == "cpu"
assert on_cpu.to("strict").device == "strict" and moved.device == "strict"
assert moved.tolist() == [2.0, 3.0, 4.0] and picked.tolist() == [1.0, 3.0]
assert t.to("strict") is t            # nothing to do: the same tensor

# %% [markdown]
# ## 3. Moving is differentiable: gradients go home
#
# `x.to(device)` is an op like any other, with a backward: the gradient
# arriving on the new device is sent back to the device `x` came from. So a
# leaf's `.grad` is always on the leaf's own device, wherever the loss was
# computed.

# %%
x = minigrad.tensor([1.0, 2.0, 3.0], device="cpu", requires_grad=True)
y = x.to(OTHER)
w = minigrad.tensor([0.5, -1.0, 2.0], device=OTHER, requires_grad=True)
loss = (y * y * w).sum()              # computed on OTHER
loss.backward()
print(f"y = x.to({OTHER!r}): {y.device}, grad_fn {y.grad_fn.name()}")
print(f"x.grad on {x.grad.device}: {x.grad.tolist()}  (= 2·x·w)")
print(f"w.grad on {w.grad.device}: {w.grad.tolist()}  (= x²)")
assert x.grad.device == "cpu" and w.grad.device == OTHER
assert x.grad.tolist() == [1.0, -4.0, 12.0] and w.grad.tolist() == [1, 4, 9]

# %% [markdown]
# ## 4. Modules: `model.to(device)`, and the same seed everywhere
#
# `model.to(device)` moves every parameter (and its gradient) in place: the
# Parameter objects stay the same, so an optimizer built on them still holds
# them. But the optimizer's own state (Adam's running averages) is made on the
# parameters' device at its first step and is not moved: move the model
# before training starts, and build the optimizer after it, as in PyTorch.
#
# minigrad draws every random number on the host, from one NumPy generator,
# and transfers it. So `manual_seed(0)` gives the same initial weights on every
# device, bit for bit — a model built on the GPU starts exactly where its CPU
# twin does, which is what makes the comparison in section 5 possible.

# %%
class CharLM(nn.Module):
    """Embedding → LSTM → Linear, as in tutorial 06."""

    def __init__(self, vocab_size, hidden_size, device, dtype):
        super().__init__()
        kwargs = dict(device=device, dtype=dtype)
        self.embed = nn.Embedding(vocab_size, 16, **kwargs)
        self.lstm = models.LSTM(16, hidden_size, batch_first=True,
                                forget_bias=1.0, **kwargs)
        self.decoder = nn.Linear(hidden_size, vocab_size, **kwargs)

    def forward(self, inputs, state=None):
        output, state = self.lstm(self.embed(inputs), state)
        return self.decoder(output), state


def build(device, hidden_size=64, dtype=minigrad.float32):
    minigrad.manual_seed(0)
    return CharLM(V, hidden_size, device, dtype)


with open(textwrap.__file__, encoding="utf-8") as file:   # any long text
    text = file.read()
chars = sorted(set(text))
V = len(chars)
ids = [chars.index(c) for c in text]     # character ids, a host list

weights = {device: build(device).state_dict() for device in DEVICES}
for device in DEVICES:
    params = weights[device]
    row = params["lstm.weight_hh_l0"][0, :4].tolist()
    print(f"{device:>6}: lstm.weight_hh_l0[0, :4] = "
          + ", ".join(f"{value:+.6f}" for value in row))
    assert all(p.device == device for p in params.values())
    assert all((p.numpy() == weights["cpu"][name].numpy()).all()
               for name, p in params.items())

def one_step(model, optimizer, device):
    inputs = minigrad.tensor([ids[:20]], device=device)
    targets = minigrad.tensor([ids[1:21]], device=device)
    logits, _ = model(inputs)
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


moving = build("cpu")
first = next(moving.parameters())
moving.to(OTHER)
assert next(moving.parameters()) is first and first.device == OTHER
print(f"model.to({OTHER!r}): {len(list(moving.parameters()))} parameters "
      f"moved in place")
one_step(moving, minigrad.optim.Adam(moving.parameters()), OTHER)

late = build("cpu")
optimizer = minigrad.optim.Adam(late.parameters())
one_step(late, optimizer, "cpu")          # Adam's state is made on cpu here
late.to(OTHER)                            # ... and stays there
name, message = refusal(lambda: one_step(late, optimizer, OTHER))
print(f"moved after the first step, the next step fails → {name}\n"
      f"    {message}")

# %% [markdown]
# ## 5. The same training run on every device
#
# A few steps of truncated-BPTT training (tutorial 06) on the source of
# `textwrap.py`, started from the same seed on each device. We compare in
# float64: a GPU adds up float32 sums in a different order than a CPU, so
# their last digits differ, and every training step can amplify such
# differences; in float64 the devices must agree far more closely than 1e-6.
# (`strict` computes with NumPy itself, so it matches `cpu` exactly.)

# %%
def train(device, steps, hidden_size=64, batch_size=16, bptt=20,
          dtype=minigrad.float32):
    """Train from manual_seed(0); return the losses and the seconds per step (the
    first step, which warms up the device, is not timed)."""
    model = build(device, hidden_size, dtype)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=3e-3)
    tokens = minigrad.tensor(ids, device=device)
    losses, state, start = [], None, None
    batches = models.bptt_batches(tokens, batch_size, bptt)
    for step, (inputs, targets) in zip(range(steps), batches):
        if step == 1:
            start = time.perf_counter()
        logits, state = model(inputs, state)
        loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state = models.detach_state(state)
        losses.append(loss.item())    # .item() also waits for the GPU
    return losses, (time.perf_counter() - start) / (steps - 1)


STEPS = 6 if FAST else 20
runs = {device: train(device, STEPS, dtype=minigrad.float64)
        for device in DEVICES}
table = Table(title=f"float64 losses, {STEPS} steps")
table.add_column("step", justify="right")
for device in DEVICES:
    table.add_column(device, justify="right")
for step in sorted({0, 1, STEPS // 2, STEPS - 1}):
    table.add_row(str(step + 1),
                  *(f"{runs[device][0][step]:.12f}" for device in DEVICES))
console.print(table)
for device in DEVICES[1:]:
    gap = max(abs(a - b) for a, b in zip(runs["cpu"][0], runs[device][0]))
    print(f"largest |loss on cpu − loss on {device}| = {gap:.2e}")
    assert gap < 1e-6
    assert gap == 0 or device != "strict"     # strict is NumPy: bit for bit
assert runs["cpu"][0][-1] < runs["cpu"][0][0]       # and it does learn

# %% [markdown]
# ## 6. Time per step
#
# The same loop in float32, timed. The strict device pays for its checks
# with some Python overhead per op, which shows in the small model; in the
# large one the arithmetic dominates, and cpu and strict differ by less than
# a busy machine's timings vary from run to run (either can come out ahead).
# A GPU pays a launch cost per kernel, and an LSTM launches many small
# kernels one time step after another, so for a small model it is often no
# faster than the CPU; it wins when every op has a lot of work (a large
# batch and hidden size). These are measurements of this machine, not
# claims, and nothing is asserted about them.

# %%
sizes = [(64, 16)] if FAST else [(64, 16), (512, 128)]
table = Table(title="milliseconds per training step (float32, bptt 20)")
table.add_column("hidden × batch")
for device in DEVICES:
    table.add_column(device, justify="right")
for hidden_size, batch_size in sizes:
    milliseconds = [1000 * train(device, 4 if FAST else 6, hidden_size,
                                 batch_size)[1] for device in DEVICES]
    table.add_row(f"{hidden_size} × {batch_size}",
                  *(f"{ms:.1f}" for ms in milliseconds))
console.print(table)
if cuda is None:
    print("(no cuda column: this machine has no GPU, or no CuPy)")
