"""The ``minigrad`` commands that need sequence models: demo, trace and bench.

minigrad must not import models (models is built on it), so these commands join the ``minigrad`` command the
other way round: setup.cfg declares each one in the entry-point group ``minigrad.commands``, installing the
distribution registers them, and ``minigrad.cli`` adds every command it finds there. Each entry point is a
function ``add(commands, name)`` that adds the command's parser to argparse's subparsers, with ``run(console,
args)`` as its default.
"""

from __future__ import annotations

import argparse

from rich.table import Table

import minigrad
from minigrad import bench as engine_bench
from minigrad import nn, trace
from minigrad.cli import named_device, progress

from . import bench, experiments, tasks
from .multihead_attention import MultiheadAttention
from .registry import RECURRENCES
from .transformer import PositionalEncoding, TransformerEncoderLayer

CELLS = tuple(RECURRENCES)


# --- shared by demo and trace ---------------------------------------------------------------------------------
class _AttentionLayer(nn.Module):
    """The inputs projected to the model size, plus positions, then one attention layer over the whole sequence:
    a MultiheadAttention (self-attention) or a pre-LN TransformerEncoderLayer. The encoder layer announces its
    input and attention weights to the traces itself; for the bare MultiheadAttention this module does it."""

    def __init__(self, kind: str, inputs: int, hidden: int):
        super().__init__()
        heads = next(h for h in (4, 2, 1) if hidden % h == 0)
        self.embed = nn.Linear(inputs, hidden)
        self.positions = PositionalEncoding(hidden, dropout=0.0)
        # pre-LN: a post-LN layer ends in a LayerNorm, whose outputs always sum to sum(bias), so the traces' loss,
        # the sum of the last output, would have no gradient at all
        self.layer = (MultiheadAttention(hidden, heads) if kind == "attention" else
                      TransformerEncoderLayer(hidden, heads, 2 * hidden, dropout=0.0, norm_first=True))

    def forward(self, x):
        x = self.positions(self.embed(x))
        if isinstance(self.layer, TransformerEncoderLayer):
            return self.layer(x)
        with trace.scope("MultiheadAttention"):  # trace.graph draws it as one node
            output, weights = self.layer(x, x, x)
            trace.record_attention(self_attn=weights)
        return output


ATTENTION = {"attention": "attention", "encoder": "encoder"}  # kind -> title
KINDS = CELLS + tuple(ATTENTION)


def _build(kind: str, inputs: int, hidden: int, scale: float, forget_bias):
    """One layer of ``kind`` and a function that runs it on (T, N, inputs) and returns the (T, N, ·) output."""
    if kind in ATTENTION:
        layer = _AttentionLayer(kind, inputs, hidden)
        return layer, layer
    options = {"forget_bias": forget_bias} if kind == "lstm" and forget_bias is not None else {}
    layer = RECURRENCES[kind].layer(inputs, hidden, **options)
    with minigrad.no_grad():
        for parameter_name, parameter in layer.named_parameters():
            if parameter_name.startswith("weight_hh"):
                parameter.copy_(parameter * scale)
    return layer, lambda x: layer(x)[0]


def gradient_flow(cells=CELLS, steps=50, hidden=32, inputs=8, batch=4, seed=0, scale=1.0, forget_bias=None,
                  graphs=None) -> dict:
    """Run one random sequence through each kind of layer (recurrent, or attention: see KINDS) and backpropagate
    from the last output only.

    Returns {title: ThroughTime}: how much gradient reaches h_t at every step t (recurrent layers), and, for every
    kind, ‖∂L/∂x_t‖ of the input x_t (``grad_x``). ``scale`` multiplies the recurrent weights W_hh after their
    default initialisation (> 1 pushes towards explosion, < 1 towards vanishing). ``graphs``, a dict if given,
    receives {title: trace.graph of the loss}.
    """
    minigrad.manual_seed(seed)
    x = minigrad.randn(steps, batch, inputs)
    flows = {}
    for cell in cells:
        minigrad.manual_seed(seed + 1)
        layer, run = _build(cell, inputs, hidden, scale, forget_bias)
        title = ATTENTION.get(cell) or RECURRENCES[cell].title
        with trace.through_time() as flow:
            output = run(flow.watch(x.detach().requires_grad_()))  # a leaf of its own: hooks stay with one flow
        loss = output[-1].sum()
        if graphs is not None:
            graphs[title] = trace.graph(loss, names=layer)
        loss.backward()
        flows[title] = flow
    return flows


