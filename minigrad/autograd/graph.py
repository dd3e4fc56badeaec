"""torch.autograd.graph's name for what ``tensor.grad_fn`` is: a Node of the backward graph (minigrad's
``engine.Function``), for code that walks the graph from ``loss.grad_fn`` through ``node.parents``."""

from ..engine import Function as Node

__all__ = ["Node"]
