"""What programs ask before they compute: ``minigrad.cuda`` (is there a GPU, seed it, wait for it),
``minigrad.backends`` (cuDNN and MPS switches), ``minigrad.device`` wherever a device is taken, and the modules
minigrad has only to refuse clearly (``minigrad.onnx``, ``minigrad.jit``).

How CuPy behaves is told apart in fresh interpreters, where a stand-in for the ``cupy`` package (missing, broken,
without a GPU, or with one) is put in place before minigrad first asks for it.
"""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import minigrad
import models
import models.nn

ROOT = pathlib.Path(minigrad.__file__).resolve().parent.parent

# Stand-ins for the cupy package, installed in a fresh interpreter before `import minigrad`. Each records every
# attempt to import cupy in IMPORTS, so a test can tell when minigrad tried.
RECORD_IMPORTS = """
import sys, types
IMPORTS = []
class Finder:
    def __init__(self, fail):
        self.fail = fail
    def find_spec(self, name, path=None, target=None):
        if name == "cupy":
            IMPORTS.append(name)
            raise self.fail
sys.meta_path.insert(0, Finder(FAIL))
"""
MISSING = "FAIL = ModuleNotFoundError(\"No module named 'cupy'\")\n" + RECORD_IMPORTS
BROKEN = "FAIL = OSError('libcudart.so: cannot open shared object file')\n" + RECORD_IMPORTS
# A CuPy that imports; FAKE_GPUS GPUs (None: the driver call fails, as CuPy's does without a driver).
FAKE_CUPY = """
import importlib.util, sys, types
IMPORTS, SYNCHRONIZED = [], []
cupy = types.ModuleType("cupy")
cupy.ndarray = type("ndarray", (), {})
def device_count():
    if FAKE_GPUS is None:
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
    return FAKE_GPUS
class Device:
    def synchronize(self):
        SYNCHRONIZED.append(True)
cupy.cuda = types.SimpleNamespace(
    Device=Device,
    runtime=types.SimpleNamespace(getDeviceCount=device_count,
                                  getDeviceProperties=lambda index: {"name": b"Stand-in GPU %d" % index}))
class Finder:
    def find_spec(self, name, path=None, target=None):
        if name == "cupy":
            IMPORTS.append(name)
            return importlib.util.spec_from_loader(name, self)
    def create_module(self, spec):
        return cupy
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, Finder())
"""


def run_fresh(setup: str, code: str) -> dict:
    """Run ``setup`` then ``code`` in a new interpreter on this checkout; ``code`` sets ``result``, returned."""
    script = setup + code + "\nimport json\nprint(json.dumps(result))\n"
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.splitlines()[-1])


def error_of(call) -> str:
    """The type and message of the exception ``call`` raises, as text (for a result from a fresh interpreter)."""
    return "try:\n    " + call + "\n    error = None\nexcept Exception as e:\n    error = [type(e).__name__, str(e)]\n"


# --- minigrad.cuda -----------------------------------------------------------------------------------------
def test_import_minigrad_does_not_try_cupy_and_is_available_tries_it_once():
    code = ("import minigrad\n"
            "at_import = list(IMPORTS)\n"
            "first, second = minigrad.cuda.is_available(), minigrad.cuda.is_available()\n"
            "tries = len(IMPORTS)\n"
            + error_of("minigrad.device('cuda')") +
            "result = dict(at_import=at_import, first=first, second=second, tries=tries,\n"
            "              in_modules='cupy' in sys.modules, count=minigrad.cuda.device_count(), error=error)")
    result = run_fresh(MISSING, code)
    assert result["at_import"] == []
    assert result["first"] is False and result["second"] is False and result["count"] == 0
    assert result["tries"] == 1  # the answer is remembered
    assert not result["in_modules"]
    assert result["error"][0] == "RuntimeError" and "CuPy" in result["error"][1]


@pytest.mark.parametrize("setup, error", [(BROKEN, "OSError"), ("FAKE_GPUS = None\n" + FAKE_CUPY, "RuntimeError"),
                                          ("FAKE_GPUS = 0\n" + FAKE_CUPY, "RuntimeError")],
                         ids=["import-fails", "no-driver", "no-gpu"])
