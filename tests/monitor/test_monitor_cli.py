"""``zerocity monitor`` commands end to end on a SQLite file (grid factor 0.5306 t CO2/MWh,
``CN-MEENBS-2025-47-2023-CN-CO2``)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zerocity.cli_monitor import monitor_app

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(monitor_app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_import_ingest_rollup_live_warnings(tmp_path) -> None:
    url = f"sqlite:///{(tmp_path / 'm.sqlite').as_posix()}"
    meters = tmp_path / "meters.csv"
    meters.write_text(
        "meter_id,entity,district,sector,gpc_ref,carrier,unit,interval_s,region\n"
        "e1,Acme,North,industry,I.3.2,electricity_grid,kWh,900,CN\n"
    )
    readings = tmp_path / "readings.csv"
    readings.write_text(
        "meter_id,ts,value,unit\ne1,2025-03-01T00:00:00Z,400,\ne1,2025-03-01T00:15:00Z,600,\ne1,2025-03-01T01:00:00Z,1,MWh\n"
    )
    assert "1 meter(s) imported" in _run("meters", "import", str(meters), "--database-url", url)
    first = json.loads(_run("ingest", str(readings), "--database-url", url, "--json"))
    again = json.loads(_run("ingest", str(readings), "--database-url", url, "--json"))
    assert first == {"received": 3, "stored": 3, "duplicates": 0}
    assert again == {"received": 3, "stored": 0, "duplicates": 3}
    rows = json.loads(
        _run(
            "rollup",
            "--level",
            "hour",
            "--by",
            "entity",
            "--from",
            "2025-03-01",
            "--to",
            "2025-03-02",
            "--database-url",
            url,
            "--json",
        )
    )
    assert [(r["period_start"], r["quantity"]) for r in rows] == [
        ("2025-03-01T00:00:00+00:00", 1.0),  # 400 + 600 kWh
        ("2025-03-01T01:00:00+00:00", 1.0),
    ]
    assert rows[0]["tco2e"] == pytest.approx(0.5306, rel=1e-12)
    view = json.loads(_run("live", "--database-url", url, "--json"))
    assert view["readings"] == 0  # nothing today
    warnings = json.loads(_run("warnings", "--check", "--database-url", url, "--json"))
    assert [w["kind"] for w in warnings] == ["missing_data"]
    hook = json.loads(_run("webhooks", "add", "https://hooks.example.org/x", "--database-url", url, "--json"))
    assert len(hook["secret"]) == 64
    assert "hooks.example.org/x" in _run("webhooks", "list", "--database-url", url)
    assert "t CO2e" in _run("quota", "set", "Acme", "2025", "100", "--database-url", url)
    assert "0 new warning(s)" in _run("checks", "--rounds", "1", "--database-url", url)  # e1 already warned


def test_cli_invalid_readings_exit_2(tmp_path) -> None:
    url = f"sqlite:///{(tmp_path / 'm.sqlite').as_posix()}"
    readings = tmp_path / "readings.csv"
    readings.write_text("meter_id,ts,value\nnope,2025-03-01T00:00:00Z,1\n")
    result = runner.invoke(monitor_app, ["ingest", str(readings), "--database-url", url])
    assert result.exit_code == 2
    assert "unknown meter" in result.output


def test_cli_bad_quota_kind_exit_2(tmp_path) -> None:
    url = f"sqlite:///{(tmp_path / 'm.sqlite').as_posix()}"
    result = runner.invoke(monitor_app, ["quota", "set", "Acme", "2025", "5", "--kind", "water", "--database-url", url])
    assert result.exit_code == 2
    assert "quota kind" in result.output
