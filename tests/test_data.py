"""minigrad.utils.data: datasets, samplers, DataLoader and default_collate, with torch.utils.data as the oracle
(same batches, same collated structure and dtypes, same split lengths, same exception types)."""

import collections
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.utils import data

pytestmark = pytest.mark.usefixtures("seeded")

Point = collections.namedtuple("Point", ["x", "y"])


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def structure(batch):
    """A batch as plain Python, the same for minigrad's and torch's tensors: containers keep their type's name,
    a tensor becomes its dtype, shape and values."""
    if isinstance(batch, minigrad.Tensor) or type(batch).__module__.startswith("torch"):
        return "tensor", str(batch.dtype).removeprefix("torch."), tuple(batch.shape), batch.tolist()
    if isinstance(batch, dict):
        return type(batch).__name__, {key: structure(value) for key, value in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch).__name__, [structure(value) for value in batch]
    return type(batch).__name__, batch


# Samples built by a tensor factory, so that the same data can be made for both libraries.
SAMPLES = {
    "ints": lambda T: [3, -1, 7],
    "floats": lambda T: [0.5, 1.25],
    "bools": lambda T: [True, False, True],
    "int then float": lambda T: [1, 2.5],
    "float then int": lambda T: [2.5, 1],
    "tensors": lambda T: [T([1.0, 2.0]), T([3.0, 4.0])],
    "int tensors": lambda T: [T([[1, 2]]), T([[3, 4]])],
    "numpy float64": lambda T: [np.arange(3.0), np.ones(3)],
    "numpy int32": lambda T: [np.arange(4, dtype=np.int32).reshape(2, 2)] * 3,
    "numpy 0-d": lambda T: [np.array(1.5), np.array(2.5)],
    "numpy scalars f32": lambda T: [np.float32(1.5), np.float32(2)],
    "numpy scalars f64": lambda T: [np.float64(1.5), np.float64(2)],
    "numpy scalars int": lambda T: [np.int16(3), np.int16(4)],
    "numpy bools": lambda T: [np.bool_(True), np.bool_(False)],
    "strings": lambda T: ["ab", "c"],
    "numpy strings": lambda T: [np.str_("ab"), np.str_("c")],
    "bytes": lambda T: [b"ab", b"c"],
    "tuples": lambda T: [(T([1.0]), 0, "a"), (T([2.0]), 1, "b")],
    "lists": lambda T: [[1, 2.0, [3, 4]], [5, 6.0, [7, 8]]],
    "dicts": lambda T: [{"x": T([1.0, 2.0]), "label": 1, "name": "p"}, {"x": T([3.0, 4.0]), "label": 0, "name": "q"}],
    "ordered dicts": lambda T: [collections.OrderedDict(b=1, a=np.zeros(2))] * 2,
    "namedtuples": lambda T: [Point(1, T(2.0)), Point(3, T(4.0))],
    "nested": lambda T: [{"pair": (np.ones(2), [0.5, {"deep": 1}])}, {"pair": (np.zeros(2), [1.5, {"deep": 2}])}],
}


@pytest.mark.parametrize("name", SAMPLES)
def test_default_collate_matches_torch(torch, name):
    ours = data.default_collate(SAMPLES[name](minigrad.tensor))
    theirs = torch.utils.data.default_collate(SAMPLES[name](torch.tensor))
    assert structure(ours) == structure(theirs)


@pytest.mark.parametrize("name", ["numpy float64", "numpy 0-d", "numpy scalars int", "tuples", "dicts", "nested"])
def test_default_convert_matches_torch(torch, name):
    ours = [structure(data.default_convert(s)) for s in SAMPLES[name](minigrad.tensor)]
    theirs = [structure(torch.utils.data.default_convert(s)) for s in SAMPLES[name](torch.tensor)]
    assert ours == theirs


def test_collate_keeps_the_graph():
    """Stacking tensors that require grad is an op like any other: the gradient reaches every sample."""
    samples = [minigrad.tensor([1.0, 2.0], requires_grad=True) for _ in range(3)]
    (data.default_collate(samples) * minigrad.tensor([[1.0, 2.0]])).sum().backward()
    for sample in samples:
        assert sample.grad.tolist() == [1.0, 2.0]


def table(n=10):
    """Rows of (features, label) as NumPy, the same for both libraries."""
    return np.arange(n * 3, dtype=np.float32).reshape(n, 3), np.arange(n) % 3


@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (3, False), (3, True), (4, True), (5, True),
                                                   (10, False), (12, False), (12, True), (None, False)])
def test_sequential_batches_match_torch(torch, batch_size, drop_last):
    features, labels = table()
    ours = data.DataLoader(data.TensorDataset(minigrad.tensor(features), minigrad.tensor(labels)),
                           batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(features), torch.tensor(labels)),
                                         batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert [structure(b) for b in ours] == [structure(b) for b in theirs]
    assert len(list(ours)) == len(ours)  # a second epoch, counted


