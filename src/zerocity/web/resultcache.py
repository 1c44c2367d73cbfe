"""Slow dashboard results, computed once per version of their inputs and kept in memory and on disk.

The Brain page's forecasts, the energy plan's Pareto front and the roofs' PV potential take
seconds to compute, and depend only on a tenant's inputs (its stored inventory, the verified
enterprise versions, the profile's statistics and models, the roof table). :func:`input_digest`
hashes exactly those inputs, together with :data:`CACHE_VERSION` and the package version, and
:func:`cached_result` returns the result of a digest:

1. from memory (a process keeps the last :data:`MAX_MEMORY` results);
2. else from ``<data dir>/web/<slug>/cache/<kind>-<digest>.json`` (a restart does not recompute);
3. else computed, once however many requests ask at the same time (a lock per digest), written
   there atomically, and kept.

New inputs give a new digest, so a changed input is never answered with an old result; when a
result is written, the older files of the same kind are removed. Results are plain data (dicts,
lists, numbers, strings and :class:`pandas.DataFrame` with a default index), written as JSON;
frames keep their column order and dtypes of numbers, text and booleans.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zerocity import __version__
from zerocity.jsonio import jsonable
from zerocity.service.tenancy import validate_slug

__all__ = [
    "CACHE_VERSION",
    "MAX_MEMORY",
    "cache_folder",
    "cached_result",
    "clear_memory",
    "decode",
    "encode",
    "input_digest",
]

logger = logging.getLogger(__name__)

#: Layout version of the cached results: raise it when a result's fields change.
CACHE_VERSION = 1
#: Results kept in memory per process (a zerocity choice: a few kinds x a few tenants).
MAX_MEMORY = 64

_FRAME = "__frame__"
_LOCK = threading.Lock()
_MEMORY: OrderedDict[tuple[str, str], Any] = OrderedDict()
_KEY_LOCKS: dict[tuple[str, str], threading.Lock] = {}


def cache_folder(data_dir: Path | str, slug: str) -> Path:
    """The folder of a tenant's cached results: ``<data dir>/web/<slug>/cache``."""
    return Path(data_dir) / "web" / validate_slug(slug) / "cache"


def input_digest(kind: str, inputs: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a result's kind and inputs, the cache layout and the package version.

    Parameters
    ----------
    kind : str
        What is computed (``brain``, ``actions``, ``pv``...).
    inputs : mapping
        Everything the result depends on, as JSON-able data (frames as records). Keys are sorted,
        NaN becomes null (:func:`zerocity.jsonio.jsonable`).
    """
    doc = {"kind": kind, "cache": CACHE_VERSION, "zerocity": __version__, "inputs": jsonable(dict(inputs))}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encode(value: Any) -> Any:
    """``value`` as JSON data: frames become ``{"__frame__": {"columns": [...], "data": {...}}}``.

    Raises
    ------
    ValueError
        A frame with an index other than the default one (reset it first), or with duplicate
        column names.
    """
    if isinstance(value, pd.DataFrame):
        if not isinstance(value.index, pd.RangeIndex) or value.index.start != 0 or value.index.step != 1:
            raise ValueError("encode: reset the frame's index first (only a default index is kept)")
        columns = [str(c) for c in value.columns]
        if len(set(columns)) != len(columns):
            raise ValueError(f"encode: duplicate column names {columns}")
        data = {str(c): [encode(v) for v in value[c].tolist()] for c in value.columns}
        return {_FRAME: {"columns": columns, "data": data}}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, np.ndarray):
        return [encode(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"encode: cannot store a {type(value).__name__} (plain data and DataFrames only)")


def decode(value: Any) -> Any:
    """The inverse of :func:`encode` (lists stay lists: tuples come back as lists)."""
    if isinstance(value, dict):
        if set(value) == {_FRAME}:
            spec = value[_FRAME]
            return pd.DataFrame({c: spec["data"][c] for c in spec["columns"]}, columns=spec["columns"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _remember(key: tuple[str, str], value: Any) -> None:
    with _LOCK:
        _MEMORY[key] = value
        _MEMORY.move_to_end(key)
        while len(_MEMORY) > MAX_MEMORY:
            _MEMORY.popitem(last=False)


def _recall(key: tuple[str, str]) -> tuple[bool, Any]:
    with _LOCK:
        if key in _MEMORY:
            _MEMORY.move_to_end(key)
            return True, _MEMORY[key]
    return False, None


def _read(path: Path) -> tuple[bool, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False, None
    except OSError as exc:
        logger.warning("cannot read the cached result %s: %s", path, exc)
        return False, None
    try:
        return True, decode(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        logger.warning("ignoring the unreadable cached result %s: %s", path, exc)
        return False, None


def _write(folder: Path, kind: str, digest: str, value: Any) -> None:
    """Write a result atomically and remove older results of the same kind (failures are logged)."""
    path = folder / f"{kind}-{digest}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{kind}-{digest}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps(encode(value), ensure_ascii=False, allow_nan=True), encoding="utf-8")
        tmp.replace(path)
        for old in folder.glob(f"{kind}-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("cannot write the cached result %s: %s", path, exc)


def cached_result(kind: str, digest: str, compute: Callable[[], Any], *, folder: Path | None = None) -> Any:
    """The result of ``digest``: from memory, else from ``folder``, else ``compute()`` (then stored).

    Parameters
    ----------
    kind : str
        Kind of result (a file name prefix: letters, digits, ``-`` and ``_``).
    digest : str
        :func:`input_digest` of its inputs.
    compute : callable
        Computes the result (plain data, see :func:`encode`) when it is not stored.
    folder : pathlib.Path, optional
        Where results are kept on disk (:func:`cache_folder`); None keeps them in memory only.

    Returns
    -------
    Any
        The result. A result found in memory is written to ``folder`` when it is not there yet.
    """
    if not kind.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"cached_result: kind {kind!r} may hold letters, digits, '-' and '_' only")
    key = (kind, digest)
    path = None if folder is None else folder / f"{kind}-{digest}.json"
    found, value = _recall(key)
    if found:
        if folder is not None and path is not None and not path.exists():
            _write(folder, kind, digest, value)
        return value
    with _LOCK:
        key_lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with key_lock:  # one computation per digest; the others wait for it and read its result
        found, value = _recall(key)
        if found:
            return value
        if path is not None:
            found, value = _read(path)
            if found:
                logger.info("%s result %s read from %s", kind, digest[:12], path)
                _remember(key, value)
                return value
        value = compute()
        if folder is not None:
            _write(folder, kind, digest, value)
        _remember(key, value)
    with _LOCK:
        _KEY_LOCKS.pop(key, None)
    return value


def clear_memory() -> None:
    """Forget the results kept in memory (the files stay)."""
    with _LOCK:
        _MEMORY.clear()
