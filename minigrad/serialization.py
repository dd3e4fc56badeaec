"""torch.serialization: ``save`` and ``load`` (written in io.py), and the list of "safe globals".

torch's ``load(f, weights_only=True)`` unpickles through a restricted unpickler that builds only the classes and
calls only the functions on an allow-list, which programs extend with ``add_safe_globals`` or, for one block, with
``safe_globals``. minigrad's ``load`` never unpickles: a checkpoint holds arrays and a JSON description of the
structure around them, so no global is ever looked up and the list has nothing to allow. These functions keep the
list as torch keeps it (``get_safe_globals`` answers what torch's would) and change nothing about loading: they are
here so that a program written for torch ≥ 2.6 runs unchanged.
"""

from __future__ import annotations

from .io import load, save

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]

_marked: set = set()  # the allow-list, as torch's: a set of classes and functions, or (class or function, name)


def _entries(safe_globals, op: str) -> set:
    """The entries of a ``safe_globals`` argument, which torch takes into a set: an iterable of hashable values."""
    try:
        return set(safe_globals)
    except TypeError as error:
        raise TypeError(f"{op}: expected a list of classes or functions, or of (class or function, name) pairs, "
                        f"got {type(safe_globals).__name__} ({error})") from None


def add_safe_globals(safe_globals) -> None:
    """Add classes and functions (or ``(class or function, "module.name")`` pairs) to the list torch's
    ``weights_only`` load would allow. minigrad's load never unpickles, so this only keeps the list."""
    global _marked
    _marked = _marked | _entries(safe_globals, "add_safe_globals")


def get_safe_globals() -> list:
    """The entries added by ``add_safe_globals`` (and by any ``safe_globals`` block now open)."""
    return list(_marked)


def clear_safe_globals() -> None:
    """Empty the list."""
    global _marked
    _marked = set()


class safe_globals:
    """``with safe_globals([...]):`` adds the entries to the list for the block and removes them after, as torch's.
    minigrad's load never unpickles, so inside the block it loads exactly what it loads outside."""

    def __init__(self, safe_globals):
        self.safe_globals = _entries(safe_globals, "safe_globals")

    def __enter__(self) -> None:
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc) -> None:
        global _marked
        _marked = _marked - self.safe_globals
