# %% [markdown]
# # 02 · The vanilla RNN: worked examples and backpropagation through time
#
# A vanilla (Elman) RNN keeps one hidden state and updates it with the same
# weights at every step:
#
#     h_t = tanh(z_t),   z_t = W_hh h_{t−1} + W_xh x_t + b.
#
# We first work two small examples of the kind textbooks print, a scalar
# state and a 2-dimensional one, with `models.RNNCell`, checking every number
# such an example states against the computed one. Then we take the backward
# pass apart: the gradient of W_hh is a sum of one contribution per time step
# (backpropagation through time, BPTT). minigrad has no BPTT code anywhere; it
# falls out of the graph that the forward loop records.

# %%
import inspect
import os

import numpy as np
from rich.table import Table

import minigrad
import minigrad.nn.functional as F
import models
from minigrad import trace

FAST = os.environ.get("MINIGRAD_FAST") == "1"
if FAST:
    print("MINIGRAD_FAST=1, the short version: sections 4-6 unroll T = 8 steps instead of 20, so their loss "
          "and per-step gradient norms are not the full run's; every check is the same.")
f64 = minigrad.float64

# %% [markdown]
# ## 1. Loading a textbook's weights into an RNNCell
#
# `models.RNNCell` follows torch.nn.RNNCell: a batch of row vectors, and
#
#     h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh).
#
# Transposing a row-vector equation gives the column-vector one that
# textbooks write, z_t = W_hh h_{t−1} + W_ih x_t + b, with the *same* matrices,
# so a textbook's W_hh and W_xh load unchanged as `weight_hh` and `weight_ih`
# (shapes (H, H) and (H, I)). The two examples have no bias: `bias=False`.
#
# A small helper runs a cell over a sequence and returns every z_t (computed
# from the equation with `F.linear`) and h_t (computed by the cell), and checks
# that the cell does what the equation says.

# %%
def run_cell(cell, inputs):
    """z_t and h_t for t = 1..T of a bias-free cell, from h_0 = 0 (batch of one)."""
    h = minigrad.zeros(1, cell.hidden_size, dtype=f64)
    zs, hs = [], []
    with minigrad.no_grad():                      # just values: record no graph
        for value in inputs:
            x = minigrad.tensor([[value]], dtype=f64)
            z = F.linear(x, cell.weight_ih) + F.linear(h, cell.weight_hh)
            h = cell(x, h)
            assert (h - z.tanh()).abs().max().item() < 1e-15
            zs.append(z.numpy()[0])
            hs.append(h.numpy()[0])
    return zs, hs


def check_against_claim(label, computed, claimed):
    """(good, verdict): good when the stated 3-decimal number is the computed
    value correctly rounded, i.e. within 0.0005 of it."""
    off = np.abs(np.asarray(computed) - np.asarray(claimed)).max()
    good = off <= 5e-4 + 1e-12
    return good, f"{label}: ok" if good else f"{label}: OFF by {off:.4f}"


def fmt(vector):
    return "[" + ", ".join(f"{v:+.4f}" for v in vector) + "]"


# %% [markdown]
# ## 2. A scalar RNN, three steps
#
# A common worked example takes W_hh = 0.5, W_xh = 1.0, b = 0, h_0 = 0 and
# inputs 0.8, −0.3, 0.5, and states z ≈ 0.8, 0.032, 0.516 and
# h ≈ 0.664, 0.032, 0.474. The numbers in `SCALAR_CLAIMED` below are that
# example's; everything else is computed.

# %%
SCALAR_CLAIMED = {"z": [0.8, 0.032, 0.516], "h": [0.664, 0.032, 0.474]}

scalar = models.RNNCell(1, 1, bias=False, dtype=f64)
scalar.load_state_dict({"weight_hh": np.array([[0.5]]), "weight_ih": np.array([[1.0]])})
zs, hs = run_cell(scalar, [0.8, -0.3, 0.5])

table = Table(title="Scalar RNN: computed vs the worked example")
for column in ("t", "z_t", "h_t", "stated h_t", "check"):
    table.add_column(column, justify="right")
