"""Allowances, the finance export, household methodologies and footprints, ledger files over HTTP.

Numbers are worked out by hand in the comments (decimal allowance arithmetic; published factors
of :data:`zerocity.accounts.household.FOOTPRINT_DEFAULTS`; the MEE & NBS 2022 grid factor).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from service_helpers import ENTITY, OTHER_ENTITY, PASSWORD, World

from zerocity.ledger.signing import load_public_key
from zerocity.ledger.verify import load_export, verify_snapshot

API = "/api/v1"
POOL = "CEA-2024"
REL = 1e-9

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


def _post(w: World, who: str, path: str, **kwargs):
    return w.client.post(f"{API}{path}", headers=w.headers(who), **kwargs)


def _get(w: World, who: str, path: str, **kwargs):
    return w.client.get(f"{API}{path}", headers=w.headers(who), **kwargs)


def _ledger_size(w: World) -> int:
    return int(_get(w, "alpha_admin", "/ledger/head").json()["size"])


# ------------------------------------------------------------------------------ allowances
def test_allowances_issue_transfer_surrender_balance(world: World) -> None:
    w = world
    issued = _post(
        w, "alpha_admin", "/accounts/enterprise/allowances/issue", json={"pool": POOL, "to": ENTITY, "amount": "100"}
    )
    assert issued.status_code == 201, issued.text
    body = issued.json()
    # The CLI's entry: type, the caller as actor, subject allowance:<tenant>:<pool>, payload pool/amount/to.
    assert (body["type"], body["actor"]) == ("allowance.issued", "user:alpha_admin")
    assert body["payload"] == {"pool": POOL, "amount": "100", "to": ENTITY}
    assert body["balances"] == {ENTITY: "100"}

    moved = _post(
        w,
        "alpha_reporter",
        "/accounts/enterprise/allowances/transfer",
        json={"pool": POOL, "source": ENTITY, "to": OTHER_ENTITY, "amount": "30.5"},
    )
    assert moved.status_code == 201, moved.text
    # 100 - 30.5 = 69.5 stay; 30.5 arrive.
    assert moved.json()["balances"] == {ENTITY: "69.5", OTHER_ENTITY: "30.5"}
    assert moved.json()["payload"] == {"pool": POOL, "amount": "30.5", "from": ENTITY, "to": OTHER_ENTITY}

    # A reporter moves its own entity's units only.
    foreign = {"pool": POOL, "source": OTHER_ENTITY, "to": ENTITY, "amount": "1"}
    refused = _post(w, "alpha_reporter", "/accounts/enterprise/allowances/transfer", json=foreign)
    assert refused.status_code == 403 and OTHER_ENTITY in refused.json()["error"]["message"]

    # More than the balance (69.5): 409, and nothing is appended.
    size = _ledger_size(w)
    short = {"pool": POOL, "source": ENTITY, "amount": "70", "period": "2024"}
    too_much = _post(w, "alpha_reporter", "/accounts/enterprise/allowances/surrender", json=short)
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "insufficient_allowance"
    assert "69.5" in too_much.json()["error"]["message"]
    assert _ledger_size(w) == size

    done = _post(w, "alpha_reporter", "/accounts/enterprise/allowances/surrender", json={**short, "amount": "19.5"})
    assert done.status_code == 201, done.text
    assert done.json()["payload"]["period"] == "2024"
    # 69.5 - 19.5 = 50 left; 19.5 in the surrendered pseudo-account.
    assert done.json()["balances"] == {ENTITY: "50", "surrendered": "19.5"}

    everyone = _get(w, "alpha_analyst", "/accounts/enterprise/allowances/balance", params={"pool": POOL}).json()
    rows = {r["account"]: r["balance"] for r in everyone["balances"]}
    assert rows == {ENTITY: "50", OTHER_ENTITY: "30.5", "surrendered": "19.5"}  # sums to the 100 issued
    mine = _get(w, "alpha_reporter", "/accounts/enterprise/allowances/balance", params={"pool": POOL}).json()
    assert mine["balances"] == [{"account": ENTITY, "balance": "50"}]
    other = _get(
        w, "alpha_reporter", "/accounts/enterprise/allowances/balance", params={"pool": POOL, "account": OTHER_ENTITY}
    )
    assert other.status_code == 404

    entries = _get(w, "alpha_analyst", "/ledger/entries", params={"type": "allowance."}).json()
    assert [(e["type"], e["actor"], e["subject"]) for e in entries["items"]] == [
        ("allowance.issued", "user:alpha_admin", f"allowance:alpha:{POOL}"),
        ("allowance.transferred", "user:alpha_reporter", f"allowance:alpha:{POOL}"),
        ("allowance.surrendered", "user:alpha_reporter", f"allowance:alpha:{POOL}"),
    ]


def test_allowance_refusals(world: World) -> None:
    w = world
    path = "/accounts/enterprise/allowances"
    assert _post(w, "alpha_admin", f"{path}/issue", json={"pool": POOL, "to": ENTITY, "amount": 10}).status_code == 201
    # Only the city issues.
    assert (
        _post(w, "alpha_reporter", f"{path}/issue", json={"pool": POOL, "to": ENTITY, "amount": 1}).status_code == 403
    )
    # More than 6 decimals, zero, the same account twice, the surrendered pseudo-account: 422 naming the field.
    seven = _post(w, "alpha_admin", f"{path}/issue", json={"pool": POOL, "to": ENTITY, "amount": "1.0000001"})
    assert seven.status_code == 422 and "amount" in seven.json()["error"]["message"]
    zero = _post(w, "alpha_admin", f"{path}/issue", json={"pool": POOL, "to": ENTITY, "amount": 0})
    assert zero.status_code == 422 and "amount" in zero.json()["error"]["message"]
    same = _post(w, "alpha_admin", f"{path}/transfer", json={"pool": POOL, "source": ENTITY, "to": ENTITY, "amount": 1})
    assert same.status_code == 422 and "two different accounts" in same.json()["error"]["message"]
    pseudo = {"pool": POOL, "source": "surrendered", "to": ENTITY, "amount": 1}
    assert _post(w, "alpha_admin", f"{path}/transfer", json=pseudo).status_code == 422
    bad_period = {"pool": POOL, "source": ENTITY, "amount": 1, "period": "24"}
    assert _post(w, "alpha_admin", f"{path}/surrender", json=bad_period).status_code == 422
    # Verifiers and households read no accounts.
    assert _get(w, "alpha_verifier", f"{path}/balance", params={"pool": POOL}).status_code == 403
    assert _get(w, "alpha_admin", f"{path}/balance", params={"pool": "NO-SUCH"}).status_code == 404


def test_allowance_pools_of_another_tenant_are_not_found(world: World) -> None:
    w = world
    path = "/accounts/enterprise/allowances"
    made = _post(w, "beta_admin", f"{path}/issue", json={"pool": "BETA-2024", "to": ENTITY, "amount": 5})
    assert made.status_code == 201, made.text
    assert _get(w, "beta_admin", f"{path}/balance", params={"pool": "BETA-2024"}).status_code == 200
    for who in ("alpha_admin", "alpha_analyst", "alpha_reporter"):
        response = _get(w, who, f"{path}/balance", params={"pool": "BETA-2024", "account": ENTITY})
        assert response.status_code == 404, who
    # Beta's units cannot be spent in alpha either.
    spend = {"pool": "BETA-2024", "source": ENTITY, "to": OTHER_ENTITY, "amount": 1}
    assert _post(w, "alpha_reporter", f"{path}/transfer", json=spend).status_code == 409


# ------------------------------------------------------------------------------ finance export
def _accounts_setup(w: World) -> None:
    made = _post(
        w, "alpha_admin", "/inventories", files={"file": ("r.csv", RECORDS, "text/csv")}, data={"name": "enterprises"}
    )
    assert made.status_code == 201, made.text
    put = w.client.put(
        f"{API}/accounts/enterprise/registry",
        files={"file": ("registry.csv", REGISTRY, "text/csv")},
        data={"inventory_id": str(made.json()["id"])},
        headers=w.headers("alpha_admin"),
    )
    assert put.status_code == 200, put.text


def test_finance_export_formats_and_mrv_status(world: World) -> None:
    w = world
    _accounts_setup(w)
    # The reporter's own 2022 report goes on the ledger: its status shows in the export.
    own = _post(
        w,
        "alpha_reporter",
        "/inventories",
        files={"file": ("own.csv", RECORDS.split("\n")[0] + "\n" + RECORDS.split("\n")[1] + "\n", "text/csv")},
        data={"name": "own"},
    )
    assert own.status_code == 201, own.text
    report = _post(w, "alpha_reporter", "/mrv/reports", json={"inventory_id": own.json()["id"], "period": "2022"})
    assert report.status_code == 201, report.text

    response = _get(w, "alpha_analyst", "/accounts/enterprise/export", params={"format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="finance-alpha-2022.csv"' in response.headers["content-disposition"]
    rows = {r["uscc"]: r for r in csv.DictReader(io.StringIO(response.text))}
    a, b = rows[ENTITY], rows[OTHER_ENTITY]
    # 1,000,000 kWh x 0.5366 kg/kWh (MEE & NBS 2022 grid factor) / 1000 x 10^4 yuan = 0.5366 t per 10^4 yuan;
    # 3x for the other. Peer average (536.6 + 1609.8) / 2000 = 1.0732: ratios 0.5 (grade 1) and 1.5 (grade 4).
    assert float(a["intensity_tco2e_per_10k_yuan"]) == pytest.approx(0.5366, rel=1e-6)
    assert float(b["intensity_tco2e_per_10k_yuan"]) == pytest.approx(1.6098, rel=1e-6)
    assert (a["grade"], b["grade"]) == ("1", "4")
    assert (a["verified_status"], b["verified_status"]) == ("reported", "none")
    assert a["report_id"] == f"report:alpha:{ENTITY}:2022"

    as_json = _get(w, "alpha_admin", "/accounts/enterprise/export", params={"format": "json"}).json()
    assert {r["uscc"]: r["grade"] for r in as_json} == {ENTITY: 1, OTHER_ENTITY: 4}
    xlsx = _get(w, "alpha_admin", "/accounts/enterprise/export", params={"format": "xlsx", "year": 2022})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    header, *data = [list(r) for r in sheet.iter_rows(values_only=True)]
    by_uscc = {r[header.index("uscc")]: r for r in data}
    assert by_uscc[OTHER_ENTITY][header.index("ratio")] == pytest.approx(1.5, rel=1e-6)

    # Verifiers read reports, not every entity's accounts; reporters see only their own row elsewhere.
    for who in ("alpha_verifier", "alpha_reporter", "alpha_household"):
        assert _get(w, who, "/accounts/enterprise/export").status_code == 403
    missing = _get(w, "alpha_admin", "/accounts/enterprise/export", params={"year": 1999})
    assert missing.status_code == 422 and "1999" in missing.json()["error"]["message"]


def test_quota_projection_of_a_year_without_usage(world: World) -> None:
    # Usage in 2023 only, quota year 2024: zero use to date, nothing to project from (issue 10 bug a).
    body = {
        "quotas": [{"entity": ENTITY, "quota": 1200, "year": 2024}],
        "usage": [{"entity": ENTITY, "time": "2023-05", "amount": 100}],
    }
    response = _post(world, "alpha_admin", "/accounts/enterprise/quotas/projection", json=body)
    assert response.status_code == 200, response.text
    (row,) = response.json()
    assert (row["consumed"], row["method"], row["projected"], row["status"]) == (0.0, "no data", None, "ok")


# ------------------------------------------------------------------------------ households
def test_methodologies_listed_with_their_factors(world: World) -> None:
    response = _get(world, "alpha_household", "/households/methodologies")
    assert response.status_code == 200, response.text
    methods = {m["id"]: m for m in response.json()}
    assert {"bus", "metro", "electricity_saving"} <= set(methods)
    metro = methods["metro"]
    # metro.yaml: baseline 121.2 g/pkm (private car) - project 17.3 g/pkm = 0.1039 kg/pkm.
    assert metro["reduction_kg_per_unit"] == pytest.approx(0.1039, rel=REL)
    assert metro["baseline"]["sources"] and metro["caps"]["daily_kg"] > 0
    assert _get(world, "alpha_analyst", "/households/methodologies").status_code == 200
    assert _get(world, "alpha_reporter", "/households/methodologies").status_code == 403


def test_own_footprint_by_hand(world: World) -> None:
    params = {
        "month": "2025-03",
        "electricity_kwh": 200,
        "gas_m3": 10,
        "car_km": 100,
        "food_cny": 1000,
        "city_average": 500,
    }
    response = _get(world, "alpha_household", "/households/me/footprint", params=params)
    assert response.status_code == 200, response.text
    fp = response.json()
    # Housing: 200 kWh x 0.5366 kg/kWh (grid CN 2022) + 10 m3 x 2.162 kg/m3 = 107.32 + 21.62 = 128.94.
    # Transport: 100 km x 0.1817 kg/km = 18.17. Food: 1000 CNY x 0.5 kg/CNY = 500. Total 647.11.
    assert fp["household_id"] == "H-0001" and fp["month"] == "2025-03"
    assert fp["housing_kg"] == pytest.approx(128.94, rel=REL)
    assert fp["transport_kg"] == pytest.approx(18.17, rel=REL)
    assert fp["food_consumption_kg"] == pytest.approx(500.0, rel=REL)
    assert fp["total_kg"] == pytest.approx(647.11, rel=REL)
    assert fp["vs_city_pct"] == pytest.approx(100 * (647.11 / 500 - 1), rel=REL)  # +29.422 %
    assert [f["column"] for f in fp["factors"]] == ["electricity_kwh", "gas_m3", "car_km", "food_cny"]
    assert _get(world, "alpha_analyst", "/households/me/footprint", params=params).status_code == 403
    bad = _get(world, "alpha_household", "/households/me/footprint", params={**params, "month": "2025-13"})
    assert bad.status_code == 422 and "month" in bad.json()["error"]["message"]
    region = _get(world, "alpha_household", "/households/me/footprint", params={**params, "region": "XX"})
    assert region.status_code == 422 and "XX" in region.json()["error"]["message"]


def test_staff_footprints_are_k_anonymous(world: World) -> None:
    # January: 10 households, each 10 m3 of gas (21.62 kg) and i x 10 km by car (1.817 i kg), i = 1..10.
    # February: 3 households only (suppressed at k = 10).
    lines = ["household_id,month,gas_m3,car_km"]
    lines += [f"H{i},2025-01,10,{10 * i}" for i in range(1, 11)]
    lines += [f"H{i},2025-02,10,10" for i in range(1, 4)]
    upload = {"file": ("households.csv", "\n".join(lines) + "\n", "text/csv")}
    response = _post(world, "alpha_analyst", "/households/footprint/aggregates", files=upload, data={"k": "10"})
    assert response.status_code == 200, response.text
    months = {r["month"]: r for r in response.json()}
    jan, feb = months["2025-01"], months["2025-02"]
    assert jan["households"] == 10 and jan["suppressed"] is False
    assert jan["housing_kg_sum"] == pytest.approx(216.2, rel=REL)  # 10 x 21.62
    assert jan["transport_kg_sum"] == pytest.approx(0.1817 * 550, rel=REL)  # 0.1817 x 10 x (1 + ... + 10)
    assert jan["total_kg_mean"] == pytest.approx((216.2 + 99.935) / 10, rel=REL)
    assert feb["suppressed"] is True and feb["households"] is None and feb["total_kg_sum"] is None
    assert not any("household_id" in r for r in response.json())
    refused = _post(world, "alpha_household", "/households/footprint/aggregates", files=upload)
    assert refused.status_code == 403
    bad = {"file": ("h.csv", "household_id,month,gas_m3\nH1,2025-01,lots\n", "text/csv")}
    wrong = _post(world, "alpha_admin", "/households/footprint/aggregates", files=bad)
    assert wrong.status_code == 422
    assert wrong.json()["error"]["details"] == [
        {"row": 1, "column": "gas_m3", "message": "not a number", "value": "lots"}
    ]


# ------------------------------------------------------------------------------ ledger files
DATA = b"meter,kwh\nM1,1250\n"


def test_evidence_store_download_and_reporter_scope(world: World) -> None:
    w = world
    stored = _post(w, "alpha_reporter", "/ledger/evidence", files={"file": ("meter.csv", DATA, "text/csv")})
    assert stored.status_code == 201, stored.text
    digest = hashlib.sha256(DATA).hexdigest()
    assert stored.json() == {
        "sha256": digest,
        "size": len(DATA),
        "name": "meter.csv",
        "media_type": "application/octet-stream",
    }
    again = _post(w, "alpha_admin", "/ledger/evidence", files={"file": ("again.csv", DATA, "text/csv")})
    assert again.json()["sha256"] == digest and again.json()["name"] == "meter.csv"  # stored once

    # No entry refers to it yet: not linked to the reporter's entity in the ledger's model.
    assert _get(w, "alpha_reporter", f"/ledger/evidence/{digest}").status_code == 404
    analyst = _get(w, "alpha_analyst", f"/ledger/evidence/{digest}")
    assert analyst.status_code == 200 and analyst.content == DATA
    assert analyst.headers["content-disposition"].startswith("attachment")
    assert analyst.headers["x-content-type-options"] == "nosniff"

    # The reporter's monitoring data refers to it: now the reporter may read it.
    data = _post(
        w, "alpha_reporter", "/mrv/data", files={"file": ("meter.csv", DATA, "text/csv")}, data={"period": "2024"}
    )
    assert data.status_code == 201, data.text
    assert _get(w, "alpha_reporter", f"/ledger/evidence/{digest}").content == DATA
    # The city's own data file is not the reporter's.
    city = b"district,kwh\nD1,99\n"
    made = _post(w, "alpha_admin", "/mrv/data", files={"file": ("city.csv", city, "text/csv")}, data={"period": "2024"})
    assert made.status_code == 201, made.text
    city_digest = hashlib.sha256(city).hexdigest()
    assert _get(w, "alpha_reporter", f"/ledger/evidence/{city_digest}").status_code == 404
    assert _get(w, "alpha_verifier", f"/ledger/evidence/{city_digest}").content == city

    empty = _post(w, "alpha_admin", "/ledger/evidence", files={"file": ("e.csv", b"", "text/csv")})
    assert empty.status_code == 422
    assert _get(w, "alpha_household", f"/ledger/evidence/{digest}").status_code == 403
    assert _get(w, "alpha_admin", "/ledger/evidence/not-a-digest").status_code == 422


def test_evidence_of_another_tenant_is_not_found(world: World) -> None:
    secret = b"beta only\n"
    made = _post(world, "beta_admin", "/ledger/evidence", files={"file": ("b.txt", secret, "text/plain")})
    assert made.status_code == 201, made.text
    digest = made.json()["sha256"]
    assert _get(world, "beta_admin", f"/ledger/evidence/{digest}").content == secret
    for who in ("alpha_admin", "alpha_analyst", "alpha_verifier", "alpha_reporter"):
        assert _get(world, who, f"/ledger/evidence/{digest}").status_code == 404, who


def _second_reporter(w: World) -> str:
    """A reporter of the other entity, who registers on the ledger by submitting data."""
    made = _post(
        w,
        "alpha_admin",
        "/users",
        json={
            "username": "other_reporter",
            "password": PASSWORD,
            "role": "enterprise_reporter",
            "entity_id": OTHER_ENTITY,
        },
    )
    assert made.status_code == 201, made.text
    w.tokens["other_reporter"] = w.login("other_reporter")["access_token"]
    sent = _post(
        w, "other_reporter", "/mrv/data", files={"file": ("o.csv", b"x,1\n", "text/csv")}, data={"period": "2024"}
    )
    assert sent.status_code == 201, sent.text
    return "user:other_reporter"


def test_log_and_actors_with_the_reporter_scope(world: World) -> None:
    w = world
    assert (
        _post(
            w, "alpha_reporter", "/mrv/data", files={"file": ("m.csv", DATA, "text/csv")}, data={"period": "2024"}
        ).status_code
        == 201
    )
    other = _second_reporter(w)
    size = _ledger_size(w)
    # Entries: 2 registrations and 2 data submissions (each reporter registers at first use).
    assert size == 4
    page = _get(w, "alpha_analyst", "/ledger/entries", params={"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [e["index"] for e in page["items"]] == [1, 2]
    assert [e["type"] for e in page["items"]] == ["mrv.data.submitted", "actor.registered"]

    mine = _get(w, "alpha_reporter", "/ledger/entries").json()
    assert mine["total"] == 2 and {e["payload"]["entity"] for e in mine["items"]} == {ENTITY}

    actors = {a["actor"]: a for a in _get(w, "alpha_analyst", "/ledger/actors").json()}
    assert actors["user:alpha_reporter"]["role"] == "reporter" and actors["user:alpha_reporter"]["entity"] == ENTITY
    assert other in actors
    visible = {a["actor"] for a in _get(w, "alpha_reporter", "/ledger/actors").json()}
    assert visible == {"user:alpha_reporter"}  # the other entity's reporter is not shown
    assert _get(w, "alpha_household", "/ledger/actors").status_code == 403


def test_ledger_export_zip_verifies(world: World, tmp_path: Path) -> None:
    w = world
    assert (
        _post(
            w, "alpha_reporter", "/mrv/data", files={"file": ("m.csv", DATA, "text/csv")}, data={"period": "2024"}
        ).status_code
        == 201
    )
    assert (
        _post(
            w, "alpha_admin", "/accounts/enterprise/allowances/issue", json={"pool": POOL, "to": ENTITY, "amount": 1}
        ).status_code
        == 201
    )
    response = _get(w, "alpha_verifier", "/ledger/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="ledger-alpha.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path)
    digest = hashlib.sha256(DATA).hexdigest()
    assert {"ledger.json", "entries.jsonl", f"evidence/{digest}"} <= names
    head = _get(w, "alpha_admin", "/ledger/head").json()
    meta = json.loads((tmp_path / "ledger.json").read_text())
    assert meta["entries"] == head["size"] == 3  # registration, data, allowance
    # An outside auditor checks it with the platform public key alone.
    report = verify_snapshot(load_export(tmp_path, load_public_key(head["public_key"])))
    assert report.ok, report.problems
    assert (tmp_path / "evidence" / digest).read_bytes() == DATA
    for who in ("alpha_analyst", "alpha_reporter", "alpha_household"):
        assert _get(w, who, "/ledger/export").status_code == 403
