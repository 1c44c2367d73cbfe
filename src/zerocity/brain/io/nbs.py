"""Reading and writing input-output tables in the layout of China's national and provincial tables.

The National Bureau of Statistics (NBS) publishes the competitive-import tables (2017, 2018, 2020
...; provincial statistics bureaus the provincial ones) as spreadsheets laid out as:

* one or more header rows (codes, names, merged group headers such as 最终使用);
* one row per sector (a code column and/or a name column), then 中间投入合计, the value-added
  rows 劳动者报酬, 生产税净额, 固定资产折旧, 营业盈余, then 增加值合计 and 总投入;
* one column per sector, then 中间使用合计, the final uses 农村居民消费支出, 城镇居民消费支出,
  (居民消费支出 小计), 政府消费支出, (最终消费支出 合计), 固定资本形成总额, 存货变动,
  (资本形成合计), 出口, for a province 流出 (调出), 最终使用合计, 进口, for a province 流入
  (调入), 其他, 总产出.

:func:`read_io_table` reads that layout from XLSX or CSV with Chinese or English headers (the NBS
English editions: "Rural Household Consumption Expenditure", "Gross Fixed Capital Formation",
"Total Output", "Compensation of Employees" ...), checks the subtotal columns and rows against
the cells they total, and returns a validated :class:`~zerocity.brain.io.table.IOTable`. An
optional row of direct emissions by sector (直接二氧化碳排放 / "Direct CO2 emissions", the unit in
brackets) below the table is read as the environmental extension; its entries under household
columns are the households' direct emissions. A header the reader does not know can be mapped with
``header_map`` (``{"header text": "canonical name" or "ignore"}``).

:func:`write_io_table` writes a table in the same layout (what the shipped demo table is).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zerocity.brain.io.table import (
    DEFAULT_RTOL,
    EXPORT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    IMPORT_COLUMNS,
    IOTable,
)
from zerocity.errors import InvalidRecordsError, RecordIssue, UnitError
from zerocity.units import parse_unit

__all__ = [
    "COLUMN_ALIASES",
    "ROW_ALIASES",
    "io_table_frame",
    "parse_io_grid",
    "read_grid",
    "read_io_table",
    "write_io_table",
]

log = logging.getLogger(__name__)

#: Column headers by canonical name (compared after :func:`_norm`: NFKC, lower case, no spaces,
#: punctuation or bracketed text). ``subtotal`` columns are checked where their terms are known.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "total_intermediate_use": ("中间使用合计", "中间使用", "Total Intermediate Use", "Intermediate Use", "TIU"),
    "rural_household": (
        "农村居民消费支出",
        "农村居民消费",
        "农村居民",
        "Rural Household Consumption Expenditure",
        "Rural Household Consumption",
        "Rural Households",
        "rural_household",
    ),
    "urban_household": (
        "城镇居民消费支出",
        "城镇居民消费",
        "城镇居民",
        "Urban Household Consumption Expenditure",
        "Urban Household Consumption",
        "Urban Households",
        "urban_household",
    ),
    "household": (
        "居民消费支出",
        "居民消费",
        "居民消费支出合计",
        "居民消费支出小计",
        "Household Consumption Expenditure",
        "Household Consumption",
        "Households",
        "household",
    ),
    "government": (
        "政府消费支出",
        "政府消费",
        "Government Consumption Expenditure",
        "Government Consumption",
        "government",
    ),
    "final_consumption": (
        "最终消费支出合计",
        "最终消费合计",
        "最终消费支出",
        "最终消费",
        "Total Final Consumption Expenditure",
        "Final Consumption Expenditure",
        "Final Consumption",
    ),
    "gfcf": ("固定资本形成总额", "固定资本形成", "Gross Fixed Capital Formation", "Fixed Capital Formation", "GFCF"),
    "inventory_change": (
        "存货变动",
        "存货增加",
        "库存增加",
        "Changes in Inventories",
        "Change in Inventories",
        "Inventory Change",
        "inventory_change",
    ),
    "capital_formation": (
        "资本形成合计",
        "资本形成总额",
        "资本形成",
        "Gross Capital Formation",
        "Total Capital Formation",
        "Capital Formation",
    ),
    "exports": ("出口", "Exports", "Export"),
    "outflow": (
        "流出",
        "调出",
        "省外流出",
        "国内省外流出",
        "外省流出",
        "国内省外调出",
        "Outflow",
        "Outflows",
        "Domestic Outflow",
        "Interprovincial Outflow",
    ),
    "total_final_use": ("最终使用合计", "最终使用", "Total Final Use", "Total Final Uses", "Final Use", "Final Uses"),
    "imports": ("进口", "Imports", "Import"),
    "inflow": (
        "流入",
        "调入",
        "省外流入",
        "国内省外流入",
        "外省流入",
        "国内省外调入",
        "Inflow",
        "Inflows",
        "Domestic Inflow",
        "Interprovincial Inflow",
    ),
    "other": ("其他", "其它", "误差", "统计误差", "Other", "Others", "Errors", "Statistical Discrepancy"),
    "total_output": ("总产出", "Total Output", "Gross Output", "Output", "GO"),
    "subtotal": ("小计", "合计", "Subtotal", "Total"),
}

#: Row labels by canonical name (compared after :func:`_norm`).
ROW_ALIASES: dict[str, tuple[str, ...]] = {
    "total_intermediate_input": (
        "中间投入合计",
        "中间投入",
        "Total Intermediate Input",
        "Total Intermediate Inputs",
        "Intermediate Inputs",
        "TII",
    ),
    "compensation": ("劳动者报酬", "Compensation of Employees", "Compensation", "Labour Compensation"),
    "net_taxes": ("生产税净额", "Net Taxes on Production", "Net Taxes"),
    "depreciation": (
        "固定资产折旧",
        "固定资本消耗",
        "Depreciation of Fixed Assets",
        "Depreciation of Fixed Capital",
        "Consumption of Fixed Capital",
        "Depreciation",
    ),
    "operating_surplus": ("营业盈余", "Operating Surplus"),
    "total_value_added": ("增加值合计", "增加值", "Total Value Added", "Value Added", "GVA"),
    "total_input": ("总投入", "Total Input", "Total Inputs"),
    "emissions": (
        "直接二氧化碳排放",
        "直接碳排放",
        "二氧化碳排放",
        "碳排放",
        "CO2排放",
        "Direct CO2 Emissions",
        "Direct Emissions",
        "CO2 Emissions",
        "Emissions",
        "GHG Emissions",
    ),
    "subtotal": ("小计", "合计", "Subtotal", "Total"),
}

_VA_ROWS = ("compensation", "net_taxes", "depreciation", "operating_surplus")
_FINAL = ("rural_household", "urban_household", "household", "government", "gfcf", "inventory_change")
_SUBTOTAL_COLUMNS = ("total_intermediate_use", "final_consumption", "capital_formation", "total_final_use", "subtotal")

_LABELS = {
    "zh": {
        "sector": "部门",
        "total_intermediate_use": "中间使用合计",
        "rural_household": "农村居民消费支出",
        "urban_household": "城镇居民消费支出",
        "household": "居民消费支出",
        "government": "政府消费支出",
        "gfcf": "固定资本形成总额",
        "inventory_change": "存货变动",
        "exports": "出口",
        "outflow": "流出",
        "total_final_use": "最终使用合计",
        "imports": "进口",
        "inflow": "流入",
        "other": "其他",
        "total_output": "总产出",
        "total_intermediate_input": "中间投入合计",
        "compensation": "劳动者报酬",
        "net_taxes": "生产税净额",
        "depreciation": "固定资产折旧",
        "operating_surplus": "营业盈余",
        "total_value_added": "增加值合计",
        "total_input": "总投入",
        "emissions": "直接二氧化碳排放",
        "unit": "单位",
    },
    "en": {
        "sector": "Sector",
        "total_intermediate_use": "Total Intermediate Use",
        "rural_household": "Rural Household Consumption Expenditure",
        "urban_household": "Urban Household Consumption Expenditure",
        "household": "Household Consumption Expenditure",
        "government": "Government Consumption Expenditure",
        "gfcf": "Gross Fixed Capital Formation",
        "inventory_change": "Changes in Inventories",
        "exports": "Exports",
        "outflow": "Outflow",
        "total_final_use": "Total Final Use",
        "imports": "Imports",
        "inflow": "Inflow",
        "other": "Other",
        "total_output": "Total Output",
        "total_intermediate_input": "Total Intermediate Input",
        "compensation": "Compensation of Employees",
        "net_taxes": "Net Taxes on Production",
        "depreciation": "Depreciation of Fixed Assets",
        "operating_surplus": "Operating Surplus",
        "total_value_added": "Total Value Added",
        "total_input": "Total Input",
        "emissions": "Direct CO2 Emissions",
        "unit": "Unit",
    },
}

#: Money units written in table titles, as the unit registry spells them.
_MONEY_WORDS = {
    "万元": "wan_yuan",
    "亿元": "yi_yuan",
    "百万元": "1e6 yuan",
    "元": "yuan",
    "10000yuan": "wan_yuan",
    "10thousandyuan": "wan_yuan",
    "104yuan": "wan_yuan",
    "100millionyuan": "yi_yuan",
    "millionyuan": "1e6 yuan",
    "yuan": "yuan",
}
_MASS_WORDS = {"万吨": "wan_t", "万t": "wan_t", "吨": "t", "千吨": "kt", "百万吨": "Mt", "亿吨": "1e8 t"}

_BRACKETS = re.compile(r"[（(\[【{].*?[)）\]】}]")
_DROP = re.compile(r"[\s_\-+:：,，.。'’\"/\\、·*]")


def _norm(text: Any) -> str:
    """Header text for comparison: NFKC, lower case, bracketed parts and punctuation removed."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    s = _BRACKETS.sub("", s)
    return _DROP.sub("", s)


