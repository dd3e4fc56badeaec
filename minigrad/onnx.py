"""``torch.onnx``, which minigrad does not have: there is no exporter, only a clear refusal.

A minigrad model is Python code calling ops one by one; nothing records it as a graph that could be written as
ONNX. Programs that import this module to export at the end of training still run up to that point. To get an
ONNX file, save the weights (``minigrad.save(model.state_dict(), "model.npz")``: an .npz that NumPy reads by
parameter name), load them into the same model written with torch, and export that one with ``torch.onnx.export``.
"""

from __future__ import annotations

__all__ = ["export", "is_in_onnx_export"]


def export(model, args=(), f=None, **kwargs):
    """Raises NotImplementedError: minigrad cannot export ONNX (see the module's docstring for what to do)."""
    raise NotImplementedError(
        "minigrad.onnx.export: minigrad cannot export ONNX. Save the weights with "
        "minigrad.save(model.state_dict(), path) instead; for an ONNX file, load them into the same model written "
        "with torch (numpy.load(path) gives the arrays by parameter name) and call torch.onnx.export on it")


def is_in_onnx_export() -> bool:
    """Whether an ONNX export is running (models check it in forward): never, in minigrad."""
    return False
