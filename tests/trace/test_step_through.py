"""trace.step_through: the narrated backward pass agrees with the engine and with the chain rule by hand.

The example is one tanh neuron with a squared error, L = (tanh(w1·x1 + w2·x2 + b) − t)². Outgoing gradients are
compared with an identical second graph whose intermediates keep their gradient (retain_grad), and the local
derivatives with the formulas a learner would derive on paper.
"""

import io
import math

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
from minigrad import engine
from minigrad.trace import step_through
from minigrad.trace.render import number, show

VALUES = {"w1": -3.0, "x1": 2.0, "w2": 1.0, "x2": 0.5, "b": 6.3}
TARGET = 0.25


def neuron():
    """The leaves, the intermediates (pre-activation n, activation a) and the loss, in float64."""
    leaves = {name: minigrad.tensor(value, dtype=minigrad.float64, requires_grad=True)
              for name, value in VALUES.items()}
    n = leaves["w1"] * leaves["x1"] + leaves["w2"] * leaves["x2"] + leaves["b"]
    a = n.tanh()
    loss = (a - TARGET) ** 2
    return leaves, n, a, loss


def event_for(trace, op, input_name=None):
    """The event of ``op`` (the one with an input called ``input_name``, when several nodes share the op)."""
    matches = [e for e in trace.events if e["op"] == op
               and (input_name is None or any(i["name"] == input_name for i in e["inputs"]))]
    assert len(matches) == 1, (op, input_name, [e["op"] for e in trace.events])
    return matches[0]


def inputs_by_name(event) -> dict:
    return {item["name"]: item for item in event["inputs"]}


@pytest.fixture
def traced():
    leaves, _, _, loss = neuron()
    return step_through(loss, names=leaves), leaves


@pytest.fixture
def reference():
    """The same graph run by a plain backward, with the intermediates' gradients retained."""
    leaves, n, a, loss = neuron()
    n.retain_grad()
    a.retain_grad()
    loss.backward()
    return {"n": n.grad.item(), "a": a.grad.item(), **{name: t.grad.item() for name, t in leaves.items()}}


def test_nodes_run_from_the_loss_to_the_leaves(traced):
    trace, _ = traced
    ops = [e["op"] for e in trace.events]
    assert ops[:3] == ["PowBackward", "SubBackward", "TanhBackward"]
    assert sorted(ops[3:]) == ["AddBackward", "AddBackward", "MulBackward", "MulBackward"]
    assert [e["step"] for e in trace.events] == list(range(1, 8))
    assert trace.events[0]["output"] == "L" and trace.events[0]["received"] == [[1.0]]


def test_passed_gradients_equal_the_engines_gradients(traced, reference):
    trace, _ = traced
    assert event_for(trace, "PowBackward")["inputs"][0]["gradient"] == pytest.approx([reference["a"]])
    assert event_for(trace, "TanhBackward")["inputs"][0]["gradient"] == pytest.approx([reference["n"]])
    for weight, x in (("w1", "x1"), ("w2", "x2")):
        mul = inputs_by_name(event_for(trace, "MulBackward", weight))
        assert mul[weight]["gradient"] == pytest.approx([reference[weight]])
        assert mul[x]["gradient"] == pytest.approx([reference[x]])
    assert inputs_by_name(event_for(trace, "AddBackward", "b"))["b"]["gradient"] == pytest.approx([reference["b"]])


def test_each_node_receives_what_its_consumer_passed(traced):
    trace, _ = traced
    passed = {item["name"]: item["gradient"] for e in trace.events for item in e["inputs"] if item["kind"] == "node"}
    for event in trace.events[1:]:
        assert event["received"] == [passed[event["output"]]]


def test_local_derivatives_match_the_hand_derived_formulas(traced):
    trace, _ = traced
    n = VALUES["w1"] * VALUES["x1"] + VALUES["w2"] * VALUES["x2"] + VALUES["b"]
    a = math.tanh(n)
    assert event_for(trace, "PowBackward")["inputs"][0]["local"] == pytest.approx([2 * (a - TARGET)])  # d(u²)/du
    assert event_for(trace, "SubBackward")["inputs"][0]["local"] == pytest.approx([1.0])  # d(a − t)/da
    assert event_for(trace, "TanhBackward")["inputs"][0]["local"] == pytest.approx([1 - a * a])  # 1 − tanh²
    for item in event_for(trace, "AddBackward", "b")["inputs"]:
        assert item["local"] == pytest.approx([1.0])
    for weight, x in (("w1", "x1"), ("w2", "x2")):
        mul = inputs_by_name(event_for(trace, "MulBackward", weight))
        assert mul[weight]["local"] == pytest.approx([VALUES[x]])  # d(w·x)/dw = x
        assert mul[x]["local"] == pytest.approx([VALUES[weight]])  # d(w·x)/dx = w


