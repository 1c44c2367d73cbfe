"""Rollups: late data, levels, groupings, local-time boundaries, the live view.

Hand values use the grid factor 0.5306 t CO2/MWh (``CN-MEENBS-2025-47-2023-CN-CO2``,
``factors/data/cn_mee_grid/factors.csv``) and the heat factor 0.11 t CO2/GJ
(``CN-NDRC-2015-PUBBLDG-heat_purchased-CO2``, ``factors/data/cn_guidelines/factors.csv``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from zerocity.monitor import Ingestor, MonitorError, live_view, readings_frame, rollup

GRID = 0.5306  # t CO2e per MWh
HEAT = 0.11  # t CO2e per GJ
TOL = 1e-12
DAY = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC))


def _ingest(engine, rows) -> None:
    Ingestor(engine).ingest(readings_frame(rows))


def _cell(frame: pd.DataFrame, column: str, **where) -> float:
    mask = pd.Series(True, index=frame.index)
    for key, value in where.items():
        mask &= frame[key] == value
    assert mask.sum() == 1, frame
    return float(frame.loc[mask, column].iloc[0])


def test_late_reading_updates_hour_and_day(monitor_db) -> None:
    _ingest(
        monitor_db,
        [
            {"meter_id": "e1", "ts": "2025-03-01T10:00:00Z", "value": 100.0},
            {"meter_id": "e1", "ts": "2025-03-01T10:15:00Z", "value": 200.0},
        ],
    )
    hour = rollup(monitor_db, level="hour", by="entity", start=DAY[0], end=DAY[1])
    assert _cell(hour, "quantity", group="Acme") == pytest.approx(0.3, rel=TOL)  # 300 kWh
    # A reading for 10:45 arrives after the rollup was first read.
    _ingest(monitor_db, [{"meter_id": "e1", "ts": "2025-03-01T10:45:00Z", "value": 400.0}])
    hour = rollup(monitor_db, level="hour", by="entity", start=DAY[0], end=DAY[1])
    day = rollup(monitor_db, level="day", by="entity", start=DAY[0], end=DAY[1])
    for frame in (hour, day):
        assert _cell(frame, "quantity", group="Acme") == pytest.approx(0.7, rel=TOL)  # 700 kWh
        assert _cell(frame, "tco2e", group="Acme") == pytest.approx(0.7 * GRID, rel=TOL)
        assert _cell(frame, "readings", group="Acme") == 3
    assert hour["period_start"].iloc[0] == pd.Timestamp("2025-03-01T10:00:00Z")


def test_levels_and_groupings(monitor_db) -> None:
    _ingest(
        monitor_db,
        [
            {"meter_id": "e1", "ts": "2025-03-01T10:00:00Z", "value": 100.0},  # Acme North industry
            {"meter_id": "e1", "ts": "2025-03-01T10:15:00Z", "value": 300.0},
            {"meter_id": "e2", "ts": "2025-03-01T10:15:00Z", "value": 1.0},  # Acme North industry, MWh
            {"meter_id": "e3", "ts": "2025-03-01T10:30:00Z", "value": 500.0},  # Bistro South commercial
            {"meter_id": "h1", "ts": "2025-03-01T10:00:00Z", "value": 10.0},  # Bistro South commercial heat
        ],
    )
    quarter = rollup(monitor_db, level="15min", by="entity", start=DAY[0], end=DAY[1])
    assert _cell(quarter, "quantity", group="Acme", period_start=pd.Timestamp("2025-03-01T10:15Z")) == pytest.approx(
        1.3, rel=TOL
    )  # 300 kWh + 1 MWh
    district = rollup(monitor_db, level="hour", by="district", start=DAY[0], end=DAY[1])
    assert _cell(district, "tco2e", group="North") == pytest.approx(1.4 * GRID, rel=TOL)
    assert _cell(district, "tco2e", group="South", carrier="electricity_grid") == pytest.approx(0.5 * GRID, rel=TOL)
    assert _cell(district, "quantity", group="South", carrier="heat_purchased") == pytest.approx(10.0, rel=TOL)
    assert _cell(district, "tco2e", group="South", carrier="heat_purchased") == pytest.approx(10.0 * HEAT, rel=TOL)
    sector = rollup(monitor_db, level="day", by="sector", start=DAY[0], end=DAY[1])
    assert set(sector["group"]) == {"industry", "commercial"}
    assert sector["tco2e"].sum() == pytest.approx(1.9 * GRID + 10.0 * HEAT, rel=TOL)


def test_day_and_month_follow_local_time(monitor_db) -> None:
    # 2025-03-31T20:00Z is 2025-04-01T04:00 in UTC+8: April locally, March in UTC.
    _ingest(
        monitor_db,
        [
            {"meter_id": "e2", "ts": "2025-03-31T10:00:00Z", "value": 1.0},
            {"meter_id": "e2", "ts": "2025-03-31T20:00:00Z", "value": 2.0},
        ],
    )
    span = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 5, 1, tzinfo=UTC))
    utc = rollup(monitor_db, level="month", by="entity", start=span[0], end=span[1])
    assert list(utc["quantity"]) == [3.0]
    assert utc["period_start"].iloc[0] == pd.Timestamp("2025-03-01T00:00Z")
    local = rollup(monitor_db, level="month", by="entity", start=span[0], end=span[1], utc_offset_h=8)
    assert list(local["quantity"]) == [1.0, 2.0]
    # Local month starts: 2025-03-01 00:00 and 2025-04-01 00:00 at UTC+8.
    assert list(local["period_start"]) == [pd.Timestamp("2025-02-28T16:00Z"), pd.Timestamp("2025-03-31T16:00Z")]
    days = rollup(monitor_db, level="day", by="entity", start=span[0], end=span[1], utc_offset_h=8)
    assert list(days["period_start"]) == [pd.Timestamp("2025-03-30T16:00Z"), pd.Timestamp("2025-03-31T16:00Z")]


def test_unknown_level_is_refused(monitor_db) -> None:
    with pytest.raises(MonitorError, match="week"):
        rollup(monitor_db, level="week", by="entity", start=DAY[0], end=DAY[1])


def test_live_view_counts_the_current_day_only(monitor_db) -> None:
    _ingest(
        monitor_db,
        [
            {"meter_id": "e2", "ts": "2025-02-28T23:45:00Z", "value": 5.0},  # yesterday
            {"meter_id": "e2", "ts": "2025-03-01T00:00:00Z", "value": 1.0},
            {"meter_id": "h1", "ts": "2025-03-01T01:00:00Z", "value": 2.0},
        ],
    )
    view = live_view(monitor_db, now=datetime(2025, 3, 1, 1, 30, tzinfo=UTC))
    assert view["day"] == "2025-03-01"
    assert view["readings"] == 2
    assert view["tco2e"] == pytest.approx(1.0 * GRID + 2.0 * HEAT, rel=TOL)
    assert [e["entity"] for e in view["entities"]] == ["Acme", "Bistro"]  # 0.5306 t > 0.22 t
    assert [h["readings"] for h in view["hourly"]] == [1, 1]