verdicts = []
for t in range(3):
    good_z, z_verdict = check_against_claim("z", zs[t], SCALAR_CLAIMED["z"][t])
    good_h, h_verdict = check_against_claim("h", hs[t], SCALAR_CLAIMED["h"][t])
    assert good_z
    verdicts.append(good_h)
    table.add_row(str(t + 1), f"{zs[t][0]:.5f}", f"{hs[t][0]:.5f}", f"{SCALAR_CLAIMED['h'][t]:.3f}",
                  f"{z_verdict}, {h_verdict}")
trace.show(table)
assert verdicts == [True, True, False]
assert round(float(hs[2][0]), 3) == 0.475
print(f"h_3 = tanh({zs[2][0]:.5f}) = {hs[2][0]:.5f}: to three decimals 0.475.")

# %% [markdown]
# **The example is off in the last digit of h_3**: it states 0.474, but
# tanh(0.51600) = 0.47461, which rounds to 0.475 (0.474 is 0.47461 cut off
# after three decimals, not rounded). Every other number of the example is
# right, and it shows the point well: h_3 still carries a trace of x_1 through
# h_1 and h_2.

# %% [markdown]
# ## 3. A 2-dimensional state
#
# Another common worked example: W_h = [[0.5, 0.1], [0.2, 0.6]],
# W_x = [0.3, 0.4]ᵀ, b = 0, h_0 = 0, inputs 1, −1, 2. It states
# h_1 = [0.291, 0.380], z_2 = [−0.116, −0.114], h_2 = [−0.115, −0.114],
# z_3 = [0.531, 0.709] and h_3 = [0.486, 0.610].

# %%
PLANAR_CLAIMED = {"z": [[0.3, 0.4], [-0.116, -0.114], [0.531, 0.709]],
            "h": [[0.291, 0.380], [-0.115, -0.114], [0.486, 0.610]]}

planar = models.RNNCell(1, 2, bias=False, dtype=f64)
planar.load_state_dict({"weight_hh": np.array([[0.5, 0.1], [0.2, 0.6]]),
                        "weight_ih": np.array([[0.3], [0.4]])})
zs, hs = run_cell(planar, [1.0, -1.0, 2.0])

table = Table(title="2-D RNN: computed vs the worked example")
for column in ("t", "z_t", "h_t", "check"):
    table.add_column(column, justify="right")
checks = {}
for t in range(3):
    checks["z", t], z_verdict = check_against_claim("z", zs[t], PLANAR_CLAIMED["z"][t])
    checks["h", t], h_verdict = check_against_claim("h", hs[t], PLANAR_CLAIMED["h"][t])
    table.add_row(str(t + 1), fmt(zs[t]), fmt(hs[t]), f"{z_verdict}, {h_verdict}")
trace.show(table)
wrong = [key for key, good in checks.items() if not good]
print(f"stated numbers that are not the computed value rounded: {wrong}")
assert wrong == [("h", 1)]

# where the stated h_2 comes from: tanh of z_2 *after* rounding it
premature = np.tanh(np.asarray(PLANAR_CLAIMED["z"][1]))
print(f"true h_2             = {fmt(hs[1])} -> {np.round(hs[1], 3)}")
print(f"tanh(rounded z_2)    = {fmt(premature)} -> {np.round(premature, 3)}")
assert np.array_equal(np.round(premature, 3), PLANAR_CLAIMED["h"][1])
assert np.array_equal(np.round(hs[1], 3), [-0.116, -0.113])
assert np.array_equal(np.round(hs[2], 3), PLANAR_CLAIMED["h"][2])

# %% [markdown]
# **The example's h_2 is off**: it states [−0.115, −0.114]; the correct value
# is [−0.1158, −0.1133], i.e. [−0.116, −0.113] to three decimals. Both
# components are off by one in the last digit, because the example rounded
# z_2 to [−0.116, −0.114] *before* applying tanh (which reproduces its numbers
# exactly, as computed above). The error is too small to survive another step:
# its z_3 and the final h_3 = [0.486, 0.610] are right. The lesson for hand
# calculations is the usual one: keep the digits until the end.

