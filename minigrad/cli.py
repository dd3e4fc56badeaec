"""The ``minigrad`` command line (also ``python -m minigrad``): demo, trace, tutorials, bench, selftest.

The commands that need sequence models import ``models`` (the sibling package of this distribution) when run.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import minigrad
from minigrad import bench, trace
from minigrad.trace.render import console as make_console

TUTORIALS = pathlib.Path(__file__).resolve().parent.parent / "tutorials"
CELLS = ("rnn", "lstm", "gru")


# --- shared by demo and trace ---------------------------------------------------------------------------------
def gradient_flow(cells=CELLS, steps=50, hidden=32, inputs=8, batch=4, seed=0, scale=1.0, forget_bias=None) -> dict:
    """Run one random sequence through each kind of recurrent layer and backpropagate from the last output only.

    Returns {name: ThroughTime}: how much gradient reaches h_t at every step t. ``scale`` multiplies the recurrent
    weights W_hh after their default initialisation (> 1 pushes towards explosion, < 1 towards vanishing).
    """
    import models

    layers = {"rnn": ("tanh RNN", models.RNN), "lstm": ("LSTM", models.LSTM), "gru": ("GRU", models.GRU)}
    minigrad.manual_seed(seed)
    x = minigrad.randn(steps, batch, inputs)
    flows = {}
    for cell in cells:
        name, layer_class = layers[cell]
        minigrad.manual_seed(seed + 1)
        options = {"forget_bias": forget_bias} if cell == "lstm" and forget_bias is not None else {}
        layer = layer_class(inputs, hidden, **options)
        with minigrad.no_grad():
            for parameter_name, parameter in layer.named_parameters():
                if parameter_name.startswith("weight_hh"):
                    parameter.data *= scale
        with trace.through_time() as flow:
            output, _ = layer(x)
        output[-1].sum().backward()
        flows[name] = flow
    return flows


def _device(console, name: str):
    """The named device, or None after printing why it cannot be had (unknown name, no CuPy, no GPU)."""
    try:
        return minigrad.device(name)
    except (RuntimeError, ValueError) as error:
        console.print(f"[red]{error}[/red]")
        return None


def _progress(console):
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"),
                    TimeElapsedColumn(), console=console, transient=True)


# --- demo -----------------------------------------------------------------------------------------------------
def demo(console, args) -> int:
    """A guided tour: the chain rule on one neuron, gradient flow through time in a tanh RNN, an LSTM and a GRU,
    then an attention model learning to read dates, with its attention heat map."""
    console.rule("[bold]1. Backward is the chain rule, node by node")
    x1, x2, target = 2.0, -1.0, 0.5
    w1, w2, b = (minigrad.tensor(v, requires_grad=True, dtype=minigrad.float64) for v in (0.3, -0.7, 0.1))
    loss = ((w1 * x1 + w2 * x2 + b).tanh() - target) ** 2
    console.print(f"L = (tanh(w1·x1 + w2·x2 + b) - t)² with x1 = {x1}, x2 = {x2}, t = {target}: "
                  f"L = {loss.item():.6f}")
    console.print(trace.step_through(loss, names={w1: "w1", w2: "w2", b: "b"}))
    checked = minigrad.gradcheck(lambda w1, w2, b: ((w1 * x1 + w2 * x2 + b).tanh() - target) ** 2,
                                 (w1.detach().requires_grad_(), w2.detach().requires_grad_(),
                                  b.detach().requires_grad_()))
    console.print(f"gradcheck against central differences: [bold]{checked}[/bold]")

    console.rule("[bold]2. Gradient flow through time")
    steps = 12 if args.quick else 40
    flows = gradient_flow(steps=steps, seed=args.seed, forget_bias=1.0)
    console.print(f"One random sequence of {steps} steps (the LSTM with forget-gate bias 1.0); the loss reads only "
                  "the last output, so ‖∂L/∂h_t‖ says how much of that loss can still reach step t:")
    console.print(trace.compare(flows))
    # the average factor per step back: the (T-1)-th root of first/last
    factors = ", ".join(f"{name} ×{flow.ratio() ** (1 / (steps - 1)):.2f}" for name, flow in flows.items())
    console.print(f"Each step back multiplies the gradient by a Jacobian; on average per step: {factors}. "
                  "Over many steps these factors compound: that is the vanishing gradient.")

    console.rule("[bold]3. Attention learns to read dates")
    from models import experiments, tasks

    minigrad.manual_seed(args.seed)
    train_data, held_out = tasks.date_split(2000 if args.quick else 20000, 200, seed=args.seed)
    model = experiments.build_seq2seq(train_data, attention=True)
    seconds = 3 if args.quick else 25
    experiments.train(model, train_data, seconds=seconds, description="training on dates", seed=args.seed)
    accuracy = experiments.accuracy(model, held_out)
    console.print(f"After {seconds} s of training: {accuracy:.1%} exact match on {len(held_out)} dates it never saw.")
    source = held_out.sources[0]
    predicted = experiments.decode(model, tasks.Seq2SeqData([source], [held_out.targets[0]], held_out.source_vocab,
                                                            held_out.target_vocab))[0]
    batch = next(tasks.Seq2SeqData([source], ["".join(predicted)], held_out.source_vocab,
                                   held_out.target_vocab).batches(1))
    with minigrad.no_grad():
        model(batch.sources, batch.source_lengths, batch.targets)  # force-decode the prediction to see its weights
    weights = model.attention_weights[0, :len(predicted)]
    console.print(trace.attention_map(weights, list(source), list(predicted),
                                      title=f"{source!r} → {''.join(predicted)!r}"))
    return 0 if checked else 1


# --- trace ----------------------------------------------------------------------------------------------------
def trace_command(console, args) -> int:
    """Compare gradient flow through time for rnn, lstm and gru layers on one random sequence."""
    cells = [cell.strip() for cell in args.cells.split(",")]
    unknown = [cell for cell in cells if cell not in CELLS]
    if unknown:
        console.print(f"[red]unknown cell {unknown[0]!r}: expected some of {', '.join(CELLS)}[/red]")
        return 2
    flows = gradient_flow(cells, args.steps, args.hidden, args.inputs, args.batch, args.seed, args.scale,
                          args.forget_bias)
    console.print(trace.compare(flows))
    gates = Table(title="Mean gate activations over the sequence", box=None)
    gates.add_column("layer")
    gates.add_column("gate")
    gates.add_column("mean", justify="right")
    for name, flow in flows.items():
        for quantity in flow.quantities():
            if quantity.endswith("_gate"):
                values = flow.series(quantity)
                gates.add_row(name, quantity.replace("_", " "), f"{sum(values) / len(values):.3f}")
    if gates.row_count:
        console.print(gates)
    return 0


# --- tutorials ------------------------------------------------------------------------------------------------
def _tutorials() -> list:
    return sorted(TUTORIALS.glob("[0-9][0-9]_*.py")) if TUTORIALS.is_dir() else []


def _summary(path: pathlib.Path) -> str:
    """The first prose line of a tutorial (its title cell)."""
    for line in path.read_text().splitlines():
        text = line.lstrip("# ").strip()
        if text and not text.startswith("%%") and not line.startswith(("import", "from")):
            return text
    return ""


def tutorials_command(console, args) -> int:
    """List the tutorials, or run one (``minigrad tutorials run 03``)."""
    found = _tutorials()
    if args.action == "list" or args.action is None:
        if not found:
            console.print(f"No tutorials found in {TUTORIALS}.")
            return 0
        table = Table(title="Tutorials (minigrad tutorials run NN)", box=None)
        table.add_column("NN")
        table.add_column("file")
        table.add_column("what it shows")
        for path in found:
            table.add_row(path.name[:2], path.name, _summary(path))
        console.print(table)
        return 0
    matches = [path for path in found if args.name and (path.name.startswith(args.name) or path.stem == args.name)]
    if len(matches) != 1:
        console.print(f"[red]expected one tutorial matching {args.name!r}, found "
                      f"{[p.name for p in matches] or 'none'}; `minigrad tutorials` lists them[/red]")
        return 2
    env = {**os.environ, **({"MINIGRAD_FAST": "1"} if args.fast else {})}
    return subprocess.run([sys.executable, str(matches[0])], env=env).returncode


# --- selftest -------------------------------------------------------------------------------------------------
def _selftest_cases():
    """(name, function, input shapes, positive inputs?) for every primitive op and the main composites."""
    import minigrad.nn.functional as F

    index = minigrad.tensor([0, 2, 0])
    mask = minigrad.tensor([[True, False, True], [False, True, True]])
    target = minigrad.tensor([1, 0])
    return [
        ("add (broadcast)", lambda a, b: a + b, [(2, 3), (3,)], False),
        ("sub", lambda a, b: a - b, [(2, 3), (2, 1)], False),
        ("mul", lambda a, b: a * b, [(2, 3), (2, 3)], False),
        ("div", lambda a, b: a / b, [(2, 3), (2, 3)], True),
        ("pow", lambda a, b: a ** b, [(2, 3), (2, 3)], True),
        ("neg", lambda a: -a, [(2, 3)], False),
        ("exp", lambda a: a.exp(), [(2, 3)], False),
        ("log", lambda a: a.log(), [(2, 3)], True),
        ("tanh", lambda a: a.tanh(), [(2, 3)], False),
        ("sigmoid", lambda a: a.sigmoid(), [(2, 3)], False),
        ("relu", lambda a: a.relu(), [(2, 3)], True),
        ("sqrt", lambda a: a.sqrt(), [(2, 3)], True),
        ("abs", lambda a: a.abs(), [(2, 3)], True),
        ("clamp", lambda a: a.clamp(0.2, 2.0), [(2, 3)], True),
        ("matmul (batched)", lambda a, b: a @ b, [(2, 2, 3), (3, 4)], False),
        ("sum (dim)", lambda a: a.sum(1), [(2, 3)], False),
        ("mean", lambda a: a.mean(), [(2, 3)], False),
        ("max (dim)", lambda a: a.max(1).values, [(2, 3)], False),
        ("amax", lambda a: a.amax(0), [(2, 3)], False),
        ("reshape", lambda a: a.reshape(3, 2), [(2, 3)], False),
        ("permute", lambda a: a.permute(2, 0, 1), [(2, 3, 2)], False),
        ("expand", lambda a: a.expand(2, 3), [(1, 3)], False),
        ("index (repeats)", lambda a: a[index], [(3, 2)], False),
        ("index (mask)", lambda a: a[mask], [(2, 3)], False),
        ("gather", lambda a: a.gather(1, minigrad.tensor([[2, 0], [1, 1]])), [(2, 3)], False),
        ("cat", lambda a, b: minigrad.cat([a, b], 1), [(2, 3), (2, 2)], False),
        ("split", lambda a: a.split([1, 2], 1)[1], [(2, 3)], False),
        ("unbind", lambda a: a.unbind(0)[1], [(2, 3)], False),
        ("stack", lambda a, b: minigrad.stack([a, b], 1), [(2, 3), (2, 3)], False),
        ("where", lambda a, b: minigrad.where(mask, a, b), [(2, 3), (2, 3)], False),
        ("softmax", lambda a: a.softmax(1), [(2, 3)], False),
        ("log_softmax", lambda a: a.log_softmax(1), [(2, 3)], False),
        ("cross_entropy", lambda a: F.cross_entropy(a, target), [(2, 3)], False),
    ]


def selftest(console, args) -> int:
    """Gradcheck every op on a device, the way a GPU user checks an install."""
    device = _device(console, args.device)
    if device is None:
        return 2
    previous = minigrad.get_default_device()
    minigrad.set_default_device(device)
    table = Table(title=f"gradcheck on device {device} (float64, central differences)", box=None)
    table.add_column("op")
    table.add_column("result")
    failures = 0
    try:
        cases = _selftest_cases()
        with _progress(console) as progress:
            task = progress.add_task("checking", total=len(cases), status="")
            for name, fn, shapes, positive in cases:
                minigrad.manual_seed(0)
                inputs = [minigrad.randn(*shape, dtype=minigrad.float64) for shape in shapes]
                if positive:
                    inputs = [x.abs() + 0.5 for x in inputs]
                inputs = [x.requires_grad_() for x in inputs]
                try:
                    minigrad.gradcheck(fn, inputs)
                    table.add_row(name, "[green]ok[/green]")
                except Exception as error:  # report every failing op, not just the first
                    failures += 1
                    table.add_row(name, f"[red]FAILED[/red] {str(error)[:60]}")
                progress.update(task, advance=1, status=name)
    finally:
        minigrad.set_default_device(previous)
    console.print(table)
    console.print(f"{len(cases) - failures} of {len(cases)} ops passed on {device}.")
    return 1 if failures else 0


# --- bench ----------------------------------------------------------------------------------------------------
def _sizes(text: str) -> list:
    try:
        sizes = [tuple(int(n) for n in group.split(",")) for group in text.split(";")]
    except ValueError:
        sizes = []
    if not sizes or any(len(size) != 4 or min(size) < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"expected sizes as T,B,I,H;T,B,I,H..., got {text!r}")
    return sizes


def bench_command(console, args) -> int:
    """Time one training step (forward + backward through time) of LSTM, GRU and RNN layers: minigrad against a
    hand-written NumPy BPTT of the same math (and torch.nn when installed), interleaved; then memory as T grows
    and the cost of one recorded op."""
    sizes = [(12, 8, 16, 32)] if args.quick else args.sizes
    cells = [cell.strip() for cell in args.cells.split(",")]
    if any(cell not in bench.CELLS for cell in cells):
        console.print(f"[red]expected cells among {', '.join(bench.CELLS)}, got {args.cells!r}[/red]")
        return 2
    device = _device(console, args.device)
    if device is None:
        return 2
    repeats = 2 if args.quick else args.repeats
    table = Table(title=f"One training step, median of {repeats} (device {device}, float32)", box=None)
    for column in ("T,B,I,H", "cell", "minigrad", "numpy", "ratio", "torch", "ratio"):
        table.add_column(column, justify="left" if column in ("T,B,I,H", "cell") else "right")
    results = []
    with _progress(console) as progress:
        task = progress.add_task("timing", total=len(sizes) * len(cells), status="")
        for size in sizes:
            for cell in cells:
                progress.update(task, status=f"{cell} {size}")
                medians = bench.time_interleaved(bench.contestants(cell, *size, device=device), repeats, device)
                results.append((size, cell, medians))
                torch_ms = medians.get("torch")
                table.add_row(",".join(map(str, size)), cell, f"{1e3 * medians['minigrad']:.1f} ms",
                              f"{1e3 * medians['numpy']:.1f} ms", f"{medians['minigrad'] / medians['numpy']:.2f}×",
                              "–" if torch_ms is None else f"{1e3 * torch_ms:.1f} ms",
                              "–" if torch_ms is None else f"{medians['minigrad'] / torch_ms:.2f}×")
                progress.update(task, advance=1)
        console.print(table)
        overhead = bench.op_overhead(count=200 if args.quick else 2000)
        console.print(f"one recorded op (forward + backward, 1 element): {overhead['per_op_us']:.1f} µs; the same "
                      f"multiplication on a bare array: {overhead['bare_op_us']:.1f} µs")
        if device == "cpu":
            lengths = (10, 20, 40) if args.quick else (25, 50, 100, 200)
            memory = Table(title="Peak host memory of one LSTM step as T grows (B=32, I=64, H=128)", box=None)
            for column in ("T", "minigrad", "numpy", "minigrad per step"):
                memory.add_column(column, justify="right")
            for steps, graph_bytes, reference_bytes in bench.memory_growth(lengths=lengths):
                memory.add_row(str(steps), f"{graph_bytes / 2**20:.1f} MiB", f"{reference_bytes / 2**20:.1f} MiB",
                               f"{graph_bytes / steps / 2**10:.0f} KiB")
            console.print(memory)
    return 0


# --- entry point ----------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minigrad",
                                     description="minigrad: a small autograd library for learning sequence models.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo_parser = commands.add_parser("demo", help="a guided tour of about a minute", description=demo.__doc__)
    demo_parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo_parser.add_argument("--quick", action="store_true", help="a few seconds instead of a minute")
    demo_parser.set_defaults(run=demo)

    trace_parser = commands.add_parser("trace", help="compare gradient flow through time for rnn, lstm and gru",
                                       description=trace_command.__doc__)
    trace_parser.add_argument("--cells", default="rnn,lstm,gru", help="comma-separated: rnn, lstm, gru")
    trace_parser.add_argument("--steps", type=int, default=50, help="sequence length (default 50)")
    trace_parser.add_argument("--hidden", type=int, default=32, help="hidden size (default 32)")
    trace_parser.add_argument("--inputs", type=int, default=8, help="input size (default 8)")
    trace_parser.add_argument("--batch", type=int, default=4, help="batch size (default 4)")
    trace_parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    trace_parser.add_argument("--scale", type=float, default=1.0,
                              help="multiply the recurrent weights W_hh by this (default 1.0)")
    trace_parser.add_argument("--forget-bias", type=float, default=None, help="LSTM forget-gate bias (default: "
                              "torch's initialisation)")
    trace_parser.set_defaults(run=trace_command)

    tutorials_parser = commands.add_parser("tutorials", help="list the tutorials or run one",
                                           description=tutorials_command.__doc__)
    tutorials_parser.add_argument("action", nargs="?", choices=["list", "run"], help="list (default) or run")
    tutorials_parser.add_argument("name", nargs="?", help="the tutorial's number or file name, e.g. 03")
    tutorials_parser.add_argument("--fast", action="store_true", help="the short version (MINIGRAD_FAST=1)")
    tutorials_parser.set_defaults(run=tutorials_command)

    bench_parser = commands.add_parser("bench", help="time training steps against hand-written NumPy BPTT",
                                       description=bench_command.__doc__)
    bench_parser.add_argument("--device", default="cpu", help="cpu (default), cuda or strict")
    default_sizes = ";".join(",".join(map(str, size)) for size in bench.DEFAULT_SIZES)
    bench_parser.add_argument("--sizes", type=_sizes, default=list(bench.DEFAULT_SIZES),
                              help=f"T,B,I,H;T,B,I,H (default {default_sizes})")
    bench_parser.add_argument("--cells", default=",".join(bench.CELLS),
                              help=f"comma-separated: {', '.join(bench.CELLS)}")
    bench_parser.add_argument("--repeats", type=int, default=7, help="timed runs of each (default 7)")
    bench_parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    bench_parser.set_defaults(run=bench_command)

    selftest_parser = commands.add_parser("selftest", help="gradcheck every op on a device",
                                          description=selftest.__doc__)
    selftest_parser.add_argument("--device", default="cpu", help="cpu (default), cuda or strict")
    selftest_parser.set_defaults(run=selftest)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "steps", 1) < 1 or getattr(args, "hidden", 1) < 1:
        parser.error("expected --steps and --hidden to be at least 1")
    return args.run(make_console(), args)


if __name__ == "__main__":
    sys.exit(main())