def _index(aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, words in aliases.items():
        for w in (*words, key):
            out.setdefault(_norm(w), key)
    return out


_COLUMN_INDEX = _index(COLUMN_ALIASES)
_ROW_INDEX = _index(ROW_ALIASES)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and np.isnan(v):
        return ""
    return str(v).strip()


def _number(v: Any) -> float | None:
    """A cell as a number; blanks and dashes are 0; None when it is text."""
    if v is None:
        return 0.0
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
        return 0.0 if np.isnan(v) else float(v)
    s = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    if s in {"", "-", "—", "–", "…", "..", "...", "nan"}:
        return 0.0
    try:
        return float(s)
    except ValueError:
        return None


def _col_letter(c: int) -> str:
    out = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        out = chr(65 + r) + out
    return out


def read_grid(path: Path, sheet: str | int | None = None) -> pd.DataFrame:
    """The raw cells of a CSV or XLSX sheet (no header interpretation), as objects.

    CSV is read as UTF-8 (with or without BOM) and, failing that, GB18030 (the usual encoding of
    Chinese spreadsheets saved as CSV).

    Raises
    ------
    InvalidRecordsError
        When the file cannot be read.
    """
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            return pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object)
        data = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            rows = list(csv.reader(io.StringIO(text)))
            width = max((len(r) for r in rows), default=0)
            return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
        raise ValueError("neither UTF-8 nor GB18030 text")
    except (OSError, ValueError) as exc:
        raise InvalidRecordsError(str(path), [RecordIssue(0, "file", f"cannot read the table: {exc}")]) from exc


