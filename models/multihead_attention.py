"""Multi-head attention (Vaswani et al. 2017), as torch.nn.MultiheadAttention, built from minigrad's public ops.

Every position of a query sequence looks at every position of a key/value sequence at once:

    Attention(Q, K, V) = softmax(QKᵀ/√d_k + mask) V

QKᵀ holds the score of each query against each key. Dividing by √d_k keeps the scores' variance near 1 whatever
the head size, so the softmax does not saturate. The mask adds -∞ where a query may not look (a padded key, a
future position), which the softmax turns into a weight of exactly 0. With h heads the model dimension E is cut
into h slices of d_k = E/h, each head attends on its own, and the results are joined and projected:

    head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)        MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O

Unlike a recurrence, the path between any two positions is one step long and all positions are computed together.
No backward is written here: the gradient is that of the matmuls, softmax and reshapes below.

Layouts as torch: (L, N, E) sequence first, (N, L, E) with ``batch_first=True``, (L, E) for one unbatched sequence.
Boolean masks are True where attention is NOT allowed; float masks are added to the scores.
"""

from __future__ import annotations

import math
import numbers
import warnings

import minigrad
import minigrad.nn.functional as F
from minigrad import Tensor, nn


def _positive_int(value, name: str, layer: str, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{layer}: expected {name} to be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{layer}: expected {name} to be at least {minimum}, got {value}")
    return int(value)


def _probability(p, layer: str) -> float:
    if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"{layer}: expected a dropout probability in [0, 1], got {p!r}")
    return p


def _additive_mask(mask: Tensor, dtype) -> Tensor:
    """A mask as the float tensor added to the scores: a boolean True becomes -∞, a False 0."""
    if mask.dtype == minigrad.bool:
        return minigrad.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(mask, float("-inf"))
    return mask.to(dtype=dtype)


def _causal_mask(target_length: int, source_length: int, dtype=None, device=None) -> Tensor:
    """-∞ above the diagonal: query i may attend to keys 0..i only."""
    future = minigrad.arange(source_length, device=device) > minigrad.arange(target_length, device=device).unsqueeze(1)
    return minigrad.zeros(target_length, source_length, dtype=dtype, device=device).masked_fill(future, float("-inf"))


def _scores_mask(attn_mask, key_padding_mask, causal_hint, shape, extra_keys, dtype, device):
    """attn_mask and key_padding_mask as one float mask added to the scores of shape (N, H, L, S), with 0 for
    the ``extra_keys`` appended by add_bias_kv and add_zero_attn (None when there is nothing to mask). With the
    causal hint, the causal mask over all S keys instead, as torch's fused kernel applies it."""
    N, H, L, S = shape
    if causal_hint:
        return _causal_mask(L, S, dtype, device)
    mask = None
    if attn_mask is not None:
        mask = _additive_mask(attn_mask, dtype)
        mask = mask if mask.ndim == 2 else mask.reshape(N, H, L, S - extra_keys)
    if key_padding_mask is not None:
        padding = _additive_mask(key_padding_mask, dtype).reshape(N, 1, 1, S - extra_keys)
        mask = padding if mask is None else mask + padding
    if mask is None or not extra_keys:
        return mask
    return minigrad.cat([mask, minigrad.zeros(mask.shape[:-1] + (extra_keys,), dtype=dtype, device=device)], -1)


