"""Creating tensors: from data (``tensor``), filled (``zeros``, ``full``, ...), random (``randn``, ...), ranges.

Each new tensor is a leaf made directly on its device (random numbers are drawn on the host from a seeded Generator,
minigrad's default one unless ``generator=`` names another, and transferred, so a seed gives the same values on every
device).
"""

from __future__ import annotations

import numbers

from . import backend, random
from .checks import check_int, check_tensor, is_int, sizes
from .tensor import Tensor, check_requires_grad


def tensor(data, requires_grad=False, dtype=None, device=None) -> Tensor:
    """A new tensor from Python data, a NumPy array or another tensor (copied).

    Python floats become the default dtype (float32), Python ints int64; NumPy arrays keep their dtype.
    """
    return Tensor._from_data(data, dtype, device, requires_grad)._copied_from(data)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can, as torch.as_tensor: a Tensor is returned as it is (or
    ``to`` the dtype and device asked for), a NumPy array is shared by the cpu tensor made of it (keeping its
    dtype); other data is copied, as by ``tensor``."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    return Tensor._from_data(data, dtype, device)


def _created(make, dtype, device, requires_grad) -> Tensor:
    """A new leaf whose array is ``make(xp, dtype)``, made directly on the device (no host round trip)."""
    dtype = backend.get_default_dtype() if dtype is None else backend.as_dtype(dtype)
    check_requires_grad(requires_grad, dtype)
    result = Tensor._make(make(backend.get_device(device).xp, dtype))
    result.requires_grad = bool(requires_grad)
    return result


