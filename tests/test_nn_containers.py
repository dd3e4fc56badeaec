"""minigrad.nn's containers against torch: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict.

Each test builds the same structure in both libraries and compares what a program sees: reprs, the names of
parameters and state_dict entries, lengths and types, and the exception types of misuse.
"""

import collections

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn

torch = pytest.importorskip("torch")


def layers(lib):
    """Three distinct layers and an activation, with reprs that tell them apart."""
    return [lib.nn.Linear(2, 3), lib.nn.Linear(3, 3), lib.nn.Linear(3, 1), lib.nn.ReLU()]


def assert_same_structure(ours, theirs):
    assert repr(ours) == repr(theirs)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


def both(build):
    return build(minigrad), build(torch)


# --- ModuleList --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("edit", [
    lambda lib, m: m.append(lib.nn.Tanh()),
    lambda lib, m: m.extend([lib.nn.Tanh(), lib.nn.Sigmoid()]),
    lambda lib, m: m.insert(1, lib.nn.Tanh()),
    lambda lib, m: m.insert(0, lib.nn.Tanh()),
    lambda lib, m: m.__setitem__(-1, lib.nn.Tanh()),
    lambda lib, m: m.__delitem__(1),
    lambda lib, m: m.__delitem__(slice(0, 2)),
    lambda lib, m: m.pop(0),
    lambda lib, m: m.__iadd__([lib.nn.Tanh()]),
], ids=["append", "extend", "insert", "insert-first", "setitem", "del", "del-slice", "pop", "iadd"])
def test_module_list_edits_match_torch(edit):
    ours, theirs = both(lambda lib: lib.nn.ModuleList(layers(lib)))
    edit(minigrad, ours)
    edit(torch, theirs)
    assert_same_structure(ours, theirs)


def test_module_list_indexing_slicing_and_adding_match_torch():
    ours, theirs = both(lambda lib: lib.nn.ModuleList(layers(lib)))
    assert len(ours) == 4
    assert repr(ours[-1]) == repr(theirs[-1]) and ours[1] is list(ours)[1]
    assert type(ours[1:3]) is nn.ModuleList
    assert_same_structure(ours[1:3], theirs[1:3])
    assert_same_structure(ours[::-2], theirs[::-2])
    assert_same_structure(ours + nn.ModuleList([nn.Tanh()]), theirs + torch.nn.ModuleList([torch.nn.Tanh()]))
    assert_same_structure(ours + [nn.Tanh()], theirs + [torch.nn.Tanh()])
    assert ours[0] in list(ours + [nn.Tanh()])  # the same module objects, not copies


def test_module_list_repr_folds_repeated_modules_like_torch():
    ours, theirs = both(lambda lib: lib.nn.ModuleList(
        [lib.nn.Linear(2, 2), lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.Linear(2, 2), lib.nn.ReLU(),
         lib.nn.ReLU(), lib.nn.ReLU()]))
    assert repr(ours) == repr(theirs)
    assert "(4-6): 3 x ReLU()" in repr(ours)
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"


def test_module_list_has_no_forward():
    with pytest.raises(NotImplementedError):
        nn.ModuleList([nn.ReLU()])(minigrad.ones(1))


@pytest.mark.parametrize("misuse", [
    lambda lib, m: m[4], lambda lib, m: m[-5], lambda lib, m: m["0"], lambda lib, m: m.append(3),
    lambda lib, m: m.extend(3), lambda lib, m: m.extend("ab"), lambda lib, m: lib.nn.ModuleList([3]),
], ids=["index", "negative-index", "string-index", "append-non-module", "extend-non-iterable",
        "extend-strings", "build-from-non-modules"])
def test_module_list_misuse_raises_like_torch(misuse):
    ours, theirs = both(lambda lib: lib.nn.ModuleList(layers(lib)))
    with pytest.raises(Exception) as expected:
        misuse(torch, theirs)
    with pytest.raises(type(expected.value)):
        misuse(minigrad, ours)


# --- Sequential --------------------------------------------------------------------------------------------
def test_sequential_slicing_editing_and_adding_match_torch():
    ours, theirs = both(lambda lib: lib.nn.Sequential(*layers(lib)))
    assert type(ours[1:]) is nn.Sequential and not isinstance(ours, nn.ModuleList)
    assert_same_structure(ours[1:], theirs[1:])
    for edit in (lambda lib, s: s.append(lib.nn.Tanh()), lambda lib, s: s.insert(-1, lib.nn.Sigmoid()),
                 lambda lib, s: s.pop(1), lambda lib, s: s.__delitem__(0),
                 lambda lib, s: s.extend([lib.nn.Tanh()])):
        edit(minigrad, ours)
        edit(torch, theirs)
        assert_same_structure(ours, theirs)
    assert_same_structure(ours + nn.Sequential(nn.Tanh()), theirs + torch.nn.Sequential(torch.nn.Tanh()))
    with pytest.raises(ValueError):
        ours + nn.ModuleList([nn.Tanh()])


