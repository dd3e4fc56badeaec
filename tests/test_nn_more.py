"""More of torch.nn against torch: activations (relu6 ... prelu, softmin, glu, the shrinks), Unflatten, cosine
similarity and pairwise distance, kl_div, scaled_dot_product_attention, BatchNorm and GroupNorm (running
statistics, momentum, state_dict), nn.init's eye_, dirac_ and trunc_normal_, and nn.utils' parameter vectors:
values and gradients in float64 (with the same weights in both), defaults, reprs and torch's errors; gradcheck of
the functional forms."""

import math
import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from conftest import host
from torch_oracle import Fixed, compare, raises_like_torch

torch = pytest.importorskip("torch")


def leaf(array):
    return minigrad.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def normal(shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


# --- activations -------------------------------------------------------------------------------------------
# Every kink of every function, both sides of it, the tails and NaN: torch's kernels define the gradient at each by
# a particular comparison, and these points pin all of them.
KINKS = np.array([-1000.0, -25.0, -7.0, -6.0, -3.5, -3.0, -2.0, -1.0, -0.5, -1e-9, 0.0, 1e-9, 0.5, 1.0, 2.0,
                  3.0, 3.5, 5.0, 6.0, 7.0, 10.0, 20.0, 25.0, 1000.0, math.nan])

ACTIVATIONS = [("relu6", {}), ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}),
               ("celu", {"alpha": 2.0}),
               ("silu", {}), ("mish", {}), ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 5.0}),
               ("softplus", {"beta": -1.0}), ("softsign", {}), ("hardtanh", {}),
               ("hardtanh", {"min_val": -2.0, "max_val": 3.0}), ("hardsigmoid", {}), ("hardswish", {}),
               ("tanhshrink", {}), ("softshrink", {}), ("softshrink", {"lambd": 1.0}), ("hardshrink", {}),
               ("hardshrink", {"lambd": 1.0}), ("hardshrink", {"lambd": -1.0})]
IDS = [name + "".join(f"-{k}={v}" for k, v in kwargs.items()) for name, kwargs in ACTIVATIONS]
INPLACE = ["relu6", "elu", "selu", "celu", "silu", "mish", "hardtanh", "hardsigmoid", "hardswish"]


def torch_rtol(name):
    """torch's double hardsigmoid multiplies its gradient by 1/6 rounded to float32 (3e-8 off); minigrad's is
    exact (test_hardsigmoid_gradient_is_exactly_a_sixth)."""
    return 1e-7 if name == "hardsigmoid" else 1e-12


@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=IDS)
def test_activation_values_and_gradients_match_torch_at_every_kink(name, kwargs):
    compare(lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs), KINKS, rtol=torch_rtol(name))


@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=IDS)
def test_activations_of_small_and_ordinary_inputs_match_torch(name, kwargs):
    # (atol: x - tanh(x) of x ~ 1e-7 is 1e-22, below the last bit of x, where the two libraries' tanh differ)
    x = np.concatenate([normal(40, 1, 3.0), normal(10, 2, 1e-7)])
    compare(lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs), x, rtol=torch_rtol(name), atol=1e-21)


def test_hardsigmoid_gradient_is_exactly_a_sixth_inside_and_zero_at_and_beyond_the_ends():
    x = leaf([-4.0, -3.0, -2.9, 0.0, 2.9, 3.0, 4.0])
    F.hardsigmoid(x).sum().backward()
    assert host(x.grad).tolist() == [0.0, 0.0, 1 / 6, 1 / 6, 1 / 6, 0.0, 0.0]


@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=IDS)
def test_gradcheck_activations(name, kwargs):
    x = normal((3, 5), 3, 3.0)
    assert minigrad.gradcheck(lambda t: getattr(F, name)(t, **kwargs), (leaf(x),))


@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=IDS)
def test_activations_keep_float32(name, kwargs):
    out = getattr(F, name)(minigrad.tensor(normal(6, 4).astype(np.float32)), **kwargs)
    assert out.dtype == minigrad.float32


@pytest.mark.parametrize("name, kwargs", ACTIVATIONS + [("glu", {}), ("softmin", {"dim": 0})],
                         ids=IDS + ["glu", "softmin"])
