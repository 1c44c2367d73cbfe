"""Inventory import, summary, export and publication through the API, with hand-checked numbers.

Reference: MEE & NBS, 关于发布2022年电力二氧化碳排放因子的公告 (公告2024年第33号), national average
electricity CO2 factor for 2022: 0.5366 kg CO2/kWh (shipped as CN-MEENBS-2024-33-2022-CN-CO2 in
src/zerocity/factors/data/cn_mee_grid/factors.csv). Scope 2, GPC I.1.2 (residential buildings).

    1,000 kWh x 0.5366 kg CO2/kWh = 536.6 kg CO2 = 0.5366 t CO2 = 0.5366 t CO2e (GWP of CO2 = 1)
    2,500 kWh x 0.5366 kg CO2/kWh = 1,341.5 kg = 1.3415 t; both rows together 1.8781 t CO2e
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from service_helpers import World

TOLERANCE = 1e-9  # the engine multiplies exact decimal inputs; only float rounding remains

GOOD = (
    "record_id,activity,amount,unit,year,gpc_ref,region\n"
    "a,electricity_grid,1000,kWh,2022,I.1.2,CN\n"
    "b,electricity_grid,2500,kWh,2022,I.1.2,CN\n"
)
# Row 2 has a non-numeric amount, row 3 an unknown unit for electricity.
BAD = (
    "record_id,activity,amount,unit,year,gpc_ref,region\n"
    "a,electricity_grid,1000,kWh,2022,I.1.2,CN\n"
    "b,electricity_grid,lots,kWh,2022,I.1.2,CN\n"
    "c,electricity_grid,10,parsecs,2022,I.1.2,CN\n"
)


def _upload(world: World, content: str | bytes, filename: str = "records.csv", name: str = "city 2022", **form):
    return world.client.post(
        "/api/v1/inventories",
        files={"file": (filename, content, "application/octet-stream")},
        data={"name": name, **form},
        headers=world.headers("alpha_analyst"),
    )


def test_import_computes_hand_checked_totals(world: World) -> None:
    made = _upload(world, GOOD)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["record_count"] == 2 and body["gwp"] == "AR5" and body["level"] == "BASIC"
    assert body["total_tco2e"] == pytest.approx(1.8781, rel=TOLERANCE)
    summary = world.client.get(f"/api/v1/inventories/{body['id']}", headers=world.headers("alpha_analyst")).json()
    assert summary["summary"]["by_scope"] == {"2": pytest.approx(1.8781, rel=TOLERANCE)}
    assert summary["summary"]["by_gas"] == {"CO2": pytest.approx(1.8781, rel=TOLERANCE)}
    assert [f["factor_id"] for f in summary["summary"]["factors"]] == ["CN-MEENBS-2024-33-2022-CN-CO2"]


def test_import_xlsx(world: World) -> None:
    buffer = io.BytesIO()
    pd.read_csv(io.StringIO(GOOD), dtype=str).to_excel(buffer, index=False)
    made = _upload(world, buffer.getvalue(), filename="records.xlsx")
    assert made.status_code == 201, made.text
    assert made.json()["total_tco2e"] == pytest.approx(1.8781, rel=TOLERANCE)


def test_bad_file_names_rows_and_columns_and_stores_nothing(world: World) -> None:
    refused = _upload(world, BAD, filename="bad.csv")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid_records"
    places = {(d["row"], d["column"]) for d in error["details"]}
    assert (2, "amount") in places and (3, "unit") in places
    assert all(d["row"] != 1 for d in error["details"])
    assert "bad.csv" in error["message"]
    listed = world.client.get("/api/v1/inventories", headers=world.headers("alpha_analyst")).json()
    assert listed["total"] == 0 and listed["items"] == []


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (GOOD, "records.txt", "upload"),
        ("record_id,activity,amount,unit,year,gpc_ref,region\n", "empty.csv", "invalid_records"),
        (b"PK\x03\x04 not really a workbook", "broken.xlsx", "record_file"),
    ],
)
def test_unusable_uploads_are_4xx(world: World, content, filename: str, code: str) -> None:
    refused = _upload(world, content, filename=filename)
    assert 400 <= refused.status_code < 500, refused.text
    assert refused.json()["error"]["code"] == code


def test_exports(world: World) -> None:
    inventory = _upload(world, GOOD).json()["id"]
    h = world.headers("alpha_analyst")
    csv = world.client.get(f"/api/v1/inventories/{inventory}/export", params={"format": "csv"}, headers=h)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = pd.read_csv(io.StringIO(csv.text))
    assert rows["tco2e"].tolist() == pytest.approx([0.5366, 1.3415], rel=TOLERANCE)
    xlsx = world.client.get(f"/api/v1/inventories/{inventory}/export", params={"format": "xlsx"}, headers=h)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert 'filename="city_2022.xlsx"' in xlsx.headers["content-disposition"]
    doc = json.loads(world.client.get(f"/api/v1/inventories/{inventory}/export", headers=h).content)
    assert doc["total_tco2e"] == pytest.approx(1.8781, rel=TOLERANCE) and len(doc["records"]) == 2
    bad = world.client.get(f"/api/v1/inventories/{inventory}/export", params={"format": "pdf"}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


def test_pagination_and_filter(world: World) -> None:
    for i in range(3):
        assert _upload(world, GOOD, name=f"run {i}").status_code == 201
    h = world.headers("alpha_analyst")
    page = world.client.get("/api/v1/inventories", params={"limit": 2, "offset": 1}, headers=h).json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 1
    assert [i["name"] for i in page["items"]] == ["run 1", "run 2"]
    found = world.client.get("/api/v1/inventories", params={"q": "run 2"}, headers=h).json()
    assert [i["name"] for i in found["items"]] == ["run 2"]
    too_many = world.client.get("/api/v1/inventories", params={"limit": 1001}, headers=h)
    assert too_many.status_code == 422 and too_many.json()["error"]["details"][0]["location"] == ["query", "limit"]


def test_factor_search_and_explain(world: World) -> None:
    h = world.headers("alpha_analyst")
    page = world.client.get(
        "/api/v1/factors",
        params={"activity": "electricity_grid", "region": "CN", "parameter": "ef", "q": "2024-33"},
        headers=h,
    ).json()
    assert [f["factor_id"] for f in page["items"]] == ["CN-MEENBS-2024-33-2022-CN-CO2"]
    assert page["items"][0]["value"] == 0.5366 and page["items"][0]["unit"] == "kg/kWh"
    explained = world.client.get(
        "/api/v1/factors/explain",
        params={"activity": "electricity_grid", "region": "CN", "year": 2022, "gpc_ref": "I.1.2"},
        headers=h,
    ).json()
    assert explained["winner"] == "CN-MEENBS-2024-33-2022-CN-CO2"
    unknown = world.client.get("/api/v1/factors/explain", params={"activity": "moonbeams", "year": 2022}, headers=h)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "factor_not_found"
    missing = world.client.get("/api/v1/factors/NOPE", headers=h)
    assert missing.status_code == 404 and "NOPE" in missing.json()["error"]["message"]


def test_inventory_report_pdf_and_xlsx(world: World, tmp_path) -> None:
    """The GPC report of a stored inventory, in both languages: 1.8781 t CO2e (hand sum above)."""
    import shutil
    import subprocess

    from openpyxl import load_workbook

    inventory = _upload(world, GOOD).json()["id"]
    h = world.headers("alpha_analyst")
    url = f"/api/v1/inventories/{inventory}/report"
    pdf = world.client.get(url, params={"format": "pdf", "lang": "zh", "city": "示范市"}, headers=h)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    assert 'filename="city_2022-2022-report-zh.pdf"' in pdf.headers["content-disposition"]
    if shutil.which("pdftotext"):
        (tmp_path / "r.pdf").write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True).stdout
        assert "示范市" in text.decode() and "1.88" in text.decode()
    xlsx = world.client.get(url, params={"format": "xlsx", "population": 1000}, headers=h)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    (tmp_path / "r.xlsx").write_bytes(xlsx.content)
    cells = [
        c for ws in load_workbook(tmp_path / "r.xlsx").worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    assert any(isinstance(c, float) and c == pytest.approx(1.8781, rel=TOLERANCE) for c in cells)
    assert any(isinstance(c, float) and c == pytest.approx(1.8781 / 1000, rel=TOLERANCE) for c in cells)  # per capita
    for params in ({"year": 2021}, {"format": "docx"}, {"lang": "fr"}, {"population": 0}):
        bad = world.client.get(url, params=params, headers=h)
        assert bad.status_code == 422, (params, bad.text)
    assert "2021" in world.client.get(url, params={"year": 2021}, headers=h).json()["error"]["message"]
    assert world.client.get("/api/v1/inventories/999/report", headers=h).status_code == 404
