"""Standard JSON out of results: NaN/inf become null, numpy and pandas scalars plain Python.

Used by every shell (CLI output, JSON export) so that a result serialises one way.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["dumps", "finite", "jsonable"]


def finite(value: Any) -> float | None:
    """``value`` as a float, or None when missing, NaN or infinite."""
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def jsonable(obj: Any) -> Any:
    """A copy of ``obj`` with only JSON types: NaN/inf -> None, numpy scalars -> Python."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = sorted(obj, key=str) if isinstance(obj, set | frozenset) else obj
        return [jsonable(v) for v in items]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return finite(obj)
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    if obj is pd.NA or obj is pd.NaT:
        return None
    return str(obj)


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``data`` (UTF-8 characters kept, never ``NaN``).

    The fast path lets :mod:`json` encode plain data and only falls back to the full
    :func:`jsonable` copy when a NaN or infinity is present.
    """
    try:
        return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False, default=jsonable)
    except ValueError:  # NaN or infinity somewhere: write them as null
        return json.dumps(jsonable(data), ensure_ascii=False, indent=indent, allow_nan=False)