def test_activations_of_integers_are_computed_or_refused_like_torch(name, kwargs):
    x = np.arange(-4, 4)  # torch clips integers (hardtanh, relu6), turns some to floats, refuses the rest
    try:
        getattr(torch.nn.functional, name)(torch.from_numpy(x), **kwargs)
    except Exception:
        raises_like_torch(lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs), x)
    else:
        compare(lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs), x)


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_activations_write_the_input_and_match_torch(name):
    x = normal((3, 4), 5, 4.0)
    compare(lambda lib, x: getattr(lib.nn.functional, name)(x * 1, inplace=True), x, rtol=torch_rtol(name))
    data = minigrad.tensor(x)
    assert getattr(F, name)(data, inplace=True) is data
    np.testing.assert_allclose(host(data), getattr(torch.nn.functional, name)(torch.from_numpy(x)).numpy())


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.ReLU6(), lambda lib: lib.nn.ReLU6(True), lambda lib: lib.nn.ELU(),
    lambda lib: lib.nn.ELU(0.5, True),
    lambda lib: lib.nn.CELU(2.0), lambda lib: lib.nn.SELU(), lambda lib: lib.nn.SELU(inplace=True),
    lambda lib: lib.nn.SiLU(), lambda lib: lib.nn.Mish(True), lambda lib: lib.nn.Softplus(),
    lambda lib: lib.nn.Softplus(beta=0.5, threshold=3), lambda lib: lib.nn.Softsign(), lambda lib: lib.nn.Hardtanh(),
    lambda lib: lib.nn.Hardtanh(-2, 2, True), lambda lib: lib.nn.Hardsigmoid(), lambda lib: lib.nn.Hardsigmoid(True),
    lambda lib: lib.nn.Hardswish(True), lambda lib: lib.nn.Tanhshrink(), lambda lib: lib.nn.Softshrink(),
    lambda lib: lib.nn.Softshrink(1.5), lambda lib: lib.nn.Hardshrink(0.2), lambda lib: lib.nn.GLU(),
    lambda lib: lib.nn.GLU(0), lambda lib: lib.nn.Softmin(1), lambda lib: lib.nn.Softmin(dim=0),
    lambda lib: lib.nn.Unflatten(1, (2, 3)), lambda lib: lib.nn.Unflatten(-1, [3, -1]),
])
def test_activation_layers_match_torch_with_their_reprs(make):
    compare(lambda lib, x: make(lib)(x * 1), normal((4, 6), 6, 3.0), rtol=1e-7 if "Hardsigmoid" in repr(make(minigrad))
            else 1e-12)
    assert repr(make(minigrad)) == repr(make(torch))


def test_hardtanh_deprecated_keywords_warn_like_torch():
    with pytest.warns(FutureWarning, match="`min_value` is deprecated"):
        layer = nn.Hardtanh(min_value=-3.0)
    assert (layer.min_val, layer.max_val) == (-3.0, 1.0)


def test_softmin_matches_torch_along_each_dim_and_warns_without_one():
    x = normal((2, 3, 4), 7)
    for dim in (0, 1, -1):
        compare(lambda lib, x: lib.nn.functional.softmin(x, dim), x)
    compare(lambda lib, x: lib.nn.functional.softmin(x, 1, dtype=lib.float64), x.astype(np.float32), rtol=1e-6)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        F.softmin(minigrad.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, x: lib.nn.functional.softmin(x), x)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_glu_matches_torch(dim):
    compare(lambda lib, x: lib.nn.functional.glu(x, dim), normal((4, 6, 2), 8))
    assert minigrad.gradcheck(lambda t: F.glu(t, dim), (leaf(normal((4, 6, 2), 8)),))


@pytest.mark.parametrize("shape, slopes", [((4, 3), 3), ((4, 3), 1), ((2, 3, 5), 3), ((5,), 1), ((), 1),
                                           ((2, 3, 2, 2), 3)])
