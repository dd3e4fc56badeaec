"""A PyTorch program runs with only its imports swapped (``import minigrad as torch``, ``import models.nn as nn``,
``import minigrad.nn.functional as F``, ``from minigrad import optim``): the names such programs reach for, each
against torch where torch has the behaviour."""

import os
import pathlib
import subprocess
import sys
import warnings

import pytest

import minigrad

ROOT = pathlib.Path(minigrad.__file__).resolve().parent.parent


def run_fresh(code: str) -> str:
    """Run ``code`` in a new interpreter on this checkout, where nothing was imported before it."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- torch.nn through the torch alias ----------------------------------------------------------------------------
def test_torch_nn_names_from_models_are_reachable_through_the_alias_once_models_nn_is_imported():
    code = ("import minigrad as torch\n"
            "import models.nn as nn\n"
            "assert torch.nn.LSTM is nn.LSTM and torch.nn.TransformerEncoderLayer is nn.TransformerEncoderLayer\n"
            "assert torch.nn.modules.rnn.LSTM is nn.LSTM\n"
            "assert torch.nn.modules.dropout.Dropout is nn.Dropout\n"
            "assert torch.nn.utils.rnn.pad_sequence([torch.ones(2), torch.ones(3)]).shape == (3, 2)\n"
            "import minigrad.nn.modules.rnn, minigrad.nn.utils.rnn\n"
            "from minigrad.nn.utils.rnn import pack_padded_sequence\n"
            "assert pack_padded_sequence is nn.utils.rnn.pack_padded_sequence\n"
            "assert torch.nn.utils.clip_grad_norm_ is nn.utils.clip_grad_norm_\n"
            "print(type(torch.nn.LSTM(2, 3)).__name__)")
    assert run_fresh(code).strip() == "LSTM"


@pytest.mark.parametrize("path", ["minigrad.nn.LSTM", "minigrad.nn.modules", "minigrad.nn.utils.rnn"])
def test_before_models_nn_is_imported_the_error_says_which_import_is_missing(path):
    parent, name = path.rsplit(".", 1)
    code = (f"import importlib, minigrad\n"
            f"try:\n"
            f"    getattr(importlib.import_module({parent!r}), {name!r})\n"
            f"except AttributeError as error:\n"
            f"    print(error)\n")
    message = run_fresh(code).strip()
    assert message == (f"{path} lives in models.nn: add `import models.nn as nn` (the swap of `import torch.nn as "
                       f"nn`); after that, {path} works too")


def test_a_name_neither_has_is_still_an_ordinary_attribute_error():
    with pytest.raises(AttributeError, match="module 'minigrad.nn' has no attribute 'Nonsense'"):
        minigrad.nn.Nonsense


def test_minigrad_nn_names_the_layers_of_models_nn_exactly():
    import models.nn
    expected = set(models.nn.__all__) - set(minigrad.nn.__all__)
    assert set(minigrad.nn.PROVIDED_BY_MODELS) == expected
    assert all(getattr(minigrad.nn, name) is getattr(models.nn, name) for name in expected)


# --- torch.serialization -----------------------------------------------------------------------------------------
@pytest.fixture
def clean_safe_globals():
    minigrad.serialization.clear_safe_globals()
    yield
    minigrad.serialization.clear_safe_globals()


def test_serialization_is_torchs_module_with_save_and_load():
    from minigrad.serialization import load, safe_globals  # noqa: F401  (importable by name, as torch's)
    assert minigrad.serialization.save is minigrad.save and minigrad.serialization.load is minigrad.load


def test_safe_globals_are_kept_as_torch_keeps_them(clean_safe_globals):
    torch = pytest.importorskip("torch")
    theirs = set(torch.serialization.get_safe_globals())  # torch registers a few of its own at import
    for lib in (minigrad, torch):
        lib.serialization.add_safe_globals([int, (float, "builtins.float")])
        with lib.serialization.safe_globals([str]) as entered:
            assert entered is None
            inside = set(lib.serialization.get_safe_globals())
        after = set(lib.serialization.get_safe_globals())
        assert inside - after == {str}
        lib.serialization.clear_safe_globals()
        assert lib.serialization.get_safe_globals() == []
    assert inside == {int, (float, "builtins.float"), str} | theirs
    torch.serialization.add_safe_globals(theirs)


def test_a_checkpoint_loads_the_same_inside_safe_globals(tmp_path, clean_safe_globals):
    path = tmp_path / "model.pt"
    minigrad.save({"weight": minigrad.ones(2)}, path)
    with minigrad.serialization.safe_globals([minigrad.nn.Linear]):
        loaded = minigrad.load(path, weights_only=True)
    assert loaded["weight"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("call", ["add_safe_globals", "safe_globals"])
@pytest.mark.parametrize("argument, got", [(3, "int"), ([[int]], "list")])
def test_safe_globals_refuse_what_torch_refuses(call, argument, got, clean_safe_globals):
    with pytest.raises(TypeError, match=f"{call}: expected a list of classes or functions, or of \\(class or "
                                        f"function, name\\) pairs, got .*{got}"):
        with getattr(minigrad.serialization, call)(argument):
            pass


# --- Generator ----------------------------------------------------------------------------------------------------
DRAWS = {  # each random function, drawing from a given generator
    "randn": lambda g: minigrad.randn(2, 3, generator=g),
    "rand": lambda g: minigrad.rand(4, generator=g),
    "randint": lambda g: minigrad.randint(0, 10, (5,), generator=g),
    "randperm": lambda g: minigrad.randperm(6, generator=g),
    "normal": lambda g: minigrad.normal(0.0, 2.0, (3,), generator=g),
    "normal (tensors)": lambda g: minigrad.normal(minigrad.zeros(3), minigrad.ones(3), generator=g),
    "multinomial": lambda g: minigrad.multinomial(minigrad.ones(2, 5), 3, generator=g),
    "bernoulli": lambda g: minigrad.bernoulli(minigrad.full((6,), 0.5), generator=g),
    "uniform_": lambda g: minigrad.empty(4).uniform_(-1, 1, generator=g),
    "normal_": lambda g: minigrad.empty(4).normal_(generator=g),
    "bernoulli_": lambda g: minigrad.empty(4).bernoulli_(0.3, generator=g),
    "init.uniform_": lambda g: minigrad.nn.init.uniform_(minigrad.empty(3), generator=g),
    "init.kaiming_uniform_": lambda g: minigrad.nn.init.kaiming_uniform_(minigrad.empty(3, 2), generator=g),
    "init.xavier_normal_": lambda g: minigrad.nn.init.xavier_normal_(minigrad.empty(3, 2), generator=g),
    "init.orthogonal_": lambda g: minigrad.nn.init.orthogonal_(minigrad.empty(3, 2), generator=g),
    "random_split": lambda g: [list(s.indices) for s in minigrad.utils.data.random_split(range(10), [.8, .2],
                                                                                           generator=g)],
    "RandomSampler": lambda g: list(minigrad.utils.data.RandomSampler(range(8), generator=g)),
    "SubsetRandomSampler": lambda g: list(minigrad.utils.data.SubsetRandomSampler([3, 5, 7, 9], generator=g)),
    "DataLoader": lambda g: [b.tolist() for b in minigrad.utils.data.DataLoader(range(6), 2, shuffle=True,
                                                                                  generator=g)],
}


def _values(result):
    return result.tolist() if isinstance(result, minigrad.Tensor) else result


@pytest.mark.parametrize("name", DRAWS)
def test_a_seeded_generator_reproduces_a_draw_whatever_the_default_generator_does(name):
    draw = DRAWS[name]
    minigrad.manual_seed(1)
    first = _values(draw(minigrad.Generator().manual_seed(7)))
    minigrad.manual_seed(2)
    minigrad.randn(5)  # the default generator moves on; the given one is untouched by that
    assert _values(draw(minigrad.Generator().manual_seed(7))) == first
    generator = minigrad.Generator().manual_seed(7)
    draws = [_values(draw(generator)) for _ in range(4)]
    assert any(d != draws[0] for d in draws[1:])  # the stream moves on from draw to draw


def test_a_draw_from_a_generator_leaves_the_default_generator_where_it_was():
    minigrad.manual_seed(3)
    expected = minigrad.randn(4).tolist()
    minigrad.manual_seed(3)
    minigrad.randn(10, generator=minigrad.Generator().manual_seed(9))
    assert minigrad.randn(4).tolist() == expected


def test_generator_api_as_torchs():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        g = lib.Generator(device="cpu")
        assert g.manual_seed(5) is g and g.initial_seed() == 5 and str(g.device) == "cpu"
        assert lib.manual_seed(4) is lib.default_generator and lib.initial_seed() == 4
        new = g.seed()
        assert isinstance(new, int) and g.initial_seed() == new
    for seed in (-1, 2 ** 63, 2 ** 64 - 1):  # negative seeds wrap around modulo 2**64, as torch reads them
        assert minigrad.Generator().manual_seed(seed).initial_seed() == torch.Generator().manual_seed(seed).initial_seed()


@pytest.mark.parametrize("seed, error", [(1.5, RuntimeError), (True, RuntimeError), ("3", RuntimeError),
                                         (2 ** 64, ValueError)])
def test_generator_refuses_what_torch_refuses(seed, error):
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(error):
            lib.Generator().manual_seed(seed)


def test_get_state_and_set_state_replay_the_stream():
    g = minigrad.Generator().manual_seed(11)
    minigrad.rand(3, generator=g)
    state = g.get_state()
    assert state.dtype == minigrad.uint8 and state.ndim == 1
    expected = minigrad.randn(5, generator=g).tolist()
    assert g.set_state(state) is g
    assert minigrad.randn(5, generator=g).tolist() == expected
    assert g.initial_seed() == 11
    minigrad.manual_seed(0)
    saved = minigrad.get_rng_state()
    expected = minigrad.rand(3).tolist()
    minigrad.set_rng_state(saved)
    assert minigrad.rand(3).tolist() == expected


def test_set_state_refuses_what_is_not_a_state():
    g = minigrad.Generator()
    with pytest.raises(TypeError, match="set_state: expected the 1-d uint8 tensor .* got a tensor of dtype float32"):
        g.set_state(minigrad.zeros(3))
    with pytest.raises(TypeError, match="set_state: expected .* got list"):
        g.set_state([1, 2])
    with pytest.raises(RuntimeError, match="set_state: expected a state that get_state returned, got 3 bytes"):
        g.set_state(minigrad.zeros(3, dtype=minigrad.uint8))


@pytest.mark.parametrize("call", [lambda: minigrad.randn(2, generator=3), lambda: minigrad.randperm(3, generator=3),
                                  lambda: minigrad.utils.data.random_split(range(4), [2, 2], generator=3)])
def test_a_generator_that_is_not_one_is_refused(call):
    with pytest.raises(TypeError, match="expected generator to be None or a numpy.random.Generator, got int"):
        call()


def test_random_split_with_a_generator_as_in_the_char_rnn_tutorial():
    split = minigrad.utils.data.random_split(list(range(10)), [.8, .2], generator=minigrad.Generator().manual_seed(1))
    assert [len(part) for part in split] == [8, 2]
    assert sorted(split[0].indices + split[1].indices) == list(range(10))


def test_bernoulli_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        p = lib.tensor([0.0, 1.0, 0.0, 1.0], dtype=lib.float64)
        assert lib.bernoulli(p).tolist() == [0.0, 1.0, 0.0, 1.0]
        assert lib.bernoulli(p).dtype == lib.float64
        assert lib.bernoulli(lib.ones(3), p=0.0).tolist() == [0.0, 0.0, 0.0]
        with pytest.raises(RuntimeError):
            lib.bernoulli(lib.tensor([1.5]))
    with pytest.raises(RuntimeError, match="bernoulli: expected probabilities in \\[0, 1\\]"):
        minigrad.bernoulli(minigrad.tensor([0.5, -0.1]))
    samples = minigrad.bernoulli(minigrad.full((20000,), 0.3), generator=minigrad.Generator().manual_seed(0))
    assert abs(samples.mean().item() - 0.3) < 0.01


# --- add(alpha, other): torch's deprecated overload ----------------------------------------------------------------
DEPRECATED_ALPHA_FIRST = {
    "add_": lambda lib, p, g: p.add_(-0.5, g),
    "sub_": lambda lib, p, g: p.sub_(2, g),
    "add": lambda lib, p, g: p.add(3, g),
    "sub": lambda lib, p, g: p.sub(0.25, g),
    "add (number other)": lambda lib, p, g: p.add(2, 3),
    "torch.add": lambda lib, p, g: lib.add(p, 2, g),
    "torch.sub": lambda lib, p, g: lib.sub(p, 2, g),
}


def deprecation_noted(lib, op: str):
    """A block in which ``op``'s deprecated overload is used: minigrad must warn as torch does, in torch's words
    (torch itself warns once per process, so whether it warns again here depends on the tests before)."""
    if lib is minigrad:
        return pytest.warns(UserWarning, match=f"This overload of {op} is deprecated:\n\t{op}\\(Number alpha, "
                                               "Tensor other\\)")
    return warnings.catch_warnings(action="ignore")


@pytest.mark.parametrize("name", DEPRECATED_ALPHA_FIRST)
def test_the_deprecated_alpha_first_overload_warns_and_computes_as_torch(name):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        p, g = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64), lib.tensor([0.5, -1.0, 4.0], dtype=lib.float64)
        with deprecation_noted(lib, name.split()[0].replace("torch.", "")):
            results.append(DEPRECATED_ALPHA_FIRST[name](lib, p, g).tolist())
    assert results[0] == results[1]


def test_the_deprecated_overload_carries_gradients_as_torch():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (minigrad, torch):
        x, y = (lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True) for _ in range(2))
        with deprecation_noted(lib, "add"):
            (x.add(-3, y) * x).sum().backward()
        grads.append((x.grad.tolist(), y.grad.tolist()))
    assert grads[0] == grads[1]


@pytest.mark.parametrize("call", [lambda lib: lib.zeros(3).add(lib.ones(3), 3),
                                  lambda lib: lib.zeros(3).add_(lib.ones(3), lib.ones(3))])
def test_alpha_is_keyword_only_unless_it_comes_first(call):
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
            call(lib)


# --- comparisons by name -------------------------------------------------------------------------------------------
COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge"]


@pytest.mark.parametrize("name", COMPARISONS)
@pytest.mark.parametrize("other", ["tensor", "row", "number"])
def test_comparison_methods_and_functions_as_torch(name, other):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        a = lib.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
        b = {"tensor": lib.tensor([[1.0, 3.0, 2.0], [3.0, 1.0, 1.0]]), "row": lib.tensor([2.0, 2.0, 2.0]),
             "number": 2}[other]
        method, function = getattr(a, name)(b), getattr(lib, name)(a, b)
        in_place = a.clone()
        assert getattr(in_place, name + "_")(b) is in_place
        results.append([(t.tolist(), str(t.dtype).replace("torch.", "")) for t in (method, function, in_place)])
    assert results[0] == results[1]


def test_in_place_comparison_refuses_a_leaf_that_requires_grad_and_a_result_of_another_shape():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            lib.ones(2, requires_grad=True).eq_(1)
        with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
            lib.ones(2).ge_(lib.ones(2, 2))


# --- foreign objects where a minigrad Tensor is expected -------------------------------------------------------------
def test_assigning_a_foreign_tensor_to_data_names_its_type_fully():
    torch = pytest.importorskip("torch")
    import numpy as np
    weight = minigrad.nn.Linear(2, 2).weight
    for value, name in ((torch.ones(2, 2), "torch.Tensor"), (np.ones((2, 2)), "numpy.ndarray"), ([1.0], "list")):
        with pytest.raises(TypeError, match=f"data: expected a Tensor to assign \\(a minigrad Tensor\\), got {name};"):
            weight.data = value
    weight.data = minigrad.tensor(torch.ones(2, 2).numpy())  # the conversion the message names
    assert weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize("op", ["stack", "cat"])
@pytest.mark.parametrize("bad", ["numpy", "torch", "int", "None"])
def test_stack_and_cat_name_the_bad_element_as_torch(op, bad):
    torch = pytest.importorskip("torch")
    import numpy as np
    for lib in (minigrad, torch):
        element = {"numpy": np.ones(1), "torch": torch.ones(1), "int": 3, "None": None}[bad]
        if lib is torch and bad == "torch":
            continue  # a torch tensor is torch's own
        with pytest.raises(TypeError, match="expected Tensor as element 1 in argument 0, but got "
                                            f"{ {'numpy': 'numpy.ndarray', 'torch': 'torch.Tensor'}.get(bad, bad) }"
                                            .replace("None", "NoneType")):
            getattr(lib, op)([lib.ones(1), element])


@pytest.mark.parametrize("op, empty_error", [("stack", RuntimeError), ("cat", ValueError)])
def test_stack_and_cat_refuse_a_tensor_and_an_empty_list_as_torch(op, empty_error):
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(TypeError, match=f"{op}\\(\\): argument 'tensors' \\(position 1\\) must be tuple of "
                                            "Tensors, not Tensor"):
            getattr(lib, op)(lib.ones(2, 2))
        with pytest.raises(empty_error, match="non-empty"):
            getattr(lib, op)([])


# --- torch's silent infinities and NaNs ------------------------------------------------------------------------------
INF, NAN = float("inf"), float("nan")
SINGULAR = {  # ops at the points where they give ±inf or nan, which torch computes without a word
    "log": (lambda lib, x: x.log(), [0.0, -1.0, 1e-310, 2.0]),
    "log1p": (lambda lib, x: x.log1p(), [-1.0, -2.0, 0.5]),
    "sqrt": (lambda lib, x: x.sqrt(), [0.0, -1.0, 1e-320, 4.0]),
    "exp": (lambda lib, x: x.exp(), [1000.0, -1000.0, 1.0]),
    "sin": (lambda lib, x: x.sin(), [INF, -INF, 1.0]),
    "cos": (lambda lib, x: x.cos(), [INF, 1.0]),
    "sinh": (lambda lib, x: x.sinh(), [1000.0, -1000.0, 0.5]),
    "cosh": (lambda lib, x: x.cosh(), [1000.0, 0.5]),
    "erf": (lambda lib, x: x.erf(), [INF, -INF, NAN, 30.0, 1e200, -6.0, 0.5]),
    "div by zero": (lambda lib, x: x / lib.tensor([0.0, 0.0, -0.0, 1e-310], dtype=lib.float64), [1.0, 0.0, 2.0, 1e300]),
    "number / x": (lambda lib, x: 1.0 / x, [0.0, -0.0, 2.0]),
    "x / 0": (lambda lib, x: x / 0, [1.0, 0.0, -1.0]),
    "pow": (lambda lib, x: x ** lib.tensor([-1.0, 0.5, 2.0, 1000.0], dtype=lib.float64), [0.0, -1.0, 0.0, 10.0]),
    "pow (number exponent)": (lambda lib, x: x ** -1.5, [0.0, -1.0, 4.0]),
    "pow (number base)": (lambda lib, x: 0.0 ** x, [-1.0, 0.0, 2.0]),
    "softmax of a masked row": (lambda lib, x: x.reshape(2, 2).softmax(1), [-INF, -INF, 0.0, -INF]),
    "log_softmax of a masked row": (lambda lib, x: x.reshape(2, 2).log_softmax(1), [-INF, -INF, 0.0, -INF]),
    "amax of nan": (lambda lib, x: x.amax(), [NAN, 1.0]),
    "to float32": (lambda lib, x: x.float() * 1, [1e300, 1.0]),
    "to float16": (lambda lib, x: x.half().double(), [1e300, 1.0]),
    "mask from log(tril)": (lambda lib, x: (lib.log(lib.tril(lib.ones(2, 2, dtype=lib.float64))) + x).softmax(1),
                            [[1.0, 2.0], [3.0, 4.0]]),
}


@pytest.mark.parametrize("name", SINGULAR)
def test_ops_at_their_singular_points_give_torchs_values_without_a_warning(name):
    torch = pytest.importorskip("torch")
    import numpy as np
    function, values = SINGULAR[name]
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any warning (NumPy's RuntimeWarning) fails the test
            out = function(lib, x)
            out.backward(lib.ones_like(out))
        results.append((out.detach().numpy(), x.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0, equal_nan=True)


def test_casting_nan_and_inf_to_integers_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = minigrad.tensor([NAN, INF, 1.0]).long()
    assert values.tolist()[2] == 1


@pytest.mark.parametrize("call", [lambda lib: lib.tensor([1, 2]) // 0,
                                  lambda lib: lib.tensor([1, 2]).div(lib.tensor([1, 0]), rounding_mode="trunc")])
def test_integer_division_by_zero_raises_as_torch(call):
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            call(lib)
