"""models.RNN / LSTM / GRU against a hand-written NumPy reference: forward pass and backpropagation through time.

The reference below uses no autograd and no graph. Each cell kind has one step function (the equations of
torch.nn's documentation) and one step-backward function (the chain rule written out by hand); a single driver
runs any of them over time, over both directions and up the layer stack, and its backward runs the time loops in
reverse, accumulating dW, db, dh (and dc) and passing the gradient of each layer's input down to the layer below.

The reference is itself checked against central differences of its own forward pass (and, when torch is
installed, against torch), so a wrong reference cannot silently agree with a wrong library.

Everything is float64. Host values come out of minigrad only through .numpy(), so the file also runs with
MINIGRAD_DEVICE=strict.
"""

import numpy as np
import pytest

import minigrad
from conftest import host

T, N, I, H = 5, 3, 4, 3  # steps, batch, input features, hidden features
KINDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}
RTOL, ATOL = 1e-10, 1e-12


# --- the reference cells: one step forward, one step backward per kind ---------------------------------------
# A state is a tuple: (h,) for RNN and GRU, (h, c) for LSTM. A direction's parameters `p` are a dict with W_ih,
# W_hh, b_ih, b_hh (the biases None without bias); its gradients `g` a dict of arrays with the same keys (the
# biases absent without bias), accumulated in place.

def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def affine(x, weight, bias):
    """x Wᵀ + b, the torch convention: weight (out, in), x (N, in)."""
    out = x @ weight.T
    return out if bias is None else out + bias


def accumulate(g, d_gi, x, d_gh, h):
    """Add the parameter gradients of gi = x W_ihᵀ + b_ih and gh = h W_hhᵀ + b_hh, given d gi and d gh."""
    g["W_ih"] += d_gi.T @ x
    g["W_hh"] += d_gh.T @ h
    if "b_ih" in g:
        g["b_ih"] += d_gi.sum(axis=0)
        g["b_hh"] += d_gh.sum(axis=0)


def rnn_step(p, x, state, nonlinearity):
    (h,) = state
    a = affine(x, p["W_ih"], p["b_ih"]) + affine(h, p["W_hh"], p["b_hh"])
    h_new = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0.0)
    return (h_new,), (x, h, a, h_new)


def rnn_step_backward(p, cache, d_state, g, nonlinearity):
    x, h, a, h_new = cache
    (dh_new,) = d_state
    da = dh_new * ((1.0 - h_new ** 2) if nonlinearity == "tanh" else (a > 0))
    accumulate(g, da, x, da, h)
    return da @ p["W_ih"], (da @ p["W_hh"],)


def lstm_step(p, x, state):
    h, c = state
    gates = affine(x, p["W_ih"], p["b_ih"]) + affine(h, p["W_hh"], p["b_hh"])
    a_i, a_f, a_g, a_o = np.split(gates, 4, axis=1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c_new = f * c + i * g
    tanh_c = np.tanh(c_new)
    h_new = o * tanh_c
    return (h_new, c_new), (x, h, c, i, f, g, o, tanh_c)


def lstm_step_backward(p, cache, d_state, grads):
    x, h, c, i, f, g, o, tanh_c = cache
    dh_new, dc_new = d_state
    do = dh_new * tanh_c
    dc = dc_new + dh_new * o * (1.0 - tanh_c ** 2)  # c' reaches the loss directly and through h' = o tanh(c')
    di, df, dg, dc_prev = dc * g, dc * c, dc * i, dc * f
    d_gates = np.concatenate([di * i * (1.0 - i), df * f * (1.0 - f), dg * (1.0 - g ** 2), do * o * (1.0 - o)],
                             axis=1)
    accumulate(grads, d_gates, x, d_gates, h)
    return d_gates @ p["W_ih"], (d_gates @ p["W_hh"], dc_prev)


def gru_step(p, x, state):
    (h,) = state
    gi_r, gi_z, gi_n = np.split(affine(x, p["W_ih"], p["b_ih"]), 3, axis=1)
    gh_r, gh_z, gh_n = np.split(affine(h, p["W_hh"], p["b_hh"]), 3, axis=1)
    r = sigmoid(gi_r + gh_r)
    z = sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)  # r gates W_hn h + b_hn, bias included (torch's form)
    h_new = (1.0 - z) * n + z * h
    return (h_new,), (x, h, r, z, n, gh_n)


