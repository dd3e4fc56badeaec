"""MultiheadAttention, the Transformer layers and PositionalEncoding: against torch.nn (outputs, attention
weights, the gradient of every input and parameter), against central differences, a NumPy reference, and errors."""

import copy
import io
import math
import warnings

import numpy as np
import pytest
from rich.console import Console

import minigrad
import models
import models.nn
from minigrad import trace

RTOL, ATOL = 1e-9, 1e-12
E, H, L, S, N = 8, 2, 3, 4, 2  # embed_dim, heads, target length, source length, batch

# torch warns that its nested-tensor fast path is off for sequence-first layers: nothing to do with the results
quiet_nested = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
# a boolean padding mask beside a float causal mask, as in torch's own tutorials: both libraries warn
mixed_masks = pytest.mark.filterwarnings("ignore:.*(mismatched|of different types).*:UserWarning")


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def normal(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def loaded(torch, make_ours, make_theirs):
    """A torch module (seeded) in float64 and eval mode, and ours with its state_dict loaded as NumPy arrays."""
    torch.manual_seed(0)
    theirs = make_theirs().double().eval()
    ours = make_ours().double().eval()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def as_tuple(result):
    return result if isinstance(result, tuple) else (result,)


def assert_same_as_torch(torch, ours, theirs, inputs, call, **masks):
    """``call(module, *inputs, **masks)`` on both modules: every output equal, then every gradient of
    Σ_k output_k · R_k (R fixed random) with respect to the inputs and to every parameter, by name."""
    our_inputs = [minigrad.tensor(x, requires_grad=True) for x in inputs]
    their_inputs = [torch.tensor(x, requires_grad=True) for x in inputs]
    our_outputs = as_tuple(call(ours, *our_inputs, **{k: minigrad.tensor(v) for k, v in masks.items()}))
    their_outputs = as_tuple(call(theirs, *their_inputs, **{k: torch.tensor(v) for k, v in masks.items()}))
    assert len(our_outputs) == len(their_outputs)
    our_loss, their_loss = 0.0, 0.0
    for k, (mine, reference) in enumerate(zip(our_outputs, their_outputs)):
        if reference is None:
            assert mine is None
            continue
        assert mine.shape == tuple(reference.shape)
        np.testing.assert_allclose(mine.numpy(), reference.detach().numpy(), rtol=RTOL, atol=ATOL)
        weights = normal(*reference.shape, seed=100 + k)
        our_loss = our_loss + (mine * minigrad.tensor(weights)).sum()
        their_loss = their_loss + (reference * torch.tensor(weights)).sum()
    our_loss.backward()
    their_loss.backward()
    for mine, reference in zip(our_inputs, their_inputs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=RTOL, atol=ATOL)
    our_parameters, their_parameters = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert our_parameters.keys() == their_parameters.keys()
    for name, reference in their_parameters.items():
        np.testing.assert_allclose(our_parameters[name].grad.numpy(), reference.grad.numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=name)
    return our_outputs


def self_attention(module, x, **kwargs):
    return module(x, x, x, **kwargs)


def cross_attention(module, query, key, value, **kwargs):
    return module(query, key, value, **kwargs)


# Masks: True = may not attend; no row is fully masked (that case has its own test).
PADDING = np.array([[False, False, False, True], [False, True, True, False]])                   # (N, S)
BLOCKED = np.array([[False, True, False, True], [False, False, True, True], [True, False, False, False]])  # (L, S)
BLOCKED_PER_HEAD = np.random.default_rng(7).random((N * H, L, S)) < 0.4
BLOCKED_PER_HEAD[..., 0] = False
CAUSAL = np.triu(np.full((L, L), -np.inf), k=1)
BLOCKED_SELF = np.array([[False, True, True, False], [True, False, False, True], [False, True, False, False],
                         [True, True, True, False]])  # (S, S) for self-attention over the source
SELF, CROSS = [normal(L, N, E)], [normal(L, N, E), normal(S, N, E, seed=1), normal(S, N, E, seed=2)]

MHA_CASES = {
    "self-attention": ({}, self_attention, SELF, {}),
    "batch_first": ({"batch_first": True}, self_attention, [normal(N, L, E)], {}),
    "unbatched": ({}, self_attention, [normal(L, E)], {}),
    "unbatched with masks": ({}, cross_attention, [normal(L, E), normal(S, E, seed=1), normal(S, E, seed=2)],
                             {"key_padding_mask": PADDING[0], "attn_mask": BLOCKED_PER_HEAD[:H]}),
    "cross, key_padding_mask": ({}, cross_attention, CROSS, {"key_padding_mask": PADDING}),
    "bool attn_mask": ({}, cross_attention, CROSS, {"attn_mask": BLOCKED}),
    "float attn_mask": ({}, cross_attention, CROSS, {"attn_mask": normal(L, S, seed=3)}),
    "3-D attn_mask": ({}, cross_attention, CROSS, {"attn_mask": BLOCKED_PER_HEAD, "key_padding_mask": PADDING}),
    "float masks": ({}, cross_attention, CROSS, {"attn_mask": normal(L, S, seed=3),
                                                 "key_padding_mask": np.where(PADDING, -np.inf, 0.5)}),
    "is_causal": ({}, self_attention, SELF, {"attn_mask": CAUSAL, "is_causal": True, "need_weights": False}),
    "is_causal with weights": ({}, self_attention, SELF, {"attn_mask": CAUSAL, "is_causal": True}),
    "need_weights=False": ({}, cross_attention, CROSS, {"attn_mask": BLOCKED, "key_padding_mask": PADDING,
                                                        "need_weights": False}),
    "average_attn_weights=False": ({}, cross_attention, CROSS, {"key_padding_mask": PADDING,
                                                                "average_attn_weights": False}),
    "kdim, vdim, batch_first": ({"kdim": 5, "vdim": 3, "batch_first": True}, cross_attention,
                                [normal(N, L, E), normal(N, S, 5, seed=1), normal(N, S, 3, seed=2)],
                                {"key_padding_mask": PADDING, "attn_mask": BLOCKED}),
    "bias=False": ({"bias": False}, cross_attention, CROSS, {"attn_mask": BLOCKED}),
    "add_bias_kv": ({"add_bias_kv": True}, cross_attention, CROSS, {"attn_mask": BLOCKED,
                                                                     "key_padding_mask": PADDING}),
    "add_zero_attn": ({"add_zero_attn": True}, cross_attention, CROSS, {"attn_mask": BLOCKED_PER_HEAD,
                                                                         "key_padding_mask": PADDING}),
    "both, without weights": ({"add_bias_kv": True, "add_zero_attn": True}, cross_attention, CROSS,
                              {"attn_mask": BLOCKED, "key_padding_mask": PADDING, "need_weights": False}),
    "both, is_causal": ({"add_bias_kv": True, "add_zero_attn": True}, self_attention, SELF,
                        {"attn_mask": CAUSAL, "is_causal": True, "need_weights": False}),
}


@pytest.mark.parametrize("case", MHA_CASES)
def test_multihead_attention_matches_torch(torch, case):
    options, call, inputs, masks = MHA_CASES[case]
    flags = {k: masks.pop(k) for k in ("is_causal", "need_weights", "average_attn_weights") if k in masks}
    ours, theirs = loaded(torch, lambda: models.MultiheadAttention(E, H, **options),
                          lambda: torch.nn.MultiheadAttention(E, H, **options))
    output, weights = assert_same_as_torch(torch, ours, theirs, inputs, lambda m, *x, **kw: call(m, *x, **kw, **flags),
                                           **masks)
    assert output.shape == inputs[0].shape
    assert (weights is None) == (flags.get("need_weights") is False)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the 0/0 of that query's softmax
def test_a_query_with_every_key_masked_gets_nan_weights_or_zero_output_as_in_torch(torch):
    ours, theirs = loaded(torch, lambda: models.MultiheadAttention(E, H), lambda: torch.nn.MultiheadAttention(E, H))
    blocked = BLOCKED.copy()
    blocked[1] = True  # query 1 may look nowhere
    output, weights = ours(*map(minigrad.tensor, CROSS), attn_mask=minigrad.tensor(blocked))
    their_output, their_weights = theirs(*map(torch.tensor, CROSS), attn_mask=torch.tensor(blocked))
    assert np.isnan(weights.numpy()[:, 1]).all() and np.isnan(output.numpy()[1]).all()
    np.testing.assert_allclose(weights.numpy(), their_weights.detach().numpy(), rtol=RTOL, atol=ATOL)
    # without weights (the Transformer layers' path) its attention output is 0, and every gradient finite
    outputs = assert_same_as_torch(torch, ours, theirs, CROSS, cross_attention, attn_mask=blocked, need_weights=False)
    np.testing.assert_allclose(outputs[0].numpy()[1], np.broadcast_to(ours.out_proj.bias.numpy(), (N, E)))


def test_mismatched_mask_types_warn_as_in_torch(torch):
    x = minigrad.randn(L, N, E)
    with pytest.warns(UserWarning, match="key_padding_mask .* attn_mask"):
        models.MultiheadAttention(E, H)(x, x, x, key_padding_mask=minigrad.tensor(PADDING[:, :3]),
                                        attn_mask=minigrad.zeros(L, L))
    with pytest.warns(UserWarning, match="mismatched key_padding_mask"):
        t = torch.randn(L, N, E)
        torch.nn.MultiheadAttention(E, H)(t, t, t, key_padding_mask=torch.tensor(PADDING[:, :3]),
                                          attn_mask=torch.zeros(L, L))


# --- attention without torch: shapes, a NumPy reference, initialisation -------------------------------------
def numpy_attention(module, query, key, value, mask):
    """Multi-head attention written out in NumPy from the equations, for sequence-first float64 input."""
    params = {k: v.numpy() for k, v in module.state_dict().items()}
    w_q, w_k, w_v = np.split(params["in_proj_weight"], 3)
    b_q, b_k, b_v = np.split(params["in_proj_bias"], 3)
    d = E // H
    heads, all_weights = [], []
    for i in range(H):
        cut = slice(i * d, (i + 1) * d)
        q = (query @ w_q.T + b_q)[..., cut].transpose(1, 0, 2)  # (N, L, d)
        k = (key @ w_k.T + b_k)[..., cut].transpose(1, 0, 2)
        v = (value @ w_v.T + b_v)[..., cut].transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d) + np.where(mask, -np.inf, 0.0)
        weights = np.exp(scores - scores.max(-1, keepdims=True))
        weights /= weights.sum(-1, keepdims=True)
        heads.append(weights @ v)
        all_weights.append(weights)
    joined = np.concatenate(heads, axis=-1).transpose(1, 0, 2)  # (L, N, E)
    return joined @ params["out_proj.weight"].T + params["out_proj.bias"], np.mean(all_weights, axis=0)


