"""Shared test helpers: a seeded generator, host copies of tensors, and the ``slow`` marker.

``pytest -m "not slow"`` runs the unit suite alone (the tutorials and the command-line tours are slow).
"""

import numpy as np
import pytest

import minigrad


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs a tutorial or a whole command (deselect with -m 'not slow')")


@pytest.fixture
def seeded():
    """Seed minigrad's generator, so that each test sees the same random numbers whatever ran before it."""
    minigrad.manual_seed(0)


def host(t, dtype=None):
    """A host NumPy copy of a tensor's values (on cpu, .numpy() shares memory with the tensor)."""
    return np.array(t.numpy(), copy=True, dtype=dtype)
