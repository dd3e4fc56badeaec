# %% [markdown]
# # 01 · Autograd by hand: the chain rule, broadcasting, accumulation, gradcheck
#
# `loss.backward()` is not magic. During the forward pass every op records a
# node; backward walks those nodes from the loss to the leaves, and each node
# does one small thing: it multiplies the gradient it receives, dL/d(out), by
# its own *local* derivative d(out)/d(in) and passes the product on. That is
# the chain rule, applied once per node.
#
# This tutorial works one neuron by hand and checks minigrad against it, then
# looks at three things every autograd user trips over: gradients of broadcast
# tensors, gradients that accumulate, and how to test a gradient you wrote
# yourself (and why that test needs float64).

# %%
import math
import os
import textwrap

import numpy as np
from rich.table import Table

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad import trace

FAST = os.environ.get("MINIGRAD_FAST") == "1"
if FAST:
    print("MINIGRAD_FAST=1, the short version: only section 5's gradcheck of a @ b is smaller (a 3×4 and a 4×5 "
          "matrix instead of 6×8 and 8×5); every other number is the full run's.")
f64 = minigrad.float64
minigrad.manual_seed(0)

# %% [markdown]
# ## 1. One neuron, forward and backward by hand
#
# L = (tanh(w1·x1 + w2·x2 + b) − t)². We name every intermediate value, so
# that each step of the forward pass is one op with one local derivative:
#
# a1 = w1·x1,  a2 = w2·x2,  z = a1 + a2 + b,  y = tanh z,  e = y − t,  L = e².
#
# The hand calculation uses plain Python floats (`math`), nothing of minigrad.

# %%
w1_, x1_, w2_, x2_, b_, t_ = 0.8, 1.5, 0.4, -0.5, -0.2, 0.25

# forward
a1 = w1_ * x1_
a2 = w2_ * x2_
z = a1 + a2 + b_
y = math.tanh(z)
e = y - t_
L = e ** 2

# local derivatives: each op on its own, knowing nothing of the rest
dL_de = 2 * e            # d(e²)/de
de_dy = 1.0              # d(y − t)/dy
dy_dz = 1 - y ** 2       # d(tanh z)/dz = 1 − tanh² z
dz_da = 1.0              # a sum passes its gradient unchanged to every term

# the chain rule: multiply the local derivatives along the path to each leaf
dL_dz = dL_de * de_dy * dy_dz
by_hand = {
    "w1": dL_dz * dz_da * x1_,   # da1/dw1 = x1
    "x1": dL_dz * dz_da * w1_,   # da1/dx1 = w1
    "w2": dL_dz * dz_da * x2_,   # da2/dw2 = x2
    "x2": dL_dz * dz_da * w2_,   # da2/dx2 = w2
    "b": dL_dz * dz_da,          # dz/db   = 1
}

table = Table(title="Forward values and local derivatives, by hand")
table.add_column("step")
table.add_column("value", justify="right")
table.add_column("local derivative")
table.add_column("value", justify="right")
for step, value, local, local_value in [
        ("a1 = w1·x1", a1, "da1/dw1 = x1, da1/dx1 = w1", f"{x1_}, {w1_}"),
        ("a2 = w2·x2", a2, "da2/dw2 = x2, da2/dx2 = w2", f"{x2_}, {w2_}"),
        ("z = a1 + a2 + b", z, "dz/da1 = dz/da2 = dz/db", f"{dz_da}"),
        ("y = tanh z", y, "dy/dz = 1 − y²", f"{dy_dz:.6f}"),
        ("e = y − t", e, "de/dy", f"{de_dy}"),
        ("L = e²", L, "dL/de = 2e", f"{dL_de:.6f}")]:
    table.add_row(step, f"{value:.6f}", local, local_value)
trace.show(table)

# %% [markdown]
# Now the same neuron in minigrad, in float64. Backward must give the products
# above, up to rounding in the last digit: the engine does the same
# multiplications, only it finds the paths through the graph itself.

# %%
def neuron(w1, x1, w2, x2, b):
    return ((w1 * x1 + w2 * x2 + b).tanh() - t_) ** 2


def leaves():
    """Fresh leaf tensors for w1, x1, w2, x2, b (float64, all requiring grad)."""
    return {name: minigrad.tensor(value, dtype=f64, requires_grad=True)
            for name, value in zip(("w1", "x1", "w2", "x2", "b"), (w1_, x1_, w2_, x2_, b_))}


