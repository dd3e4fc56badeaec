# %% [markdown]
# # 11 · Forward mode and real-time recurrent learning (RTRL)
#
# The chain rule can be worked from either end. Reverse mode, which `backward` implements, first runs the
# whole computation, then walks back from the loss: one backward pass gives the derivative of one number
# with respect to *every* input. For a recurrent network that is backpropagation through time (BPTT), and it
# needs the whole past: every step's saved values stay in memory until backward has used them.
#
# Forward mode works from the inputs. Next to every value it carries a *tangent*, the derivative of that
# value along one chosen direction of the inputs, and each op updates the tangent as it computes the value.
# Nothing has to be kept for later: when the last step is done, its tangent is the answer. The price is
# one tangent per input direction, and a network has as many directions as parameters.
#
# Carry the derivative of the hidden state with respect to all parameters forward through time, and you
# have real-time recurrent learning (RTRL): the exact gradient at every step, with memory that does not grow
# with the length of the sequence. This tutorial computes one gradient both ways, measures what each costs as
# the sequence and the network grow, lets an RNN learn from an endless stream with RTRL, and ends with a
# second derivative, computed by differentiating a gradient (`create_graph=True`).

# %%
import math
import os
from functools import partial

import numpy as np  # only for reference numbers (line fits, eigenvalues) and the streams' random bits
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

import minigrad
import models
from minigrad import func, trace
from minigrad.autograd import forward_ad, functional
from minigrad.bench import peak_memory, time_interleaved

FAST = os.environ.get("MINIGRAD_FAST") == "1"
if FAST:
    print("MINIGRAD_FAST=1, the short version: the timing sweep stops at H = 32, where the cost of recording "
          "ops and not arithmetic sets the time, so its growth exponents and time ratios say nothing about H⁴; "
          "the memory sweep stops at T = 200; online learning runs 2,000 steps for delays 2 and 5 (not 8,000 for "
          "delays 1 to 6); the curvature medians are over 4 draws, not 12. Every gradient and Hessian-vector "
          "check is the full run's.")
f64 = minigrad.float64  # every exact comparison runs in float64


# %% [markdown]
# ## 1. A small tanh RNN, and its gradient by BPTT
#
#     z_t = W_ih x_t + W_hh h_{t-1} + b          h_t = tanh(z_t)          ŷ_t = w_out h_t + c
#     L   = Σ_t ℓ_t,     ℓ_t = ½ (ŷ_t − y_t)²
#
# All parameters live in one flat vector θ, which `unpack` cuts into named views. Then "a direction in
# parameter space" is just a vector of θ's shape: a tangent for forward mode, the gradient, a
# Hessian-vector product all are. The same code also accepts a θ with leading dimensions, a batch of
# parameter copies, which section 3 uses; and inputs with leading dimensions, a batch of sequences, which
# section 6 uses.

# %%
def matvec(matrix, vector):
    """matrix @ vector over any leading (batch) dimensions of either."""
    return (matrix @ vector.unsqueeze(-1)).squeeze(-1)


class TanhRNN:
    """A one-layer tanh RNN with a scalar linear readout, its parameters θ in one flat vector."""

    def __init__(self, input_size: int, hidden_size: int):
        self.input_size, self.hidden_size = input_size, hidden_size
        self.shapes = {"W_ih": (hidden_size, input_size), "W_hh": (hidden_size, hidden_size), "b": (hidden_size,),
                       "w_out": (1, hidden_size), "c": (1,)}
        self.sizes = {name: math.prod(shape) for name, shape in self.shapes.items()}
        self.size = sum(self.sizes.values())
        # the parameters h_t depends on (W_ih, W_hh, b come first in θ); the readout's touch only ŷ_t
        self.recurrent_size = self.sizes["W_ih"] + self.sizes["W_hh"] + self.sizes["b"]

    def unpack(self, theta) -> dict:
        """Named views of θ (of shape (..., size)): each parameter with θ's leading dimensions in front."""
        views, start = {}, 0
        for name, shape in self.shapes.items():
            views[name] = theta[..., start:start + self.sizes[name]].reshape(*theta.shape[:-1], *shape)
            start += self.sizes[name]
        return views

    def pack(self, params: dict):
        """The flat θ of named parameters: unpack's inverse, for a θ without leading dimensions."""
        return minigrad.cat([params[name].reshape(-1) for name in self.shapes])

    def init(self, seed: int):
        """torch.nn.RNN's initialisation: every parameter uniform on (−1/√H, 1/√H)."""
        minigrad.manual_seed(seed)
        bound = 1 / math.sqrt(self.hidden_size)
        return (2 * minigrad.rand(self.size, dtype=f64) - 1) * bound

    def step(self, p: dict, h, x):
        return (matvec(p["W_ih"], x) + matvec(p["W_hh"], h) + p["b"]).tanh()

    def readout(self, p: dict, h):
        return matvec(p["w_out"], h) + p["c"]

    def states(self, theta, xs) -> list:
        """h_1 … h_T from h_0 = 0, for inputs xs of shape (T, ..., input_size)."""
        p = self.unpack(theta)
        h = theta.new_zeros((*np.broadcast_shapes(theta.shape[:-1], xs.shape[1:-1]), self.hidden_size))
        hs = []
        for t in range(xs.shape[0]):
            h = self.step(p, h, xs[t])
            hs.append(h)
        return hs

    def loss(self, theta, xs, ys):
        """Σ_t ½ (ŷ_t − y_t)², one value per leading index of θ and of the sequences."""
        p = self.unpack(theta)
        return sum(0.5 * ((self.readout(p, h) - ys[t]) ** 2).sum(-1) for t, h in enumerate(self.states(theta, xs)))


