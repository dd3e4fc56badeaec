"""Forward mode's bookkeeping: which tensors carry a tangent, at which level.

A *dual tensor* is a primal value together with a tangent, its derivative along some direction (forward-mode
automatic differentiation: minigrad.autograd.forward_ad). Tangents live in levels, one per open ``dual_level``
block, innermost last, so that forward mode can be nested (a jvp of a jvp). Each level is a weak dictionary from
a tensor to its tangent, so that the bookkeeping costs ordinary code nothing (``levels`` is empty) and keeps no
tensor alive.

While the jvp formula of one level runs, that level is ``hidden``: the formula works on primal values, and the
ops it calls must not push that same level's tangents through themselves again.
"""

import weakref

class Tangents:
    """One level: tensor → tangent, by identity (tensors compare elementwise), keeping no tensor alive."""

    def __init__(self):
        self._entries = {}  # id(tensor) -> (weak reference to the tensor, its tangent)

    def get(self, tensor):
        entry = self._entries.get(id(tensor))
        return entry[1] if entry is not None and entry[0]() is tensor else None

    def __setitem__(self, tensor, tangent) -> None:
        key, entries = id(tensor), self._entries
        entries[key] = (weakref.ref(tensor, lambda _: entries.pop(key, None)), tangent)


levels: list = []   # the open levels, innermost last
hidden: set = set()  # indices of levels whose tangents ops do not see just now


def open_level() -> int:
    levels.append(Tangents())
    return len(levels) - 1


def close_level(level: int) -> None:
    if level != len(levels) - 1:
        raise RuntimeError(f"dual_level: expected to close the innermost level {len(levels) - 1}, got {level}")
    levels.pop()


def has_tangent(tensors) -> bool:
    """Whether any of the tensors carries a tangent at an open level."""
    return any(level.get(t) is not None for level in levels for t in tensors)


def follow(source, target) -> None:
    """Give ``target`` the tangents ``source`` has (an in-place change makes target the result's values)."""
    for level in levels:
        tangent = level.get(source)
        if tangent is not None:
            level[target] = tangent