def test_prelu_matches_torch(shape, slopes):
    x = normal(shape, 9)
    if x.ndim:
        x.reshape(-1)[0] = 0.0  # the kink: torch's gradient there is the slope's
    compare(lambda lib, x, w: lib.nn.functional.prelu(x, w), x, normal(slopes, 10))
    assert minigrad.gradcheck(lambda x, w: F.prelu(x, w), (leaf(normal(shape, 11)), leaf(normal(slopes, 12))))


@pytest.mark.parametrize("num_parameters, init", [(1, 0.25), (3, -0.5)])
def test_prelu_layer_matches_torch_and_learns_its_slopes(num_parameters, init):
    ours, theirs = nn.PReLU(num_parameters, init, dtype=minigrad.float64), torch.nn.PReLU(num_parameters, init).double()
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    np.testing.assert_array_equal(host(ours.weight), theirs.weight.detach().numpy())
    x = normal((4, 3, 2), 13)
    out_ours, out_theirs = ours(minigrad.tensor(x)), theirs(torch.from_numpy(x))
    np.testing.assert_allclose(host(out_ours), out_theirs.detach().numpy(), rtol=1e-15)
    out_ours.sum().backward()
    out_theirs.sum().backward()
    np.testing.assert_allclose(host(ours.weight.grad), theirs.weight.grad.numpy(), rtol=1e-14)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.functional.hardtanh(x, 2.0, 1.0),
    lambda lib, x: lib.nn.Hardtanh(1.0, 1.0),
    lambda lib, x: lib.nn.functional.softshrink(x, -1.0),
    lambda lib, x: lib.nn.functional.celu(x, 0.0),
    lambda lib, x: lib.nn.functional.glu(x),
    lambda lib, x: lib.nn.functional.glu(x[0, 0]),
    lambda lib, x: lib.nn.functional.glu(x, 2),
    lambda lib, x: lib.nn.functional.prelu(x, lib.ones(2, dtype=lib.float64)),
    lambda lib, x: lib.nn.functional.prelu(x, lib.ones(1, 3, dtype=lib.float64)),
    lambda lib, x: lib.nn.functional.prelu(x[0], lib.ones(3, dtype=lib.float64)),
    lambda lib, x: lib.nn.Unflatten(1, 3),
    lambda lib, x: lib.nn.Unflatten(1, (3.0, 1)),
    lambda lib, x: lib.nn.Unflatten(1, (2, 2))(x),
], ids=["hardtanh-limits", "Hardtanh-limits", "softshrink-negative", "celu-alpha-0", "glu-odd", "glu-scalar",
        "glu-dim", "prelu-slopes", "prelu-2d-weight", "prelu-1d-input", "unflatten-int", "unflatten-float",
        "unflatten-sizes"])
def test_activation_misuse_raises_like_torch(call):
    raises_like_torch(call, normal((2, 3), 14))


# --- distances ---------------------------------------------------------------------------------------------
def test_cosine_similarity_matches_torch_including_norms_clamped_to_eps():
    x1, x2 = normal((5, 4), 15), normal((5, 4), 16)
    x1[1] = 0.0  # a zero vector: its norm is clamped to eps, and its gradient is that of the unclamped norm
    x2[2] *= 1e-10  # a vector shorter than eps=1e-8
    compare(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b), x1, x2)
    compare(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=0, eps=1e-3), x1, x2)
    compare(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, -1), x1, x2[:1])  # broadcast
    compare(lambda lib, a, b: lib.nn.CosineSimilarity(dim=0)(a, b), x1, x2)
    assert repr(nn.CosineSimilarity()) == repr(torch.nn.CosineSimilarity())
    assert minigrad.gradcheck(F.cosine_similarity, (leaf(normal((3, 4), 17)), leaf(normal((3, 4), 18))))


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, math.inf])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_matches_torch(p, keepdim):
    x1, x2 = normal((5, 4), 19), normal((5, 4), 20)
    x2[3] = x1[3]  # equal rows: the distance is that of eps
    compare(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p, keepdim=keepdim), x1, x2)
    compare(lambda lib, a, b: lib.nn.PairwiseDistance(p, 1e-3, keepdim)(a, b), x1, x2[:1])
    compare(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p), x1[0], x2[0])
    assert minigrad.gradcheck(lambda a, b: F.pairwise_distance(a, b, p), (leaf(x1), leaf(normal((5, 4), 20))))


