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
# 2. trains a left-to-right and a bidirectional tagger on a task that needs the next token, and
#    measures both against the best a left-to-right model can possibly do;
# 3. shows why the same property that wins the tagging task rules out generating text left to
#    right;
# 4. checks what the seed notes say about bidirectional RNNs.

# %%
import os

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import minigrad
import minigrad.nn.functional as F
import models
import models.nn as nn
from minigrad import trace

FAST = os.environ.get("MINIGRAD_FAST") == "1"


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
# ## 2 · A task that needs the next token
#
# `models.next_token_tagging` makes sequences of random tokens 0..9 and tags position t with 1 when
# token t+1 is in the lower half (< 5), else 0; the last position, which has no next token, is
# always tagged 0. Token t+1 is independent of tokens 0..t, so a left-to-right model can only guess
# at the first T-1 positions (50%) and be sure only at the last one (where the tag is always 0):
#
#     best left-to-right accuracy = (0.5·(T-1) + 1) / T = (T+1) / (2T)
#
# A bidirectional model's reverse direction has already read token t+1 when it reaches position t.

# %%
LENGTH, VOCAB = 10, 10
tokens, tags = models.next_token_tagging(3, LENGTH, seed=0)
for row, tag_row in zip(tokens.tolist(), tags.tolist()):
    print("tokens", " ".join(map(str, row)), "   tags", " ".join(map(str, tag_row)))

per_position_ceiling = [0.5] * (LENGTH - 1) + [1.0]
ceiling = sum(per_position_ceiling) / LENGTH
print(f"left-to-right ceiling, T = {LENGTH}: (T+1)/(2T) = {(LENGTH + 1) / (2 * LENGTH):.3f}"
      f" = mean of {per_position_ceiling[0]} x {LENGTH - 1} and {per_position_ceiling[-1]} x 1")
assert abs(ceiling - (LENGTH + 1) / (2 * LENGTH)) < 1e-12


# %% [markdown]
# The tagger is the same for both directions: Embedding → GRU → Linear at every position. Only
# `bidirectional` changes (and with it the width of the Linear layer's input, H or 2·H).

# %%
class Tagger(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size, bidirectional):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.classify = nn.Linear(hidden_size * (2 if bidirectional else 1), 2)

    def forward(self, tokens):                     # tokens (N, T) -> logits (N, T, 2)
        states, _ = self.rnn(self.embedding(tokens))
        return self.classify(states)


TRAIN_SIZE, TEST_SIZE, BATCH = (2000, 1000, 64) if FAST else (8000, 4000, 64)
STEPS = 150 if FAST else 600
train_tokens, train_tags = models.next_token_tagging(TRAIN_SIZE, LENGTH, seed=1)
test_tokens, test_tags = models.next_token_tagging(TEST_SIZE, LENGTH, seed=2)


