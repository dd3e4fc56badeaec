"""The experiments behind the seq2seq claims, as functions the tutorials call and a command that prints them.

    python -m models.experiments dates       # an attention model learns dates; held-out exact match over time
    python -m models.experiments reversal    # reversal accuracy by source length, with and without attention

Each experiment trains with a rich progress bar, under a time budget, and returns its numbers as data.
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


def train(model: Seq2Seq, data: Seq2SeqData, seconds: float, batch_size: int = 64, lr: float = 3e-3,
          max_norm: float = 5.0, teacher_forcing=1.0, evaluate=None, every: int = 200, target: float | None = None,
          description: str = "training", seed: int = 0, max_steps: int | None = None) -> list:
    """Train with Adam and gradient clipping for at most ``seconds`` (and at most ``max_steps`` steps).

    ``teacher_forcing`` is a ratio, or a function of the step number (a scheduled-sampling schedule).
    Every ``every`` steps ``evaluate(model)`` is called (if given); training stops early once it reaches
    ``target``. Returns the history: dicts of step, seconds, loss (and score when evaluated).
    """
    optimizer = minigrad.optim.Adam(model.parameters(), lr=lr)
    history, step, epoch, start = [], 0, 0, time.perf_counter()
    pad = data.target_vocab.pad_idx
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task(description, total=seconds, status="")
        while time.perf_counter() - start < seconds:
            for batch in data.batches(batch_size, seed=seed + epoch):
                ratio = teacher_forcing(step) if callable(teacher_forcing) else teacher_forcing
                logits = model(batch.sources, batch.source_lengths, batch.targets, teacher_forcing_ratio=ratio)
                loss = sequence_loss(logits, batch.targets[:, 1:], pad)
                optimizer.zero_grad()
                loss.backward()
                minigrad.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
                optimizer.step()
                step += 1
                elapsed = time.perf_counter() - start
                record = {"step": step, "seconds": elapsed, "loss": loss.item()}
                if evaluate is not None and step % every == 0:
                    record["score"] = evaluate(model)
                history.append(record)
                progress.update(task, completed=min(elapsed, seconds),
                                status=f"step {step}  loss {record['loss']:.3f}"
                                       + (f"  score {record['score']:.3f}" if "score" in record else ""))
                if (target is not None and record.get("score", -1) >= target) or elapsed >= seconds \
                        or step == max_steps:
                    return history
            epoch += 1
    return history


def dates_experiment(attention: bool = True, seconds: float = 300, n_train: int = 20000, n_held_out: int = 1000,
                     target: float = 0.99, seed: int = 0) -> dict:
    """Train a seq2seq model on human-readable → ISO dates until held-out exact match reaches ``target`` (or the
    time is up). Returns accuracy, time and steps."""
    minigrad.manual_seed(seed)
    train_data, held_out = date_split(n_train, n_held_out, seed=seed)
    model = build_seq2seq(train_data, attention)
    history = train(model, train_data, seconds, evaluate=lambda m: accuracy(m, held_out), target=target,
                    description=f"dates ({'attention' if attention else 'no attention'})", seed=seed)
    scored = [h for h in history if "score" in h]
    final = accuracy(model, held_out)
    return {"attention": attention, "held_out_accuracy": final, "seconds": history[-1]["seconds"],
            "steps": history[-1]["step"], "curve": [(h["step"], h["seconds"], h["score"]) for h in scored],
            "model": model, "held_out": held_out}


def reversal_experiment(attention: bool, seconds: float = 150, min_len: int = 5, max_len: int = 40,
                        vocab_size: int = 10, n_train: int = 20000, n_test: int = 600, bucket: int = 5,
                        seed: int = 0) -> dict:
    """Train on reversal with source lengths in [min_len, max_len]; report accuracy by source-length bucket.

    Two accuracies per bucket: exact match of whole sequences, and the fraction of target positions decoded
    correctly (a length mismatch counts the missing or extra positions as wrong).
    """
    minigrad.manual_seed(seed)
    train_data = reverse_task(n_train, min_len, max_len, vocab_size, seed=seed)
    test_data = reverse_task(n_test, min_len, max_len, vocab_size, seed=seed + 1)
    model = build_seq2seq(train_data, attention)
    train(model, train_data, seconds, description=f"reversal ({'attention' if attention else 'no attention'})",
          seed=seed)
    predictions = decode(model, test_data)
    buckets = {}
    for source, target, predicted in zip(test_data.sources, test_data.targets, predictions):
        low = min_len + (len(source) - min_len) // bucket * bucket
        entry = buckets.setdefault((low, min(low + bucket - 1, max_len)), {"exact": 0, "tokens": 0, "total": 0,
                                                                            "count": 0})
        entry["count"] += 1
        entry["exact"] += predicted == list(target)
        entry["tokens"] += sum(p == t for p, t in zip(predicted, target))
        entry["total"] += max(len(target), len(predicted))
    return {"attention": attention, "buckets": {key: {"exact_match": e["exact"] / e["count"],
                                                      "token_accuracy": e["tokens"] / e["total"], "count": e["count"]}
                                                for key, e in sorted(buckets.items())}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.experiments", description=__doc__.split("\n\n")[0])
    parser.add_argument("experiment", choices=["dates", "reversal"])
    parser.add_argument("--seconds", type=float, default=None, help="time budget per model")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    console = Console()
    if args.experiment == "dates":
        result = dates_experiment(seconds=args.seconds or 300, seed=args.seed)
        table = Table(title="Dates → ISO with attention: held-out exact match")
        for column in ("step", "seconds", "held-out exact match"):
            table.add_column(column, justify="right")
        for step, seconds, score in result["curve"]:
            table.add_row(str(step), f"{seconds:.0f}", f"{score:.1%}")
        console.print(table)
        console.print(f"final: {result['held_out_accuracy']:.2%} after {result['steps']} steps, "
                      f"{result['seconds']:.0f} s")
    else:
        results = [reversal_experiment(attention, seconds=args.seconds or 150, seed=args.seed)
                   for attention in (False, True)]
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
