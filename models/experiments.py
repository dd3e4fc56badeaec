"""The experiments behind the seq2seq claims, as functions the tutorials call and a command that prints them.

    python -m models.experiments dates       # an attention model learns dates; held-out exact match over time
    python -m models.experiments reversal    # reversal accuracy by source length, with and without attention

Each experiment trains with a rich progress bar, under a budget of steps (so that its numbers depend on the seed,
not on the machine's speed), and returns its numbers as data.
"""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import minigrad

from .attention import AdditiveAttention
from .metrics import exact_match
from .seq2seq import Decoder, Encoder, Seq2Seq, sequence_loss
from .tasks import Seq2SeqData, date_split, reverse_task


def build_seq2seq(data: Seq2SeqData, attention: bool, cell: str = "gru", embed_size: int = 32,
                  hidden_size: int = 64, attention_size: int = 64) -> Seq2Seq:
    """A bidirectional encoder and a decoder of twice its hidden size, with or without additive attention."""
    encoder = Encoder(len(data.source_vocab), embed_size, hidden_size, cell=cell, bidirectional=True,
                      padding_idx=data.source_vocab.pad_idx)
    size = encoder.output_size
    decoder = Decoder(len(data.target_vocab), embed_size, size, cell=cell,
                      attention=AdditiveAttention(size, size, attention_size) if attention else None,
                      context_size=size, padding_idx=data.target_vocab.pad_idx)
    vocab = data.target_vocab
    return Seq2Seq(encoder, decoder, bos_idx=vocab.bos_idx, eos_idx=vocab.eos_idx, pad_idx=vocab.pad_idx)


def decode(model: Seq2Seq, data: Seq2SeqData, batch_size: int = 500) -> list:
    """Greedy decodings of every source of ``data``, as token lists (in data order)."""
    model.eval()
    predictions = []
    longest = max(len(target) for target in data.targets)
    for batch in data.batches(batch_size):
        sequences, _ = model.greedy(batch.sources, batch.source_lengths, max_len=longest + 5)
        predictions += [data.target_vocab.decode(ids) for ids in sequences]
    model.train()
    return predictions


def accuracy(model: Seq2Seq, data: Seq2SeqData) -> float:
    """Exact-match accuracy of greedy decoding."""
    return exact_match(decode(model, data), [list(target) for target in data.targets])


def _batches_forever(data: Seq2SeqData, batch_size: int, seed: int):
    """Shuffled batches, epoch after epoch (epoch k shuffled with seed + k)."""
    epoch = 0
    while True:
        yield from data.batches(batch_size, seed=seed + epoch)
        epoch += 1


def train(model: Seq2Seq, data: Seq2SeqData, steps: int | None = None, batch_size: int = 64, lr: float = 3e-3,
          max_norm: float = 5.0, teacher_forcing=1.0, evaluate=None, every: int = 200, target: float | None = None,
          patience: int | None = None, min_delta: float = 0.0, description: str = "training", seed: int = 0) -> list:
    """Train with Adam and gradient clipping for at most ``steps`` steps.

    ``teacher_forcing`` is a ratio, or a function of the step number (a scheduled-sampling schedule).
    Every ``every`` steps ``evaluate(model)`` is called (if given). Training stops early once the score reaches
    ``target``, or, with ``patience``, once that many evaluations in a row have not beaten the best score so far
    by more than ``min_delta`` (a plateau); with ``patience`` the model ends with the weights of the evaluation
    that set the best score, or reached the target (early stopping).
    Budgeted by steps, the result depends on the seeds and not on the machine. Returns the history: dicts of
    step, seconds, loss (and score when evaluated).
    """
    if steps is None:
        raise ValueError("train: expected a budget of steps, got steps=None")
    optimizer = minigrad.optim.Adam(model.parameters(), lr=lr)
    history, start = [], time.perf_counter()
    best_score, best_weights, stale, reached = None, None, 0, False
    pad = data.target_vocab.pad_idx
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task(description, total=steps, status="")
        for step, batch in enumerate(_batches_forever(data, batch_size, seed), start=1):
            ratio = teacher_forcing(step - 1) if callable(teacher_forcing) else teacher_forcing
            logits = model(batch.sources, batch.source_lengths, batch.targets, teacher_forcing_ratio=ratio)
            loss = sequence_loss(logits, batch.targets[:, 1:], pad)
            optimizer.zero_grad()
            loss.backward()
            minigrad.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            optimizer.step()
            elapsed = time.perf_counter() - start
            record = {"step": step, "seconds": elapsed, "loss": loss.item()}
            if evaluate is not None and step % every == 0:
                record["score"] = evaluate(model)
                reached = target is not None and record["score"] >= target
                if best_score is None or record["score"] > best_score + min_delta or reached:
                    best_score, stale = record["score"], 0
                    if patience is not None:
                        best_weights = {name: value.clone() for name, value in model.state_dict().items()}
                else:
                    stale += 1
            history.append(record)
            progress.update(task, completed=step,
                            status=f"step {step}  loss {record['loss']:.3f}"
                                   + (f"  score {record['score']:.3f}" if "score" in record else ""))
            if reached or step == steps or (patience is not None and stale >= patience):
                break
    if best_weights is not None:
        model.load_state_dict(best_weights)
    return history


