"""torch's function forms of the shape, indexing, reduction and product Tensor methods: ``minigrad.sum(x, 1)``
is ``x.sum(1)``, ``minigrad.mm(a, b)`` is ``a.mm(b)``. Each is a plain definition with the method's arguments (the
method in tensor_shape.py, tensor_reduce.py or tensor.py holds the docstring that says what it computes)."""

from __future__ import annotations

from .checks import check_tensor


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``minigrad.addmm(x, ...)`` is ``x.addmm(...)``."""
    return check_tensor(input, "addmm").addmm(mat1, mat2, beta=beta, alpha=alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``minigrad.addmv(x, ...)`` is ``x.addmv(...)``."""
    return check_tensor(input, "addmv").addmv(mat, vec, beta=beta, alpha=alpha)


def all(input, dim=None, keepdim=False):
    """``minigrad.all(x, ...)`` is ``x.all(...)``."""
    return check_tensor(input, "all").all(dim, keepdim)


def amax(input, dim=None, keepdim=False):
    """``minigrad.amax(x, ...)`` is ``x.amax(...)``."""
    return check_tensor(input, "amax").amax(dim, keepdim)


def amin(input, dim=None, keepdim=False):
    """``minigrad.amin(x, ...)`` is ``x.amin(...)``."""
    return check_tensor(input, "amin").amin(dim, keepdim)


def any(input, dim=None, keepdim=False):
    """``minigrad.any(x, ...)`` is ``x.any(...)``."""
    return check_tensor(input, "any").any(dim, keepdim)


