"""In-place changes, as torch makes them: version counters that catch a saved value changed before backward,
in-place ops recorded in the graph (through views too), ``.data`` outside the graph, and the in-place methods.

Every case here gave a wrong gradient without any error, or silently did something else, before version
counters existed; torch is the oracle where it is installed."""

import numpy as np
import pytest

import minigrad
from minigrad import nn

MODIFIED = "modified by an inplace operation"


def leaf(values, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


# --- 1. a value saved for backward, changed in place, is refused -------------------------------------------
@pytest.mark.parametrize("scale", [lambda a: a * 2, lambda a: 2 * a, lambda a: a / 2, lambda a: a.add(a, alpha=2)],
                         ids=["times a number", "a number times", "over a number", "alpha"])
def test_a_factor_kept_for_nothing_may_change_before_backward(scale):
    # times a number, x's values are needed by no gradient: torch keeps nothing of x, and changing x in place
    # before backward is fine (minigrad kept x and refused the backward)
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (minigrad, torch):
        leaf = lib.ones(3, dtype=lib.float64, requires_grad=True)
        a = leaf * 1
        y = scale(a).sum()
        a.add_(1)
        y.backward()
        grads.append(leaf.grad.tolist())
    assert grads[0] == grads[1]


def test_writing_a_saved_weight_before_backward_raises():
    x, w = leaf([1.0, 2.0, 3.0]), leaf([2.0, 2.0, 2.0])
    y = (x * w).sum()
    with minigrad.no_grad():
        w[0] = 100.0
    with pytest.raises(RuntimeError, match=MODIFIED) as error:
        y.backward()
    assert "MulBackward" in str(error.value) and "version 1; expected version 0" in str(error.value)


def test_writing_into_a_detached_output_that_was_saved_raises():
    x = leaf([0.5, 1.0])
    y = x.exp()  # exp saves its output
    y.detach().zero_()  # detach() shares the version counter
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_an_optimizer_step_between_forward_and_a_retained_backward_raises():
    w = leaf([1.0, -1.0])
    optimizer = minigrad.optim.SGD([w], lr=0.1)
    y = (w * w).sum()
    y.backward(retain_graph=True)
    optimizer.step()
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.backward()


def test_load_state_dict_bumps_the_version():
    layer = nn.Linear(2, 1)
    loss = layer(minigrad.ones(1, 2)).sum()
    layer.load_state_dict({k: v.detach() * 2 for k, v in layer.state_dict().items()})
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_a_change_that_no_saved_value_sees_is_allowed():
    # Add saves nothing, so changing its input afterwards cannot spoil the gradient (torch allows it too)
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x + w).sum()
    with minigrad.no_grad():
        w.mul_(10)
    y.backward()
    assert x.grad.tolist() == [1.0, 1.0] and w.grad.tolist() == [1.0, 1.0]


def test_views_share_the_version_counter():
    base = minigrad.zeros(3, 4)
    row, column, reshaped = base[1], base[:, 2], base.reshape(12)
    base.add_(1)
    assert base._version == row._version == column._version == reshaped._version == 1
    row.fill_(5)
    assert base._version == 2 and base[1].tolist() == [5.0] * 4
    copy = base[minigrad.tensor([0, 2])]  # advanced indexing copies: its own counter
    base.add_(1)
    assert copy._version == 0


# --- 2. writing graph tensors into other tensors keeps the gradient ---------------------------------------
def test_setitem_of_a_graph_tensor_into_a_buffer_passes_the_gradient():
    x = leaf([1.0, 2.0])
    buf = minigrad.zeros(3, 2, dtype=minigrad.float64)
    buf[0] = x * 2
    buf[2] = x ** 2
    (buf * minigrad.tensor([[1.0], [10.0], [100.0]], dtype=minigrad.float64)).sum().backward()
    assert x.grad.tolist() == [2.0 + 200.0 * 1.0, 2.0 + 200.0 * 2.0]


