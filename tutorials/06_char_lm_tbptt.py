# %% [markdown]
# # 06 · A character language model with truncated BPTT
#
# A language model reads text one character at a time and predicts the next
# one. Trained on one long stream, it meets a problem: backpropagation through
# time (BPTT) over the whole stream would keep the graph of every step ever
# taken, and memory would grow with the length of the text.
#
# *Truncated* BPTT cuts the stream into chunks of `bptt` steps. The recurrent
# state is carried from one chunk into the next, so the model still reads the
# whole history; but it is *detached* at every boundary, so the graph of a
# chunk ends there, backward stops there, and the chunk's graph is freed once
# its backward has run. Two helpers do the bookkeeping:
# `models.bptt_batches(tokens, batch_size, bptt)` cuts the stream, and
# `models.detach_state(state)` keeps a state's values and drops its graph.
#
# The text: Python's own standard library, which every Python installation
# carries with it. It is code, so it has structure (indentation, `def`,
# `self.`, docstrings) that a model can learn in a few minutes on a CPU.

# %%
import math
import os
import sys
import time
import tracemalloc

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
import models

FAST = os.environ.get("MINIGRAD_FAST") == "1"
if FAST:
    print("MINIGRAD_FAST=1, the short version: 2 training epochs instead of 20 (and 10 chunks instead of 20 "
          "in section 4, 120 sampled characters instead of 240), so the trained model's perplexities, "
          "gradient error and samples are a barely trained model's, not the ones the text describes.")
console = Console(width=80)
minigrad.manual_seed(0)

# %% [markdown]
# ## 1. The corpus: standard-library source
#
# We train on eleven small modules and hold out a twelfth (`queue.py`) for
# validation, so the validation perplexity measures text the model has never
# seen. The files differ a little from one Python version to the next, so
# every number below is computed, and the checks compare the model with
# baselines computed on the same text rather than with fixed values.

# %%
STDLIB = os.path.dirname(os.__file__)
TRAIN_MODULES = ["textwrap", "string", "fnmatch", "glob", "colorsys", "abc",
                 "sched", "copy", "bisect", "numbers", "contextlib"]
VALID_MODULE = "queue"


def source(module):
    with open(os.path.join(STDLIB, module + ".py"), encoding="utf-8") as file:
        return file.read()


train_text = "".join(source(name) for name in TRAIN_MODULES)
valid_text = source(VALID_MODULE)
chars = sorted(set(train_text + valid_text))
char_to_id = {c: i for i, c in enumerate(chars)}
V = len(chars)
train_ids = minigrad.tensor([char_to_id[c] for c in train_text])
valid_ids = minigrad.tensor([char_to_id[c] for c in valid_text])
print(f"Python {sys.version.split()[0]}: {len(train_text):,} training "
      f"characters, {len(valid_text):,} validation characters")
print(f"vocabulary: {V} distinct characters")
print("a glimpse:", repr(train_text[2000:2050]))

# %% [markdown]
# ## 2. How `bptt_batches` lays out the stream
#
# The stream is cut into `batch_size` rows of equal length, one under the
# other; chunk k holds the next `bptt` columns of every row. So row b of
# chunk k+1 continues row b of chunk k — the carried state of row b stays
# meaningful. Targets are the inputs shifted one step: the next character.

# %%
def show(ids):
    """Token ids as text, newlines drawn as ⏎ so a row stays on one line."""
    return "".join(chars[i] for i in ids).replace("\n", "⏎")


demo = list(models.bptt_batches(train_ids, batch_size=4, bptt=24))
(x0, y0), (x1, y1) = demo[0], demo[1]
row_length = train_ids.shape[0] // 4
print(f"4 rows of {row_length:,} characters → {len(demo)} chunks of ≤ 24 "
      f"steps,\ninputs of shape {x0.shape}")
print("chunk 0, row 0, input :", show(x0[0].tolist()))
print("chunk 0, row 0, target:", show(y0[0].tolist()))
print("chunk 1, row 0, input :", show(x1[0].tolist()))
print("chunk 0, row 1, input :", show(x0[1].tolist()))
assert y0[:, :-1].tolist() == x0[:, 1:].tolist()      # target = next input
assert x1[:, 0].tolist() == y0[:, -1].tolist()        # chunk 1 continues 0
assert x0[1].tolist() == train_ids[row_length:row_length + 24].tolist()

