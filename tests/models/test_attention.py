"""Attention: the score functions against NumPy, masking (zero weight and zero gradient), gradcheck, errors."""

import numpy as np
import pytest

import minigrad
import models

B, S, HQ, HK, A = 3, 5, 4, 6, 7


def f64(values, requires_grad=False):
    return minigrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def make(kind):
    minigrad.manual_seed(0)
    if kind == "additive":
        return models.AdditiveAttention(HQ, HK, A).double()
    if kind == "general":
        return models.GeneralAttention(HQ, HK).double()
    return models.DotAttention()


def inputs(kind, seed=0):
    rng = np.random.default_rng(seed)
    key_size = HQ if kind == "dot" else HK
    query = f64(rng.standard_normal((B, HQ)), requires_grad=True)
    keys = f64(rng.standard_normal((B, S, key_size)), requires_grad=True)
    lengths = [5, 3, 1]
    mask = minigrad.tensor(np.arange(S)[None, :] < np.array(lengths)[:, None])
    return query, keys, mask


def reference_scores(kind, attention, query, keys):
    q, k = query.numpy(), keys.numpy()
    if kind == "dot":
        return np.einsum("bh,bsh->bs", q, k)
    if kind == "general":
        return np.einsum("bh,bsh->bs", q, k @ attention.key_layer.weight.numpy().T)
    w_q, w_k = attention.query_layer.weight.numpy(), attention.key_layer.weight.numpy()
    v = attention.energy_layer.weight.numpy()[0]
    return np.tanh((q @ w_q.T)[:, None, :] + k @ w_k.T) @ v


KINDS = ["additive", "dot", "general"]


@pytest.mark.parametrize("kind", KINDS)
def test_weights_and_context_match_a_numpy_reference(kind):
    attention = make(kind)
    query, keys, mask = inputs(kind)
    context, weights = attention(query, keys, mask)
    scores = np.where(mask.numpy(), reference_scores(kind, attention, query, keys), -np.inf)
    expected = np.exp(scores - scores.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(weights.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(context.numpy(), np.einsum("bs,bsh->bh", expected, keys.numpy()), rtol=1e-12)
    np.testing.assert_allclose(weights.numpy().sum(1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_padding_gets_exactly_zero_weight_and_zero_gradient(kind):
    attention = make(kind)
    query, keys, mask = inputs(kind)
    context, weights = attention(query, keys, mask)
    padding = ~mask.numpy()
    assert np.all(weights.numpy()[padding] == 0.0)
    (context * f64(np.random.default_rng(1).standard_normal(context.shape))).sum().backward()
    assert np.all(keys.grad.numpy()[padding] == 0.0)
    assert np.all(keys.grad.numpy()[~padding] != 0.0)


@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck(kind):
    attention = make(kind)
    query, keys, mask = inputs(kind)

    def run(query, keys, *parameters):
        # the parameters are passed so gradcheck perturbs them; the module reads those same tensors
        context, weights = attention(query, keys, mask)
        return minigrad.cat([context, weights], dim=1)

    assert minigrad.gradcheck(run, (query, keys, *attention.parameters()))


@pytest.mark.parametrize("kind", ["additive", "general"])
def test_precomputed_key_projection_gives_the_same_result(kind):
    attention = make(kind)
    query, keys, mask = inputs(kind)
    direct = attention(query, keys, mask)
    cached = attention(query, keys, mask, keys_projection=attention.project_keys(keys))
    for a, b in zip(direct, cached):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_without_mask_every_position_counts():
    attention = make("dot")
    query, keys, _ = inputs("dot")
    _, weights = attention(query, keys)
    assert np.all(weights.numpy() > 0)


def test_bad_input():
    attention = make("additive")
    query, keys, mask = inputs("additive")
    with pytest.raises(ValueError, match=r"mask of shape \(3, 5\).*got"):
        attention(query, keys, mask[:, :4])
    with pytest.raises(ValueError, match="boolean mask"):
        attention(query, keys, minigrad.ones(B, S))
    with pytest.raises(ValueError, match="at least one valid"):
        attention(query, keys, mask & False)
    with pytest.raises(ValueError, match=r"keys of shape \(3, S, key_size\)"):
        attention(query, keys[0])
    with pytest.raises(ValueError, match="same size, got 4 and 6"):
        models.DotAttention()(query, f64(np.ones((B, S, 6))))
