"""Products (mm, dot, addmm, tensordot, kron, ...), diagonals, tiling and stacking, running products and differences,
indexing writes (index_add, index_copy, masked_scatter), median, nanmean, unique and nonzero, and Tensor's small
attributes, against torch: values, dtypes, shapes, gradients, views that share memory and version counter, in-place
versions, second derivatives, and torch's exception types."""

import math

import numpy as np
import pytest
from conftest import host
from torch_oracle import compare, raises_like_torch

import minigrad

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)
M = RNG.standard_normal((3, 4))
N = RNG.standard_normal((4, 5))
V3, V4 = RNG.standard_normal(3), RNG.standard_normal(4)
B1, B2 = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 5))
CUBE = RNG.standard_normal((2, 3, 4))
WITH_ZEROS = np.array([[2.0, 0.0, 3.0, -1.5, 0.5], [0.0, 0.0, 1.25, 2.0, -3.0], [1.5, -2.0, 0.75, 0.0, 4.0]])
WITH_NANS = np.array([[np.nan, 1.5, -2.0], [0.5, np.nan, np.nan], [np.nan, np.nan, np.nan]])
INDEX = np.array([2, 0, 2, 1])  # 2 twice: index_add adds both
SOURCE = RNG.standard_normal((3, 4))
MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, False]])


