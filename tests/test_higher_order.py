"""Gradients of gradients and forward mode: every op three ways against central differences; the APIs
(backward/grad with create_graph, forward_ad, func, autograd.functional) against torch; the recurrent layers and
attention differentiated twice and pushed forward, against torch."""

import numpy as np
import pytest

import minigrad
import models
from minigrad import func, selftest
from minigrad.autograd import forward_ad, functional

CASES = selftest.cases()


@pytest.mark.parametrize("check", selftest.CHECKS)
@pytest.mark.parametrize("name, function, shapes, positive", CASES, ids=[case[0] for case in CASES])
def test_every_op_three_ways(name, function, shapes, positive, check):
    assert selftest.check(function, selftest.inputs_for(shapes, positive), check)


def f(x):
    return (x.tanh() * x.sin()).sum() + (x ** 3).sum() + x.softmax(0).amax()


@pytest.fixture
def point():
    rng = np.random.default_rng(3)
    return rng.standard_normal(5), rng.standard_normal(5)


def test_transforms_and_their_compositions_match_torch_func(point):
    torch = pytest.importorskip("torch")
    xv, vv = point
    x, v, tx, tv = minigrad.tensor(xv), minigrad.tensor(vv), torch.tensor(xv), torch.tensor(vv)
    pairs = [
        (func.grad(f)(x), torch.func.grad(f)(tx)),
        (func.jvp(f, (x,), (v,))[1], torch.func.jvp(f, (tx,), (tv,))[1]),
        (func.vjp(f, x)[1](minigrad.tensor(2.0))[0], torch.func.vjp(f, tx)[1](torch.tensor(2.0))[0]),
        (func.jvp(func.grad(f), (x,), (v,))[1], torch.func.jvp(torch.func.grad(f), (tx,), (tv,))[1]),  # fwd/rev
        (func.grad(lambda y: (func.grad(f)(y) * v).sum())(x),
         torch.func.grad(lambda y: (torch.func.grad(f)(y) * tv).sum())(tx)),                            # rev/rev
        (func.jvp(lambda y: func.jvp(f, (y,), (v,))[1], (x,), (v,))[1],
         torch.func.jvp(lambda y: torch.func.jvp(f, (y,), (tv,))[1], (tx,), (tv,))[1]),                 # fwd/fwd
        (func.grad(lambda y: func.jvp(f, (y,), (v,))[1])(x),
         torch.func.grad(lambda y: torch.func.jvp(f, (y,), (tv,))[1])(tx)),                             # rev/fwd
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


def _flattened(value) -> list:
    return [leaf for part in value for leaf in _flattened(part)] if isinstance(value, (tuple, list)) else [value]


JACOBIAN_CASES = {  # name: (function of a library, argument shapes, argnums)
    "vector to vector": (lambda lib: lambda x: x.sin() * x.sum(), [(3,)], 0),
    "matrix to number": (lambda lib: lambda w: (w.tanh() ** 2).sum(), [(2, 3)], 0),
    "two arguments": (lambda lib: lambda w, x: (w @ x).tanh(), [(2, 3), (3,)], (0, 1)),
    "the second argument": (lambda lib: lambda w, x: (w @ x).sigmoid(), [(2, 3), (3,)], 1),
    "two outputs": (lambda lib: lambda x: (x.exp(), (x * x).sum()), [(2,)], 0),
    "a 0-d argument": (lambda lib: lambda x: x * x.exp(), [()], 0),
    "an empty argument": (lambda lib: lambda x, y: (x.sum() + 1) * y, [(0,), (2,)], (0, 1)),
}


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd", "hessian"])
@pytest.mark.parametrize("case", JACOBIAN_CASES)
def test_whole_jacobians_and_hessians_match_torch_func(transform, case):
    # values, shapes and the nesting of tuples (outputs outside, argnums inside), hessian = jacfwd(jacrev)
    torch = pytest.importorskip("torch")
    make, shapes, argnums = JACOBIAN_CASES[case]
    values = [np.random.default_rng(5).standard_normal(shape) for shape in shapes]
    ours = getattr(func, transform)(make(minigrad), argnums)(*(minigrad.tensor(v) for v in values))
    theirs = getattr(torch.func, transform)(make(torch), argnums)(*(torch.tensor(v) for v in values))
    assert type(ours) is type(theirs) or isinstance(ours, minigrad.Tensor)
    ours, theirs = _flattened(ours), _flattened(theirs)
    assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)