# %% [markdown]
# ## 3. The model, and what "knows nothing" scores
#
# Embedding → LSTM → Linear: each character id becomes a vector, the LSTM
# reads the vectors in order, and a linear layer turns every hidden state into
# V scores (logits) for the next character.
#
# **Perplexity** is exp(mean cross-entropy): the number of characters the
# model is, on average, as unsure between as if it picked uniformly among
# them. A model that knows nothing predicts the uniform distribution,
# cross-entropy ln V, perplexity exactly V. Two counting baselines show what
# "learning something" means: a unigram model (how often each character
# occurs) and a bigram model (how often each character follows each other),
# both counted on the training text and smoothed by adding 0.1 to every
# count.

# %%
EMBED, HIDDEN, BATCH, BPTT = 32, 128, 32, 50


class CharLM(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        # forget_bias=1: forget gates start near σ(1) ≈ 0.73, so the cell
        # keeps its memory from the first update on
        self.lstm = models.LSTM(embed_size, hidden_size, batch_first=True,
                                forget_bias=1.0)
        self.decoder = nn.Linear(hidden_size, vocab_size)

    def forward(self, inputs, state=None):
        """inputs (B, T) ids → logits (B, T, V) and the LSTM's final state."""
        output, state = self.lstm(self.embed(inputs), state)
        return self.decoder(output), state


def chunk_loss(logits, targets):
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))


@minigrad.no_grad()
def perplexity(model, ids, carry_state=True):
    """exp(mean cross-entropy) over a stream, read in chunks of BPTT steps."""
    model.eval()
    total, count, state = 0.0, 0, None
    for inputs, targets in models.bptt_batches(ids, 4, BPTT):
        logits, state = model(inputs, state if carry_state else None)
        total += chunk_loss(logits, targets).item() * targets.numel()
        count += targets.numel()
    model.train()
    return math.exp(total / count)


def counted_perplexity(k, smoothing=0.1):
    """Perplexity on the validation text of a model that predicts from the
    previous k characters by counting (k = 0: unigram, k = 1: bigram)."""
    counts, context_counts = {}, {}
    for i in range(k, len(train_text)):
        context, nxt = train_text[i - k:i], train_text[i]
        counts[context, nxt] = counts.get((context, nxt), 0) + 1
        context_counts[context] = context_counts.get(context, 0) + 1
    nll = 0.0
    for i in range(k, len(valid_text)):
        context, nxt = valid_text[i - k:i], valid_text[i]
        p = ((counts.get((context, nxt), 0) + smoothing)
             / (context_counts.get(context, 0) + smoothing * V))
        nll -= math.log(p)
    return math.exp(nll / (len(valid_text) - k))


model = CharLM(V, EMBED, HIDDEN)
untrained = perplexity(model, valid_ids)
unigram, bigram = counted_perplexity(0), counted_perplexity(1)
print(f"untrained LSTM  perplexity {untrained:6.2f}   (uniform: V = {V})")
print(f"unigram counts  perplexity {unigram:6.2f}")
print(f"bigram counts   perplexity {bigram:6.2f}")
assert abs(math.log(untrained / V)) < 0.1   # an untrained model ≈ uniform
assert bigram < unigram < V / 2

# %% [markdown]
# ## 4. Why detach: the graph of one chunk, with and without
#
# The LSTM's final state is computed from everything it read, so it carries
# the whole graph of the chunk with it. Feed it into the next chunk as it is,
# and the next chunk's graph hangs onto the previous one, and so on back to
# the first character.
#
# We count the graph nodes reachable from each chunk's loss (walking
# `loss.grad_fn.parents` back to the leaves) and the host memory held once
# the chunk's forward has run (`tracemalloc`, which sees NumPy's buffers):
# that is what the graph keeps alive for backward. First with `detach_state`
# at every boundary.

# %%
def graph_nodes(loss):
    """How many backward nodes hang below `loss`: the graph backward walks."""
    seen, stack = set(), [loss.grad_fn]
    while stack:
        node = stack.pop()
        if isinstance(node, minigrad.autograd.graph.Node) and node not in seen:
            seen.add(node)
            stack.extend(node.parents)
    return len(seen)


def run_chunks(model, detach, count):
    """Forward and backward `count` chunks. Per chunk: the graph's nodes, the
    host memory held once the forward has run (MB), backward's seconds."""
    rows, state = [], None
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    chunks = models.bptt_batches(train_ids, BATCH, BPTT)
    for _, (inputs, targets) in zip(range(count), chunks):
        logits, state = model(inputs, state)
        loss = chunk_loss(logits, targets)
        held = (tracemalloc.get_traced_memory()[0] - baseline) / 2**20
        nodes = graph_nodes(loss)
        start = time.perf_counter()
        loss.backward(retain_graph=not detach)
        rows.append((nodes, held, time.perf_counter() - start))
        if detach:
            state = models.detach_state(state)
    tracemalloc.stop()
    return rows


