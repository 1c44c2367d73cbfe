"""Building actions: benchmarking, life-cycle carbon and retrofit plans ("one building, one policy").

Three calculations over a table of buildings (one row per building):

* :func:`benchmark` - non-heating energy-use intensity against the constraint and guide values of
  GB/T 51161-2016 (or a user table), the ratio to the constraint value, a grade, operational carbon
  per m2 and a ranking of the city's buildings.
* :func:`lifecycle` - life-cycle carbon by stage following GB/T 51366-2019: materials (quantity x
  embodied factor, Appendix D), their transport (t x km x factor, Appendix E), construction,
  operation over the life and demolition (energy by carrier x the factor library).
* :func:`retrofit_plan` - savings, cost per t CO2e (capex annualised with the capital recovery
  factor) and payback of retrofit measures, ranked per building; stacked measures act
  multiplicatively in rank order.

Operational emissions come from the factor library through
:func:`zerocity.inventory.unit_factors.unit_emissions` (one unit of grid electricity, natural gas
and purchased heat pushed through the inventory engine for the region and year), so the factor ids
reported are the inventory's own.

References
----------
.. [1] MOHURD, GB/T 51161-2016 民用建筑能耗标准 (Standard for energy consumption of building).
.. [2] MOHURD, GB/T 51366-2019 建筑碳排放计算标准 (Standard for building carbon emission calculation),
   chapters 4 (operation), 5 (construction and demolition), 6 (materials and their transport),
   Appendix D Table D.0.1, Appendix E Table E.0.1.
.. [3] MOHURD, GB 50068-2018 建筑结构可靠性设计统一标准: design working life of ordinary buildings 50 years.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zerocity.errors import FactorNotFoundError, InvalidRecordsError, RecordIssue, UnitError, ZerocityError
from zerocity.factors.convert import convert_quantity
from zerocity.factors.library import FactorLibrary, default_library
from zerocity.finance import crf
from zerocity.inventory.unit_factors import unit_emissions
from zerocity.tables import read_table
from zerocity.units import parse_unit

__all__ = [
    "DEFAULT_LIFE_YEARS",
    "ActionInputError",
    "BenchmarkGrade",
    "BenchmarkResult",
    "BuildingClass",
    "Carrier",
    "CarrierFactor",
    "ClimateZone",
    "LifecycleInput",
    "LifecycleResult",
    "Measure",
    "MeasureCatalogue",
    "RetrofitResult",
    "benchmark",
    "capital_recovery_factor",
    "demo_buildings",
    "lifecycle",
    "load_benchmarks",
    "load_lifecycle",
    "load_materials",
    "load_measures",
    "load_transport_modes",
    "operation_factors",
    "read_buildings",
    "retrofit_plan",
]

log = logging.getLogger(__name__)

#: Design working life of ordinary buildings [a], GB 50068-2018 (used when none is given).
DEFAULT_LIFE_YEARS = 50


class ActionInputError(ZerocityError, ValueError):
    """Bad input to an action model (file, field and what was expected in the message)."""

    code = "action_input"


class ClimateZone(StrEnum):
    """Building climate zones of GB 50176 (the zones GB/T 51161-2016 tabulates)."""

    SEVERE_COLD = "severe_cold"
    COLD = "cold"
    HOT_SUMMER_COLD_WINTER = "hot_summer_cold_winter"
    HOT_SUMMER_WARM_WINTER = "hot_summer_warm_winter"
    TEMPERATE = "temperate"

    @property
    def benchmark_zone(self) -> str:
        """Zone column of the GB/T 51161-2016 tables (severe cold and cold share one column)."""
        if self in (ClimateZone.SEVERE_COLD, ClimateZone.COLD):
            return "severe_cold_cold"
        return str(self.value)


_ZONE_ALIASES = {
    "严寒": ClimateZone.SEVERE_COLD,
    "严寒地区": ClimateZone.SEVERE_COLD,
    "寒冷": ClimateZone.COLD,
    "寒冷地区": ClimateZone.COLD,
    "夏热冬冷": ClimateZone.HOT_SUMMER_COLD_WINTER,
    "夏热冬冷地区": ClimateZone.HOT_SUMMER_COLD_WINTER,
    "夏热冬暖": ClimateZone.HOT_SUMMER_WARM_WINTER,
    "夏热冬暖地区": ClimateZone.HOT_SUMMER_WARM_WINTER,
    "温和": ClimateZone.TEMPERATE,
    "温和地区": ClimateZone.TEMPERATE,
}
_BENCHMARK_ZONES = {"severe_cold_cold", "hot_summer_cold_winter", "hot_summer_warm_winter", "temperate"}


class BuildingClass(StrEnum):
    """GB/T 51161-2016 classes: A naturally ventilated (openable windows), B sealed with central HVAC."""

    A = "A"
    B = "B"


class BenchmarkGrade(StrEnum):
    """Position of a building's intensity against the guide and constraint values."""

    BETTER_THAN_GUIDE = "better_than_guide"
    WITHIN_CONSTRAINT = "within_constraint"
    EXCEEDS_CONSTRAINT = "exceeds_constraint"
    NO_BENCHMARK = "no_benchmark"


class Carrier(StrEnum):
    """Energy carriers of a building's operation."""

    ELECTRICITY = "electricity"
    GAS = "gas"
    HEAT = "heat"


# carrier -> (input column, unit, factor-library activity, GPC reference)
_CARRIERS: dict[Carrier, tuple[str, str, str, str]] = {
    Carrier.ELECTRICITY: ("electricity_kwh", "kWh", "electricity_grid", "I.2.2"),
    Carrier.GAS: ("gas_m3", "m3", "natural_gas", "I.2.1"),
    Carrier.HEAT: ("heat_gj", "GJ", "heat_purchased", "I.2.2"),
}


