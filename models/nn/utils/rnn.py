"""``torch.nn.utils.rnn``: padding and packing of variable-length batches (implemented in models.packing)."""

from ...packing import PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence  # noqa: F401

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence"]