def test_constants_are_listed_without_gradient(traced):
    trace, _ = traced
    constant = event_for(trace, "SubBackward")["inputs"][1]
    assert constant["kind"] == "constant" and constant["gradient"] is None and constant["local"] is None


def test_leaves_end_with_their_grad_in_the_order_they_were_named(traced, reference):
    trace, leaves = traced
    assert [leaf["name"] for leaf in trace.leaves] == list(VALUES)
    for leaf in trace.leaves:
        assert leaf["grad"] == pytest.approx([reference[leaf["name"]]])
        assert leaf["grad"] == pytest.approx([leaves[leaf["name"]].grad.item()])


def test_narrative_reads_as_the_chain_rule(traced):
    trace, leaves = traced
    buffer = io.StringIO()
    show(trace, file=buffer)
    text = buffer.getvalue()
    assert " 1. PowBackward receives dL/dL = 1" in text
    received = event_for(trace, "MulBackward", "w1")["received"][0][0]
    assert f"passes dL/dw1 = {number(received)} × {number(VALUES['x1'])} = {number(leaves['w1'].grad.item())}" in text
    assert f"w1.grad = {number(leaves['w1'].grad.item())}" in text
    assert max(map(len, text.splitlines())) <= 80


def test_a_broadcast_gradient_is_summed_and_its_local_derivative_kept_per_element():
    w = minigrad.tensor([1.5], dtype=minigrad.float64, requires_grad=True)
    x = minigrad.tensor([1.0, -2.0, 4.0], dtype=minigrad.float64, requires_grad=True)
    trace = step_through((w * x).sum(), names={w: "w", x: "x"})
    mul = inputs_by_name(event_for(trace, "MulBackward"))
    assert mul["w"]["summed"] is True and mul["x"]["summed"] is False
    assert mul["w"]["local"] == pytest.approx([1.0, -2.0, 4.0])  # d(w·x_i)/dw = x_i
    assert mul["w"]["gradient"] == pytest.approx([w.grad.item()]) and w.grad.item() == pytest.approx(3.0)
    assert event_for(trace, "SumBackward")["inputs"][0]["local"] == pytest.approx([1.0, 1.0, 1.0])


def test_leaves_are_named_from_a_module_ids_or_numbered():
    minigrad.manual_seed(0)
    layer = nn.Linear(2, 1)
    x = minigrad.tensor([[0.5, -1.0]], requires_grad=True)
    trace = step_through(layer(x).sum(), names=layer)
    assert {leaf["name"] for leaf in trace.leaves} == {"weight", "bias", "leaf1"}
    a, b = (minigrad.tensor(v, requires_grad=True) for v in (2.0, 3.0))
    trace = step_through(a * b, names={id(a): "a"})
    assert [leaf["name"] for leaf in trace.leaves] == ["a", "leaf1"]


def test_the_observer_is_removed_even_when_backward_fails():
    _, _, _, loss = neuron()
    loss.backward()  # frees the graph
    with pytest.raises(RuntimeError, match="second time"):
        step_through(loss)
    assert engine._observers == []


def test_large_graphs_and_tensors_are_refused_before_running():
    big = minigrad.tensor(np.ones((5, 4)), requires_grad=True)
    with pytest.raises(ValueError, match=r"at most 16 elements, got an input of shape \(5, 4\)"):
        step_through((big * 2).sum())
    assert big.grad is None
    x = minigrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10):
        y = y * 1.1
    with pytest.raises(ValueError, match="at most max_nodes=5 nodes"):
        step_through(y, max_nodes=5)
    assert x.grad is None


def test_bad_arguments_say_what_was_expected():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="expected a Tensor, got float"):
        step_through(1.0)
    with pytest.raises(ValueError, match="got a leaf"):
        step_through(minigrad.tensor(1.0, requires_grad=True))
    with pytest.raises(ValueError, match=r"one-element tensor \(a loss\), got shape \(2,\)"):
        step_through(x * 2)
    with pytest.raises(ValueError, match="max_nodes to be a positive int, got 0"):
        step_through((x * 2).sum(), max_nodes=0)
    with pytest.raises(TypeError, match="names as a Module or a dict, got list"):
        step_through((x * 2).sum(), names=["x"])
    with pytest.raises(TypeError, match="name: tensor"):
        step_through((x * 2).sum(), names={"x": 1.0})
