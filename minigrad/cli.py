"""The ``minigrad`` command line (also ``python -m minigrad``): tutorials and selftest, plus the commands that
other packages register.

The commands that need sequence models (demo, trace, bench) live in the ``models`` package, which is built on
minigrad: minigrad must not import it. They join this command through the entry-point group
``minigrad.commands``, which setup.cfg declares and installing the distribution registers. Each entry point is a
function ``add(commands, name)`` that adds its parser to argparse's subparsers with ``run(console, args)`` as
its default; ``named_device`` and ``progress`` below are for those commands too.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
from importlib.metadata import entry_points

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import minigrad
from minigrad import selftest as checks
from minigrad.trace.render import console as make_console

TUTORIALS = pathlib.Path(__file__).resolve().parent.parent / "tutorials"
COMMAND_GROUP = "minigrad.commands"
NOT_INSTALLED = (f"no commands are registered in the entry-point group {COMMAND_GROUP!r}: the commands that need "
                 "sequence models (demo, trace, bench) come from the models package and are registered when the "
                 "distribution is installed. In the source checkout, run: pip install -e .")


# --- for every command ----------------------------------------------------------------------------------------
def named_device(console, name: str):
    """The named device, or None after printing why it cannot be had (unknown name, no CuPy, no GPU)."""
    try:
        return minigrad.device(name)
    except (RuntimeError, ValueError) as error:
        console.print(f"[red]{error}[/red]")
        return None


def progress(console) -> Progress:
    """A transient progress bar with a status field, for commands that take a while."""
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"),
                    TimeElapsedColumn(), console=console, transient=True)


# --- tutorials ------------------------------------------------------------------------------------------------
def _tutorials() -> list:
    """The tutorial scripts of the source checkout (none when minigrad was installed without it)."""
    return sorted(TUTORIALS.glob("[0-9][0-9]_*.py")) if TUTORIALS.is_dir() else []


def _summary(path: pathlib.Path) -> str:
    """The first prose line of a tutorial (its title cell)."""
    for line in path.read_text().splitlines():
        text = line.lstrip("# ").strip()
        if text and not text.startswith("%%") and not line.startswith(("import", "from")):
            return text
    return ""


def tutorials_command(console, args) -> int:
    """List the tutorials, or run one (``minigrad tutorials run 03``).

    The tutorials are scripts in the source checkout, beside the minigrad package; they are not part of the
    installed packages, so an install made without the checkout (``pip install .`` from elsewhere, a wheel) has
    none, and the command says so.
    """
    found = _tutorials()
    if not found:
        console.print(f"[red]the tutorials are scripts in minigrad's source checkout, and there are none in "
                      f"{TUTORIALS}: this minigrad was installed without its checkout. Clone the repository and "
                      f"install it from there with `pip install -e .`, or run a tutorial from the checkout with "
                      f"`python tutorials/NN_name.py`.[/red]")
        return 1
    if args.action == "list" or args.action is None:
        table = Table(title="Tutorials (minigrad tutorials run NN)", box=None)
        table.add_column("NN")
        table.add_column("file")
        table.add_column("what it shows")
        for path in found:
            table.add_row(path.name[:2], path.name, _summary(path))
        console.print(table)
        return 0
    matches = [path for path in found if args.name and (path.name.startswith(args.name) or path.stem == args.name)]
    if len(matches) != 1:
        console.print(f"[red]expected one tutorial matching {args.name!r}, found "
                      f"{[p.name for p in matches] or 'none'}; `minigrad tutorials` lists them[/red]")
        return 2
    env = {**os.environ, **({"MINIGRAD_FAST": "1"} if args.fast else {})}
    return subprocess.run([sys.executable, str(matches[0])], env=env).returncode


# --- selftest -------------------------------------------------------------------------------------------------
def selftest(console, args) -> int:
    """Check every op's derivatives against central differences on a device (reverse mode, forward mode and second
    derivatives), the way a GPU user checks an install."""
    device = named_device(console, args.device)
    if device is None:
        return 2
    previous = minigrad.get_default_device()
    minigrad.set_default_device(device)
    table = Table(title=f"derivatives on device {device} against central differences (float64)", box=None)
    table.add_column("op")
    for check in checks.CHECKS:
        table.add_column(check)
    failures = 0
    try:
        cases = checks.cases()
        with progress(console) as bar:
            task = bar.add_task("checking", total=len(cases), status="")
            for name, fn, shapes, positive in cases:
                row = []
                for check in checks.CHECKS:
                    try:
                        checks.check(fn, checks.inputs_for(shapes, positive), check)
                        row.append("[green]ok[/green]")
                    except Exception as error:  # report every failing op, not just the first
                        row.append(f"[red]FAILED[/red] {str(error)[:40]}")
                if any("FAILED" in cell for cell in row):
                    failures += 1
                table.add_row(name, *row)
                bar.update(task, advance=1, status=name)
    finally:
        minigrad.set_default_device(previous)
    console.print(table)
    console.print(f"{len(cases) - failures} of {len(cases)} ops passed all {len(checks.CHECKS)} checks on {device}.")
    return 1 if failures else 0


# --- entry point ----------------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors can end with a hint (why a command may be missing)."""

    hint = ""

    def error(self, message):
        super().error(message + self.hint)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="minigrad", description="minigrad: a small autograd library for learning sequence models.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    registered = entry_points(group=COMMAND_GROUP)
    for entry in registered:
        entry.load()(commands, entry.name)
    if not registered:
        parser.epilog = NOT_INSTALLED
        parser.hint = "\n" + NOT_INSTALLED

    tutorials_parser = commands.add_parser("tutorials", help="list the tutorials or run one",
                                           description=tutorials_command.__doc__)
    tutorials_parser.add_argument("action", nargs="?", choices=["list", "run"], help="list (default) or run")
    tutorials_parser.add_argument("name", nargs="?", help="the tutorial's number or file name, e.g. 03")
    tutorials_parser.add_argument("--fast", action="store_true", help="the short version (MINIGRAD_FAST=1)")
    tutorials_parser.set_defaults(run=tutorials_command)

    selftest_parser = commands.add_parser("selftest", help="gradcheck every op on a device",
                                          description=selftest.__doc__)
    selftest_parser.add_argument("--device", default="cpu", help="cpu (default), cuda or strict")
    selftest_parser.set_defaults(run=selftest)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.run(make_console(), args)


if __name__ == "__main__":
    sys.exit(main())
