"""The remaining CLI model commands over HTTP: input-output, MACC from a scenario, city PV, CASA, actions.

Every expected number is worked out here by hand (2x2 Leontief inverses, the CASA formulas at
inputs where the stresses are simple) or is a published value (Miller & Blair 2009 Table 2.3;
GB/T 51366-2019 Appendix D and E factors; the CEC module data; the MEE/NBS grid factor), never
the service's own earlier output. Each endpoint also refuses a bad input with 422 naming the field,
file, row or line.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest
from service_helpers import World

#: Identities hold to rounding of a few dozen floating-point operations.
EXACT = 1e-9
#: CASA runs in float32 (rasters): about 7 significant digits.
FLOAT32 = 1e-5
#: Factors and densities of the transport hand calculation are given to 4-5 digits.
FACTORS = 1e-5

ANALYST = "alpha_analyst"

# ---------------------------------------------------------------------------- input-output
#: Miller & Blair (2009) §2.3.1, Table 2.3: Z = [[150, 500], [200, 100]], f = [350, 1700],
#: x = [1000, 2000], in the NBS layout with English headers. Direct emissions [100, 50] t are ours.
MILLER_BLAIR = """Two-sector table (Unit: yuan)
Code,Sector,s1,s2,Total Intermediate Use,Household Consumption Expenditure,Total Final Use,Total Output
01,s1,150,500,650,350,350,1000
02,s2,200,100,300,1700,1700,2000
,Total Intermediate Input,350,600
,Total Value Added,650,1400
,Total Input,1000,2000
,Direct CO2 Emissions (t),100,50
"""
#: A = [[0.15, 0.25], [0.2, 0.05]], det(I - A) = 0.85 * 0.95 - 0.25 * 0.2 = 0.7575,
#: L = [[0.95, 0.25], [0.2, 0.85]] / 0.7575 (Miller & Blair print [[1.2541, 0.3300], [0.2640, 1.1221]]).
DET = 0.7575
#: Total intensities m = f L with f = F / x = [0.1, 0.025] t/yuan.
M1 = (0.1 * 0.95 + 0.025 * 0.2) / DET
M2 = (0.1 * 0.25 + 0.025 * 0.85) / DET


def _io(w: World, command: str, data: dict | None = None, files: dict | None = None):
    """POST the Miller & Blair table (and ``files``) to ``/models/io/<command>`` as the analyst."""
    table = {"table": ("miller_blair.csv", MILLER_BLAIR.encode(), "text/csv")}
    return w.client.post(
        f"/api/v1/models/io/{command}", data=data or {}, files={**table, **(files or {})}, headers=w.headers(ANALYST)
    )


def test_io_check_and_footprint_of_miller_blair(shared_world: World) -> None:
    checked = _io(shared_world, "check")
    assert checked.status_code == 200, checked.text
    summary = checked.json()
    assert summary["sectors"] == 2 and summary["money_unit"] == "yuan"
    assert summary["total_output"] == pytest.approx(3000.0, rel=EXACT)
    assert summary["value_added"] == pytest.approx(2050.0, rel=EXACT)  # 650 + 1400
    assert summary["direct_emissions"] == pytest.approx(150.0, rel=EXACT)
    # The hand inverse is the one Miller & Blair print (four decimals), so m = f L uses the published L.
    inverse = np.array([[0.95, 0.25], [0.2, 0.85]]) / DET
    np.testing.assert_allclose(inverse, [[1.2541, 0.3300], [0.2640, 1.1221]], atol=5e-5)
    np.testing.assert_allclose([M1, M2], [0.1, 0.025] @ inverse, rtol=EXACT)
    fp = _io(shared_world, "footprint", {"perspective": "production"})
    assert fp.status_code == 200, fp.text
    doc = fp.json()
    assert doc["perspective"] == "production"
    assert doc["intensities"]["s1"] == {"direct": pytest.approx(0.1), "total": pytest.approx(M1, rel=EXACT)}
    assert doc["intensities"]["s2"]["total"] == pytest.approx(M2, rel=EXACT)
    # A closed economy: the footprint of household demand is every direct emission, 150 t.
    assert doc["by_final_demand"]["household"] == pytest.approx(350 * M1 + 1700 * M2, rel=EXACT)
    assert doc["by_final_demand"]["household"] == pytest.approx(150.0, rel=EXACT)
    assert doc["perspectives"] == {
        k: pytest.approx(150.0, rel=EXACT) for k in ("production", "consumption", "lifecycle")
    }
    assert "emissions row" in doc["notes"][0]


def test_io_footprint_with_uploaded_emissions(shared_world: World) -> None:
    # Emissions by sector replace the table's row: F = [200, 0] t, so m = [0.2 * L11, 0.2 * L12].
    emissions = ("emissions.csv", b"sector,tco2e\ns1,200\ns2,0\n", "text/csv")
    fp = _io(shared_world, "footprint", {}, {"emissions": emissions})
    assert fp.status_code == 200, fp.text
    doc = fp.json()
    assert doc["intensities"]["s1"]["total"] == pytest.approx(0.2 * 0.95 / DET, rel=EXACT)
    assert doc["intensities"]["s2"]["total"] == pytest.approx(0.2 * 0.25 / DET, rel=EXACT)
    assert doc["total"] == pytest.approx(200.0, rel=EXACT) and "emissions.csv" in doc["notes"][0]
    # A sector the table does not have is refused with the file, row and column.
    bad = ("emissions.csv", b"sector,tco2e\ns1,200\ns9,1\n", "text/csv")
    refused = _io(shared_world, "footprint", {}, {"emissions": bad})
    assert refused.status_code == 422
    body = refused.json()["error"]
    assert "emissions.csv" in body["message"]
    assert {(d["row"], d["column"], d["file"]) for d in body["details"]} >= {(2, "sector", "emissions.csv")}
    assert body["details"][0]["location"] == ["body", "emissions"]


def test_io_price_cap_and_downscale_by_hand(shared_world: World) -> None:
    # 1 yuan/t in a yuan/t table: cost push tau f = [0.1, 0.025]; no imports, so dp = tau m.
    price = _io(shared_world, "price", {"carbon_price": "1"})
    assert price.status_code == 200, price.text
    doc = price.json()
    assert doc["cost_push"] == {"s1": pytest.approx(0.1, rel=EXACT), "s2": pytest.approx(0.025, rel=EXACT)}
    assert doc["price_change"] == {"s1": pytest.approx(M1, rel=EXACT), "s2": pytest.approx(M2, rel=EXACT)}
    # CPI: the household basket [350, 1700] weighted: (350 m1 + 1700 m2) / 2050 = 150 / 2050.
    assert doc["cpi"]["household"] == pytest.approx(150 / 2050, rel=EXACT)
    # Cap 75 t with one final-demand category: scale 0.5, GDP loss half of 2050; marginal 2050 / 150 yuan/t.
    cap = _io(shared_world, "cap", {"cap": "75"})
    assert cap.status_code == 200, cap.text
    doc = cap.json()
    assert doc["scale"] == {"household": pytest.approx(0.5, rel=1e-7)}
    assert doc["gdp_loss"] == pytest.approx(1025.0, rel=1e-7)
    assert doc["marginal_cost_yuan_per_tco2e"] == pytest.approx(2050 / 150, rel=1e-7)
    refused = _io(shared_world, "cap", {"cap": "10", "min_scale": "0.5"})  # at least 75 t remain
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["location"] == ["body", "cap"]
    # Employment city [10, 30] of province [100, 100]: SLQ = (10/40)/(100/200), (30/40)/(100/200) = [0.5, 1.5];
    # city output = provincial output x employment share: [1000 x 0.1, 2000 x 0.3] = [100, 600].
    employment = ("employment.csv", b"sector,city,province\ns1,10,100\ns2,30,100\n", "text/csv")
    slq = _io(shared_world, "downscale", {"method": "slq", "include_table": "true"}, {"city_employment": employment})
    assert slq.status_code == 200, slq.text
    doc = slq.json()
    assert doc["employment_share"] == pytest.approx(0.2, rel=EXACT)
    assert doc["sectors"]["s1"]["slq"] == pytest.approx(0.5) and doc["sectors"]["s2"]["slq"] == pytest.approx(1.5)
    assert doc["sectors"]["s1"]["output"] == pytest.approx(100.0) and doc["sectors"]["s2"]["output"] == pytest.approx(
        600.0
    )
    assert doc["sectors"]["s1"]["self_sufficiency"] == pytest.approx(0.5)
    assert "总产出" in doc["city_table_csv"]  # the NBS layout, Chinese headers by default
    # FLQ: lambda* = log2(1 + 40 / 200) ** 0.3 (Flegg et al.; delta 0.3 the default).
    flq = _io(shared_world, "downscale", {}, {"city_employment": employment}).json()
    assert flq["lambda_star"] == pytest.approx(math.log2(1.2) ** 0.3, rel=EXACT)
    missing = _io(shared_world, "downscale", {})
    assert missing.status_code == 422 and missing.json()["error"]["details"][0]["location"] == [
        "body",
        "city_employment",
    ]


def test_io_demo_and_bad_tables(shared_world: World) -> None:
    demo = shared_world.client.post(
        "/api/v1/models/io/check", data={"demo": "true"}, headers=shared_world.headers("alpha_admin")
    )
    assert demo.status_code == 200 and demo.json()["sectors"] == 12
    # A cell that is not a number: the file, the spreadsheet row and column are named.
    broken = MILLER_BLAIR.replace("01,s1,150,", "01,s1,lots,")
    refused = shared_world.client.post(
        "/api/v1/models/io/check",
        files={"table": ("broken.csv", broken.encode(), "text/csv")},
        headers=shared_world.headers(ANALYST),
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert "broken.csv" in error["message"] and "zerocity-upload" not in error["message"]
    assert any(d["file"] == "broken.csv" and d["value"] == "lots" for d in error["details"])
    # Totals that do not add up name the spreadsheet cell (the total input of s2, row 7, column D).
    unbalanced = MILLER_BLAIR.replace("02,s2,200,100,300,1700,1700,2000", "02,s2,200,100,300,1700,1700,2100")
    refused = shared_world.client.post(
        "/api/v1/models/io/check",
        files={"table": ("unbalanced.csv", unbalanced.encode(), "text/csv")},
        headers=shared_world.headers(ANALYST),
    )
    assert refused.status_code == 422
    assert "row 7, column 'D': total input is 2000 but its terms add up to 2100" in refused.json()["error"]["message"]
    for files, data, field in (
        ({}, {}, "table"),
        ({"table": ("t.txt", b"x", "text/plain")}, {}, "table"),
        ({"table": ("t.xlsx", b"not a workbook", "application/octet-stream")}, {}, "table"),
        ({"table": ("t.csv", MILLER_BLAIR.encode(), "text/csv")}, {"demo": "true"}, "demo"),
    ):
        refused = shared_world.client.post(
            "/api/v1/models/io/check", files=files or None, data=data, headers=shared_world.headers(ANALYST)
        )
        assert refused.status_code == 422, (field, refused.text)
        assert refused.json()["error"]["details"][0]["location"] == ["body", field]


# ---------------------------------------------------------------------------- MACC from a scenario model
#: 1000 people x 2 MWh x 0.5 t CO2e/MWh = 1000 t/yr; the measure cuts 2 to 1.5 MWh from 2025.
SCENARIO = """name: Two-year town
region: CN-JS
base_year: 2024
end_year: 2026
discount_rate: 0.1
assumptions:
  population: {unit: person, value: 1000}