def test_jacobians_compose_and_take_aux_and_refuse_what_torch_refuses():
    torch = pytest.importorskip("torch")
    x = minigrad.tensor([0.3, -1.2])
    # the Jacobian of a Jacobian, reverse over reverse, is the Hessian; aux comes back untouched
    np.testing.assert_allclose(func.jacrev(func.jacrev(lambda y: y.exp().sum() * y.sin().sum()))(x).numpy(),
                               func.hessian(lambda y: y.exp().sum() * y.sin().sum())(x).numpy(), rtol=1e-14)
    for transform in (func.jacrev, func.jacfwd):
        jacobian, aux = transform(lambda y: (y * 2, y.sum()), has_aux=True)(x)
        assert jacobian.tolist() == [[2.0, 0.0], [0.0, 2.0]] and aux.item() == pytest.approx(-0.9)
    two = (minigrad.ones(2), minigrad.ones(2))
    for argnums, message in ((2, "Got argnum=2, but only 2 positional inputs"), ((0, 0), "must be unique"),
                             (1.0, "argnums must be int or Tuple")):
        for transform in (func.jacrev, func.jacfwd):
            with pytest.raises(RuntimeError, match=message):
                transform(lambda a, b: a * b, argnums)(*two)
        with pytest.raises(RuntimeError, match=message.split(",")[0]):
            torch.func.jacrev(lambda a, b: a * b, argnums)(torch.ones(2), torch.ones(2))
    with pytest.raises(RuntimeError, match="floating point"):
        func.jacrev(lambda y: y * 2)(minigrad.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="floating-point"):
        func.jacfwd(lambda y: (y * 2).long())(x)


def test_autograd_functional_matches_torch(point):
    torch = pytest.importorskip("torch")
    xv, vv = point
    x, v, tx, tv = minigrad.tensor(xv), minigrad.tensor(vv), torch.tensor(xv), torch.tensor(vv)

    def g(a, b):
        return (a.exp() * b).cumsum(0), (a * b).sum()

    pairs = [
        (functional.hessian(f, x), torch.autograd.functional.hessian(f, tx)),
        (functional.hvp(f, x, v)[1], torch.autograd.functional.hvp(f, tx, tv)[1]),
        (functional.vhp(f, x, v)[1], torch.autograd.functional.vhp(f, tx, tv)[1]),
        (functional.jvp(lambda a: a.exp() * a, x, v)[1], torch.autograd.functional.jvp(lambda a: a.exp() * a, tx,
                                                                                     tv)[1]),
        (functional.vjp(lambda a: a.exp() * a, x, v)[1], torch.autograd.functional.vjp(lambda a: a.exp() * a, tx,
                                                                                     tv)[1]),
        (functional.jacobian(lambda a: a.exp() * a, x, strategy="forward-mode"),
         torch.autograd.functional.jacobian(lambda a: a.exp() * a, tx)),
    ]
    ours_blocks = functional.jacobian(g, (x, v))
    theirs_blocks = torch.autograd.functional.jacobian(g, (tx, tv))
    pairs += [(o, t) for ours_row, theirs_row in zip(ours_blocks, theirs_blocks) for o, t in zip(ours_row, theirs_row)]
    for ours, theirs in pairs:
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_create_graph_gives_gradients_with_graphs_and_inputs_limits_accumulation():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([1.5, 0.3, -0.7], dtype=lib.float64, requires_grad=True)
        loss = ((x * w).tanh() ** 2).sum()
        loss.backward(create_graph=True)
        penalty = (x.grad ** 2).sum()  # a gradient penalty: the gradient's norm as a loss
        x.grad, w.grad = None, None
        penalty.backward(inputs=[w])   # accumulate into w only
        results.append((w.grad.numpy(), x.grad))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    assert results[0][1] is None and results[1][1] is None


def test_grad_of_an_intermediate_and_unused_inputs():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    unused = minigrad.tensor([3.0], requires_grad=True)
    h = x * 3
    y = (h ** 2).sum()
    (dh,) = minigrad.autograd.grad(y, h, retain_graph=True)
    assert dh.tolist() == [6.0, 12.0] and x.grad is None  # nothing accumulated
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        minigrad.autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = minigrad.autograd.grad(y, [x, unused], allow_unused=True, retain_graph=True)
    assert gx.tolist() == [18.0, 36.0] and gu is None
    assert minigrad.autograd.grad(y, [unused], materialize_grads=True)[0].tolist() == [0.0]


