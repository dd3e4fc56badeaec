"""Saving and loading: NumPy's .npz format, never pickle, and never a half-written file.

``save(obj, path)`` takes a Tensor, or dicts / lists / tuples of Tensors, arrays, numbers, strings and None (a
state_dict, or {'model': ..., 'optimizer': ..., 'epoch': 3}). Arrays go into the archive under readable names
(``np.load(path)['model/linear.weight']`` works); the structure around them goes in as JSON. The file is written
to a temporary name in the same folder and renamed over the target, so a crash mid-save leaves the previous
checkpoint intact. ``load`` reads with ``allow_pickle=False``: a file holding Python objects is refused.
"""

from __future__ import annotations

import json
import numbers
import os
import tempfile
import zipfile

from . import backend
from .tensor import Tensor

_STRUCTURE = "__minigrad_structure__"
_FORMAT = 1


def _encode(obj, path: str, arrays: dict):
    """The JSON-able description of ``obj``; its arrays are added to ``arrays`` under their path."""
    if isinstance(obj, Tensor) or backend.is_array(obj):
        array = backend.device_of(obj._array if isinstance(obj, Tensor) else obj).to_host(
            obj._array if isinstance(obj, Tensor) else obj)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"save: {path or 'the object'} has dtype {array.dtype}; expected numbers")
        name = path or "tensor"
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
        return {"$dict": [[key, _encode(value, f"{path}/{key}" if path else str(key), arrays)]
                          for key, value in obj.items()]}
    if isinstance(obj, (list, tuple)):
        items = [_encode(value, f"{path}/{i}" if path else str(i), arrays) for i, value in enumerate(obj)]
        return {"$tuple": items} if isinstance(obj, tuple) else items
    raise TypeError(f"save: cannot save {type(obj).__name__} at {path or 'the top'}; expected Tensors, arrays, "
                    "numbers, strings, None, and dicts/lists/tuples of them")


def _decode(node, arrays, device):
    if isinstance(node, list):
        return [_decode(item, arrays, device) for item in node]
    if not isinstance(node, dict):
        return node
    if "$tensor" in node:
        array = arrays[node["$tensor"]]
        return Tensor(array, device=device) if node["is_tensor"] else array
    if "$tuple" in node:
        return tuple(_decode(item, arrays, device) for item in node["$tuple"])
    return {key: _decode(value, arrays, device) for key, value in node["$dict"]}


def save(obj, path) -> None:
    """Write ``obj`` to ``path`` (.npz format, no pickle), atomically: the old file stays until the new one is
    complete."""
    arrays = {}
    structure = {"format": _FORMAT, "root": _encode(obj, "", arrays)}
    if _STRUCTURE in arrays:
        raise ValueError(f"save: the name {_STRUCTURE!r} is reserved")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            backend.save_npz(file, {**arrays, _STRUCTURE: json.dumps(structure)})
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def load(path, map_location=None):
    """Read what ``save`` wrote. Tensors are created on ``map_location`` (a device; default: the default device).

    Refuses files that need pickle (object arrays) and files that are not minigrad checkpoints.
    """
    device = backend.get_device(map_location)
    if os.path.exists(path) and not zipfile.is_zipfile(path):  # np.load would try to unpickle anything else
        raise ValueError(f"load: {path} is not a readable .npz file (not a zip archive)")
    try:
        with backend.load_npz(os.fspath(path)) as archive:
            if _STRUCTURE not in archive.files:
                raise ValueError(f"load: {path} is not a minigrad checkpoint (no {_STRUCTURE!r} entry); "
                                 f"it holds {sorted(archive.files)}")
            arrays = {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ValueError(f"load: {path} is not a readable .npz file: {error}") from None
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise ValueError(f"load: {path} holds Python objects (object arrays), which would need pickle to "
                             "read; minigrad never unpickles (a pickle can run arbitrary code)") from None
        raise
    structure = json.loads(str(arrays.pop(_STRUCTURE)))
    if structure.get("format") != _FORMAT:
        raise ValueError(f"load: {path} has checkpoint format {structure.get('format')}; expected {_FORMAT}")
    return _decode(structure["root"], arrays, device)