CHUNKS = 10 if FAST else 20
probe = CharLM(V, EMBED, HIDDEN)
detached = run_chunks(probe, detach=True, count=CHUNKS)
print(f"with detach_state: chunk 1 has {detached[0][0]} nodes, chunk "
      f"{CHUNKS} has {detached[-1][0]}")
assert len({nodes for nodes, _, _ in detached}) == 1   # the same every chunk

# %% [markdown]
# Now without it. The second chunk's backward walks into the first chunk's
# graph — whose saved values the first backward has already freed (minigrad
# frees a graph as it walks it, as PyTorch does), so it stops with an error:

# %%
state = None
try:
    for inputs, targets in models.bptt_batches(train_ids, BATCH, BPTT):
        logits, state = probe(inputs, state)      # state NOT detached
        chunk_loss(logits, targets).backward()
    raise AssertionError("the second backward should have failed")
except RuntimeError as error:
    message = str(error)
print("RuntimeError:", message[:62], "…")
assert "backward through the graph a second time" in message

# %% [markdown]
# The error suggests `retain_graph=True`. That makes the loop run, but look at
# what it costs: every chunk's graph now contains all the earlier ones, so
# the graph, the memory it holds and the time of each backward all grow with
# the number of chunks read. (Nor is it right for training: the earlier
# chunks' saved values were computed with weights the optimizer has changed
# since, so the gradient through them is stale.)

# %%
retained = run_chunks(probe, detach=False, count=CHUNKS)
table = Table(title="one chunk's graph, by chunks read so far")
for heading in ("chunk", "nodes\ndetach", "nodes\nretain", "MB\ndetach",
                "MB\nretain", "backward ms\ndetach", "backward ms\nretain"):
    table.add_column(heading, justify="right")
for k in sorted({0, 1, CHUNKS // 2 - 1, CHUNKS - 1}):
    (n_d, mb_d, s_d), (n_r, mb_r, s_r) = detached[k], retained[k]
    table.add_row(str(k + 1), f"{n_d:,}", f"{n_r:,}", f"{mb_d:.1f}",
                  f"{mb_r:.1f}", f"{1000 * s_d:.0f}", f"{1000 * s_r:.0f}")
console.print(table)
per_chunk = retained[1][0] - retained[0][0]
assert all(b[0] - a[0] == per_chunk for a, b in zip(retained, retained[1:]))
assert retained[-1][0] > 0.9 * CHUNKS * detached[-1][0]
print(f"without detach the graph grows by {per_chunk} nodes per chunk:\n"
      f"chunk {CHUNKS}'s graph is {retained[-1][0] / detached[-1][0]:.1f}× "
      f"chunk 1's, and holds {retained[-1][1] / detached[-1][1]:.1f}× the "
      f"memory")
if train_ids.device != "cuda":   # tracemalloc sees host memory only
    assert retained[-1][1] > 0.5 * CHUNKS * detached[-1][1]

# %% [markdown]
# ## 5. What truncation cuts, and what it keeps
#
# Detaching does not reset the state: the values flow on, so the model reads
# the whole history. What it cuts is the *gradient*: the loss of a chunk
# still depends on the previous chunk's inputs and weights through the
# carried state, but backward no longer follows that path. The gradient is an
# approximation. How far off is it? We take two consecutive chunks and
# compute the second chunk's gradient twice: through both chunks (full BPTT),
# and stopped at the boundary (truncated). Within a chunk nothing is cut, but
# the prediction made at step j of a chunk (counting from 1) can send its
# gradient back through only the j steps read so far: the reach of truncated
# BPTT is 1 to `bptt` steps, (bptt + 1) / 2 on average.

# %%
def second_chunk_gradient(model, first, second, truncate):
    """Gradients of the second chunk's loss, flattened to one host vector."""
    model.zero_grad()
    _, state = model(first[0])
    if truncate:
        state = models.detach_state(state)
    logits, _ = model(second[0], state)
    chunk_loss(logits, second[1]).backward()
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])


def truncation_error(model):
    first, second = list(models.bptt_batches(valid_ids, 8, BPTT))[:2]
    full = second_chunk_gradient(model, first, second, truncate=False)
    cut = second_chunk_gradient(model, first, second, truncate=True)
    model.zero_grad()
    return float(np.linalg.norm(full - cut) / np.linalg.norm(full))


