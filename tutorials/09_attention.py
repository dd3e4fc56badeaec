# %% [markdown]
# # 09 · Attention: look back instead of remembering
#
# In tutorial 08 the decoder saw the source only through the encoder's final state: one vector of fixed size,
# however long the input. Attention (Bahdanau, Cho & Bengio 2015) removes that bottleneck. At every output
# step the decoder compares its state, the *query*, with every encoder output, the *keys*; a softmax turns the
# scores into weights over the source positions, and the decoder reads the weighted average, the *context*:
#
#     e_s = score(q, k_s)        α = softmax(e)        context = Σ_s α_s k_s
#
# Bahdanau's score is a small network with one hidden layer, hence "additive" attention:
#
#     score(q, k) = vᵀ tanh(W_q q + W_k k)
#
# This tutorial works one example by hand, shows how padding is masked, measures the bottleneck (reversal
# accuracy by source length, with and without attention), and looks at what a date model attends to.

# %%
import itertools
import math
import os
import time

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import minigrad
import models
from minigrad import trace
from models import experiments, tasks

FAST = os.environ.get("MINIGRAD_FAST") == "1"
if FAST:
    print("MINIGRAD_FAST=1, the short version: reversal of 3 to 11 symbols for at most 160 steps instead of 5 to 29 "
          "trained to a plateau, so the model without attention is far from what it can learn and the size of the "
          "bottleneck is not meaningful; the date model is trained as in the full run.")
minigrad.manual_seed(0)

# %% [markdown]
# ## The additive score, by hand
#
# A query of size 2, three keys of size 2, and hand-picked weights (`W_q` and `W_k` are 2×2, `v` has 2
# entries). Plain Python does the arithmetic, row by row; then `models.AdditiveAttention`, loaded with the same
# weights, must give the same weights α and the same context.

# %%
query = [1.0, 2.0]
keys = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
W_q = [[0.5, 0.0], [0.0, -0.5]]
W_k = [[1.0, -1.0], [0.5, 0.5]]
v = [2.0, -1.0]


def matvec(matrix, vector):
    return [sum(m * x for m, x in zip(row, vector)) for row in matrix]


def softmax(scores):
    exps = [math.exp(e - max(scores)) for e in scores]
    return [x / sum(exps) for x in exps]


projected_query = matvec(W_q, query)
hidden = [[math.tanh(a + b) for a, b in zip(projected_query, matvec(W_k, key))] for key in keys]
scores = [sum(vi * hi for vi, hi in zip(v, h)) for h in hidden]
weights = softmax(scores)
context = [sum(w * key[j] for w, key in zip(weights, keys)) for j in range(2)]

table = Table(title=f"q = {query}, W_q q = {projected_query}")
for column in ("s", "k_s", "W_k k_s", "tanh(W_q q + W_k k_s)", "e_s", "α_s"):
    table.add_column(column, justify="right")
for s, key in enumerate(keys):
    table.add_row(str(s + 1), str(key), str(matvec(W_k, key)), "[" + ", ".join(f"{x:.4f}" for x in hidden[s]) + "]",
                  f"{scores[s]:.4f}", f"{weights[s]:.4f}")
trace.show(table)
print("context = Σ α_s k_s =", [f"{c:.4f}" for c in context])

attention = models.AdditiveAttention(query_size=2, key_size=2, hidden_size=2).double()
attention.load_state_dict({"query_layer.weight": minigrad.tensor(W_q), "key_layer.weight": minigrad.tensor(W_k),
                           "energy_layer.weight": minigrad.tensor([v])})
q = minigrad.tensor([query], dtype=minigrad.float64)             # (B=1, query_size)
k = minigrad.tensor([keys], dtype=minigrad.float64)              # (B=1, S=3, key_size)
library_context, library_weights = attention(q, k)
print("models.AdditiveAttention: α =", [f"{a:.4f}" for a in library_weights.tolist()[0]],
      " context =", [f"{c:.4f}" for c in library_context.tolist()[0]])
assert max(abs(a - b) for a, b in zip(library_weights.tolist()[0], weights)) < 1e-12
assert max(abs(a - b) for a, b in zip(library_context.tolist()[0], context)) < 1e-12