def gru_step_backward(p, cache, d_state, g):
    x, h, r, z, n, gh_n = cache
    (dh_new,) = d_state
    dn = dh_new * (1.0 - z)
    dz = dh_new * (h - n)
    da_n = dn * (1.0 - n ** 2)
    dr = da_n * gh_n
    da_r = dr * r * (1.0 - r)
    da_z = dz * z * (1.0 - z)
    d_gi = np.concatenate([da_r, da_z, da_n], axis=1)
    d_gh = np.concatenate([da_r, da_z, da_n * r], axis=1)
    accumulate(g, d_gi, x, d_gh, h)
    return d_gi @ p["W_ih"], (dh_new * z + d_gh @ p["W_hh"],)


CELLS = {
    "rnn_tanh": (lambda p, x, s: rnn_step(p, x, s, "tanh"), lambda p, c, d, g: rnn_step_backward(p, c, d, g, "tanh")),
    "rnn_relu": (lambda p, x, s: rnn_step(p, x, s, "relu"), lambda p, c, d, g: rnn_step_backward(p, c, d, g, "relu")),
    "lstm": (lstm_step, lstm_step_backward),
    "gru": (gru_step, gru_step_backward),
}


# --- the reference driver: layers x directions x time, shared by every kind ----------------------------------
def suffix(layer, direction):
    return f"_l{layer}" + ("_reverse" if direction else "")


def direction_view(tensors, layer, direction):
    """The W_ih, W_hh, b_ih, b_hh of one layer and direction out of a dict keyed by torch's parameter names."""
    s = suffix(layer, direction)
    view = {"W_ih": tensors[f"weight_ih{s}"], "W_hh": tensors[f"weight_hh{s}"]}
    if f"bias_ih{s}" in tensors:
        view.update(b_ih=tensors[f"bias_ih{s}"], b_hh=tensors[f"bias_hh{s}"])
    return view


def time_order(steps, direction):
    return range(steps) if direction == 0 else range(steps - 1, -1, -1)


def reference_forward(kind, params, x, h0, c0=None, num_layers=1, bidirectional=False):
    """(output, h_n, c_n, tape) for time-major x (T, N, I); c_n is None except for LSTM."""
    step, _ = CELLS[kind]
    D = 2 if bidirectional else 1
    layer_input, h_n, c_n, tape = x, [], [], []
    for layer in range(num_layers):
        outputs, caches = [], []
        for direction in range(D):
            p = {"b_ih": None, "b_hh": None, **direction_view(params, layer, direction)}
            k = layer * D + direction
            state = (h0[k],) if kind != "lstm" else (h0[k], c0[k])
            out = np.zeros(layer_input.shape[:2] + (h0.shape[-1],))
            direction_caches = []
            for t in time_order(len(layer_input), direction):
                state, cache = step(p, layer_input[t], state)
                out[t] = state[0]
                direction_caches.append((t, cache))
            outputs.append(out)
            caches.append(direction_caches)
            h_n.append(state[0])
            if kind == "lstm":
                c_n.append(state[1])
        tape.append((layer_input, caches))
        layer_input = np.concatenate(outputs, axis=-1)
    return layer_input, np.stack(h_n), (np.stack(c_n) if kind == "lstm" else None), tape


