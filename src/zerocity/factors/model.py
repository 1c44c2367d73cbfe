"""Factor records and the validation of factor-set tables.

A factor set is a table whose columns are described in ``factors/data/README.md``. The same
schema serves shipped datasets and users' own sets, and :func:`validate_factor_frame` checks
both, reporting every bad cell at once with its row and column.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

import numpy as np
import pandas as pd

from zerocity.errors import FactorSetError, RecordIssue, UnitError
from zerocity.units import ParsedUnit, parse_unit

__all__ = [
    "FACTOR_COLUMNS",
    "REQUIRED_COLUMNS",
    "FactorRecord",
    "Parameter",
    "method_parameters",
    "records_from_frame",
    "validate_factor_frame",
]


class Parameter(StrEnum):
    """Kind of value a factor record holds."""

    EF = "ef"
    NCV = "ncv"
    CARBON_CONTENT = "carbon_content"
    OXIDATION = "oxidation"
    COAL_COEFFICIENT = "coal_coefficient"


FACTOR_COLUMNS = [
    "factor_id",
    "parameter",
    "activity",
    "gas",
    "qualifier",
    "value",
    "unit",
    "region",
    "valid_from",
    "valid_to",
    "sector",
    "tier",
    "uncertainty_lower_pct",
    "uncertainty_upper_pct",
    "source_publisher",
    "source_document",
    "source_table",
    "source_year",
    "licence",
    "deprecated",
    "notes",
]
REQUIRED_COLUMNS = [
    "factor_id",
    "parameter",
    "activity",
    "value",
    "unit",
    "region",
    "source_publisher",
    "source_document",
    "source_table",
    "source_year",
]

# Dimension of the value's unit each parameter admits.
_PARAMETER_DIMENSIONS = {
    Parameter.NCV: {"energy/mass", "energy/volume"},
    Parameter.COAL_COEFFICIENT: {"energy/mass", "energy/volume", "dimensionless"},
    Parameter.OXIDATION: {"dimensionless"},
    Parameter.CARBON_CONTENT: {"mass/energy", "dimensionless", "mass/volume"},
}


@functools.cache
def method_parameters() -> dict[str, frozenset[str]]:
    """Parameters of the sector methods and the unit dimensions each admits.

    Declared by the shipped datasets in their ``parameters.csv`` (columns ``parameter``,
    ``dimensions`` separated by ``;``, ``description``); e.g. ``fod_k`` (``1/time``) or
    ``enteric_ef``... A user's factor set may hold values for any declared parameter.
    """
    out: dict[str, frozenset[str]] = {}
    root = resources.files("zerocity.factors").joinpath("data")
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        table = folder.joinpath("parameters.csv")
        if not (folder.is_dir() and table.is_file()):
            continue
        with table.open(encoding="utf-8") as fh:
            frame = pd.read_csv(fh, dtype=str, keep_default_na=False)
        for row in frame.to_dict("records"):
            name = row["parameter"].strip()
            if name in out or name in {p.value for p in Parameter}:
                raise FactorSetError(f"{folder.name}/parameters.csv: parameter {name!r} is declared twice")
            out[name] = frozenset(d.strip() for d in row["dimensions"].split(";") if d.strip())
    return out


@dataclass(frozen=True)
class FactorRecord:
    """One factor of the library.

    Attributes
    ----------
    factor_id : str
        Unique id.
    parameter : str
        ``ef``, ``ncv``, ``carbon_content``, ``oxidation``, ``coal_coefficient`` (:class:`Parameter`)
        or a parameter of a sector method declared in a dataset's ``parameters.csv``.
    activity : str
        Activity id the factor applies to.
    gas : str
        Gas of an emission factor; empty for other parameters.
    qualifier : str
        Condition the value applies to beyond the activity (climate zone, technology, treatment
        pathway...); empty for a value that holds whatever the condition.
    value : float
        The number, in ``unit``.
    unit : ParsedUnit
        Unit of ``value`` (e.g. kg/TJ) [pint].
    region : str
        ``GLOBAL``, country, subdivision or grid-region code.
    valid_from, valid_to : int or None
        First and last year (inclusive) the value applies to.
    sectors : tuple of str
        GPC reference prefixes the factor is specific to; empty means any sector.
    tier : int or None
        IPCC tier.
    uncertainty_lower_pct, uncertainty_upper_pct : float or None
        95% interval below / above the value [%].
    source : str
        Publisher, document, table and year in one line.
    dataset : str
        Id of the factor set that holds the record.
    dataset_version : str
        Version of that set.
    user : bool
        True for a user's own set, which wins over shipped sets.
    deprecated : bool
        Superseded; never chosen by resolution, kept to recompute old inventories.
    """

    factor_id: str
    parameter: str
    activity: str
    gas: str
    qualifier: str
    value: float
    unit: ParsedUnit
    region: str
    valid_from: int | None
    valid_to: int | None
    sectors: tuple[str, ...]
    tier: int | None
    uncertainty_lower_pct: float | None
    uncertainty_upper_pct: float | None
    source: str
    dataset: str
    dataset_version: str
    user: bool
    deprecated: bool

    def covers_year(self, year: int) -> bool:
        """Whether ``year`` lies in the validity window."""
        return (self.valid_from is None or year >= self.valid_from) and (self.valid_to is None or year <= self.valid_to)

    def year_distance(self, year: int) -> int:
        """Years between ``year`` and the validity window (0 inside it)."""
        if self.valid_from is not None and year < self.valid_from:
            return self.valid_from - year
        if self.valid_to is not None and year > self.valid_to:
            return year - self.valid_to
        return 0

    def sector_match(self, gpc_ref: str | None) -> int | None:
        """Length of the matching sector prefix, 0 for a generic factor, None if not applicable."""
        if not self.sectors:
            return 0
        if not gpc_ref:
            return None
        best = None
        for prefix in self.sectors:
            if gpc_ref == prefix or gpc_ref.startswith(prefix + "."):
                best = max(best or 0, len(prefix))
        return best

    @property
    def relative_uncertainty(self) -> float | None:
        """Half-width of the 95% interval as a fraction, mean of the two sides [unitless]."""
        lo, hi = self.uncertainty_lower_pct, self.uncertainty_upper_pct
        if lo is None and hi is None:
            return None
        sides = [v for v in (lo, hi) if v is not None]
        return float(np.mean(sides)) / 100.0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view."""
        return {
            "factor_id": self.factor_id,
            "parameter": str(self.parameter),
            "activity": self.activity,
            "gas": self.gas or None,
            "qualifier": self.qualifier or None,
            "value": self.value,
            "unit": self.unit.text,
            "region": self.region,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "sector": ";".join(self.sectors) or None,
            "tier": self.tier,
            "uncertainty_lower_pct": self.uncertainty_lower_pct,
            "uncertainty_upper_pct": self.uncertainty_upper_pct,
            "source": self.source,
            "dataset": self.dataset,
            "dataset_version": self.dataset_version,
            "user": self.user,
            "deprecated": self.deprecated,
        }


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def _opt_int(value: object) -> int | None:
    return None if _blank(value) else int(float(str(value)))


