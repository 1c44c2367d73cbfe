"""Rollups of meter readings (15 min, hour, day, month) per entity, district, sector or meter.

Design choice: rollups are **aggregated on query** from ``meter_readings`` (no rollup tables).
A late or re-sent reading is therefore reflected in every level at once and a crash can never
leave a rollup out of step with the readings it sums. Buckets are integer arithmetic on the
stored seconds (``ts + offset - (ts + offset) % width``), identical on SQLite and PostgreSQL,
with the ``ix_meter_readings_ts`` index bounding the scan to the requested period; months are
summed from day buckets. Rollup tables maintained in the ingest transaction are the upgrade
path if month-level queries over very many meters become too slow.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, literal_column, select

from zerocity.monitor.registry import MonitorError
from zerocity.store.db import fetch_rows, session_scope
from zerocity.store.models import Meter, MeterReading

__all__ = ["GroupBy", "Level", "live_view", "rollup"]

logger = logging.getLogger(__name__)


class Level(StrEnum):
    """Rollup period."""

    QUARTER_HOUR = "15min"
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


class GroupBy(StrEnum):
    """Rollup grouping (a column of the meter registry)."""

    ENTITY = "entity"
    DISTRICT = "district"
    SECTOR = "sector"
    METER = "meter_id"


_WIDTH = {Level.QUARTER_HOUR: 900, Level.HOUR: 3600, Level.DAY: 86400, Level.MONTH: 86400}

#: Columns of a rollup frame.
ROLLUP_COLUMNS = ["period_start", "group", "carrier", "quantity", "quantity_unit", "tco2e", "readings"]


def _seconds(moment: datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp())


def rollup(
    engine: Engine,
    *,
    level: Level | str,
    by: GroupBy | str,
    start: datetime,
    end: datetime,
    utc_offset_h: float = 0.0,
) -> pd.DataFrame:
    """Sum readings per period, group and carrier.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database of one tenant.
    level : Level or str
        ``15min``, ``hour``, ``day`` or ``month``.
    by : GroupBy or str
        ``entity``, ``district``, ``sector`` or ``meter_id``.
    start, end : datetime.datetime
        Period ``[start, end)``; naive values are UTC. Readings are selected by their ``ts``.
    utc_offset_h : float, default 0
        Offset of the local time that day and month boundaries follow [h] (8 for China).

    Returns
    -------
    pandas.DataFrame
        :data:`ROLLUP_COLUMNS`: ``period_start`` (UTC, timezone-aware), ``group`` (None for
        meters without a district or sector), ``carrier``, ``quantity`` [``quantity_unit``],
        ``tco2e`` [t CO2e], ``readings`` (count), sorted by period, group and carrier.

    Raises
    ------
    MonitorError
        Unknown level or grouping, or ``end`` not after ``start``.
    """
    try:
        level, by = Level(level), GroupBy(by)
    except ValueError as exc:
        raise MonitorError(
            f"{exc}: levels are {[x.value for x in Level]}, groupings {[x.value for x in GroupBy]}"
        ) from exc
    lo, hi = _seconds(start), _seconds(end)
    if hi <= lo:
        raise MonitorError(f"empty period: end {end} is not after start {start}")
    offset = round(utc_offset_h * 3600)
    width = _WIDTH[level]
    shifted = MeterReading.ts + literal_column(str(offset))
    bucket = (shifted - shifted % literal_column(str(width)) - literal_column(str(offset))).label("bucket")
    group = getattr(Meter, by.value)
    statement = (
        select(
            bucket,
            group,
            Meter.carrier,
            Meter.quantity_unit,
            func.sum(MeterReading.quantity),
            func.sum(MeterReading.tco2e),
            func.count(),
        )
        .join(Meter, Meter.meter_id == MeterReading.meter_id)
        .where(and_(MeterReading.ts >= lo, MeterReading.ts < hi))
        .group_by(bucket, group, Meter.carrier, Meter.quantity_unit)
    )
    with session_scope(engine) as session:
        rows = fetch_rows(session, statement)
    frame = pd.DataFrame(rows, columns=["bucket", "group", "carrier", "quantity_unit", "quantity", "tco2e", "readings"])
    frame["bucket"] = frame["bucket"].astype("int64")
    frame["readings"] = frame["readings"].astype("int64")
    frame["quantity"] = frame["quantity"].astype(float)
    frame["tco2e"] = frame["tco2e"].astype(float)
    frame["period_start"] = pd.to_datetime(frame["bucket"], unit="s", utc=True)
    if level is Level.MONTH and not frame.empty:
        local = frame["period_start"] + pd.Timedelta(seconds=offset)
        month_start = local.dt.tz_localize(None).dt.to_period("M").dt.to_timestamp().dt.tz_localize(UTC)
        frame["period_start"] = month_start - pd.Timedelta(seconds=offset)
        frame = frame.groupby(["period_start", "group", "carrier", "quantity_unit"], dropna=False, as_index=False).agg(
            quantity=("quantity", "sum"), tco2e=("tco2e", "sum"), readings=("readings", "sum")
        )
    frame = frame[ROLLUP_COLUMNS].sort_values(["period_start", "group", "carrier"], na_position="last")
    return frame.reset_index(drop=True)


def live_view(engine: Engine, *, now: datetime | None = None, utc_offset_h: float = 0.0) -> dict[str, Any]:
    """The current (local) day so far: totals, hourly curve, per entity and per carrier.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database of one tenant.
    now : datetime.datetime, optional
        Current time (UTC when naive); the clock when omitted.
    utc_offset_h : float, default 0
        Offset of the local day [h].

    Returns
    -------
    dict
        ``day`` (local date), ``as_of``, ``tco2e`` [t CO2e], ``readings``, ``hourly`` (list of
        ``{"hour", "tco2e", "readings"}``), ``entities`` (list of ``{"entity", "tco2e",
        "readings"}``, largest first), ``carriers`` (``{"carrier", "quantity",
        "quantity_unit", "tco2e"}``).
    """
    moment = now or datetime.now(UTC)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    offset = timedelta(hours=utc_offset_h)
    local = (moment.astimezone(UTC) + offset).replace(tzinfo=None)
    day_start = datetime(local.year, local.month, local.day, tzinfo=UTC) - offset
    end = max(moment, day_start + timedelta(seconds=1))
    hourly = rollup(engine, level=Level.HOUR, by=GroupBy.ENTITY, start=day_start, end=end)
    hours = hourly.groupby("period_start", as_index=False).agg(tco2e=("tco2e", "sum"), readings=("readings", "sum"))
    entities = (
        hourly.groupby("group", as_index=False)
        .agg(tco2e=("tco2e", "sum"), readings=("readings", "sum"))
        .sort_values("tco2e", ascending=False)
    )
    carriers = hourly.groupby(["carrier", "quantity_unit"], as_index=False).agg(
        quantity=("quantity", "sum"), tco2e=("tco2e", "sum")
    )
    return {
        "day": local.date().isoformat(),
        "as_of": moment.astimezone(UTC).isoformat(),
        "tco2e": float(hourly["tco2e"].sum()),
        "readings": int(hourly["readings"].sum()),
        "hourly": [
            {"hour": t.isoformat(), "tco2e": float(c), "readings": int(r)}
            for t, c, r in zip(hours["period_start"], hours["tco2e"], hours["readings"], strict=True)
        ],
        "entities": [
            {"entity": e, "tco2e": float(c), "readings": int(r)}
            for e, c, r in zip(entities["group"], entities["tco2e"], entities["readings"], strict=True)
        ],
        "carriers": [
            {"carrier": k, "quantity": float(q), "quantity_unit": u, "tco2e": float(c)}
            for k, u, q, c in zip(
                carriers["carrier"], carriers["quantity_unit"], carriers["quantity"], carriers["tco2e"], strict=True
            )
        ],
    }