def bptt_gradient(loss_fn, theta):
    """dL/dθ by reverse mode (for a recurrent network, BPTT): record the forward pass, then walk the graph back."""
    theta = theta.detach().requires_grad_()
    loss_fn(theta).backward()
    return theta.grad


def max_difference(a, b) -> float:
    return (a - b).abs().max().item()


# %% [markdown]
# A small network, so that every derivative below is cheap to compute in full: 3 inputs, 5 hidden units,
# 20 steps of random inputs and targets. θ has 3·5 + 5·5 + 5 = 45 recurrent parameters and 6 in the readout.
# The RNN is the one `models.RNN` implements (torch's, with its two biases summed into b): loaded with the
# same weights, the library's layer gives the same gradient.

# %%
I_SMALL, H_SMALL, T_SMALL = 3, 5, 20
rnn = TanhRNN(I_SMALL, H_SMALL)
theta = rnn.init(seed=0)
minigrad.manual_seed(1)
xs, ys = minigrad.randn(T_SMALL, I_SMALL, dtype=f64), minigrad.randn(T_SMALL, 1, dtype=f64)
loss_of_theta = partial(rnn.loss, xs=xs, ys=ys)
grad_bptt = bptt_gradient(loss_of_theta, theta)
print(f"θ has {rnn.size} numbers ({rnn.recurrent_size} recurrent); L = {rnn.loss(theta, xs, ys).item():.6f}, "
      f"‖dL/dθ‖ = {(grad_bptt ** 2).sum().sqrt().item():.6f}")
assert (rnn.recurrent_size, rnn.size) == (45, 51)

layer = models.RNN(I_SMALL, H_SMALL).double()
named = rnn.unpack(theta)
layer.load_state_dict({"weight_ih_l0": named["W_ih"], "weight_hh_l0": named["W_hh"], "bias_ih_l0": named["b"],
                       "bias_hh_l0": minigrad.zeros(H_SMALL, dtype=f64)})
output, _ = layer(xs)
(0.5 * (matvec(named["w_out"], output) + named["c"] - ys) ** 2).sum().backward()
layer_gradient = minigrad.cat([layer.weight_ih_l0.grad.reshape(-1), layer.weight_hh_l0.grad.reshape(-1),
                               layer.bias_ih_l0.grad])
assert max_difference(layer_gradient, grad_bptt[:rnn.recurrent_size]) < 1e-12
assert max_difference(layer.bias_hh_l0.grad, layer.bias_ih_l0.grad) == 0.0

# %% [markdown]
# ## 2. Forward mode, one direction at a time
#
# A dual number is a value with a tangent riding along. `forward_ad.make_dual(value, tangent)` makes one,
# every op then computes its output's tangent from its inputs' (the op's Jacobian times the incoming tangent,
# a *Jacobian-vector product*), and `forward_ad.unpack_dual` reads it at the end. For y = tanh(2w) the tangent
# of y, started from dw = 1, is dy/dw = 2·(1 − tanh²(2w)):

# %%
w = minigrad.tensor(0.7, dtype=f64)
with forward_ad.dual_level():
    y = (2 * forward_ad.make_dual(w, minigrad.tensor(1.0, dtype=f64))).tanh()
    value, tangent = forward_ad.unpack_dual(y)
print(f"y = {value.item():.6f}, tangent {tangent.item():.12f}, 2·(1 − tanh²(1.4)) = "
      f"{2 * (1 - math.tanh(1.4) ** 2):.12f}")
assert abs(tangent.item() - 2 * (1 - math.tanh(1.4) ** 2)) < 1e-15

# %% [markdown]
# Start θ's tangent at the k-th unit vector e_k, run the loss forward, and the loss's tangent is dL/dθ_k:
# one entry of the gradient per forward pass. `minigrad.func.jvp(f, (θ,), (v,))` does exactly this (opens a
# dual level, makes θ dual, runs f, unpacks). Doing it for all 51 directions rebuilds BPTT's gradient:

# %%
directions = minigrad.eye(rnn.size, dtype=f64)
grad_forward = minigrad.stack([func.jvp(loss_of_theta, (theta,), (directions[k],))[1]
                               for k in range(rnn.size)])
print(f"{rnn.size} forward passes: largest |forward − BPTT| = {max_difference(grad_forward, grad_bptt):.1e}")
assert max_difference(grad_forward, grad_bptt) < 1e-12

