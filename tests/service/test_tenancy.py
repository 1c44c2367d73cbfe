"""Tenants are separate databases; every endpoint refuses ids of another tenant and leaks nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from service_helpers import ENTITY, World
from sqlalchemy import func, select

from zerocity.service.tenancy import InvalidSlugError, TenantNotFoundError, tenant_engine
from zerocity.store.db import session_scope
from zerocity.store.models import HouseholdEvent, Inventory

RECORDS = "activity,amount,unit,year,gpc_ref,region\nelectricity_grid,{amount},kWh,2022,I.1.2,CN\n"


def _import(world: World, who: str, name: str, amount: int = 1000) -> int:
    response = world.client.post(
        "/api/v1/inventories",
        files={"file": ("r.csv", RECORDS.format(amount=amount), "text/csv")},
        data={"name": name},
        headers=world.headers(who),
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def populated(world: World) -> dict:
    """beta holds inventories 1 and 2 (ids alpha does not have), alpha holds 1; beta has a user and a key."""
    beta_1 = _import(world, "beta_admin", "beta secret one", 2000)
    beta_2 = _import(world, "beta_admin", "beta secret two", 3000)
    alpha_1 = _import(world, "alpha_admin", "alpha own", 1000)
    assert world.client.post(f"/api/v1/inventories/{beta_2}/publish", headers=world.headers("beta_admin")).is_success
    return {"beta_inventory": beta_2, "beta_first": beta_1, "alpha_inventory": alpha_1}


def test_tenant_databases_are_separate_files(world: World, populated: dict) -> None:
    folder = Path(world.settings.data_dir) / "tenants"
    assert sorted(p.name for p in folder.glob("*.sqlite")) == ["alpha.sqlite", "beta.sqlite"]
    with session_scope(world.registry.engine("beta")) as session:
        assert sorted(session.scalars(select(Inventory.name))) == ["beta secret one", "beta secret two"]
    with session_scope(world.registry.engine("alpha")) as session:
        assert list(session.scalars(select(Inventory.name))) == ["alpha own"]


def test_cross_tenant_ids_through_every_endpoint(world: World, populated: dict) -> None:
    c = world.client
    beta_inventory = populated["beta_inventory"]  # id 2: alpha has no inventory 2
    beta_user = world.users["beta_analyst"]
    beta_key = world.keys["beta"][0]
    for who in ("alpha_admin", "alpha_analyst", "alpha_verifier", "key:alpha"):
        h = world.headers(who)
        for response in (
            c.get(f"/api/v1/inventories/{beta_inventory}", headers=h),
            c.get(f"/api/v1/inventories/{beta_inventory}/export", params={"format": "json"}, headers=h),
            c.get(f"/api/v1/inventories/{beta_inventory}/export", params={"format": "csv"}, headers=h),
        ):
            assert response.status_code == 404, (who, response.text)
            assert "beta secret" not in response.text
        listed = c.get("/api/v1/inventories", headers=h).json()
        assert [i["name"] for i in listed["items"]] == ["alpha own"] and listed["total"] == 1
    h = world.headers("alpha_admin")
    assert c.post(f"/api/v1/inventories/{beta_inventory}/publish", headers=h).status_code == 404
    # Inventory 1 exists in both: alpha reads its own, never beta's.
    own = c.get("/api/v1/inventories/1", headers=h).json()
    assert own["name"] == "alpha own" and own["total_tco2e"] == pytest.approx(0.5366)
    # Users and keys of beta: not found for alpha's administrator, and not listed.
    response = c.patch(f"/api/v1/users/{beta_user}", json={"disabled": True}, headers=h)
    assert response.status_code == 404 and "beta" not in response.text
    assert c.delete(f"/api/v1/api-keys/{beta_key}", headers=h).status_code == 404
    users = c.get("/api/v1/users", params={"limit": 1000}, headers=h).json()["items"]
    assert {u["tenant"] for u in users} == {"alpha"}
    keys = c.get("/api/v1/api-keys", headers=h).json()["items"]
    assert {k["tenant"] for k in keys} == {"alpha"}
    # Creating in another tenant is refused.
    body = {"username": "intruder", "password": "a long password", "role": "analyst", "tenant": "beta"}
    assert c.post("/api/v1/users", json=body, headers=h).status_code == 403
    assert (
        c.post("/api/v1/api-keys", json={"name": "x", "role": "analyst", "tenant": "beta"}, headers=h).status_code
        == 403
    )
    # The audit log of alpha holds alpha's rows only.
    audit = c.get("/api/v1/audit", params={"limit": 1000}, headers=h).json()["items"]
    assert audit and {row["tenant"] for row in audit} == {"alpha"}
    # beta's user and key still work: nothing was changed by the attempts.
    assert c.get("/api/v1/auth/me", headers=world.headers("beta_analyst")).status_code == 200
    assert c.get("/api/v1/auth/me", headers=world.headers("key:beta")).status_code == 200


def test_public_endpoint_shows_only_the_named_tenants_published_totals(world: World, populated: dict) -> None:
    beta = world.client.get("/api/v1/public/beta/inventories").json()
    assert [i["name"] for i in beta["items"]] == ["beta secret two"]
    # 3,000 kWh x 0.5366 kg CO2/kWh (MEE & NBS 2022 national factor) = 1,609.8 kg = 1.6098 t
    assert beta["items"][0]["total_tco2e"] == pytest.approx(1.6098)
    assert "records" not in beta["items"][0] and "by_entity" not in beta["items"][0]
    assert world.client.get("/api/v1/public/alpha/inventories").json()["total"] == 0  # nothing published
    assert world.client.get("/api/v1/public/nowhere/inventories").status_code == 404
    assert not (Path(world.settings.data_dir) / "tenants" / "nowhere.sqlite").exists()


def test_platform_admin_reads_no_tenant_data(world: World, populated: dict) -> None:
    response = world.client.get("/api/v1/inventories", headers=world.headers("root"))
    assert response.status_code == 403


def test_enterprise_reporter_sees_own_entity_only(world: World, populated: dict) -> None:
    records = f"activity,amount,unit,year,gpc_ref,region,entity\nelectricity_grid,1000,kWh,2022,I.1.2,CN,{ENTITY}\n"
    made = world.client.post(
        "/api/v1/inventories",
        files={"file": ("r.csv", records, "text/csv")},
        data={"name": "my plant"},
        headers=world.headers("alpha_reporter"),
    )
    assert made.status_code == 201 and made.json()["entity_id"] == ENTITY
    listed = world.client.get("/api/v1/inventories", headers=world.headers("alpha_reporter")).json()
    assert [i["name"] for i in listed["items"]] == ["my plant"]
    city = populated["alpha_inventory"]
    assert world.client.get(f"/api/v1/inventories/{city}", headers=world.headers("alpha_reporter")).status_code == 404
    # Rows of another entity are refused, naming the row and column; nothing stored.
    other = records.replace(ENTITY, "91320100MA1ZZZZZZ3")
    refused = world.client.post(
        "/api/v1/inventories",
        files={"file": ("r.csv", other, "text/csv")},
        data={"name": "not mine"},
        headers=world.headers("alpha_reporter"),
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["row"] == 1
    assert refused.json()["error"]["details"][0]["column"] == "entity"
    names = [
        i["name"] for i in world.client.get("/api/v1/inventories", headers=world.headers("alpha_admin")).json()["items"]
    ]
    assert "not mine" not in names


def test_tenant_engine_for_other_processes(world: World) -> None:
    engine = tenant_engine("alpha", world.settings)
    assert engine.url.database.endswith("tenants/alpha.sqlite")
    with pytest.raises(TenantNotFoundError):
        tenant_engine("gamma", world.settings)
    assert not (Path(world.settings.data_dir) / "tenants" / "gamma.sqlite").exists()
    with pytest.raises(InvalidSlugError):
        tenant_engine("../etc", world.settings)


def test_cross_tenant_mrv_and_ledger(world: World, populated: dict) -> None:
    """beta's city report and ledger entries are invisible to alpha through every MRV and ledger endpoint."""
    c = world.client
    made = c.post(
        "/api/v1/mrv/reports",
        json={"inventory_id": populated["beta_inventory"], "period": "2024", "note": "beta secret note"},
        headers=world.headers("beta_admin"),
    )
    assert made.status_code == 201, made.text
    beta_report, beta_entry = made.json()["report"], made.json()["entry"]
    assert beta_report == "report:beta:city:2024" and beta_entry == 2
    for who in ("alpha_admin", "alpha_analyst", "alpha_verifier"):
        h = world.headers(who)
        for response in (
            c.get(f"/api/v1/mrv/reports/{beta_report}", headers=h),
            c.get(f"/api/v1/mrv/reports/{beta_report}/history", headers=h),
            c.get(f"/api/v1/ledger/entries/{beta_entry}/proof", headers=h),
        ):
            assert response.status_code == 404, (who, response.text)
            assert "beta secret" not in response.text
        assert c.get("/api/v1/mrv/reports", headers=h).json()["total"] == 0
        assert c.get("/api/v1/ledger/head", headers=h).json()["size"] == 0
        assert c.get("/api/v1/ledger/consistency", params={"old_size": 1}, headers=h).status_code == 404
    decided = c.post(
        f"/api/v1/mrv/reports/{beta_report}/decision", json={"verified": True}, headers=world.headers("alpha_verifier")
    )
    assert decided.status_code == 404 and "beta secret" not in decided.text
    # The same report id shape in alpha's own namespace does not reach beta's ledger either.
    assert c.get("/api/v1/mrv/reports/report:alpha:city:2024", headers=world.headers("alpha_admin")).status_code == 404
    # alpha's administrator cannot submit beta's inventory id (alpha's inventory 2 does not exist).
    refused = c.post(
        "/api/v1/mrv/reports",
        json={"inventory_id": populated["beta_inventory"], "period": "2024"},
        headers=world.headers("alpha_admin"),
    )
    assert refused.status_code == 404
    # beta's report is untouched: still awaiting a decision, one version.
    status = c.get(f"/api/v1/mrv/reports/{beta_report}", headers=world.headers("beta_analyst")).json()
    assert status["state"] == "reported" and len(status["versions"]) == 1


