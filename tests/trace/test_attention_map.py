"""trace.attention_map: the heat map fits 80 columns in every kind of output and names the tokens."""

import io
import re

import numpy as np
import pytest
from rich.console import Console

import minigrad
from minigrad.trace import attention_map
from minigrad.trace.render import SHADES

ANSI = re.compile(r"\x1b\[[0-9;]*m")

SOURCE = "the cat sat on the mat".split()
TARGET = "le chat était assis".split()


def printed(renderable, **console_options) -> str:
    console = Console(file=io.StringIO(), width=80, **console_options)
    console.print(renderable)
    return console.file.getvalue()


def attention_weights(rows: int, columns: int, seed: int = 0):
    minigrad.manual_seed(seed)
    return (minigrad.randn(rows, columns) * 3).softmax(-1)


def grid_lines(text: str, targets) -> list:
    return [line for line in text.splitlines() if any(line.startswith(t[:9]) for t in targets)]


@pytest.mark.parametrize("sources", [SOURCE, [f"token{i}" for i in range(35)]], ids=["short", "35 tokens"])
@pytest.mark.parametrize("mode", ["stringio", "terminal", "no_color"])
def test_fits_80_columns_and_names_every_token(sources, mode, monkeypatch):
    options = {}
    if mode != "stringio":
        options = {"force_terminal": True, "color_system": "truecolor"}
    if mode == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")
    text = printed(attention_map(attention_weights(len(TARGET), len(sources)), sources, TARGET), **options)
    plain = ANSI.sub("", text)
    assert max(map(len, plain.splitlines())) <= 80
    for token in sources + TARGET:
        assert token in plain
    rows = grid_lines(plain, TARGET)
    assert len(rows) == len(TARGET)
    assert all(re.search(r" ▸ \S+ [01]\.\d\d$", row) for row in rows)  # each row ends with its argmax, uncut
    has_color = "48;2;" in text  # a truecolor background
    assert has_color == (mode == "terminal")


def test_each_row_names_its_argmax_and_shades_follow_the_weights():
    weights = [[0.0, 0.1, 0.9], [0.3, 0.6, 0.1]]
    text = printed(attention_map(weights, ["a", "b", "c"], ["x", "y"]))
    first, second = grid_lines(text, ["x", "y"])
    assert first.endswith("▸ c 0.90") and second.endswith("▸ b 0.60")
    assert SHADES[4] in first and SHADES[4] not in second  # █ only for weights ≥ 0.75
    assert first.startswith("x " + " " * 2)  # weight 0 is a blank cell


def test_weights_are_kept_as_lists_from_tensors_nested_lists_and_a_single_row():
    tensor_weights = attention_weights(2, 3)
    result = attention_map(tensor_weights, ["a", "b", "c"], ["x", "y"])
    np.testing.assert_allclose(result.weights, tensor_weights.numpy(), rtol=1e-6)
    assert result.argmax() == list(np.argmax(tensor_weights.numpy(), axis=1))
    assert attention_map([[0.5, 0.5]], ["a", "b"], ["x"]).weights == [[0.5, 0.5]]
    single = attention_map(minigrad.tensor([0.25, 0.75]), ["a", "b"], ["x"])
    assert single.weights == [[0.25, 0.75]]


def test_title_is_printed():
    assert "Encoder attention" in printed(attention_map([[1.0]], ["a"], ["x"], title="Encoder attention"))


def test_shape_mismatch_names_expected_and_got():
    with pytest.raises(ValueError, match=r"expected weights of shape \(T, S\) = \(2, 3\).*got \(2, 4\)"):
        attention_map(attention_weights(2, 4), ["a", "b", "c"], ["x", "y"])
    with pytest.raises(ValueError, match=r"= \(3, 3\).*got \(2, 3\)"):
        attention_map([[0.1, 0.2, 0.7], [0.1, 0.2, 0.7]], ["a", "b", "c"], ["x", "y", "z"])
    with pytest.raises(ValueError, match="lengths"):
        attention_map([[0.5, 0.5], [1.0]], ["a", "b"], ["x", "y"])
    with pytest.raises(ValueError, match=r"shape \(T, S\) or \(S,\), got shape \(1, 2, 2\)"):
        attention_map(minigrad.ones(1, 2, 2) / 2, ["a", "b"], ["x"])


def test_weights_outside_zero_one_are_refused():
    with pytest.raises(ValueError, match=r"in \[0, 1\].*1.5.*'y'.*'b'"):
        attention_map([[0.5, 0.5], [0.0, 1.5]], ["a", "b"], ["x", "y"])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        attention_map([[-0.2, 1.2]], ["a", "b"], ["x"])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        attention_map([[float("nan"), 1.0]], ["a", "b"], ["x"])


def test_tokens_and_weight_types_are_checked():
    with pytest.raises(TypeError, match="list of tokens, got str"):
        attention_map([[1.0]], "a", ["x"])
    with pytest.raises(ValueError, match="at least one token in target_tokens"):
        attention_map([[1.0]], ["a"], [])
    with pytest.raises(TypeError, match="rows of numbers"):
        attention_map([["high", 0.0]], ["a", "b"], ["x"])