print(f"average gradient reach with bptt = {BPTT}: "
      f"{sum(range(1, BPTT + 1)) / BPTT} steps")
error_before = truncation_error(model)
print(f"untrained model: truncated gradient differs from full BPTT's by "
      f"{100 * error_before:.2f}%")
assert 0 < error_before < 0.25

# %% [markdown]
# ## 6. Training with truncated BPTT
#
# The loop is the one in `models/tbptt.py`: the state starts as `None` (zeros)
# at each pass over the text, is carried from chunk to chunk, and is detached
# after every optimizer step. Adam, with the gradient norm clipped at 1.

# %%
EPOCHS = 2 if FAST else 20
optimizer = minigrad.optim.Adam(model.parameters(), lr=3e-3)
chunks_per_epoch = len(list(models.bptt_batches(train_ids, BATCH, BPTT)))
history, losses = [], []
with Progress(TextColumn("{task.description}"), BarColumn(),
              TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
              console=console, transient=True) as progress:
    task = progress.add_task("training", total=EPOCHS * chunks_per_epoch,
                             status="")
    for epoch in range(EPOCHS):
        state = None
        for inputs, targets in models.bptt_batches(train_ids, BATCH, BPTT):
            logits, state = model(inputs, state)
            loss = chunk_loss(logits, targets)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            state = models.detach_state(state)
            losses.append(loss.item())
            progress.update(task, advance=1, status=f"loss {losses[-1]:.3f}")
        history.append((epoch + 1, sum(losses[-chunks_per_epoch:])
                        / chunks_per_epoch, perplexity(model, valid_ids)))

table = Table(title="training (validation: held-out queue.py)")
for heading in ("epoch", "mean train loss", "train ppl", "valid ppl"):
    table.add_column(heading, justify="right")
for epoch, train_loss, valid_ppl in history:
    if epoch in (1, 2, EPOCHS) or epoch % 5 == 0:
        table.add_row(str(epoch), f"{train_loss:.3f}",
                      f"{math.exp(train_loss):.2f}", f"{valid_ppl:.2f}")
console.print(table)

final = history[-1][2]
print(f"validation perplexity: {untrained:.1f} untrained → {final:.2f} after "
      f"{EPOCHS} epochs ({untrained / final:.1f}× lower)")
print(f"first chunk's loss {losses[0]:.3f} (ln V = {math.log(V):.3f}), "
      f"last chunk's {losses[-1]:.3f}")
assert final < V / 2                    # at least halved from uniform
assert final < unigram                  # it uses context, not only counts
if not FAST:
    assert final < V / 10 and final < 0.6 * bigram

# %% [markdown]
# In the full run (20 epochs) the validation perplexity falls from about V to about 5.5 (with
# Python 3.11's files): under a tenth of V and about half the bigram counts' 11.8, which the code
# checks in the full run only. The short run's two epochs stop near 10, a little below the bigram;
# it checks only what two epochs already give, below V/2 and below the unigram counts.
#
# Carrying the state is not a detail. Evaluate the same trained model twice:
# once carrying the state across chunks, once starting every chunk from zeros
# (the "periodically reset the state" that is sometimes offered as the same
# thing). With a reset, the first characters of every chunk are predicted
# with no context at all.

# %%
reset = perplexity(model, valid_ids, carry_state=False)
print(f"validation perplexity, state carried: {final:.3f}")
print(f"validation perplexity, state reset  : {reset:.3f}")
assert final < reset

error_after = truncation_error(model)
print(f"trained model: truncated gradient differs from full BPTT's by "
      f"{100 * error_after:.2f}%")
assert 0 < error_after < 0.25

# %% [markdown]
# ## 7. Sampling: greedy and with temperature
#
# To generate, feed a prompt, then repeatedly pick a next character and feed
# it back, carrying the state (one step at a time now). *Greedy* picks the
# most likely character every time. *Sampling with temperature* T draws from
# softmax(logits / T): T < 1 sharpens the distribution towards greedy, T = 1
# is the model's own distribution, T > 1 flattens it. We draw several
# samples at once, one per batch row; the drawing itself happens on the host,
# with a seeded NumPy generator.

