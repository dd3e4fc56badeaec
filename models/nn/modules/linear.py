"""``torch.nn.modules.linear``."""

from minigrad.nn.linear import Identity, LazyLinear, Linear

__all__ = ["Identity", "Linear", "LazyLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """torch's name for MultiheadAttention's output projection: a Linear that torch's dynamic quantization leaves
    alone. minigrad quantizes nothing, so it is a plain Linear, here for the programs that name it (the lists of
    torch.serialization.safe_globals do). Outside ``__all__``, as in torch."""
