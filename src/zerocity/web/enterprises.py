"""Enterprise pages' view models: graded accounts with submitted data, one enterprise's page.

Accounts are those of ``zerocity accounts enterprise grade`` and the API
(:func:`zerocity.accounts.enterprise.grade_period`) over every registered entity, computed from
the records of the tenant's registry inventory with each entity's latest non-rejected submitted
version applied (:mod:`zerocity.web.mrvdata`): a reporter's submission changes its account at
once, marked with the version's state.
"""

from __future__ import annotations

import io
import logging
import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from zerocity.accounts.enterprise import Trend, grade_period, read_registry
from zerocity.i18n import N_, format_number
from zerocity.store.db import session_scope
from zerocity.store.models import EnterpriseRegistry, MonitorQuota
from zerocity.web import figures, views
from zerocity.web.mrvdata import Version, apply_versions

__all__ = [
    "Registry",
    "account_page",
    "current_registry",
    "enterprise_list",
    "graded_accounts",
    "reason_text",
]

logger = logging.getLogger(__name__)

Translate = Callable[..., str]

_CLASS_LEVELS = {
    "class": N_("class_level_class"),
    "division": N_("class_level_division"),
    "section": N_("class_level_section"),
}
_TRENDS = {
    Trend.IMPROVING.value: N_("trend_improving"),
    Trend.WORSENING.value: N_("trend_worsening"),
    Trend.STABLE.value: N_("trend_stable"),
    Trend.NEW.value: N_("trend_new"),
}
#: MRV states -> message ids.
STATE_IDS = {
    "monitored": N_("web_state_monitored"),
    "reported": N_("web_state_reported"),
    "verified": N_("web_state_verified"),
    "rejected": N_("web_state_rejected"),
}
#: Rows per page of the enterprise list (zerocity's choice).
PAGE_SIZE = 50


@dataclass(frozen=True)
class Registry:
    """The tenant's enterprise registry in use.

    Attributes
    ----------
    id : int
        Registry upload id.
    inventory_id : int
        Stored inventory the accounts come from.
    frame : pandas.DataFrame
        Validated registry (:func:`read_registry`).
    names_zh : dict of str to str
        USCC -> Chinese name, when the upload had ``name_zh``.
    """

    id: int
    inventory_id: int
    frame: pd.DataFrame
    names_zh: dict[str, str]

    def name(self, uscc: str, fallback: str, lang: str) -> str:
        """The entity's name in a language."""
        return self.names_zh.get(uscc, fallback) if lang == "zh" else fallback


_REGISTRIES: dict[tuple[str, int, str], Registry] = {}


def current_registry(slug: str, engine: Engine, *, cache_key: str = "") -> Registry | None:
    """The newest registry upload of a tenant (parsed once per process), or None."""
    with session_scope(engine) as session:
        row = session.scalars(select(EnterpriseRegistry).order_by(EnterpriseRegistry.id.desc()).limit(1)).first()
        if row is None:
            return None
        key = (slug, int(row.id), cache_key)
        if key in _REGISTRIES:
            return _REGISTRIES[key]
        content, filename, inventory_id = bytes(row.content), str(row.filename), int(row.inventory_id)
    suffix = Path(filename).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory(prefix="zerocity-web-registry-") as folder:
        path = Path(folder) / f"registry{suffix}"
        path.write_bytes(content)
        frame = read_registry(path)
        raw = pd.read_csv(path, dtype=str) if suffix == ".csv" else pd.read_excel(path, dtype=str)
    names_zh: dict[str, str] = {}
    if "name_zh" in raw.columns and "uscc" in raw.columns:
        names_zh = dict(zip(raw["uscc"].str.strip().str.upper(), raw["name_zh"].fillna(""), strict=True))
    registry = Registry(id=int(key[1]), inventory_id=inventory_id, frame=frame, names_zh=names_zh)
    _REGISTRIES[key] = registry
    return registry