def test_pairwise_distance_of_scalars_and_integers_and_default_repr_match_torch():
    compare(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b), np.array(1.5), np.array(-2.0))
    compare(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b), np.arange(6).reshape(2, 3),
            np.ones((2, 3), dtype=np.int64), rtol=1e-6)
    assert repr(nn.PairwiseDistance()) == repr(torch.nn.PairwiseDistance())


@pytest.mark.parametrize("call", [
    lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b[:, :3]),
    lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=2),
    lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b[:, :3]),
    lambda lib, a, b: lib.nn.functional.cosine_similarity(a.long(), b.long()),
])
def test_distance_misuse_raises_like_torch(call):
    raises_like_torch(call, normal((2, 4), 21), normal((2, 4), 22))


# --- kl_div ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch_with_gradients_for_both_sides(reduction, log_target):
    input = np.log(np.random.default_rng(23).dirichlet(np.ones(5), 4))
    probabilities = np.random.default_rng(24).dirichlet(np.ones(5), 4)
    target = np.log(probabilities) if log_target else probabilities
    compare(lambda lib, x, t: lib.nn.functional.kl_div(x, t, reduction=reduction, log_target=log_target), input, target)
    compare(lambda lib, x, t: lib.nn.KLDivLoss(reduction=reduction, log_target=log_target)(x, t), input, target)
    assert minigrad.gradcheck(lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target),
                              (leaf(input), leaf(target)))


def test_kl_div_mean_warns_like_torch_and_zero_targets_cost_nothing():
    input = normal((3, 4), 25)
    target = np.abs(normal((3, 4), 26))
    target[0, 1] = 0.0  # 0·log 0 = 0
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        compare(lambda lib, x, t: lib.nn.functional.kl_div(x, t), input, Fixed(target))
    compare(lambda lib, x, t: lib.nn.functional.kl_div(x, t, reduction="batchmean"), input, Fixed(target))
    compare(lambda lib, x, t: lib.nn.functional.kl_div(x, t, reduction="batchmean"), input[0], Fixed(target[0]))
    compare(lambda lib, x, t: lib.nn.functional.kl_div(x, t, reduction="sum"), input, Fixed(target[0]))  # broadcast
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, x, t: lib.nn.functional.kl_div(x, t, size_average=False), input, Fixed(target))
    assert repr(nn.KLDivLoss()) == repr(torch.nn.KLDivLoss())
    assert nn.KLDivLoss().reduction == torch.nn.KLDivLoss().reduction and not nn.KLDivLoss().log_target


@pytest.mark.parametrize("call", [
    lambda lib, x, t: lib.nn.functional.kl_div(x, t, reduction="average"),
    lambda lib, x, t: lib.nn.functional.kl_div(x, t[:, :3], reduction="sum"),
    lambda lib, x, t: lib.nn.functional.kl_div(x.long(), t, reduction="sum"),
    lambda lib, x, t: lib.nn.KLDivLoss(reduction="average")(x, t),
])
def test_kl_div_misuse_raises_like_torch(call):
    raises_like_torch(call, normal((2, 4), 27), normal((2, 4), 28))


# --- scaled dot-product attention --------------------------------------------------------------------------
def attention_inputs(batch=(2,), L=3, S=5, E=4, Ev=6, seed=29):
    return normal(batch + (L, E), seed), normal(batch + (S, E), seed + 1), normal(batch + (S, Ev), seed + 2)


def test_attention_matches_torch_with_default_and_given_scale():
    q, k, v = attention_inputs()
    compare(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v), q, k, v,
            rtol=1e-12, atol=1e-15)
    compare(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, scale=0.3), q, k, v,
            rtol=1e-12, atol=1e-15)
    q, k, v = attention_inputs(batch=(2, 3), seed=32)  # (N, heads, L, E)
    compare(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v), q, k, v,
            rtol=1e-12, atol=1e-15)
    q, k, v = attention_inputs(batch=(), seed=35)
    compare(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v), q, k, v,
            rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("L, S", [(4, 4), (3, 5), (5, 3)])