def reference_backward(kind, params, tape, d_output, d_h_n, d_c_n=None):
    """Backpropagation through time: (parameter gradients by torch name, d x, d h0, d c0)."""
    _, step_backward = CELLS[kind]
    D = len(tape[0][1])
    hidden = d_h_n.shape[-1]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    d_h0 = np.zeros_like(d_h_n)
    d_c0 = None if d_c_n is None else np.zeros_like(d_c_n)
    d_layer_output = d_output
    for layer in reversed(range(len(tape))):
        layer_input, caches = tape[layer]
        d_layer_input = np.zeros_like(layer_input)
        for direction, direction_caches in enumerate(caches):
            p = {"b_ih": None, "b_hh": None, **direction_view(params, layer, direction)}
            g = direction_view(grads, layer, direction)  # views of `grads`: accumulated in place
            k = layer * D + direction
            d_state = (d_h_n[k],) if kind != "lstm" else (d_h_n[k], d_c_n[k])
            for t, cache in reversed(direction_caches):
                # h_t feeds the next step (d_state) and this layer's output at t
                dh = d_state[0] + d_layer_output[t, :, direction * hidden:(direction + 1) * hidden]
                dx, d_state = step_backward(p, cache, (dh,) + tuple(d_state[1:]), g)
                d_layer_input[t] += dx
            d_h0[k] = d_state[0]
            if kind == "lstm":
                d_c0[k] = d_state[1]
        d_layer_output = d_layer_input  # the gradient of layer k's input is that of layer k-1's output
    return grads, d_layer_output, d_h0, d_c0


# --- problems: random parameters, inputs, states and loss weights ----------------------------------------------
def make_problem(kind, num_layers, bidirectional, bias=True, seed=0, steps=T, batch=N, inputs=I, hidden=H):
    """Parameters by torch name, x (T, N, I), h0, c0 (LSTM), and the weights of
    loss = Σ output·R1 + Σ h_n·R2 (+ Σ c_n·R3 for LSTM)."""
    rng = np.random.default_rng(seed)
    D = 2 if bidirectional else 1
    G = GATES[kind]
    params = {}
    for layer in range(num_layers):
        layer_inputs = inputs if layer == 0 else D * hidden
        for direction in range(D):
            s = suffix(layer, direction)
            params[f"weight_ih{s}"] = rng.uniform(-0.9, 0.9, (G * hidden, layer_inputs))
            params[f"weight_hh{s}"] = rng.uniform(-0.9, 0.9, (G * hidden, hidden))
            if bias:
                params[f"bias_ih{s}"] = rng.uniform(-0.5, 0.5, G * hidden)
                params[f"bias_hh{s}"] = rng.uniform(-0.5, 0.5, G * hidden)
    state_shape = (num_layers * D, batch, hidden)
    return dict(params=params, x=rng.normal(size=(steps, batch, inputs)), h0=rng.normal(size=state_shape) * 0.5,
                c0=rng.normal(size=state_shape) * 0.5 if kind == "lstm" else None,
                R1=rng.normal(size=(steps, batch, D * hidden)), R2=rng.normal(size=state_shape),
                R3=rng.normal(size=state_shape) if kind == "lstm" else None)


def reference_loss(kind, problem, num_layers, bidirectional):
    output, h_n, c_n, _ = reference_forward(kind, problem["params"], problem["x"], problem["h0"], problem["c0"],
                                            num_layers, bidirectional)
    loss = np.sum(output * problem["R1"]) + np.sum(h_n * problem["R2"])
    return loss + (np.sum(c_n * problem["R3"]) if kind == "lstm" else 0.0)


def reference_solution(kind, problem, num_layers, bidirectional):
    """Forward values and every gradient of the loss, from the reference: a dict of arrays."""
    output, h_n, c_n, tape = reference_forward(kind, problem["params"], problem["x"], problem["h0"], problem["c0"],
                                               num_layers, bidirectional)
    grads, dx, d_h0, d_c0 = reference_backward(kind, problem["params"], tape, problem["R1"], problem["R2"],
                                               problem["R3"])
    return dict(output=output, h_n=h_n, c_n=c_n, grads=grads, x=dx, h0=d_h0, c0=d_c0)


