"""Warnings: spikes and missing data worked out by hand, quota projection, storage and dedup.

Rules under test (zerocity's own thresholds, :mod:`zerocity.monitor.alerts`): missing data at
4 overdue intervals; spike above 6 robust SDs, ``s = max(1.4826 MAD, 0.1 |median|)``, from the
same hour of the week over 8 weeks, 4 readings at least.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from zerocity.monitor import (
    Ingestor,
    WarningKind,
    evaluate_warnings,
    list_warnings,
    missing_data,
    quota_warnings,
    readings_frame,
    set_quota,
    spikes,
)
from zerocity.store.db import session_scope
from zerocity.store.models import WebhookDelivery

WEEK = timedelta(days=7)
#: Monday 2025-03-03 09:00 UTC: the reading judged.
T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)
#: The meter's readings at the same hour of the week over the 8 weeks before (h1 reports GJ).
HISTORY = [10.0, 10.0, 11.0, 9.0, 10.0, 12.0, 8.0, 10.0]
# By hand: median 10; |x - 10| = 0 0 1 1 0 2 2 0 -> sorted 0 0 0 0 1 1 2 2 -> MAD 0.5;
# 1.4826 * 0.5 = 0.7413 < 0.1 * 10 = 1.0, so the spread is 1.0 GJ and the threshold 10 + 6 * 1.0 = 16 GJ.


def _history(engine, value: float) -> None:
    rows = [{"meter_id": "h1", "ts": (T0 - (i + 1) * WEEK).isoformat(), "value": v} for i, v in enumerate(HISTORY)]
    rows.append({"meter_id": "h1", "ts": T0.isoformat(), "value": value})
    Ingestor(engine).ingest(readings_frame(rows))


def _spikes(engine):
    with session_scope(engine) as session:
        return spikes(session, since=T0 - timedelta(hours=1), until=T0 + timedelta(hours=1))


def test_spike_above_threshold_is_explained(monitor_db) -> None:
    _history(monitor_db, 17.0)  # (17 - 10) / 1.0 = 7 spreads > 6
    (found,) = _spikes(monitor_db)
    assert found.kind is WarningKind.SPIKE
    assert found.meter_id == "h1"
    assert found.details["median"] == 10.0
    assert found.details["mad"] == 0.5
    assert found.details["scale"] == pytest.approx(1.0)
    assert found.details["score"] == pytest.approx(7.0)
    assert found.details["history_readings"] == 8
    text = found.explanation
    for part in ("h1", "17 GJ", "median of 10 GJ", "8 readings", "7.0 spreads", "above 6"):
        assert part in text, text


def test_reading_below_threshold_is_no_spike(monitor_db) -> None:
    _history(monitor_db, 15.9)  # 5.9 spreads
    assert _spikes(monitor_db) == []


def test_too_little_history_is_no_spike(monitor_db) -> None:
    rows = [{"meter_id": "h1", "ts": (T0 - (i + 1) * WEEK).isoformat(), "value": 10.0} for i in range(3)]
    rows.append({"meter_id": "h1", "ts": T0.isoformat(), "value": 1000.0})
    Ingestor(monitor_db).ingest(readings_frame(rows))
    assert _spikes(monitor_db) == []


def test_missing_data_after_four_overdue_intervals(monitor_db) -> None:
    last = datetime(2025, 3, 1, 12, tzinfo=UTC)
    Ingestor(monitor_db).ingest(readings_frame([{"meter_id": "e1", "ts": last.isoformat(), "value": 1.0}]))
    # Next reading due at 12:15 (interval 900 s); 4 intervals overdue at 13:15.
    with session_scope(monitor_db) as session:
        early = missing_data(session, now=datetime(2025, 3, 1, 13, 14, 59, tzinfo=UTC))
        late = missing_data(session, now=datetime(2025, 3, 1, 13, 15, tzinfo=UTC))
    assert "e1" not in {w.meter_id for w in early}
    (found,) = [w for w in late if w.meter_id == "e1"]
    assert found.details["overdue_intervals"] == 4
    assert found.dedup_key == f"missing:e1:{int(last.timestamp())}"
    assert "2025-03-01T12:00:00Z" in found.explanation and "4 readings are overdue" in found.explanation


def test_quota_projected_exceedance_linear(monitor_db) -> None:
    # e2 (Acme, MWh): 1 MWh per day from 1 to 10 January 2025 -> 10 * 0.5306 = 5.306 t CO2e by 11 January.
    rows = [{"meter_id": "e2", "ts": f"2025-01-{d:02d}T00:00:00Z", "value": 1.0} for d in range(1, 11)]
    Ingestor(monitor_db).ingest(readings_frame(rows))
    with session_scope(monitor_db) as session:
        set_quota(session, entity="Acme", year=2025, quota=150.0)
    now = datetime(2025, 1, 11, tzinfo=UTC)
    with session_scope(monitor_db) as session:
        (found,) = quota_warnings(monitor_db, session, now=now)
    # No 2024 data: linear projection. Last day observed ends 2025-01-11, elapsed 10/365 of the year,
    # projected 5.306 * 365 / 10 = 193.669 t > 150 t, and > 0.8 * 150 = 120 t.
    assert found.details["method"] == "linear"
    assert found.details["consumed"] == pytest.approx(5.306, rel=1e-9)
    assert found.details["projected"] == pytest.approx(193.669, rel=1e-9)
    assert found.details["status"] == "projected 100%"
    # Crossing 150 t at 0.5306 t/day: day 150 / 0.5306 = 282.7 after 1 January -> 10 October 2025.
    assert found.details["crosses_100"] == "2025-10-10"
    assert "193.7 t CO2e" in found.explanation and "129%" in found.explanation


def test_energy_quota_reached(monitor_db) -> None:
    # GB/T 2589-2020 Appendix A, CN-GBT2589-2020-A-electricity_grid-COEF: 0.1229 kgce/kWh, so
    # 1 MWh = 0.1229 tce. e2 reads 100 MWh on 5 January: 12.29 tce against a 10 tce quota.
    # h1 (heat, Bistro) is not Acme's and must not count.
    rows = [
        {"meter_id": "e2", "ts": "2025-01-05T00:00:00Z", "value": 100.0},
        {"meter_id": "h1", "ts": "2025-01-05T00:00:00Z", "value": 1000.0},
    ]
    Ingestor(monitor_db).ingest(readings_frame(rows))
    with session_scope(monitor_db) as session:
        set_quota(session, entity="Acme", year=2025, quota=10.0, kind="energy")
        (found,) = quota_warnings(monitor_db, session, now=datetime(2025, 1, 6, tzinfo=UTC))
    assert found.details["quota_kind"] == "energy"
    assert found.details["consumed"] == pytest.approx(12.29, rel=1e-9)
    assert found.details["status"] == "reached 100%"
    assert found.severity.value == "critical"
    assert "12.29 tce" in found.explanation and "10 tce energy quota" in found.explanation


def test_evaluate_stores_once_and_queues_webhook_deliveries(monitor_db) -> None:
    from zerocity.monitor import add_webhook

    Ingestor(monitor_db).ingest(readings_frame([{"meter_id": "e1", "ts": "2025-03-01T12:00:00Z", "value": 1.0}]))
    with session_scope(monitor_db) as session:
        add_webhook(session, url="https://hooks.example.org/all", secret="s")
        add_webhook(session, url="https://hooks.example.org/spikes", secret="s", kinds=["spike"])
    now = datetime.now(UTC) + timedelta(days=1)  # a day after the meters were registered
    first = evaluate_warnings(monitor_db, now=now)
    again = evaluate_warnings(monitor_db, now=now + timedelta(minutes=5))
    # Every meter is silent: e1 since its reading, e2, e3, h1 since registration.
    assert sorted(w["meter_id"] for w in first) == ["e1", "e2", "e3", "h1"]
    assert {w["kind"] for w in first} == {"missing_data"}
    assert again == []
    assert len(list_warnings(monitor_db)) == 4
    with session_scope(monitor_db) as session:
        queued = session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert queued == 4  # all four to the first webhook, none to the spike-only one
