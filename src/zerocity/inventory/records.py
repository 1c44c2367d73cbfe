"""Inventory input records: reading files, column mapping and validation.

Columns (any other heading can be mapped with ``mapping={"their name": "our name"}``):

=========================== ========================================================================
``record_id``               optional id; defaults to the row number
``entity``, ``district``    optional grouping keys (unified social credit code, district code)
``year``                    inventory year (required)
``gpc_ref``                 GPC reference number, e.g. ``I.1.1`` (required)
``activity``                activity id (required unless ``notation`` is set)
``amount``, ``unit``        activity quantity and its unit (required unless ``notation`` is set)
``method``                  ``factor`` (default), ``mass_balance`` or ``measured``
``region``                  region code; default from the caller
``ef_co2/ef_ch4/ef_n2o``    explicit factors, unit in ``ef_unit`` (e.g. ``kg/TJ``, ``kg/m3``)
``factor_id``               force one library factor (for its gas)
``notation``                ``NO``, ``NE``, ``IE``, ``C`` for a source without data
``quality``                 ``measured``, ``calculated``, ``estimated``
``activity_uncertainty_pct``  95% half-width of the amount [%]
``ef_uncertainty_pct``      95% half-width of explicit factors [%]
``gas``                     gas of a ``measured`` row (default CO2)
``carbon_content``, ``carbon_unit``  carbon per unit of a ``mass_balance`` flow (``t/t``, ``percent``, ``tC/TJ``)
``flow``                    ``input`` (default) or ``output`` for ``mass_balance`` rows
=========================== ========================================================================

A ``method`` may also name a sector method (``fod``, ``enteric``, ``cement``... see
:mod:`zerocity.inventory.sectors`); its rows may fill that method's own columns, which are typed
and checked here for those rows only.

Validation is columnar: each check runs on whole columns and every invalid cell of every row is
reported at once (:class:`zerocity.errors.InvalidRecordsError`); nothing is computed then.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from zerocity.errors import InvalidRecordsError, RecordIssue, UnitError, ZerocityError
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.gpc import Notation, gpc_table
from zerocity.inventory.sectors import METHODS, SectorMethod, method_columns
from zerocity.units import parse_unit

__all__ = [
    "INPUT_COLUMNS",
    "Method",
    "Quality",
    "prepare_records",
    "read_mapping",
    "read_records",
]


class Method(StrEnum):
    """Calculation method of a record."""

    FACTOR = "factor"
    MASS_BALANCE = "mass_balance"
    MEASURED = "measured"


class Quality(StrEnum):
    """Data quality flag of a record (GPC section 5.4)."""

    MEASURED = "measured"
    CALCULATED = "calculated"
    ESTIMATED = "estimated"


TEXT_COLUMNS = [
    "record_id",
    "entity",
    "district",
    "gpc_ref",
    "activity",
    "unit",
    "method",
    "region",
    "ef_unit",
    "factor_id",
    "notation",
    "quality",
    "gas",
    "carbon_unit",
    "flow",
]
NUMBER_COLUMNS = [
    "year",
    "amount",
    "ef_co2",
    "ef_ch4",
    "ef_n2o",
    "activity_uncertainty_pct",
    "ef_uncertainty_pct",
    "carbon_content",
]
INPUT_COLUMNS = TEXT_COLUMNS + NUMBER_COLUMNS
REQUIRED = ["year", "gpc_ref"]
EXPLICIT_EF = {"CO2": "ef_co2", "CH4": "ef_ch4", "N2O": "ef_n2o"}


class RecordFileError(ZerocityError, ValueError):
    """An input file that cannot be read at all."""

    code = "record_file"


def read_mapping(path: Path) -> dict[str, str]:
    """Read a column-mapping file: CSV with columns ``source,target`` or YAML ``{source: target}``."""
    if path.suffix.lower() in {".yaml", ".yml"}:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise RecordFileError(f"{path}: expected a mapping 'their column: our column'")
        return {str(k): str(v) for k, v in data.items()}
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not {"source", "target"} <= set(df.columns):
        raise RecordFileError(f"{path}: a mapping CSV needs the columns 'source' and 'target'")
    return dict(zip(df["source"], df["target"], strict=True))


def read_records(path: Path, *, mapping: dict[str, str] | None = None, sheet: str | int = 0) -> pd.DataFrame:
    """Read input records from CSV, XLSX or Parquet, renaming mapped columns.

    Raises
    ------
    RecordFileError
        When the file is missing, of an unknown format, or unreadable.
    """
    if not path.exists():
        raise RecordFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".txt"}:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(path, sheet_name=sheet, dtype=str).fillna("")
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            raise RecordFileError(f"{path}: unsupported format {suffix!r}; expected .csv, .xlsx or .parquet")
    except (OSError, ValueError, ImportError, KeyError, zipfile.BadZipFile) as exc:
        if isinstance(exc, RecordFileError):
            raise
        raise RecordFileError(f"{path}: cannot read: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if mapping:
        unknown = sorted(set(mapping) - set(frame.columns))
        if unknown:
            raise RecordFileError(
                f"{path}: mapped column(s) {', '.join(unknown)} not in the file (columns: {', '.join(frame.columns)})"
            )
        frame = frame.rename(columns=mapping)
    return frame


def _category(series: pd.Series | None, n: int, transform: Callable[[str], str] | None = None) -> pd.Categorical:
    """A text column as a categorical of stripped (and transformed) text; missing values become ''.

    Work happens on the distinct values only, so a column of a million rows with a few hundred
    distinct values costs one factorisation.
    """
    if series is None:
        value = transform("") if transform is not None else ""
        return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([value], dtype=object))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = [str(u).strip() for u in uniques]
    if transform is not None:
        texts = [transform(t) for t in texts]
    texts.append(transform("") if transform is not None else "")  # slot for missing values (code -1)
    cat_codes, cats = pd.factorize(np.array(texts, dtype=object))
    mapped = cat_codes[np.where(codes < 0, len(texts) - 1, codes)]
    return pd.Categorical.from_codes(mapped, categories=pd.Index(cats, dtype=object))


def _recode(codes: np.ndarray, values: np.ndarray) -> pd.Categorical:
    """Categorical whose row ``i`` is ``values[codes[i]]`` (values per category; NaN/None -> '')."""
    clean = np.array(["" if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in values], dtype=object)
    vcodes, vcats = pd.factorize(np.append(clean, ""))
    return pd.Categorical.from_codes(vcodes[:-1][codes], categories=pd.Index(vcats, dtype=object))


def with_value(column: pd.Series, mask: np.ndarray, value: str) -> pd.Series:
    """A categorical column with ``value`` set where ``mask`` is true."""
    if not mask.any():
        return column
    if value not in column.cat.categories:
        column = column.cat.add_categories([value])
    out = column.copy()
    out[mask] = value
    return out


def _text(series: pd.Series) -> pd.Series:
    """Column as stripped text with missing values as ''."""
    return series.astype(object).where(series.notna(), "").astype(str).str.strip()


def _blank(series: pd.Series | None, n: int) -> np.ndarray:
    """Rows whose cell is missing or only whitespace (decided once per distinct value)."""
    if series is None:
        return np.ones(n, dtype=bool)
    if pd.api.types.is_numeric_dtype(series):
        return series.isna().to_numpy()
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    blank_unique = np.array([str(u).strip() == "" for u in uniques] + [True], dtype=bool)
    return blank_unique[np.where(codes < 0, len(uniques), codes)]


def _check_sector_rows(
    df: pd.DataFrame,
    rows: np.ndarray,
    method: SectorMethod,
    library: FactorLibrary,
    flag: Callable[..., None],
) -> None:
    """Checks a sector method adds for its own rows: GPC reference, activity, unit, columns."""
    if not rows.any():
        return
    refs = df["gpc_ref"]
    ref_ok = np.zeros(len(df), dtype=bool)
    for prefix in method.gpc_refs:
        ref_ok |= (refs.astype(str).str.startswith(prefix + ".") | (refs == prefix)).to_numpy()
    flag(
        rows & ~ref_ok & (refs != "").to_numpy(),
        "gpc_ref",
        f"method {method.name} computes {', '.join(method.gpc_refs)} sources",
    )
    categories = {a for a, act in library.activities.items() if act.category in method.activity_categories}
    flag(
        rows
        & (df["activity"] != "").to_numpy()
        & ~df["activity"].isin(categories).to_numpy()
        & df["activity"].isin(library.activities).to_numpy(),
        "activity",
        f"method {method.name} expects an activity of category {' or '.join(method.activity_categories)} "
        "(see `zerocity factors activities`)",
    )
    flag(
        rows
        & (df["unit_dimension"] != "").to_numpy()
        & ~df["unit_dimension"].isin(method.amount_dimensions).to_numpy(),
        "unit",
        f"method {method.name} needs an amount of {' or '.join(method.amount_dimensions)}",
    )
    for col in method.columns:
        values = df[col.name]
        if col.kind == "text":
            empty = (values == "").to_numpy()
            if col.choices:
                flag(
                    rows & ~empty & ~values.isin(col.choices).to_numpy(),
                    col.name,
                    f"expected one of {', '.join(col.choices)}",
                )
        else:
            empty = values.isna().to_numpy()
            if col.minimum is not None:
                flag(rows & (values < col.minimum).to_numpy(), col.name, f"expected a number >= {col.minimum:g}")
            if col.maximum is not None:
                flag(rows & (values > col.maximum).to_numpy(), col.name, f"expected a number <= {col.maximum:g}")
        if col.required:
            flag(rows & empty, col.name, f"required by method {method.name}")


def prepare_records(
    raw: pd.DataFrame,
    *,
    library: FactorLibrary,
    default_region: str = "GLOBAL",
    source: str = "<records>",
) -> pd.DataFrame:
    """Validate input records and return them typed and normalised.

    Parameters
    ----------
    raw : pandas.DataFrame
        Records as read (text or typed columns).
    library : FactorLibrary
        Supplies the activity vocabulary and factor ids.
    default_region : str
        Region of rows whose ``region`` is empty.
    source : str
        File name for messages.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`INPUT_COLUMNS` plus ``row`` (1-based), ``scope``, ``sector``,
        ``subsector``, ``level``, ``unit_dimension``.

    Raises
    ------
    InvalidRecordsError
        Listing every invalid cell; nothing is returned then.
    """
    issues: list[RecordIssue] = []
    n = len(raw)
    extra_columns = method_columns()
    unknown_cols = [
        c for c in raw.columns if c not in INPUT_COLUMNS and c not in extra_columns and c not in {"notes", "row"}
    ]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InvalidRecordsError(
            source,
            [RecordIssue(0, c, f"required column missing (columns are {', '.join(raw.columns)})") for c in missing],
        )
    df = pd.DataFrame(index=pd.RangeIndex(n))
    df["row"] = np.arange(1, n + 1)
    transforms: dict[str, Callable[[str], str]] = {
        "notation": str.upper,
        "method": lambda t: t.lower() or Method.FACTOR.value,
        "quality": str.lower,
        "flow": lambda t: t.lower() or "input",
        "region": lambda t: t.upper() or default_region.upper(),
    }
    for col in TEXT_COLUMNS:
        if col == "record_id":
            df[col] = _text(raw[col]).to_numpy() if col in raw.columns else ""
        else:
            df[col] = _category(raw[col] if col in raw.columns else None, n, transforms.get(col))
    rows = df["row"].to_numpy()

    def flag(mask: np.ndarray | pd.Series, column: str, message: str, values: pd.Series | None = None) -> None:
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        vals = values if values is not None else raw[column] if column in raw.columns else df[column]
        shown = [str(v) for v in np.asarray(vals, dtype=object)[m]]
        issues.extend(RecordIssue(int(r), column, message, v) for r, v in zip(rows[m], shown, strict=True))

    number_columns = NUMBER_COLUMNS + [c.name for c in extra_columns.values() if c.kind == "number"]
    built: dict[str, object] = {}  # added in one go: one insert per column would fragment the frame
    for col in [c.name for c in extra_columns.values() if c.kind == "text"]:
        built[col] = _category(raw[col] if col in raw.columns else None, n, str.lower)
    for col in number_columns:
        if col not in raw.columns:
            built[col] = np.full(n, np.nan)
            continue
        col_raw = raw[col]
        if pd.api.types.is_numeric_dtype(col_raw):
            built[col] = col_raw.astype(float).to_numpy()
        else:
            num = pd.to_numeric(col_raw, errors="coerce").to_numpy(dtype=float, copy=True)
            retry = np.isnan(num) & ~_blank(col_raw, n)
            if retry.any():
                # Thousands separators and padding ("1,200", " 3 ") are read; anything else is an error.
                text = _text(col_raw[retry]).str.replace(",", "", regex=False)
                num[retry] = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
                flag(retry & np.isnan(num), col, "expected a number")
            built[col] = num
    df = pd.concat([df, pd.DataFrame(built, index=df.index)], axis=1)

    notation = df["notation"]
    has_notation = (notation != "").to_numpy()
    flag(has_notation & ~notation.isin([k.value for k in Notation]), "notation", "expected NO, NE, IE or C")

    # year
    year = df["year"]
    flag(year.isna() & _blank(raw["year"], n), "year", "required value is empty")
    flag(
        year.notna() & ((year % 1 != 0) | (year < 1900) | (year > 2100)),
        "year",
        "expected a year between 1900 and 2100",
    )

    # gpc_ref
    gpc = gpc_table()
    flag(df["gpc_ref"] == "", "gpc_ref", "required value is empty")
    flag(
        (df["gpc_ref"] != "") & ~df["gpc_ref"].isin(gpc.index),
        "gpc_ref",
        "unknown GPC reference number (e.g. I.1.1, II.1.1, III.1.1)",
    )
    ref_codes = df["gpc_ref"].cat.codes.to_numpy()
    per_ref = gpc.reindex(df["gpc_ref"].cat.categories)
    for col in ("sector", "subsector", "level"):
        df[col] = _recode(ref_codes, per_ref[col].to_numpy(dtype=object))
    df["scope"] = per_ref["scope"].to_numpy(dtype=float)[ref_codes]

    # method
    method = df["method"]
    flag(
        ~method.isin([m.value for m in Method] + list(METHODS)),
        "method",
        f"expected factor, mass_balance, measured or a sector method ({', '.join(sorted(METHODS))})",
    )

    quality = df["quality"]
    flag(
        (quality != "") & ~quality.isin([q.value for q in Quality]),
        "quality",
        "expected measured, calculated or estimated",
    )

    region_codes = df["region"].cat.codes.to_numpy()
    for code, region in enumerate(df["region"].cat.categories):
        problem = library.region_problem(str(region))
        if problem:
            flag(region_codes == code, "region", problem, pd.Series(df["region"]).astype(object))

    # data rows versus notation rows
    data = ~has_notation
    flag(data & (df["activity"] == "") & (df["method"] != Method.MEASURED.value), "activity", "required value is empty")
    flag(
        (df["activity"] != "") & ~df["activity"].isin(library.activities),
        "activity",
        "unknown activity id (see `zerocity factors activities`)",
    )
    amount_blank = _blank(raw["amount"] if "amount" in raw.columns else None, n)
    flag(data & df["amount"].isna() & amount_blank, "amount", "required value is empty")
    # Removals (land taking up CO2) are measured rows of V.2 with a negative amount; nothing else is.
    removal_row = (df["method"] == Method.MEASURED.value) & df["gpc_ref"].astype(str).str.startswith("V.2")
    flag(
        (df["amount"] < 0) & ~removal_row,
        "amount",
        "expected a non-negative amount (only measured rows of V.2 land may be negative: removals)",
    )
    flag(has_notation & df["amount"].notna() & (df["amount"] != 0), "amount", "a row with a notation key has no amount")
    flag(data & (df["unit"] == ""), "unit", "required value is empty")

    # units: parse each distinct string once
    unit_codes = df["unit"].cat.codes.to_numpy()
    dims = []
    core = df["method"].isin([Method.FACTOR.value, Method.MASS_BALANCE.value]).to_numpy()
    for code, text in enumerate(df["unit"].cat.categories):
        dim = ""
        if text != "":
            mask = unit_codes == code
            try:
                dim = parse_unit(text).dimension
            except UnitError as exc:
                flag(mask, "unit", str(exc))
            else:
                if dim not in {"mass", "volume", "energy"}:
                    flag(mask & core, "unit", f"expected a unit of mass, volume or energy, not {dim}")
        dims.append(dim)
    df["unit_dimension"] = _recode(unit_codes, np.array(dims, dtype=object))
    for text in df["ef_unit"].cat.categories:
        if text == "":
            continue
        mask = (df["ef_unit"] == text).to_numpy()
        try:
            dim = parse_unit(text).dimension
        except UnitError as exc:
            flag(mask, "ef_unit", str(exc))
            continue
        if not (dim.startswith("mass/") or dim == "dimensionless"):
            flag(mask, "ef_unit", f"expected gas mass per activity unit (e.g. kg/TJ, t/MWh, kg/m3, kg/kg), not {dim}")
    has_ef = df[list(EXPLICIT_EF.values())].notna().any(axis=1)
    flag(has_ef & (df["ef_unit"] == ""), "ef_unit", "explicit factors (ef_co2, ef_ch4, ef_n2o) need ef_unit")
    for col in EXPLICIT_EF.values():
        flag(df[col] < 0, col, "expected a non-negative factor")
    for col in ("activity_uncertainty_pct", "ef_uncertainty_pct"):
        flag(df[col] < 0, col, "expected a percentage >= 0")

    # factor ids
    fid = df["factor_id"]
    known = set(r.factor_id for r in library.records())
    flag((fid != "") & ~fid.isin(known), "factor_id", "no factor with this id in the library")

    # method-specific columns
    measured = df["method"] == Method.MEASURED.value
    df["gas"] = with_value(df["gas"], (measured & (df["gas"] == "")).to_numpy(), "CO2")
    flag(
        measured & data & (df["unit_dimension"] != "mass") & (df["unit"] != ""),
        "unit",
        "a measured emission is a mass of gas (t, kg)",
    )
    mb = df["method"] == Method.MASS_BALANCE.value
    flow = df["flow"]
    flag(mb & ~flow.isin(["input", "output"]), "flow", "expected input or output")
    flag(
        mb & df["carbon_content"].notna() & (df["carbon_unit"] == ""),
        "carbon_unit",
        "carbon_content needs carbon_unit (t/t, percent, tC/TJ)",
    )
    flag(df["carbon_content"] < 0, "carbon_content", "expected a non-negative carbon content")

    for name in set(df["method"].cat.categories) & set(METHODS):
        _check_sector_rows(df, (df["method"] == name).to_numpy() & data, METHODS[name], library, flag)

    if "record_id" in raw.columns:
        rid = df["record_id"]
        flag((rid != "") & rid.duplicated(keep="first"), "record_id", "duplicate record_id")
    no_id = (df["record_id"] == "").to_numpy()
    if no_id.any():
        ids = df["record_id"].to_numpy(dtype=object)
        ids[no_id] = df["row"].to_numpy()[no_id].astype(str)
        df["record_id"] = ids

    if issues:
        issues.sort(key=lambda i: (i.row, i.column))
        raise InvalidRecordsError(source, issues)
    df["year"] = df["year"].astype("int64")
    df.attrs["unknown_columns"] = unknown_cols
    return df