def _opt_float(value: object) -> float | None:
    return None if _blank(value) else float(str(value))


def validate_factor_frame(frame: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Check a factor-set table; return it with normalised text columns.

    Every bad cell is reported at once (row, column, what was expected).

    Parameters
    ----------
    frame : pandas.DataFrame
        Table with the columns of ``factors/data/README.md`` (extra columns are ignored).
    source : str
        File name used in messages.

    Raises
    ------
    FactorSetError
        Listing every problem found.
    """
    issues: list[RecordIssue] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise FactorSetError(
            f"{source}: missing required column(s) {', '.join(missing)}; "
            f"expected the columns {', '.join(FACTOR_COLUMNS)}"
        )
    df = frame.copy()
    for col in FACTOR_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    df = df[FACTOR_COLUMNS].astype(object).where(df[FACTOR_COLUMNS].notna(), "")
    for col in FACTOR_COLUMNS:
        df[col] = df[col].map(lambda v: str(v).strip())
    rows = np.arange(1, len(df) + 1)

    def flag(mask: np.ndarray | pd.Series, column: str, message: str) -> None:
        for r, v in zip(rows[np.asarray(mask)], df.loc[np.asarray(mask), column], strict=True):
            issues.append(RecordIssue(int(r), column, message, str(v)))

    for col in REQUIRED_COLUMNS:
        flag(df[col] == "", col, "required value is empty")
    dup = df["factor_id"].duplicated(keep="first") & (df["factor_id"] != "")
    flag(dup, "factor_id", "duplicate factor_id")
    declared = method_parameters()
    valid_params = {p.value for p in Parameter} | set(declared)
    flag(
        ~df["parameter"].isin(valid_params) & (df["parameter"] != ""),
        "parameter",
        f"expected one of {', '.join(sorted(valid_params))}",
    )
    values = pd.to_numeric(df["value"], errors="coerce")
    flag(values.isna() & (df["value"] != ""), "value", "expected a number")
    flag(values < 0, "value", "expected a non-negative number")
    is_ef = df["parameter"] == Parameter.EF.value
    flag(is_ef & (df["gas"] == ""), "gas", "an emission factor (parameter ef) needs a gas")
    for col in ("valid_from", "valid_to", "source_year", "tier"):
        num = pd.to_numeric(df[col], errors="coerce")
        flag(num.isna() & (df[col] != ""), col, "expected a whole number (year)")
    for col in ("uncertainty_lower_pct", "uncertainty_upper_pct"):
        num = pd.to_numeric(df[col], errors="coerce")
        flag((num.isna() & (df[col] != "")) | (num < 0), col, "expected a percentage >= 0")
    vf = pd.to_numeric(df["valid_from"], errors="coerce")
    vt = pd.to_numeric(df["valid_to"], errors="coerce")
    flag(vf > vt, "valid_to", "valid_to is before valid_from")
    flag(
        ~df["deprecated"].str.lower().isin(["", "true", "false", "0", "1", "yes", "no"]),
        "deprecated",
        "expected true or false",
    )
    # Units: parse each distinct string once.
    for text in df["unit"].unique():
        if text == "":
            continue
        mask = df["unit"] == text
        try:
            parsed = parse_unit(text)
        except UnitError as exc:
            flag(mask, "unit", str(exc))
            continue
        for param, dims in _PARAMETER_DIMENSIONS.items():
            bad = mask & (df["parameter"] == param.value)
            if bad.any() and parsed.dimension not in dims:
                flag(
                    bad,
                    "unit",
                    f"a {param.value} needs a unit of dimension {' or '.join(sorted(dims))}, not {parsed.dimension}",
                )
        for name in set(df.loc[mask, "parameter"]) & set(declared):
            bad = mask & (df["parameter"] == name)
            if parsed.dimension not in declared[name]:
                flag(
                    bad,
                    "unit",
                    f"a {name} needs a unit of dimension {' or '.join(sorted(declared[name]))}, not {parsed.dimension}",
                )
        bad = mask & is_ef
        if bad.any() and not parsed.dimension.startswith("mass/") and parsed.dimension != "dimensionless":
            flag(bad, "unit", "an emission factor needs a unit of gas mass per activity unit, e.g. kg/TJ, t/MWh, kg/m3")
    if issues:
        issues.sort(key=lambda i: (i.row, i.column))
        shown = "\n".join(f"  {source}: {i}" for i in issues[:50])
        more = f"\n  ... and {len(issues) - 50} more" if len(issues) > 50 else ""
        raise FactorSetError(f"{source}: {len(issues)} invalid value(s) in factor set\n{shown}{more}", issues)
    return df


def records_from_frame(
    frame: pd.DataFrame, *, dataset: str, version: str, user: bool, source: str
) -> list[FactorRecord]:
    """Validate a factor-set table and build its :class:`FactorRecord` objects."""
    df = validate_factor_frame(frame, source=source)
    out = []
    for row in df.itertuples(index=False):
        src = f"{row.source_publisher}, {row.source_document}, {row.source_table}, {row.source_year}"
        out.append(
            FactorRecord(
                factor_id=row.factor_id,
                parameter=row.parameter,
                activity=row.activity,
                gas=row.gas,
                qualifier=row.qualifier,
                value=float(row.value),
                unit=parse_unit(row.unit),
                region=row.region.upper() if row.region.upper() == "GLOBAL" else row.region,
                valid_from=_opt_int(row.valid_from),
                valid_to=_opt_int(row.valid_to),
                sectors=tuple(s.strip() for s in row.sector.split(";") if s.strip()),
                tier=_opt_int(row.tier),
                uncertainty_lower_pct=_opt_float(row.uncertainty_lower_pct),
                uncertainty_upper_pct=_opt_float(row.uncertainty_upper_pct),
                source=src,
                dataset=dataset,
                dataset_version=version,
                user=user,
                deprecated=row.deprecated.lower() in {"true", "1", "yes"},
            )
        )
    return out
