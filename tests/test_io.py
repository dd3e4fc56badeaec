"""minigrad.save / minigrad.load: .npz files without pickle, written atomically."""

import json
import os

import numpy as np
import pytest

import minigrad
from conftest import host
from minigrad import backend


pytestmark = pytest.mark.usefixtures("seeded")



def make_model():
    return minigrad.nn.Sequential(minigrad.nn.Linear(3, 4), minigrad.nn.ReLU(), minigrad.nn.Linear(4, 2))


def assert_tensor_equal(loaded, original):
    assert isinstance(loaded, minigrad.Tensor)
    assert loaded.dtype == original.dtype
    assert loaded.shape == original.shape
    np.testing.assert_array_equal(host(loaded), host(original))


def checkpoint():
    return {"model": make_model().state_dict(), "epoch": 3, "name": "x", "lr": 0.1, "hist": [1.0, 2.0],
            "t": (1, 2)}


def saved_checkpoint(folder):
    path = folder / "ckpt.npz"
    minigrad.save(checkpoint(), path)
    return path


# --- round trips -------------------------------------------------------------------------------------------
def test_state_dict_round_trip(tmp_path):
    state = make_model().state_dict()
    minigrad.save(state, tmp_path / "model.npz")
    loaded = minigrad.load(tmp_path / "model.npz")
    assert list(loaded) == list(state)
    for name in state:
        assert_tensor_equal(loaded[name], state[name])


def test_loaded_state_dict_restores_a_model(tmp_path):
    source, target = make_model(), make_model()
    minigrad.save(source.state_dict(), tmp_path / "model.npz")
    target.load_state_dict(minigrad.load(tmp_path / "model.npz"))
    x = minigrad.tensor(np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32))
    np.testing.assert_array_equal(host(target(x)), host(source(x)))


def test_nested_structure_round_trip_keeps_python_types(tmp_path):
    original = checkpoint()
    minigrad.save(original, tmp_path / "ckpt.npz")
    loaded = minigrad.load(tmp_path / "ckpt.npz")
    assert set(loaded) == set(original)
    for name in original["model"]:
        assert_tensor_equal(loaded["model"][name], original["model"][name])
    for key in ["epoch", "name", "lr", "hist", "t"]:
        assert loaded[key] == original[key] and type(loaded[key]) is type(original[key]), key


def test_round_trip_of_other_values(tmp_path):
    rng = np.random.default_rng(2)
    original = {
        "float64": minigrad.tensor(rng.standard_normal((2, 3))),
        "int64": minigrad.tensor(np.array([[1, -2], [3, 4]])),
        "bool": minigrad.tensor(np.array([True, False])),
        "scalar": minigrad.tensor(np.array(2.5)),
        "array": np.arange(4, dtype=np.int32),
        "none": None, "flag": True, 7: "integer key", "nested": [{"deep": (minigrad.ones(2), 1.5)}],
    }
    minigrad.save(original, tmp_path / "other.npz")
    loaded = minigrad.load(tmp_path / "other.npz")
    for key in ["float64", "int64", "bool", "scalar"]:
        assert_tensor_equal(loaded[key], original[key])
    assert isinstance(loaded["array"], np.ndarray) and loaded["array"].dtype == np.int32
    np.testing.assert_array_equal(loaded["array"], original["array"])
    assert loaded["none"] is None and loaded["flag"] is True and loaded[7] == "integer key"
    deep_tensor, deep_number = loaded["nested"][0]["deep"]
    assert_tensor_equal(deep_tensor, original["nested"][0]["deep"][0])
    assert deep_number == 1.5


def test_a_single_tensor_round_trips(tmp_path):
    original = minigrad.randn(3, 2)
    minigrad.save(original, tmp_path / "t.npz")
    assert_tensor_equal(minigrad.load(tmp_path / "t.npz"), original)


def test_optimizer_state_survives_a_checkpoint(tmp_path):
    rng = np.random.default_rng(3)
    params = [minigrad.tensor(rng.standard_normal((2, 2)), requires_grad=True)]
    grads = [rng.standard_normal((2, 2)) for _ in range(3)]
    optimizer = minigrad.optim.Adam(params, lr=0.1, betas=(0.8, 0.9))

    def step(opt, ps, g):
        ps[0].grad = minigrad.tensor(g)
        opt.step()
    step(optimizer, params, grads[0])
    minigrad.save({"optimizer": optimizer.state_dict(), "param": params[0]}, tmp_path / "opt.npz")
    loaded = minigrad.load(tmp_path / "opt.npz")
    restored_params = [minigrad.tensor(loaded["param"].numpy(), requires_grad=True)]
    restored = minigrad.optim.Adam(restored_params)
    restored.load_state_dict(loaded["optimizer"])
    for g in grads[1:]:
        step(optimizer, params, g)
        step(restored, restored_params, g)
        np.testing.assert_array_equal(host(restored_params[0]), host(params[0]))


