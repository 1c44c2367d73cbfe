"""Exports of an inventory result: JSON, CSV, XLSX and a self-contained HTML summary.

Every writer takes an :class:`~zerocity.inventory.result.InventoryResult`, writes one file at the
given path (its folder must exist) and returns that path; nothing else is read or changed.

Units: emissions of a gas in tonnes of that gas [t]; CO2-equivalents in tonnes [t CO2e] under the
result's GWP set; biogenic CO2 in tonnes [t CO2], a memo item never included in a total.

Layouts
-------
* JSON: :meth:`InventoryResult.to_dict` with NaN and infinities written as ``null``.
* CSV and the XLSX ``Records`` sheet: one row per input record (:func:`records_frame`).
* GPC table (:func:`gpc_table_frame`): one row per reference number of GPC v1.1 Table 4.1
  (``data/gpc.csv``) in GPC order, then the BASIC, BASIC+ and territorial (scope 1) totals.
  A reference with neither data nor a notation key is marked not reported (``Reported`` false,
  empty notation); one with a notation key only shows it (GPC section 2.4: NO, NE, IE, C).

Headings and labels come from the message catalogue (:mod:`zerocity.i18n`, ``lang`` ``en`` or
``zh``); ids chosen at run time are marked with ``N_`` where they are listed.
"""

from __future__ import annotations

import functools
import logging
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

import zerocity
from zerocity.i18n import LANGUAGES, N_, install_jinja, translator
from zerocity.inventory.gpc import Level, gpc_table, in_level
from zerocity.inventory.records import with_value
from zerocity.inventory.result import InventoryResult
from zerocity.jsonio import dumps, finite

__all__ = [
    "SCOPE_LABELS",
    "UNCERTAINTY_METHODS",
    "gpc_rows",
    "gpc_table_frame",
    "records_frame",
    "write_csv",
    "write_html",
    "write_json",
    "write_xlsx",
]

log = logging.getLogger(__name__)

#: Gases with their own column in the GPC table (GPC Table 4.1 reporting format); any other gas
#: is reported in CO2e under "other gases".
MAIN_GASES = ("CO2", "CH4", "N2O")

#: Excel's row limit, header included.
_XLSX_MAX_ROWS = 1_048_576
_NUMBER_FORMAT = "#,##0.0###"
_PCT_FORMAT = "0.0"

# Columns of the GPC table, in order: internal key -> message key of the heading.
_GPC_COLUMNS = {
    "gpc_ref": N_("col_ref"),
    "sector_name": N_("col_sector"),
    "subsector_name": N_("col_subsector"),
    "scope": N_("col_scope"),
    "level": N_("col_level"),
    "notation": N_("col_notation"),
    "reported": N_("col_reported"),
    "co2_t": N_("col_co2"),
    "ch4_t": N_("col_ch4"),
    "n2o_t": N_("col_n2o"),
    "other_tco2e": N_("col_other"),
    "total_tco2e": N_("col_total"),
    "biogenic_co2_t": N_("col_biogenic"),
}
_GPC_VALUE_COLUMNS = ("co2_t", "ch4_t", "n2o_t", "other_tco2e", "total_tco2e", "biogenic_co2_t")
_TOTAL_ROWS = (
    (Level.BASIC, N_("total_basic")),
    (Level.BASIC_PLUS, N_("total_basic_plus")),
    (Level.TERRITORIAL, N_("total_territorial")),
)
_RECORD_COLUMNS = (
    "row",
    "record_id",
    "year",
    "entity",
    "district",
    "gpc_ref",
    "scope",
    "sector",
    "activity",
    "amount",
    "unit",
    "method",
    "notation",
)


# --------------------------------------------------------------------------- helpers
def _messages(lang: str) -> Callable[..., str]:
    """The translator of a language (:func:`zerocity.i18n.translator`).

    Raises
    ------
    UnknownLanguageError
        A ``ValueError``, for a language other than ``en`` or ``zh``.
    """
    return translator(lang)


