"""CLI contract tests: `zerocity inventory compute --json`, exit codes, convert, explain, diff.

Expected numbers are worked by hand from IPCC 2006 Vol. 2 (Table 1.4: natural gas CO2 56,100
kg/TJ; Table 2.5: residential natural gas CH4 5 kg/TJ, N2O 0.1 kg/TJ), AR5 GWPs (CH4 28, N2O 265,
IPCC AR5 WG1 Table 8.A.1) and GB/T 2589-2020 Appendix A (raw coal 0.7143 kgce/kg).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zerocity.cli import app

REL = 1e-9  # pure arithmetic on exact decimal inputs
runner = CliRunner()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def records_csv(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "records.csv",
        "record_id,year,gpc_ref,activity,amount,unit,ef_co2,ef_unit,notation\n"
        "gas,2022,I.1.1,natural_gas,2,TJ,,,\n"
        "power,2022,I.1.2,electricity_grid,100,MWh,0.5,t/MWh,\n"
        "landfill,2022,III.1.1,,,,,,NE\n",
    )


def test_compute_json_contract(records_csv: Path) -> None:
    res = runner.invoke(app, ["inventory", "compute", str(records_csv), "--json", "--gwp", "AR5", "--region", "GLOBAL"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    for key in ("gwp", "total_tco2e", "by_gas", "by_scope", "by_sector", "basic_tco2e", "basic_plus_tco2e", "records"):
        assert key in doc
    gas_t = 2 * (56.1 + 0.005 * 28 + 0.0001 * 265)  # 2 TJ, tCO2e
    assert doc["gwp"] == "AR5"
    assert doc["total_tco2e"] == pytest.approx(gas_t + 50.0, rel=REL)
    assert doc["by_gas"]["CO2"] == pytest.approx(2 * 56.1 + 50.0, rel=REL)
    assert doc["by_gas"]["CH4"] == pytest.approx(0.010, rel=REL)
    assert doc["by_scope"]["2"] == pytest.approx(50.0, rel=REL)
    rows = {r["record_id"]: r for r in doc["records"]}
    assert rows["gas"]["row"] == 1
    assert rows["gas"]["tco2e"] == pytest.approx(gas_t, rel=REL)
    assert rows["gas"]["gases"]["N2O"] == pytest.approx(0.0002, rel=REL)
    assert "IPCC2006-V2-T2.5-natural_gas-CH4" in rows["gas"]["factor_ids"]
    assert rows["power"]["factor_ids"] == ["row"]
    assert rows["landfill"]["notation"] == "NE"
    assert doc["by_gpc_ref"]["III.1.1"]["notation"] == ["NE"]


def test_invalid_input_exits_nonzero_with_report(tmp_path: Path) -> None:
    bad = _write(
        tmp_path / "bad.csv",
        "year,gpc_ref,activity,amount,unit\n2022,I.1.1,natural_gas,-5,m3\n2022,I.9.9,unobtainium,1,parsecs\n",
    )
    res = runner.invoke(app, ["inventory", "compute", str(bad), "--json"])
    assert res.exit_code == 2
    assert res.stdout == ""
    report = res.stderr
    assert "row 1, column 'amount'" in report
    assert "row 2, column 'gpc_ref'" in report
    assert "row 2, column 'activity'" in report
    assert "row 2, column 'unit'" in report


def test_dry_run_validates_only(records_csv: Path) -> None:
    res = runner.invoke(app, ["inventory", "validate", str(records_csv), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {"valid": True, "rows": 3, "file": str(records_csv)}


def test_column_mapping(tmp_path: Path) -> None:
    f = _write(tmp_path / "m.csv", "年份,编号,燃料,用量,单位\n2022,I.1.1,natural_gas,1,TJ\n")
    res = runner.invoke(
        app,
        [
            "inventory",
            "compute",
            str(f),
            "--json",
            "--region",
            "GLOBAL",
            "--map",
            "年份=year",
            "--map",
            "编号=gpc_ref",
            "--map",
            "燃料=activity",
            "--map",
            "用量=amount",
            "--map",
            "单位=unit",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["total_tco2e"] == pytest.approx(56.1 + 0.14 + 0.0265, rel=REL)


def test_convert_raw_coal_to_tce() -> None:
    res = runner.invoke(app, ["convert", "1", "t", "tce", "--activity", "raw_coal", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["result"] == pytest.approx(0.7143, rel=REL)
    assert doc["factor"]["parameter"] == "coal_coefficient"


def test_convert_units_and_errors() -> None:
    res = runner.invoke(app, ["convert", "1", "tce", "GJ", "--json"])
    assert json.loads(res.stdout)["result"] == pytest.approx(29.3076, rel=REL)
    res = runner.invoke(app, ["convert", "1", "t", "GJ"])
    assert res.exit_code == 2
    assert "--activity" in res.stderr
    res = runner.invoke(app, ["convert", "1", "bogons", "GJ"])
    assert res.exit_code == 2
    assert "'bogons'" in res.stderr


def test_factors_explain_names_the_winner() -> None:
    res = runner.invoke(
        app,
        [
            "factors",
            "explain",
            "--activity",
            "natural_gas",
            "--gas",
            "CH4",
            "--gpc-ref",
            "I.1.1",
            "--region",
            "GLOBAL",
            "--year",
            "2022",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["winner"] == "IPCC2006-V2-T2.5-natural_gas-CH4"
    losers = [c for c in doc["candidates"] if not c["eligible"]]
    assert any("I.4" in c["reason"] for c in losers)


def test_factors_list_and_show() -> None:
    res = runner.invoke(app, ["factors", "list", "--activity", "natural_gas", "--gas", "CO2", "--json"])
    ids = {r["factor_id"] for r in json.loads(res.stdout)}
    assert "IPCC2006-V2-T1.4-natural_gas-CO2" in ids
    res = runner.invoke(app, ["factors", "show", "IPCC2006-V2-T1.4-natural_gas-CO2", "--json"])
    assert json.loads(res.stdout)["value"] == 56100
    res = runner.invoke(app, ["factors", "show", "NOPE"])
    assert res.exit_code != 0
    assert "NOPE" in res.stderr


def test_diff_attributes_gwp_and_activity(tmp_path: Path, records_csv: Path) -> None:
    def compute(path: Path, gwp: str) -> Path:
        res = runner.invoke(app, ["inventory", "compute", str(path), "--json", "--gwp", gwp, "--region", "GLOBAL"])
        assert res.exit_code == 0, res.output
        out = tmp_path / f"{path.stem}-{gwp}.json"
        out.write_text(res.stdout, encoding="utf-8")
        return out

    old = compute(records_csv, "AR5")
    new_gwp = compute(records_csv, "AR4")
    res = runner.invoke(app, ["inventory", "diff", str(old), str(new_gwp), "--json"])
    d = json.loads(res.stdout)
    # AR4 - AR5 for 2 TJ of residential gas: CH4 0.010 t x (25 - 28), N2O 0.0002 t x (298 - 265).
    assert d["by_cause"]["gwp"] == pytest.approx(0.010 * -3 + 0.0002 * 33, rel=1e-6)
    assert {r["record_id"]: r["cause"] for r in d["records"]} == {"gas": "gwp"}
    changed = _write(tmp_path / "changed.csv", records_csv.read_text().replace("natural_gas,2,TJ", "natural_gas,3,TJ"))
    res = runner.invoke(app, ["inventory", "diff", str(old), str(compute(changed, "AR5")), "--json"])
    d = json.loads(res.stdout)
    assert d["by_cause"]["activity"] == pytest.approx(56.1 + 0.14 + 0.0265, rel=1e-9)


def test_cems_command_integrates_and_feeds_the_inventory(tmp_path: Path) -> None:
    readings = _write(
        tmp_path / "cems.csv",
        "timestamp,flow_m3_h,temperature_c,pressure_kpa,moisture_pct,co2_pct\n"
        "2024-03-01T00:00:00,100000,150,100,10,12\n"
        "2024-03-01T01:00:00,100000,150,100,10,12\n",
    )
    rows = tmp_path / "rows.csv"
    res = runner.invoke(app, ["inventory", "cems", str(readings), "--interval", "1h", "--records", str(rows), "--json"])
    assert res.exit_code == 0, res.output
    # Hand calculation (HJ 75-2017 standard dry flow; ideal-gas CO2 density 44.0095 g/mol / 22.41397 L/mol):
    dry_flow = 100000 * 273.15 / (273.15 + 150) * 100 / 101.325 * (1 - 0.10)  # Nm3/h
    density = 44.0095 / 22.41396954  # kg/Nm3
    expected_t = 2 * 0.12 * dry_flow * density / 1000  # two hours
    assert json.loads(res.stdout)["total_co2_t"] == pytest.approx(expected_t, rel=1e-6)
    res = runner.invoke(app, ["inventory", "compute", str(rows), "--json", "--region", "GLOBAL"])
    assert json.loads(res.stdout)["by_gas"]["CO2"] == pytest.approx(expected_t, rel=1e-6)


def test_save_list_show_and_stored_factor_set(
    tmp_path: Path, records_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ZEROCITY_DATABASE_URL", raising=False)
    # A user factor set that overrides the residential CH4 factor of natural gas (10 kg/TJ).
    factors = _write(
        tmp_path / "city.csv",
        "factor_id,parameter,activity,gas,value,unit,region,sector,source_publisher,source_document,"
        "source_table,source_year\n"
        "CITY-NG-CH4,ef,natural_gas,CH4,10,kg/TJ,GLOBAL,I.1,City,Boiler tests,Table 1,2023\n",
    )
    res = runner.invoke(app, ["factors", "import", str(factors), "--name", "city", "--version", "2023"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["factors", "import", str(factors), "--name", "city", "--version", "2023"])
    assert res.exit_code != 0  # the same name and version cannot be stored twice
    res = runner.invoke(
        app,
        [
            "inventory",
            "compute",
            str(records_csv),
            "--json",
            "--region",
            "GLOBAL",
            "--factor-set",
            "city",
            "--save",
            "test run",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    # 2 TJ x 10 kg/TJ = 0.020 t CH4 (the user's factor wins over IPCC Table 2.5's 5 kg/TJ).
    assert doc["by_gas"]["CH4"] == pytest.approx(0.020, rel=REL)
    inv_id = doc["inventory_id"]
    listed = json.loads(runner.invoke(app, ["inventory", "list", "--json"]).stdout)
    assert [(r["id"], r["name"]) for r in listed] == [(inv_id, "test run")]
    shown = json.loads(runner.invoke(app, ["inventory", "show", str(inv_id), "--json"]).stdout)
    assert shown["total_tco2e"] == pytest.approx(doc["total_tco2e"], rel=REL)
    assert {r["record_id"] for r in shown["records"]} == {"gas", "power", "landfill"}


def test_montecarlo_is_seeded(records_csv: Path) -> None:
    def run(seed: str) -> dict:
        res = runner.invoke(
            app,
            [
                "inventory",
                "compute",
                str(records_csv),
                "--json",
                "--region",
                "GLOBAL",
                "--uncertainty",
                "montecarlo",
                "--runs",
                "2000",
                "--seed",
                seed,
            ],
        )
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)["uncertainty"]

    a, b, c = run("7"), run("7"), run("8")
    assert a == b
    assert a["lower_tco2e"] != c["lower_tco2e"]
    assert a["lower_tco2e"] < a["total_tco2e"] < a["upper_tco2e"]


def test_demo_json_contract() -> None:
    res = runner.invoke(app, ["demo", "--json"])
    assert res.exit_code == 0, res.output
    years = json.loads(res.stdout)
    assert [y["year"] for y in years] == list(range(2010, 2025))
    for y in years:
        assert {"year", "total_tco2e", "population", "gdp", "by_sector", "by_scope"} <= set(y)
        assert sum(y["by_scope"].values()) == pytest.approx(y["total_tco2e"], rel=1e-9)
        assert sum(y["by_sector"].values()) == pytest.approx(y["total_tco2e"], rel=1e-9)
        assert 3e6 < y["population"] < 7e6