fuels:
  electricity: {unit: MWh, activity: electricity_grid, carrier: true}
demand:
  homes:
    gpc: I.1
    activity: {driver: population}
    intensity:
      electricity: {unit: MWh/person, value: 2}
supply:
  electricity:
    factor: {value: 0.5}
measures:
  efficiency:
    description: Efficient appliances
    overrides:
      - {variable: demand.homes.intensity.electricity, from: 2025, value: 1.5}
    cost: {capex: 1000, opex_per_year: 0}
scenarios:
  BAU: {}
  policy: {parent: BAU, measures: [efficiency]}
"""


def test_macc_from_scenario_by_hand(shared_world: World) -> None:
    body = {"model_yaml": SCENARIO, "end": "policy"}
    response = shared_world.client.post(
        "/api/v1/models/macc/from-scenario", json=body, headers=shared_world.headers(ANALYST)
    )
    assert response.status_code == 200, response.text
    (measure,) = response.json()["measures"]
    # Abatement 1000 x 0.5 x 0.5 = 250 t/yr in 2025 and 2026: 500 t cumulative 2024-2026.
    assert measure["id"] == "efficiency" and measure["abatement"] == pytest.approx(500.0, rel=EXACT)
    # Levelised: capex 1000 in 2025 (first override year) over discounted abatement, base year 2024, r = 0.1.
    levelised = (1000 / 1.1) / (250 / 1.1 + 250 / 1.1**2)
    assert measure["cost_per_t"] == pytest.approx(levelised, rel=EXACT)  # 2.0952 CNY/t
    in_2025 = shared_world.client.post(
        "/api/v1/models/macc/from-scenario", json={**body, "year": 2025}, headers=shared_world.headers(ANALYST)
    ).json()
    assert in_2025["measures"][0]["abatement"] == pytest.approx(250.0, rel=EXACT)
    unknown = shared_world.client.post(
        "/api/v1/models/macc/from-scenario", json={**body, "end": "nope"}, headers=shared_world.headers(ANALYST)
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0]["location"] == ["body", "end"]
    broken = SCENARIO.replace("{driver: population}", "{driver: people}")
    refused = shared_world.client.post(
        "/api/v1/models/macc/from-scenario",
        json={"model_yaml": broken, "end": "policy"},
        headers=shared_world.headers(ANALYST),
    )
    assert refused.status_code == 422
    (detail,) = refused.json()["error"]["details"]
    assert detail["line"] == 13 and detail["location"] == ["body", "model_yaml"] and "people" in detail["message"]


# ---------------------------------------------------------------------------- jobs
def _wait(w: World, job: int, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = w.client.get(f"/api/v1/jobs/{job}", headers=w.headers(ANALYST)).json()
        if doc["status"] in ("succeeded", "failed"):
            return doc
        time.sleep(0.1)
    raise AssertionError(f"job {job} did not finish in {timeout} s")


def _uploads_left(w: World) -> list[str]:
    root = w.settings.data_dir / "uploads"
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


#: Module mono_c_si_410 (SAM CEC module library 2019-03-05: STC 409.887 W, area 1.96 m2).
DENSITY_W_M2 = 409.887 / 1.96
#: Jiangsu grid 2023, MEE & NBS 2025 No. 47 [t CO2/MWh].
GRID_JS = 0.5827


def test_city_pv_job_by_hand(shared_world: World) -> None:
    roofs = (
        "roof_id,district,area_m2,usable_fraction,tilt,azimuth,mounting,module\n"
        "r1,A,100,0.5,25,180,bapv,mono_c_si_410\n"
        "r2,B,200,0.5,25,180,bapv,mono_c_si_410\n"
    )
    accepted = shared_world.client.post(
        "/api/v1/models/energy/pv/city",
        files={"roofs": ("roofs.csv", roofs.encode(), "text/csv")},
        data={"annual_ghi": "1300"},
        headers=shared_world.headers(ANALYST),
    )
    assert accepted.status_code == 202, accepted.text
    done = _wait(shared_world, accepted.json()["id"])
    assert done["status"] == "succeeded", done["error"]
    result = done["result"]
    by = {row["district"]: row for row in result["breakdown"]}
    # kWp = area x usable fraction x module power density / 1000: 10.456 and 20.912 kWp.
    assert by["A"]["kwp"] == pytest.approx(100 * 0.5 * DENSITY_W_M2 / 1000, rel=EXACT)
    assert by["B"]["kwp"] == pytest.approx(2 * by["A"]["kwp"], rel=EXACT)
    # One orientation class: the same yield per kWp, so twice the energy; avoided CO2 = MWh x grid factor.
    assert by["B"]["mwh_per_year"] == pytest.approx(2 * by["A"]["mwh_per_year"], rel=EXACT)
    assert by["A"]["tco2_per_year"] == pytest.approx(by["A"]["mwh_per_year"] * GRID_JS, rel=EXACT)
    assert result["grid_factor"]["t_per_mwh"] == GRID_JS and result["source"] == "roofs.csv"
    assert result["classes"] == 1 and result["totals"]["roofs"] == 2
    assert _uploads_left(shared_world) == []  # the job removed its uploaded files
    # Bad cells are refused before a job is queued, each with its row and column.
    bad = roofs.replace("r1,A,100,0.5,25", "r1,A,100,1.5,25").replace(
        "25,180,bapv,mono_c_si_410\nr2", "25,180,pv,x\nr2"
    )
    refused = shared_world.client.post(
        "/api/v1/models/energy/pv/city",
        files={"roofs": ("roofs.csv", bad.encode(), "text/csv")},
        headers=shared_world.headers(ANALYST),
    )
    assert refused.status_code == 422
    cells = {(d["row"], d["column"]) for d in refused.json()["error"]["details"]}
    assert cells == {(1, "usable_fraction"), (1, "mounting"), (1, "module")}
    assert _uploads_left(shared_world) == []
    neither = shared_world.client.post("/api/v1/models/energy/pv/city", headers=shared_world.headers(ANALYST))
    assert neither.status_code == 422 and neither.json()["error"]["details"][0]["location"] == ["body", "roofs"]


def test_city_pv_demo_job(shared_world: World) -> None:
    accepted = shared_world.client.post(
        "/api/v1/models/energy/pv/city", data={"demo": "true"}, headers=shared_world.headers("alpha_admin")
    )
    assert accepted.status_code == 202, accepted.text
    done = _wait(shared_world, accepted.json()["id"])
    assert done["status"] == "succeeded", done["error"]
    result = done["result"]
    assert result["source"] == "Demo City" and all(row["name"] for row in result["breakdown"])
    totals = result["totals"]
    assert totals["tco2_per_year"] == pytest.approx(totals["mwh_per_year"] * GRID_JS, rel=EXACT)


# ---------------------------------------------------------------------------- CASA on uploaded rasters
def _tif(value: float) -> bytes:
    """A 2 x 2 float32 GeoTIFF of 30 m pixels in WGS 84 / UTM 50N (x 500000-500060, y 3500000-3500060)."""
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin

    profile = {
        "driver": "GTiff",
        "width": 2,
        "height": 2,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:32650",
        "transform": from_origin(500000, 3500060, 30, 30),
    }
    with MemoryFile() as memory:
        with memory.open(**profile) as dst:
            dst.write(np.full((1, 2, 2), value, dtype=np.float32))
        data: bytes = memory.read()
    return data


def _districts() -> bytes:
    def square(x0: float, x1: float) -> dict:
        ring = [[x0, 3499990], [x1, 3499990], [x1, 3500070], [x0, 3500070], [x0, 3499990]]
        return {"type": "Polygon", "coordinates": [ring]}

    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:32650"}},
        "features": [
            {"type": "Feature", "properties": {"code": "W", "name": "West"}, "geometry": square(499990, 500030)},
            {"type": "Feature", "properties": {"code": "E", "name": "East"}, "geometry": square(500030, 500070)},
        ],
    }
    return json.dumps(doc).encode()


def _rasters(year: int = 2024, skip: str | None = None) -> list[tuple[str, tuple[str, bytes, str]]]:
    values = {"ndvi": 0.75, "tmean": 0.0, "prec": 0.0, "srad": 100.0}
    tifs = {k: _tif(v) for k, v in values.items()}
    return [
        ("rasters", (f"{var}_{year}{month:02d}.tif", tifs[var], "image/tiff"))
        for var in values
        for month in range(1, 13)
        if f"{var}_{year}{month:02d}" != skip
    ]


def test_vegetation_job_by_hand(shared_world: World) -> None:
    files = [*_rasters(), ("districts", ("districts.geojson", _districts(), "application/geo+json"))]
    accepted = shared_world.client.post(
        "/api/v1/models/sinks/vegetation", files=files, data={"years": "2024"}, headers=shared_world.headers(ANALYST)
    )
    assert accepted.status_code == 202, accepted.text
    done = _wait(shared_world, accepted.json()["id"])
    assert done["status"] == "succeeded", done["error"]
    rows = {row["district"]: row for row in done["result"]["rows"]}
    # NDVI 0.75 = NDVI_max: FPAR = FPAR_max = 0.95 (Zhu et al. 2007). T = 0 degC every month: T_opt = 0,
    # T_eps1 = 0.8, T_eps2 = 1.1814 / (1 + e^-2) / (1 + e^-3) (Potter et al. 1993); Thornthwaite PET = 0,
    # so W_eps = 1. NPP = 12 x 100 MJ x 0.95 x 0.5 x 0.8 x T_eps2 x 0.389 g C/MJ [g C m-2 yr-1].
    t_eps2 = 1.1814 / (1 + math.exp(-2.0)) / (1 + math.exp(-3.0))
    npp = 12 * 100 * 0.95 * 0.5 * 0.8 * t_eps2 * 0.389
    # Rh = 0.22 (e^0 + ln 1) x 30 x 0.465 per month with no rain (Pei et al. 2009).
    rh = 12 * 0.22 * 30 * 0.465
    assert set(rows) == {"W", "E"}
    for code, name in (("W", "West"), ("E", "East")):
        row = rows[code]
        assert row["name"] == name and row["pixels"] == 2 and row["area_ha"] == pytest.approx(0.18)
        assert row["npp_gc_m2"] == pytest.approx(npp, rel=FLOAT32)
        assert row["npp_tc"] == pytest.approx(npp * 1800 / 1e6, rel=FLOAT32)  # 2 pixels of 900 m2, g -> t
        assert row["rh_tc"] == pytest.approx(rh * 1800 / 1e6, rel=FLOAT32)
        assert row["co2_t"] == pytest.approx((npp - rh) * 1800 / 1e6 * 44 / 12, rel=FLOAT32)
    assert _uploads_left(shared_world) == []


def test_vegetation_refuses_bad_uploads(shared_world: World) -> None:
    incomplete = shared_world.client.post(
        "/api/v1/models/sinks/vegetation", files=_rasters(skip="srad_202407"), headers=shared_world.headers(ANALYST)
    )
    assert incomplete.status_code == 422
    error = incomplete.json()["error"]
    assert "srad_202407" in error["message"] and error["details"][0]["location"] == ["body", "rasters"]
    assert "uploads/" not in error["message"] and str(shared_world.settings.data_dir) not in error["message"]
    named = shared_world.client.post(
        "/api/v1/models/sinks/vegetation",
        files=[("rasters", ("ndvi_2024.tif", _tif(0.5), "image/tiff"))],
        headers=shared_world.headers(ANALYST),
    )
    assert named.status_code == 422 and "ndvi_2024.tif" in named.json()["error"]["message"]
    year = shared_world.client.post(
        "/api/v1/models/sinks/vegetation",
        files=_rasters(),
        data={"years": "2023"},
        headers=shared_world.headers(ANALYST),
    )
    assert year.status_code == 422 and year.json()["error"]["details"][0]["location"] == ["body", "years"]
    assert _uploads_left(shared_world) == []


def test_vegetation_demo_job(shared_world: World) -> None:
    accepted = shared_world.client.post(
        "/api/v1/models/sinks/vegetation", data={"demo": "true", "years": "2024"}, headers=shared_world.headers(ANALYST)
    )
    assert accepted.status_code == 202, accepted.text
    done = _wait(shared_world, accepted.json()["id"])
    assert done["status"] == "succeeded", done["error"]
    rows = done["result"]["rows"]
    assert {r["year"] for r in rows} == {2024} and done["result"]["crs"] == "EPSG:32650"
    for r in rows:
        if r["pixels"]:
            assert r["co2_t"] == pytest.approx(r["nep_tc"] * 44 / 12, rel=EXACT)
            assert r["area_ha"] == pytest.approx(r["pixels"] * 900 / 1e4, rel=EXACT)


# ---------------------------------------------------------------------------- actions from YAML specifications
#: GB/T 51366-2019 Table D.0.1: C30 concrete 295 kg CO2e/m3, steel rebar 2340 kg CO2e/t;
#: Table E.0.1: heavy diesel truck (10 t) 0.162 kg CO2e/(t km).
LIFECYCLE = """name: Test block
floor_area_m2: 1000
life_years: 50
materials:
  - material: concrete_c30
    quantity: 1000
    unit: m3
    mass_t: 2400
    distance_km: 40
    transport_mode: truck_diesel_heavy_10t
  - {material: steel_rebar, quantity: 100, unit: t}
