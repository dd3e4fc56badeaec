"""Variable-length batches: padding, packing and unpacking, with torch.nn.utils.rnn's semantics.

A padded batch stores sequences of different lengths in one (T, B, *) tensor, filling the tail of the short ones.
A PackedSequence stores only the real steps, time-major: all sequences' step 0, then step 1 of those that are
still running, and so on; ``batch_sizes[t]`` says how many sequences are running at step t (the longest first).
Recurrent layers take either and use the lengths so that a padded step never changes a sequence's state.

Packing and unpacking are each one indexing op, so gradients flow through them (and the padding gets none).
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import minigrad
from minigrad import Tensor
from minigrad.checks import check_tensors


class PackedSequence(NamedTuple):
    """The real steps of a batch of sequences, time-major (see the module docstring).

    data              (sum of lengths, *) the steps, in packing order
    batch_sizes       (T,) int64 on cpu: how many sequences are running at each step
    sorted_indices    (B,) the batch order used for packing (longest first), or None if already sorted
    unsorted_indices  (B,) the inverse permutation, or None
    """

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def lengths(self) -> list:
        """Each sequence's length, in the original batch order, as Python ints."""
        sizes = self.batch_sizes.tolist()
        sorted_lengths = [sum(1 for size in sizes if size > j) for j in range(sizes[0])]
        if self.unsorted_indices is None:
            return sorted_lengths
        return [sorted_lengths[j] for j in self.unsorted_indices.tolist()]

    def to(self, *args, **kwargs) -> "PackedSequence":
        moved = self.data.to(*args, **kwargs)
        device = moved.device
        return PackedSequence(moved, self.batch_sizes,
                              None if self.sorted_indices is None else self.sorted_indices.to(device),
                              None if self.unsorted_indices is None else self.unsorted_indices.to(device))


def _host_lengths(lengths, batch: int, total: int) -> list:
    """Lengths as Python ints, checked: one per sequence, each in [1, total]."""
    if isinstance(lengths, Tensor):
        if lengths.dtype.kind not in "iu" or lengths.ndim != 1:
            raise TypeError(f"expected lengths as a 1-D integer tensor or a list of ints, got a tensor of dtype "
                            f"{lengths.dtype} and shape {lengths.shape}")
        lengths = lengths.tolist()
    lengths = list(lengths)
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in lengths):
        raise TypeError(f"expected lengths to be integers, got {lengths}")
    if len(lengths) != batch:
        raise RuntimeError(f"expected {batch} lengths (one per sequence in the batch), got {len(lengths)}")
    bad = [n for n in lengths if not 1 <= n <= total]
    if bad:
        raise RuntimeError(f"expected every length in [1, {total}] (positive and at most the padded length T), "
                         f"got {bad}")
    return [int(n) for n in lengths]


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with batch_first) whose sequence b has ``lengths[b]`` steps.

    With ``enforce_sorted`` the lengths must be in decreasing order; otherwise the batch is sorted here and the
    permutation is remembered, so unpacking restores the original order.
    """
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise TypeError(f"pack_padded_sequence: expected a padded Tensor with at least 2 dimensions, got "
                        f"{input.shape if isinstance(input, Tensor) else type(input).__name__}")
    if batch_first:
        input = input.transpose(0, 1)
    total, batch = input.shape[:2]
    if batch == 0 or total == 0:
        raise RuntimeError(f"pack_padded_sequence: cannot pack empty tensors (got a padded batch of shape "
                           f"{input.shape}: {total} steps, {batch} sequences)")
    lengths = _host_lengths(lengths, batch, total)
    order = sorted(range(batch), key=lambda b: -lengths[b])  # stable: ties keep their order
    if enforce_sorted and any(a < b for a, b in zip(lengths, lengths[1:])):
        raise RuntimeError(f"pack_padded_sequence: expected lengths sorted in decreasing order (enforce_sorted=True), "
                         f"got {lengths}; pass enforce_sorted=False to have them sorted")
    if enforce_sorted:
        order = list(range(batch))
    steps = max(lengths)
    batch_sizes = [sum(1 for n in lengths if n > t) for t in range(steps)]
    # The rows of the (T·B, *) view that hold real steps, in packing order: step by step, longest first.
    rows = [t * batch + b for t in range(steps) for b in order[:batch_sizes[t]]]
    data = input.reshape((total * batch,) + input.shape[2:])[minigrad.tensor(rows, device=input.device)]
    if enforce_sorted:
        return PackedSequence(data, minigrad.tensor(batch_sizes, device="cpu"))
    inverse = [0] * batch
    for position, b in enumerate(order):
        inverse[b] = position
    return PackedSequence(data, minigrad.tensor(batch_sizes, device="cpu"),
                          minigrad.tensor(order, device=input.device), minigrad.tensor(inverse, device=input.device))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None):
    """Undo packing: returns ``(padded, lengths)`` with padded (T, B, *) (or (B, T, *)) in the original batch
    order, the missing steps filled with ``padding_value``, and lengths an int64 tensor on cpu."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got {type(sequence).__name__}")
    lengths = sequence.lengths()
    batch_sizes = sequence.batch_sizes.tolist()
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"pad_packed_sequence: expected total_length >= the longest sequence ({steps}), "
                             f"got {total_length}")
        steps = total_length
    data = sequence.data
    # Gather every (t, b) cell from data; cells past a sequence's end read one extra row of padding.
    offsets = [sum(batch_sizes[:t]) for t in range(len(batch_sizes))]
    unsorted = sequence.unsorted_indices
    position = unsorted.tolist() if unsorted is not None else list(range(len(lengths)))
    pad_row = data.shape[0]
    rows = [offsets[t] + position[b] if t < lengths[b] else pad_row for t in range(steps) for b in range(len(lengths))]
    padding = minigrad.full((1,) + data.shape[1:], padding_value, dtype=data.dtype, device=data.device)
    padded = minigrad.cat([data, padding])[minigrad.tensor(rows, device=data.device)]
    padded = padded.reshape((steps, len(lengths)) + data.shape[1:])
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, minigrad.tensor(lengths, device="cpu")


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0) -> Tensor:
    """Stack tensors of shapes (L_i, *) into one (T, B, *) tensor (T = max L_i), padding with ``padding_value``."""
    sequences = list(sequences)  # (a Tensor is its rows, as in torch)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    check_tensors(sequences, "pad_sequence", "sequences")
    for i, s in enumerate(sequences):
        if s.ndim == 0:
            raise RuntimeError(f"pad_sequence: expected sequences of at least one dimension, got a 0-d tensor as "
                               f"element {i}")
    trailing = sequences[0].shape[1:]
    for s in sequences:
        if s.shape[1:] != trailing:
            raise RuntimeError(f"pad_sequence: expected every sequence to have trailing shape {trailing}, "
                             f"got {s.shape[1:]}")
    steps = max(s.shape[0] for s in sequences)
    padded = [s if s.shape[0] == steps else minigrad.cat(
        [s, minigrad.full((steps - s.shape[0],) + trailing, padding_value, dtype=s.dtype, device=s.device)])
        for s in sequences]
    return minigrad.stack(padded, dim=0 if batch_first else 1)
