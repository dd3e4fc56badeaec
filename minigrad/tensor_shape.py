"""Tensor's shape and indexing methods: reshaping, permuting, broadcasting, indexing, splitting.

A mixin of ``Tensor`` (see tensor_base.py for why it is written apart): each method checks the user's arguments,
with errors that say what was expected and what was got, and calls a primitive op of ``ops/``.
"""

from __future__ import annotations

import math
import numbers

from . import backend, ops
from .ops.index import walked
from .checks import broadcast_shapes, check_dim, check_dims, is_int, is_number, reshaped, type_name
from .checks import sizes as checked_sizes
from .tensor_base import TensorBase


class Shape(TensorBase):
    __slots__ = ()

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[check_dim(dim, self.ndim, "size")]

    def reshape(self, *shape):
        return self._reshaped(reshaped(shape, self.shape, "reshape"), new_tensor=True)

    def view(self, *shape):
        return self._reshaped(reshaped(shape, self.shape, "view"), new_tensor=True)

    def _reshaped(self, shape: tuple, new_tensor: bool = False):
        """Reshape to a checked shape; the result is a view when NumPy could reshape without copying. To the shape
        self has, it is self, unless ``new_tensor`` asks for a view of its own (as torch's view and reshape give:
        a later t_() or requires_grad_() of it must leave self alone)."""
        if shape == self.shape and not new_tensor:
            return self
        result = self._apply(ops.Reshape, self, shape=shape)
        return self._as_views(result) if self.device.xp.may_share_memory(result._array, self._array) else result

    def permute(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute: expected {self.ndim} dims for a tensor of shape {self.shape}, got {dims}")
        checked = tuple(check_dim(d, self.ndim, "permute") for d in dims)
        if sorted(checked) != list(range(self.ndim)):
            raise RuntimeError(f"permute: expected a permutation of 0..{self.ndim - 1}, got {dims}")
        return self._as_views(self._apply(ops.Permute, self, dims=checked))

    def transpose(self, dim0, dim1):
        dims = list(range(self.ndim))
        a, b = check_dim(dim0, self.ndim, "transpose"), check_dim(dim1, self.ndim, "transpose")
        dims[a], dims[b] = dims[b], dims[a]
        return self._as_views(self._apply(ops.Permute, self, dims=tuple(dims)))

    @property
    def T(self):
        return self._as_views(self._apply(ops.Permute, self, dims=tuple(reversed(range(self.ndim)))))

    def t(self):
        """The transpose of a matrix (a tensor of at most 2 dimensions, as torch requires)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.T if self.ndim == 2 else self

    def t_(self):
        """t in place: this tensor itself becomes its transpose (the same memory, read the other way)."""
        return self._reshape_in_place(self.t(), "t_")

    def transpose_(self, dim0, dim1):
        """transpose in place: this tensor itself gets dims dim0 and dim1 swapped (the same memory)."""
        return self._reshape_in_place(self.transpose(dim0, dim1), "transpose_")

    def swapaxes(self, axis0, axis1):
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def view_as(self, other):
        return self.view(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def unsqueeze(self, dim):
        d = check_dim(dim, self.ndim, "unsqueeze", extra=1)
        return self._reshaped(self.shape[:d] + (1,) + self.shape[d:])

    def unsqueeze_(self, dim):
        """unsqueeze in place: this tensor itself gets the new shape (a view of the same memory)."""
        return self._reshape_in_place(self.unsqueeze(dim), "unsqueeze_")

    def squeeze_(self, dim=None):
        """squeeze in place: this tensor itself loses its size-1 dimensions."""
        return self._reshape_in_place(self.squeeze(dim), "squeeze_")

    def squeeze(self, dim=None):
        """Drop dimensions of size 1 (only those of ``dim``, an int or a tuple of them, when given; a dim of another
        size is left alone, as in torch)."""
        # (a 0-d tensor takes dim 0 or -1, as in torch)
        dims = range(self.ndim) if dim is None else check_dims(dim, max(self.ndim, 1), "squeeze")
        return self.reshape(tuple(n for axis, n in enumerate(self.shape) if n != 1 or axis not in dims))

    def unflatten(self, dim, sizes):
        """Split dimension ``dim`` into several of ``sizes`` (whose product is its size; one may be -1), as
        torch.unflatten: the reverse of flatten."""
        d = check_dim(dim, self.ndim, "unflatten")
        sizes, size = tuple(sizes), self.shape[d]
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        known = math.prod(n for n in sizes if n != -1)
        if (known == 0 or size % known) if -1 in sizes else known != size:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                               f"({size}) in the input tensor")
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1:])

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:  # a 0-d tensor flattens to one element; its dims are 0 and -1, as in torch
            check_dim(start_dim, 1, "flatten")
            check_dim(end_dim, 1, "flatten")
            return self.reshape(1)
        start = check_dim(start_dim, self.ndim, "flatten")
        end = check_dim(end_dim, self.ndim, "flatten")
        if start > end:
            raise RuntimeError(f"flatten: expected start_dim <= end_dim, got {start_dim} and {end_dim}")
        return self.reshape(self.shape[:start] + (math.prod(self.shape[start:end + 1]),) + self.shape[end + 1:])

    def expand(self, *sizes):
        """Broadcast to a larger shape without copying (-1 keeps a size); the backward sums the copies."""
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        new_axes = len(sizes) - self.ndim
        if new_axes < 0:
            raise RuntimeError(f"expand: expected at least {self.ndim} sizes for shape {self.shape}, got {sizes}")
        sizes = checked_sizes(tuple(self.shape[i - new_axes] if n == -1 and i >= new_axes else n
                                    for i, n in enumerate(sizes)), "expand")
        try:
            fits = broadcast_shapes(self.shape, sizes, op="expand") == sizes
        except RuntimeError:
            fits = False
        if not fits:
            raise RuntimeError(f"expand: cannot expand shape {self.shape} to {sizes}")
        return self._as_views(self._apply(ops.BroadcastTo, self, shape=sizes))

    def expand_as(self, other):
        return self.expand(other.shape)

    def broadcast_to(self, size):
        """expand under NumPy's name (torch.broadcast_to): a view of the given shape, -1 keeping a size."""
        return self.expand(size)

    def repeat(self, *sizes):
        """Tile: ``repeats`` copies along each dimension (new leading dimensions when more sizes than dims), as
        torch.Tensor.repeat (NumPy's tile). Built from reshape and expand, so the backward sums the copies."""
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        sizes = checked_sizes(sizes, "repeat")
        if len(sizes) < self.ndim:
            raise RuntimeError(f"repeat: number of dimensions of repeat dims ({len(sizes)}) can not be smaller "
                               f"than number of dimensions of tensor ({self.ndim})")
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        # interleave a new axis before every axis: (1, n0, 1, n1, ...) expanded to (r0, n0, r1, n1, ...)
        spread = self.reshape(tuple(n for size in shape for n in (1, size)))
        tiled = spread.expand(tuple(n for repeat, size in zip(sizes, shape) for n in (repeat, size)))
        tiled = tiled.reshape(tuple(repeat * size for repeat, size in zip(sizes, shape)))
        # torch's repeat returns memory of its own; the reshape copied only where the expanded layout forced it
        return tiled.clone() if self.device.xp.may_share_memory(tiled._array, self._array) else tiled

    def tile(self, *dims):
        """Copies along each dim, as torch.tile: repeat, except that fewer dims than self has are padded with
        leading 1s (the last dims are tiled)."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return self.repeat((1,) * (self.ndim - len(dims)) + tuple(dims))

    def repeat_interleave(self, repeats, dim=None):
        """Each element (or slice along ``dim``) repeated ``repeats`` times in place: [a, b] → [a, a, b, b]."""
        source = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else check_dim(dim, self.ndim, "repeat_interleave")
        xp = self.device.xp
        count = source.shape[d]
        if isinstance(repeats, TensorBase):
            repeats = repeats._array
        index = xp.repeat(xp.arange(count), repeats)
        return source.index_select(d, self._make(index))

    def narrow(self, dim, start, length):
        """The slice [start, start + length) along ``dim`` (a view)."""
        d = check_dim(dim, self.ndim, "narrow")
        size = self.shape[d]
        start = start + size if is_int(start) and start < 0 else start
        if not (is_int(start) and is_int(length) and 0 <= start and length >= 0 and start + length <= size):
            raise IndexError(f"narrow: expected 0 <= start and start + length <= {size} (the size of dim {dim}), "
                             f"got start={start}, length={length}")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def select(self, dim, index):
        """The slice at ``index`` along ``dim``, without that dim (a view): ``x.select(1, i)`` is ``x[:, i]``."""
        if self.ndim == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        d = check_dim(dim, self.ndim, "select")
        size = self.shape[d]
        if not is_int(index):
            raise TypeError(f"select(): argument 'index' (position 2) must be int, not {type_name(index)}")
        if not -size <= index < size:
            raise IndexError(f"select(): index {index} out of range for tensor of size {list(self.shape)} at "
                             f"dimension {dim}")
        return self[(slice(None),) * d + (int(index),)]

    def diagonal(self, offset=0, dim1=0, dim2=1):
        """The elements [i, i + offset] of dims (dim1, dim2) (below the main diagonal for a negative offset), as a
        last dimension in place of those two: a view, as torch's (writing into it writes into self)."""
        return self._strided(*_diagonal_walk(self.shape, offset, dim1, dim2, "diagonal"))

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        """The last dim of self laid along the diagonal ``offset`` of dims (dim1, dim2) of a tensor of zeros with
        one dim more (torch.diag_embed): the tensor whose diagonal(offset, dim1, dim2) is self. Its gradient is
        that diagonal of the output's gradient."""
        ndim = self.ndim + 1
        d1, d2 = _diagonal_dims(ndim, offset, dim1, dim2, "diag_embed")
        size = self.shape[-1] + abs(offset)
        rest = iter(self.shape[:-1])
        shape = tuple(size if axis in (d1, d2) else next(rest) for axis in range(ndim))
        walk = _diagonal_walk(shape, offset, d1, d2, "diag_embed")
        return self._apply(ops.IndexAdd, self, shape=shape, key=walked(self.device.xp, *walk))

    def diag(self, diagonal=0):
        """A vector made the diagonal ``diagonal`` of a square matrix of zeros, or a matrix's diagonal as a vector
        (a copy, as torch.diag)."""
        if self.ndim == 1:
            return self.diag_embed(diagonal)
        if self.ndim == 2:
            return self.diagonal(diagonal).clone()
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")

    def unfold(self, dimension, size, step):
        """Every window of ``size`` consecutive elements along ``dimension``, one each ``step``: that dimension
        counts the windows and a new last one runs within a window (a view; windows may overlap)."""
        if not (is_int(size) and is_int(step)):
            raise TypeError(f"unfold(): expected int size and step, got {type_name(size)} and {type_name(step)}")
        d = check_dim(dimension, max(self.ndim, 1), "unfold")  # a 0-d tensor unfolds as one element, as in torch
        length = self.shape[d] if self.ndim else 1
        if size > length:
            raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
        if size < 0:
            raise RuntimeError(f"size is {size} but must be >= 0")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        if self.ndim == 0:
            return self.reshape(1)[:size]
        moves = [_unit(axis, self.ndim, step if axis == d else 1) for axis in range(self.ndim)]
        moves.append(_unit(d, self.ndim))
        shape = self.shape[:d] + ((length - size) // step + 1,) + self.shape[d + 1:] + (size,)
        return self._strided(shape, [0] * self.ndim, moves)

    def _strided(self, shape: tuple, start: list, moves: list):
        """The view ``out[i_0, ...] = self[start + i_0·moves[0] + ...]`` (see ops.StridedView)."""
        return self._as_views(self._apply(ops.StridedView, self, shape=shape, start=tuple(start),
                                          moves=tuple(moves)))

    def movedim(self, source, destination):
        """Move the dims ``source`` (an int or a sequence) to the positions ``destination``; the other dims keep
        their order (a view)."""
        sources = _int_sequence(source, "movedim", "source")
        destinations = _int_sequence(destination, "movedim", "destination")
        if len(sources) != len(destinations):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(sources)} dims) should "
                               f"contain the same number of dims as destination ({list(destinations)} dims)")
        checked = {}
        for name, given in (("source", sources), ("destination", destinations)):
            checked[name] = [check_dim(d, max(self.ndim, 1), "movedim") for d in given]  # a 0-d tensor has dim 0
            if len(set(checked[name])) != len(given):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
        if self.ndim == 0:
            return self[...]
        order = [None] * self.ndim
        for s, d in zip(checked["source"], checked["destination"]):
            order[d] = s
        rest = iter(axis for axis in range(self.ndim) if axis not in checked["source"])
        return self.permute([next(rest) if axis is None else axis for axis in order])

    moveaxis = movedim

    def roll(self, shifts, dims=None):
        """The elements shifted by ``shifts`` places along ``dims``, those pushed off one end coming back at the
        other (a copy). Without dims, the tensor is rolled as if flattened; shifts and dims may be tuples."""
        shifts = _int_sequence(shifts, "roll", "shifts")
        dims = () if dims is None else _int_sequence(dims, "roll", "dims")
        if not shifts:
            raise RuntimeError("`shifts` required")
        if not dims:
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
            return self.flatten().roll(shifts, 0).reshape(self.shape)
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        if self.ndim == 0:
            raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
        rolled = self
        for shift, dim in zip(shifts, dims):
            d = check_dim(dim, self.ndim, "roll")
            length = self.shape[d]
            cut = shift % length if length else 0
            if cut:  # the last `cut` elements come first
                rolled = self._apply(ops.Cat, rolled.narrow(d, length - cut, cut), rolled.narrow(d, 0, length - cut),
                                     dim=d)
        return rolled.clone() if rolled is self else rolled

    def index_select(self, dim, index):
        """The slices at ``index`` (a 1-d integer tensor) along ``dim``, in that order (a copy)."""
        d = check_dim(dim, self.ndim, "index_select")
        if not isinstance(index, TensorBase) or index.dtype.kind not in "iu" or index.ndim > 1:
            raise TypeError(f"index_select: expected index to be a 1-d integer Tensor, got "
                            f"{index.shape if isinstance(index, TensorBase) else type(index).__name__}")
        return self[(slice(None),) * d + (index.reshape(-1),)]

    def tril(self, diagonal=0):
        """The lower triangle of the last two dims (elements j <= i + diagonal kept, the others 0)."""
        return self._triangle(diagonal, lower=True)

    def triu(self, diagonal=0):
        """The upper triangle of the last two dims (elements j >= i + diagonal kept, the others 0)."""
        return self._triangle(diagonal, lower=False)

    def _triangle(self, diagonal: int, lower: bool):
        if self.ndim < 2:
            raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 dimensions, got "
                               f"{self.ndim}")
        xp = self.device.xp
        rows, columns = self.shape[-2:]
        offset = xp.arange(columns)[None, :] - xp.arange(rows)[:, None]
        keep = offset <= diagonal if lower else offset >= diagonal
        return self.masked_fill(self._make(~keep), 0)

    def flip(self, dims):
        """The elements in reverse order along each of ``dims`` (a copy, as in torch)."""
        dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
        key = [slice(None)] * self.ndim
        for d in dims:
            key[check_dim(d, self.ndim, "flip")] = slice(None, None, -1)  # (negative steps: allowed only here)
        return self._apply(ops.GetItem, self, key=tuple(key)).clone()

    # --- indexing, splitting ---------------------------------------------------------------------------------
    def __getitem__(self, key):
        """Indexing as in torch: ints, slices, None, ..., index tensors (or lists) and boolean masks. A key of ints
        and slices gives a view (it shares memory); index tensors and masks give a copy."""
        first, key = split_index(key, self)
        if first is not None:  # ints mixed with index tensors: select the ints' slice first, as torch does
            return self[first][key]
        key = index_key(key, self.device)
        if _is_advanced(key):
            return self._apply(ops.GetItem, self, key=key)
        if key is not Ellipsis and not (isinstance(key, tuple) and Ellipsis in key):
            # ints that pick one element give NumPy's copy of it (a scalar); with a trailing ... they give a 0-d
            # view of it, which a write changes in self too, as in torch
            key = (*key, Ellipsis) if isinstance(key, tuple) else (key, Ellipsis)
        return self._as_views(self._apply(ops.GetItem, self, key=key))

    def gather(self, dim, index):
        """``out[i][j] = self[i][index[i][j]]`` for dim=1 (torch.gather)."""
        d = check_dim(dim, self.ndim, "gather")
        if not isinstance(index, TensorBase) or index.dtype.kind not in "iu":
            raise TypeError(f"gather: expected index to be an integer Tensor, got "
                            f"{index.dtype if isinstance(index, TensorBase) else type(index).__name__}")
        if index.ndim != self.ndim:
            raise RuntimeError(f"gather: expected index with {self.ndim} dimensions, got shape {index.shape}")
        if index.device != self.device:
            raise RuntimeError(f"gather: expected index on device {self.device} (the input's), got {index.device}")
        return self._apply(ops.Gather, self, index._array, dim=d)

    def masked_select(self, mask):
        """The elements where ``mask`` (a boolean tensor, broadcast with self) is True, as a 1-d tensor (a copy;
        the elements left out get no gradient)."""
        if not isinstance(mask, TensorBase) or mask.dtype != backend.bool_:
            raise RuntimeError(f"masked_select: expected BoolTensor for mask, got "
                               f"{mask.dtype if isinstance(mask, TensorBase) else type_name(mask)}")
        shape = broadcast_shapes(self.shape, mask.shape, op="masked_select")
        return self.expand(shape)[mask.expand(shape)]

    def scatter(self, dim, index, src=None, *, value=None):
        """A copy with ``src``'s elements (or the number ``value``) written where ``index`` points along ``dim``:
        for dim=1, out[i][index[i][j]] = src[i][j], as torch.scatter. The overwritten elements pass no gradient
        back to self; each written one passes its own to src. An element that index names twice gets one of the
        writes (which, torch leaves undefined too)."""
        key, src = self._scatter_key(dim, index, src if value is None else value, "scatter")
        out = self.clone()
        out[key] = src
        return out

    def scatter_add(self, dim, index, src):
        """A copy with ``src``'s elements added where ``index`` points along ``dim`` (an element named twice gets
        both), as torch.scatter_add."""
        if not isinstance(src, TensorBase):
            raise TypeError(f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type_name(src)}")
        key, src = self._scatter_key(dim, index, src, "scatter_add")
        return self + self._apply(ops.IndexAdd, src, shape=self.shape, key=key)

    def scatter_(self, dim, index, src=None, *, value=None):
        return self._inplace("scatter_", lambda t: t.scatter(dim, index, src, value=value), src)

    def scatter_add_(self, dim, index, src):
        return self._inplace("scatter_add_", lambda t: t.scatter_add(dim, index, src), src)

    def _scatter_key(self, dim, index, src, op: str):
        """The key scatter's writes go to (along_axis), and the part of src they take, checked as torch checks
        them: index has self's number of dims, reaches no further than self (but along dim) and than src, and
        names positions that exist."""
        d = check_dim(dim, self.ndim, op)
        if not isinstance(index, TensorBase) or index.dtype.kind not in "iu":
            raise RuntimeError(f"{op}(): Expected dtype int64 for index, got "
                               f"{index.dtype if isinstance(index, TensorBase) else type_name(index)}")
        if index.ndim != self.ndim:
            raise RuntimeError(f"{op}: Index tensor must have the same number of dimensions as self tensor "
                               f"(expected {self.ndim}, got {index.ndim})")
        if index.device != self.device:
            raise RuntimeError(f"{op}: expected index on device {self.device}, got {index.device}")
        if isinstance(src, TensorBase):
            if src.dtype != self.dtype:
                raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype, got {self.dtype} and "
                                   f"{src.dtype}")
            too_large = src.ndim != index.ndim or any(i > n for i, n in zip(index.shape, src.shape))
        elif is_number(src):
            too_large = False
        else:
            raise TypeError(f"{op}: expected src to be a Tensor or value a number, got {type_name(src)}")
        if too_large or any(i > n for axis, (i, n) in enumerate(zip(index.shape, self.shape)) if axis != d):
            raise RuntimeError(f"{op}: Expected index {list(index.shape)} to be no larger than self "
                               f"{list(self.shape)} apart from dimension {d} and to be no larger size than src "
                               f"{list(src.shape) if isinstance(src, TensorBase) else []}")
        size = self.shape[d]
        outside = first_outside(index, 0, size)
        if outside is not None:
            raise RuntimeError(f"{op}: index {outside} is out of bounds for dimension {d} with size {size}")
        if isinstance(src, TensorBase) and src.shape != index.shape:
            src = src[tuple(slice(0, n) for n in index.shape)]
        return ops.along_axis(self.device.xp, index._array, d), src

    def take(self, index):
        """The elements of self read as flat at ``index`` (an int64 tensor of any shape, negative counting from the
        end): out has index's shape, as torch.take."""
        if not isinstance(index, TensorBase) or index.dtype != backend.int64:
            raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                               f"{index.dtype if isinstance(index, TensorBase) else type_name(index)}")
        size = self.numel()
        outside = first_outside(index, -size, size)
        if outside is not None:
            raise IndexError(f"out of range: tried to access index {outside} on a tensor of {size} elements.")
        return self.reshape(-1)[index]

    def split(self, split_size_or_sections, dim=0):
        """Pieces of ``split_size`` along dim (the last may be smaller), or of the listed sizes."""
        d = check_dim(dim, self.ndim, "split")
        if isinstance(split_size_or_sections, numbers.Integral):
            if split_size_or_sections <= 0:
                raise RuntimeError(f"split: expected a positive split size, got {split_size_or_sections}")
            return self._split_every(split_size_or_sections, d)
        pieces = tuple(split_size_or_sections)
        length = self._array.shape[d]
        if sum(pieces) != length:
            raise RuntimeError(f"split: expected sizes summing to {length} (the size of dim {dim}), "
                             f"got {list(pieces)} (sum {sum(pieces)})")
        return self._as_views(self._apply(ops.Split, self, sizes=pieces, dim=d))

    def _split_every(self, size: int, d: int):
        """Pieces of ``size`` along dimension d (checked), the last one possibly smaller."""
        whole, rest = divmod(self._array.shape[d], size)
        return self._as_views(self._apply(ops.Split, self, sizes=(size,) * whole + ((rest,) if rest else ()), dim=d))

    def unbind(self, dim=0):
        """The slices along ``dim`` as a tuple (``x.unbind(0)`` gives x[0], x[1], ...), from one graph node."""
        return self._as_views(self._apply(ops.Unbind, self, dim=check_dim(dim, self.ndim, "unbind")))

    def chunk(self, chunks, dim=0):
        """Split into ``chunks`` pieces of equal size along dim (the last may be smaller), as torch.chunk."""
        if not is_int(chunks) or chunks <= 0:
            raise RuntimeError(f"chunk: expected a positive number of chunks, got {chunks}")
        d = check_dim(dim, self.ndim, "chunk")
        return self._split_every(max(1, -(-self._array.shape[d] // chunks)), d)


def _diagonal_dims(ndim: int, offset, dim1, dim2, op: str) -> tuple:
    """The two dims of a diagonal (dim1, dim2) of an ndim-dimensional tensor, checked as torch checks them."""
    if not is_int(offset):
        raise TypeError(f"{op}(): argument 'offset' (position 1) must be int, not {type_name(offset)}")
    d1, d2 = check_dim(dim1, ndim, op), check_dim(dim2, ndim, op)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def _diagonal_walk(shape: tuple, offset, dim1, dim2, op: str) -> tuple:
    """(shape, start, moves) of the StridedView that is the diagonal ``offset`` of dims (dim1, dim2) of a tensor of
    ``shape``: its other dims in order, then the diagonal, one step along both dims at once."""
    ndim = len(shape)
    d1, d2 = _diagonal_dims(ndim, offset, dim1, dim2, op)
    rows, columns = shape[d1], shape[d2]
    length = max(0, min(rows, columns - offset) if offset >= 0 else min(rows + offset, columns))
    start = [0] * ndim
    start[d2 if offset >= 0 else d1] = abs(offset)
    kept = [axis for axis in range(ndim) if axis not in (d1, d2)]
    moves = [_unit(axis, ndim) for axis in kept]
    moves.append(tuple(int(axis in (d1, d2)) for axis in range(ndim)))  # one step along both at once
    return tuple(shape[axis] for axis in kept) + (length,), start, moves


def _unit(axis: int, ndim: int, steps: int = 1) -> tuple:
    """A move of ``steps`` along one axis of an ndim-dimensional tensor, for a StridedView."""
    return tuple(steps if other == axis else 0 for other in range(ndim))


def first_outside(index, low: int, high: int):
    """The first value of the integer tensor ``index`` outside [low, high), or None when all are inside."""
    outside = (index < low) | (index >= high)
    return index[outside][0].item() if bool(outside.any()) else None


def _int_sequence(value, op: str, name: str) -> tuple:
    """An int or a sequence of ints (dims, shifts) as a tuple of ints, as torch's int-or-tuple arguments."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if not all(is_int(v) for v in values):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not {type_name(value)}")
    return tuple(int(v) for v in values)


def index_key(key, device):
    """An indexing key with Tensors and lists replaced by arrays of ``device`` (uint8 ones read as masks, as torch
    reads them); floats and negative steps refused, as torch refuses them."""
    if isinstance(key, tuple):
        return tuple(index_key(k, device) for k in key)
    if isinstance(key, slice):
        if key.step is not None and key.step <= 0:
            raise ValueError(f"indexing: step must be greater than zero, got {key.step} (use flip() to reverse)")
        return key
    if key is None or key is Ellipsis:
        return key
    if is_int(key):
        return int(key)
    if isinstance(key, TensorBase):
        array = key._array
    elif isinstance(key, list):
        array = device.from_host(backend.host_array(key))
    elif backend.is_array(key):
        array = key
    else:
        raise TypeError(f"indexing: expected ints, slices, None, ..., or integer/boolean tensors, "
                        f"got {type(key).__name__}")
    if array.dtype.kind not in "biu":
        raise IndexError(f"indexing: tensors used as indices must be integer or boolean, got dtype {array.dtype}")
    if backend.device_of(array) != device:
        raise RuntimeError(f"indexing: expected an index on device {device}, got one on {backend.device_of(array)}")
    return array.astype(bool) if array.dtype == backend.uint8 else array


def _is_advanced(key) -> bool:
    """Whether a (converted) key holds index arrays or masks, which select a copy rather than a view."""
    return any(backend.is_array(k) for k in (key if isinstance(key, tuple) else (key,)))


def split_index(key, tensor):
    """torch applies the integer entries of a key before its index tensors, where NumPy mixes the two:
    ``x[0, :, idx]`` has shape (B, len(idx)) in torch but (len(idx), B) in NumPy. Returns (first, rest) such that
    ``x[key]`` is torch's ``x[first][rest]``, or (None, key) when the key does not mix ints with index tensors."""
    entries = key if isinstance(key, tuple) else (key,)
    if not any(is_int(k) for k in entries) or not any(
            isinstance(k, (TensorBase, list)) or backend.is_array(k) for k in entries):
        return None, key

    def dims_taken(entry) -> int:  # how many dimensions of the indexed tensor an entry consumes
        if entry is None or entry is Ellipsis:
            return 0
        if isinstance(entry, (TensorBase, list)) or backend.is_array(entry):
            array = entry._array if isinstance(entry, TensorBase) else entry
            return getattr(array, "ndim", 1) if getattr(array, "dtype", None) == backend.bool_ else 1
        return 1

    expanded = []
    for entry in entries:
        if entry is Ellipsis:
            expanded += [slice(None)] * (tensor.ndim - sum(map(dims_taken, entries)))
        else:
            expanded.append(entry)
    first, rest = [], []
    for entry in expanded:
        if is_int(entry):  # selected first: its dimension goes
            first.append(entry)
        elif entry is None:  # a new dimension, which the rest keeps whole
            first.append(None)
            rest.append(slice(None))
        else:  # slices and index tensors act on the dimensions that remain
            first.extend([slice(None)] * dims_taken(entry))
            rest.append(entry)
    return tuple(first), tuple(rest)