def test_cross_tenant_accounts_and_households(world: World, populated: dict) -> None:
    """beta's registry, accounts and household rows are invisible to alpha's callers."""
    from service_helpers import OTHER_ENTITY

    from zerocity.accounts.privacy import record_consent
    from zerocity.service.households import pseudonym_key

    c = world.client
    records = (
        f"activity,amount,unit,year,gpc_ref,region,entity\nelectricity_grid,1000,kWh,2022,I.3.2,CN,{OTHER_ENTITY}\n"
    )
    made = c.post(
        "/api/v1/inventories",
        files={"file": ("r.csv", records, "text/csv")},
        data={"name": "beta secret accounts"},
        headers=world.headers("beta_admin"),
    )
    assert made.status_code == 201
    registry = (
        "uscc,name,industry_code,district,land_area_mu,output_value_10k_yuan,employees\n"
        f"{OTHER_ENTITY},Beta Secret Works,C3011,320102,10,1000,100\n"
    )
    assert c.put(
        "/api/v1/accounts/enterprise/registry",
        files={"file": ("registry.csv", registry, "text/csv")},
        data={"inventory_id": str(made.json()["id"])},
        headers=world.headers("beta_admin"),
    ).is_success
    # alpha's administrator cannot point its registry at beta's inventory id (alpha has no inventory 3).
    refused = c.put(
        "/api/v1/accounts/enterprise/registry",
        files={"file": ("registry.csv", registry, "text/csv")},
        data={"inventory_id": str(made.json()["id"])},
        headers=world.headers("alpha_admin"),
    )
    assert refused.status_code == 404
    for who in ("alpha_admin", "alpha_analyst"):
        h = world.headers(who)
        for response in (
            c.get(f"/api/v1/accounts/enterprise/accounts/{OTHER_ENTITY}", headers=h),
            c.get("/api/v1/accounts/enterprise/accounts", headers=h),
            c.get("/api/v1/accounts/enterprise/registry", headers=h),
        ):
            assert response.status_code == 404, (who, response.text)
            assert "Beta Secret" not in response.text
    # Household H-0001 has events in beta only: alpha's H-0001 sees none, alpha's staff count none.
    with session_scope(world.registry.engine("beta")) as session:
        record_consent(session, "H-0001", "transport_card", granted_at="2025-01-01", key=pseudonym_key(world.settings))
    ride = {
        "event_id": "beta-ride",
        "household_id": "H-0001",
        "behaviour": "metro",
        "timestamp": "2025-03-03T08:00:00",
        "distance_km": 10,
        "duration_min": 20,
    }
    stored = c.post("/api/v1/households/events", json={"events": [ride]}, headers=world.headers("beta_admin"))
    assert stored.json()["stored"] == 1
    mine = c.get("/api/v1/households/me", headers=world.headers("alpha_household")).json()
    assert mine["events"] == [] and mine["consents"] == []
    assert c.get("/api/v1/households/me/points", headers=world.headers("alpha_household")).json()["earned"] == 0
    assert (
        c.get("/api/v1/households/aggregates", params={"by": "behaviour"}, headers=world.headers("alpha_admin")).json()
        == []
    )
    # alpha's household deleting its data leaves beta's rows alone.
    c.delete("/api/v1/households/me", params={"confirm": True}, headers=world.headers("alpha_household"))
    with session_scope(world.registry.engine("beta")) as session:
        assert session.scalar(select(func.count()).select_from(HouseholdEvent)) == 1