def test_causal_attention_matches_torch(L, S):
    q, k, v = attention_inputs(L=L, S=S, seed=38)
    compare(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True), q, k, v,
            rtol=1e-12, atol=1e-15)


def test_masked_attention_matches_torch_including_a_query_that_may_attend_to_nothing():
    q, k, v = attention_inputs(seed=41)
    allowed = np.random.default_rng(44).random((3, 5)) > 0.4
    allowed[0] = True
    allowed[1] = False  # nothing to attend to: zero weights and output, and no NaN in any gradient
    bias = np.where(allowed, normal((3, 5), 45), -np.inf)
    for mask in (Fixed(allowed), Fixed(bias), Fixed(allowed[None, 2:3])):
        out = compare(lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
                      q, k, v, mask, rtol=1e-12, atol=1e-15)
        assert np.isfinite(host(out)).all()
    compare(lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, m), q, k, v,
            normal((3, 5), 46), rtol=1e-12, atol=1e-15)  # a float mask is added to the scores, and gets their gradient


def test_grouped_query_attention_matches_torch():
    q = normal((2, 4, 3, 4), 47)
    k, v = normal((2, 2, 5, 4), 48), normal((2, 2, 5, 6), 49)
    compare(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True), q, k, v,
            rtol=1e-12, atol=1e-15)


def test_gradcheck_attention():
    q, k, v = attention_inputs(seed=50)
    mask = minigrad.tensor(np.tril(np.ones((3, 5), dtype=bool)))
    assert minigrad.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, mask),
                              (leaf(q), leaf(k), leaf(v)))


def test_attention_dropout_zeroes_weights_and_scales_the_rest(seeded):
    # With V the identity, the output is the attention weights themselves: each is 0 or its value / (1 - p).
    q, k, _ = attention_inputs(batch=(), L=40, S=6, seed=53)
    weights = host(F.softmax(minigrad.tensor(q @ k.T / 2.0), -1))
    dropped = host(F.scaled_dot_product_attention(minigrad.tensor(q), minigrad.tensor(k),
                                                  minigrad.eye(6, dtype=minigrad.float64), dropout_p=0.25))
    kept = dropped != 0
    np.testing.assert_allclose(dropped[kept], weights[kept] / 0.75, rtol=1e-12, atol=1e-15)
    assert 0.6 < kept.mean() < 0.9


@pytest.mark.parametrize("call", [
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, lib.ones(3, 5, dtype=lib.bool),
                                                                        is_causal=True),
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v.float()),
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, lib.ones(3, 5, dtype=lib.int64)),
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q[0, 0], k[0, 0], v[0, 0]),
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k[..., :3], v),
    lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v[:, :4]),
])
def test_attention_misuse_raises_like_torch(call):
    raises_like_torch(call, *attention_inputs(seed=56))