def test_loader_over_plain_python_data_matches_torch(torch):
    """A list of samples is a dataset too: (NumPy array, int, str) rows collate into a list of three fields."""
    features, labels = table(7)
    rows = [(features[i], int(labels[i]), f"row{i}") for i in range(7)]
    ours = data.DataLoader(rows, batch_size=3)
    theirs = torch.utils.data.DataLoader(rows, batch_size=3)
    assert [structure(b) for b in ours] == [structure(b) for b in theirs]


def test_sampler_batch_sampler_and_collate_fn_match_torch(torch):
    dataset = list(range(20, 30))
    order = [9, 0, 8, 1, 7, 2]
    cases = [dict(sampler=order, batch_size=4), dict(batch_sampler=[[1, 2], [5], [0, 9, 3]]),
             dict(batch_size=4, collate_fn=lambda batch: sum(batch)), dict(batch_size=None, sampler=order)]
    for kwargs in cases:
        ours = data.DataLoader(dataset, **kwargs)
        theirs = torch.utils.data.DataLoader(dataset, **kwargs)
        assert len(ours) == len(theirs)
        assert [structure(b) for b in ours] == [structure(b) for b in theirs]


def test_getitems_fetches_a_batch_at_once():
    class Squares(data.Dataset):
        def __init__(self):
            self.calls = []

        def __getitem__(self, i):
            raise AssertionError("the loader should ask for whole batches")

        def __getitems__(self, indices):
            self.calls.append(list(indices))
            return [i * i for i in indices]

        def __len__(self):
            return 5

    squares = Squares()
    assert [b.tolist() for b in data.DataLoader(squares, batch_size=2)] == [[0, 1], [4, 9], [16]]
    assert squares.calls == [[0, 1], [2, 3], [4]]


def test_shuffle_is_a_reproducible_permutation():
    dataset = list(range(50))
    loader = data.DataLoader(dataset, batch_size=8, shuffle=True)
    minigrad.manual_seed(7)
    first = [i for batch in loader for i in batch.tolist()]
    second = [i for batch in loader for i in batch.tolist()]
    minigrad.manual_seed(7)
    again = [i for batch in loader for i in batch.tolist()]
    assert sorted(first) == dataset and sorted(second) == dataset
    assert first != dataset  # shuffled (the chance of the identity is 1/50!)
    assert second != first  # a new order each epoch
    assert again == first  # the seed fixes the order


def test_generator_argument_draws_from_the_given_generator():
    def order(seed):
        loader = data.DataLoader(range(30), shuffle=True, generator=np.random.default_rng(seed))
        return [int(b.item()) for b in loader]

    minigrad.manual_seed(1)
    first = order(5)
    minigrad.manual_seed(2)  # minigrad's own seed does not matter when a generator is given
    assert order(5) == first and sorted(first) == list(range(30))
    assert order(6) != first


@pytest.mark.parametrize("num_samples", [5, 10, 23])
def test_random_sampler_lengths(num_samples):
    without = list(data.RandomSampler(range(10), num_samples=num_samples))
    assert len(without) == num_samples
    # without replacement, each full round is a permutation and the rest has no repeats
    for start in range(0, num_samples, 10):
        chunk = without[start:start + 10]
        assert len(set(chunk)) == len(chunk)
    drawn = list(data.RandomSampler(range(10), replacement=True, num_samples=num_samples))
    assert len(drawn) == num_samples and all(0 <= i < 10 for i in drawn)


def test_subset_random_sampler_permutes_its_indices():
    indices = [3, 14, 15, 92, 65]
    drawn = list(data.SubsetRandomSampler(indices))
    assert sorted(drawn) == sorted(indices) and len(data.SubsetRandomSampler(indices)) == 5


def test_datasets_concat_subset_and_add():
    class Range(data.Dataset[int]):  # Dataset[...] works as a base, as in torch
        def __init__(self, start, stop):
            self.values = list(range(start, stop))

        def __getitem__(self, i):
            return self.values[i]

        def __len__(self):
            return len(self.values)

    both = Range(0, 3) + Range(10, 14)
    assert isinstance(both, data.ConcatDataset) and len(both) == 7 and both.cumulative_sizes == [3, 7]
    assert [both[i] for i in range(7)] == [0, 1, 2, 10, 11, 12, 13]
    assert both[-1] == 13 and both[-7] == 0
    subset = data.Subset(both, [6, 0, 3])
    assert len(subset) == 3 and [subset[i] for i in range(3)] == [13, 0, 10]
    assert [b.tolist() for b in data.DataLoader(subset, batch_size=2)] == [[13, 0], [10]]


