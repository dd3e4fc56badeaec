# %% [markdown]
# # 07 · Variable-length batches: padding, packing and masks
#
# Sentences have different lengths, but a batch is one rectangular tensor. The usual answer is to
# *pad* the short sequences to the longest one — and then make sure the padding changes nothing:
# not the recurrent state, not the gradients, not the loss. This tutorial shows the three tools
# (`pad_sequence`, `pack_padded_sequence` / `pad_packed_sequence`, and loss masks), measures what
# goes wrong without them, and then trains a classifier for a task where word order is the whole
# point: negated sentiment, which no bag-of-words model can solve.

# %%
import os
import textwrap

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import minigrad
import minigrad.nn.functional as F
import models
import models.nn as nn
from minigrad import trace

FAST = os.environ.get("MINIGRAD_FAST") == "1"
if FAST:
    print("MINIGRAD_FAST=1, the short version: the classifiers of section 7 train 120 steps instead of 400, "
          "on 3,000 sentences instead of 8,000, and are tested on 2,000 instead of 4,000, so their accuracies and "
          "drifts are a shorter training's; sections 1-6 are the full run's.")


def biggest_difference(a, b) -> float:
    """max |a - b| over all elements, as a Python float."""
    return (a - b).abs().max().item()


# %% [markdown]
# ## 1 · Padding
#
# Three sequences of lengths 4, 2 and 3, with one feature per step whose value says which sequence
# and step it is (10s, 20s, 30s). `pad_sequence` stacks them time-major, (T, B, *), by default — the
# layout recurrent layers expect — or (B, T, *) with `batch_first=True`, filling with 0.

# %%
sequences = [minigrad.tensor([[11.0], [12.0], [13.0], [14.0]], dtype=minigrad.float64),
             minigrad.tensor([[21.0], [22.0]], dtype=minigrad.float64),
             minigrad.tensor([[31.0], [32.0], [33.0]], dtype=minigrad.float64)]
lengths = [len(s) for s in sequences]
padded = models.pad_sequence(sequences)
print(f"lengths {lengths}; pad_sequence -> {padded.shape} (T, B, 1); batch_first -> "
      f"{models.pad_sequence(sequences, batch_first=True).shape}")
print("padded[:, :, 0]  (row t = step t, column b = sequence b)")
for t, row in enumerate(padded[:, :, 0].tolist()):
    print(f"  t={t}  " + "  ".join(f"{v:4.0f}" for v in row))
assert padded.shape == (4, 3, 1) and padded[2:, 1].abs().sum().item() == 0

# %% [markdown]
# ## 2 · Packing
#
# A `PackedSequence` keeps only the real steps, in the order a time-major loop needs them: step 0
# of every sequence (longest first), then step 1 of those still running, and so on.
# `batch_sizes[t]` says how many sequences are running at step t. A recurrent layer given a packed
# batch updates, at each step, only the sequences that have not ended.
#
# `enforce_sorted=True` (the default, as in PyTorch) demands lengths in decreasing order;
# `enforce_sorted=False` sorts the batch itself and remembers the permutation
# (`sorted_indices`, and its inverse `unsorted_indices`) so everything comes back in your order.

# %%
packed = models.pack_padded_sequence(padded, lengths, enforce_sorted=False)
print("data          ", [int(v) for v in packed.data[:, 0].tolist()])
print("batch_sizes   ", packed.batch_sizes.tolist())
print("sorted_indices", packed.sorted_indices.tolist(), "  unsorted_indices", packed.unsorted_indices.tolist())

# The same order, worked out independently: for every step, the running sequences, longest first.
longest_first = sorted(range(len(lengths)), key=lambda b: -lengths[b])
expected = [10 * (b + 1) + t + 1 for t in range(max(lengths)) for b in longest_first if t < lengths[b]]
assert [int(v) for v in packed.data[:, 0].tolist()] == expected
assert packed.batch_sizes.tolist() == [sum(n > t for n in lengths) for t in range(max(lengths))]
assert packed.data.shape[0] == sum(lengths)               # 9 real steps, no padding stored