def test_cross_tenant_monitor(world: World, populated: dict) -> None:
    """beta's meters, readings and webhooks cannot be reached or written from alpha."""
    c = world.client
    meter = {
        "meter_id": "BETA-SECRET-1",
        "entity": "91320100MA1WWWWW55",
        "gpc_ref": "I.3.2",
        "carrier": "electricity_grid",
        "unit": "kWh",
        "interval_s": 900,
    }
    assert c.post("/api/v1/monitor/meters", json={"meters": [meter]}, headers=world.headers("beta_admin")).is_success
    reading = [{"meter_id": "BETA-SECRET-1", "ts": 1654041600, "value": 100}]
    assert c.post("/api/v1/monitor/readings", json=reading, headers=world.headers("beta_admin")).json()["stored"] == 1
    hook = c.post(
        "/api/v1/monitor/webhooks", json={"url": "https://beta.example.org/secret"}, headers=world.headers("beta_admin")
    ).json()["id"]
    h = world.headers("alpha_admin")
    # Posting readings of beta's meter through alpha: unknown meter in alpha (422), nothing stored in beta.
    refused = c.post("/api/v1/monitor/readings", json=reading, headers=world.headers("key:alpha"))
    assert refused.status_code == 422
    assert c.patch(f"/api/v1/monitor/webhooks/{hook}", json={"active": False}, headers=h).status_code == 404
    assert c.delete(f"/api/v1/monitor/webhooks/{hook}", headers=h).status_code == 404
    for response in (
        c.get("/api/v1/monitor/meters", headers=h),
        c.get("/api/v1/monitor/webhooks", headers=h),
        c.get("/api/v1/monitor/rollups", params={"start": "2022-06-01T00:00:00Z"}, headers=h),
        c.get("/api/v1/monitor/live", headers=h),
        c.get("/api/v1/monitor/warnings", headers=h),
    ):
        assert (
            response.status_code == 200 and "BETA-SECRET" not in response.text and "beta.example" not in response.text
        )
    assert c.get("/api/v1/monitor/meters", headers=h).json()["total"] == 0
    beta_hooks = c.get("/api/v1/monitor/webhooks", headers=world.headers("beta_admin")).json()
    assert [x["active"] for x in beta_hooks] == [True]
    rollup = c.get(
        "/api/v1/monitor/rollups", params={"start": "2022-06-01T00:00:00Z"}, headers=world.headers("beta_analyst")
    ).json()
    assert rollup["items"][0]["readings"] == 1  # beta's reading only, once


def test_cross_tenant_jobs(world: World, populated: dict) -> None:
    """A job of beta is not found through alpha, and alpha's job list is its own."""
    short = {"rows": [{"year": 2020, "emissions": 100}, {"year": 2021, "emissions": 110}], "runs": 10}
    beta_job = world.client.post("/api/v1/models/brain/peak", json=short, headers=world.headers("beta_analyst"))
    assert beta_job.status_code == 202
    job_id = beta_job.json()["id"]  # 1: alpha has no job 1
    for who in ("alpha_admin", "alpha_analyst"):
        response = world.client.get(f"/api/v1/jobs/{job_id}", headers=world.headers(who))
        assert response.status_code == 404
        assert world.client.get("/api/v1/jobs", headers=world.headers(who)).json()["total"] == 0
    assert world.client.get(f"/api/v1/jobs/{job_id}", headers=world.headers("beta_admin")).status_code == 200