@pytest.mark.parametrize("n, lengths", [(10, [3, 7]), (10, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (7, [0.1] * 10),
                                        (10, [1 / 3] * 3), (5, [0.2, 0.8]), (100, [0.7, 0.2, 0.1])])
def test_random_split_lengths_match_torch(torch, n, lengths):
    with warnings.catch_warnings(record=True) as ours_warned:
        warnings.simplefilter("always")
        ours = data.random_split(range(n), lengths)
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")
        theirs = torch.utils.data.random_split(range(n), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert len(ours_warned) == len(theirs_warned)  # one warning per empty split
    picked = [i for subset in ours for i in (subset[j] for j in range(len(subset)))]
    assert sorted(picked) == list(range(n))  # disjoint, and everything is used


def test_random_split_is_reproducible_with_the_seed():
    minigrad.manual_seed(3)
    first = [s.indices for s in data.random_split(range(20), [5, 15])]
    minigrad.manual_seed(3)
    assert [s.indices for s in data.random_split(range(20), [5, 15])] == first
    assert first[0] + first[1] != list(range(20))


def test_import_minigrad_reaches_utils_data():
    import importlib
    module = importlib.import_module("minigrad")
    assert module.utils.data.DataLoader is data.DataLoader


# --- errors: torch's exception types, with messages that name what was expected and what was got -----------
ERRORS = {
    "batch_size 0": (lambda d, T: d.DataLoader(range(3), batch_size=0), "got 0"),
    "batch_size negative": (lambda d, T: d.DataLoader(range(3), batch_size=-2), "got -2"),
    "batch_size float": (lambda d, T: d.DataLoader(range(3), batch_size=2.0), "got 2.0"),
    "drop_last not bool": (lambda d, T: d.BatchSampler(range(3), 2, drop_last=1), "got 1"),
    "num_workers negative": (lambda d, T: d.DataLoader(range(3), num_workers=-1), "got -1"),
    "timeout negative": (lambda d, T: d.DataLoader(range(3), timeout=-1), "got -1"),
    "prefetch without workers": (lambda d, T: d.DataLoader(range(3), prefetch_factor=2), "prefetch_factor=2"),
    "persistent without workers": (lambda d, T: d.DataLoader(range(3), persistent_workers=True), "num_workers=0"),
    "sampler and shuffle": (lambda d, T: d.DataLoader(range(3), sampler=[0, 1], shuffle=True), "got both"),
    "batch_sampler and batch_size": (lambda d, T: d.DataLoader(range(3), batch_sampler=[[0]], batch_size=2),
                                     "batch_size=2"),
    "no batching and drop_last": (lambda d, T: d.DataLoader(range(3), batch_size=None, drop_last=True), "got True"),
    "lengths not summing": (lambda d, T: d.random_split(range(10), [3, 4]), "expected lengths that sum to 10"),
    "fractions not summing": (lambda d, T: d.random_split(range(10), [0.5, 0.6]), "sum to 10"),
    "fraction out of range": (lambda d, T: d.random_split(range(10), [1.5, -0.5]), "got 1.5"),
    "tensor sizes differ": (lambda d, T: d.TensorDataset(T([1, 2, 3]), T([1, 2])), "got sizes [3, 2]"),
    "samples of unequal length": (lambda d, T: d.default_collate([(1, 2), (1,)]), "got lengths [2, 1]"),
    "uncollatable sample": (lambda d, T: d.default_collate([object()]), "found <class 'object'>"),
    "numpy strings": (lambda d, T: d.default_collate([np.array(["a"])]), "found <U1"),
    "empty concat": (lambda d, T: d.ConcatDataset([]), "got none"),
    "concat index too large": (lambda d, T: d.ConcatDataset([[1, 2], [3]])[3], "got 3"),
    "concat index too small": (lambda d, T: d.ConcatDataset([[1, 2], [3]])[-4], "got -4"),
    "random sampler on nothing": (lambda d, T: d.RandomSampler([]), "got 0"),
    "replacement not bool": (lambda d, T: d.RandomSampler(range(3), replacement=1), "got 1"),
    "setting batch_size later": (lambda d, T: setattr(d.DataLoader(range(3)), "batch_size", 2), "batch_size"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(torch, name):
    make, got = ERRORS[name]
    with pytest.raises(Exception) as theirs:
        make(torch.utils.data, torch.tensor)
    with pytest.raises(theirs.type) as ours:
        make(data, minigrad.tensor)
    assert got in str(ours.value)


def test_negative_lengths_are_refused():
    """torch returns overlapping splits for [-1, 11]; minigrad refuses them."""
    with pytest.raises(ValueError, match=r"expected non-negative lengths, got \[-1, 11\]"):
        data.random_split(range(10), [-1, 11])


def test_generator_must_be_a_numpy_generator():
    with pytest.raises(TypeError, match="expected generator to be None or a numpy.random.Generator, got int"):
        data.DataLoader(range(3), shuffle=True, generator=42)


def test_float_counts_are_refused_as_torch_refuses_them(torch):
    """[3.0, 7.0] sums to the length but is neither counts nor fractions: torch fails with TypeError too."""
    with pytest.raises(TypeError):
        torch.utils.data.random_split(range(10), [3.0, 7.0])
    with pytest.raises(TypeError, match=r"expected integer lengths or fractions that sum to 1, got \[3.0, 7.0\]"):
        data.random_split(range(10), [3.0, 7.0])