class MultiheadAttention(nn.Module):
    """Multi-head attention with torch.nn.MultiheadAttention's arguments, parameters and results.

    Parameters (torch's names): ``in_proj_weight`` (3E, E), W^Q, W^K and W^V one under the other, or, when kdim or
    vdim differ from E, ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim), ``v_proj_weight`` (E, vdim);
    ``in_proj_bias`` (3E); ``out_proj``, W^O as a Linear(E, E); with ``add_bias_kv``, ``bias_k`` and ``bias_v``
    (1, 1, E), a learned key and value appended to every sequence. ``add_zero_attn`` appends a key and a value of
    zeros after the projections. Initialisation as torch: Xavier-uniform projections, zero biases.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` returns ``(output, weights)``: output (L, N, E) (or (N, L, E),
    or (L, E)); weights (N, L, S) averaged over the heads, (N, num_heads, L, S) per head, or None without
    need_weights (unbatched: without the N). ``key_padding_mask`` is (N, S) (unbatched (S,)), True at padding;
    ``attn_mask`` is (L, S) for every sequence or (N·num_heads, L, S). ``is_causal`` says that attn_mask is the
    causal mask, and is trusted as torch trusts it: without need_weights and key_padding_mask the causal mask is
    applied in place of attn_mask.

    Like torch, a query whose keys are all masked gets NaN weights (0/0) with need_weights, and weights of 0 (so
    an attention output of 0) without them, the path the Transformer layers take.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        self.embed_dim = _positive_int(embed_dim, "embed_dim", "MultiheadAttention")
        self.num_heads = _positive_int(num_heads, "num_heads", "MultiheadAttention")
        if embed_dim % num_heads:
            raise AssertionError(f"MultiheadAttention: expected embed_dim divisible by num_heads, got "
                                 f"embed_dim={embed_dim} and num_heads={num_heads}")
        self.head_dim = embed_dim // num_heads
        self.kdim = embed_dim if kdim is None else _positive_int(kdim, "kdim", "MultiheadAttention")
        self.vdim = embed_dim if vdim is None else _positive_int(vdim, "vdim", "MultiheadAttention")
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout = _probability(dropout, "MultiheadAttention")
        self.batch_first = batch_first
        self.add_zero_attn = add_zero_attn

        def parameter(*shape):
            return nn.Parameter(minigrad.empty(*shape, dtype=dtype, device=device))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = parameter(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = parameter(embed_dim, embed_dim)
            self.k_proj_weight = parameter(embed_dim, self.kdim)
            self.v_proj_weight = parameter(embed_dim, self.vdim)
        self.register_parameter("in_proj_bias", parameter(3 * embed_dim) if bias else None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        for name in ("bias_k", "bias_v"):
            self.register_parameter(name, parameter(1, 1, embed_dim) if add_bias_kv else None)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """torch's initialisation: Xavier-uniform input projections, zero biases, Xavier-normal bias_k and bias_v
        (out_proj.weight keeps Linear's U(-1/√E, 1/√E))."""
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if weight is not None:
                nn.init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            nn.init.zeros_(self.in_proj_bias)
            nn.init.zeros_(self.out_proj.bias)
        for bias in (self.bias_k, self.bias_v):
            if bias is not None:
                nn.init.xavier_normal_(bias)

    def _projections(self, query, key, value):
        """Q W^Qᵀ + b_q, K W^Kᵀ + b_k, V W^Vᵀ + b_v."""
        if self._qkv_same_embed_dim:
            weights = self.in_proj_weight.chunk(3)
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        biases = (None,) * 3 if self.in_proj_bias is None else self.in_proj_bias.chunk(3)
        return tuple(F.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))

    def _check_inputs(self, query, key, value, key_padding_mask, attn_mask, is_causal, causal_hint) -> bool:
        """torch's checks, with its exception types, before anything is computed. True for batched input."""
        for name, x in (("query", query), ("key", key), ("value", value)):
            if not isinstance(x, Tensor):
                raise TypeError(f"MultiheadAttention: expected {name} to be a Tensor, got {type(x).__name__}")
        if query.ndim not in (2, 3):
            raise AssertionError(f"MultiheadAttention: expected a query of 3 dimensions (batched) or 2 (unbatched), "
                                 f"got shape {query.shape}")
        batched = query.ndim == 3
        if key.ndim != query.ndim or value.ndim != query.ndim:
            raise AssertionError(f"MultiheadAttention: expected key and value with {query.ndim} dimensions like "
                                 f"the query, got shapes {key.shape} and {value.shape}")
        seq = 1 if batched and self.batch_first else 0
        L, S, N, H = query.shape[seq], key.shape[seq], query.shape[1 - seq] if batched else 1, self.num_heads
        if query.shape[-1] != self.embed_dim:
            raise AssertionError(f"MultiheadAttention: expected a query with last dimension embed_dim="
                                 f"{self.embed_dim}, got shape {query.shape}")
        if key.shape[-1] != self.kdim or value.shape[-1] != self.vdim:
            # torch's packed projection fails in its matmul (RuntimeError), the separate ones in a shape check
            raise (RuntimeError if self._qkv_same_embed_dim else AssertionError)(
                f"MultiheadAttention: expected key and value with last dimensions kdim={self.kdim} and "
                f"vdim={self.vdim}, got shapes {key.shape} and {value.shape}")
        if key.shape[:-1] != value.shape[:-1]:
            raise AssertionError(f"MultiheadAttention: expected key and value of the same length and batch size, "
                                 f"got shapes {key.shape} and {value.shape}")
        if batched and key.shape[1 - seq] != N:
            raise RuntimeError(f"MultiheadAttention: expected key and value with batch size {N} (the query's), "
                               f"got shape {key.shape}")
        for name, mask in (("key_padding_mask", key_padding_mask), ("attn_mask", attn_mask)):
            if mask is not None and (not isinstance(mask, Tensor) or mask.dtype.kind not in "bf"):
                raise AssertionError(f"MultiheadAttention: expected {name} to be a bool or float Tensor, got "
                                     f"{mask.dtype if isinstance(mask, Tensor) else type(mask).__name__}")
        if key_padding_mask is not None:
            expected = (N, S) if batched else (S,)
            if key_padding_mask.shape != expected:
                raise AssertionError(f"MultiheadAttention: expected key_padding_mask of shape {expected} "
                                     f"({'(N, S)' if batched else '(S,)'}), got {key_padding_mask.shape}")
            if attn_mask is not None and key_padding_mask.dtype != attn_mask.dtype:
                warnings.warn(f"MultiheadAttention: key_padding_mask ({key_padding_mask.dtype}) and attn_mask "
                              f"({attn_mask.dtype}) of different types are deprecated in torch; use one type for both",
                              UserWarning, stacklevel=4)  # the caller of the module
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: is_causal=True needs the causal attn_mask, got None "
                               "(Transformer.generate_square_subsequent_mask makes one)")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"MultiheadAttention: expected a 2-D or 3-D attn_mask, got shape {attn_mask.shape}")
        if attn_mask is not None and not causal_hint:  # torch does not look at a mask that the hint replaces
            expected = (L, S) if attn_mask.ndim == 2 else (N * H, L, S)
            if attn_mask.shape != expected:
                raise (RuntimeError if batched or attn_mask.ndim == 2 else AssertionError)(
                    f"MultiheadAttention: expected attn_mask of shape {expected} "
                    f"({'(L, S)' if attn_mask.ndim == 2 else '(N·num_heads, L, S)'}), got {attn_mask.shape}")
        return batched

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        causal_hint = bool(is_causal) and key_padding_mask is None and not need_weights
        batched = self._check_inputs(query, key, value, key_padding_mask, attn_mask, is_causal, causal_hint)
        if not batched:      # one sequence is a batch of one
            query, key, value = (x.unsqueeze(1) for x in (query, key, value))
        elif self.batch_first:  # the work below is sequence-first: (L, N, E)
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        L, N, E = query.shape
        H, d_k = self.num_heads, self.head_dim
        dtype, device = query.dtype, query.device

        q, k, v = self._projections(query, key, value)  # (L, N, E), (S, N, E), (S, N, E)
        if self.bias_k is not None:  # a learned key and value, the same for every sequence
            k = minigrad.cat([k, self.bias_k.expand(1, N, E)])
            v = minigrad.cat([v, self.bias_v.expand(1, N, E)])
        if self.add_zero_attn:  # a key and value of zeros: each query can attend to "nothing"
            k, v = (minigrad.cat([x, minigrad.zeros(1, N, E, dtype=dtype, device=device)]) for x in (k, v))
        S = k.shape[0]
        extra_keys = S - key.shape[0]
        mask = _scores_mask(attn_mask, key_padding_mask, causal_hint, (N, H, L, S), extra_keys, dtype, device)

        # (T, N, E) -> (N, H, T, d_k): each head's slice of the features becomes a batch dimension
        q, k, v = (x.reshape(x.shape[0], N, H, d_k).permute(1, 2, 0, 3) for x in (q, k, v))

        # Attention(Q, K, V) = softmax(QKᵀ/√d_k + mask) V, for every sequence and head at once
        scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (N, H, L, S)
        if mask is not None:
            scores = scores + mask
        if need_weights or mask is None:
            weights = scores.softmax(dim=-1)
        else:
            # torch's fused path gives a query with no key left weights of 0, not softmax's 0/0; the row is
            # zeroed before the softmax too, so that no NaN reaches the backward
            blocked = scores.detach().amax(dim=-1, keepdim=True) == float("-inf")
            weights = scores.masked_fill(blocked, 0.0).softmax(dim=-1).masked_fill(blocked, 0.0)
        weights = F.dropout(weights, self.dropout, self.training)
        heads = weights @ v  # (N, H, L, d_k)

        # Concat(head_1, ..., head_h) W^O
        output = self.out_proj(heads.permute(2, 0, 1, 3).reshape(L, N, E))
        if not batched:
            output = output.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        if not need_weights:
            return output, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return output, weights if batched else weights.squeeze(0)
