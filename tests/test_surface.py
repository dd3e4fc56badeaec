"""The torch surface that ported programs use: every function and method below against torch, in value and
gradient (float64), and each new primitive against central differences."""

import numpy as np
import pytest

import minigrad
from minigrad.nn import functional as F

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
VALUES = RNG.standard_normal((3, 4))


def compare(function, *arrays, positive=False, rtol=1e-10):
    """function(lib, *tensors) on minigrad and on torch: same values, same gradients of a random projection."""
    arrays = [np.abs(a) + 0.5 if positive else a for a in arrays]
    results = []
    for lib in (minigrad, torch):
        inputs = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
        out = function(lib, *inputs)
        out = out[0] if isinstance(out, tuple) else out
        weights = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (out * lib.tensor(weights)).sum().backward()
        results.append([out.detach().numpy()] + [x.grad.numpy() if x.grad is not None else None for x in inputs])
    for ours, theirs in zip(*results):
        if theirs is None:
            assert ours is None or not np.any(ours)
        else:
            np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-12)


UNARY = ["sin", "cos", "sinh", "cosh", "erf", "log1p", "exp", "tanh", "sigmoid", "abs"]


@pytest.mark.parametrize("name", UNARY)
def test_functions_of_one_value(name):
    compare(lambda lib, x: getattr(lib, name)(x), VALUES, positive=name == "log1p")
    x = minigrad.tensor(np.abs(VALUES) + 0.5, requires_grad=True)
    assert minigrad.gradcheck(lambda t: getattr(t, name)(), (x,))


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_and_minimum_share_ties_as_torch(name):
    other = VALUES.copy()
    other[0] = VALUES[0]  # a row of ties
    other[1] = -VALUES[1]
    compare(lambda lib, a, b: getattr(lib, name)(a, b), VALUES, other)
    compare(lambda lib, a, b: getattr(lib, "max" if name == "maximum" else "min")(a, b), VALUES, other)


@pytest.mark.parametrize("call", [
    lambda lib, x: x.logsumexp(1), lambda lib, x: lib.logsumexp(x, dim=(0, 1), keepdim=True),
    lambda lib, x: x.cumsum(1), lambda lib, x: lib.cumsum(x, dim=0),
    lambda lib, x: x.var(1), lambda lib, x: x.std(0, keepdim=True), lambda lib, x: x.var(unbiased=False),
    lambda lib, x: x.sum(axis=1, keepdims=True), lambda lib, x: lib.mean(x, dim=0),
    lambda lib, x: lib.max(x, 1)[0], lambda lib, x: lib.min(x, dim=0).values,
    lambda lib, x: x.topk(2, dim=1)[0], lambda lib, x: x.topk(3, dim=0, largest=False)[0],
    lambda lib, x: x.repeat(2, 1, 3), lambda lib, x: x.repeat_interleave(2, dim=0),
    lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2, 1]), dim=1),
    lambda lib, x: x.narrow(1, 1, 2), lambda lib, x: x.index_select(1, lib.tensor([3, 0, 0])),
    lambda lib, x: x.tril(), lambda lib, x: lib.triu(x, diagonal=1), lambda lib, x: x.t(),
    lambda lib, x: x.swapaxes(0, 1), lambda lib, x: x.view_as(lib.zeros(4, 3)),
    lambda lib, x: lib.einsum("ij,kj->ik", x, x), lambda lib, x: lib.einsum("ij->j", x),
    lambda lib, x: lib.einsum("i,j->ij", x[0], x[1]),
    lambda lib, x: lib.nn.functional.gelu(x), lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"),
], ids=["logsumexp", "logsumexp-dims", "cumsum", "cumsum-fn", "var", "std", "var-biased", "sum-axis", "mean-fn",
        "max-fn", "min-fn", "topk", "topk-smallest", "repeat", "repeat-interleave", "repeat-interleave-tensor",
        "narrow", "index-select", "tril", "triu", "t", "swapaxes", "view-as", "einsum-matmul", "einsum-sum",
        "einsum-outer", "gelu", "gelu-tanh"])
def test_reductions_shapes_and_products_match_torch(call):
    compare(call, VALUES)


def test_bmm_and_batched_einsum():
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 5))
    compare(lambda lib, x, y: lib.bmm(x, y), a, b)
    compare(lambda lib, x, y: lib.einsum("bij,bjk->bik", x, y), a, b)
    compare(lambda lib, x, y: lib.einsum("...ij,...jk", x, y), a, b)
    with pytest.raises(RuntimeError, match="3-D"):
        minigrad.bmm(minigrad.ones(3, 4), minigrad.ones(4, 5))


