"""MRV and the ledger, meter ingest (COPY), households and jobs on PostgreSQL (tenant schemas)."""

from __future__ import annotations

import time

import pytest
from service_helpers import ENTITY, World, build_world

pytestmark = pytest.mark.postgres

RECORDS = f"activity,amount,unit,year,gpc_ref,region,entity\nelectricity_grid,1000,kWh,2022,I.3.2,CN,{ENTITY}\n"


@pytest.fixture
def pg_world(postgres_settings):
    world = build_world(postgres_settings)
    yield world
    world.client.__exit__(None, None, None)


def test_mrv_ledger_monitor_and_jobs_on_postgres(pg_world: World) -> None:
    w, c = pg_world, pg_world.client
    made = c.post(
        "/api/v1/inventories",
        files={"file": ("r.csv", RECORDS, "text/csv")},
        data={"name": "plant"},
        headers=w.headers("alpha_reporter"),
    )
    assert made.status_code == 201, made.text
    submitted = c.post(
        "/api/v1/mrv/reports",
        json={"inventory_id": made.json()["id"], "period": "2024"},
        headers=w.headers("alpha_reporter"),
    )
    assert submitted.status_code == 201, submitted.text
    report = submitted.json()["report"]
    decided = c.post(
        f"/api/v1/mrv/reports/{report}/decision", json={"verified": True}, headers=w.headers("alpha_verifier")
    )
    assert decided.json()["state"] == "verified"
    assert c.get("/api/v1/ledger/health", headers=w.headers("alpha_admin")).json()["ok"] is True
    proof = c.get(f"/api/v1/ledger/entries/{submitted.json()['entry']}/proof", headers=w.headers("alpha_admin")).json()
    assert c.post("/api/v1/ledger/proofs/check", json={"proof": proof}).json()["ok"] is True
    # beta's ledger (its own schema) is empty.
    assert c.get("/api/v1/ledger/head", headers=w.headers("beta_admin")).json()["size"] == 0
    # Meter readings through COPY: 1,000 readings of 1 kWh = 1 MWh x 0.5366 t/MWh (2022 national factor).
    meter = {
        "meter_id": "M1",
        "entity": ENTITY,
        "gpc_ref": "I.3.2",
        "carrier": "electricity_grid",
        "unit": "kWh",
        "interval_s": 900,
    }
    assert c.post("/api/v1/monitor/meters", json={"meters": [meter]}, headers=w.headers("alpha_admin")).is_success
    readings = [{"meter_id": "M1", "ts": 1654041600 + 900 * i, "value": 1} for i in range(1000)]
    stored = c.post("/api/v1/monitor/readings", json=readings, headers=w.headers("alpha_reporter")).json()
    assert stored == {"received": 1000, "stored": 1000, "duplicates": 0}
    again = c.post("/api/v1/monitor/readings", json=readings[:10], headers=w.headers("alpha_reporter")).json()
    assert again["duplicates"] == 10
    params = {"level": "month", "by": "entity", "start": "2022-06-01T00:00:00Z", "end": "2022-07-01T00:00:00Z"}
    (row,) = c.get("/api/v1/monitor/rollups", params=params, headers=w.headers("alpha_admin")).json()["items"]
    assert row["tco2e"] == pytest.approx(0.5366, rel=1e-9) and row["readings"] == 1000
    # A job, persisted in the tenant schema.
    short = {"rows": [{"year": 2020, "emissions": 100}, {"year": 2021, "emissions": 110}], "runs": 10}
    job = c.post("/api/v1/models/brain/peak", json=short, headers=w.headers("alpha_analyst")).json()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        doc = c.get(f"/api/v1/jobs/{job['id']}", headers=w.headers("alpha_analyst")).json()
        if doc["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert doc["status"] == "failed" and doc["error"] and "internal" not in doc["error"]
    assert c.get(f"/api/v1/jobs/{job['id']}", headers=w.headers("beta_admin")).status_code == 404