try:
    models.pack_padded_sequence(padded, lengths)          # enforce_sorted=True, lengths 4, 2, 3
except RuntimeError as error:
    print("enforce_sorted=True with unsorted lengths:")
    print(textwrap.fill(f"RuntimeError: {error}", width=78, initial_indent="  ", subsequent_indent="    "))
else:
    raise AssertionError("unsorted lengths must be refused when enforce_sorted=True")

in_order = models.pack_padded_sequence(padded[:, longest_first], sorted(lengths, reverse=True))
print(f"sorted by hand, enforce_sorted=True: same data: "
      f"{in_order.data[:, 0].tolist() == packed.data[:, 0].tolist()}, "
      f"sorted_indices = {in_order.sorted_indices}")
assert in_order.data[:, 0].tolist() == packed.data[:, 0].tolist() and in_order.sorted_indices is None

unpacked, unpacked_lengths = models.pad_packed_sequence(packed)
print(f"pad_packed_sequence -> {unpacked.shape}, lengths {unpacked_lengths.tolist()} (original order)")
assert biggest_difference(unpacked, padded) == 0 and unpacked_lengths.tolist() == lengths

# %% [markdown]
# ## 3 · What packing buys: the state ignores the padding
#
# With a packed batch, `h_n` holds each sequence's state after its *own* last step, exactly what
# running that sequence alone would give — for the reverse direction of a bidirectional layer too,
# which starts at each sequence's last real step. We check both, in float64, on random sequences
# with the same lengths (4, 2, 3) and two features per step.

# %%
minigrad.manual_seed(0)
sequences = [minigrad.randn(n, 2, dtype=minigrad.float64) for n in lengths]
padded = models.pad_sequence(sequences)
packed = models.pack_padded_sequence(padded, lengths, enforce_sorted=False)
lstm = models.LSTM(2, 6, bidirectional=True, dtype=minigrad.float64)
packed_out, (h_n, c_n) = lstm(packed)
output, _ = models.pad_packed_sequence(packed_out)
for b, sequence in enumerate(sequences):
    alone_out, (alone_h, alone_c) = lstm(sequence.unsqueeze(1))          # a batch of one, no padding
    assert biggest_difference(h_n[:, b], alone_h[:, 0]) < 1e-12
    assert biggest_difference(c_n[:, b], alone_c[:, 0]) < 1e-12
    assert biggest_difference(output[:lengths[b], b], alone_out[:, 0]) < 1e-12
    assert output[lengths[b]:, b].abs().sum().item() == 0                 # padded steps output zeros
print("packed batch == each sequence run alone (h_n, c_n, outputs; both directions)")

# %% [markdown]
# **Without packing**, the layer runs every sequence for all T steps, feeding the padding in as if
# it were data. `h_n` then holds the state after the padded end, and the reverse direction starts
# by reading padding. How far off is it? (This small untrained layer moves little per step;
# section 7 measures the same thing on a trained classifier.)

# %%
_, (padded_h, _) = lstm(padded)
table = Table(title="max |h_n without packing − h_n with packing|", box=None)
for column in ("sequence", "length", "padding steps", "forward", "reverse"):
    table.add_column(column, justify="right")
errors = []
for b, n in enumerate(lengths):
    error = [biggest_difference(padded_h[d, b], h_n[d, b]) for d in (0, 1)]
    errors.append(error)
    table.add_row(str(b), str(n), str(max(lengths) - n), *(f"{e:.3f}" for e in error))
trace.show(table)
for b, n in enumerate(lengths):
    if n == max(lengths):
        assert max(errors[b]) < 1e-12       # no padding, nothing to go wrong
    else:
        assert min(errors[b]) > 1e-2        # both directions polluted by the padding

# %% [markdown]
# For a *unidirectional* layer there is a fix that needs no packing: padding comes after the real
# steps, so the output at step `length-1` was computed before any padding was read. Picking those
# rows gives the true last states. It does not rescue a bidirectional layer, whose reverse
# direction has read the padding first; packing is the general answer.