def test_multihead_attention_equals_a_numpy_reference():
    minigrad.manual_seed(0)
    attention = models.MultiheadAttention(E, H).double()
    with minigrad.no_grad():
        attention.in_proj_bias.copy_(minigrad.tensor(normal(3 * E)))  # torch's init zeroes it: make it count
    query, key, value = CROSS
    output, weights = attention(*map(minigrad.tensor, CROSS), attn_mask=minigrad.tensor(BLOCKED))
    expected_output, expected_weights = numpy_attention(attention, query, key, value, BLOCKED)
    np.testing.assert_allclose(output.numpy(), expected_output, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weights.numpy(), expected_weights, rtol=1e-12, atol=1e-14)
    assert (weights.numpy()[:, BLOCKED] == 0).all()  # -∞ gives exactly zero weight


def test_parameters_and_initialisation_follow_torch():
    minigrad.manual_seed(0)
    packed = models.MultiheadAttention(16, 4, add_bias_kv=True)
    assert {k: v.shape for k, v in packed.state_dict().items()} == {
        "in_proj_weight": (48, 16), "in_proj_bias": (48,), "bias_k": (1, 1, 16), "bias_v": (1, 1, 16),
        "out_proj.weight": (16, 16), "out_proj.bias": (16,)}
    bound = math.sqrt(6 / (48 + 16))  # Xavier-uniform over the stacked (3E, E) matrix, as torch
    weight = packed.in_proj_weight.numpy()
    assert np.abs(weight).max() <= bound and weight.std() > bound / 2
    assert (packed.in_proj_bias.numpy() == 0).all() and (packed.out_proj.bias.numpy() == 0).all()
    separate = models.MultiheadAttention(16, 4, kdim=5, vdim=3, bias=False)
    assert {k: v.shape for k, v in separate.state_dict().items()} == {
        "q_proj_weight": (16, 16), "k_proj_weight": (16, 5), "v_proj_weight": (16, 3), "out_proj.weight": (16, 16)}
    assert separate.in_proj_weight is None and separate.in_proj_bias is None


