"""Datasets, samplers and the DataLoader, as torch.utils.data: how samples become mini-batches.

A *dataset* maps an index to a sample (``dataset[i]``) and knows its length. A *sampler* decides the order of
the indices (in order, or shuffled); a *batch sampler* groups them into lists of ``batch_size``. The
``DataLoader`` fetches the samples of each list and *collates* them into one batch: tensors are stacked along
a new first dimension, numbers become tensors, and tuples, lists and dicts of those are collated field by field::

    dataset = TensorDataset(inputs, labels)               # dataset[i] == (inputs[i], labels[i])
    for x, y in DataLoader(dataset, batch_size=32, shuffle=True):
        ...                                               # x: inputs[batch of 32 indices], y: labels[same]

Loading runs in the main process: ``num_workers`` and the other multiprocessing options are accepted (and
checked as torch checks them) but start no worker processes. Shuffling draws from minigrad's default generator,
so ``minigrad.manual_seed`` makes the order reproducible, or from the ``generator=`` given: a ``minigrad.Generator``
(torch's ``torch.Generator().manual_seed(1)`` ports unchanged), or a ``numpy.random.Generator``.
"""

from __future__ import annotations

import bisect
import collections.abc as abc
import copy
import itertools
import math
import types
import warnings

from .. import random
from ..creation import tensor
from ..functions import stack
from ..tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "ConcatDataset", "Subset", "random_split", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "BatchSampler", "DataLoader", "default_collate",
           "default_convert"]


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked_generator(generator, owner: str):
    """A ``generator=`` argument, checked now and kept: its stream is looked up at every draw (random.source),
    since manual_seed starts a generator on a new one."""
    random.source(generator, owner)
    return generator


# --- datasets ----------------------------------------------------------------------------------------------
class Dataset:
    """A map from indices to samples. Subclasses define ``__getitem__`` and usually ``__len__``.

    ``dataset_a + dataset_b`` is their concatenation (a ``ConcatDataset``).
    """

    __class_getitem__ = classmethod(types.GenericAlias)  # ``class Pairs(Dataset[tuple])`` as with torch

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Tensors that share their first dimension; sample ``i`` is the tuple of each tensor's row ``i``."""

    def __init__(self, *tensors: Tensor):
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: expected Tensors, got {type(t).__name__}")
        sizes = [t.size(0) for t in tensors]
        if any(size != sizes[0] for size in sizes):
            # torch raises AssertionError here
            raise AssertionError(f"TensorDataset: Size mismatch between tensors: expected the same size of "
                                 f"dimension 0 in every tensor, got sizes {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class ConcatDataset(Dataset):
    """Several datasets one after the other: indices run through the first, then the second, ..."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("ConcatDataset: expected a non-empty iterable of datasets, got none")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if not -len(self) <= idx < len(self):
            error = ValueError if idx < 0 else IndexError  # torch's types for the two sides
            raise error(f"ConcatDataset: expected an index in [-{len(self)}, {len(self)}), got {idx}")
        if idx < 0:
            idx += len(self)
        # the first dataset whose cumulative size exceeds idx holds it
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset, lengths, generator=None) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping ``Subset``s of the given lengths.

    ``lengths`` are counts that add up to ``len(dataset)``, or fractions that add up to 1: each split then gets
    ``floor(fraction * len(dataset))`` samples and the samples left over go one at a time to the splits in
    turn, from the first (torch's rule). The permutation is drawn from minigrad's generator, or from
    ``generator`` (a ``minigrad.Generator`` or a ``numpy.random.Generator``) when one is given. Unlike torch, negative counts are refused
    (torch returns overlapping splits for them).
    """
    _checked_generator(generator, "random_split")
    lengths = list(lengths)
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(f"random_split: Fraction at index {i} is not between 0 and 1: expected a "
                                 f"fraction in [0, 1], got {fraction}")
        counts = [math.floor(n * fraction) for fraction in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=2)
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: Sum of input lengths does not equal the length of the input dataset: "
                         f"expected lengths that sum to {n}, got {lengths} (sum {sum(lengths)})")
    if not all(hasattr(length, "__index__") for length in lengths):
        raise TypeError(f"random_split: expected integer lengths or fractions that sum to 1, got {lengths}")
    if any(length < 0 for length in lengths):
        raise ValueError(f"random_split: expected non-negative lengths, got {lengths}")
    lengths = [int(length) for length in lengths]
    indices = random.source(generator).permutation(n).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, indices[end - length:end]) for end, length in zip(ends, lengths)]


