"""Warnings: missing data, spikes against a meter's own profile, quota thresholds.

Every warning carries an ``explanation`` in plain language with the numbers it was decided on,
and a ``dedup_key`` so that the same condition is warned about once however often the checks
run. New warnings and their webhook deliveries are stored in one transaction
(:func:`evaluate_warnings`).

Rules and thresholds (zerocity's own choices, not sourced facts):

* **missing data**: a meter whose next reading is overdue by at least ``MISSING_INTERVALS``
  (4) intervals, i.e. one hour for a 15-minute meter.
* **spike**: a reading whose value exceeds the median ``m`` of the same meter at the same
  hour of the (local) week over the previous ``SPIKE_WEEKS`` (8) weeks by more than
  ``SPIKE_Z`` (6) robust standard deviations, ``s = max(1.4826 x MAD, SPIKE_FLOOR x |m|)``
  (1.4826 x MAD estimates the standard deviation of normal data; the floor of 10 % of the
  median keeps a flat profile from flagging tiny changes); at least ``SPIKE_MIN_HISTORY`` (4)
  earlier readings are needed.
* **quota**: the entity's carbon quota [t CO2e] or energy quota [tce] for the year against its
  use so far, with :func:`zerocity.accounts.allowances.project_quotas` (seasonal or linear
  projection); thresholds 80 % and 100 % of the quota (the accounts defaults).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from zerocity.accounts.allowances import QuotaKind, project_quotas
from zerocity.accounts.enterprise import energy_tce_by_entity
from zerocity.monitor.registry import MonitorError
from zerocity.monitor.rollups import GroupBy, Level, rollup
from zerocity.monitor.webhooks import enqueue_deliveries, warning_body
from zerocity.store.db import as_utc, fetch_rows, session_scope
from zerocity.store.models import Meter, MeterReading, MonitorQuota, MonitorWarning

__all__ = [
    "MISSING_INTERVALS",
    "SPIKE_FLOOR",
    "SPIKE_MIN_HISTORY",
    "SPIKE_WEEKS",
    "SPIKE_Z",
    "Severity",
    "WarningCandidate",
    "WarningKind",
    "evaluate_warnings",
    "list_warnings",
    "missing_data",
    "quota_warnings",
    "set_quota",
    "spikes",
]

logger = logging.getLogger(__name__)

#: Overdue intervals before a meter is reported as missing data (zerocity's choice).
MISSING_INTERVALS = 4
#: Weeks of history that make a meter's profile (zerocity's choice).
SPIKE_WEEKS = 8
#: Robust z-score above which a reading is a spike [unitless] (zerocity's choice).
SPIKE_Z = 6.0
#: Lower bound of the robust scale as a share of the profile median [unitless] (zerocity's choice).
SPIKE_FLOOR = 0.1
#: Earlier readings of the same hour of the week needed to judge a reading (zerocity's choice).
SPIKE_MIN_HISTORY = 4
#: Scale factor from MAD to the standard deviation of normally distributed data.
MAD_TO_SD = 1.4826
#: Quota shares warned at [unitless] (the defaults of :func:`project_quotas`).
QUOTA_THRESHOLDS = (0.8, 1.0)

_WEEK_S = 7 * 86400


class WarningKind(StrEnum):
    """What a warning is about."""

    MISSING_DATA = "missing_data"
    SPIKE = "spike"
    QUOTA = "quota"


class Severity(StrEnum):
    """How urgent a warning is."""

    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class WarningCandidate:
    """A warning found by a check, not yet stored."""

    kind: WarningKind
    severity: Severity
    dedup_key: str
    explanation: str
    details: dict[str, Any]
    meter_id: str | None = None
    entity: str | None = None
    observed_at: datetime | None = None


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _g(x: float) -> str:
    """A number for an explanation: 4 significant digits, thousands separated."""
    return f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


def missing_data(session: Session, *, now: datetime, intervals: int = MISSING_INTERVALS) -> list[WarningCandidate]:
    """Meters whose readings are overdue by ``intervals`` intervals or more.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the tenant database.
    now : datetime.datetime
        Time of the check (UTC).
    intervals : int
        Overdue intervals that make a warning [unitless].

    Returns
    -------
    list of WarningCandidate
        One per silent meter; the key names the last reading, so a gap is reported once.
    """
    now_s = int(now.timestamp())
    last = dict(
        fetch_rows(session, select(MeterReading.meter_id, func.max(MeterReading.ts)).group_by(MeterReading.meter_id))
    )
    out = []
    for meter in session.scalars(select(Meter).order_by(Meter.meter_id)):
        last_ts = last.get(meter.meter_id)
        reference = (
            int(last_ts) + meter.interval_s if last_ts is not None else int(as_utc(meter.created_at).timestamp())
        )
        overdue = (now_s - reference) // meter.interval_s
        if overdue < intervals:
            continue
        since = (
            f"its last reading is for the interval starting {_iso(int(last_ts))}"
            if last_ts is not None
            else f"it has sent no reading since it was registered at {_iso(reference)}"
        )
        out.append(
            WarningCandidate(
                kind=WarningKind.MISSING_DATA,
                severity=Severity.WARNING,
                dedup_key=f"missing:{meter.meter_id}:{last_ts if last_ts is not None else 'none'}",
                explanation=(
                    f"Meter {meter.meter_id} ({meter.entity}, {meter.carrier}) is silent: {since}. "
                    f"With its {meter.interval_s} s interval, {overdue} readings are overdue at {_iso(now_s)}, "
                    f"at or above the {intervals} the monitor tolerates."
                ),
                details={
                    "last_ts": _iso(int(last_ts)) if last_ts is not None else None,
                    "interval_s": meter.interval_s,
                    "overdue_intervals": int(overdue),
                    "tolerated_intervals": intervals,
                },
                meter_id=meter.meter_id,
                entity=meter.entity,
                observed_at=datetime.fromtimestamp(reference, UTC),
            )
        )
    return out


def spikes(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    utc_offset_h: float = 0.0,
    weeks: int = SPIKE_WEEKS,
    z: float = SPIKE_Z,
    floor: float = SPIKE_FLOOR,
    min_history: int = SPIKE_MIN_HISTORY,
) -> list[WarningCandidate]:
    """Readings in ``[since, until)`` far above the meter's own profile for that hour of the week.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the tenant database.
    since, until : datetime.datetime
        Readings judged (by ``ts``).
    utc_offset_h : float
        Offset of the local time the hour of the week follows [h].
    weeks : int
        Weeks of history [weeks].
    z : float
        Robust z-score threshold [unitless].
    floor : float
        Lower bound of the robust scale as a share of the median [unitless].
    min_history : int
        Earlier readings needed.

    Returns
    -------
    list of WarningCandidate
        One per spike reading.
    """
    lo, hi = int(since.timestamp()), int(until.timestamp())
    # History only of the meters that have readings to judge.
    judged = select(MeterReading.meter_id).where(and_(MeterReading.ts >= lo, MeterReading.ts < hi)).distinct()
    rows = fetch_rows(
        session,
        select(MeterReading.meter_id, MeterReading.ts, MeterReading.quantity, Meter.entity, Meter.quantity_unit)
        .join(Meter, Meter.meter_id == MeterReading.meter_id)
        .where(
            and_(
                MeterReading.ts >= lo - weeks * _WEEK_S,
                MeterReading.ts < hi,
                MeterReading.meter_id.in_(judged.scalar_subquery()),
            )
        ),
    )
    if not rows:
        return []
    frame = pd.DataFrame(rows, columns=["meter_id", "ts", "quantity", "entity", "unit"])
    frame["ts"] = frame["ts"].astype("int64")
    frame["quantity"] = frame["quantity"].astype(float)
    offset = round(utc_offset_h * 3600)
    # 1970-01-01 was a Thursday: slot 0 of this week index is Thursday 00:00 local; any fixed origin works.
    frame["slot"] = ((frame["ts"] + offset) % _WEEK_S) // 3600
    out = []
    for (meter_id, slot), group in frame.groupby(["meter_id", "slot"], sort=True):
        ts = group["ts"].to_numpy()
        values = group["quantity"].to_numpy()
        order = np.argsort(ts)
        ts, values = ts[order], values[order]
        for i in np.flatnonzero((ts >= lo) & (ts < hi)):
            history = values[(ts < ts[i]) & (ts >= ts[i] - weeks * _WEEK_S)]
            if len(history) < min_history:
                continue
            median = float(np.median(history))
            mad = float(np.median(np.abs(history - median)))
            scale = max(MAD_TO_SD * mad, floor * abs(median))
            if scale <= 0:
                continue
            score = (float(values[i]) - median) / scale
            if score <= z:
                continue
            entity, unit = group["entity"].iloc[0], group["unit"].iloc[0]
            out.append(
                WarningCandidate(
                    kind=WarningKind.SPIKE,
                    severity=Severity.WARNING,
                    dedup_key=f"spike:{meter_id}:{int(ts[i])}",
                    explanation=(
                        f"Meter {meter_id} ({entity}) read {_g(float(values[i]))} {unit} for the interval starting "
                        f"{_iso(int(ts[i]))}. Its {len(history)} readings at the same hour of the week over the "
                        f"previous {weeks} weeks have a median of {_g(median)} {unit} and a robust spread of "
                        f"{_g(scale)} {unit}, so this reading is {score:.1f} spreads above normal "
                        f"(the monitor warns above {z:g})."
                    ),
                    details={
                        "ts": _iso(int(ts[i])),
                        "quantity": float(values[i]),
                        "unit": unit,
                        "median": median,
                        "mad": mad,
                        "scale": scale,
                        "score": score,
                        "threshold": z,
                        "history_readings": len(history),
                        "hour_of_week_slot": int(slot),
                    },
                    meter_id=str(meter_id),
                    entity=str(entity),
                    observed_at=datetime.fromtimestamp(int(ts[i]), UTC),
                )
            )
    return out


def set_quota(
    session: Session, *, entity: str, year: int, quota: float, kind: QuotaKind | str = QuotaKind.CARBON
) -> None:
    """Set an entity's annual quota (replaces an earlier value of the same kind).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the tenant database.
    entity : str
        Entity of the meter registry.
    year : int
        Quota year.
    quota : float
        The quota [t CO2e for ``carbon``, tce for ``energy``].
    kind : QuotaKind or str, default "carbon"
        What the quota limits.

    Raises
    ------
    MonitorError
        Unknown kind, or a quota that is not > 0.
    """
    try:
        kind = QuotaKind(kind)
    except ValueError as exc:
        raise MonitorError(f"quota kind must be one of {[k.value for k in QuotaKind]}, got {kind!r}") from exc
    if not quota > 0:
        raise MonitorError(f"quota must be > 0, got {quota}")
    row = session.get(MonitorQuota, (entity, year, kind.value))
    if row is None:
        session.add(MonitorQuota(entity=entity, year=year, kind=kind.value, quota=float(quota)))
    else:
        row.quota = float(quota)
    session.flush()


def _energy_tce_per_unit(pairs: list[tuple[str, str]], *, region: str, year: int) -> dict[tuple[str, str], float]:
    """Standard-coal coefficients [tce per unit] of ``(carrier, unit)`` pairs (0 when a carrier has none).

    Through :func:`zerocity.accounts.enterprise.energy_tce_by_entity` (GB/T 2589-2020 Appendix A,
    electricity at the calorific-equivalent convention), one synthetic unit record per pair.
    """
    records = pd.DataFrame(
        {
            "entity": [f"{carrier}|{unit}" for carrier, unit in pairs],
            "activity": [carrier for carrier, _ in pairs],
            "amount": 1.0,
            "unit": [unit for _, unit in pairs],
            "year": year,
        }
    )
    energy, _skipped = energy_tce_by_entity(records, year=year, region=region)
    return {(carrier, unit): float(energy.get(f"{carrier}|{unit}", 0.0)) for carrier, unit in pairs}


def quota_warnings(
    engine: Engine, session: Session, *, now: datetime, utc_offset_h: float = 0.0, region: str = "CN"
) -> list[WarningCandidate]:
    """Quotas reached or projected to be reached this year (carbon [t CO2e] and energy [tce]).

    Uses :func:`zerocity.accounts.allowances.project_quotas` on the entity's daily use of the
    quota year and the year before (the seasonal projection needs last year's profile): daily
    t CO2e for carbon quotas; for energy quotas, daily quantities per carrier times the GB/T
    2589-2020 standard-coal coefficients (:func:`zerocity.accounts.enterprise.energy_tce_by_entity`,
    ``region`` of the look-up).

    Returns
    -------
    list of WarningCandidate
        One per entity, kind and status (``reached 80%``, ``projected 100%``...).
    """
    year = now.astimezone(UTC).year
    quotas = session.scalars(select(MonitorQuota).where(MonitorQuota.year == year)).all()
    if not quotas:
        return []
    start = datetime(year - 1, 1, 1, tzinfo=UTC) - timedelta(hours=utc_offset_h)
    daily = rollup(engine, level=Level.DAY, by=GroupBy.ENTITY, start=start, end=now, utc_offset_h=utc_offset_h)
    local_day = (daily["period_start"] + pd.Timedelta(hours=utc_offset_h)).dt.tz_localize(None)
    daily = daily.assign(time=local_day.dt.strftime("%Y-%m-%d %H:%M:%S"))
    amounts: dict[QuotaKind, pd.Series] = {QuotaKind.CARBON: daily["tco2e"]}
    if any(q.kind == QuotaKind.ENERGY.value for q in quotas):
        pairs = sorted(set(zip(daily["carrier"], daily["quantity_unit"], strict=True)))
        coefficients = _energy_tce_per_unit(pairs, region=region, year=year)
        per_row = [coefficients[p] for p in zip(daily["carrier"], daily["quantity_unit"], strict=True)]
        amounts[QuotaKind.ENERGY] = daily["quantity"] * pd.Series(per_row, index=daily.index, dtype=float)
    out = []
    for kind, amount in amounts.items():
        of_kind = [q for q in quotas if q.kind == kind.value]
        if not of_kind:
            continue
        usage = (
            daily.assign(amount=amount)
            .groupby(["group", "time"], as_index=False)["amount"]
            .sum()
            .rename(columns={"group": "entity"})
        )
        table = pd.DataFrame(
            {"entity": [q.entity for q in of_kind], "quota": [q.quota for q in of_kind], "kind": kind.value}
        )
        result = project_quotas(table, usage, year=year, thresholds=QUOTA_THRESHOLDS, interval="1D")
        out += [_quota_candidate(row, kind, year, now) for row in result.to_dict("records") if row["status"] != "ok"]
    return out


def _quota_candidate(row: dict[str, Any], kind: QuotaKind, year: int, now: datetime) -> WarningCandidate:
    """The warning of one ``project_quotas`` row whose status is not ``ok``."""
    unit = "t CO2e" if kind is QuotaKind.CARBON else "tce"
    what = "emitted" if kind is QuotaKind.CARBON else "used"
    status = str(row["status"])
    crossings = {
        k: (None if pd.isna(v) else pd.Timestamp(v).date().isoformat())
        for k, v in row.items()
        if k.startswith("crosses_")
    }
    consumed, quota = float(row["consumed"]), float(row["quota"])
    projected = float(row["projected"]) if pd.notna(row["projected"]) else None
    as_of = pd.Timestamp(row["as_of"]).date().isoformat() if pd.notna(row["as_of"]) else "no data"
    level_pct = status.split()[-1]
    crossing = crossings.get(f"crosses_{level_pct.rstrip('%')}")
    text = (
        f"Entity {row['entity']} has {what} {_g(consumed)} {unit} of its {_g(quota)} {unit} {kind.value} quota for "
        f"{year} ({consumed / quota:.0%}) as of {as_of}."
    )
    if status.startswith("reached"):
        text += f" It reached {level_pct} of the quota on {crossing}."
    else:
        text += (
            f" At the {row['method']} projection it will have {what} {_g(projected or 0.0)} {unit} by the year end "
            f"({(projected or 0.0) / quota:.0%} of the quota), crossing {level_pct} around {crossing}."
        )
    return WarningCandidate(
        kind=WarningKind.QUOTA,
        severity=Severity.CRITICAL if status == "reached 100%" else Severity.WARNING,
        dedup_key=f"quota:{row['entity']}:{year}:{kind.value}:{status}",
        explanation=text,
        details={
            "year": year,
            "quota_kind": kind.value,
            "unit": unit,
            "quota": quota,
            "consumed": consumed,
            "projected": projected,
            "method": str(row["method"]),
            "status": status,
            "as_of": as_of,
            **crossings,
        },
        entity=str(row["entity"]),
        observed_at=now.astimezone(UTC),
    )


def evaluate_warnings(
    engine: Engine,
    *,
    now: datetime | None = None,
    spike_window: timedelta = timedelta(days=1),
    utc_offset_h: float = 0.0,
) -> list[dict[str, Any]]:
    """Run every check; store the new warnings and queue their webhook deliveries.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Tenant database.
    now : datetime.datetime, optional
        Time of the check (the clock when omitted).
    spike_window : datetime.timedelta
        Readings judged for spikes: those with ``ts`` in ``[now - spike_window, now)``.
    utc_offset_h : float
        Offset of local time [h] (hour of the week, quota days).

    Returns
    -------
    list of dict
        The warnings stored by this call (:func:`warning_body` documents).
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with session_scope(engine) as session:
        candidates = missing_data(session, now=moment)
        candidates += spikes(session, since=moment - spike_window, until=moment, utc_offset_h=utc_offset_h)
        candidates += quota_warnings(engine, session, now=moment, utc_offset_h=utc_offset_h)
        keys = [c.dedup_key for c in candidates]
        known: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            known |= set(session.scalars(select(MonitorWarning.dedup_key).where(MonitorWarning.dedup_key.in_(chunk))))
        fresh = []
        for c in candidates:
            if c.dedup_key in known:
                continue
            known.add(c.dedup_key)
            fresh.append(
                MonitorWarning(
                    kind=c.kind.value,
                    severity=c.severity.value,
                    meter_id=c.meter_id,
                    entity=c.entity,
                    observed_at=c.observed_at,
                    created_at=moment,
                    explanation=c.explanation,
                    details=c.details,
                    dedup_key=c.dedup_key,
                )
            )
        session.add_all(fresh)
        session.flush()
        queued = enqueue_deliveries(session, fresh, now=moment)
        bodies = [warning_body(w) for w in fresh]
    logger.info("%d new warning(s), %d webhook deliveries queued", len(bodies), queued)
    return bodies


def list_warnings(engine: Engine, *, limit: int = 100, kind: WarningKind | str | None = None) -> list[dict[str, Any]]:
    """The latest warnings, newest first (the in-app list).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Tenant database.
    limit : int
        Most warnings returned.
    kind : WarningKind or str, optional
        Only this kind.

    Returns
    -------
    list of dict
    """
    statement = select(MonitorWarning).order_by(MonitorWarning.id.desc()).limit(limit)
    if kind is not None:
        statement = statement.where(MonitorWarning.kind == WarningKind(kind).value)
    with session_scope(engine) as session:
        return [warning_body(w) for w in session.scalars(statement)]