def train_tagger(bidirectional: bool, seed: int = 0) -> Tagger:
    minigrad.manual_seed(seed)
    model = Tagger(VOCAB, 16, 32, bidirectional)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=1e-2)
    name = "bidirectional" if bidirectional else "left-to-right"
    with Progress(TextColumn(f"training {name:<13}"), BarColumn(), TextColumn("{task.fields[loss]}"),
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
            progress.update(task, advance=1, loss=f"loss {loss.item():.3f}")
    print(f"{name}: final training loss {loss.item():.3f}")
    return model


def per_position_accuracy(model) -> list:
    with minigrad.no_grad():
        correct = model(test_tokens).argmax(dim=-1) == test_tags
    return correct.float().mean(dim=0).tolist()


left_to_right = train_tagger(bidirectional=False)
bidirectional = train_tagger(bidirectional=True)
uni_accuracy, bi_accuracy = per_position_accuracy(left_to_right), per_position_accuracy(bidirectional)

table = Table(title=f"held-out accuracy per position ({TEST_SIZE} sequences)", box=None)
for column in ("t", "left-to-right", "its ceiling", "bidirectional"):
    table.add_column(column, justify="right")
for t in range(LENGTH):
    table.add_row(str(t), f"{uni_accuracy[t]:.3f}", f"{per_position_ceiling[t]:.3f}", f"{bi_accuracy[t]:.3f}")
uni_mean, bi_mean = sum(uni_accuracy) / LENGTH, sum(bi_accuracy) / LENGTH
table.add_row("all", f"{uni_mean:.3f}", f"{ceiling:.3f}", f"{bi_mean:.3f}")
trace.show(table)

# The left-to-right tagger reaches its ceiling and no further; the bidirectional one is perfect.
# The margins allow for sampling noise: a coin flip scored on TEST_SIZE tags has standard error
# 0.5/√TEST_SIZE, and we allow four of them.
noise = 4 * 0.5 / TEST_SIZE ** 0.5
assert abs(uni_mean - ceiling) < 0.02, (uni_mean, ceiling)
assert uni_accuracy[-1] > 0.95                  # it learned the one sure thing: the last tag is 0
assert max(abs(a - 0.5) for a in uni_accuracy[:-1]) < noise   # everywhere else: a coin flip
assert bi_mean > 0.99 and min(bi_accuracy) > 0.98

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
assert bi_shift > 1.0          # position 5's tag IS token 6's half, so its logits swing hard

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
# after t do not exist yet. Feed each tagger only the prefix 0..t and read its tag for t. The
# left-to-right tagger gives exactly the tags it gave on whole sequences — it never used the rest.
# The bidirectional tagger loses everything it had learned: its 100% came from reading the answer.

# %%
with minigrad.no_grad():
    uni_full = left_to_right(test_tokens)
    prefix_uni, prefix_bi = [], []
    for t in range(LENGTH - 1):
        prefix = test_tokens[:, :t + 1]                       # all a generator has at position t
        uni_logits, bi_logits = left_to_right(prefix)[:, t], bidirectional(prefix)[:, t]
        assert biggest_difference(uni_logits, uni_full[:, t]) < 1e-5
        prefix_uni.append((uni_logits.argmax(dim=-1) == test_tags[:, t]).float().mean().item())
        prefix_bi.append((bi_logits.argmax(dim=-1) == test_tags[:, t]).float().mean().item())
prefix_uni_mean = sum(prefix_uni) / len(prefix_uni)
prefix_bi_mean = sum(prefix_bi) / len(prefix_bi)
print(f"accuracy at positions 0..{LENGTH - 2}    left-to-right  bidirectional")
print(f"  whole sequences                {sum(uni_accuracy[:-1]) / (LENGTH - 1):.3f}          "
      f"{sum(bi_accuracy[:-1]) / (LENGTH - 1):.3f}")
print(f"  only the prefix 0..t           {prefix_uni_mean:.3f}          {prefix_bi_mean:.3f}")
assert abs(prefix_bi_mean - 0.5) < noise        # a coin flip, once the future is gone

# %% [markdown]
# The same trap catches anyone who trains a bidirectional RNN as a language model: the target at
# position t is the input at t+1, which the reverse direction has read, so the training loss goes
# to zero by copying — exactly what our tagger did — and the model is useless for generation.
# ELMo got context from both sides the honest way: two separate LSTM language models (sharing
# only the embedding and softmax), one predicting the next token from the left, one predicting the
# previous token from the right, each causal in its own direction; only their states are
# concatenated, and only for downstream tasks.
#
# ## 4 · What the seed notes say
#
# The notes (seeds 000, 001, 004) describe bidirectional RNNs correctly in outline: two
# recurrences, one per direction, states concatenated per position; good for tagging and
# classification, not for left-to-right generation or streaming. Section 3 demonstrated the
# latter. Some specific claims, checked:
#
# - Seed 000: "runs one recurrence left-to-right and another right-to-left, then concatenates or
#   combines hidden states"; bidirectional encoders are "not a drop-in for left-to-right
#   generation" — correct (torch and minigrad concatenate); section 3 measured the second part.
# - Seed 004 (Q5): h_t = [h_forward_t ; h_backward_t] — correct, as checked in section 1.
# - Seed 004 (Q3): `nn.LSTM(128, 256, num_layers=2, batch_first=True, dropout=0.2,
#   bidirectional=True)` on a (32, 50, 128) input gives output [32, 50, 512] — checked below, with
#   the PyTorch code run unchanged apart from its imports. Its `h_n` is (4, 32, 256): batch_first
#   does **not** apply to `h_n`, which is always (num_layers·2, N, H).
# - Seed 004 (Q12): `torch.cat([h_n[-2], h_n[-1]], dim=-1)` is the top layer's forward state at the
#   last step and its reverse state at step 0 — correct, checked below.
# - Seed 001: "a bidirectional LSTM with hidden size 512 ... a 1024-dimensional representation per
#   token" — correct. But "the bidirectional design doubles the parameter count" holds only for a
#   single layer: every layer above the first reads the 2·H-wide output below, so its input weights
#   double again. Counted below for seed 004's two-layer LSTM.

# %%
import minigrad as torch  # seed 004's code, with `import torch` swapped (nn is already models.nn)

lstm = nn.LSTM(input_size=128, hidden_size=256, num_layers=2,
               batch_first=True, dropout=0.2, bidirectional=True)
x = torch.randn(32, 50, 128)  # (batch, seq_len, features)
output, (h_n, c_n) = lstm(x)
print(f"Output: {output.shape}")  # [32, 50, 512] (256*2 for bidirectional)
print(f"h_n: {h_n.shape}  (not batch-first)")
assert output.shape == (32, 50, 512) and h_n.shape == (4, 32, 256)
hidden = torch.cat([h_n[-2], h_n[-1]], dim=-1)                 # seed 004, Q12
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
assert ratios[1] == 2.0                  # exactly double for one layer (seed 001 is right here) ...
assert ratios[2] > 2.5                   # ... but not for stacked layers (seed 001 does not say so)
per_layer_above = 2 * 4 * 256 * (2 * 256 + 256 + 2)          # 2 directions · 4 gates · H · (2H + H + 2 biases)
assert parameter_count(nn.LSTM(128, 256, num_layers=2, bidirectional=True)) - parameter_count(
    nn.LSTM(128, 256, bidirectional=True)) == per_layer_above

# %% [markdown]
# ## Summary
#
# - `output[..., :H]` is the forward direction, `output[..., H:]` the reverse; `h_n[0]` is the
#   forward state at step T-1 and `h_n[1]` the reverse state at step 0, so `h_n` is not
#   `output[-1]`. With layers stacked, the top layer's pair is `h_n[-2]`, `h_n[-1]`.
# - On next-token tagging a left-to-right tagger sits at its ceiling (T+1)/(2T) and a bidirectional
#   one reaches ~100%, because its reverse direction has read the answer.
# - That is why it cannot generate: its output at t changes when a later token changes, gradient
#   from position t reaches states after t, and with only the prefix it falls to chance.