# %% [markdown]
# ## 4. BPTT: the gradient of W_hh is a sum over time steps
#
# Now a random cell (3 inputs, 4 hidden units, batch of 2) over T steps, with a
# loss at every step, L = ½ Σ_t ‖h_t − y_t‖². The same W_hh is used at every
# step, so (tutorial 01's rule for a value used several times) its gradient is
# the sum of the gradients of its uses:
#
#     ∂L/∂W_hh = Σ_t (∂L/∂z_t)ᵀ h_{t−1},   ∂L/∂z_t = ∂L/∂h_t ⊙ (1 − h_t²)
#
# (with rows as batch elements; with column vectors, as textbooks write it,
# this is Σ_t (∂L/∂z_t) h_{t−1}ᵀ). ∂L/∂h_t here is the *total* gradient, including
# everything that reaches h_t from later steps through h_{t+1}. We do not
# compute it by hand: a hook on each h_t (`Tensor.register_hook`) receives it
# from the engine during backward, once all of it has arrived.

# %%
minigrad.manual_seed(3)
steps, batch, inputs_size, hidden = (8, 2, 3, 4) if FAST else (20, 2, 3, 4)
cell = models.RNNCell(inputs_size, hidden, dtype=f64)
xs = minigrad.randn(steps, batch, inputs_size, dtype=f64)
ys = minigrad.randn(steps, batch, hidden, dtype=f64)

dL_dh = {}


def keep_gradient(t):
    def hook(grad):
        dL_dh[t] = grad                # the total ∂L/∂h_t; returning None keeps it unchanged
    return hook


h = minigrad.zeros(batch, hidden, dtype=f64)
hs = [h]                               # hs[t] is h_t, from h_0
for t in range(1, steps + 1):
    h = cell(xs[t - 1], h)
    h.register_hook(keep_gradient(t))
    hs.append(h)
loss = sum(0.5 * ((hs[t] - ys[t - 1]) ** 2).sum() for t in range(1, steps + 1))
loss.backward()
print(f"T = {steps} steps, L = {loss.item():.6f}; hooks caught ∂L/∂h_t for "
      f"{len(dL_dh)} steps")

# %% [markdown]
# Each step's contribution, and their sum. The other parameters decompose the
# same way: ∂L/∂W_ih = Σ_t (∂L/∂z_t)ᵀ x_t and both biases get Σ_t ∂L/∂z_t.

# %%
table = Table(title="Per-step contributions to ∂L/∂W_hh")
for column in ("t", "‖∂L/∂h_t‖", "‖∂L/∂z_t‖", "‖(∂L/∂z_t)ᵀ h_{t−1}‖"):
    table.add_column(column, justify="right")
sums = {"weight_hh": 0.0, "weight_ih": 0.0, "bias_hh": 0.0}
dL_dz = {}
with minigrad.no_grad():
    for t in range(1, steps + 1):
        h_t, h_prev = hs[t].detach(), hs[t - 1].detach()
        dL_dz[t] = dL_dh[t] * (1 - h_t ** 2)           # back through tanh
        contribution = dL_dz[t].T @ h_prev              # (H, H), summed over the batch
        sums["weight_hh"] = sums["weight_hh"] + contribution
        sums["weight_ih"] = sums["weight_ih"] + dL_dz[t].T @ xs[t - 1]
        sums["bias_hh"] = sums["bias_hh"] + dL_dz[t].sum(dim=0)
        norms = [(g ** 2).sum().item() ** 0.5 for g in (dL_dh[t], dL_dz[t], contribution)]
        table.add_row(str(t), *(f"{n:.4f}" for n in norms))
trace.show(table)
for name, total in sums.items():
    error = (total - getattr(cell, name).grad).abs().max().item()
    print(f"Σ_t contributions vs {name}.grad from backward: max |diff| = {error:.1e}")
    assert error < 1e-12, (name, error)
assert (cell.bias_ih.grad - cell.bias_hh.grad).abs().max().item() < 1e-15

# %% [markdown]
# The first row has a zero contribution: h_0 = 0, so step 1's use of W_hh
# multiplies nothing. The hooks' ∂L/∂h_t also obey the recursion that a
# hand-written BPTT loop computes (a NumPy version walks t backwards doing
# `dh = ... + dh_next; dz = (1 − h²)·dh; dh_next = W_hhᵀ dz`): each h_t gets its
# own loss term h_t − y_t plus what comes back from step t+1,
# ∂L/∂h_t = (h_t − y_t) + (∂L/∂z_{t+1}) W_hh.

