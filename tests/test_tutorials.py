"""Every tutorial runs in its short form (MINIGRAD_FAST=1) and checks its own claims (it asserts them)."""

import os
import pathlib
import subprocess
import sys

import pytest

TUTORIALS = sorted((pathlib.Path(__file__).resolve().parent.parent / "tutorials").glob("[0-9][0-9]_*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs_fast(path, tmp_path):
    # One BLAS thread: the products here are small, and on a busy machine a thread pool spinning for a second
    # core can make them a hundred times slower.
    env = {**os.environ, "MINIGRAD_FAST": "1", "PYTHONPATH": str(path.parent.parent), "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.strip(), "a tutorial prints what it demonstrates"


def test_there_is_one_tutorial_per_topic():
    assert [p.name[:2] for p in TUTORIALS] == [f"{n:02d}" for n in range(1, 13)]
