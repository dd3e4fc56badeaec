"""A PyTorch program runs with only its imports swapped (``import minigrad as torch``, ``import models.nn as nn``,
``import minigrad.nn.functional as F``, ``from minigrad import optim``): the names such programs reach for, each
against torch where torch has the behaviour."""

import math
import os
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

import minigrad

ROOT = pathlib.Path(minigrad.__file__).resolve().parent.parent


def run_fresh(code: str) -> str:
    """What ``code`` prints in a new interpreter on this checkout, where nothing was imported before it (its error
    output goes to the test's, and a failure raises)."""
    return subprocess.check_output([sys.executable, "-c", code], text=True, cwd=ROOT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})


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
        seeds = [lib.Generator().manual_seed(seed).initial_seed() for lib in (minigrad, torch)]
        assert seeds[0] == seeds[1]


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


ALPHA_CASES = {  # name: (self, other, alpha) as functions of a library
    "scaled after promotion": (lambda lib: lib.tensor(0.0, dtype=lib.float64), lambda lib: lib.tensor([2 ** 25 + 1]),
                               0.5),
    "int tensor, float other": (lambda lib: lib.tensor([1, 2]), lambda lib: lib.tensor([1.0, 2.0]), 1.5),
    "int tensor, float number": (lambda lib: lib.tensor([1, 2]), lambda lib: 0.5, 2.0),
    "int tensor, int number": (lambda lib: lib.tensor([1, 2], dtype=lib.int32), lambda lib: 2 ** 40, 2),
    "bools": (lambda lib: lib.tensor([True, False]), lambda lib: lib.tensor([True, True]), 2),
    "bools, alpha 0": (lambda lib: lib.tensor([True, False]), lambda lib: lib.tensor([True, True]), 0),
    "0-d tensor alpha": (lambda lib: lib.tensor([1.0, 2.0]), lambda lib: lib.tensor([3.0, 4.0]),
                         lambda lib: lib.tensor(-2.0)),
    "bool alpha, float result": (lambda lib: lib.tensor([1.0, 2.0]), lambda lib: 1, True),
    "float alpha, int result": (lambda lib: lib.tensor([1, 2]), lambda lib: 1, 1.5),
    "a bool in sub": (lambda lib: lib.tensor([1.0, 2.0]), lambda lib: lib.tensor([True]), 2),
}


@pytest.mark.parametrize("name", ["add", "sub"])
@pytest.mark.parametrize("case", ALPHA_CASES)
def test_alpha_scales_in_the_result_dtype_and_is_refused_where_torch_refuses_it(name, case):
    # alpha·other once rounded in the default dtype before promotion (float32 16777216.0 for torch's float64
    # 16777216.5), turned bools into ints, and let a bool into sub
    torch = pytest.importorskip("torch")
    make_self, make_other, alpha = ALPHA_CASES[case]
    outcomes = []
    for lib in (minigrad, torch):
        try:
            result = getattr(make_self(lib), name)(make_other(lib), alpha=alpha(lib) if callable(alpha) else alpha)
            outcomes.append((str(result.dtype).removeprefix("torch."), result.tolist()))
        except RuntimeError:
            outcomes.append("RuntimeError")
    assert outcomes[0] == outcomes[1]


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


# --- more of torch's surface --------------------------------------------------------------------------------------
def gradchecks(function, *inputs):
    """minigrad's three checks of a composite: reverse mode, forward mode and second order, in float64."""
    from minigrad import selftest
    for which in selftest.CHECKS:
        assert selftest.check(function, list(inputs), which), which


def float64_leaf(*shape, positive=False):
    minigrad.manual_seed(sum(shape))
    x = minigrad.randn(*shape, dtype=minigrad.float64)
    return (x.abs() + 0.5 if positive else x).requires_grad_()


def values_and_grads(function, lib, *arrays):
    """function(lib, *leaves) on float64 leaves made from ``arrays``; its values and the leaves' gradients of a
    fixed random projection of it."""
    import numpy as np
    leaves = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    out = function(lib, *leaves)
    weights = lib.tensor(np.random.default_rng(0).standard_normal(tuple(out.shape)))
    (out * weights).sum().backward()
    return [out.detach().numpy()] + [x.grad.numpy() if x.grad is not None else None for x in leaves]