# %% [markdown]
# Reverse mode needed one forward and one backward pass for the whole gradient; forward mode needed one
# pass per parameter. That is the general rule: reverse mode costs a pass per *output* (here one, the loss),
# forward mode a pass per *input*. For a gradient, forward mode looks hopeless, and for offline training it
# is. What it has is the other property: no pass ever looks back.
#
# ## 3. RTRL: carrying ∂h_t/∂θ forward
#
# Run all the directions at once and the tangent of h_t becomes a matrix, J_t = ∂h_t/∂θ (H rows, one column
# per recurrent parameter). The chain rule through one step gives its recursion: z_t depends on θ directly
# and, through h_{t-1}, on θ's effect on the past,
#
#     J_t = D_t (W_hh J_{t-1} + ∂z_t/∂θ|direct),        D_t = diag(1 − h_t²),     J_0 = 0,
#
# where the direct part holds h_{t-1} fixed: ∂z_{t,i}/∂W_hh[i,j] = h_{t-1,j}, ∂z_{t,i}/∂W_ih[i,j] = x_{t,j},
# ∂z_{t,i}/∂b_i = 1, and zero for any other row i. (For a weight matrix M that multiplies a vector v, with M
# flattened row by row, that block is the Kronecker product I_H ⊗ vᵀ, written below as `eye.unsqueeze(2) * v`.)
# The loss of step t then needs only the present:
# dℓ_t/dθ = (ŷ_t − y_t) w_out J_t for the recurrent parameters, (ŷ_t − y_t) h_t for w_out and ŷ_t − y_t for c.
# Summing over t gives dL/dθ. This is RTRL, written with minigrad tensors and no graph at all:

# %%
def direct_jacobian(eye, h_prev, x):
    """∂z_t/∂θ_recurrent with h_{t-1} held fixed: the blocks I ⊗ xᵀ (W_ih), I ⊗ h_{t-1}ᵀ (W_hh), I (b)."""
    hidden = eye.shape[0]
    return minigrad.cat([(eye.unsqueeze(2) * x).reshape(hidden, -1),
                         (eye.unsqueeze(2) * h_prev).reshape(hidden, -1), eye], dim=1)


def rtrl_step(rnn: TanhRNN, p: dict, h, J, x, y):
    """One step of RTRL: (h_t, J_t, ℓ_t, dℓ_t/dθ) from (h_{t-1}, J_{t-1}). J=None starts from J_{t-1} = 0."""
    eye = minigrad.eye(rnn.hidden_size, dtype=h.dtype)
    direct = direct_jacobian(eye, h, x)
    h = rnn.step(p, h, x)
    J = (1 - h ** 2).unsqueeze(1) * (direct if J is None else p["W_hh"] @ J + direct)
    error = rnn.readout(p, h) - y                                       # dℓ_t/dŷ_t
    gradient = minigrad.cat([(p["w_out"].T @ error) @ J, (error.unsqueeze(1) * h).reshape(-1), error])
    return h, J, 0.5 * (error ** 2).sum(), gradient


@minigrad.no_grad()  # RTRL keeps no graph: everything it will need is carried forward
def rtrl_gradient(rnn: TanhRNN, theta, xs, ys):
    """(dL/dθ, J_T) by RTRL, one step at a time."""
    p = rnn.unpack(theta)
    h = minigrad.zeros(rnn.hidden_size, dtype=theta.dtype)
    J = minigrad.zeros(rnn.hidden_size, rnn.recurrent_size, dtype=theta.dtype)
    total = minigrad.zeros(rnn.size, dtype=theta.dtype)
    for t in range(xs.shape[0]):  # indexing, not iterating: `for x in xs` would unbind all T rows up front
        h, J, _, gradient = rtrl_step(rnn, p, h, J, xs[t], ys[t])
        total = total + gradient
    return total, J


grad_rtrl, J_rtrl = rtrl_gradient(rnn, theta, xs, ys)
print(f"RTRL: largest |RTRL − BPTT| = {max_difference(grad_rtrl, grad_bptt):.1e}")
assert max_difference(grad_rtrl, grad_bptt) < 1e-12

# %% [markdown]
# The explicit recursion *is* forward mode with one tangent per parameter. To see it, give θ a leading
# dimension: P = 51 copies of θ, the k-th carrying the tangent e_k. The copies compute the same values, but
# copy k's h_t carries column k of J_t and copy k's loss carries dL/dθ_k, so one forward pass gives
# the Jacobian and the whole gradient (a vectorising map done by hand: what `torch.func.vmap` automates).
# The third witness is reverse mode: `functional.jacobian` runs one backward per entry of h_T.

# %%
with forward_ad.dual_level():
    copies = forward_ad.make_dual(theta.repeat(rnn.size, 1), directions)
    last_state = rnn.states(copies, xs)[-1]
    loss_copies = rnn.loss(copies, xs, ys)
    J_forward = forward_ad.unpack_dual(last_state).tangent.T          # (H, P): column k = ∂h_T/∂θ_k
    grad_copies = forward_ad.unpack_dual(loss_copies).tangent          # entry k = dL/dθ_k
J_reverse = functional.jacobian(lambda t: rnn.states(t, xs)[-1], theta)

R = rnn.recurrent_size
table = Table(title=f"J_T = ∂h_{T_SMALL}/∂θ ({H_SMALL} × {R}) and dL/dθ, three ways", box=None, padding=(0, 2))
for heading in ("", "explicit RTRL", "dual numbers", "reverse mode"):
    table.add_column(heading, justify="right")
table.add_row("J_T[0, :2]", *(" ".join(f"{v:+.4f}" for v in J[0, :2].tolist()) for J in (J_rtrl, J_forward,
                                                                                            J_reverse)))
table.add_row("J_T: max |Δ|", "", f"{max_difference(J_forward[:, :R], J_rtrl):.1e}",
              f"{max_difference(J_reverse[:, :R], J_rtrl):.1e}")
