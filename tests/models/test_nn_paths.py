"""``models.nn`` as torch.nn's paths: ``nn.utils.rnn`` in a fresh interpreter, ``nn.modules.<file>.<Layer>`` where
torch files each layer, and the recurrent layers' cuDNN-facing attributes (``_flat_weights_names``,
``all_weights``, ``flatten_parameters``) with torch's values."""

import importlib
import inspect
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import minigrad
import models
import models.nn as nn

ROOT = pathlib.Path(models.__file__).resolve().parent.parent
LAYERS = {name: kind.layer for name, kind in models.RECURRENCES.items()}
FILES = ("activation", "batchnorm", "container", "distance", "dropout", "flatten", "linear", "loss", "module",
         "normalization", "rnn", "sparse", "transformer")  # models.nn.modules', named as torch.nn.modules'


def run_fresh(code: str) -> str:
    """Run ``code`` in a new interpreter on this checkout, where nothing was imported before it."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- nn.utils ----------------------------------------------------------------------------------------------
def test_nn_utils_has_rnn_and_clipping_in_a_fresh_interpreter():
    code = ("import models.nn as nn\n"
            "import models.packing as packing\n"
            "assert nn.utils.rnn.pack_padded_sequence is packing.pack_padded_sequence\n"
            "assert nn.utils.rnn.PackedSequence is packing.PackedSequence\n"
            "import minigrad.nn.utils as ours\n"
            "assert nn.utils.clip_grad_norm_ is ours.clip_grad_norm_\n"
            "assert nn.utils.clip_grad_value_ is ours.clip_grad_value_\n"
            "print('ok')")
    assert run_fresh(code).strip() == "ok"


def test_nn_utils_has_every_function_of_minigrad_nn_utils():
    source = importlib.import_module("minigrad.nn.utils")
    public = {name for name, value in vars(source).items()
              if inspect.isfunction(value) and value.__module__ == source.__name__ and not name.startswith("_")}
    assert public, "minigrad.nn.utils defines no public function"
    assert {name: getattr(nn.utils, name, None) for name in public} == {name: vars(source)[name] for name in public}


def test_nn_utils_rnn_has_torchs_names():
    theirs = pytest.importorskip("torch.nn.utils.rnn")
    names = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence"]
    assert all(hasattr(theirs, name) for name in names)
    assert all(getattr(nn.utils.rnn, name) is getattr(models, name) for name in names)


# --- nn.modules --------------------------------------------------------------------------------------------
def classes_torch_files_under_modules(torch):
    """{our class name: torch's file under torch.nn.modules} for each layer class models.nn gives."""
    where = {}
    for name in nn.__all__:
        theirs = getattr(torch.nn, name, None)
        if inspect.isclass(theirs) and theirs.__module__.startswith("torch.nn.modules."):
            where[name] = theirs.__module__.rsplit(".", 1)[1]
    return where


def test_each_layer_is_at_the_module_path_torch_gives_it():
    torch = pytest.importorskip("torch")
    where = classes_torch_files_under_modules(torch)
    assert {"LSTM", "Linear", "Module", "NLLLoss", "Embedding", "MultiheadAttention", "Transformer"} <= set(where)
    for name, file in where.items():
        part = importlib.import_module(f"models.nn.modules.{file}")  # `from torch.nn.modules.rnn import LSTM`
        assert getattr(part, name, None) is getattr(nn, name), f"nn.modules.{file}.{name}"
        assert getattr(nn.modules, file) is part and getattr(nn.modules, name) is getattr(nn, name)


def test_each_file_of_nn_modules_names_only_what_torchs_file_has():
    pytest.importorskip("torch")
    for file in FILES:
        ours = importlib.import_module(f"models.nn.modules.{file}")
        theirs = importlib.import_module(f"torch.nn.modules.{file}")
        assert set(ours.__all__) <= set(theirs.__all__), file


@pytest.mark.parametrize("file", [file for file in FILES if file not in ("rnn", "transformer")])  # minigrad.nn's
def test_nn_modules_keeps_up_with_minigrad_nn(file):
    # every public layer minigrad.nn's file defines is at models.nn.modules.<file> too, so a new one is not missed
    source = importlib.import_module(f"minigrad.nn.{file}")
    defined = {name for name, value in vars(source).items() if inspect.isclass(value)
               and value.__module__ == source.__name__ and issubclass(value, minigrad.nn.Module)
               and not name.startswith("_")}
    assert defined <= set(importlib.import_module(f"models.nn.modules.{file}").__all__)


def test_rnn_base_classes_answer_isinstance_as_torchs_do():
    torch = pytest.importorskip("torch")
    assert nn.RNNBase is nn.modules.rnn.RNNBase and nn.RNNCellBase is nn.modules.rnn.RNNCellBase
    for name in ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"):
        ours, theirs = getattr(nn, name)(3, 4), getattr(torch.nn, name)(3, 4)
        for base in ("RNNBase", "RNNCellBase"):
            assert isinstance(ours, getattr(nn, base)) == isinstance(theirs, getattr(torch.nn, base)), (name, base)


# --- the recurrent layers' cuDNN-facing attributes ---------------------------------------------------------
@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("bidirectional", [True, False])
def test_flat_weights_names_and_all_weights_are_torchs(kind, bias, bidirectional):
    torch = pytest.importorskip("torch")
    options = dict(num_layers=2, bias=bias, bidirectional=bidirectional)
    ours, theirs = LAYERS[kind](3, 4, **options), getattr(torch.nn, LAYERS[kind].__name__)(3, 4, **options)
    assert ours._flat_weights_names == theirs._flat_weights_names
    assert ours._all_weights == theirs._all_weights
    assert [[p.shape for p in group] for group in ours.all_weights] == \
        [[tuple(p.shape) for p in group] for group in theirs.all_weights]
    # the parameters themselves, so that code writing into all_weights[i][j] changes the layer
    named = dict(ours.named_parameters())
    assert all(p is named[name] for group, names in zip(ours.all_weights, ours._all_weights)
               for p, name in zip(group, names))


@pytest.mark.parametrize("kind", LAYERS)
def test_flatten_parameters_changes_nothing(kind):
    torch = pytest.importorskip("torch")
    minigrad.manual_seed(0)
    layer = LAYERS[kind](3, 4, num_layers=2, bidirectional=True)
    x = minigrad.randn(5, 2, 3)
    before_parameters = list(layer.parameters())
    before_values = [p.numpy().copy() for p in before_parameters]
    before_output = layer(x)[0].numpy().copy()
    result = layer.flatten_parameters()
    assert result is getattr(torch.nn, LAYERS[kind].__name__)(3, 4).flatten_parameters()  # None, as torch's
    assert all(a is b for a, b in zip(layer.parameters(), before_parameters))
    assert all(np.array_equal(p.numpy(), v) for p, v in zip(layer.parameters(), before_values))
    np.testing.assert_array_equal(layer(x)[0].numpy(), before_output)
