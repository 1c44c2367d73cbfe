"""A tenant's own factor sets and the inventory tools (validate, methods, diff, CEMS) over HTTP.

Hand-checked numbers
--------------------
Shipped: MEE & NBS, 公告2024年第33号, national average electricity CO2 factor for 2022,
0.5366 kg CO2/kWh (CN-MEENBS-2024-33-2022-CN-CO2, src/zerocity/factors/data/cn_mee_grid/factors.csv).
A tenant's own set (this file): 0.6 kg CO2/kWh for CN 2022, then a version 2 of 0.7 kg CO2/kWh.

    1,000 kWh x 0.5366 kg/kWh = 536.6 kg = 0.5366 t CO2e (GWP of CO2 = 1)
    1,000 kWh x 0.6    kg/kWh = 600 kg   = 0.6 t CO2e
    1,000 kWh x 0.7    kg/kWh = 700 kg   = 0.7 t CO2e
    3,500 kWh x 0.5366 kg/kWh = 1,878.1 kg = 1.8781 t;  3,500 kWh x 0.6 kg/kWh = 2.1 t
    diff, shipped -> own set: 0.6 - 0.5366 = 0.0634 t, all of it caused by the factor

A user set is a user's own set, so among factors valid for the year it wins over shipped ones
(docs/methodology.md, "Factor resolution", rule 2).

CEMS (HJ 75-2017 formulas 31 and 33; EU MRR Annex VIII Eq. 1): at 0 degC, 101.325 kPa and no
moisture the standard dry flow equals the actual flow, so with 10 % vol CO2 and 100,000 m3/h,

    rho_CO2 = 44.0095 g/mol / 22.41396954 L/mol (CODATA 2018 ideal molar volume) = 1.963485313 kg/Nm3
    E = 0.10 x 100,000 Nm3/h x 1.963485313 kg/Nm3 = 19,634.853 kg/h
    two hourly readings (the last one represents the 1 h interval): M = 2 h x E = 39.2697 t CO2
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from service_helpers import ENTITY, OTHER_ENTITY, World, build_world

TOLERANCE = 1e-9  # exact decimal inputs; only float rounding remains
SHIPPED_ID = "CN-MEENBS-2024-33-2022-CN-CO2"
OWN_ID = "ALPHA-GRID-2022-CO2"

HEADER = (
    "factor_id,parameter,activity,gas,value,unit,region,valid_from,valid_to,"
    "source_publisher,source_document,source_table,source_year\n"
)


def factor_set(value: float = 0.6, factor_id: str = OWN_ID) -> str:
    """One electricity factor for CN 2022 [kg CO2/kWh]."""
    return HEADER + (
        f"{factor_id},ef,electricity_grid,CO2,{value},kg/kWh,CN,2022,2022,"
        "City energy office,Metered grid mix 2022,Table 1,2023\n"
    )


ONE_ROW = "record_id,activity,amount,unit,year,gpc_ref,region\na,electricity_grid,1000,kWh,2022,I.1.2,CN\n"
TWO_ROWS = (
    "record_id,activity,amount,unit,year,gpc_ref,region\n"
    "a,electricity_grid,1000,kWh,2022,I.1.2,CN\n"
    "b,electricity_grid,2500,kWh,2022,I.1.2,CN\n"
)
BAD_ROWS = (
    "record_id,activity,amount,unit,year,gpc_ref,region\n"
    "a,electricity_grid,1000,kWh,2022,I.1.2,CN\n"
    "b,electricity_grid,lots,kWh,2022,I.1.2,CN\n"
    "c,electricity_grid,10,parsecs,2022,I.1.2,CN\n"
)
RHO_CO2 = 44.0095 / 22.41396954  # kg/Nm3, see the module notes
CEMS = (
    "stack,timestamp,flow_m3_h,temperature_c,pressure_kpa,moisture_pct,co2_pct\n"
    "S1,2024-03-01 00:00,100000,0,101.325,0,10\n"
    "S1,2024-03-01 01:00,100000,0,101.325,0,10\n"
)


def store_set(world: World, who: str = "alpha_analyst", content: str | None = None, filename: str = "own.csv", **form):
    data = {"name": "own-grid", **form}
    files = {"file": (filename, content or factor_set(), "text/csv")}
    return world.client.post("/api/v1/factors/sets", files=files, data=data, headers=world.headers(who))


def import_inventory(world: World, records: str = ONE_ROW, who: str = "alpha_analyst", **form):
    files = {"file": ("records.csv", records, "text/csv")}
    data = {"name": form.pop("name", "city 2022"), **form}
    return world.client.post("/api/v1/inventories", files=files, data=data, headers=world.headers(who))


# ---------------------------------------------------------------------------- factor sets
def test_import_and_list_factor_sets(world: World) -> None:
    made = store_set(world)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["name"], body["version"], body["records"], body["stored"]) == ("own-grid", "1", 1, True)
    assert len(body["sha256"]) == 64 and body["source"] == "own.csv" and body["loaded_at"].endswith("Z")
    h = world.headers("alpha_analyst")
    sets = world.client.get("/api/v1/factors/sets", params={"limit": 1000}, headers=h).json()
    by_id = {(s["id"], s["version"]): s for s in sets["items"]}
    assert by_id[("own-grid", "1")]["stored"] is True and by_id[("own-grid", "1")]["records"] == 1
    shipped = [s for s in sets["items"] if s["id"] == "cn_mee_grid"]
    assert len(shipped) == 1 and shipped[0]["stored"] is False and shipped[0]["records"] > 0
    assert sets["total"] == len(sets["items"])
    # The same name and version again: 409; a new version is fine.
    again = store_set(world)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_exists"
    assert store_set(world, content=factor_set(0.7), version="2").status_code == 201
    # Recorded on the tenant's ledger, as the CLI does.
    entries = world.client.get("/api/v1/ledger/entries", params={"type": "factorset.loaded"}, headers=h).json()
    payloads = [e["payload"] for e in entries["items"]]
    assert [(p["name"], p["version"], p["rows"]) for p in payloads] == [("own-grid", "1", 1), ("own-grid", "2", 1)]
    assert payloads[0]["loaded_by"] == "user:alpha_analyst"


def test_import_roles(world: World) -> None:
    assert store_set(world, who="alpha_admin").status_code == 201
    for who in ("alpha_reporter", "alpha_verifier", "alpha_household"):
        assert store_set(world, who=who, name=f"x-{who}").status_code == 403
    # The platform administrator has no tenant: shipped datasets only.
    root = world.client.get("/api/v1/factors/sets", params={"limit": 1000}, headers=world.headers("root")).json()
    assert root["items"] and not any(s["stored"] for s in root["items"])
    household = world.client.get(
        "/api/v1/factors/sets", params={"limit": 1000}, headers=world.headers("alpha_household")
    )
    assert [s["id"] for s in household.json()["items"] if s["stored"]] == ["own-grid"]


def test_own_factor_wins_in_explain_list_and_show(world: World) -> None:
    assert store_set(world).status_code == 201
    h = world.headers("alpha_analyst")
    request = {"activity": "electricity_grid", "region": "CN", "year": 2022, "gpc_ref": "I.1.2"}
    shipped = world.client.get("/api/v1/factors/explain", params=request, headers=h).json()
    assert shipped["winner"] == SHIPPED_ID
    own = world.client.get("/api/v1/factors/explain", params={**request, "factor_set": "own-grid"}, headers=h).json()
    assert own["winner"] == OWN_ID and own["request"]["factor_set"] == "own-grid"
    first, second = own["candidates"][:2]
    assert (first["factor_id"], first["value"], first["dataset"]) == (OWN_ID, 0.6, "own-grid")
    assert (second["factor_id"], second["value"]) == (SHIPPED_ID, 0.5366)
    assert "user set" in first["reason"] and "shipped set" in second["reason"]
    listed = world.client.get(
        "/api/v1/factors", params={"factor_set": "own-grid", "dataset": "own-grid"}, headers=h
    ).json()
    assert [(f["factor_id"], f["value"], f["unit"]) for f in listed["items"]] == [(OWN_ID, 0.6, "kg/kWh")]
    assert world.client.get("/api/v1/factors", params={"dataset": "own-grid"}, headers=h).json()["total"] == 0
    shown = world.client.get(f"/api/v1/factors/{OWN_ID}", params={"factor_set": "own-grid"}, headers=h)
    assert shown.status_code == 200 and shown.json()["value"] == 0.6
    assert world.client.get(f"/api/v1/factors/{OWN_ID}", headers=h).status_code == 404
    # A version picks that version: version 2 (0.7) wins when named or as the latest.
    assert store_set(world, content=factor_set(0.7, "ALPHA-GRID-2022-CO2-V2"), version="2").status_code == 201
    latest = world.client.get("/api/v1/factors/explain", params={**request, "factor_set": "own-grid"}, headers=h)
    assert latest.json()["winner"] == "ALPHA-GRID-2022-CO2-V2" and latest.json()["candidates"][0]["value"] == 0.7
    v1 = {**request, "factor_set": "own-grid", "factor_set_version": "1"}
    assert world.client.get("/api/v1/factors/explain", params=v1, headers=h).json()["winner"] == OWN_ID


def test_activity_vocabulary(world: World) -> None:
    h = world.headers("alpha_household")
    page = world.client.get("/api/v1/factors/activities", params={"limit": 1000}, headers=h).json()
    grid = next(a for a in page["items"] if a["activity"] == "electricity_grid")
    assert grid["default_unit"] == "MWh" and grid["biogenic"] is False  # activities.csv
    assert page["total"] == len(page["items"]) > 50
    energy = world.client.get("/api/v1/factors/activities", params={"category": grid["category"]}, headers=h).json()
    assert energy["total"] < page["total"] and {a["category"] for a in energy["items"]} == {grid["category"]}


@pytest.mark.parametrize(
    ("content", "filename", "row", "column"),
    [
        # value not a number in data row 1
        (factor_set().replace(",0.6,", ",lots,"), "bad.csv", 1, "value"),
        # an activity outside the vocabulary
        (factor_set().replace("electricity_grid", "moonbeams"), "bad.csv", 1, "activity"),
        # a unit that does not parse
        (factor_set().replace("kg/kWh", "kg/parsec-ish"), "bad.csv", 1, "unit"),
        # a factor id of a shipped dataset
        (factor_set(factor_id=SHIPPED_ID), "bad.csv", 1, "factor_id"),
        # second data row: an emission factor without a gas
        (factor_set() + factor_set(factor_id="X2").splitlines()[1].replace(",CO2,", ",,") + "\n", "bad.csv", 2, "gas"),
    ],
)
def test_bad_factor_sets_are_422_naming_file_row_and_column(
    world: World, content: str, filename: str, row: int, column: str
) -> None:
    refused = store_set(world, content=content, filename=filename)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "invalid_request" and "bad.csv" in error["message"]
    places = {(d.get("file"), d.get("row"), d.get("column")) for d in error["details"]}
    assert ("bad.csv", row, column) in places, error["details"]
    assert all(d["location"] == ["body", "file"] for d in error["details"])
    sets = world.client.get("/api/v1/factors/sets", headers=world.headers("alpha_analyst")).json()
    assert not any(s["stored"] for s in sets["items"])  # nothing stored


def test_unusable_factor_set_requests_are_422(world: World) -> None:
    missing = store_set(world, content="factor_id,value\nX,1\n", filename="short.csv")
    assert missing.status_code == 422 and "missing required column" in missing.json()["error"]["message"]
    assert "short.csv" in missing.json()["error"]["message"]
    wrong = store_set(world, filename="factors.txt")
    assert wrong.status_code == 422 and wrong.json()["error"]["details"][0]["location"] == ["body", "file"]
    empty = store_set(world, content=HEADER, filename="empty.csv")
    assert empty.status_code == 422 and "no rows" in empty.json()["error"]["message"]
    shipped_name = store_set(world, name="cn_mee_grid")
    assert shipped_name.status_code == 422 and shipped_name.json()["error"]["details"][0]["location"] == [
        "body",
        "name",
    ]
    bad_name = store_set(world, name="../etc")
    assert bad_name.status_code == 422 and bad_name.json()["error"]["details"][0]["location"] == ["body", "name"]
    h = world.headers("alpha_analyst")
    unknown = world.client.get("/api/v1/factors", params={"factor_set": "nowhere"}, headers=h)
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0]["location"] == ["query", "factor_set"]
    lone = world.client.get("/api/v1/factors", params={"factor_set_version": "1"}, headers=h)
    assert lone.status_code == 422 and "factor_set" in lone.json()["error"]["message"]


# ---------------------------------------------------------------------------- inventories with a factor set
def test_inventory_with_factor_set_recomputes_with_the_same_set(world: World) -> None:
    assert store_set(world).status_code == 201
    h = world.headers("alpha_analyst")
    shipped = import_inventory(world, name="shipped")
    own = import_inventory(world, name="own", factor_set="own-grid")
    assert shipped.status_code == 201 and own.status_code == 201, own.text
    assert shipped.json()["total_tco2e"] == pytest.approx(0.5366, rel=TOLERANCE)
    assert own.json()["total_tco2e"] == pytest.approx(0.6, rel=TOLERANCE)
    summary = world.client.get(f"/api/v1/inventories/{own.json()['id']}", headers=h).json()
    assert summary["params"]["factor_set"]["name"] == "own-grid" and summary["params"]["factor_set"]["version"] == "1"
    assert [f["factor_id"] for f in summary["summary"]["factors"]] == [OWN_ID]
    # A newer version of the set does not change how the stored inventory recomputes.
    assert store_set(world, content=factor_set(0.7, "ALPHA-GRID-2022-CO2-V2"), version="2").status_code == 201
    url = f"/api/v1/inventories/{own.json()['id']}"
    csv = world.client.get(f"{url}/export", params={"format": "csv"}, headers=h)
    assert csv.status_code == 200, csv.text
    assert pd.read_csv(io.StringIO(csv.text))["tco2e"].tolist() == pytest.approx([0.6], rel=TOLERANCE)
    report = world.client.get(f"{url}/report", params={"format": "xlsx"}, headers=h)
    assert report.status_code == 200, report.text
    # Without a version, a new inventory takes the latest: 1,000 kWh x 0.7 kg/kWh = 0.7 t.
    latest = import_inventory(world, name="latest", factor_set="own-grid")
    assert latest.json()["total_tco2e"] == pytest.approx(0.7, rel=TOLERANCE)
    pinned = import_inventory(world, name="pinned", factor_set="own-grid", factor_set_version="1")
    assert pinned.json()["total_tco2e"] == pytest.approx(0.6, rel=TOLERANCE)


def test_inventory_with_unknown_factor_set_is_422_and_stores_nothing(world: World) -> None:
    refused = import_inventory(world, factor_set="nowhere")
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["location"] == ["body", "factor_set"]
    listed = world.client.get("/api/v1/inventories", headers=world.headers("alpha_analyst")).json()
    assert listed["total"] == 0


def test_factor_sets_are_per_tenant(world: World) -> None:
    beta = store_set(world, who="beta_admin", content=factor_set(0.9), name="beta-grid")
    assert beta.status_code == 201
    h = world.headers("alpha_admin")
    sets = world.client.get("/api/v1/factors/sets", params={"limit": 1000}, headers=h).json()
    assert not any(s["stored"] for s in sets["items"]) and "beta-grid" not in str(sets)
    for response in (
        world.client.get("/api/v1/factors", params={"factor_set": "beta-grid"}, headers=h),
        world.client.get(
            "/api/v1/factors/explain", params={"activity": "electricity_grid", "factor_set": "beta-grid"}, headers=h
        ),
        world.client.get(f"/api/v1/factors/{OWN_ID}", params={"factor_set": "beta-grid"}, headers=h),
        import_inventory(world, who="alpha_admin", factor_set="beta-grid"),
        world.client.post(
            "/api/v1/inventories/validate",
            files={"file": ("r.csv", ONE_ROW, "text/csv")},
            data={"factor_set": "beta-grid"},
            headers=h,
        ),
    ):
        assert response.status_code == 422, response.text
        assert "0.9" not in response.text
    # alpha may store a set of the same name with its own content; each tenant computes with its own.
    assert store_set(world, who="alpha_admin", content=factor_set(0.6), name="beta-grid").status_code == 201
    alpha = import_inventory(world, who="alpha_admin", factor_set="beta-grid")
    beta_inventory = import_inventory(world, who="beta_admin", factor_set="beta-grid")
    assert alpha.json()["total_tco2e"] == pytest.approx(0.6, rel=TOLERANCE)
    assert beta_inventory.json()["total_tco2e"] == pytest.approx(0.9, rel=TOLERANCE)  # 1,000 kWh x 0.9 kg/kWh


# ---------------------------------------------------------------------------- validate
def _validate(world: World, content: str, who: str = "alpha_analyst", filename: str = "records.csv", **form):
    files = {"file": (filename, content, "text/csv")}
    return world.client.post("/api/v1/inventories/validate", files=files, data=form, headers=world.headers(who))


def test_validate_reports_totals_and_stores_nothing(world: World) -> None:
    checked = _validate(world, TWO_ROWS)
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert body["valid"] is True and body["rows"] == 2 and body["problems"] == [] and body["file"] == "records.csv"
    assert body["summary"]["total_tco2e"] == pytest.approx(1.8781, rel=TOLERANCE)
    assert body["summary"]["by_scope"] == {"2": pytest.approx(1.8781, rel=TOLERANCE)}
    assert "records" not in body["summary"]
    assert store_set(world).status_code == 201
    own = _validate(world, TWO_ROWS, factor_set="own-grid").json()
    assert own["summary"]["total_tco2e"] == pytest.approx(2.1, rel=TOLERANCE)
    listed = world.client.get("/api/v1/inventories", headers=world.headers("alpha_analyst")).json()
    assert listed["total"] == 0


def test_validate_lists_every_problem(world: World) -> None:
    body = _validate(world, BAD_ROWS, filename="bad.csv").json()
    assert body["valid"] is False and body["summary"] is None and body["rows"] == 3
    places = {(p["row"], p["column"]) for p in body["problems"]}
    assert (2, "amount") in places and (3, "unit") in places and all(p["row"] != 1 for p in body["problems"])
    assert next(p for p in body["problems"] if p["column"] == "amount")["value"] == "lots"


def test_validate_checks_a_reporters_entity(world: World) -> None:
    rows = (
        "activity,amount,unit,year,gpc_ref,region,entity\n"
        f"electricity_grid,1000,kWh,2022,I.1.2,CN,{ENTITY}\n"
        f"electricity_grid,1000,kWh,2022,I.1.2,CN,{OTHER_ENTITY}\n"
    )
    body = _validate(world, rows, who="alpha_reporter").json()
    assert body["valid"] is False and body["summary"] is None
    assert [(p["row"], p["column"], p["value"]) for p in body["problems"]] == [(2, "entity", OTHER_ENTITY)]
    own = _validate(world, rows.rsplit(OTHER_ENTITY, 1)[0] + ENTITY + "\n", who="alpha_reporter").json()
    assert own["valid"] is True and own["summary"]["total_tco2e"] == pytest.approx(2 * 0.5366, rel=TOLERANCE)


def test_validate_unreadable_upload_is_422(world: World) -> None:
    wrong = _validate(world, TWO_ROWS, filename="records.txt")
    assert wrong.status_code == 422 and wrong.json()["error"]["details"][0]["location"] == ["body", "file"]
    assert "records.txt" in wrong.json()["error"]["message"]
    broken = world.client.post(
        "/api/v1/inventories/validate",
        files={"file": ("broken.xlsx", b"PK\x03\x04 not a workbook", "application/octet-stream")},
        headers=world.headers("alpha_analyst"),
    )
    assert broken.status_code == 422 and "broken.xlsx" in broken.json()["error"]["message"]
    empty = _validate(world, "record_id,activity,amount,unit,year,gpc_ref,region\n").json()
    assert empty["valid"] is False and empty["problems"][0]["message"] == "the file has no data rows"
    assert _validate(world, TWO_ROWS, gwp="AR9").status_code == 422


# ---------------------------------------------------------------------------- methods, diff, CEMS
def test_methods(world: World) -> None:
    h = world.headers("alpha_verifier")
    page = world.client.get("/api/v1/inventories/methods", params={"limit": 1000}, headers=h).json()
    names = [m["method"] for m in page["items"]]
    assert names[:3] == ["factor", "mass_balance", "measured"] and {"fod", "cement", "enteric"} <= set(names)
    fod = world.client.get("/api/v1/inventories/methods", params={"name": "fod"}, headers=h).json()["items"]
    assert len(fod) == 1 and fod[0]["history"] is True and fod[0]["columns"]
    assert "III" in ",".join(fod[0]["gpc_refs"])
    unknown = world.client.get("/api/v1/inventories/methods", params={"name": "alchemy"}, headers=h)
    assert unknown.status_code == 404 and "alchemy" in unknown.json()["error"]["message"]


def test_diff_attributes_the_change_to_the_factor(world: World) -> None:
    assert store_set(world).status_code == 201
    old = import_inventory(world, name="shipped").json()["id"]
    new = import_inventory(world, name="own", factor_set="own-grid").json()["id"]
    h = world.headers("alpha_analyst")
    diff = world.client.get(f"/api/v1/inventories/{old}/diff/{new}", headers=h)
    assert diff.status_code == 200, diff.text
    d = diff.json()
    assert (d["old_id"], d["new_id"]) == (old, new)
    assert d["old_total_tco2e"] == pytest.approx(0.5366, rel=TOLERANCE)
    assert d["new_total_tco2e"] == pytest.approx(0.6, rel=TOLERANCE)
    assert d["change_tco2e"] == pytest.approx(0.0634, rel=1e-6)
    assert d["by_cause"]["factor"] == pytest.approx(0.0634, rel=1e-6) and d["by_cause"]["activity"] == 0
    assert d["factors_added"] == [OWN_ID] and d["factors_removed"] == [SHIPPED_ID]
    (record,) = d["records"]
    assert record["cause"] == "factor" and record["added_factor_ids"] == [OWN_ID]
    # Not found: an unknown id, or the city's inventories for an enterprise reporter.
    assert world.client.get(f"/api/v1/inventories/{old}/diff/999", headers=h).status_code == 404
    reporter = world.client.get(f"/api/v1/inventories/{old}/diff/{new}", headers=world.headers("alpha_reporter"))
    assert reporter.status_code == 404


def _cems(world: World, content: str = CEMS, who: str = "alpha_analyst", filename: str = "cems.csv", **form):
    files = {"file": (filename, content, "text/csv")}
    return world.client.post("/api/v1/inventories/cems", files=files, data=form, headers=world.headers(who))


def test_cems_hand_calculation(world: World) -> None:
    done = _cems(world, interval="1h")
    assert done.status_code == 200, done.text
    body = done.json()
    expected_t = 2 * 0.10 * 100_000 * RHO_CO2 / 1000
    assert body["total_co2_t"] == pytest.approx(expected_t, rel=TOLERANCE)
    assert expected_t == pytest.approx(39.2697, abs=1e-4)
    (stack,) = body["stacks"]
    assert (stack["stack"], stack["readings"], stack["substituted"], stack["hours"]) == ("S1", 2, 0, 2.0)
    assert "records" not in body
    rows = _cems(world, interval="1h", records="true", entity=ENTITY, gpc_ref="I.3.1").json()["records"]
    assert len(rows) == 1 and rows[0]["method"] == "measured" and rows[0]["year"] == 2024
    assert rows[0]["amount"] == pytest.approx(expected_t, rel=TOLERANCE) and rows[0]["entity"] == ENTITY


def test_cems_reporter_rows_carry_its_entity_only(world: World) -> None:
    mine = _cems(world, who="alpha_reporter", interval="1h", records="true").json()
    assert mine["records"][0]["entity"] == ENTITY
    other = _cems(world, who="alpha_reporter", interval="1h", records="true", entity=OTHER_ENTITY)
    assert other.status_code == 422 and other.json()["error"]["details"][0]["location"] == ["body", "entity"]


def test_cems_bad_readings_are_422_naming_file_row_and_column(world: World) -> None:
    bad = CEMS.replace("S1,2024-03-01 01:00,100000,0,", "S1,2024-03-01 01:00,100000,5000,")
    refused = _cems(world, bad, filename="stack.csv")
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert "stack.csv" in error["message"]
    assert [(d["file"], d["row"], d["column"]) for d in error["details"]] == [("stack.csv", 2, "temperature_c")]
    assert error["details"][0]["location"] == ["body", "file"]
    interval = _cems(world, interval="fortnightly")
    assert interval.status_code == 422 and interval.json()["error"]["details"][0]["location"] == ["body", "interval"]
    assert _cems(world, basis="damp").status_code == 422
    missing = _cems(world, "stack,timestamp,co2_pct\nS1,2024-03-01 00:00,10\n")
    assert missing.status_code == 422
    assert {d["column"] for d in missing.json()["error"]["details"]} >= {"flow_m3_h", "temperature_c"}


# ---------------------------------------------------------------------------- PostgreSQL (tenant schemas)
@pytest.fixture
def pg_world(postgres_settings):
    world = build_world(postgres_settings)
    yield world
    world.client.__exit__(None, None, None)


@pytest.mark.postgres
def test_factor_sets_on_postgres(pg_world: World) -> None:
    """The same rules on PostgreSQL: stored per tenant schema, ledger entry in the import's transaction."""
    w = pg_world
    assert store_set(w, who="alpha_admin").status_code == 201
    assert store_set(w, who="beta_admin", content=factor_set(0.9)).status_code == 201
    alpha = import_inventory(w, who="alpha_admin", factor_set="own-grid")
    beta = import_inventory(w, who="beta_admin", factor_set="own-grid")
    assert alpha.json()["total_tco2e"] == pytest.approx(0.6, rel=TOLERANCE)  # 1,000 kWh x 0.6 kg/kWh
    assert beta.json()["total_tco2e"] == pytest.approx(0.9, rel=TOLERANCE)  # 1,000 kWh x 0.9 kg/kWh
    h = w.headers("alpha_admin")
    csv = w.client.get(f"/api/v1/inventories/{alpha.json()['id']}/export", params={"format": "csv"}, headers=h)
    assert pd.read_csv(io.StringIO(csv.text))["tco2e"].tolist() == pytest.approx([0.6], rel=TOLERANCE)
    entries = w.client.get("/api/v1/ledger/entries", params={"type": "factorset.loaded"}, headers=h).json()
    assert entries["total"] == 1 and entries["items"][0]["payload"]["name"] == "own-grid"
    assert w.client.get("/api/v1/ledger/health", headers=h).json()["ok"] is True
    again = store_set(w, who="alpha_admin")
    assert again.status_code == 409