@pytest.mark.parametrize("equation, shapes", [("ij,jk->ik", [(2, 3), (3, 4)]), ("ij->i", [(2, 3)]),
                                              ("bij,bj->bi", [(2, 3, 4), (2, 4)]), ("ij,ij->", [(2, 3), (2, 3)])])
def test_einsum_gradients_match_central_differences(equation, shapes):
    inputs = [minigrad.tensor(RNG.standard_normal(s), requires_grad=True) for s in shapes]
    assert minigrad.gradcheck(lambda *xs: minigrad.einsum(equation, *xs), inputs)


def test_new_primitives_pass_gradcheck():
    x = minigrad.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    y = minigrad.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    for fn in (lambda a: a.cumsum(1), lambda a: a.logsumexp(0), lambda a: a.std(1), lambda a: F.gelu(a),
               lambda a: a.repeat(2, 2), lambda a: a.tril(), lambda a: a.repeat_interleave(2, dim=1)):
        assert minigrad.gradcheck(fn, (x,))
    assert minigrad.gradcheck(lambda a, b: a.maximum(b), (x, y))


def test_sorting_and_selection_agree_with_torch_on_indices_too():
    values = np.array([[3.0, 1.0, 2.0, 5.0], [0.0, -1.0, 4.0, 4.5]])
    x, t = minigrad.tensor(values), torch.tensor(values)
    assert x.argsort(1).tolist() == t.argsort(1).tolist()
    assert x.argsort(1, descending=True).tolist() == t.argsort(1, descending=True).tolist()
    assert x.topk(2).indices.tolist() == t.topk(2).indices.tolist()
    assert x.sort(1).indices.tolist() == t.sort(1).indices.tolist()
    assert (x > 2).any(1).tolist() == (t > 2).any(1).tolist() and (x > -2).all().item()
    assert minigrad.isnan(minigrad.tensor([1.0, float("nan")])).tolist() == [False, True]
    assert minigrad.tensor([1.0, float("inf")]).isinf().tolist() == [False, True]
    with pytest.raises(RuntimeError, match="too big"):
        x.topk(5)


def test_meshgrid_in_both_indexings():
    for indexing in ("ij", "xy"):
        ours = minigrad.meshgrid(minigrad.arange(3), minigrad.arange(2), indexing=indexing)
        theirs = torch.meshgrid(torch.arange(3), torch.arange(2), indexing=indexing)
        for o, t in zip(ours, theirs):
            assert o.tolist() == t.tolist()


def test_creation_functions_and_typed_constructors():
    assert minigrad.linspace(0, 1, 5).tolist() == torch.linspace(0, 1, 5).tolist()
    assert sorted(minigrad.randperm(6).tolist()) == list(range(6)) and minigrad.randperm(3).dtype == minigrad.int64
    assert minigrad.Tensor([1, 2]).dtype == minigrad.float32 == minigrad.FloatTensor([1]).dtype
    assert minigrad.Tensor(2, 3).shape == (2, 3) and minigrad.LongTensor(4).shape == (4,)
    assert minigrad.LongTensor([1.7, 2.2]).tolist() == torch.LongTensor([1.7, 2.2]).tolist()
    assert minigrad.tensor([1, 2]).dtype == minigrad.int64  # the function keeps the data's kind
    assert minigrad.ones(2).type() == torch.ones(2).type() == "torch.FloatTensor"
    assert minigrad.ones(2).type(minigrad.LongTensor).dtype == minigrad.int64
    assert minigrad.ones(2).type("torch.DoubleTensor").dtype == minigrad.float64
    like = minigrad.ones(2, dtype=minigrad.float64)
    for made in (like.new_zeros(3), like.new_ones((1, 2)), like.new_full((2,), 7), like.new_empty(2),
                 like.new_tensor([1, 2])):
        assert made.dtype == minigrad.float64 and made.device == like.device
    assert like.new_full((2,), 7).tolist() == [7.0, 7.0]


