# %% [markdown]
# # 05 · Bidirectional RNNs: reading the future, and why they cannot write it
#
# A recurrent layer read left to right knows, at position t, only the tokens 0..t. Many tasks need
# more: whether "bank" is a river bank is decided by the words *after* it. A bidirectional layer
# runs two independent recurrences over the same sequence, one left to right and one right to
# left, and concatenates their states at every position, so each position sees both sides.
#
# This tutorial
#
# 1. takes the output apart: which half is which direction, and what `h_n` holds (it is *not*
#    the last row of `output`);
# 2. trains a left-to-right, a right-to-left and a bidirectional tagger side by side on a task that
#    needs both neighbours of a token, and measures them against the best one direction can do;
# 3. shows why the same property that wins the tagging task rules out generating text left to
#    right;
# 4. checks what introductions to bidirectional RNNs commonly say about them.

# %%
import math
import os

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import minigrad
import minigrad.nn.functional as F
import models
import models.nn as nn
from minigrad import trace

FAST = os.environ.get("MINIGRAD_FAST") == "1"
if FAST:
    print("MINIGRAD_FAST=1, the short version: the taggers train 200 steps instead of 1,500, too few for the "
          "bidirectional one to find its rule, so its accuracy and its logit swing in section 3(a) mean nothing here.")


def biggest_difference(a, b) -> float:
    """max |a - b| over all elements, as a Python float."""
    return (a - b).abs().max().item()


# %% [markdown]
# ## 1 · The layout of a bidirectional layer
#
# `models.GRU(..., bidirectional=True)` holds two sets of weights: `weight_ih_l0`, ... for the
# forward direction and `weight_ih_l0_reverse`, ... for the reverse one. For an input of shape
# (T, N, input_size) it returns
#
# - `output` (T, N, 2·H): at every step t, `[forward h_t ; reverse h_t]`;
# - `h_n` (num_layers·2, N, H): the *final* state of each layer and direction. The forward
#   direction ends at step T-1, but the reverse direction ends at step **0**, where it finishes
#   reading. So `h_n[1]` is `output[0, :, H:]`, not `output[-1, :, H:]`.
#
# We check every one of these against two plain unidirectional GRUs that get the forward and the
# reverse weights (the reverse one reads the sequence backwards), in float64 so that "equal" means
# equal to 1e-12.

# %%
minigrad.manual_seed(0)
T, N, INPUT, H = 6, 3, 4, 5
bigru = models.GRU(INPUT, H, bidirectional=True, dtype=minigrad.float64)
x = minigrad.randn(T, N, INPUT, dtype=minigrad.float64)
output, h_n = bigru(x)
print(f"input {x.shape}  ->  output {output.shape},  h_n {h_n.shape}")
assert output.shape == (T, N, 2 * H) and h_n.shape == (2, N, H)

weights = bigru.state_dict()
forward_gru = models.GRU(INPUT, H, dtype=minigrad.float64)
reverse_gru = models.GRU(INPUT, H, dtype=minigrad.float64)
forward_gru.load_state_dict({name: weights[name] for name in forward_gru.state_dict()})
reverse_gru.load_state_dict({name: weights[name + "_reverse"] for name in reverse_gru.state_dict()})

backwards = minigrad.arange(T - 1, -1, -1)              # T-1, ..., 1, 0: reverses the time axis
forward_out, forward_h = forward_gru(x)
reverse_out, reverse_h = reverse_gru(x[backwards])      # read from the end to the start ...
reverse_out = reverse_out[backwards]                    # ... and put the states back in time order

checks = {
    "output[..., :H]  == forward GRU on x": biggest_difference(output[..., :H], forward_out),
    "output[..., H:]  == reverse GRU on x reversed": biggest_difference(output[..., H:], reverse_out),
    "h_n[0] == output[-1, :, :H]  (forward, step T-1)": biggest_difference(h_n[0], output[-1, :, :H]),
    "h_n[1] == output[0, :, H:]   (reverse, step 0)": biggest_difference(h_n[1], output[0, :, H:]),
    "h_n[1] == reverse GRU's own h_n": biggest_difference(h_n[1], reverse_h[0]),
}
for claim, difference in checks.items():
    print(f"  {claim:<50} max |diff| = {difference:.1e}")
    assert difference < 1e-12, claim

wrong = biggest_difference(h_n[1], output[-1, :, H:])
print(f"  {'h_n[1] vs output[-1, :, H:]  (a common mistake)':<50} max |diff| = {wrong:.2f}")
assert wrong > 1e-2
last_row_is_not_h_n = biggest_difference(minigrad.cat([h_n[0], h_n[1]], dim=1), output[-1])
print(f"so cat(h_n[0], h_n[1]) differs from output[-1] by up to {last_row_is_not_h_n:.2f}:\n"
      "output[-1] holds the reverse direction after it has read ONE token.")

