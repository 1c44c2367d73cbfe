"""Every endpoint with every role: the expected allow/deny table is written out here, by hand.

Allowed calls must succeed (2xx); denied calls get 403 (authenticated) or 401 (anonymous), with
the one error body.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from service_helpers import ENTITY, World

from zerocity.accounts.privacy import record_consent
from zerocity.service.households import pseudonym_key
from zerocity.store.db import session_scope

CALLERS = [
    "root",
    "alpha_admin",
    "alpha_analyst",
    "alpha_reporter",
    "alpha_verifier",
    "alpha_household",
    "alpha_public",
    "anonymous",
]

ALL = set(CALLERS)
AUTHENTICATED = ALL - {"anonymous"}
ADMINS = {"root", "alpha_admin"}
STAFF = {"root", "alpha_admin", "alpha_analyst", "alpha_reporter", "alpha_verifier", "alpha_household"}
READERS = {"alpha_admin", "alpha_analyst", "alpha_reporter", "alpha_verifier"}
IMPORTERS = {"alpha_admin", "alpha_analyst", "alpha_reporter"}
SUBMITTERS = {"alpha_admin", "alpha_reporter"}  # an entity reports itself; the city admin the city's report
CHAIN_CHECKERS = {"alpha_admin", "alpha_analyst", "alpha_verifier"}
ENTERPRISE = {"alpha_admin", "alpha_analyst", "alpha_reporter"}  # a reporter: its own entity's rows
HOUSEHOLD = {"alpha_household"}  # its own data only
INGESTERS = {"alpha_admin", "alpha_household"}  # the city's data sources, or a household's own events
CITY_STAFF = {"alpha_admin", "alpha_analyst"}  # k-anonymous aggregates only
METER_USERS = {"alpha_admin", "alpha_analyst", "alpha_reporter"}  # a reporter: its own entity's meters

# endpoint name -> callers allowed (written independently of zerocity.service.permissions)
EXPECTED: dict[str, set[str]] = {
    "GET /health": ALL,
    "POST /auth/token": ALL,
    "POST /auth/refresh": ALL,
    "POST /auth/logout": AUTHENTICATED,
    "GET /auth/me": AUTHENTICATED,
    "POST /tenants": {"root"},
    "GET /tenants": {"root"},
    "POST /users": ADMINS,
    "GET /users": ADMINS,
    "PATCH /users/{id}": ADMINS,
    "POST /api-keys": ADMINS,
    "GET /api-keys": ADMINS,
    "DELETE /api-keys/{id}": ADMINS,
    "GET /audit": ADMINS,
    "GET /factors": STAFF,
    "GET /factors/explain": STAFF,
    "GET /factors/{id}": STAFF,
    "GET /factors/sets": STAFF,  # the platform administrator: shipped datasets only
    "POST /factors/sets": CITY_STAFF,  # a tenant's own factor sets
    "GET /factors/activities": STAFF,
    "POST /inventories": IMPORTERS,
    "GET /inventories": READERS,
    "GET /inventories/{id}": READERS,
    "GET /inventories/{id}/export": READERS,
    "GET /inventories/{id}/report": READERS,
    "POST /inventories/validate": IMPORTERS,  # a reporter: its own entity's rows
    "GET /inventories/methods": READERS,
    "GET /inventories/{id}/diff/{other_id}": READERS,
    "POST /inventories/cems": IMPORTERS,  # a reporter: measured rows of its own entity
    "POST /inventories/{id}/publish": {"alpha_admin"},
    "GET /public/{tenant}/inventories": ALL,
    "POST /mrv/data": SUBMITTERS,
    "POST /mrv/reports": SUBMITTERS,
    "GET /mrv/reports": READERS,
    "GET /mrv/reports/{id}": READERS,
    "GET /mrv/reports/{id}/history": READERS,
    "POST /mrv/reports/{id}/decision": {"alpha_verifier"},
    "GET /ledger/head": READERS,
    "GET /ledger/entries/{id}/proof": READERS,
    "GET /ledger/consistency": READERS,
    "POST /ledger/proofs/check": ALL,
    "GET /ledger/health": CHAIN_CHECKERS,
    "PUT /accounts/enterprise/registry": {"alpha_admin"},
    "GET /accounts/enterprise/registry": ENTERPRISE,
    "GET /accounts/enterprise/accounts": ENTERPRISE,
    "GET /accounts/enterprise/accounts/{id}": ENTERPRISE,
    "GET /accounts/enterprise/accounts/{id}/report": ENTERPRISE,
    "POST /accounts/enterprise/quotas/projection": ENTERPRISE,
    "GET /households/me": HOUSEHOLD,
    "DELETE /households/me": HOUSEHOLD,
    "POST /households/me/consents": HOUSEHOLD,
    "DELETE /households/me/consents/{id}": HOUSEHOLD,
    "GET /households/me/points": HOUSEHOLD,
    "POST /households/me/redemptions": HOUSEHOLD,
    "GET /households/catalogue": CITY_STAFF | HOUSEHOLD,
    "POST /households/events": INGESTERS,
    "POST /households/events/csv": INGESTERS,
    "GET /households/aggregates": CITY_STAFF,
    "GET /households/methodologies": CITY_STAFF | HOUSEHOLD,
    "GET /households/me/footprint": HOUSEHOLD,
    "POST /households/footprint/aggregates": CITY_STAFF,  # k-anonymous months only
    "GET /accounts/enterprise/export": CITY_STAFF,  # every entity's accounts: not verifiers
    "POST /accounts/enterprise/allowances/issue": {"alpha_admin"},  # only the city issues
    "POST /accounts/enterprise/allowances/transfer": SUBMITTERS,  # a reporter: from its own entity
    "POST /accounts/enterprise/allowances/surrender": SUBMITTERS,
    "GET /accounts/enterprise/allowances/balance": ENTERPRISE,
    "POST /ledger/evidence": SUBMITTERS,
    "GET /ledger/evidence/{digest}": READERS,  # a reporter: evidence of its entity's entries
    "GET /ledger/entries": READERS,
    "GET /ledger/actors": READERS,
    "GET /ledger/export": {"alpha_admin", "alpha_verifier"},
    "POST /monitor/meters": {"alpha_admin"},
    "POST /monitor/meters/csv": {"alpha_admin"},
    "GET /monitor/meters": METER_USERS,
    "POST /monitor/readings": METER_USERS,
    "POST /monitor/readings/csv": METER_USERS,
    "GET /monitor/rollups": METER_USERS,
    "GET /monitor/live": CITY_STAFF,
    "GET /monitor/warnings": METER_USERS,
    "POST /monitor/warnings/check": {"alpha_admin"},
    "PUT /monitor/quotas": {"alpha_admin"},
    "POST /monitor/webhooks": {"alpha_admin"},
    "GET /monitor/webhooks": {"alpha_admin"},
    "PATCH /monitor/webhooks/{id}": {"alpha_admin"},
    "DELETE /monitor/webhooks/{id}": {"alpha_admin"},
    "POST /models/brain/lmdi": CITY_STAFF,  # run models: city administrator and analyst
    "POST /models/brain/kaya": CITY_STAFF,
    "POST /models/brain/typology": CITY_STAFF,
    "POST /models/brain/peak": CITY_STAFF,
    "POST /models/targets/allocate": CITY_STAFF,
    "POST /models/scenario/run": CITY_STAFF,
    "POST /models/scenario/wedges": CITY_STAFF,
    "POST /models/scenario/report": CITY_STAFF,
    "POST /models/energy/storage": CITY_STAFF,
    "POST /models/energy/optimise": CITY_STAFF,
    "POST /models/sinks/landuse": CITY_STAFF,
    "POST /models/sinks/trees": CITY_STAFF,
    "POST /models/sinks/balance": CITY_STAFF,
    "POST /models/actions/buildings/benchmark": CITY_STAFF,
    "POST /models/actions/buildings/retrofit": CITY_STAFF,
    "POST /models/actions/transport/stock": CITY_STAFF,
    "POST /models/actions/transport/trips": CITY_STAFF,
    "POST /models/actions/transport/charging": CITY_STAFF,
    "POST /models/actions/datacentre/assess": CITY_STAFF,
    "POST /models/energy/pv": CITY_STAFF,
    "POST /models/macc/build": CITY_STAFF,
    "POST /models/macc/optimise": CITY_STAFF,
    "POST /models/io/check": CITY_STAFF,
    "POST /models/io/footprint": CITY_STAFF,
    "POST /models/io/price": CITY_STAFF,
    "POST /models/io/cap": CITY_STAFF,
    "POST /models/io/downscale": CITY_STAFF,
    "POST /models/macc/from-scenario": CITY_STAFF,
    "POST /models/energy/pv/city": CITY_STAFF,
    "POST /models/sinks/vegetation": CITY_STAFF,
    "POST /models/actions/buildings/lifecycle": CITY_STAFF,
    "POST /models/actions/transport/ev": CITY_STAFF,
    "POST /models/actions/datacentre/scenario": CITY_STAFF,
    "GET /jobs": CITY_STAFF,
    "GET /jobs/{id}": CITY_STAFF,
}

#: One building and one vehicle row in the columns of docs/actions.md.
BUILDINGS = [
    {
        "building_id": "PB1",
        "building_type": "office",
        "climate_zone": "hot_summer_cold_winter",
        "building_class": "B",
        "floor_area_m2": 10000,
        "electricity_kwh": 1200000,
    }
]
VEHICLES = [
    {
        "vehicle_type": "car",
        "fuel": "gasoline",
        "count": 10,
        "km_per_year": 10000,
        "consumption": 8,
        "consumption_unit": "L/100km",
    }
]

#: Two years of history: too short for the peak models, so its jobs end at once (failed), keeping the pool free.
SHORT_HISTORY = {"rows": [{"year": 2020, "emissions": 100}, {"year": 2021, "emissions": 110}], "runs": 10}

METER = {
    "meter_id": "MX",
    "entity": ENTITY,
    "gpc_ref": "I.3.2",
    "carrier": "electricity_grid",
    "unit": "kWh",
    "interval_s": 900,
}

ACCOUNT_RECORDS = f"activity,amount,unit,year,gpc_ref,region,entity\nelectricity_grid,1000,kWh,2022,I.3.2,CN,{ENTITY}\n"
REGISTRY = (
    "uscc,name,industry_code,district,land_area_mu,output_value_10k_yuan,employees\n"
    f"{ENTITY},Alpha Steel,C3011,320102,10,1000,100\n"
)

RECORDS = f"activity,amount,unit,year,gpc_ref,region,entity\nelectricity_grid,1000,kWh,2022,I.1.2,CN,{ENTITY}\n"


@pytest.fixture(scope="module")
def setup(shared_world: World) -> dict:
    """An inventory of the reporter's entity (readable by every reader) and one API key per caller to revoke."""
    w = shared_world
    response = w.client.post(
        "/api/v1/inventories",
        files={"file": ("records.csv", RECORDS, "text/csv")},
        data={"name": "entity inventory"},
        headers=w.headers("alpha_reporter"),
    )
    assert response.status_code == 201, response.text
    keys = {}
    for caller in CALLERS:
        made = w.client.post(
            "/api/v1/api-keys", json={"name": f"k-{caller}", "role": "analyst"}, headers=w.headers("alpha_admin")
        )
        assert made.status_code == 201, made.text
        keys[caller] = made.json()["id"]
    submitted = w.client.post(
        "/api/v1/mrv/reports",
        json={"inventory_id": response.json()["id"], "period": "2024"},
        headers=w.headers("alpha_reporter"),
    )
    assert submitted.status_code == 201, submitted.text
    accounts = w.client.post(
        "/api/v1/inventories",
        files={"file": ("records.csv", ACCOUNT_RECORDS, "text/csv")},
        data={"name": "accounts"},
        headers=w.headers("alpha_admin"),
    )
    assert accounts.status_code == 201, accounts.text
    registry = w.client.put(
        "/api/v1/accounts/enterprise/registry",
        files={"file": ("registry.csv", REGISTRY, "text/csv")},
        data={"inventory_id": str(accounts.json()["id"])},
        headers=w.headers("alpha_admin"),
    )
    assert registry.status_code == 200, registry.text
    meter = w.client.post("/api/v1/monitor/meters", json={"meters": [METER]}, headers=w.headers("alpha_admin"))
    assert meter.status_code == 200, meter.text
    hooks = {}
    for caller in CALLERS:
        made = w.client.post(
            "/api/v1/monitor/webhooks", json={"url": f"https://example.org/{caller}"}, headers=w.headers("alpha_admin")
        )
        assert made.status_code == 201, made.text
        hooks[caller] = made.json()["id"]
    job = w.client.post("/api/v1/models/brain/peak", json=SHORT_HISTORY, headers=w.headers("alpha_analyst"))
    assert job.status_code == 202, job.text
    return {
        "job": job.json()["id"],
        "hooks": hooks,
        "accounts_inventory": accounts.json()["id"],
        "inventory": response.json()["id"],
        "keys": keys,
        "report": submitted.json()["report"],
        "entry": submitted.json()["entry"],
    }


