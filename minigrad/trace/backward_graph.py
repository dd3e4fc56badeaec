"""The backward graph of a tensor, drawn as a tree.

    minigrad.trace.graph(loss, names=model)             # the structure, before backward
    minigrad.trace.graph(loss, names=model, backward=True)  # runs backward and shows ‖gradient‖ at every node

Each node is the backward of one op (``MulBackward``), listed with the shapes of its inputs; leaves are the
tensors that receive ``.grad`` (named when ``names`` is a Module or a {tensor: name} mapping). Three things keep an
unrolled recurrence readable:

- the ops of one time step (created inside a ``trace.scope``) fold into one node, and a chain of such steps into
  one line, "LSTM step × 50";
- siblings that look the same ("ReshapeBackward" fifty times) are drawn once, "× 50";
- a node reached a second time (the graph is a DAG) is not expanded again, and ``depth`` limits nesting.
"""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from .. import engine
from ..tensor import Tensor
from .render import inputs_of, leaf_names_of, number, show


class GraphTrace:
    """The tree, plus ``gradient_norms``: node → ‖dL/d(output)‖ when made with ``backward=True``."""

    def __init__(self, tree: Tree, gradient_norms: dict):
        self.tree = tree
        self.gradient_norms = gradient_norms

    def __rich__(self):
        return self.tree

    def show(self, file=None) -> None:
        show(self, file)


def _norm_of(arrays) -> float | None:
    present = [a for a in arrays if a is not None]
    if not present:
        return None
    return sum(float((a * a).sum()) for a in present) ** 0.5


class _NormKeeper(engine.Observer):
    """Notes ‖dL/d(output)‖ of every node backward runs."""

    def __init__(self, norms: dict):
        self.norms = norms

    def node_backward(self, node, output_grads, input_grads) -> None:
        self.norms[node] = _norm_of(output_grads)


def graph(tensor: Tensor, names=None, depth: int = 12, backward: bool = False) -> GraphTrace:
    """The backward graph below ``tensor`` as a rich Tree (see the module docstring)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"graph: expected a Tensor, got {type(tensor).__name__}")
    if tensor.grad_fn is None:
        raise ValueError("graph: expected a tensor computed from tensors that require grad (it has no grad_fn)")
    norms = {}
    if backward:
        with engine.observe(_NormKeeper(norms)):
            tensor.backward(retain_graph=True)
    leaf_names = leaf_names_of(names, "graph")
    root = Tree(_node_label(tensor.grad_fn, norms, 1))
    _grow(root, tensor.grad_fn, leaf_names, norms, depth)
    return GraphTrace(root, norms)


def _shapes_text(node) -> str:
    """The input shapes, repeats written once: "(1, 2, 4)×50"."""
    runs = []
    for meta in node.input_meta:
        if meta is None:
            continue
        if runs and runs[-1][0] == meta[0]:
            runs[-1][1] += 1
        else:
            runs.append([meta[0], 1])
    return ", ".join(f"{shape}×{n}" if n > 1 else str(shape) for shape, n in runs)


def _node_label(node, norms: dict, count: int) -> Text:
    label = Text(node.name(), style="bold")
    label.append(f"  ({_shapes_text(node)})", style="dim")
    if node in norms and norms[node] is not None:
        label.append(f"  ‖grad‖ {number(norms[node])}")
    if count > 1:
        label.append(f"  × {count}", style="bold magenta")
    return label


def _leaf_label(leaf: Tensor, leaf_names: dict) -> Text:
    label = Text(leaf_names.get(id(leaf), "leaf"), style="bold green")
    label.append(f"  {leaf.shape}", style="dim")
    if leaf.grad is not None:
        label.append(f"  ‖grad‖ {number(_norm_of([leaf.grad.numpy()]))}")
    return label


def _kind(scope) -> tuple:
    """What steps of one recurrence share: the scope's name and meta except the time step."""
    return (scope.name, tuple(sorted(kv for kv in scope.meta.items() if kv[0] != "t")))


def _chain(starts: list) -> dict:
    """Every node of the same kind of step reachable from ``starts``: a whole unrolled recurrence.

    Step t's ops consume step t-1's state directly, so walking parents while the scope stays of the same kind
    visits every earlier step."""
    kind = _kind(starts[0].scope)
    members, stack = dict.fromkeys(starts), list(starts)  # a dict: a set that keeps the order of discovery
    while stack:
        for parent in inputs_of(stack.pop()):
            if isinstance(parent, engine.Function) and parent.scope is not None and _kind(parent.scope) == kind \
                    and parent not in members:
                members[parent] = None
                stack.append(parent)
    return members


def _inputs_of(nodes) -> list:
    """The parents of ``nodes`` that are not themselves among them, in first-seen order, each once (a dict keeps
    the order and compares by identity, as tensors compare elementwise)."""
    inside = set(nodes)
    found = {}
    for node in nodes:
        for parent in inputs_of(node):
            if parent is not None and parent not in inside:
                found[parent] = None
    return list(found)


def _signature(entry) -> tuple:
    """What makes inputs "the same" for drawing: the op and its input shapes; for steps, the kind of step."""
    if isinstance(entry, Tensor):
        return ("leaf", id(entry))
    if entry.scope is not None:
        return ("step",) + _kind(entry.scope)
    return (entry.name(), tuple(meta[0] if meta else None for meta in entry.input_meta))


def _grow(branch: Tree, root, leaf_names: dict, norms: dict, depth: int) -> None:
    """Draw the inputs below ``root``. Work items are groups of nodes drawn as one (iterative: any graph size)."""
    shown = {root}
    work = [(branch, [root], depth)]
    while work:
        branch, group, remaining = work.pop()
        if group[0].scope is not None:  # a run of recurrent steps: one line for all of them
            chain = _chain(group)
            shown.update(chain)
            steps = {node.scope for node in chain}
            first = min(steps, key=lambda scope: scope.get("t", 0))
            text = first.describe() if len(steps) == 1 else first.name + "".join(
                f", {k}={v}" for k, v in first.meta.items() if k != "t") + f"  × {len(steps)} steps"
            branch = branch.add(Text(text, style="bold cyan"))
            children = _inputs_of(chain)
        else:
            children = _inputs_of(group)
        if not children:
            continue
        if remaining <= 0:
            branch.add(Text("… (depth limit)", style="dim"))
            continue
        groups = {}
        for child in children:
            groups.setdefault(_signature(child), []).append(child)
        for members in groups.values():
            child = members[0]
            if isinstance(child, Tensor):
                branch.add(_leaf_label(child, leaf_names))
            elif all(member in shown for member in members):
                branch.add(Text(f"{child.name()} (shown above)", style="dim"))
            else:
                shown.update(members)
                target = branch if child.scope is not None else branch.add(_node_label(child, norms, len(members)))
                work.append((target, members, remaining - 1))