def same_as_torch(function, *arrays):
    import numpy as np
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(values_and_grads(function, minigrad, *arrays), values_and_grads(function, torch, *arrays)):
        if theirs is None:
            assert ours is None or not ours.any()
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


MASK = [[True, False, True], [False, False, True]]


@pytest.mark.parametrize("call", [
    lambda lib, x: x.masked_select(lib.tensor(MASK)),
    lambda lib, x: lib.masked_select(x, lib.tensor([True, False, True])),  # a mask that broadcasts
    lambda lib, x: x[0].masked_select(lib.tensor(MASK)),  # input that broadcasts to the mask
], ids=["masked_select", "broadcast mask", "broadcast input"])
def test_masked_select_as_torch(call):
    import numpy as np
    same_as_torch(call, np.arange(6.0).reshape(2, 3) + 1)
    gradchecks(lambda x: call(minigrad, x), float64_leaf(2, 3))


def test_masked_select_refuses_what_torch_refuses():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError, match="masked_select: expected BoolTensor for mask"):
            lib.ones(2).masked_select(lib.tensor([1, 0]))


INDEX = [[0, 2, 1], [2, 2, 0]]


@pytest.mark.parametrize("call", [
    lambda lib, x, src: x.scatter(1, lib.tensor([[0, 2], [1, 0]]), src[:, :2]),
    lambda lib, x, src: x.scatter(0, lib.tensor([[1, 0, 1]]), src[:1]),
    lambda lib, x, src: lib.scatter(x, 1, lib.tensor([[2], [0]]), 5.0),
    lambda lib, x, src: x.clone().scatter_(1, lib.tensor([[1], [2]]), src[:, 1:2]),
    lambda lib, x, src: x.scatter_add(1, lib.tensor(INDEX), src),  # repeated indices add up
    lambda lib, x, src: lib.scatter_add(x, 0, lib.tensor([[1, 1, 0]]), src[:1]),
    lambda lib, x, src: x.clone().scatter_add_(1, lib.tensor(INDEX), src * 2),
], ids=["scatter", "scatter (dim 0)", "scatter (value)", "scatter_", "scatter_add", "scatter_add (function)",
        "scatter_add_"])
def test_scatter_as_torch(call):
    import numpy as np
    same_as_torch(call, np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3) * 10 + 1)
    gradchecks(lambda x, src: call(minigrad, x, src), float64_leaf(2, 3), float64_leaf(3, 2).reshape(2, 3))


@pytest.mark.parametrize("op", ["scatter", "scatter_add"])
def test_scatter_takes_the_corner_of_a_larger_src_as_torch(op):
    torch = pytest.importorskip("torch")
    results = [getattr(lib.zeros(2, 3), op)(0, lib.tensor([[1, 0, 1]]), lib.arange(6.0).reshape(2, 3) + 1).tolist()
               for lib in (minigrad, torch)]
    assert results[0] == results[1]
    # (torch's backward refuses this case; minigrad's gives the corner its gradient and the rest of src zero)
    src = float64_leaf(2, 3)
    gradchecks(lambda s: getattr(minigrad.zeros(2, 3, dtype=minigrad.float64), op)(0, minigrad.tensor([[1, 0, 1]]), s),
               src)


@pytest.mark.parametrize("call, message", [
    (lambda lib: lib.zeros(2, 3).scatter(1, lib.tensor([[0], [3]]), 1.0), "index 3 is out of bounds for dimension 1"),
    (lambda lib: lib.zeros(2, 3).scatter(1, lib.tensor([[0], [-1]]), 1.0), "index -1 is out of bounds"),
    (lambda lib: lib.zeros(2, 3).scatter(1, lib.tensor([0, 1]), 1.0), "Index tensor must have the same number of "
                                                                          "dimensions as self tensor"),
    (lambda lib: lib.zeros(2, 3).scatter(1, lib.tensor([[0, 1]]), lib.ones(1, 1)), "Expected index \\[1, 2\\] to be no "
                                                                                    "larger than self \\[2, 3\\]"),
    (lambda lib: lib.zeros(2, 3).scatter(1, lib.tensor([[0]]), lib.ones(1, 1, dtype=lib.float64)),
     "Expected self.dtype to be equal to src.dtype"),
])
def test_scatter_refuses_what_torch_refuses(call, message):
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError, match=message):
            call(lib)


