"""Fixtures of the monitor tests: a small meter registry, a broker probe.

MQTT tests need a broker at ``ZEROCITY_TEST_MQTT_HOST`` (default 127.0.0.1) port 1883; without
one they are skipped, unless ``ZEROCITY_REQUIRE_MQTT=1`` (CI), which makes them fail.
"""

from __future__ import annotations

import os
import socket

import pandas as pd
import pytest
from sqlalchemy import Engine

from zerocity.monitor import import_meters, validate_meters
from zerocity.store.db import session_scope

MQTT_HOST = os.environ.get("ZEROCITY_TEST_MQTT_HOST", "127.0.0.1")
MQTT_PORT = int(os.environ.get("ZEROCITY_TEST_MQTT_PORT", "1883"))
REQUIRE_MQTT_ENV = "ZEROCITY_REQUIRE_MQTT"

#: Registry used by most tests: electricity (kWh, 15 min), heat (GJ, hourly), two districts.
METERS = pd.DataFrame(
    [
        ["e1", "Acme", "North", "industry", "I.3.2", "electricity_grid", "kWh", "900", "CN"],
        ["e2", "Acme", "North", "industry", "I.3.2", "electricity_grid", "MWh", "900", "CN"],
        ["e3", "Bistro", "South", "commercial", "I.2.2", "electricity_grid", "kWh", "900", "CN"],
        ["h1", "Bistro", "South", "commercial", "I.2.2", "heat_purchased", "GJ", "3600", "CN"],
    ],
    columns=["meter_id", "entity", "district", "sector", "gpc_ref", "carrier", "unit", "interval_s", "region"],
)


def add_meters(engine: Engine, frame: pd.DataFrame = METERS) -> None:
    """Import a registry frame into ``engine``."""
    with session_scope(engine) as session:
        import_meters(session, validate_meters(frame))


@pytest.fixture
def monitor_db(db_engine: Engine) -> Engine:
    """A migrated database (SQLite and PostgreSQL) with the :data:`METERS` registry."""
    add_meters(db_engine)
    return db_engine


@pytest.fixture
def mqtt_broker() -> tuple[str, int]:
    """Host and port of a reachable broker (skip or fail when there is none)."""
    try:
        with socket.create_connection((MQTT_HOST, MQTT_PORT), timeout=2):
            pass
    except OSError as exc:
        reason = f"no MQTT broker at {MQTT_HOST}:{MQTT_PORT}: {exc}"
        if os.environ.get(REQUIRE_MQTT_ENV) == "1":
            pytest.fail(f"{REQUIRE_MQTT_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return MQTT_HOST, MQTT_PORT


@pytest.fixture
def register(monitor_db: Engine):
    """A function adding registry rows (lists in :data:`METERS` column order) to ``monitor_db``."""

    def add(rows: list[list[str]]) -> None:
        add_meters(monitor_db, pd.DataFrame(rows, columns=METERS.columns))

    return add
