"""Gradient traces in the terminal: see what backward does, step by step and through time.

graph(loss)                    the backward graph as a tree; an unrolled recurrence folds to "LSTM step × 50"
through_time()                 per-step ‖∂L/∂h_t‖, ‖∂L/∂c_t‖ and gate means of recurrent layers, per-position
                               ‖∂L/∂x_t‖ and attention weights of Transformer layers (a context manager)
compare(flows)                 several through_time recordings side by side (RNN vs LSTM vs attention)
parameters(model)              every parameter's gradient in one table, with the global norm before/after clipping
step_through(loss)             backward of a tiny graph narrated node by node: the chain rule with numbers
attention_map(weights, ...)    attention weights as a heat map with source and target tokens
detect_anomaly()               raise at the op whose backward produced NaN/Inf, naming where it was created

Each returns an object that rich can print (``minigrad.trace.show(result)`` or ``result.show()``) and that holds
its numbers as data. ``scope``, ``record``, ``record_positions`` and ``record_attention`` are how models announce
what they compute.

The drawing tools need rich; they are imported the first time one is used, so that models (which call ``scope``
and ``record`` at every step) and ``import minigrad`` need NumPy only.
"""

import importlib

from ..autograd.anomaly import detect_anomaly
from .recording import Scope, is_recording, listening, record, record_attention, record_positions, scope

# name -> the submodule that defines it (loaded on first use). No submodule is named like a function it defines:
# importing a submodule sets the package attribute of its name, which would hide the function.
_DRAWING = {
    "graph": "backward_graph", "GraphTrace": "backward_graph",
    "through_time": "gradient_flow", "ThroughTime": "gradient_flow", "compare": "gradient_flow",
    "parameters": "parameter_report", "ParameterReport": "parameter_report",
    "step_through": "narration", "StepThrough": "narration",
    "attention_map": "heat_map", "AttentionMap": "heat_map",
    "show": "render",
}


def __getattr__(name):
    if name in _DRAWING:
        value = getattr(importlib.import_module(f".{_DRAWING[name]}", __name__), name)
        globals()[name] = value  # found once, then an ordinary attribute
        return value
    raise AttributeError(f"module 'minigrad.trace' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_DRAWING))


__all__ = ["graph", "GraphTrace", "through_time", "ThroughTime", "compare", "parameters", "ParameterReport",
           "step_through", "StepThrough", "attention_map", "AttentionMap", "detect_anomaly", "scope", "record",
           "record_positions", "record_attention", "is_recording", "listening", "Scope", "show"]