@pytest.mark.parametrize("device", ["cpu", "strict"])
def test_map_location_puts_tensors_on_the_named_device(tmp_path, device):
    path = saved_checkpoint(tmp_path)
    loaded = minigrad.load(path, map_location=device)
    for name, value in loaded["model"].items():
        assert value.device == device, name
    np.testing.assert_array_equal(host(loaded["model"]["0.weight"]),
                                  host(minigrad.load(path, map_location="cpu")["model"]["0.weight"]))


def test_load_defaults_to_the_default_device(tmp_path):
    loaded = minigrad.load(saved_checkpoint(tmp_path))
    assert loaded["model"]["0.bias"].device == minigrad.get_default_device()


# --- the file format ---------------------------------------------------------------------------------------
def test_file_is_a_plain_npz_with_readable_array_names(tmp_path):
    original = checkpoint()
    path = tmp_path / "ckpt.npz"
    minigrad.save(original, path)
    with np.load(path, allow_pickle=False) as archive:
        for name, value in original["model"].items():
            np.testing.assert_array_equal(archive[f"model/{name}"], host(value))
        assert all(archive[name].dtype != object for name in archive.files)


def test_save_writes_exactly_the_named_file(tmp_path):
    minigrad.save({"a": minigrad.ones(2)}, tmp_path / "weights.ckpt")
    assert os.listdir(tmp_path) == ["weights.ckpt"]


# --- refusing files ----------------------------------------------------------------------------------------
UNPICKLED = []


def _record_unpickling():
    UNPICKLED.append(True)
    return "unpickled"


class Payload:
    """Pickles to a call of _record_unpickling: if load ever unpickled, the test would see it."""

    def __reduce__(self):
        return (_record_unpickling, ())


def object_array():
    array = np.empty(1, dtype=object)
    array[0] = Payload()
    return array


def checkpoint_with_extra_object_array(path):
    minigrad.save({"w": minigrad.ones(2)}, path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    np.savez(path, **arrays, evil=object_array())


def checkpoint_with_object_structure(path):
    np.savez(path, __minigrad_structure__=object_array())


@pytest.mark.parametrize("make", [checkpoint_with_extra_object_array, checkpoint_with_object_structure],
                         ids=["extra-array", "structure"])
def test_object_arrays_are_refused_without_unpickling(tmp_path, make):
    path = tmp_path / "evil.npz"
    make(path)
    UNPICKLED.clear()
    with pytest.raises(ValueError, match="pickle"):
        minigrad.load(path)
    assert UNPICKLED == []


def test_npz_of_only_object_arrays_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, object_array())
    UNPICKLED.clear()
    with pytest.raises(ValueError):
        minigrad.load(path)
    assert UNPICKLED == []


def test_npz_that_is_not_a_checkpoint_is_refused(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, weights=np.arange(3.0))
    with pytest.raises(ValueError, match="checkpoint"):
        minigrad.load(path)


def test_checkpoint_of_another_format_version_is_refused(tmp_path):
    path = tmp_path / "future.npz"
    np.savez(path, __minigrad_structure__=np.array(json.dumps({"format": 99, "root": None})))
    with pytest.raises(ValueError, match="99"):
        minigrad.load(path)


def test_file_that_is_not_npz_is_refused_for_what_it_is(tmp_path):
    path = tmp_path / "garbage.bin"
    path.write_bytes(b"this is not a zip archive")
    with pytest.raises(ValueError) as caught:
        minigrad.load(path)
    # a text file holds no Python objects: the message must not send the user looking for object arrays
    assert "object arrays" not in str(caught.value)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        minigrad.load(tmp_path / "absent.npz")


# --- atomic writes -----------------------------------------------------------------------------------------
def failing_save_npz(exception):
    def save_npz(file, arrays):
        file.write(b"PK\x03\x04 half a zip archive")
        raise exception
    return save_npz


