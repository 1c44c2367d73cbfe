"""Rollups of meter readings (15 min, hour, day, month) per entity, district, sector or meter.

Design choice: hourly sums per entity, district and sector are **materialised** in ``meter_rollups_hour`` inside the
ingest transaction (:func:`add_to_hourly`, from the readings a batch actually inserted, so a
duplicate is never counted twice and a late reading updates its hour at once); a crash rolls the
sums back with the readings. Queries at hour, day and month level with a whole-hour UTC offset
read that table for the whole hours of the period and ``meter_readings`` only for partial hours
at its ends; 15-minute buckets, per-meter rollups and half-hour offsets are summed from ``meter_readings``. Buckets
are integer arithmetic on the stored seconds (``ts + offset - (ts + offset) % width``),
identical on SQLite and PostgreSQL; months are summed from day buckets. A change of a meter's
grouping or carrier rebuilds the table (:func:`rebuild_hourly`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, delete, func, insert, literal_column, select
from sqlalchemy.orm import Session

from zerocity.monitor.registry import MonitorError
from zerocity.store.db import fetch_rows, session_scope
from zerocity.store.models import Meter, MeterReading, MeterRollupHour

if TYPE_CHECKING:
    from zerocity.monitor.registry import MeterInfo

__all__ = ["GroupBy", "Level", "add_to_hourly", "live_view", "rebuild_hourly", "rollup"]

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


#: Width of a materialised rollup bucket [s].
HOUR = 3600
#: Groupings kept in ``meter_rollups_hour``. Per meter is left out: its upserts would scale with
#: the number of meters (one per meter and hour of every batch, 40 % of the ingest time with
#: 1,000 meters), while dashboards group by entity, district and sector.
MATERIALISED = (GroupBy.ENTITY, GroupBy.DISTRICT, GroupBy.SECTOR)
_WIDTH = {Level.QUARTER_HOUR: 900, Level.HOUR: HOUR, Level.DAY: 86400, Level.MONTH: 86400}

#: Columns of a rollup frame.
ROLLUP_COLUMNS = ["period_start", "group", "carrier", "quantity", "quantity_unit", "tco2e", "readings"]


def _seconds(moment: datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp())


_BUCKET_COLUMNS = ["bucket", "group", "carrier", "quantity_unit", "quantity", "tco2e", "readings"]
_KEY = ["bucket", "group", "carrier", "quantity_unit"]


def _bucket(column: Any, width: int, offset: int) -> Any:
    """SQL bucket start [s UTC] of ``column`` for buckets of ``width`` seconds in local time."""
    shifted = column + literal_column(str(offset))
    return (shifted - shifted % literal_column(str(width)) - literal_column(str(offset))).label("bucket")


def _raw_sums(session: Session, *, by: GroupBy, width: int, offset: int, lo: int, hi: int) -> list[tuple[Any, ...]]:
    """Bucket sums of ``meter_readings`` with ``lo <= ts < hi``."""
    bucket = _bucket(MeterReading.ts, width, offset)
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
    return fetch_rows(session, statement)


def _hourly_sums(session: Session, *, by: GroupBy, width: int, offset: int, lo: int, hi: int) -> list[tuple[Any, ...]]:
    """Bucket sums from ``meter_rollups_hour`` for the whole hours ``lo <= bucket < hi``."""
    table = MeterRollupHour
    bucket = _bucket(table.bucket, width, offset)
    statement = (
        select(
            bucket,
            table.grp,
            table.carrier,
            table.quantity_unit,
            func.sum(table.quantity),
            func.sum(table.tco2e),
            func.sum(table.readings),
        )
        .where(and_(table.grouping == by.value, table.bucket >= lo, table.bucket < hi))
        .group_by(bucket, table.grp, table.carrier, table.quantity_unit)
    )
    # '' stands for "no district/sector" in the table's key
    return [(b, g if g != "" else None, *rest) for b, g, *rest in fetch_rows(session, statement)]


def _bucket_sums(session: Session, *, by: GroupBy, width: int, offset: int, lo: int, hi: int) -> pd.DataFrame:
    """Sums per bucket, group, carrier and unit of the readings with ``lo <= ts < hi``.

    Whole hours come from ``meter_rollups_hour`` when the grouping is materialised and every
    bucket is made of whole UTC hours (width a multiple of an hour, offset a whole number of
    hours); the partial hours at the ends and every other case from ``meter_readings``.
    """
    first_hour = -(-lo // HOUR) * HOUR
    last_hour = hi - hi % HOUR
    if by not in MATERIALISED or width % HOUR or offset % HOUR or first_hour >= last_hour:
        rows = _raw_sums(session, by=by, width=width, offset=offset, lo=lo, hi=hi)
    else:
        rows = _hourly_sums(session, by=by, width=width, offset=offset, lo=first_hour, hi=last_hour)
        for a, b in ((lo, first_hour), (last_hour, hi)):
            if a < b:
                rows += _raw_sums(session, by=by, width=width, offset=offset, lo=a, hi=b)
    frame = pd.DataFrame(rows, columns=_BUCKET_COLUMNS)
    frame["bucket"] = frame["bucket"].astype("int64")
    frame["readings"] = frame["readings"].astype("int64")
    frame["quantity"] = frame["quantity"].astype(float)
    frame["tco2e"] = frame["tco2e"].astype(float)
    if frame.duplicated(_KEY).any():  # a bucket split between the table and the partial hours
        frame = frame.groupby(_KEY, dropna=False, as_index=False)[["quantity", "tco2e", "readings"]].sum()
        frame["group"] = frame["group"].astype(object).where(frame["group"].notna(), None)
    return frame


def add_to_hourly(session: Session, rows: pd.DataFrame, meters: Mapping[str, MeterInfo]) -> int:
    """Add newly inserted readings to ``meter_rollups_hour`` in the session's transaction.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the ingest transaction (the readings and their sums commit together).
    rows : pandas.DataFrame
        Readings just inserted (never duplicates): ``meter_id``, ``ts`` [s UTC], ``quantity``
        [the meter's ``quantity_unit``], ``tco2e`` [t CO2e].
    meters : mapping of str to MeterInfo
        Registry of every meter in ``rows``.

    Returns
    -------
    int
        Hour rows inserted or updated.
    """
    if rows.empty:
        return 0
    # Columnar sums: one integer key per (group, carrier and unit, hour), then bincount.
    codes, uniques = pd.factorize(rows["meter_id"].to_numpy(dtype=object))
    infos = [meters[m] for m in uniques]
    hours, hour_codes = np.unique(rows["ts"].to_numpy(dtype=np.int64) // HOUR * HOUR, return_inverse=True)
    kinds, kind_of_meter = np.unique([f"{i.carrier}\x00{i.quantity_unit}" for i in infos], return_inverse=True)
    quantity = rows["quantity"].to_numpy(dtype=float)
    tco2e = rows["tco2e"].to_numpy(dtype=float)
    values: list[tuple[Any, ...]] = []
    for grouping in MATERIALISED:
        groups, group_of_meter = np.unique([getattr(i, grouping.value) or "" for i in infos], return_inverse=True)
        key = (group_of_meter[codes] * len(kinds) + kind_of_meter[codes]) * len(hours) + hour_codes
        present, slot = np.unique(key, return_inverse=True)
        sums_q = np.bincount(slot, weights=quantity)
        sums_t = np.bincount(slot, weights=tco2e)
        counts = np.bincount(slot)
        g, rest = np.divmod(present, len(kinds) * len(hours))
        k, h = np.divmod(rest, len(hours))
        carrier_unit = [kind.split("\x00") for kind in kinds[k].tolist()]
        values += zip(
            [grouping.value] * len(present),
            hours[h].tolist(),
            groups[g].tolist(),
            [c for c, _ in carrier_unit],
            [u for _, u in carrier_unit],
            sums_q.tolist(),
            sums_t.tolist(),
            counts.tolist(),
            strict=True,
        )
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    name = MeterRollupHour.__tablename__
    connection.exec_driver_sql(
        f"INSERT INTO {name} (grouping, bucket, grp, carrier, quantity_unit, quantity, tco2e, readings) "
        f"VALUES ({', '.join([marker] * 8)}) "
        "ON CONFLICT (grouping, bucket, grp, carrier, quantity_unit) DO UPDATE SET "
        f"quantity = {name}.quantity + excluded.quantity, tco2e = {name}.tco2e + excluded.tco2e, "
        f"readings = {name}.readings + excluded.readings",
        values,
    )
    return len(values)


def rebuild_hourly(session: Session) -> int:
    """Recompute ``meter_rollups_hour`` from every stored reading (after a registry change).

    Returns
    -------
    int
        Hour rows written.
    """
    session.execute(delete(MeterRollupHour))
    written = 0
    for grouping in MATERIALISED:
        group = func.coalesce(getattr(Meter, grouping.value), "")
        bucket = (MeterReading.ts - MeterReading.ts % HOUR).label("bucket")
        source = (
            select(
                literal_column(f"'{grouping.value}'"),
                bucket,
                group,
                Meter.carrier,
                Meter.quantity_unit,
                func.sum(MeterReading.quantity),
                func.sum(MeterReading.tco2e),
                func.count(),
            )
            .join(Meter, Meter.meter_id == MeterReading.meter_id)
            .group_by(bucket, group, Meter.carrier, Meter.quantity_unit)
        )
        result = session.execute(
            insert(MeterRollupHour).from_select(
                ["grouping", "bucket", "grp", "carrier", "quantity_unit", "quantity", "tco2e", "readings"], source
            )
        )
        written += max(result.rowcount, 0)  # type: ignore[attr-defined]
    logger.info("hourly rollups rebuilt: %d rows", written)
    return written


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
    with session_scope(engine) as session:
        frame = _bucket_sums(session, by=by, width=width, offset=offset, lo=lo, hi=hi)
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
