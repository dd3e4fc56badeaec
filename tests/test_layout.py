"""The package's shape: imports point one way, the engine reads on its own, modules stay short, and
``import minigrad`` needs NumPy only."""

import ast
import pathlib
import subprocess
import sys

import pytest

import minigrad
from minigrad import engine

PACKAGE = pathlib.Path(minigrad.__file__).parent


def imported_modules(path: pathlib.Path) -> set:
    """The modules a file imports (relative imports resolved to minigrad.<name>)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-node.level])
                base = package + ("." + node.module if node.module else "")
                names.update({base} if node.module else {f"{base}.{alias.name}" for alias in node.names})
            else:
                names.add(node.module)
    return names


def test_the_engine_knows_nodes_and_arrays_only():
    # autograd's engine imports nothing of minigrad: tensors are the tensor side's business
    assert {name for name in imported_modules(PACKAGE / "engine.py") if name.startswith("minigrad")} == set()


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_longer_than_600_lines(path):
    assert len(path.read_text().splitlines()) <= 600


def test_import_minigrad_needs_numpy_only():
    code = "import sys, minigrad, models; print('rich' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_traces_load_on_first_use():
    from minigrad import trace
    assert callable(trace.graph) and callable(trace.step_through) and callable(trace.through_time)
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        trace.nonsense


def test_an_observer_sees_nodes_made_and_backward_run():
    class Watcher(engine.Observer):
        def __init__(self):
            self.created, self.ran = [], []

        def node_created(self, node):
            self.created.append(node.name())

        def node_backward(self, node, output_grads, input_grads):
            self.ran.append(node.name())

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with engine.observe(Watcher()) as watcher:
        y = (x * 3).sum()
        y.backward()
    assert watcher.created == ["MulBackward", "SumBackward"]
    assert watcher.ran == ["SumBackward", "MulBackward", "AccumulateGrad"]
    assert engine._observers == []

    handle = engine.observe(Watcher())
    (x * 2).sum().backward()
    assert handle.observer.ran[-1] == "AccumulateGrad"
    handle.remove()
    assert engine._observers == []