table.add_row("dL/dθ: max |Δ|", f"{max_difference(grad_rtrl, grad_bptt):.1e}",
              f"{max_difference(grad_copies, grad_bptt):.1e}", "(BPTT)")
table.caption = "max |Δ|: J_T against explicit RTRL's, dL/dθ against BPTT's"
trace.show(table)
assert max_difference(J_forward[:, :R], J_rtrl) < 1e-12 and max_difference(J_reverse[:, :R], J_rtrl) < 1e-12
assert J_forward[:, R:].abs().max().item() == 0.0 and J_reverse[:, R:].abs().max().item() == 0.0  # readout
assert max_difference(grad_copies, grad_bptt) < 1e-12

# %% [markdown]
# The readout's columns of ∂h_T/∂θ are exactly zero (h does not depend on w_out or c), which is why the
# explicit RTRL keeps only the recurrent columns. The dual-number version is wasteful in a way the explicit
# one is not: its tangent of θ is a P × P identity matrix, and each copy multiplies its own W_hh by its own h.
# The explicit recursion knows the structure of ∂z/∂θ (one nonzero row per column) and writes it down.
#
# ## 4. What each costs
#
# Memory first. BPTT keeps a graph that grows by one step's nodes and saved values per step; RTRL keeps
# h_t and J_t, which do not grow with T at all, but J_t has H × (H² + H·I + H) numbers.
# `minigrad.bench.peak_memory` (tracemalloc, which sees NumPy's buffers as well as Python's objects)
# measures the host memory of one whole gradient computation, for two sizes of network.

# %%
def random_sequence(rnn: TanhRNN, steps: int, seed: int = 0):
    """Standard-normal inputs and targets for `steps` steps: here only what a gradient costs matters."""
    minigrad.manual_seed(seed)
    return minigrad.randn(steps, rnn.input_size, dtype=f64), minigrad.randn(steps, 1, dtype=f64)


MEMORY_HIDDEN = (8, 32)
MEMORY_STEPS = (25, 50, 100, 200) if FAST else (25, 50, 100, 200, 400, 800)
memory = {}
for hidden in MEMORY_HIDDEN:
    net = TanhRNN(2, hidden)
    weights = net.init(seed=0)
    for steps in MEMORY_STEPS:
        inputs, targets = random_sequence(net, steps)
        net_loss = partial(net.loss, xs=inputs, ys=targets)
        memory["BPTT", hidden, steps] = peak_memory(lambda: bptt_gradient(net_loss, weights))
        memory["RTRL", hidden, steps] = peak_memory(lambda: rtrl_gradient(net, weights, inputs, targets))

table = Table(title="Peak host memory of one gradient (KiB)", box=None, padding=(0, 2))
table.add_column("T", justify="right")
for hidden in MEMORY_HIDDEN:
    for method in ("BPTT", "RTRL"):
        table.add_column(f"{method}, H = {hidden}", justify="right")
for steps in MEMORY_STEPS:
    table.add_row(str(steps), *(f"{memory[method, hidden, steps] / 1024:,.0f}" for hidden in MEMORY_HIDDEN
                                for method in ("BPTT", "RTRL")))
trace.show(table)

log_steps = np.log(MEMORY_STEPS)
for hidden in MEMORY_HIDDEN:
    net = TanhRNN(2, hidden)
    slopes = {method: np.polyfit(log_steps, np.log([memory[method, hidden, s] for s in MEMORY_STEPS]), 1)[0]
              for method in ("BPTT", "RTRL")}
    per_step = (memory["BPTT", hidden, MEMORY_STEPS[-1]] - memory["BPTT", hidden, MEMORY_STEPS[-2]]) / (
        MEMORY_STEPS[-1] - MEMORY_STEPS[-2])
    state = hidden * net.recurrent_size * 8
    heavier = [s for s in MEMORY_STEPS if memory["BPTT", hidden, s] > memory["RTRL", hidden, s]]
    print(f"H = {hidden}: log-log slope in T: BPTT {slopes['BPTT']:.2f}, RTRL {slopes['RTRL']:+.2f}; BPTT adds "
          f"{per_step / 1024:.1f} KiB per step; J_t alone is {state / 1024:.1f} KiB;\n"
          f"        BPTT needs more memory than RTRL at T = {', '.join(map(str, heavier)) or 'none measured'}")
    if minigrad.get_default_device() != "cuda":  # tracemalloc sees host memory only
        assert abs(slopes["RTRL"]) < 0.1 and slopes["BPTT"] > 0.8

# %% [markdown]
# BPTT's memory grows in proportion to T (slope ≈ 1 on the log-log scale), RTRL's does not move. At these
# sizes most of BPTT's per-step memory is the graph's own bookkeeping, Python objects for every op a step
# records, which is why it barely depends on H; the numbers it saves are a few vectors of H. RTRL's memory
# is a few copies of J_t (the recursion's temporaries), and J_t grows like H³. So for a short sequence and a
# large network RTRL needs *more* memory than BPTT; what matters for a stream is that RTRL's memory does not
# depend on how long the sequence is, and BPTT's does.
#
# Now time. One RTRL step multiplies W_hh (H × H) by J_{t-1} (H × (H² + H·I + H)): about H⁴ multiply-adds.
# One BPTT step, forward and backward, costs a few H² (the products with W_hh and W_hhᵀ and one outer
# product). `time_interleaved` times both gradients over the same T steps, alternating the two so that a
# busy moment of the machine hits both, and keeps the medians.

