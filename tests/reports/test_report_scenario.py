"""The scenario report: pathways, peaks, wedges and assumptions of a model small enough to run by hand.

Tiny Town (model below): 1,000 persons x 2 MWh per person of grid electricity x 0.5 t CO2 per
MWh (the model's own factor) = 1,000 t CO2e every year in BAU. The measure ``efficiency`` takes
the intensity linearly from 2 (2024) to 1 MWh per person in 2030: year 2024 + k uses
2 - k/6 MWh per person, so policy emits 500 x (2 - k/6) t and the wedge is 500 k / 6 t:
83.33 t in 2025 ... 500 t in 2030, cumulative 500 x 21 / 6 = 1,750 t. Levelised cost: the
capex of 1,000,000 CNY in 2025 (the measure's first year), discounted at 6 %, over the
discounted abatement.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from report_helpers import find_row, header_row, ink_share, page_image, pdf_text, sheet_rows, table_after

from zerocity.brain.scenario import load_model, run_scenarios, wedges
from zerocity.reports import build_scenario_report, write_report
from zerocity.reports.scenario import milestone_years

MODEL = """\
name: Tiny Town
region: CN
base_year: 2024
end_year: 2030
gwp: AR5
assumptions:
  population: {unit: person, value: 1000, source: "test: a round number"}
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
    description: Half the electricity per person by 2030
    overrides:
      - {variable: demand.homes.intensity.electricity, from: 2025, interp: {2030: 1}}
    cost: {capex: 1000000, opex_per_year: 0, currency: CNY}
scenarios:
  BAU: {description: Nothing changes}
  policy: {parent: BAU, measures: [efficiency]}
"""

WEDGE = {2024 + k: 500 * k / 6 for k in range(7)}
POLICY = {y: 1000 - w for y, w in WEDGE.items()}
DISCOUNTED_ABATEMENT = sum(w / 1.06 ** (y - 2024) for y, w in WEDGE.items())
LCA = (1_000_000 / 1.06) / DISCOUNTED_ABATEMENT


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "tiny.yaml"
    path.write_text(MODEL, encoding="utf-8")
    return load_model(path)


@pytest.fixture(scope="module")
def report_en(model):
    return build_scenario_report(
        run_scenarios(model), wedge=wedges(model, "BAU", "policy"), lang="en", date=dt.date(2026, 11, 26)
    )


@pytest.fixture(scope="module")
def wb(report_en, tmp_path_factory):
    return openpyxl.load_workbook(write_report(report_en, tmp_path_factory.mktemp("scn") / "s.xlsx", "xlsx"))


def test_pathways(wb):
    assert wb.sheetnames == ["Cover", "Pathways", "Wedges", "Assumptions", "Measures"]
    rows = sheet_rows(wb["Pathways"])
    summary = table_after(rows, "Scenario")
    bau, policy = find_row(summary, "BAU"), find_row(summary, "policy")
    assert bau[2] == pytest.approx(1000.0) and bau[3] == pytest.approx(1000.0)
    assert policy[1] == "BAU"
    assert policy[3] == pytest.approx(POLICY[2030])
    assert policy[4] == pytest.approx(-50.0)
    assert policy[5] == "2024"  # the maximum is the base year, before the end: a peak
    i, header = header_row(rows, "Year")
    by_year = {r[0]: r for r in rows[i + 1 :] if r and r[0] in {"2024", "2025", "2030"}}
    assert by_year["2025"][header.index("policy")] == pytest.approx(POLICY[2025])
    assert by_year["2030"][header.index("BAU")] == pytest.approx(1000.0)
    assert len(wb["Pathways"]._charts) == 1


def test_wedges_add_up_and_cost(wb):
    rows = sheet_rows(wb["Wedges"])
    _, header = header_row(rows, "Measure")
    row = find_row(rows, "efficiency")
    assert row[header.index("Avoided in 2030 [tCO2e]")] == pytest.approx(500.0)
    assert row[header.index("Cumulative avoided [tCO2e]")] == pytest.approx(1750.0)
    assert row[header.index("Alone, cumulative [tCO2e]")] == pytest.approx(1750.0)
    assert row[header.index("Levelised cost [CNY per tCO2e]")] == pytest.approx(LCA)
    assert find_row(rows, "Total")[header.index("Cumulative avoided [tCO2e]")] == pytest.approx(1750.0)
    assert len(wb["Wedges"]._charts) == 1


def test_assumptions_and_measures(wb):
    row = find_row(sheet_rows(wb["Assumptions"]), "population")
    assert row[1] == "person" and row[2] == pytest.approx(1000.0)
    assert row[-1] == "test: a round number"
    measure = find_row(sheet_rows(wb["Measures"]), "efficiency")
    assert measure[1] == "Half the electricity per person by 2030"
    assert measure[2] == "policy"
    assert measure[3] == pytest.approx(1_000_000)


def test_pdf_both_languages(model, report_en, tmp_path):
    path = write_report(report_en, tmp_path / "en.pdf", "pdf")
    text = pdf_text(path)
    assert "Scenario pathways report" in text and "Emission wedges from BAU to policy" in text
    assert "1,750" in text and "916.7" in text  # cumulative wedge; policy 2025 = 1000 - 83.33
    assert "<svg" not in text
    zh = build_scenario_report(run_scenarios(model), wedge=wedges(model, "BAU", "policy"), lang="zh")
    zh_path = write_report(zh, tmp_path / "zh.pdf", "pdf")
    zh_text = pdf_text(zh_path)
    assert "情景路径报告" in zh_text and "从BAU到policy的减排楔形" in zh_text
    assert ink_share(page_image(zh_path, 1, tmp_path)) > 0.002


def test_without_wedges(model):
    report = build_scenario_report(run_scenarios(model, ["BAU"]))
    assert [s.key for s in report.sections] == ["Pathways", "Wedges", "Assumptions", "Measures"]
    assert "No wedges" in report.section("Wedges").blocks[0].text


def test_milestone_years():
    assert milestone_years(list(range(2024, 2061))) == [2024, 2025, 2030, 2035, 2040, 2045, 2050, 2055, 2060]
    assert milestone_years([2023, 2024], 10) == [2023, 2024]
    assert milestone_years([]) == []
