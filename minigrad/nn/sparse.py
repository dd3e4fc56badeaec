"""Embedding, as torch.nn's: a table of vectors looked up by index."""

from __future__ import annotations

from ..engine import no_grad
from ..creation import empty
from . import functional as F
from . import init
from ..checks import check_positive_int, check_tensor
from .module import Module
from .parameter import Parameter


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors, initialised N(0, 1); the ``padding_idx`` row starts at zero
    and never receives a gradient. ``_weight`` (torch's name, used by ``from_pretrained``): a table to use as the
    weight instead, shared rather than copied; ``_freeze``: it then does not require grad."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, device=None, dtype=None, _weight=None,
                 _freeze=False):
        super().__init__()
        self.num_embeddings = check_positive_int(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = check_positive_int(embedding_dim, "embedding_dim", "Embedding")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: expected padding_idx in [{-num_embeddings}, {num_embeddings}), "
                                 f"got {padding_idx}")
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
        if _weight is not None:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: expected _weight of shape {(num_embeddings, embedding_dim)} (the "
                                 f"table's), got {tuple(_weight.shape)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)
            return
        self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=dtype, device=device))
        init.normal_(self.weight)
        if padding_idx is not None:
            with no_grad():
                self.weight[padding_idx] = 0.0

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
        """An Embedding whose table is ``embeddings`` (a 2-d tensor, shared, as torch shares it), trained only if
        ``freeze`` is False; its ``padding_idx`` row is left as given (and gets no gradient), as in torch."""
        check_tensor(embeddings, "Embedding.from_pretrained", "embeddings")
        if embeddings.ndim != 2:  # torch asserts this
            raise AssertionError(f"Embeddings parameter is expected to be 2-dimensional, got shape "
                                 f"{tuple(embeddings.shape)}")
        rows, columns = embeddings.shape
        return cls(rows, columns, padding_idx=padding_idx, _weight=embeddings, _freeze=freeze)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        padding = f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"
