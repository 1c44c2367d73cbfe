"""The scenario report: emission pathways per scenario, wedges between two scenarios, key assumptions.

Sections (sheet names in brackets): cover (model, region, years, level, GWP set); pathways
(``Pathways``: per scenario the base and end-year totals, change, peak year and level, a line
chart, totals every five years); wedges (``Wedges``: avoided emissions per measure in milestone
years, cumulative, stand-alone, levelised cost, a stacked-area chart); key assumptions
(``Assumptions``: drivers in the base and end year per scenario, with their sources); measures
(``Measures``: description, scenarios, costs).

Units: emissions [t CO2e] at the model's report level; costs in the measure's currency.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import numpy as np

import zerocity
from zerocity.brain.scenario.pathways import ScenarioResults, WedgeTable
from zerocity.i18n import format_date, translator
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
    Section,
    Table,
)

__all__ = ["build_scenario_report", "milestone_years"]

log = logging.getLogger(__name__)


def milestone_years(years: list[int], step: int = 5) -> list[int]:
    """The first and last year and every multiple of ``step`` between them [years]."""
    if not years:
        return []
    first, last = years[0], years[-1]
    return sorted({first, last, *(y for y in years if y % step == 0)})


def _pathways(results: ScenarioResults, t: Callable[..., str], lang: str) -> list[Block]:
    totals = results.totals()
    years = [int(y) for y in totals.index]
    spec = results.model.spec
    rows: list[list[Any]] = []
    for name in totals.columns:
        path = totals[name].to_numpy(dtype=float)
        peak = results.runs[name].peak(results.level)
        parent = spec.scenarios[name].parent if name in spec.scenarios else None
        base, end = float(path[0]), float(path[-1])
        rows.append(
            [
                name,
                parent or "",
                base,
                end,
                100.0 * (end / base - 1.0) if base else None,
                str(peak["peak_year"]) if peak["peak_year"] else t("scn_no_peak", year=years[-1]),
                peak["peak_tco2e"],
            ]
        )
    summary = Table(
        [
            Column(t("scn_scenario")),
            Column(t("scn_parent")),
            Column(t("scn_base_value"), ColumnKind.NUMBER),
            Column(t("scn_end_value"), ColumnKind.NUMBER),
            Column(t("scn_change"), ColumnKind.PERCENT),
            Column(t("scn_peak_year")),
            Column(t("scn_peak_value"), ColumnKind.NUMBER),
        ],
        rows,
    )
    div, unit = scale_unit(float(np.nanmax(np.abs(totals.to_numpy()))) if totals.size else 0.0)
    chart = Chart(
        ChartKind.LINE,
        t("chart_pathways", level=results.level.value, unit=unit),
        years,
        {str(n): [float(v) / div for v in totals[n]] for n in totals.columns},
    )
    shown = milestone_years(years)
    by_year = Table(
        [Column(t("year"), ColumnKind.TEXT), *(Column(str(n), ColumnKind.NUMBER) for n in totals.columns)],
        [[str(y), *(float(totals.at[y, n]) for n in totals.columns)] for y in shown],
        caption=t("scn_totals_by_year"),
    )
    descriptions = [
        [name, spec.scenarios[name].description or ""]
        for name in totals.columns
        if name in spec.scenarios and spec.scenarios[name].description
    ]
    blocks: list[Block] = [summary, chart, by_year]
    if descriptions:
        blocks.append(Table([Column(t("scn_scenario")), Column(t("scn_description"))], descriptions))
    return blocks


def _wedges(wedge: WedgeTable, t: Callable[..., str]) -> list[Block]:
    table = wedge.table
    years = [int(y) for y in table.index]
    shown = [y for y in milestone_years(years, 10) if y != years[0]]
    measures = set(wedge.costs) | set(wedge.standalone.columns)
    currency = next((c.get("currency") for c in wedge.costs.values() if c.get("currency")), None)
    columns = [
        Column(t("scn_group")),
        *(Column(t("scn_avoided_in", year=y), ColumnKind.NUMBER) for y in shown),
        Column(t("scn_cumulative"), ColumnKind.NUMBER),
        Column(t("scn_standalone"), ColumnKind.NUMBER),
        Column(t("scn_lca", currency=currency or "CNY"), ColumnKind.NUMBER),
    ]
    rows: list[list[Any]] = []
    labels: dict[str, str] = {}
    for col in table.columns:
        label = _group_label(str(col), t)
        labels[str(col)] = label
        alone = float(wedge.standalone[col].sum()) if col in wedge.standalone.columns else None
        cost = wedge.costs.get(col, {}).get("levelised_cost_per_tco2e")
        rows.append(
            [
                label,
                *(float(table.at[y, col]) for y in shown),
                float(table[col].sum()),
                alone if col in measures else None,
                None if cost is None else float(cost),
            ]
        )
    diff = wedge.start_total - wedge.end_total
    rows.append(
        [t("total"), *(float(diff[years.index(y)]) for y in shown), float(diff.sum()), None, None],
    )
    peak = float(np.abs(table.to_numpy()).sum(axis=1).max()) if table.size else 0.0
    div, unit = scale_unit(peak)
    chart = Chart(
        ChartKind.STACKED_AREA,
        t("chart_wedges", unit=unit),
        years,
        {labels[str(c)]: [float(v) / div for v in table[c]] for c in table.columns},
    )
    return [
        Table(columns, rows, [""] * (len(rows) - 1) + ["total"], notes=[t("scn_note_wedges")]),
        chart,
    ]


def _group_label(group: str, t: Callable[..., str]) -> str:
    """A wedge group's label: a measure's name, or "<scenario>: scenario assumptions"."""
    suffix = " assumptions"
    if group.endswith(suffix):
        return t("scn_group_assumptions", scenario=group[: -len(suffix)])
    return group


def _assumptions(results: ScenarioResults, t: Callable[..., str]) -> list[Block]:
    spec = results.model.spec
    names = list(results.runs)
    first = results.runs[names[0]]
    years = [int(y) for y in first.years]
    rows = []
    for var, definition in spec.assumptions.items():
        unit = getattr(definition, "unit", None) or ""
        source = getattr(definition, "source", None) or ""
        key = f"assumptions.{var}"
        base = float(first.variables[key][0][0])
        ends = [float(results.runs[n].variables[key][0][-1]) for n in names]
        rows.append([var, unit, base, *ends, source])
    columns = [
        Column(t("scn_variable")),
        Column(t("unit")),
        Column(t("scn_value_in", year=years[0]), ColumnKind.NUMBER),
        *(Column(f"{n}: {t('scn_value_in', year=years[-1])}", ColumnKind.NUMBER) for n in names),
        Column(t("source")),
    ]
    return [Table(columns, rows)]


def _measures(results: ScenarioResults, t: Callable[..., str]) -> list[Block]:
    spec = results.model.spec
    model = results.model
    rows = []
    for name, measure in spec.measures.items():
        using = [s for s in spec.scenarios if any(name in spec.scenarios[a].measures for a in model.lineage(s))]
        cost = measure.cost
        rows.append(
            [
                name,
                measure.description or "",
                ", ".join(using),
                None if cost is None else float(cost.capex),
                None if cost is None else float(cost.opex_per_year),
            ]
        )
    return [
        Table(
            [
                Column(t("scn_group")),
                Column(t("scn_description")),
                Column(t("scn_in_scenarios")),
                Column(t("scn_capex"), ColumnKind.NUMBER),
                Column(t("scn_opex"), ColumnKind.NUMBER),
            ],
            rows,
        )
    ]


def build_scenario_report(
    results: ScenarioResults,
    *,
    wedge: WedgeTable | None = None,
    lang: str = "en",
    date: dt.date | None = None,
) -> Report:
    """The pathway report of scenario runs.

    Parameters
    ----------
    results : ScenarioResults
        From :func:`zerocity.brain.scenario.run_scenarios`.
    wedge : WedgeTable, optional
        From :func:`zerocity.brain.scenario.wedges` (its level should be the model's report level).
    lang : {"en", "zh"}
    date : datetime.date, optional
        Date printed on the report (default today, UTC).

    Returns
    -------
    Report

    Raises
    ------
    UnknownLanguageError
        For a language other than ``en`` and ``zh``.
    """
    t = translator(lang)
    spec = results.model.spec
    when = date or dt.datetime.now(dt.UTC).date()
    shown_date = format_date(when, lang)
    cover = KeyValues(
        [
            (t("scn_model"), spec.name),
            (t("region"), spec.region),
            (t("scn_base_year"), str(spec.base_year)),
            (t("scn_end_year"), str(spec.end_year)),
            (t("level"), results.level.value),
            (t("gwp"), spec.gwp),
            (t("scn_scenario"), ", ".join(results.runs)),
            (t("scn_discount_rate"), 100.0 * spec.discount_rate),
            (t("cover_date"), shown_date),
            (t("generated_by"), f"zerocity {zerocity.__version__}"),
        ]
    )
    sections = [Section("Pathways", t("scn_pathways"), _pathways(results, t, lang))]
    if wedge is not None:
        sections.append(
            Section("Wedges", t("scn_wedges", start=wedge.start, end=wedge.end), _wedges(wedge, t), wide=True)
        )
    else:
        sections.append(Section("Wedges", t("scn_wedges", start="-", end="-"), [Paragraph(t("scn_no_wedges"))]))
    sections.append(Section("Assumptions", t("scn_assumptions"), _assumptions(results, t), wide=True))
    if spec.measures:
        sections.append(Section("Measures", t("scn_measures"), _measures(results, t)))
    return Report(
        lang=lang,
        title=t("scn_report_title"),
        subtitle=f"{spec.name} · {spec.base_year}-{spec.end_year}",
        cover=cover,
        sections=sections,
        footer=t("report_footer", version=zerocity.__version__, date=shown_date),
    )
