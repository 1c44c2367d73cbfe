"""Write the small NBS-layout sample tables of tests/brain/test_io_model.py (run once; outputs are committed).

The numbers are a hand-made, balanced 3-sector economy (10^4 yuan), not statistics:

    Z (rows sell to columns)      agri  ind  serv | x
    agriculture (农业)              10    40     5 | 100
    industry (工业)                 15   200    60 | 500
    services (服务业)                5    60    50 | 300

``nbs_provincial_sample.xlsx``: provincial layout, Chinese headers, two header rows with merged group
headers, code and name columns, subtotal columns and rows, outflow/inflow, an "other" column and a
direct-CO2 row in 10^4 t. ``nbs_national_sample_en.csv``: national layout, English headers, no
outflow/inflow (merged into exports/imports), money in 100 million yuan, no emissions row.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

PROVINCIAL = [
    ["2020年示范省投入产出表（单位：万元）"],
    [
        "代码",
        "部门",
        "01",
        "02",
        "03",
        "中间使用合计",
        "最终使用",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "进口",
        "流入",
        "其他",
        "总产出",
    ],
    [
        None,
        None,
        "农业",
        "工业",
        "服务业",
        None,
        "农村居民消费支出",
        "城镇居民消费支出",
        "小计",
        "政府消费支出",
        "最终消费支出合计",
        "固定资本形成总额",
        "存货变动",
        "资本形成合计",
        "出口",
        "流出",
        "最终使用合计",
        None,
        None,
        None,
        None,
    ],
    ["01", "农业", 10, 40, 5, 55, 10, 20, 30, 0, 30, 2, 3, 5, 5, 15, 55, 4, 6, 0, 100],
    ["02", "工业", 15, 200, 60, 275, 10, 40, 50, 0, 50, 100, 5, 105, 80, 60, 295, 40, 30, 0, 500],
    ["03", "服务业", 5, 60, 50, 115, 15, 60, 75, 70, 145, 20, 0, 20, 10, 30, 205, 5, 17, 2, 300],
    [None, "中间投入合计", 30, 300, 115],
    [None, "劳动者报酬", 60, 100, 100],
    [None, "生产税净额", 0, 40, 25],
    [None, "固定资产折旧", 5, 30, 30],
    [None, "营业盈余", 5, 30, 30],
    [None, "增加值合计", 70, 200, 185],
    [None, "总投入", 100, 500, 300],
    [None, "直接二氧化碳排放（万吨）", 1.5, 20, 3, None, 0.5, 1.2],
]

NATIONAL_EN = [
    ["Input-Output Table of Demo Country (Unit: 100 million yuan)"],
    [
        "Code",
        "Sector",
        "Agriculture",
        "Industry",
        "Services",
        "Total Intermediate Use",
        "Household Consumption Expenditure",
        "Government Consumption Expenditure",
        "Gross Fixed Capital Formation",
        "Changes in Inventories",
        "Exports",
        "Total Final Use",
        "Imports",
        "Other",
        "Total Output",
    ],
    ["01", "Agriculture", 10, 40, 5, 55, 30, 0, 2, 3, 20, 55, 10, 0, 100],
    ["02", "Industry", 15, 200, 60, 275, 50, 0, 100, 5, 140, 295, 70, 0, 500],
    ["03", "Services", 5, 60, 50, 115, 75, 70, 20, 0, 40, 205, 22, 2, 300],
    ["", "Total Intermediate Input", 30, 300, 115],
    ["", "Compensation of Employees", 60, 100, 100],
    ["", "Net Taxes on Production", 0, 40, 25],
    ["", "Depreciation of Fixed Assets", 5, 30, 30],
    ["", "Operating Surplus", 5, 30, 30],
    ["", "Total Value Added", 70, 200, 185],
    ["", "Total Input", 100, 500, 300],
]


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "表1"
    for row in PROVINCIAL:
        ws.append(row)
    ws.merge_cells("A1:U1")
    ws.merge_cells("G2:Q2")  # 最终使用 over the final-use columns
    for col in "FRSTU":  # headers spanning both header rows
        ws.merge_cells(f"{col}2:{col}3")
    wb.save(HERE / "nbs_provincial_sample.xlsx")
    lines = [",".join("" if v is None else str(v) for v in row) for row in NATIONAL_EN]
    (HERE / "nbs_national_sample_en.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