def argmax(input, dim=None, keepdim=False):
    """``minigrad.argmax(x, ...)`` is ``x.argmax(...)``."""
    return check_tensor(input, "argmax").argmax(dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """``minigrad.argmin(x, ...)`` is ``x.argmin(...)``."""
    return check_tensor(input, "argmin").argmin(dim, keepdim)


def argsort(input, dim=-1, descending=False, stable=False):
    """``minigrad.argsort(x, ...)`` is ``x.argsort(...)``."""
    return check_tensor(input, "argsort").argsort(dim, descending, stable)


def argwhere(input):
    """``minigrad.argwhere(x, ...)`` is ``x.argwhere(...)``."""
    return check_tensor(input, "argwhere").argwhere()


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``minigrad.baddbmm(x, ...)`` is ``x.baddbmm(...)``."""
    return check_tensor(input, "baddbmm").baddbmm(batch1, batch2, beta=beta, alpha=alpha)


def broadcast_to(input, size):
    """``minigrad.broadcast_to(x, ...)`` is ``x.broadcast_to(...)``."""
    return check_tensor(input, "broadcast_to").broadcast_to(size)


def chunk(input, chunks, dim=0):
    """``minigrad.chunk(x, ...)`` is ``x.chunk(...)``."""
    return check_tensor(input, "chunk").chunk(chunks, dim)


def count_nonzero(input, dim=None):
    """``minigrad.count_nonzero(x, ...)`` is ``x.count_nonzero(...)``."""
    return check_tensor(input, "count_nonzero").count_nonzero(dim)


def cumprod(input, dim, *, dtype=None):
    """``minigrad.cumprod(x, ...)`` is ``x.cumprod(...)``."""
    return check_tensor(input, "cumprod").cumprod(dim, dtype=dtype)


def cumsum(input, dim, **kwargs):
    """``minigrad.cumsum(x, ...)`` is ``x.cumsum(...)``."""
    return check_tensor(input, "cumsum").cumsum(dim, **kwargs)


def diag(input, diagonal=0):
    """``minigrad.diag(x, ...)`` is ``x.diag(...)``."""
    return check_tensor(input, "diag").diag(diagonal)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """``minigrad.diag_embed(x, ...)`` is ``x.diag_embed(...)``."""
    return check_tensor(input, "diag_embed").diag_embed(offset, dim1, dim2)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """``minigrad.diagonal(x, ...)`` is ``x.diagonal(...)``."""
    return check_tensor(input, "diagonal").diagonal(offset, dim1, dim2)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """``minigrad.diff(x, ...)`` is ``x.diff(...)``."""
    return check_tensor(input, "diff").diff(n, dim, prepend, append)


def dot(input, tensor):
    """``minigrad.dot(x, ...)`` is ``x.dot(...)``."""
    return check_tensor(input, "dot").dot(tensor)


def flatten(input, start_dim=0, end_dim=-1):
    """``minigrad.flatten(x, ...)`` is ``x.flatten(...)``."""
    return check_tensor(input, "flatten").flatten(start_dim, end_dim)


def flip(input, dims):
    """``minigrad.flip(x, ...)`` is ``x.flip(...)``."""
    return check_tensor(input, "flip").flip(dims)


def gather(input, dim, index):
    """``minigrad.gather(x, ...)`` is ``x.gather(...)``."""
    return check_tensor(input, "gather").gather(dim, index)


def index_add(input, dim, index, source, *, alpha=1):
    """``minigrad.index_add(x, ...)`` is ``x.index_add(...)``."""
    return check_tensor(input, "index_add").index_add(dim, index, source, alpha=alpha)


def index_copy(input, dim, index, source):
    """``minigrad.index_copy(x, ...)`` is ``x.index_copy(...)``."""
    return check_tensor(input, "index_copy").index_copy(dim, index, source)


def index_select(input, dim, index):
    """``minigrad.index_select(x, ...)`` is ``x.index_select(...)``."""
    return check_tensor(input, "index_select").index_select(dim, index)


def inner(input, other):
    """``minigrad.inner(x, ...)`` is ``x.inner(...)``."""
    return check_tensor(input, "inner").inner(other)


def is_floating_point(input):
    """``minigrad.is_floating_point(x, ...)`` is ``x.is_floating_point(...)``."""
    return check_tensor(input, "is_floating_point").is_floating_point()


def kron(input, other):
    """``minigrad.kron(x, ...)`` is ``x.kron(...)``."""
    return check_tensor(input, "kron").kron(other)


def logsumexp(input, dim, keepdim=False):
    """``minigrad.logsumexp(x, ...)`` is ``x.logsumexp(...)``."""
    return check_tensor(input, "logsumexp").logsumexp(dim, keepdim)


def masked_scatter(input, mask, source):
    """``minigrad.masked_scatter(x, ...)`` is ``x.masked_scatter(...)``."""
    return check_tensor(input, "masked_scatter").masked_scatter(mask, source)


def masked_select(input, mask):
    """``minigrad.masked_select(x, ...)`` is ``x.masked_select(...)``."""
    return check_tensor(input, "masked_select").masked_select(mask)


def max(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.max(x, ...)`` is ``x.max(...)``."""
    return check_tensor(input, "max").max(dim, keepdim, **kwargs)


def mean(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.mean(x, ...)`` is ``x.mean(...)``."""
    return check_tensor(input, "mean").mean(dim, keepdim, **kwargs)


def median(input, dim=None, keepdim=False):
    """``minigrad.median(x, ...)`` is ``x.median(...)``."""
    return check_tensor(input, "median").median(dim, keepdim)


def min(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.min(x, ...)`` is ``x.min(...)``."""
    return check_tensor(input, "min").min(dim, keepdim, **kwargs)


def mm(input, mat2):
    """``minigrad.mm(x, ...)`` is ``x.mm(...)``."""
    return check_tensor(input, "mm").mm(mat2)


def moveaxis(input, source, destination):
    """``minigrad.moveaxis(x, ...)`` is ``x.moveaxis(...)``."""
    return check_tensor(input, "moveaxis").moveaxis(source, destination)


def movedim(input, source, destination):
    """``minigrad.movedim(x, ...)`` is ``x.movedim(...)``."""
    return check_tensor(input, "movedim").movedim(source, destination)


def mv(input, vec):
    """``minigrad.mv(x, ...)`` is ``x.mv(...)``."""
    return check_tensor(input, "mv").mv(vec)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """``minigrad.nanmean(x, ...)`` is ``x.nanmean(...)``."""
    return check_tensor(input, "nanmean").nanmean(dim, keepdim, dtype=dtype)


def narrow(input, dim, start, length):
    """``minigrad.narrow(x, ...)`` is ``x.narrow(...)``."""
    return check_tensor(input, "narrow").narrow(dim, start, length)


def nonzero(input, *, as_tuple=False):
    """``minigrad.nonzero(x, ...)`` is ``x.nonzero(...)``."""
    return check_tensor(input, "nonzero").nonzero(as_tuple=as_tuple)


def numel(input):
    """``minigrad.numel(x, ...)`` is ``x.numel(...)``."""
    return check_tensor(input, "numel").numel()


def outer(input, vec2):
    """``minigrad.outer(x, ...)`` is ``x.outer(...)``."""
    return check_tensor(input, "outer").outer(vec2)


def permute(input, dims):
    """``minigrad.permute(x, ...)`` is ``x.permute(...)``."""
    return check_tensor(input, "permute").permute(dims)


def prod(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.prod(x, ...)`` is ``x.prod(...)``."""
    return check_tensor(input, "prod").prod(dim, keepdim, **kwargs)


def repeat_interleave(input, repeats, dim=None):
    """``minigrad.repeat_interleave(x, ...)`` is ``x.repeat_interleave(...)``."""
    return check_tensor(input, "repeat_interleave").repeat_interleave(repeats, dim)


def reshape(input, shape):
    """``minigrad.reshape(x, ...)`` is ``x.reshape(...)``."""
    return check_tensor(input, "reshape").reshape(shape)


def roll(input, shifts, dims=None):
    """``minigrad.roll(x, ...)`` is ``x.roll(...)``."""
    return check_tensor(input, "roll").roll(shifts, dims)


def scatter(input, dim, index, src=None, *, value=None):
    """``minigrad.scatter(x, ...)`` is ``x.scatter(...)``."""
    return check_tensor(input, "scatter").scatter(dim, index, src, value=value)


def scatter_add(input, dim, index, src):
    """``minigrad.scatter_add(x, ...)`` is ``x.scatter_add(...)``."""
    return check_tensor(input, "scatter_add").scatter_add(dim, index, src)


def select(input, dim, index):
    """``minigrad.select(x, ...)`` is ``x.select(...)``."""
    return check_tensor(input, "select").select(dim, index)


def sort(input, dim=-1, descending=False):
    """``minigrad.sort(x, ...)`` is ``x.sort(...)``."""
    return check_tensor(input, "sort").sort(dim, descending)


def split(tensor, split_size_or_sections, dim=0):
    """``minigrad.split(x, ...)`` is ``x.split(...)``."""
    return check_tensor(tensor, "split").split(split_size_or_sections, dim)


def squeeze(input, dim=None):
    """``minigrad.squeeze(x, ...)`` is ``x.squeeze(...)``."""
    return check_tensor(input, "squeeze").squeeze(dim)


def std(input, dim=None, unbiased=None, keepdim=False, **kwargs):
    """``minigrad.std(x, ...)`` is ``x.std(...)``."""
    return check_tensor(input, "std").std(dim, unbiased, keepdim, **kwargs)


def sum(input, dim=None, keepdim=False, **kwargs):
    """``minigrad.sum(x, ...)`` is ``x.sum(...)``."""
    return check_tensor(input, "sum").sum(dim, keepdim, **kwargs)


def swapaxes(input, axis0, axis1):
    """``minigrad.swapaxes(x, ...)`` is ``x.swapaxes(...)``."""
    return check_tensor(input, "swapaxes").swapaxes(axis0, axis1)


def t(input):
    """``minigrad.t(x, ...)`` is ``x.t(...)``."""
    return check_tensor(input, "t").t()


def take(input, index):
    """``minigrad.take(x, ...)`` is ``x.take(...)``."""
    return check_tensor(input, "take").take(index)


def tile(input, dims):
    """``minigrad.tile(x, ...)`` is ``x.tile(...)``."""
    return check_tensor(input, "tile").tile(dims)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """``minigrad.topk(x, ...)`` is ``x.topk(...)``."""
    return check_tensor(input, "topk").topk(k, dim, largest, sorted)


def transpose(input, dim0, dim1):
    """``minigrad.transpose(x, ...)`` is ``x.transpose(...)``."""
    return check_tensor(input, "transpose").transpose(dim0, dim1)


def tril(input, diagonal=0):
    """``minigrad.tril(x, ...)`` is ``x.tril(...)``."""
    return check_tensor(input, "tril").tril(diagonal)


def triu(input, diagonal=0):
    """``minigrad.triu(x, ...)`` is ``x.triu(...)``."""
    return check_tensor(input, "triu").triu(diagonal)


def unbind(input, dim=0):
    """``minigrad.unbind(x, ...)`` is ``x.unbind(...)``."""
    return check_tensor(input, "unbind").unbind(dim)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """``minigrad.unique(x, ...)`` is ``x.unique(...)``."""
    return check_tensor(input, "unique").unique(sorted, return_inverse, return_counts, dim)


def unsqueeze(input, dim):
    """``minigrad.unsqueeze(x, ...)`` is ``x.unsqueeze(...)``."""
    return check_tensor(input, "unsqueeze").unsqueeze(dim)


def var(input, dim=None, unbiased=None, keepdim=False, **kwargs):
    """``minigrad.var(x, ...)`` is ``x.var(...)``."""
    return check_tensor(input, "var").var(dim, unbiased, keepdim, **kwargs)


# torch's second names for some of them
ger = outer
