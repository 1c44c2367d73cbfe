"""The enterprise report: account, intensities, carbon code and quota equal hand calculations.

Two enterprises of GB/T 4754 section C, each with output 1,000 x 10^4 yuan:

* A (C3011): 100 t CO2 measured (scope 1) + 100 MWh grid electricity at an explicit 0.5 t/MWh
  (scope 2, 50 t) -> intensity (100 + 50) / 1000 = 0.15 t per 10^4 yuan; energy 100,000 kWh x
  0.1229 kgce/kWh (GB/T 2589-2020 calorific equivalent) = 12.29 tce.
* B (C3012): 300 t CO2 measured -> intensity 0.3.
* Fewer than 5 peers in the class and the division: compared within section C; industry
  intensity (150 + 300) / 2000 = 0.225; ratio A 0.15 / 0.225 = 0.667 -> grade 2 (green, bounds
  0.5 < r <= 0.8); B 1.333 -> grade 4 (orange, 1.2 < r <= 2.0). Percentile A 50, B 100.
* Quota of A: 1,000 tce for 2024; 100 tce used in each month January-June: 600 tce by 1 July
  (182 of 366 days) -> linear projection 600 x 366 / 182 = 1,206.59 tce = 120.66 % of the quota,
  so the 100 % threshold is projected to be crossed this year.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from report_helpers import find_row, ink_share, page_image, pdf_text, sheet_pairs, sheet_rows

from zerocity.accounts.allowances import project_quotas
from zerocity.accounts.enterprise import compute_accounts, grade_accounts, validate_registry
from zerocity.identifiers import make_uscc
from zerocity.inventory import compute_inventory
from zerocity.reports import ReportError, build_enterprise_report, write_report

A, B = (make_uscc("9", "1", "320400", f"{10000000 + i:08d}") for i in range(2))
DAY = dt.date(2026, 11, 26)
PROJECTED = 600 * 366 / 182


@pytest.fixture(scope="module")
def graded():
    registry = validate_registry(
        pd.DataFrame(
            {
                "uscc": [A, B],
                "name": ["Alpha Steel", "Beta Cement"],
                "industry_code": ["C3011", "C3012"],
                "district": ["320402", "320402"],
                "output_value_10k_yuan": [1000.0, 1000.0],
                "land_area_mu": [50.0, 100.0],
                "employees": [100, 200],
            }
        )
    )
    records = pd.DataFrame(
        [
            dict(year=2024, gpc_ref="I.3.1", entity=A, method="measured", gas="CO2", amount=100, unit="t"),
            dict(
                year=2024,
                gpc_ref="I.3.2",
                entity=A,
                activity="electricity_grid",
                amount=100,
                unit="MWh",
                ef_co2=0.5,
                ef_unit="t/MWh",
            ),
            dict(year=2024, gpc_ref="I.3.1", entity=B, method="measured", gas="CO2", amount=300, unit="t"),
        ]
    )
    inv = compute_inventory(records, region="CN")
    accounts = compute_accounts(registry, emissions=inv.emissions, records=inv.records, year=2024)
    return grade_accounts(accounts)


@pytest.fixture(scope="module")
def quotas():
    usage = pd.DataFrame({"entity": A, "time": [f"2024-{m:02d}" for m in range(1, 7)], "amount": 100.0})
    return project_quotas(pd.DataFrame({"entity": [A], "quota": [1000.0], "kind": ["energy"]}), usage)


@pytest.fixture(scope="module")
def wb_en(graded, quotas, tmp_path_factory):
    report = build_enterprise_report(graded, A, lang="en", quotas=quotas, date=DAY)
    return openpyxl.load_workbook(write_report(report, tmp_path_factory.mktemp("ent") / "a.xlsx", "xlsx"))


def test_account_and_intensities(wb_en):
    assert wb_en.sheetnames == ["Cover", "Account", "Intensity", "CarbonCode", "Quota", "Warnings"]
    cover = sheet_pairs(wb_en["Cover"])
    assert cover["Enterprise"] == "Alpha Steel"
    assert cover["Unified social credit code"] == A
    assert cover["Account period"] == "2024"
    account = sheet_pairs(wb_en["Account"])
    assert account["Scope 1 [tCO2e]"] == pytest.approx(100.0)
    assert account["Scope 2 [tCO2e]"] == pytest.approx(50.0)
    assert account["Total, scopes 1-3 [tCO2e]"] == pytest.approx(150.0)
    assert account["Energy use [tce]"] == pytest.approx(12.29)
    intensity = sheet_pairs(wb_en["Intensity"])
    assert intensity["Carbon intensity, scopes 1+2 [tCO2e per 10^4 yuan]"] == pytest.approx(0.15)
    assert intensity["Energy intensity [tce per 10^4 yuan]"] == pytest.approx(12.29 / 1000)
    assert intensity["Emissions per mu of land [tCO2e per mu]"] == pytest.approx(150 / 50)
    assert intensity["Emissions per employee [tCO2e per person]"] == pytest.approx(150 / 100)


def test_carbon_code_and_reason(wb_en):
    code = sheet_pairs(wb_en["CarbonCode"])
    assert code["Grade"] == "2"
    assert code["Colour"] == "green"
    assert code["Ratio to the industry average"] == pytest.approx(0.15 / 0.225)
    assert code["Industry average intensity [tCO2e per 10^4 yuan]"] == pytest.approx(0.225)
    assert code["Peer group"] == "GB/T 4754 section C"
    assert code["Peers"] == 2
    assert code["Percentile [%]"] == pytest.approx(50.0)
    assert code["Trend"] == "no previous period"
    assert code["Reason"] == (
        "Grade 2 (green): carbon intensity 0.150 tCO2e per 10^4 yuan is 0.67 times the average 0.225 "
        "of the GB/T 4754 section C (percentile 50 of 2 peers)."
    )


def test_quota_projection_and_warning(wb_en):
    rows = sheet_rows(wb_en["Quota"])
    energy = find_row(rows, "Energy [tce]")
    assert energy[1] == pytest.approx(1000.0)
    assert energy[2] == pytest.approx(600.0)
    assert energy[3] == "2024-07-01"
    assert energy[4] == pytest.approx(PROJECTED)
    assert energy[5] == pytest.approx(100 * PROJECTED / 1000)
    assert energy[6] == "linear (run rate)"
    assert energy[7] == "projected to reach 100 % of the quota this year"
    warnings = [r[0] for r in sheet_rows(wb_en["Warnings"])]
    assert "Quota (Energy [tce]): projected to reach 100 % of the quota this year." in warnings


def test_other_enterprise_without_quota(graded, tmp_path):
    wb = openpyxl.load_workbook(write_report(build_enterprise_report(graded, B), tmp_path / "b.xlsx", "xlsx"))
    code = sheet_pairs(wb["CarbonCode"])
    assert code["Grade"] == "4" and code["Colour"] == "orange"
    assert code["Ratio to the industry average"] == pytest.approx(0.3 / 0.225)
    assert "No quota was given for this enterprise." in [r[0] for r in sheet_rows(wb["Quota"])]


def test_chinese_pdf(graded, quotas, tmp_path):
    report = build_enterprise_report(graded, A, lang="zh", name="阿尔法钢铁", quotas=quotas, date=DAY)
    path = write_report(report, tmp_path / "a.pdf", "pdf")
    text = pdf_text(path)
    assert "企业碳账户报告" in text and "阿尔法钢铁" in text
    assert "等级2（绿）" in text  # colour_zh of the carbon-code configuration
    assert "预计本年达到配额的 100%" in text
    assert "1,206.6" in text  # projected use [tce], one decimal from 100 up
    assert ink_share(page_image(path, 1, tmp_path)) > 0.002


def test_unknown_enterprise():
    frame = pd.DataFrame({"uscc": [A], "year": [2024]})
    with pytest.raises(ReportError, match="not in the graded accounts"):
        build_enterprise_report(frame, B)
