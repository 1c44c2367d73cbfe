"""The generated demo tables: a Jiangsu-like provincial table, Demo City employment, a GPC mapping.

No real input-output table with a clear redistribution licence was available to ship (see
``brain/data/io/README.md``), so the demo table is **generated** here, deterministically and in whole
10^4 yuan so that it balances exactly. What is published and what is assumed:

* GDP 102,719 亿元 and its three-sector structure 4.4 : 43.1 : 52.5 (primary : secondary :
  tertiary) are Jiangsu's 2020 figures (Jiangsu Provincial Bureau of Statistics, 江苏省2020年国民经济
  和社会发展统计公报, March 2021); the split of the secondary and tertiary shares over the 12 sectors
  is **assumed**;
* value-added ratios, input structures, trade shares, final-demand composition, direct CO2
  intensities, household direct emissions and employment productivities are **assumed** round
  figures, chosen to be plausible for a coastal manufacturing province (power from coal, imported
  coal/ore/crude, large exports of machinery and electronics); they are not statistics.

Construction (every step is in :func:`demo_province_table`):

1. value added ``VA_j = share_j GDP``; output ``x_j = round(VA_j / v_j)``;
2. intermediate use ``z_ij = round((1 - v_j) w_ij / sum_i w_ij x_j)`` from assumed weights ``w``;
3. value added split into compensation, net taxes, depreciation (assumed shares, rounded) and
   operating surplus = ``x_j - sum_i z_ij`` - the other three (the column balances exactly);
4. local final demand ``lambda_i x_i`` split over categories by assumed weights; exports
   ``epsilon_i x_i``, outflow ``omega_i x_i``; imports + inflow are what domestic use needs beyond
   production (at least ``mu_min`` of domestic use; the outflow takes up any surplus), split abroad /
   other provinces by an assumed ratio; inventory change closes the row exactly;
5. direct CO2 ``F_j = round(f_j x_j)`` [t] with assumed intensities ``f_j`` [t per 10^4 yuan].
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from zerocity.brain.io.table import IOTable

__all__ = [
    "DEMO_SECTORS",
    "demo_employment",
    "demo_gpc_mapping",
    "demo_province_table",
    "load_demo_employment",
    "load_demo_mapping",
    "load_demo_table",
]

#: Sector labels of the demo table.
DEMO_SECTORS = (
    "Agriculture",
    "Mining",
    "Food and textiles",
    "Petroleum and chemicals",
    "Non-metallic minerals",
    "Metals",
    "Machinery and electronics",
    "Other manufacturing",
    "Electricity and heat",
    "Construction",
    "Transport",
    "Services",
)

#: Jiangsu GDP 2020 [10^4 yuan]: 102,719 亿元 (江苏省2020年国民经济和社会发展统计公报).
GDP_WAN_YUAN = 1_027_190_000
#: Sector shares of GDP [unitless]: primary 4.4 %, secondary 43.1 %, tertiary 52.5 % (same bulletin);
#: the split inside secondary and tertiary is assumed.
_GDP_SHARE = np.array([4.4, 0.3, 5.0, 7.0, 2.0, 4.0, 14.0, 3.0, 2.3, 5.5, 3.0, 49.5]) / 100
#: Value added per unit of output [unitless], assumed.
_VA_RATIO = np.array([0.58, 0.40, 0.20, 0.18, 0.24, 0.17, 0.19, 0.22, 0.25, 0.25, 0.38, 0.55])
#: Input weights, rows supplier, columns buyer (normalised per column), assumed.
_W = {
    0: {0: 30, 3: 20, 2: 10, 6: 5, 8: 4, 10: 5, 11: 15},
    1: {6: 15, 8: 15, 3: 10, 5: 8, 11: 20, 10: 8, 1: 10},
    2: {0: 35, 2: 25, 3: 12, 11: 12, 10: 4, 8: 3, 7: 3},
    3: {1: 20, 3: 40, 8: 8, 11: 12, 10: 5, 6: 3},
    4: {1: 15, 4: 20, 3: 15, 8: 15, 10: 8, 11: 12, 6: 4},
    5: {1: 25, 5: 35, 8: 10, 3: 8, 10: 6, 11: 10, 4: 2},
    6: {5: 22, 6: 45, 3: 8, 11: 12, 8: 3, 10: 3, 7: 3},
    7: {7: 25, 3: 15, 5: 12, 6: 10, 0: 8, 11: 15, 8: 4, 10: 4},
    8: {1: 40, 8: 20, 6: 8, 11: 12, 10: 6, 3: 5},
    9: {4: 25, 5: 20, 6: 10, 11: 15, 9: 5, 10: 8, 3: 8, 7: 5},
    10: {3: 35, 6: 12, 11: 25, 10: 15, 8: 3},
    11: {11: 55, 6: 8, 2: 6, 10: 8, 3: 6, 8: 6, 9: 4, 7: 4},
}
#: Weight of every supplier not listed above [unitless], assumed.
_W_BASE = 0.5
#: Value-added split: compensation, net taxes, depreciation (operating surplus is the rest), assumed.
_VA_SPLIT = np.array(
    [
        [0.88, 0.00, 0.05],
        [0.40, 0.15, 0.20],
        [0.45, 0.12, 0.12],
        [0.30, 0.25, 0.15],
        [0.40, 0.12, 0.15],
        [0.35, 0.12, 0.18],
        [0.45, 0.10, 0.12],
        [0.45, 0.10, 0.12],
        [0.25, 0.12, 0.35],
        [0.60, 0.08, 0.05],
        [0.45, 0.05, 0.20],
        [0.50, 0.12, 0.15],
    ]
)
#: Local final demand / output [unitless], assumed.
_LOCAL = np.array([0.35, 0.01, 0.30, 0.06, 0.02, 0.01, 0.20, 0.15, 0.10, 0.95, 0.15, 0.45])
#: Weights of rural household, urban household, government, GFCF, inventory change, assumed.
_CATEGORY_W = np.array(
    [
        [25, 55, 0, 15, 5],
        [0, 0, 0, 0, 100],
        [20, 75, 0, 0, 5],
        [20, 70, 0, 0, 10],
        [10, 30, 0, 0, 60],
        [0, 0, 0, 0, 100],
        [8, 30, 0, 57, 5],
        [15, 45, 0, 35, 5],
        [25, 75, 0, 0, 0],
        [0, 0, 0, 100, 0],
        [15, 70, 15, 0, 0],
        [8, 40, 35, 17, 0],
    ],
    dtype=float,
)
#: Exports / output and outflow / output [unitless], assumed.
_EXPORT = np.array([0.02, 0.00, 0.15, 0.10, 0.03, 0.04, 0.30, 0.12, 0.00, 0.01, 0.05, 0.03])
_OUTFLOW = np.array([0.15, 0.05, 0.20, 0.25, 0.20, 0.25, 0.25, 0.20, 0.01, 0.02, 0.15, 0.08])
#: Minimum imports + inflow as a share of domestic use, and the abroad share of them [unitless], assumed.
_MU_MIN = np.array([0.20, 0.80, 0.20, 0.25, 0.10, 0.20, 0.25, 0.20, 0.10, 0.00, 0.10, 0.08])
_ABROAD = np.array([0.20, 0.45, 0.35, 0.50, 0.25, 0.35, 0.60, 0.30, 0.00, 0.00, 0.25, 0.35])
#: Direct CO2 intensity [t per 10^4 yuan of output], assumed.
_CO2_INTENSITY = np.array([0.05, 0.40, 0.03, 0.15, 0.90, 0.50, 0.01, 0.03, 3.50, 0.02, 0.50, 0.01])
#: Households' direct CO2 (cooking, heating, private cars) [t], assumed.
_HOUSEHOLD_CO2 = {"rural_household": 9_000_000, "urban_household": 24_000_000}
#: Output per worker [10^4 yuan per person], assumed; provincial employment = output / productivity.
_PRODUCTIVITY = np.array([12, 150, 120, 350, 200, 400, 180, 100, 500, 60, 70, 60], dtype=float)
#: Demo City: employment share of the province and the specialisation of each sector, assumed.
_CITY_SHARE = 0.065
_CITY_SPECIAL = np.array([0.5, 0.3, 0.8, 1.1, 1.0, 1.8, 1.3, 1.0, 0.9, 1.0, 0.9, 0.9])

_LOCAL_COLUMNS = ("rural_household", "urban_household", "government", "gfcf", "inventory_change")


def demo_province_table() -> IOTable:
    """The generated Jiangsu-like provincial table, 12 sectors, 2020 [10^4 yuan; t CO2] (see module docstring)."""
    n = len(DEMO_SECTORS)
    va_target = _GDP_SHARE * GDP_WAN_YUAN
    x = np.round(va_target / _VA_RATIO)
    w = np.full((n, n), _W_BASE)
    for j, col in _W.items():
        for i, v in col.items():
            w[i, j] = v
    a = (1.0 - _VA_RATIO)[None, :] * w / w.sum(axis=0, keepdims=True)
    z = np.round(a * x[None, :])
    va_total = x - z.sum(axis=0)
    parts = np.round(_VA_SPLIT * va_total[:, None])
    surplus = va_total - parts.sum(axis=1)
    va = np.vstack([parts.T, surplus])
    u = z.sum(axis=1)
    local = _LOCAL * x
    e = np.round(_EXPORT * x)
    o = _OUTFLOW * x
    need = u + local + e + o - x
    m_total = np.maximum(need, _MU_MIN * (u + local))
    o = np.round(o + (m_total - need))
    m_total = np.round(m_total)
    imports = np.round(_ABROAD * m_total)
    inflow = m_total - imports
    weights = _CATEGORY_W / _CATEGORY_W.sum(axis=1, keepdims=True)
    y_local = np.round(weights * local[:, None])
    y_local[:, 4] = x - u - y_local[:, :4].sum(axis=1) - e - o + imports + inflow
    y = pd.DataFrame(y_local, index=list(DEMO_SECTORS), columns=list(_LOCAL_COLUMNS))
    y["exports"] = e
    y["outflow"] = o
    f = np.round(_CO2_INTENSITY * x)
    return IOTable.from_arrays(
        DEMO_SECTORS,
        z,
        y,
        imports=np.column_stack([imports, inflow]),
        import_columns=["imports", "inflow"],
        value_added=va,
        value_added_rows=["compensation", "net_taxes", "depreciation", "operating_surplus"],
        output=x,
        emissions=f,
        final_emissions=dict(_HOUSEHOLD_CO2),
        money_unit="wan_yuan",
        emission_unit="tCO2e",
        name="Demo Province 2020 (generated, Jiangsu-like)",
        source="zerocity generated demo table (zerocity.brain.io.demo)",
    ).validate(rtol=0.0, atol=0.0)


def demo_employment() -> pd.DataFrame:
    """Generated employment by sector: ``city`` (Demo City) and ``province`` [persons]."""
    table = demo_province_table()
    prov = np.round(table.x / _PRODUCTIVITY)
    city = np.round(prov * _CITY_SHARE * _CITY_SPECIAL)
    return pd.DataFrame({"city": city, "province": prov}, index=pd.Index(DEMO_SECTORS, name="sector"))


def demo_gpc_mapping() -> pd.DataFrame:
    """An assumed mapping of GPC reference numbers (prefixes) to the demo sectors, with shares."""
    rows = [
        ("I.1", "urban_household", 0.75),
        ("I.1", "rural_household", 0.25),
        ("I.2", "Services", 1.0),
        ("I.3", "Metals", 0.35),
        ("I.3", "Non-metallic minerals", 0.25),
        ("I.3", "Petroleum and chemicals", 0.20),
        ("I.3", "Machinery and electronics", 0.05),
        ("I.3", "Food and textiles", 0.05),
        ("I.3", "Other manufacturing", 0.05),
        ("I.3", "Construction", 0.05),
        ("I.4", "Electricity and heat", 1.0),
        ("I.5", "Agriculture", 1.0),
        ("I.6", "Services", 1.0),
        ("II", "Transport", 0.70),
        ("II", "urban_household", 0.30),
        ("III", "Services", 1.0),
        ("IV.1", "Non-metallic minerals", 1.0),
        ("IV.2", "Petroleum and chemicals", 1.0),
        ("IV.3", "Metals", 1.0),
        ("IV", "Other manufacturing", 1.0),
        ("V", "Agriculture", 1.0),
    ]
    return pd.DataFrame(rows, columns=["gpc", "sector", "share"])


def _data(name: str) -> resources.abc.Traversable:
    return resources.files("zerocity.brain").joinpath("data", "io", name)


def load_demo_table() -> IOTable:
    """The shipped demo table read with the NBS-layout loader (``brain/data/io/demo_province_2020.csv``)."""
    from zerocity.brain.io.nbs import read_io_table

    with resources.as_file(_data("demo_province_2020.csv")) as path:
        table = read_io_table(path, name="Demo Province 2020 (generated, Jiangsu-like)")
    return table


def load_demo_employment() -> pd.DataFrame:
    """The shipped Demo City employment (``brain/data/io/demo_city_employment.csv``)."""
    from zerocity.brain.io.inputs import read_employment

    with resources.as_file(_data("demo_city_employment.csv")) as path:
        return read_employment(path, load_demo_table())


def load_demo_mapping() -> pd.DataFrame:
    """The shipped GPC-to-IO mapping of the demo (``brain/data/io/demo_gpc_mapping.csv``)."""
    from zerocity.brain.io.inputs import read_gpc_mapping

    with resources.as_file(_data("demo_gpc_mapping.csv")) as path:
        return read_gpc_mapping(path)
