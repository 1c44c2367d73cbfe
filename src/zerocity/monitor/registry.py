"""Meter registry: which entity, district and sector a meter measures, its carrier and unit.

A meter's ``carrier`` is an activity id of the factor library (``electricity_grid``,
``natural_gas``, ``heat_purchased``...); readings are converted to the activity's default unit
(``quantity_unit``, e.g. MWh for grid electricity) and turned into emissions through the
library (:mod:`zerocity.monitor.emissions`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerocity.errors import InvalidRecordsError, RecordIssue, UnitError, ZerocityError
from zerocity.factors.library import load_activities
from zerocity.store.models import Meter
from zerocity.units import parse_unit

__all__ = [
    "METER_COLUMNS",
    "MeterInfo",
    "MonitorError",
    "import_meters",
    "load_meters",
    "read_meters",
    "validate_meters",
]

logger = logging.getLogger(__name__)

#: Columns of a meter registry file; ``district``, ``sector`` and ``region`` may be empty.
METER_COLUMNS = ("meter_id", "entity", "district", "sector", "gpc_ref", "carrier", "unit", "interval_s", "region")
_REQUIRED = ("meter_id", "entity", "gpc_ref", "carrier", "unit", "interval_s")


class MonitorError(ZerocityError, ValueError):
    """A monitoring request that cannot be served (unknown level, bad file, bad payload)."""

    code = "monitor"


@dataclass(frozen=True)
class MeterInfo:
    """What ingest needs to know about one meter.

    Attributes
    ----------
    meter_id, entity, district, sector : str
        Identity and grouping keys (``district``/``sector`` may be None).
    gpc_ref : str
        GPC reference the meter's emissions are reported under.
    carrier : str
        Activity id of the factor library.
    unit : str
        Default unit of the readings.
    quantity_unit : str
        Unit of stored quantities (the activity's default unit).
    interval_s : int
        Reporting interval [s].
    region : str
        Factor region.
    """

    meter_id: str
    entity: str
    district: str | None
    sector: str | None
    gpc_ref: str
    carrier: str
    unit: str
    quantity_unit: str
    interval_s: int
    region: str


def read_meters(path: Path) -> pd.DataFrame:
    """Read a meter registry CSV (all cells as text).

    Parameters
    ----------
    path : pathlib.Path
        CSV file with the columns of :data:`METER_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        The rows as text, empty cells as ``""``.

    Raises
    ------
    MonitorError
        The file cannot be read.
    """
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise MonitorError(f"{path}: cannot read the meter registry: {exc}") from exc


def validate_meters(
    frame: pd.DataFrame, *, region: str = "CN", source: str = "<meters>", factor_year: int | None = None
) -> list[MeterInfo]:
    """Check a meter registry and turn it into :class:`MeterInfo` rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Registry rows (columns of :data:`METER_COLUMNS`).
    region : str, default "CN"
        Factor region of rows whose ``region`` is empty.
    source : str
        Name of the input in error messages.
    factor_year : int, optional
        When given, every meter's emission factor must resolve for this year (so readings will
        not be rejected later for want of a factor).

    Returns
    -------
    list of MeterInfo

    Raises
    ------
    InvalidRecordsError
        Every problem at once: missing columns, empty required cells, duplicate meter ids,
        carriers that are not activities of the factor library, units that cannot be
        converted to the carrier's default unit, intervals that are not whole seconds > 0.
    """
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise InvalidRecordsError(source, [RecordIssue(0, c, "required column is missing") for c in missing])
    activities = load_activities()
    issues: list[RecordIssue] = []
    meters: list[MeterInfo] = []
    seen: set[str] = set()
    for i, row in enumerate(frame.fillna("").astype(str).to_dict("records"), start=1):
        cells = {k: str(v).strip() for k, v in row.items()}
        row_issues = [RecordIssue(i, c, "required value is empty") for c in _REQUIRED if not cells.get(c)]
        meter_id = cells.get("meter_id", "")
        if meter_id in seen:
            row_issues.append(RecordIssue(i, "meter_id", "meter id appears twice", meter_id))
        seen.add(meter_id)
        activity = activities.get(cells.get("carrier", ""))
        if cells.get("carrier") and activity is None:
            row_issues.append(
                RecordIssue(
                    i,
                    "carrier",
                    "not an activity of the factor library (see factors/data/activities.csv)",
                    cells["carrier"],
                )
            )
        if activity is not None and cells.get("unit"):
            try:
                parse_unit(cells["unit"]).to(parse_unit(activity.default_unit))
            except UnitError as exc:
                row_issues.append(RecordIssue(i, "unit", str(exc), cells["unit"]))
        interval = pd.to_numeric(cells.get("interval_s", ""), errors="coerce")
        if cells.get("interval_s") and (pd.isna(interval) or interval <= 0 or interval != int(interval)):
            row_issues.append(
                RecordIssue(i, "interval_s", "interval must be a whole number of seconds > 0", cells["interval_s"])
            )
        if row_issues or activity is None:
            issues += row_issues
            continue
        meters.append(
            MeterInfo(
                meter_id=meter_id,
                entity=cells["entity"],
                district=cells.get("district") or None,
                sector=cells.get("sector") or None,
                gpc_ref=cells["gpc_ref"],
                carrier=activity.activity,
                unit=cells["unit"],
                quantity_unit=activity.default_unit,
                interval_s=int(interval),
                region=cells.get("region") or region,
            )
        )
    if not issues and factor_year is not None:
        from zerocity.monitor.emissions import FactorCache

        keys = {m.meter_id: (m.gpc_ref, m.carrier, m.quantity_unit, m.region, factor_year) for m in meters}
        _found, failures = FactorCache().resolve(set(keys.values()))
        rows = {meter_id: i for i, meter_id in enumerate(frame["meter_id"].astype(str).str.strip(), start=1)}
        issues = [
            RecordIssue(rows[m.meter_id], "carrier", f"no emission factor: {failures[keys[m.meter_id]]}", m.carrier)
            for m in meters
            if keys[m.meter_id] in failures
        ]
    if issues:
        raise InvalidRecordsError(source, issues)
    return meters


#: Meter columns the hourly rollups are keyed by.
_ROLLUP_KEYS = ("entity", "district", "sector", "carrier", "quantity_unit")


def import_meters(session: Session, meters: list[MeterInfo]) -> int:
    """Insert or update meters (matched by ``meter_id``) in the session's transaction.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the target database.
    meters : list of MeterInfo
        Validated meters (:func:`validate_meters`).

    Returns
    -------
    int
        Number of meters written.
    """
    existing = {
        m.meter_id: m for m in session.scalars(select(Meter).where(Meter.meter_id.in_([x.meter_id for x in meters])))
    }
    regrouped = False  # a stored meter's rollup keys changed: the hourly sums are rebuilt
    for info in meters:
        row = existing.get(info.meter_id)
        if row is None:
            row = Meter(meter_id=info.meter_id)
            session.add(row)
        else:
            regrouped |= any(getattr(row, k) != getattr(info, k) for k in _ROLLUP_KEYS)
        for name in (
            "entity",
            "district",
            "sector",
            "gpc_ref",
            "carrier",
            "unit",
            "quantity_unit",
            "interval_s",
            "region",
        ):
            setattr(row, name, getattr(info, name))
    session.flush()
    if regrouped:
        from zerocity.monitor.rollups import rebuild_hourly  # rollups imports this module

        rebuild_hourly(session)
    logger.info("%d meter(s) imported", len(meters))
    return len(meters)


def load_meters(session: Session) -> dict[str, MeterInfo]:
    """Every registered meter by id.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the database.

    Returns
    -------
    dict of str to MeterInfo
    """
    return {
        m.meter_id: MeterInfo(
            meter_id=m.meter_id,
            entity=m.entity,
            district=m.district,
            sector=m.sector,
            gpc_ref=m.gpc_ref,
            carrier=m.carrier,
            unit=m.unit,
            quantity_unit=m.quantity_unit,
            interval_s=m.interval_s,
            region=m.region,
        )
        for m in session.scalars(select(Meter))
    }
