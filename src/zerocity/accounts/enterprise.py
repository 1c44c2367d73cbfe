"""Enterprise accounts: entity registry, period accounts, carbon code (碳效码) and bank export.

Three layers, all columnar (one pass over all entities; no per-entity Python loop):

1. :func:`validate_registry` checks an entity registry (one row per enterprise) and reports every
   bad cell with its row and column (:class:`~zerocity.errors.InvalidRecordsError`).
2. :func:`compute_accounts` builds a period's account of every entity: emissions by scope from an
   inventory's emission table, comprehensive energy consumption [tce] (GB/T 2589-2020) from the
   entity's energy records, and intensities per 10^4 yuan output, per mu of land, per employee.
3. :func:`grade_accounts` gives each entity its carbon code: its intensity against its industry
   peers in the city (percentile, ratio to the output-weighted industry average), a grade 1 (best)
   to 5 (worst) by configurable thresholds (:func:`load_carbon_code_config`), a trend against its
   own previous period and a one-line explanation. :func:`export_for_finance` adds the MRV
   verification status for banks and green finance.

Glossary: ``uscc`` (unified social credit code, GB 32100-2015), ``industry_code`` (GB/T 4754-2017
class such as ``C3011``), ``output_value_10k_yuan`` [10^4 yuan], ``land_area_mu`` [mu],
``employees`` [persons], ``energy_tce`` [tce], ``scope1_tco2e`` ... [t CO2e].
"""

from __future__ import annotations

import itertools
import logging
import re
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from sqlalchemy.orm import Session

from zerocity.errors import FactorNotFoundError, InvalidRecordsError, RecordIssue, UnitError, ZerocityError
from zerocity.factors.convert import convert_quantity
from zerocity.factors.library import FactorLibrary
from zerocity.factors.model import Parameter
from zerocity.identifiers import InvalidIdentifierError, validate_uscc
from zerocity.units import parse_unit

__all__ = [
    "ACCOUNT_COLUMNS",
    "REGISTRY_COLUMNS",
    "AccountsError",
    "CarbonCodeConfig",
    "ClassLevel",
    "ElectricityConvention",
    "Trend",
    "compute_accounts",
    "electricity_kgce_per_kwh",
    "emissions_by_scope",
    "energy_tce_by_entity",
    "export_for_finance",
    "grade_accounts",
    "grade_period",
    "load_carbon_code_config",
    "read_registry",
    "validate_registry",
]

log = logging.getLogger(__name__)

REGISTRY_COLUMNS: Final[tuple[str, ...]] = (
    "uscc",
    "name",
    "industry_code",
    "district",
    "land_area_mu",
    "land_area_ha",
    "output_value_10k_yuan",
    "employees",
)
"""Columns of a validated registry (``year`` as well when the input has one)."""

ACCOUNT_COLUMNS: Final[tuple[str, ...]] = (
    "uscc",
    "name",
    "industry_code",
    "district",
    "year",
    "scope1_tco2e",
    "scope2_tco2e",
    "scope3_tco2e",
    "total_tco2e",
    "energy_tce",
    "output_value_10k_yuan",
    "land_area_mu",
    "employees",
    "intensity_tco2e_per_10k_yuan",
    "energy_tce_per_10k_yuan",
    "tco2e_per_mu",
    "tco2e_per_employee",
)
"""Columns of :func:`compute_accounts`."""

# GB/T 4754-2017: section letter A-T, then a 2-digit division, 3-digit group or 4-digit class.
_INDUSTRY_CODE = re.compile(r"^[A-T]\d{2}(\d{1,2})?$")
_ELECTRICITY_ACTIVITIES: Final[frozenset[str]] = frozenset({"electricity_grid", "electricity"})


class AccountsError(ZerocityError, ValueError):
    """Inputs of an account or grading that do not fit together (message names what is missing)."""

    code = "accounts"


class ElectricityConvention(StrEnum):
    """How electricity is converted to standard coal (GB/T 2589-2020 clause 4.3).

    ``calorific`` (当量值): by its heat content, 0.1229 kgce/kWh (3 600 kJ/kWh, Appendix A).
    ``equivalent`` (等价值): by the coal burnt to generate it (the year's power-supply coal
    consumption, e.g. about 0.3 kgce/kWh); the coefficient must be given by the caller.
    """

    CALORIFIC = "calorific"
    EQUIVALENT = "equivalent"


class ClassLevel(StrEnum):
    """GB/T 4754 level the peers of a carbon code were taken from."""

    CLASS = "class"
    DIVISION = "division"
    SECTION = "section"


class Trend(StrEnum):
    """Change of an entity's intensity against its previous period."""

    IMPROVING = "improving"
    STABLE = "stable"
    WORSENING = "worsening"
    NEW = "new"