def _filter_year(result: InventoryResult, year: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records and emission rows of one year (all of them when ``year`` is None)."""
    rec, em = result.records, result.emissions
    if year is None:
        return rec, em
    return rec[rec["year"].to_numpy() == year], em[em["year"].to_numpy() == year]


def _sector_names(lang: str) -> dict[str, str]:
    """Sector code (``I`` ... ``VI``) -> name in ``lang``."""
    gpc = gpc_table().drop_duplicates("sector")
    return dict(zip(gpc["sector"], gpc[f"sector_name_{lang}"], strict=True))


#: Label of each scope (message ids).
SCOPE_LABELS = {1: N_("scope_1"), 2: N_("scope_2"), 3: N_("scope_3")}
#: Label of each uncertainty method of :mod:`zerocity.inventory.uncertainty` (message ids).
UNCERTAINTY_METHODS = {"approach1": N_("approach1"), "montecarlo": N_("montecarlo")}


def _scope_label(scope: int | str, t: Callable[..., str]) -> str:
    try:
        return t(SCOPE_LABELS[int(scope)])
    except (KeyError, ValueError):
        return str(scope)


def _fmt(value: Any) -> str:
    """A number for people: thousands separators, 3 decimals below 1000, 1 above; '' if missing."""
    v = finite(value)
    if v is None:
        return ""
    if v == 0:
        return "0"
    if abs(v) < 0.001:
        return f"{v:.3g}"
    if abs(v) < 1000:
        return f"{v:,.3f}"
    return f"{v:,.1f}"


# --------------------------------------------------------------------------- JSON
def write_json(result: InventoryResult, path: str | os.PathLike[str], *, include_records: bool = True) -> Path:
    """Write the JSON contract of a result (:meth:`InventoryResult.to_dict`).

    Parameters
    ----------
    result : InventoryResult
    path : path-like
        Target file (UTF-8, indented by 2, non-ASCII characters kept).
    include_records : bool
        Include the per-record list ``records``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    Values are as in :meth:`InventoryResult.to_dict`: tCO2e [t CO2e], gases [t], biogenic CO2
    [t CO2]. NaN and infinite numbers are written as ``null``, never as ``NaN``.
    """
    out = Path(path)
    data = result.to_dict(include_records=include_records)
    out.write_text(dumps(data) + "\n", encoding="utf-8")
    log.info("wrote JSON inventory to %s", out)
    return out


# --------------------------------------------------------------------------- records / CSV
def _gas_order(gases: Iterable[str]) -> list[str]:
    """CO2, CH4, N2O first (always), then any other gas alphabetically."""
    others = sorted(set(gases) - set(MAIN_GASES))
    return [*MAIN_GASES, *others]


def _record_factor_ids(result: InventoryResult) -> np.ndarray:
    """Per record position: the ``;``-joined sorted factor ids (see :meth:`InventoryResult.record_factor_ids`)."""
    return result.record_factor_ids()


def records_frame(result: InventoryResult) -> pd.DataFrame:
    """The per-record table of the CSV export and of the XLSX ``Records`` sheet.

    Parameters
    ----------
    result : InventoryResult

    Returns
    -------
    pandas.DataFrame
        One row per input record, in input order. Columns ``row``, ``record_id``, ``year``,
        ``entity``, ``district``, ``gpc_ref``, ``scope``, ``sector``, ``activity``, ``amount``
        (in ``unit``), ``unit``, ``method``, ``notation``, ``tco2e`` [t CO2e, all gases, biogenic
        CO2 excluded], one column per gas [t of that gas, biogenic CO2 excluded]: ``CO2``, ``CH4``,
        ``N2O`` always, then any other gas, ``biogenic_co2_t`` [t CO2, memo] and ``factor_ids``
        (``;``-joined; ``row`` marks a factor given in the record, ``measured`` a measured
        emission).
    """
    rec = result.records
    totals = result.record_totals()
    out = pd.DataFrame(index=pd.RangeIndex(len(rec)))
    for col in _RECORD_COLUMNS:
        # Categorical columns stay categorical: no string is copied per record.
        out[col] = rec[col].array if isinstance(rec[col].dtype, pd.CategoricalDtype) else rec[col].to_numpy()
    out["row"] = out["row"].astype("int64")
    out["year"] = out["year"].astype("int64")
    out["scope"] = np.nan_to_num(out["scope"].to_numpy(dtype=float)).astype("int64")
    out["amount"] = out["amount"].astype(float)
    # A notation row has no calculation method (prepare_records fills the default one).
    out["method"] = with_value(out["method"].astype("category"), (out["notation"] != "").to_numpy(), "")
    out["tco2e"] = totals["tco2e"].to_numpy(dtype=float)
    gas_cols = [c for c in totals.columns if c not in {"tco2e", "biogenic_co2_t"}]
    for gas in _gas_order(gas_cols):
        out[gas] = totals[gas].to_numpy(dtype=float) if gas in totals.columns else 0.0
    out["biogenic_co2_t"] = totals["biogenic_co2_t"].to_numpy(dtype=float)
    out["factor_ids"] = pd.Categorical(_record_factor_ids(result))
    return out


def write_csv(result: InventoryResult, path: str | os.PathLike[str]) -> Path:
    """Write one row per input record with its emissions (UTF-8, comma separated, no BOM).

    Parameters
    ----------
    result : InventoryResult
    path : path-like
        Target file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    Columns as :func:`records_frame`: ``tco2e`` [t CO2e], gas columns [t of the gas],
    ``biogenic_co2_t`` [t CO2]. Missing numbers (the amount of a notation row) are empty cells.
    """
    out = Path(path)
    frame = records_frame(result)
    # pyarrow's writer is columnar (pandas' to_csv formats cell by cell, ~10x slower).
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.cast(
        pa.schema([pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) else f for f in table.schema])
    )
    pa_csv.write_csv(table, out, pa_csv.WriteOptions(quoting_style="needed"))
    log.info("wrote %d records to %s", len(result.records), out)
    return out


# --------------------------------------------------------------------------- GPC table
def gpc_rows(result: InventoryResult, *, lang: str = "en", year: int | None = None) -> pd.DataFrame:
    """The GPC table with internal column keys, for other layouts of it (reports).

    Parameters
    ----------
    result : InventoryResult
    lang : {"en", "zh"}
        Language of the sector and sub-sector names and of the total rows' labels.
    year : int, optional
        Only this inventory year (default: every record).

    Returns
    -------
    pandas.DataFrame
        Rows as :func:`gpc_table_frame`; columns ``kind`` (``ref`` or ``total``), ``gpc_ref``,
        ``sector_name``, ``subsector_name``, ``scope``, ``level``, ``notation``, ``reported``,
        ``co2_t``, ``ch4_t``, ``n2o_t`` [t of the gas], ``other_tco2e``, ``total_tco2e``
        [t CO2e], ``biogenic_co2_t`` [t CO2].
    """
    t = _messages(lang)
    gpc = gpc_table()
    rec, em = _filter_year(result, year)
    bio_mask = em["biogenic"].to_numpy(dtype=bool)
    fossil = em[~bio_mask]
    bio = em[bio_mask]

    gases = fossil.groupby(["gpc_ref", "gas"])["tonnes"].sum().unstack(fill_value=0.0)
    other = fossil[~fossil["gas"].isin(MAIN_GASES).to_numpy()].groupby("gpc_ref")["tco2e"].sum()
    total = fossil.groupby("gpc_ref")["tco2e"].sum()
    biogenic = bio.groupby("gpc_ref")["tonnes"].sum()
    with_notation = rec[rec["notation"].to_numpy() != ""]
    notations = with_notation.groupby("gpc_ref")["notation"].agg(lambda s: ", ".join(sorted(set(s))))
    data_refs = set(rec.loc[rec["notation"].to_numpy() == "", "gpc_ref"])

    rows: list[dict[str, Any]] = []
    for ref, g in gpc.iterrows():
        has_data = ref in data_refs
        note = str(notations.get(ref, ""))
        row: dict[str, Any] = {
            "kind": "ref",
            "gpc_ref": ref,
            "sector_name": g[f"sector_name_{lang}"],
            "subsector_name": g[f"subsector_name_{lang}"],
            "scope": int(g["scope"]),
            "level": g["level"],
            "notation": note,
            "reported": has_data or bool(note),
        }
        for key in _GPC_VALUE_COLUMNS:
            row[key] = np.nan
        if has_data:
            for gas in MAIN_GASES:
                row[f"{gas.lower()}_t"] = (
                    float(gases.at[ref, gas]) if ref in gases.index and gas in gases.columns else 0.0
                )
            row["other_tco2e"] = float(other.get(ref, 0.0))
            row["total_tco2e"] = float(total.get(ref, 0.0))
            row["biogenic_co2_t"] = float(biogenic.get(ref, 0.0))
        rows.append(row)

    for level, key in _TOTAL_ROWS:
        f = fossil[in_level(fossil["level"], fossil["scope"], level).to_numpy()]
        b = bio[in_level(bio["level"], bio["scope"], level).to_numpy()]
        main = f["gas"].isin(MAIN_GASES).to_numpy()
        row = {
            "kind": "total",
            "gpc_ref": t(key),
            "sector_name": "",
            "subsector_name": "",
            "scope": 1 if level is Level.TERRITORIAL else None,
            "level": level.value,
            "notation": "",
            "reported": None,
        }
        for gas in MAIN_GASES:
            row[f"{gas.lower()}_t"] = float(f.loc[f["gas"].to_numpy() == gas, "tonnes"].sum())
        row["other_tco2e"] = float(f.loc[~main, "tco2e"].sum())
        row["total_tco2e"] = float(f["tco2e"].sum())
        row["biogenic_co2_t"] = float(b["tonnes"].sum())
        rows.append(row)

    frame = pd.DataFrame(rows, columns=["kind", *_GPC_COLUMNS])
    frame["scope"] = frame["scope"].astype("Int64")
    frame["reported"] = frame["reported"].astype("boolean")
    for key in _GPC_VALUE_COLUMNS:
        frame[key] = frame[key].astype(float)
    return frame


def gpc_table_frame(result: InventoryResult, *, lang: str = "en", year: int | None = None) -> pd.DataFrame:
    """The GPC reporting table (GPC v1.1 Table 4.1 layout) of a result.

    Parameters
    ----------
    result : InventoryResult
    lang : {"en", "zh"}
        Language of the headings, names and total labels.
    year : int, optional
        Only this inventory year; by default all records of the result are summed.

    Returns
    -------
    pandas.DataFrame
        One row per GPC reference number of ``data/gpc.csv`` (all of them, GPC order
        ``I.1.1`` ... ``VI.1``), then three total rows: BASIC, BASIC+ and territorial (every
        scope 1 source). Columns (English headings): ``GPC ref``, ``Sector``, ``Sub-sector``,
        ``Scope``, ``Level``, ``Notation key`` (``NO``/``NE``/``IE``/``C``, comma-joined when a
        reference has several; empty when none), ``Reported`` (False when the reference has
        neither data nor a notation key; missing on total rows), ``CO2 [t]``, ``CH4 [t]``,
        ``N2O [t]`` [t of the gas], ``Other gases [tCO2e]``, ``Total [tCO2e]`` [t CO2e],
        ``Biogenic CO2 [t] (memo)`` [t CO2]. Value cells are NaN for references without data.
        Biogenic CO2 is in neither the gas columns nor the totals.

    Raises
    ------
    ValueError
        For an unknown ``lang``.
    """
    t = _messages(lang)
    frame = gpc_rows(result, lang=lang, year=year).drop(columns="kind")
    return frame.rename(columns={k: t(v) for k, v in _GPC_COLUMNS.items()})


# --------------------------------------------------------------------------- summaries
def _scope_rows(result: InventoryResult, t: Callable[..., str]) -> list[dict[str, Any]]:
    """Scopes 1-3 with their counted emissions [t CO2e] and share [%]."""
    counted = result.counted()
    sums = counted.groupby("scope")["tco2e"].sum() if not counted.empty else pd.Series(dtype=float)
    values = {s: float(sums.get(s, 0.0)) for s in (1, 2, 3)}
    return _with_shares([(str(s), _scope_label(s, t), v) for s, v in values.items()])


def _sector_rows(result: InventoryResult, lang: str) -> list[dict[str, Any]]:
    """Sectors with counted emissions, in GPC order, with emissions [t CO2e] and share [%]."""
    names = _sector_names(lang)
    counted = result.counted()
    sums = counted.groupby("sector")["tco2e"].sum() if not counted.empty else pd.Series(dtype=float)
    return _with_shares([(code, name, float(sums[code])) for code, name in names.items() if code in sums.index])


def _with_shares(items: Sequence[tuple[str, str, float]]) -> list[dict[str, Any]]:
    total = sum(v for _, _, v in items)
    peak = max((abs(v) for _, _, v in items), default=0.0)
    return [
        {
            "code": code,
            "label": label,
            "value": v,
            "share": 100.0 * v / total if total else None,
            "width": round(100.0 * abs(v) / peak, 2) if peak else 0.0,
            "negative": v < 0,
        }
        for code, label, v in items
    ]


def _year_rows(result: InventoryResult) -> list[dict[str, Any]]:
    """Per year: totals [t CO2e] of the result's level, BASIC, BASIC+, territorial, scopes, sectors."""
    rows = []
    for year, d in result.by_year().items():
        rows.append(
            {
                "year": int(year),
                "total": d["total_tco2e"],
                "basic": d["basic_tco2e"],
                "basic_plus": d["basic_plus_tco2e"],
                "territorial": d["territorial_tco2e"],
                "by_scope": {str(k): float(v) for k, v in d["by_scope"].items()},
                "by_sector": {str(k): float(v) for k, v in d["by_sector"].items()},
            }
        )
    return rows


def _uncertainty_rows(result: InventoryResult, t: Callable[..., str]) -> list[tuple[str, Any]]:
    """(label, value) pairs describing ``result.uncertainty``; empty when not estimated."""
    u = result.uncertainty
    if not u:
        return []
    method = str(u.get("method", ""))
    rows: list[tuple[str, Any]] = [
        (t("method"), t(UNCERTAINTY_METHODS[method]) if method in UNCERTAINTY_METHODS else method)
    ]
    if method == "montecarlo":
        rows += [(t("runs"), u.get("runs")), (t("seed"), u.get("seed"))]
    rows += [
        (t("central"), finite(u.get("total_tco2e"))),
        (t("half_width"), finite(u.get("uncertainty_pct"))),
        (t("lower"), finite(u.get("lower_tco2e"))),
        (t("upper"), finite(u.get("upper_tco2e"))),
    ]
    return rows


def _about_rows(result: InventoryResult, t: Callable[..., str]) -> list[tuple[str, Any]]:
    """(label, value) pairs of the ``About`` sheet."""
    years = sorted(int(y) for y in result.records["year"].unique())
    rows: list[tuple[str, Any]] = [
        (t("generated_by"), f"zerocity {zerocity.__version__}"),
        (t("gwp"), result.gwp.value),
        (t("level"), result.level.value),
        (t("region"), result.region),
        (t("records"), len(result.records)),
        (t("years"), ", ".join(str(y) for y in years)),
        (t("level_total", level=result.level.value), result.total_tco2e),
        (f"{t('basic')} [{t('unit_tco2e')}]", result.total(Level.BASIC)),
        (f"{t('basic_plus')} [{t('unit_tco2e')}]", result.total(Level.BASIC_PLUS)),
        (f"{t('territorial')} [{t('unit_tco2e')}]", result.total(Level.TERRITORIAL)),
        (f"{t('biogenic')} [{t('unit_tco2')}]", result.biogenic_co2_t),
    ]
    for name, version in result.library.dataset_versions().items():
        rows.append((f"{t('dataset')}: {name}", version))
    for label, value in _uncertainty_rows(result, t):
        rows.append((f"{t('uncertainty')}: {label}", value))
    if not result.uncertainty:
        rows.append((t("uncertainty"), t("no_uncertainty")))
    if result.warnings:
        rows.extend((t("warning"), w) for w in result.warnings)
    else:
        rows.append((t("warnings"), t("no_warnings")))
    return rows


#: Fields of :meth:`InventoryResult.factors_used` in the factor tables, with their headings (message ids).
_FACTOR_FIELDS = {
    "factor_id": N_("factor_id"),
    "dataset": N_("dataset"),
    "dataset_version": N_("dataset_version"),
    "parameter": N_("parameter"),
    "activity": N_("activity"),
    "gas": N_("gas"),
    "value": N_("value"),
    "unit": N_("unit"),
    "region": N_("region"),
    "source": N_("source"),
}


# --------------------------------------------------------------------------- XLSX
def _display_width(text: str) -> int:
    """Width of text in Excel character units (East Asian wide characters count twice)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _excel_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _excel_value(value: Any) -> Any:
    """A cell value openpyxl writes safely: NaN/NA -> None, numpy -> Python, clean text."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return finite(value)
    return _excel_text(str(value))


class _SheetWriter:
    """Writes one write-only sheet: bold header, number formats, widths, frozen header row."""

    def __init__(
        self,
        wb: Workbook,
        title: str,
        header: Sequence[str],
        *,
        number_formats: dict[int, str] | None = None,
        widths: Sequence[float] | None = None,
        max_width: int = 60,
    ) -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(title)
        self.header = list(header)
        self.formats = number_formats or {}
        self._bold = Font(bold=True)
        self._wrap = Alignment(wrap_text=True, vertical="top")
        self.ws.freeze_panes = "A2"
        for i, w in enumerate(widths or [_display_width(h) + 2 for h in header], start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = min(max(w, 8), max_width)
        self.ws.append([self._cell(h, bold=True) for h in self.header])

    def _cell(self, value: Any, *, bold: bool = False, number_format: str | None = None) -> WriteOnlyCell:
        v = _excel_value(value)
        cell = WriteOnlyCell(self.ws, value=v)
        if isinstance(v, str) and v.startswith("="):
            cell.data_type = "s"  # text, never a formula
        if bold:
            cell.font = self._bold
        if number_format and isinstance(v, int | float) and not isinstance(v, bool):
            cell.number_format = number_format
        return cell

    def styled_row(self, values: Sequence[Any], *, bold: bool = False) -> None:
        """Append a row with number formats (for small sheets)."""
        self.ws.append([self._cell(v, bold=bold, number_format=self.formats.get(i)) for i, v in enumerate(values)])


def _widths(header: Sequence[str], columns: Sequence[Sequence[Any]], *, sample: int = 2000) -> list[float]:
    """Column widths [characters] from the header and the first ``sample`` values."""
    out = []
    for h, col in zip(header, columns, strict=True):
        longest = max((_display_width(_fmt(v) if isinstance(v, float) else str(v)) for v in col[:sample]), default=0)
        out.append(float(max(_display_width(h), longest) + 2))
    return out


def _write_records_sheets(wb: Workbook, frame: pd.DataFrame) -> None:
    """The ``Records`` sheet(s): the CSV content, plain values for speed (spills past Excel's limit)."""
    header = [str(c) for c in frame.columns]
    columns: list[list[Any]] = []
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_float_dtype(s.dtype):
            values = s.astype(object).where(s.notna(), None).tolist()
        elif pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            values = s.tolist()
        else:
            text = s.astype(object).where(s.notna(), "").astype(str)
            if text.str.contains(ILLEGAL_CHARACTERS_RE).any():
                text = text.str.replace(ILLEGAL_CHARACTERS_RE, "", regex=True)
            values = [None if v == "" else v for v in text.tolist()]
            if any(v is not None and v.startswith("=") for v in values):
                values = [_FormulaSafe(v) if v is not None and v.startswith("=") else v for v in values]
        columns.append(values)
    widths = _widths(header, columns)
    per_sheet = _XLSX_MAX_ROWS - 1
    n = len(frame)
    chunks = range(0, max(n, 1), per_sheet)
    for k, start in enumerate(chunks):
        title = "Records" if k == 0 else f"Records ({k + 1})"
        writer = _SheetWriter(wb, title, header, widths=widths)
        ws = writer.ws
        for row in zip(*(c[start : start + per_sheet] for c in columns), strict=True):
            if any(isinstance(v, _FormulaSafe) for v in row):
                ws.append([writer._cell(str(v)) if isinstance(v, _FormulaSafe) else v for v in row])
            else:
                ws.append(row)
    if n > per_sheet:
        log.warning("%d records exceed one Excel sheet; split over %d Records sheets", n, len(chunks))


class _FormulaSafe(str):
    """Marks text starting with '=' that must be written as text, not as a formula."""

    __slots__ = ()


def write_xlsx(
    result: InventoryResult, path: str | os.PathLike[str], *, lang: str = "en", include_records: bool = True
) -> Path:
    """Write the inventory as an Excel workbook (openpyxl, write-only: fit for 100k+ records).

    Parameters
    ----------
    result : InventoryResult
    path : path-like
        Target ``.xlsx`` file.
    lang : {"en", "zh"}
        Language of headings and names (sheet names stay as below for programs reading them).
    include_records : bool
        Write the ``Records`` sheet (the slowest part: about 20 us per cell with openpyxl).

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    Sheets: ``GPC`` (:func:`gpc_table_frame`), ``By year`` (totals per year [t CO2e]: the
    result's level, BASIC, BASIC+, territorial, then by scope and by sector), ``By scope`` and
    ``By sector`` (counted emissions of the result's level [t CO2e] and their share [%]),
    ``Records`` (the CSV content, :func:`records_frame`; continued on ``Records (2)`` ... beyond
    Excel's 1,048,575 data rows), ``Factors`` (library records used, with sources) and ``About``
    (GWP set, level, region, datasets and versions, uncertainty, warnings, zerocity version).
    """
    t = _messages(lang)
    out = Path(path)
    wb = Workbook(write_only=True)

    # GPC
    gpc = gpc_rows(result, lang=lang)
    header = [t(v) for v in _GPC_COLUMNS.values()]
    keys = list(_GPC_COLUMNS)
    value_idx = {keys.index(k): _NUMBER_FORMAT for k in _GPC_VALUE_COLUMNS}
    cols = [gpc[k].tolist() for k in keys]
    writer = _SheetWriter(wb, "GPC", header, number_formats=value_idx, widths=_widths(header, cols))
    for rec in gpc.to_dict("records"):
        writer.styled_row([rec[k] for k in keys], bold=rec["kind"] == "total")

    # By year
    names = _sector_names(lang)
    years = _year_rows(result)
    sectors = [s for s in names if any(s in y["by_sector"] for y in years)]
    header = [
        t("year"),
        t("level_total", level=result.level.value),
        f"{t('basic')} [{t('unit_tco2e')}]",
        f"{t('basic_plus')} [{t('unit_tco2e')}]",
        f"{t('territorial')} [{t('unit_tco2e')}]",
        *(f"{_scope_label(s, t)} [{t('unit_tco2e')}]" for s in (1, 2, 3)),
        *(f"{s} {names[s]} [{t('unit_tco2e')}]" for s in sectors),
    ]
    writer = _SheetWriter(wb, "By year", header, number_formats=dict.fromkeys(range(1, len(header)), _NUMBER_FORMAT))
    for y in years:
        writer.styled_row(
            [
                y["year"],
                y["total"],
                y["basic"],
                y["basic_plus"],
                y["territorial"],
                *(y["by_scope"].get(str(s), 0.0) for s in (1, 2, 3)),
                *(y["by_sector"].get(s, 0.0) for s in sectors),
            ]
        )

    # By scope / By sector
    level_note = t("note_level", level=result.level.value)
    for title, first, rows in (
        ("By scope", t("col_scope"), _scope_rows(result, t)),
        ("By sector", t("col_sector"), _sector_rows(result, lang)),
    ):
        header = [t("code"), first, t("emissions"), t("share")]
        labels = [r["label"] for r in rows]
        widths = [8.0, float(max([_display_width(first), *map(_display_width, labels)]) + 2), 18.0, 12.0]
        writer = _SheetWriter(wb, title, header, number_formats={2: _NUMBER_FORMAT, 3: _PCT_FORMAT}, widths=widths)
        for r in rows:
            writer.styled_row(
                [int(r["code"]) if r["code"].isdigit() else r["code"], r["label"], r["value"], r["share"]]
            )
        total = sum(r["value"] for r in rows)
        writer.styled_row(["", t("total"), total, 100.0 if total else None], bold=True)
        writer.ws.append([])
        writer.ws.append([level_note])

    # Records
    if include_records:
        _write_records_sheets(wb, records_frame(result))

    # Factors
    factors = result.factors_used()
    header = [t(v) for v in _FACTOR_FIELDS.values()]
    cols = [[f[k] for f in factors] for k in _FACTOR_FIELDS]
    writer = _SheetWriter(wb, "Factors", header, widths=_widths(header, cols), max_width=80)
    for f in factors:
        writer.styled_row([f[k] for k in _FACTOR_FIELDS])

    # About
    about = _about_rows(result, t)
    widths = [float(max(_display_width(k) for k, _ in about) + 2), 80.0]
    writer = _SheetWriter(wb, "About", [t("item"), t("value")], widths=widths, max_width=100)
    for label, value in about:
        writer.styled_row([label, value])

    wb.save(out)
    log.info("wrote XLSX inventory (%d records) to %s", len(result.records), out)
    return out


# --------------------------------------------------------------------------- HTML
_TEMPLATE = "summary.html.j2"


@functools.cache
def _environment() -> jinja2.Environment:
    def load(name: str) -> str:
        return resources.files("zerocity.inventory").joinpath("templates", name).read_text(encoding="utf-8")

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _fmt
    return install_jinja(env)


def _html_gpc_rows(result: InventoryResult, lang: str, t: Callable[..., str]) -> list[dict[str, Any]]:
    """GPC table rows as display strings, with a CSS class per row."""
    rows = []
    for r in gpc_rows(result, lang=lang).to_dict("records"):
        reported = r["reported"]
        css = "total" if r["kind"] == "total" else ("" if reported else "nr")
        rows.append(
            {
                "css": css,
                "cells": [
                    r["gpc_ref"],
                    r["sector_name"],
                    r["subsector_name"],
                    "" if r["scope"] is pd.NA or r["scope"] is None else str(r["scope"]),
                    r["level"],
                    r["notation"],
                    "" if reported is pd.NA or reported is None else t("yes") if reported else t("no"),
                ],
                "values": [r[k] for k in _GPC_VALUE_COLUMNS],
            }
        )
    return rows


def write_html(
    result: InventoryResult,
    path: str | os.PathLike[str],
    *,
    lang: str = "en",
    title: str | None = None,
) -> Path:
    """Write a self-contained HTML summary (inline CSS, no scripts, fonts or links: works offline).

    Parameters
    ----------
    result : InventoryResult
    path : path-like
        Target ``.html`` file (UTF-8).
    lang : {"en", "zh"}
        Language of labels and names.
    title : str, optional
        Page title; default "GHG inventory" ("温室气体清单" in Chinese).

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    Content: headline totals (BASIC, BASIC+, territorial [t CO2e], biogenic CO2 memo [t CO2]),
    the uncertainty interval [t CO2e], totals by scope and by sector with CSS bar charts, the GPC
    table, the per-year table when the result spans several years, the factors used with their
    sources and the warnings. Rendered from ``templates/summary.html.j2`` with autoescaping.
    """
    t = _messages(lang)
    out = Path(path)
    years = _year_rows(result)
    headline = [
        {
            "label": t("basic"),
            "value": result.total(Level.BASIC),
            "unit": t("unit_tco2e"),
            "main": result.level is Level.BASIC,
        },
        {
            "label": t("basic_plus"),
            "value": result.total(Level.BASIC_PLUS),
            "unit": t("unit_tco2e"),
            "main": result.level is Level.BASIC_PLUS,
        },
        {
            "label": t("territorial"),
            "value": result.total(Level.TERRITORIAL),
            "unit": t("unit_tco2e"),
            "main": result.level is Level.TERRITORIAL,
        },
        {"label": t("biogenic"), "value": result.biogenic_co2_t, "unit": t("unit_tco2"), "main": False},
    ]
    context = {
        "lang": lang,
        "title": title if title is not None else t("title"),
        "html_lang": LANGUAGES[lang].html,
        "version": zerocity.__version__,
        "gwp": result.gwp.value,
        "level": result.level.value,
        "region": result.region,
        "record_count": len(result.records),
        "years": [y["year"] for y in years],
        "datasets": result.library.dataset_versions(),
        "headline": headline,
        "uncertainty": [
            (label, _fmt(v) if isinstance(v, float) else "" if v is None else str(v))
            for label, v in _uncertainty_rows(result, t)
        ],
        "scopes": _scope_rows(result, t),
        "sectors": _sector_rows(result, lang),
        "gpc_header": [t(v) for v in _GPC_COLUMNS.values()],
        "gpc_rows": _html_gpc_rows(result, lang, t),
        "year_rows": years if len(years) > 1 else [],
        "level_total": t("level_total", level=result.level.value),
        "note_level": t("note_level", level=result.level.value),
        "factors": result.factors_used(),
        "factor_fields": list(_FACTOR_FIELDS),
        "factor_labels": _FACTOR_FIELDS,
        "warnings": result.warnings,
    }
    html = _environment().get_template(_TEMPLATE).render(**context)
    out.write_text(html, encoding="utf-8")
    log.info("wrote HTML summary to %s", out)
    return out