params = leaves()
loss = neuron(**params)
loss.backward()
print(f"L: by hand {L:.15f}, minigrad {loss.item():.15f}")
for name, tensor in params.items():
    difference = abs(tensor.grad.item() - by_hand[name])
    print(f"dL/d{name:<2}  hand {by_hand[name]: .15f}  minigrad {tensor.grad.item(): .15f}"
          f"  diff {difference:.0e}")
    assert difference < 1e-12, (name, difference)
assert abs(loss.item() - L) < 1e-12

# %% [markdown]
# ## 2. The same backward, narrated node by node
#
# `trace.step_through` runs a real `backward()` and reports what every node
# received and passed on. Read it from the top: the loss node hands
# 2e = 0.828 to the subtraction, the tanh node multiplies by 1 − y² = 0.559,
# the additions pass their gradient through unchanged, and each product node
# multiplies by the *other* factor (dL/dw1 gets x1, dL/dx1 gets w1).

# %%
params = leaves()
story = trace.step_through(neuron(**params), names=params)
story.show()

# the narration's numbers are the engine's own: they match the hand values
for leaf in story.leaves:
    assert abs(leaf["grad"][0] - by_hand[leaf["name"]]) < 1e-12, leaf
tanh_event = next(event for event in story.events if event["op"] == "TanhBackward")
assert abs(tanh_event["inputs"][0]["local"][0] - dy_dz) < 1e-12

# %% [markdown]
# ## 3. Broadcasting: a gradient is summed over the copies
#
# Adding a bias of shape (1, 3) to a batch of shape (4, 3) uses each bias
# element four times, once per row. A value used several times receives the
# *sum* of the gradients of all its uses (the multivariate chain rule), so the
# bias gradient is dL/dy summed over the broadcast axis. minigrad does this in
# one place (`autograd.unbroadcast`) for every op. The same rule will sum a
# recurrent weight's gradient over time steps in tutorial 02.

# %%
x = minigrad.randn(4, 3, dtype=f64)
weights = minigrad.randn(4, 3, dtype=f64)
bias = minigrad.tensor([[0.1, -0.2, 0.3]], dtype=f64, requires_grad=True)
y_out = x + bias                       # (4, 3): the bias row is copied 4 times
y_out.retain_grad()                    # keep dL/dy (a non-leaf) to look at
(y_out.tanh() * weights).sum().backward()
column_sums = y_out.grad.sum(dim=0, keepdim=True)
print("dL/dy, shape (4, 3): one gradient per copy of the bias")
print(y_out.grad.numpy().round(6))
print(f"dL/dy summed over axis 0:   {column_sums.numpy().round(6)}")
print(f"bias.grad, shape {bias.grad.shape}: {bias.grad.numpy().round(6)}")
assert bias.grad.shape == (1, 3)
assert (bias.grad - column_sums).abs().max().item() < 1e-12

# %% [markdown]
# The rule covers every way of broadcasting: a missing leading axis (a bias of
# shape (3,)) is summed away, and a size-1 axis in another place (a column of
# shape (4, 1)) is summed along that axis.

# %%
table = Table(title="Gradient of a broadcast input = dL/dy summed over copies")
table.add_column("input shape")
table.add_column("summed over")
table.add_column(".grad shape")
table.add_column("max |grad − sum|", justify="right")
for shape, axis in [((1, 3), 0), ((3,), 0), ((4, 1), 1)]:
    addend = minigrad.randn(*shape, dtype=f64, requires_grad=True)
    y_out = x + addend
    y_out.retain_grad()
    (y_out.tanh() * weights).sum().backward()
    expected = y_out.grad.sum(dim=axis, keepdim=len(shape) == 2)
    error = (addend.grad - expected).abs().max().item()
    table.add_row(str(shape), f"axis {axis}", str(addend.grad.shape), f"{error:.1e}")
    assert addend.grad.shape == shape and error < 1e-12
trace.show(table)

# %% [markdown]
# ## 4. Gradients accumulate: why `zero_grad` exists
#
# `backward()` *adds* into `.grad`; it never overwrites. Compute the same loss
# twice, run backward on each, and `.grad` holds twice the gradient:

# %%
w = minigrad.tensor([0.5, -1.0], dtype=f64, requires_grad=True)
(w.tanh() ** 2).sum().backward()
first = w.grad.numpy().copy()
(w.tanh() ** 2).sum().backward()
print(f"after one backward:  {first}")
print(f"after two backwards: {w.grad.numpy()}")
assert np.allclose(w.grad.numpy(), 2 * first, rtol=0, atol=1e-15)

# %% [markdown]
# Adding is on purpose. It is what the broadcast sum above needs, and it lets
# a big batch be processed in pieces: run backward on each micro-batch (each
# loss scaled by its share of the batch) and the gradients add up to the
# full-batch gradient. The price is that a training loop must clear `.grad`
# before each new step (`model.zero_grad()` or `optimizer.zero_grad()`);
# forget it and every step uses the sum of all earlier gradients.

# %%
model = nn.Linear(3, 1, dtype=f64)
inputs, targets = minigrad.randn(8, 3, dtype=f64), minigrad.randn(8, 1, dtype=f64)

F.mse_loss(model(inputs), targets).backward()
full_batch = model.weight.grad.numpy().copy()

model.zero_grad()                      # .grad back to None
for half in (slice(0, 4), slice(4, 8)):
    (F.mse_loss(model(inputs[half]), targets[half]) / 2).backward()
accumulated = model.weight.grad.numpy().copy()
print(f"full batch:         {full_batch.round(6)}")
print(f"two halves, summed: {accumulated.round(6)}")
assert np.abs(accumulated - full_batch).max() < 1e-12

# the next step without zero_grad: the new gradient lands on top of the old
next_inputs, next_targets = minigrad.randn(8, 3, dtype=f64), minigrad.randn(8, 1, dtype=f64)
F.mse_loss(model(next_inputs), next_targets).backward()
stale = model.weight.grad.numpy().copy()
model.zero_grad()
F.mse_loss(model(next_inputs), next_targets).backward()
fresh = model.weight.grad.numpy()
print(f"next step, no zero_grad:   {stale.round(6)}  (old + new)")
print(f"next step, after zero_grad: {fresh.round(6)}")
assert np.abs(stale - (full_batch + fresh)).max() < 1e-12

# %% [markdown]
# ## 5. gradcheck: testing a gradient against central differences
#
# A gradient can be checked without knowing it: nudge one input by ±ε and
# watch the output, (f(x + ε) − f(x − ε)) / 2ε ≈ f′(x). The error of this
# estimate has two parts pulling in opposite directions: truncation, about
# f‴·ε²/6, shrinks with ε; rounding, about u·|f|/ε (u is the unit roundoff of
# the dtype), grows as ε shrinks. Float32 has u ≈ 6e-8, so its best ε is only
# about u^(1/3) ≈ 4e-3 and its best estimate has 4–5 correct digits; float64
# (u ≈ 1.1e-16) gets about 10. We estimate dL/dw1 of the neuron both ways.

# %%
print(f"unit roundoff: float32 {np.finfo(np.float32).eps / 2:.1e}, "
      f"float64 {np.finfo(np.float64).eps / 2:.1e}")


def central_difference(eps, dtype):
    def loss_at(w1):
        others = {name: minigrad.tensor(value, dtype=dtype)
                  for name, value in zip(("x1", "w2", "x2", "b"), (x1_, w2_, x2_, b_))}
        return neuron(minigrad.tensor(w1, dtype=dtype), **others).item()
    return (loss_at(w1_ + eps) - loss_at(w1_ - eps)) / (2 * eps)


table = Table(title="Central difference: error in dL/dw1")
table.add_column("ε", justify="right")
table.add_column("float32 error", justify="right")
table.add_column("float64 error", justify="right")
errors = {minigrad.float32: {}, f64: {}}
for exponent in range(1, 9):
    eps = 10.0 ** -exponent
    for dtype in errors:
        errors[dtype][eps] = abs(central_difference(eps, dtype) - by_hand["w1"])
    table.add_row(f"1e-{exponent}", f"{errors[minigrad.float32][eps]:.1e}", f"{errors[f64][eps]:.1e}")
trace.show(table)
best32, best64 = min(errors[minigrad.float32].values()), min(errors[f64].values())
print(f"best error over ε: float32 {best32:.1e}, float64 {best64:.1e}")
print(f"at gradcheck's ε = 1e-6: float32 {errors[minigrad.float32][1e-6]:.1e}, "
      f"float64 {errors[f64][1e-6]:.1e}")
