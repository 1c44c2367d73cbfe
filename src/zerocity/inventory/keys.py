"""Integer codes of composite keys, computed on categorical codes (no string hashed per row).

Records that share a key (activity, unit, region, year...) share a coefficient; the engine and
the sector methods resolve each distinct key once and broadcast the result with these codes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["key_codes"]


def _column_codes(series: pd.Series) -> tuple[np.ndarray, int, np.ndarray]:
    """Integer codes of a column, the offset to add, and the value of each shifted code.

    ``values[codes[i] + offset] == series[i]``; codes are returned as stored (categorical codes
    are int8/int16, -1 for missing) so that no copy is made here.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        values = np.concatenate([np.array([""], dtype=object), series.cat.categories.to_numpy(dtype=object)])
        return series.cat.codes.to_numpy(), 1, values
    if pd.api.types.is_integer_dtype(series) and len(series):
        # Years and other small integer ranges: the offset from the minimum is the code.
        ints = series.to_numpy()
        low, high = int(ints.min()), int(ints.max())
        if high - low < 10_000:
            return (ints - low).astype(np.int32), 0, np.arange(low, high + 1)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, 1, np.concatenate([np.array([None], dtype=object), np.asarray(uniques, dtype=object)])


def key_codes(df: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer code of each row's key, and the distinct keys (row ``k`` of the frame is code ``k``).

    Columns are combined by their integer codes (mixed radix); the distinct keys are found with a
    dense presence table when the code space is small (else ``numpy.unique``) and decoded back to
    values, so no string is hashed per row. O(n).
    """
    parts = [_column_codes(df[col]) for col in columns]
    space = 1
    for _, _, values in parts:
        space *= len(values)
    dtype = np.int32 if space < 2**31 else np.int64  # half the memory traffic when it fits
    combined: np.ndarray = np.zeros(len(df), dtype=dtype)
    shift = 0
    for codes, offset, values in parts:
        if len(values) > 1:  # a constant column adds nothing to the key
            combined *= len(values)
            combined += codes
            shift = shift * len(values) + offset
    if shift:
        combined += shift
    if space <= 50_000_000:
        present = np.zeros(space, dtype=bool)
        present[combined] = True
        distinct = np.flatnonzero(present)
        slot = np.cumsum(present, dtype=np.int64) - 1
        row_codes = slot[combined]
    else:
        distinct, row_codes = np.unique(combined, return_inverse=True)
    keys = {}
    rest = distinct.copy()
    for col, (_codes, _offset, values) in reversed(list(zip(columns, parts, strict=True))):
        if len(values) > 1:
            keys[col] = values[rest % len(values)]
            rest //= len(values)
        else:
            keys[col] = np.repeat(values[:1], len(distinct)) if len(df) else values[:0]
    frame = pd.DataFrame({col: keys[col] for col in columns})
    return row_codes, frame
