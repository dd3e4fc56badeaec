"""What RNN, LSTM and GRU have in common: parameters, argument checks, and the loop over layers, directions and
time steps.

Each kind of recurrence is declared once, as a ``Recurrence`` beside its *step function* (in rnn.py, lstm.py,
gru.py), and its cell and its layer both refer to that declaration. The step function takes

    input_projection   x_t W_ihᵀ + b_ih for one time step, shape (B, G·H)
    state              the previous state: h (RNN, GRU) or (h, c) (LSTM)
    weight_hh, bias_hh the recurrent weights

and returns the next state. A cell applies the step once; a layer computes the input projection of all time steps
with one matmul and then applies the step T times. Backpropagation through time is never written: the loop records
the unrolled graph, and ``backward`` walks it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable

import minigrad
import minigrad.nn.functional as F
from minigrad import Tensor, nn, trace

from .packing import PackedSequence, pack_padded_sequence, pad_packed_sequence


def _check_size(value, name: str, kind: str) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{kind}: expected {name} to be a positive int, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Recurrence:
    """One kind of recurrence: its step function and the shape of its weights and state."""

    step: Callable                  # (input_projection, state, weight_hh, bias_hh) -> the next state
    gate_count: int = 1             # rows of W_ih per hidden unit: 1 (RNN), 3 (GRU), 4 (LSTM)
    state_names: tuple = ("h",)     # ("h", "c") for LSTM
    recurrent_bias_is_additive: bool = True  # False for GRU, whose b_hn sits inside r ⊙ (W_hn h + b_hn)


class _Recurrence(nn.Module):
    """Shared by cells and layers: the weights their ``recurrence`` asks for, its step, and how states are
    checked."""

    recurrence: Recurrence  # set by each cell and layer class

    def step(self, input_projection, state, weight_hh, bias_hh):
        """One step of the recurrence: the next state."""
        return self.recurrence.step(input_projection, state, weight_hh, bias_hh)

    def _parts(self, state) -> tuple:
        """The state as a tuple of tensors (h,) or (h, c)."""
        return tuple(state) if len(self.recurrence.state_names) > 1 else (state,)

    def _whole(self, parts: tuple):
        """The inverse of _parts: h, or (h, c)."""
        return tuple(parts) if len(self.recurrence.state_names) > 1 else parts[0]

    def _check_state(self, hx, shape: tuple, like: Tensor, suffix: str) -> tuple:
        """The parts of a user-given initial state, each checked to be a Tensor of ``shape`` matching ``like``."""
        kind = type(self).__name__
        names = tuple(name + suffix for name in self.recurrence.state_names)
        if len(names) > 1:
            if not isinstance(hx, (tuple, list)) or len(hx) != len(names):
                raise TypeError(f"{kind}: expected hx to be a tuple ({', '.join(names)}), got {type(hx).__name__}")
            parts = tuple(hx)
        else:
            if isinstance(hx, (tuple, list)):
                raise TypeError(f"{kind}: expected hx to be a Tensor {names[0]}, got a {type(hx).__name__}")
            parts = (hx,)
        for name, part in zip(names, parts):
            if not isinstance(part, Tensor):
                raise TypeError(f"{kind}: expected {name} to be a Tensor, got {type(part).__name__}")
            if part.shape != shape:
                raise ValueError(f"{kind}: expected {name} of shape {shape}, got {part.shape}")
            if part.dtype != like.dtype or part.device != like.device:
                raise TypeError(f"{kind}: expected {name} with dtype {like.dtype} on {like.device} (the input's), "
                                f"got {part.dtype} on {part.device}")
        return parts

    def _check_input(self, input, ranks: tuple, input_size: int) -> None:
        kind = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{kind}: expected input to be a Tensor or PackedSequence, got {type(input).__name__}")
        if input.ndim not in ranks:
            raise ValueError(f"{kind}: expected input with {' or '.join(map(str, ranks))} dimensions, "
                             f"got shape {input.shape}")
        if input.shape[-1] != input_size:
            raise ValueError(f"{kind}: expected input of size {input_size} in the last dimension (input_size), "
                             f"got shape {input.shape}")
        weight = next(self.parameters())
        if input.dtype != weight.dtype or input.device != weight.device:
            raise TypeError(f"{kind}: expected input with dtype {weight.dtype} on {weight.device} (the parameters'), "
                            f"got {input.dtype} on {input.device}")

    def _add_weights(self, suffix: str, input_size: int, hidden_size: int, bias: bool, device, dtype) -> None:
        rows = self.recurrence.gate_count * hidden_size
        self.register_parameter(f"weight_ih{suffix}", nn.Parameter(minigrad.empty(rows, input_size, dtype=dtype,
                                                                                  device=device)))
        self.register_parameter(f"weight_hh{suffix}", nn.Parameter(minigrad.empty(rows, hidden_size, dtype=dtype,
                                                                                  device=device)))
        for name in ("bias_ih", "bias_hh"):
            self.register_parameter(name + suffix, nn.Parameter(minigrad.empty(rows, dtype=dtype, device=device))
                                    if bias else None)

    def _weights(self, suffix: str = "") -> tuple:
        return tuple(getattr(self, name + suffix) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/√H, 1/√H), as torch initialises recurrent layers."""
        bound = 1 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            nn.init.uniform_(param, -bound, bound)


