"""The command line: every command exits 0 in a test-sized mode and prints what it promises, in 80 columns.

demo, trace and bench come from the models package through the entry-point group that setup.cfg declares; the
fixture below makes this checkout's declaration the one found (an install's metadata may be older), as
``pip install -e .`` would.
"""

import configparser
import os
import pathlib
import re
import subprocess
import sys

import pytest

import minigrad
from minigrad import cli
from minigrad.cli import build_parser, main

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", autouse=True)
def checkout_metadata(tmp_path_factory):
    """A metadata folder on sys.path (and PYTHONPATH, for subprocesses) that declares this checkout's
    ``[options.entry_points]`` of setup.cfg under the distribution's own name, so it shadows an installed one."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "setup.cfg")
    folder = tmp_path_factory.mktemp("metadata")
    info = folder / f"minigrad-{minigrad.__version__}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: minigrad\nVersion: {minigrad.__version__}\n")
    (info / "entry_points.txt").write_text("".join(f"[{group}]{config['options.entry_points'][group]}\n\n"
                                                   for group in config["options.entry_points"]))
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))


@pytest.mark.slow
def test_demo_quick_tours_all_three_parts(capsys):
    assert main(["demo", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "gradcheck against central differences: True" in out
    assert "tanh RNN" in out and "LSTM" in out and "GRU" in out and "first/last step" in out
    assert "exact match" in out and "most attended source" in out


def test_trace_compares_cells(capsys):
    assert main(["trace", "--steps", "6", "--hidden", "4", "--cells", "rnn,lstm", "--forget-bias", "1.0"]) == 0
    out = capsys.readouterr().out
    assert "tanh RNN" in out and "LSTM" in out and "GRU" not in out and "forget gate" in out


def test_trace_refuses_unknown_cells(capsys):
    assert main(["trace", "--cells", "rnn,transformer"]) == 2
    assert "unknown cell 'transformer'" in capsys.readouterr().out


def test_selftest_passes_on_cpu_and_strict(capsys):
    for device in ("cpu", "strict"):
        assert main(["selftest", "--device", device]) == 0
        count = len(minigrad.selftest.cases())
        assert f"{count} of {count} ops passed all 3 checks on {device}" in capsys.readouterr().out


def test_selftest_names_an_unknown_device(capsys):
    assert main(["selftest", "--device", "tpu"]) == 2
    assert "unknown device 'tpu'" in capsys.readouterr().out


def test_tutorials_lists(capsys):
    assert main(["tutorials"]) == 0
    assert "utorial" in capsys.readouterr().out


def test_tutorials_run_needs_a_matching_name(capsys):
    assert main(["tutorials", "run", "99"]) == 2
    assert "expected one tutorial matching '99'" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["demo", "trace", "tutorials", "selftest", "bench"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: minigrad " + command in capsys.readouterr().out


def test_help_lists_the_commands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "trace", "tutorials", "selftest", "bench"):
        assert command in out


@pytest.mark.slow
def test_python_dash_m_with_no_color_and_a_pipe(checkout_metadata):
    path = os.pathsep.join([str(checkout_metadata), str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "PYTHONPATH": path}
    result = subprocess.run([sys.executable, "-m", "minigrad", "demo", "--quick"], capture_output=True, text=True,
                            env=env)
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout  # no escape codes in a pipe
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_bench_command_runs(capsys):
    assert main(["bench", "--quick", "--cells", "lstm,rnn"]) == 0
    out = capsys.readouterr().out
    assert "lstm" in out and "rnn" in out and "one recorded op" in out and "Peak host memory" in out


@pytest.mark.parametrize("argv", [["bench", "--sizes", "1,2,3"], ["trace", "--steps", "0"],
                                  ["trace", "--hidden", "-1"]])
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "expected" in capsys.readouterr().err


def test_without_registered_commands_the_command_says_how_to_get_them(monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMAND_GROUP", "minigrad.no_such_group")
    with pytest.raises(SystemExit) as exit_info:
        main(["demo"])
    assert exit_info.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "invalid choice: 'demo'" in err and "pip install -e ." in err
    assert main(["tutorials"]) == 0  # minigrad's own commands do not need models


def test_tutorials_outside_the_checkout_say_where_they_looked(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "TUTORIALS", tmp_path / "tutorials")
    for argv in (["tutorials"], ["tutorials", "run", "03"]):
        assert main(argv) == 1
        out = " ".join(capsys.readouterr().out.split())
        assert "source checkout" in out and "pip install -e ." in out
        assert "tutorials" in out and tmp_path.name in out.replace(" ", "")


def test_minigrad_never_imports_models():
    """The package graph points one way: models is built on minigrad, so no module of minigrad imports it."""
    importing = re.compile(r"^\s*(import\s+models\b|from\s+models\b)|import_module\(\s*[\"']models", re.M)
    offenders = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "minigrad").rglob("*.py"))
                 if importing.search(path.read_text())]
    assert offenders == []
    code = "import sys, minigrad, minigrad.cli, minigrad.bench; assert 'models' not in sys.modules, sorted(sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