_PERIODS = iter(range(2100, 10000))
_RUNS = iter(range(1, 10000))


def _ride(n: int, when: datetime) -> dict:
    stamp = when.strftime("%Y-%m-%dT%H:%M:00")
    return {
        "event_id": f"r{n}",
        "household_id": "H-0001",
        "behaviour": "metro",
        "timestamp": stamp,
        "distance_km": 10,
        "duration_min": 20,
    }


def _points_for_household(w: World) -> None:
    """Enough points for a bus ride (100): 4 metro rides of 10 km on each of the last 40 days.

    A ride saves 1.039 kg (metro.yaml); the daily cap is 4 kg and the monthly 80 kg, so 40 days
    give at least 31 days in one month (80) plus 9 days (36) = 116 points whatever the calendar.
    """
    with session_scope(w.registry.engine("alpha")) as session:
        record_consent(session, "H-0001", "transport_card", granted_at="2025-01-01", key=pseudonym_key(w.settings))
    run = next(_RUNS)
    now = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    events = [
        _ride(run * 1000 + day * 4 + i, now - timedelta(days=day + 1, minutes=-10 * i))
        for day in range(40)
        for i in range(4)
    ]
    made = w.client.post("/api/v1/households/events", json={"events": events}, headers=w.headers("alpha_admin"))
    assert made.status_code == 200, made.text