class RecurrentCell(_Recurrence):
    """One time step: ``cell(x, hx)`` maps x (N, input_size) and the state to the next state."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        kind = type(self).__name__
        self.input_size = _check_size(input_size, "input_size", kind)
        self.hidden_size = _check_size(hidden_size, "hidden_size", kind)
        self.bias = bool(bias)
        self._add_weights("", input_size, hidden_size, bias, device, dtype)
        self.reset_parameters()

    def forward(self, input, hx=None):
        """input (N, input_size) or (input_size,); hx as the state (h, or (h, c)), zeros when omitted."""
        self._check_input(input, (1, 2), self.input_size)
        unbatched = input.ndim == 1
        x = input.unsqueeze(0) if unbatched else input
        shape = (self.hidden_size,) if unbatched else (x.shape[0], self.hidden_size)
        if hx is None:
            zeros = minigrad.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
            parts = (zeros,) * len(self.recurrence.state_names)
        else:
            parts = tuple(p.unsqueeze(0) if unbatched else p for p in self._check_state(hx, shape, x, ""))
        weight_ih, weight_hh, bias_ih, bias_hh = self._weights()
        with trace.scope(f"{type(self).__name__} step"):
            new = self._parts(self.step(F.linear(x, weight_ih, bias_ih), self._whole(parts), weight_hh, bias_hh))
            trace.record(**dict(zip(self.recurrence.state_names, new)))
        return self._whole(tuple(p.squeeze(0) for p in new) if unbatched else new)

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RecurrentLayer(_Recurrence):
    """A multi-layer, optionally bidirectional recurrence over whole sequences, with torch.nn's interface.

    ``layer(input, hx)`` with input (T, N, input_size) (or (N, T, ...) with batch_first, or (T, input_size)
    unbatched, or a PackedSequence) returns ``(output, h_n)`` — ``(output, (h_n, c_n))`` for LSTM — where output
    holds the last layer's h_t for every t (both directions concatenated) and h_n each layer's final state.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__()
        kind = type(self).__name__
        self.input_size = _check_size(input_size, "input_size", kind)
        self.hidden_size = _check_size(hidden_size, "hidden_size", kind)
        self.num_layers = _check_size(num_layers, "num_layers", kind)
        if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(f"{kind}: expected dropout to be a probability in [0, 1], got {dropout!r}")
        self.bias, self.batch_first, self.dropout = bool(bias), bool(batch_first), float(dropout)
        self.bidirectional = bool(bidirectional)
        self.num_directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes(layer):
                self._add_weights(suffix, layer_input, hidden_size, bias, device, dtype)
        self.reset_parameters()

    def _suffixes(self, layer: int) -> list:
        return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

    # torch's views of the weights, by layer and direction, which some programs read (weight drop, custom init)
    @property
    def _all_weights(self) -> list:
        """The parameters' names in groups, one per layer and direction: [weight_ih, weight_hh, bias_ih, bias_hh]
        (without the biases when bias=False), as torch lists them."""
        names = ("weight_ih", "weight_hh") + (("bias_ih", "bias_hh") if self.bias else ())
        return [[name + suffix for name in names] for layer in range(self.num_layers)
                for suffix in self._suffixes(layer)]

    @property
    def _flat_weights_names(self) -> list:
        """The parameters' names in one list, in torch's order (``_all_weights`` run together)."""
        return [name for group in self._all_weights for name in group]

    @property
    def all_weights(self) -> list:
        """The parameters themselves, grouped as ``_all_weights`` names them."""
        return [[getattr(self, name) for name in group] for group in self._all_weights]

    def flatten_parameters(self) -> None:
        """Does nothing. On a GPU, torch's cuDNN kernels want every weight in one contiguous buffer, and this call
        packs them into it (programs call it after moving a layer, or at the top of forward). minigrad computes
        with the separate parameters, on every device, so there is nothing to pack."""

    def forward(self, input, hx=None):
        packed = isinstance(input, PackedSequence)
        if packed:
            x, lengths = pad_packed_sequence(input)
            lengths = lengths.tolist()
            self._check_input(x, (3,), self.input_size)
        else:
            self._check_input(input, (2, 3), self.input_size)
            lengths = None
            x = input.unsqueeze(1) if input.ndim == 2 else input.transpose(0, 1) if self.batch_first else input
        unbatched = not packed and input.ndim == 2
        steps, batch = x.shape[:2]
        if steps == 0:
            raise RuntimeError(f"{type(self).__name__}: expected sequence length to be larger than 0, got an input "
                               f"of shape {input.shape}")
        initial = self._initial_states(hx, batch, unbatched, x)
        # where[t] is True for the sequences still running at step t (only for variable lengths)
        running = None if lengths is None else minigrad.tensor(
            [[[t < n] for n in lengths] for t in range(steps)], device=x.device).unbind(0)

        finals = []
        layer_input = x
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                output, final = self._run(layer_input, initial[len(finals)], suffix, layer, direction, running)
                outputs.append(output)
                finals.append(final)
            layer_input = outputs[0] if len(outputs) == 1 else minigrad.cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout)

        final_states = tuple(minigrad.stack([final[k] for final in finals])
                             for k in range(len(self.recurrence.state_names)))
        output = layer_input
        if packed:
            output = pack_padded_sequence(output, lengths, enforce_sorted=input.sorted_indices is None)
        elif unbatched:
            output, final_states = output.squeeze(1), tuple(s.squeeze(1) for s in final_states)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, self._whole(final_states)

    def _initial_states(self, hx, batch: int, unbatched: bool, like: Tensor) -> list:
        """One state (a tuple of parts) per layer and direction, from hx or zeros."""
        count = self.num_layers * self.num_directions
        if hx is None:
            zeros = minigrad.zeros(count, batch, self.hidden_size, dtype=like.dtype, device=like.device)
            parts = (zeros,) * len(self.recurrence.state_names)
        else:
            shape = (count, self.hidden_size) if unbatched else (count, batch, self.hidden_size)
            parts = self._check_state(hx, shape, like, "_0")
            if unbatched:
                parts = tuple(p.unsqueeze(1) for p in parts)
        per_layer = [p.unbind(0) for p in parts]
        return [tuple(p[i] for p in per_layer) for i in range(count)]

    def _run(self, inputs, state: tuple, suffix: str, layer: int, direction: int, running):
        """One layer in one direction (1: reversed) over all steps: returns (outputs (T, B, H), final state parts);
        ``suffix`` names its weights."""
        weight_ih, weight_hh, bias_ih, bias_hh = self._weights(suffix)
        if self.recurrence.recurrent_bias_is_additive and bias_hh is not None:
            # b_hh is added before any nonlinearity, so it can join b_ih in the input projection, once per layer
            bias_ih, bias_hh = bias_ih + bias_hh, None
        projections = F.linear(inputs, weight_ih, bias_ih).unbind(0)  # x_t W_ihᵀ + b_ih for all t: one matmul
        steps = len(projections)
        outputs = [None] * steps
        step_name = f"{type(self).__name__} step"
        for t in (range(steps - 1, -1, -1) if direction == 1 else range(steps)):
            # the scope names this step for the traces (graph folding, gradient flow through time)
            with trace.scope(step_name, layer=layer, direction=direction, t=t):
                new = self._parts(self.step(projections[t], self._whole(state), weight_hh, bias_hh))
                if running is None:
                    outputs[t] = new[0]
                else:  # a sequence that has ended keeps its state, and its padded steps output zeros
                    new = tuple(minigrad.where(running[t], n, s) for n, s in zip(new, state))
                    outputs[t] = minigrad.where(running[t], new[0], 0.0)
                trace.record(**dict(zip(self.recurrence.state_names, new)))
            state = new
        return minigrad.stack(outputs), state

    def extra_repr(self):
        options = [f"{self.input_size}, {self.hidden_size}"]
        for name, default in (("num_layers", 1), ("bias", True), ("batch_first", False), ("dropout", 0.0),
                              ("bidirectional", False)):
            if getattr(self, name) != default:
                options.append(f"{name}={getattr(self, name)}")
        return ", ".join(options)