# %% [markdown]
# With several layers, `h_n` lists layer 0 forward, layer 0 reverse, layer 1 forward, layer 1
# reverse, ... so the top layer's two final states are `h_n[-2]` and `h_n[-1]`. Each layer above
# the first reads the 2·H-wide output of the layer below.

# %%
minigrad.manual_seed(1)
deep = models.GRU(INPUT, H, num_layers=2, bidirectional=True, dtype=minigrad.float64)
output, h_n = deep(x)
print(f"2 layers: output {output.shape}, h_n {h_n.shape}, "
      f"weight_ih_l1 {deep.weight_ih_l1.shape} (2·H = {2 * H} in)")
assert h_n.shape == (4, N, H) and deep.weight_ih_l1.shape == (3 * H, 2 * H)
assert biggest_difference(h_n[-2], output[-1, :, :H]) < 1e-12   # top layer, forward, step T-1
assert biggest_difference(h_n[-1], output[0, :, H:]) < 1e-12    # top layer, reverse, step 0

# %% [markdown]
# ## 2 · A task that needs both sides
#
# To see what a bidirectional layer buys, the task must need *both* sides of a position. Tagging each
# token by the token after it (`models.next_token_tagging`) would not do: a left-to-right model is stuck
# at chance there, but a right-to-left model alone, which has read token t+1 when it reaches t, scores
# 100% without any help from the left.
#
# `models.neighbour_tagging` makes sequences of random tokens 0..9 and tags position t with 1 when
# its two neighbours, tokens t-1 and t+1, are in the same half (both < 5 or both ≥ 5), else 0. The two
# end positions, which miss a neighbour, are always tagged 0. Either neighbour alone says nothing about
# the tag: whatever token t-1 is, token t+1 (independent of it) makes the tag 1 or 0 with probability 1/2
# each. So a left-to-right model, which has not read token t+1 at position t, and a right-to-left model,
# which has not read token t-1, can only guess at the T-2 inner positions and are sure only at the two ends:
#
#     best accuracy of one direction = (0.5·(T-2) + 2) / T = (T+2) / (2T)
#
# A bidirectional layer has read token t-1 in its forward direction and token t+1 in its reverse one.

# %%
LENGTH, VOCAB = 10, 10
tokens, tags = models.neighbour_tagging(3, LENGTH, seed=0)
for row, tag_row in zip(tokens.tolist(), tags.tolist()):
    print("tokens", " ".join(map(str, row)), "   tags", " ".join(map(str, tag_row)))

per_position_ceiling = [1.0] + [0.5] * (LENGTH - 2) + [1.0]
ceiling = sum(per_position_ceiling) / LENGTH
print(f"one-direction ceiling, T = {LENGTH}: (T+2)/(2T) = {(LENGTH + 2) / (2 * LENGTH):.3f}"
      f" = mean of 1.0 x 2 (the ends) and 0.5 x {LENGTH - 2}")
assert abs(ceiling - (LENGTH + 2) / (2 * LENGTH)) < 1e-12


# %% [markdown]
# The three taggers are the same but for the direction of reading: Embedding → GRU → a small classifier at
# every position. The right-to-left one is a plain GRU that reads the sequence reversed (its outputs are
# put back in time order). The classifier has a hidden layer, and it needs one. A single Linear layer on
# the concatenation [forward state ; reverse state] scores u(forward) + v(reverse): evidence from the
# two sides can only add up. But the tag is 1 for (lower, lower) and (upper, upper) and 0 for the two mixed
# pairs; with additive scores the first two cases need u(l) + v(l) > 0 and u(u) + v(u) > 0, the other two
# u(l) + v(u) < 0 and u(u) + v(l) < 0, and the two pairs of inequalities add up to the same sum with
# opposite signs. "Same half" is an XOR of the two sides, and it needs a nonlinearity after the sides meet.

# %%
DIRECTIONS = ("left-to-right", "right-to-left", "bidirectional")


class Tagger(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size, direction):
        super().__init__()
        self.reversed = direction == "right-to-left"
        bidirectional = direction == "bidirectional"
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, hidden_size, batch_first=True, bidirectional=bidirectional)
        width = hidden_size * (2 if bidirectional else 1)
        self.classify = nn.Sequential(nn.Linear(width, hidden_size), nn.Tanh(), nn.Linear(hidden_size, 2))

    def forward(self, tokens):                     # tokens (N, T) -> logits (N, T, 2)
        if self.reversed:
            tokens = tokens.flip(1)                # read from the end to the start ...
        states, _ = self.rnn(self.embedding(tokens))
        logits = self.classify(states)
        return logits.flip(1) if self.reversed else logits    # ... and put the positions back in order