def test_is_available_answers_false_without_raising_when_cupy_cannot_reach_a_gpu(setup, error):
    code = ("import minigrad\n"
            "available = minigrad.cuda.is_available()\n"
            + error_of("minigrad.cuda.current_device()") +
            "result = dict(available=available, cudnn=minigrad.backends.cudnn.is_available(), error=error)")
    result = run_fresh(setup, code)
    assert result["available"] is False and result["cudnn"] is False
    assert result["error"][0] == error  # asking for the GPU itself still says why there is none


def test_with_a_gpu_cuda_answers_and_synchronizes_through_cupy():
    code = ("import minigrad\n"
            "at_import = list(IMPORTS)\n"
            "minigrad.cuda.synchronize()  # before any use of the GPU: nothing queued, nothing to wait for\n"
            "before = len(SYNCHRONIZED)\n"
            "available = minigrad.cuda.is_available()\n"
            "minigrad.cuda.synchronize('cuda:0')\n"
            "result = dict(at_import=at_import, before=before, available=available,\n"
            "              count=minigrad.cuda.device_count(), current=minigrad.cuda.current_device(),\n"
            "              name=minigrad.cuda.get_device_name(0), synchronized=len(SYNCHRONIZED),\n"
            "              device=str(minigrad.device('cuda')), cudnn=minigrad.backends.cudnn.is_available())")
    result = run_fresh("FAKE_GPUS = 2\n" + FAKE_CUPY, code)
    assert result == dict(at_import=[], before=0, available=True, count=1, current=0, name="Stand-in GPU 0",
                          synchronized=1, device="cuda", cudnn=True)


def test_cuda_answers_as_torch_does_where_torch_has_no_gpu():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available() or importlib.util.find_spec("cupy") is not None:
        pytest.skip("a machine with a GPU answers otherwise")
    assert minigrad.cuda.is_available() is torch.cuda.is_available() is False
    assert minigrad.cuda.device_count() == torch.cuda.device_count() == 0
    minigrad.cuda.synchronize()  # a no-op here; torch refuses, and minigrad lets timing code run on a CPU
    for ask in (minigrad.cuda.current_device, minigrad.cuda.get_device_name):
        with pytest.raises(RuntimeError, match="CuPy"):
            ask()
    with pytest.raises(RuntimeError, match="CuPy"):
        minigrad.device("cuda")


@pytest.mark.parametrize("device", ["cpu", 1, "cuda:1", True])
def test_cuda_functions_refuse_a_device_that_is_not_the_gpu(device):
    pytest.importorskip("torch")
    from torch.cuda._utils import _get_device_index  # how torch.cuda's functions read their device argument
    with pytest.raises(ValueError, match=r"synchronize: expected the GPU .* got"):
        minigrad.cuda.synchronize(device)
    with pytest.raises(ValueError, match=r"get_device_name: expected the GPU .* got"):
        minigrad.cuda.get_device_name(device)
    with pytest.raises(ValueError, match="Expected a cuda device"):
        _get_device_index("cpu", optional=True)  # torch's exception type for a device that is not a GPU


@pytest.mark.parametrize("seed_function", [minigrad.cuda.manual_seed, minigrad.cuda.manual_seed_all])
def test_seeding_cuda_seeds_the_one_generator_every_device_draws_from(seed_function):
    minigrad.manual_seed(7)
    expected = minigrad.randn(5).numpy().copy()
    minigrad.randn(3)  # move the generator on, so that only a reseed gives `expected` again
    assert seed_function(7) is None
    np.testing.assert_array_equal(minigrad.randn(5).numpy(), expected)
    with pytest.raises(TypeError, match="expects an int"):
        seed_function("seven")


def test_cuda_functions_are_torchs():
    torch = pytest.importorskip("torch")
    for name in ("is_available", "device_count", "current_device", "get_device_name", "synchronize",
                 "manual_seed", "manual_seed_all"):
        assert callable(getattr(torch.cuda, name)) and callable(getattr(minigrad.cuda, name)), name


# --- minigrad.backends ---------------------------------------------------------------------------------------
def test_cudnn_switches_have_torchs_names_and_defaults():
    torch = pytest.importorskip("torch")
    import minigrad.backends.cudnn as cudnn
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(cudnn, name) == getattr(torch.backends.cudnn, name), name
    assert cudnn.version() is torch.backends.cudnn.version() is None
    assert cudnn.is_available() == minigrad.cuda.is_available()