def test_hooks_take_part_when_the_gradient_is_differentiated():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        h = x ** 2
        h.register_hook(lambda g: g * x)  # a hook whose answer depends on x: part of the new graph
        (gx,) = lib.autograd.grad(h.sum(), x, create_graph=True)
        (second,) = lib.autograd.grad(gx.sum(), x)
        results.append((gx.detach().numpy(), second.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert results[0][1].tolist() == [4.0, 8.0]  # gx = (1·x)·2x = 2x², whose derivative is 4x


def test_clear_errors_where_an_op_cannot_be_differentiated_again_or_forward():
    class Stateful(minigrad.autograd.Function):  # saves a value it computed for itself
        @staticmethod
        def forward(ctx, a):
            doubled = a * 2
            ctx.save_for_backward(doubled)
            return doubled * a

        @staticmethod
        def backward(ctx, grad):
            (doubled,) = ctx.saved_tensors
            return grad * 2 * doubled

    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    y = Stateful.apply(x).sum()
    with pytest.raises(RuntimeError, match="cannot be differentiated twice"):
        minigrad.autograd.grad(y, x, create_graph=True)
    with forward_ad.dual_level():
        dual = forward_ad.make_dual(x.detach(), minigrad.ones(2, dtype=minigrad.float64))
        with pytest.raises(NotImplementedError, match="has no jvp"):
            Stateful.apply(dual)
    with pytest.raises(RuntimeError, match="dual_level"):
        forward_ad.make_dual(x, x)


def recurrent_twins(kind, torch):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(3, 4, num_layers=2, bidirectional=True).double()
    ours = getattr(models, kind)(3, 4, num_layers=2, bidirectional=True).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_recurrent_layers_hessian_vector_products_and_jvps_match_torch(kind):
    torch = pytest.importorskip("torch")
    ours, theirs = recurrent_twins(kind, torch)
    rng = np.random.default_rng(0)
    xv, vv = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 2, 3))
    results = []
    for lib, layer, autograd in ((minigrad, ours, minigrad.autograd), (torch, theirs, torch.autograd)):
        weight = dict(layer.named_parameters())["weight_hh_l0"]

        def loss(x):
            output = layer(x)[0]
            return (output ** 2).sum()

        x = lib.tensor(xv, requires_grad=True)
        v = lib.tensor(vv)
        (gx,) = autograd.grad(loss(x), x, create_graph=True)
        hvp_x, hvp_w = autograd.grad((gx * v).sum(), (x, weight))   # H·v, and the mixed second derivative
        results.append([gx.detach().numpy(), hvp_x.numpy(), hvp_w.numpy()])
        fwd = minigrad.autograd.forward_ad if lib is minigrad else torch.autograd.forward_ad
        with fwd.dual_level():
            output = layer(fwd.make_dual(lib.tensor(xv), v))[0]
            results[-1].append(fwd.unpack_dual(output).tangent.detach().numpy())  # J·v through time
    for ours_value, theirs_value in zip(*results):
        np.testing.assert_allclose(ours_value, theirs_value, rtol=1e-9, atol=1e-12)


def test_attention_differentiates_twice_and_forward_like_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(4, 2).double()
    ours = models.MultiheadAttention(4, 2).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(1)
    qv, vv = rng.standard_normal((3, 2, 4)), rng.standard_normal((3, 2, 4))
    results = []
    for lib, layer in ((minigrad, ours), (torch, theirs)):
        q = lib.tensor(qv, requires_grad=True)
        out = layer(q, q, q)[0]
        (gq,) = lib.autograd.grad(out.tanh().sum(), q, create_graph=True)
        (hvp,) = lib.autograd.grad((gq * lib.tensor(vv)).sum(), q)
        results.append([gq.detach().numpy(), hvp.numpy()])
    for ours_value, theirs_value in zip(*results):
        np.testing.assert_allclose(ours_value, theirs_value, rtol=1e-9, atol=1e-12)


def test_make_dual_refuses_an_expanded_primal_as_torch_does():
    # its elements share memory, so a tangent per element cannot be told apart (torch: the in-place write's error)
    with forward_ad.dual_level():
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            forward_ad.make_dual(minigrad.ones(3).expand(2, 3), minigrad.ones(2, 3))
        dual = forward_ad.make_dual(minigrad.ones(2, 3), minigrad.ones(3).expand(2, 3))  # an expanded tangent is fine
        assert forward_ad.unpack_dual(dual).tangent.tolist() == [[1.0] * 3] * 2
