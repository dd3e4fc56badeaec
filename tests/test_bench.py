"""The benchmark compares like with like: its hand-written BPTT gives minigrad's gradients; it runs end to end."""

import numpy as np
import pytest

import minigrad
from minigrad import bench
from minigrad.cli import main


@pytest.mark.parametrize("cell", bench.CELLS)
def test_the_reference_bptt_computes_the_same_gradients(cell):
    minigrad.manual_seed(0)
    layer = bench._layer(cell, 3, 4, "cpu").double()
    x = minigrad.randn(6, 2, 3, dtype=minigrad.float64, device="cpu")  # the reference below runs on NumPy
    grad_output = minigrad.randn(6, 2, 4, dtype=minigrad.float64, device="cpu")
    output, _ = layer(x)
    output.backward(grad_output)
    params = {key: getattr(layer, key + "_l0").numpy() for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    reference = bench.reference_step(cell, params, x.numpy(), grad_output.numpy(), np)
    for key in params:
        np.testing.assert_allclose(reference[key], getattr(layer, key + "_l0").grad.numpy(), rtol=1e-10, atol=1e-12)


def test_memory_grows_linearly_with_the_sequence():
    rows = bench.memory_growth(lengths=(10, 40), batch=8, inputs=8, hidden=16)
    (short, short_graph, _), (long, long_graph, _) = rows
    assert 3.0 < long_graph / short_graph < 5.0  # 4× the steps: about 4× the memory, not 16×


def test_interleaving_rotates_the_order_so_no_contestant_always_follows_the_same_one():
    calls = []
    runs = {name: (lambda name=name: calls.append(name)) for name in ("a", "b", "c")}
    medians = bench.time_interleaved(runs, repeats=5, warmup=1)
    assert set(medians) == {"a", "b", "c"} and all(t >= 0 for t in medians.values())
    rounds = [calls[i:i + 3] for i in range(0, len(calls), 3)]
    assert len(rounds) == 6 and all(sorted(r) == ["a", "b", "c"] for r in rounds)  # each runs once per repeat
    assert {r[0] for r in rounds} == {"a", "b", "c"}  # each one leads some round: the order rotates


def test_op_overhead_is_measured():
    overhead = bench.op_overhead(count=50, repeats=2)
    assert overhead["per_op_us"] > overhead["bare_op_us"] > 0


def test_bench_command_runs(capsys):
    assert main(["bench", "--quick", "--cells", "lstm,rnn"]) == 0
    out = capsys.readouterr().out
    assert "lstm" in out and "rnn" in out and "one recorded op" in out and "Peak host memory" in out


def test_bench_refuses_bad_sizes():
    with pytest.raises(SystemExit):
        main(["bench", "--sizes", "1,2,3"])
