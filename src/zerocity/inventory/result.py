"""Inventory results: totals by level, breakdowns and the JSON contract other tools read.

Breakdowns are by gas, scope, GPC sector, sub-sector and reference number, entity, district and
year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zerocity.factors.gwp import GwpSet
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.gpc import Level, gpc_table, in_level

__all__ = ["InventoryResult"]


def _sum_by(frame: pd.DataFrame, column: str, value: str = "tco2e") -> dict[str, float]:
    if frame.empty:
        return {}
    grouped = frame.groupby(column, sort=True, observed=True)[value].sum()
    return {str(k): float(v) for k, v in grouped.items() if str(k) != ""}


@dataclass
class InventoryResult:
    """A computed inventory.

    Attributes
    ----------
    records : pandas.DataFrame
        The prepared input records (see :func:`zerocity.inventory.records.prepare_records`).
    emissions : pandas.DataFrame
        Long table, one row per (record, gas): ``pos``, ``gas``, ``tonnes`` [t gas],
        ``tco2e`` [t CO2e], ``biogenic``, ``factor_ids``, ``rel_uncertainty``, plus the record's
        ``row``, ``record_id``, ``year``, ``gpc_ref``, ``scope``, ``sector``, ``subsector``,
        ``level``, ``entity``, ``district``, ``activity``.
    gwp : GwpSet
    level : Level
        Level of ``total_tco2e``.
    region : str
        Default region of the computation.
    library : FactorLibrary
    factor_ids : set of str
    warnings : list of str
    uncertainty : dict, optional
        Set by :mod:`zerocity.inventory.uncertainty`.
    years : tuple of int
        Inventory years (an emission's ``year`` is the year it occurs, which for history methods
        such as landfill decay is not the year of the input row).
    """

    records: pd.DataFrame
    emissions: pd.DataFrame
    gwp: GwpSet
    level: Level
    region: str
    library: FactorLibrary
    factor_ids: set[str]
    warnings: list[str] = field(default_factory=list)
    uncertainty: dict[str, Any] | None = None
    years: tuple[int, ...] = ()

    # ---------------------------------------------------------------- totals
    def counted_mask(self, level: Level | str | None = None) -> np.ndarray:
        """Which emission rows count in a level's total (biogenic CO2 never counts)."""
        e = self.emissions
        return (in_level(e["level"], e["scope"], level or self.level) & ~e["biogenic"]).to_numpy()

    def counted(self, level: Level | str | None = None) -> pd.DataFrame:
        """Emission rows that count in a level's total (biogenic CO2 never counts)."""
        return self.emissions[self.counted_mask(level)]

    def total(self, level: Level | str | None = None) -> float:
        """Total of a reporting level [t CO2e]."""
        return float(self.emissions["tco2e"].to_numpy()[self.counted_mask(level)].sum())

    @property
    def total_tco2e(self) -> float:
        """Total of the result's level [t CO2e]."""
        return self.total()

    @property
    def biogenic_co2_t(self) -> float:
        """Biogenic CO2 memo item [t CO2]."""
        e = self.emissions
        return float(e.loc[e["biogenic"].to_numpy(dtype=bool), "tonnes"].sum())

    def record_totals(self) -> pd.DataFrame:
        """Per input record: ``tco2e`` (all gases, memo excluded) and tonnes of each gas."""
        e = self.emissions
        n = len(self.records)
        pos = e["pos"].to_numpy(dtype=np.int64)
        bio = e["biogenic"].to_numpy(dtype=bool)
        tonnes = e["tonnes"].to_numpy(dtype=float)
        out = pd.DataFrame(index=pd.RangeIndex(n))
        out["tco2e"] = np.bincount(pos[~bio], weights=e["tco2e"].to_numpy(dtype=float)[~bio], minlength=n)
        gas = e["gas"].astype("category")
        codes = gas.cat.codes.to_numpy()
        for i, g in enumerate(gas.cat.categories):
            m = (codes == i) & ~bio
            if m.any():
                out[str(g)] = np.bincount(pos[m], weights=tonnes[m], minlength=n)
        out["biogenic_co2_t"] = np.bincount(pos[bio], weights=tonnes[bio], minlength=n)
        return out

    # ---------------------------------------------------------------- contract
    def factors_used(self) -> list[dict[str, Any]]:
        """Every library record the result depends on, with its source."""
        out = []
        for fid in sorted(self.factor_ids):
            rec = self.library.get(fid)
            out.append(
                {
                    "factor_id": fid,
                    "dataset": rec.dataset,
                    "dataset_version": rec.dataset_version,
                    "parameter": str(rec.parameter),
                    "activity": rec.activity,
                    "gas": rec.gas or None,
                    "value": rec.value,
                    "unit": rec.unit.text,
                    "region": rec.region,
                    "source": rec.source,
                }
            )
        return out

    def by_gpc_ref(self) -> dict[str, dict[str, Any]]:
        """Per GPC reference number: scope, level, tCO2e, tonnes per gas, notation keys."""
        gpc = gpc_table()
        e = self.emissions[~self.emissions["biogenic"].to_numpy(dtype=bool)]
        out: dict[str, dict[str, Any]] = {}
        tco2e = e.groupby("gpc_ref")["tco2e"].sum()
        gases = e.groupby(["gpc_ref", "gas"])["tonnes"].sum()
        notations = (
            self.records[self.records["notation"] != ""].groupby("gpc_ref")["notation"].agg(lambda s: sorted(set(s)))
        )
        for ref in sorted(set(tco2e.index) | set(notations.index), key=_ref_sort_key):
            out[ref] = {
                "scope": int(gpc.at[ref, "scope"]),
                "level": gpc.at[ref, "level"],
                "tco2e": float(tco2e.get(ref, 0.0)),
                "gases": {g: float(v) for (r, g), v in gases.items() if r == ref},
                "notation": notations.get(ref),
            }
        return out

    def by_year(self) -> dict[str, dict[str, Any]]:
        """Per year: totals of each level and the breakdowns by scope and sector."""
        out = {}
        years = self.years or tuple(sorted({int(y) for y in self.emissions["year"].unique()}))
        for year in years:
            e = self.emissions[self.emissions["year"].to_numpy() == year]
            sub = InventoryResult(self.records, e, self.gwp, self.level, self.region, self.library, self.factor_ids)
            out[str(int(year))] = {
                "total_tco2e": sub.total(),
                "basic_tco2e": sub.total(Level.BASIC),
                "basic_plus_tco2e": sub.total(Level.BASIC_PLUS),
                "territorial_tco2e": sub.total(Level.TERRITORIAL),
                "by_scope": _sum_by(sub.counted(), "scope"),
                "by_sector": _sum_by(sub.counted(), "sector"),
            }
        return out

    def to_dict(self, *, include_records: bool = True) -> dict[str, Any]:
        """The JSON contract of ``zerocity inventory compute --json``."""
        counted = self.counted()
        gas_rows = self.emissions[~self.emissions["biogenic"].to_numpy(dtype=bool)]
        out: dict[str, Any] = {
            "gwp": self.gwp.value,
            "level": self.level.value,
            "region": self.region,
            "total_tco2e": float(counted["tco2e"].sum()),
            # Net of removals: gross emissions, removals (land sinks, V.2) and the net total.
            "gross_tco2e": float(counted["tco2e"].clip(lower=0.0).sum()),
            "removals_tco2e": float(-counted["tco2e"].clip(upper=0.0).sum()),
            "basic_tco2e": self.total(Level.BASIC),
            "basic_plus_tco2e": self.total(Level.BASIC_PLUS),
            "territorial_tco2e": self.total(Level.TERRITORIAL),
            "biogenic_co2_t": self.biogenic_co2_t,
            "by_gas": _sum_by(counted, "gas", "tonnes"),
            "by_gas_all_scopes": _sum_by(gas_rows, "gas", "tonnes"),
            "by_scope": _sum_by(counted, "scope"),
            "by_sector": _sum_by(counted, "sector"),
            "by_subsector": _sum_by(counted, "subsector"),
            "by_gpc_ref": self.by_gpc_ref(),
            "by_year": self.by_year(),
            "by_entity": _sum_by(counted, "entity"),
            "by_district": _sum_by(counted, "district"),
            "datasets": self.library.dataset_versions(),
            "factors": self.factors_used(),
            "warnings": self.warnings,
            "uncertainty": self.uncertainty,
            "record_count": len(self.records),
        }
        if include_records:
            out["records"] = self.records_json()
        return out

    def record_factor_ids(self) -> np.ndarray:
        """Per record position: the ``;``-joined sorted ids of every factor its emissions used.

        Vectorised: each record's set of factor-id labels (categorical codes) is folded into one
        integer by mixed radix, so only the distinct combinations (a few per key) are joined in
        Python.
        """
        n = len(self.records)
        out = np.full(n, "", dtype=object)
        e = self.emissions
        if e.empty or n == 0:
            return out
        labels = e["factor_ids"].astype("category")
        names = [str(c) for c in labels.cat.categories]
        base = len(names) + 1
        codes = labels.cat.codes.to_numpy().astype(np.int64) + 1
        pos = e["pos"].to_numpy(dtype=np.int64)
        order = np.lexsort((codes, pos))
        pos_s, codes_s = pos[order], codes[order]
        starts = np.r_[True, pos_s[1:] != pos_s[:-1]]
        idx = np.arange(len(pos_s))
        slot = idx - np.maximum.accumulate(np.where(starts, idx, 0))
        width = int(slot.max()) + 1
        if base**width >= 2**62:  # too many labels per record to fold into one integer
            return self._record_factor_ids_slow(pos_s, codes_s, names)
        # Rows of one record are contiguous after the sort: sum their digits exactly in int64.
        digits = codes_s * base ** (width - 1 - slot)
        folded = np.zeros(n, dtype=np.int64)
        folded[pos_s[starts]] = np.add.reduceat(digits, np.flatnonzero(starts))
        combos, inverse = np.unique(folded, return_inverse=True)
        joined = []
        for combo in combos.tolist():
            parts: set[str] = set()
            while combo:
                combo, code = divmod(combo, base)
                if code:
                    parts.update(f for f in names[code - 1].split(";") if f)
            joined.append(";".join(sorted(parts)))
        return np.array(joined, dtype=object)[inverse]

    def _record_factor_ids_slow(self, pos_s: np.ndarray, codes_s: np.ndarray, names: list[str]) -> np.ndarray:
        out = np.full(len(self.records), "", dtype=object)
        groups: dict[int, set[str]] = {}
        for p, c in zip(pos_s.tolist(), codes_s.tolist(), strict=True):
            groups.setdefault(p, set()).update(f for f in names[c - 1].split(";") if f)
        for p, ids in groups.items():
            out[p] = ";".join(sorted(ids))
        return out

    def records_json(self) -> list[dict[str, Any]]:
        """One object per input record: ``record_id``, ``row``, ``tco2e``, ``gases``, ``factor_ids``.

        Columns are turned into Python lists once (text columns through their categories) and
        zipped: the only per-record work is building the dict itself.
        """
        totals = self.record_totals()
        gas_cols = [c for c in totals.columns if c not in {"tco2e", "biogenic_co2_t"}]
        rec = self.records

        def text(col: str, empty_as_none: bool = True) -> list[Any]:
            series = rec[col]
            if isinstance(series.dtype, pd.CategoricalDtype):
                cats = [(str(c) or None) if empty_as_none else str(c) for c in series.cat.categories]
                lookup = np.array([*cats, None], dtype=object)
                return lookup[series.cat.codes.to_numpy()].tolist()
            return [(str(v) or None) if empty_as_none else str(v) for v in series.tolist()]

        amount = rec["amount"].to_numpy(dtype=float)
        amounts: list[Any] = [None if math.isnan(a) else a for a in amount.tolist()]
        joined = self.record_factor_ids()
        factor_lists = {j: (j.split(";") if j else []) for j in set(joined.tolist())}
        gas_values = [totals[c].to_numpy().tolist() for c in gas_cols]
        gases = (
            [
                dict(zip(gas_cols, values, strict=True))
                if 0.0 not in values
                else {c: v for c, v in zip(gas_cols, values, strict=True) if v != 0.0}
                for values in zip(*gas_values, strict=True)
            ]
            if gas_cols
            else [{} for _ in range(len(rec))]
        )
        fields = zip(
            [str(v) for v in rec["record_id"].tolist()],
            rec["row"].to_numpy().tolist(),
            rec["year"].to_numpy().tolist(),
            text("gpc_ref", empty_as_none=False),
            text("activity"),
            text("notation"),
            text("entity"),
            text("district"),
            text("method", empty_as_none=False),
            amounts,
            text("unit"),
            totals["tco2e"].to_numpy().tolist(),
            gases,
            totals["biogenic_co2_t"].to_numpy().tolist(),
            joined.tolist(),
            strict=True,
        )
        out = [
            {
                "record_id": rid,
                "row": row,
                "year": year,
                "gpc_ref": ref,
                "activity": act,
                "notation": notation,
                "entity": entity,
                "district": district,
                "method": method,
                "amount": amt,
                "unit": unit,
                "tco2e": tco2e,
                "gases": gas,
                "biogenic_co2_t": bio,
                "factor_ids": factor_lists[ids],
            }
            for rid, row, year, ref, act, notation, entity, district, method, amt, unit, tco2e, gas, bio, ids in fields
        ]
        for pos, per_year in self.emission_years_of_history().items():
            out[pos]["emission_years"] = per_year
        return out

    def emission_years_of_history(self) -> dict[int, dict[str, float]]:
        """tCO2e by emission year of the records whose emissions fall in other years than their own.

        History methods (landfill decay) emit in later years than the row's deposit year; their
        records carry this breakdown in the JSON contract (``emission_years``) so that no
        consumer sums them under the deposit year.
        """
        e = self.emissions
        if e.empty:
            return {}
        pos = e["pos"].to_numpy(dtype=np.int64)
        own_year = self.records["year"].to_numpy(dtype=np.int64)[pos]
        other = e["year"].to_numpy(dtype=np.int64) != own_year
        other &= ~e["biogenic"].to_numpy(dtype=bool)
        if not other.any():
            return {}
        sums = (
            pd.DataFrame({"pos": pos[other], "year": e["year"].to_numpy()[other], "t": e["tco2e"].to_numpy()[other]})
            .groupby(["pos", "year"], sort=True)["t"]
            .sum()
        )
        out: dict[int, dict[str, float]] = {}
        for (p, y), v in sums.items():
            out.setdefault(int(p), {})[str(int(y))] = float(v)
        return out


def _ref_sort_key(ref: str) -> tuple[int, ...]:
    roman = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
    head, *rest = ref.split(".")
    return (roman.get(head, 9), *(int(x) for x in rest if x.isdigit()))


def attach_record_columns(emissions: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Copy the record attributes the aggregations need onto the emission rows.

    Categorical columns are gathered by their codes (no string is copied per row); ``record_id``
    stays on the records and is reached through ``pos``.
    """
    pos = emissions["pos"].to_numpy()
    columns: dict[str, object] = {name: emissions[name] for name in emissions.columns}
    for col in ("row", "year", "gpc_ref", "scope", "sector", "subsector", "level", "entity", "district", "activity"):
        if col in columns:  # e.g. the emission year of a history method
            continue
        source = records[col]
        if isinstance(source.dtype, pd.CategoricalDtype):
            columns[col] = pd.Categorical.from_codes(source.cat.codes.to_numpy()[pos], dtype=source.dtype)
        else:
            columns[col] = source.to_numpy()[pos]
    columns["scope"] = np.asarray(columns["scope"], dtype=float).astype(np.int64)
    return pd.DataFrame(columns)
