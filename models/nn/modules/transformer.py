"""``torch.nn.modules.transformer``."""

from ...transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                            TransformerEncoderLayer)

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer"]