# %%
forward_only = models.LSTM(2, 6, dtype=minigrad.float64)
forward_only.load_state_dict({name: lstm.state_dict()[name] for name in forward_only.state_dict()})
padded_out, _ = forward_only(padded)
last_real = padded_out[minigrad.tensor([n - 1 for n in lengths]), minigrad.arange(len(lengths))]
_, (packed_h, _) = forward_only(packed)
print(f"output[length-1, b] vs packed h_n: max |diff| = {biggest_difference(last_real, packed_h[0]):.1e}")
assert biggest_difference(last_real, packed_h[0]) < 1e-12

# %% [markdown]
# ## 4 · Padding gets no gradient
#
# Packing is an indexing op: the padded cells are never read, so backward gives them exactly zero
# gradient, while every real step gets some.

# %%
inputs = models.pad_sequence(sequences).detach().requires_grad_()
packed_out, (h_n, _) = lstm(models.pack_padded_sequence(inputs, lengths, enforce_sorted=False))
loss = (models.pad_packed_sequence(packed_out)[0] ** 2).sum() + (h_n ** 2).sum()
loss.backward()
gradient = inputs.grad.abs().sum(dim=2)                         # (T, B)
print("Σ|∂loss/∂input| per step (rows: steps t, columns: sequences b)")
for t, row in enumerate(gradient.tolist()):
    print(f"  t={t}  " + "  ".join(f"{v:9.2e}" for v in row))
real = minigrad.tensor([[t < n for n in lengths] for t in range(max(lengths))])
assert (gradient * (~real).float()).sum().item() == 0          # padding: exactly zero
assert minigrad.where(real, gradient, 1.0).min().item() > 0    # real steps: all nonzero

# %% [markdown]
# ## 5 · Masks for a loss
#
# When there is a target at every step (tagging, language modelling, a decoder), the padded steps
# have "targets" too, and they must not count. `F.cross_entropy(..., ignore_index=PAD)` drops
# them: the mean is over real targets only. It equals the masked mean written out — per-step
# losses times a 0/1 mask, divided by the number of real targets — and differs from a plain mean
# that lets the padding in.

# %%
PAD = 0
minigrad.manual_seed(1)
logits = minigrad.randn(3, 5, 4)                                  # (N, T, classes)
targets = minigrad.tensor([[2, 1, 3, PAD, PAD], [1, 1, PAD, PAD, PAD], [3, 2, 2, 1, 3]])
mask = (targets != PAD).float()
ignored = F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=PAD)
per_step = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")   # (N, T)
masked_mean = (per_step * mask).sum() / mask.sum()
padding_counted = per_step.mean()
print(f"ignore_index: {ignored.item():.4f}   masked mean: {masked_mean.item():.4f}\n"
      f"plain mean, padding counted as class {PAD}: {padding_counted.item():.4f}")
assert abs(ignored.item() - masked_mean.item()) < 1e-6
assert abs(padding_counted.item() - masked_mean.item()) > 1e-2

# %% [markdown]
# ## 6 · The usual PyTorch recipe, run unchanged
#
# Asked how to handle variable-length sequences in PyTorch, people often answer with a recipe like
# the one below: pad, sort by length, pack, run the LSTM, unpack. It is written here as it is
# usually shown, comments included, for PyTorch; only the imports are swapped
# (`import minigrad as torch`, `import models.nn as nn`, `from models.nn.utils.rnn import ...`).

# %%
import minigrad as torch  # noqa: E402
import models.nn as nn  # noqa: E402
from models.nn.utils.rnn import pad_sequence, pack_padded_sequence, pad_packed_sequence  # noqa: E402

# Variable length sequences
seqs = [torch.randn(5, 10), torch.randn(3, 10), torch.randn(7, 10)]
lengths = [5, 3, 7]

# Pad to same length
padded = pad_sequence(seqs, batch_first=True, padding_value=0.0)
print(f"Padded shape: {padded.shape}")  # [3, 7, 10]

# Sort by length (required for pack_padded_sequence)
lengths_tensor = torch.tensor(lengths)
sorted_lengths, sort_idx = lengths_tensor.sort(descending=True)
padded_sorted = padded[sort_idx]