def _money_unit(cells: list[str]) -> str | None:
    for cell in cells:
        low = unicodedata.normalize("NFKC", cell).lower()
        if "单位" not in low and "unit" not in low:
            continue
        body = re.split(r"单位|units?", low, maxsplit=1)[-1]
        key = _DROP.sub("", body).replace("^", "")
        for word, unit in sorted(_MONEY_WORDS.items(), key=lambda kv: -len(kv[0])):
            if key.startswith(word) or word in key:
                return unit
        try:
            parsed = parse_unit(body.strip(" :：()（）"))
        except UnitError:
            continue
        return parsed.text
    return None


def _emission_unit(label: str) -> str | None:
    m = re.search(r"[（(\[【](.*?)[)）\]】]", unicodedata.normalize("NFKC", label))
    if not m:
        return None
    body = m.group(1).strip()
    for word, unit in _MASS_WORDS.items():
        if body.startswith(word):
            return unit
    cleaned = re.sub(r"(?i)co2e?|二氧化碳", "", body).strip() or "t"
    cleaned = {"t": "tCO2e", "tonnes": "tCO2e", "tonne": "tCO2e"}.get(cleaned, cleaned)
    try:
        return parse_unit(cleaned).text
    except UnitError:
        return None


def parse_io_grid(
    grid: pd.DataFrame,
    *,
    source: str = "table",
    money_unit: str | None = None,
    emission_unit: str | None = None,
    header_map: Mapping[str, str] | None = None,
    name: str | None = None,
    validate: bool = True,
    rtol: float = DEFAULT_RTOL,
) -> IOTable:
    """Interpret the cells of a table in the NBS layout (see the module docstring).

    Parameters
    ----------
    grid : pandas.DataFrame
        Raw cells (:func:`read_grid`), no header.
    source : str
        File name for messages.
    money_unit : str, optional
        Money unit of the cells; default from a "单位：万元" / "Unit: 10,000 yuan" cell above the
        header, else ``wan_yuan`` (the unit of the NBS and provincial tables).
    emission_unit : str, optional
        Unit of the emissions row; default from its label ("直接二氧化碳排放（万吨）"), else ``tCO2e``.
    header_map : mapping, optional
        ``{header or row label: canonical name or "ignore"}`` for texts the reader does not know.
    name : str, optional
        Table name (default: the file stem).
    validate : bool
        Check the balances (:meth:`IOTable.validate`) before returning.
    rtol : float
        Relative tolerance of the balance and subtotal checks [unitless].

    Returns
    -------
    IOTable

    Raises
    ------
    InvalidRecordsError
        Layout problems: missing header or rows, unknown headers, non-numeric cells, sector columns
        that do not match the sector rows, subtotals that do not add up (spreadsheet row numbers
        and column letters).
    IOTableError
        A table that does not balance (the sectors are named).
    """
    user = {_norm(k): v for k, v in (header_map or {}).items()}
    issues: list[RecordIssue] = []
    cells = [[_text(v) for v in row] for row in grid.itertuples(index=False, name=None)]
    raw = [list(row) for row in grid.itertuples(index=False, name=None)]
    n_rows = len(cells)

    def fail(message: str) -> InvalidRecordsError:
        return InvalidRecordsError(source, [*issues, RecordIssue(0, "layout", message)])

    def col_kind(text: str) -> str | None:
        k = _norm(text)
        if k in user:
            return user[k]
        return _COLUMN_INDEX.get(k)

    def row_kind(text: str) -> str | None:
        k = _norm(text)
        if k in user:
            return user[k]
        return _ROW_INDEX.get(k)

    # 1. header row: the first row with a total-output header
    r_h = c_out = -1
    for r in range(n_rows):
        for c, t in enumerate(cells[r]):
            if t and col_kind(t) == "total_output":
                r_h, c_out = r, c
                break
        if r_h >= 0:
            break
    if r_h < 0:
        raise fail("no total-output column header (总产出 / Total Output) found")
    # 2. label column: the column of the first intermediate-input / value-added / total-input label
    r_end = c_lab = -1
    stops = {"total_intermediate_input", "total_input", "total_value_added", *_VA_ROWS}
    for r in range(r_h + 1, n_rows):
        for c in range(min(c_out, len(cells[r]))):
            if cells[r][c] and row_kind(cells[r][c]) in stops:
                r_end, c_lab = r, c
                break
        if r_end >= 0:
            break
    if r_end < 0:
        raise fail("no intermediate-input or value-added rows (中间投入合计 / 劳动者报酬 / 总投入) found")
    data_cols = list(range(c_lab + 1, c_out + 1))

    def numeric_row(r: int) -> bool:
        return any(cells[r][c] != "" and _number(raw[r][c]) is not None for c in data_cols[:-1] if c < len(cells[r]))

    # 3. sector rows: labelled rows between the header and the first intermediate-input row
    sector_rows: list[int] = []
    for r in range(r_h + 1, r_end):
        label = [cells[r][c] for c in range(c_lab + 1) if c < len(cells[r]) and cells[r][c]]
        if not label:
            if numeric_row(r):
                issues.append(RecordIssue(r + 1, _col_letter(c_lab), "numbers in a row without a sector label"))
            continue
        if not sector_rows and not numeric_row(r):
            continue  # a second header line (codes, names) under the header row
        sector_rows.append(r)
    if not sector_rows:
        raise fail("no sector rows between the header and the intermediate-input row")
    first_data = sector_rows[0]
    n = len(sector_rows)

    def row_labels(r: int) -> list[str]:
        return [cells[r][c] for c in range(c_lab + 1) if c < len(cells[r]) and cells[r][c]]

    sectors = [cells[r][c_lab] or row_labels(r)[-1] for r in sector_rows]

    def header_texts(c: int) -> list[str]:
        return [cells[r][c] for r in range(first_data) if c < len(cells[r]) and cells[r][c]]

    # 4. columns: the first n non-empty columns are the sectors, then the named columns
    nonempty = [c for c in data_cols if header_texts(c) or any(_number(raw[r][c]) for r in sector_rows)]
    if len(nonempty) < n + 1:
        raise fail(f"{n} sector rows but only {len(nonempty) - 1} sector columns before the total-output column")
    sector_cols = nonempty[:n]
    for j, (r, c) in enumerate(zip(sector_rows, sector_cols, strict=True)):
        head_keys = {_norm(t) for t in header_texts(c)}
        label_keys = {_norm(t) for t in row_labels(r)}
        if head_keys and not head_keys & label_keys:
            issues.append(
                RecordIssue(
                    first_data,
                    f"{_col_letter(c)}",
                    f"sector column {j + 1} is headed {header_texts(c)!r} but sector row {j + 1} "
                    f"(spreadsheet row {r + 1}) is {row_labels(r)!r}: columns and rows must list the sectors "
                    "in the same order",
                )
            )
    kinds: dict[int, str] = {}
    for c in nonempty[n:]:
        heads = header_texts(c)
        kind = None
        for t in reversed(heads):  # the lowest header line is the most specific
            kind = col_kind(t)
            if kind:
                break
        if kind is None:
            known = ", ".join(v[0] for k, v in COLUMN_ALIASES.items() if k != "subtotal")
            issues.append(
                RecordIssue(
                    first_data,
                    _col_letter(c),
                    f"unknown column header {heads!r}: expected one of {known} (or map it with header_map)",
                )
            )
            continue
        if kind != "ignore":
            kinds[c] = kind
    seen: dict[str, int] = {}
    for c, k in kinds.items():
        if k in seen and k not in _SUBTOTAL_COLUMNS:
            issues.append(
                RecordIssue(first_data, _col_letter(c), f"second {k!r} column (first in {_col_letter(seen[k])})")
            )
        seen.setdefault(k, c)
    if seen.get("total_output") != c_out:
        kinds[c_out] = "total_output"

    # 5. rows below the sectors
    row_kinds: dict[int, tuple[str, str]] = {}
    for r in range(r_end, n_rows):
        labels = row_labels(r)
        if not labels:
            if numeric_row(r):
                issues.append(RecordIssue(r + 1, _col_letter(c_lab), "numbers in a row without a label"))
            continue
        kind = None
        for t in reversed(labels):
            kind = row_kind(t)
            if kind:
                break
        if kind is None:
            if numeric_row(r):
                known = ", ".join(v[0] for k, v in ROW_ALIASES.items() if k != "subtotal")
                issues.append(
                    RecordIssue(
                        r + 1,
                        _col_letter(c_lab),
                        f"unknown row label {labels!r}: expected one of {known} (or map it with header_map)",
                    )
                )
            continue
        if kind != "ignore":
            row_kinds[r] = (kind, labels[-1])

    # 6. numbers
    def value(r: int, c: int) -> float:
        v = _number(raw[r][c]) if c < len(raw[r]) else 0.0
        if v is None:
            issues.append(RecordIssue(r + 1, _col_letter(c), "expected a number", cells[r][c]))
            return 0.0
        return v

    def block(rows: list[int], cols: list[int]) -> np.ndarray:
        return np.array([[value(r, c) for c in cols] for r in rows], dtype=float).reshape(len(rows), len(cols))

    z = block(sector_rows, sector_cols)
    final_cols = {k: c for c, k in kinds.items() if k in (*_FINAL, *EXPORT_COLUMNS, "other")}
    import_cols = {k: c for c, k in kinds.items() if k in IMPORT_COLUMNS}
    if "rural_household" in final_cols or "urban_household" in final_cols:
        hh = final_cols.pop("household", None)
        if hh is not None:
            kinds[hh] = "household_subtotal"
    order = [k for k in (*_FINAL, *EXPORT_COLUMNS, "other") if k in final_cols]
    y = block(sector_rows, [final_cols[k] for k in order])
    m = block(sector_rows, [import_cols[k] for k in IMPORT_COLUMNS if k in import_cols])
    m_names = [k for k in IMPORT_COLUMNS if k in import_cols]
    x = block(sector_rows, [c_out])[:, 0]
    notes: list[str] = []
    if m.size and (m <= 0).all() and (m < 0).any():
        m = -m
        notes.append("imports were written as negative numbers; read as positive amounts subtracted in the balance")
    va_rows = {k: r for r, (k, _) in row_kinds.items() if k in _VA_ROWS}
    va_names = [k for k in _VA_ROWS if k in va_rows]
    va = block([va_rows[k] for k in va_names], sector_cols)
    total_rows = {
        k: r for r, (k, _) in row_kinds.items() if k in ("total_intermediate_input", "total_value_added", "total_input")
    }
    if not va_names:
        if "total_value_added" not in total_rows:
            raise fail("no value-added rows (劳动者报酬 ... 营业盈余) and no total value added row (增加值合计)")
        va = block([total_rows["total_value_added"]], sector_cols)
        va_names = ["value_added"]
        notes.append("value added read from its total row only")

    # 7. subtotal checks
    def check(name: str, got: np.ndarray, expected: np.ndarray, where: list[tuple[int, int]], terms: int) -> None:
        tol = np.maximum(rtol * np.abs(expected), 0.5 * (terms + 1))
        for (r, c), g, e, t in zip(where, got, expected, tol, strict=True):
            if abs(g - e) > t:
                issues.append(
                    RecordIssue(
                        r + 1, _col_letter(c), f"{name} is {g:.6g} but its terms add up to {e:.6g}", cells[r][c]
                    )
                )

    y_of = {k: y[:, i] for i, k in enumerate(order)}

    def col_sum(keys: tuple[str, ...]) -> np.ndarray:
        return sum((y_of[k] for k in keys if k in y_of), start=np.zeros(n))

    def where_col(c: int) -> list[tuple[int, int]]:
        return [(r, c) for r in sector_rows]

    for c, k in kinds.items():
        if k == "total_intermediate_use":
            check("total intermediate use", block(sector_rows, [c])[:, 0], z.sum(axis=1), where_col(c), n)
        elif k == "household_subtotal":
            check(
                "household consumption",
                block(sector_rows, [c])[:, 0],
                col_sum(("rural_household", "urban_household")),
                where_col(c),
                2,
            )
        elif k == "final_consumption":
            check(
                "final consumption",
                block(sector_rows, [c])[:, 0],
                col_sum(("rural_household", "urban_household", "household", "government")),
                where_col(c),
                3,
            )
        elif k == "capital_formation":
            check(
                "capital formation",
                block(sector_rows, [c])[:, 0],
                col_sum(("gfcf", "inventory_change")),
                where_col(c),
                2,
            )
        elif k == "total_final_use":
            keys = (*_FINAL, *EXPORT_COLUMNS)
            check("total final use", block(sector_rows, [c])[:, 0], col_sum(keys), where_col(c), len(keys))
    for k, r in total_rows.items():
        got = block([r], sector_cols)[0]
        where = [(r, c) for c in sector_cols]
        if k == "total_intermediate_input":
            check("total intermediate input", got, z.sum(axis=0), where, n)
        elif k == "total_value_added" and va_names != ["value_added"]:
            check("total value added", got, va.sum(axis=0), where, len(va_names))
        elif k == "total_input":
            check("total input", got, x, where, 1)

    # 8. emissions row (environmental extension)
    f = None
    fy: dict[str, float] | None = None
    e_unit = emission_unit
    em_rows = [r for r, (k, _) in row_kinds.items() if k == "emissions"]
    if len(em_rows) > 1:
        issues.append(RecordIssue(em_rows[1] + 1, _col_letter(c_lab), "a second emissions row"))
    if em_rows:
        r = em_rows[0]
        f = block([r], sector_cols)[0]
        fy = {k: value(r, final_cols[k]) for k in order if k in HOUSEHOLD_COLUMNS or k == "government"}
        fy = {k: v for k, v in fy.items() if v}
        if e_unit is None:
            e_unit = _emission_unit(row_kinds[r][1])
    if issues:
        raise InvalidRecordsError(source, issues)
    m_unit = money_unit or _money_unit([t for row in cells[:first_data] for t in row if t])
    if m_unit is None:
        m_unit = "wan_yuan"
        notes.append("money unit not stated in the file: 10^4 yuan (wan_yuan) assumed, the unit of the NBS tables")
    table = IOTable.from_arrays(
        sectors,
        z,
        y,
        final_demand_columns=order,
        imports=m if m_names else None,
        import_columns=m_names or None,
        value_added=va,
        value_added_rows=va_names,
        output=x,
        emissions=f,
        final_emissions=fy or None,
        money_unit=m_unit,
        emission_unit=e_unit or "tCO2e",
        name=name or Path(source).stem,
        source=source,
        notes=notes,
    )
    return table.validate(rtol=rtol) if validate else table


