"""Recurrent cells and layers: torch's interface, the seeds' worked examples, gradients, packing, errors."""

import math

import numpy as np
import pytest

import minigrad
import models

KINDS = {name: kind.layer for name, kind in models.RECURRENCES.items()}
CELLS = {name: kind.cell for name, kind in models.RECURRENCES.items()}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # torch's layout, the oracle for the declarations


def f64(values, requires_grad=False):
    return minigrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def hidden(output_and_state):
    """h_n from a layer's result, for every kind (LSTM returns (h_n, c_n))."""
    state = output_and_state[1]
    return state[0] if isinstance(state, tuple) else state


# --- interface ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", models.RECURRENCES)
def test_each_recurrence_is_declared_once_for_its_cell_and_layer_as_torch_lays_it_out(kind):
    torch = pytest.importorskip("torch")
    entry = models.RECURRENCES[kind]
    assert entry.cell.recurrence is entry.layer.recurrence is entry.recurrence
    assert (entry.cell.__name__, entry.layer.__name__) == (f"{entry.layer.__name__}Cell", entry.layer.__name__)
    twin = getattr(torch.nn, entry.layer.__name__)(3, 5)
    assert twin.weight_ih_l0.shape[0] == entry.recurrence.gate_count * 5
    _, state = twin(torch.zeros(2, 1, 3))
    assert (len(state) if isinstance(state, tuple) else 1) == len(entry.recurrence.state_names)


@pytest.mark.parametrize("kind", KINDS)
def test_parameter_names_shapes_and_init_follow_torch(kind):
    minigrad.manual_seed(0)
    layer = KINDS[kind](5, 4, num_layers=2, bidirectional=True)
    g = GATES[kind]
    expected = {}
    for layer_index, input_size in ((0, 5), (1, 8)):
        for suffix in ("", "_reverse"):
            expected[f"weight_ih_l{layer_index}{suffix}"] = (g * 4, input_size)
            expected[f"weight_hh_l{layer_index}{suffix}"] = (g * 4, 4)
            expected[f"bias_ih_l{layer_index}{suffix}"] = (g * 4,)
            expected[f"bias_hh_l{layer_index}{suffix}"] = (g * 4,)
    assert {name: p.shape for name, p in layer.named_parameters()} == expected
    values = np.concatenate([p.numpy().ravel() for p in layer.parameters()])
    assert np.abs(values).max() <= 1 / math.sqrt(4)
    assert values.std() > 0.2  # U(-1/2, 1/2) has std 0.29: filled, not zeros


@pytest.mark.parametrize("kind", KINDS)
def test_no_bias_means_no_bias_parameters(kind):
    layer = KINDS[kind](3, 2, bias=False)
    assert sorted(name for name, _ in layer.named_parameters()) == ["weight_hh_l0", "weight_ih_l0"]
    output, _ = layer(minigrad.randn(4, 2, 3))
    assert output.shape == (4, 2, 2)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_shapes_of_outputs_and_states(kind, batch_first, bidirectional):
    layer = KINDS[kind](3, 5, num_layers=2, batch_first=batch_first, bidirectional=bidirectional)
    x = minigrad.randn(*((2, 7, 3) if batch_first else (7, 2, 3)))
    output, state = layer(x)
    d = 2 if bidirectional else 1
    assert output.shape == ((2, 7, 5 * d) if batch_first else (7, 2, 5 * d))
    for part in (state if kind == "lstm" else (state,)):
        assert part.shape == (2 * d, 2, 5)  # never batch-first


@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_input_equals_a_batch_of_one(kind):
    minigrad.manual_seed(1)
    layer = KINDS[kind](3, 4, num_layers=2)
    x = minigrad.randn(6, 3)
    output, state = layer(x)
    batched_output, batched_state = layer(x.unsqueeze(1))
    assert output.shape == (6, 4)
    np.testing.assert_allclose(output.numpy(), batched_output.numpy()[:, 0], rtol=1e-6)
    np.testing.assert_allclose(hidden((output, state)).numpy(), hidden((0, batched_state)).numpy()[:, 0], rtol=1e-6)


# --- the seeds' worked examples ----------------------------------------------------------------------------
def scalar_rnn_cell(w_hh, w_ih):
    cell = models.RNNCell(1, 1, bias=False).double()
    cell.load_state_dict({"weight_ih": np.array([[w_ih]]), "weight_hh": np.array([[w_hh]])})
    return cell


