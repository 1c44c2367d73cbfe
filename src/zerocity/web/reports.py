"""Report downloads of the dashboard: the city inventory, an enterprise's account, the scenario report.

The documents are those of ``zerocity report inventory|enterprise|scenario`` (:mod:`zerocity.reports`:
``build_*_report`` then :func:`~zerocity.reports.report_bytes`), built from the numbers the page
that links to them shows, in the page's language, when they are asked for (a PDF takes 1-3 s;
nothing is cached):

* the city inventory of one year: the tenant's stored city inventory with the verified enterprise
  versions the overview includes (:func:`zerocity.web.views.city_data`), recomputed for that year,
  with the profile's population [persons] and GDP [10^4 yuan] of the year for the intensities;
* an enterprise's account: its row of the enterprise page's graded accounts
  (:func:`zerocity.web.enterprises.graded_accounts`, submitted versions applied);
* the scenario report: the profile's scenario model through the API's
  :func:`zerocity.service.models.scenario_report`, wedges from ``BAU`` to ``policy`` when the model
  has both (:data:`WEDGE_SCENARIOS`).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import pandas as pd
from fastapi.responses import Response
from sqlalchemy.engine import Engine

from zerocity.inventory.engine import compute_inventory
from zerocity.inventory.result import InventoryResult
from zerocity.reports import build_enterprise_report, build_inventory_report, report_bytes
from zerocity.reports.document import ReportFormat
from zerocity.service.models import scenario_report
from zerocity.web.enterprises import Registry
from zerocity.web.mrvdata import apply_versions
from zerocity.web.profile import CityProfile
from zerocity.web.views import CityData, stored_records

__all__ = [
    "REPORT_FORMATS",
    "WEDGE_SCENARIOS",
    "ReportFile",
    "attachment",
    "city_year_result",
    "enterprise_report_file",
    "inventory_report_file",
    "scenario_report_file",
]

logger = logging.getLogger(__name__)

#: Formats a download may ask for (the path's suffix) -> report format.
REPORT_FORMATS: dict[str, ReportFormat] = {"pdf": ReportFormat.PDF, "xlsx": ReportFormat.XLSX}
#: Scenarios compared by the scenario report's wedges: (start, end), when the model has both.
WEDGE_SCENARIOS = ("BAU", "policy")

_UNSAFE = re.compile(r"[^\w.-]+")
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class ReportFile:
    """A report ready to send.

    Attributes
    ----------
    content : bytes
    media_type : str
    filename : str
        Name in the report's language (may hold Chinese characters).
    ascii_filename : str
        The same name with ASCII characters only (for clients without RFC 6266 ``filename*``).
    """

    content: bytes
    media_type: str
    filename: str
    ascii_filename: str


def _stem(text: str, *, ascii_only: bool = False) -> str:
    """A file-name part: letters, digits, ``_``, ``.`` and ``-`` (others become ``_``), at most 80 characters."""
    pattern = _UNSAFE_ASCII if ascii_only else _UNSAFE
    return pattern.sub("_", text.strip()).strip("_.")[:80]


def _file(content: bytes, media: str, suffix: str, name: str, ascii_name: str, rest: str) -> ReportFile:
    shown = _stem(name) or _stem(ascii_name, ascii_only=True) or "report"
    plain = _stem(ascii_name, ascii_only=True) or _stem(name, ascii_only=True) or "report"
    return ReportFile(content, media, f"{shown}-{rest}.{suffix}", f"{plain}-{rest}.{suffix}")


def attachment(file: ReportFile) -> Response:
    """The download response: ``Content-Disposition: attachment`` with both file names (RFC 6266, RFC 5987)."""
    disposition = f"attachment; filename=\"{file.ascii_filename}\"; filename*=UTF-8''{quote(file.filename, safe='')}"
    return Response(
        file.content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def city_year_result(data: CityData, engine: Engine, year: int) -> InventoryResult:
    """The overview's city inventory restricted to one year (the input of the inventory report).

    The records and parameters of :func:`zerocity.web.views.city_data` (the stored inventory
    with the verified versions of ``data`` applied) computed with ``years=[year]``: the same
    emissions of ``year`` as ``data.result`` [t CO2e], history rows (landfill decay) included.

    Parameters
    ----------
    data : CityData
        The city data the overview shows.
    engine : sqlalchemy.Engine
        The tenant database.
    year : int
        Inventory year.
    """
    stored = stored_records(data.slug, engine, data.profile.inventory_id, cache_key=data.data_dir)
    records = apply_versions(stored.records, list(data.versions))
    return compute_inventory(
        records,
        library=stored.library,
        gwp=stored.gwp,
        region=stored.region or data.profile.region,
        level=stored.level,
        source=stored.name,
        years=[int(year)],
    )


def _statistic(profile: CityProfile, year: int, column: str) -> float | None:
    """A positive statistic of the profile's ``year`` (population [persons], GDP [10^4 yuan]), or None."""
    stats = profile.statistics
    if column not in stats.columns:
        return None
    values = pd.to_numeric(stats.loc[stats["year"].astype(int) == int(year), column], errors="coerce").dropna()
    if values.empty:
        return None
    value = float(values.iloc[0])
    return value if np.isfinite(value) and value > 0 else None