# --- samplers ----------------------------------------------------------------------------------------------
class Sampler:
    """The order in which a DataLoader visits a dataset: ``__iter__`` yields indices (or lists of them)."""

    __class_getitem__ = classmethod(types.GenericAlias)

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random order at each iteration: a permutation of the indices, or ``num_samples`` indices drawn
    with replacement. Without replacement and with ``num_samples`` above the length, whole permutations follow
    each other (the last one cut short), as in torch."""

    def __init__(self, data_source, replacement: bool = False, num_samples: int | None = None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = _checked_generator(generator, "RandomSampler")
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: expected replacement to be a bool, got {replacement!r}")
        if not _is_int(self.num_samples) or self.num_samples <= 0:
            raise ValueError(f"RandomSampler: expected num_samples to be a positive integer, got {self.num_samples!r}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, rng = len(self.data_source), random.source(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        rounds, rest = divmod(self.num_samples, n)
        for _ in range(rounds):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[:rest].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a fresh random order at each iteration."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = _checked_generator(generator, "SubsetRandomSampler")

    def __iter__(self):
        for i in random.source(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``; the last list is shorter, or dropped when
    ``drop_last`` is True."""

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        if not _is_int(batch_size) or batch_size <= 0:
            raise ValueError(f"BatchSampler: expected batch_size to be a positive integer, got {batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: expected drop_last to be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)


# --- collation ---------------------------------------------------------------------------------------------
_COLLATE_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_numpy(value) -> bool:
    """A NumPy array or scalar; NumPy's string scalars count as strings, as in torch."""
    return type(value).__module__ == "numpy" and not isinstance(value, (str, bytes))


def _holds_text(array) -> bool:
    """NumPy arrays of strings, bytes or Python objects, which have no tensor form."""
    return type(array).__name__ == "ndarray" and array.dtype.kind in "SUO"


def _like_mapping(example, values: dict):
    """``values`` in a mapping of the example's type where it can be rebuilt (dict otherwise), as torch does."""
    try:
        if isinstance(example, abc.MutableMapping):
            clone = copy.copy(example)  # keeps a defaultdict's factory, an OrderedDict's class, ...
            clone.update(values)
            return clone
        return type(example)(values)
    except TypeError:
        return values


def _like_sequence(example, values: list):
    """``values`` in a sequence of the example's type; tuples become lists (torch keeps that for compatibility)."""
    if isinstance(example, tuple):
        return values
    try:
        if isinstance(example, abc.MutableSequence):
            clone = copy.copy(example)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(example)(values)
    except TypeError:
        return values


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def default_collate(batch):
    """Merge a list of samples into one batch, as torch's ``default_collate``.

    tensors -> stacked along a new dimension 0; NumPy arrays and scalars -> tensors of their dtype, stacked;
    Python floats -> a float64 tensor; ints -> an int64 tensor (bools a bool tensor); strings and bytes -> left
    as they are (the list of them); dicts, namedtuples and sequences -> the same structure with each field
    collated across the batch (tuples come back as lists, as in torch).
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if _is_numpy(elem):
        if _holds_text(elem):
            raise TypeError(_COLLATE_ERROR.format(elem.dtype))
        return stack([tensor(x) for x in batch], 0)
    if isinstance(elem, float):
        return tensor(batch, dtype="float64")
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, abc.Mapping):
        return _like_mapping(elem, {key: default_collate([sample[key] for sample in batch]) for key in elem})
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError(f"default_collate: each element in list of batch should be of equal size: "
                               f"expected length {len(elem)}, got lengths {[len(sample) for sample in batch]}")
        return _like_sequence(elem, [default_collate(field) for field in zip(*batch)])
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data):
    """Turn the NumPy arrays in one sample into tensors, leaving everything else as it is: what a DataLoader
    with ``batch_size=None`` applies to each sample instead of ``default_collate``."""
    if isinstance(data, Tensor):
        return data
    if _is_numpy(data):
        return data if _holds_text(data) else tensor(data)
    if isinstance(data, abc.Mapping):
        return _like_mapping(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(field) for field in data))
    if isinstance(data, abc.Sequence) and not isinstance(data, (str, bytes)):
        return _like_sequence(data, [default_convert(field) for field in data])
    return data


# --- the loader --------------------------------------------------------------------------------------------
class DataLoader:
    """Iterate over ``dataset`` in mini-batches, as torch.utils.data.DataLoader (map-style datasets).

    ``batch_size`` samples per batch (``None``: no batching, each sample is yielded alone after
    ``default_convert``); ``shuffle=True`` draws a new order each epoch (a ``RandomSampler``), otherwise the
    order is ``sampler``'s or sequential; ``batch_sampler`` yields whole lists of indices instead;
    ``drop_last`` drops a last, short batch; ``collate_fn`` merges the samples of a batch (``default_collate``
    when not given). ``generator`` is handed to the RandomSampler (a ``minigrad.Generator`` or a
    ``numpy.random.Generator``).

    Data is loaded in the main process. ``num_workers``, ``worker_init_fn``, ``multiprocessing_context``,
    ``prefetch_factor``, ``persistent_workers``, ``in_order``, ``timeout``, ``pin_memory`` and
    ``pin_memory_device`` are accepted and checked as in torch, and change nothing: no worker processes are
    started (so ``worker_init_fn`` is never called) and no memory is pinned.
    """

    _initialized = False

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True):
        if num_workers < 0:
            raise ValueError(f"DataLoader: expected num_workers >= 0 (0 loads in the main process), got {num_workers}")
        if timeout < 0:
            raise ValueError(f"DataLoader: expected timeout >= 0, got {timeout}")
        if prefetch_factor is not None and num_workers == 0:
            raise ValueError(f"DataLoader: prefetch_factor applies to worker processes: expected it None with "
                             f"num_workers=0, got prefetch_factor={prefetch_factor}")
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError(f"DataLoader: expected prefetch_factor >= 0, got {prefetch_factor}")
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0, got num_workers=0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError("DataLoader: multiprocessing_context applies to worker processes: expected "
                             "num_workers > 0 with it, got num_workers=0")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle: expected one of "
                             "them, got both")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 f"sampler, and drop_last: expected their defaults, got batch_size={batch_size}, "
                                 f"shuffle={shuffle}, sampler={sampler}, drop_last={drop_last}")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and is mutually exclusive "
                             "with drop_last: expected drop_last=False, got True")

        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.dataset, self.batch_size, self.drop_last, self.collate_fn = dataset, batch_size, drop_last, collate_fn
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        # kept as torch keeps them, for programs that read them back; they change nothing here
        self.num_workers, self.prefetch_factor = num_workers, prefetch_factor
        self.persistent_workers, self.in_order, self.timeout = persistent_workers, in_order, timeout
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        self.worker_init_fn, self.multiprocessing_context = worker_init_fn, multiprocessing_context
        self._initialized = True

    def __setattr__(self, name, value):
        # the samplers were built from these: changing one afterwards would silently not take effect
        if self._initialized and name in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                          "persistent_workers"):
            raise ValueError(f"DataLoader: {name} attribute should not be set after DataLoader is initialized")
        super().__setattr__(name, value)

    def __iter__(self):
        if self.batch_sampler is None:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        fetch_many = getattr(self.dataset, "__getitems__", None)  # torch's hook for fetching a batch at once
        for indices in self.batch_sampler:
            samples = fetch_many(indices) if fetch_many else [self.dataset[i] for i in indices]
            yield self.collate_fn(samples)

    def __len__(self) -> int:
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)
