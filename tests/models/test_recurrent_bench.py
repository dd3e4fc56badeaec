"""``minigrad bench``'s contestants compare like with like: the hand-written BPTT gives minigrad's gradients, on
the very values the minigrad layer holds, and memory grows linearly in T."""

import numpy as np
import pytest

import minigrad
from models import RECURRENCES, bench

FIRST_LAYER = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


@pytest.mark.parametrize("cell", RECURRENCES)
def test_the_reference_bptt_computes_the_same_gradients(cell):
    minigrad.manual_seed(0)
    layer = RECURRENCES[cell].layer(3, 4, device="cpu").double()
    x = minigrad.randn(6, 2, 3, dtype=minigrad.float64, device="cpu")  # the reference below runs on NumPy
    grad_output = minigrad.randn(6, 2, 4, dtype=minigrad.float64, device="cpu")
    output, _ = layer(x)
    output.backward(grad_output)
    params = {key: getattr(layer, key + "_l0").numpy() for key in FIRST_LAYER}
    reference = bench.reference_step(cell, params, x.numpy(), grad_output.numpy(), np)
    for key in params:
        np.testing.assert_allclose(reference[key], getattr(layer, key + "_l0").grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("device", ["cpu", "strict"])
@pytest.mark.parametrize("cell", RECURRENCES)
def test_the_contestants_share_their_values_and_the_reference_runs_on_the_device(cell, device):
    device = minigrad.device(device)
    layer, parameters, x, grad_output = bench.problem(cell, 5, 2, 3, 4, device=device, seed=1)
    assert all(type(array) is type(x) is device.xp.ndarray for array in parameters.values())
    for name, parameter in layer.named_parameters():
        assert parameter.dtype == minigrad.float32
        np.testing.assert_array_equal(parameter.numpy(), device.to_host(parameters[name]))
    output, _ = layer(minigrad.tensor(x, device=device))
    output.backward(minigrad.tensor(grad_output, device=device))
    reference = bench.reference_step(cell, {key: parameters[key + "_l0"] for key in FIRST_LAYER}, x, grad_output,
                                     device.xp)
    for key in FIRST_LAYER:
        np.testing.assert_allclose(device.to_host(reference[key]), getattr(layer, key + "_l0").grad.numpy(),
                                   rtol=1e-4, atol=1e-5)


def test_memory_grows_linearly_with_the_sequence():
    rows = bench.memory_growth(lengths=(10, 40), batch=8, inputs=8, hidden=16)
    (short, short_graph, _), (long, long_graph, _) = rows
    assert 3.0 < long_graph / short_graph < 5.0  # 4× the steps: about 4× the memory, not 16×