def test_sequential_of_an_ordered_dict_names_its_modules_like_torch():
    ours, theirs = both(lambda lib: lib.nn.Sequential(collections.OrderedDict(
        [("encode", lib.nn.Linear(2, 3)), ("act", lib.nn.ReLU()), ("decode", lib.nn.Linear(3, 1))])))
    assert_same_structure(ours, theirs)
    assert ours[1] is ours.act and ours[-1] is ours.decode
    assert_same_structure(ours[1:], theirs[1:])


def test_sequential_forward_matches_torch():
    ours, theirs = both(lambda lib: lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Tanh(), lib.nn.Linear(3, 1)))
    ours.double().load_state_dict({name: value.numpy() for name, value in theirs.double().state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 2))
    np.testing.assert_allclose(ours(minigrad.tensor(x)).numpy(), theirs(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-12)
    assert nn.Sequential()(minigrad.ones(2)).tolist() == [1.0, 1.0]  # an empty Sequential is the identity


@pytest.mark.parametrize("misuse", [
    lambda lib, s: s[7], lambda lib, s: s.insert(9, lib.nn.ReLU()), lambda lib, s: lib.nn.Sequential(3),
    lambda lib, s: lib.nn.Sequential({"a": lib.nn.ReLU()}),
], ids=["index", "insert-index", "non-module", "plain-dict"])
def test_sequential_misuse_raises_like_torch(misuse):
    ours, theirs = both(lambda lib: lib.nn.Sequential(*layers(lib)))
    with pytest.raises(Exception) as expected:
        misuse(torch, theirs)
    with pytest.raises(type(expected.value)):
        misuse(minigrad, ours)


# --- ModuleDict --------------------------------------------------------------------------------------------
def test_module_dict_matches_torch():
    ours, theirs = both(lambda lib: lib.nn.ModuleDict({"b": lib.nn.Linear(2, 2), "a": lib.nn.ReLU()}))
    assert_same_structure(ours, theirs)
    assert list(ours) == list(ours.keys()) == ["b", "a"] and "a" in ours and len(ours) == 2
    assert list(ours.values()) == [ours["b"], ours["a"]] and list(ours.items())[0] == ("b", ours["b"])
    for edit in (lambda lib, d: d.update([("c", lib.nn.Tanh())]), lambda lib, d: d.update({"d": lib.nn.Tanh()}),
                 lambda lib, d: d.__setitem__("b", lib.nn.Linear(2, 5)), lambda lib, d: d.pop("a"),
                 lambda lib, d: d.__delitem__("c"), lambda lib, d: d.clear()):
        edit(minigrad, ours)
        edit(torch, theirs)
        assert_same_structure(ours, theirs)


@pytest.mark.parametrize("misuse", [
    lambda lib: lib.nn.ModuleDict({"a": lib.nn.ReLU()})["z"],
    lambda lib: lib.nn.ModuleDict({"a.b": lib.nn.ReLU()}),
    lambda lib: lib.nn.ModuleDict({"": lib.nn.ReLU()}),
    lambda lib: lib.nn.ModuleDict({"training": lib.nn.ReLU()}),
    lambda lib: lib.nn.ModuleDict({1: lib.nn.ReLU()}),
    lambda lib: lib.nn.ModuleDict({"a": 3}),
    lambda lib: lib.nn.ModuleDict(3),
    lambda lib: lib.nn.ModuleDict([("a", lib.nn.ReLU(), 1)]),
], ids=["missing-key", "dotted-key", "empty-key", "existing-attribute", "int-key", "non-module", "non-iterable",
        "triple"])
def test_module_dict_misuse_raises_like_torch(misuse):
    with pytest.raises(Exception) as expected:
        misuse(torch)
    with pytest.raises(type(expected.value)):
        misuse(minigrad)


# --- ParameterList and ParameterDict -----------------------------------------------------------------------
def torch_repr_in_minigrad_words(module):
    return repr(module).replace("torch.", "minigrad.")


@pytest.fixture
def on_cpu():
    """Tensors made on the cpu, whatever MINIGRAD_DEVICE says: torch's reprs name no device for cpu tensors."""
    default = minigrad.get_default_device()
    minigrad.set_default_device("cpu")
    yield
    minigrad.set_default_device(default)


def test_parameter_list_matches_torch(on_cpu):
    ours, theirs = both(lambda lib: lib.nn.ParameterList(
        [lib.nn.Parameter(lib.ones(2, 3)), lib.ones(3, dtype=lib.float64), lib.nn.Parameter(lib.ones(()))]))
    assert repr(ours) == torch_repr_in_minigrad_words(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0", "1", "2"]
    assert all(type(p) is nn.Parameter and p.requires_grad for p in ours)  # the plain tensor became a Parameter
    assert len(ours) == 3 and ours[-1] is ours[2] and ours[1].dtype == minigrad.float64
    assert repr(ours[1:]) == torch_repr_in_minigrad_words(theirs[1:])
    for edit in (lambda lib, p: p.append(lib.zeros(4)), lambda lib, p: p.extend([lib.zeros(1)]),
                 lambda lib, p: p.__setitem__(0, lib.zeros(5)), lambda lib, p: p.__iadd__([lib.zeros(2)])):
        edit(minigrad, ours)
        edit(torch, theirs)
        assert repr(ours) == torch_repr_in_minigrad_words(theirs)
    model, torch_model = nn.Sequential(ours), torch.nn.Sequential(theirs)
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in torch_model.named_parameters()]


def test_parameter_reprs_name_a_device_other_than_cpu():
    weights = nn.ParameterList([minigrad.ones(2, device="strict")])
    assert repr(weights) == "ParameterList(  (0): Parameter containing: [minigrad.float32 of size 2 (strict)])"
    table = nn.ParameterDict({"w": minigrad.ones(2, device="strict")})
    assert "[minigrad.strict.FloatTensor of size 2 (strict)]" in repr(table)


def test_parameter_list_trains_its_parameters():
    weights = nn.ParameterList([minigrad.ones(2), minigrad.ones(2)])
    (weights[0] * 3 + weights[1]).sum().backward()
    assert weights[0].grad.tolist() == [3.0, 3.0] and weights[1].grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("misuse", [
    lambda lib, p: p[2], lambda lib, p: p["0"], lambda lib, p: p.extend(3),
    lambda lib, p: p.append(lib.tensor([1, 2])),
], ids=["index", "string-index", "extend-non-iterable", "integer-tensor"])
def test_parameter_list_misuse_raises_like_torch(misuse):
    ours, theirs = both(lambda lib: lib.nn.ParameterList([lib.ones(2), lib.ones(3)]))
    with pytest.raises(Exception) as expected:
        misuse(torch, theirs)
    with pytest.raises(type(expected.value)):
        misuse(minigrad, ours)
    assert len(ours) == 2  # a refused value left the list as it was


def test_parameter_dict_matches_torch(on_cpu):
    ours, theirs = both(lambda lib: lib.nn.ParameterDict({"w": lib.ones(2, 3), "b": lib.nn.Parameter(lib.ones(3))}))
    assert repr(ours) == torch_repr_in_minigrad_words(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["b", "w"]  # a plain dict's keys, sorted
    assert list(ours) == ["b", "w"] and "b" in ours and type(ours["w"]) is nn.Parameter
    for edit in (lambda lib, d: d.update({"c": lib.zeros(1, dtype=lib.float64)}),
                 lambda lib, d: d.update(collections.OrderedDict([("z", lib.ones(1)), ("y", lib.ones(2))])),
                 lambda lib, d: d.update([("x", lib.ones(1)), ("a", lib.ones(2))]), lambda lib, d: d.pop("w"),
                 lambda lib, d: d.__setitem__("b", lib.zeros(4)), lambda lib, d: d.__delitem__("c")):
        edit(minigrad, ours)
        edit(torch, theirs)
        assert repr(ours) == torch_repr_in_minigrad_words(theirs)
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert ours.get("missing") is None and ours.get("b") is ours["b"]


@pytest.mark.parametrize("misuse", [
    lambda lib, d: d["missing"], lambda lib, d: d.__setitem__(1, lib.ones(1)),
    lambda lib, d: d.__setitem__("a.b", lib.ones(1)),
], ids=["missing-key", "int-key", "dotted-key"])
def test_parameter_dict_misuse_raises_like_torch(misuse):
    ours, theirs = both(lambda lib: lib.nn.ParameterDict({"w": lib.ones(2)}))
    with pytest.raises(Exception) as expected:
        misuse(torch, theirs)
    with pytest.raises(type(expected.value)):
        misuse(minigrad, ours)