def dates_experiment(attention: bool = True, steps: int = 3000, n_train: int = 20000, n_held_out: int = 1000,
                     target: float = 0.99, seed: int = 0) -> dict:
    """Train a seq2seq model on human-readable → ISO dates until held-out exact match (checked every 200 steps)
    reaches ``target``, at most ``steps`` steps. Returns accuracy, time and steps."""
    minigrad.manual_seed(seed)
    train_data, held_out = date_split(n_train, n_held_out, seed=seed)
    model = build_seq2seq(train_data, attention)
    history = train(model, train_data, steps, evaluate=lambda m: accuracy(m, held_out), target=target,
                    description=f"dates ({'attention' if attention else 'no attention'})", seed=seed)
    scored = [h for h in history if "score" in h]
    final = accuracy(model, held_out)
    return {"attention": attention, "held_out_accuracy": final, "seconds": history[-1]["seconds"],
            "steps": history[-1]["step"], "curve": [(h["step"], h["seconds"], h["score"]) for h in scored],
            "model": model, "held_out": held_out}


def accuracy_by_length(model: Seq2Seq, data: Seq2SeqData, min_len: int, bucket: int) -> dict:
    """Greedy-decoding accuracy per source-length bucket, shortest first: {(shortest, longest): {"exact_match",
    "token_accuracy", "count"}}, where bucket k holds the sources of length min_len + k·bucket to
    min_len + (k+1)·bucket - 1 and is named by the shortest and longest length it actually holds.

    Token accuracy is the fraction of target positions decoded correctly; a length mismatch counts the missing
    or extra positions as wrong, so an exact match has every token right.
    """
    buckets = {}
    for source, target, predicted in zip(data.sources, data.targets, decode(model, data)):
        entry = buckets.setdefault((len(source) - min_len) // bucket, {"exact": 0, "tokens": 0, "positions": 0,
                                                                      "lengths": []})
        entry["exact"] += predicted == list(target)
        entry["tokens"] += sum(p == t for p, t in zip(predicted, target))
        entry["positions"] += max(len(target), len(predicted))
        entry["lengths"].append(len(source))
    return {(min(e["lengths"]), max(e["lengths"])): {"exact_match": e["exact"] / len(e["lengths"]),
                                                     "token_accuracy": e["tokens"] / e["positions"],
                                                     "count": len(e["lengths"])}
            for _, e in sorted(buckets.items())}


def token_accuracy(model: Seq2Seq, data: Seq2SeqData) -> float:
    """The fraction of target positions greedy decoding gets right, over all of ``data`` (see accuracy_by_length)."""
    right = positions = 0
    for predicted, target in zip(decode(model, data), data.targets):
        right += sum(p == t for p, t in zip(predicted, target))
        positions += max(len(target), len(predicted))
    return right / positions


def reversal_experiment(attention: bool, steps: int = 12000, every: int = 250, target: float = 0.99,
                        patience: int = 4, min_delta: float = 0.005, min_len: int = 5, max_len: int = 29,
                        vocab_size: int = 10, n_train: int = 20000, n_validation: int = 300, n_test: int = 600,
                        bucket: int = 5, seed: int = 0) -> dict:
    """Train on reversal with source lengths in [min_len, max_len]; report accuracy by source-length bucket.

    Training runs until the token accuracy on a validation set (checked every ``every`` steps) reaches ``target``
    or has not gained more than ``min_delta`` for ``patience`` checks, at most ``steps`` steps, and keeps the best
    weights; the test set then gives exact match and token accuracy per bucket (see :func:`accuracy_by_length`).
    Budgeted in steps, the numbers depend on the seed, not on the machine. The defaults are the protocol of
    tutorial 09, which writes the same training out as a loop.
    """
    minigrad.manual_seed(seed)
    train_data = reverse_task(n_train, min_len, max_len, vocab_size, seed=seed)
    validation = reverse_task(n_validation, min_len, max_len, vocab_size, seed=seed + 1)
    test_data = reverse_task(n_test, min_len, max_len, vocab_size, seed=seed + 2)
    model = build_seq2seq(train_data, attention)
    history = train(model, train_data, steps, evaluate=lambda m: token_accuracy(m, validation), every=every,
                    target=target, patience=patience, min_delta=min_delta, seed=seed,
                    description=f"reversal ({'attention' if attention else 'no attention'})")
    scores = [record["score"] for record in history if "score" in record]
    return {"attention": attention, "steps": history[-1]["step"], "seconds": history[-1]["seconds"],
            "validation": max(scores) if scores else None,
            "buckets": accuracy_by_length(model, test_data, min_len, bucket)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.experiments", description=__doc__.split("\n\n")[0])
    parser.add_argument("experiment", choices=["dates", "reversal"])
    parser.add_argument("--steps", type=int, default=None, help="the most training steps per model")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    console = Console()
    if args.experiment == "dates":
        result = dates_experiment(steps=args.steps or 3000, seed=args.seed)
        table = Table(title="Dates → ISO with attention: held-out exact match")
        for column in ("step", "seconds", "held-out exact match"):
            table.add_column(column, justify="right")
        for step, seconds, score in result["curve"]:
            table.add_row(str(step), f"{seconds:.0f}", f"{score:.1%}")
        console.print(table)
        console.print(f"final: {result['held_out_accuracy']:.2%} after {result['steps']} steps, "
                      f"{result['seconds']:.0f} s")
    else:
        results = [reversal_experiment(attention, steps=args.steps or 12000, seed=args.seed)
                   for attention in (False, True)]
        for result in results:
            console.print(f"{'attention' if result['attention'] else 'no attention'}: {result['steps']} steps "
                          f"({result['seconds']:.0f} s), best validation token accuracy {result['validation']:.1%}")
        table = Table(title="Reversal: accuracy by source length (exact match / tokens)")
        table.add_column("length", justify="right")
        for result in results:
            table.add_column("attention" if result["attention"] else "no attention", justify="right")
        for key in results[0]["buckets"]:
            cells = [f"{r['buckets'][key]['exact_match']:.0%} / {r['buckets'][key]['token_accuracy']:.0%}"
                     for r in results]
            table.add_row(f"{key[0]}-{key[1]}", *cells)
        console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