# --- the reference checks itself -----------------------------------------------------------------------------------
def central_difference(f, array, eps=1e-6):
    """∂f/∂array by central differences, nudging `array` in place one element at a time."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        up = f()
        array[index] = saved - eps
        down = f()
        array[index] = saved
        grad[index] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("num_layers, bidirectional", [(2, True), (2, False)])
def test_reference_bptt_matches_central_differences(kind, num_layers, bidirectional):
    problem = make_problem(kind, num_layers, bidirectional, seed=12, steps=4, batch=2, inputs=3, hidden=2)
    solution = reference_solution(kind, problem, num_layers, bidirectional)
    f = lambda: reference_loss(kind, problem, num_layers, bidirectional)  # noqa: E731
    checked = [(name, problem["params"][name], solution["grads"][name]) for name in problem["params"]]
    checked += [(name, problem[name], solution[name]) for name in ("x", "h0", "c0") if problem[name] is not None]
    for name, array, analytic in checked:
        assert np.abs(analytic).max() > 1e-3, f"{name}: the gradient should not vanish in this problem"
        np.testing.assert_allclose(analytic, central_difference(f, array), rtol=1e-6, atol=1e-8, err_msg=name)


def test_reference_bptt_catches_a_wrong_gradient():
    """The central-difference check has teeth: a one-element error in the reference's dW is seen."""
    problem = make_problem("gru", 1, False, seed=3, steps=3, batch=2, inputs=3, hidden=2)
    solution = reference_solution("gru", problem, 1, False)
    wrong = solution["grads"]["weight_hh_l0"].copy()
    wrong[1, 0] += 1e-4
    numerical = central_difference(lambda: reference_loss("gru", problem, 1, False), problem["params"]["weight_hh_l0"])
    np.testing.assert_allclose(solution["grads"]["weight_hh_l0"], numerical, rtol=1e-6, atol=1e-8)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(wrong, numerical, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kind", KINDS)
def test_reference_matches_torch(kind):
    """A second oracle for the reference, when torch is installed."""
    torch = pytest.importorskip("torch")
    num_layers, bidirectional = 2, True
    problem = make_problem(kind, num_layers, bidirectional, seed=5)
    solution = reference_solution(kind, problem, num_layers, bidirectional)
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}.get(kind, torch.nn.RNN)
    options = {"nonlinearity": kind[4:]} if kind.startswith("rnn") else {}
    layer = cls(I, H, num_layers=num_layers, bidirectional=bidirectional, **options).double()
    layer.load_state_dict({name: torch.from_numpy(value) for name, value in problem["params"].items()})
    leaves = {name: torch.tensor(problem[name], requires_grad=True) for name in ("x", "h0", "c0")
              if problem[name] is not None}
    hx = (leaves["h0"], leaves["c0"]) if kind == "lstm" else leaves["h0"]
    output, state = layer(leaves["x"], hx)
    h_n, c_n = state if kind == "lstm" else (state, None)
    loss = (output * torch.from_numpy(problem["R1"])).sum() + (h_n * torch.from_numpy(problem["R2"])).sum()
    if kind == "lstm":
        loss = loss + (c_n * torch.from_numpy(problem["R3"])).sum()
    loss.backward()
    np.testing.assert_allclose(output.detach().numpy(), solution["output"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(h_n.detach().numpy(), solution["h_n"], rtol=RTOL, atol=ATOL)
    for name, parameter in layer.named_parameters():
        np.testing.assert_allclose(parameter.grad.numpy(), solution["grads"][name], rtol=RTOL, atol=ATOL,
                                   err_msg=name)
    for name, leaf in leaves.items():
        np.testing.assert_allclose(leaf.grad.numpy(), solution[name], rtol=RTOL, atol=ATOL, err_msg=name)


# --- minigrad's layers against the reference --------------------------------------------------------------------

def build_layer(kind, num_layers, bidirectional, batch_first=False, bias=True):
    import models  # imported here so that the reference's own checks run without it

    options = {"nonlinearity": kind[4:]} if kind.startswith("rnn") else {}
    cls = models.RECURRENCES[kind.split("_")[0]].layer
    return cls(I, H, num_layers=num_layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional,
               **options).double()


def run_minigrad(kind, problem, num_layers, bidirectional, batch_first=False, bias=True, pass_state=True):
    """minigrad's forward and backward on `problem`, as host arrays in the reference's (time-major) layout."""
    layer = build_layer(kind, num_layers, bidirectional, batch_first, bias)
    layer.load_state_dict(problem["params"])
    to_layout = (lambda a: a.transpose(1, 0, 2)) if batch_first else (lambda a: a)
    x = minigrad.tensor(to_layout(problem["x"]), requires_grad=True)
    leaves = {"x": x}
    if pass_state:
        leaves["h0"] = minigrad.tensor(problem["h0"], requires_grad=True)
        if kind == "lstm":
            leaves["c0"] = minigrad.tensor(problem["c0"], requires_grad=True)
        hx = (leaves["h0"], leaves["c0"]) if kind == "lstm" else leaves["h0"]
        output, state = layer(x, hx)
    else:
        output, state = layer(x)
    h_n, c_n = state if kind == "lstm" else (state, None)
    loss = (output * minigrad.tensor(to_layout(problem["R1"]))).sum() + (h_n * minigrad.tensor(problem["R2"])).sum()
    if kind == "lstm":
        loss = loss + (c_n * minigrad.tensor(problem["R3"])).sum()
    loss.backward()
    result = dict(output=to_layout(host(output)), h_n=host(h_n), c_n=None if c_n is None else host(c_n),
                  grads={name: host(p.grad) for name, p in layer.named_parameters()})
    result.update({name: (to_layout if name == "x" else (lambda a: a))(host(leaf.grad))
                   for name, leaf in leaves.items()})
    return result


def assert_matches_reference(actual, expected, kind, check_state_grads=True):
    close = lambda a, e, what: np.testing.assert_allclose(a, e, rtol=RTOL, atol=ATOL, err_msg=what)  # noqa: E731
    close(actual["output"], expected["output"], "output")
    close(actual["h_n"], expected["h_n"], "h_n")
    if kind == "lstm":
        close(actual["c_n"], expected["c_n"], "c_n")
    assert sorted(actual["grads"]) == sorted(expected["grads"]), "parameter names"
    for name in expected["grads"]:
        close(actual["grads"][name], expected["grads"][name], f"grad of {name}")
    close(actual["x"], expected["x"], "grad of the input")
    if check_state_grads:
        close(actual["h0"], expected["h0"], "grad of h0")
        if kind == "lstm":
            close(actual["c0"], expected["c0"], "grad of c0")


@pytest.mark.parametrize("batch_first", [False, True], ids=["time_major", "batch_first"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["unidirectional", "bidirectional"])
@pytest.mark.parametrize("num_layers", [1, 2], ids=["1_layer", "2_layers"])
@pytest.mark.parametrize("kind", KINDS)
def test_forward_and_bptt_match_reference(kind, num_layers, bidirectional, batch_first):
    problem = make_problem(kind, num_layers, bidirectional, seed=100 + num_layers * 2 + bidirectional)
    expected = reference_solution(kind, problem, num_layers, bidirectional)
    actual = run_minigrad(kind, problem, num_layers, bidirectional, batch_first)
    assert actual["output"].shape == (T, N, (2 if bidirectional else 1) * H)
    assert actual["h_n"].shape == (num_layers * (2 if bidirectional else 1), N, H)
    assert_matches_reference(actual, expected, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_without_bias_matches_reference(kind):
    problem = make_problem(kind, 2, True, bias=False, seed=7)
    expected = reference_solution(kind, problem, 2, True)
    actual = run_minigrad(kind, problem, 2, True, bias=False)
    assert_matches_reference(actual, expected, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_omitted_initial_state_is_zeros(kind):
    problem = make_problem(kind, 2, True, seed=9)
    problem["h0"] = np.zeros_like(problem["h0"])
    if kind == "lstm":
        problem["c0"] = np.zeros_like(problem["c0"])
    expected = reference_solution(kind, problem, 2, True)
    actual = run_minigrad(kind, problem, 2, True, pass_state=False)
    assert_matches_reference(actual, expected, kind, check_state_grads=False)


@pytest.mark.parametrize("kind", KINDS)
def test_parameter_names_and_shapes_follow_torch(kind):
    layer = build_layer(kind, 2, True)
    G = GATES[kind]
    expected = []
    for layer_index in range(2):
        for direction in range(2):
            s = suffix(layer_index, direction)
            inputs = I if layer_index == 0 else 2 * H
            expected += [(f"weight_ih{s}", (G * H, inputs)), (f"weight_hh{s}", (G * H, H)),
                         (f"bias_ih{s}", (G * H,)), (f"bias_hh{s}", (G * H,))]
    assert [(name, tuple(p.shape)) for name, p in layer.named_parameters()] == expected
