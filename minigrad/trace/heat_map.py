"""Attention weights as a heat map: which source tokens each target token looked at.

    weights = attention(query, keys)          # (T, S): row t is a probability distribution over the S sources
    minigrad.trace.attention_map(weights, source_tokens, target_tokens).show()

Row t of the map is what the decoder read from the source while producing target token t. A well-trained
translation model draws a near-diagonal band (bent where the languages order words differently); a model that
has not learned to attend draws flat grey rows, and one that copies from a fixed position draws a vertical stripe.
Each cell is a shade character (blank below 1%, █ from 75%), on a coloured background when the terminal has
colour; the right margin names each row's most attended source token and its weight, so the map reads the same
in a pipe, a log file or a terminal without colour.
"""

from __future__ import annotations

import numbers

from rich.color import Color, blend_rgb
from rich.color_triplet import ColorTriplet
from rich.console import Group
from rich.style import Style
from rich.text import Text

from ..tensor import Tensor
from .render import SHADES, show

_LOW, _HIGH = ColorTriplet(20, 24, 48), ColorTriplet(255, 196, 0)  # background ramp: near-black to amber
_LABEL_WIDTH = 10  # target tokens (row labels) longer than this are shortened with …
_TAIL_TOKEN_WIDTH = 8  # the argmax source token in the right margin
_TOLERANCE = 1e-6  # softmax in float32 can give 1.0000001


def _shorten(token: str, width: int) -> str:
    return token if len(token) <= width else token[:width - 1] + "…"


def _shade(weight: float) -> str:
    """Blank below 1%, then one shade per quarter: ░ <25%, ▒ <50%, ▓ <75%, █ from 75%."""
    return SHADES[0] if weight < 0.01 else SHADES[1 + min(3, int(weight * 4))]


def _cell_style(weight: float, is_argmax: bool) -> Style:
    # Colours and bold are dropped by rich under NO_COLOR or when the output is not a terminal.
    background = Color.from_triplet(blend_rgb(_LOW, _HIGH, weight))
    foreground = Color.from_triplet(blend_rgb(_LOW, _HIGH, min(1.0, weight + 0.3)))
    return Style(color=foreground, bgcolor=background, bold=is_argmax, underline=is_argmax)


class _FitToWidth:
    """Draws ``draw(width)`` at the width the console offers, so the map adapts to a narrow terminal."""

    def __init__(self, draw):
        self.draw = draw

    def __rich_console__(self, console, options):
        yield self.draw(options.max_width)


class AttentionMap:
    """``weights`` (a list of T rows of S floats), the tokens, and a heat map when printed."""

    def __init__(self, weights: list, source_tokens: list, target_tokens: list, title: str | None):
        self.weights = weights
        self.source_tokens = source_tokens
        self.target_tokens = target_tokens
        self.title = title

    def argmax(self) -> list:
        """For each target token, the index of the source token it attends to most."""
        return [max(range(len(row)), key=row.__getitem__) for row in self.weights]

    def _draw(self, width: int) -> Group:
        sources, targets = self.source_tokens, self.target_tokens
        label_width = min(max(map(len, targets)), _LABEL_WIDTH)
        tail_width = len(" ▸ ") + min(max(map(len, sources)), _TAIL_TOKEN_WIDTH) + len(" 0.00")
        room = max(len(sources), width - label_width - 1 - tail_width)  # at least one column per source
        # Sources short enough to head their own column are written above it; otherwise the columns are numbered
        # (a ruler) and a legend below maps numbers to tokens.
        by_name = room // len(sources) > max(map(len, sources))
        cell = min(room // len(sources), max(map(len, sources)) + 1 if by_name else 3)

        header = Text(" " * (label_width + 1), no_wrap=True, overflow="ellipsis")
        if by_name:
            header.append("".join(token.ljust(cell) for token in sources))
        else:
            digits = len(str(len(sources) - 1))
            step = next(s for s in (1, 2, 5, 10, 20, 50) if s * cell > digits) if len(sources) > 1 else 1
            header.append("".join(str(j).ljust(step * cell) for j in range(0, len(sources), step)))
        lines = [Text(self.title or "Attention weights (rows: target tokens, columns: source tokens)",
                      style="bold"), header]

        for label, row, best in zip(targets, self.weights, self.argmax()):
            line = Text(_shorten(label, label_width).ljust(label_width) + " ", no_wrap=True, overflow="ellipsis")
            for j, weight in enumerate(row):
                line.append(_shade(weight) * cell, style=_cell_style(weight, j == best))
            line.append(f" ▸ {_shorten(sources[best], _TAIL_TOKEN_WIDTH)} {row[best]:.2f}")
            lines.append(line)

        if not by_name and sources != [str(j) for j in range(len(sources))]:  # positions need no legend
            lines.append(Text("  ".join(f"{j}:{token}" for j, token in enumerate(sources)), style="dim"))
        lines.append(Text(f"{SHADES[1]} <25%  {SHADES[2]} <50%  {SHADES[3]} <75%  {SHADES[4]} ≥75%  "
                          "(blank <1%)  ▸ most attended source", style="dim"))
        return Group(*lines)

    def __rich__(self):
        return _FitToWidth(self._draw)

    def show(self, file=None) -> None:
        show(self, file)


def _tokens(tokens, name: str) -> list:
    if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)):
        raise TypeError(f"attention_map: expected {name} as a list of tokens, got {type(tokens).__name__} "
                        f"{tokens!r:.60}")
    if not tokens:
        raise ValueError(f"attention_map: expected at least one token in {name}, got none")
    return [str(token) for token in tokens]