# %%
@minigrad.no_grad()
def generate(model, prompt, length, temperature=None, count=1, seed=0):
    """`count` continuations of `prompt` (temperature None: greedy). Returns
    the texts and the model's mean −log p of the characters it chose."""
    model.eval()
    rng = np.random.default_rng(seed)
    prompt_ids = [[char_to_id[c] for c in prompt]] * count
    logits, state = model(minigrad.tensor(prompt_ids))
    texts, nll = [prompt] * count, 0.0
    for _ in range(length):
        log_p = F.log_softmax(logits[:, -1], dim=-1).numpy().astype(np.float64)
        if temperature is None:
            picks = log_p.argmax(axis=1)
        else:
            p = np.exp(log_p / temperature)
            picks = [rng.choice(V, p=row / row.sum()) for row in p]
        picks = [int(i) for i in picks]
        nll -= sum(log_p[row, i] for row, i in enumerate(picks))
        texts = [text + chars[i] for text, i in zip(texts, picks)]
        logits, state = model(minigrad.tensor([[i] for i in picks]), state)
    model.train()
    return texts, nll / (length * count)


PROMPT, LENGTH, COUNT = "    def ", 120 if FAST else 240, 8
samples = {"greedy": generate(model, PROMPT, LENGTH)}
for temperature in (0.5, 1.0):
    samples[f"T = {temperature}"] = generate(model, PROMPT, LENGTH,
                                             temperature, COUNT)
for name, (texts, nll) in samples.items():
    console.rule(f"{name}: mean −log p of its characters {nll:.2f}")
    console.print(texts[0], markup=False, highlight=False)
greedy_text = samples["greedy"][0][0]
assert generate(model, PROMPT, 40)[0][0] == greedy_text[:len(PROMPT) + 40]
assert samples["T = 0.5"][1] < samples["T = 1.0"][1]

# %% [markdown]
# The numbers in the rules are the mean −log p the model gave to the
# characters it chose (over all 8 samples for T = 0.5 and T = 1): the lower
# the temperature, the surer the model is of what it writes. Greedy text is
# safe and tends to repeat itself; T = 1 is varied and makes more mistakes.
# Greedy takes the most likely character at each step, which is not the
# same as the most likely text: a less likely character early on can lead
# into text the model is surer about.
#
# The entropy of the next-character distribution after the prompt shows what
# the temperature does to one prediction: it rises with T, from 0 (one sure
# choice) towards ln V (uniform).

# %%
with minigrad.no_grad():
    logits, _ = model(minigrad.tensor([[char_to_id[c] for c in PROMPT]]))
entropies = []
for temperature in (0.5, 1.0, 2.0, 4.0):
    p = F.softmax(logits[0, -1].double() / temperature, dim=-1)
    entropies.append(-(p * (p + 1e-30).log()).sum().item())
    print(f"T = {temperature:<4}  entropy {entropies[-1]:.3f} nats  "
          f"(ln V = {math.log(V):.3f})")
assert all(a < b for a, b in zip(entropies, entropies[1:]))

# %% [markdown]
# ## 8. What is often said about truncated BPTT, checked
#
# - *Claim: truncation cuts the gradient to the early tokens of each chunk.*
#   Within a chunk nothing is cut: backward runs through every step of the
#   chunk. What is cut is the path *into earlier chunks*, through the carried
#   state (section 5 measures how much of the gradient that is).
# - *Claim: periodically resetting the state is another way to truncate.*
#   Resetting is a different, worse thing: it throws away the forward
#   information too (section 6: perplexity with the state reset is higher
#   than with the state carried).
# - *Claim: truncated BPTT unrolls a fixed window, backpropagates within it
#   and carries the state forward without its gradient, so it cannot learn
#   dependencies longer than the window.* The method is exactly the loop of
#   section 6. The price is a little higher than stated: the prediction at
#   position j of a chunk gets gradient back only j steps, so only the last
#   position of a chunk sees the whole window (section 5: (bptt + 1) / 2
#   steps on average).
# - *Claim, in small hand-written examples: running backward through the
#   whole text is truncated BPTT, because the text is tiny.* That is right.
#   A text such as `"hello world " * 3`, 35 steps, is shorter than a usual
#   truncation window (ours is 50): read in chunks of `bptt` it is a single
#   chunk, so there is no boundary to detach at, and truncated BPTT *is* full
#   BPTT. Truncation only starts to cut when the text is longer than one
#   chunk, as ours is.

# %%
tiny_text = "hello world " * 3
tiny_chunks = list(models.bptt_batches(minigrad.tensor([char_to_id[c] for c in tiny_text]), 1, BPTT))
print(f"{len(tiny_text)} characters with bptt = {BPTT}: {len(tiny_chunks)} chunk of "
      f"{tiny_chunks[0][0].shape[1]} steps; our training text: {chunks_per_epoch} chunks per epoch")
assert len(tiny_chunks) == 1 and tiny_chunks[0][0].shape[1] == len(tiny_text) - 1