# --- values and gradients against torch ----------------------------------------------------------------------
CASES = {
    "mm": (lambda lib, a, b: lib.mm(a, b), M, N),
    "mm (method, empty inner dim)": (lambda lib, a, b: a[:, :0].mm(b[:0]), M, N),
    "mv": (lambda lib, a, v: lib.mv(a, v), M, V4),
    "dot": (lambda lib, u, v: lib.dot(u, v), V4, V4[::-1].copy()),
    "dot (empty)": (lambda lib, u: u[:0].dot(u[:0]), V4),
    "bmm (method)": (lambda lib, a, b: a.bmm(b), B1, B2),
    "outer": (lambda lib, u, v: lib.outer(u, v), V3, V4),
    "ger": (lambda lib, u, v: u.ger(v), V3, V4),
    "inner (matrices)": (lambda lib, a, b: lib.inner(a, b), CUBE, M),
    "inner (0-d)": (lambda lib, a, b: a.sum().inner(b), M, N),
    "inner (vectors)": (lambda lib, u, v: u.inner(v), V4, V4[::-1].copy()),
    "addmm": (lambda lib, c, a, b: lib.addmm(c, a, b), M @ N, M, N),
    "addmm (broadcast input, beta, alpha)": (lambda lib, c, a, b: c.addmm(a, b, beta=0.5, alpha=-2.0), V4[:1], M, N),
    "addmm (beta 0 ignores nan)": (lambda lib, c, a, b: lib.addmm(c, a, b, beta=0), np.full(5, np.nan), M, N),
    "addmv": (lambda lib, c, a, v: lib.addmv(c, a, v, beta=2.0, alpha=0.25), V3, M, V4),
    "baddbmm": (lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=3), RNG.standard_normal((3, 5)), B1, B2),
    "tensordot (dims=2)": (lambda lib, a, b: lib.tensordot(a, b), CUBE, RNG.standard_normal((3, 4, 5))),
    "tensordot (lists)": (lambda lib, a, b: lib.tensordot(a, b, ([1, -1], [1, 0])), CUBE,
                          RNG.standard_normal((4, 3, 2))),
    "tensordot (dims=0)": (lambda lib, a, b: lib.tensordot(a, b, 0), V3, M),
    "tensordot (dims tensor)": (lambda lib, a, b: lib.tensordot(a, b, lib.tensor(1)), M, N),
    "kron (matrices)": (lambda lib, a, b: lib.kron(a, b), M, RNG.standard_normal((2, 3))),
    "kron (fewer dims)": (lambda lib, a, b: a.kron(b), V3, CUBE),
    "kron (0-d)": (lambda lib, a, b: lib.kron(a.sum(), b), V3, M),
    "diag (vector)": (lambda lib, v: lib.diag(v), V4),
    "diag (vector, above)": (lambda lib, v: v.diag(2), V4),
    "diag (vector, below)": (lambda lib, v: lib.diag(v, -1), V4),
    "diag (matrix)": (lambda lib, a: lib.diag(a), M),
    "diag (matrix, offsets)": (lambda lib, a: a.diag(1) * a.diag(-1)[:2].sum(), M),
    "diag (matrix, beyond)": (lambda lib, a: a.diag(9), M),
    "diag_embed": (lambda lib, a: lib.diag_embed(a), CUBE),
    "diag_embed (offset, dims)": (lambda lib, a: a.diag_embed(-1, 0, 2), CUBE),
    "diag_embed (negative dims)": (lambda lib, a: lib.diag_embed(a, 2, dim1=-1, dim2=1), M),
    "tile": (lambda lib, a: lib.tile(a, (2,)), M),
    "tile (more dims)": (lambda lib, a: a.tile(2, 1, 3), M),
    "broadcast_to": (lambda lib, v: lib.broadcast_to(v, (2, 3, 4)), V4),
    "broadcast_to (-1)": (lambda lib, a: a[:, :1].broadcast_to((-1, 5)), M),
    "concat": (lambda lib, a, b: lib.concat([a, b.T], 0), M, N),
    "concatenate": (lambda lib, a, b: lib.concatenate((a, b[:3]), dim=-1), M, N),
    "hstack (vectors, 0-d)": (lambda lib, u, v: lib.hstack([u, v.sum(), v]), V3, V4),
    "hstack (matrices)": (lambda lib, a, b: lib.hstack((a, b.T[:3])), M, N),
    "vstack": (lambda lib, a, v: lib.vstack([a, v, v]), M, V4),
    "vstack (0-d)": (lambda lib, v: lib.vstack([v.sum(), v[0]]), V4),
    "column_stack": (lambda lib, a, v: lib.column_stack([v[:3], a, v[1:]]), M, V4),
    "column_stack (0-d)": (lambda lib, v: lib.column_stack([v.sum(), v[0], v[1:2]]), V4),
    "cumprod": (lambda lib, a: lib.cumprod(a, 1), CUBE),
    "cumprod (zeros)": (lambda lib, a: a.cumprod(1), WITH_ZEROS),
    "cumprod (zeros, dim 0)": (lambda lib, a: a.cumprod(-2), WITH_ZEROS),
    "cumprod (0-d)": (lambda lib, a: a.sum().cumprod(0), M),
    "cumprod (empty)": (lambda lib, a: a[:, :0].cumprod(1), M),
    "cumprod (long)": (lambda lib, v: (v * 0.1 + 1).cumprod(0), RNG.standard_normal(37)),
    "diff": (lambda lib, a: lib.diff(a), CUBE),
    "diff (n, dim)": (lambda lib, a: a.diff(2, 0), WITH_ZEROS),
    "diff (prepend, append)": (lambda lib, a, p, q: lib.diff(a, 1, 1, p, q), M, N[:3, :2], V3[:, None]),
    "diff (n beyond the length)": (lambda lib, a: a.diff(7), M),
    "diff (n=0)": (lambda lib, a: a.diff(0) * 2, M),
    "take": (lambda lib, a, i: lib.take(a, i), M, np.array([[0, -1], [11, 0]])),
    "take (empty index)": (lambda lib, a, i: a.take(i), M, np.zeros(0, dtype=np.int64)),
    "index_add (repeated indices)": (lambda lib, a, s, i: lib.index_add(a, 0, i, s), M, N[:, :4], INDEX),
    "index_add (alpha, dim -1)": (lambda lib, a, s, i: a.index_add(-1, i, s, alpha=-1.5), M, SOURCE, INDEX),
    "index_add (0-d)": (lambda lib, a, s: a.sum().index_add(0, lib.tensor([0]), s[0]), M, V3),
    "index_copy": (lambda lib, a, s, i: lib.index_copy(a, 1, i, s), M, RNG.standard_normal((3, 2)), np.array([3, 0])),
    "masked_scatter": (lambda lib, a, s, m: lib.masked_scatter(a, m, s), M, RNG.standard_normal(8), MASK),
    "masked_scatter (broadcast)": (lambda lib, a, s, m: a[0].masked_scatter(m, s), M, SOURCE, MASK),
    "median": (lambda lib, a: lib.median(a), CUBE),
    "median (even count: the lower)": (lambda lib, a: a.median(), M),
    "median (ties share the gradient)": (lambda lib, a: a.median(), np.array([2.0, 1.0, 2.0, 2.0, 3.0, -1.0])),
    "median (nan)": (lambda lib, a: a.median(), WITH_NANS),
    "median (empty)": (lambda lib, a: a[:0].median(), M),
    "median (dim)": (lambda lib, a: lib.median(a, 1).values, CUBE),
    "median (dim, keepdim)": (lambda lib, a: a.median(-1, keepdim=True)[0], M),
    "median (dim, nan)": (lambda lib, a: a.median(1).values, WITH_NANS),
    "median (0-d)": (lambda lib, a: a.sum().median(0).values, M),
    "nanmean": (lambda lib, a: lib.nanmean(a), WITH_NANS),
    "nanmean (dim)": (lambda lib, a: a.nanmean(1, keepdim=True), WITH_NANS[:2]),
    "nanmean (a slice of NaNs alone)": (lambda lib, a: a.nanmean(0).detach(), WITH_NANS),
    "var_mean": (lambda lib, a: lib.var_mean(a, 1)[0] + 2 * lib.var_mean(a, 1)[1], M),
    "var_mean (overload, keepdim)": (lambda lib, a: math.prod(lib.var_mean(a, False))
                                     + lib.var_mean(a, keepdim=True)[0], M),
    "std_mean": (lambda lib, a: lib.std_mean(a, (0, 2), correction=0)[0] * lib.std_mean(a, 1)[1].sum(), CUBE),
    "amin": (lambda lib, a: lib.amin(a, (0, -1)), CUBE),
    "mT": (lambda lib, a: a.mT, CUBE),
    "type_as": (lambda lib, a, b: a.type_as(b) * b, M, 2 * M),
}


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_match_torch(name):
    call, *args = CASES[name]
    compare(call, *args, rtol=1e-12, atol=1e-14)