# ---------------------------------------------------------------------------------------- registry
def read_registry(path: Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """Read a registry file (CSV or XLSX) as text columns, then validate it.

    Parameters
    ----------
    path : pathlib.Path
        ``.csv`` (UTF-8, BOM allowed) or ``.xlsx``.
    sheet : str or int
        Sheet of a workbook.

    Returns
    -------
    pandas.DataFrame
        See :func:`validate_registry`.

    Raises
    ------
    AccountsError
        When the file is missing or unreadable.
    InvalidRecordsError
        When any cell is invalid.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".txt"}:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(path, sheet_name=sheet, dtype=str).fillna("")
        else:
            raise AccountsError(f"{path}: unsupported registry format {suffix!r}; expected .csv or .xlsx")
    except (OSError, ValueError, ImportError) as exc:
        if isinstance(exc, AccountsError):
            raise
        raise AccountsError(f"{path}: cannot read: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return validate_registry(frame, source=str(path))


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    """Column as float; blanks are NaN; unreadable text is NaN too (reported by the caller)."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    raw = frame[column]
    text = raw.astype(str).str.strip() if raw.dtype == object else raw
    return pd.to_numeric(text.replace("", np.nan), errors="coerce").astype(float)


def _issues(mask: pd.Series | np.ndarray, frame: pd.DataFrame, column: str, message: str) -> list[RecordIssue]:
    """One issue per row where ``mask`` holds (rows 1-based)."""
    rows = np.flatnonzero(np.asarray(mask))
    values = frame[column].astype(str).to_numpy() if column in frame.columns else np.full(len(frame), "")
    return [RecordIssue(int(r) + 1, column, message, str(values[r])) for r in rows]


def validate_registry(frame: pd.DataFrame, *, source: str = "<registry>") -> pd.DataFrame:
    """Check an entity registry; every bad cell is reported with its row and column.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per entity (or per entity and ``year``). Columns: ``uscc`` (GB 32100-2015 code,
        check character verified), ``name`` (or ``name_zh`` / ``name_en``), ``industry_code``
        (GB/T 4754-2017, e.g. ``C3011``),
        ``district``, ``land_area_mu`` [mu] and/or ``land_area_ha`` [ha] (one is enough; the other
        is converted through :mod:`zerocity.units`, 1 mu = 10000/15 m2), ``output_value_10k_yuan``
        [10^4 yuan, >= 0], ``employees`` [persons, integer >= 0]; optional ``year``.
    source : str
        Name of the input for messages.

    Returns
    -------
    pandas.DataFrame
        :data:`REGISTRY_COLUMNS` (and ``year``) with numeric columns as floats (``employees`` as
        int64), codes upper-cased and stripped.

    Raises
    ------
    InvalidRecordsError
        Every problem found; the rows are 1-based data rows.
    """
    if "name" not in frame:  # the Demo City and many registries carry the name per language
        for alias in ("name_zh", "name_en"):
            if alias in frame:
                frame = frame.assign(name=frame[alias])
                break
    missing = [c for c in ("uscc", "name", "industry_code", "output_value_10k_yuan", "employees") if c not in frame]
    if "land_area_mu" not in frame and "land_area_ha" not in frame:
        missing.append("land_area_mu or land_area_ha")
    if missing:
        raise InvalidRecordsError(source, [RecordIssue(0, c, "required column is missing") for c in missing])
    df = frame.reset_index(drop=True)
    issues: list[RecordIssue] = []
    text = {c: df[c].fillna("").astype(str).str.strip() for c in ("uscc", "name", "industry_code")}
    district = df["district"].fillna("").astype(str).str.strip() if "district" in df else pd.Series("", index=df.index)
    uscc = text["uscc"].str.upper()
    # The check of a code is per distinct code (a few hundred); its message says which rule broke.
    reasons: dict[str, str] = {}
    for code in pd.unique(uscc):
        try:
            validate_uscc(code)
        except InvalidIdentifierError as exc:
            reasons[code] = str(exc) if code else "unified social credit code is empty"
    bad_code = uscc.isin(list(reasons))
    for r in np.flatnonzero(bad_code.to_numpy()):
        issues.append(RecordIssue(int(r) + 1, "uscc", reasons[uscc.iloc[r]], str(df["uscc"].iloc[r])))
    key = [uscc] + ([df["year"].astype(str)] if "year" in df else [])
    dup = pd.concat(key, axis=1).duplicated(keep="first") & ~bad_code
    issues += _issues(dup, df, "uscc", "duplicate entity" + (" for this year" if "year" in df else ""))
    issues += _issues(text["name"] == "", df, "name", "name is empty")
    industry = text["industry_code"].str.upper()
    issues += _issues(
        ~industry.str.match(_INDUSTRY_CODE),
        df,
        "industry_code",
        "not a GB/T 4754-2017 code: a section letter A-T and 2-4 digits, e.g. 'C30' or 'C3011'",
    )
    numbers: dict[str, pd.Series] = {}
    for column, what in (
        ("output_value_10k_yuan", "output value [10^4 yuan]"),
        ("employees", "employees [persons]"),
        ("land_area_mu", "land area [mu]"),
        ("land_area_ha", "land area [ha]"),
    ):
        values = _number(df, column)
        numbers[column] = values
        if column not in df:
            continue
        blank = df[column].astype(str).str.strip().isin(["", "nan", "None"])
        issues += _issues(values.isna() & ~blank, df, column, f"{what} is not a number")
        issues += _issues(values < 0, df, column, f"{what} must not be negative")
        if column in {"output_value_10k_yuan", "employees"}:
            issues += _issues(blank, df, column, f"{what} is required")
    employees = numbers["employees"]
    issues += _issues(employees.notna() & (employees % 1 != 0), df, "employees", "employees must be a whole number")
    mu, ha = numbers["land_area_mu"], numbers["land_area_ha"]
    column = "land_area_mu" if "land_area_mu" in df else "land_area_ha"
    issues += _issues(mu.isna() & ha.isna(), df, column, "land area is required (land_area_mu or land_area_ha)")
    mu_per_ha = parse_unit("ha").to(parse_unit("mu"))
    both = mu.notna() & ha.notna() & ~np.isclose(mu, ha * mu_per_ha, rtol=1e-3)
    issues += _issues(both, df, column, f"land_area_mu and land_area_ha disagree (1 ha = {mu_per_ha:g} mu)")
    year = None
    if "year" in df:
        year = _number(df, "year")
        issues += _issues(year.isna() | (year % 1 != 0), df, "year", "year must be a whole number")
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    out = pd.DataFrame(
        {
            "uscc": uscc,
            "name": text["name"],
            "industry_code": industry,
            "district": district,
            "land_area_mu": mu.fillna(ha * mu_per_ha),
            "land_area_ha": ha.fillna(mu / mu_per_ha),
            "output_value_10k_yuan": numbers["output_value_10k_yuan"],
            "employees": employees.astype("int64"),
        }
    )
    if year is not None:
        out["year"] = year.astype("int64")
    return out


# ---------------------------------------------------------------------------------------- accounts
def emissions_by_scope(emissions: pd.DataFrame, *, year: int | None = None) -> pd.DataFrame:
    """Emissions of each entity by scope, from an inventory's long emission table.

    Parameters
    ----------
    emissions : pandas.DataFrame
        :attr:`zerocity.inventory.InventoryResult.emissions` (columns ``entity``, ``scope``,
        ``tco2e`` [t CO2e], ``year``, optional ``biogenic``). Biogenic CO2 is left out (a memo item,
        GPC section 3.2); rows without an entity are city-level and left out.
    year : int, optional
        Keep only emissions of this year.

    Returns
    -------
    pandas.DataFrame
        Index ``entity``; ``scope1_tco2e``, ``scope2_tco2e``, ``scope3_tco2e``, ``total_tco2e``
        [t CO2e], total = scope 1 + 2 + 3.
    """
    e = emissions
    keep = e["entity"].fillna("").astype(str) != ""
    if "biogenic" in e:
        keep &= ~e["biogenic"].astype(bool)
    if year is not None:
        keep &= e["year"].astype(int) == int(year)
    e = e[keep]
    wide = (
        e.groupby([e["entity"].astype(str), e["scope"].astype(int)])["tco2e"]
        .sum()
        .unstack("scope")
        .reindex(columns=[1, 2, 3], fill_value=0.0)
        .fillna(0.0)
    )
    wide.columns = ["scope1_tco2e", "scope2_tco2e", "scope3_tco2e"]
    wide["total_tco2e"] = wide.sum(axis=1)
    wide.index.name = "entity"
    return wide


def electricity_kgce_per_kwh(
    convention: ElectricityConvention | str,
    *,
    library: FactorLibrary | None = None,
    equivalent_kgce_per_kwh: float | None = None,
    region: str = "CN",
    year: int = 2024,
) -> float:
    """Standard-coal coefficient of electricity [kgce/kWh].

    Parameters
    ----------
    convention : ElectricityConvention
        ``calorific``: the GB/T 2589-2020 Appendix A coefficient from the factor library
        (0.1229 kgce/kWh); ``equivalent``: ``equivalent_kgce_per_kwh``, which is then required.
    library : FactorLibrary, optional
        Defaults to the shipped library.
    equivalent_kgce_per_kwh : float, optional
        Power-supply coal consumption of the year [kgce/kWh] (published yearly by the China
        Electricity Council / NBS; about 0.30).
    region, year
        Resolution context of the library factor.

    Raises
    ------
    AccountsError
        ``equivalent`` without a positive coefficient.
    """
    if ElectricityConvention(convention) is ElectricityConvention.EQUIVALENT:
        if equivalent_kgce_per_kwh is None or not equivalent_kgce_per_kwh > 0:
            raise AccountsError(
                "the equivalent-value convention (等价值) needs the year's power-supply coal consumption "
                "[kgce/kWh], e.g. 0.30; pass equivalent_kgce_per_kwh"
            )
        return float(equivalent_kgce_per_kwh)
    from zerocity.factors.library import default_library

    lib = library or default_library()
    res = lib.resolve(Parameter.COAL_COEFFICIENT, "electricity_grid", region=region, year=year)
    if res.winner is None:
        raise FactorNotFoundError(f"no standard-coal coefficient of electricity_grid for {region!r}, {year}")
    rec = res.winner
    return float(rec.value * rec.unit.scale * parse_unit(str(rec.unit.unit)).to(parse_unit("kgce/kWh")))


def energy_tce_by_entity(
    records: pd.DataFrame,
    *,
    year: int | None = None,
    library: FactorLibrary | None = None,
    region: str = "CN",
    electricity: ElectricityConvention | str = ElectricityConvention.CALORIFIC,
    equivalent_kgce_per_kwh: float | None = None,
) -> tuple[pd.Series, list[str]]:
    """Comprehensive energy consumption of each entity [tce] (GB/T 2589-2020).

    ``energy_tce = sum(amount * k(activity, unit))`` over the entity's records, where ``k`` is the
    standard-coal coefficient of GB/T 2589-2020 Appendix A found by
    :func:`zerocity.factors.convert.convert_quantity` (fuels), the unit registry (heat and other
    energy units, 1 tce = 29.3076 GJ) or :func:`electricity_kgce_per_kwh` (electricity). ``k`` is
    computed once per distinct (activity, unit) pair, then applied to whole columns.

    Parameters
    ----------
    records : pandas.DataFrame
        Inventory input rows: ``entity``, ``activity``, ``amount`` [unit], ``unit``, ``year``.
    year : int, optional
        Keep only rows of this year.
    library : FactorLibrary, optional
    region : str
        Region of the coefficient look-up.
    electricity : ElectricityConvention
        Default ``calorific`` (0.1229 kgce/kWh).
    equivalent_kgce_per_kwh : float, optional
        With ``electricity="equivalent"``.

    Returns
    -------
    energy : pandas.Series
        tce by entity (index ``entity``).
    skipped : list of str
        (activity, unit) pairs with no standard-coal coefficient (non-energy rows such as process
        inputs or waste), left out of the total.
    """
    from zerocity.factors.library import default_library

    lib = library or default_library()
    rows = records[records["entity"].fillna("").astype(str) != ""]
    if year is not None:
        rows = rows[pd.to_numeric(rows["year"]).astype(int) == int(year)]
    if "activity" not in rows or rows.empty:
        return pd.Series(dtype=float, name="energy_tce"), []
    rows = rows[rows["activity"].fillna("").astype(str) != ""]
    ref_year = int(year) if year is not None else 2024
    kwh_coef = None
    pairs = rows[["activity", "unit"]].astype(str).drop_duplicates()
    factors: dict[tuple[str, str], float] = {}
    skipped: list[str] = []
    for activity, unit in pairs.itertuples(index=False):
        try:
            if activity in _ELECTRICITY_ACTIVITIES or activity.startswith("electricity"):
                if kwh_coef is None:
                    kwh_coef = electricity_kgce_per_kwh(
                        electricity,
                        library=lib,
                        equivalent_kgce_per_kwh=equivalent_kgce_per_kwh,
                        region=region,
                        year=ref_year,
                    )
                # kWh of the row's unit x kgce/kWh, in tce (through the unit registry).
                factors[(activity, unit)] = (
                    parse_unit(unit).to(parse_unit("kWh")) * kwh_coef * parse_unit("kgce").to(parse_unit("tce"))
                )
            else:
                conv = convert_quantity(1.0, unit, "tce", activity=activity, library=lib, region=region, year=ref_year)
                factors[(activity, unit)] = conv.result
        except (FactorNotFoundError, UnitError):
            skipped.append(f"{activity} [{unit}]")
    key = pd.MultiIndex.from_frame(rows[["activity", "unit"]].astype(str))
    k = pd.Series(factors, dtype=float).reindex(key).to_numpy()
    tce = pd.to_numeric(rows["amount"]).to_numpy(dtype=float) * k
    energy = pd.Series(tce, index=rows["entity"].astype(str).to_numpy()).groupby(level=0).sum(min_count=1)
    energy.index.name = "entity"
    if skipped:
        log.info("no standard-coal coefficient for %s; left out of energy_tce", ", ".join(skipped))
    return energy.fillna(0.0).rename("energy_tce"), skipped


def compute_accounts(
    registry: pd.DataFrame,
    *,
    emissions: pd.DataFrame,
    records: pd.DataFrame | None = None,
    year: int,
    library: FactorLibrary | None = None,
    region: str = "CN",
    electricity: ElectricityConvention | str = ElectricityConvention.CALORIFIC,
    equivalent_kgce_per_kwh: float | None = None,
) -> pd.DataFrame:
    """Account of every registered entity for one year.

    Parameters
    ----------
    registry : pandas.DataFrame
        Output of :func:`validate_registry`. With a ``year`` column the rows of ``year`` are used;
        without one, its output value, land and employees are taken to be those of ``year``.
    emissions : pandas.DataFrame
        An inventory's emission table (see :func:`emissions_by_scope`).
    records : pandas.DataFrame, optional
        The inventory's input records, for ``energy_tce`` (NaN without them).
    year : int
        Period of the account.
    library, region, electricity, equivalent_kgce_per_kwh
        See :func:`energy_tce_by_entity`.

    Returns
    -------
    pandas.DataFrame
        :data:`ACCOUNT_COLUMNS`, one row per registered entity; intensities:
        ``intensity_tco2e_per_10k_yuan = (scope1 + scope2) / output`` [t CO2e per 10^4 yuan] (the
        graded intensity: scope 3 is reported, not graded, since it is other entities' scope 1),
        ``energy_tce_per_10k_yuan = energy / output``, ``tco2e_per_mu = total / land`` and
        ``tco2e_per_employee = total / employees``; NaN where the denominator is 0.
    """
    reg = registry
    if "year" in reg:
        reg = reg[reg["year"] == int(year)]
        if reg.empty:
            raise AccountsError(f"the registry has no rows for {year}")
    acc = reg.drop(columns=[c for c in ("year", "land_area_ha") if c in reg]).set_index("uscc")
    by_scope = emissions_by_scope(emissions, year=year)
    # An entity with no emission rows in the period has no account: NaN, so it is not graded
    # (a zero would read as the best grade).
    acc = acc.join(by_scope.reindex(acc.index))
    if records is not None:
        energy, _ = energy_tce_by_entity(
            records,
            year=year,
            library=library,
            region=region,
            electricity=electricity,
            equivalent_kgce_per_kwh=equivalent_kgce_per_kwh,
        )
        acc["energy_tce"] = energy.reindex(acc.index, fill_value=0.0)
    else:
        acc["energy_tce"] = np.nan
    acc["year"] = int(year)

    def per(num: pd.Series, den: pd.Series) -> pd.Series:
        d = den.astype(float)
        return num.astype(float) / d.where(d > 0)

    output = acc["output_value_10k_yuan"]
    acc["intensity_tco2e_per_10k_yuan"] = per(acc["scope1_tco2e"] + acc["scope2_tco2e"], output)
    acc["energy_tce_per_10k_yuan"] = per(acc["energy_tce"], output)
    acc["tco2e_per_mu"] = per(acc["total_tco2e"], acc["land_area_mu"])
    acc["tco2e_per_employee"] = per(acc["total_tco2e"], acc["employees"])
    return acc.reset_index().loc[:, list(ACCOUNT_COLUMNS)]


# ------------------------------------------------------------------------------------- carbon code
class GradeLabel(BaseModel):
    """One grade of the carbon code."""

    grade: int = Field(ge=1, le=5)
    colour: str
    colour_zh: str = ""


class CarbonCodeConfig(BaseModel):
    """Thresholds of the carbon code (schema of ``accounts/data/carbon_code.yaml``).

    Attributes
    ----------
    version : int
    thresholds : list of float
        Four increasing upper bounds of the ratio (entity / industry intensity) for grades 1-4,
        inclusive; grade 5 above the last [unitless].
    grades : list of GradeLabel
        Colours of grades 1-5.
    min_peers : int
        Fewest entities of a GB/T 4754 class to compare within it; otherwise its division (first
        3 characters, ``C30``), then its section (``C``).
    trend_tolerance_pct : float
        Change of intensity [%] within which the trend is ``stable``.
    """

    version: int = 1
    basis: str = ""
    thresholds: list[float] = Field(default_factory=lambda: [0.5, 0.8, 1.2, 2.0])
    grades: list[GradeLabel]
    min_peers: int = Field(default=5, ge=1)
    trend_tolerance_pct: float = Field(default=2.0, ge=0)

    @field_validator("thresholds")
    @classmethod
    def _increasing(cls, value: list[float]) -> list[float]:
        if len(value) != 4 or any(b <= a for a, b in itertools.pairwise(value)) or value[0] <= 0:
            raise ValueError(f"thresholds must be 4 increasing positive ratios, got {value}")
        return value

    @model_validator(mode="after")
    def _five_grades(self) -> CarbonCodeConfig:
        if sorted(g.grade for g in self.grades) != [1, 2, 3, 4, 5]:
            raise ValueError("grades must list grades 1 to 5 once each")
        return self

    def colours(self) -> dict[int, str]:
        """Colour of each grade."""
        return {g.grade: g.colour for g in self.grades}


def load_carbon_code_config(path: Path | None = None) -> CarbonCodeConfig:
    """Read carbon-code thresholds (default: the shipped, documented defaults).

    Raises
    ------
    AccountsError
        When the file is unreadable or breaks the schema (the message names the field).
    """
    try:
        if path is None:
            text = resources.files("zerocity.accounts").joinpath("data/carbon_code.yaml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return CarbonCodeConfig.model_validate(yaml.safe_load(text))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise AccountsError(f"{path or 'carbon_code.yaml'}: not a carbon-code configuration: {exc}") from exc


def grade_accounts(
    accounts: pd.DataFrame,
    *,
    config: CarbonCodeConfig | None = None,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Carbon code of every entity: peers, ratio, percentile, grade, colour, trend, explanation.

    For each entity with output > 0 the peer group is its GB/T 4754 class when the class has at
    least ``min_peers`` such entities, else its division (``C30``), else its section (``C``). Then

    * ``industry_intensity = sum(scope1 + scope2) / sum(output)`` over the peers (output-weighted
      average) [t CO2e per 10^4 yuan];
    * ``ratio = intensity / industry_intensity`` [unitless];
    * ``percentile`` = percent of peers (the entity included) whose intensity is at or below the
      entity's: lowest intensity of 10 peers -> 10, highest -> 100 [%];
    * ``grade`` = 1 + number of thresholds the ratio exceeds (a ratio equal to a bound takes the
      better grade);
    * ``intensity_change_pct = (intensity / previous intensity - 1) * 100`` and ``trend``.

    Parameters
    ----------
    accounts : pandas.DataFrame
        Output of :func:`compute_accounts`.
    config : CarbonCodeConfig, optional
        Default :func:`load_carbon_code_config`.
    previous : pandas.DataFrame, optional
        Accounts of the previous period (for the trend).

    Returns
    -------
    pandas.DataFrame
        ``accounts`` plus ``class_level``, ``peer_group``, ``peers``, ``industry_intensity``,
        ``ratio``, ``percentile``, ``grade`` (Int64, <NA> without output), ``colour``,
        ``intensity_change_pct``, ``trend``, ``explanation``.
    """
    cfg = config or load_carbon_code_config()
    g = accounts.copy()
    intensity = g["intensity_tco2e_per_10k_yuan"]
    eligible = intensity.notna() & (g["output_value_10k_yuan"] > 0)
    code = g["industry_code"].astype(str)
    levels = {
        ClassLevel.CLASS: code,
        ClassLevel.DIVISION: code.str[:3],
        ClassLevel.SECTION: code.str[:1],
    }
    counts = {lvl: key.where(eligible).map(key[eligible].value_counts()).fillna(0) for lvl, key in levels.items()}
    use_class = counts[ClassLevel.CLASS] >= cfg.min_peers
    use_div = ~use_class & (counts[ClassLevel.DIVISION] >= cfg.min_peers)
    g["class_level"] = np.where(
        use_class, ClassLevel.CLASS.value, np.where(use_div, ClassLevel.DIVISION.value, ClassLevel.SECTION.value)
    )
    group = np.where(use_class, code, np.where(use_div, levels[ClassLevel.DIVISION], levels[ClassLevel.SECTION]))
    g["peer_group"] = pd.Series(group, index=g.index).where(eligible)
    # Statistics over *all* eligible entities of each level's key; each entity then takes its level's.
    emis12 = (g["scope1_tco2e"] + g["scope2_tco2e"]).where(eligible)
    output = g["output_value_10k_yuan"].where(eligible)
    own = intensity.where(eligible)
    stats: dict[ClassLevel, tuple[pd.Series, pd.Series]] = {}
    for lvl, key in levels.items():
        avg = emis12.groupby(key).transform("sum") / output.groupby(key).transform("sum")
        stats[lvl] = (avg, own.groupby(key).rank(method="max", pct=True) * 100.0)
    chosen = {lvl: (g["class_level"] == lvl.value).to_numpy() for lvl in levels}

    def pick(i: int) -> np.ndarray:
        return np.select([chosen[lvl] for lvl in levels], [stats[lvl][i].to_numpy(dtype=float) for lvl in levels])

    g["peers"] = pd.array(
        np.select([chosen[lvl] for lvl in levels], [counts[lvl].to_numpy() for lvl in levels]), dtype="Int64"
    )
    g["peers"] = g["peers"].where(eligible)
    g["industry_intensity"] = pd.Series(pick(0), index=g.index).where(eligible)
    avg = g["industry_intensity"]
    g["ratio"] = own / avg.where(avg > 0)
    g["percentile"] = pd.Series(pick(1), index=g.index).where(eligible)
    ratio = g["ratio"].to_numpy(dtype=float)
    grade = np.searchsorted(np.asarray(cfg.thresholds), np.nan_to_num(ratio, nan=0.0), side="left") + 1
    g["grade"] = pd.array(np.where(np.isnan(ratio), pd.NA, grade), dtype="Int64")
    g["colour"] = g["grade"].map(cfg.colours()).astype(object).where(g["grade"].notna(), "")
    if previous is not None:
        prev = previous.set_index("uscc")["intensity_tco2e_per_10k_yuan"]
        before = g["uscc"].map(prev)
        change = (intensity / before.where(before > 0) - 1.0) * 100.0
    else:
        change = pd.Series(np.nan, index=g.index)
    g["intensity_change_pct"] = change
    tol = cfg.trend_tolerance_pct
    g["trend"] = np.select(
        [change.isna(), change < -tol, change > tol],
        [Trend.NEW.value, Trend.IMPROVING.value, Trend.WORSENING.value],
        Trend.STABLE.value,
    )
    g["explanation"] = _explain(g)
    return g


def grade_period(
    registry: pd.DataFrame,
    records: pd.DataFrame,
    *,
    year: int | None = None,
    electricity: ElectricityConvention | str = ElectricityConvention.CALORIFIC,
    equivalent_kgce_per_kwh: float | None = None,
    region: str = "CN",
    gwp: str = "AR5",
    library: FactorLibrary | None = None,
    config: CarbonCodeConfig | None = None,
    source: str = "<records>",
) -> tuple[int, pd.DataFrame]:
    """Accounts of ``year`` of every registered entity, graded against its peers, with the trend.

    The records of ``year`` and ``year - 1`` that carry an ``entity`` are computed into one
    inventory; the accounts of ``year`` are graded (:func:`grade_accounts`), with the accounts
    of ``year - 1`` as the trend's reference when the records have that year (and a registry
    with a ``year`` column has rows of it). ``zerocity accounts enterprise grade|show|export``
    and the API's accounts use this one function.

    Parameters
    ----------
    registry : pandas.DataFrame
        Output of :func:`validate_registry` (or :func:`read_registry`).
    records : pandas.DataFrame
        Inventory input records with an ``entity`` column (USCC) and a ``year`` column.
    year : int, optional
        Account year; default the latest year of the entity records.
    electricity, equivalent_kgce_per_kwh
        Electricity to tce (see :func:`energy_tce_by_entity`) [kgce/kWh].
    region : str
        Region of records without one, and of the electricity coefficient.
    gwp : str
        GWP-100 set of the inventory (``AR4``, ``AR5``, ``AR6``).
    library : FactorLibrary, optional
        Default: the shipped datasets.
    config : CarbonCodeConfig, optional
        Grading rule; default the shipped one (:func:`load_carbon_code_config`).
    source : str
        Name of the records in error messages.

    Returns
    -------
    year : int
        The account year.
    graded : pandas.DataFrame
        :data:`ACCOUNT_COLUMNS` plus the columns of :func:`grade_accounts`, one row per entity.

    Raises
    ------
    AccountsError
        An unknown electricity convention, an equivalent convention without its coefficient,
        no record with an entity, or no record of ``year``.
    """
    from zerocity.factors import default_library
    from zerocity.inventory import compute_inventory

    try:
        convention = ElectricityConvention(str(electricity))
    except ValueError:
        raise AccountsError(
            f"electricity {electricity!r}: expected {' or '.join(c.value for c in ElectricityConvention)}"
        ) from None
    if convention is ElectricityConvention.EQUIVALENT and equivalent_kgce_per_kwh is None:
        raise AccountsError("the equivalent electricity convention needs the power-supply coal use [kgce/kWh]")
    if "entity" not in records or "year" not in records:
        missing = [c for c in ("entity", "year") if c not in records]
        raise AccountsError(f"{source}: the accounts records need the column(s) {', '.join(missing)}")
    rows = records[records["entity"].fillna("").astype(str).str.strip() != ""]
    if rows.empty:
        raise AccountsError(f"{source}: no record has an entity")
    years = pd.to_numeric(rows["year"], errors="coerce")
    if years.isna().any():
        bad = int(np.flatnonzero(years.isna().to_numpy())[0])
        raise AccountsError(f"{source}: record {bad + 1} of an entity has no year ({rows['year'].iloc[bad]!r})")
    y = int(year if year is not None else years.max())
    if not (years == y).any():
        raise AccountsError(f"{source}: no record of an entity in {y}")
    rows = rows[years.isin([y - 1, y]).to_numpy()]
    lib = library or default_library()
    inventory = compute_inventory(rows, library=lib, gwp=gwp, region=region, source=source)
    options: dict[str, Any] = {
        "records": rows,
        "library": lib,
        "region": region,
        "electricity": convention,
        "equivalent_kgce_per_kwh": equivalent_kgce_per_kwh,
    }
    accounts = compute_accounts(registry, emissions=inventory.emissions, year=y, **options)
    registry_has_previous = "year" not in registry or bool((registry["year"] == y - 1).any())
    previous = (
        compute_accounts(registry, emissions=inventory.emissions, year=y - 1, **options)
        if bool((years == y - 1).any()) and registry_has_previous
        else None
    )
    graded = grade_accounts(accounts, config=config or load_carbon_code_config(), previous=previous)
    log.info("graded %d entities for %d (%s)", len(graded), y, source)
    return y, graded


def _fmt(series: pd.Series, spec: str) -> pd.Series:
    """Format a numeric column; blank where NaN."""
    return series.map(lambda v: "" if pd.isna(v) else format(v, spec))


def _explain(g: pd.DataFrame) -> pd.Series:
    """One line per entity: grade, ratio, percentile, peers, class used, trend."""
    graded = g["grade"].notna()
    change = g["intensity_change_pct"]
    trend = np.where(
        change.notna(), ", intensity " + _fmt(change, "+.1f") + " % vs previous period (" + g["trend"] + ")", ""
    )
    line = (
        "grade "
        + g["grade"].astype(str)
        + " ("
        + g["colour"].astype(str)
        + "): intensity "
        + _fmt(g["intensity_tco2e_per_10k_yuan"], ".3f")
        + " tCO2e/10^4 yuan is "
        + _fmt(g["ratio"], ".2f")
        + "x the "
        + g["class_level"].astype(str)
        + " "
        + g["peer_group"].astype(str)
        + " average "
        + _fmt(g["industry_intensity"], ".3f")
        + " (percentile "
        + _fmt(g["percentile"], ".0f")
        + " of "
        + g["peers"].astype(str)
        + " peers)"
        + trend
    )
    return line.where(graded, "not graded: no output value or no emissions account for the period")


# ------------------------------------------------------------------------------------------ export
FINANCE_COLUMNS: Final[tuple[str, ...]] = (
    "uscc",
    "name",
    "industry_code",
    "year",
    "grade",
    "colour",
    "intensity_tco2e_per_10k_yuan",
    "industry_intensity",
    "ratio",
    "percentile",
    "intensity_change_pct",
    "trend",
    "verified_status",
    "report_id",
)


def export_for_finance(
    graded: pd.DataFrame,
    *,
    ledger: Any | None = None,
    tenant: str = "default",
    period: str | None = None,
    session: Session | None = None,
) -> pd.DataFrame:
    """Per-entity table for banks and green finance: grade, intensity, trend, MRV status.

    Parameters
    ----------
    graded : pandas.DataFrame
        Output of :func:`grade_accounts`.
    ledger : zerocity.ledger.log.Ledger, optional
        When given, ``verified_status`` is the state of report ``report:<tenant>:<uscc>:<period>``
        (:func:`zerocity.ledger.mrv.report_status`: ``verified``, ``reported``, ``rejected``,
        ``monitored``) or ``none``; without a ledger, ``unknown``.
    tenant : str
    period : str, optional
        Report period; default the account year.
    session : sqlalchemy.orm.Session, optional

    Returns
    -------
    pandas.DataFrame
        :data:`FINANCE_COLUMNS`.
    """
    from zerocity.ledger.mrv import report_id, report_status

    out = graded.copy()
    periods = out["year"].astype(str) if period is None else pd.Series(period, index=out.index)
    out["report_id"] = [report_id(u, p, tenant) for u, p in zip(out["uscc"], periods, strict=True)]
    if ledger is None:
        out["verified_status"] = "unknown"
    else:
        # One query for all report subjects, then a replay only for the reports that exist.
        subjects = {e.subject for e in ledger.entries(type_prefix="mrv.", session=session)}
        wanted = sorted(subjects & set(out["report_id"]))
        states = {s: report_status(ledger, s, session=session)["state"] for s in wanted}
        out["verified_status"] = out["report_id"].map(lambda r: str(states.get(r) or "none"))
    return out.reindex(columns=list(FINANCE_COLUMNS))