@pytest.mark.parametrize("dim, sizes", [(0, (2, 3)), (0, (2, -1)), (-1, [3, 1, 2]), (1, (1, 6))])
def test_unflatten_as_torch(dim, sizes):
    import numpy as np
    same_as_torch(lambda lib, x: x.reshape(6) if dim == 0 else x, np.arange(6.0))  # (the identity, for shape's sake)
    same_as_torch(lambda lib, x: (x.reshape(6) if dim == 0 else x.reshape(1, 6)).unflatten(dim, sizes),
                  np.arange(6.0))
    gradchecks(lambda x: x.reshape(1, 6).unflatten(-1, (2, 3)), float64_leaf(6))


@pytest.mark.parametrize("sizes, message", [((4, 2), "don't multiply up to the size of dim 0 \\(6\\)"),
                                            ((), "sizes must be non-empty")])
def test_unflatten_refuses_what_torch_refuses(sizes, message):
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError, match=message):
            lib.ones(6).unflatten(0, sizes)


@pytest.mark.parametrize("dims", [(0, 2), [0, -1], (0, 1), ()])
def test_squeeze_takes_a_tuple_of_dims_as_torch(dims):
    import numpy as np
    same_as_torch(lambda lib, x: x.reshape(1, 2, 1).squeeze(dims) * 2, np.arange(2.0))
    same_as_torch(lambda lib, x: lib.squeeze(x.reshape(1, 2, 1), dims), np.arange(2.0))
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError, match="appears multiple times"):
            lib.ones(1, 2, 1).squeeze((0, 0))


def test_detach_in_place_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        assert y.detach_() is y and not y.requires_grad and y.grad_fn is None and y.is_leaf
        assert not x.detach_().requires_grad
        with pytest.raises(RuntimeError, match="detach views in-place"):
            lib.ones(3)[:1].detach_()


def test_is_cuda_and_as_tensor_as_torch():
    import numpy as np
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        assert lib.ones(1).is_cuda is False
        x = lib.ones(2)
        assert lib.as_tensor(x) is x and lib.as_tensor(x, dtype=lib.float64).dtype == lib.float64
        assert lib.as_tensor([1, 2]).tolist() == [1, 2] and lib.as_tensor([1, 2]).dtype == lib.int64
        array = np.ones(2)
        shared = lib.as_tensor(array, device="cpu")
        array[0] = 5  # a NumPy array is shared by a cpu tensor, not copied, and keeps its dtype
        assert shared.tolist() == [5.0, 1.0] and shared.dtype == lib.float64


def test_inference_mode_as_a_context_manager_and_a_decorator():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        x = lib.ones(1, requires_grad=True)
        with lib.inference_mode():
            assert not (x * 2).requires_grad and not lib.is_grad_enabled()
            with lib.inference_mode(False):
                assert lib.is_grad_enabled()

        @lib.inference_mode()
        def called():
            return lib.is_grad_enabled()

        @lib.inference_mode
        def bare():
            return lib.is_grad_enabled()

        assert called() is False and bare() is False and lib.is_grad_enabled()


@pytest.mark.parametrize("a, b, kwargs", [([1.0, 2.0], [1.0, 2.0 + 1e-9], {}), ([1.0, 2.0], [1.0, 2.1], {}),
                                          ([1.0, 2.0], [1.0, 2.1], {"atol": 0.2}), ([1.0, 2.0], [1.1, 2.2],
                                                                                    {"rtol": 0.1}),
                                          ([float("nan"), 1.0], [float("nan"), 1.0], {}),
                                          ([float("nan"), 1.0], [float("nan"), 1.0], {"equal_nan": True}),
                                          ([float("inf"), 1.0], [float("inf"), 1.0], {}), ([1.0, 1.0], [1.0], {})])
