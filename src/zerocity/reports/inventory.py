"""The city inventory report in the GPC reporting layout (GPC v1.1 Chapter 4 and Table 4.1).

Sections (sheet names in brackets): cover; summary (``Summary``: BASIC, BASIC+, territorial
totals, biogenic memo, per capita and per GDP, charts by scope and by sector); the GPC table
(``GPC``: every reference number by sector with its scope, notation key, gases and totals);
breakdowns (``Breakdown``: by scope, by sector); gases (``Gases``); methodology
(``Methodology``: methods used with the sources of their formulas, GWP set, reporting levels);
factor sources (``Factors``: id, dataset, publisher, document and table, year); data quality and
uncertainty (``Quality``).

Units: emissions [t CO2e] under the result's GWP set, gases [t of the gas], biogenic CO2 [t CO2],
per capita [t CO2e per person], per GDP [t CO2e per 10^4 yuan].
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import zerocity
from zerocity.factors.gwp import GwpSet
from zerocity.i18n import N_, format_date, translator
from zerocity.inventory.export import SCOPE_LABELS, UNCERTAINTY_METHODS, gpc_rows
from zerocity.inventory.gpc import Level, gpc_table
from zerocity.inventory.result import InventoryResult
from zerocity.inventory.sectors.registry import METHODS
from zerocity.reports.charts import scale_unit
from zerocity.reports.document import (
    Block,
    Chart,
    ChartKind,
    Column,
    ColumnKind,
    KeyValues,
    Paragraph,
    Report,
    ReportError,
    Section,
    Table,
)

__all__ = ["CORE_METHODS", "GWP_SOURCES", "build_inventory_report", "data_fingerprint", "split_source"]

log = logging.getLogger(__name__)

#: Methods of the inventory engine itself: message id of the title and source of the formula
#: (docs/methodology.md sections 3-5). Sector methods carry their own ``reference``.
CORE_METHODS: dict[str, tuple[str, str]] = {
    "factor": (
        N_("method_factor"),
        "IPCC 2006 Vol. 2 Ch. 2, Eq. 2.1; Ch. 1 section 1.4.1.2 (NCV); "
        "NDRC 2011/2013 guidelines and IPCC 2006 Vol. 2 Ch. 1 section 1.4.2.1 (carbon content)",
    ),
    "mass_balance": (N_("method_mass_balance"), "IPCC 2006 Vol. 3 Ch. 4, Eq. 4.9"),
    "measured": (N_("method_measured"), "HJ 75-2017; Regulation (EU) No 601/2012, Annex VIII section 3"),
}

#: Message id of each sector method's title (every method of the registry has one: tests/i18n).
SECTOR_METHOD_TITLES: dict[str, str] = {
    "enteric": N_("method_enteric"),
    "manure_ch4": N_("method_manure_ch4"),
    "manure_n2o": N_("method_manure_n2o"),
    "soil_n2o": N_("method_soil_n2o"),
    "urea": N_("method_urea"),
    "liming": N_("method_liming"),
    "rice": N_("method_rice"),
    "carbonate": N_("method_carbonate"),
    "cement": N_("method_cement"),
    "lime": N_("method_lime"),
    "glass": N_("method_glass"),
    "ammonia": N_("method_ammonia"),
    "iron_steel": N_("method_iron_steel"),
    "lubricant": N_("method_lubricant"),
    "refrigerant": N_("method_refrigerant"),
    "sf6_equipment": N_("method_sf6_equipment"),
    "fod": N_("method_fod"),
    "biological": N_("method_biological"),
    "incineration": N_("method_incineration"),
    "wastewater_domestic": N_("method_wastewater_domestic"),
    "wastewater_industrial": N_("method_wastewater_industrial"),
}

#: Where each GWP-100 set's values come from (docs/methodology.md section 6).
GWP_SOURCES: dict[GwpSet, str] = {
    GwpSet.AR4: "IPCC AR4 WG1 Table 2.14",
    GwpSet.AR5: "IPCC AR5 WG1 Table 8.A.1",
    GwpSet.AR6: "IPCC AR6 WG1 Table 7.SM.7; CH4 fossil/non-fossil Table 7.15",
}

_SOURCE_YEAR = re.compile(r",\s*(\d{4})\s*$")


def split_source(source: str) -> tuple[str, str, str]:
    """Publisher, document and table, year of a factor record's ``source``.

    The library writes ``source`` as ``"publisher, document, table, year"``
    (:func:`zerocity.factors.model.records_from_frame`). The publisher is the text before the
    first comma (true of every shipped set), the year the trailing four digits.

    Returns
    -------
    tuple of str
        ``(publisher, document_and_table, year)``; ``("", source, "")`` when the text does not
        have that shape.
    """
    m = _SOURCE_YEAR.search(source)
    if m is None or "," not in source[: m.start()]:
        return "", source, ""
    head = source[: m.start()]
    publisher, rest = head.split(",", 1)
    return publisher.strip(), rest.strip(), m.group(1)


def data_fingerprint(result: InventoryResult) -> str:
    """A version of the input data: the first 12 hex digits of a SHA-256 of the records' values.

    Any change of a record (a value, a row added or removed, the order) changes it.
    """
    rec = result.records
    digest = hashlib.sha256()
    digest.update(",".join(map(str, rec.columns)).encode())
    digest.update(pd.util.hash_pandas_object(rec.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()[:12]


def _result_year(result: InventoryResult) -> int:
    years = result.years or tuple(sorted({int(y) for y in result.emissions["year"].unique()}))
    if len(years) != 1:
        shown = ", ".join(str(y) for y in years) or "none"
        raise ReportError(f"an inventory report covers one year; the result has years {shown}: choose one (--year)")
    return int(years[0])


def _scaled(values: list[float]) -> tuple[list[float], str]:
    div, unit = scale_unit(max((abs(v) for v in values), default=0.0))
    return [v / div for v in values], unit


def _shares(values: list[float]) -> list[float | None]:
    total = sum(values)
    return [100.0 * v / total if total else None for v in values]


def _summary(
    result: InventoryResult, lang: str, t: Callable[..., str], population: float | None, gdp: float | None
) -> list[Block]:
    level = result.level.value
    total = result.total_tco2e
    rows: list[tuple[str, Any]] = [
        (f"{t('basic')} [{t('unit_tco2e')}]", result.total(Level.BASIC)),
        (f"{t('basic_plus')} [{t('unit_tco2e')}]", result.total(Level.BASIC_PLUS)),
        (f"{t('territorial')} [{t('unit_tco2e')}]", result.total(Level.TERRITORIAL)),
        (f"{t('biogenic')} [{t('unit_tco2')}]", result.biogenic_co2_t),
    ]
    blocks: list[Block] = [KeyValues(rows, caption=t("headline"))]
    if population or gdp:
        intensity: list[tuple[str, Any]] = []
        if population:
            intensity += [(t("population"), _plain(population)), (t("per_capita"), total / float(population))]
        if gdp:
            intensity += [(t("gdp"), _plain(gdp)), (t("per_gdp"), total / float(gdp))]
        blocks.append(KeyValues(intensity))
        blocks.append(Paragraph(t("note_intensity", level=level), note=True))
    blocks.append(Paragraph(t("note_level", level=level), note=True))
    blocks.append(Paragraph(t("note_biogenic"), note=True))
    scopes = _scope_values(result)
    values, unit = _scaled([v for _, v in scopes])
    blocks.append(
        Chart(ChartKind.BAR, t("chart_scope", unit=unit), [t(SCOPE_LABELS[s]) for s, _ in scopes], {"": values})
    )
    sectors = _sector_values(result, lang)
    values, unit = _scaled([v for _, _, v in sectors])
    blocks.append(
        Chart(
            ChartKind.BAR,
            t("chart_sector", unit=unit),
            [f"{code} {name}" for code, name, _ in sectors],
            {"": values},
        )
    )
    return blocks


def _plain(value: float) -> float | int:
    """An integral float as int (shown without decimals)."""
    return int(value) if float(value).is_integer() else float(value)


def _scope_values(result: InventoryResult) -> list[tuple[int, float]]:
    counted = result.counted()
    sums = counted.groupby("scope", observed=True)["tco2e"].sum() if not counted.empty else pd.Series(dtype=float)
    return [(s, float(sums.get(s, 0.0))) for s in (1, 2, 3)]


def _sector_values(result: InventoryResult, lang: str) -> list[tuple[str, str, float]]:
    """GPC sectors with counted emissions: code, name in ``lang``, emissions [t CO2e]."""
    names = _sector_names(lang)
    counted = result.counted()
    sums = counted.groupby("sector", observed=True)["tco2e"].sum() if not counted.empty else pd.Series(dtype=float)
    return [(code, name, float(sums[code])) for code, name in names.items() if code in sums.index]


def _sector_names(lang: str) -> dict[str, str]:
    gpc = gpc_table().drop_duplicates("sector")
    return dict(zip(gpc["sector"], gpc[f"sector_name_{lang}"], strict=True))


def _gpc_section(result: InventoryResult, lang: str, t: Callable[..., str]) -> list[Block]:
    frame = gpc_rows(result, lang=lang)
    columns = [
        Column(t("col_ref"), ColumnKind.CODE),
        Column(t("col_subsector")),
        Column(t("col_scope"), ColumnKind.INTEGER),
        Column(t("col_level")),
        Column(t("col_notation")),
        Column(t("col_co2"), ColumnKind.NUMBER),
        Column(t("col_ch4"), ColumnKind.NUMBER),
        Column(t("col_n2o"), ColumnKind.NUMBER),
        Column(t("col_other"), ColumnKind.NUMBER),
        Column(t("col_total"), ColumnKind.NUMBER),
        Column(t("col_biogenic"), ColumnKind.NUMBER),
    ]
    rows: list[list[Any]] = []
    styles: list[str] = []
    sector = None
    values = ("co2_t", "ch4_t", "n2o_t", "other_tco2e", "total_tco2e", "biogenic_co2_t")
    for r in frame.to_dict("records"):
        if r["kind"] == "ref" and r["gpc_ref"].split(".")[0] != sector:
            sector = r["gpc_ref"].split(".")[0]
            rows.append([sector, r["sector_name"], None, "", "", *([None] * len(values))])
            styles.append("group")
        scope = None if r["scope"] is pd.NA or r["scope"] is None else int(r["scope"])
        cells = [None if pd.isna(r[k]) else float(r[k]) for k in values]
        if r["kind"] == "total":
            rows.append([r["gpc_ref"], "", scope, r["level"], "", *cells])
            styles.append("total")
        else:
            rows.append([r["gpc_ref"], r["subsector_name"], scope, r["level"], r["notation"], *cells])
            styles.append("" if bool(r["reported"]) else "muted")
    return [Table(columns, rows, styles, notes=[t("note_notation"), t("note_not_reported"), t("note_biogenic")])]


def _breakdown(result: InventoryResult, lang: str, t: Callable[..., str]) -> list[Block]:
    scopes = _scope_values(result)
    shares = _shares([v for _, v in scopes])
    scope_table = Table(
        [Column(t("col_scope")), Column(t("emissions"), ColumnKind.NUMBER), Column(t("share"), ColumnKind.PERCENT)],
        [[t(SCOPE_LABELS[s]), v, sh] for (s, v), sh in zip(scopes, shares, strict=True)]
        + [[t("total"), sum(v for _, v in scopes), 100.0 if sum(v for _, v in scopes) else None]],
        ["", "", "", "total"],
        caption=t("by_scope"),
    )
    sectors = _sector_values(result, lang)
    shares = _shares([v for _, _, v in sectors])
    total = sum(v for _, _, v in sectors)
    sector_table = Table(
        [
            Column(t("code")),
            Column(t("col_sector")),
            Column(t("emissions"), ColumnKind.NUMBER),
            Column(t("share"), ColumnKind.PERCENT),
        ],
        [[c, n, v, sh] for (c, n, v), sh in zip(sectors, shares, strict=True)]
        + [["", t("total"), total, 100.0 if total else None]],
        [""] * len(sectors) + ["total"],
        caption=t("by_sector"),
        notes=[t("note_level", level=result.level.value)],
    )
    return [scope_table, sector_table]


def _gases(result: InventoryResult, t: Callable[..., str]) -> list[Block]:
    counted = result.counted()
    by_gas = counted.groupby("gas", observed=True)[["tonnes", "tco2e"]].sum() if not counted.empty else None
    rows: list[list[Any]] = []
    if by_gas is not None:
        order = sorted(by_gas.index, key=lambda g: ({"CO2": 0, "CH4": 1, "N2O": 2}.get(str(g), 3), str(g)))
        total = float(by_gas["tco2e"].sum())
        for gas in order:
            tco2e = float(by_gas.at[gas, "tco2e"])
            rows.append([str(gas), float(by_gas.at[gas, "tonnes"]), tco2e, 100.0 * tco2e / total if total else None])
        rows.append([t("total"), None, total, 100.0 if total else None])
    return [
        Table(
            [
                Column(t("gas")),
                Column(t("tonnes_gas"), ColumnKind.NUMBER),
                Column(t("emissions"), ColumnKind.NUMBER),
                Column(t("share"), ColumnKind.PERCENT),
            ],
            rows,
            [""] * (len(rows) - 1) + ["total"] if rows else [],
            notes=[t("note_by_gas", level=result.level.value, gwp=result.gwp.value)],
        )
    ]


def method_title(method: str, t: Callable[..., str]) -> tuple[str, str]:
    """Title (translated) and formula source of a calculation method of the inventory engine.

    Raises
    ------
    ReportError
        For a method with no title in the catalogue (a method added without its message).
    """
    if method in CORE_METHODS:
        msgid, source = CORE_METHODS[method]
        return t(msgid), source
    if method in SECTOR_METHOD_TITLES and method in METHODS:
        return t(SECTOR_METHOD_TITLES[method]), METHODS[method].reference
    raise ReportError(f"calculation method {method!r} has no report title (add method_{method} to the catalogues)")


def _methodology(result: InventoryResult, t: Callable[..., str]) -> list[Block]:
    rec = result.records
    data_rows = rec[rec["notation"].to_numpy() == ""]
    methods = data_rows["method"].astype(str)
    counts = methods.value_counts()
    totals = result.record_totals()["tco2e"]
    by_method = totals.iloc[data_rows.index.to_numpy()].groupby(methods.to_numpy()).sum() if len(data_rows) else {}
    rows = []
    for method in sorted(counts.index):
        title, source = method_title(str(method), t)
        rows.append([title, int(counts[method]), float(by_method.get(method, 0.0)), source])
    gwp = GwpSet(result.gwp)
    return [
        Paragraph(t("methodology_intro")),
        Table(
            [
                Column(t("method")),
                Column(t("records"), ColumnKind.INTEGER),
                Column(t("emissions"), ColumnKind.NUMBER),
                Column(t("formula_source")),
            ],
            rows,
            caption=t("methods_used"),
        ),
        Paragraph(t("methodology_gwp", gwp=gwp.value, gwp_source=GWP_SOURCES[gwp])),
        Paragraph(t("methodology_levels")),
        Paragraph(t("methodology_uncertainty")),
    ]


def _factors(result: InventoryResult, t: Callable[..., str]) -> list[Block]:
    rows = []
    for f in result.factors_used():
        publisher, document, year = split_source(str(f["source"]))
        rows.append(
            [
                f["factor_id"],
                f"{f['dataset']} {f['dataset_version']}",
                publisher,
                document,
                year,
                float(f["value"]),
                f["unit"],
            ]
        )
    columns = [
        Column(t("factor_id"), ColumnKind.CODE),
        Column(t("dataset"), ColumnKind.CODE),
        Column(t("publisher")),
        Column(t("document_table")),
        Column(t("source_year")),
        Column(t("value"), ColumnKind.NUMBER),
        Column(t("unit"), ColumnKind.CODE),
    ]
    blocks: list[Block] = [Table(columns, rows)]
    if not rows:
        blocks.append(Paragraph(t("no_factors")))
    datasets = ", ".join(f"{k} {v}" for k, v in result.library.dataset_versions().items())
    blocks.append(Paragraph(f"{t('datasets')}: {datasets}", note=True))
    return blocks


def _quality(result: InventoryResult, t: Callable[..., str]) -> list[Block]:
    rec = result.records
    notation = rec["notation"].to_numpy() != ""
    with_data = set(rec.loc[~notation, "gpc_ref"].astype(str))
    notation_only = set(rec.loc[notation, "gpc_ref"].astype(str)) - with_data
    n_refs = len(gpc_table())
    ids = result.record_factor_ids()
    own = int(sum(1 for s in ids if {"row", "measured"} & set(str(s).split(";"))))
    library_ids = sorted(result.factor_ids)
    with_unc = sum(1 for fid in library_ids if result.library.get(fid).relative_uncertainty is not None)
    blocks: list[Block] = [
        KeyValues(
            [
                (t("records"), len(rec)),
                (t("dq_refs_data"), len(with_data)),
                (t("dq_refs_notation"), len(notation_only)),
                (t("dq_refs_missing"), n_refs - len(with_data) - len(notation_only)),
                (t("dq_row_factors"), own),
                (t("dq_library_factors"), len(library_ids)),
                (t("dq_factor_uncertainty"), with_unc),
                (t("dq_warnings"), len(result.warnings)),
            ],
            kind=ColumnKind.INTEGER,
            caption=t("data_quality"),
        )
    ]
    u = result.uncertainty
    if u:
        method = str(u.get("method", ""))
        rows: list[tuple[str, Any]] = [
            (t("method"), t(UNCERTAINTY_METHODS[method]) if method in UNCERTAINTY_METHODS else method)
        ]
        if method == "montecarlo":
            rows += [(t("runs"), u.get("runs")), (t("seed"), u.get("seed"))]
        rows += [
            (t("central"), u.get("total_tco2e")),
            (t("half_width"), u.get("uncertainty_pct")),
            (t("lower"), u.get("lower_tco2e")),
            (t("upper"), u.get("upper_tco2e")),
        ]
        blocks.append(KeyValues(rows, caption=t("uncertainty")))
    else:
        blocks.append(KeyValues([(t("uncertainty"), t("no_uncertainty"))]))
    blocks.append(
        Table(
            [Column(t("warning"))],
            [[w] for w in result.warnings] or [[t("no_warnings")]],
            caption=t("warnings"),
        )
    )
    return blocks


def build_inventory_report(
    result: InventoryResult,
    *,
    lang: str = "en",
    city: str = "",
    boundary: str | None = None,
    population: float | None = None,
    gdp: float | None = None,
    data_version: str | None = None,
    date: dt.date | None = None,
) -> Report:
    """The inventory report of a one-year result.

    Parameters
    ----------
    result : InventoryResult
        One inventory year (compute with ``years=[year]``).
    lang : {"en", "zh"}
    city : str
        Name of the city, as it should be printed.
    boundary : str, optional
        The inventory's geographic boundary; default "administrative boundary" with the region.
    population : float, optional
        Resident population of the year [persons], for the per capita figure.
    gdp : float, optional
        GDP of the year [10^4 yuan], for the per GDP figure.
    data_version : str, optional
        Version of the input data; default :func:`data_fingerprint`.
    date : datetime.date, optional
        Date printed on the report (default today, UTC).

    Returns
    -------
    Report

    Raises
    ------
    UnknownLanguageError
        For a language other than ``en`` and ``zh``.
    ReportError
        When the result spans several years, or population or GDP is not positive.
    """
    t = translator(lang)
    year = _result_year(result)
    for name, value in (("population", population), ("GDP", gdp)):
        if value is not None and not (np.isfinite(value) and value > 0):
            raise ReportError(f"{name} must be a positive number, got {value!r}")
    when = date or dt.datetime.now(dt.UTC).date()
    shown_date = format_date(when, lang)
    cover = KeyValues(
        [
            (t("cover_city"), city or result.region),
            (t("cover_year"), str(year)),
            (t("cover_boundary"), boundary or t("boundary_default", region=result.region)),
            (t("cover_framework"), t("gpc_name")),
            (t("level"), result.level.value),
            (t("gwp"), f"{result.gwp.value} ({GWP_SOURCES[GwpSet(result.gwp)]})"),
            (t("cover_date"), shown_date),
            (t("cover_data_version"), data_version or data_fingerprint(result)),
            (t("generated_by"), f"zerocity {zerocity.__version__}"),
        ]
    )
    sections = [
        Section("Summary", t("summary"), _summary(result, lang, t, population, gdp)),
        Section("GPC", t("gpc_table"), _gpc_section(result, lang, t), wide=True),
        Section("Breakdown", t("by_sector"), _breakdown(result, lang, t)),
        Section("Gases", t("by_gas"), _gases(result, t)),
        Section("Methodology", t("methodology"), _methodology(result, t)),
        Section("Factors", t("factor_sources"), _factors(result, t), wide=True),
        Section("Quality", t("data_quality"), _quality(result, t)),
    ]
    return Report(
        lang=lang,
        title=t("inv_report_title"),
        subtitle=f"{city or result.region} · {year}",
        cover=cover,
        sections=sections,
        footer=t("report_footer", version=zerocity.__version__, date=shown_date),
    )