# %% [markdown]
# The largest weight went to the key whose projection lines up with `v` after the tanh, not to the key most
# "similar" to the query in any obvious sense: W_q, W_k and v are learned, so the network learns what
# "relevant" means for its task.
#
# ## Padding gets exactly zero weight
#
# In a batch, short sources are padded to the longest one. The decoder must not read padding, so before the
# softmax the scores of padded positions are set to −∞: exp(−∞) = 0, an exact zero weight, and so an exact zero
# gradient for whatever sits in the padded slot. Below, a fourth key of junk is added and masked out.

# %%
padded_keys = minigrad.tensor([keys + [[9.0, -7.0]]], dtype=minigrad.float64, requires_grad=True)
mask = minigrad.tensor([[True, True, True, False]])              # True = a real position
masked_context, masked_weights = attention(q, padded_keys, mask)
masked_context.sum().backward()
print("α with a masked fourth key:", [f"{a:.4f}" for a in masked_weights.tolist()[0]])
print("gradient reaching the padded key:", padded_keys.grad.tolist()[0][3])
assert masked_weights.tolist()[0][3] == 0.0
assert padded_keys.grad.tolist()[0][3] == [0.0, 0.0]
assert max(abs(a - b) for a, b in zip(masked_weights.tolist()[0][:3], weights)) < 1e-12  # as if it were not there

unmasked_weights = attention(q, padded_keys)[1].tolist()[0]
print(f"without the mask the junk key takes α = {unmasked_weights[3]:.4f}")
assert unmasked_weights[3] > 0.01

# %% [markdown]
# ## Luong's scores: dot and general
#
# Luong, Pham & Manning (2015) simplified the score to a dot product, `qᵀk` (query and keys of the same size),
# or a learned bilinear form, `qᵀ W k`. Everything after the score (mask, softmax, weighted sum) is shared, so
# in `models/attention.py` they are a few lines each. Luong also used the decoder state *after* the
# recurrent step as the query, where Bahdanau used the state before it, s_{i−1}, because his context is an
# input to that step. `models.Decoder` follows Bahdanau: its query is the previous hidden state.

# %%
dot_weights = models.DotAttention()(q, k)[1].tolist()[0]
by_hand = softmax([sum(a * b for a, b in zip(query, key)) for key in keys])
print("dot     α =", [f"{a:.4f}" for a in dot_weights])
assert max(abs(a - b) for a, b in zip(dot_weights, by_hand)) < 1e-12

general = models.GeneralAttention(query_size=2, key_size=2).double()
general.load_state_dict({"key_layer.weight": minigrad.tensor(W_k)})  # W in qᵀ W k
general_weights = general(q, k)[1].tolist()[0]
by_hand = softmax([sum(a * b for a, b in zip(query, matvec(W_k, key))) for key in keys])
print("general α =", [f"{a:.4f}" for a in general_weights])
assert max(abs(a - b) for a, b in zip(general_weights, by_hand)) < 1e-12

# %% [markdown]
# ## The bottleneck, measured
#
# Reversal: the target is the source backwards, symbols s0..s9, lengths uniform in a range. Both models are
# `experiments.build_seq2seq` (a bidirectional GRU encoder, 64 units a direction, and a GRU decoder), one with
# additive attention and one without, trained on the same batches from the same seed. Without attention the
# encoder's final state (128 numbers) must carry the whole sequence; with attention the decoder can look up
# position S−t when it writes token t.
#
# A comparison of two models means something only if each has learned what it can, so each trains until it stops
# improving: every 250 steps its token accuracy on a validation set is checked, and training stops when it
# reaches 99% or when 4 checks in a row have not beaten the best so far by more than half a point; the weights
# of the check that set the best (or reached 99%) are kept. Training curves of these small models are spiky
# (accuracy can dip for a hundred steps and recover), which is why a plateau is judged over several checks and
# the best weights are kept. Everything is counted in steps, never in seconds, so the result is the same on a
# slow machine. Token accuracy counts the target positions decoded correctly (a wrong length counts the missing
# or extra positions as wrong); exact match counts whole sequences.
#
# The loop is written out here. Its forward call is teacher-forced: `teacher_forcing_ratio=1.0` feeds the decoder
# the gold previous token at every step (tutorial 08 writes that decoder loop out line by line).