def test_median_indices_match_torch():
    for values, dim in ((CUBE, 1), (WITH_NANS, 1), (np.array([[1.0, 2.0, 2.0, 1.0, 3.0]]), 1), (M, 0)):
        ours, theirs = minigrad.tensor(values).median(dim), torch.tensor(values).median(dim)
        assert type(ours).__name__ == "median"
        np.testing.assert_array_equal(host(ours.indices), theirs.indices.numpy())
        assert ours.indices.dtype == minigrad.int64


# --- results without gradients: positions, counts, dtypes ----------------------------------------------------
INTEGERS = np.array([[3, 0, 1, 3], [0, 2, 1, 0], [3, 3, 0, 5]])
DISCRETE = {
    "cumprod (int64)": lambda lib, a: a.cumprod(1),
    "cumprod (int32 dtype)": lambda lib, a: lib.cumprod(a.to(lib.int32), 0),
    "cumprod (bool)": lambda lib, a: (a > 0).cumprod(1),
    "cumprod (dtype float64)": lambda lib, a: a.cumprod(1, dtype=lib.float64),
    "diff (int)": lambda lib, a: lib.diff(a, 2),
    "diff (bool)": lambda lib, a: (a > 1).diff(dim=0),
    "diff (int with float prepend)": lambda lib, a: a.diff(prepend=lib.ones(3, 1, dtype=lib.float64)),
    "take (int)": lambda lib, a: a.take(lib.tensor([5, -2])),
    "kron (int)": lambda lib, a: lib.kron(a, a[:2, :2]),
    "outer (int, float)": lambda lib, a: lib.outer(a[0], a[1].double()),
    "mm (int)": lambda lib, a: a.mm(a.T),
    "dot (int)": lambda lib, a: lib.dot(a[0], a[1]),
    "nonzero": lambda lib, a: lib.nonzero(a),
    "nonzero (float, 3-d)": lambda lib, a: (a.double() - 1).reshape(2, 3, 2).nonzero(),
    "nonzero (0-d)": lambda lib, a: a[0, 0].nonzero(),
    "nonzero (empty)": lambda lib, a: a[:0].nonzero(),
    "argwhere": lambda lib, a: lib.argwhere(a > 1),
    "argwhere (0-d zero)": lambda lib, a: a[0, 1].argwhere(),
    "unique": lambda lib, a: lib.unique(a),
    "unique (sorted=False)": lambda lib, a: a.unique(sorted=False),
    "unique (empty)": lambda lib, a: a[:0].unique(),
    "count_nonzero": lambda lib, a: lib.count_nonzero(a),
    "count_nonzero (dims)": lambda lib, a: lib.count_nonzero(a, (0, 1)),
    "count_nonzero (dim)": lambda lib, a: a.count_nonzero(-1),
    "count_nonzero (0-d)": lambda lib, a: lib.count_nonzero(a[0, 0], 0),
    "median (int)": lambda lib, a: a.median(),
    "median (int, dim)": lambda lib, a: a.median(0).values,
    "amin (int)": lambda lib, a: lib.amin(a, 1),
    "index_add (int, alpha)": lambda lib, a: a.index_add(0, lib.tensor([1, 1], dtype=lib.int32), a[:2], alpha=3),
    "index_copy (int)": lambda lib, a: a.index_copy(0, lib.tensor([2]), a[:1] * 7),
    "masked_scatter (int)": lambda lib, a: a.masked_scatter(a == 0, a.reshape(-1) * 10),
    "type_as (float to int)": lambda lib, a: a.double().type_as(a),
}


