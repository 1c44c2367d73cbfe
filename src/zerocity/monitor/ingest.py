"""Ingest of meter readings: parse, convert, price in t CO2e, store idempotently in bulk.

Every path (HTTP or CSV batches, MQTT messages) goes through :class:`Ingestor`:

1. **parse** the readings into columns (``meter_id``, ``ts``, ``value``, ``unit``);
2. **convert** each value to its meter's ``quantity_unit`` with one factor per distinct
   ``(unit, quantity_unit)`` pair (:mod:`zerocity.units`);
3. **emissions**: ``tco2e = quantity x factor`` with one factor per distinct
   ``(gpc_ref, carrier, quantity_unit, region, year)`` key (:class:`FactorCache`);
4. **store** with one bulk ``INSERT ... ON CONFLICT (meter_id, ts) DO NOTHING`` (PostgreSQL:
   ``COPY`` into a temporary table, then one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``),
   so a reading sent twice is stored once and the first value wins.

A batch is one transaction, committed before :meth:`Ingestor.ingest` returns: a reading the
caller acknowledges is stored. Timestamps are integer seconds since 1970-01-01 UTC; ISO 8601
text without an offset is read as UTC.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from zerocity.errors import InvalidRecordsError, RecordIssue, UnitError
from zerocity.monitor.emissions import FactorCache, FactorKey
from zerocity.monitor.registry import MeterInfo, MonitorError, load_meters
from zerocity.monitor.rollups import add_to_hourly
from zerocity.store.db import session_scope, write_transaction
from zerocity.store.models import MeterReading
from zerocity.units import parse_unit

__all__ = [
    "READING_COLUMNS",
    "IngestResult",
    "Ingestor",
    "PreparedReadings",
    "ingest_records",
    "read_readings_csv",
    "readings_frame",
    "store_rows",
]

logger = logging.getLogger(__name__)

#: Columns of a readings batch (``unit`` optional: the meter's unit when empty).
READING_COLUMNS = ("meter_id", "ts", "value", "unit")
#: Accepted reading times [s since the epoch]: 1990-01-01 to 2100-01-01 UTC (zerocity's choice; it
#: catches milliseconds sent as seconds and other unit slips).
TS_MIN, TS_MAX = 631152000, 4102444800
#: Seconds after which the meter registry is read again (zerocity's choice).
REGISTRY_TTL_S = 60.0
#: Stored columns, in the order of the rows :func:`store_rows` takes.
STORED_COLUMNS = ("meter_id", "ts", "value", "unit", "quantity", "tco2e", "received_at")


@dataclass(frozen=True)
class IngestResult:
    """Outcome of one batch.

    Attributes
    ----------
    received : int
        Valid readings in the batch.
    stored : int
        Readings newly stored (the others were already there: duplicates).
    rejected : int
        Invalid readings (only when the caller asked to skip them).
    """

    received: int
    stored: int
    rejected: int = 0

    @property
    def duplicates(self) -> int:
        """Valid readings that were already stored."""
        return self.received - self.stored


@dataclass
class PreparedReadings:
    """Rows ready for :func:`store_rows` and the problems of the rows left out.

    Attributes
    ----------
    rows : list of tuple
        One tuple of :data:`STORED_COLUMNS` values per valid reading.
    valid : numpy.ndarray
        Boolean mask over the input rows.
    issues : list of RecordIssue
        Problems of the invalid rows (1-based row numbers).
    """

    rows: list[tuple[Any, ...]]
    valid: np.ndarray
    issues: list[RecordIssue] = field(default_factory=list)


def readings_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Readings as a frame of :data:`READING_COLUMNS` (missing keys become None).

    Parameters
    ----------
    records : iterable of mapping
        ``{"meter_id": str, "ts": ISO 8601 text or seconds since the epoch, "value": number
        [unit], "unit": str (optional)}``.

    Returns
    -------
    pandas.DataFrame
    """
    rows = list(records)
    return pd.DataFrame({c: [r.get(c) for r in rows] for c in READING_COLUMNS})


