"""The Transformer of "Attention Is All You Need" (Vaswani et al. 2017), as torch.nn has it.

An encoder layer is two sublayers, each inside a residual connection with a layer norm:

    post-LN (norm_first=False, as the paper)     x = LN(x + Sublayer(x))
    pre-LN  (norm_first=True)                    x = x + Sublayer(LN(x))

first self-attention (every position looks at every position), then a feed-forward network applied to each
position on its own, FFN(x) = W_2 activation(W_1 x + b_1) + b_2. A decoder layer puts cross-attention between
the two: its queries come from the target, its keys and values from the encoder's output (the memory).
``TransformerEncoder`` and ``TransformerDecoder`` stack independent copies of a layer; ``Transformer`` is both
stacks, each ending in a LayerNorm. Pre-LN leaves an identity path from the output to every layer, which lets
deep stacks train without a learning-rate warm-up (Xiong et al. 2020).

Attention has no notion of order: ``PositionalEncoding`` adds a code of each position to the embeddings.

For the traces, each layer opens a ``trace.scope`` of its own (``trace.graph`` draws it as one node, its index in
a stack as meta) and, inside ``trace.through_time()``, records its input, all positions at once (‖∂L/∂x_t‖ per
position after backward), and its attention weights averaged over the heads: ``self_attn``, and a decoder layer's
cross-attention as ``multihead_attn`` (the names of the modules that compute them).

Names, arguments, parameter names and layouts are torch.nn's, so a torch state_dict (as NumPy arrays) loads
unchanged. As in torch, a layer's masks are those of ``MultiheadAttention``: True (bool) = may not attend.
"""

from __future__ import annotations

import copy
import math

import minigrad
import minigrad.nn.functional as F
from minigrad import Tensor, nn, trace

from .multihead_attention import MultiheadAttention, _causal_mask, _positive_int, _probability


def _weights_for_trace(attention, queries, keys_and_values, mask, key_padding_mask):
    """The weights of an attention that ran with need_weights=False, averaged over the heads, for minigrad.trace.

    Computed a second time, and only while a trace records: without a graph, and in eval mode so that no dropout
    draws a random number; tracing changes no result. The weights are those before dropout."""
    training = attention.training
    attention.train(False)
    try:
        with minigrad.no_grad():
            return attention(queries, keys_and_values, keys_and_values, attn_mask=mask,
                             key_padding_mask=key_padding_mask)[1]
    finally:
        attention.train(training)


def _activation(activation, layer: str):
    """The activation named "relu" or "gelu", or any callable (a function or a module), as torch accepts."""
    if isinstance(activation, str):
        named = {"relu": F.relu, "gelu": F.gelu}
        if activation not in named:
            raise RuntimeError(f"{layer}: expected activation 'relu', 'gelu' or a callable, got {activation!r}")
        return named[activation]
    if not callable(activation):
        raise TypeError(f"{layer}: expected activation 'relu', 'gelu' or a callable, got {type(activation).__name__}")
    return activation