def _pending_report(w: World, inventory: int) -> str:
    """A new report of the reporter's entity awaiting a decision (a fresh period each time)."""
    body = {"inventory_id": inventory, "period": str(next(_PERIODS))}
    made = w.client.post("/api/v1/mrv/reports", json=body, headers=w.headers("alpha_reporter"))
    assert made.status_code == 201, made.text
    return str(made.json()["report"])


def call(w: World, endpoint: str, caller: str, setup: dict):
    c, h = w.client, w.headers(caller)
    unique = f"u{uuid.uuid4().hex[:10]}"
    inv = setup["inventory"]
    if endpoint == "GET /health":
        return c.get("/api/v1/health", headers=h)
    if endpoint == "POST /auth/token":
        return c.post("/api/v1/auth/token", data={"username": "alpha_analyst", "password": "correct horse battery"})
    if endpoint == "POST /auth/refresh":
        refresh = w.login("alpha_analyst")["refresh_token"]
        return c.post("/api/v1/auth/refresh", json={"refresh_token": refresh}, headers=h)
    if endpoint == "POST /auth/logout":
        return c.post("/api/v1/auth/logout", json={"refresh_token": "not-a-token-of-mine"}, headers=h)
    if endpoint == "GET /auth/me":
        return c.get("/api/v1/auth/me", headers=h)
    if endpoint == "POST /tenants":
        return c.post("/api/v1/tenants", json={"slug": unique, "name": "New City"}, headers=h)
    if endpoint == "GET /tenants":
        return c.get("/api/v1/tenants", headers=h)
    if endpoint == "POST /users":
        body = {"username": unique, "password": "a long password", "role": "analyst", "tenant": "alpha"}
        return c.post("/api/v1/users", json=body, headers=h)
    if endpoint == "GET /users":
        return c.get("/api/v1/users", headers=h)
    if endpoint == "PATCH /users/{id}":
        return c.patch(f"/api/v1/users/{w.users['alpha_analyst']}", json={"disabled": False}, headers=h)
    if endpoint == "POST /api-keys":
        return c.post("/api/v1/api-keys", json={"name": unique, "role": "analyst", "tenant": "alpha"}, headers=h)
    if endpoint == "GET /api-keys":
        return c.get("/api/v1/api-keys", headers=h)
    if endpoint == "DELETE /api-keys/{id}":
        return c.delete(f"/api/v1/api-keys/{setup['keys'][caller]}", headers=h)
    if endpoint == "GET /audit":
        return c.get("/api/v1/audit", headers=h)
    if endpoint == "GET /factors":
        return c.get("/api/v1/factors", params={"activity": "electricity_grid"}, headers=h)
    if endpoint == "GET /factors/explain":
        return c.get("/api/v1/factors/explain", params={"activity": "electricity_grid", "year": 2022}, headers=h)
    if endpoint == "GET /factors/{id}":
        return c.get("/api/v1/factors/CN-MEENBS-2024-33-2022-CN-CO2", headers=h)
    if endpoint == "GET /factors/sets":
        return c.get("/api/v1/factors/sets", headers=h)
    if endpoint == "POST /factors/sets":
        factors = (
            "factor_id,parameter,activity,gas,value,unit,region,valid_from,valid_to,"
            "source_publisher,source_document,source_table,source_year\n"
            f"{unique},ef,electricity_grid,CO2,0.6,kg/kWh,CN,2022,2022,Office,Grid mix,Table 1,2023\n"
        )
        files = {"file": ("factors.csv", factors, "text/csv")}
        return c.post("/api/v1/factors/sets", files=files, data={"name": unique}, headers=h)
    if endpoint == "GET /factors/activities":
        return c.get("/api/v1/factors/activities", headers=h)
    if endpoint == "POST /inventories":
        files = {"file": ("records.csv", RECORDS, "text/csv")}
        return c.post("/api/v1/inventories", files=files, data={"name": unique}, headers=h)
    if endpoint == "GET /inventories":
        return c.get("/api/v1/inventories", headers=h)
    if endpoint == "GET /inventories/{id}":
        return c.get(f"/api/v1/inventories/{inv}", headers=h)
    if endpoint == "GET /inventories/{id}/export":
        return c.get(f"/api/v1/inventories/{inv}/export", params={"format": "csv"}, headers=h)
    if endpoint == "GET /inventories/{id}/report":
        return c.get(f"/api/v1/inventories/{inv}/report", params={"format": "xlsx"}, headers=h)
    if endpoint == "POST /inventories/validate":
        files = {"file": ("records.csv", RECORDS, "text/csv")}
        return c.post("/api/v1/inventories/validate", files=files, headers=h)
    if endpoint == "GET /inventories/methods":
        return c.get("/api/v1/inventories/methods", headers=h)
    if endpoint == "GET /inventories/{id}/diff/{other_id}":
        return c.get(f"/api/v1/inventories/{inv}/diff/{inv}", headers=h)
    if endpoint == "POST /inventories/cems":
        readings = (
            "timestamp,flow_m3_h,temperature_c,pressure_kpa,moisture_pct,co2_pct\n"
            "2024-03-01 00:00,1000,0,101.325,0,10\n2024-03-01 01:00,1000,0,101.325,0,10\n"
        )
        files = {"file": ("cems.csv", readings, "text/csv")}
        return c.post("/api/v1/inventories/cems", files=files, data={"records": "true"}, headers=h)
    if endpoint == "POST /inventories/{id}/publish":
        return c.post(f"/api/v1/inventories/{inv}/publish", headers=h)
    if endpoint == "GET /public/{tenant}/inventories":
        return c.get("/api/v1/public/alpha/inventories", headers=h)
    report = setup["report"]
    if endpoint == "POST /mrv/data":
        files = {"file": ("meter.csv", b"meter,kwh\nM1,1\n", "text/csv")}
        return c.post("/api/v1/mrv/data", files=files, data={"period": str(next(_PERIODS))}, headers=h)
    if endpoint == "POST /mrv/reports":
        return c.post("/api/v1/mrv/reports", json={"inventory_id": inv, "period": str(next(_PERIODS))}, headers=h)
    if endpoint == "GET /mrv/reports":
        return c.get("/api/v1/mrv/reports", headers=h)
    if endpoint == "GET /mrv/reports/{id}":
        return c.get(f"/api/v1/mrv/reports/{report}", headers=h)
    if endpoint == "GET /mrv/reports/{id}/history":
        return c.get(f"/api/v1/mrv/reports/{report}/history", headers=h)
    if endpoint == "POST /mrv/reports/{id}/decision":
        pending = _pending_report(w, inv) if caller in EXPECTED[endpoint] else report
        return c.post(f"/api/v1/mrv/reports/{pending}/decision", json={"verified": True}, headers=h)
    if endpoint == "GET /ledger/head":
        return c.get("/api/v1/ledger/head", headers=h)
    if endpoint == "GET /ledger/entries/{id}/proof":
        return c.get(f"/api/v1/ledger/entries/{setup['entry']}/proof", headers=h)
    if endpoint == "GET /ledger/consistency":
        return c.get("/api/v1/ledger/consistency", params={"old_size": 1}, headers=h)
    if endpoint == "POST /ledger/proofs/check":
        proof = c.get(f"/api/v1/ledger/entries/{setup['entry']}/proof", headers=w.headers("alpha_analyst")).json()
        return c.post("/api/v1/ledger/proofs/check", json={"proof": proof}, headers=h)
    if endpoint == "GET /ledger/health":
        return c.get("/api/v1/ledger/health", headers=h)
    if endpoint == "PUT /accounts/enterprise/registry":
        files = {"file": ("registry.csv", REGISTRY, "text/csv")}
        return c.put(
            "/api/v1/accounts/enterprise/registry",
            files=files,
            data={"inventory_id": str(setup["accounts_inventory"])},
            headers=h,
        )
    if endpoint == "GET /accounts/enterprise/registry":
        return c.get("/api/v1/accounts/enterprise/registry", headers=h)
    if endpoint == "GET /accounts/enterprise/accounts":
        return c.get("/api/v1/accounts/enterprise/accounts", headers=h)
    if endpoint == "GET /accounts/enterprise/accounts/{id}":
        return c.get(f"/api/v1/accounts/enterprise/accounts/{ENTITY}", headers=h)
    if endpoint == "GET /accounts/enterprise/accounts/{id}/report":
        return c.get(f"/api/v1/accounts/enterprise/accounts/{ENTITY}/report", params={"format": "xlsx"}, headers=h)
    if endpoint == "POST /accounts/enterprise/quotas/projection":
        body = {
            "quotas": [{"entity": ENTITY, "quota": 100, "year": 2024}],
            "usage": [{"entity": ENTITY, "time": "2024-01", "amount": 10}],
        }
        return c.post("/api/v1/accounts/enterprise/quotas/projection", json=body, headers=h)
    if endpoint == "GET /households/me":
        return c.get("/api/v1/households/me", headers=h)
    if endpoint == "DELETE /households/me":
        return c.delete("/api/v1/households/me", params={"confirm": True}, headers=h)
    if endpoint == "POST /households/me/consents":
        return c.post("/api/v1/households/me/consents", json={"source": "app"}, headers=h)
    if endpoint == "DELETE /households/me/consents/{id}":
        if caller in EXPECTED[endpoint]:
            assert c.post("/api/v1/households/me/consents", json={"source": "pv_meter"}, headers=h).is_success
        return c.delete("/api/v1/households/me/consents/pv_meter", headers=h)
    if endpoint == "GET /households/me/points":
        return c.get("/api/v1/households/me/points", headers=h)
    if endpoint == "POST /households/me/redemptions":
        if caller in EXPECTED[endpoint]:
            _points_for_household(w)
        return c.post("/api/v1/households/me/redemptions", json={"item": "bus_ride"}, headers=h)
    if endpoint == "GET /households/catalogue":
        return c.get("/api/v1/households/catalogue", headers=h)
    if endpoint == "POST /households/events":
        event = {**_ride(next(_RUNS), datetime(2025, 3, 3, 8, tzinfo=UTC)), "event_id": unique}
        return c.post("/api/v1/households/events", json={"events": [event]}, headers=h)
    if endpoint == "POST /households/events/csv":
        header = "event_id,household_id,behaviour,timestamp,distance_km,duration_min\n"
        csv = f"{header}{unique},H-0001,metro,2025-03-04T08:00:00,10,20\n"
        return c.post("/api/v1/households/events/csv", files={"file": ("e.csv", csv, "text/csv")}, headers=h)
    if endpoint == "GET /households/aggregates":
        return c.get("/api/v1/households/aggregates", headers=h)
    if endpoint == "GET /households/methodologies":
        return c.get("/api/v1/households/methodologies", headers=h)
    if endpoint == "GET /households/me/footprint":
        return c.get("/api/v1/households/me/footprint", params={"month": "2025-03", "electricity_kwh": 100}, headers=h)
    if endpoint == "POST /households/footprint/aggregates":
        table = "household_id,month,gas_m3\nH1,2025-01,10\n"
        files = {"file": ("h.csv", table, "text/csv")}
        return c.post("/api/v1/households/footprint/aggregates", files=files, headers=h)
    if endpoint == "GET /accounts/enterprise/export":
        return c.get("/api/v1/accounts/enterprise/export", params={"format": "csv"}, headers=h)
    if endpoint.startswith(("POST /accounts/enterprise/allowances/", "GET /accounts/enterprise/allowances/")):
        allowances = "/api/v1/accounts/enterprise/allowances"
        if caller in EXPECTED[endpoint]:  # units to move (and a pool to read) whatever ran before
            given = {"pool": "MATRIX", "to": ENTITY, "amount": 1}
            assert c.post(f"{allowances}/issue", json=given, headers=w.headers("alpha_admin")).status_code == 201
        if endpoint.endswith("/issue"):
            return c.post(f"{allowances}/issue", json={"pool": "MATRIX", "to": ENTITY, "amount": 1}, headers=h)
        if endpoint.endswith("/transfer"):
            body = {"pool": "MATRIX", "source": ENTITY, "to": "MATRIX-PEER", "amount": 1}
            return c.post(f"{allowances}/transfer", json=body, headers=h)
        if endpoint.endswith("/surrender"):
            body = {"pool": "MATRIX", "source": ENTITY, "amount": 1, "period": "2024"}
            return c.post(f"{allowances}/surrender", json=body, headers=h)
        return c.get(f"{allowances}/balance", params={"pool": "MATRIX"}, headers=h)
    if endpoint == "POST /ledger/evidence":
        return c.post("/api/v1/ledger/evidence", files={"file": (f"{unique}.csv", unique, "text/csv")}, headers=h)
    if endpoint == "GET /ledger/evidence/{digest}":
        # The records of the reporter's report (setup): evidence of an entry of the reporter's entity.
        submitted = c.get(
            "/api/v1/ledger/entries", params={"type": "mrv.report.submitted"}, headers=w.headers("alpha_admin")
        ).json()
        return c.get(f"/api/v1/ledger/evidence/{submitted['items'][0]['evidence'][0]}", headers=h)
    if endpoint == "GET /ledger/entries":
        return c.get("/api/v1/ledger/entries", headers=h)
    if endpoint == "GET /ledger/actors":
        return c.get("/api/v1/ledger/actors", headers=h)
    if endpoint == "GET /ledger/export":
        return c.get("/api/v1/ledger/export", headers=h)
    if endpoint == "POST /monitor/meters":
        return c.post("/api/v1/monitor/meters", json={"meters": [METER]}, headers=h)
    if endpoint == "POST /monitor/meters/csv":
        csv = "meter_id,entity,gpc_ref,carrier,unit,interval_s\n" + f"MX,{ENTITY},I.3.2,electricity_grid,kWh,900\n"
        return c.post("/api/v1/monitor/meters/csv", files={"file": ("m.csv", csv, "text/csv")}, headers=h)
    if endpoint == "GET /monitor/meters":
        return c.get("/api/v1/monitor/meters", headers=h)
    if endpoint == "POST /monitor/readings":
        return c.post("/api/v1/monitor/readings", json=[{"meter_id": "MX", "ts": 1654041600, "value": 1}], headers=h)
    if endpoint == "POST /monitor/readings/csv":
        csv = "meter_id,ts,value\nMX,1654042500,1\n"
        return c.post("/api/v1/monitor/readings/csv", files={"file": ("r.csv", csv, "text/csv")}, headers=h)
    if endpoint == "GET /monitor/rollups":
        return c.get("/api/v1/monitor/rollups", params={"start": "2022-06-01T00:00:00Z"}, headers=h)
    if endpoint == "GET /monitor/live":
        return c.get("/api/v1/monitor/live", headers=h)
    if endpoint == "GET /monitor/warnings":
        return c.get("/api/v1/monitor/warnings", headers=h)
    if endpoint == "POST /monitor/warnings/check":
        return c.post("/api/v1/monitor/warnings/check", headers=h)
    if endpoint == "PUT /monitor/quotas":
        return c.put("/api/v1/monitor/quotas", json={"entity": ENTITY, "year": 2026, "quota": 100}, headers=h)
    if endpoint == "POST /monitor/webhooks":
        return c.post("/api/v1/monitor/webhooks", json={"url": f"https://example.org/{unique}"}, headers=h)
    if endpoint == "GET /monitor/webhooks":
        return c.get("/api/v1/monitor/webhooks", headers=h)
    if endpoint == "PATCH /monitor/webhooks/{id}":
        return c.patch(f"/api/v1/monitor/webhooks/{setup['hooks'][caller]}", json={"active": False}, headers=h)
    if endpoint == "DELETE /monitor/webhooks/{id}":
        return c.delete(f"/api/v1/monitor/webhooks/{setup['hooks'][caller]}", headers=h)
    if endpoint == "POST /models/brain/lmdi":
        rows = [{"year": 2020, "A": 10, "B": 2, "V": 20}, {"year": 2021, "A": 12, "B": 2.5, "V": 30}]
        return c.post("/api/v1/models/brain/lmdi", json={"rows": rows, "value": "V", "factors": ["A", "B"]}, headers=h)
    if endpoint == "POST /models/brain/kaya":
        rows = [
            {"year": 2020, "population": 100, "gdp": 1000, "energy": 500, "emissions": 1000},
            {"year": 2021, "population": 110, "gdp": 1210, "energy": 550, "emissions": 1100},
        ]
        return c.post("/api/v1/models/brain/kaya", json={"rows": rows}, headers=h)
    if endpoint == "POST /models/brain/typology":
        return c.post("/api/v1/models/brain/typology", json={"demo": True, "k": 2}, headers=h)
    if endpoint == "POST /models/brain/peak":
        return c.post("/api/v1/models/brain/peak", json=SHORT_HISTORY, headers=h)
    if endpoint == "POST /models/targets/allocate":
        return c.post("/api/v1/models/targets/allocate", json={"demo": "districts"}, headers=h)
    if endpoint == "POST /models/scenario/run":
        return c.post("/api/v1/models/scenario/run", json={"demo": True}, headers=h)
    if endpoint == "POST /models/scenario/report":
        return c.post(
            "/api/v1/models/scenario/report", json={"demo": True, "scenarios": ["BAU"], "format": "xlsx"}, headers=h
        )
    if endpoint == "POST /models/scenario/wedges":
        return c.post("/api/v1/models/scenario/wedges", json={"demo": True}, headers=h)
    if endpoint == "POST /models/energy/storage":
        load = [{"time": f"2024-01-01T{h:02d}:00:00", "load_kw": 100.0} for h in range(24)]
        return c.post("/api/v1/models/energy/storage", json={"load": load}, headers=h)
    if endpoint == "POST /models/energy/optimise":
        return c.post("/api/v1/models/energy/optimise", json={"demo": "days"}, headers=h)
    if endpoint == "POST /models/sinks/landuse":
        rows = [{"year": 2020, "land_class": "forest_land", "area_ha": 1, "stock_tc_per_ha": 1, "zone": "boreal_dry"}]
        return c.post("/api/v1/models/sinks/landuse", json={"rows": rows}, headers=h)
    if endpoint == "POST /models/sinks/trees":
        trees = [{"tree_id": "t1", "district": "A", "dbh_cm": 30, "species": "Ginkgo biloba"}]
        return c.post("/api/v1/models/sinks/trees", json={"rows": trees, "runs": 0}, headers=h)
    if endpoint == "POST /models/sinks/balance":
        body = {"emissions": [{"year": 2024, "district": "A", "tco2e": 10}], "sinks": {}}
        return c.post("/api/v1/models/sinks/balance", json=body, headers=h)
    if endpoint == "POST /models/actions/buildings/benchmark":
        return c.post("/api/v1/models/actions/buildings/benchmark", json={"rows": BUILDINGS}, headers=h)
    if endpoint == "POST /models/actions/buildings/retrofit":
        return c.post("/api/v1/models/actions/buildings/retrofit", json={"rows": BUILDINGS}, headers=h)
    if endpoint == "POST /models/actions/transport/stock":
        return c.post("/api/v1/models/actions/transport/stock", json={"rows": VEHICLES}, headers=h)
    if endpoint == "POST /models/actions/transport/trips":
        rows = [{"mode": "bus", "pkm": 1000, "gco2e_per_pkm": 50}]
        return c.post("/api/v1/models/actions/transport/trips", json={"rows": rows}, headers=h)
    if endpoint == "POST /models/actions/transport/charging":
        return c.post("/api/v1/models/actions/transport/charging", json={"annual_mwh": 10}, headers=h)
    if endpoint == "POST /models/actions/datacentre/assess":
        body = {"datacentre": {"it_load_kw": 100, "pue": 1.4}, "grid_factor": 0.5}
        return c.post("/api/v1/models/actions/datacentre/assess", json=body, headers=h)
    if endpoint == "POST /models/energy/pv":
        return c.post("/api/v1/models/energy/pv", json={"area": 50, "compare": False}, headers=h)
    if endpoint in ("POST /models/macc/build", "POST /models/macc/optimise"):
        measure = {"id": "a", "name": "A", "abatement": 100, "capex": 1000, "lifetime": 1, "start_year": 2026}
        body = {"measures": [measure], "year": 2026}
        if endpoint.endswith("optimise"):
            body["target"] = 50
        return c.post(f"/api/v1{endpoint.split()[1]}", json=body, headers=h)
    if endpoint.startswith("POST /models/io/"):  # a balanced 2-sector table (NBS layout) with emissions
        head = "Code,Sector,a,b,Total Intermediate Use,Household Consumption Expenditure,Total Final Use,Total Output"
        rows = ["1,a,1,1,2,8,8,10", "2,b,1,1,2,8,8,10", ",Total Value Added,8,8", ",Total Input,10,10"]
        table = "\n".join([head, *rows, ",Direct CO2 Emissions (t),5,5", ""])
        files = {"table": ("t.csv", table, "text/csv")}
        if endpoint.endswith("downscale"):
            files["city_employment"] = ("e.csv", "sector,city,province\na,1,2\nb,1,2\n", "text/csv")
        data = {"price": {"carbon_price": "100"}, "cap": {"cap": "5"}}.get(endpoint.rsplit("/", 1)[1], {})
        return c.post(f"/api/v1{endpoint.split()[1]}", files=files, data=data, headers=h)
    if endpoint == "POST /models/macc/from-scenario":
        model = (
            "{name: m, region: CN-JS, base_year: 2024, end_year: 2025,"
            " assumptions: {population: {unit: person, value: 10}},"
            " fuels: {electricity: {unit: MWh, activity: electricity_grid, carrier: true}},"
            " demand: {homes: {gpc: I.1, activity: {driver: population},"
            " intensity: {electricity: {unit: MWh/person, value: 2}}}},"
            " supply: {electricity: {factor: {value: 0.5}}},"
            " measures: {m: {overrides: [{variable: demand.homes.intensity.electricity, from: 2025, value: 1}],"
            " cost: {capex: 1}}},"
            " scenarios: {BAU: {}, policy: {parent: BAU, measures: [m]}}}"
        )
        return c.post("/api/v1/models/macc/from-scenario", json={"model_yaml": model, "end": "policy"}, headers=h)
    if endpoint == "POST /models/energy/pv/city":
        roofs = "roof_id,district,area_m2,usable_fraction,tilt,azimuth,mounting\nr1,A,50,0.6,25,180,bapv\n"
        return c.post("/api/v1/models/energy/pv/city", files={"roofs": ("r.csv", roofs, "text/csv")}, headers=h)
    if endpoint == "POST /models/sinks/vegetation":
        return c.post("/api/v1/models/sinks/vegetation", data={"demo": "true", "years": "2024"}, headers=h)
    if endpoint == "POST /models/actions/buildings/lifecycle":
        spec = {"floor_area_m2": 10, "materials": [{"material": "concrete_c30", "quantity": 1}]}
        return c.post("/api/v1/models/actions/buildings/lifecycle", json={"lifecycle": spec}, headers=h)
    if endpoint == "POST /models/actions/transport/ev":
        scenario = {"years": [2025], "ev_share": [0.5], "grid_factor_t_per_mwh": [0.5], "ev_kwh_per_100km": {"*": 15}}
        return c.post("/api/v1/models/actions/transport/ev", json={"rows": VEHICLES, "scenario": scenario}, headers=h)
    if endpoint == "POST /models/actions/datacentre/scenario":
        path = {"datacentre": {"it_load_kw": 100, "pue": 1.4}, "years": [2024], "pue": [1.3], "green_share": [0]}
        return c.post("/api/v1/models/actions/datacentre/scenario", json={"scenario": path}, headers=h)
    if endpoint == "GET /jobs":
        return c.get("/api/v1/jobs", headers=h)
    if endpoint == "GET /jobs/{id}":
        return c.get(f"/api/v1/jobs/{setup['job']}", headers=h)
    raise AssertionError(f"no call for {endpoint}")