def test_batch_first_and_unbatched_agree_with_the_default_layout():
    minigrad.manual_seed(0)
    seq_first = models.MultiheadAttention(E, H).double()
    batch_first = models.MultiheadAttention(E, H, batch_first=True).double()
    batch_first.load_state_dict(seq_first.state_dict())
    x = minigrad.tensor(normal(L, N, E))
    output, weights = seq_first(x, x, x, average_attn_weights=False)
    assert output.shape == (L, N, E) and weights.shape == (N, H, L, L)
    xt = x.transpose(0, 1)
    output_bf, weights_bf = batch_first(xt, xt, xt, average_attn_weights=False)
    np.testing.assert_allclose(output_bf.numpy(), output.numpy().transpose(1, 0, 2), rtol=1e-12)
    np.testing.assert_allclose(weights_bf.numpy(), weights.numpy(), rtol=1e-12)
    one, one_weights = seq_first(x[:, 1], x[:, 1], x[:, 1])
    assert one.shape == (L, E) and one_weights.shape == (L, L)
    np.testing.assert_allclose(one.numpy(), output.numpy()[:, 1], rtol=1e-12)


def test_gradcheck_multihead_attention_with_masks():
    minigrad.manual_seed(0)
    attention = models.MultiheadAttention(4, 2, add_bias_kv=True).double()
    query = minigrad.tensor(normal(3, 2, 4), requires_grad=True)
    memory = minigrad.tensor(normal(2, 2, 4, seed=1), requires_grad=True)
    padding = minigrad.tensor([[False, True], [False, False]])
    blocked = minigrad.tensor([[False, False], [False, True], [True, False]])

    def attend(query, memory, *parameters):
        output, weights = attention(query, memory, memory, key_padding_mask=padding, attn_mask=blocked)
        return output, weights

    assert minigrad.gradcheck(attend, (query, memory, *attention.parameters()))