def _rows(weights) -> list:
    """Weights as a list of rows of Python floats (one row for a 1-D input)."""
    if isinstance(weights, Tensor):
        if weights.ndim not in (1, 2):
            raise ValueError(f"attention_map: expected weights of shape (T, S) or (S,), got shape {weights.shape}")
        weights = weights.detach().tolist()
    elif hasattr(weights, "tolist"):  # an array of any library
        weights = weights.tolist()
    if not isinstance(weights, (list, tuple)):
        raise TypeError(f"attention_map: expected weights as a Tensor or nested lists, got {type(weights).__name__}")
    rows = [weights] if not weights or not isinstance(weights[0], (list, tuple)) else weights
    for row in rows:
        if not isinstance(row, (list, tuple)) or not all(
                isinstance(w, numbers.Real) and not isinstance(w, bool) for w in row):
            raise TypeError(f"attention_map: expected weights as rows of numbers, got the row {row!r:.80}")
    return [[float(w) for w in row] for row in rows]


def attention_map(weights, source_tokens, target_tokens, title: str | None = None) -> AttentionMap:
    """Draw attention weights as a heat map: rows are ``target_tokens``, columns ``source_tokens``.

    ``weights`` is a Tensor or nested lists of shape (T, S), T = len(target_tokens) and S = len(source_tokens),
    or of shape (S,) for a single target token; every weight must lie in [0, 1].
    """
    sources, targets = _tokens(source_tokens, "source_tokens"), _tokens(target_tokens, "target_tokens")
    rows = _rows(weights)
    expected = (len(targets), len(sources))
    got_lengths = sorted({len(row) for row in rows})
    if len(rows) != expected[0] or got_lengths != [expected[1]]:
        got = (len(rows), got_lengths[0]) if len(got_lengths) == 1 else f"{len(rows)} rows of lengths {got_lengths}"
        raise ValueError(f"attention_map: expected weights of shape (T, S) = {expected} for {expected[0]} target and "
                         f"{expected[1]} source tokens, got {got}")
    for t, row in enumerate(rows):
        for s, weight in enumerate(row):
            if not -_TOLERANCE <= weight <= 1 + _TOLERANCE:
                raise ValueError(f"attention_map: expected weights in [0, 1] (attention probabilities), got {weight} "
                                 f"for target {targets[t]!r} and source {sources[s]!r} (row {t}, column {s})")
    clamped = [[min(max(weight, 0.0), 1.0) for weight in row] for row in rows]
    return AttentionMap(clamped, sources, targets, title)