def test_seed_scalar_rnn_example():
    # W_hh = 0.5, W_xh = 1.0, b = 0, h_0 = 0, inputs 0.8, -0.3, 0.5: the seed gives h ≈ 0.664, 0.032, 0.475
    cell = scalar_rnn_cell(0.5, 1.0)
    h, states = f64([[0.0]]), []
    for x in (0.8, -0.3, 0.5):
        h = cell(f64([[x]]), h)
        states.append(h.item())
    expected = []
    h_ref = 0.0
    for x in (0.8, -0.3, 0.5):
        h_ref = math.tanh(0.5 * h_ref + 1.0 * x)
        expected.append(h_ref)
    np.testing.assert_allclose(states, expected, rtol=1e-12)
    np.testing.assert_allclose(states, [0.664, 0.032, 0.475], atol=5e-4)


def test_seed_two_dimensional_rnn_example():
    # d = 2, inputs 1, -1, 2, W_h = [[0.5, 0.1], [0.2, 0.6]], W_x = [0.3, 0.4]ᵀ, b = 0: h_3 ≈ [0.486, 0.610]
    cell = models.RNNCell(1, 2, bias=False).double()
    w_h, w_x = np.array([[0.5, 0.1], [0.2, 0.6]]), np.array([[0.3], [0.4]])
    cell.load_state_dict({"weight_ih": w_x, "weight_hh": w_h})
    h, h_ref = f64([[0.0, 0.0]]), np.zeros(2)
    for x in (1.0, -1.0, 2.0):
        h = cell(f64([[x]]), h)
        h_ref = np.tanh(w_h @ h_ref + w_x[:, 0] * x)
    np.testing.assert_allclose(h.numpy()[0], h_ref, rtol=1e-12)
    np.testing.assert_allclose(h.numpy()[0], [0.486, 0.610], atol=5e-4)


def test_lstm_constant_error_carousel_dc_dc_prev_is_f():
    """Through the graph, ∂c_t/∂c_{t-1} is diagonal with the forget gate f_t on the diagonal."""
    minigrad.manual_seed(2)
    cell = models.LSTMCell(3, 4).double()
    x = f64(np.random.default_rng(0).standard_normal((1, 3)))
    h = f64(np.random.default_rng(1).standard_normal((1, 4)))
    c_prev = f64(np.random.default_rng(2).standard_normal((1, 4)), requires_grad=True)
    _, c = cell(x, (h, c_prev))
    # f_t from the weights directly: rows H..2H of the stacked gates
    w_ih, w_hh = cell.weight_ih.numpy(), cell.weight_hh.numpy()
    pre = x.numpy() @ w_ih.T + cell.bias_ih.numpy() + h.numpy() @ w_hh.T + cell.bias_hh.numpy()
    f = 1 / (1 + np.exp(-pre[0, 4:8]))
    for j in range(4):  # one backward per component of c_t: a row of the Jacobian
        c_prev.grad = None
        c[0, j].backward(retain_graph=True)
        row = np.zeros(4)
        row[j] = f[j]
        np.testing.assert_allclose(c_prev.grad.numpy()[0], row, rtol=1e-12, atol=1e-15)