# --- layers against torch -----------------------------------------------------------------------------------
ACTIVATIONS = {"relu": ("relu", "relu"), "gelu": ("gelu", "gelu"),
               "callable": (lambda x: x.tanh(), "tanh"), "module": (models.nn.Tanh(), "Tanh")}


def torch_activation(torch, name):
    return {"tanh": torch.tanh, "Tanh": torch.nn.Tanh()}.get(name, name)


def layer_options(torch, activation, **options):
    ours, theirs = ACTIVATIONS[activation]
    common = dict(dim_feedforward=16, dropout=0.0, **options)
    return dict(common, activation=ours), dict(common, activation=torch_activation(torch, theirs))


ACTIVATION_PARAMS = list(ACTIVATIONS)


@pytest.mark.parametrize("activation", ACTIVATION_PARAMS)
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_matches_torch(torch, activation, norm_first, batch_first):
    ours_options, their_options = layer_options(torch, activation, norm_first=norm_first, batch_first=batch_first)
    ours, theirs = loaded(torch, lambda: models.TransformerEncoderLayer(E, H, **ours_options),
                          lambda: torch.nn.TransformerEncoderLayer(E, H, **their_options))
    src = normal(*((N, S, E) if batch_first else (S, N, E)))
    assert_same_as_torch(torch, ours, theirs, [src], lambda m, x, **kw: m(x, **kw),
                         src_mask=BLOCKED_SELF, src_key_padding_mask=PADDING)


@pytest.mark.parametrize("norm_first", [False, True])
def test_unbatched_encoder_layer_matches_torch(torch, norm_first):
    ours, theirs = loaded(torch, lambda: models.TransformerEncoderLayer(E, H, 16, 0.0, norm_first=norm_first),
                          lambda: torch.nn.TransformerEncoderLayer(E, H, 16, 0.0, norm_first=norm_first))
    assert_same_as_torch(torch, ours, theirs, [normal(S, E)], lambda m, x, **kw: m(x, **kw),
                         src_key_padding_mask=PADDING[1])


@quiet_nested
@mixed_masks
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_stack_with_causal_mask_matches_torch(torch, norm_first):
    def make(nn):
        return nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, 16, 0.0, norm_first=norm_first), 2,
                                     norm=nn.LayerNorm(E))
    ours, theirs = loaded(torch, lambda: make(models.nn), lambda: make(torch.nn))
    mask = models.Transformer.generate_square_subsequent_mask(S, dtype=minigrad.float64).numpy()
    for is_causal in (True, None):
        assert_same_as_torch(torch, ours, theirs, [normal(S, N, E)], lambda m, x, **kw: m(x, **kw, is_causal=is_causal),
                             mask=mask)
    assert_same_as_torch(torch, ours, theirs, [normal(S, N, E)], lambda m, x, **kw: m(x, **kw, is_causal=True),
                         mask=mask, src_key_padding_mask=PADDING)


