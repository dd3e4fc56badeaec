"""The command line: every command exits 0 and prints what it promises."""

import os
import subprocess
import sys

from minigrad.cli import main


def test_demo_runs_and_reports_agreement(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "dL/dw1" in out and "gradcheck against central differences: True" in out


def test_help_lists_the_commands(capsys):
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out


def test_python_dash_m_with_no_color_and_a_pipe():
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
    result = subprocess.run([sys.executable, "-m", "minigrad", "demo"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout  # no escape codes in a pipe
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