# %%
TIME_HIDDEN = (4, 8, 16, 32) if FAST else (8, 16, 32, 48, 64, 96, 128, 192)
TIME_STEPS, TIME_REPEATS = 6, 3 if FAST else 5
per_step = {}
with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"),
              transient=True) as progress:
    task = progress.add_task("timing", total=len(TIME_HIDDEN), status="")
    for hidden in TIME_HIDDEN:
        net = TanhRNN(2, hidden)
        weights = net.init(seed=0)
        inputs, targets = random_sequence(net, TIME_STEPS)
        net_loss = partial(net.loss, xs=inputs, ys=targets)
        medians = time_interleaved({"BPTT": lambda: bptt_gradient(net_loss, weights),
                                    "RTRL": lambda: rtrl_gradient(net, weights, inputs, targets)}, TIME_REPEATS,
                                   device=minigrad.get_default_device())
        per_step[hidden] = {method: seconds / TIME_STEPS for method, seconds in medians.items()}
        progress.update(task, advance=1, status=f"H = {hidden}")

table = Table(title=f"Time per step of one gradient (T = {TIME_STEPS}, I = 2)", box=None, padding=(0, 1))
for heading in ("H", "P", "J_t entries", "BPTT", "RTRL", "RTRL/BPTT\ntime", "RTRL/BPTT\narithmetic"):
    table.add_column(heading, justify="right")
for hidden, seconds in per_step.items():
    net = TanhRNN(2, hidden)
    # the leading multiply-adds of a step: RTRL's W_hh @ J_{t-1}; BPTT's W_hh h and W_ih x forward, and
    # W_hhᵀ δ, δ h_{t-1}ᵀ and δ xᵀ backward
    arithmetic = hidden * hidden * net.recurrent_size / (3 * hidden * hidden + 2 * hidden * net.input_size)
    table.add_row(str(hidden), f"{net.size:,}", f"{hidden * net.recurrent_size:,}", f"{seconds['BPTT'] * 1e3:.3f} ms",
                  f"{seconds['RTRL'] * 1e3:.3f} ms", f"{seconds['RTRL'] / seconds['BPTT']:,.1f}", f"{arithmetic:,.0f}")
trace.show(table)