def decoder(nn, options, stacked):
    layer = nn.TransformerDecoderLayer(E, H, **options)
    return nn.TransformerDecoder(layer, 2) if stacked else layer


# torch's decoder stack is not compared with an activation module: its copies of the layer lose the module and
# fall back to relu (TransformerDecoderLayer.__setstate__ looks for "activation" outside the submodules)
@mixed_masks
@pytest.mark.parametrize("activation, stacked", [("relu", True), ("gelu", True),
                                                 ("callable", True), ("module", False)])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_matches_torch(torch, activation, stacked, norm_first, batch_first):
    ours_options, their_options = layer_options(torch, activation, norm_first=norm_first, batch_first=batch_first)
    ours, theirs = loaded(torch, lambda: decoder(models.nn, ours_options, stacked),
                          lambda: decoder(torch.nn, their_options, stacked))
    tgt, memory = normal(L, N, E), normal(S, N, E, seed=1)
    if batch_first:
        tgt, memory = tgt.transpose(1, 0, 2), memory.transpose(1, 0, 2)
    assert_same_as_torch(torch, ours, theirs, [tgt, memory],
                         lambda m, t, mem, **kw: m(t, mem, **kw, tgt_is_causal=True), tgt_mask=CAUSAL,
                         memory_mask=BLOCKED, tgt_key_padding_mask=PADDING[:, :L], memory_key_padding_mask=PADDING)


@quiet_nested
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(torch, norm_first, batch_first):
    options = dict(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16, dropout=0.0,
                   batch_first=batch_first, norm_first=norm_first)
    ours, theirs = loaded(torch, lambda: models.nn.Transformer(**options), lambda: torch.nn.Transformer(**options))
    src, tgt = (normal(N, S, E), normal(N, L, E, seed=1)) if batch_first else (normal(S, N, E), normal(L, N, E, seed=1))
    tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64).numpy()
    assert_same_as_torch(torch, ours, theirs, [src, tgt], lambda m, s, t, **kw: m(s, t, **kw),
                         tgt_mask=tgt_mask, src_key_padding_mask=PADDING, memory_key_padding_mask=PADDING)


def test_square_subsequent_mask_is_torchs(torch):
    for size in (0, 1, 5):
        np.testing.assert_array_equal(models.Transformer.generate_square_subsequent_mask(size).numpy(),
                                      torch.nn.Transformer.generate_square_subsequent_mask(size).numpy())
    assert models.Transformer.generate_square_subsequent_mask(3, dtype=minigrad.float64).dtype == minigrad.float64


# --- layers without torch -----------------------------------------------------------------------------------
def test_encoder_deep_copies_its_layer():
    minigrad.manual_seed(0)
    layer = models.TransformerEncoderLayer(E, H, 16)
    encoder = models.TransformerEncoder(layer, 3)
    own = {id(p) for p in layer.parameters()}
    copies = [list(stacked.parameters()) for stacked in encoder.layers]
    assert len({id(p) for params in copies for p in params} | own) == 4 * len(own)  # nothing shared
    for params in copies:
        for mine, original in zip(params, layer.parameters()):
            np.testing.assert_array_equal(mine.numpy(), original.numpy())
            assert mine.requires_grad and mine.is_leaf and isinstance(mine, minigrad.nn.Parameter)
    with minigrad.no_grad():
        encoder.layers[0].linear1.weight.fill_(0.0)
    assert np.abs(encoder.layers[1].linear1.weight.numpy()).max() > 0  # the copies are independent
    encoder.eval()
    encoder(minigrad.randn(S, N, E)).sum().backward()
    assert layer.linear1.weight.grad is None  # the argument is not part of the stack
    assert len(list(encoder.parameters())) == 3 * len(own)


@pytest.mark.parametrize("norm_first", [False, True])
def test_gradcheck_encoder_layer(norm_first):
    minigrad.manual_seed(0)
    layer = models.TransformerEncoderLayer(4, 2, 6, dropout=0.0, norm_first=norm_first).double()
    src = minigrad.tensor(normal(3, 2, 4), requires_grad=True)
    mask = minigrad.tensor([[False, True, False], [False, False, False], [True, False, False]])
    padding = minigrad.tensor([[False, False, True], [False, False, False]])
    assert minigrad.gradcheck(lambda src, *parameters: layer(src, mask, padding), (src, *layer.parameters()))