def test_allclose_and_equal_as_torch(a, b, kwargs):
    torch = pytest.importorskip("torch")
    answers = [(lib.allclose(lib.tensor(a), lib.tensor(b), **kwargs), lib.tensor(a).allclose(lib.tensor(b), **kwargs),
                lib.equal(lib.tensor(a), lib.tensor(b)), lib.tensor(a).equal(lib.tensor(b)))
               for lib in (minigrad, torch)]
    assert answers[0] == answers[1] and all(type(answer) is bool for answer in answers[0])


def test_allclose_and_equal_with_other_dtypes_and_shapes_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        assert lib.equal(lib.ones(2), lib.ones(2, dtype=lib.float64)) is True
        assert lib.equal(lib.ones(2), lib.ones(3)) is False
        with pytest.raises(RuntimeError):
            lib.allclose(lib.ones(2), lib.ones(2, dtype=lib.float64))
        with pytest.raises(RuntimeError):
            lib.allclose(lib.ones(2), lib.ones(3))
        with pytest.raises(TypeError):
            lib.allclose(lib.ones(2), 1.0)


def test_format_of_a_0d_tensor_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        assert f"{lib.tensor(2.5):.3f}" == "2.500" and f"{lib.tensor(2.5)}" == "2.5"
        assert format(lib.tensor(3), "d") == "3"
        assert f"{lib.tensor(2.5, requires_grad=True) * 1:.2f}" == "2.50"
        assert f"{lib.tensor([2.5])}" == str(lib.tensor([2.5]))
        for shape in ((1,), (2,), (1, 1)):
            with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
                f"{lib.ones(shape):.3f}"


def test_pack_sequence_as_torch():
    import numpy as np
    torch = pytest.importorskip("torch")
    import models.nn as nn
    arrays = [np.arange(3.0).reshape(3, 1), np.arange(2.0).reshape(2, 1) + 10, np.arange(1.0).reshape(1, 1) + 20]
    for enforce_sorted, order in ((True, [0, 1, 2]), (False, [1, 2, 0])):
        packed = [rnn.pack_sequence([lib.tensor(arrays[i]) for i in order], enforce_sorted=enforce_sorted)
                  for lib, rnn in ((minigrad, nn.utils.rnn), (torch, torch.nn.utils.rnn))]
        for ours, theirs in zip(packed[0], packed[1]):
            assert (ours is None) == (theirs is None)
            if ours is not None:
                assert ours.tolist() == theirs.tolist()
    for lib, rnn in ((minigrad, nn.utils.rnn), (torch, torch.nn.utils.rnn)):
        with pytest.raises(RuntimeError, match="sorted in decreasing order"):
            rnn.pack_sequence([lib.ones(1, 1), lib.ones(2, 1)])


@pytest.mark.parametrize("freeze, padding_idx", [(True, None), (False, 1)])
def test_embedding_from_pretrained_as_torch(freeze, padding_idx):
    import numpy as np
    torch = pytest.importorskip("torch")
    import models.nn as nn
    table = np.arange(8.0).reshape(4, 2)
    results = []
    for lib, layers in ((minigrad, nn), (torch, torch.nn)):
        embeddings = lib.tensor(table, dtype=lib.float64)
        layer = layers.Embedding.from_pretrained(embeddings, freeze=freeze, padding_idx=padding_idx)
        out = layer(lib.tensor([[1, 3], [0, 1]]))
        if not freeze:
            (out * lib.tensor(np.arange(8.0).reshape(2, 2, 2))).sum().backward()
        results.append((out.tolist(), layer.weight.requires_grad, layer.padding_idx, str(layer.weight.dtype)[-7:],
                        None if layer.weight.grad is None else layer.weight.grad.tolist()))
        embeddings[0, 0] = 100.0  # the layer's weight shares the given tensor, as torch's does
        assert layer.weight[0, 0].item() == 100.0
    assert results[0] == results[1]
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(minigrad.ones(3))


# --- distributions.Categorical ---------------------------------------------------------------------------------------
PROBS = [[0.2, 0.8, 0.0], [1.0, 1.0, 2.0]]
LOGITS = [[1.0, 2.0, float("-inf")], [0.5, -1.0, 3.0]]


