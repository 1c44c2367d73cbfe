"""The key flows on PostgreSQL: platform tables in one schema, each tenant in its own schema."""

from __future__ import annotations

import pytest
from service_helpers import PASSWORD, World, build_world
from sqlalchemy import inspect, text

pytestmark = pytest.mark.postgres

RECORDS = "activity,amount,unit,year,gpc_ref,region\nelectricity_grid,1000,kWh,2022,I.1.2,CN\n"


@pytest.fixture
def pg_world(postgres_settings):
    world = build_world(postgres_settings)
    yield world
    world.client.__exit__(None, None, None)


def test_tenants_are_schemas(pg_world: World) -> None:
    prefix = pg_world.settings.tenant_schema_prefix
    with pg_world.registry.platform_engine().connect() as connection:
        schemas = set(
            connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": f"{prefix}%"}
            ).scalars()
        )
    assert schemas == {f"{prefix}alpha", f"{prefix}beta"}
    alpha = pg_world.registry.engine("alpha")
    assert "inventories" in inspect(alpha).get_table_names()
    with alpha.connect() as connection:
        assert connection.execute(text("SELECT current_schema()")).scalar() == f"{prefix}alpha"


def test_key_flows(pg_world: World) -> None:
    c = pg_world.client
    # import with the hand-checked number: 1,000 kWh x 0.5366 kg CO2/kWh = 0.5366 t CO2e
    made = c.post(
        "/api/v1/inventories",
        files={"file": ("r.csv", RECORDS, "text/csv")},
        data={"name": "beta city"},
        headers=pg_world.headers("beta_admin"),
    )
    assert made.status_code == 201, made.text
    assert made.json()["total_tco2e"] == pytest.approx(0.5366, rel=1e-9)
    inventory = made.json()["id"]
    # alpha cannot reach beta's inventory, and lists nothing
    alpha = pg_world.headers("alpha_admin")
    assert c.get(f"/api/v1/inventories/{inventory}", headers=alpha).status_code == 404
    assert c.get("/api/v1/inventories", headers=alpha).json()["total"] == 0
    assert c.get(f"/api/v1/inventories/{inventory}", headers=pg_world.headers("beta_admin")).status_code == 200
    # bad rows: 422 naming row and column, nothing stored
    bad = c.post(
        "/api/v1/inventories",
        files={"file": ("r.csv", RECORDS.replace("1000", "much"), "text/csv")},
        data={"name": "bad"},
        headers=pg_world.headers("beta_admin"),
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["column"] == "amount"
    assert c.get("/api/v1/inventories", headers=pg_world.headers("beta_admin")).json()["total"] == 1
    # refresh rotation
    first = pg_world.login("alpha_analyst")["refresh_token"]
    assert c.post("/api/v1/auth/refresh", json={"refresh_token": first}).status_code == 200
    assert c.post("/api/v1/auth/refresh", json={"refresh_token": first}).status_code == 401
    # rate limit
    form = {"username": "alpha_verifier", "password": "wrong password"}
    assert [c.post("/api/v1/auth/token", data=form).status_code for _ in range(6)] == [401] * 5 + [429]
    assert c.post("/api/v1/auth/token", data={"username": "alpha_verifier", "password": PASSWORD}).status_code == 429
    # audit rows of beta only for beta's administrator
    rows = c.get("/api/v1/audit", headers=pg_world.headers("beta_admin")).json()["items"]
    assert {r["tenant"] for r in rows} == {"beta"}
    assert any(r["action"] == "inventory.import" and r["outcome"] == "success" for r in rows)
    # publication reaches the public endpoint
    assert c.post(f"/api/v1/inventories/{inventory}/publish", headers=pg_world.headers("beta_admin")).is_success
    public = c.get("/api/v1/public/beta/inventories").json()
    assert public["total"] == 1 and public["items"][0]["total_tco2e"] == pytest.approx(0.5366, rel=1e-9)