def read_readings_csv(path: Path) -> pd.DataFrame:
    """Read a readings CSV (columns of :data:`READING_COLUMNS`; ``unit`` may be absent).

    Raises
    ------
    MonitorError
        The file cannot be read.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise MonitorError(f"{path}: cannot read readings: {exc}") from exc
    if "unit" not in frame:
        frame["unit"] = ""
    return frame


def _timestamps(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Seconds since the epoch [s] and a validity mask; numbers are seconds, text is ISO 8601."""
    numbers = pd.to_numeric(raw, errors="coerce")
    text_rows = numbers.isna() & raw.notna()
    seconds = numbers.to_numpy(dtype=float, na_value=np.nan, copy=True)
    if text_rows.any():
        parsed = pd.to_datetime(raw[text_rows].astype(str), utc=True, errors="coerce", format="ISO8601")
        epoch = pd.Timestamp(0, tz="UTC")
        delta = (parsed - epoch) / pd.Timedelta(seconds=1)
        seconds[text_rows.to_numpy()] = delta.to_numpy(dtype=float, na_value=np.nan)
    valid = np.isfinite(seconds) & (np.floor(np.nan_to_num(seconds)) == seconds)
    valid &= (np.nan_to_num(seconds) >= TS_MIN) & (np.nan_to_num(seconds) < TS_MAX)
    return np.where(valid, seconds, 0).astype(np.int64), valid