@pytest.mark.parametrize("parameter, values", [("probs", PROBS), ("logits", LOGITS)])
@pytest.mark.parametrize("quantity", ["probs", "logits", "log_prob", "log_prob (broadcast)", "entropy"])
def test_categorical_as_torch(parameter, values, quantity):
    import numpy as np
    torch = pytest.importorskip("torch")
    answers = {
        "probs": lambda d, lib: d.probs, "logits": lambda d, lib: d.logits,
        "log_prob": lambda d, lib: d.log_prob(lib.tensor([1, 0])),
        "log_prob (broadcast)": lambda d, lib: d.log_prob(lib.tensor([[1], [2], [0]])),
        "entropy": lambda d, lib: d.entropy(),
    }
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        d = lib.distributions.Categorical(**{parameter: x})
        out = answers[quantity](d, lib)
        finite = out.isfinite()
        out.masked_fill(~finite, 0.0).sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy(), tuple(d.batch_shape), tuple(d.event_shape)))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_categorical_gradients_check_and_samples_follow_the_probabilities():
    gradchecks(lambda x: minigrad.distributions.Categorical(logits=x).log_prob(minigrad.tensor([2, 0])),
               float64_leaf(2, 3))
    gradchecks(lambda x: minigrad.distributions.Categorical(probs=x).entropy(), float64_leaf(2, 3, positive=True))
    d = minigrad.distributions.Categorical(probs=minigrad.tensor([[0.1, 0.0, 0.9], [0.5, 0.5, 0.0]]))
    assert d.sample().shape == (2,) and d.sample().dtype == minigrad.int64
    samples = d.sample((4000,))
    assert samples.shape == (4000, 2)
    counts = [[(samples[:, b] == k).float().mean().item() for k in range(3)] for b in range(2)]
    assert abs(counts[0][2] - 0.9) < 0.03 and counts[0][1] == 0.0 and counts[1][2] == 0.0
    assert d.sample([2, 3]).shape == (2, 3, 2)


@pytest.mark.parametrize("kwargs, message", [({}, "Either `probs` or `logits` must be specified, but not both"),
                                             ({"probs": [-1.0, 2.0]}, "probs"), ({"probs": [0.0, 0.0]}, "probs"),
                                             ({"logits": [float("nan"), 0.0]}, "logits"),
                                             ({"logits": [float("inf"), 1.0]}, "logits"),
                                             ({"logits": [-float("inf"), -float("inf")]}, "logits"),
                                             ({"probs": 1.0}, "must be at least one-dimensional")])
def test_categorical_refuses_what_torch_refuses(kwargs, message):
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        with pytest.raises(ValueError, match=message):
            lib.distributions.Categorical(**{name: lib.tensor(value) for name, value in kwargs.items()})
        with pytest.raises(ValueError, match="support"):
            lib.distributions.Categorical(logits=lib.zeros(3)).log_prob(lib.tensor([3]))


def test_the_safe_globals_list_of_the_word_language_model_example_evaluates():
    # pytorch/examples' word_language_model names these before loading its checkpoint
    run_fresh("import minigrad as torch\n"
              "import models.nn as nn\n"
              "names = [torch.nn.functional.relu, torch.nn.modules.activation.MultiheadAttention,\n"
              "         torch.nn.modules.container.ModuleList, torch.nn.modules.dropout.Dropout,\n"
              "         torch.nn.modules.linear.Linear, torch.nn.modules.linear.NonDynamicallyQuantizableLinear,\n"
              "         torch.nn.modules.normalization.LayerNorm, torch.nn.modules.sparse.Embedding,\n"
              "         torch.nn.modules.transformer.TransformerEncoder,\n"
              "         torch.nn.modules.transformer.TransformerEncoderLayer, torch.nn.modules.rnn.GRU,\n"
              "         torch.nn.modules.rnn.LSTM, torch.nn.modules.rnn.RNN]\n"
              "with torch.serialization.safe_globals(names):\n"
              "    pass\n")


