"""The ``minigrad`` command line (also ``python -m minigrad``)."""

from __future__ import annotations

import argparse
import math
import sys

from rich.console import Console
from rich.table import Table
from rich.tree import Tree

import minigrad


def _graph_tree(tensor, names: dict) -> Tree:
    """The backward graph below ``tensor`` as a rich Tree: op nodes, and the named leaves they reach."""
    def label(node):
        if isinstance(node, minigrad.Tensor):
            return f"[bold]{names.get(id(node), 'leaf')}[/bold]  (leaf, grad {_fmt(node.grad.item())})"
        return f"{node.name()}"

    root = Tree(f"[bold]{names.get(id(tensor), 'output')}[/bold] ← {label(tensor.grad_fn)}")
    stack = [(root, tensor.grad_fn)]
    while stack:
        branch, node = stack.pop()
        for parent in node.parents:
            if parent is None:
                continue
            child = branch.add(label(parent))
            if not isinstance(parent, minigrad.Tensor):
                stack.append((child, parent))
    return root


def _fmt(value: float) -> str:
    return f"{value:+.6f}"


def demo(console: Console, args) -> int:
    """A single tanh neuron, L = (tanh(w1·x1 + w2·x2 + b) - t)², differentiated by the graph and by hand."""
    console.rule("[bold]minigrad demo: one neuron, forward and backward")
    minigrad.manual_seed(args.seed)
    x1, x2, t = 2.0, -1.0, 0.5
    w1 = minigrad.tensor(0.3, requires_grad=True, dtype=minigrad.float64)
    w2 = minigrad.tensor(-0.7, requires_grad=True, dtype=minigrad.float64)
    b = minigrad.tensor(0.1, requires_grad=True, dtype=minigrad.float64)

    z = w1 * x1 + w2 * x2 + b
    y = z.tanh()
    loss = (y - t) ** 2
    for intermediate in (z, y):
        intermediate.retain_grad()
    loss.backward()

    console.print(f"inputs x1 = {x1}, x2 = {x2}, target t = {t}")
    console.print(f"forward: z = w1·x1 + w2·x2 + b = {z.item():.6f},  y = tanh(z) = {y.item():.6f},  "
                  f"L = (y - t)² = {loss.item():.6f}")
    names = {id(w1): "w1", id(w2): "w2", id(b): "b", id(loss): "L"}
    console.print("\nThe graph that backward walked (each op hands gradients to its inputs):")
    console.print(_graph_tree(loss, names))

    # The chain rule written out: dL/dy = 2(y - t), dy/dz = 1 - y², dz/dw1 = x1, dz/dw2 = x2, dz/db = 1.
    dL_dy = 2 * (y.item() - t)
    dL_dz = dL_dy * (1 - y.item() ** 2)
    table = Table(title="Gradients: the graph's backward vs the chain rule by hand")
    for column in ("quantity", "backward", "by hand", "formula"):
        table.add_column(column, justify="right" if column in ("backward", "by hand") else "left")
    rows = [("dL/dy", y.grad.item(), dL_dy, "2(y - t)"),
            ("dL/dz", z.grad.item(), dL_dz, "dL/dy · (1 - y²)"),
            ("dL/dw1", w1.grad.item(), dL_dz * x1, "dL/dz · x1"),
            ("dL/dw2", w2.grad.item(), dL_dz * x2, "dL/dz · x2"),
            ("dL/db", b.grad.item(), dL_dz, "dL/dz · 1")]
    for name, by_graph, by_hand, formula in rows:
        table.add_row(name, _fmt(by_graph), _fmt(by_hand), formula)
    console.print(table)
    agree = all(math.isclose(g, h, rel_tol=1e-12, abs_tol=1e-15) for _, g, h, _ in rows)

    def neuron(w1, w2, b):
        return ((w1 * x1 + w2 * x2 + b).tanh() - t) ** 2

    checked = minigrad.gradcheck(neuron, (w1.detach().requires_grad_(), w2.detach().requires_grad_(),
                                          b.detach().requires_grad_()))
    console.print(f"backward agrees with the chain rule by hand: [bold]{agree}[/bold]")
    console.print(f"gradcheck against central differences: [bold]{checked}[/bold]")
    return 0 if agree and checked else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minigrad", description="minigrad: a small autograd library for learning sequence models.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo_parser = commands.add_parser("demo", help="a tour: a small graph's forward, backward and gradients",
                                      description=demo.__doc__)
    demo_parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo_parser.set_defaults(run=demo)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.run(Console(), args)


if __name__ == "__main__":
    sys.exit(main())
