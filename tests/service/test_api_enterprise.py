"""Enterprise accounts over HTTP: registry, graded accounts worked by hand, quota projection, scopes."""

from __future__ import annotations

import pytest
from service_helpers import ENTITY, OTHER_ENTITY, World

# Two manufacturers (GB/T 4754 class C3011), grid electricity only (GPC I.3.2, scope 2), 2022.
RECORDS = (
    "activity,amount,unit,year,gpc_ref,region,entity\n"
    f"electricity_grid,1000000,kWh,2022,I.3.2,CN,{ENTITY}\n"
    f"electricity_grid,3000000,kWh,2022,I.3.2,CN,{OTHER_ENTITY}\n"
)
REGISTRY = (
    "uscc,name,industry_code,district,land_area_mu,output_value_10k_yuan,employees\n"
    f"{ENTITY},Alpha Steel,C3011,320102,10,1000,100\n"
    f"{OTHER_ENTITY},Beta Cement,C3011,320102,30,1000,200\n"
)
#: 1,000,000 kWh x 0.5366 kg CO2/kWh (MEE & NBS 2022 national grid factor) = 536.6 t; 3x for the other.
SCOPE2_A, SCOPE2_B = 536.6, 1609.8
REL = 1e-6


def _setup(w: World) -> int:
    made = w.client.post(
        "/api/v1/inventories",
        files={"file": ("r.csv", RECORDS, "text/csv")},
        data={"name": "enterprises 2022"},
        headers=w.headers("alpha_admin"),
    )
    assert made.status_code == 201, made.text
    put = w.client.put(
        "/api/v1/accounts/enterprise/registry",
        files={"file": ("registry.csv", REGISTRY, "text/csv")},
        data={"inventory_id": str(made.json()["id"])},
        headers=w.headers("alpha_admin"),
    )
    assert put.status_code == 200, put.text
    assert put.json()["rows"] == 2
    return int(made.json()["id"])


