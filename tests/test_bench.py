"""The engine's measuring tools: interleaved timing, peak memory and the cost of one recorded op."""

import minigrad
from minigrad import bench


def test_interleaving_rotates_the_order_so_no_contestant_always_follows_the_same_one():
    calls = []
    runs = {name: (lambda name=name: calls.append(name)) for name in ("a", "b", "c")}
    medians = bench.time_interleaved(runs, repeats=5, warmup=1)
    assert set(medians) == {"a", "b", "c"} and all(t >= 0 for t in medians.values())
    rounds = [calls[i:i + 3] for i in range(0, len(calls), 3)]
    assert len(rounds) == 6 and all(sorted(r) == ["a", "b", "c"] for r in rounds)  # each runs once per repeat
    assert {r[0] for r in rounds} == {"a", "b", "c"}  # each one leads some round: the order rotates


def test_peak_memory_sees_an_allocation_made_during_the_run():
    mebibyte = 2 ** 20
    peak = bench.peak_memory(lambda: minigrad.zeros(256, 1024, dtype=minigrad.float32))  # 1 MiB, freed at once
    assert mebibyte <= peak < 2 * mebibyte


def test_op_overhead_is_measured():
    overhead = bench.op_overhead(count=50, repeats=2)
    assert overhead["per_op_us"] > overhead["bare_op_us"] > 0