# Pack - LSTM will skip padded positions
packed = pack_padded_sequence(padded_sorted, sorted_lengths, batch_first=True)
lstm = nn.LSTM(10, 20, batch_first=True)
packed_out, (h_n, c_n) = lstm(packed)

# Unpack back to padded tensor
output, output_lengths = pad_packed_sequence(packed_out, batch_first=True)
print(f"Output shape: {output.shape}")  # [3, 7, 20]

# h_n contains the LAST (non-padded) hidden state for each sequence
# This is what you use for classification

# %% [markdown]
# Its shapes are right ((3, 7, 10) and (3, 7, 20)), and so is the last comment. Two things the
# recipe leaves out:
#
# - "Sort by length (required ...)" holds only for the default `enforce_sorted=True`; with
#   `enforce_sorted=False` the layer sorts and unsorts for you.
# - After sorting by hand, `output` and `h_n` come back in the *sorted* order, and the recipe never
#   undoes it: row 0 of `output` is `seqs[2]` (length 7), not `seqs[0]`. Pairing those rows with
#   labels in the original order would silently mismatch them. Checked:

# %%
order = sort_idx.tolist()
print(f"sort_idx = {order}; output_lengths = {output_lengths.tolist()} (sorted, not {lengths})")
for row, b in enumerate(order):
    alone_out, (alone_h, _) = lstm(seqs[b].unsqueeze(0))
    assert biggest_difference(h_n[0, row], alone_h[0, 0]) < 1e-5       # h_n row `row` is seqs[b]
    assert biggest_difference(output[row, :lengths[b]], alone_out[0]) < 1e-5
assert order == [2, 0, 1] and output_lengths.tolist() == [7, 5, 3]

packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
packed_out, (h_n_unsorted, _) = lstm(packed)
output_unsorted, output_lengths = pad_packed_sequence(packed_out, batch_first=True)
print(f"enforce_sorted=False: lengths come back as {output_lengths.tolist()}, rows in the original order")
for b in range(3):
    assert biggest_difference(h_n_unsorted[0, b], h_n[0, order.index(b)]) < 1e-6
    assert biggest_difference(output_unsorted[b], output[order.index(b)]) < 1e-6

# %% [markdown]
# ## 7 · A task where order is everything: negation
#
# `models.negation_sentiment` writes two-clause reviews: one clause has a sentiment word, the other
# a neutral one, and either may be negated by a "not" right before its adjective. The label is the
# sentiment word's polarity, flipped if *that* word is negated. Sentences are 9 to 11 tokens long
# (zero to two "not"s), so a batch needs padding.

# %%
TRAIN_SIZE, TEST_SIZE = (3000, 2000) if FAST else (8000, 4000)
train = models.negation_sentiment(TRAIN_SIZE, seed=1)
test = models.negation_sentiment(TEST_SIZE, seed=2)
vocab = train.vocab
for sentence, label in list(zip(test.sentences, test.labels))[:4]:
    print(f"  {label}  {' '.join(sentence)}")


def as_tensors(data):
    ids, lengths = models.pad_batch([vocab.encode(s) for s in data.sentences], pad_idx=vocab.pad_idx)
    return ids, lengths, minigrad.tensor(data.labels)


train_ids, train_lengths, train_labels = as_tensors(train)
test_ids, test_lengths, test_labels = as_tensors(test)
print(f"train ids {train_ids.shape} (batch-first, padded with {vocab.pad_idx}); "
      f"lengths {min(train_lengths)}..{max(train_lengths)}")

# %% [markdown]
# A bag of words — anything computed from the word counts alone — cannot solve it. Move the "not"
# of a sentence to the other adjective: the bag stays the same, the label flips. Half of all
# sentences have exactly one "not", and for them a bag-of-words model can only guess, so it can
# reach at most 1/2 · 1 + 1/2 · 1/2 = 75% (the task's docstring). Here is such a twin pair:

# %%
def move_the_not(sentence: list) -> list:
    """The sentence with its single "not" moved before the other adjective."""
    words = [w for w in sentence if w != "not"]
    adjectives = [i for i, w in enumerate(words) if i > 0 and words[i - 1] == "was"]
    negated = next(i for i, w in enumerate(sentence) if w == "not") + 1       # index of its adjective
    other = next(i for i in adjectives if words[i] != sentence[negated])
    return words[:other] + ["not"] + words[other:]