def read_io_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    money_unit: str | None = None,
    emission_unit: str | None = None,
    header_map: Mapping[str, str] | None = None,
    name: str | None = None,
    validate: bool = True,
    rtol: float = DEFAULT_RTOL,
) -> IOTable:
    """Read an input-output table in the NBS layout from XLSX or CSV (see :func:`parse_io_grid`).

    Parameters
    ----------
    path : str or Path
        ``.xlsx``/``.xlsm``/``.xls`` or ``.csv``.
    sheet : str or int, optional
        Sheet of a workbook (default the first).
    money_unit, emission_unit, header_map, name, validate, rtol
        As :func:`parse_io_grid`.

    Returns
    -------
    IOTable
    """
    p = Path(path)
    return parse_io_grid(
        read_grid(p, sheet),
        source=str(p),
        money_unit=money_unit,
        emission_unit=emission_unit,
        header_map=header_map,
        name=name,
        validate=validate,
        rtol=rtol,
    )


def _unit_text(unit: str, language: str) -> str:
    zh = {"wan_yuan": "万元", "yi_yuan": "亿元", "yuan": "元"}
    en = {"wan_yuan": "10,000 yuan", "yi_yuan": "100 million yuan", "yuan": "yuan"}
    return (zh if language == "zh" else en).get(unit, unit)