def test_outputs_collected_step_by_step_match_torch():
    torch = pytest.importorskip("torch")

    def run(lib, x):
        outputs = lib.zeros(4, 3, dtype=x.dtype)
        h = x
        for t in range(4):
            h = (h * 1.5).tanh()
            outputs[t] = h
        outputs[1] += x  # augmented assignment through a view of a graph tensor
        (outputs ** 2).sum().backward()
        return outputs

    x = leaf([0.1, -0.2, 0.3])
    tx = torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64, requires_grad=True)
    np.testing.assert_allclose(run(minigrad, x).detach().numpy(), run(torch, tx).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_masked_setitem_on_a_non_leaf():
    torch = pytest.importorskip("torch")
    values = [[1.0, -2.0], [-3.0, 4.0]]
    x, tx = leaf(values), torch.tensor(values, dtype=torch.float64, requires_grad=True)
    for lib, t in ((minigrad, x), (torch, tx)):
        y = t * 3
        y[y < 0] = 0.5 * t[y < 0]
        (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_in_place_on_a_leaf_that_requires_grad_is_refused_with_torchs_message():
    w = leaf([1.0])
    for change in (lambda: w.add_(1), lambda: w.__setitem__(0, 2.0), lambda: w.zero_(), lambda: w.exp_()):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            change()
    with minigrad.no_grad():
        w.add_(1)  # parameter updates are in-place changes outside the graph
    assert w.tolist() == [2.0] and w._version == 1


def test_a_view_whose_base_changed_in_place_gets_a_fresh_gradient_path():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        v = y[:2]       # a view of y, taken before y changes
        y.mul_(3)       # y (and so v) are now 6x
        (v * v).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
    assert grads[0].tolist() == [72.0, 144.0, 0.0]  # d(36 x²)/dx = 72 x


def test_in_place_through_a_view_rebases_the_base():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (minigrad, torch):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
        y = x * 1
        y.T[0].mul_(10)  # the first column, through a transposed view
        (y ** 2).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_writing_into_an_expanded_tensor_is_refused():
    expanded = minigrad.ones(1, 3).expand(2, 3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        expanded.add_(1)
    with pytest.raises(RuntimeError, match="clone"):
        expanded[0, 0] = 5.0


@pytest.mark.parametrize("make", [lambda x: x.repeat(1, 1), lambda x: x.repeat(2, 1),
                                  lambda x: x.t().contiguous(), lambda x: x[:1].expand(3, 4).contiguous()],
                         ids=["repeat-once", "repeat-twice", "contiguous-of-transpose", "contiguous-of-expand"])
def test_repeat_and_contiguous_give_memory_of_their_own(make):
    # torch's repeat always copies, and contiguous() copies a tensor that is not laid out row by row:
    # writing the result must leave the source alone (it once changed it, or hit a read-only array)
    x = minigrad.arange(12, dtype=minigrad.float64).reshape(3, 4)
    y = make(x)
    y.add_(100)
    assert x.tolist() == np.arange(12.0).reshape(3, 4).tolist()
    assert (y.numpy() >= 100).all()


def test_an_expand_that_repeats_nothing_writes_through_as_in_torch():
    # expand to a new leading dimension of size 1 is a view in which no element repeats: torch writes through it
    # (minigrad once gave NumPy's read-only broadcast array, and the write failed)
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        x = lib.zeros(3, dtype=lib.float64)
        x.expand(1, 3).add_(1)
        lib.broadcast_tensors(x, lib.zeros(1, 3, dtype=lib.float64))[0].mul_(5)
        results.append(x.tolist())
    assert results[0] == results[1] == [5.0, 5.0, 5.0]


def test_writing_one_element_through_a_view_changes_the_base_as_in_torch():
    # ints that pick a single element gave NumPy's copy (a scalar), so the write was lost without an error
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        x = lib.arange(6.0, dtype=lib.float64).reshape(2, 3)
        x.select(1, 2).select(0, 1).fill_(-1)
        x[0, 0].fill_(-9)
        x[1][0].mul_(10)
        leaf = lib.arange(4.0, dtype=lib.float64, requires_grad=True)
        y = leaf * 1
        y.select(0, 1).mul_(10)
        (y * y).sum().backward()
        results.append((x.tolist(), y.tolist(), leaf.grad.tolist()))
    assert results[0] == results[1]


def test_writing_into_overlapping_windows_is_refused_and_into_an_empty_tensor_works():
    # unfold with step < size names one element in two windows: a write there has no single meaning (torch adds
    # it once per window; minigrad once added it once and then counted its gradient twice), so it is refused
    leaf = minigrad.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        (leaf * 1).unfold(0, 2, 1).add_(10)
    base = minigrad.zeros(6)
    base.unfold(0, 2, 2).add_(1)  # side by side, no overlap: writable
    assert base.tolist() == [1.0] * 6
    empty = minigrad.zeros(0, 3)  # (NumPy gives an empty array zero strides; there is nothing to overlap)
    empty.add_(1)
    empty[:, 1] = 5.0
    assert empty.shape == (0, 3) and empty._version == 2


# --- 3. the in-place operators and methods ---------------------------------------------------------------
def test_augmented_assignment_changes_the_tensor_itself():
    # d2l's sgd: `param -= lr * param.grad` must update the parameter, not rebind a name
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    alias = w
    with minigrad.no_grad():
        w -= 0.5 * w.grad
        w *= 2
        w /= 4
        w += 1
    assert w is alias and w.tolist() == [1.0, 1.0] and w._version == 4


METHODS = [("add_", (2.0,), {"alpha": 3}), ("sub_", (2.0,), {"alpha": 0.5}), ("mul_", (1.5,), {}),
           ("div_", (4.0,), {}), ("pow_", (2,), {}), ("clamp_", (-0.5, 0.5), {}), ("exp_", (), {}),
           ("tanh_", (), {}), ("sigmoid_", (), {}), ("relu_", (), {}), ("fill_", (3.0,), {}), ("zero_", (), {})]


@pytest.mark.parametrize("name, args, kwargs", METHODS, ids=[m[0] for m in METHODS])
def test_in_place_methods_match_torch_in_value_and_gradient(name, args, kwargs):
    torch = pytest.importorskip("torch")
    values = [[0.3, -1.2, 2.0], [-0.7, 0.0, 1.1]]
    x, tx = leaf(values), torch.tensor(values, dtype=torch.float64, requires_grad=True)
    results = []
    for t in (x, tx):
        y = t * 1.5
        getattr(y, name)(*args, **kwargs)
        (y * y).sum().backward()
        results.append((y.detach().numpy(), t.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_copy_masked_fill_index_fill_unsqueeze_squeeze_in_place():
    torch = pytest.importorskip("torch")
    values = [[0.3, -1.2, 2.0], [-0.7, 0.0, 1.1]]
    x, tx = leaf(values), torch.tensor(values, dtype=torch.float64, requires_grad=True)
    source = [[1.0, 2.0, 3.0]]
    outs = []
    for lib, t in ((minigrad, x), (torch, tx)):
        y = t * 2
        y.masked_fill_(y > 1, 0.25)
        y.index_fill_(1, lib.tensor([0, 2]), -1.0)
        z = lib.zeros(2, 3, dtype=lib.float64)
        z.copy_(t[:1] * lib.tensor(source, dtype=lib.float64))  # broadcast from one row
        w = (y + z).unsqueeze_(0).squeeze_(0)
        (w * w).sum().backward()
        outs.append((w.detach().numpy(), t.grad.numpy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-12)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-12)


def test_uniform_and_normal_fill_in_place_from_the_seeded_generator():
    a, b = minigrad.empty(1000), minigrad.empty(1000)
    minigrad.manual_seed(3)
    a.uniform_(-2, 2)
    minigrad.manual_seed(3)
    b.uniform_(-2, 2)
    assert a.tolist() == b.tolist() and -2 <= a.min().item() and a.max().item() < 2
    a.normal_(5.0, 0.1)
    assert abs(a.mean().item() - 5.0) < 0.05 and a._version == 2


def test_in_place_results_that_do_not_fit_are_refused_as_in_torch():
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        minigrad.ones(3, dtype=minigrad.int64).add_(1.5)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        minigrad.ones(3).add_(minigrad.ones(2, 3))
    with pytest.raises(RuntimeError, match="alpha must not be a floating point"):
        minigrad.ones(3, dtype=minigrad.int64).add(minigrad.ones(3, dtype=minigrad.int64), alpha=0.5)


# --- 4. .data is a Tensor outside the graph -----------------------------------------------------------------
def test_data_is_a_tensor_sharing_memory_whose_writes_are_not_tracked():
    w = leaf([1.0, 2.0])
    data = w.data
    assert isinstance(data, minigrad.Tensor) and not data.requires_grad and data.grad_fn is None
    y = (w * w).sum()
    data.add_(1)          # the idiom of hand-written updates: untracked, no version bump on w
    w.data[0] = 7.0
    assert w.tolist() == [7.0, 3.0] and w._version == 0
    y.backward()          # so backward does not notice (that is the point of .data, and its danger)
    assert w.grad.tolist() == [14.0, 6.0]


def test_data_takes_tensors_and_init_functions_work_on_it():
    layer = nn.Linear(3, 2)
    nn.init.constant_(layer.weight.data, 0.5)
    assert layer.weight.tolist() == [[0.5] * 3] * 2
    layer.weight.data = minigrad.zeros(2, 3)
    assert layer.weight.tolist() == [[0.0] * 3] * 2
    with pytest.raises(TypeError, match="expected a Tensor to assign"):
        layer.weight.data = np.zeros((2, 3))


# --- property: random sequences of in-place changes give torch's values and gradients -----------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

STEPS = st.sampled_from(["add", "mul", "exp", "clamp", "row", "column", "setitem", "mask", "transposed", "iadd"])


def apply_step(lib, y, w, step):
    if step == "add":
        y.add_(w, alpha=0.5)
    elif step == "mul":
        y.mul_(w)
    elif step == "exp":
        y.mul_(0.1).exp_()
    elif step == "clamp":
        y.clamp_(-0.5, 0.7)
    elif step == "row":        # through a view of one row
        y[1].mul_(w[0])
    elif step == "column":     # through a strided view
        y[:, 2].add_(w[:, 0])
    elif step == "setitem":
        y[0, 1:] = w[1, :2] * 3
    elif step == "mask":
        y[y > 0.5] = 0.25
    elif step == "transposed":
        y.T[0].sub_(1)
    elif step == "iadd":
        y[2] += w[2]


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(STEPS, min_size=1, max_size=6))
def test_sequences_of_in_place_changes_match_torch(steps):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(len(steps))
    x0, w0, weights = rng.standard_normal((3, 3)), rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True)
        y = x * 1.0
        try:
            for step in steps:
                apply_step(lib, y, w, step)
            (y * lib.tensor(weights)).sum().backward()
        except RuntimeError as error:  # e.g. exp_ saves its output, which a later step changes: torch refuses too
            results.append(("refused", MODIFIED in str(error) or "modified by an inplace" in str(error)))
            continue
        results.append([y.detach().numpy(), x.grad.numpy(), w.grad.numpy() if w.grad is not None else 0 * w0])
    ours, theirs = results
    refused = [isinstance(result, tuple) for result in results]
    assert refused[0] == refused[1], (steps, ours, theirs)
    if refused[0]:
        assert ours[1] and theirs[1]
        return
    for mine, torchs in zip(ours, theirs):
        np.testing.assert_allclose(mine, torchs, rtol=1e-10, atol=1e-12)


def test_a_view_of_the_same_shape_is_a_tensor_of_its_own():
    # view, view_as and reshape to the shape a tensor has give a new view in torch, not the tensor itself: a later
    # t_() of the view (or requires_grad_, or a hook) must leave the original alone
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        x = lib.zeros(2, 3)
        for same in (x.view(2, 3), x.view_as(x), x.reshape(x.shape)):
            assert same is not x
            same.t_()
            same.add_(1)
        assert tuple(x.shape) == (2, 3) and x.sum().item() == 18