def test_accounts_and_grades_by_hand(world: World) -> None:
    _setup(world)
    response = world.client.get("/api/v1/accounts/enterprise/accounts", headers=world.headers("alpha_analyst"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["year"] == 2022 and body["total"] == 2
    rows = {r["uscc"]: r for r in body["items"]}
    a, b = rows[ENTITY], rows[OTHER_ENTITY]
    assert a["scope2_tco2e"] == pytest.approx(SCOPE2_A, rel=REL)
    assert b["scope2_tco2e"] == pytest.approx(SCOPE2_B, rel=REL)
    # Energy, calorific convention: 1,000,000 kWh x 0.1229 kgce/kWh (GB/T 2589-2020) = 122.9 tce.
    assert a["energy_tce"] == pytest.approx(122.9, rel=REL)
    # Intensity per 10^4 yuan: 536.6 / 1000 = 0.5366; 1609.8 / 1000 = 1.6098.
    assert a["intensity_tco2e_per_10k_yuan"] == pytest.approx(0.5366, rel=REL)
    # Two peers only (< 5 in class and division): the section C is the peer group; output-weighted
    # average (536.6 + 1609.8) / 2000 = 1.0732; ratios 0.5 and 1.5.
    assert a["industry_intensity"] == pytest.approx(1.0732, rel=REL)
    assert a["ratio"] == pytest.approx(0.5, rel=REL) and b["ratio"] == pytest.approx(1.5, rel=REL)
    # Thresholds 0.5, 0.8, 1.2, 2.0: a ratio equal to a bound takes the better grade -> 1; 1.5 -> 4.
    assert (a["grade"], b["grade"]) == (1, 4)
    assert (a["percentile"], b["percentile"]) == (pytest.approx(50.0), pytest.approx(100.0))
    # Per employee: 536.6 / 100 = 5.366 t; per mu: 536.6 / 10 = 53.66 t.
    assert a["tco2e_per_employee"] == pytest.approx(5.366, rel=REL)
    assert a["tco2e_per_mu"] == pytest.approx(53.66, rel=REL)
    graded_4 = world.client.get(
        "/api/v1/accounts/enterprise/accounts", params={"grade": 4}, headers=world.headers("alpha_admin")
    ).json()
    assert [r["uscc"] for r in graded_4["items"]] == [OTHER_ENTITY]
    one = world.client.get(f"/api/v1/accounts/enterprise/accounts/{OTHER_ENTITY}", headers=world.headers("alpha_admin"))
    assert one.json()["grade"] == 4


def test_reporter_sees_its_own_entity_only(world: World) -> None:
    _setup(world)
    h = world.headers("alpha_reporter")
    mine = world.client.get("/api/v1/accounts/enterprise/accounts", headers=h).json()
    # Graded against its peers, but only its own row comes back.
    assert [r["uscc"] for r in mine["items"]] == [ENTITY] and mine["items"][0]["grade"] == 1
    assert world.client.get(f"/api/v1/accounts/enterprise/accounts/{OTHER_ENTITY}", headers=h).status_code == 404
    assert world.client.get(f"/api/v1/accounts/enterprise/accounts/{ENTITY}", headers=h).status_code == 200
    registry = world.client.get("/api/v1/accounts/enterprise/registry", headers=h).json()
    assert [r["uscc"] for r in registry["items"]] == [ENTITY] and registry["total"] == 1
    assert (
        world.client.get("/api/v1/accounts/enterprise/registry", headers=world.headers("alpha_admin")).json()["total"]
        == 2
    )


def test_bad_registry_is_refused_cell_by_cell(world: World) -> None:
    inventory = _setup(world)
    bad = REGISTRY.replace("C3011,320102,30", "C30X1,320102,30").replace(ENTITY, ENTITY[:-1] + "0")
    response = world.client.put(
        "/api/v1/accounts/enterprise/registry",
        files={"file": ("registry.csv", bad, "text/csv")},
        data={"inventory_id": str(inventory)},
        headers=world.headers("alpha_admin"),
    )
    assert response.status_code == 422
    cells = {(d["row"], d["column"]) for d in response.json()["error"]["details"]}
    assert cells == {(1, "uscc"), (2, "industry_code")}
    assert "registry.csv" in response.json()["error"]["message"]
    # The registry in use is unchanged.
    listed = world.client.get("/api/v1/accounts/enterprise/registry", headers=world.headers("alpha_admin")).json()
    assert listed["registry"]["id"] == 1


def test_no_registry_yet_is_404(world: World) -> None:
    response = world.client.get("/api/v1/accounts/enterprise/accounts", headers=world.headers("alpha_admin"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "no_registry"


def test_quota_projection_linear_by_hand(world: World) -> None:
    # Quota 1200 tce for 2024; use 100 tce in each of January-June. Linear run rate: C = 600 at the end
    # of June, elapsed share f = 182/366 (2024 is a leap year), P = 600 / (182/366) = 1206.59 tce:
    # the 100 % threshold is projected to be crossed; 80 % (960) not yet reached.
    usage = [{"entity": ENTITY, "time": f"2024-{m:02d}", "amount": 100} for m in range(1, 7)]
    body = {"quotas": [{"entity": ENTITY, "quota": 1200, "year": 2024}], "usage": usage}
    response = world.client.post(
        "/api/v1/accounts/enterprise/quotas/projection", json=body, headers=world.headers("alpha_reporter")
    )
    assert response.status_code == 200, response.text
    (row,) = response.json()
    assert row["consumed"] == pytest.approx(600.0)
    assert row["method"] == "linear"
    assert row["projected"] == pytest.approx(600 / (182 / 366), rel=REL)
    assert row["status"] == "projected 100%"
    quiet = {**body, "quotas": [{"entity": ENTITY, "quota": 5000, "year": 2024}], "warnings_only": True}
    assert (
        world.client.post(
            "/api/v1/accounts/enterprise/quotas/projection", json=quiet, headers=world.headers("alpha_admin")
        ).json()
        == []
    )
    # A reporter may not project another entity's quota.
    other = {**body, "quotas": [{"entity": OTHER_ENTITY, "quota": 1200}]}
    refused = world.client.post(
        "/api/v1/accounts/enterprise/quotas/projection", json=other, headers=world.headers("alpha_reporter")
    )
    assert refused.status_code == 403 and "quotas[0]" in refused.json()["error"]["message"]
    invalid = {**body, "thresholds": [0]}
    bad = world.client.post(
        "/api/v1/accounts/enterprise/quotas/projection", json=invalid, headers=world.headers("alpha_admin")
    )
    assert bad.status_code == 422 and "thresholds" in bad.json()["error"]["message"]


def test_account_report_pdf_and_xlsx(world: World, tmp_path) -> None:
    """The enterprise report shows the hand-worked numbers above; a reporter gets only its own."""
    from openpyxl import load_workbook

    _setup(world)
    url = f"/api/v1/accounts/enterprise/accounts/{ENTITY}/report"
    xlsx = world.client.get(url, params={"format": "xlsx"}, headers=world.headers("alpha_analyst"))
    assert xlsx.status_code == 200, xlsx.text
    assert f'filename="{ENTITY}-2022-account-en.xlsx"' in xlsx.headers["content-disposition"]
    (tmp_path / "a.xlsx").write_bytes(xlsx.content)
    cells = [
        c for ws in load_workbook(tmp_path / "a.xlsx").worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    assert "Alpha Steel" in " ".join(str(c) for c in cells if c is not None)
    assert any(isinstance(c, float) and c == pytest.approx(SCOPE2_A, rel=REL) for c in cells)
    assert any(isinstance(c, float) and c == pytest.approx(0.5366, rel=REL) for c in cells)  # t per 10^4 yuan
    pdf = world.client.get(url, params={"lang": "zh"}, headers=world.headers("alpha_reporter"))
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    other = f"/api/v1/accounts/enterprise/accounts/{OTHER_ENTITY}/report"
    assert world.client.get(other, headers=world.headers("alpha_reporter")).status_code == 404
    assert world.client.get(url, params={"format": "doc"}, headers=world.headers("alpha_analyst")).status_code == 422
