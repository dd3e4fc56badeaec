"""The command line: every command exits 0 in a test-sized mode and prints what it promises, in 80 columns."""

import os
import subprocess
import sys

import pytest

from minigrad.cli import build_parser, main


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
        assert f"33 of 33 ops passed on {device}" in capsys.readouterr().out


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
def test_python_dash_m_with_no_color_and_a_pipe():
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
    result = subprocess.run([sys.executable, "-m", "minigrad", "demo", "--quick"], capture_output=True, text=True,
                            env=env)
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout  # no escape codes in a pipe
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