class _TransformerLayer(nn.Module):
    """What encoder and decoder layers share: their parts, the residual wiring and the feed-forward network.

    Arguments as torch.nn.TransformerEncoderLayer. The parts keep torch's names: ``self_attn``,
    (decoder: ``multihead_attn``), ``linear1``, ``dropout``, ``linear2``, ``norm1``, ``norm2``, (``norm3``),
    ``dropout1``, ``dropout2``, (``dropout3``).
    """

    cross_attention = False  # the decoder's: attention from the target to the memory

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        kind = type(self).__name__
        _probability(dropout, kind)
        factory = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            **factory)
        if self.cross_attention:
            self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                     batch_first=batch_first, **factory)
        self.linear1 = nn.Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        sublayers = 3 if self.cross_attention else 2
        for i in range(1, sublayers + 1):
            self.add_module(f"norm{i}", nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        for i in range(1, sublayers + 1):
            self.add_module(f"dropout{i}", nn.Dropout(dropout))
        self.activation = _activation(activation, kind)

    def _check_input(self, x, name: str) -> None:
        d_model = self.self_attn.embed_dim
        if not isinstance(x, Tensor):
            raise TypeError(f"{type(self).__name__}: expected {name} to be a Tensor, got {type(x).__name__}")
        if x.ndim not in (2, 3) or x.shape[-1] != d_model:
            # torch's error comes from the first sublayer to see the input: its layer norm with norm_first,
            # its attention without
            raise (RuntimeError if self.norm_first else AssertionError)(
                f"{type(self).__name__}: expected {name} of shape (S, N, {d_model}), (N, S, {d_model}) or "
                f"(S, {d_model}), got {x.shape}")

    def _sublayer(self, x, norm, block):
        """x + block(LN(x)) with norm_first (pre-LN), else LN(x + block(x)) (post-LN)."""
        if self.norm_first:
            return x + block(norm(x))
        return norm(x + block(x))

    def _attention_block(self, module: str, dropout, queries, keys_and_values, mask, key_padding_mask, is_causal):
        attention = getattr(self, module)  # self_attn, or the decoder's multihead_attn
        output, _ = attention(queries, keys_and_values, keys_and_values, attn_mask=mask,
                              key_padding_mask=key_padding_mask, need_weights=False, is_causal=is_causal)
        if trace.is_recording():
            trace.record_attention(**{module: _weights_for_trace(attention, queries, keys_and_values, mask,
                                                                 key_padding_mask)})
        return dropout(output)

    def _record_input(self, x) -> None:
        """Offer the layer's input, every position at once, to minigrad.trace.through_time (‖∂L/∂x_t‖)."""
        trace.record_positions(1 if x.ndim == 3 and self.self_attn.batch_first else 0, x=x)

    def _feed_forward_block(self, x, dropout):
        # FFN(x) = W_2 activation(W_1 x + b_1) + b_2, at every position on its own
        return dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoderLayer(_TransformerLayer):
    """Self-attention, then a feed-forward network, each in a residual connection with a LayerNorm.

    ``TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=relu,
    layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True)``; activation is "relu", "gelu" or a
    callable. ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``: src (S, N, E), or
    (N, S, E) with batch_first, or (S, E); the masks as MultiheadAttention's attn_mask and key_padding_mask.
    """

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        self._check_input(src, "src")
        with trace.scope(type(self).__name__):  # trace.graph draws the layer as one node
            self._record_input(src)
            x = self._sublayer(src, self.norm1, lambda x: self._attention_block(
                "self_attn", self.dropout1, x, x, src_mask, src_key_padding_mask, is_causal))
            return self._sublayer(x, self.norm2, lambda x: self._feed_forward_block(x, self.dropout2))


class TransformerDecoderLayer(_TransformerLayer):
    """Self-attention over the target, attention from the target to the memory, then a feed-forward network.

    Arguments as TransformerEncoderLayer. ``forward(tgt, memory, tgt_mask=None, memory_mask=None,
    tgt_key_padding_mask=None, memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False)``:
    tgt (T, N, E), memory (S, N, E) (batch first with batch_first); tgt_mask is (T, T), memory_mask (T, S).
    """

    cross_attention = True

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        self._check_input(tgt, "tgt")
        with trace.scope(type(self).__name__):  # as the encoder layer's
            self._record_input(tgt)
            x = self._sublayer(tgt, self.norm1, lambda x: self._attention_block(
                "self_attn", self.dropout1, x, x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self._sublayer(x, self.norm2, lambda x: self._attention_block(
                "multihead_attn", self.dropout2, x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            return self._sublayer(x, self.norm3, lambda x: self._feed_forward_block(x, self.dropout3))


def _clones(layer, num_layers, stack: str):
    """``num_layers`` deep copies of ``layer``, as torch makes them: the layers share no parameter."""
    if not isinstance(layer, nn.Module):
        raise TypeError(f"{stack}: expected the layer to be a Module, got {type(layer).__name__}")
    return nn.ModuleList([copy.deepcopy(layer) for _ in range(_positive_int(num_layers, "num_layers", stack))])


class TransformerEncoder(nn.Module):
    """``num_layers`` copies of ``encoder_layer`` (deep copies: the argument itself is not one of them), then
    ``norm`` if given. ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)``.

    ``enable_nested_tensor`` and ``mask_check`` are kept for torch's signature; they choose torch's nested-tensor
    fast path, which minigrad does not have, and change no result.
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers, "TransformerEncoder")
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        # With is_causal=None torch compares the mask with the causal one to pick a faster kernel; applying the
        # mask itself gives the same result.
        output = src
        for i, layer in enumerate(self.layers):
            # the layer's index, for the traces; a layer of models opens its own scope inside, which inherits it
            with trace.scope(type(layer).__name__, layer=i):
                output = layer(output, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                               is_causal=bool(is_causal))
        return output if self.norm is None else self.norm(output)


class TransformerDecoder(nn.Module):
    """``num_layers`` deep copies of ``decoder_layer``, then ``norm`` if given. ``forward(tgt, memory, tgt_mask=None,
    memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None, tgt_is_causal=None,
    memory_is_causal=False)``."""

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers, "TransformerDecoder")
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        output = tgt
        for i, layer in enumerate(self.layers):  # scopes and is_causal=None: as TransformerEncoder
            with trace.scope(type(layer).__name__, layer=i):
                output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                               tgt_key_padding_mask=tgt_key_padding_mask,
                               memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=bool(tgt_is_causal),
                               memory_is_causal=memory_is_causal)
        return output if self.norm is None else self.norm(output)


class Transformer(nn.Module):
    """An encoder and a decoder stack, as torch.nn.Transformer (its defaults are the paper's base model).

    ``forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
    tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
    memory_is_causal=False)`` returns the decoder's output, of tgt's shape. Every weight matrix, including
    those of a custom encoder or decoder, starts Xavier-uniform, as in torch.
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation=F.relu, custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        options = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                       layer_norm_eps=layer_norm_eps, batch_first=batch_first, norm_first=norm_first, bias=bias,
                       device=device, dtype=dtype)

        def final_norm():
            return nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)

        self.encoder = custom_encoder if custom_encoder is not None else TransformerEncoder(
            TransformerEncoderLayer(d_model, nhead, **options), num_encoder_layers, final_norm())
        self.decoder = custom_decoder if custom_decoder is not None else TransformerDecoder(
            TransformerDecoderLayer(d_model, nhead, **options), num_decoder_layers, final_norm())
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def _reset_parameters(self) -> None:
        for parameter in self.parameters():
            if parameter.ndim > 1:
                nn.init.xavier_uniform_(parameter)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        for name, x in (("src", src), ("tgt", tgt)):
            if not isinstance(x, Tensor) or x.ndim not in (2, 3):
                raise TypeError(f"Transformer: expected {name} to be a 2-D or 3-D Tensor, got "
                                f"{x.shape if isinstance(x, Tensor) else type(x).__name__}")
        batch = 0 if self.batch_first else 1
        if src.ndim == 3 and (tgt.ndim != 3 or src.shape[batch] != tgt.shape[batch]):
            raise RuntimeError(f"Transformer: expected src and tgt with the same batch size (dim {batch}), got "
                               f"shapes {src.shape} and {tgt.shape}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(f"Transformer: expected src and tgt with last dimension d_model={self.d_model}, got "
                               f"shapes {src.shape} and {tgt.shape}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """The (sz, sz) causal mask: 0 on and below the diagonal, -∞ above (position i sees positions 0..i)."""
        return _causal_mask(_positive_int(sz, "sz", "generate_square_subsequent_mask", minimum=0), sz, dtype, device)


class PositionalEncoding(nn.Module):
    """Adds the sinusoids of "Attention Is All You Need" to a sequence of embeddings, then applies dropout:

        PE[pos, 2i]   = sin(pos / 10000^(2i/d_model))
        PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model))

    Each pair of features is a clock turning at its own speed, with wavelengths from 2π to 10000·2π, so every
    position gets a distinct code and PE[pos + k] is a fixed rotation of PE[pos]: an offset is easy to read.

    Input layout: (T, N, d_model), sequence first like torch.nn's layers, by default; (N, T, d_model) with
    ``batch_first=True``; (T, d_model) for one sequence. T may be at most ``max_len``. The table is the buffer
    ``pe`` of shape (max_len, 1, d_model), the layout of the PyTorch tutorial's module, so its state_dict loads.
    """

    def __init__(self, d_model, dropout=0.1, max_len=5000, batch_first=False, device=None, dtype=None):
        super().__init__()
        self.d_model = _positive_int(d_model, "d_model", "PositionalEncoding")
        self.max_len = _positive_int(max_len, "max_len", "PositionalEncoding")
        self.batch_first = batch_first
        self.dropout = nn.Dropout(dropout)
        # minigrad has no sin and cos ops: the table is computed once, in Python's double precision
        frequencies = [10000.0 ** (-(i - i % 2) / d_model) for i in range(d_model)]  # 1 / 10000^(2i/d_model)
        table = [[math.sin(pos * w) if i % 2 == 0 else math.cos(pos * w) for i, w in enumerate(frequencies)]
                 for pos in range(max_len)]
        self.register_buffer("pe", minigrad.tensor(table, dtype=dtype, device=device).unsqueeze(1))

    def forward(self, x):
        if not isinstance(x, Tensor) or x.ndim not in (2, 3) or x.shape[-1] != self.d_model:
            raise ValueError(f"PositionalEncoding: expected input of shape (T, N, {self.d_model}), "
                             f"(N, T, {self.d_model}) with batch_first, or (T, {self.d_model}), got "
                             f"{x.shape if isinstance(x, Tensor) else type(x).__name__}")
        length = x.shape[1] if self.batch_first and x.ndim == 3 else x.shape[0]
        if length > self.max_len:
            raise ValueError(f"PositionalEncoding: expected at most max_len={self.max_len} positions, got {length}")
        pe = self.pe[:length]  # (T, 1, d_model)
        if x.ndim == 2:
            pe = pe.squeeze(1)
        elif self.batch_first:
            pe = pe.transpose(0, 1)
        return self.dropout(x + pe)

    def extra_repr(self):
        return f"d_model={self.d_model}, max_len={self.max_len}, batch_first={self.batch_first}"