def test_matrix_covers_every_endpoint(shared_world: World) -> None:
    schema = shared_world.client.get("/api/v1/openapi.json").json()
    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}".replace("{user_id}", "{id}")
        .replace("{key_id}", "{id}")
        .replace("{inventory_id}", "{id}")
        .replace("{factor_id}", "{id}")
        .replace("{report}", "{id}")
        .replace("{index}", "{id}")
        .replace("{uscc}", "{id}")
        .replace("{source}", "{id}")
        .replace("{webhook_id}", "{id}")
        .replace("{job_id}", "{id}")
        for path, item in schema["paths"].items()
        for method in item
    }
    assert operations == set(EXPECTED)


@pytest.mark.parametrize("endpoint", list(EXPECTED))
@pytest.mark.parametrize("caller", CALLERS)
def test_authorisation(shared_world: World, setup: dict, endpoint: str, caller: str) -> None:
    response = call(shared_world, endpoint, caller, setup)
    if caller in EXPECTED[endpoint]:
        assert 200 <= response.status_code < 300, f"{caller} {endpoint}: {response.status_code} {response.text}"
    else:
        expected = 401 if caller == "anonymous" else 403
        assert response.status_code == expected, f"{caller} {endpoint}: {response.status_code} {response.text}"
        body = response.json()
        assert set(body) == {"error"} and body["error"]["code"] in {"unauthorized", "forbidden", "no_tenant"}


def test_api_key_acts_with_its_role(shared_world: World) -> None:
    w = shared_world
    assert w.client.get("/api/v1/inventories", headers=w.headers("key:alpha")).status_code == 200  # analyst
    assert w.client.get("/api/v1/users", headers=w.headers("key:alpha")).status_code == 403
