"""The materialised hourly rollups (``meter_rollups_hour``) against hand sums of the readings sent.

Each expectation is worked out here from the values posted (kWh, the 0.5306 t CO2/MWh grid
factor of ``CN-MEENBS-2025-47-2023-CN-CO2``), never from an earlier run: duplicates in a batch
that also holds new readings, late readings, periods starting and ending inside an hour, a
meter moved to another district, local days at whole and half-hour offsets, and the migration
that sums readings stored before the table existed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import inspect, select, text

from zerocity.monitor import Ingestor, import_meters, load_meters, readings_frame, rollup, validate_meters
from zerocity.store.db import downgrade, session_scope, upgrade
from zerocity.store.models import MeterRollupHour

GRID = 0.5306e-3  # t CO2e per kWh
KWH_PER_MWH = 1000.0  # electricity is stored in MWh (the activity's unit); sums are compared in kWh
TOL = 1e-12
T = datetime(2025, 3, 1, tzinfo=UTC)


def _at(hh: int, mm: int = 0, day: int = 1) -> str:
    return f"2025-03-{day:02d}T{hh:02d}:{mm:02d}:00Z"


def _ingest(engine, rows) -> int:
    return Ingestor(engine).ingest(readings_frame(rows)).stored


def _hour_table(engine, grouping: str) -> dict[tuple[int, str], tuple[float, int]]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(MeterRollupHour.bucket, MeterRollupHour.grp, MeterRollupHour.quantity, MeterRollupHour.readings)
            .where(MeterRollupHour.grouping == grouping)
            .order_by(MeterRollupHour.bucket, MeterRollupHour.grp)
        ).all()
    return {(int(b), g): (round(float(q) * KWH_PER_MWH, 9), int(n)) for b, g, q, n in rows}


def _epoch(text_: str) -> int:
    return int(pd.Timestamp(text_).timestamp())


def _registry(engine) -> pd.DataFrame:
    """The stored meter registry as an import frame (text columns)."""
    with session_scope(engine) as session:
        infos = list(load_meters(session).values())
    columns = ["meter_id", "entity", "district", "sector", "gpc_ref", "carrier", "unit", "interval_s", "region"]
    return pd.DataFrame([[str(getattr(i, c) or "") for c in columns] for i in infos], columns=columns)


def _import(engine, frame: pd.DataFrame) -> None:
    with session_scope(engine) as session:
        import_meters(session, validate_meters(frame))


def _cell(frame: pd.DataFrame, column: str, **where) -> float:
    """One cell; ``quantity`` in kWh."""
    mask = pd.Series(True, index=frame.index)
    for key, value in where.items():
        mask &= frame[key] == value
    assert mask.sum() == 1, frame
    value = float(frame.loc[mask, column].iloc[0])
    return round(value * KWH_PER_MWH, 9) if column == "quantity" else value


@pytest.fixture
def readings(monitor_db):
    """e1 (Acme, North) four quarter hours 10:00-10:45 of 1, 2, 3, 4 kWh; e3 (Bistro, South) 10 kWh at 10:00."""
    stored = _ingest(
        monitor_db,
        [
            {"meter_id": "e1", "ts": _at(10, 0), "value": 1.0},
            {"meter_id": "e1", "ts": _at(10, 15), "value": 2.0},
            {"meter_id": "e1", "ts": _at(10, 30), "value": 3.0},
            {"meter_id": "e1", "ts": _at(10, 45), "value": 4.0},
            {"meter_id": "e3", "ts": _at(10, 0), "value": 10.0},
        ],
    )
    assert stored == 5
    return monitor_db


def test_duplicates_in_a_mixed_batch_are_not_summed_twice(readings) -> None:
    # 10:15 again (different value: the first one wins) with a new 11:00 reading in the same batch
    stored = _ingest(
        readings,
        [
            {"meter_id": "e1", "ts": _at(10, 15), "value": 99.0},
            {"meter_id": "e1", "ts": _at(11, 0), "value": 5.0},
        ],
    )
    assert stored == 1
    assert _ingest(readings, [{"meter_id": "e1", "ts": _at(11, 0), "value": 7.0}]) == 0  # all duplicates
    table = _hour_table(readings, "entity")
    assert table == {
        (_epoch(_at(10)), "Acme"): (1.0 + 2.0 + 3.0 + 4.0, 4),
        (_epoch(_at(10)), "Bistro"): (10.0, 1),
        (_epoch(_at(11)), "Acme"): (5.0, 1),
    }
    assert _hour_table(readings, "meter_id") == {}  # per meter: summed from the readings
    per_meter = rollup(readings, level="hour", by="meter_id", start=T, end=datetime(2025, 3, 2, tzinfo=UTC))
    assert _cell(per_meter, "quantity", group="e1", period_start=pd.Timestamp(_at(10))) == 10.0
    by_district = _hour_table(readings, "district")
    assert by_district[(_epoch(_at(10)), "North")] == (10.0, 4)
    assert by_district[(_epoch(_at(10)), "South")] == (10.0, 1)
    hourly = rollup(readings, level="hour", by="entity", start=T, end=datetime(2025, 3, 2, tzinfo=UTC))
    assert _cell(hourly, "quantity", group="Acme", period_start=pd.Timestamp(_at(10))) == pytest.approx(10.0, rel=TOL)
    assert _cell(hourly, "tco2e", group="Acme", period_start=pd.Timestamp(_at(11))) == pytest.approx(
        5.0 * GRID, rel=TOL
    )


def test_late_reading_of_an_earlier_day_updates_its_hour(readings) -> None:
    assert _ingest(readings, [{"meter_id": "e1", "ts": _at(23, 45, day=1), "value": 6.0}]) == 1
    assert _ingest(readings, [{"meter_id": "e1", "ts": "2025-02-28T23:45:00Z", "value": 7.0}]) == 1
    days = rollup(
        readings,
        level="day",
        by="district",
        start=datetime(2025, 2, 28, tzinfo=UTC),
        end=datetime(2025, 3, 2, tzinfo=UTC),
    )
    assert _cell(days, "quantity", group="North", period_start=pd.Timestamp("2025-02-28T00:00Z")) == 7.0
    assert _cell(days, "quantity", group="North", period_start=pd.Timestamp("2025-03-01T00:00Z")) == pytest.approx(
        1 + 2 + 3 + 4 + 6.0, rel=TOL
    )


def test_period_inside_hours_uses_only_the_readings_inside(readings) -> None:
    _ingest(
        readings,
        [{"meter_id": "e1", "ts": _at(11, 0), "value": 5.0}, {"meter_id": "e1", "ts": _at(12, 30), "value": 8.0}],
    )
    # [10:30, 12:15): 10:30 and 10:45 of the 10 o'clock hour (3 + 4), the whole 11 o'clock hour (5), nothing of 12:30
    start, end = datetime(2025, 3, 1, 10, 30, tzinfo=UTC), datetime(2025, 3, 1, 12, 15, tzinfo=UTC)
    hours = rollup(readings, level="hour", by="meter_id", start=start, end=end)
    e1 = (hours[hours["group"] == "e1"].set_index("period_start")["quantity"] * KWH_PER_MWH).round(9).to_dict()
    assert e1 == {pd.Timestamp(_at(10)): 7.0, pd.Timestamp(_at(11)): 5.0}
    assert hours[hours["group"] == "e3"].empty  # e3's only reading is at 10:00
    day = rollup(readings, level="day", by="sector", start=start, end=end)
    assert _cell(day, "quantity", group="industry") == 12.0
    assert int(day["readings"].sum()) == 3


def test_local_days_at_whole_and_half_hour_offsets(readings) -> None:
    _ingest(
        readings,
        [{"meter_id": "e1", "ts": _at(15, 45), "value": 20.0}, {"meter_id": "e1", "ts": _at(16, 0), "value": 40.0}],
    )
    lo, hi = datetime(2025, 2, 28, tzinfo=UTC), datetime(2025, 3, 3, tzinfo=UTC)
    # UTC+8: 15:45 UTC is 23:45 on 1 March (with 10:00-10:45), 16:00 UTC is 00:00 on 2 March
    china = rollup(readings, level="day", by="entity", start=lo, end=hi, utc_offset_h=8)
    acme = (china[china["group"] == "Acme"].set_index("period_start")["quantity"] * KWH_PER_MWH).round(9).to_dict()
    assert acme == {pd.Timestamp("2025-02-28T16:00Z"): 1 + 2 + 3 + 4 + 20.0, pd.Timestamp("2025-03-01T16:00Z"): 40.0}
    # UTC+5:30 (not whole hours: summed from the readings): 10:00-10:45 UTC is 15:30-16:15 on 1 March,
    # 15:45 UTC is 21:15, 16:00 UTC is 21:30: all on 1 March local
    india = rollup(readings, level="day", by="entity", start=lo, end=hi, utc_offset_h=5.5)
    assert _cell(india, "quantity", group="Acme") == 1 + 2 + 3 + 4 + 20.0 + 40.0
    assert india.loc[india["group"] == "Acme", "period_start"].iloc[0] == pd.Timestamp("2025-02-28T18:30Z")


def test_moving_a_meter_to_another_district_regroups_its_history(readings) -> None:
    moved = _registry(readings)
    moved.loc[moved["meter_id"] == "e1", "district"] = "South"
    _import(readings, moved)
    table = _hour_table(readings, "district")
    assert table == {(_epoch(_at(10)), "South"): (1 + 2 + 3 + 4 + 10.0, 5)}
    assert _hour_table(readings, "entity")[(_epoch(_at(10)), "Acme")] == (10.0, 4)  # entity unchanged
    # a registry import that changes nothing keeps the sums (no rebuild needed, none done wrong)
    _import(readings, moved)
    assert _hour_table(readings, "district") == table


def test_meter_without_district_is_its_own_group(monitor_db) -> None:
    bare = _registry(monitor_db).iloc[[0]].copy()
    bare["meter_id"], bare["district"], bare["sector"] = "x1", "", ""
    _import(monitor_db, bare)
    _ingest(
        monitor_db, [{"meter_id": "x1", "ts": _at(10), "value": 3.0}, {"meter_id": "x1", "ts": _at(11), "value": 4.0}]
    )
    days = rollup(monitor_db, level="day", by="district", start=T, end=datetime(2025, 3, 2, tzinfo=UTC))
    assert len(days) == 1
    assert days["group"].iloc[0] is None
    assert float(days["quantity"].iloc[0]) * KWH_PER_MWH == pytest.approx(7.0, rel=TOL)


def test_migration_sums_readings_stored_before_the_table(readings) -> None:
    downgrade(readings, "0006")
    assert "meter_rollups_hour" not in inspect(readings).get_table_names()
    with readings.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO meter_readings (meter_id, ts, value, unit, quantity, tco2e, received_at) "
                "VALUES ('e3', :ts, 2.0, 'kWh', 0.002, :t, 0)"
            ),
            {"ts": _epoch(_at(10, 30)), "t": 2.0 * GRID},
        )
    upgrade(readings)
    assert _hour_table(readings, "entity") == {
        (_epoch(_at(10)), "Acme"): (10.0, 4),
        (_epoch(_at(10)), "Bistro"): (12.0, 2),
    }