# --- batch and group normalisation -------------------------------------------------------------------------
def same_module(make, seed=59):
    """The layer in minigrad and in torch (float64), with the same random affine parameters."""
    theirs = make(torch.nn).double()
    with torch.no_grad():
        for i, p in enumerate(theirs.parameters()):
            p.copy_(torch.from_numpy(normal(tuple(p.shape), seed + i)))
    ours = make(nn).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def check_step(ours, theirs, x, seed):
    """One forward and backward through both: outputs, input and parameter gradients, then every buffer."""
    upstream = normal(x.shape, seed)
    mine, other = leaf(x), torch.tensor(x, requires_grad=True)
    out_ours, out_theirs = ours(mine), theirs(other)
    np.testing.assert_allclose(host(out_ours), out_theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    (out_ours * minigrad.tensor(upstream)).sum().backward()
    (out_theirs * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(host(mine.grad), other.grad.numpy(), rtol=1e-10, atol=1e-13)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(host(p.grad), q.grad.numpy(), rtol=1e-11, atol=1e-13, err_msg=name)
    expected = theirs.state_dict()
    assert list(ours.state_dict()) == list(expected)
    for name, value in ours.state_dict().items():
        assert str(value.dtype) == str(expected[name].dtype).replace("torch.", ""), name
        np.testing.assert_allclose(host(value), expected[name].numpy(), rtol=1e-13, err_msg=name)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batchnorm1d_trains_and_evaluates_like_torch(shape, momentum):
    ours, theirs = same_module(lambda lib: lib.BatchNorm1d(3, momentum=momentum))
    for step in range(3):  # the running statistics move (by momentum, or as a cumulative average)
        check_step(ours, theirs, normal(shape, 60 + step, 2.0) + step, 70 + step)
    ours.eval(), theirs.eval()  # now the running statistics normalise
    check_step(ours, theirs, normal(shape, 63), 73)
    assert ours.num_batches_tracked.item() == 3 and ours.num_batches_tracked.dtype == minigrad.int64


@pytest.mark.parametrize("options", [dict(affine=False), dict(track_running_stats=False), dict(bias=False),
                                     dict(eps=1e-2, affine=False, track_running_stats=False)])
def test_batchnorm1d_options_match_torch(options):
    ours, theirs = same_module(lambda lib: lib.BatchNorm1d(3, **options))
    assert repr(ours) == repr(theirs)
    for training in (True, False):
        ours.train(training), theirs.train(training)
        check_step(ours, theirs, normal((5, 3, 2), 80 + training), 82)


@pytest.mark.parametrize("layer, shape", [("BatchNorm2d", (2, 3, 4, 2)), ("BatchNorm3d", (2, 3, 2, 2, 2))])
def test_batchnorm_2d_and_3d_match_torch(layer, shape):
    ours, theirs = same_module(lambda lib: getattr(lib, layer)(3))
    check_step(ours, theirs, normal(shape, 84), 85)
    ours.eval(), theirs.eval()
    check_step(ours, theirs, normal(shape, 86), 87)


def test_batchnorm_defaults_state_dict_and_dtype_casts_match_torch():
    ours, theirs = nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4)
    assert repr(ours) == repr(theirs)
    assert {k: (str(v.dtype), host(v).tolist()) for k, v in ours.state_dict().items()} == \
        {k: (str(v.dtype).replace("torch.", ""), v.tolist()) for k, v in theirs.state_dict().items()}
    assert [name for name, _ in ours.named_buffers()] == [name for name, _ in theirs.named_buffers()]
    ours.double()
    assert ours.running_mean.dtype == minigrad.float64 and ours.num_batches_tracked.dtype == minigrad.int64
    assert list(nn.BatchNorm1d(4, track_running_stats=False).state_dict()) == ["weight", "bias"]
    ours(minigrad.randn(3, 4, dtype=minigrad.float64))
    ours.reset_running_stats()
    assert ours.num_batches_tracked.item() == 0 and host(ours.running_var).tolist() == [1.0] * 4


def test_functional_batch_norm_matches_torch_and_updates_the_running_statistics_in_place():
    x, w, b = normal((5, 3, 2), 88), normal(3, 89), normal(3, 90)
    mean, var = normal(3, 91), np.abs(normal(3, 92)) + 0.5
    buffers = {lib: (lib.tensor(mean), lib.tensor(var)) for lib in (minigrad, torch)}
    for training in (True, False):
        compare(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, *buffers[lib], w, b, training, 0.3, 1e-3),
                x, w, b, rtol=1e-11)
        for ours, theirs in zip(buffers[minigrad], buffers[torch]):
            np.testing.assert_allclose(host(ours), theirs.numpy(), rtol=1e-14)
    compare(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True), x, rtol=1e-11)
    assert minigrad.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, True), (leaf(x), leaf(w), leaf(b)))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.functional.batch_norm(x[:1, :, 0], None, None, training=True),
    lambda lib, x: lib.nn.functional.batch_norm(x, None, None),
    lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(4, dtype=lib.float64), lib.ones(4, dtype=lib.float64)),
    lambda lib, x: lib.nn.functional.batch_norm(x, None, None, lib.ones(4, dtype=lib.float64), training=True),
    lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True, eps=0.0),
    lambda lib, x: lib.nn.BatchNorm1d(3)(x[..., None]),
    lambda lib, x: lib.nn.BatchNorm1d(3)(x[:1, :, 0]),
    lambda lib, x: lib.nn.BatchNorm2d(3)(x),
    lambda lib, x: lib.nn.BatchNorm1d(4)(x),
], ids=["one-value-per-channel", "eval-without-stats", "stats-size", "weight-size", "eps-0", "1d-of-4d",
        "1d-one-value", "2d-of-3d", "channels"])