# --- gradients ---------------------------------------------------------------------------------------------
def _step_of(kind):
    """A cell's step as a function of all its inputs and weights, for gradcheck."""
    step = models.RECURRENCES[kind].recurrence.step

    def run(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
        state = step(x @ weight_ih.T + bias_ih, (h, c) if kind == "lstm" else h, weight_hh, bias_hh)
        return minigrad.cat(list(state), 1) if kind == "lstm" else state
    return run


@pytest.mark.parametrize("kind", CELLS)
def test_gradcheck_of_every_cell(kind):
    minigrad.manual_seed(3)
    cell = CELLS[kind](3, 2).double()
    rng = np.random.default_rng(4)
    inputs = [f64(rng.standard_normal(shape), requires_grad=True) for shape in ((2, 3), (2, 2), (2, 2))]
    weights = [p.detach().requires_grad_() for p in cell.parameters()]
    assert minigrad.gradcheck(_step_of(kind), (*inputs, *weights))


@pytest.mark.parametrize("kind", CELLS)
def test_cell_module_gradients_match_gradcheck_of_its_step(kind):
    """The cell module's parameter gradients equal central differences of its loss."""
    minigrad.manual_seed(5)
    cell = CELLS[kind](3, 2).double()
    rng = np.random.default_rng(6)
    x = f64(rng.standard_normal((2, 3)))
    weights = {name: p.numpy().copy() for name, p in cell.named_parameters()}

    def loss_of(values):
        cell.load_state_dict(values)
        out = cell(x)
        out = out[0] * 1.5 + out[1] if kind == "lstm" else out
        return (out * out).sum()

    loss = loss_of(weights)
    cell.zero_grad()
    loss.backward()
    eps = 1e-6
    for name, value in weights.items():
        grad = dict(cell.named_parameters())[name].grad.numpy()
        for index in np.ndindex(value.shape):
            plus, minus = {k: v.copy() for k, v in weights.items()}, {k: v.copy() for k, v in weights.items()}
            plus[name][index] += eps
            minus[name][index] -= eps
            with minigrad.no_grad():
                numerical = (loss_of(plus).item() - loss_of(minus).item()) / (2 * eps)
            assert grad[index] == pytest.approx(numerical, rel=1e-5, abs=1e-8), (name, index)


# --- bidirectional ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_bidirectional_layout(kind):
    """output[..., :H] is the forward pass, output[..., H:] the reverse pass run on the reversed sequence;
    h_n holds the forward state at t = T-1 and the reverse state at t = 0, so h_n is not output[-1]."""
    minigrad.manual_seed(7)
    layer = KINDS[kind](3, 4, bidirectional=True).double()
    x = f64(np.random.default_rng(8).standard_normal((6, 2, 3)))
    output, state = layer(x)
    h_n = hidden((output, state))
    forward = KINDS[kind](3, 4).double()
    backward = KINDS[kind](3, 4).double()
    sd = layer.state_dict()
    forward.load_state_dict({k: v for k, v in sd.items() if not k.endswith("_reverse")})
    backward.load_state_dict({k.replace("_reverse", ""): v for k, v in sd.items() if k.endswith("_reverse")})
    out_f, state_f = forward(x)
    out_b, state_b = backward(f64(x.numpy()[::-1].copy()))
    np.testing.assert_allclose(output.numpy()[..., :4], out_f.numpy(), rtol=1e-12)
    np.testing.assert_allclose(output.numpy()[..., 4:], out_b.numpy()[::-1], rtol=1e-12)
    np.testing.assert_allclose(h_n.numpy()[0], output.numpy()[-1, :, :4], rtol=1e-12)
    np.testing.assert_allclose(h_n.numpy()[1], output.numpy()[0, :, 4:], rtol=1e-12)
    assert not np.allclose(h_n.numpy()[1], output.numpy()[-1, :, 4:])


# --- packed sequences ----------------------------------------------------------------------------------------
LENGTHS = [5, 2, 4]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_batch_equals_each_sequence_alone(kind, bidirectional):
    minigrad.manual_seed(9)
    layer = KINDS[kind](3, 4, num_layers=2, bidirectional=bidirectional).double()
    rng = np.random.default_rng(10)
    sequences = [f64(rng.standard_normal((n, 3)), requires_grad=True) for n in LENGTHS]
    padded = models.pad_sequence(sequences)
    packed = models.pack_padded_sequence(padded, LENGTHS, enforce_sorted=False)
    packed_output, state = layer(packed)
    output, lengths = models.pad_packed_sequence(packed_output)
    assert lengths.tolist() == LENGTHS
    h_n = hidden((None, state))
    for b, sequence in enumerate(sequences):
        alone_output, alone_state = layer(sequence.unsqueeze(1))
        np.testing.assert_allclose(output.numpy()[:LENGTHS[b], b], alone_output.numpy()[:, 0], rtol=1e-10)
        np.testing.assert_array_equal(output.numpy()[LENGTHS[b]:, b], 0.0)
        np.testing.assert_allclose(h_n.numpy()[:, b], hidden((None, alone_state)).numpy()[:, 0], rtol=1e-10)


@pytest.mark.parametrize("kind", KINDS)
def test_padded_steps_receive_no_gradient(kind):
    minigrad.manual_seed(11)
    layer = KINDS[kind](2, 3, bidirectional=True).double()
    padded = f64(np.random.default_rng(12).standard_normal((4, 2, 2)), requires_grad=True)
    output, state = layer(models.pack_padded_sequence(padded, [4, 2]))
    (models.pad_packed_sequence(output)[0].sum() + hidden((None, state)).sum()).backward()
    grad = padded.grad.numpy()
    np.testing.assert_array_equal(grad[2:, 1], 0.0)
    assert np.all(grad[:2, 1] != 0) and np.all(grad[:, 0] != 0)


def test_pack_and_pad_follow_torch_layout():
    padded = minigrad.tensor([[1, 10, 100], [2, 20, 0], [3, 0, 0]])  # (T=3, B=3), lengths 3, 2, 1
    packed = models.pack_padded_sequence(padded, [3, 2, 1])
    assert packed.data.tolist() == [1, 10, 100, 2, 20, 3]
    assert packed.batch_sizes.tolist() == [3, 2, 1] and packed.sorted_indices is None
    unsorted = models.pack_padded_sequence(padded[:, [2, 0, 1]], [1, 3, 2], enforce_sorted=False)
    assert unsorted.data.tolist() == [1, 10, 100, 2, 20, 3]
    assert unsorted.sorted_indices.tolist() == [1, 2, 0] and unsorted.unsorted_indices.tolist() == [2, 0, 1]
    restored, lengths = models.pad_packed_sequence(unsorted, batch_first=True, padding_value=-1, total_length=4)
    assert restored.tolist() == [[100, -1, -1, -1], [1, 2, 3, -1], [10, 20, -1, -1]]
    assert lengths.tolist() == [1, 3, 2]


def test_pad_sequence():
    a, b = minigrad.tensor([1.0, 2.0, 3.0]), minigrad.tensor([4.0])
    assert models.pad_sequence([a, b]).tolist() == [[1.0, 4.0], [2.0, 0.0], [3.0, 0.0]]
    assert models.pad_sequence([a, b], batch_first=True, padding_value=9.0).tolist() == [[1.0, 2.0, 3.0],
                                                                                          [4.0, 9.0, 9.0]]



@pytest.mark.parametrize("sequences, error, message", [
    ([], RuntimeError, "received an empty list of sequences"),
    ([minigrad.ones(2), np.ones(3)], TypeError, "got numpy.ndarray as element 1"),
    ([minigrad.ones(2), minigrad.tensor(1.0)], RuntimeError, "at least one dimension, got a 0-d tensor as element 1"),
], ids=["empty", "foreign", "0-d"])
def test_pad_sequence_names_what_is_wrong(sequences, error, message):
    # torch's exception types; a NumPy array or a torch tensor in the list is named with its module, so that a
    # program porting from torch sees which element came from where (it once read "a list of Tensors" for all)
    with pytest.raises(error, match=message):
        models.pad_sequence(sequences)

# --- options -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_dropout_between_layers_only_in_training(kind):
    minigrad.manual_seed(13)
    layer = KINDS[kind](3, 8, num_layers=2, dropout=0.5).double()
    x = f64(np.random.default_rng(14).standard_normal((5, 2, 3)))
    layer.eval()
    first, second = layer(x)[0].numpy(), layer(x)[0].numpy()
    np.testing.assert_array_equal(first, second)
    layer.train()
    assert not np.allclose(layer(x)[0].numpy(), first)
    no_dropout = KINDS[kind](3, 8, num_layers=2).double()
    no_dropout.load_state_dict(layer.state_dict())
    np.testing.assert_allclose(no_dropout(x)[0].numpy(), first, rtol=1e-12)


@pytest.mark.parametrize("module", [lambda fb: models.LSTM(3, 4, num_layers=2, forget_bias=fb),
                                    lambda fb: models.LSTMCell(3, 4, forget_bias=fb)])
def test_forget_bias_sets_the_forget_gate_bias(module):
    minigrad.manual_seed(15)
    default = module(None)
    minigrad.manual_seed(15)
    biased = module(1.0)
    for (name, p), (_, q) in zip(default.named_parameters(), biased.named_parameters()):
        p, q = p.numpy(), q.numpy()
        if name.startswith("bias"):
            np.testing.assert_array_equal(q[:4], p[:4])
            np.testing.assert_array_equal(q[8:], p[8:])
            np.testing.assert_array_equal(q[4:8], 1.0 if name.startswith("bias_ih") else 0.0)
        else:
            np.testing.assert_array_equal(p, q)


# --- truncated BPTT ------------------------------------------------------------------------------------------
def test_detach_state_cuts_nested_states():
    h = minigrad.ones(2, requires_grad=True) * 2
    state = (h, [h * 3, None])
    detached = models.detach_state(state)
    assert isinstance(detached, tuple) and isinstance(detached[1], list) and detached[1][1] is None
    assert not detached[0].requires_grad and not detached[1][0].requires_grad
    np.testing.assert_array_equal(detached[1][0].numpy(), [6.0, 6.0])
    with pytest.raises(TypeError, match="got str"):
        models.detach_state("h")


def test_bptt_batches_cut_a_stream_into_shifted_chunks():
    stream = list(range(23))  # 2 rows of 11 tokens; the last token is dropped
    chunks = list(models.bptt_batches(stream, batch_size=2, bptt=4))
    assert [tuple(inputs.shape) for inputs, _ in chunks] == [(2, 4), (2, 4), (2, 2)]
    rows = np.arange(22).reshape(2, 11)
    np.testing.assert_array_equal(np.concatenate([i.numpy() for i, _ in chunks], 1), rows[:, :10])
    np.testing.assert_array_equal(np.concatenate([t.numpy() for _, t in chunks], 1), rows[:, 1:])


def test_truncated_bptt_keeps_the_graph_one_chunk_long():
    minigrad.manual_seed(16)
    lstm = models.LSTM(2, 3)
    state, depths = None, []
    for _ in range(3):
        output, state = lstm(minigrad.randn(4, 1, 2), state)
        output.sum().backward()
        state = models.detach_state(state)
        depths.append(state[0].requires_grad)
    assert depths == [False, False, False]


# --- bad input -----------------------------------------------------------------------------------------------
def test_errors_name_expected_and_got():
    lstm = models.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"size 3 in the last dimension.*got shape \(5, 2, 7\)"):
        lstm(minigrad.randn(5, 2, 7))
    with pytest.raises(ValueError, match=r"2 or 3 dimensions, got shape \(3,\)"):
        lstm(minigrad.randn(3))
    with pytest.raises(TypeError, match=r"tuple \(h_0, c_0\), got Tensor"):
        lstm(minigrad.randn(5, 2, 3), minigrad.zeros(2, 2, 4))
    with pytest.raises(ValueError, match=r"h_0 of shape \(2, 2, 4\), got \(1, 2, 4\)"):
        lstm(minigrad.randn(5, 2, 3), (minigrad.zeros(1, 2, 4), minigrad.zeros(1, 2, 4)))
    with pytest.raises(TypeError, match="expected hx to be a Tensor h_0, got a tuple"):
        models.GRU(3, 4)(minigrad.randn(5, 2, 3), (minigrad.zeros(1, 2, 4),))
    with pytest.raises(ValueError, match="nonlinearity 'tanh' or 'relu', got 'sigmoid'"):
        models.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"dropout to be a probability in \[0, 1\], got 1.5"):
        models.GRU(3, 4, dropout=1.5)
    with pytest.raises(TypeError, match="dtype float32"):
        lstm(minigrad.randn(5, 2, 3, dtype=minigrad.float64))