def graded_accounts(
    slug: str, engine: Engine, registry: Registry, year: int, versions: Sequence[Version], *, cache_key: str = ""
) -> pd.DataFrame:
    """Graded accounts of ``year`` of every registered entity, with submitted versions applied.

    Parameters
    ----------
    versions : sequence of Version
        Latest non-rejected version per entity and year (:func:`~zerocity.web.mrvdata.entity_versions`).

    Returns
    -------
    pandas.DataFrame
        :data:`~zerocity.accounts.enterprise.ACCOUNT_COLUMNS` plus the grade columns, and
        ``data_state`` (state of the submitted version used, empty for the inventory's data) and
        ``data_version``. Energy counts electricity by its calorific value (the CLI's default).

    Raises
    ------
    AccountsError
        When the registry inventory has no entity record of ``year`` (message names the inventory).
    """
    relevant = [v for v in versions if v.year in (year - 1, year)]
    key = ("accounts", slug, registry.id, year, cache_key, tuple(sorted(v.key for v in relevant)))

    def build() -> pd.DataFrame:
        stored = views.stored_records(slug, engine, registry.inventory_id, cache_key=cache_key)
        records = stored.records
        entity = records["entity"].fillna("").astype(str)
        years = pd.to_numeric(records["year"], errors="coerce")
        # only the rows grade_period uses (entity rows of the two years), before the versions replace some
        records = records[(entity != "").to_numpy() & years.isin([year - 1, year]).to_numpy()]
        records = apply_versions(records, relevant)
        _, graded = grade_period(
            registry.frame,
            records,
            year=year,
            region=stored.region,
            gwp=stored.gwp,
            library=stored.library,
            source=f"inventory {registry.inventory_id}",
        )
        states = {v.entity: v for v in relevant if v.year == year}
        graded["data_state"] = graded["uscc"].map(lambda u: states[u].state if u in states else "")
        graded["data_version"] = graded["uscc"].map(lambda u: states[u].version if u in states else 0)
        return graded

    result: pd.DataFrame = views.cached_view(key, build)
    return result


def _value(row: dict[str, Any], key: str) -> Any:
    v = row.get(key)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def reason_text(row: dict[str, Any], lang: str, t: Translate) -> str:
    """The grade's explanation in a language (the report's sentence, ``ent_reason_text``)."""
    if _value(row, "grade") is None:
        return t("ent_not_graded")

    def num(key: str, decimals: int) -> str:
        return format_number(_value(row, key), lang, decimals=decimals)

    level = str(_value(row, "class_level") or "")
    return t(
        "ent_reason_text",
        grade=int(row["grade"]),
        colour=t(views.GRADE_IDS[int(row["grade"])]),
        intensity=num("intensity_tco2e_per_10k_yuan", 3),
        ratio=num("ratio", 2),
        industry_intensity=num("industry_intensity", 3),
        class_level=t(_CLASS_LEVELS[level]) if level in _CLASS_LEVELS else level,
        peer_group=str(_value(row, "peer_group") or ""),
        percentile=num("percentile", 0),
        peers=int(row["peers"]) if _value(row, "peers") is not None else "",
    )


def enterprise_list(
    graded: pd.DataFrame,
    registry: Registry,
    lang: str,
    *,
    q: str = "",
    grade: int | None = None,
    district: str = "",
    page: int = 1,
) -> dict[str, Any]:
    """One page of the enterprise list, searched (name, Chinese name or USCC) and filtered.

    Returns
    -------
    dict
        ``rows`` (records with ``display_name``), ``total`` (matches), ``page``, ``pages``,
        ``districts`` (codes present).
    """
    frame = graded.copy()
    frame["display_name"] = [registry.name(u, n, lang) for u, n in zip(frame["uscc"], frame["name"], strict=True)]
    if q.strip():
        needle = q.strip().lower()
        zh = frame["uscc"].map(lambda u: registry.names_zh.get(u, "")).str.lower()
        hit = (
            frame["name"].str.lower().str.contains(needle, regex=False)
            | zh.str.contains(needle, regex=False)
            | frame["uscc"].str.lower().str.contains(needle, regex=False)
        )
        frame = frame[hit]
    if grade is not None:
        frame = frame[frame["grade"] == grade]
    if district:
        frame = frame[frame["district"].astype(str) == district]
    frame = frame.sort_values(["total_tco2e"], ascending=False)
    total = len(frame)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = frame.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "rows": rows.astype(object).where(pd.notna(rows), None).to_dict("records"),
        "total": total,
        "page": page,
        "pages": pages,
        "districts": sorted(graded["district"].dropna().astype(str).unique()),
    }