def test_dropout_acts_only_in_training():
    minigrad.manual_seed(0)
    layer = models.TransformerEncoderLayer(E, H, 16, dropout=0.5).double()
    src = minigrad.tensor(normal(S, N, E))
    layer.eval()
    np.testing.assert_array_equal(layer(src).numpy(), layer(src).numpy())
    layer.train()
    assert not np.allclose(layer(src).numpy(), layer(src).numpy())


def test_graph_trace_draws_each_stacked_layer_as_one_node():
    minigrad.manual_seed(0)
    encoder = models.TransformerEncoder(models.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 2,
                                        norm=minigrad.nn.LayerNorm(4))
    loss = encoder(minigrad.randn(3, 2, 4, requires_grad=True)).sum()
    buffer = io.StringIO()
    Console(file=buffer, width=120).print(trace.graph(loss, names=encoder))
    text = buffer.getvalue()
    for expected in ("TransformerEncoderLayer (layer=1)", "TransformerEncoderLayer (layer=0)",
                     "layers.1.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_weight",
                     "layers.0.linear2.weight", "norm.weight"):
        assert expected in text


# --- positional encoding ------------------------------------------------------------------------------------
@pytest.mark.parametrize("d_model", [6, 7])
def test_positional_encoding_is_the_papers_formula(d_model):
    encoding = models.PositionalEncoding(d_model, dropout=0.0, max_len=50, dtype=minigrad.float64)
    assert dict(encoding.named_buffers())["pe"].shape == (50, 1, d_model)
    assert list(encoding.parameters()) == []
    pos, i = np.arange(50)[:, None], np.arange(d_model)[None, :]
    angle = pos / 10000 ** ((i - i % 2) / d_model)  # feature 2i and 2i+1 share the wavelength of pair i
    expected = np.where(i % 2 == 0, np.sin(angle), np.cos(angle))
    np.testing.assert_allclose(encoding.pe.numpy()[:, 0], expected, rtol=0, atol=1e-13)
    x = normal(4, 3, d_model)
    np.testing.assert_allclose(encoding(minigrad.tensor(x)).numpy(), x + expected[:4, None], rtol=1e-15)


def test_positional_encoding_layouts_and_gradient():
    encoding = models.PositionalEncoding(6, dropout=0.0, max_len=10).double()
    batch_first = models.PositionalEncoding(6, dropout=0.0, max_len=10, batch_first=True).double()
    x = minigrad.tensor(normal(5, 2, 6), requires_grad=True)
    seq_first = encoding(x)
    np.testing.assert_array_equal(batch_first(x.transpose(0, 1)).numpy(), seq_first.numpy().transpose(1, 0, 2))
    np.testing.assert_array_equal(encoding(x[:, 0]).numpy(), seq_first.numpy()[:, 0])
    seq_first.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((5, 2, 6)))  # adding a constant passes the gradient on
    assert encoding.pe.grad is None and not encoding.pe.requires_grad


# --- errors -------------------------------------------------------------------------------------------------
def raises_like_torch(torch, ours, theirs, *fragments):
    """``theirs()`` raises in torch; ``ours()`` must raise the same exception type, with a message naming
    ``fragments`` (what was expected and what was got)."""
    with pytest.raises(Exception) as reference:
        theirs()
    with pytest.raises(reference.type) as error:
        ours()
    for fragment in fragments:
        assert fragment in str(error.value)


def attention_call(torch_or_minigrad, nn, options=None, query=(L, N, E), key=None, **kwargs):
    def run():
        module = nn.MultiheadAttention(E, H, **(options or {}))
        q = torch_or_minigrad.zeros(*query)
        k = torch_or_minigrad.zeros(*(key or query))
        to_tensor = torch_or_minigrad.tensor
        return module(q, k, k, **{name: to_tensor(value) for name, value in kwargs.items()})
    return run


