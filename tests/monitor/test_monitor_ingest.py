"""Ingest: idempotent batches, unit conversion, emissions from the shipped factor rows.

Hand values
-----------
* Grid electricity, region CN: ``CN-MEENBS-2025-47-2023-CN-CO2`` in
  ``factors/data/cn_mee_grid/factors.csv`` = 0.5306 kg CO2/kWh (MEE & NBS announcement 2025
  No. 47, Table 1), i.e. 0.5306 t CO2/MWh; CO2 only, so t CO2e = t CO2.
* Purchased heat, region CN: ``CN-NDRC-2015-PUBBLDG-heat_purchased-CO2`` in
  ``factors/data/cn_guidelines/factors.csv`` = 0.11 t CO2/GJ.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from zerocity.errors import InvalidRecordsError
from zerocity.monitor import Ingestor, readings_frame
from zerocity.store.db import session_scope
from zerocity.store.models import MeterReading

GRID_T_PER_MWH = 0.5306  # CN-MEENBS-2025-47-2023-CN-CO2: 0.5306 kg/kWh
HEAT_T_PER_GJ = 0.11  # CN-NDRC-2015-PUBBLDG-heat_purchased-CO2
TOL = 1e-12


def _totals(engine) -> tuple[int, float, float]:
    with session_scope(engine) as session:
        n, q, t = session.execute(
            select(func.count(), func.sum(MeterReading.quantity), func.sum(MeterReading.tco2e))
        ).one()
    return int(n), float(q or 0.0), float(t or 0.0)


BATCH = [
    {"meter_id": "e1", "ts": "2025-03-01T00:00:00Z", "value": 250.0},
    {"meter_id": "e1", "ts": "2025-03-01T00:15:00Z", "value": 750.0},
    {"meter_id": "h1", "ts": "2025-03-01T00:00:00+08:00", "value": 2.0},
]


def test_duplicate_batch_is_idempotent(monitor_db) -> None:
    ingestor = Ingestor(monitor_db)
    first = ingestor.ingest(readings_frame(BATCH))
    totals = _totals(monitor_db)
    second = ingestor.ingest(readings_frame(BATCH))
    assert (first.received, first.stored) == (3, 3)
    assert (second.received, second.stored, second.duplicates) == (3, 0, 3)
    assert _totals(monitor_db) == totals
    # 250 + 750 kWh = 1 MWh of electricity, 2 GJ of heat.
    assert totals[0] == 3
    assert totals[2] == pytest.approx(1.0 * GRID_T_PER_MWH + 2.0 * HEAT_T_PER_GJ, rel=TOL)


def test_duplicates_inside_one_batch_are_stored_once_first_value_wins(monitor_db) -> None:
    rows = [
        {"meter_id": "e1", "ts": 1740787200, "value": 100.0},
        {"meter_id": "e1", "ts": "2025-03-01T00:00:00Z", "value": 999.0},  # same instant as 1740787200
    ]
    result = Ingestor(monitor_db).ingest(readings_frame(rows))
    assert (result.received, result.stored) == (2, 1)
    with session_scope(monitor_db) as session:
        assert session.scalars(select(MeterReading.value)).all() == [100.0]


def test_unit_conversion_one_mwh_equals_thousand_kwh(monitor_db) -> None:
    rows = [
        {"meter_id": "e1", "ts": "2025-03-01T00:00:00Z", "value": 1000.0},  # meter unit kWh
        {"meter_id": "e1", "ts": "2025-03-01T00:15:00Z", "value": 1.0, "unit": "MWh"},
        {"meter_id": "e2", "ts": "2025-03-01T00:00:00Z", "value": 1.0},  # meter unit MWh
        {"meter_id": "e2", "ts": "2025-03-01T00:15:00Z", "value": 1e6, "unit": "Wh"},
    ]
    Ingestor(monitor_db).ingest(readings_frame(rows))
    with session_scope(monitor_db) as session:
        stored = session.execute(select(MeterReading.quantity, MeterReading.tco2e)).all()
    assert len(stored) == 4
    for quantity, tco2e in stored:
        assert quantity == pytest.approx(1.0, rel=TOL)  # [MWh]
        assert tco2e == pytest.approx(GRID_T_PER_MWH, rel=TOL)


def test_emissions_equal_value_times_cited_factor(monitor_db) -> None:
    rows = [
        {"meter_id": "e3", "ts": "2025-06-01T10:00:00Z", "value": 1234.5},  # kWh
        {"meter_id": "h1", "ts": "2025-06-01T10:00:00Z", "value": 17.25},  # GJ
        {"meter_id": "h1", "ts": "2025-06-01T11:00:00Z", "value": 4000.0, "unit": "MJ"},  # 4 GJ
    ]
    Ingestor(monitor_db).ingest(readings_frame(rows))
    with session_scope(monitor_db) as session:
        got = dict(
            ((m, t), e)
            for m, t, e in session.execute(select(MeterReading.meter_id, MeterReading.ts, MeterReading.tco2e))
        )
    assert got[("e3", 1748772000)] == pytest.approx(1.2345 * 0.5306, rel=TOL)  # 0.6550257 t
    assert got[("h1", 1748772000)] == pytest.approx(17.25 * 0.11, rel=TOL)  # 1.8975 t
    assert got[("h1", 1748775600)] == pytest.approx(4.0 * 0.11, rel=TOL)  # 0.44 t


def test_invalid_batch_stores_nothing_and_names_every_problem(monitor_db) -> None:
    rows = [
        {"meter_id": "e1", "ts": "2025-03-01T00:00:00Z", "value": 1.0},
        {"meter_id": "nope", "ts": "2025-03-01T00:00:00Z", "value": 1.0},
        {"meter_id": "e1", "ts": "yesterday", "value": 1.0},
        {"meter_id": "e1", "ts": "2025-03-01T00:30:00Z", "value": -5},
        {"meter_id": "e1", "ts": "2025-03-01T00:45:00Z", "value": 1.0, "unit": "m3"},
        {"meter_id": "e1", "ts": 1740787200.5, "value": 1.0},
        {"meter_id": "e1", "ts": 1740787200000, "value": 1.0},  # milliseconds
    ]
    with pytest.raises(InvalidRecordsError) as info:
        Ingestor(monitor_db).ingest(readings_frame(rows))
    assert [(i.row, i.column) for i in info.value.issues] == [
        (2, "meter_id"),
        (3, "ts"),
        (4, "value"),
        (5, "unit"),
        (6, "ts"),
        (7, "ts"),
    ]
    assert _totals(monitor_db)[0] == 0


def test_skip_invalid_stores_the_valid_rows(monitor_db) -> None:
    rows = [
        {"meter_id": "e1", "ts": "2025-03-01T00:00:00Z", "value": 1.0},
        {"meter_id": "nope", "ts": "2025-03-01T00:00:00Z", "value": 1.0},
    ]
    result = Ingestor(monitor_db).ingest(readings_frame(rows), skip_invalid=True)
    assert (result.received, result.stored, result.rejected) == (1, 1, 1)


def test_meter_registered_after_the_ingestor_started_is_found(monitor_db, register) -> None:
    ingestor = Ingestor(monitor_db)
    ingestor.ingest(readings_frame([{"meter_id": "e1", "ts": 1740787200, "value": 1.0}]))
    register([["late", "Acme", "", "", "I.3.2", "electricity_grid", "MWh", "900", ""]])
    result = ingestor.ingest(readings_frame([{"meter_id": "late", "ts": 1740787200, "value": 2.0}]))
    assert result.stored == 1
    assert _totals(monitor_db)[1] == pytest.approx(1.0 / 1000 + 2.0, rel=TOL)


def test_registry_refuses_a_meter_without_a_factor() -> None:
    import pandas as pd

    from zerocity.monitor import validate_meters

    frame = pd.DataFrame(
        [["x", "A", "", "", "I.3.2", "electricity_grid", "kWh", "900", "ZZ"]],
        columns=["meter_id", "entity", "district", "sector", "gpc_ref", "carrier", "unit", "interval_s", "region"],
    )
    assert validate_meters(frame)[0].quantity_unit == "MWh"  # structure alone is fine
    with pytest.raises(InvalidRecordsError) as info:
        validate_meters(frame, factor_year=2025)
    assert [(i.row, i.column) for i in info.value.issues] == [(1, "carrier")]


def test_registry_reports_every_bad_cell() -> None:
    import pandas as pd

    from zerocity.monitor import validate_meters

    frame = pd.DataFrame(
        [
            ["a", "A", "", "", "I.3.2", "electricity_grid", "kWh", "900", ""],
            ["a", "A", "", "", "I.3.2", "coffee", "kWh", "900", ""],
            ["b", "", "", "", "I.3.2", "natural_gas", "kWh", "15.5", ""],
        ],
        columns=["meter_id", "entity", "district", "sector", "gpc_ref", "carrier", "unit", "interval_s", "region"],
    )
    with pytest.raises(InvalidRecordsError) as info:
        validate_meters(frame)
    assert [(i.row, i.column) for i in info.value.issues] == [
        (2, "meter_id"),
        (2, "carrier"),
        (3, "entity"),
        (3, "unit"),  # kWh (energy) cannot become m3 (volume)
        (3, "interval_s"),
    ]
