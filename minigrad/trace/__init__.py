"""Gradient traces in the terminal: see what backward does, step by step and through time.

graph(loss)                    the backward graph as a tree; an unrolled recurrence folds to "LSTM step × 50"
through_time()                 per-step ‖∂L/∂h_t‖, ‖∂L/∂c_t‖ and gate means of recurrent layers (a context manager)
compare(flows)                 several through_time recordings side by side (RNN vs LSTM vs GRU)
parameters(model)              every parameter's gradient in one table, with the global norm before/after clipping
step_through(loss)             backward of a tiny graph narrated node by node: the chain rule with numbers
attention_map(weights, ...)    attention weights as a heat map with source and target tokens
detect_anomaly()               raise at the op whose backward produced NaN/Inf, naming where it was created

Each returns an object that rich can print (``minigrad.trace.show(result)`` or ``result.show()``) and that holds
its numbers as data. ``scope`` and ``record`` are how models announce what they compute.
"""

from .anomaly import detect_anomaly
from .attention_map import AttentionMap, attention_map
from .graph import GraphTrace, graph
from .parameters import ParameterReport, parameters
from .recording import Scope, listening, record, scope
from .render import show
from .step_through import StepThrough, step_through
from .through_time import ThroughTime, compare, through_time

__all__ = ["graph", "GraphTrace", "through_time", "ThroughTime", "compare", "parameters", "ParameterReport",
           "step_through", "StepThrough", "attention_map", "AttentionMap", "detect_anomaly", "scope", "record", "listening",
           "Scope", "show"]
