"""diagonal, select, unfold, movedim/moveaxis, broadcast_tensors (views), roll (a copy) and the norms, against
torch: values, gradients, views that write through to their base and share its version counter, gradients of
in-place writes into the views, forward mode and second derivatives, and torch's exception types."""

import math

import numpy as np
import pytest
from torch_oracle import compare, raises_like_torch

import minigrad
from minigrad import selftest

RNG = np.random.default_rng(7)
CUBE = RNG.standard_normal((3, 4, 5))
MATRIX = RNG.standard_normal((4, 5))


# --- values and gradients against torch ----------------------------------------------------------------------
VIEW_CASES = {
    "diagonal": lambda lib, x: x.diagonal(),
    "diagonal (offset, dims)": lambda lib, x: x.diagonal(2, 2, 1),
    "diagonal (negative offset)": lambda lib, x: lib.diagonal(x, -1, 0, -1),
    "diagonal (empty)": lambda lib, x: x.diagonal(7, 1, 2),
    "diagonal of a transposed slice": lambda lib, x: x.transpose(0, 2)[1:, ::2].diagonal(1),
    "select": lambda lib, x: x.select(1, -2),
    "select (function)": lambda lib, x: lib.select(x, 2, 4),
    "unfold (overlapping windows)": lambda lib, x: x.unfold(2, 3, 1),
    "unfold (gaps between windows)": lambda lib, x: x.unfold(-1, 2, 3),
    "unfold (windows of 0)": lambda lib, x: x.unfold(0, 0, 2),
    "unfold of a transpose": lambda lib, x: x.transpose(0, 1).unfold(0, 2, 2).unfold(1, 2, 1),
    "movedim": lambda lib, x: x.movedim(0, -1),
    "movedim (tuples)": lambda lib, x: x.movedim((0, 2), (2, 0)),
    "moveaxis (function)": lambda lib, x: lib.moveaxis(x, [1], [0]),
    "movedim (function)": lambda lib, x: lib.movedim(x, (-1, 0), (0, 1)),
    "broadcast_tensors": lambda lib, x: math.prod(lib.broadcast_tensors(x, x[0, :, :1], x[:, :1, 0:1])),
}
COPY_CASES = {
    "roll": lambda lib, x: x.roll(2, 1),
    "roll (negative, beyond the size)": lambda lib, x: x.roll(-7, -1),
    "roll (tuples, a dim twice)": lambda lib, x: lib.roll(x, (1, 2, -1), (0, 2, 0)),
    "roll (flattened)": lambda lib, x: x.roll(11),
    "roll (dims=())": lambda lib, x: lib.roll(x, -3, ()),
    "roll (0-d)": lambda lib, x: x.sum().roll(1),
    "roll by nothing": lambda lib, x: x.roll(0, 1) * x.roll(4, 1),
}


@pytest.mark.parametrize("name", list(VIEW_CASES) + list(COPY_CASES))
def test_values_and_gradients_match_torch(name):
    compare({**VIEW_CASES, **COPY_CASES}[name], CUBE)