class Ingestor:
    """Stores batches of readings in one database (the meter registry and factors cached).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Migrated zerocity database (one tenant).
    factors : FactorCache, optional
        Shared factor cache; a new one when omitted.
    """

    def __init__(self, engine: Engine, factors: FactorCache | None = None) -> None:
        self.engine = engine
        self.factors = factors or FactorCache()
        self._meters: dict[str, MeterInfo] = {}
        self._meters_loaded = -math.inf
        self._conversions: dict[tuple[str, str], float] = {}

    def ingest(self, frame: pd.DataFrame, *, skip_invalid: bool = False, source: str = "<readings>") -> IngestResult:
        """Store a batch in one transaction, committed before returning.

        Parameters
        ----------
        frame : pandas.DataFrame
            Readings (:data:`READING_COLUMNS`).
        skip_invalid : bool, default False
            Store the valid readings and log the invalid ones (MQTT), instead of refusing the
            whole batch (HTTP, CSV).
        source : str
            Name of the batch in messages.

        Returns
        -------
        IngestResult

        Raises
        ------
        InvalidRecordsError
            Invalid readings and ``skip_invalid`` is False; nothing was stored.
        """
        # Reads the registry, then writes: an immediate transaction on SQLite (store/db.py).
        with write_transaction(self.engine) as session:
            prepared = self.prepare(session, frame, source=source)
            if prepared.issues and not skip_invalid:
                raise InvalidRecordsError(source, prepared.issues)
            for issue in prepared.issues[:20]:
                logger.warning("%s: reading skipped: %s", source, issue)
            stored = store_rows(session, prepared.rows, self._meters)
        result = IngestResult(len(prepared.rows), stored, len(prepared.issues))
        logger.debug("%s: %s", source, result)
        return result

    def warm(self, years: Iterable[int]) -> int:
        """Load the meter registry and resolve the factors of every meter for ``years``.

        Done before a worker subscribes, so the first batch does not wait for the factor
        library while unacknowledged messages pile up at the broker.

        Returns
        -------
        int
            Factor keys resolved.
        """
        with session_scope(self.engine) as session:
            self._load_meters(session)
        keys: set[FactorKey] = {
            (m.gpc_ref, m.carrier, m.quantity_unit, m.region, int(y)) for m in self._meters.values() for y in years
        }
        found, _failures = self.factors.resolve(keys)
        return len(found)

    def prepare(self, session: Session, frame: pd.DataFrame, *, source: str = "<readings>") -> PreparedReadings:
        """Parse, convert and price a batch (no database writes).

        Parameters
        ----------
        session : sqlalchemy.orm.Session
            Session used to reload the meter registry when a batch names an unknown meter.
        frame : pandas.DataFrame
            Readings (:data:`READING_COLUMNS`).
        source : str
            Name of the batch in messages.

        Returns
        -------
        PreparedReadings
        """
        n = len(frame)
        if n == 0:
            return PreparedReadings([], np.zeros(0, dtype=bool))
        missing = [c for c in ("meter_id", "ts", "value") if c not in frame]
        if missing:
            raise InvalidRecordsError(source, [RecordIssue(0, c, "required column is missing") for c in missing])
        meter_ids = frame["meter_id"].astype(str).str.strip().to_numpy(dtype=object)
        codes, uniques = pd.factorize(meter_ids)
        stale = time.monotonic() - self._meters_loaded > REGISTRY_TTL_S
        if stale or any(m not in self._meters for m in uniques):
            self._load_meters(session)
        infos = [self._meters.get(m) for m in uniques]
        known = np.array([info is not None for info in infos], dtype=bool)[codes]
        ts, ts_ok = _timestamps(frame["ts"])
        values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        value_ok = np.isfinite(values) & (values >= 0)
        raw_units = frame["unit"] if "unit" in frame else pd.Series([None] * n)
        # One conversion per distinct (unit, quantity unit): the meter's own unit where a reading has none.
        default_conversion = np.array(
            [self._conversion(info.unit, info.quantity_unit) if info else math.nan for info in infos], dtype=float
        )
        meter_units = np.array([info.unit if info else "" for info in infos], dtype=object)[codes]
        unit_text = raw_units.fillna("").astype(str).str.strip().to_numpy(dtype=object)
        explicit = unit_text != ""
        units = np.where(explicit, unit_text, meter_units)
        conversion = default_conversion[codes]
        if explicit.any():
            quantity_units = np.array([info.quantity_unit if info else "" for info in infos], dtype=object)[codes]
            u_codes, u_uniques = pd.factorize(unit_text)
            q_codes, q_uniques = pd.factorize(quantity_units)
            pair_codes, pair_index = np.unique(u_codes.astype(np.int64) * len(q_uniques) + q_codes, return_inverse=True)
            pair_conversion = np.array(
                [self._conversion(u_uniques[c // len(q_uniques)], q_uniques[c % len(q_uniques)]) for c in pair_codes],
                dtype=float,
            )
            conversion = np.where(explicit, pair_conversion[pair_index], conversion)
        unit_ok = np.isfinite(conversion)
        valid = known & ts_ok & value_ok & unit_ok
        issues: list[RecordIssue] = []
        for row in np.flatnonzero(~valid):
            issues += self._row_issues(int(row), frame, known, ts_ok, value_ok, unit_ok, units)
        if not valid.any():
            return PreparedReadings([], valid, issues)
        idx = np.flatnonzero(valid)
        quantity = values[idx] * conversion[idx]
        years = ts[idx].astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
        meter_of = codes[idx].astype(np.int64)
        key_values, key_codes = np.unique(meter_of * 10_000 + years, return_inverse=True)
        keys: list[FactorKey] = []
        for value in key_values.tolist():
            info = cast(MeterInfo, infos[value // 10_000])  # valid rows have a known meter
            keys.append((info.gpc_ref, info.carrier, info.quantity_unit, info.region, value % 10_000))
        factors, failures = self.factors.resolve(set(keys))
        per_key = np.array([factors[k].tco2e_per_unit if k in factors else np.nan for k in keys], dtype=float)
        tco2e = quantity * per_key[key_codes]
        if failures:
            priced = np.isfinite(tco2e)
            for position in np.flatnonzero(~priced):
                key = keys[int(key_codes[position])]
                issues.append(
                    RecordIssue(
                        int(idx[position]) + 1,
                        "meter_id",
                        f"no emission factor for {key}: {failures[key]}",
                        str(meter_ids[idx[position]]),
                    )
                )
            valid[idx[~priced]] = False
            idx, quantity, tco2e = idx[priced], quantity[priced], tco2e[priced]
            issues.sort(key=lambda i: (i.row, i.column))
        received = time.time()
        rows = list(
            zip(
                meter_ids[idx].tolist(),
                ts[idx].tolist(),
                values[idx].tolist(),
                units[idx].tolist(),
                quantity.tolist(),
                tco2e.tolist(),
                [received] * len(idx),
                strict=True,
            )
        )
        return PreparedReadings(rows, valid, issues)

    def _load_meters(self, session: Session) -> None:
        self._meters = load_meters(session)
        self._meters_loaded = time.monotonic()

    def _conversion(self, unit: str, quantity_unit: str) -> float:
        """Factor from ``unit`` to ``quantity_unit`` [unitless]; NaN when impossible."""
        key = (unit, quantity_unit)
        if key not in self._conversions:
            try:
                self._conversions[key] = parse_unit(unit).to(parse_unit(quantity_unit)) if quantity_unit else math.nan
            except UnitError:
                self._conversions[key] = math.nan
        return self._conversions[key]

    @staticmethod
    def _row_issues(
        row: int,
        frame: pd.DataFrame,
        known: np.ndarray,
        ts_ok: np.ndarray,
        value_ok: np.ndarray,
        unit_ok: np.ndarray,
        units: np.ndarray,
    ) -> list[RecordIssue]:
        out = []
        if not known[row]:
            out.append(
                RecordIssue(row + 1, "meter_id", "unknown meter (import it first)", str(frame["meter_id"].iloc[row]))
            )
        if not ts_ok[row]:
            out.append(
                RecordIssue(
                    row + 1,
                    "ts",
                    "not an ISO 8601 time or whole seconds since the epoch, between 1990 and 2100",
                    str(frame["ts"].iloc[row]),
                )
            )
        if not value_ok[row]:
            out.append(
                RecordIssue(row + 1, "value", "value must be a finite number >= 0", str(frame["value"].iloc[row]))
            )
        if known[row] and not unit_ok[row]:
            out.append(
                RecordIssue(row + 1, "unit", "unit cannot be converted to the meter's carrier unit", str(units[row]))
            )
        return out


_SHARED_FACTORS = FactorCache()
_INGESTORS: weakref.WeakKeyDictionary[Engine, Ingestor] = weakref.WeakKeyDictionary()
_INGESTORS_LOCK = threading.Lock()


def ingest_records(
    engine: Engine, records: Iterable[Mapping[str, Any]] | pd.DataFrame, *, source: str = "<http batch>"
) -> IngestResult:
    """Store one HTTP batch, all or nothing, committed before returning (the service layer's entry).

    One :class:`Ingestor` per engine is kept (meter registry cached) and all share one factor
    cache (the shipped library is the same for every tenant).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Tenant database.
    records : iterable of mapping or pandas.DataFrame
        Readings (:func:`readings_frame` keys or a frame of :data:`READING_COLUMNS`).
    source : str
        Name of the batch in messages.

    Returns
    -------
    IngestResult

    Raises
    ------
    InvalidRecordsError
        Invalid readings; nothing was stored.
    """
    with _INGESTORS_LOCK:
        ingestor = _INGESTORS.get(engine)
        if ingestor is None:
            ingestor = _INGESTORS[engine] = Ingestor(engine, _SHARED_FACTORS)
    frame = records if isinstance(records, pd.DataFrame) else readings_frame(records)
    return ingestor.ingest(frame, source=source)


def store_rows(session: Session, rows: Sequence[Sequence[Any]], meters: Mapping[str, MeterInfo]) -> int:
    """Insert readings, ignoring those already stored (same meter and ``ts``); sum the new ones.

    The newly inserted readings are added to the hourly rollups in the same transaction.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session whose transaction the rows join.
    rows : sequence of sequences
        Values of :data:`STORED_COLUMNS` per reading.
    meters : mapping of str to MeterInfo
        Registry of every meter in ``rows`` (grouping keys of the rollups).

    Returns
    -------
    int
        Rows newly inserted.
    """
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    names = ", ".join(STORED_COLUMNS)
    frame = pd.DataFrame.from_records(rows, columns=list(STORED_COLUMNS))
    inserted: pd.DataFrame | None = None  # None: decide from the count below
    if dialect.name == "postgresql" and dialect.driver == "psycopg":  # psycopg 3: COPY
        dbapi = connection.connection.dbapi_connection
        cursor = dbapi.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS zc_readings_in "
                "(LIKE meter_readings INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            cursor.execute("TRUNCATE zc_readings_in")
            with cursor.copy(f"COPY zc_readings_in ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO meter_readings ({names}) SELECT {names} FROM zc_readings_in "
                "ON CONFLICT (meter_id, ts) DO NOTHING RETURNING meter_id, ts"
            )
            keys = pd.DataFrame(cursor.fetchall(), columns=["meter_id", "ts"])
        finally:
            cursor.close()
        stored = len(keys)
        if 0 < stored < len(frame):
            inserted = frame.merge(keys.astype({"ts": "int64"}), on=["meter_id", "ts"])
    else:
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO {MeterReading.__tablename__} ({names}) "
            f"VALUES ({', '.join([marker] * len(STORED_COLUMNS))}) ON CONFLICT (meter_id, ts) DO NOTHING"
        )
        if dialect.name == "sqlite":
            raw = connection.connection.dbapi_connection
            before = raw.total_changes  # type: ignore[union-attr]
            connection.exec_driver_sql(sql, [tuple(r) for r in rows])
            stored = int(raw.total_changes - before)  # type: ignore[union-attr]
        else:
            stored = int(connection.exec_driver_sql(sql, [tuple(r) for r in rows]).rowcount)
        if 0 < stored < len(frame):
            inserted = _inserted_now(session, frame)
    if stored == len(frame):
        inserted = frame
    if inserted is not None:
        add_to_hourly(session, inserted, meters)
    return stored


def _inserted_now(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` this transaction inserted: stored with this batch's ``received_at``.

    Only needed when a batch held duplicates; the scan is bounded by the batch's time range.
    """
    lo, hi = int(frame["ts"].min()), int(frame["ts"].max())
    stamps = sorted(set(frame["received_at"].tolist()))
    table = MeterReading.__table__
    statement = select(table.c.meter_id, table.c.ts).where(
        table.c.ts >= lo, table.c.ts <= hi, table.c.received_at.in_(stamps)
    )
    keys = pd.DataFrame(session.execute(statement).all(), columns=["meter_id", "ts"])
    return frame.merge(keys.astype({"ts": "int64"}), on=["meter_id", "ts"])
