"""Attention: a decoder looks back at every encoder state instead of one summary vector.

At each decoding step a *query* (the decoder's state) is compared with every *key* (the encoder's outputs h_1..h_S)
by a score function; a softmax over the source positions turns the scores into weights, and the context is the
weighted average of the keys::

    e_s = score(q, h_s)          α = softmax(e)          context = Σ_s α_s h_s

Three score functions:

    additive (Bahdanau et al. 2015)   score(q, k) = vᵀ tanh(W_q q + W_k k)
    dot      (Luong et al. 2015)      score(q, k) = qᵀ k
    general  (Luong et al. 2015)      score(q, k) = qᵀ W k

Padding positions (``mask`` False) get a score of -∞, so exp gives exactly 0: zero weight, zero gradient.
"""

from __future__ import annotations

import numbers

import minigrad
from minigrad import Tensor, nn


class Attention(nn.Module):
    """The part every score function shares: checks, masking, softmax and the weighted sum.

    ``attn(query, keys, mask=None)`` with query (B, Hq), keys (B, S, Hk) and mask (B, S) (True = a real position)
    returns ``(context (B, Hk), weights (B, S))``; each row of weights sums to 1.

    A decoder calls attention once per step with the same keys; the part of the score that depends only on the
    keys can be computed once with ``project_keys(keys)`` and passed as ``keys_projection``.
    """

    def project_keys(self, keys: Tensor) -> Tensor:
        return keys

    def score(self, query: Tensor, keys_projection: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, query: Tensor, keys: Tensor, mask: Tensor | None = None, keys_projection=None):
        kind = type(self).__name__
        if not isinstance(query, Tensor) or query.ndim != 2:
            raise ValueError(f"{kind}: expected query of shape (B, query_size), got "
                             f"{query.shape if isinstance(query, Tensor) else type(query).__name__}")
        if not isinstance(keys, Tensor) or keys.ndim != 3 or keys.shape[0] != query.shape[0]:
            raise ValueError(f"{kind}: expected keys of shape ({query.shape[0]}, S, key_size), got "
                             f"{keys.shape if isinstance(keys, Tensor) else type(keys).__name__}")
        scores = self.score(query, self.project_keys(keys) if keys_projection is None else keys_projection)
        if mask is not None:
            if not isinstance(mask, Tensor) or mask.dtype != minigrad.bool or mask.shape != keys.shape[:2]:
                raise ValueError(f"{kind}: expected a boolean mask of shape {keys.shape[:2]} (True = valid), got "
                                 f"{(mask.dtype, mask.shape) if isinstance(mask, Tensor) else type(mask).__name__}")
            if (mask.sum(-1) == 0).any().item():
                raise ValueError(f"{kind}: every row of the mask needs at least one valid (True) position")
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = scores.softmax(dim=-1)
        context = (weights.unsqueeze(1) @ keys).squeeze(1)  # Σ_s α_s h_s as a (1, S) @ (S, Hk) product
        return context, weights


def _size(value, name: str, kind: str) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{kind}: expected {name} to be a positive int, got {value!r}")
    return int(value)


class AdditiveAttention(Attention):
    """Bahdanau attention: score(q, k) = vᵀ tanh(W_q q + W_k k), a one-hidden-layer network on (q, k)."""

    def __init__(self, query_size, key_size, hidden_size):
        super().__init__()
        self.query_size = _size(query_size, "query_size", "AdditiveAttention")
        self.key_size = _size(key_size, "key_size", "AdditiveAttention")
        self.hidden_size = _size(hidden_size, "hidden_size", "AdditiveAttention")
        self.query_layer = nn.Linear(query_size, hidden_size, bias=False)   # W_q
        self.key_layer = nn.Linear(key_size, hidden_size, bias=False)       # W_k
        self.energy_layer = nn.Linear(hidden_size, 1, bias=False)           # v

    def project_keys(self, keys):
        return self.key_layer(keys)  # W_k k for every source position, (B, S, hidden)

    def score(self, query, keys_projection):
        # vᵀ tanh(W_q q + W_k k_s) for every s: W_q q is broadcast over the S positions
        return self.energy_layer((self.query_layer(query).unsqueeze(1) + keys_projection).tanh()).squeeze(-1)

    def extra_repr(self):
        return f"query_size={self.query_size}, key_size={self.key_size}, hidden_size={self.hidden_size}"


class DotAttention(Attention):
    """Luong's dot score: score(q, k) = qᵀ k (query and keys must have the same size)."""

    def score(self, query, keys_projection):
        if query.shape[-1] != keys_projection.shape[-1]:
            raise ValueError(f"DotAttention: expected query and keys of the same size, got {query.shape[-1]} and "
                             f"{keys_projection.shape[-1]}")
        return (keys_projection @ query.unsqueeze(-1)).squeeze(-1)


class GeneralAttention(DotAttention):
    """Luong's general score: score(q, k) = qᵀ W k, a learned bilinear form (W k is computed once per source)."""

    def __init__(self, query_size, key_size):
        super().__init__()
        self.query_size = _size(query_size, "query_size", "GeneralAttention")
        self.key_size = _size(key_size, "key_size", "GeneralAttention")
        self.key_layer = nn.Linear(key_size, query_size, bias=False)  # W

    def project_keys(self, keys):
        return self.key_layer(keys)

    def extra_repr(self):
        return f"query_size={self.query_size}, key_size={self.key_size}"
