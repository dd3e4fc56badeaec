"""A PyTorch program runs with only its imports swapped (``import minigrad as torch``, ``import models.nn as nn``,
``import minigrad.nn.functional as F``, ``from minigrad import optim``): the names such programs reach for, each
against torch where torch has the behaviour."""

import os
import pathlib
import subprocess
import sys

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