"""


def test_building_lifecycle_by_hand(shared_world: World) -> None:
    response = shared_world.client.post(
        "/api/v1/models/actions/buildings/lifecycle",
        json={"lifecycle_yaml": LIFECYCLE},
        headers=shared_world.headers(ANALYST),
    )
    assert response.status_code == 200, response.text
    doc = response.json()
    stages = {s["stage"]: s["tco2e"] for s in doc["stages"]}
    materials = (1000 * 295 + 100 * 2340) / 1000  # 529 t
    transport = 2400 * 40 * 0.162 / 1000  # 15.552 t
    assert stages["materials"] == pytest.approx(materials, rel=EXACT)
    assert stages["transport"] == pytest.approx(transport, rel=EXACT)
    assert doc["total_kgco2e_per_m2"] == pytest.approx((materials + transport) * 1000 / 1000, rel=EXACT)
    # A replacement catalogue (JSON rows) prices concrete at 300 kg/m3; the same document as JSON.
    spec = {"floor_area_m2": 1000, "materials": [{"material": "concrete_c30", "quantity": 1000, "unit": "m3"}]}
    catalogue = [{"material": "concrete_c30", "unit": "m3", "kgco2e_per_unit": 300}]
    own = shared_world.client.post(
        "/api/v1/models/actions/buildings/lifecycle",
        json={"lifecycle": spec, "materials_catalogue": catalogue},
        headers=shared_world.headers(ANALYST),
    )
    assert own.status_code == 200, own.text
    assert {s["stage"]: s["tco2e"] for s in own.json()["stages"]}["materials"] == pytest.approx(300.0, rel=EXACT)
    # Errors: a field breaking the schema (with its YAML line), a file path, an unknown material.
    bad = shared_world.client.post(
        "/api/v1/models/actions/buildings/lifecycle",
        json={"lifecycle_yaml": LIFECYCLE.replace("floor_area_m2: 1000", "floor_area_m2: -5")},
        headers=shared_world.headers(ANALYST),
    )
    assert bad.status_code == 422
    (detail,) = bad.json()["error"]["details"]
    assert detail["location"] == ["body", "lifecycle_yaml", "floor_area_m2"] and detail["line"] == 2
    path = shared_world.client.post(
        "/api/v1/models/actions/buildings/lifecycle",
        json={"lifecycle": {"floor_area_m2": 10, "materials": "/etc/passwd"}},
        headers=shared_world.headers(ANALYST),
    )
    assert path.status_code == 422 and "command line" in path.json()["error"]["message"]
    unknown = shared_world.client.post(
        "/api/v1/models/actions/buildings/lifecycle",
        json={"lifecycle": {"floor_area_m2": 10, "materials": [{"material": "unobtainium", "quantity": 1}]}},
        headers=shared_world.headers(ANALYST),
    )
    assert unknown.status_code == 422 and "unobtainium" in unknown.json()["error"]["message"]


#: Gasoline: NCV 43.070 GJ/t (GB/T 2589-2020 Appendix A), 18.90 tC/TJ, 98 % oxidised (NDRC 2013);
#: CH4 33 and N2O 3.2 kg/TJ (IPCC 2006 Vol. 2 Table 3.2.2); AR5 GWP 28 and 265; density 0.7475 kg/L.
EF_GASOLINE = 43.070e-6 * (18.90 * 0.98 * 44 / 12 + 33e-3 * 28 + 3.2e-3 * 265)  # t CO2e/kg
CAR_KG = 1000 * 12_000 * 7.5 / 100 * 0.7475


def test_ev_transition_by_hand(shared_world: World) -> None:
    stock = [{"vehicle_type": "car", "fuel": "gasoline", "count": 1000, "km_per_year": 12_000, "consumption": 7.5,
              "consumption_unit": "L/100km"}]  # fmt: skip
    scenario = "years: [2025]\nev_share: [0.5]\ngrid_factor_t_per_mwh: [0.5]\nev_kwh_per_100km: {car: 15}\n"
    body = {"rows": stock, "scenario_yaml": scenario, "region": "CN-JS", "year": 2024}
    response = shared_world.client.post(
        "/api/v1/models/actions/transport/ev", json=body, headers=shared_world.headers(ANALYST)
    )
    assert response.status_code == 200, response.text
    (year,) = response.json()["years"]
    # Half the car-km electric: fossil 0.5 x 672,750 kg x EF; electric 0.5 x 1000 x 12,000 x 15 / 100 kWh x 0.5 t/MWh.
    assert year["fossil_tco2e"] == pytest.approx(0.5 * CAR_KG * EF_GASOLINE, rel=FACTORS)
    assert year["electric_tco2e"] == pytest.approx(0.5 * 1_800_000 / 1000 * 0.5, rel=EXACT)  # 450 t
    assert year["baseline_tco2e"] == pytest.approx(CAR_KG * EF_GASOLINE, rel=FACTORS)
    bad = shared_world.client.post(
        "/api/v1/models/actions/transport/ev",
        json={**body, "scenario_yaml": scenario.replace("[0.5]\ngrid", "[1.5]\ngrid")},
        headers=shared_world.headers(ANALYST),
    )
    assert bad.status_code == 422
    (detail,) = bad.json()["error"]["details"]
    assert detail["location"] == ["body", "scenario_yaml"] and "ev_share" in detail["message"]
    no_bus = shared_world.client.post(
        "/api/v1/models/actions/transport/ev",
        json={**body, "rows": [*stock, {**stock[0], "vehicle_type": "bus", "fuel": "diesel"}]},
        headers=shared_world.headers(ANALYST),
    )
    assert no_bus.status_code == 422 and "'bus'" in no_bus.json()["error"]["message"]


#: An improvement path with one PUE value for two years.
SHORT_PUE = "datacentre: {it_load_kw: 10, pue: 1.2}\nyears: [2024, 2025]\npue: [1.2]\ngreen_share: [0, 0]\n"


def test_datacentre_scenario_by_hand(shared_world: World) -> None:
    scenario = {
        "datacentre": {
            "name": "Test DC",
            "it_load_kw": 1000,
            "pue": 1.5,
            "new": True,
            "size": "large",
            "region": "CN-JS",
        },
        "years": [2024, 2026],
        "pue": [1.5, 1.3],
        "green_share": [0.0, 0.5],
        "grid_factor_t_per_mwh": [0.6, 0.5],
    }
    response = shared_world.client.post(
        "/api/v1/models/actions/datacentre/scenario", json={"scenario": scenario}, headers=shared_world.headers(ANALYST)
    )
    assert response.status_code == 200, response.text
    doc = response.json()
    years = {row["year"]: row for row in doc["years"]}
    # 1000 kW IT x 8760 h = 8760 MWh; facility = IT x PUE; grid = facility x (1 - green share).
    assert years[2024]["tco2e"] == pytest.approx(8760 * 1.5 * 0.6, rel=EXACT)  # 7,884 t
    assert years[2026]["grid_mwh"] == pytest.approx(8760 * 1.3 * 0.5, rel=EXACT)  # 5,694 MWh
    assert years[2026]["avoided_tco2e"] == pytest.approx(8760 * 1.5 * 0.5 - 8760 * 1.3 * 0.5 * 0.5, rel=EXACT)
    assert doc["name"] == "Test DC"
    bad = shared_world.client.post(
        "/api/v1/models/actions/datacentre/scenario",
        json={"scenario_yaml": SHORT_PUE},
        headers=shared_world.headers(ANALYST),
    )
    assert bad.status_code == 422 and "pue has 1 values for 2 years" in bad.json()["error"]["message"]
    syntax = shared_world.client.post(
        "/api/v1/models/actions/datacentre/scenario",
        json={"scenario_yaml": "years: [2024\npue: 1\n"},
        headers=shared_world.headers(ANALYST),
    )
    assert syntax.status_code == 422 and syntax.json()["error"]["details"][0]["line"] is not None


def test_io_demo_needs_no_upload_json(shared_world: World) -> None:
    """The io endpoints are multipart forms: a plain form with demo=true works without files."""
    response = shared_world.client.post(
        "/api/v1/models/io/footprint", data={"demo": "true"}, headers=shared_world.headers(ANALYST)
    )
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["perspective"] == "consumption"
    identity = doc["identity"]
    assert identity["production_minus_exports_plus_imports"] == pytest.approx(identity["consumption"], rel=1e-9)


def test_scenario_report_shows_the_wedges_and_assumptions(world) -> None:
    """The report's wedge total equals BAU minus policy from the wedges endpoint (wedges add up to the
    difference, docs/brain.md) and its 2024 population is Demo City's statistic."""
    import io

    from openpyxl import load_workbook

    from zerocity.demo import build_demo_city

    h = world.headers("alpha_analyst")
    body = {"demo": True, "start": "BAU", "end": "policy", "format": "xlsx"}
    made = world.client.post("/api/v1/models/scenario/report", json=body, headers=h)
    assert made.status_code == 200, made.text
    assert 'filename="scenario-report-en.xlsx"' in made.headers["content-disposition"]
    wedges = world.client.post(
        "/api/v1/models/scenario/wedges", json={"demo": True, "start": "BAU", "end": "policy"}, headers=h
    ).json()
    gap = {y: wedges["from_tco2e"][y] - wedges["to_tco2e"][y] for y in wedges["from_tco2e"]}
    rows = [r for ws in load_workbook(io.BytesIO(made.content)).worksheets for r in ws.iter_rows(values_only=True)]
    total = next(r for r in rows if r[0] == "Total")
    assert any(isinstance(v, float) and v == pytest.approx(gap["2030"], rel=1e-9) for v in total), (total, gap["2030"])
    population = next(r for r in rows if r[0] == "population")
    stats = build_demo_city().statistics.set_index("year")
    assert population[2] == pytest.approx(float(stats.at[2024, "population"]), rel=1e-12)
    pdf = world.client.post("/api/v1/models/scenario/report", json={"demo": True, "lang": "zh"}, headers=h)
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    for bad in ({"demo": True, "start": "BAU"}, {"demo": True, "end": "nope"}, {"demo": True, "format": "doc"}):
        refused = world.client.post("/api/v1/models/scenario/report", json=bad, headers=h)
        assert refused.status_code == 422, (bad, refused.text)
