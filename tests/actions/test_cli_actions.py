"""``zerocity actions`` commands through a local typer app (JSON output and error exits)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from zerocity.cli_actions import actions_app

DATA = Path(__file__).resolve().parents[1] / "data" / "actions"
EF_EL = 0.5827  # t CO2/MWh, Jiangsu 2023 (MEE & NBS 2025 No. 47)


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(actions_app, name="actions")
    return app


def _json(args: list[str]) -> dict:
    result = CliRunner().invoke(_cli(), ["actions", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_benchmark_json():
    d = _json(["buildings", "benchmark", str(DATA / "buildings.csv"), "--region", "CN-JS"])
    assert [b["building_id"] for b in d["buildings"]] == ["B1", "B2", "B3", "B4", "B5"]
    assert d["buildings"][0]["ratio"] == pytest.approx(90 / 85)
    assert d["summary"]["by_grade"]["exceeds_constraint"] == 1


def test_benchmark_demo_json_and_table():
    d = _json(["buildings", "benchmark", "--demo"])
    assert d["region"] == "CN-JS" and d["summary"]["buildings"] == 600
    result = CliRunner().invoke(_cli(), ["actions", "buildings", "benchmark", "--demo", "--top", "3"])
    assert result.exit_code == 0 and "worst first" in result.stdout


def test_benchmark_bad_file_exit_2_with_rows():
    result = CliRunner().invoke(_cli(), ["actions", "buildings", "benchmark", str(DATA / "buildings_bad.csv")])
    assert result.exit_code == 2
    assert "row 2, column 'floor_area_m2'" in result.stderr
    assert "row 3, column 'climate_zone'" in result.stderr
    missing = CliRunner().invoke(_cli(), ["actions", "buildings", "benchmark"])
    assert missing.exit_code == 2 and "--demo" in missing.stderr


def test_lifecycle_json():
    d = _json(["buildings", "lifecycle", str(DATA / "lifecycle.yaml")])
    stages = {s["stage"]: s["tco2e"] for s in d["stages"]}
    assert stages["materials"] == pytest.approx(540.3)
    assert stages["operation"] == pytest.approx(900 * EF_EL * 50)
    assert d["total_tco2e"] == pytest.approx(sum(stages.values()))


def test_lifecycle_bad_yaml_exit_2():
    result = CliRunner().invoke(_cli(), ["actions", "buildings", "lifecycle", str(DATA / "lifecycle_schema_bad.yaml")])
    assert result.exit_code == 2 and "floor_area_m2" in result.stderr


def test_retrofit_json():
    d = _json(
        [
            "buildings",
            "retrofit",
            str(DATA / "retrofit_building.csv"),
            "--measures",
            str(DATA / "measures.yaml"),
            "--region",
            "CN-JS",
        ]
    )
    plan = {p["building_id"]: p for p in d["plans"]}
    assert [m["measure"] for m in plan["R1"]["measures"]] == ["vsd", "led"]
    assert plan["R1"]["reduction_tco2e"] == pytest.approx(135.2 * EF_EL)  # 135,200 kWh
    one = _json(["buildings", "retrofit", "--demo", "--building", "PB0001"])
    assert [p["building_id"] for p in one["plans"]] == ["PB0001"]
    bad = CliRunner().invoke(_cli(), ["actions", "buildings", "retrofit", "--demo", "--building", "NOPE"])
    assert bad.exit_code == 2 and "NOPE" in bad.stderr


def test_transport_stock_trips_json():
    d = _json(["transport", "stock", str(DATA / "stock.csv"), "--region", "CN-JS"])
    assert {r["fuel"] for r in d["by_fuel"]} == {"gasoline", "electricity", "diesel"}
    ev = next(r for r in d["by_fuel"] if r["fuel"] == "electricity")
    assert ev["tco2e"] == pytest.approx(360 * EF_EL)
    t = _json(["transport", "trips", str(DATA / "trips.csv"), "--region", "CN-JS"])
    assert t["modes"][0]["tco2e"] == pytest.approx(3000.0)
    bad = CliRunner().invoke(_cli(), ["actions", "transport", "stock", str(DATA / "stock_bad.csv")])
    assert bad.exit_code == 2 and "row 1, column 'fuel'" in bad.stderr


def test_transport_ev_and_charging_json():
    d = _json(
        [
            "transport",
            "ev",
            str(DATA / "stock.csv"),
            "--scenario",
            str(DATA / "ev.yaml"),
            "--shape",
            str(DATA / "shape_flat.csv"),
        ]
    )
    assert [y["year"] for y in d["years"]] == [2025, 2030]
    assert d["years"][1]["total_tco2e"] == pytest.approx(1548.0)
    assert d["charging_profile_last_year"][0]["mwh"] == pytest.approx(5160 / 365 / 24)
    c = _json(["transport", "charging", "--annual-mwh", "8760", "--shape", str(DATA / "shape_flat.csv")])
    assert [h["mw"] for h in c["hours"]] == pytest.approx([1.0] * 24)
    bad = CliRunner().invoke(
        _cli(), ["actions", "transport", "ev", str(DATA / "stock.csv"), "--scenario", str(DATA / "ev_bad.yaml")]
    )
    assert bad.exit_code == 2 and "ev_share" in bad.stderr


def test_datacentre_json():
    d = _json(
        ["datacentre", "assess", "--config", str(DATA / "datacentre.yaml"), "--grid-factor", "0.5", "--target", "1.45"]
    )
    assert d["energy_mwh"]["grid"] == pytest.approx(9198.0)
    assert d["tco2e"] == pytest.approx(4599.0)
    user = next(t for t in d["targets"] if t["id"] == "user_1")
    assert user["meets"] and user["applies"]
    opts = _json(
        ["datacentre", "assess", "--it-load-kw", "1000", "--pue", "1.2", "--region", "CN-JS", "--year", "2024"]
    )
    assert opts["tco2e"] == pytest.approx(8760 * 1.2 * EF_EL)
    s = _json(["datacentre", "scenario", str(DATA / "dc_scenario.yaml")])
    assert s["years"][1]["tco2e"] == pytest.approx(2847.0)
    bad = CliRunner().invoke(_cli(), ["actions", "datacentre", "assess", "--it-load-kw", "1000"])
    assert bad.exit_code == 2 and "give pue" in bad.stderr
