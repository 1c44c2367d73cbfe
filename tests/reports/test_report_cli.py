"""``zerocity report ...``: files written from the Demo City and from files, clear errors with exit status 2."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
import typer
from report_helpers import pdf_text, sheet_pairs
from typer.testing import CliRunner

from zerocity.cli_reports import report_app

# The lead registers report_app in cli.py; the tests mount it on an app of their own.
app = typer.Typer()
app.add_typer(report_app, name="report")
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["report", *args])


def _records(tmp_path):
    path = tmp_path / "records.csv"
    pd.DataFrame(
        [
            dict(year=2022, gpc_ref="I.1.1", activity="natural_gas", amount=1, unit="TJ"),
            dict(year=2023, gpc_ref="I.1.1", activity="natural_gas", amount=2, unit="TJ"),
        ]
    ).to_csv(path, index=False)
    return path


def test_inventory_from_a_file_picks_the_latest_year(tmp_path):
    out = tmp_path / "inv.xlsx"
    result = invoke("inventory", str(_records(tmp_path)), "--out", str(out), "--region", "GLOBAL", "--city", "X")
    assert result.exit_code == 0, result.output
    summary = sheet_pairs(openpyxl.load_workbook(out)["Summary"])
    # 2 TJ of natural gas in 2023: 2 x 56.2665 tCO2e (see test_report_inventory).
    assert summary["BASIC [tCO2e]"] == pytest.approx(2 * (56.1 + 0.005 * 28 + 0.0001 * 265))
    assert sheet_pairs(openpyxl.load_workbook(out)["Cover"])["Inventory year"] == "2023"


def test_demo_inventory_pdf_in_chinese(tmp_path):
    out = tmp_path / "demo.pdf"
    result = invoke("inventory", "--demo", "--out", str(out), "--lang", "zh", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    assert "示范市" in text and "2026年11月26日" in text and "人均排放" in text


def test_demo_enterprise_and_scenario(tmp_path):
    ent = tmp_path / "ent.xlsx"
    assert invoke("enterprise", "--demo", "--out", str(ent)).exit_code == 0
    cover = sheet_pairs(openpyxl.load_workbook(ent)["Cover"])
    assert cover["Account period"] == "2024" and cover["Enterprise"].startswith("Demo City")
    scn = tmp_path / "scn.xlsx"
    result = invoke("scenario", "--demo", "--to", "policy", "--out", str(scn), "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert "Wedges" in openpyxl.load_workbook(scn).sheetnames


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inventory", "--demo", "--out", "{tmp}/x.pdf", "--lang", "fr"], "unknown language 'fr'"),
        (["inventory", "--demo", "--out", "{tmp}/x.docx"], "unknown report format 'docx'"),
        (["inventory", "--demo", "--out", "{tmp}/x", "--format", "html"], "unknown report format 'html'"),
        (["inventory", "--out", "{tmp}/x.pdf"], "give a records file or --demo"),
        (["inventory", "--demo", "--out", "{tmp}/missing/x.pdf"], "does not exist"),
        (["inventory", "--demo", "--out", "{tmp}/x.pdf", "--date", "26/11/2026"], "expected YYYY-MM-DD"),
        (["enterprise", "--out", "{tmp}/x.pdf"], "give --registry and --records, or --demo"),
        (["scenario", "--demo", "--to", "nowhere", "--out", "{tmp}/x.pdf"], "unknown scenario"),
    ],
)
def test_bad_inputs_exit_2_with_a_clear_message(tmp_path, args, message):
    result = invoke(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not list(tmp_path.glob("x*"))
