"""The engine's measuring tools, used by ``minigrad bench``: interleaved timing, peak memory, and the fixed cost
of one recorded op.

Runs are interleaved (one of each, repeatedly) so that a slow moment of the machine hits all of them alike, and
the medians are compared. ``peak_memory`` measures the host allocation of one run; ``op_overhead`` the cost of
recording one op. The contestants that ``minigrad bench`` times (recurrent layers against a hand-written NumPy
BPTT and torch.nn) are sequence models, so they live in ``models.bench``.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

import minigrad

from . import backend


def _synchronize(device) -> None:
    if device == "cuda":
        device.xp.cuda.Device().synchronize()


def _settle_allocator() -> None:
    """Free one 30 MiB block, so that glibc's malloc raises its mmap threshold to 30 MiB (and its trim threshold
    to twice that): the arrays of a few MiB that every contestant allocates then come from the heap, instead of
    from fresh pages that fault on first touch. Without this, each contestant paid thousands of page faults or
    none depending on what had run before it (importing torch raised the thresholds too), and the ratios
    measured the allocator's history rather than the arithmetic."""
    block = backend.cpu.xp.empty(30 * 2 ** 20, dtype=backend.uint8)  # reserved, never touched
    del block


def time_interleaved(runs: dict, repeats: int, device="cpu", warmup: int = 1) -> dict:
    """Median seconds of each run, measured round-robin: each repeat runs every contestant once, and the order
    rotates from one repeat to the next, so that no contestant always runs right after the same other one (torch
    leaves its threads and caches behind: a contestant that always followed it measured up to 10% slower)."""
    device = minigrad.device(device)
    _settle_allocator()
    times = {name: [] for name in runs}
    names = list(runs)
    for repeat in range(warmup + repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            run = runs[name]
            _synchronize(device)
            start = time.perf_counter()
            run()
            _synchronize(device)
            if repeat >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def peak_memory(run) -> int:
    """Peak bytes allocated on the host (NumPy's allocations included) while ``run()`` executes."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def op_overhead(count: int = 2000, repeats: int = 5) -> dict:
    """Microseconds per recorded op: a chain of ``count`` multiplications of a one-element tensor, forward plus
    backward, against the same multiplications on a bare NumPy array (forward only, nothing recorded)."""
    x = minigrad.ones(1, requires_grad=True)
    array = backend.cpu.xp.ones(1, dtype=backend.float32)

    def graph_chain():
        y = x
        for _ in range(count):
            y = y * 1.0
        y.backward(minigrad.ones(1))

    def bare_chain():
        y = array
        for _ in range(count):
            y = y * 1.0

    medians = time_interleaved({"graph": graph_chain, "bare": bare_chain}, repeats)
    return {"per_op_us": 1e6 * medians["graph"] / count, "bare_op_us": 1e6 * medians["bare"] / count}