# --------------------------------------------------------------------------- shared helpers
def _data_text(name: str) -> str:
    return resources.files("zerocity.actions").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _data_csv(name: str) -> pd.DataFrame:
    with resources.files("zerocity.actions").joinpath(f"data/{name}").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def number_column(
    frame: pd.DataFrame,
    column: str,
    issues: list[RecordIssue],
    *,
    default: float | None = None,
    positive: bool = False,
    optional: bool = False,
) -> np.ndarray:
    """A numeric column as floats, with every bad cell added to ``issues``.

    Parameters
    ----------
    frame : pandas.DataFrame
    column : str
    issues : list of RecordIssue
        Problems found are appended (row 1 is the first data row).
    default : float, optional
        Value of a missing column or an empty cell; without it both are errors.
    positive : bool
        Require values > 0 (otherwise >= 0).
    optional : bool
        A missing column or an empty cell is NaN, not an error.

    Returns
    -------
    numpy.ndarray
        Values; NaN where a cell is invalid.
    """
    n = len(frame)
    if column not in frame.columns:
        if default is None and not optional:
            issues.append(RecordIssue(0, column, "required column missing"))
            return np.full(n, np.nan)
        return np.full(n, np.nan if default is None else float(default))
    raw = frame[column]
    text = raw.astype(str).str.strip()
    empty = raw.isna().to_numpy() | text.isin(["", "nan", "None", "<NA>"]).to_numpy()
    values = pd.to_numeric(raw.where(~empty), errors="coerce").to_numpy(dtype=float)
    if default is not None:
        values = np.where(empty, float(default), values)
    bad_cells = np.isnan(values) | ~np.isfinite(values)
    if optional:
        bad_cells &= ~empty
    for i in np.flatnonzero(bad_cells):
        what = "empty; a number is expected" if empty[i] else "not a number"
        issues.append(RecordIssue(int(i) + 1, column, what, "" if empty[i] else str(raw.iloc[i])))
    bad = (values <= 0) if positive else (values < 0)
    for i in np.flatnonzero(bad & np.isfinite(values)):
        issues.append(RecordIssue(int(i) + 1, column, "must be > 0" if positive else "must be >= 0", str(raw.iloc[i])))
    return values


def text_column(frame: pd.DataFrame, column: str, issues: list[RecordIssue], *, required: bool = True) -> pd.Series:
    """A text column stripped, empty cells as ``""``; empty required cells are issues."""
    if column not in frame.columns:
        if required:
            issues.append(RecordIssue(0, column, "required column missing"))
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    values = frame[column].astype(object).where(frame[column].notna(), "").astype(str).str.strip()
    values = values.where(~values.isin(["nan", "None", "<NA>"]), "")
    if required:
        for i in np.flatnonzero((values == "").to_numpy()):
            issues.append(RecordIssue(int(i) + 1, column, "empty; a value is expected"))
    return values


def capital_recovery_factor(rate: float, years: float) -> float:
    """Capital recovery factor [1/a].

    ``CRF = r (1 + r)^n / ((1 + r)^n - 1)``, and ``1/n`` when ``r = 0``: the constant annual payment
    that repays a capex of 1 over ``n`` years at discount rate ``r``.

    Parameters
    ----------
    rate : float
        Real discount rate [unitless], > -1.
    years : float
        Lifetime [a], > 0.
    """
    if years <= 0:
        raise ActionInputError(f"lifetime must be > 0 years, got {years}")
    if rate <= -1:
        raise ActionInputError(f"discount rate must be > -1, got {rate}")
    return float(crf(rate, years))


@dataclass(frozen=True)
class CarrierFactor:
    """Emissions of one unit of a carrier, from the factor library.

    Attributes
    ----------
    carrier : Carrier
    unit : str
        Unit of the carrier (``kWh``, ``m3``, ``GJ``).
    tco2e_per_unit : float
        [t CO2e per unit].
    factor_ids : str
        Library factors used, ``;``-separated.
    """

    carrier: Carrier
    unit: str
    tco2e_per_unit: float
    factor_ids: str


def operation_factors(
    *, region: str, year: int, library: FactorLibrary | None = None, gwp: str = "AR5"
) -> dict[Carrier, CarrierFactor]:
    """Emission factors of grid electricity, natural gas and purchased heat for a region and year.

    Each is one unit of the carrier pushed through the inventory engine at the GPC reference of
    commercial and institutional buildings (I.2.2 grid electricity and heat, I.2.1 gas).

    Raises
    ------
    InvalidRecordsError
        When the library cannot resolve a carrier for the region (row = carrier position).
    """
    items = [(ref, act, unit) for _, unit, act, ref in _CARRIERS.values()]
    units = unit_emissions(items, region=region, year=year, gwp=gwp, library=library, source="building carriers")
    return {
        c: CarrierFactor(c, unit, u.tco2e, u.factor_ids)
        for (c, (_, unit, _, _)), u in zip(_CARRIERS.items(), units, strict=True)
    }


def _factors_dict(factors: Mapping[Carrier, CarrierFactor]) -> dict[str, dict[str, Any]]:
    return {
        str(c): {"unit": f.unit, "tco2e_per_unit": f.tco2e_per_unit, "factor_ids": f.factor_ids}
        for c, f in factors.items()
    }


# --------------------------------------------------------------------------- building table
def _zone(value: str) -> ClimateZone | None:
    text = value.strip()
    if text in _ZONE_ALIASES:
        return _ZONE_ALIASES[text]
    try:
        return ClimateZone(text.lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        return None


def read_buildings(frame: pd.DataFrame, *, source: str = "<buildings>") -> pd.DataFrame:
    """Validate a buildings table and return it normalised.

    Columns: ``building_id`` (unique), ``building_type`` (``office``, ``hotel``, ``mall``...),
    ``climate_zone`` (:class:`ClimateZone` value or its Chinese name), ``floor_area_m2`` [m2, > 0];
    optional ``building_class`` (``A``/``B``), ``electricity_kwh`` [kWh/a], ``gas_m3`` [m3/a],
    ``heat_gj`` [GJ/a] (missing column or empty cell = 0).

    Raises
    ------
    InvalidRecordsError
        Every bad cell, with its row and column.
    """
    issues: list[RecordIssue] = []
    ids = text_column(frame, "building_id", issues)
    types = text_column(frame, "building_type", issues).str.lower()
    zones_text = text_column(frame, "climate_zone", issues)
    classes = text_column(frame, "building_class", issues, required=False).str.upper()
    area = number_column(frame, "floor_area_m2", issues, positive=True)
    energy = {c: number_column(frame, col, issues, default=0.0) for c, (col, _, _, _) in _CARRIERS.items()}
    zones: list[str] = []
    for i, z in enumerate(zones_text):
        zone = _zone(z) if z else None
        if z and zone is None:
            issues.append(
                RecordIssue(i + 1, "climate_zone", f"unknown zone; expected one of {', '.join(ClimateZone)}", z)
            )
        zones.append("" if zone is None else str(zone))
    for i, c in enumerate(classes):
        if c and c not in {"A", "B"}:
            issues.append(RecordIssue(i + 1, "building_class", "expected A or B (GB/T 51161-2016 classes)", c))
    dup = ids[ids.duplicated(keep="first") & (ids != "")]
    for i in dup.index:
        issues.append(RecordIssue(int(frame.index.get_loc(i)) + 1, "building_id", "duplicate id", str(ids[i])))
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda x: (x.row, x.column)))
    out = pd.DataFrame(
        {
            "building_id": ids.to_numpy(),
            "building_type": types.to_numpy(),
            "climate_zone": zones,
            "building_class": classes.to_numpy(),
            "floor_area_m2": area,
        }
    )
    for c, (col, _, _, _) in _CARRIERS.items():
        out[col] = energy[c]
    return out


