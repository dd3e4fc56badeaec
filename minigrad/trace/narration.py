"""Backward of a tiny graph, narrated node by node: the chain rule with numbers.

    w1, x1, w2, x2, b = (minigrad.tensor(v, requires_grad=True) for v in (-3.0, 2.0, 1.0, 0.0, 6.9))
    loss = ((w1 * x1 + w2 * x2 + b).tanh() - 0.5) ** 2
    minigrad.trace.step_through(loss, names={"w1": w1, "x1": x1, "w2": w2, "x2": x2, "b": b}).show()

Backpropagation is one rule applied over and over. Each node of the graph receives dL/d(out), the gradient of
the loss with respect to its output, multiplies it by its *local* derivative d(out)/d(in) (which only the op
itself knows: 1 - tanh² for tanh, the other factor for a product) and passes dL/d(in) on to whatever produced
that input. The trace runs a real ``backward()`` and reports, in the order the engine runs the nodes:

- what each node receives, dL/d(out);
- for each input, the local derivative (the passed gradient divided by the received one, where that is
  meaningful: element by element, or per element when the output is a single value) and the gradient it passes;
- which input that is: a leaf (named from ``names``) or the output of an earlier node, so the gradient can be
  followed from the loss to every leaf;
- the leaves' ``.grad`` at the end, which is where the passed gradients add up.

The numbers are the engine's own (a backward observer watches it), not a re-derivation, so the trace is also a
way to check a hand calculation. It is meant for graphs small enough to read: at most ``max_nodes`` nodes and
16 elements per tensor. Like any ``backward()``, it adds to the leaves' ``.grad`` and frees the graph.
"""

from __future__ import annotations

import math
import numbers

from rich.console import Group
from rich.text import Text

from .. import engine
from ..tensor import AccumulateGrad, Tensor
from .render import inputs_of, leaf_names_of, number, show

MAX_ELEMENTS = 16  # per tensor: more numbers than this per line no longer reads as a story


def _values(array) -> list:
    """A gradient (a raw array of any device) as a flat list of Python floats: the explicit host copy."""
    return [float(v) for v in array.reshape(-1).tolist()]


def _text(values) -> str:
    if values is None:
        return "–"
    return number(values[0]) if len(values) == 1 else "[" + ", ".join(map(number, values)) + "]"


def _local_derivative(received: list | None, passed: list | None) -> list | None:
    """d(out)/d(in) = dL/d(in) ÷ dL/d(out), where the division means something.

    When the output is one value each input element has its own derivative; when the gradients have the same
    number of elements (elementwise ops) the division goes element by element. Otherwise (matmul, reshape, sum
    into many) the local derivative is a matrix that this trace does not print. A zero received gradient says
    nothing about the derivative, hence None there.
    """
    if received is None or passed is None:
        return None
    if len(received) == 1:
        received = received * len(passed)
    elif len(received) != len(passed):
        return None
    return [p / r if r != 0 else None for p, r in zip(passed, received)]


def _check_small(root, max_nodes: int) -> None:
    """Refuse graphs too big to narrate, before running anything."""
    seen, stack = {root}, [root]
    while stack:
        node = stack.pop()
        for meta in node.input_meta:
            if meta is not None and math.prod(meta[0]) > MAX_ELEMENTS:
                raise ValueError(f"step_through: expected tensors of at most {MAX_ELEMENTS} elements, got an input "
                                 f"of shape {meta[0]} to {node.name()}; use trace.graph for larger graphs")
        for parent in inputs_of(node):
            if isinstance(parent, engine.Function) and parent not in seen:
                seen.add(parent)
                stack.append(parent)
                if len(seen) > max_nodes:
                    raise ValueError(f"step_through: expected a graph of at most max_nodes={max_nodes} nodes, got "
                                     f"more; use trace.graph for larger graphs or raise max_nodes")


class StepThrough:
    """``events``: one dict per node, in the order the engine ran them; ``leaves``: each leaf's final ``.grad``.

    An event holds ``step``, ``op`` (e.g. "MulBackward"), ``output`` (the name the narrative gives the node's
    output: "L" for the root, "mul3" for the node of step 3), ``received`` (dL/d(output) for each output, a list of
    floats or None) and ``inputs``: for each input of the op a dict with ``name``, ``kind`` ("leaf", "node" or
    "constant"), ``local`` (d(output)/d(input), or None) and ``gradient`` (dL/d(input) as passed on, or None).
    """

    def __init__(self, events: list, leaves: list):
        self.events = events
        self.leaves = leaves

    def _narrate(self, event: dict) -> Text:
        out = event["output"]
        received = ", ".join(f"dL/d{out}{f'[{k}]' if len(event['received']) > 1 else ''} = {_text(values)}"
                             for k, values in enumerate(event["received"]))
        text = Text(f"{event['step']:>2}. ")
        text.append(event["op"], style="bold cyan")
        text.append(f" receives {received}")
        for item in event["inputs"]:
            name = item["name"]
            if item["kind"] == "constant":
                text.append(f"\n      {name}: no gradient", style="dim")
                continue
            text.append(f"\n      {name}: local derivative d{out}/d{name} = {_text(item['local'])}")
            text.append(f"\n        passes dL/d{name} = ")
            received, local = event["received"][0], item["local"]
            if len(event["received"]) == 1 and received and local and len(received) == len(local) == len(
                    item["gradient"]):
                text.append(f"{_text(received)} × {_text(local)} = ")  # the chain rule itself
            text.append(_text(item["gradient"]), style="bold")
            if item["summed"]:
                text.append(" (summed over its broadcast copies)", style="dim")
        return text

    def __rich__(self):
        header = Text("Backward, node by node. Each node receives dL/d(out), multiplies it by its local derivative "
                      "d(out)/d(in) and passes dL/d(in) on: the chain rule.", style="italic")
        leaves = Text("The leaves' .grad after backward (the sum of what each received):")
        for leaf in self.leaves:
            leaves.append(f"\n    {leaf['name']}.grad = {_text(leaf['grad'])}", style="bold green")
        return Group(header, *map(self._narrate, self.events), leaves)

    def show(self, file=None) -> None:
        show(self, file)