def test_packing_errors():
    # torch raises RuntimeError for each (lengths longer than the padding it does not check; minigrad refuses them)
    padded = minigrad.zeros(4, 3, 2)
    with pytest.raises(RuntimeError, match=r"sorted in decreasing order \(enforce_sorted=True\), got \[2, 4, 1\]"):
        models.pack_padded_sequence(padded, [2, 4, 1])
    with pytest.raises(RuntimeError, match=r"every length in \[1, 4\].*got \[0\]"):
        models.pack_padded_sequence(padded, [4, 2, 0])
    with pytest.raises(RuntimeError, match=r"every length in \[1, 4\].*got \[5\]"):
        models.pack_padded_sequence(padded, [5, 2, 1], enforce_sorted=False)
    with pytest.raises(RuntimeError, match="expected 3 lengths"):
        models.pack_padded_sequence(padded, [4, 2])


# --- torch parity (optional) ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_torch_state_dict_gives_same_outputs_and_gradients(kind, bidirectional):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    reference = getattr(torch.nn, kind.upper())(3, 4, num_layers=2, bidirectional=bidirectional).double()
    ours = KINDS[kind](3, 4, num_layers=2, bidirectional=bidirectional).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    x_np = np.random.default_rng(17).standard_normal((6, 2, 3))
    weights = np.random.default_rng(18).standard_normal((6, 2, 8 if bidirectional else 4))
    x_torch = torch.tensor(x_np, requires_grad=True)
    out_torch, state_torch = reference(x_torch)
    (out_torch * torch.tensor(weights)).sum().backward()
    x = f64(x_np, requires_grad=True)
    out, state = ours(x)
    (out * f64(weights)).sum().backward()
    np.testing.assert_allclose(out.numpy(), out_torch.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hidden((out, state)).numpy(), hidden((0, state_torch)).detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), x_torch.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), dict(reference.named_parameters())[name].grad.numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=name)