def test_batch_norm_misuse_raises_like_torch(call):
    raises_like_torch(call, normal((2, 3, 4), 93))


@pytest.mark.parametrize("groups, shape", [(1, (2, 6)), (2, (2, 6, 3)), (3, (3, 6, 2, 2)), (6, (2, 6, 4))])
def test_group_norm_matches_torch(groups, shape):
    ours, theirs = same_module(lambda lib: lib.GroupNorm(groups, 6))
    assert repr(ours) == repr(theirs)
    check_step(ours, theirs, normal(shape, 94, 3.0) + 1, 95)
    compare(lambda lib, x: lib.nn.functional.group_norm(x, groups, eps=1e-3), normal(shape, 96), rtol=1e-11)
    assert minigrad.gradcheck(lambda x, w, b: F.group_norm(x, groups, w, b),
                              (leaf(normal(shape, 97)), leaf(normal(6, 98)), leaf(normal(6, 99))))
    assert repr(nn.GroupNorm(2, 6, affine=False)) == repr(torch.nn.GroupNorm(2, 6, affine=False))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.GroupNorm(4, 6),
    lambda lib, x: lib.nn.functional.group_norm(x, 4),
    lambda lib, x: lib.nn.functional.group_norm(x[0, :, 0], 2),
    lambda lib, x: lib.nn.functional.group_norm(x, 2, lib.ones(4, dtype=lib.float64)),
    lambda lib, x: lib.nn.functional.group_norm(x[:1, :1, :1], 1),
])
def test_group_norm_misuse_raises_like_torch(call):
    raises_like_torch(call, normal((2, 6, 3), 100))


# --- nn.init -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (5, 2)])
def test_eye_matches_torch(shape):
    ours = nn.init.eye_(minigrad.empty(*shape, requires_grad=True))
    assert ours.requires_grad and ours.grad_fn is None
    np.testing.assert_array_equal(host(ours), torch.nn.init.eye_(torch.empty(shape)).numpy())


@pytest.mark.parametrize("shape, groups", [((4, 4, 3), 1), ((6, 3, 3, 3), 1), ((6, 2, 3, 3), 2), ((2, 5, 3, 2, 4), 1),
                                           ((6, 4, 2, 2), 3)])
def test_dirac_matches_torch(shape, groups):
    ours = nn.init.dirac_(minigrad.randn(*shape), groups)
    np.testing.assert_array_equal(host(ours), torch.nn.init.dirac_(torch.randn(shape), groups).numpy())


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.init.eye_(lib.empty(2, 3, 4)), lambda lib: lib.nn.init.dirac_(lib.empty(2, 3)),
    lambda lib: lib.nn.init.dirac_(lib.empty(3, 3, 3), groups=2),
    lambda lib: lib.nn.init.trunc_normal_(lib.empty(3), a=2.0, b=1.0),
])
def test_init_misuse_raises_like_torch(call):
    raises_like_torch(call)


def truncated_normal_cdf(x, mean, std, a, b):
    cdf = np.vectorize(lambda z: (1 + math.erf((z - mean) / (std * math.sqrt(2)))) / 2)
    return (cdf(x) - cdf(a)) / (cdf(b) - cdf(a))


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -2.0, 2.0), (1.0, 2.0, 0.0, 1.5),
                                             (0.0, 1.0, 3.0, 5.0), (-1.0, 0.5, -1.2, 3.0)])