class _Narrator(engine.Observer):
    """Writes down what each node received and returned, before the engine frees it."""

    def __init__(self, events: list):
        self.events = events

    def node_backward(self, node, output_grads, input_grads) -> None:
        if not isinstance(node, AccumulateGrad):  # a leaf's .grad is told at the end, not as a step
            _observe(node, output_grads, input_grads, self.events)


def _observe(node, output_grads, input_grads, events: list) -> None:
    received = [None if g is None else _values(g) for g in output_grads]
    inputs = []
    for position, (parent, meta, grad) in enumerate(zip(inputs_of(node), node.input_meta, input_grads)):
        if parent is None:
            inputs.append({"name": f"constant (input {position + 1})", "kind": "constant", "local": None,
                           "gradient": None, "summed": False})
            continue
        # The engine sums a broadcast gradient back to the input's shape after this observer runs; do the same
        # so the narrative shows what the input really receives (and the local derivative what the op returned).
        returned = None if grad is None else _values(grad)
        passed = None if grad is None else _values(engine.unbroadcast(grad, meta[0]))
        local = _local_derivative(received[0], returned) if len(received) == 1 else None
        inputs.append({"source": (parent, node.parent_outputs[position]), "local": local, "gradient": passed,
                       "summed": grad is not None and grad.shape != meta[0]})
    events.append({"node": node, "step": len(events) + 1, "op": node.name(), "received": received,
                   "inputs": inputs})


def _short(op: str) -> str:
    return op.removesuffix("Backward").lower()


def _name_everything(events: list, root, leaf_names: dict) -> list:
    """Replace node and tensor references by names (in place); return the leaves with their final .grad."""
    # The root's output is the loss, L; every other output is named after its op and step: "tanh3".
    output_of = {id(e["node"]): "L" if e["node"] is root else _short(e["op"]) + str(e["step"]) for e in events}
    leaves, unnamed = {}, 0
    for event in events:
        node = event.pop("node")
        event["output"] = output_of[id(node)]
        for item in event["inputs"]:
            if item.get("kind") == "constant":
                continue
            parent, output_nr = item.pop("source")
            if isinstance(parent, Tensor):
                if id(parent) not in leaves:
                    if id(parent) not in leaf_names:
                        unnamed += 1
                    leaves[id(parent)] = (leaf_names.get(id(parent), f"leaf{unnamed}"), parent)
                item.update(kind="leaf", name=leaves[id(parent)][0])
            else:
                name = output_of.get(id(parent), _short(parent.name()) + "?")  # "?": a node backward never reached
                item.update(kind="node", name=name + (f"[{output_nr}]" if parent.num_outputs > 1 else ""))
    # Named leaves in the order the caller named them, then the others in the order backward reached them.
    order = {tensor_id: rank for rank, tensor_id in enumerate(leaf_names)}
    ranked = sorted(leaves.items(), key=lambda item: order.get(item[0], len(order)))
    return [{"name": name, "grad": None if leaf.grad is None else _values(leaf.grad.numpy())}
            for _, (name, leaf) in ranked]


def step_through(tensor: Tensor, names=None, max_nodes: int = 50) -> StepThrough:
    """Run ``tensor.backward()`` on a tiny graph and record, node by node, the chain rule at work.

    ``tensor`` is a one-element result of ops (a loss). ``names`` names the leaves: a Module (its parameter names),
    a dict {"w1": w1, ...}, {w1: "w1", ...} or {id(w1): "w1", ...}; unnamed leaves are called leaf1, leaf2, ...
    Graphs of more than ``max_nodes`` nodes or with tensors of more than 16 elements are refused.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"step_through: expected a Tensor, got {type(tensor).__name__}")
    if tensor.grad_fn is None:
        raise ValueError("step_through: expected the result of ops on tensors that require grad (a tensor with a "
                         "grad_fn), got a leaf")
    if tensor.numel() != 1:
        raise ValueError(f"step_through: expected a one-element tensor (a loss), got shape {tensor.shape}")
    if not isinstance(max_nodes, numbers.Integral) or isinstance(max_nodes, bool) or max_nodes < 1:
        raise ValueError(f"step_through: expected max_nodes to be a positive int, got {max_nodes!r}")
    leaf_names = leaf_names_of(names, "step_through")
    _check_small(tensor.grad_fn, max_nodes)

    events = []

    with engine.observe(_Narrator(events)):
        tensor.backward()
    return StepThrough(events, _name_everything(events, tensor.grad_fn, leaf_names))