assert errors[minigrad.float32][1e-6] > 1e-3   # float32 at ε = 1e-6: wrong already in the 3rd digit
assert errors[f64][1e-6] < 1e-9                 # float64 at ε = 1e-6: 9+ correct digits
assert best32 > 1e4 * best64                    # no choice of ε rescues float32

# %% [markdown]
# So `minigrad.gradcheck` works in float64 and refuses anything else. It
# compares the whole Jacobian: one backward per output element against one
# central difference per input element.

# %%
params = leaves()
assert minigrad.gradcheck(neuron, tuple(params.values()))
print("gradcheck(neuron) in float64: passed")

try:
    minigrad.gradcheck(neuron, tuple(p.float().detach().requires_grad_() for p in params.values()))
except TypeError as error:
    print(textwrap.fill(f"in float32: {error}", 78))
else:
    raise AssertionError("gradcheck accepted float32 inputs")

rows, inner = (3, 4) if FAST else (6, 8)
a = minigrad.randn(rows, inner, dtype=f64, requires_grad=True)
b = minigrad.randn(inner, 5, dtype=f64, requires_grad=True)
assert minigrad.gradcheck(lambda a, b: ((a @ b).tanh() * a.sum(dim=1, keepdim=True)).log_softmax(dim=1),
                          (a, b))
print(f"gradcheck of log_softmax(tanh(a @ b) · rowsum(a)): passed, a {a.shape}, "
      f"b {b.shape}")
print(f"  ({rows * 5} outputs × {a.numel() + b.numel()} inputs: the whole Jacobian)")

# %% [markdown]
# ## 6. Catching a wrong backward
#
# A new op is a `minigrad.Function` with `forward` and `backward` side by side,
# working on raw arrays (`ctx.xp` is NumPy, or CuPy on a GPU). Here is sine,
# which minigrad does not have, written correctly, and the most common bug in
# hand-written backwards: returning the local derivative cos x *without
# multiplying by the incoming gradient*.

# %%
class Sin(minigrad.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.xp.cos(x)        # dL/dx = dL/dsin · cos x


class ForgetfulSin(Sin):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return ctx.xp.cos(x)               # bug: the chain rule's dL/dsin is dropped


# %% [markdown]
# The usual quick test, `f(x).sum().backward()` and compare with cos x, does
# not see the bug: the gradient arriving from `.sum()` is all ones, and
# multiplying by one changes nothing.

# %%
minigrad.manual_seed(6)                # the same inputs whatever size section 5's gradcheck drew
x = minigrad.randn(5, dtype=f64, requires_grad=True)
ForgetfulSin.apply(x).sum().backward()
naive_error = np.abs(x.grad.numpy() - np.cos(x.numpy())).max()
print(f"ForgetfulSin after .sum().backward(): max |x.grad − cos x| = {naive_error:.1e}")
assert naive_error < 1e-15             # the naive test passes: it cannot see the bug

# %% [markdown]
# gradcheck seeds backward with one output element at a time (a one-hot
# gradient, not all ones), so the missing factor shows at once. The correct
# `Sin` passes; `ForgetfulSin` raises `minigrad.GradcheckError`, naming the
# element where analytic and numerical gradients disagree.

# %%
x = minigrad.randn(5, dtype=f64, requires_grad=True)
assert minigrad.gradcheck(Sin.apply, x)
print("gradcheck(Sin): passed")
try:
    minigrad.gradcheck(ForgetfulSin.apply, x)
except minigrad.GradcheckError as error:
    print("gradcheck(ForgetfulSin) raised GradcheckError:")
    print(textwrap.fill(str(error), 78, initial_indent="  ", subsequent_indent="  "))
else:
    raise AssertionError("gradcheck missed the wrong backward")

# %% [markdown]
# The bug is not harmless just because one test passed: as soon as anything
# follows the op, the gradient is wrong.

# %%
x_right = minigrad.tensor(x.numpy(), requires_grad=True)
x_wrong = minigrad.tensor(x.numpy(), requires_grad=True)
(Sin.apply(x_right) ** 2).sum().backward()
(ForgetfulSin.apply(x_wrong) ** 2).sum().backward()
gap = (x_right.grad - x_wrong.grad).abs().max().item()
print(f"d/dx Σ sin²x: correct vs forgetful, max difference {gap:.3f}")
assert gap > 0.1
