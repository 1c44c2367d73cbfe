"""The enterprise carbon account report: one enterprise, one period.

Sections (sheet names in brackets): cover (name, unified social credit code, industry, district,
period); account (``Account``: scopes 1-3, total, energy, output, land, employees, chart by
scope); intensities (``Intensity``); carbon code (``CarbonCode``: grade, colour, ratio to the
industry average, peer group, percentile, trend and the reason, from
:func:`zerocity.accounts.enterprise.grade_accounts`); quota and projection (``Quota``, from
:func:`zerocity.accounts.allowances.project_quotas`); warnings (``Warnings``).

Units: emissions [t CO2e], energy [tce], output [10^4 yuan], land [mu], intensities [t CO2e per
10^4 yuan], [tce per 10^4 yuan], [t CO2e per mu], [t CO2e per person].
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

import zerocity
from zerocity.accounts.enterprise import CarbonCodeConfig, ClassLevel, Trend, load_carbon_code_config
from zerocity.i18n import N_, format_date, format_number, translator
from zerocity.inventory.export import SCOPE_LABELS
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

__all__ = ["build_enterprise_report", "quota_status_text"]

log = logging.getLogger(__name__)

_CLASS_LEVELS = {
    ClassLevel.CLASS.value: N_("class_level_class"),
    ClassLevel.DIVISION.value: N_("class_level_division"),
    ClassLevel.SECTION.value: N_("class_level_section"),
}
_TRENDS = {
    Trend.IMPROVING.value: N_("trend_improving"),
    Trend.WORSENING.value: N_("trend_worsening"),
    Trend.STABLE.value: N_("trend_stable"),
    Trend.NEW.value: N_("trend_new"),
}
_QUOTA_METHODS = {
    "seasonal": N_("quota_method_seasonal"),
    "linear": N_("quota_method_linear"),
    "no data": N_("quota_method_none"),
}
_QUOTA_KINDS = {"energy": N_("quota_kind_energy"), "carbon": N_("quota_kind_carbon")}
_STATUS = re.compile(r"^(reached|projected) (\d+)%$")


def _value(row: pd.Series, key: str) -> Any:
    """A cell as a plain Python value; None when missing or NaN."""
    if key not in row.index:
        return None
    v = row[key]
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):
        v = v.item()
    return v


def quota_status_text(status: str, t: Callable[..., str]) -> str:
    """The translated status of :func:`~zerocity.accounts.allowances.project_quotas` (``ok``, ``reached 80%``...)."""
    if status == "ok":
        return t("quota_status_ok")
    m = _STATUS.match(str(status))
    if m is None:
        return str(status)
    key = "quota_status_reached" if m.group(1) == "reached" else "quota_status_projected"
    return t(key, pct=m.group(2))


def _reason(row: pd.Series, lang: str, t: Callable[..., str], colour: str) -> str:
    if _value(row, "grade") is None:
        return t("ent_not_graded")

    def num(key: str, decimals: int) -> str:
        return format_number(_value(row, key), lang, decimals=decimals)

    level = str(_value(row, "class_level") or "")
    return t(
        "ent_reason_text",
        grade=int(row["grade"]),
        colour=colour,
        intensity=num("intensity_tco2e_per_10k_yuan", 3),
        ratio=num("ratio", 2),
        industry_intensity=num("industry_intensity", 3),
        class_level=t(_CLASS_LEVELS[level]) if level in _CLASS_LEVELS else level,
        peer_group=str(_value(row, "peer_group") or ""),
        percentile=num("percentile", 0),
        peers=int(row["peers"]) if _value(row, "peers") is not None else "",
    )


def _colour(grade: Any, config: CarbonCodeConfig, lang: str) -> str:
    if grade is None:
        return ""
    for g in config.grades:
        if g.grade == int(grade):
            return g.colour_zh if lang == "zh" and g.colour_zh else g.colour.replace("_", " ")
    return ""


def _quota_blocks(quotas: pd.DataFrame | None, uscc: str, t: Callable[..., str]) -> tuple[list[Block], list[str]]:
    rows: list[list[Any]] = []
    warnings: list[str] = []
    if quotas is not None and not quotas.empty:
        mine = quotas[quotas["entity"].astype(str).str.strip().str.upper() == uscc]
        for r in mine.to_dict("records"):
            kind_raw = str(r.get("kind", "") or "")
            kind = t(_QUOTA_KINDS[kind_raw]) if kind_raw in _QUOTA_KINDS else kind_raw
            status = quota_status_text(str(r["status"]), t)
            as_of = r.get("as_of")
            share = r.get("projected_share")
            rows.append(
                [
                    kind,
                    float(r["quota"]),
                    float(r["consumed"]),
                    "" if as_of is None or pd.isna(as_of) else pd.Timestamp(as_of).strftime("%Y-%m-%d"),
                    None if pd.isna(r["projected"]) else float(r["projected"]),
                    None if share is None or pd.isna(share) else 100.0 * float(share),
                    t(_QUOTA_METHODS[r["method"]]) if r["method"] in _QUOTA_METHODS else str(r["method"]),
                    status,
                ]
            )
            if str(r["status"]) != "ok":
                warnings.append(t("ent_warn_quota", kind=kind, status=status))
    if not rows:
        return [Paragraph(t("no_quota"))], warnings
    columns = [
        Column(t("quota_kind")),
        Column(t("quota"), ColumnKind.NUMBER),
        Column(t("quota_consumed"), ColumnKind.NUMBER),
        Column(t("quota_as_of")),
        Column(t("quota_projected"), ColumnKind.NUMBER),
        Column(t("quota_projected_share"), ColumnKind.PERCENT),
        Column(t("quota_method")),
        Column(t("quota_status")),
    ]
    return [Table(columns, rows)], warnings


def build_enterprise_report(
    graded: pd.DataFrame,
    uscc: str,
    *,
    lang: str = "en",
    name: str | None = None,
    industry_name: str | None = None,
    quotas: pd.DataFrame | None = None,
    config: CarbonCodeConfig | None = None,
    date: dt.date | None = None,
) -> Report:
    """The account report of one enterprise.

    Parameters
    ----------
    graded : pandas.DataFrame
        Output of :func:`zerocity.accounts.enterprise.grade_accounts` (one period).
    uscc : str
        Unified social credit code of the enterprise.
    lang : {"en", "zh"}
    name : str, optional
        Name to print (default the ``name`` column, e.g. a Chinese name from the registry).
    industry_name : str, optional
        Name of its GB/T 4754 class, printed after the code.
    quotas : pandas.DataFrame, optional
        Output of :func:`zerocity.accounts.allowances.project_quotas`; its rows of this entity.
    config : CarbonCodeConfig, optional
        The grading rule used (thresholds and colours; default the shipped one).
    date : datetime.date, optional
        Date printed on the report (default today, UTC).

    Returns
    -------
    Report

    Raises
    ------
    ReportError
        When the enterprise is not in ``graded``.
    UnknownLanguageError
        For a language other than ``en`` and ``zh``.
    """
    t = translator(lang)
    cfg = config or load_carbon_code_config()
    code = uscc.strip().upper()
    match = graded[graded["uscc"].astype(str).str.upper() == code]
    if match.empty:
        raise ReportError(f"enterprise {uscc!r} is not in the graded accounts ({len(graded)} enterprises)")
    row = match.iloc[0]
    shown_name = name or str(_value(row, "name") or code)
    year = int(row["year"])
    when = date or dt.datetime.now(dt.UTC).date()
    shown_date = format_date(when, lang)
    industry = str(_value(row, "industry_code") or "")
    cover = KeyValues(
        [
            (t("ent_name"), shown_name),
            (t("ent_uscc"), code),
            (t("ent_industry"), f"{industry} {industry_name}".strip() if industry_name else industry),
            (t("ent_district"), str(_value(row, "district") or "")),
            (t("ent_period"), str(year)),
            (t("cover_date"), shown_date),
            (t("generated_by"), f"zerocity {zerocity.__version__}"),
        ]
    )
    scopes = [(s, _value(row, f"scope{s}_tco2e")) for s in (1, 2, 3)]
    account: list[Block] = [
        KeyValues(
            [(f"{t(SCOPE_LABELS[s])} [{t('unit_tco2e')}]", v) for s, v in scopes]
            + [
                (t("ent_total"), _value(row, "total_tco2e")),
                (t("ent_energy"), _value(row, "energy_tce")),
                (t("ent_output"), _value(row, "output_value_10k_yuan")),
                (t("ent_land"), _value(row, "land_area_mu")),
                (t("ent_employees"), _value(row, "employees")),
            ]
        ),
        Paragraph(t("ent_note_scope3"), note=True),
    ]
    values = [float(v or 0.0) for _, v in scopes]
    div, unit = scale_unit(max(map(abs, values), default=0.0))
    account.append(
        Chart(
            ChartKind.BAR,
            t("chart_ent_scopes", unit=unit),
            [t(SCOPE_LABELS[s]) for s, _ in scopes],
            {"": [v / div for v in values]},
        )
    )
    intensity: list[Block] = [
        KeyValues(
            [
                (t("ent_intensity"), _value(row, "intensity_tco2e_per_10k_yuan")),
                (t("ent_energy_intensity"), _value(row, "energy_tce_per_10k_yuan")),
                (t("ent_per_mu"), _value(row, "tco2e_per_mu")),
                (t("ent_per_employee"), _value(row, "tco2e_per_employee")),
            ]
        )
    ]
    grade = _value(row, "grade")
    colour = _colour(grade, cfg, lang)
    level = str(_value(row, "class_level") or "")
    trend = str(_value(row, "trend") or "")
    change = _value(row, "intensity_change_pct")
    code_rows: list[tuple[str, Any]] = [
        (t("ent_grade"), "" if grade is None else str(int(grade))),
        (t("ent_colour"), colour),
        (t("ent_ratio"), _value(row, "ratio")),
        (t("ent_industry_intensity"), _value(row, "industry_intensity")),
        (
            t("ent_peer_group"),
            f"{t(_CLASS_LEVELS[level])} {_value(row, 'peer_group') or ''}".strip() if level in _CLASS_LEVELS else "",
        ),
        (t("ent_peers"), _value(row, "peers")),
        (t("ent_percentile"), _value(row, "percentile")),
        (t("ent_trend"), t(_TRENDS[trend]) if trend in _TRENDS else trend),
        (t("ent_change"), change),
    ]
    th = cfg.thresholds
    carbon_code: list[Block] = [
        KeyValues([*code_rows, (t("ent_reason"), _reason(row, lang, t, colour))]),
        Paragraph(
            t(
                "ent_thresholds",
                t1=format_number(th[0], lang, decimals=2),
                t2=format_number(th[1], lang, decimals=2),
                t3=format_number(th[2], lang, decimals=2),
                t4=format_number(th[3], lang, decimals=2),
                version=cfg.version,
            ),
            note=True,
        ),
    ]
    quota_blocks, quota_warnings = _quota_blocks(quotas, code, t)
    warnings: list[str] = []
    if grade is None:
        warnings.append(t("ent_warn_not_graded"))
    if trend == Trend.WORSENING.value and change is not None:
        warnings.append(t("ent_warn_worsening", pct=format_number(change, lang, decimals=1)))
    warnings += quota_warnings
    sections = [
        Section("Account", t("ent_account"), account),
        Section("Intensity", t("ent_intensities"), intensity),
        Section("CarbonCode", t("ent_carbon_code"), carbon_code),
        Section("Quota", t("ent_quota"), quota_blocks),
        Section(
            "Warnings",
            t("warnings"),
            [Table([Column(t("warning"))], [[w] for w in warnings] or [[t("no_warnings")]])],
        ),
    ]
    return Report(
        lang=lang,
        title=t("ent_report_title"),
        subtitle=f"{shown_name} · {year}",
        cover=cover,
        sections=sections,
        footer=t("report_footer", version=zerocity.__version__, date=shown_date),
    )