def test_the_type_names_programs_annotate_with_exist_as_in_torch():
    # `def f(x, dtype: torch.dtype = torch.float32) -> torch.Size` fails at import time without these names
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        assert isinstance(lib.float32, lib.dtype) and isinstance(lib.ones(2).dtype, lib.dtype)
        assert lib.Size([2, 3]) == (2, 3) and lib.ones(2, 3).shape == lib.Size([2, 3])
    for name in ("float16", "float32", "float64"):
        ours, theirs = minigrad.finfo(getattr(minigrad, name)), torch.finfo(getattr(torch, name))
        for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
            assert getattr(ours, field) == getattr(theirs, field) and type(getattr(ours, field)) is type(
                getattr(theirs, field)), (name, field)
    assert minigrad.finfo().eps == torch.finfo().eps
    for name in ("uint8", "int8", "int16", "short", "int32", "int64"):
        ours, theirs = minigrad.iinfo(getattr(minigrad, name)), torch.iinfo(getattr(torch, name))
        assert (ours.bits, ours.min, ours.max) == (theirs.bits, theirs.min, theirs.max)
    pairs = [("int8", "uint8"), ("int16", "int8"), ("int8", "float16"), ("short", "int32")]
    for a, b in pairs:  # the new integer widths promote as torch's
        results = [(lib.ones(2, dtype=getattr(lib, a)) + lib.ones(2, dtype=getattr(lib, b))).dtype for lib in
                   (minigrad, torch)]
        assert str(results[0]) == str(results[1]).removeprefix("torch."), (a, b)
    with pytest.raises(TypeError, match="floating dtype"):
        minigrad.finfo(minigrad.int32)
    with pytest.raises(TypeError, match="integer dtype"):
        minigrad.iinfo(minigrad.float32)


def test_the_casts_to_narrow_integers_are_torchs():
    torch = pytest.importorskip("torch")
    values = [[3.7, 0.2, 100.9], [1.5, 0.0, 127.0]]  # (in every range: out of it, a float's cast is undefined)
    for method in ("short", "char", "byte"):
        ours, theirs = getattr(minigrad.tensor(values), method)(), getattr(torch.tensor(values), method)()
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.") and ours.type() == theirs.type()
        assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("values", [[17.679508, 1 / 3], [1.0, 2.0], [0.5, 0.25], [1e-5, 1.0], [1e9, 1.0], [1.0, 2000.0],
                                    [float("nan"), 1.5, float("inf")], [-float("inf"), 2.0], [[1.123456, 2.0],
                                    [3.0, 4.0]], [-0.5, 100.25], 2.5, [0.1] * 25, list(range(30)), [], [0.0]],
                         ids=lambda v: str(v)[:24])
def test_tensors_print_as_torchs(values):
    # a ported program prints what torch prints: 4 decimals, whole numbers as "2.", torch's switch to e-notation
    torch = pytest.importorskip("torch")
    assert repr(minigrad.tensor(values, device="cpu")) == repr(torch.tensor(values))


def test_a_long_tensor_prints_its_ends_as_torch():
    torch = pytest.importorskip("torch")
    assert repr(minigrad.arange(2000.0, device="cpu")) == repr(torch.arange(2000.0))


@pytest.mark.parametrize("shape", [(3, 30), (2, 3, 17), (4, 11), (2, 2, 2, 40), (5, 25)])
@pytest.mark.parametrize("scale", [0.123, 1.0, 12345.6, 1e-5])
def test_tensors_of_several_dims_wrap_their_rows_as_torch(shape, scale):
    torch = pytest.importorskip("torch")
    values = (np.arange(math.prod(shape)).reshape(shape) % 7 + 1) * scale
    assert repr(minigrad.tensor(values, dtype=minigrad.float32, device="cpu")) == repr(
        torch.tensor(values, dtype=torch.float32))


def test_variable_and_a_cat_of_0d_tensors_as_torch():
    # older programs (torch's BiLSTM-CRF tutorial) wrap tensors in autograd.Variable, a no-op since torch 0.4
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        x = lib.ones(2)
        held, leaf = lib.autograd.Variable(x), lib.autograd.Variable(x, requires_grad=True)
        assert held is not x and not held.requires_grad and leaf.requires_grad and leaf.is_leaf
        x[0] = 5.0
        assert leaf.tolist() == [5.0, 1.0]  # the same memory
        with pytest.warns(UserWarning, match="volatile"):
            lib.autograd.Variable(x, volatile=True)
        with pytest.raises(TypeError):
            lib.autograd.Variable([1.0, 2.0])
        with pytest.raises(RuntimeError, match="zero-dimensional tensor"):
            lib.cat([lib.tensor(1.0), lib.tensor(2.0)])
