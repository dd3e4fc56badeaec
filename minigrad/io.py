"""Saving and loading: NumPy's .npz format, never pickle, and never a half-written file.

``save(obj, f)`` takes a Tensor, or dicts / lists / tuples of Tensors, arrays, numbers, strings and None (a
state_dict, or {'model': ..., 'optimizer': ..., 'epoch': 3}). Arrays go into the archive under readable names
(``np.load(path)['model/linear.weight']`` works); the structure around them goes in as JSON. Names are made
unambiguous: a "/" inside a key is written %2F, and an integer key 0 is #0 (the string key "0" stays 0), so that
two different keys never share a name. Saving to a path writes a temporary file in the same folder and renames it
over the target, so a crash mid-save leaves the previous checkpoint intact; the new file gets the permissions any
new file gets (the umask), or the old file's. ``load`` reads with ``allow_pickle=False``: a file holding Python
objects is refused, and whole modules are never pickled (save ``model.state_dict()`` instead).
"""

from __future__ import annotations

import io
import json
import numbers
import os
import tempfile
import zipfile

from . import backend
from .tensor import Tensor

_STRUCTURE = "__minigrad_structure__"
_FORMAT = 1


def _name(key) -> str:
    """One key of a dict as one component of an archive name: unambiguous and free of "/"."""
    if isinstance(key, int):
        return f"#{key}"
    return key.replace("%", "%25").replace("/", "%2F").replace("#", "%23")


def _encode(obj, path: str, arrays: dict):
    """The JSON-able description of ``obj``; its arrays are added to ``arrays`` under their path."""
    if isinstance(obj, Tensor) or backend.is_array(obj):
        array = obj._array if isinstance(obj, Tensor) else obj
        array = backend.device_of(array).to_host(array)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"save: {path or 'the object'} has dtype {array.dtype}; expected numbers")
        name = path or "tensor"
        if name == _STRUCTURE:
            raise ValueError(f"save: the name {_STRUCTURE!r} is reserved")
        arrays[name] = array
        return {"$tensor": name, "is_tensor": isinstance(obj, Tensor)}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        return float(obj)
    if isinstance(obj, dict):
        for key in obj:
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise TypeError(f"save: dictionary keys must be str or int, got {key!r} at {path or 'the top'}")
        return {"$dict": [[key, _encode(value, f"{path}/{_name(key)}" if path else _name(key), arrays)]
                          for key, value in obj.items()]}
    if isinstance(obj, (list, tuple)):
        items = [_encode(value, f"{path}/{i}" if path else str(i), arrays) for i, value in enumerate(obj)]
        return {"$tuple": items} if isinstance(obj, tuple) else items
    if hasattr(obj, "state_dict") and hasattr(obj, "parameters"):
        raise TypeError(f"save: cannot save a whole {type(obj).__name__} module (that would need pickle, which "
                        "minigrad never uses); save model.state_dict() and restore it with "
                        "model.load_state_dict(minigrad.load(f))")
    raise TypeError(f"save: cannot save {type(obj).__name__} at {path or 'the top'}; expected Tensors, arrays, "
                    "numbers, strings, None, and dicts/lists/tuples of them")


def _decode(node, arrays, device):
    if isinstance(node, list):
        return [_decode(item, arrays, device) for item in node]
    if not isinstance(node, dict):
        return node
    if "$tensor" in node:
        array = arrays[node["$tensor"]]
        return Tensor._from_data(array, device=device) if node["is_tensor"] else array
    if "$tuple" in node:
        return tuple(_decode(item, arrays, device) for item in node["$tuple"])
    return {key: _decode(value, arrays, device) for key, value in node["$dict"]}


def save(obj, f) -> None:
    """Write ``obj`` to ``f``, a path or a binary file object (.npz format, no pickle). To a path the write is
    atomic: the old file stays until the new one is complete."""
    arrays = {}
    structure = {"format": _FORMAT, "root": _encode(obj, "", arrays)}
    contents = {**arrays, _STRUCTURE: json.dumps(structure)}
    if hasattr(f, "write"):
        backend.save_npz(f, contents)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    except OSError as error:
        raise type(error)(error.errno, f"save: cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            backend.save_npz(file, contents)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException as error:
        os.unlink(temporary)
        if isinstance(error, OSError):
            raise type(error)(error.errno, f"save: cannot write {path}: {error.strerror}") from None
        raise


def _mode_for(path: str) -> int:
    """The permissions the new file gets: the old file's, or what a newly created file gets (0666 less the
    umask), as np.savez's own open() would give; a temporary file starts at 0600."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def load(f, map_location=None, weights_only=None):
    """Read what ``save`` wrote, from a path or a binary file object.

    Tensors are created on ``map_location``: a device or its name, None for the default device, a {from: to}
    dict (its target is used), or a function (torch's ``lambda storage, loc: storage``, meaning "where it was
    saved": the host, so cpu). ``weights_only`` is accepted for torch's sake and changes nothing: minigrad's
    checkpoints hold only numbers and never unpickle. A file that needs pickle, is not a minigrad checkpoint or is
    damaged is refused with an error naming it.
    """
    device = _target_device(map_location)
    name = getattr(f, "name", None) or (f if not hasattr(f, "read") else "the file object")
    if hasattr(f, "read"):
        f = io.BytesIO(f.read())  # np.load needs to seek
    elif os.path.exists(f) and not zipfile.is_zipfile(f):  # np.load would try to unpickle anything else
        raise ValueError(f"load: {name} is not a readable .npz file (not a zip archive)")
    try:
        with backend.load_npz(f if hasattr(f, "read") else os.fspath(f)) as archive:
            if _STRUCTURE not in archive.files:
                raise ValueError(f"load: {name} is not a minigrad checkpoint (no {_STRUCTURE!r} entry); "
                                 f"it holds {sorted(archive.files)}")
            arrays = {entry: archive[entry] for entry in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ValueError(f"load: {name} is not a readable .npz file: {error}") from None
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise ValueError(f"load: {name} holds Python objects (object arrays), which would need pickle to "
                             "read; minigrad never unpickles (a pickle can run arbitrary code)") from None
        raise
    try:
        structure = json.loads(str(arrays.pop(_STRUCTURE)))
        if structure.get("format") != _FORMAT:
            raise ValueError(f"load: {name} has checkpoint format {structure.get('format')}; expected {_FORMAT}")
        return _decode(structure["root"], arrays, device)
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"load: {name} is a damaged minigrad checkpoint: its structure does not match its "
                         f"arrays ({type(error).__name__}: {error})") from None


def _target_device(map_location):
    if isinstance(map_location, dict):
        map_location = next(iter(map_location.values()), None)
    elif callable(map_location) and not isinstance(map_location, (str, backend.Device)):
        map_location = "cpu"
    return backend.get_device(map_location)