X = RNG.standard_normal((3, 4))
ZEROS_IN_A_ROW = np.array([[0.0, 0.0, 0.0, 0.0], [1.5, 0.0, -2.0, 0.25], [0.0, -3.0, 0.0, 0.0]])
NORM_CASES = {
    "vector_norm": lambda lib, x: lib.linalg.vector_norm(x),
    "vector_norm (dims, keepdim)": lambda lib, x: lib.linalg.vector_norm(x, 2, (0, -1), True),
    "vector_norm (dim=())": lambda lib, x: lib.linalg.vector_norm(x, dim=()),
    "vector_norm (0-d, dim 0)": lambda lib, x: lib.linalg.vector_norm(x[0, 0], 3, 0),
    "vector_norm (float64 of float32)": lambda lib, x: lib.linalg.vector_norm(x.float(), 2, 1, dtype=lib.float64),
    **{f"vector_norm ord {ord}": (lambda ord: lambda lib, x: lib.linalg.vector_norm(x, ord, 1))(ord)
       for ord in (1, 2, 3, 1.5, 0.5, -1, -2.5, math.inf, -math.inf)},
    "matrix_norm": lambda lib, x: lib.linalg.matrix_norm(x),
    **{f"matrix_norm ord {ord}": (lambda ord: lambda lib, x: lib.linalg.matrix_norm(x, ord))(ord)
       for ord in (1, -1, math.inf, -math.inf)},
    "matrix_norm (batched, dims, keepdim)": lambda lib, x: lib.linalg.matrix_norm(
        x.reshape(2, 3, 2), math.inf, (-1, 0), True),
    "linalg.norm": lambda lib, x: lib.linalg.norm(x),
    "linalg.norm (ord: a matrix norm)": lambda lib, x: lib.linalg.norm(x, 1),
    "linalg.norm (ord, one dim)": lambda lib, x: lib.linalg.norm(x, 3, 1),
    "linalg.norm (fro, two dims)": lambda lib, x: lib.linalg.norm(x.reshape(2, 3, 2), "fro", (0, 2)),
    "linalg.norm (vector, inf)": lambda lib, x: lib.linalg.norm(x[1], -math.inf),
    "norm": lambda lib, x: x.norm(),
    "norm (p over two dims is a vector norm)": lambda lib, x: lib.norm(x, 3, (0, 1)),
    "norm (fro, a dim, keepdim)": lambda lib, x: x.norm("fro", 1, True),
    "norm (p=None, inf)": lambda lib, x: lib.norm(x, None, 0) + lib.norm(x, math.inf, 0),
}


@pytest.mark.parametrize("values", [X, ZEROS_IN_A_ROW], ids=["generic", "zeros (torch's subgradient 0)"])
@pytest.mark.parametrize("name", list(NORM_CASES))
def test_norms_and_their_gradients_match_torch(name, values):
    compare(NORM_CASES[name], values)


def test_the_0_norm_counts_nonzero_elements_and_passes_no_gradient():
    torch = pytest.importorskip("torch")
    values = np.array([[0.0, -2.0, math.nan], [math.inf, 0.0, -0.0]])
    ours, theirs = minigrad.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    norm, expected = minigrad.linalg.vector_norm(ours, 0, 1), torch.linalg.vector_norm(theirs, 0, 1)
    np.testing.assert_array_equal(norm.detach().numpy(), expected.detach().numpy())
    assert norm.requires_grad and expected.requires_grad
    norm.sum().backward()
    assert ours.grad.tolist() == [[0.0] * 3] * 2  # (torch leaves the gradient None: no contribution either way)


def test_the_2_norm_of_zeros_has_gradient_0_not_nan():
    x = minigrad.zeros(3, dtype=minigrad.float64, requires_grad=True)
    (minigrad.linalg.vector_norm(x) + x.norm(3) + x.norm(0.5)).backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_the_matrix_norms_that_need_singular_values_are_refused():
    for ord in ("nuc", 2, -2):
        with pytest.raises(NotImplementedError, match="SVD"):
            minigrad.linalg.matrix_norm(minigrad.tensor(X), ord)
    with pytest.raises(NotImplementedError, match="SVD"):
        minigrad.norm(minigrad.tensor(X), "nuc")