MHA_ERRORS = {
    "query embed_dim": (dict(query=(L, N, 6)), ["embed_dim=8", "(3, 2, 6)"]),
    "key dim, packed": (dict(key=(S, N, 5)), ["kdim=8", "(4, 2, 5)"]),
    "key dim, separate": (dict(options={"kdim": 5, "vdim": 5}, key=(S, N, 4)), ["kdim=5", "(4, 2, 4)"]),
    "key batch": (dict(key=(S, 3, E)), ["batch size 2", "(4, 3, 8)"]),
    "2-D attn_mask": (dict(attn_mask=np.zeros((L + 1, L), bool)), ["(3, 3)", "(4, 3)"]),
    "3-D attn_mask": (dict(attn_mask=np.zeros((2, L, L), bool)), ["(4, 3, 3)", "(2, 3, 3)"]),
    "key_padding_mask shape": (dict(key_padding_mask=np.zeros((N, L + 1), bool)), ["(2, 3)", "(2, 4)"]),
    "key_padding_mask dtype": (dict(key_padding_mask=np.zeros((N, L), np.int64)), ["bool or float", "int64"]),
    "4-D query": (dict(query=(1, L, N, E)), ["(1, 3, 2, 8)"]),
}


@pytest.mark.parametrize("case", MHA_ERRORS)
def test_attention_input_errors_match_torch(torch, case):
    kwargs, fragments = MHA_ERRORS[case]
    raises_like_torch(torch, attention_call(minigrad, models.nn, **kwargs), attention_call(torch, torch.nn, **kwargs),
                      *fragments)


def test_is_causal_needs_a_mask(torch):
    raises_like_torch(torch, lambda: attention_call(minigrad, models.nn, is_causal=True)(),
                      lambda: attention_call(torch, torch.nn, is_causal=True)(), "is_causal", "None")


@pytest.mark.parametrize("arguments, fragments", [((10, 3), ["divisible", "embed_dim=10", "num_heads=3"]),
                                                  ((0, 2), ["embed_dim", "0"]), ((8, -1), ["num_heads", "-1"]),
                                                  ((8.0, 2), ["embed_dim", "float"])])
def test_attention_construction_errors_match_torch(torch, arguments, fragments):
    raises_like_torch(torch, lambda: models.MultiheadAttention(*arguments),
                      lambda: torch.nn.MultiheadAttention(*arguments), *fragments)


def test_layer_and_transformer_errors_match_torch(torch):
    raises_like_torch(torch, lambda: models.TransformerEncoderLayer(E, H, activation="tanh"),
                      lambda: torch.nn.TransformerEncoderLayer(E, H, activation="tanh"), "'relu', 'gelu'", "'tanh'")
    for norm_first in (False, True):
        ours = models.TransformerEncoderLayer(E, H, 16, norm_first=norm_first)
        theirs = torch.nn.TransformerEncoderLayer(E, H, 16, norm_first=norm_first)
        raises_like_torch(torch, lambda: ours(minigrad.zeros(S, N, 6)), lambda: theirs(torch.zeros(S, N, 6)),
                          "(S, N, 8)", "(4, 2, 6)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's nested-tensor notice
        ours = models.Transformer(E, H, 1, 1, 16)
        theirs = torch.nn.Transformer(E, H, 1, 1, 16)
    raises_like_torch(torch, lambda: ours(minigrad.zeros(S, N, E), minigrad.zeros(L, 3, E)),
                      lambda: theirs(torch.zeros(S, N, E), torch.zeros(L, 3, E)), "batch size", "(3, 3, 8)")
    raises_like_torch(torch, lambda: ours(minigrad.zeros(S, N, E), minigrad.zeros(L, N, 6)),
                      lambda: theirs(torch.zeros(S, N, E), torch.zeros(L, N, 6)), "d_model=8", "(3, 2, 6)")


def test_positional_encoding_errors():
    encoding = models.PositionalEncoding(6, max_len=4)
    with pytest.raises(ValueError, match=r"max_len=4 positions, got 5"):
        encoding(minigrad.zeros(5, 1, 6))
    with pytest.raises(ValueError, match=r"\(T, N, 6\).*got \(3, 1, 5\)"):
        encoding(minigrad.zeros(3, 1, 5))


def test_stacks_need_a_module_and_a_positive_number_of_layers():
    layer = models.TransformerEncoderLayer(E, H, 16)
    with pytest.raises(TypeError, match="expected the layer to be a Module, got int"):
        models.TransformerEncoder(3, 2)
    with pytest.raises(ValueError, match="num_layers to be at least 1, got 0"):
        models.TransformerDecoder(layer, 0)
    assert copy.deepcopy(layer).self_attn.in_proj_weight is not layer.self_attn.in_proj_weight