@pytest.mark.parametrize("exception", [OSError("disk full"), KeyboardInterrupt()], ids=["oserror", "interrupt"])
def test_failed_save_leaves_the_previous_file_intact_and_no_temporary_files(tmp_path, monkeypatch, exception):
    path = saved_checkpoint(tmp_path)
    before = path.read_bytes()
    monkeypatch.setattr(backend, "save_npz", failing_save_npz(exception))
    with pytest.raises(type(exception)):
        minigrad.save({"other": minigrad.zeros(5)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [path.name]
    monkeypatch.undo()
    assert minigrad.load(path)["epoch"] == 3


def test_failed_first_save_creates_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(backend, "save_npz", failing_save_npz(OSError("disk full")))
    with pytest.raises(OSError):
        minigrad.save({"w": minigrad.ones(2)}, tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("obj", [
    {1, 2}, object(), {"fn": len}, {(1, 2): minigrad.ones(1)}, {"bad": np.array(["text"])},
    {"objects": np.array([None, 1], dtype=object)}, [1 + 2j],
], ids=["set", "object", "function", "tuple-key", "string-array", "object-array", "complex"])
def test_unsupported_objects_raise_type_error_and_write_nothing(tmp_path, obj):
    with pytest.raises(TypeError):
        minigrad.save(obj, tmp_path / "bad.npz")
    assert os.listdir(tmp_path) == []


# --- names that could collide, damaged files, errors that name the target, permissions -----------------------
@pytest.mark.parametrize("obj", [{"a/b": 1, "a": {"b": 2}}, {0: 1, "0": 2}, {"#0": 1, 0: 2}, {"%2F": 1, "/": 2}],
                         ids=["slash", "int-vs-str", "hash", "percent"])
def test_keys_whose_archive_names_used_to_collide_both_survive(tmp_path, obj):
    def tensors(node):
        return {k: tensors(v) if isinstance(v, dict) else minigrad.tensor([float(v)]) for k, v in node.items()}
    path = tmp_path / "checkpoint.npz"
    minigrad.save(tensors(obj), path)
    loaded = minigrad.load(path)

    def values(node):
        return {k: values(v) if isinstance(v, dict) else int(v.item()) for k, v in node.items()}
    assert values(loaded) == obj
    assert len(np.load(path).files) == 3  # two arrays and the structure


def test_a_damaged_structure_names_the_file(tmp_path):
    path = tmp_path / "damaged.npz"
    np.savez(path, __minigrad_structure__=json.dumps({"format": 1, "root": {"$tensor": "missing", "is_tensor": 1}}))
    with pytest.raises(ValueError, match="damaged.npz is a damaged minigrad checkpoint"):
        minigrad.load(path)
    np.savez(path, __minigrad_structure__="{not json")
    with pytest.raises(ValueError, match="damaged.npz is a damaged minigrad checkpoint"):
        minigrad.load(path)


def test_a_failed_save_names_the_target_not_the_temporary_file(tmp_path):
    target = tmp_path / "no such folder" / "model.npz"
    with pytest.raises(FileNotFoundError, match=f"save: cannot write {target}"):
        minigrad.save({"w": minigrad.ones(2)}, target)


def test_new_files_get_the_umask_permissions_and_old_files_keep_theirs(tmp_path):
    previous = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.npz"
        minigrad.save(minigrad.ones(2), fresh)
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.npz"
        minigrad.save(minigrad.ones(2), kept)
        os.chmod(kept, 0o640)
        minigrad.save(minigrad.zeros(2), kept)
        assert kept.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(previous)


def test_file_objects_and_torchs_load_keywords(tmp_path):
    import io as io_module
    buffer = io_module.BytesIO()
    minigrad.save({"w": minigrad.arange(3.0)}, buffer)
    buffer.seek(0)
    loaded = minigrad.load(buffer, map_location=lambda storage, location: storage, weights_only=True)
    assert loaded["w"].tolist() == [0.0, 1.0, 2.0] and loaded["w"].device == "cpu"
    with open(tmp_path / "w.npz", "wb") as file:
        minigrad.save(minigrad.ones(2), file)
    with open(tmp_path / "w.npz", "rb") as file:
        assert minigrad.load(file, map_location={"cuda:0": "cpu"}).tolist() == [1.0, 1.0]


def test_saving_a_whole_module_says_to_save_its_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"save model.state_dict\(\)"):
        minigrad.save(minigrad.nn.Linear(2, 2), tmp_path / "model.npz")
