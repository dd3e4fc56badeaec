"""``torch.nn.utils.rnn``: padding and packing of variable-length batches (implemented in models.packing)."""

from ...packing import PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence  # noqa: F401

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence"]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors of shapes (L_i, *) (longest first, unless ``enforce_sorted=False``): pad them into
    one batch and pack that, as torch's."""
    return pack_padded_sequence(pad_sequence(sequences), [s.shape[0] for s in sequences],
                                enforce_sorted=enforce_sorted)