@pytest.mark.parametrize("name", list(DISCRETE))
def test_discrete_results_match_torch(name):
    compare(DISCRETE[name], INTEGERS)


@pytest.mark.parametrize("values", [INTEGERS, np.array([3.0, np.nan, 1.0, np.nan, 3.0, -0.0, 0.0]),
                                    np.zeros((0, 2)), np.array(4.0)], ids=["int", "nan", "empty", "0-d"])
def test_unique_inverse_and_counts_match_torch(values):
    for flags in ((True, False), (False, True), (True, True)):
        ours = minigrad.unique(minigrad.tensor(values), return_inverse=flags[0], return_counts=flags[1])
        theirs = torch.unique(torch.tensor(values), return_inverse=flags[0], return_counts=flags[1])
        assert len(ours) == len(theirs) == 1 + sum(flags)
        for mine, other in zip(ours, theirs):
            assert mine.shape == tuple(other.shape) and str(mine.dtype) == str(other.dtype).removeprefix("torch.")
            np.testing.assert_array_equal(host(mine), other.numpy())


def test_unique_along_a_dim_matches_torch():
    rows = np.array([[1, 2], [1, 2], [0, 5], [1, 0]])
    for dim in (0, 1, -2):
        ours = minigrad.tensor(rows).unique(dim=dim, return_inverse=True, return_counts=True)
        theirs = torch.tensor(rows).unique(dim=dim, return_inverse=True, return_counts=True)
        for mine, other in zip(ours, theirs):
            np.testing.assert_array_equal(host(mine), other.numpy())


def test_nonzero_as_tuple_matches_torch():
    for values in (INTEGERS, INTEGERS[0, 0], INTEGERS[0, 1], INTEGERS[:0], INTEGERS.reshape(2, 3, 2)):
        ours, theirs = minigrad.nonzero(minigrad.tensor(values), as_tuple=True), torch.tensor(values).nonzero(
            as_tuple=True)
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for mine, other in zip(ours, theirs):
            assert mine.dtype == minigrad.int64
            np.testing.assert_array_equal(host(mine), other.numpy())