def demo_buildings(building_class: BuildingClass | str | None = BuildingClass.B) -> pd.DataFrame:
    """The 600 public buildings of Demo City (2024) as a buildings table.

    Demo City lies in Jiangsu (shaped on Changzhou), hot-summer cold-winter zone of GB 50176. Its
    buildings have no GB/T 51161 class; ``building_class`` is given to all of them (default B,
    sealed with central air conditioning - an assumption for large public buildings).
    """
    from zerocity.demo import build_demo_city

    b = build_demo_city().buildings
    return pd.DataFrame(
        {
            "building_id": b["building_id"].astype(str).to_numpy(),
            "building_type": b["type"].astype(str).to_numpy(),
            "climate_zone": str(ClimateZone.HOT_SUMMER_COLD_WINTER),
            "building_class": "" if building_class is None else str(BuildingClass(str(building_class).upper())),
            "floor_area_m2": b["floor_area_m2"].astype(float).to_numpy(),
            "electricity_kwh": b["electricity_mwh"].astype(float).to_numpy() * 1000.0,
            "gas_m3": b["gas_m3"].astype(float).to_numpy(),
            "heat_gj": 0.0,
        }
    )


# --------------------------------------------------------------------------- benchmark
def load_benchmarks(path: Path | None = None, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Benchmark values: the shipped GB/T 51161-2016 cells, a user file, or a user frame.

    Columns: ``building_type``, ``building_class`` (``A``, ``B`` or empty for both),
    ``climate_zone`` (``severe_cold_cold``, ``hot_summer_cold_winter``, ``hot_summer_warm_winter``,
    ``temperate``; ``severe_cold`` or ``cold`` are read as ``severe_cold_cold``),
    ``constraint_kwh_m2`` and ``guide_kwh_m2`` [kWh/(m2 a)]; optional ``source_document``,
    ``source_table``.

    Raises
    ------
    InvalidRecordsError
        Bad cells (row, column), a guide value above its constraint value, or duplicate keys.
    """
    if frame is None:
        if path is None:
            frame, source = _data_csv("gbt51161_benchmarks.csv"), "zerocity/actions/data/gbt51161_benchmarks.csv"
        else:
            frame, source = read_table(path), str(path)
    else:
        source = str(path or "<benchmarks>")
    issues: list[RecordIssue] = []
    types = text_column(frame, "building_type", issues).str.lower()
    classes = text_column(frame, "building_class", issues, required=False).str.upper()
    zones_raw = text_column(frame, "climate_zone", issues)
    constraint = number_column(frame, "constraint_kwh_m2", issues, positive=True)
    guide = number_column(frame, "guide_kwh_m2", issues, positive=True)
    zones = []
    for i, z in enumerate(zones_raw):
        key = z.lower()
        if key in {"severe_cold", "cold"}:
            key = "severe_cold_cold"
        if z and key not in _BENCHMARK_ZONES:
            issues.append(
                RecordIssue(i + 1, "climate_zone", f"expected one of {', '.join(sorted(_BENCHMARK_ZONES))}", z)
            )
        zones.append(key)
    for i, c in enumerate(classes):
        if c and c not in {"A", "B"}:
            issues.append(RecordIssue(i + 1, "building_class", "expected A, B or empty", c))
    for j in np.flatnonzero(np.isfinite(guide) & np.isfinite(constraint) & (guide > constraint)):
        issues.append(RecordIssue(int(j) + 1, "guide_kwh_m2", "guide value above the constraint value", str(guide[j])))
    out = pd.DataFrame(
        {
            "building_type": types.to_numpy(),
            "building_class": classes.to_numpy(),
            "climate_zone": zones,
            "constraint_kwh_m2": constraint,
            "guide_kwh_m2": guide,
            "source": [
                "; ".join(p for p in parts if p)
                for parts in zip(
                    text_column(frame, "source_document", [], required=False),
                    text_column(frame, "source_table", [], required=False),
                    strict=True,
                )
            ],
        }
    )
    keys = out[["building_type", "building_class", "climate_zone"]].astype(str).agg("|".join, axis=1)
    for j in np.flatnonzero(keys.duplicated().to_numpy()):
        issues.append(
            RecordIssue(
                int(j) + 1, "building_type", "duplicate (building_type, building_class, climate_zone)", keys.iloc[j]
            )
        )
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda x: (x.row, x.column)))
    return out


@dataclass
class BenchmarkResult:
    """Benchmark of a set of buildings.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per building, worst first: ``rank``, ``building_id``, ``building_type``,
        ``climate_zone``, ``building_class``, ``floor_area_m2``, ``intensity_kwh_m2``
        [kWh/(m2 a)], ``constraint_kwh_m2``, ``guide_kwh_m2``, ``ratio`` (intensity / constraint)
        [unitless], ``grade``, ``tco2e`` [t CO2e/a], ``kgco2e_per_m2`` [kg CO2e/(m2 a)],
        ``benchmark_source``.
    factors : dict
        Emission factor of each carrier and its factor ids.
    gas_kwh_per_m3 : float
        Conversion of gas into the intensity [kWh/m3].
    """

    table: pd.DataFrame
    factors: dict[Carrier, CarrierFactor]
    gas_kwh_per_m3: float
    region: str
    year: int
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts by grade and the totals."""
        t = self.table
        return {
            "buildings": len(t),
            "by_grade": {str(g): int((t["grade"] == str(g)).sum()) for g in BenchmarkGrade},
            "floor_area_m2": float(t["floor_area_m2"].sum()),
            "tco2e": float(t["tco2e"].sum()),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "region": self.region,
            "year": self.year,
            "gas_kwh_per_m3": self.gas_kwh_per_m3,
            "factors": _factors_dict(self.factors),
            "summary": self.summary(),
            "notes": self.notes,
            "buildings": self.table.to_dict("records"),
        }


def gas_calorific_kwh_per_m3(*, region: str, year: int, library: FactorLibrary | None = None) -> float:
    """Heat content of 1 m3 of natural gas [kWh/m3], from the library's net calorific value."""
    try:
        return convert_quantity(
            1.0, "m3", "kWh", activity="natural_gas", library=library or default_library(), region=region, year=year
        ).result
    except (UnitError, FactorNotFoundError) as exc:
        raise ActionInputError(f"cannot convert natural gas to kWh for {region} {year}: {exc}") from exc


def benchmark(
    buildings: pd.DataFrame,
    *,
    benchmarks: pd.DataFrame | None = None,
    region: str = "CN",
    year: int = 2024,
    library: FactorLibrary | None = None,
    gas_kwh_per_m3: float | None = None,
    source: str = "<buildings>",
) -> BenchmarkResult:
    """Benchmark buildings' non-heating energy intensity and rank them.

    ``intensity = (E_el + V_gas * k_gas) / A`` [kWh/(m2 a)], ``ratio = intensity / constraint``;
    grade: ``better_than_guide`` (intensity <= guide), ``within_constraint`` (<= constraint),
    ``exceeds_constraint``; ``no_benchmark`` when the table has no value for the building's type,
    class and zone. Purchased heat is left out of the intensity (GB/T 51161-2016 benchmarks the
    non-heating energy; heating is a separate indicator) but counts in the carbon.

    Parameters
    ----------
    buildings : pandas.DataFrame
        See :func:`read_buildings` (validated here).
    benchmarks : pandas.DataFrame, optional
        See :func:`load_benchmarks`; default the shipped cells.
    region, year : str, int
        For the emission factors.
    gas_kwh_per_m3 : float, optional
        Gas conversion [kWh/m3]; default its net calorific value from the factor library (a
        heat-content equivalence: GB/T 51161-2016's own conversion of non-electric energy is not
        implemented).

    Returns
    -------
    BenchmarkResult
        Buildings ranked worst first: by ratio (descending; unbenchmarked last), then carbon per m2.
    """
    b = read_buildings(buildings, source=source)
    bench = load_benchmarks() if benchmarks is None else benchmarks
    lib = library or default_library()
    factors = operation_factors(region=region, year=year, library=lib)
    k_gas = (
        gas_calorific_kwh_per_m3(region=region, year=year, library=lib)
        if gas_kwh_per_m3 is None
        else float(gas_kwh_per_m3)
    )
    lookup: dict[tuple[str, str, str], tuple[float, float, str]] = {}
    for row in bench.itertuples(index=False):
        lookup[(row.building_type, row.building_class, row.climate_zone)] = (
            float(row.constraint_kwh_m2),
            float(row.guide_kwh_m2),
            str(row.source),
        )
    constraint, guide, src = [], [], []
    for t, z, c in zip(b["building_type"], b["climate_zone"], b["building_class"], strict=True):
        zone = ClimateZone(z).benchmark_zone
        hit = lookup.get((t, c, zone)) or lookup.get((t, "", zone))
        constraint.append(np.nan if hit is None else hit[0])
        guide.append(np.nan if hit is None else hit[1])
        src.append("" if hit is None else hit[2])
    area = b["floor_area_m2"].to_numpy()
    intensity = (b["electricity_kwh"].to_numpy() + b["gas_m3"].to_numpy() * k_gas) / area
    cons = np.array(constraint)
    gd = np.array(guide)
    ratio = intensity / cons
    grade = np.where(
        np.isnan(cons),
        str(BenchmarkGrade.NO_BENCHMARK),
        np.where(
            intensity <= gd,
            str(BenchmarkGrade.BETTER_THAN_GUIDE),
            np.where(intensity <= cons, str(BenchmarkGrade.WITHIN_CONSTRAINT), str(BenchmarkGrade.EXCEEDS_CONSTRAINT)),
        ),
    )
    tco2e = sum(b[col].to_numpy() * factors[c].tco2e_per_unit for c, (col, _, _, _) in _CARRIERS.items())
    table = b.copy()
    table["intensity_kwh_m2"] = intensity
    table["constraint_kwh_m2"] = cons
    table["guide_kwh_m2"] = gd
    table["ratio"] = ratio
    table["grade"] = grade
    table["tco2e"] = tco2e
    table["kgco2e_per_m2"] = tco2e * 1000.0 / area
    table["benchmark_source"] = src
    order = np.lexsort((-table["kgco2e_per_m2"].to_numpy(), -np.nan_to_num(ratio, nan=-np.inf)))
    table = table.iloc[order].reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    notes = []
    missing = sorted(
        {
            f"{t}/{c or '-'}/{z}"
            for t, c, z, g in zip(
                table["building_type"], table["building_class"], table["climate_zone"], table["grade"], strict=True
            )
            if g == BenchmarkGrade.NO_BENCHMARK
        }
    )
    if missing:
        notes.append(f"no benchmark value for {', '.join(missing)}; pass a benchmark table for them")
    if gas_kwh_per_m3 is None and float(b["gas_m3"].sum()) > 0:
        notes.append(
            f"gas counted at its net calorific value, {k_gas:.4g} kWh/m3 (library), not GB/T 51161's own conversion"
        )
    return BenchmarkResult(table, factors, k_gas, region, year, notes)


# --------------------------------------------------------------------------- life cycle
def load_materials(path: Path | None = None) -> pd.DataFrame:
    """Embodied-carbon factors [kg CO2e per unit]: shipped GB/T 51366-2019 Table D.0.1 rows or a user file.

    Columns ``material``, ``unit``, ``kgco2e_per_unit`` (plus names and notes).
    """
    frame = _data_csv("gbt51366_materials.csv") if path is None else read_table(path).astype(str)
    issues: list[RecordIssue] = []
    text_column(frame, "material", issues)
    text_column(frame, "unit", issues)
    number_column(frame, "kgco2e_per_unit", issues)
    if issues:
        raise InvalidRecordsError(str(path or "gbt51366_materials.csv"), issues)
    out = frame.copy()
    out["kgco2e_per_unit"] = pd.to_numeric(out["kgco2e_per_unit"])
    return out


def load_transport_modes(path: Path | None = None) -> pd.DataFrame:
    """Transport factors [kg CO2e/(t km)]: GB/T 51366-2019 Table E.0.1 or a user file (``mode``, ``kgco2e_per_tkm``)."""
    frame = _data_csv("gbt51366_transport.csv") if path is None else read_table(path).astype(str)
    issues: list[RecordIssue] = []
    text_column(frame, "mode", issues)
    number_column(frame, "kgco2e_per_tkm", issues)
    if issues:
        raise InvalidRecordsError(str(path or "gbt51366_transport.csv"), issues)
    out = frame.copy()
    out["kgco2e_per_tkm"] = pd.to_numeric(out["kgco2e_per_tkm"])
    return out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StageEnergy(_Strict):
    """Energy used in one stage [per stage, or per year for operation]."""

    electricity_kwh: float = Field(default=0.0, ge=0)
    gas_m3: float = Field(default=0.0, ge=0)
    heat_gj: float = Field(default=0.0, ge=0)
    diesel_kg: float = Field(default=0.0, ge=0)
    gasoline_kg: float = Field(default=0.0, ge=0)


class OperationEnergy(_Strict):
    """Annual operation energy [per year] and what offsets it (GB/T 51366-2019 chapter 4)."""

    electricity_kwh: float = Field(default=0.0, ge=0)
    gas_m3: float = Field(default=0.0, ge=0)
    heat_gj: float = Field(default=0.0, ge=0)
    renewable_kwh: float = Field(default=0.0, ge=0, description="on-site renewable electricity used [kWh/a]")
    carbon_sink_t: float = Field(default=0.0, ge=0, description="green-space carbon sink [t CO2e/a]")


class MaterialItem(_Strict):
    """One material of the bill of quantities."""

    material: str
    quantity: float = Field(ge=0)
    unit: str | None = None
    kgco2e_per_unit: float | None = Field(default=None, ge=0, description="overrides the catalogue factor")
    mass_t: float | None = Field(default=None, ge=0, description="mass for transport when the unit is not a mass [t]")
    distance_km: float | None = Field(default=None, ge=0)
    transport_mode: str | None = None


class LifecycleInput(_Strict):
    """A building's life-cycle inputs (``lifecycle.yaml``)."""

    version: int = 1
    name: str = "building"
    floor_area_m2: float = Field(gt=0)
    life_years: float = Field(default=DEFAULT_LIFE_YEARS, gt=0)
    region: str = "CN"
    year: int = 2024
    materials: list[MaterialItem] | str = Field(default_factory=list, description="items or a CSV/XLSX path")
    operation: OperationEnergy = Field(default_factory=OperationEnergy)
    construction: StageEnergy = Field(default_factory=StageEnergy)
    demolition: StageEnergy = Field(default_factory=StageEnergy)


def _pydantic_message(exc: ValidationError, source: str) -> str:
    parts = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"])
        parts.append(f"{loc}: {e['msg']}")
    return f"{source}: " + "; ".join(parts)


def load_lifecycle(path: Path) -> LifecycleInput:
    """Read a life-cycle YAML; a ``materials`` path is read relative to the YAML file.

    Raises
    ------
    ActionInputError
        Unreadable file or a field that breaks the schema (named in the message).
    InvalidRecordsError
        Bad rows of a materials table.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ActionInputError(f"{path}: cannot read YAML: {exc}") from exc
    try:
        spec = LifecycleInput.model_validate(data)
    except ValidationError as exc:
        raise ActionInputError(_pydantic_message(exc, str(path))) from None
    if isinstance(spec.materials, str):
        table_path = (path.parent / spec.materials).resolve()
        spec = spec.model_copy(
            update={"materials": materials_from_frame(read_table(table_path), source=str(table_path))}
        )
    return spec


def materials_from_frame(frame: pd.DataFrame, *, source: str = "<materials>") -> list[MaterialItem]:
    """Material items from a table (columns as :class:`MaterialItem`; ``material``, ``quantity`` required)."""
    issues: list[RecordIssue] = []
    names = text_column(frame, "material", issues)
    qty = number_column(frame, "quantity", issues)
    units = text_column(frame, "unit", issues, required=False)
    opt = {c: number_column(frame, c, issues, optional=True) for c in ("kgco2e_per_unit", "mass_t", "distance_km")}
    modes = text_column(frame, "transport_mode", issues, required=False)
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda x: (x.row, x.column)))

    def val(a: np.ndarray, i: int) -> float | None:
        return None if math.isnan(a[i]) else float(a[i])

    return [
        MaterialItem(
            material=names.iloc[i],
            quantity=float(qty[i]),
            unit=units.iloc[i] or None,
            kgco2e_per_unit=val(opt["kgco2e_per_unit"], i),
            mass_t=val(opt["mass_t"], i),
            distance_km=val(opt["distance_km"], i),
            transport_mode=modes.iloc[i] or None,
        )
        for i in range(len(frame))
    ]


@dataclass
class LifecycleResult:
    """Life-cycle carbon of a building by stage.

    Attributes
    ----------
    stages : pandas.DataFrame
        ``stage`` (materials, transport, construction, operation, demolition), ``tco2e`` [t CO2e],
        ``kgco2e_per_m2`` [kg CO2e/m2], ``share`` [unitless].
    materials : pandas.DataFrame
        Per item: factor, production and transport t CO2e.
    factors : dict
        Factor of each carrier used (library), with ids.
    """

    name: str
    floor_area_m2: float
    life_years: float
    stages: pd.DataFrame
    materials: pd.DataFrame
    factors: dict[str, dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    @property
    def total_tco2e(self) -> float:
        """Sum over stages [t CO2e]."""
        return float(self.stages["tco2e"].sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        total = self.total_tco2e
        return {
            "name": self.name,
            "floor_area_m2": self.floor_area_m2,
            "life_years": self.life_years,
            "total_tco2e": total,
            "total_kgco2e_per_m2": total * 1000.0 / self.floor_area_m2,
            "kgco2e_per_m2_year": total * 1000.0 / self.floor_area_m2 / self.life_years,
            "stages": self.stages.to_dict("records"),
            "materials": self.materials.to_dict("records"),
            "factors": self.factors,
            "notes": self.notes,
        }


_STAGE_CARRIERS: dict[str, tuple[str, str, str]] = {
    # field -> (activity, unit, GPC reference)
    "electricity_kwh": ("electricity_grid", "kWh", "I.2.2"),
    "gas_m3": ("natural_gas", "m3", "I.2.1"),
    "heat_gj": ("heat_purchased", "GJ", "I.2.2"),
    "diesel_kg": ("diesel", "kg", "II.5.1"),
    "gasoline_kg": ("gasoline", "kg", "II.5.1"),
}


def lifecycle(
    spec: LifecycleInput,
    *,
    library: FactorLibrary | None = None,
    materials_catalogue: pd.DataFrame | None = None,
    transport_modes: pd.DataFrame | None = None,
) -> LifecycleResult:
    """Life-cycle carbon by stage (GB/T 51366-2019).

    * materials ``C_sc = sum_i M_i F_i`` (quantity x Appendix D factor);
    * transport ``C_ys = sum_i M_i D_i T_i`` (mass [t] x distance [km] x Appendix E factor);
    * construction and demolition ``sum_j E_j EF_j`` (energy by carrier x library factor);
    * operation ``C_M = [sum_j (E_j - ER_j) EF_j - C_p] y`` with on-site renewable electricity
      ``ER`` netted from grid electricity, green-space sink ``C_p`` and life ``y`` [a].

    Raises
    ------
    ActionInputError
        An unknown material or transport mode, a unit that does not match the catalogue's, or a
        transported item without a mass.
    """
    lib = library or default_library()
    cat = load_materials() if materials_catalogue is None else materials_catalogue
    modes = load_transport_modes() if transport_modes is None else transport_modes
    cat_by_id = {str(r["material"]): r for r in cat.to_dict("records")}
    mode_by_id = {str(r["mode"]): float(r["kgco2e_per_tkm"]) for r in modes.to_dict("records")}
    items = spec.materials if isinstance(spec.materials, list) else []
    rows = []
    for n, item in enumerate(items, start=1):
        where = f"materials item {n} ({item.material})"
        entry = cat_by_id.get(item.material)
        if item.kgco2e_per_unit is not None:
            factor = float(item.kgco2e_per_unit)
            unit = item.unit or (str(entry["unit"]) if entry else "")
            fsource = "user"
            if not unit:
                raise ActionInputError(f"{where}: give a unit with an explicit factor")
            qty = item.quantity
        else:
            if entry is None:
                raise ActionInputError(
                    f"{where}: unknown material; expected one of {', '.join(sorted(cat_by_id))} or a kgco2e_per_unit"
                )
            factor = float(entry["kgco2e_per_unit"])
            unit = str(entry["unit"])
            fsource = f"GB/T 51366-2019 {entry.get('source_table', 'Appendix D')}".strip()
            qty = item.quantity
            if item.unit and item.unit != unit:
                try:
                    qty = item.quantity * parse_unit(item.unit).to(parse_unit(unit))
                except UnitError as exc:
                    raise ActionInputError(
                        f"{where}: unit {item.unit!r} does not convert to the catalogue's {unit!r}: {exc}"
                    ) from None
        production = qty * factor / 1000.0
        mass = item.mass_t
        if mass is None and unit in {"t", "kg"}:
            mass = qty if unit == "t" else qty / 1000.0
        transport = 0.0
        if item.transport_mode or item.distance_km:
            if not item.transport_mode or item.distance_km is None:
                raise ActionInputError(f"{where}: give both transport_mode and distance_km")
            if item.transport_mode not in mode_by_id:
                raise ActionInputError(
                    f"{where}: unknown transport_mode {item.transport_mode!r}; "
                    f"expected one of {', '.join(sorted(mode_by_id))}"
                )
            if mass is None:
                raise ActionInputError(f"{where}: unit {unit} is not a mass; give mass_t for its transport")
            transport = mass * item.distance_km * mode_by_id[item.transport_mode] / 1000.0
        rows.append(
            {
                "material": item.material,
                "quantity": qty,
                "unit": unit,
                "kgco2e_per_unit": factor,
                "factor_source": fsource,
                "mass_t": mass,
                "distance_km": item.distance_km,
                "transport_mode": item.transport_mode,
                "production_tco2e": production,
                "transport_tco2e": transport,
            }
        )
    mats = pd.DataFrame(
        rows,
        columns=[
            "material",
            "quantity",
            "unit",
            "kgco2e_per_unit",
            "factor_source",
            "mass_t",
            "distance_km",
            "transport_mode",
            "production_tco2e",
            "transport_tco2e",
        ],
    )
    units = unit_emissions(
        [(ref, act, unit) for act, unit, ref in _STAGE_CARRIERS.values()],
        region=spec.region,
        year=spec.year,
        library=lib,
        source="life-cycle carriers",
    )
    ef = {k: u for k, u in zip(_STAGE_CARRIERS, units, strict=True)}

    def stage_t(energy: BaseModel) -> float:
        return sum(float(getattr(energy, k)) * ef[k].tco2e for k in _STAGE_CARRIERS if hasattr(energy, k))

    op = spec.operation
    notes = []
    grid_kwh = op.electricity_kwh - op.renewable_kwh
    if grid_kwh < 0:
        notes.append("on-site renewable electricity exceeds use; the surplus is not credited")
        grid_kwh = 0.0
    annual = (
        grid_kwh * ef["electricity_kwh"].tco2e
        + op.gas_m3 * ef["gas_m3"].tco2e
        + op.heat_gj * ef["heat_gj"].tco2e
        - op.carbon_sink_t
    )
    stage_values = {
        "materials": float(mats["production_tco2e"].sum()),
        "transport": float(mats["transport_tco2e"].sum()),
        "construction": stage_t(spec.construction),
        "operation": annual * spec.life_years,
        "demolition": stage_t(spec.demolition),
    }
    total = sum(stage_values.values())
    stages = pd.DataFrame(
        {
            "stage": list(stage_values),
            "tco2e": list(stage_values.values()),
            "kgco2e_per_m2": [v * 1000.0 / spec.floor_area_m2 for v in stage_values.values()],
            "share": [v / total if total else np.nan for v in stage_values.values()],
        }
    )
    if not items:
        notes.append("no materials given: the materials and transport stages are zero")
    factors = {
        k: {
            "unit": u.unit,
            "activity": u.activity,
            "gpc_ref": u.gpc_ref,
            "tco2e_per_unit": u.tco2e,
            "factor_ids": u.factor_ids,
        }
        for k, u in ef.items()
    }
    return LifecycleResult(spec.name, spec.floor_area_m2, spec.life_years, stages, mats, factors, notes)


# --------------------------------------------------------------------------- retrofit
class MeasureKind(StrEnum):
    """A measure that saves a share of energy, or one that generates electricity."""

    SAVING = "saving"
    GENERATION = "generation"


class CostBasis(StrEnum):
    """What the unit cost of a measure is per."""

    PER_M2 = "per_m2"
    PER_KWP = "per_kwp"


class Measure(_Strict):
    """A retrofit measure of the catalogue."""

    id: str
    name: str
    name_zh: str = ""
    kind: MeasureKind = MeasureKind.SAVING
    savings: dict[Carrier, float] = Field(default_factory=dict, description="share of each carrier saved")
    kwp_per_m2_floor: float | None = Field(default=None, gt=0)
    yield_kwh_per_kwp: float | None = Field(default=None, gt=0)
    cost_basis: CostBasis = CostBasis.PER_M2
    cost_yuan: float = Field(ge=0)
    lifetime_years: float = Field(gt=0)
    applies_to: list[str] = Field(default_factory=lambda: ["*"])
    source: str

    def applies(self, building_type: str) -> bool:
        """Whether the measure applies to a building type."""
        return "*" in self.applies_to or building_type in self.applies_to


class Prices(_Strict):
    """Energy tariffs [yuan per unit]."""

    electricity_kwh: float = Field(ge=0)
    gas_m3: float = Field(ge=0)
    heat_gj: float = Field(ge=0)


class MeasureCatalogue(_Strict):
    """The measures file (``retrofit_measures.yaml``)."""

    version: int
    prices: Prices
    discount_rate: float = Field(gt=-1)
    measures: list[Measure]


def load_measures(path: Path | None = None) -> MeasureCatalogue:
    """The shipped measures catalogue (values ASSUMED, see the file) or a user YAML of the same schema.

    Raises
    ------
    ActionInputError
        Unreadable file, schema error (field named), a savings share outside [0, 1), a generation
        measure without its PV parameters, or duplicate ids.
    """
    source = "zerocity/actions/data/retrofit_measures.yaml" if path is None else str(path)
    try:
        text = _data_text("retrofit_measures.yaml") if path is None else path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        cat = MeasureCatalogue.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise ActionInputError(f"{source}: cannot read YAML: {exc}") from exc
    except ValidationError as exc:
        raise ActionInputError(_pydantic_message(exc, source)) from None
    seen: set[str] = set()
    for i, m in enumerate(cat.measures):
        where = f"{source}: measures[{i}] ({m.id})"
        if m.id in seen:
            raise ActionInputError(f"{where}: duplicate id")
        seen.add(m.id)
        for c, s in m.savings.items():
            if not 0 <= s < 1:
                raise ActionInputError(f"{where}: savings.{c} = {s}; expected a share in [0, 1)")
        if m.kind is MeasureKind.GENERATION and (m.kwp_per_m2_floor is None or m.yield_kwh_per_kwp is None):
            raise ActionInputError(f"{where}: a generation measure needs kwp_per_m2_floor and yield_kwh_per_kwp")
        if m.kind is MeasureKind.SAVING and not m.savings:
            raise ActionInputError(f"{where}: a saving measure needs savings")
    return cat


@dataclass
class RetrofitResult:
    """Retrofit plans, one per building ("one building, one policy").

    Attributes
    ----------
    measures : pandas.DataFrame
        One row per (building, applicable measure) in plan order: ``building_id``, ``rank``,
        ``measure``, ``capex_yuan``, ``saved_electricity_kwh``, ``saved_gas_m3``,
        ``saved_heat_gj`` (stacked), ``tco2e_per_year`` [t CO2e/a], ``cost_saving_yuan_per_year``,
        ``annualised_capex_yuan`` (capex x CRF), ``net_cost_per_tco2e`` [yuan/t; negative = saves
        money], ``gross_cost_per_tco2e`` [yuan/t], ``payback_years``, and the stand-alone figures
        used for ranking (``standalone_*``).
    plans : pandas.DataFrame
        One row per building: baseline and remaining t CO2e/a, reduction share, capex, savings.
    """

    measures: pd.DataFrame
    plans: pd.DataFrame
    factors: dict[Carrier, CarrierFactor]
    prices: Prices
    discount_rate: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view: plans, each with its ranked measures."""
        by_building = {
            bid: g.drop(columns=["building_id"]).to_dict("records")
            for bid, g in self.measures.groupby("building_id", sort=False)
        }
        plans = []
        for rec in self.plans.to_dict("records"):
            plans.append({**rec, "measures": by_building.get(rec["building_id"], [])})
        return {
            "discount_rate": self.discount_rate,
            "prices": self.prices.model_dump(),
            "factors": _factors_dict(self.factors),
            "totals": {
                "buildings": len(self.plans),
                "baseline_tco2e": float(self.plans["baseline_tco2e"].sum()),
                "reduction_tco2e": float(self.plans["reduction_tco2e"].sum()),
                "capex_yuan": float(self.plans["capex_yuan"].sum()),
            },
            "notes": self.notes,
            "plans": plans,
        }


def _apply(measure: Measure, use: Mapping[Carrier, float], area: float) -> tuple[dict[Carrier, float], float]:
    """Savings of a measure on the given remaining use, and the cost quantity (m2 or kWp)."""
    if measure.kind is MeasureKind.GENERATION:
        if measure.kwp_per_m2_floor is None or measure.yield_kwh_per_kwp is None:
            raise ActionInputError(
                f"measure {measure.id}: a generation measure needs kwp_per_m2_floor and yield_kwh_per_kwp"
            )
        kwp = measure.kwp_per_m2_floor * area
        gen = min(kwp * measure.yield_kwh_per_kwp, use[Carrier.ELECTRICITY])
        saved = {Carrier.ELECTRICITY: gen, Carrier.GAS: 0.0, Carrier.HEAT: 0.0}
        quantity = kwp
    else:
        saved = {c: measure.savings.get(c, 0.0) * use[c] for c in Carrier}
        quantity = area if measure.cost_basis is CostBasis.PER_M2 else 0.0
    return saved, quantity


def retrofit_plan(
    buildings: pd.DataFrame,
    *,
    catalogue: MeasureCatalogue | None = None,
    region: str = "CN",
    year: int = 2024,
    library: FactorLibrary | None = None,
    prices: Prices | None = None,
    discount_rate: float | None = None,
    max_net_cost_per_tco2e: float | None = None,
    source: str = "<buildings>",
) -> RetrofitResult:
    """A ranked retrofit plan per building.

    For each applicable measure alone: savings ``S_c = s_c U_c`` per carrier (PV: generation
    ``min(kWp x yield, U_el)``), ``t = sum_c S_c EF_c``, money ``M = sum_c S_c p_c``,
    ``capex = unit cost x (floor area or kWp)``, ``CRF = r(1+r)^n/((1+r)^n-1)``, net cost per t
    ``(capex CRF - M) / t``, payback ``capex / M``. Measures are ranked by the stand-alone net
    cost per t (cheapest first; measures saving no carbon last), then stacked in that order: each
    acts on the use left by those before it (``U_c <- U_c (1 - s_c)``), so savings combine
    multiplicatively and the plan never saves more than the building uses.

    Parameters
    ----------
    max_net_cost_per_tco2e : float, optional
        Leave out measures whose stand-alone net cost exceeds this [yuan/t CO2e] (and those saving
        no carbon); default keep every applicable measure.

    Returns
    -------
    RetrofitResult
    """
    b = read_buildings(buildings, source=source)
    cat = catalogue or load_measures()
    price = prices or cat.prices
    rate = cat.discount_rate if discount_rate is None else float(discount_rate)
    factors = operation_factors(region=region, year=year, library=library)
    ef = {c: factors[c].tco2e_per_unit for c in Carrier}
    p = {Carrier.ELECTRICITY: price.electricity_kwh, Carrier.GAS: price.gas_m3, Carrier.HEAT: price.heat_gj}
    crf = {m.id: capital_recovery_factor(rate, m.lifetime_years) for m in cat.measures}

    def metrics(m: Measure, saved: Mapping[Carrier, float], quantity: float) -> dict[str, float]:
        t = sum(saved[c] * ef[c] for c in Carrier)
        money = sum(saved[c] * p[c] for c in Carrier)
        capex = m.cost_yuan * quantity
        annual = capex * crf[m.id]
        return {
            "capex_yuan": capex,
            "tco2e_per_year": t,
            "cost_saving_yuan_per_year": money,
            "annualised_capex_yuan": annual,
            "net_cost_per_tco2e": (annual - money) / t if t > 0 else np.nan,
            "gross_cost_per_tco2e": annual / t if t > 0 else np.nan,
            "payback_years": capex / money if money > 0 else np.nan,
        }

    rows: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    for bld in b.to_dict("records"):
        use = {c: float(bld[col]) for c, (col, _, _, _) in _CARRIERS.items()}
        area = float(bld["floor_area_m2"])
        base_t = sum(use[c] * ef[c] for c in Carrier)
        alone = []
        for m in cat.measures:
            if not m.applies(str(bld["building_type"])):
                continue
            saved, qty = _apply(m, use, area)
            solo = metrics(m, saved, qty)
            if max_net_cost_per_tco2e is not None and not solo["net_cost_per_tco2e"] <= max_net_cost_per_tco2e:
                continue
            alone.append((m, solo))
        alone.sort(
            key=lambda x: (
                math.isnan(x[1]["net_cost_per_tco2e"]),
                np.nan_to_num(x[1]["net_cost_per_tco2e"], nan=0.0),
                x[0].id,
            )
        )
        remaining = dict(use)
        for rank, (m, solo) in enumerate(alone, start=1):
            saved, qty = _apply(m, remaining, area)
            for c in Carrier:
                remaining[c] -= saved[c]
            row: dict[str, Any] = {
                "building_id": bld["building_id"],
                "rank": rank,
                "measure": m.id,
                "measure_name": m.name,
            }
            row.update(metrics(m, saved, qty))
            row.update({f"saved_{c}_{_CARRIERS[c][1].lower()}": saved[c] for c in Carrier})
            row.update({"lifetime_years": m.lifetime_years, "source": m.source})
            row.update({f"standalone_{k}": solo[k] for k in ("tco2e_per_year", "net_cost_per_tco2e", "payback_years")})
            rows.append(row)
        after_t = sum(remaining[c] * ef[c] for c in Carrier)
        chosen = [r for r in rows if r["building_id"] == bld["building_id"]]
        capex = sum(r["capex_yuan"] for r in chosen)
        money = sum(r["cost_saving_yuan_per_year"] for r in chosen)
        plans.append(
            {
                "building_id": bld["building_id"],
                "building_type": bld["building_type"],
                "floor_area_m2": area,
                "measures": len(chosen),
                "baseline_tco2e": base_t,
                "remaining_tco2e": after_t,
                "reduction_tco2e": base_t - after_t,
                "reduction_share": (base_t - after_t) / base_t if base_t > 0 else np.nan,
                "capex_yuan": capex,
                "cost_saving_yuan_per_year": money,
                "payback_years": capex / money if money > 0 else np.nan,
            }
        )
    measures = pd.DataFrame(rows)
    if measures.empty:
        measures = pd.DataFrame(columns=["building_id", "rank", "measure"])
    notes = []
    if any(m.source.upper().startswith("ASSUMED") for m in cat.measures):
        notes.append(
            "measure savings, costs and lifetimes are ASSUMED values of the catalogue; replace them with audit data"
        )
    return RetrofitResult(measures, pd.DataFrame(plans), factors, price, rate, notes)