def inventory_report_file(data: CityData, engine: Engine, year: int, lang: str, fmt: ReportFormat) -> ReportFile:
    """The city inventory report of ``year`` as the overview shows it.

    Parameters
    ----------
    data : CityData
    engine : sqlalchemy.Engine
        The tenant database.
    year : int
        Inventory year (one of ``data.years``).
    lang : {"en", "zh"}
    fmt : ReportFormat

    Raises
    ------
    ReportError
        When the inputs do not make a report (see :func:`zerocity.reports.build_inventory_report`).
    """
    profile = data.profile
    report = build_inventory_report(
        city_year_result(data, engine, year),
        lang=lang,
        city=profile.display_name(lang),
        population=_statistic(profile, year, "population"),
        gdp=_statistic(profile, year, "gdp"),
    )
    content, media, suffix = report_bytes(report, fmt)
    logger.info("inventory report of %r %d (%s, %s): %d bytes", data.slug, year, lang, suffix, len(content))
    return _file(
        content, media, suffix, profile.display_name(lang), profile.name or data.slug, f"{year}-inventory-{lang}"
    )


def enterprise_report_file(
    graded: pd.DataFrame, registry: Registry, uscc: str, year: int, lang: str, fmt: ReportFormat
) -> ReportFile:
    """An enterprise's account report from the enterprise page's graded accounts.

    Parameters
    ----------
    graded : pandas.DataFrame
        :func:`zerocity.web.enterprises.graded_accounts` of ``year``.
    registry : Registry
        The registry in use (the entity's name in ``lang``).
    uscc : str
        The entity.
    year : int
    lang : {"en", "zh"}
    fmt : ReportFormat

    Raises
    ------
    ReportError
        When the entity is not in ``graded``.
    """
    mine = graded[graded["uscc"] == uscc]
    fallback = str(mine["name"].iloc[0]) if len(mine) else uscc
    report = build_enterprise_report(graded, uscc, lang=lang, name=registry.name(uscc, fallback, lang))
    content, media, suffix = report_bytes(report, fmt)
    logger.info("account report of %s %d (%s, %s): %d bytes", uscc, year, lang, suffix, len(content))
    return _file(content, media, suffix, uscc, uscc, f"{year}-account-{lang}")


def scenario_report_file(slug: str, profile: CityProfile, lang: str, fmt: ReportFormat) -> ReportFile:
    """The scenario report of the profile's scenario model (:func:`zerocity.service.models.scenario_report`).

    All scenarios of the model; wedges from ``BAU`` to ``policy`` when the model has both.

    Raises
    ------
    ValueError
        When the profile has no scenario model.
    ApiError
        422 naming the line and field of every problem of the model.
    """
    model = profile.scenario_model
    if not model:
        raise ValueError(f"the city profile of {slug!r} has no scenario model")
    names = set((model.get("scenarios") or {}).keys())
    start, end = WEDGE_SCENARIOS if set(WEDGE_SCENARIOS) <= names else (None, None)
    params = {
        "demo": False,
        "model_yaml": json.dumps(model),  # JSON is YAML: the API's reading and validation of a model
        "scenarios": None,
        "start": start,
        "end": end,
        "lang": lang,
        "format": fmt.value,
    }
    content, media, _ = scenario_report(params)
    suffix = fmt.value
    logger.info("scenario report of %r (%s, %s): %d bytes", slug, lang, suffix, len(content))
    return _file(content, media, suffix, profile.display_name(lang), profile.name or slug, f"scenarios-{lang}")