def test_setting_cudnn_switches_leaves_an_lstm_computing_the_same(monkeypatch):
    import minigrad.backends.cudnn as cudnn
    minigrad.manual_seed(0)
    lstm, x = models.LSTM(3, 4), minigrad.randn(6, 2, 3)
    expected = lstm(x)[0].numpy().copy()
    for name, value in (("deterministic", True), ("benchmark", True), ("enabled", False)):
        monkeypatch.setattr(cudnn, name, value)
    np.testing.assert_array_equal(lstm(x)[0].numpy(), expected)


def test_mps_is_never_available():
    torch = pytest.importorskip("torch")
    for name in ("is_available", "is_built"):
        assert callable(getattr(torch.backends.mps, name))
        assert getattr(minigrad.backends.mps, name)() is False


# --- devices as programs name them -------------------------------------------------------------------------
def chosen_device():
    """What programs write: the GPU if there is one, else the CPU."""
    return minigrad.device("cuda" if minigrad.cuda.is_available() else "cpu")


PLACES = {
    "tensor": lambda d: minigrad.tensor([1.0, 2.0], device=d),
    "zeros": lambda d: minigrad.zeros(2, 3, device=d),
    "ones": lambda d: minigrad.ones(2, device=d),
    "full": lambda d: minigrad.full((2,), 3.0, device=d),
    "empty": lambda d: minigrad.empty(2, device=d),
    "eye": lambda d: minigrad.eye(2, device=d),
    "arange": lambda d: minigrad.arange(3, device=d),
    "randn": lambda d: minigrad.randn(2, device=d),
    "rand": lambda d: minigrad.rand(2, device=d),
    "randint": lambda d: minigrad.randint(0, 3, (2,), device=d),
    "zeros_like": lambda d: minigrad.zeros_like(minigrad.ones(2), device=d),
    "Tensor.to": lambda d: minigrad.ones(2).to(d),
    "Tensor.to(device=)": lambda d: minigrad.ones(2).to(device=d),
    "Tensor.to(device, dtype)": lambda d: minigrad.ones(2).to(d, minigrad.float64),
    "Module.to": lambda d: next(minigrad.nn.Linear(2, 3).to(d).parameters()),
    "Module.to(device=)": lambda d: next(minigrad.nn.Embedding(4, 2).to(device=d).parameters()),
    "Linear(device=)": lambda d: minigrad.nn.Linear(2, 3, device=d).weight,
    "LSTM.to": lambda d: models.LSTM(2, 3).to(d).weight_ih_l0,
}


@pytest.mark.parametrize("place", PLACES)
def test_a_device_object_is_taken_wherever_a_device_is(place):
    device = minigrad.device("cpu")
    assert PLACES[place](device).device == device == "cpu"
    assert PLACES[place](chosen_device()).device == chosen_device()


def test_a_program_moves_its_model_and_data_to_the_chosen_device_and_trains():
    device = chosen_device()
    minigrad.manual_seed(0)
    model = models.nn.Sequential(models.nn.Linear(3, 8), models.nn.Tanh(), models.nn.Linear(8, 1)).to(device)
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.1)
    x = minigrad.randn(16, 3).to(device)
    y = x.sum(dim=1, keepdim=True)
    losses = []
    for _ in range(20):
        loss = models.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


# --- refusals: ONNX and TorchScript ------------------------------------------------------------------------
def test_onnx_export_refuses_and_says_what_to_do_instead():
    torch = pytest.importorskip("torch")
    assert set(minigrad.onnx.__all__) <= set(torch.onnx.__all__)
    with pytest.raises(NotImplementedError, match=r"cannot export ONNX.*minigrad\.save\(model\.state_dict\(\).*"
                                                  r"torch\.onnx\.export"):
        minigrad.onnx.export(minigrad.nn.Linear(2, 1), (minigrad.randn(1, 2),), "model.onnx")
    assert minigrad.onnx.is_in_onnx_export() is torch.onnx.is_in_onnx_export() is False


@pytest.mark.parametrize("name", ["script", "trace"])
def test_jit_refuses_and_says_what_to_do_instead(name):
    torch = pytest.importorskip("torch")
    assert callable(getattr(torch.jit, name))
    with pytest.raises(NotImplementedError, match=rf"jit\.{name}: minigrad cannot make TorchScript.*"
                                                  r"minigrad\.save\(model\.state_dict\(\)"):
        getattr(minigrad.jit, name)(minigrad.nn.Linear(2, 1), minigrad.randn(1, 2))