def _quota(engine: Engine, uscc: str, year: int) -> float | None:
    with session_scope(engine) as session:
        value = session.scalar(
            select(MonitorQuota.quota).where(
                MonitorQuota.entity == uscc, MonitorQuota.year == year, MonitorQuota.kind == "carbon"
            )
        )
    return float(value) if value is not None else None


def account_page(
    data: views.CityData,
    engine: Engine,
    graded: pd.DataFrame,
    registry: Registry,
    uscc: str,
    year: int,
    reports: list[dict[str, Any]],
    lang: str,
    t: Translate,
) -> dict[str, Any]:
    """One enterprise: account, grade and reason, quota gauge, warnings, history, verification status.

    Raises
    ------
    KeyError
        The entity is not in the registry.
    """
    mine = graded[graded["uscc"] == uscc]
    if mine.empty:
        raise KeyError(uscc)
    row = mine.astype(object).where(pd.notna(mine), None).iloc[0].to_dict()
    row["display_name"] = registry.name(uscc, str(row["name"]), lang)
    row["reason"] = reason_text(row, lang, t)
    row["trend_name"] = t(_TRENDS[row["trend"]]) if row.get("trend") in _TRENDS else ""
    row["state_name"] = t(STATE_IDS[row["data_state"]]) if row.get("data_state") in STATE_IDS else ""
    warnings = []
    if row.get("grade") is None:
        warnings.append(t("ent_warn_not_graded"))
    if row.get("trend") == Trend.WORSENING.value and row.get("intensity_change_pct") is not None:
        warnings.append(t("ent_warn_worsening", pct=format_number(row["intensity_change_pct"], lang, decimals=1)))
    if row.get("data_state") == "reported":
        warnings.append(t("web_warn_unverified", version=row["data_version"]))
    quota = _quota(engine, uscc, year)
    gauge = None
    if quota is not None and quota > 0:
        used = float(row["total_tco2e"] or 0.0)
        gauge = figures.quota_gauge(used, quota, None, title=t("web_quota_gauge"))
        if used > quota:
            warnings.append(t("web_warn_quota_exceeded", pct=format_number(100 * used / quota, lang, decimals=0)))
    counted = data.result.counted(data.level)
    own = counted[counted["entity"].astype(str).to_numpy() == uscc]
    history = own.groupby(own["year"].astype(int))["tco2e"].sum().rename("value").reset_index()
    figs: dict[str, Any] = {
        "history": figures.trend_against_target(
            history,
            None,
            title=t("web_chart_enterprise_history"),
            y_title="tCO2e",
            actual_name=t("web_inventory"),
            target_name=t("web_target_path"),
        )
    }
    if gauge is not None:
        figs["gauge"] = gauge
    own_reports = [
        {**r, "state_name": t(STATE_IDS[str(r["state"])]) if r["state"] in STATE_IDS else str(r["state"])}
        for r in reports
        if r["entity"] == uscc
    ]
    return {
        "year": year,
        "row": row,
        "quota": quota,
        "warnings": warnings,
        "history": history.to_dict("records"),
        "reports": own_reports,
        "figures": figs,
    }


def entity_records_csv(records: pd.DataFrame, uscc: str, year: int) -> bytes:
    """The entity's records of a year as CSV (the starting point of a self-service submission)."""
    entity = records["entity"].fillna("").astype(str)
    years = pd.to_numeric(records["year"], errors="coerce")
    mine = records[(entity == uscc).to_numpy() & (years == year).to_numpy()]
    mine = mine.replace("", pd.NA).dropna(axis=1, how="all")
    buffer = io.StringIO()
    mine.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")
