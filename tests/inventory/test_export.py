"""Exports of an inventory result: GPC table, CSV, XLSX, HTML and JSON.

Hand-checked values (IPCC 2006 Vol. 2, AR5 GWP-100: CH4 28, N2O 265, SF6 23,500):

* 1 TJ natural gas, residential (I.1.1): Table 1.4 CO2 56,100 kg/TJ -> 56.1 t; Table 2.5 CH4
  5 kg/TJ -> 0.005 t, N2O 0.1 kg/TJ -> 0.0001 t; 56.1 + 0.005 x 28 + 0.0001 x 265 = 56.2665 tCO2e.
* 10 MWh grid electricity (I.1.2, scope 2) at an explicit 0.5 t/MWh -> 5 t CO2.
* BASIC = 56.2665 + 5 = 61.2665 tCO2e; territorial (scope 1) = 56.2665 tCO2e.
* 1 TJ wood (I.1.1): Table 1.4 CO2 112,000 kg/TJ -> 112 t biogenic (memo); Table 2.5 CH4
  300 kg/TJ -> 0.3 t, N2O 4 kg/TJ -> 0.004 t; 0.3 x 28 + 0.004 x 265 = 9.46 tCO2e.
* 0.001 t SF6 measured (IV.2 product use, BASIC+ only) -> 23.5 tCO2e; 2 t CO2 measured at I.4.4
  (energy generation supplied to the grid: territorial total only).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from zerocity.i18n import catalogue
from zerocity.inventory import compute_inventory, gpc_table
from zerocity.inventory.export import (
    _GPC_COLUMNS,
    _fmt,
    gpc_table_frame,
    records_frame,
    write_csv,
    write_html,
    write_json,
    write_xlsx,
)

CO2_I11 = 56.1
CH4_I11 = 0.005
N2O_I11 = 0.0001
I11 = CO2_I11 + CH4_I11 * 28 + N2O_I11 * 265  # 56.2665
I12 = 5.0
BASIC = I11 + I12  # 61.2665
N_REFS = len(gpc_table())


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


@pytest.fixture(scope="module")
def two_years():
    """The base records in 2022 plus 1 TJ of wood in 2023 (biogenic CO2 memo)."""
    extra = pd.DataFrame([dict(year=2023, gpc_ref="I.1.1", activity="wood_wood_waste", amount=1, unit="TJ")])
    return compute_inventory(pd.concat([_records(), extra], ignore_index=True), gwp="AR5", uncertainty="approach1")


@pytest.fixture(scope="module")
def sf6():
    records = pd.DataFrame(
        [
            dict(year=2022, gpc_ref="IV.2", method="measured", gas="SF6", amount=0.001, unit="t"),
            dict(year=2022, gpc_ref="I.4.4", method="measured", gas="CO2", amount=2, unit="t"),
        ]
    )
    # Measured rows only: mixing them with rows of other units hits the compute.py bug noted in
    # the report (categorical unit column mapped over all categories).
    return compute_inventory(records, gwp="AR5")


def _row(frame: pd.DataFrame, label: str) -> pd.Series:
    matches = frame[frame.iloc[:, 0] == label]
    assert len(matches) == 1, label
    return matches.iloc[0]


# --------------------------------------------------------------------------- GPC table
def test_gpc_frame_lists_every_reference_in_gpc_order(result):
    frame = gpc_table_frame(result)
    assert list(frame["GPC ref"].iloc[:N_REFS]) == list(gpc_table().index)
    assert frame["GPC ref"].iloc[0] == "I.1.1"
    assert frame["GPC ref"].iloc[N_REFS - 1] == "VI.1"
    assert list(frame["GPC ref"].iloc[N_REFS:]) == ["BASIC total", "BASIC+ total", "Territorial total (scope 1)"]
    assert list(frame.columns) == [
        "GPC ref",
        "Sector",
        "Sub-sector",
        "Scope",
        "Level",
        "Notation key",
        "Reported",
        "CO2 [t]",
        "CH4 [t]",
        "N2O [t]",
        "Other gases [tCO2e]",
        "Total [tCO2e]",
        "Biogenic CO2 [t] (memo)",
    ]


def test_gpc_frame_values_at_i11_and_i12(result):
    frame = gpc_table_frame(result)
    i11 = _row(frame, "I.1.1")
    assert i11["Sector"] == "Stationary energy"
    assert i11["Sub-sector"] == "Residential buildings"
    assert i11["Scope"] == 1
    assert i11["Level"] == "BASIC"
    assert i11["Reported"]
    assert i11["CO2 [t]"] == pytest.approx(CO2_I11)
    assert i11["CH4 [t]"] == pytest.approx(CH4_I11)
    assert i11["N2O [t]"] == pytest.approx(N2O_I11)
    assert i11["Other gases [tCO2e]"] == 0.0
    assert i11["Total [tCO2e]"] == pytest.approx(I11)
    assert i11["Biogenic CO2 [t] (memo)"] == 0.0
    i12 = _row(frame, "I.1.2")
    assert i12["Scope"] == 2
    assert i12["CO2 [t]"] == pytest.approx(5.0)
    assert i12["CH4 [t]"] == 0.0
    assert i12["Total [tCO2e]"] == pytest.approx(I12)


def test_gpc_frame_notation_and_not_reported(result):
    frame = gpc_table_frame(result)
    ne = _row(frame, "III.1.1")
    assert ne["Notation key"] == "NE"
    assert ne["Reported"]
    assert np.isnan(ne["Total [tCO2e]"])
    missing = _row(frame, "II.1.1")
    assert missing["Notation key"] == ""
    assert not missing["Reported"]
    assert np.isnan(missing["CO2 [t]"]) and np.isnan(missing["Total [tCO2e]"])
    assert int(frame["Reported"].iloc[:N_REFS].sum()) == 3


def test_gpc_frame_total_rows(result):
    frame = gpc_table_frame(result)
    basic = _row(frame, "BASIC total")
    assert basic["Total [tCO2e]"] == pytest.approx(56.1 + 0.005 * 28 + 0.0001 * 265 + 5)
    assert basic["Total [tCO2e]"] == pytest.approx(result.total("BASIC"))
    assert basic["CO2 [t]"] == pytest.approx(CO2_I11 + 5.0)
    assert basic["CH4 [t]"] == pytest.approx(CH4_I11)
    assert _row(frame, "BASIC+ total")["Total [tCO2e]"] == pytest.approx(BASIC)
    territorial = _row(frame, "Territorial total (scope 1)")
    assert territorial["Total [tCO2e]"] == pytest.approx(I11)
    assert territorial["Total [tCO2e]"] == pytest.approx(result.total("TERRITORIAL"))
    # The reference rows add up to the totals.
    refs = frame.iloc[:N_REFS]
    assert refs.loc[refs["Level"] == "BASIC", "Total [tCO2e]"].sum() == pytest.approx(BASIC)


def test_gpc_frame_other_gases_and_basic_plus(sf6):
    frame = gpc_table_frame(sf6)
    iv2 = _row(frame, "IV.2")
    assert iv2["Other gases [tCO2e]"] == pytest.approx(23.5)
    assert iv2["Total [tCO2e]"] == pytest.approx(23.5)
    assert iv2["CO2 [t]"] == 0.0
    # I.4.4 (energy generation supplied to the grid) counts in the territorial total only.
    assert _row(frame, "I.4.4")["CO2 [t]"] == pytest.approx(2.0)
    assert _row(frame, "BASIC total")["Total [tCO2e]"] == 0.0
    assert _row(frame, "BASIC+ total")["Other gases [tCO2e]"] == pytest.approx(23.5)
    assert _row(frame, "BASIC+ total")["Total [tCO2e]"] == pytest.approx(23.5)
    assert _row(frame, "Territorial total (scope 1)")["Total [tCO2e]"] == pytest.approx(25.5)
    assert _row(frame, "Territorial total (scope 1)")["CO2 [t]"] == pytest.approx(2.0)


def test_gpc_frame_biogenic_memo_and_year_filter(two_years):
    frame = gpc_table_frame(two_years)
    i11 = _row(frame, "I.1.1")
    assert i11["Biogenic CO2 [t] (memo)"] == pytest.approx(112.0)
    assert i11["CO2 [t]"] == pytest.approx(CO2_I11)  # biogenic CO2 is not in the gas columns
    assert i11["CH4 [t]"] == pytest.approx(CH4_I11 + 0.3)
    assert i11["Total [tCO2e]"] == pytest.approx(I11 + 9.46)
    assert _row(frame, "BASIC total")["Biogenic CO2 [t] (memo)"] == pytest.approx(112.0)
    only_2022 = gpc_table_frame(two_years, year=2022)
    assert _row(only_2022, "BASIC total")["Total [tCO2e]"] == pytest.approx(BASIC)
    assert _row(only_2022, "I.1.1")["Biogenic CO2 [t] (memo)"] == 0.0


def test_gpc_frame_chinese(result):
    frame = gpc_table_frame(result, lang="zh")
    assert frame.columns[0] == "GPC编号"
    assert "合计 [tCO2e]" in frame.columns
    i11 = _row(frame, "I.1.1")
    assert i11["部门"] == "固定源能源"
    assert i11["子部门"] == "居民建筑"
    assert _row(frame, "BASIC 合计")["合计 [tCO2e]"] == pytest.approx(BASIC)


def test_unknown_language_is_refused(result, tmp_path):
    with pytest.raises(ValueError, match="language"):
        gpc_table_frame(result, lang="fr")
    with pytest.raises(ValueError, match="language"):
        write_html(result, tmp_path / "x.html", lang="fr")


def test_export_labels_are_in_both_catalogues():
    # The labels moved to the message catalogue (zerocity.i18n); tests/i18n checks every id the
    # code uses, this one pins the GPC headings of this module.
    for lang in ("en", "zh"):
        assert all(catalogue(lang).get(v) for v in _GPC_COLUMNS.values())


# --------------------------------------------------------------------------- CSV
def test_csv_round_trip(result, tmp_path):
    path = write_csv(result, tmp_path / "records.csv")
    assert path == tmp_path / "records.csv"
    back = pd.read_csv(path, keep_default_na=True)
    assert list(back.columns) == [
        "row",
        "record_id",
        "year",
        "entity",
        "district",
        "gpc_ref",
        "scope",
        "sector",
        "activity",
        "amount",
        "unit",
        "method",
        "notation",
        "tco2e",
        "CO2",
        "CH4",
        "N2O",
        "biogenic_co2_t",
        "factor_ids",
    ]
    assert len(back) == 3
    assert list(back["gpc_ref"]) == ["I.1.1", "I.1.2", "III.1.1"]
    assert list(back["scope"]) == [1, 2, 1]
    assert back["tco2e"].tolist() == pytest.approx([I11, I12, 0.0])
    assert back["CO2"].tolist() == pytest.approx([CO2_I11, 5.0, 0.0])
    assert back["CH4"].tolist() == pytest.approx([CH4_I11, 0.0, 0.0])
    assert back["N2O"].tolist() == pytest.approx([N2O_I11, 0.0, 0.0])
    assert back["tco2e"].sum() == pytest.approx(result.total("BASIC"))
    assert math.isnan(back.loc[2, "amount"])
    assert back.loc[2, "notation"] == "NE"
    assert back.loc[1, "factor_ids"] == "row"
    assert back.loc[0, "factor_ids"].split(";") == sorted(back.loc[0, "factor_ids"].split(";"))
    assert "IPCC2006-V2-T1.4-natural_gas-CO2" in back.loc[0, "factor_ids"].split(";")
    # exact float round trip
    frame = records_frame(result)
    assert back["tco2e"].tolist() == frame["tco2e"].tolist()


def test_csv_keeps_unicode_text(tmp_path):
    records = _records().assign(entity=["常州市某公司", "", ""], district=["320402", "", ""])
    res = compute_inventory(records)
    back = pd.read_csv(write_csv(res, tmp_path / "r.csv"), dtype={"district": str})
    assert back.loc[0, "entity"] == "常州市某公司"
    assert back.loc[0, "district"] == "320402"


# --------------------------------------------------------------------------- XLSX
def test_xlsx_sheets_and_gpc_totals(result, tmp_path):
    path = write_xlsx(result, tmp_path / "inventory.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["GPC", "By year", "By scope", "By sector", "Records", "Factors", "About"]
    ws = wb["GPC"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "GPC ref"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    assert [r[0] for r in rows[1 : N_REFS + 1]] == list(gpc_table().index)
    total_col = header.index("Total [tCO2e]")
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["BASIC total"][total_col] == pytest.approx(BASIC)
    assert by_label["Territorial total (scope 1)"][total_col] == pytest.approx(I11)
    assert by_label["I.1.1"][header.index("CH4 [t]")] == pytest.approx(CH4_I11)
    assert by_label["III.1.1"][header.index("Notation key")] == "NE"
    assert by_label["III.1.1"][total_col] is None
    assert by_label["II.1.1"][header.index("Reported")] is False
    basic_row = N_REFS + 2
    assert ws.cell(basic_row, 1).value == "BASIC total"
    assert ws.cell(basic_row, 1).font.b
    assert ws.cell(basic_row, total_col + 1).number_format == "#,##0.0###"
    assert ws.column_dimensions["C"].width > 10

    records = list(wb["Records"].iter_rows(values_only=True))
    assert records[0][:3] == ("row", "record_id", "year")
    assert len(records) == 1 + 3
    assert sum(r[records[0].index("tco2e")] for r in records[1:]) == pytest.approx(BASIC)

    by_year = list(wb["By year"].iter_rows(values_only=True))
    assert by_year[1][0] == 2022
    assert by_year[1][1] == pytest.approx(BASIC)

    factors = list(wb["Factors"].iter_rows(values_only=True))
    ids = {r[0] for r in factors[1:]}
    assert "IPCC2006-V2-T1.4-natural_gas-CO2" in ids
    assert all(r[-1] for r in factors[1:])  # every factor has its source

    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert about["GWP set (100-year)"] == "AR5"
    assert about["Reporting level"] == "BASIC"
    assert str(about["Generated by"]).startswith("zerocity ")
    assert any(str(k).startswith("Dataset: ipcc2006") for k in about)
    assert any(str(k).startswith("Uncertainty") for k in about)


def test_xlsx_chinese_headings(result, tmp_path):
    wb = openpyxl.load_workbook(write_xlsx(result, tmp_path / "zh.xlsx", lang="zh"))
    header = next(wb["GPC"].iter_rows(values_only=True))
    assert header[0] == "GPC编号"
    labels = [r[0] for r in wb["GPC"].iter_rows(values_only=True)]
    assert "BASIC 合计" in labels
    scopes = [r[1] for r in wb["By scope"].iter_rows(values_only=True)]
    assert "范围一" in scopes


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path):
    records = _records().assign(record_id=["=1+1", "b", "c"], entity=["=HYPERLINK(1)", "", ""])
    res = compute_inventory(records)
    ws = openpyxl.load_workbook(write_xlsx(res, tmp_path / "f.xlsx"))["Records"]
    assert ws["B2"].value == "=1+1"
    assert ws["B2"].data_type == "s"
    assert ws["D2"].data_type == "s"


def test_xlsx_many_records(tmp_path):
    n = 3000
    rng = np.random.default_rng(1)
    records = pd.DataFrame(
        dict(
            year=2022,
            gpc_ref=rng.choice(["I.1.1", "I.2.1", "II.1.1"], n),
            activity="natural_gas",
            amount=rng.uniform(0, 5, n),
            unit="TJ",
        )
    )
    res = compute_inventory(records)
    wb = openpyxl.load_workbook(write_xlsx(res, tmp_path / "many.xlsx"), read_only=True)
    rows = list(wb["Records"].iter_rows(values_only=True))
    assert len(rows) == n + 1
    col = rows[0].index("tco2e")
    assert sum(r[col] for r in rows[1:]) == pytest.approx(res.total_tco2e)
    wb.close()


# --------------------------------------------------------------------------- HTML
_EXTERNAL = re.compile(r"https?://|\b(?:src|href)\s*=|@import|url\(", re.IGNORECASE)


def test_html_summary_is_self_contained(result, tmp_path):
    path = write_html(result, tmp_path / "summary.html")
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "http://" not in html and "https://" not in html
    assert not _EXTERNAL.search(html)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "<style>" in html
    for value in (BASIC, I11, I12):
        assert _fmt(value) in html
    assert _fmt(BASIC) == "61.267"
    assert "GHG inventory" in html
    assert "BASIC total" in html
    assert "Territorial (scope 1)" in html
    assert "IPCC2006-V2-T1.4-natural_gas-CO2" in html
    assert "Table 1.4" in html  # factor sources
    assert "IPCC Approach 1" in html
    assert _fmt(result.uncertainty["lower_tco2e"]) in html
    assert _fmt(result.uncertainty["upper_tco2e"]) in html
    assert 'id="by-year"' not in html  # one year only
    for ref in gpc_table().index:
        assert f"<td>{ref}</td>" in html


def test_html_chinese_labels(two_years, tmp_path):
    html = write_html(two_years, tmp_path / "zh.html", lang="zh").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for label in (
        "温室气体清单",
        "主要结果",
        "范围一",
        "范围二",
        "固定源能源",
        "居民建筑",
        "BASIC 合计",
        "生物质CO2（备忘项）",
    ):
        assert label in html
    assert 'id="by-year"' in html  # two years
    assert _fmt(112.0) in html
    assert "http://" not in html and "https://" not in html


def test_html_escapes_text(result, tmp_path):
    html = write_html(result, tmp_path / "t.html", title="<b>City & co</b>").read_text(encoding="utf-8")
    assert "&lt;b&gt;City &amp; co&lt;/b&gt;" in html
    assert "<b>City" not in html


# --------------------------------------------------------------------------- JSON
def _reject_constant(name: str) -> None:
    raise AssertionError(f"JSON contains {name}")


def test_json_has_no_nan(result, tmp_path):
    result_nan = compute_inventory(_records(), gwp="AR5", uncertainty="approach1")
    result_nan.uncertainty = {**result_nan.uncertainty, "uncertainty_pct": float("nan"), "upper_tco2e": np.inf}
    path = write_json(result_nan, tmp_path / "inventory.json")
    text = path.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text, parse_constant=_reject_constant)
    assert data["uncertainty"]["uncertainty_pct"] is None
    assert data["uncertainty"]["upper_tco2e"] is None
    assert data["basic_tco2e"] == pytest.approx(BASIC)
    assert len(data["records"]) == 3
    assert data["records"][2]["notation"] == "NE"


def test_json_contract_and_unicode(tmp_path):
    records = _records().assign(entity=["常州", "", ""])
    res = compute_inventory(records, gwp="AR5")
    text = write_json(res, tmp_path / "a.json", include_records=False).read_text(encoding="utf-8")
    data = json.loads(text, parse_constant=_reject_constant)
    assert "records" not in data
    assert "常州" in text  # ensure_ascii=False
    assert text.startswith('{\n  "')  # indent 2
    assert data["by_gpc_ref"]["I.1.1"]["tco2e"] == pytest.approx(I11)
    assert data["by_entity"]["常州"] == pytest.approx(I11)
