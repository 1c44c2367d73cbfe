"""The inventory report: numbers equal hand calculations, in the workbook and in the PDF, in both languages.

Hand-checked values (IPCC 2006 Vol. 2, AR5 GWP-100: CH4 28, N2O 265), as in tests/inventory/test_export.py:

* 1 TJ natural gas, residential (I.1.1): Table 1.4 CO2 56,100 kg/TJ -> 56.1 t; Table 2.5 CH4
  5 kg/TJ -> 0.005 t, N2O 0.1 kg/TJ -> 0.0001 t; 56.1 + 0.005 x 28 + 0.0001 x 265 = 56.2665 tCO2e.
* 10 MWh grid electricity (I.1.2, scope 2) at an explicit 0.5 t/MWh -> 5 t CO2.
* III.1.1 reported as NE (not estimated).
* BASIC = BASIC+ = 61.2665 tCO2e; territorial (scope 1) = 56.2665; per capita (1,000 persons)
  0.0612665 t; per GDP (50 x 10^4 yuan) 1.22533 t per 10^4 yuan.
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest
from report_helpers import (
    find_row,
    header_row,
    ink_share,
    page_image,
    pdf_fonts,
    pdf_pages,
    pdf_text,
    sheet_pairs,
    sheet_rows,
)

from zerocity.i18n import UnknownLanguageError
from zerocity.inventory import compute_inventory
from zerocity.reports import ReportError, build_inventory_report, write_report
from zerocity.reports.inventory import data_fingerprint, split_source

CO2_I11, CH4_I11, N2O_I11 = 56.1, 0.005, 0.0001
I11 = CO2_I11 + CH4_I11 * 28 + N2O_I11 * 265  # 56.2665
I12 = 0.5 * 10  # 5 t CO2
BASIC = I11 + I12  # 61.2665
POPULATION, GDP = 1000, 50.0
DAY = dt.date(2026, 11, 26)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _records() -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(year=2022, gpc_ref="I.1.1", activity="natural_gas", amount=1, unit="TJ"),
            dict(
                year=2022,
                gpc_ref="I.1.2",
                activity="electricity_grid",
                amount=10,
                unit="MWh",
                ef_co2=0.5,
                ef_unit="t/MWh",
            ),
            dict(year=2022, gpc_ref="III.1.1", notation="NE"),
        ]
    )


@pytest.fixture(scope="module")
def result():
    return compute_inventory(_records(), gwp="AR5", region="GLOBAL", uncertainty="approach1")


def _report(result, lang):
    return build_inventory_report(
        result, lang=lang, city="Testville", population=POPULATION, gdp=GDP, date=DAY, data_version="v7"
    )


@pytest.fixture(scope="module")
def xlsx_en(result, tmp_path_factory):
    path = tmp_path_factory.mktemp("inv") / "inventory.xlsx"
    return openpyxl.load_workbook(write_report(_report(result, "en"), path, "xlsx"))


def test_xlsx_sheets_in_every_language_have_the_same_names(result, xlsx_en, tmp_path):
    names = ["Cover", "Summary", "GPC", "Breakdown", "Gases", "Methodology", "Factors", "Quality"]
    assert xlsx_en.sheetnames == names
    zh = openpyxl.load_workbook(write_report(_report(result, "zh"), tmp_path / "zh.xlsx", "xlsx"))
    assert zh.sheetnames == names


def test_xlsx_cover(xlsx_en):
    cover = sheet_pairs(xlsx_en["Cover"])
    assert cover["City"] == "Testville"
    assert cover["Inventory year"] == "2022"
    assert cover["Data version"] == "v7"
    assert cover["GWP set (100-year)"].startswith("AR5")
    assert cover["Report date"] == "November 26, 2026"


def test_xlsx_headline_totals_and_intensities_equal_hand_values(xlsx_en):
    summary = sheet_pairs(xlsx_en["Summary"])
    assert summary["BASIC [tCO2e]"] == pytest.approx(BASIC)
    assert summary["BASIC+ [tCO2e]"] == pytest.approx(BASIC)
    assert summary["Territorial (scope 1) [tCO2e]"] == pytest.approx(I11)
    assert summary["Biogenic CO2 (memo) [t CO2]"] == pytest.approx(0.0)
    assert summary["Population [persons]"] == POPULATION
    assert summary["Per capita [tCO2e per person]"] == pytest.approx(BASIC / POPULATION)
    assert summary["Per unit of GDP [tCO2e per 10^4 yuan]"] == pytest.approx(BASIC / GDP)
    assert len(xlsx_en["Summary"]._charts) == 2  # by scope, by sector


def test_xlsx_gpc_table(xlsx_en):
    rows = sheet_rows(xlsx_en["GPC"])
    i, header = header_row(rows, "GPC ref")
    col = {h: j for j, h in enumerate(header)}
    i11 = find_row(rows, "I.1.1")
    assert i11[col["CO2 [t]"]] == pytest.approx(CO2_I11)
    assert i11[col["CH4 [t]"]] == pytest.approx(CH4_I11)
    assert i11[col["N2O [t]"]] == pytest.approx(N2O_I11)
    assert i11[col["Total [tCO2e]"]] == pytest.approx(I11)
    assert i11[col["Scope"]] == 1
    i12 = find_row(rows, "I.1.2")
    assert i12[col["Total [tCO2e]"]] == pytest.approx(I12)
    assert i12[col["Scope"]] == 2
    ne = find_row(rows, "III.1.1")
    assert ne[col["Notation key"]] == "NE"
    assert ne[col["Total [tCO2e]"]] is None
    assert find_row(rows, "II.1.1")[col["Total [tCO2e]"]] is None  # not reported
    assert find_row(rows, "BASIC total")[col["Total [tCO2e]"]] == pytest.approx(BASIC)
    assert find_row(rows, "Territorial total (scope 1)")[col["Total [tCO2e]"]] == pytest.approx(I11)
    assert find_row(rows, "I")[1] == "Stationary energy"  # sector heading row, GPC order
    refs = [r[0] for r in rows[i + 1 :] if r and isinstance(r[0], str) and r[0].count(".") == 2]
    assert refs.index("I.1.1") < refs.index("II.1.1") < refs.index("III.1.1")


def test_xlsx_breakdown_and_gases(xlsx_en):
    rows = sheet_rows(xlsx_en["Breakdown"])
    assert find_row(rows, "Scope 1")[1] == pytest.approx(I11)
    assert find_row(rows, "Scope 2")[1] == pytest.approx(I12)
    assert find_row(rows, "Scope 1")[2] == pytest.approx(100 * I11 / BASIC)
    gases = sheet_rows(xlsx_en["Gases"])
    assert find_row(gases, "CO2")[1] == pytest.approx(CO2_I11 + I12)
    assert find_row(gases, "CH4")[1] == pytest.approx(CH4_I11)
    assert find_row(gases, "CH4")[2] == pytest.approx(CH4_I11 * 28)
    assert find_row(gases, "N2O")[2] == pytest.approx(N2O_I11 * 265)
    assert find_row(gases, "Total")[2] == pytest.approx(BASIC)


def test_xlsx_methodology_and_factor_sources(xlsx_en):
    rows = sheet_rows(xlsx_en["Methodology"])
    factor = next(r for r in rows if r and str(r[0]).startswith("Emission factor (activity"))
    assert factor[1] == 2  # two records with data; the NE row has no method
    assert factor[2] == pytest.approx(BASIC)
    assert "Eq. 2.1" in factor[3]
    assert any(r and "Table 8.A.1" in str(r[0]) for r in rows)  # AR5 GWP source
    factors = sheet_rows(xlsx_en["Factors"])
    _, header = header_row(factors, "Factor id")
    col = {h: j for j, h in enumerate(header)}
    co2 = find_row(factors, "IPCC2006-V2-T1.4-natural_gas-CO2")
    assert co2[col["Publisher"]] == "IPCC"
    assert co2[col["Year"]] == "2006"
    assert "Table 1.4" in co2[col["Document and table"]]
    assert co2[col["Value"]] == pytest.approx(56_100)
    assert co2[col["Unit"]] == "kg/TJ"


def test_xlsx_quality(result, xlsx_en):
    quality = sheet_pairs(xlsx_en["Quality"])
    assert quality["Records"] == 3
    assert quality["GPC references with data"] == 2
    assert quality["GPC references with a notation key only"] == 1
    assert quality["Records with their own factor or a measured amount"] == 1  # the explicit 0.5 t/MWh
    assert quality["Method"] == "IPCC Approach 1 (error propagation)"
    assert quality["Lower bound [tCO2e]"] == pytest.approx(result.uncertainty["lower_tco2e"])


def test_xlsx_chinese_labels(result, tmp_path):
    wb = openpyxl.load_workbook(write_report(_report(result, "zh"), tmp_path / "zh.xlsx", "xlsx"))
    summary = sheet_pairs(wb["Summary"])
    assert summary["辖区内排放（范围一） [tCO2e]"] == pytest.approx(I11)
    assert summary["人均排放 [tCO2e/人]"] == pytest.approx(BASIC / POPULATION)
    gpc = sheet_rows(wb["GPC"])
    assert find_row(gpc, "I")[1] == "固定源能源"
    assert find_row(gpc, "I.1.1")[1] == "居民建筑"
    assert find_row(gpc, "BASIC 合计")[9] == pytest.approx(BASIC)


@pytest.fixture(scope="module")
def pdf_en(result, tmp_path_factory):
    return write_report(_report(result, "en"), tmp_path_factory.mktemp("pdf") / "inventory.pdf", "pdf")


def test_pdf_english_content(pdf_en):
    text = pdf_text(pdf_en)
    assert "City greenhouse gas inventory report" in text
    # Numbers as the report prints them (format_number: 2 decimals from 1, 3 significant below 1).
    assert re.search(r"BASIC \[tCO2e\]\s+61\.27\b", text)
    assert re.search(r"Territorial \(scope 1\) \[tCO2e\]\s+56\.27\b", text)
    assert re.search(r"Per capita \[tCO2e per person\]\s+0\.0613\b", text)
    assert re.search(r"Per unit of GDP \[tCO2e per 10\^4 yuan\]\s+1\.23\b", text)
    assert re.search(r"I\.1\.1\s+Residential buildings\s+1\s+BASIC\s+56\.10\s+0\.005\s+0\.0001", text)
    assert "IPCC2006-V2-T1.4-natural_gas-CO2" in text
    assert "IPCC 2006 Vol. 2 Ch. 2, Eq. 2.1" in text
    pages = pdf_pages(pdf_en)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Generated by zerocity" in text


def test_pdf_first_page_renders_to_a_non_blank_image(pdf_en, tmp_path):
    image = page_image(pdf_en, 1, tmp_path)
    assert image.width > 300 and image.height > 400  # A4 portrait at 50 dpi: 413 x 585
    assert image.height > image.width
    assert ink_share(image) > 0.002  # title and cover table


def test_pdf_chinese_has_cjk_text_and_renders(result, tmp_path):
    path = write_report(_report(result, "zh"), tmp_path / "zh.pdf", "pdf")
    text = pdf_text(path)
    assert "城市温室气体清单报告" in text
    assert "范围一" in text and "固定源能源" in text
    assert re.search(r"BASIC \[tCO2e\]\s+61\.27\b", text)
    assert len(CJK.findall(text)) > 200
    assert "第 1 页，共" in text
    image = page_image(path, 1, tmp_path)
    assert ink_share(image) > 0.002
    # The Chinese glyphs come from an embedded CJK font (fonts-wqy-microhei here and in CI).
    fonts = pdf_fonts(path)
    assert re.search(r"WenQuanYi|Noto.*CJK|Droid.*Fallback", fonts), fonts


def test_one_year_only(tmp_path):
    extra = pd.DataFrame([dict(year=2023, gpc_ref="I.1.1", activity="natural_gas", amount=1, unit="TJ")])
    two = compute_inventory(pd.concat([_records(), extra], ignore_index=True))
    with pytest.raises(ReportError, match=r"one year.*2022, 2023"):
        build_inventory_report(two)


def test_bad_inputs(result):
    with pytest.raises(UnknownLanguageError, match="fr"):
        build_inventory_report(result, lang="fr")
    with pytest.raises(ReportError, match="population"):
        build_inventory_report(result, population=0)
    with pytest.raises(ReportError, match="format"):
        write_report(build_inventory_report(result), "x.docx", "docx")


def test_data_fingerprint_follows_the_records():
    a = compute_inventory(_records())
    records = _records()
    records.loc[0, "amount"] = 2
    b = compute_inventory(records)
    assert re.fullmatch(r"[0-9a-f]{12}", data_fingerprint(a))
    assert data_fingerprint(a) == data_fingerprint(compute_inventory(_records()))
    assert data_fingerprint(a) != data_fingerprint(b)


def test_split_source():
    assert split_source("IPCC, 2006 IPCC Guidelines, Volume 2 Energy, Chapter 1, Table 1.4 (CO2), 2006") == (
        "IPCC",
        "2006 IPCC Guidelines, Volume 2 Energy, Chapter 1, Table 1.4 (CO2)",
        "2006",
    )
    assert split_source("my own measurement") == ("", "my own measurement", "")
