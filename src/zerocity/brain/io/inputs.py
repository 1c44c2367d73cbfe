"""Reading the small CSV inputs of the input-output models: emissions, GPC mappings, employment.

Every reader validates all rows and raises one :class:`~zerocity.errors.InvalidRecordsError`
listing every bad cell (data rows count from 1, the header is row 0).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zerocity.brain.io.footprint import DirectEmissions, direct_emissions_from_inventory
from zerocity.brain.io.table import IOTable
from zerocity.errors import InvalidRecordsError, RecordIssue

__all__ = ["read_emissions", "read_employment", "read_gpc_mapping", "read_inventory_json"]


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            frame = pd.read_excel(path, dtype=str).fillna("")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise InvalidRecordsError(str(path), [RecordIssue(0, "file", f"cannot read: {exc}")]) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _numbers(frame: pd.DataFrame, column: str, issues: list[RecordIssue], *, minimum: float | None = 0.0) -> np.ndarray:
    out = np.zeros(len(frame))
    for i, v in enumerate(frame[column]):
        try:
            out[i] = float(str(v).replace(",", ""))
        except ValueError:
            issues.append(RecordIssue(i + 1, column, "expected a number", str(v)))
            continue
        if not np.isfinite(out[i]) or (minimum is not None and out[i] < minimum):
            issues.append(RecordIssue(i + 1, column, f"expected a finite number >= {minimum}", str(v)))
    return out


def _require(frame: pd.DataFrame, columns: tuple[str, ...], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidRecordsError(
            source, [RecordIssue(0, c, f"column missing; found {list(frame.columns)}") for c in missing]
        )


def read_gpc_mapping(path: str | Path) -> pd.DataFrame:
    """A GPC-to-IO mapping: columns ``gpc``, ``sector`` and optional ``share`` (default 1).

    ``gpc`` is a GPC reference number or a prefix of one (``I.3``, ``II``); ``sector`` an IO
    sector, a final-demand category (household direct emissions) or ``exclude``.

    Returns
    -------
    pandas.DataFrame
        ``gpc``, ``sector``, ``share`` [unitless].
    """
    p = Path(path)
    frame = _read_csv(p)
    _require(frame, ("gpc", "sector"), str(p))
    issues: list[RecordIssue] = []
    share = _numbers(frame, "share", issues) if "share" in frame.columns else np.ones(len(frame))
    for i, (g, s) in enumerate(zip(frame["gpc"], frame["sector"], strict=True)):
        if not str(g).strip():
            issues.append(RecordIssue(i + 1, "gpc", "empty GPC reference"))
        if not str(s).strip():
            issues.append(RecordIssue(i + 1, "sector", "empty target sector"))
    if issues:
        raise InvalidRecordsError(str(p), issues)
    return pd.DataFrame({"gpc": frame["gpc"].str.strip(), "sector": frame["sector"].str.strip(), "share": share})


def read_inventory_json(path: str | Path) -> dict[str, Any]:
    """The JSON of ``zerocity inventory compute --json`` (its ``by_gpc_ref`` is used)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidRecordsError(str(p), [RecordIssue(0, "file", f"cannot read JSON: {exc}")]) from exc
    if not isinstance(data, dict) or "by_gpc_ref" not in data:
        raise InvalidRecordsError(
            str(p), [RecordIssue(0, "by_gpc_ref", "expected the JSON of `zerocity inventory compute --json`")]
        )
    return data


def read_emissions(path: str | Path, table: IOTable, mapping: pd.DataFrame | None = None) -> DirectEmissions:
    """Direct emissions from a CSV: by IO sector, or by GPC reference number with a mapping.

    Two layouts:

    * ``sector`` and ``tco2e`` [t CO2e] (or ``emissions`` [the table's emission unit]): one row per
      IO sector (every sector of the table); rows naming a final-demand category are households'
      direct emissions;
    * ``gpc_ref`` and ``tco2e`` [t CO2e], with ``mapping`` (:func:`read_gpc_mapping`).

    Returns
    -------
    DirectEmissions
        In the table's emission unit.
    """
    p = Path(path)
    frame = _read_csv(p)
    value_col = "tco2e" if "tco2e" in frame.columns else "emissions"
    if "gpc_ref" in frame.columns:
        _require(frame, ("gpc_ref", "tco2e"), str(p))
        issues: list[RecordIssue] = []
        values = _numbers(frame, "tco2e", issues, minimum=None)
        if issues:
            raise InvalidRecordsError(str(p), issues)
        if mapping is None:
            raise InvalidRecordsError(
                str(p),
                [RecordIssue(0, "gpc_ref", "emissions by GPC reference need a mapping to IO sectors (--mapping)")],
            )
        by_ref: dict[str, float] = {}
        for ref, v in zip(frame["gpc_ref"].str.strip(), values, strict=True):
            by_ref[ref] = by_ref.get(ref, 0.0) + float(v)
        return direct_emissions_from_inventory(by_ref, mapping, table, source=str(p))
    _require(frame, ("sector", value_col), str(p))
    issues = []
    values = _numbers(frame, value_col, issues)
    scale = 1.0 / table.emission_scale if value_col == "tco2e" else 1.0
    by_sector = pd.Series(np.nan, index=list(table.sectors))
    final = pd.Series(0.0, index=list(table.final_demand.columns))
    for i, (s, v) in enumerate(zip(frame["sector"].str.strip(), values, strict=True)):
        if s in by_sector.index:
            if not np.isnan(by_sector[s]):
                issues.append(RecordIssue(i + 1, "sector", "sector listed twice", s))
            by_sector[s] = v * scale
        elif s in final.index:
            final[s] += v * scale
        else:
            issues.append(RecordIssue(i + 1, "sector", f"not a sector or final-demand category of {table.name!r}", s))
    missing = [s for s, v in by_sector.items() if np.isnan(v)]
    if missing:
        issues.append(RecordIssue(0, "sector", f"no row for sectors {missing} (write 0 for none)"))
    if issues:
        raise InvalidRecordsError(str(p), issues)
    alloc = pd.DataFrame(columns=["gpc_ref", "key", "target", "share", "tco2e"])
    return DirectEmissions(by_sector=by_sector, final=final, allocation=alloc, skipped={})


def read_employment(path: str | Path, table: IOTable) -> pd.DataFrame:
    """Employment by sector for downscaling: columns ``sector``, ``city``, ``province`` [persons].

    Returns
    -------
    pandas.DataFrame
        Indexed by sector (every sector of the table), columns ``city`` and ``province``.
    """
    p = Path(path)
    frame = _read_csv(p)
    _require(frame, ("sector", "city", "province"), str(p))
    issues: list[RecordIssue] = []
    city = _numbers(frame, "city", issues)
    prov = _numbers(frame, "province", issues)
    sectors = frame["sector"].str.strip()
    for i, s in enumerate(sectors):
        if s not in table.sectors:
            issues.append(RecordIssue(i + 1, "sector", f"not a sector of {table.name!r}", s))
        elif list(sectors[:i]).count(s):
            issues.append(RecordIssue(i + 1, "sector", "sector listed twice", s))
        elif city[i] > prov[i]:
            issues.append(RecordIssue(i + 1, "city", f"city employment exceeds provincial employment {prov[i]:g}"))
    missing = [s for s in table.sectors if s not in set(sectors)]
    if missing:
        issues.append(RecordIssue(0, "sector", f"no row for sectors {missing}"))
    if issues:
        raise InvalidRecordsError(str(p), issues)
    return pd.DataFrame({"city": city, "province": prov}, index=pd.Index(sectors, name="sector")).loc[
        list(table.sectors)
    ]
