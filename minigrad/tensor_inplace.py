"""In-place changes of a tensor, as torch makes them: version counters, views, and how an in-place op joins the
graph.

A mixin of ``Tensor`` (see tensor_base.py for why it is written apart). Every tensor has a version counter (a
one-element list) shared with its views, the tensors that look at the same memory (slices, reshapes, transposes,
``detach()``); every in-place write bumps it, and a node that saved a tensor for backward refuses it if the version
moved (engine.Function.saved_tensors). An in-place op on a tensor that is part of a graph is recorded: it is
computed out of place on a copy that stands for the old values, written in, and the tensor moves to the new node
(``_rebase``); through a view, the base moves to a SetItem node (torch's CopySlices) and the view's own grad_fn is
made again when it is next used (``_refresh_view``).
"""

from __future__ import annotations

from . import backend, dual, engine, ops
from .checks import broadcast_shapes
from .tensor_base import TensorBase
from .tensor_math import operand
from .tensor_shape import index_key, split_index


class InPlace(TensorBase):
    __slots__ = ()

    # --- versions and views -----------------------------------------------------------------------------
    def _bump_version(self) -> None:
        """Note one in-place change of this tensor's memory (seen by all its views)."""
        self._counter[0] += 1

    def _as_views(self, outputs):
        """Mark the outputs of a view op (a tensor, or a tuple of them) as views of self: they share its memory,
        its version counter and its base."""
        for output in (outputs if type(outputs) is tuple else (outputs,)):
            output._counter = self._counter
            output._base = self if self._base is None else self._base
            output._view_version = self._counter[0]
        return outputs

    def _refresh_view(self) -> None:
        """This view's memory changed in place since its grad_fn was made (through its base or another view), so
        that grad_fn may describe values that are gone: make it again, as the selection of the base's elements
        that this view is (torch's AsStridedBackward)."""
        base = self._base
        self._view_version = self._counter[0]
        if base.requires_grad or (dual.levels and dual.has_tangent((base,))):
            key = base.device.xp.unravel_index(backend.element_positions(base._array, self._array), base.shape)
            with engine.enable_grad():
                selection = self._apply(ops.GetItem, base, key=key)
            self.grad_fn, self.output_nr, self.requires_grad = selection.grad_fn, 0, selection.requires_grad
            dual.follow(selection, self)

    # --- in-place changes -------------------------------------------------------------------------------
    def _check_writable(self, op: str) -> None:
        if self.requires_grad and self.grad_fn is None and engine.is_grad_enabled():
            raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an in-place operation "
                               "(change it inside `with minigrad.no_grad():`, as optimizers do)")
        self._check_no_overlap(op)

    def _check_no_overlap(self, op: str) -> None:
        """Refuse a tensor whose elements share memory (an expand() view): writing one would change others."""
        if backend.has_internal_overlap(self._array):
            raise RuntimeError(f"{op}: unsupported operation: more than one element of the written-to tensor refers "
                               "to a single memory location (an expanded tensor). Please clone() the tensor before "
                               "performing the operation.")

    def _inplace(self, op: str, compute, *operands, cast: bool = False) -> "TensorBase":
        """Change this tensor's values in place to ``compute(source)``, where ``source`` holds the current values:
        the one door for every in-place op (add_, exp_, copy_, ...).

        When a graph is being recorded (something involved requires grad), the result is computed on a copy of
        the current values that stands for them in the graph (the op may save them for its backward, and they are
        about to be overwritten), then written in, and this tensor (or, for a view, its base) moves to the new
        node. ``cast``: the result may be of a higher dtype category than this tensor (copy_ casts; add_ of a float
        into an integer tensor is refused, as in torch).
        """
        self._check_writable(op)
        tracked = self._recorded(operands)
        if tracked:
            if self._base is not None and self._view_version != self._counter[0]:
                self._refresh_view()
            source = self._make(self._array.copy(), self.grad_fn, self.output_nr)
            source.requires_grad = self.requires_grad
            dual.follow(self, source)
        else:
            source = self
        result = compute(source)
        if not cast and backend.category(result.dtype) > backend.category(self.dtype):
            raise RuntimeError(f"{op}: result type {result.dtype} can't be cast to the desired output type "
                               f"{self.dtype}")
        if result.shape != self.shape and broadcast_shapes(result.shape, self.shape, op=op) != self.shape:
            raise RuntimeError(f"{op}: output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(broadcast_shapes(result.shape, self.shape))}")
        if not tracked:
            self._array[...] = result._array
            self._bump_version()
        elif self._base is None and result.grad_fn is not None:
            self._rebase((result if result.shape == self.shape else result.expand(self.shape)).to(self.dtype))
        else:  # a view, whose base must learn of the change; or a result that is a leaf or a constant
            self._write_recorded(Ellipsis, result, op)
        return self

    def _recorded(self, operands) -> bool:
        """Whether an in-place change of this tensor with ``operands`` must be recorded: something involved
        requires grad (with grad mode on), or carries a tangent (forward mode is on)."""
        involved = (self,) + tuple(o for o in operands if isinstance(o, TensorBase))
        return (engine.is_grad_enabled() and any(t.requires_grad for t in involved)) or (
            bool(dual.levels) and dual.has_tangent(involved))

    def _rebase(self, result: "TensorBase") -> None:
        """Take ``result``'s values (of this tensor's shape and dtype) into this tensor's memory and move this
        tensor to result's node: from now on, the graph sees it as that op's output."""
        self._array[...] = result._array
        self._bump_version()
        self.grad_fn, self.output_nr, self.requires_grad = result.grad_fn, result.output_nr, True
        dual.follow(result, self)
        # If the op saved its output for backward (exp_ does), that output is now this tensor: a later in-place
        # change of this tensor must be noticed by backward, as in torch.
        node = result.grad_fn
        if "_saved_versions" in node.__dict__:
            node._saved_versions = [(self._counter, self._counter[0], position, role) if counter is result._counter
                                    else (counter, version, position, role)
                                    for counter, version, position, role in node._saved_versions]

    def _write_recorded(self, key, value, op: str) -> None:
        """``self[key] = value`` as a node of the graph (ops.SetItem, torch's CopySlices): the tensor that holds
        the memory (self, or the base of a view) moves to the node, and its version is bumped."""
        if isinstance(value, TensorBase) and value.dtype != self.dtype:
            value = value.to(self.dtype)
        target = self
        if self._base is not None:  # write through the base: the key, in the base's own coordinates
            target = self._base
            positions = backend.element_positions(target._array, self._array)[key]
            key = target.device.xp.unravel_index(positions, target.shape)
        with engine.enable_grad():
            written = self._apply(ops.SetItem, target, value, key=key)
        target.grad_fn, target.output_nr, target.requires_grad = written.grad_fn, 0, written.requires_grad
        dual.follow(written, target)
        target._bump_version()

    def __setitem__(self, key, value) -> None:
        """``t[key] = value``: ints, slices, index tensors and masks as in torch. When t or value requires grad
        (with grad mode on), the write is a node of the graph: gradient flows to value from the written elements
        and to t's old values from the others."""
        first, key = split_index(key, self)
        if first is not None:  # ints mixed with index tensors: select the ints' slice first, as torch does
            self[first][key] = value
            return
        self._check_writable("item assignment")
        value = operand(value, self, "item assignment")
        key = index_key(key, self.device)
        if self._recorded((value,)):
            if self._base is not None and self._view_version != self._counter[0]:
                self._refresh_view()
            self._write_recorded(key, value, "item assignment")
            return
        if isinstance(value, TensorBase):
            if value.device != self.device:
                raise RuntimeError(f"item assignment: expected a value on device {self.device}, got one on "
                                   f"{value.device}")
            value = value._array
        try:
            self._array[key] = value
        except ValueError as error:  # NumPy's broadcast error, in torch's words
            raise RuntimeError(f"item assignment: shape mismatch: the value cannot be broadcast to the indexed "
                               f"part of a tensor of shape {list(self.shape)} ({error})") from None
        self._bump_version()

    def _reshape_in_place(self, reshaped: "TensorBase", op: str) -> "TensorBase":
        """Make this tensor the reshaped one (unsqueeze_, squeeze_): same memory, new shape, and, in a graph, the
        reshaping node."""
        self._check_writable(op)
        self._array = reshaped._array
        if reshaped.grad_fn is not None:
            self.grad_fn, self.output_nr = reshaped.grad_fn, reshaped.output_nr
        self._bump_version()
        return self

    def copy_(self, source) -> "TensorBase":
        """Copy values (broadcast, cast and moved as needed) into this tensor, in place; differentiable."""
        if not isinstance(source, TensorBase):
            source = self._from_data(source, dtype=self.dtype, device=self.device)
        return self._inplace("copy_", lambda _: source.to(self.device), source, cast=True)

    def fill_(self, value) -> "TensorBase":
        """Set every element to ``value`` (a number or a one-element tensor), in place."""
        self[...] = value
        return self

    def zero_(self) -> "TensorBase":
        return self.fill_(0)