def test_from_numpy_shares_memory_and_random_samplers_are_seeded():
    array = np.arange(3.0)
    shared = minigrad.from_numpy(array)
    array[0] = 10.0
    assert shared.tolist() == [10.0, 1.0, 2.0] and shared.device == "cpu"
    minigrad.manual_seed(0)
    first = minigrad.multinomial(minigrad.tensor([[0.2, 0.0, 0.8], [1.0, 1.0, 0.0]]), 2)
    minigrad.manual_seed(0)
    again = minigrad.tensor([[0.2, 0.0, 0.8], [1.0, 1.0, 0.0]]).multinomial(2)
    assert first.tolist() == again.tolist() and first.dtype == minigrad.int64
    assert 1 not in first[0].tolist() and 2 not in first[1].tolist()  # weight-0 categories are never drawn
    counts = np.bincount(minigrad.multinomial(minigrad.tensor([0.25, 0.75]), 4000, replacement=True).numpy())
    assert abs(counts[1] / 4000 - 0.75) < 0.03
    samples = minigrad.normal(2.0, 0.5, size=(4000,))
    assert abs(samples.mean().item() - 2.0) < 0.03 and abs(samples.std().item() - 0.5) < 0.03
    with pytest.raises(RuntimeError, match="without replacement"):
        minigrad.multinomial(minigrad.tensor([0.5, 0.5]), 3)


@pytest.mark.parametrize("values", [[2.0, -3.0, 0.5, 4.0, 1.5], [2.0, 0.0, 4.0], [0.0, 3.0, 0.0],
                                    [[1.5, -2.0, 0.5], [0.0, 4.0, 3.0]], np.zeros((2, 0))],
                         ids=["odd count", "one zero", "two zeros", "matrix with a zero", "empty"])
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_prod_values_and_gradients_are_torchs_with_zeros_too(values, dim):
    # the gradient is the product of the others: at a single zero it is not 0/0 and at two zeros it is 0
    values = np.asarray(values, dtype=float)
    compare(lambda lib, x: x.prod() if dim is None else lib.prod(x, dim), values)
    if values.ndim == 2 and dim is not None:
        compare(lambda lib, x: x.prod(dim, keepdim=True), values)


def test_prod_dtypes_and_higher_derivatives():
    for lib in (minigrad, torch):
        ints = lib.tensor([[1, 2], [3, 4]], dtype=lib.int32)
        assert ints.prod().item() == 24 and ints.prod(1).tolist() == [2, 12]
        assert str(ints.prod().dtype).endswith("int64") and str(lib.tensor([True]).prod().dtype).endswith("int64")
        assert lib.tensor(3.0).prod(0).item() == 3.0
    x = minigrad.tensor([[0.7, -1.3, 0.0], [2.0, 0.4, -0.6]], dtype=minigrad.float64, requires_grad=True)
    assert minigrad.gradcheck(lambda t: t.prod(1), (x,))
    assert minigrad.autograd.gradgradcheck(lambda t: t.prod(), (x,))
    with pytest.raises(TypeError, match="prod"):
        x.prod((0, 1))


def test_multinomial_edges_are_torchs():
    # asked for more samples than there are weighted categories, torch draws those first and then the ones of
    # weight 0 in order; integer weights, no samples, and nothing to draw from are refused
    for lib in (minigrad, torch):
        assert sorted(lib.multinomial(lib.tensor([1.0, 0.0, 0.0]), 3).tolist()) == [0, 1, 2]
        assert lib.multinomial(lib.tensor([0.0, 1.0, 0.0]), 2).tolist() == [1, 0]
        for call in (lambda: lib.multinomial(lib.tensor([1.0, 0.0]), 0), lambda: lib.multinomial(lib.ones(0), 1),
                     lambda: lib.multinomial(lib.tensor([1, 2]), 1), lambda: lib.multinomial(lib.ones(2, 0), 1)):
            with pytest.raises(RuntimeError):
                call()
        with pytest.raises(TypeError):
            lib.multinomial(lib.tensor([1.0, 2.0]), 2.0)
    minigrad.manual_seed(1)  # without replacement, category k is first with probability w_k / Σw
    firsts = minigrad.multinomial(minigrad.tensor([[1.0, 3.0, 0.0]]).expand(4000, 3), 2)[:, 0].numpy()
    assert abs((firsts == 1).mean() - 0.75) < 0.03 and (firsts != 2).all()


def test_bernoulli_fills_integer_and_bool_tensors_and_like_takes_a_generator():
    for lib in (minigrad, torch):
        assert lib.zeros(3, dtype=lib.long).bernoulli_(1.0).tolist() == [1, 1, 1]
        assert lib.zeros(3, dtype=lib.bool).bernoulli_(1.0).tolist() == [True] * 3
        assert lib.ones(2, dtype=lib.int32).bernoulli_(0.0).dtype == lib.int32
    draws = [minigrad.rand_like(minigrad.ones(3), generator=minigrad.Generator().manual_seed(5)).tolist()
             for _ in range(2)]
    assert draws[0] == draws[1]
    assert minigrad.randn_like(minigrad.ones(2), generator=minigrad.Generator().manual_seed(1)).shape == (2,)