def growth_exponent(sizes, seconds) -> float:
    """The slope of log(time) against log(H): time ∝ H^slope over these sizes."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


top = TIME_HIDDEN[-3:]
exponents = {method: growth_exponent(top, [per_step[h][method] for h in top]) for method in ("BPTT", "RTRL")}
print(f"time ∝ H^k over H = {', '.join(map(str, top))}: BPTT k = {exponents['BPTT']:.2f}, "
      f"RTRL k = {exponents['RTRL']:.2f}")
if not FAST and minigrad.get_default_device() != "cuda":  # a GPU's small products cost their launch, not H⁴
    assert 3.2 < exponents["RTRL"] < 4.8 and exponents["BPTT"] < 2
    assert per_step[TIME_HIDDEN[-1]]["RTRL"] > 100 * per_step[TIME_HIDDEN[-1]]["BPTT"]

# %% [markdown]
# In the full run (H up to 192) RTRL's time per step grows like H⁴ once the matrix product dominates, with
# a fitted exponent close to 4 over the three largest sizes, and at H = 192 a step costs hundreds of times
# what a BPTT step costs. BPTT's own exponent is far below its arithmetic's 2: at these sizes its time is
# mostly the fixed cost of recording and walking the ops of each step, and the H² of its matrix-vector
# products starts to show only at the largest sizes. For small H the two cost about the same for the same
# reason, which is why the short run, which stops at H = 32, shows nothing about H⁴.
#
# ## 5. Learning from a stream that never ends
#
# A stream has no last step to start BPTT from. To learn from it with BPTT one must either keep the whole
# past (memory growing without bound) or cut it into windows and backpropagate through each (truncated BPTT,
# tutorial 06), which cannot credit anything further back than the window. RTRL has neither problem: at
# every step it holds J_t = ∂h_t/∂θ over *all* of the past, so the gradient of the current step's loss is
# available at once, and a learner can take a step on it and move on.
#
# The task: the stream's inputs are random ±1, and the target at step t is the input `delay` steps earlier.
# Predicting 0 scores ℓ = ½; to do better the network must remember. An RNN with 16 units learns it with
# plain SGD, one update per step. Against it, the same learner with J_{t-1} dropped (reset to 0 at every
# step), which is exactly what backpropagating through one step with the state detached computes:
# truncated BPTT with a window of one.

# %%
class EchoStream:
    """An endless stream of random ±1 inputs, each paired with the input `delay` steps before it (0 at first)."""

    def __init__(self, delay: int, seed: int):
        self.rng = np.random.default_rng(seed)
        self.past = [0.0] * delay

    def __iter__(self):
        while True:
            bit = float(self.rng.choice((-1.0, 1.0)))
            self.past.append(bit)
            yield minigrad.tensor([bit], dtype=f64), minigrad.tensor([self.past.pop(0)], dtype=f64)


@minigrad.no_grad()
def learn_online(rnn: TanhRNN, theta, stream, steps: int, lr: float, carry: bool = True):
    """SGD on each step's loss ℓ_t, its gradient from RTRL (carry=False: with J_{t-1} dropped). Returns the
    losses, the parameters of the last step and the J_t carried to it, and the inputs and targets seen (kept
    only for the check below: the learner itself never looks at them again)."""
    h, J = minigrad.zeros(rnn.hidden_size, dtype=f64), None
    losses, seen = [], []
    for _, (x, y) in zip(range(steps), stream):
        used = theta
        h, J, loss, gradient = rtrl_step(rnn, rnn.unpack(used), h, J if carry else None, x, y)
        theta = used - lr * gradient
        losses.append(loss.item())
        seen.append((x, y))
    xs, ys = (minigrad.stack(column) for column in zip(*seen))
    return losses, used, J, xs, ys


ONLINE_HIDDEN, LR = 16, 0.02
ONLINE_STEPS = 2000 if FAST else 8000
DELAYS = (2, 5) if FAST else (1, 2, 3, 4, 5, 6)
echo = TanhRNN(1, ONLINE_HIDDEN)
start = echo.init(seed=0)
runs = {}
with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"),
              transient=True) as progress:
    task = progress.add_task("online", total=2 * len(DELAYS) * ONLINE_STEPS, status="")
    for delay in DELAYS:
        for carry in (True, False):
            runs[delay, carry] = learn_online(echo, start, EchoStream(delay, seed=delay), ONLINE_STEPS, LR, carry)
            progress.update(task, advance=ONLINE_STEPS, status=f"delay {delay}")


def window_mean(losses, first: bool) -> float:
    """Mean loss over the first or the last tenth of the run."""
    width = len(losses) // 10
    part = losses[:width] if first else losses[-width:]
    return sum(part) / width


table = Table(title=f"Online SGD on a delayed echo (H = {ONLINE_HIDDEN}, lr = {LR}, {ONLINE_STEPS:,} steps): "
                    "mean ℓ_t over a tenth of the run", box=None, padding=(0, 2))
for heading in ("delay", "RTRL: first", "RTRL: last", "one-step: first", "one-step: last"):
    table.add_column(heading, justify="right")
for delay in DELAYS:
    table.add_row(str(delay), *(f"{window_mean(runs[delay, carry][0], first):.4f}"
                                for carry in (True, False) for first in (True, False)))
trace.show(table)
for delay in DELAYS:
    assert window_mean(runs[delay, True][0], first=False) < 0.1 * window_mean(runs[delay, True][0], first=True)
    assert window_mean(runs[delay, True][0], first=False) < 0.02   # far below the ½ of predicting 0
    if delay >= 4:
        assert window_mean(runs[delay, False][0], first=False) > 0.3  # one step of credit is not enough

# %% [markdown]
# With the carried Jacobian the loss falls to almost nothing for every delay: the error signal of the step at
# which an input has to be recalled reaches, through J_t, the weights that had to store it `delay` steps
# before. Without it, the learner credits only what the last step did. Short delays can still be learned
# that way (in the full run the one-step learner gets delays 1 and 2 almost right and delay 3 partly): the
# recurrent weights keep some trace of the last few inputs whatever they are, and the readout and the last
# step can learn to use it. From a delay of 4 on, its loss stays near the ½ of predicting 0.
#
# One thing about the online learner is not exact. J_t is built up step by step while θ changes under it:
# the part of J_t that comes from k steps back was computed with the parameters of k steps ago. The exact
# ∂h_t/∂θ at the current θ would need the whole stream replayed with that θ, which is precisely the cost RTRL
# avoids. Because the past's influence fades through the products of D_t W_hh, the carried J_t mixes only
# the recent parameters, and while θ moves slowly compared with how fast the network forgets, the two are
# close. Here we do the replay once, for the check (with RTRL at a fixed θ, which section 3 showed exact):

# %%
def relative_difference(a, b) -> float:
    return ((a - b) ** 2).sum().sqrt().item() / (b ** 2).sum().sqrt().item()


drift = {}
for delay in DELAYS:
    _, last_theta, carried, inputs, targets = runs[delay, True]
    _, replayed = rtrl_gradient(echo, last_theta, inputs, targets)
    drift[delay] = relative_difference(carried, replayed)
print("‖J carried − J replayed‖ / ‖J replayed‖ at the last step, by delay:\n    "
      + ", ".join(f"{delay}: {value:.1e}" for delay, value in drift.items()))
assert all(1e-6 < value < 0.25 for value in drift.values())

# %% [markdown]
# A few percent at most: the online gradient is not the exact gradient of any one network, but it is
# close, and SGD's steps are noisy anyway. Whether that approximation is acceptable is one question; the
# O(H⁴) time of section 4 is the bigger one, and the reason RTRL is rarely used as it stands: practical
# variants carry a cheaper summary of J_t (a low-rank estimate, or only the entries a sparse network can
# make nonzero), trading exactness for cost.
#
# ## 6. A second derivative: how sharp is the loss along its gradient?
#
# `backward(create_graph=True)`, or `minigrad.autograd.grad(..., create_graph=True)`, records the backward
# pass itself as a graph, so the gradient g(θ) is a tensor that can be differentiated again. The derivative of
# g·u with u held fixed is H u, a Hessian-vector product, at the cost of about two more passes, without ever
# forming the P × P Hessian. With u = g/‖g‖,
#
#     κ = uᵀ H u = gᵀHg / ‖g‖²
#
# is the curvature of the loss along the direction gradient descent moves in. A step of length s along u
# changes the slope by about κ·s, so the slope g promises is trustworthy only over s ≲ ‖g‖/|κ|; a gradient
# step with learning rate lr has length lr·‖g‖, which stays inside that region only if lr ≲ 1/|κ|.
#
# We take the echo task with a delay of 3, as a batch of 32 sequences of 30 steps (the loss is the mean of
# ℓ_t over steps and sequences, so predicting 0 scores ½), and rescale W_hh so that its spectral radius ρ
# (its largest |eigenvalue|) takes values from 0.5 to 4, well into the regime where gradients explode
# (tutorial 03). First, one draw of weights and data, to check the Hessian-vector product three more ways:
# forward mode through the gradient (`func.jvp` of `func.grad`: forward over reverse), the library's
# `functional.hvp`, and central differences of the gradient, (g(θ + εu) − g(θ − εu)) / 2ε.

# %%
SECOND_T, SECOND_N, SECOND_DELAY = 30, 32, 3
sharp = TanhRNN(1, 8)


def echo_batch(draw: int):
    """SECOND_N echo sequences of SECOND_T steps: inputs (T, N, 1) and their targets, SECOND_DELAY steps late."""
    bits = np.random.default_rng(draw).choice((-1.0, 1.0), size=(SECOND_T + SECOND_DELAY, SECOND_N, 1))
    return minigrad.tensor(bits[SECOND_DELAY:], dtype=f64), minigrad.tensor(bits[:-SECOND_DELAY], dtype=f64)


def with_radius(draw: int, rho: float):
    """The draw's initial θ with W_hh rescaled to spectral radius ρ."""
    params = sharp.unpack(sharp.init(seed=draw))
    radius = float(np.abs(np.linalg.eigvals(params["W_hh"].numpy())).max())
    return sharp.pack({**params, "W_hh": params["W_hh"] * (rho / radius)})