# --- views: shared memory, shared version counter -----------------------------------------------------------
WRITES = {
    "diagonal": lambda t: t.diagonal(1, 0, 2),
    "select": lambda t: t.select(2, 1),
    "unfold (disjoint windows)": lambda t: t.unfold(1, 2, 2),
    "movedim": lambda t: t.movedim(2, 0),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_writing_into_the_view_writes_into_the_base_and_bumps_its_version(name):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        base = lib.tensor(CUBE)
        view = WRITES[name](base)
        view.add_(1.0)
        base.mul_(2)  # and the other way: the view sees the base's writes
        results.append((base.numpy().copy(), view.numpy().copy(), base._version, view._version))
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_roll_is_a_copy():
    x = minigrad.tensor(MATRIX)
    rolled = x.roll(1, 0)
    rolled.add_(1)
    np.testing.assert_array_equal(x.numpy(), MATRIX)
    assert x._version == 0


def test_broadcast_tensors_gives_back_a_tensor_already_of_the_shape():
    a, b = minigrad.ones(2, 3), minigrad.ones(3)
    out_a, out_b = minigrad.broadcast_tensors(a, b)
    assert out_a is a and out_b.shape == (2, 3)
    with minigrad.no_grad():
        b[1] = 5.0
    assert out_b[:, 1].tolist() == [5.0, 5.0]  # a view of b


@pytest.mark.parametrize("name", ["diagonal", "select", "unfold (disjoint windows)", "movedim"])
def test_changing_the_base_after_the_view_was_saved_for_backward_raises(name):
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        x = lib.tensor(CUBE, requires_grad=True)
        base = x * 1.0
        view = WRITES[name](base)
        loss = (view * view).sum()  # mul saves the view
        base.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


# --- gradients through in-place writes into the views -------------------------------------------------------
def _write_through(lib, x, w, view):
    """Write into a view of a graph tensor, then change the base and use the view again."""
    base = x * 1.0
    v = view(base)
    v.mul_(w)                   # recorded on the base (torch's CopySlices)
    base.add_(x.sin())          # the view's values change behind it
    return (base * base).sum() + (v ** 3).sum()


@pytest.mark.parametrize("name, view, weight_shape", [
    ("diagonal", lambda t: t.diagonal(-1, 2, 1), (3, 4)),
    ("select", lambda t: t.select(0, 1), (4, 5)),
    ("unfold", lambda t: t.unfold(2, 2, 3), (3, 4, 2, 2)),
    ("movedim", lambda t: t.movedim((0, 1), (2, 0)), (4, 5, 3)),
])
def test_gradients_of_writes_into_a_view_match_torch(name, view, weight_shape):
    compare(lambda lib, x, w: _write_through(lib, x, w, view), CUBE, RNG.standard_normal(weight_shape))


# --- three ways against central differences (float64) ------------------------------------------------------
GRADCHECK_CASES = [
    ("diagonal", lambda a: a.diagonal(1, 2, 0) * a.diagonal(-1, 0, 2), [(3, 4, 3)], False),
    ("select", lambda a: a.select(1, 2) * a.select(-1, 0), [(3, 3, 3)], False),
    ("unfold (overlapping)", lambda a: a.unfold(1, 3, 1) ** 2, [(2, 5)], False),
    ("movedim", lambda a: a.movedim((0, 1), (1, 2)) * a.moveaxis(2, 0), [(2, 2, 2)], False),
    ("broadcast_tensors", lambda a, b: math.prod(minigrad.broadcast_tensors(a, b)), [(2, 3), (3,)], False),
    ("roll", lambda a: a.roll((1, -1), (0, 1)) * a, [(3, 4)], False),
    ("vector_norm ord 2", lambda a: minigrad.linalg.vector_norm(a, 2, 1), [(3, 4)], False),
    ("vector_norm ord 3", lambda a: minigrad.linalg.vector_norm(a, 3, 0), [(3, 4)], False),
    ("vector_norm ord 0.5", lambda a: minigrad.linalg.vector_norm(a, 0.5), [(3, 4)], True),
    ("vector_norm ord -1", lambda a: minigrad.linalg.vector_norm(a, -1, 1), [(3, 4)], True),
    ("vector_norm ord inf", lambda a: minigrad.linalg.vector_norm(a, math.inf, 1), [(3, 4)], False),
    ("matrix_norm ord 1", lambda a: minigrad.linalg.matrix_norm(a, 1), [(2, 3, 4)], False),
]


@pytest.mark.parametrize("check", selftest.CHECKS)
@pytest.mark.parametrize("name, function, shapes, positive", GRADCHECK_CASES, ids=[c[0] for c in GRADCHECK_CASES])
def test_three_ways_against_central_differences(name, function, shapes, positive, check):
    assert selftest.check(function, selftest.inputs_for(shapes, positive), check)


# --- errors, with torch's exception types -------------------------------------------------------------------
ERRORS = {
    "diagonal of one dim twice": lambda lib, x: x.diagonal(0, 1, 1),
    "diagonal dim out of range": lambda lib, x: x.diagonal(0, 0, 3),
    "diagonal of a vector": lambda lib, x: x[0, 0].diagonal(),
    "diagonal float offset": lambda lib, x: x.diagonal(1.0),
    "select of a 0-d tensor": lambda lib, x: x[0, 0, 0].select(0, 0),
    "select index out of range": lambda lib, x: x.select(1, 4),
    "select negative index out of range": lambda lib, x: x.select(1, -5),
    "select dim out of range": lambda lib, x: x.select(3, 0),
    "unfold window larger than the dim": lambda lib, x: x.unfold(1, 5, 1),
    "unfold step 0": lambda lib, x: x.unfold(1, 2, 0),
    "unfold negative size": lambda lib, x: x.unfold(1, -1, 1),
    "unfold dim out of range": lambda lib, x: x.unfold(3, 1, 1),
    "unfold of a 0-d tensor, size 2": lambda lib, x: x[0, 0, 0].unfold(0, 2, 1),
    "movedim of unequal lengths": lambda lib, x: x.movedim((0, 1), (1,)),
    "movedim repeated source": lambda lib, x: x.movedim((0, 0), (1, 2)),
    "movedim repeated destination": lambda lib, x: x.movedim((0, 1), (2, -1)),
    "movedim out of range": lambda lib, x: x.movedim(0, 3),
    "broadcast_tensors of shapes that do not broadcast": lambda lib, x: lib.broadcast_tensors(x, x[:, :2]),
    "broadcast_tensors of a number": lambda lib, x: lib.broadcast_tensors(x, 1.0),
    "broadcast_tensors of a list": lambda lib, x: lib.broadcast_tensors([x, x]),
    "roll shifts and dims of unequal lengths": lambda lib, x: x.roll((1, 2), 0),
    "roll two shifts without dims": lambda lib, x: x.roll((1, 2)),
    "roll no shifts": lambda lib, x: x.roll((), ()),
    "roll float shift": lambda lib, x: x.roll(1.5),
    "roll dim out of range": lambda lib, x: x.roll(1, 3),
    "roll a 0-d tensor along a dim": lambda lib, x: x[0, 0, 0].roll(1, 0),
    "vector_norm of integers": lambda lib, x: lib.linalg.vector_norm(x.long()),
    "vector_norm into an integer dtype": lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.int64),
    "vector_norm ord as a string": lambda lib, x: lib.linalg.vector_norm(x, "fro"),
    "vector_norm dim twice": lambda lib, x: lib.linalg.vector_norm(x, 2, (0, -3)),
    "vector_norm dim out of range": lambda lib, x: lib.linalg.vector_norm(x, 2, 3),
    "vector_norm inf of an empty tensor": lambda lib, x: lib.linalg.vector_norm(x[:0], math.inf),
    "vector_norm -1 over an empty dim": lambda lib, x: lib.linalg.vector_norm(x[:, :0], -1, 1),
    "matrix_norm of a vector": lambda lib, x: lib.linalg.matrix_norm(x[0, 0]),
    "matrix_norm over one dim": lambda lib, x: lib.linalg.matrix_norm(x, dim=(0,)),
    "matrix_norm over a dim twice": lambda lib, x: lib.linalg.matrix_norm(x, dim=(1, -2)),
    "matrix_norm ord 3": lambda lib, x: lib.linalg.matrix_norm(x, 3),
    "matrix_norm unknown name": lambda lib, x: lib.linalg.matrix_norm(x, "abc"),
    "linalg.norm ord without dim of a 3-d tensor": lambda lib, x: lib.linalg.norm(x, 1),
    "linalg.norm fro over one dim": lambda lib, x: lib.linalg.norm(x, "fro", 1),
    "norm unknown name": lambda lib, x: lib.norm(x, "abc"),
    "norm fro over three dims": lambda lib, x: x.norm("fro", (0, 1, 2)),
    "norm of integers": lambda lib, x: x.long().norm(),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_bad_arguments_raise_like_torch(name):
    raises_like_torch(ERRORS[name], CUBE)
