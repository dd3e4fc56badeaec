"""Devices: the strict stand-in behaves like CuPy where GPU code breaks; moving between devices; defaults."""

import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad
from minigrad import backend


@pytest.fixture
def on_strict():
    return minigrad.tensor([1.0, 2.0, 3.0], device="strict")


def test_strict_arrays_refuse_implicit_conversion_to_numpy(on_strict):
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(on_strict._array)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.array(on_strict._array, dtype=float)


def test_an_op_mixing_host_and_strict_arrays_raises(on_strict):
    host = np.ones(3, dtype=np.float32)
    with pytest.raises(TypeError, match="host NumPy array"):
        on_strict._array + host
    with pytest.raises(TypeError, match="host NumPy array"):
        host * on_strict._array
    with pytest.raises(TypeError, match="host NumPy array"):
        backend.strict.xp.maximum(on_strict._array, host)
    with pytest.raises(RuntimeError, match="expected an array on device strict, got one on cpu"):
        on_strict * host


def test_host_data_comes_out_only_through_explicit_transfers(on_strict):
    assert isinstance(on_strict.numpy(), np.ndarray)
    np.testing.assert_array_equal(on_strict.numpy(), [1.0, 2.0, 3.0])
    assert on_strict.sum().item() == 6.0
    assert on_strict.cpu().device == "cpu"
    assert on_strict.tolist() == [1.0, 2.0, 3.0]


def test_strict_results_stay_on_the_device(on_strict):
    total = on_strict._array.sum()
    assert isinstance(total, backend.StrictArray) and total.shape == ()
    assert isinstance(backend.strict.xp.exp(on_strict._array), backend.StrictArray)


def test_host_to_strict_copies(on_strict):
    host = np.array([1.0, 2.0])
    t = minigrad.tensor(host, device="strict")
    host[0] = 100.0
    assert t.numpy()[0] == 1.0


def test_to_moves_between_devices_and_gradients_flow_back():
    x = minigrad.tensor([1.0, 2.0], device="cpu", requires_grad=True)
    y = x.to("strict")
    assert y.device == "strict"
    (y * y).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_module_to_moves_parameters():
    layer = minigrad.nn.Linear(3, 2, device="cpu")
    layer.to("strict")
    assert all(p.device == "strict" for p in layer.parameters())
    out = layer(minigrad.ones(4, 3, device="strict"))
    assert out.device == "strict"


def test_cuda_without_cupy_or_gpu_gives_a_clear_error():
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy is installed here")
    except ImportError:
        pass
    with pytest.raises(RuntimeError, match="CuPy"):
        minigrad.ones(2, device="cuda")


def test_default_device_comes_from_the_environment():
    code = "import minigrad; print(minigrad.ones(1).device)"
    for name in ("cpu", "strict"):
        env = {**os.environ, "MINIGRAD_DEVICE": name}
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert result.stdout.strip() == name


def test_set_default_device():
    previous = minigrad.get_default_device()
    try:
        minigrad.set_default_device("strict")
        assert minigrad.zeros(2).device == "strict"
        minigrad.set_default_device("cpu")
        assert minigrad.zeros(2).device == "cpu"
    finally:
        minigrad.set_default_device(previous)


def test_device_objects_compare_with_names():
    assert minigrad.device("cpu") == "cpu"
    assert repr(minigrad.device("strict")) == "device(type='strict')"


def test_seed_gives_the_same_numbers_on_every_device():
    minigrad.manual_seed(3)
    a = minigrad.randn(4, device="cpu").numpy()
    minigrad.manual_seed(3)
    b = minigrad.randn(4, device="strict").numpy()
    np.testing.assert_array_equal(a, b)
    assert len(set(a.tolist())) == 4


def test_default_dtype():
    assert minigrad.get_default_dtype() == minigrad.float32
    assert minigrad.tensor([1.5]).dtype == minigrad.float32
    assert minigrad.tensor([1]).dtype == minigrad.int64
    assert minigrad.tensor(np.array([1.5])).dtype == minigrad.float64
    try:
        minigrad.set_default_dtype(minigrad.float64)
        assert minigrad.ones(1).dtype == minigrad.float64
        with pytest.raises(TypeError, match="floating dtype, got int64"):
            minigrad.set_default_dtype(minigrad.int64)
    finally:
        minigrad.set_default_dtype(minigrad.float32)
    assert minigrad.tensor([1.0], dtype=np.float64).dtype == minigrad.float64