def _positive(text: str) -> int:
    """An argparse type: an int of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an int of at least 1, got {text!r}")
    return value


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
    minigrad.manual_seed(args.seed)
    train_data, held_out = tasks.date_split(2000 if args.quick else 20000, 200, seed=args.seed)
    model = experiments.build_seq2seq(train_data, attention=True)
    steps = 30 if args.quick else 300
    experiments.train(model, train_data, steps=steps, description="training on dates", seed=args.seed)
    accuracy = experiments.accuracy(model, held_out)
    console.print(f"After {steps} steps of training: {accuracy:.1%} exact match on {len(held_out)} dates it never "
                  "saw.")
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


def add_demo(commands, name: str) -> None:
    """Entry point of ``minigrad demo``."""
    parser = commands.add_parser(name, help="a guided tour of about a minute", description=demo.__doc__)
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--quick", action="store_true", help="a few seconds instead of a minute")
    parser.set_defaults(run=demo)


# --- trace ----------------------------------------------------------------------------------------------------
MAP_ROWS = 12  # the trace command draws the attention weights of this many query positions (the last ones)


def trace_command(console, args) -> int:
    """Compare gradient flow for recurrent layers (rnn, lstm, gru) and attention layers (attention: one
    MultiheadAttention, encoder: one TransformerEncoderLayer, both over positionally encoded inputs) on one random
    sequence, the loss reading only its last output."""
    cells = [cell.strip() for cell in args.cells.split(",")]
    unknown = [cell for cell in cells if cell not in KINDS]
    if unknown:
        console.print(f"[red]unknown cell {unknown[0]!r}: expected some of {', '.join(KINDS)}[/red]")
        return 2
    graphs = {} if args.graph else None
    flows = gradient_flow(cells, args.steps, args.hidden, args.inputs, args.batch, args.seed, args.scale,
                          args.forget_bias, graphs)
    # an attention layer has no h_t: with one in the race, every layer is measured at its input x_t
    quantity = "grad_x" if any(cell in ATTENTION for cell in cells) else "grad_h"
    console.print(trace.compare(flows, quantity))
    factors = [(name, flow.factor(quantity)) for name, flow in flows.items()]
    if args.steps >= 3:
        console.print("Fitted factor per step back, before the step the loss reads: " + ",  ".join(
            f"{name} ×{factor:.3f}" for name, factor in factors if factor is not None))
    gates = Table(title="Mean gate activations over the sequence", box=None)
    gates.add_column("layer")
    gates.add_column("gate")
    gates.add_column("mean", justify="right")
    for name, flow in flows.items():
        for gate in flow.quantities():
            if gate.endswith("_gate"):
                values = flow.series(gate)
                gates.add_row(name, gate.replace("_", " "), f"{sum(values) / len(values):.3f}")
    if gates.row_count:
        console.print(gates)
    for cell in cells:
        if cell in ATTENTION:
            rows = flows[ATTENTION[cell]].attention()[-MAP_ROWS:]
            positions = [str(t) for t in range(args.steps)]
            console.print(trace.attention_map(rows, positions, positions[-len(rows):], title=(
                f"{ATTENTION[cell]}: where the last {len(rows)} positions look (mean over the batch)")))
    for name, graph in (graphs or {}).items():
        console.rule(f"[bold]{name}: the backward graph of the loss")
        console.print(graph)
    return 0


def add_trace(commands, name: str) -> None:
    """Entry point of ``minigrad trace``."""
    parser = commands.add_parser(name, help="compare gradient flow through time and positions for recurrent and "
                                 "attention layers", description=trace_command.__doc__)
    parser.add_argument("--cells", default=",".join(CELLS), help=f"comma-separated: {', '.join(KINDS)} (default "
                        f"{','.join(CELLS)})")
    parser.add_argument("--steps", type=_positive, default=50, help="sequence length (default 50)")
    parser.add_argument("--hidden", type=_positive, default=32, help="hidden size (default 32)")
    parser.add_argument("--inputs", type=int, default=8, help="input size (default 8)")
    parser.add_argument("--batch", type=int, default=4, help="batch size (default 4)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the recurrent weights W_hh by this (default 1.0)")
    parser.add_argument("--forget-bias", type=float, default=None, help="LSTM forget-gate bias (default: "
                        "torch's initialisation)")
    parser.add_argument("--graph", action="store_true", help="also draw each layer's backward graph")
    parser.set_defaults(run=trace_command)


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
    """Time one training step (forward + backward through time) of RNN, LSTM and GRU layers: minigrad against a
    hand-written NumPy BPTT of the same math (and torch.nn when installed), interleaved; then memory as T grows
    and the cost of one recorded op."""
    sizes = [(12, 8, 16, 32)] if args.quick else args.sizes
    cells = [cell.strip() for cell in args.cells.split(",")]
    if any(cell not in CELLS for cell in cells):
        console.print(f"[red]expected cells among {', '.join(CELLS)}, got {args.cells!r}[/red]")
        return 2
    device = named_device(console, args.device)
    if device is None:
        return 2
    repeats = 2 if args.quick else args.repeats
    table = Table(title=f"One training step, median of {repeats} (device {device}, float32)", box=None)
    for column in ("T,B,I,H", "cell", "minigrad", "numpy", "ratio", "torch", "ratio"):
        table.add_column(column, justify="left" if column in ("T,B,I,H", "cell") else "right")
    with progress(console) as bar:
        task = bar.add_task("timing", total=len(sizes) * len(cells), status="")
        for size in sizes:
            for cell in cells:
                bar.update(task, status=f"{cell} {size}")
                medians = engine_bench.time_interleaved(bench.contestants(cell, *size, device=device), repeats,
                                                        device)
                torch_ms = medians.get("torch")
                table.add_row(",".join(map(str, size)), cell, f"{1e3 * medians['minigrad']:.1f} ms",
                              f"{1e3 * medians['numpy']:.1f} ms", f"{medians['minigrad'] / medians['numpy']:.2f}×",
                              "–" if torch_ms is None else f"{1e3 * torch_ms:.1f} ms",
                              "–" if torch_ms is None else f"{medians['minigrad'] / torch_ms:.2f}×")
                bar.update(task, advance=1)
        console.print(table)
        overhead = engine_bench.op_overhead(count=200 if args.quick else 2000)
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


def add_bench(commands, name: str) -> None:
    """Entry point of ``minigrad bench``."""
    parser = commands.add_parser(name, help="time training steps against hand-written NumPy BPTT",
                                 description=bench_command.__doc__)
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or strict")
    default_sizes = ";".join(",".join(map(str, size)) for size in bench.DEFAULT_SIZES)
    parser.add_argument("--sizes", type=_sizes, default=list(bench.DEFAULT_SIZES),
                        help=f"T,B,I,H;T,B,I,H (default {default_sizes})")
    parser.add_argument("--cells", default=",".join(CELLS), help=f"comma-separated: {', '.join(CELLS)}")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each (default 7)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    parser.set_defaults(run=bench_command)
