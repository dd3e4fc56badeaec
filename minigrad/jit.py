"""``torch.jit``, which minigrad does not have: ``script`` and ``trace`` refuse clearly instead of failing on a
missing attribute.

TorchScript compiles a model into a program that runs without Python. A minigrad model is only ever run as Python,
op by op, so there is nothing to compile: call the model itself, and keep its weights with
``minigrad.save(model.state_dict(), path)``.
"""

from __future__ import annotations

__all__ = ["script", "trace"]


def script(obj, *args, **kwargs):
    """Raises NotImplementedError: minigrad cannot compile TorchScript."""
    _refuse("script")


def trace(func, example_inputs=None, *args, **kwargs):
    """Raises NotImplementedError: minigrad cannot record TorchScript."""
    _refuse("trace")


def _refuse(name: str):
    raise NotImplementedError(
        f"minigrad.jit.{name}: minigrad cannot make TorchScript; its models run as plain Python. Call the model "
        f"(or function) directly instead of minigrad.jit.{name}(...), and save its weights with "
        "minigrad.save(model.state_dict(), path); to deploy with TorchScript, load them into the same model "
        "written with torch and script that")