def test_small_attributes_match_torch():
    for dtype in ("float32", "float64", "int64", "int32", "bool", "uint8"):
        ours, theirs = minigrad.zeros(2, 3, dtype=dtype), torch.zeros(2, 3, dtype=getattr(torch, dtype))
        assert ours.element_size() == theirs.element_size()
        assert ours.is_floating_point() is theirs.is_floating_point()
        assert minigrad.is_floating_point(ours) is torch.is_floating_point(theirs)
    x = minigrad.zeros(2, 3, 4)
    assert (x.ndimension(), x.nelement()) == (3, 24)
    assert minigrad.is_tensor(x) and not minigrad.is_tensor(np.zeros(2)) and not minigrad.is_tensor([x])
    assert x.type_as(minigrad.tensor([1])).dtype == minigrad.int64
    assert x.type_as(x) is x  # (no copy where nothing changes, as torch's)


# --- second derivatives ---------------------------------------------------------------------------------------
GRADCHECK = {
    "mm, mv, dot": (lambda a, b, v: a.mm(b).sum(1).dot(a.mv(v)), [(3, 4), (4, 5), (4,)]),
    "addmm, addmv, baddbmm": (lambda c, a, b: (minigrad.addmm(c, a, b, beta=0.5, alpha=2.0)
                                               + minigrad.baddbmm(c, a.expand(2, 3, 4), b.expand(2, 4, 5))).sum((0, 2))
                              + minigrad.addmv(c[:, 0], a, b[:, 1]), [(3, 5), (3, 4), (4, 5)]),
    "outer, inner": (lambda u, v: minigrad.outer(u, v) * minigrad.inner(u, v[:3]), [(3,), (4,)]),
    "tensordot": (lambda a, b: minigrad.tensordot(a, b, ([0, 2], [1, 0])), [(2, 3, 4), (4, 2, 3)]),
    "kron": (lambda a, b: minigrad.kron(a, b), [(2, 3), (3, 2)]),
    "diag, diag_embed": (lambda a, v: a.diag(1).diag_embed(-1, 0, 1)[:3, :3] * v.diag(-1), [(3, 4), (2,)]),
    "tile, hstack, vstack, column_stack": (
        lambda a, v: minigrad.vstack([minigrad.hstack([a, a]), v.tile(2)]) * minigrad.column_stack([v, v]).sum(),
        [(2, 3), (3,)]),
    "cumprod": (lambda a: a.cumprod(1), [(2, 5)]),
    "diff": (lambda a, p: a.diff(2, 0, prepend=p), [(4, 3), (1, 3)]),
    "take": (lambda a: a.take(minigrad.tensor([[0, 5], [5, -1]])), [(2, 3)]),
    "index_add": (lambda a, s: a.index_add(1, minigrad.tensor([0, 2, 0]), s, alpha=2.0), [(2, 3), (2, 3)]),
    "index_copy": (lambda a, s: a.index_copy(0, minigrad.tensor([1]), s) * a, [(2, 3), (1, 3)]),
    "masked_scatter": (lambda a, s: a.masked_scatter(minigrad.tensor([True, False, True]), s) * a, [(2, 3), (5,)]),
    "median": (lambda a: a.median() * a.median(0).values, [(3, 4)]),
    "nanmean, var_mean, std_mean": (
        lambda a: a.nanmean(0) * minigrad.var_mean(a, 1)[0].sum() * minigrad.std_mean(a)[0], [(3, 4)]),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_first_and_second_derivatives(name):
    function, shapes = GRADCHECK[name]
    minigrad.manual_seed(0)
    inputs = [minigrad.randn(*shape, dtype=minigrad.float64, requires_grad=True) for shape in shapes]
    assert minigrad.gradcheck(function, inputs)
    assert minigrad.gradcheck(function, inputs, check_forward_ad=True, check_backward_ad=False)
    assert minigrad.autograd.gradgradcheck(function, inputs)


def test_cumprod_gradient_is_exact_at_zeros():
    """Where elements are 0, the gradient of the running products is a product of the other elements; dividing
    the output by an element would give nan there. Checked with one zero, with two, and at the ends."""
    for row in ([0.0, 2.0, 3.0, 0.5], [2.0, 0.0, 3.0, 0.0], [1.5, 2.0, -3.0, 0.0], [0.0, 0.0, 0.0, 0.0]):
        x = minigrad.tensor(row, dtype=minigrad.float64, requires_grad=True)
        x.cumprod(0).sum().backward()
        # d(Σ_k out_k)/dx_i = Σ_{k >= i} Π_{j <= k, j != i} x_j (the values are exact in binary)
        expected = [sum(math.prod(row[j] for j in range(k + 1) if j != i) for k in range(i, len(row)))
                    for i in range(len(row))]
        np.testing.assert_array_equal(host(x.grad), expected)
        x = minigrad.tensor(row, dtype=minigrad.float64, requires_grad=True)
        assert minigrad.autograd.gradgradcheck(lambda t: t.cumprod(0), [x])


# --- views, copies and in-place versions ---------------------------------------------------------------------
def test_views_share_memory_and_version_with_their_base():
    for make in (lambda t: t.mT, lambda t: t[:, :1].broadcast_to((1, 3, 1))[0],
                 lambda t: t.transpose(0, 1).mT):
        base = minigrad.tensor(np.arange(12.0).reshape(3, 4))
        view = make(base)
        with minigrad.no_grad():
            view[0, 0] = -7.0
        assert base[0, 0].item() == -7.0
        assert view._version == base._version == 1


def test_copies_do_not_share_memory():
    for make in (lambda t: t.diag(), lambda t: t[0].diag(), lambda t: t.tile(1), lambda t: t.diff(0),
                 lambda t: t.take(minigrad.tensor([0])), lambda t: t[:, :1].cumprod(1), lambda t: t.kron(t.new_ones(1)),
                 lambda t: minigrad.hstack([t]), lambda t: t.index_add(0, minigrad.tensor([0]), t[:1] * 0)):
        base = minigrad.tensor(np.arange(12.0).reshape(3, 4))
        copy = make(base)
        copy.zero_()
        assert base.sum().item() == 66.0 and base._version == 0


@pytest.mark.parametrize("op", ["t_", "transpose_"])
def test_transpose_in_place_keeps_the_memory_like_torch(op):
    for lib in (minigrad, torch):
        base = lib.tensor(np.arange(6.0).reshape(2, 3))
        alias = base.view(-1)
        same = getattr(base, op)(*(() if op == "t_" else (0, -1)))
        assert same is base and tuple(base.shape) == (3, 2) and base._version == alias._version == 1
        with lib.no_grad():
            base[2, 0] = 9.0
        assert alias[2].item() == 9.0
    x = minigrad.randn(2, 3, 4)
    with pytest.raises(RuntimeError):
        x.t_()  # (as torch: t_ takes at most 2 dims)


INPLACE = {
    "cumsum_": (lambda lib, t, s: t.cumsum_(1), lambda lib, t, s: t.cumsum(1)),
    "cumprod_": (lambda lib, t, s: t.cumprod_(0), lambda lib, t, s: t.cumprod(0)),
    "index_add_": (lambda lib, t, s: t.index_add_(0, lib.tensor([2, 2]), s, alpha=2),
                   lambda lib, t, s: t.index_add(0, lib.tensor([2, 2]), s, alpha=2)),
    "index_copy_": (lambda lib, t, s: t.index_copy_(0, lib.tensor([1, 0]), s),
                    lambda lib, t, s: t.index_copy(0, lib.tensor([1, 0]), s)),
    "masked_scatter_": (lambda lib, t, s: t.masked_scatter_(t > 0, s.reshape(-1).repeat(2)),
                        lambda lib, t, s: t.masked_scatter(t > 0, s.reshape(-1).repeat(2))),
    "t_": (lambda lib, t, s: t.t_(), lambda lib, t, s: t.t()),
    "transpose_": (lambda lib, t, s: t.transpose_(1, 0), lambda lib, t, s: t.transpose(0, 1)),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_versions_match_torch(name):
    in_place, out_of_place = INPLACE[name]
    values, source = RNG.standard_normal((3, 4)), RNG.standard_normal((2, 4))
    results = []
    for lib in (minigrad, torch):
        # the value and the gradients through an in-place change of a graph tensor, and its version
        x = lib.tensor(values, requires_grad=True)
        s = lib.tensor(source, requires_grad=True)
        t = x * 1.0
        before = t._version
        out = in_place(lib, t, s)
        assert out is t and t._version > before
        weights = lib.tensor(np.random.default_rng(3).standard_normal(tuple(t.shape)))
        (t * weights).sum().backward()
        expected = out_of_place(lib, lib.tensor(values), lib.tensor(source))
        np.testing.assert_allclose(t.detach().numpy(), expected.numpy(), rtol=1e-12)
        results.append((t.detach().numpy().copy(), x.grad.numpy().copy(),
                        None if s.grad is None else s.grad.numpy().copy()))
        # a value saved for backward and then changed in place: backward refuses it
        t = x * 1.0
        saved = t * t
        in_place(lib, t, s.detach())
        with pytest.raises(RuntimeError):
            saved.sum().backward()
        # a leaf that requires grad cannot be changed in place
        with pytest.raises(RuntimeError):
            in_place(lib, x, s)
    for ours, theirs in zip(*results):
        if theirs is None:
            assert ours is None or not ours.any()
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


# --- errors, with torch's exception types --------------------------------------------------------------------
I64 = np.array([0, 1])
ERRORS = {
    "mm of a vector": (lambda lib, a, v: lib.mm(a, v), M, V4),
    "mm of mismatched shapes": (lambda lib, a: a.mm(a), M),
    "mm of a non-tensor": (lambda lib, a: a.mm(M), M),
    "mv of two matrices": (lambda lib, a: lib.mv(a, a), M),
    "mv of mismatched shapes": (lambda lib, a, v: a.mv(v), M, V3),
    "dot of matrices": (lambda lib, a: a.dot(a), M),
    "dot of different lengths": (lambda lib, u, v: lib.dot(u, v), V3, V4),
    "dot of different dtypes": (lambda lib, u: u.dot(u.float()), V3),
    "bmm of matrices": (lambda lib, a: a.bmm(a.T), M),
    "outer of a matrix": (lambda lib, a, v: lib.outer(a, v), M, V4),
    "inner of mismatched shapes": (lambda lib, a: lib.inner(a, a.T), M),
    "addmm of an input too large": (lambda lib, a, b: lib.addmm(a.new_zeros(2, 3, 5), a, b), M, N),
    "addmm of mixed dtypes": (lambda lib, a, b: lib.addmm((a @ b).float(), a, b), M, N),
    "tensordot of negative dims": (lambda lib, a: lib.tensordot(a, a, -1), M),
    "tensordot of too many dims": (lambda lib, a: lib.tensordot(a, a, 3), M),
    "tensordot of mismatched sizes": (lambda lib, a, b: lib.tensordot(a, b, ([0], [0])), M, N),
    "tensordot of lists of two lengths": (lambda lib, a, b: lib.tensordot(a, b, ([0, 1], [0])), M, N),
    "diag of a 3-d tensor": (lambda lib, a: a.diag(), CUBE),
    "diag of a 0-d tensor": (lambda lib, a: lib.diag(a.sum()), M),
    "diag_embed with one dim twice": (lambda lib, a: a.diag_embed(0, 1, -2), M),
    "diag_embed with a dim out of range": (lambda lib, a: a.diag_embed(0, 0, 3), M),
    "diag_embed of a 0-d tensor": (lambda lib, a: a.sum().diag_embed(), M),
    "broadcast_to a smaller shape": (lambda lib, a: a.broadcast_to((4,)), M),
    "hstack of nothing": (lambda lib: lib.hstack([]),),
    "vstack of a tensor": (lambda lib, a: lib.vstack(a), M),
    "column_stack of nothing": (lambda lib: lib.column_stack(()),),
    "cumprod with a dim out of range": (lambda lib, a: a.cumprod(2), M),
    "cumprod without a dim": (lambda lib, a: a.cumprod(), M),
    "diff of a 0-d tensor": (lambda lib, a: a.sum().diff(), M),
    "diff of negative order": (lambda lib, a: a.diff(-1), M),
    "diff with a number prepended": (lambda lib, a: a.diff(prepend=1.0), M),
    "diff with a prepend of other dims": (lambda lib, a: a.diff(prepend=a[0]), M),
    "take of an int32 index": (lambda lib, a: a.take(lib.tensor([0], dtype=lib.int32)), M),
    "take out of range": (lambda lib, a, i: a.take(i + 12), M, I64),
    "take below the range": (lambda lib, a, i: a.take(i - 14), M, I64),
    "index_add of a float index": (lambda lib, a: a.index_add(0, lib.tensor([0.0]), a[:1]), M),
    "index_add of a 2-d index": (lambda lib, a, i: a.index_add(0, i[None], a[:2]), M, I64),
    "index_add of a short source": (lambda lib, a, i: a.index_add(0, i, a[:1]), M, I64),
    "index_add of another dtype": (lambda lib, a, i: a.index_add(0, i, a[:2].float()), M, I64),
    "index_add out of range": (lambda lib, a, i: a.index_add(1, i + 3, a[:, :2]), M, I64),
    "index_add of a negative index": (lambda lib, a, i: a.index_add(0, i - 1, a[:2]), M, I64),
    "index_copy of an int32 index": (lambda lib, a: a.index_copy(0, lib.tensor([0], dtype=lib.int32), a[:1]), M),
    "index_copy of a 2-d index": (lambda lib, a, i: a.index_copy(0, i[None], a[:2]), M, I64),
    "index_copy of a short source": (lambda lib, a, i: a.index_copy(0, i, a[:1]), M, I64),
    "index_copy out of range": (lambda lib, a, i: lib.index_copy(a, 0, i + 2, a[:2]), M, I64),
    "index_copy of another dtype": (lambda lib, a, i: a.index_copy(0, i, a[:2].float()), M, I64),
    "masked_scatter of a float mask": (lambda lib, a: a.masked_scatter(a.new_ones(3, 4), a), M),
    "masked_scatter of too few elements": (lambda lib, a: a.masked_scatter(a.new_ones(3, 4).bool(), a[0]), M),
    "masked_scatter of another dtype": (lambda lib, a: a.masked_scatter(a > 0, a.float()), M),
    "masked_scatter_ of a larger mask": (lambda lib, a: a[0].masked_scatter_(a > 0, a), M),
    "median along an empty dim": (lambda lib, a: a[:, :0].median(1), M),
    "median with a dim out of range": (lambda lib, a: a.median(2), M),
    "nanmean of integers": (lambda lib, i: lib.nanmean(i), I64),
    "mT of a vector": (lambda lib, v: v.mT, V3),
    "transpose_ with a dim out of range": (lambda lib, a: a.transpose_(0, 2), M),
    "count_nonzero with a dim twice": (lambda lib, a: lib.count_nonzero(a, (0, -2)), M),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    call, *args = ERRORS[name]
    raises_like_torch(call, *args)


def test_squeeze_of_a_0d_tensor_takes_dim_0_or_minus_1_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        x = lib.tensor(3.0)
        assert x.squeeze(0).item() == x.squeeze(-1).item() == x.squeeze((0,)).item() == 3.0
        with pytest.raises(IndexError):
            x.squeeze(1)
