"""Every op's gradient against central differences in float64, over random (broadcastable) shapes.

Shapes come from Hypothesis; values from a seeded generator. minigrad.gradcheck compares the whole Jacobian.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import minigrad
import minigrad.nn.functional as F

SETTINGS = settings(max_examples=20, deadline=None)
seeds = st.integers(0, 2**32 - 1)
two_shapes = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
shapes = array_shapes(min_dims=1, max_dims=3, max_side=4)


def leaf(rng, shape, low=None, away_from=None):
    """A float64 leaf of normal values; `low` shifts them above it (log, sqrt); `away_from` keeps them off
    the points where the op has a kink (relu, abs, clamp), so central differences stay valid."""
    values = rng.standard_normal(shape)
    if low is not None:
        values = low + np.abs(values)
    for point in away_from or ():
        close = np.abs(values - point) < 1e-3
        values = np.where(close, values + 0.1, values)
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)


def check(fn, *inputs):
    assert minigrad.gradcheck(fn, inputs)


BINARY = {
    "add": (lambda a, b: a + b, None),
    "sub": (lambda a, b: a - b, None),
    "mul": (lambda a, b: a * b, None),
    "div": (lambda a, b: a / b, 0.5),
    "pow": (lambda a, b: a ** b, 0.5),
}


@pytest.mark.parametrize("name", BINARY)
@SETTINGS
@given(shapes=two_shapes, seed=seeds)
def test_binary_ops_with_broadcasting(name, shapes, seed):
    fn, low = BINARY[name]
    rng = np.random.default_rng(seed)
    a_shape, b_shape = shapes.input_shapes
    a = leaf(rng, a_shape, low=low if name == "pow" else None)
    b = leaf(rng, b_shape, low=low)
    check(fn, a, b)


@pytest.mark.parametrize("fn", [lambda a: a + 2.5, lambda a: 2.5 - a, lambda a: a * -3.0, lambda a: 2.0 / a,
                                lambda a: a / 4.0, lambda a: a ** 3, lambda a: a ** 0.5, lambda a: 2.0 ** a,
                                lambda a: -a],
                         ids=["add", "rsub", "mul", "rdiv", "div", "pow3", "sqrt_pow", "rpow", "neg"])
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_ops_with_python_scalars(fn, shape, seed):
    check(fn, leaf(np.random.default_rng(seed), shape, low=0.5))


UNARY = {
    "exp": (lambda a: a.exp(), {}),
    "log": (lambda a: a.log(), {"low": 0.1}),
    "tanh": (lambda a: a.tanh(), {}),
    "sigmoid": (lambda a: a.sigmoid(), {}),
    "relu": (lambda a: a.relu(), {"away_from": [0.0]}),
    "sqrt": (lambda a: a.sqrt(), {"low": 0.1}),
    "abs": (lambda a: a.abs(), {"away_from": [0.0]}),
    "clamp": (lambda a: a.clamp(-0.5, 0.7), {"away_from": [-0.5, 0.7]}),
    "clamp_min": (lambda a: a.clamp(min=0.2), {"away_from": [0.2]}),
    "softmax": (lambda a: a.softmax(-1), {}),
    "log_softmax": (lambda a: a.log_softmax(0), {}),
}


@pytest.mark.parametrize("name", UNARY)
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_unary_ops(name, shape, seed):
    fn, options = UNARY[name]
    check(fn, leaf(np.random.default_rng(seed), shape, **options))


@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    batch = draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3))
    a_batch, b_batch = batch.input_shapes
    a_vector, b_vector = draw(st.booleans()), draw(st.booleans())
    a_shape = (k,) if a_vector else a_batch + (n, k)
    b_shape = (k,) if b_vector else b_batch + (k, m)
    return a_shape, b_shape


@SETTINGS
@given(shapes=matmul_shapes(), seed=seeds)
def test_matmul_with_batch_broadcasting_and_vectors(shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = leaf(rng, shapes[0]), leaf(rng, shapes[1])
    out = a @ b
    assert out.shape == np.matmul(a.numpy(), b.numpy()).shape
    check(lambda a, b: a @ b, a, b)


@st.composite
def shape_and_dims(draw):
    shape = draw(shapes)
    dims = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1),
                          st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True)
                          .map(tuple)))
    return shape, dims, draw(st.booleans())


@pytest.mark.parametrize("reduction", ["sum", "mean", "amax"])
@SETTINGS
@given(case=shape_and_dims(), seed=seeds)
def test_reductions_with_dim_and_keepdim(reduction, case, seed):
    shape, dims, keepdim = case
    x = leaf(np.random.default_rng(seed), shape)
    out = getattr(x, reduction)(dims, keepdim)
    reference = {"sum": np.sum, "mean": np.mean, "amax": np.max}[reduction](x.numpy(), axis=dims, keepdims=keepdim)
    np.testing.assert_allclose(out.numpy(), reference, rtol=1e-12)
    check(lambda x: getattr(x, reduction)(dims, keepdim), x)


@pytest.mark.parametrize("which", ["max", "min"])
@SETTINGS
@given(shape=shapes, seed=seeds, keepdim=st.booleans(), data=st.data())
def test_max_min_along_dim_return_values_and_indices(which, shape, seed, keepdim, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = leaf(np.random.default_rng(seed), shape)
    values, indices = getattr(x, which)(dim, keepdim)
    reference = getattr(np, which)(x.numpy(), axis=dim, keepdims=keepdim)
    arg = getattr(np, "arg" + which)(x.numpy(), axis=dim, keepdims=keepdim)
    np.testing.assert_array_equal(values.numpy(), reference)
    np.testing.assert_array_equal(indices.numpy(), arg)
    assert indices.dtype == minigrad.int64 and not indices.requires_grad
    check(lambda x: getattr(x, which)(dim, keepdim).values, x)
    check(lambda x: getattr(x, which)(), x)


def test_max_without_dim_shares_gradient_between_ties():
    x = minigrad.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, 0.5, 0.0])


SHAPE_OPS = {
    "reshape": lambda x: x.reshape(-1),
    "view": lambda x: x.view(x.numel(), 1),
    "transpose": lambda x: x.transpose(0, -1),
    "permute": lambda x: x.permute(*reversed(range(x.ndim))),
    "T": lambda x: x.T,
    "unsqueeze": lambda x: x.unsqueeze(1),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "flatten": lambda x: x.flatten(),
    "expand": lambda x: x.unsqueeze(0).expand(3, *x.shape),
}


@pytest.mark.parametrize("name", SHAPE_OPS)
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_shape_ops(name, shape, seed):
    check(SHAPE_OPS[name], leaf(np.random.default_rng(seed), shape))


@st.composite
def index_cases(draw):
    """A shape and an indexing key: ints, slices, index arrays (with repeats), masks, None, Ellipsis."""
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    kind = draw(st.sampled_from(["basic", "array", "mask", "mixed"]))
    if kind == "basic":
        key = tuple(draw(st.one_of(st.integers(-n, n - 1), st.builds(slice, st.none() | st.integers(0, n),
                                                                        st.none() | st.integers(0, n),
                                                                        st.none() | st.integers(1, 2))))
                    for n in shape[:draw(st.integers(1, len(shape)))])
        key = key + draw(st.sampled_from([(), (None,), (Ellipsis,)]))
    elif kind == "array":
        key = draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=6))  # repeats are likely
    elif kind == "mask":
        key = draw(st.lists(st.booleans(), min_size=shape[0], max_size=shape[0]))
    else:
        key = (slice(None), draw(st.lists(st.integers(0, shape[1] - 1), min_size=1, max_size=4))) \
            if len(shape) > 1 else (draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=4)),)
    return shape, kind, key


@SETTINGS
@given(case=index_cases(), seed=seeds)
def test_indexing_forward_and_backward_scatter_adds(case, seed):
    shape, kind, key = case
    rng = np.random.default_rng(seed)
    x = leaf(rng, shape)

    def as_minigrad(key):
        if kind == "array":
            return minigrad.tensor(key)
        if kind == "mask":
            return minigrad.tensor(np.array(key, dtype=bool))
        if kind == "mixed":
            return tuple(minigrad.tensor(k) if isinstance(k, list) else k for k in key)
        return key

    def as_numpy(key):
        if kind == "mask":
            return np.array(key, dtype=bool)
        if isinstance(key, tuple):
            return tuple(np.array(k) if isinstance(k, list) else k for k in key)
        return np.array(key)

    np.testing.assert_array_equal(x[as_minigrad(key)].numpy(), x.numpy()[as_numpy(key)])
    check(lambda x: x[as_minigrad(key)], x)


def test_repeated_indices_add_their_gradients():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    weights = minigrad.tensor([1.0, 10.0, 100.0, 1000.0])
    (x[minigrad.tensor([0, 2, 0, 0])] * weights).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0 + 100.0 + 1000.0, 0.0, 10.0])


@SETTINGS
@given(shape=shapes, seed=seeds, data=st.data())
def test_cat_stack_chunk_split(shape, seed, data):
    rng = np.random.default_rng(seed)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    a, b, c = leaf(rng, shape), leaf(rng, shape), leaf(rng, shape)
    np.testing.assert_array_equal(minigrad.cat([a, b, c], dim).numpy(),
                                  np.concatenate([a.numpy(), b.numpy(), c.numpy()], axis=dim))
    np.testing.assert_array_equal(minigrad.stack([a, b], dim).numpy(), np.stack([a.numpy(), b.numpy()], axis=dim))
    check(lambda a, b, c: minigrad.cat([a, b, c], dim), a, b, c)
    check(lambda a, b: minigrad.stack([a, b], dim), a, b)
    chunks = data.draw(st.integers(1, 4))
    pieces = a.chunk(chunks, dim)
    np.testing.assert_array_equal(minigrad.cat(list(pieces), dim).numpy(), a.numpy())
    check(lambda a: a.chunk(chunks, dim)[-1] * 2.0, a)
    size = data.draw(st.integers(1, 3))
    pieces = a.split(size, dim)
    assert [p.shape[dim] for p in pieces] == [min(size, a.shape[dim] - s) for s in range(0, a.shape[dim], size)]
    check(lambda a: minigrad.cat([p * (i + 1.0) for i, p in enumerate(a.split(size, dim))], dim), a)


def test_chunk_sizes_follow_torch():
    x = minigrad.arange(10)
    assert [p.numel() for p in x.chunk(4)] == [3, 3, 3, 1]
    assert [p.numel() for p in x.chunk(3)] == [4, 4, 2]
    assert [p.numel() for p in x.split([2, 5, 3])] == [2, 5, 3]


@SETTINGS
@given(shapes=two_shapes, seed=seeds)
def test_where_and_masked_fill(shapes, seed):
    rng = np.random.default_rng(seed)
    a_shape, b_shape = shapes.input_shapes
    condition_np = rng.random(np.broadcast_shapes(a_shape, b_shape)) > 0.5
    condition = minigrad.tensor(condition_np)
    a, b = leaf(rng, a_shape), leaf(rng, b_shape)
    np.testing.assert_array_equal(minigrad.where(condition, a, b).numpy(), np.where(condition_np, a.numpy(), b.numpy()))
    check(lambda a, b: minigrad.where(condition, a, b), a, b)
    check(lambda b: minigrad.where(condition, 0.5, b), b)
    mask = minigrad.tensor(rng.random(a_shape) > 0.5)
    filled = a.masked_fill(mask, -7.0)
    np.testing.assert_array_equal(filled.numpy(), np.where(mask.numpy(), -7.0, a.numpy()))
    check(lambda a: a.masked_fill(mask, -7.0), a)


@SETTINGS
@given(shape=array_shapes(min_dims=2, max_dims=3, max_side=4), seed=seeds, data=st.data())
def test_gather(shape, seed, data):
    rng = np.random.default_rng(seed)
    dim = data.draw(st.integers(0, len(shape) - 1))
    index_np = rng.integers(0, shape[dim], size=shape)
    x = leaf(rng, shape)
    index = minigrad.tensor(index_np)
    np.testing.assert_array_equal(x.gather(dim, index).numpy(), np.take_along_axis(x.numpy(), index_np, axis=dim))
    check(lambda x: x.gather(dim, index), x)


@SETTINGS
@given(batch=st.integers(1, 5), classes=st.integers(2, 5), seed=seeds,
       reduction=st.sampled_from(["mean", "sum", "none"]))
def test_cross_entropy_with_ignore_index(batch, classes, seed, reduction):
    rng = np.random.default_rng(seed)
    logits = leaf(rng, (batch, classes))
    target_np = rng.integers(0, classes, size=batch)
    target_np[rng.random(batch) < 0.3] = -1
    target_np[0] = 0  # at least one target counts
    target = minigrad.tensor(target_np)
    check(lambda x: F.cross_entropy(x, target, ignore_index=-1, reduction=reduction), logits)
    # reference: -log softmax at the target, ignored positions dropped
    z = logits.numpy()
    log_p = z - z.max(1, keepdims=True) - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True))
    kept = target_np != -1
    losses = np.where(kept, -log_p[np.arange(batch), np.where(kept, target_np, 0)], 0.0)
    expected = {"mean": losses.sum() / kept.sum(), "sum": losses.sum(), "none": losses}[reduction]
    np.testing.assert_allclose(F.cross_entropy(logits, target, ignore_index=-1, reduction=reduction).numpy(),
                               expected, rtol=1e-12)


def test_cross_entropy_over_sequence_dimension():
    rng = np.random.default_rng(0)
    logits = leaf(rng, (2, 4, 3))  # (N, C, T) as torch expects
    target = minigrad.tensor(rng.integers(0, 4, size=(2, 3)))
    per_position = F.cross_entropy(logits, target, reduction="none")
    assert per_position.shape == (2, 3)
    flat = F.cross_entropy(logits.permute(0, 2, 1).reshape(6, 4), target.reshape(6), reduction="none")
    np.testing.assert_allclose(per_position.numpy().reshape(6), flat.numpy(), rtol=1e-12)
    check(lambda x: F.cross_entropy(x, target), logits)


@pytest.mark.parametrize("op", ["sigmoid", "softmax", "log_softmax", "cross_entropy"])
def test_stable_at_plus_minus_1000(op, recwarn):
    x = minigrad.tensor([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]], requires_grad=True)
    if op == "sigmoid":
        out = x.sigmoid()
        expected = np.array([[0.0, 0.5, 1.0], [1.0, 1.0, 0.0]])
    elif op == "softmax":
        out = x.softmax(1)
        expected = np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
    elif op == "log_softmax":
        out = x.log_softmax(1)
        expected = np.array([[-2000.0, -1000.0, 0.0], [-np.log(2), -np.log(2), -2000.0 - np.log(2)]])
    else:
        out = F.cross_entropy(x, minigrad.tensor([0, 1]), reduction="none")
        expected = np.array([2000.0, np.log(2)])
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    out.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    assert not [w for w in recwarn.list if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in recwarn]


def test_to_dtype_is_differentiable():
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    y = x.float() * 3
    assert y.dtype == minigrad.float32
    y.sum().backward()
    assert x.grad.dtype == minigrad.float64
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


@SETTINGS
@given(shape=shapes, seed=seeds, data=st.data())
def test_unbind_gives_every_slice_from_one_node(shape, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = leaf(np.random.default_rng(seed), shape)
    slices = x.unbind(dim)
    assert len(slices) == x.shape[dim] and len({id(s.grad_fn) for s in slices}) == 1
    for i, piece in enumerate(slices):
        np.testing.assert_array_equal(piece.numpy(), np.take(x.numpy(), i, axis=dim))
    check(lambda x: minigrad.stack([s * (i + 1.0) for i, s in enumerate(x.unbind(dim))], dim), x)
    check(lambda x: x.unbind(dim)[-1], x)  # the unused slices get zero gradient


@SETTINGS
@given(shape=shapes, seed=seeds, descending=st.booleans(), data=st.data())
def test_sort_values_indices_and_gradient(shape, seed, descending, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = leaf(np.random.default_rng(seed), shape)
    values, indices = x.sort(dim, descending=descending)
    order = np.argsort(-x.numpy() if descending else x.numpy(), axis=dim, kind="stable")
    np.testing.assert_array_equal(indices.numpy(), order)
    np.testing.assert_array_equal(values.numpy(), np.take_along_axis(x.numpy(), order, axis=dim))
    check(lambda x: x.sort(dim, descending=descending).values * minigrad.arange(1.0, x.shape[dim] + 1.0,
                                                                                dtype=minigrad.float64)
          .reshape((-1,) + (1,) * (x.ndim - 1 - (dim % x.ndim))), x)


@SETTINGS
@given(leading=array_shapes(min_dims=0, max_dims=2, max_side=3), features=st.integers(1, 4),
       outputs=st.integers(1, 4), bias=st.booleans(), seed=seeds)
def test_linear_is_x_times_w_transposed_plus_b(leading, features, outputs, bias, seed):
    rng = np.random.default_rng(seed)
    x, weight = leaf(rng, leading + (features,)), leaf(rng, (outputs, features))
    b = leaf(rng, (outputs,)) if bias else None
    expected = x.numpy() @ weight.numpy().T + (b.numpy() if bias else 0)
    np.testing.assert_allclose(F.linear(x, weight, b).numpy(), expected, rtol=1e-12)
    if bias:
        check(lambda x, weight, b: F.linear(x, weight, b), x, weight, b)
    else:
        check(lambda x, weight: F.linear(x, weight), x, weight)


@SETTINGS
@given(shape=shapes, seed=seeds, data=st.data())
def test_flip_and_clone(shape, seed, data):
    dims = data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    x = leaf(np.random.default_rng(seed), shape)
    np.testing.assert_array_equal(x.flip(dims).numpy(), np.flip(x.numpy(), dims))
    np.testing.assert_array_equal(x.clone().numpy(), x.numpy())
    check(lambda x: x.flip(dims) * 2.0, x)
    check(lambda x: x.clone(), x)