def mean_loss_of(draw: int):
    inputs, targets = echo_batch(draw)
    return lambda t: sharp.loss(t, inputs, targets).mean() / SECOND_T


def gradient_and_curvature(loss_fn, theta):
    """(g, u = g/‖g‖, H·u): H·u by differentiating g·u, with u held fixed, once more."""
    theta = theta.detach().requires_grad_()
    (g,) = minigrad.autograd.grad(loss_fn(theta), theta, create_graph=True)
    u = g.detach() / (g.detach() ** 2).sum().sqrt()
    (hu,) = minigrad.autograd.grad((g * u).sum(), theta)
    return g.detach(), u, hu


def finite_difference_hu(loss_fn, theta, u, eps: float):
    """(g(θ + εu) − g(θ − εu)) / 2ε: H·u from first derivatives only."""
    return (bptt_gradient(loss_fn, theta + eps * u) - bptt_gradient(loss_fn, theta - eps * u)) / (2 * eps)


CHECK_RADII, EPSILONS = (0.9, 4.0), (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7)
check_loss = mean_loss_of(0)
checked = {}
for rho in CHECK_RADII:
    theta_rho = with_radius(0, rho)
    g, u, hu = gradient_and_curvature(check_loss, theta_rho)
    _, forward_over_reverse = func.jvp(func.grad(check_loss), (theta_rho,), (u,))
    _, library_hvp = functional.hvp(check_loss, theta_rho, u)
    differences = [relative_difference(finite_difference_hu(check_loss, theta_rho, u, eps), hu)
                   for eps in EPSILONS]
    checked[rho] = (theta_rho, u, hu, relative_difference(forward_over_reverse, hu),
                    relative_difference(library_hvp, hu), differences)

table = Table(title="H·u by double backward, against three other routes (relative difference)", box=None,
              padding=(0, 2))
table.add_column("route", justify="left")
for rho in CHECK_RADII:
    table.add_column(f"ρ = {rho:g}", justify="right")
table.add_row("func.jvp(func.grad(L))", *(f"{checked[rho][3]:.1e}" for rho in CHECK_RADII))
table.add_row("functional.hvp", *(f"{checked[rho][4]:.1e}" for rho in CHECK_RADII))
for index, eps in enumerate(EPSILONS):
    table.add_row(f"central difference, ε = {eps:g}", *(f"{checked[rho][5][index]:.1e}" for rho in CHECK_RADII))
trace.show(table)
for rho in CHECK_RADII:
    differences = checked[rho][5]
    assert checked[rho][3] < 1e-10 and checked[rho][4] < 1e-10
    assert min(differences) < 1e-6
    assert any(80 < a / b < 125 for a, b in zip(differences, differences[1:]))  # error ∝ ε²
steep_index = EPSILONS.index(1e-3)
assert checked[CHECK_RADII[1]][5][steep_index] > 100 * checked[CHECK_RADII[0]][5][steep_index]

# %% [markdown]
# Forward over reverse agrees to rounding; `functional.hvp` is the same double backward packaged as a
# function, so it agrees exactly. The central differences converge to the double-backward value as ε
# shrinks, a hundredfold per tenfold smaller ε (their error is proportional to ε²), until rounding stops
# them near 1e-10. Note how much smaller ε has to be at ρ = 4 for the same accuracy: the gradient there
# changes over very short distances, which is the subject of the table below.
#
# And torch, where it is installed. `TanhRNN` uses only methods the two libraries share, so the very same
# loss runs on torch tensors:

# %%
try:
    import torch
except ImportError:
    torch = None
    print("torch is not installed: the comparison with torch is skipped")
if torch is not None:
    inputs, targets = (torch.tensor(a.numpy()) for a in echo_batch(0))
    for rho in CHECK_RADII:
        theta_rho, u, hu = checked[rho][:3]
        theta_torch = torch.tensor(theta_rho.numpy(), requires_grad=True)
        (g_torch,) = torch.autograd.grad(sharp.loss(theta_torch, inputs, targets).mean() / SECOND_T, theta_torch,
                                         create_graph=True)
        (hu_torch,) = torch.autograd.grad((g_torch * torch.tensor(u.numpy())).sum(), theta_torch)
        difference = float(np.abs(hu_torch.numpy() - hu.numpy()).max() / np.abs(hu_torch.numpy()).max())
        print(f"ρ = {rho:g}: torch's double backward vs minigrad's H·u: relative difference {difference:.1e}")
        assert difference < 1e-10

# %% [markdown]
# Now the curvature along the gradient as ρ grows. One draw of weights and data can mislead (beyond ρ ≈ 1
# the loss surface is rugged), so the table gives medians over several draws.

# %%
SWEEP_RADII = (0.5, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0)
DRAWS = range(4 if FAST else 12)
sweep = {}
with Progress(TextColumn("{task.description}"), BarColumn(), transient=True) as progress:
    task = progress.add_task("curvature", total=len(SWEEP_RADII) * len(DRAWS))
    for draw in DRAWS:
        draw_loss = mean_loss_of(draw)
        for rho in SWEEP_RADII:
            g, u, hu = gradient_and_curvature(draw_loss, with_radius(draw, rho))
            sweep[rho, draw] = ((g ** 2).sum().sqrt().item(), (u * hu).sum().item())
            progress.update(task, advance=1)

summary = {}
for rho in SWEEP_RADII:
    norms, kappas = (np.array(column) for column in zip(*(sweep[rho, draw] for draw in DRAWS)))
    summary[rho] = (np.median(norms), np.median(np.abs(kappas)), int((kappas < 0).sum()),
                    np.median(norms / np.abs(kappas)))
table = Table(title=f"Gradient and curvature along it, medians over {len(DRAWS)} draws", box=None, padding=(0, 2))
for heading in ("ρ", "‖g‖", "|κ| = |gᵀHg|/‖g‖²", "κ < 0 in", "lr ≲ 1/|κ|", "trusted length ‖g‖/|κ|"):
    table.add_column(heading, justify="right")
for rho, (norm, kappa, negative, length) in summary.items():
    table.add_row(f"{rho:g}", f"{norm:.3g}", f"{kappa:.3g}", f"{negative} of {len(DRAWS)}", f"{1 / kappa:.2g}",
                  f"{length:.2g}")
trace.show(table)
calm, steep = summary[SWEEP_RADII[0]], summary[SWEEP_RADII[-1]]
print(f"medians from ρ = {SWEEP_RADII[0]:g} to ρ = {SWEEP_RADII[-1]:g}: ‖g‖ ×{steep[0] / calm[0]:.3g}, "
      f"|κ| ×{steep[1] / calm[1]:.3g}, trusted length ×{steep[3] / calm[3]:.2g}")
assert steep[1] > 100 * calm[1] and steep[1] / calm[1] > steep[0] / calm[0]
assert steep[3] < 0.05 * calm[3]

# %% [markdown]
# Up to ρ ≈ 1.5 the curvature along the gradient is of order one, and the slope the gradient promises holds
# over a good fraction of a unit step. Past that the picture changes. In the full run (12 draws), from
# ρ = 0.5 to ρ = 4 the median ‖g‖ grows about 15 times but the median |κ| about 60,000 times, and from
# ρ = 1.5 on κ is negative in a third to a half of the draws: along the gradient the loss is no gentle
# bowl but bends sharply, up in some draws and down in others. That is the second-order face of an
# exploding gradient. The largest safe learning rate, about 1/|κ|, falls by orders of magnitude while the
# gradient grows, so a step that looks reasonable for the slope lands far outside the region where that
# slope meant anything; capping the step's length (gradient clipping, tutorial 03) treats the symptom.
#
# The same double backward serves any loss that contains a gradient: a penalty on ‖∂L/∂θ‖² added to L, the
# curvature of a meta-learning objective, or the power iteration that finds the Hessian's top eigenvalue from
# nothing but H·v products.
#
# ## What to take away
#
# - BPTT and RTRL compute the same gradient (here to 1e-15): reverse mode from the loss back, forward mode
#   from the parameters on. RTRL's J_t = ∂h_t/∂θ is forward mode with one tangent per parameter.
# - BPTT's memory grows with the sequence, RTRL's does not. RTRL pays in time instead: H⁴ per step for a
#   fully connected RNN, against BPTT's H².
# - That trade is what online learning from an endless stream needs: the exact gradient (up to the drift of
#   θ) at every step with constant memory, credit reaching back as far as the network remembers, where
#   truncated BPTT reaches back only as far as its window.
# - `create_graph=True` turns a gradient into something differentiable: Hessian-vector products cost two
#   more passes, and they agree with forward over reverse, central differences and torch.