# %%
with minigrad.no_grad():
    worst = 0.0
    for t in range(1, steps + 1):
        expected = hs[t].detach() - ys[t - 1]
        if t < steps:
            expected = expected + dL_dz[t + 1] @ cell.weight_hh
        worst = max(worst, (dL_dh[t] - expected).abs().max().item())
print(f"BPTT recursion vs hooks, worst |diff| over all t: {worst:.1e}")
assert worst < 1e-12

# %% [markdown]
# ## 5. The same sequence through models.RNN
#
# The layer `models.RNN` computes the input projections of all steps with one
# matmul and then loops over time calling the same step function. Loaded with
# the cell's weights (the layer's names carry a `_l0` suffix: layer 0), it must
# produce the same h_t and the same gradients. `trace.through_time` records
# ‖∂L/∂h_t‖ for every step of the layer, which must match the hooks above.

# %%
layer = models.RNN(inputs_size, hidden, dtype=f64)
layer.load_state_dict({f"{name}_l0": value for name, value in cell.state_dict().items()})
with trace.through_time() as flow:
    output, h_n = layer(xs)                  # output: (T, batch, hidden)
layer_loss = 0.5 * ((output - ys) ** 2).sum()
state_gap = max((output[t - 1] - hs[t]).abs().max().item() for t in range(1, steps + 1))
print(f"layer vs cell loop: max |h_t difference| = {state_gap:.1e}, "
      f"|ΔL| = {abs(layer_loss.item() - loss.item()):.1e}")
assert state_gap < 1e-12 and abs(layer_loss.item() - loss.item()) < 1e-12

# %% [markdown]
# ## 6. Nobody wrote BPTT: it is in the graph
#
# The forward loop recorded T copies of the step. `trace.graph` draws the
# backward graph of the layer's loss; the ops of each step were created inside
# a trace scope, so the chain of steps folds into one line, "RNN step × T
# steps", whose inputs are the weights: *one* weight_hh leaf, used by every
# step, hence the sum of the table above.

# %%
picture = trace.graph(layer_loss, names=layer)
picture.show()


def labels(tree):
    yield str(tree.label)
    for child in tree.children:
        yield from labels(child)


folded = [label for label in labels(picture.tree) if label.startswith("RNN step")]
print(f"folded line: {folded}")
assert len(folded) == 1 and folded[0].endswith(f"× {steps} steps")

# %% [markdown]
# Backward through that graph gives the cell loop's gradients, and the
# through-time record holds the same ‖∂L/∂h_t‖ as the hooks did.
# `flow.series("grad_h")` holds one value per step of the layer, in order:
# its first entry belongs to h_1, its entry t − 1 to h_t. The table numbers
# both columns t = 1..T, as in section 4; the sparkline under it is the
# recorder's own summary.

# %%
layer_loss.backward()
for name in ("weight_hh", "weight_ih", "bias_hh", "bias_ih"):
    error = (getattr(layer, f"{name}_l0").grad - getattr(cell, name).grad).abs().max().item()
    print(f"{name}_l0.grad vs cell {name}.grad: max |diff| = {error:.1e}")
    assert error < 1e-12, (name, error)
hook_norms = [(dL_dh[t] ** 2).sum().item() ** 0.5 for t in range(1, steps + 1)]
flow_norms = flow.series("grad_h")
table = Table(title="‖∂L/∂h_t‖, two ways")
for column in ("t", "hooks (cell loop)", "through_time (layer)"):
    table.add_column(column, justify="right")
for t, (hooked, recorded) in enumerate(zip(hook_norms, flow_norms), start=1):
    table.add_row(str(t), f"{hooked:.4f}", f"{recorded:.4f}")
trace.show(table)
trace.show(flow.summary())
assert np.allclose(flow_norms, hook_norms, rtol=1e-12, atol=0)

# %% [markdown]
# Nothing in `models` implements a backward pass for the recurrence; the step
# functions are forward code only, and the engine's generic walk over the
# recorded graph *is* backpropagation through time:

# %%
recurrent_source = inspect.getsource(models.rnn) + inspect.getsource(models.recurrent)
print(f"'def backward' in models/rnn.py + models/recurrent.py: "
      f"{recurrent_source.count('def backward')} times")
assert "def backward" not in recurrent_source