def _from_host(array, dtype, device, requires_grad) -> Tensor:
    dtype = backend.get_default_dtype() if dtype is None else backend.as_dtype(dtype)
    return Tensor._from_data(array.astype(dtype), device=device, requires_grad=requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape = sizes(size, "zeros")
    return _created(lambda xp, dtype: xp.zeros(shape, dtype=dtype), dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape = sizes(size, "ones")
    return _created(lambda xp, dtype: xp.ones(shape, dtype=dtype), dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor whose values are whatever the memory held: for buffers that are filled before use."""
    shape = sizes(size, "empty")
    return _created(lambda xp, dtype: xp.empty(shape, dtype=dtype), dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None and is_int(fill_value):
        dtype = backend.int64
    shape = sizes((size,), "full")
    return _created(lambda xp, dtype: xp.full(shape, fill_value, dtype=dtype), dtype, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of the standard normal distribution (from the default generator, or ``generator``)."""
    samples = random.source(generator, "randn").standard_normal(sizes(size, "randn"))
    return _from_host(samples, dtype, device, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of the uniform distribution on [0, 1)."""
    return _from_host(random.source(generator, "rand").random(sizes(size, "rand")), dtype, device, requires_grad)


def randint(low, high=None, size=None, dtype=None, device=None, *, generator=None) -> Tensor:
    """Integers drawn uniformly from [low, high) (``randint(high, size)`` starts at 0), as torch.randint."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: expected randint(low, high, size) or randint(high, size) with a size tuple")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if not high > low:
        raise ValueError(f"randint: expected low < high, got low={low}, high={high}")
    array = random.source(generator, "randint").integers(low, high, size=sizes((size,), "randint"))
    return Tensor._from_data(array, dtype=backend.int64 if dtype is None else dtype, device=device)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Evenly spaced values in [start, end); integers unless a float is given (then the default dtype)."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: expected a non-zero step, got 0")
    integral = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    if dtype is None:
        dtype = backend.int64 if integral else backend.get_default_dtype()
    return _created(lambda xp, dtype: xp.arange(start, end, step, dtype=dtype), dtype, device, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """The identity matrix (n × m, m = n by default)."""
    return _created(lambda xp, dtype: xp.eye(n, m, dtype=dtype), dtype, device, requires_grad)


def _like(factory, input, dtype, device, requires_grad, **random) -> Tensor:
    """``factory`` with the shape, dtype and device of ``input`` unless told otherwise (``random``: a generator)."""
    check_tensor(input, factory.__name__ + "_like")
    return factory(input.shape, dtype=input.dtype if dtype is None else dtype,
                   device=input.device if device is None else device, requires_grad=requires_grad, **random)


def zeros_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(ones, input, dtype, device, requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False, *, generator=None) -> Tensor:
    return _like(randn, input, dtype, device, requires_grad, generator=generator)


def rand_like(input, dtype=None, device=None, requires_grad=False, *, generator=None) -> Tensor:
    return _like(rand, input, dtype, device, requires_grad, generator=generator)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    check_tensor(input, "full_like")
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype,
                device=input.device if device is None else device, requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from start to end, both included."""
    steps = check_int(steps, "steps", "linspace", minimum=0)
    return _created(lambda xp, dtype: xp.linspace(start, end, steps, dtype=dtype), dtype, device, requires_grad)


def normal(mean, std, size=None, dtype=None, device=None, requires_grad=False, *, generator=None) -> Tensor:
    """Samples of N(mean, std²): numbers with a ``size``, or tensors of means and/or stds (one sample each,
    broadcast), as torch.normal."""
    draw = random.source(generator, "normal")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        means = mean.numpy() if isinstance(mean, Tensor) else mean
        stds = std.numpy() if isinstance(std, Tensor) else std
        samples = draw.normal(means, stds, size=backend.host_array(means + stds * 0).shape)
        return Tensor._from_data(samples.astype(like.dtype), device=like.device)
    if size is None:
        raise TypeError("normal: with numbers for mean and std, expected a size, got none")
    return _from_host(draw.normal(mean, std, sizes((size,), "normal")), dtype, device, requires_grad)


def randperm(n, dtype=None, device=None, requires_grad=False, *, generator=None) -> Tensor:
    """A random permutation of 0, ..., n-1."""
    n = check_int(n, "n", "randperm", minimum=0)
    permutation = random.source(generator, "randperm").permutation(n)
    return Tensor._from_data(permutation, dtype=backend.int64 if dtype is None else dtype, device=device,
                             requires_grad=requires_grad)


def multinomial(input, num_samples, replacement=False, *, generator=None) -> Tensor:
    """Indices drawn from the categorical distributions in the rows of ``input`` (non-negative weights, not
    necessarily normalised), as torch.multinomial: without replacement no index is drawn twice in a row."""
    return check_tensor(input, "multinomial").multinomial(num_samples, replacement, generator=generator)


def bernoulli(input, p=None, *, generator=None) -> Tensor:
    """1 with probability ``input`` (or ``p``, for every element), else 0, elementwise, in input's dtype (torch's
    torch.bernoulli). A sample carries no gradient."""
    return check_tensor(input, "bernoulli").bernoulli(p, generator=generator)


def from_numpy(array) -> Tensor:
    """A cpu tensor that shares the NumPy array's memory (changes to one show in the other), as torch's."""
    if not isinstance(array, backend.cpu.xp.ndarray):
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(array).__name__}")
    return Tensor._from_data(array, device="cpu")


# torch's typed constructors: LongTensor([1, 2]) is the data as int64, LongTensor(2, 3) a 2×3 int64 tensor (zeros
# here, uninitialised in torch).
def FloatTensor(*data, device=None) -> Tensor:
    return Tensor(*data, dtype=backend.float32, device=device)


def DoubleTensor(*data, device=None) -> Tensor:
    return Tensor(*data, dtype=backend.float64, device=device)


def LongTensor(*data, device=None) -> Tensor:
    return Tensor(*data, dtype=backend.int64, device=device)


def IntTensor(*data, device=None) -> Tensor:
    return Tensor(*data, dtype=backend.int32, device=device)


def BoolTensor(*data, device=None) -> Tensor:
    return Tensor(*data, dtype=backend.bool_, device=device)


def ByteTensor(*data, device=None) -> Tensor:
    return Tensor(*data, dtype=backend.uint8, device=device)


for _constructor, _dtype in ((FloatTensor, backend.float32), (DoubleTensor, backend.float64),
                             (LongTensor, backend.int64), (IntTensor, backend.int32), (BoolTensor, backend.bool_),
                             (ByteTensor, backend.uint8)):
    _constructor.legacy_dtype = _dtype  # what x.type(minigrad.LongTensor) casts to