one_not = next(i for i, s in enumerate(test.sentences) if s.count("not") == 1)
sentence, label = test.sentences[one_not], test.labels[one_not]
twin = move_the_not(sentence)
print(f"  {label}  {' '.join(sentence)}\n  {1 - label}  {' '.join(twin)}")
assert sorted(twin) == sorted(sentence) and twin != sentence


# %% [markdown]
# Three models, all trained the same way with minigrad:
#
# - **bag of words, linear**: mean of the word embeddings → Linear. The mean is a *masked* mean:
#   `Embedding(padding_idx=0)` keeps the pad row at zero (and never updates it), so summing over
#   all T positions sums only the real words; we divide by each sentence's length.
# - **bag of words, MLP**: the same mean → Linear → ReLU → Linear.
# - **LSTM**: Embedding(padding_idx=0) → packed LSTM → h_n of the last layer → Linear.

# %%
class BagOfWords(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size=None):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=0)
        self.classify = (nn.Linear(embed_size, 2) if hidden_size is None else
                         nn.Sequential(nn.Linear(embed_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, 2)))

    def forward(self, ids, lengths):                 # ids (N, T), padded with 0
        total = self.embedding(ids).sum(dim=1)       # the pad row is zero: a sum over real words only
        mean = total / minigrad.tensor(lengths, dtype=total.dtype).unsqueeze(1)
        return self.classify(mean)


class LSTMClassifier(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=0)
        self.lstm = nn.LSTM(embed_size, hidden_size, batch_first=True)
        self.classify = nn.Linear(hidden_size, 2)

    def forward(self, ids, lengths):
        embedded = self.embedding(ids)
        packed = nn.utils.rnn.pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        return self.classify(h_n[-1])               # the last layer's state after each sentence's last word


STEPS, BATCH = (120, 64) if FAST else (400, 64)