def test_trunc_normal_draws_the_truncated_normal_distribution(seeded, mean, std, a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the far tail (3, 5) of N(0, 1) gets torch's warning)
        values = host(nn.init.trunc_normal_(minigrad.empty(20000, dtype=minigrad.float64), mean, std, a, b))
    assert values.min() >= a and values.max() <= b
    # Kolmogorov-Smirnov against the exact CDF: above 1.63/√n one time in a hundred if the distribution is right
    ordered = np.sort(values)
    expected = truncated_normal_cdf(ordered, mean, std, a, b)
    n = len(ordered)
    distance = max((np.arange(1, n + 1) / n - expected).max(), (expected - np.arange(n) / n).max())
    assert distance < 1.63 / math.sqrt(n)


def test_trunc_normal_warns_like_torch_when_the_mean_is_far_from_the_bounds(seeded):
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        values = nn.init.trunc_normal_(minigrad.empty(50), mean=10.0)
    assert ((-2 <= values) & (values <= 2)).all().item()


# --- nn.utils ----------------------------------------------------------------------------------------------
def test_parameters_to_vector_matches_torch_and_passes_gradients_back():
    ours, theirs = same_module(lambda lib: lib.Sequential(lib.Linear(3, 2), lib.PReLU(2), lib.Linear(2, 1)))
    vector = nn.utils.parameters_to_vector(ours.parameters())
    np.testing.assert_array_equal(host(vector),
                                  torch.nn.utils.parameters_to_vector(theirs.parameters()).detach().numpy())
    (vector * minigrad.arange(vector.numel(), dtype=minigrad.float64)).sum().backward()
    assert host(ours[2].bias.grad).tolist() == [vector.numel() - 1.0]


def test_vector_to_parameters_fills_each_parameter_with_its_slice_like_torch():
    ours, theirs = same_module(lambda lib: lib.Sequential(lib.Linear(3, 2), lib.Linear(2, 1)))
    values = normal(11, 101)
    nn.utils.vector_to_parameters(minigrad.tensor(values), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.from_numpy(values), theirs.parameters())
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_array_equal(host(p), q.detach().numpy())
    raises_like_torch(lambda lib: lib.nn.utils.vector_to_parameters([1.0], [lib.nn.Parameter(lib.ones(1))]))
    raises_like_torch(lambda lib: lib.nn.utils.vector_to_parameters(lib.ones(3), [lib.nn.Parameter(lib.ones(2, 2))]))
    raises_like_torch(lambda lib: lib.nn.utils.parameters_to_vector([]))


# --- porting -----------------------------------------------------------------------------------------------
NEW_LAYERS = ["ReLU6", "ELU", "SELU", "CELU", "SiLU", "Mish", "Softplus", "Softsign", "Hardtanh", "Hardsigmoid",
              "Hardswish", "Softmin", "GLU", "PReLU", "Tanhshrink", "Softshrink", "Hardshrink", "Unflatten",
              "CosineSimilarity", "PairwiseDistance", "KLDivLoss", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
              "GroupNorm"]


def test_models_nn_exports_the_new_layers_as_torch_nn_does():
    import models.nn
    for name in NEW_LAYERS:
        assert getattr(models.nn, name) is getattr(nn, name) and hasattr(torch.nn, name)
    for name in ["scaled_dot_product_attention", "batch_norm", "group_norm", "kl_div", "cosine_similarity"]:
        assert getattr(models.nn.functional, name) is getattr(F, name)
    for name in ["eye_", "dirac_", "trunc_normal_"]:
        assert hasattr(models.nn.init, name)


def test_a_small_torch_program_trains_the_same_on_minigrad():
    def train(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.BatchNorm1d(8), lib.nn.SiLU(), lib.nn.Linear(8, 6),
                                  lib.nn.GLU(), lib.nn.Hardswish())
        model.double()
        model.load_state_dict({k: lib.tensor(v) for k, v in start.items()})
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        x, y = lib.tensor(inputs), lib.tensor(targets)
        losses = []
        for _ in range(5):
            optimizer.zero_grad()
            loss = lib.nn.functional.kl_div(lib.log_softmax(model(x), 1), y, reduction="batchmean")
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses, host(model[1].running_var) if lib is minigrad else model[1].running_var.numpy()

    reference = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.SiLU(),
                                    torch.nn.Linear(8, 6), torch.nn.GLU(), torch.nn.Hardswish()).double()
    start = {k: v.numpy().copy() for k, v in reference.state_dict().items()}
    inputs = normal((16, 4), 102)
    targets = np.random.default_rng(103).dirichlet(np.ones(3), 16)
    ours, theirs = train(minigrad), train(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