TRAIN_SIZE, TEST_SIZE, BATCH = 8000, 4000, 64
STEPS = 200 if FAST else 1500
train_tokens, train_tags = models.neighbour_tagging(TRAIN_SIZE, LENGTH, seed=1)
test_tokens, test_tags = models.neighbour_tagging(TEST_SIZE, LENGTH, seed=2)


# A tagger that is sure at the ends and guesses at the inner positions has cross-entropy ln 2 at T-2 of T
# positions: the loss one direction can reach.
ONE_DIRECTION_LOSS = (LENGTH - 2) / LENGTH * math.log(2)


def train_tagger(direction: str, seed: int = 0) -> Tagger:
    minigrad.manual_seed(seed)
    model = Tagger(VOCAB, 16, 32, direction)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=1e-2)
    found = None                                   # the first step whose loss falls below half that level
    with Progress(TextColumn(f"training {direction:<13}"), BarColumn(), TextColumn("{task.fields[loss]}"),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task("", total=STEPS, loss="")
        for step in range(STEPS):
            start = step * BATCH % TRAIN_SIZE
            logits = model(train_tokens[start:start + BATCH])
            # cross_entropy wants classes in dim 1: (N, 2, T) against tags (N, T)
            loss = F.cross_entropy(logits.transpose(1, 2), train_tags[start:start + BATCH])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if found is None and loss.item() < ONE_DIRECTION_LOSS / 2:
                found = step
            progress.update(task, advance=1, loss=f"loss {loss.item():.3f}")
    print(f"{direction}: final training loss {loss.item():.3f}"
          + (f", below {ONE_DIRECTION_LOSS / 2:.3f} from step {found}" if found is not None else ""))
    return model


def per_position_accuracy(model) -> list:
    with minigrad.no_grad():
        correct = model(test_tokens).argmax(dim=-1) == test_tags
    return correct.float().mean(dim=0).tolist()


taggers = {direction: train_tagger(direction) for direction in DIRECTIONS}
accuracy = {direction: per_position_accuracy(model) for direction, model in taggers.items()}
left_to_right, bidirectional = taggers["left-to-right"], taggers["bidirectional"]

table = Table(title=f"held-out accuracy per position ({TEST_SIZE} sequences)", box=None)
for column in ("t", "one direction's ceiling", *DIRECTIONS):
    table.add_column(column, justify="right")
for t in range(LENGTH):
    table.add_row(str(t), f"{per_position_ceiling[t]:.3f}", *(f"{accuracy[d][t]:.3f}" for d in DIRECTIONS))
means = {direction: sum(values) / LENGTH for direction, values in accuracy.items()}
table.add_row("all", f"{ceiling:.3f}", *(f"{means[d]:.3f}" for d in DIRECTIONS))
trace.show(table)

# Each one-direction tagger reaches its ceiling and no further, whatever its training: at the inner positions
# it is a coin flip. The margin allows for sampling noise: a coin flip scored on TEST_SIZE tags has standard
# error 0.5/√TEST_SIZE, and we allow four of them.
noise = 4 * 0.5 / TEST_SIZE ** 0.5
for direction in ("left-to-right", "right-to-left"):
    assert max(abs(a - 0.5) for a in accuracy[direction][1:-1]) < noise, direction
    assert abs(means[direction] - ceiling) < 0.02, (direction, means[direction], ceiling)   # the ends: 100%
if not FAST:
    assert means["bidirectional"] > 0.99 and min(accuracy["bidirectional"]) > 0.98

# %% [markdown]
# In the full run (1,500 steps) the two one-direction taggers end where the arithmetic says they must:
# 0.60 overall, a coin flip at every inner position, and a training loss near (T-2)/T · ln 2 = 0.555, the
# cross-entropy of a sure answer at the ends and a guess everywhere else. The bidirectional tagger ends at
# 100% at every position. Its loss first sits at that same level for a few hundred steps (printed above:
# the step where it falls below half of it), then drops to zero: the classifier must find how the two
# sides combine before either side helps at all.

# %% [markdown]
# ## 3 · Why a bidirectional model cannot generate left to right
#
# Generating text means producing token t from tokens 0..t-1 and then feeding it back in. A model
# can do that only if its output at position t depends on nothing after t. A left-to-right layer
# has that property by construction; a bidirectional one does not, because its reverse direction
# reaches position t *after* reading everything to its right. Three ways to see it:
#
# **(a) Change a future token.** Take some test sequences, change the token at position 6, and
# compare the taggers' outputs at positions 0..5.

# %%
CHANGED = 6
original = test_tokens[:100]
other_half = minigrad.where(original < VOCAB // 2, original + VOCAB // 2, original - VOCAB // 2)
altered = minigrad.where(minigrad.arange(LENGTH) == CHANGED, other_half, original)  # only token 6 changes
with minigrad.no_grad():
    uni_shift = biggest_difference(left_to_right(original)[:, :CHANGED], left_to_right(altered)[:, :CHANGED])
    bi_shift = biggest_difference(bidirectional(original)[:, :CHANGED], bidirectional(altered)[:, :CHANGED])
print(f"change token {CHANGED}: largest change of the logits at positions 0..{CHANGED - 1}")
print(f"  left-to-right  {uni_shift:.2e}")
print(f"  bidirectional  {bi_shift:.2e}")
assert uni_shift == 0.0        # not a small effect: none at all
assert bi_shift > 0.0
if not FAST:
    assert bi_shift > 1.0      # position 5's tag compares tokens 4 and 6, so its logits swing hard

# %% [markdown]
# **(b) Follow the gradient.** A loss at one position sends gradient back through every state it
# depends on. `trace.through_time` records ‖∂L/∂h_t‖ for both directions of the trained
# bidirectional GRU when the loss is the tag at position 4: in the forward direction only steps
# 0..4 get gradient, in the reverse direction steps 4..9 — the future. Every other entry is an
# exact zero.

# %%
POSITION = 4
with trace.through_time() as flow:
    logits = bidirectional(test_tokens[:8])
loss = F.cross_entropy(logits[:, POSITION], test_tags[:8, POSITION])
loss.backward()
bidirectional.zero_grad()

forward_grads, reverse_grads = flow.series("grad_h", direction=0), flow.series("grad_h", direction=1)
table = Table(title=f"‖∂L/∂h_t‖ for a loss at position {POSITION}", box=None)
for column in ("t", "forward direction", "reverse direction"):
    table.add_column(column, justify="right")
for t in range(LENGTH):
    table.add_row(str(t), f"{forward_grads[t]:.2e}", f"{reverse_grads[t]:.2e}")
trace.show(table)
assert all((g > 0) == (t <= POSITION) for t, g in enumerate(forward_grads))
assert all((g > 0) == (t >= POSITION) for t, g in enumerate(reverse_grads))

# %% [markdown]
# **(c) Give it only what a generator would have.** While generating, at position t the tokens
# after t do not exist yet. Feed each tagger only the prefix 0..t and read its tag for t, at the inner
# positions 1..8. The left-to-right tagger gives exactly the tags it gave on whole sequences — it never
# used the rest. The bidirectional tagger loses everything it had learned (in the full run, 100%): half
# of its answer came from token t+1, which a generator does not have yet.

# %%
INNER = range(1, LENGTH - 1)
with minigrad.no_grad():
    uni_full = left_to_right(test_tokens)
    prefix_uni, prefix_bi = [], []
    for t in INNER:
        prefix = test_tokens[:, :t + 1]                       # all a generator has at position t
        uni_logits, bi_logits = left_to_right(prefix)[:, t], bidirectional(prefix)[:, t]
        assert biggest_difference(uni_logits, uni_full[:, t]) < 1e-5
        prefix_uni.append((uni_logits.argmax(dim=-1) == test_tags[:, t]).float().mean().item())
        prefix_bi.append((bi_logits.argmax(dim=-1) == test_tags[:, t]).float().mean().item())
prefix_uni_mean = sum(prefix_uni) / len(INNER)
prefix_bi_mean = sum(prefix_bi) / len(INNER)
whole = {direction: sum(accuracy[direction][t] for t in INNER) / len(INNER) for direction in DIRECTIONS}
print(f"accuracy at positions {INNER[0]}..{INNER[-1]}    left-to-right  bidirectional")
print(f"  whole sequences                {whole['left-to-right']:.3f}          {whole['bidirectional']:.3f}")
print(f"  only the prefix 0..t           {prefix_uni_mean:.3f}          {prefix_bi_mean:.3f}")
assert abs(prefix_bi_mean - 0.5) < noise        # a coin flip, once the future is gone

# %% [markdown]
# The same trap catches anyone who trains a bidirectional RNN as a language model: the target at
# position t is the input at t+1, which the reverse direction has read, so the training loss goes
# to zero by copying, and the model is useless for generation. Our tagger's 100% came the same way,
# from a token it would not have while generating.
# ELMo got context from both sides the honest way: two separate LSTM language models (sharing
# only the embedding and softmax), one predicting the next token from the left, one predicting the
# previous token from the right, each causal in its own direction; only their states are
# concatenated, and only for downstream tasks.
#
# ## 4 · Common descriptions, checked
#
# Introductions to bidirectional RNNs usually get the outline right: two recurrences, one per
# direction, whose states are concatenated (or otherwise combined) at each position; good for tagging
# and classification, not a drop-in for left-to-right generation or streaming. Section 3 measured the
# second half. The specific statements that usually come with it:
#
# - "h_t = [h_forward_t ; h_backward_t]": correct, as checked in section 1 (torch and minigrad
#   concatenate, forward first).
# - A widely copied PyTorch example: `nn.LSTM(128, 256, num_layers=2, batch_first=True, dropout=0.2,
#   bidirectional=True)` on a (32, 50, 128) batch is said to return an output of shape [32, 50, 512]
#   (256·2). Checked below, with the code run unchanged apart from its imports: correct. Its `h_n` is
#   (4, 32, 256), because batch_first does **not** apply to `h_n`, which is always (num_layers·2, N, H).
# - For a classifier, `torch.cat([h_n[-2], h_n[-1]], dim=-1)` is said to join the top layer's final
#   forward and backward states: correct, they are its forward state at the last step and its reverse
#   state at step 0, checked below.
# - "A bidirectional LSTM with hidden size 512 gives a 1024-dimensional representation per token":
#   correct. "The bidirectional design doubles the parameter count" holds only for a single layer:
#   every layer above the first reads the 2·H-wide output below, so its input weights double again.
#   Counted below for the two-layer LSTM of the example: 2.57 times, not 2.

# %%
import minigrad as torch  # the example's code, with `import torch` swapped (nn is already models.nn)

lstm = nn.LSTM(input_size=128, hidden_size=256, num_layers=2,
               batch_first=True, dropout=0.2, bidirectional=True)
x = torch.randn(32, 50, 128)  # (batch, seq_len, features)
output, (h_n, c_n) = lstm(x)
print(f"Output: {output.shape}")  # [32, 50, 512] (256*2 for bidirectional)
print(f"h_n: {h_n.shape}  (not batch-first)")
assert output.shape == (32, 50, 512) and h_n.shape == (4, 32, 256)
hidden = torch.cat([h_n[-2], h_n[-1]], dim=-1)                 # the classifier's joined state
assert biggest_difference(hidden, torch.cat([output[:, -1, :256], output[:, 0, 256:]], dim=-1)) < 1e-6


def parameter_count(module) -> int:
    return sum(p.numel() for p in module.parameters())


table = Table(title="LSTM parameters, H = 256", box=None)
for column in ("layers", "unidirectional", "bidirectional", "ratio"):
    table.add_column(column, justify="right")
ratios = {}
for layers in (1, 2, 3):
    one_way = parameter_count(nn.LSTM(128, 256, num_layers=layers))
    two_way = parameter_count(nn.LSTM(128, 256, num_layers=layers, bidirectional=True))
    ratios[layers] = two_way / one_way
    table.add_row(str(layers), f"{one_way:,}", f"{two_way:,}", f"{ratios[layers]:.3f}")
trace.show(table)
assert ratios[1] == 2.0                  # exactly double for one layer ...
assert ratios[2] > 2.5                   # ... but not for stacked layers
per_layer_above = 2 * 4 * 256 * (2 * 256 + 256 + 2)          # 2 directions · 4 gates · H · (2H + H + 2 biases)
assert parameter_count(nn.LSTM(128, 256, num_layers=2, bidirectional=True)) - parameter_count(
    nn.LSTM(128, 256, bidirectional=True)) == per_layer_above

# %% [markdown]
# ## Summary
#
# - `output[..., :H]` is the forward direction, `output[..., H:]` the reverse; `h_n[0]` is the
#   forward state at step T-1 and `h_n[1]` the reverse state at step 0, so `h_n` is not
#   `output[-1]`. With layers stacked, the top layer's pair is `h_n[-2]`, `h_n[-1]`.
# - When a tag depends on both neighbours, a left-to-right and a right-to-left tagger each sit at
#   their ceiling (T+2)/(2T), a coin flip at every inner position, and a bidirectional one reaches
#   ~100% (in the full run): each direction brings one neighbour, and a nonlinear classifier on top
#   combines them.
# - That is why it cannot generate: its output at t changes when a later token changes, gradient
#   from position t reaches states after t, and with only the prefix it falls to chance.