def fit(name, model):
    optimizer = minigrad.optim.Adam(model.parameters(), lr=1e-2)
    with Progress(TextColumn(f"training {name:<11}"), BarColumn(), TextColumn("{task.fields[loss]}"),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task("", total=STEPS, loss="")
        for step in range(STEPS):
            start = step * BATCH % TRAIN_SIZE
            batch = slice(start, start + BATCH)
            loss = F.cross_entropy(model(train_ids[batch], train_lengths[batch]), train_labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            progress.update(task, advance=1, loss=f"loss {loss.item():.3f}")
    return model


def accuracy(model) -> float:
    with minigrad.no_grad():
        predictions = model(test_ids, test_lengths).argmax(dim=-1)
    return (predictions == test_labels).float().mean().item()


minigrad.manual_seed(0)
classifiers = {"BoW linear": fit("BoW linear", BagOfWords(len(vocab), 16)),
               "BoW MLP": fit("BoW MLP", BagOfWords(len(vocab), 16, hidden_size=64)),
               "LSTM": fit("LSTM", LSTMClassifier(len(vocab), 16, 32))}
scores = {name: accuracy(model) for name, model in classifiers.items()}

table = Table(title=f"held-out accuracy ({TEST_SIZE} sentences)", box=None)
for column in ("model", "accuracy", "bag-of-words ceiling"):
    table.add_column(column, justify="right")
for name, score in scores.items():
    table.add_row(name, f"{score:.3f}", {"BoW linear": "62.5% (linear)", "BoW MLP": "75%"}.get(name, "—"))
trace.show(table)

noise = 4 * 0.5 / TEST_SIZE ** 0.5           # four standard errors of a coin flip on the test set
assert abs(scores["BoW linear"] - 0.5) < noise      # chance, below even its 62.5% ceiling
assert scores["BoW MLP"] < 0.75 + noise and scores["BoW MLP"] > 0.70
assert scores["LSTM"] > (0.98 if FAST else 0.995)
assert classifiers["BoW MLP"].embedding.weight[0].abs().sum().item() == 0   # the pad row never moved

# %% [markdown]
# The MLP sits at the 75% ceiling. The twins show why: it gives both the same answer, while the
# LSTM, which reads in order, tells them apart.

# %%
twin_ids, twin_lengths = models.pad_batch([vocab.encode(sentence), vocab.encode(twin)])
with minigrad.no_grad():
    bag_logits = classifiers["BoW MLP"](twin_ids, twin_lengths)
    lstm_predictions = classifiers["LSTM"](twin_ids, twin_lengths).argmax(dim=-1).tolist()
print(f"BoW MLP logits: {[[round(v, 3) for v in row] for row in bag_logits.tolist()]} (identical)")
print(f"LSTM predicts {lstm_predictions}, true labels {[label, 1 - label]}")
assert biggest_difference(bag_logits[0], bag_logits[1]) < 1e-5
assert lstm_predictions == [label, 1 - label]

# %% [markdown]
# The linear bag of words does worse than its 62.5% ceiling: it sits at chance. The ceiling is
# what the best linear *rule* scores — e.g. "positive if the sentiment word is positive or there
# is a 'not'", which gets three of the four (polarity, zero-or-two "not"s) cases right. But
# training minimises cross-entropy, not errors, and here every word count is uncorrelated with
# the label (the XOR balances them out): for a linear model on counts the cross-entropy optimum
# is to ignore the words and say 50/50 (dividing by the length, as our mean does, leaves only a
# faint trace of signal). We check the 62.5% rule on the test set, learning which words are
# positive from the training sentences without a "not":

# %%
no_not = [(s, y) for s, y in zip(train.sentences, train.labels) if "not" not in s]
positive_words = {w for s, y in no_not if y == 1 for w in s} - {w for s, y in no_not if y == 0 for w in s}
print(f"positive words, from the data: {sorted(positive_words)}")
rule = [int(bool(positive_words & set(s)) or "not" in s) for s in test.sentences]
rule_accuracy = sum(r == y for r, y in zip(rule, test.labels)) / TEST_SIZE
print(f"the linear rule: {rule_accuracy:.3f} (ceiling 0.625); trained: {scores['BoW linear']:.3f}")
assert abs(rule_accuracy - 0.625) < noise

# %% [markdown]
# Last, what packing is worth to the trained classifier. In a real corpus a short review often
# shares its batch with a long one and gets many padding steps. We pad the test batch with extra
# columns of `<pad>` and run the trained layers with packing and without (then the LSTM reads the
# padding, and `h_n` is its state after it), comparing the final states and the accuracy.
#
# The test batch is padded to its longest sentence already, so "no extra columns" does not mean "no
# padding": a sentence one token shorter than the longest reads one `<pad>` even then, and only the
# longest sentences read none. The table therefore counts the pads each sentence length reads, and
# gives the drift of `h_n` for each length separately.

# %%
lstm_classifier = classifiers["LSTM"]


def run_padded(extra: int, pack: bool):
    """(h_n of the last layer, accuracy) on the test set padded with ``extra`` more <pad> columns."""
    padding = minigrad.full((TEST_SIZE, extra), vocab.pad_idx, dtype=test_ids.dtype)
    ids = minigrad.cat([test_ids, padding], dim=1)
    with minigrad.no_grad():
        embedded = lstm_classifier.embedding(ids)
        if pack:
            embedded = nn.utils.rnn.pack_padded_sequence(embedded, test_lengths, batch_first=True,
                                                         enforce_sorted=False)
        _, (h_n, _) = lstm_classifier.lstm(embedded)
        predictions = lstm_classifier.classify(h_n[-1]).argmax(dim=-1)
    return h_n[-1], (predictions == test_labels).float().mean().item()


def mean_norm(h) -> float:
    return (h * h).sum(dim=1).sqrt().mean().item()


true_h, base_accuracy = run_padded(0, pack=True)
width = test_ids.shape[1]                                        # the longest test sentence
by_length = {n: minigrad.tensor([i for i, m in enumerate(test_lengths) if m == n])
             for n in sorted(set(test_lengths), reverse=True)}   # rows of each sentence length
per_length = " / ".join(str(n) for n in by_length)
table = Table(title="LSTM on the test set with extra padding", box=None)
for column in ("extra <pad>", f"pads read\n({per_length} tokens)", f"‖Δh_n‖ / ‖h_n‖\n({per_length} tokens)",
               "accuracy\npacked", "accuracy\nnot packed"):
    table.add_column(column, justify="right")
drift = {}
for extra in (0, 5, 20, 50):
    packed_h, packed_accuracy = run_padded(extra, pack=True)
    padded_h, padded_accuracy = run_padded(extra, pack=False)
    assert biggest_difference(packed_h, true_h) < 1e-5 and packed_accuracy == base_accuracy
    for n, rows in by_length.items():
        drift[extra, n] = mean_norm(padded_h[rows] - true_h[rows]) / mean_norm(true_h[rows])
    table.add_row(str(extra), " / ".join(str(width - n + extra) for n in by_length),
                  " / ".join(f"{drift[extra, n]:.2f}" for n in by_length),
                  f"{packed_accuracy:.3f}", f"{padded_accuracy:.3f}")
trace.show(table)
assert drift[0, width] < 1e-5   # no pad read: the same state as with packing
assert all(value > 0.2 for (extra, n), value in drift.items() if extra + width - n > 0)
#                               ^ every sentence that read a pad hands on a different vector
assert all(drift[20, n] > drift[0, n] and abs(drift[50, n] - drift[20, n]) < 0.05 for n in by_length)
#                               ^ more padding moves it further, then the drift levels off

# %% [markdown]
# With packing nothing depends on the padding. Without it, the only states that stay put are those
# of the longest sentences at zero extra columns, which read no padding at all. A single `<pad>` is
# enough to move `h_n` a long way (the first row); more padding moves it further, until the drift
# levels off (20 and 50 extra pads give nearly the same). Yet here the decisions may well survive:
# `padding_idx` makes every pad step a zero input, and the trained LSTM tends to settle, under a
# constant input, into a state on the side of its decision (which is also why the drift levels
# off). That is luck, not design. An Embedding *without* `padding_idx` holds a random vector in the
# pad row (and packing never trains it, since padding gets no gradient). Put a few random vectors
# there:

# %%
table = Table(title="random pad row, 20 extra pads", box=None)
for column in ("pad vector", "packed", "not packed"):
    table.add_column(column, justify="right")
unpacked_accuracies = []
minigrad.manual_seed(3)
for k in range(6):
    with minigrad.no_grad():
        lstm_classifier.embedding.weight[vocab.pad_idx] = minigrad.randn(16)
    packed_accuracy, padded_accuracy = run_padded(20, pack=True)[1], run_padded(20, pack=False)[1]
    assert packed_accuracy == base_accuracy        # packing never reads the pad row
    unpacked_accuracies.append(padded_accuracy)
    table.add_row(f"random #{k}", f"{packed_accuracy:.3f}", f"{padded_accuracy:.3f}")
with minigrad.no_grad():
    lstm_classifier.embedding.weight[vocab.pad_idx] = 0.0
trace.show(table)
print(f"not packed: {min(unpacked_accuracies):.3f} to {max(unpacked_accuracies):.3f}, "
      "depending on what the padding holds")
assert min(unpacked_accuracies) < base_accuracy - 0.1

# %% [markdown]
# ## Summary
#
# - `pad_sequence` makes the rectangle; `pack_padded_sequence` keeps only real steps (`data` in
#   time-major order, `batch_sizes[t]` sequences at step t); `enforce_sorted=False` sorts and
#   unsorts for you; `pad_packed_sequence` restores the padded layout and your order.
# - With packing, `h_n` equals each sequence run alone and padding gets exactly zero gradient.
#   Without it, `h_n` of every shorter sequence is polluted by the padding steps.
# - Losses over padded targets need a mask: `ignore_index`, or a masked mean.
# - On negated sentiment a bag of words is capped at 75% (a linear one at 62.5%, and trained with
#   cross-entropy it stays at chance); an LSTM reading in order solves it.