# %%
MIN_LEN, MAX_LEN, BUCKET = (3, 11, 3) if FAST else (5, 29, 5)
MAX_STEPS, EVERY, PATIENCE = (160, 40, 2) if FAST else (12000, 250, 4)
TARGET, MIN_GAIN = 0.99, 0.005
reversal_train = tasks.reverse_task(20000, MIN_LEN, MAX_LEN, vocab_size=10, seed=0)
reversal_validation = tasks.reverse_task(300, MIN_LEN, MAX_LEN, vocab_size=10, seed=1)
reversal_test = tasks.reverse_task(600, MIN_LEN, MAX_LEN, vocab_size=10, seed=2)
PAD = reversal_train.target_vocab.pad_idx


def train_until_plateau(model, description: str) -> dict:
    """Train as described above; returns the validation curve [(step, accuracy)] and why training stopped."""
    optimizer = minigrad.optim.Adam(model.parameters(), lr=3e-3)
    batches = (batch for epoch in itertools.count() for batch in reversal_train.batches(64, seed=epoch))
    curve, best, best_step, best_weights, stopped = [], 0.0, 0, None, "the step budget ran out"
    start = time.perf_counter()
    with Progress(TextColumn(description), BarColumn(), TextColumn("{task.fields[status]}"),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task("", total=MAX_STEPS, status="")
        for step, batch in zip(range(1, MAX_STEPS + 1), batches):
            logits = model(batch.sources, batch.source_lengths, batch.targets, teacher_forcing_ratio=1.0)
            loss = models.sequence_loss(logits, batch.targets[:, 1:], PAD)   # position t scored against y_t
            optimizer.zero_grad()
            loss.backward()
            minigrad.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            progress.update(task, advance=1, status=f"loss {loss.item():.3f}, best validation {best:.1%}")
            if step % EVERY:
                continue
            accuracy = experiments.token_accuracy(model, reversal_validation)
            curve.append((step, accuracy))
            if best_weights is None or accuracy > best + MIN_GAIN or accuracy >= TARGET:
                best, best_step = accuracy, step
                best_weights = {name: value.clone() for name, value in model.state_dict().items()}
            if accuracy >= TARGET:
                stopped = f"it reached {TARGET:.0%}"
                break
            if step - best_step >= PATIENCE * EVERY:
                stopped = f"no gain of {MIN_GAIN:.1%} in {PATIENCE * EVERY} steps"
                break
    model.load_state_dict(best_weights)
    return {"curve": curve, "best": best, "best step": best_step, "stopped": stopped,
            "seconds per step": (time.perf_counter() - start) / step}


reversal, runs = {}, {}
for name in ("no attention", "attention"):
    minigrad.manual_seed(0)
    model = experiments.build_seq2seq(reversal_train, attention=name == "attention")
    runs[name] = train_until_plateau(model, f"reversal, {name}")
    reversal[name] = experiments.accuracy_by_length(model, reversal_test, MIN_LEN, BUCKET)
    run = runs[name]
    print(f"{name}: stopped after {run['curve'][-1][0]} steps ({run['stopped']}); best validation token "
          f"accuracy {run['best']:.1%} at step {run['best step']}; {1000 * run['seconds per step']:.0f} ms a step "
          "on this machine, checks included")

curves = Table(title="Validation token accuracy during training", box=None, padding=(0, 2))
for column in ("step", *runs):
    curves.add_column(column, justify="right")
by_step = {name: dict(run["curve"]) for name, run in runs.items()}
longest_run, shortest_run = max(by_step.values(), key=len), min(by_step.values(), key=len)
every_few = max(1, len(longest_run) // 12)
# about a dozen checks of the longer run, its last one, and every check of the shorter run
shown = set(list(longest_run)[every_few - 1::every_few]) | {max(longest_run)} | set(shortest_run)
for step in sorted(shown):
    curves.add_row(str(step), *(f"{by_step[name][step]:.1%}" if step in by_step[name] else "" for name in runs))
trace.show(curves)

table = Table(title="Reversal, test set: token accuracy (exact match)")
for column in ("source length", "examples", *reversal):
    table.add_column(column, justify="right")
for (shortest, longest), entry in reversal["attention"].items():
    cells = [f"{r[shortest, longest]['token_accuracy']:.0%} ({r[shortest, longest]['exact_match']:.0%})"
             for r in reversal.values()]
    table.add_row(f"{shortest}-{longest}", str(entry["count"]), *cells)
trace.show(table)

shortest, longest = min(reversal["attention"]), max(reversal["attention"])
with_attention, without = reversal["attention"], reversal["no attention"]
print(f"longest bucket: {without[longest]['token_accuracy']:.0%} without attention, "
      f"{with_attention[longest]['token_accuracy']:.0%} with")
if not FAST:
    assert all(run["stopped"] != "the step budget ran out" for run in runs.values())   # both trained to the end
    assert min(bucket["token_accuracy"] for bucket in with_attention.values()) >= 0.95
    assert with_attention[longest]["token_accuracy"] - without[longest]["token_accuracy"] >= 0.2
    assert without[shortest]["token_accuracy"] - without[longest]["token_accuracy"] >= 0.2

# %% [markdown]
# In the full run (5 to 29 symbols, checks every 250 steps, at most 12,000 steps) the model with attention
# reached 99% on the validation set after 250 steps. The model without attention needed about 10,000: its best,
# 87.6%, came at step 9,250, after which 1,000 steps gained less than half a point; the curve above shows it
# flattening. So both models learned what they could, as far as this rule can tell, the one without attention
# with 40 times more training. On the test set, without attention, accuracy falls with length: 100% of the
# tokens (rounded) at lengths 5-9, 70% at 25-29, where only 2% of the sequences come out exactly right. A short
# sequence fits in the final state, a long one does not. With attention the curve is flat at 100%. This is the
# curve Bahdanau et al. drew for translation (BLEU against sentence length): the fixed-vector model degrades as
# sentences grow, the attention model far less. Attention is not free: each decoder step scores every source
# position, so a step costs more (printed above; 1.6 to 2.2 times as much in our runs, checks included).
#
# ## What a date model attends to
#
# `experiments.dates_experiment` trains the attention model on human-readable dates → ISO 8601 (12 formats),
# checks 1,000 held-out dates (never seen in training) every 200 steps, and stops once 99% of them come out
# exactly right. To see the weights behind a prediction, feed the predicted string back in with teacher
# forcing: `model(src, lengths, tgt)` fills `model.attention_weights` (B, T, S), one row per output token. We
# keep the dates decoded exactly right, so their prediction is their target.

# %%
result = experiments.dates_experiment(attention=True, seed=0)
model, held_out = result["model"], result["held_out"]
print(f"held-out exact match {result['held_out_accuracy']:.1%} after {result['steps']} steps "
      f"({result['seconds']:.0f} s)")
assert result["held_out_accuracy"] >= 0.97

predictions = experiments.decode(model, held_out)
right = [i for i, predicted in enumerate(predictions) if predicted == list(held_out.targets[i])]
forced = tasks.Seq2SeqData([held_out.sources[i] for i in right], [held_out.targets[i] for i in right],
                           held_out.source_vocab, held_out.target_vocab)
batch = next(forced.batches(len(forced)))
with minigrad.no_grad():
    model(batch.sources, batch.source_lengths, batch.targets)
attention_rows = model.attention_weights.tolist()  # (examples, 11 outputs incl. eos, longest source)


def heat_map(index):
    source, target = forced.sources[index], forced.targets[index]
    rows = [row[:len(source)] for row in attention_rows[index][:len(target)]]
    return trace.attention_map(rows, list(source), list(target), title=f"{source!r} → {target!r}")


numeric = next(i for i, source in enumerate(forced.sources) if "." in source)
wordy = next(i for i, source in enumerate(forced.sources) if source[0].isalpha() and "," in source)
for index in (numeric, wordy):
    heat_map(index).show()

# %% [markdown]
# Each row is one output character; the ▸ margin names the source character it looked at most. The year's
# digits look at the year, wherever the format put it; the day's digits at the day; the month's at the month's
# number or name. The weekday gets next to nothing: the date already fixes it. Rows whose output needs no
# particular source character (the dashes; the month's first digit, nearly always 0 or 1) are spread thin.
#
# Counted over every correctly decoded held-out date: for each output position, how often the source
# character with the largest weight is the character being written, and, for the year, how often it is exactly
# the matching digit of the source's year.

# %%
OUTPUTS = ["year 1", "year 2", "year 3", "year 4", "dash", "month 1", "month 2", "dash", "day 1", "day 2"]
same = [[0, 0] for _ in OUTPUTS]          # [argmax holds the digit written, outputs whose digit is in the source]
at_year = [[0, 0, 0] for _ in OUTPUTS]    # [argmax on the matching year digit, on a later year digit, dates]
for index, (source, target) in enumerate(zip(forced.sources, forced.targets)):
    year = next(i for i in range(len(source)) if source[i:i + 4].isdigit())  # every format writes YYYY
    for t, (character, best) in enumerate(zip(target, heat_map(index).argmax())):
        if character in source:
            same[t][0] += source[best] == character
            same[t][1] += 1
        if t < 4:
            at_year[t][0] += best == year + t
            at_year[t][1] += year + t < best < year + 4
            at_year[t][2] += 1

table = Table(title=f"Where {len(forced)} correct decodings look (argmax of α)")
for column in ("output", "argmax = same character", "argmax = same year digit"):
    table.add_column(column, justify="right")
for t, name in enumerate(OUTPUTS):
    if name != "dash":
        table.add_row(name, f"{same[t][0] / same[t][1]:.0%} of {same[t][1]}",
                      f"{at_year[t][0] / at_year[t][2]:.0%}" if t < 4 else "")
trace.show(table)
century_looks_later = at_year[0][1] / at_year[0][2]
print(f"year 1 looks at a later digit of the year in {century_looks_later:.1%} of the dates")
assert all(same[t][0] / same[t][1] >= 0.95 for t in (1, 2, 3, 9))   # years 2-4 and the day's last digit
assert all(at_year[t][0] / at_year[t][2] >= 0.95 for t in (2, 3))    # years 3-4: on that very digit
assert century_looks_later >= 0.95

# %% [markdown]
# Years 2–4 and the day's last digit are copied: the argmax sits on a source character equal to the one
# being written (for the last two digits of the year, on that very digit). The first year digit is the
# exception, and a telling one: it almost never looks at itself but at a later digit, usually the next one.
# Dates run from 1950 to 2049, so "19" or "20" is decided by the second digit (9 or 0), and the model attends
# to what decides the answer, not to what looks the same. The month's digits score low mostly because 9 of the
# 12 formats spell the month out ("May" → "05"): the answer is in the name, and a matching digit elsewhere in
# the source (in the year or the day) is a coincidence the model rightly ignores.
#
# ## Common statements, checked
#
# - Bahdanau's score is often written vᵀ tanh(W_1 h_decoder_i + W_2 h_encoder_j), with the decoder state
#   *of step i*. In Bahdanau et al. the query is the previous state s_{i−1}: the context c_i is an input to
#   computing s_i, so it cannot depend on it. Using the current state is Luong's variant.
# - The same accounts often add that the Transformer differs by using "dot-product similarity" and by
#   attending "within a single sequence (self-attention) rather than between encoder and decoder". Its score
#   is the *scaled* dot product qᵀk/√d, and the original Transformer has both: self-attention in encoder and
#   decoder, and encoder-decoder (cross) attention in every decoder layer, the direct descendant of what is
#   shown here.
# - Self-attention is sometimes called "strictly more powerful than recurrence" for long-range dependencies.
#   That overstates it. What the reversal table shows is that attention gives the decoder a direct path to
#   every source position, so nothing has to survive a fixed-size state; the price is work that grows with
#   the source length at every step. A recurrence keeps constant memory over an unbounded stream, and some
#   state-tracking tasks (the parity of a long bit string) suit it better than a fixed stack of attention
#   layers. Shorter paths, not strictly more power.