def io_table_frame(table: IOTable, language: str = "zh") -> pd.DataFrame:
    """The cells of ``table`` in the NBS layout (title row with the unit, header row, rows), as objects.

    Parameters
    ----------
    table : IOTable
    language : {"zh", "en"}
        Header language.

    Returns
    -------
    pandas.DataFrame
        No header; write it with ``header=False, index=False``.
    """
    lab = _LABELS[language]
    fin = list(table.final_demand.columns)
    main = [c for c in fin if c != "other"]
    imp = list(table.imports.columns)
    tail = ["other"] if "other" in fin else []
    cols = [*table.sectors, "total_intermediate_use", *main, "total_final_use", *imp, *tail, "total_output"]
    header = [lab["sector"], *table.sectors] + [lab.get(c, c) for c in cols[table.n :]]
    title = f"{table.name} ({lab['unit']}: {_unit_text(table.money_unit, language)})"
    rows: list[list[Any]] = [[title] + [""] * (len(header) - 1), header]
    z = table.intermediate.to_numpy(dtype=float)
    y = table.final_demand
    for i, s in enumerate(table.sectors):
        row: list[Any] = [s, *z[i]]
        row.append(z[i].sum())
        row += [y.iloc[i][c] for c in main]
        row.append(sum(y.iloc[i][c] for c in main))
        row += [table.imports.iloc[i][c] for c in imp]
        row += [y.iloc[i][c] for c in tail]
        row.append(table.x[i])
        rows.append(row)
    pad = [""] * (len(header) - 1 - table.n)
    rows.append([lab["total_intermediate_input"], *z.sum(axis=0), *pad])
    va_rows = list(table.value_added.index)
    if va_rows != ["value_added"]:
        for r in va_rows:
            rows.append([lab.get(r, r), *table.value_added.loc[r].to_numpy(dtype=float), *pad])
    rows.append([lab["total_value_added"], *table.total_value_added, *pad])
    rows.append([lab["total_input"], *table.x, *pad])
    if table.emissions is not None:
        em: list[Any] = [f"{lab['emissions']} ({table.emission_unit})", *table.emissions.to_numpy(dtype=float)]
        fy = table.final_direct()
        em.append("")
        em += [fy[c] if fy[c] else "" for c in main]
        em += [""] * (len(header) - len(em))
        rows.append(em)
    out = pd.DataFrame(rows, dtype=object)
    return out.map(lambda v: _clean(v))


def _clean(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        f = float(v)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    return v


def write_io_table(table: IOTable, path: str | Path, language: str = "zh") -> Path:
    """Write ``table`` in the NBS layout to CSV (UTF-8) or XLSX; returns the path."""
    p = Path(path)
    frame = io_table_frame(table, language)
    if p.suffix.lower() in {".xlsx", ".xlsm"}:
        frame.to_excel(p, header=False, index=False)
    else:
        frame.to_csv(p, header=False, index=False, encoding="utf-8")
    return p
