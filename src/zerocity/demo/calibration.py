"""Calibration figures of the Demo City and the interpolation that turns them into series.

Every number here is either a published figure (its ``source`` key points to the reference list
in ``docs/demo-city.md``) or an assumption, marked ``ASSUMED`` in the comment next to it. The
Demo City is shaped on Changzhou (Jiangsu), a prefecture-level city of about 5 million people,
scaled by :data:`CITY_SCALE` so that it is a plausible city of its own and not a copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "CITY_SCALE",
    "DISTRICTS",
    "ELECTRICITY_SHARES",
    "FINAL_FUEL_SHARES",
    "GDP_ANCHORS_100M",
    "GDP_TOTAL_ANCHORS_100M",
    "HEAT_SHARES",
    "POPULATION_ANCHORS",
    "REAL_GDP_GROWTH_PCT",
    "TCE_PER_UNIT",
    "YEARS",
    "interpolate_anchors",
]

YEARS: tuple[int, ...] = tuple(range(2010, 2025))
"""Years the Demo City covers."""

CITY_SCALE = 0.95
"""Factor [unitless] applied to every extensive Changzhou figure (people, GDP, energy, land)."""

# ---------------------------------------------------------------------------------------------
# Population [persons], Changzhou. Sources: [CZ-CENSUS-2020] (census 2010: 4,592,431 and
# census 2020: 5,278,121), [CZ-POP-2014] (year-end 2014: 4.6964 million), [CZ-2015]
# (2015: GDP 527.32 billion / GDP per capita 112,221 yuan = 4.6989 million, derived),
# [CZ-POP-2023] (2023: urban 4.1864 million / urbanisation 78.01 % = 5.3665 million, derived
# from a secondary copy). 2024 ASSUMED +0.3 %.
POPULATION_ANCHORS: dict[int, float] = {
    2010: 4_592_431,
    2014: 4_696_400,
    2015: 4_698_900,
    2020: 5_278_121,
    2023: 5_366_500,
    2024: 5_382_600,  # ASSUMED: 2023 x 1.003
}

# Value added by sector [10^8 yuan, current prices], Changzhou statistical communiques:
# [CZ-2010], [CZ-2011], [CZ-2014], [CZ-2015], [CZ-2020], [CZ-2021].
GDP_ANCHORS_100M: dict[int, tuple[float, float, float]] = {
    2010: (99.8, 1683.47, 1261.4),
    2011: (111.8, 1950.8, 1518.4),
    2014: (138.5, 2408.1, 2355.3),
    2015: (146.6, 2516.2, 2610.4),
    2020: (164.3, 3616.2, 4024.9),
    2021: (166.9, 4198.9, 4441.8),
}
# GDP totals only [10^8 yuan]: 2022 9,550 [CZ-2022]; 2023 "exceeded 1 trillion" [SHINE-2024],
# taken as 10,100; 2024 ASSUMED 2023 x 1.05 (nominal).
GDP_TOTAL_ANCHORS_100M: dict[int, float] = {2022: 9550.0, 2023: 10100.0, 2024: 10605.0}

# Real GDP growth [% per year]. Sourced: 2010 13.1, 2011 12.2 [CZ-2010, CZ-2011], 2014 10.1,
# 2015 9.2 [CZ-2014, CZ-2015], 2020 4.5, 2021 9.1, 2022 3.5 [CZ-2020, CZ-2021, CZ-2022].
# ASSUMED: 2012, 2013, 2016-2019, 2023, 2024.
REAL_GDP_GROWTH_PCT: dict[int, float] = {
    2010: 13.1, 2011: 12.2, 2012: 11.5, 2013: 10.2, 2014: 10.1, 2015: 9.2, 2016: 8.5,
    2017: 8.1, 2018: 7.0, 2019: 6.8, 2020: 4.5, 2021: 9.1, 2022: 3.5, 2023: 6.8, 2024: 5.9,
}  # fmt: skip

# Energy intensity in 2010 [tce per 10^4 yuan, current prices]: Jiangsu 2009 0.761 tce/10^4 yuan
# at 2005 prices [NBS-2009-INTENSITY], less Changzhou's 2010 fall of 3.75 % [CZ-DAILY-2011]
# = 0.733 at 2005 prices, divided by an ASSUMED 2005->2010 GDP deflator of 1.20.
ENERGY_INTENSITY_2010 = 0.61
# Change of energy intensity at constant prices [% per year]. Jiangsu: -5.85 % (2008),
# -5.17 % (2009), -6.18 % (2018), -3.10 % (2020) [NBS-2008-INTENSITY, NBS-2009-INTENSITY,
# NBS-2018-INTENSITY, NBS-2020-INTENSITY]. The values below are ASSUMED inside that range.
ENERGY_INTENSITY_CHANGE_PCT: dict[tuple[int, int], float] = {
    (2011, 2015): -5.0,
    (2016, 2020): -5.0,
    (2021, 2024): -4.0,
}

# Electricity use of the whole society [MWh], Changzhou 2015: 40.8 billion kWh, of which
# households 3.44 billion kWh, +6 % on 2014 [CZ-2015-XII].
ELECTRICITY_2015_MWH = 40.8e6
RESIDENTIAL_ELECTRICITY_2015_MWH = 3.44e6
# Change of electricity intensity at constant prices [% per year]. Jiangsu: -1.08 % (2018),
# -1.84 % (2020) [NBS-2018-INTENSITY, NBS-2020-INTENSITY]; 2011-2015 value ASSUMED.
ELECTRICITY_INTENSITY_CHANGE_PCT: dict[tuple[int, int], float] = {
    (2011, 2015): -4.5,
    (2016, 2024): -1.5,
}

# Coal power / CHP plant supplying the grid (ASSUMED design: 2 x 660 MW).
PLANT_CAPACITY_MW = 1320.0
# Utilisation hours [h/yr], ASSUMED; national thermal plants ran 3,867 h in Jan-Oct 2014 [NEA-2014].
PLANT_HOURS: dict[int, float] = {2010: 5400.0, 2015: 5000.0, 2020: 4700.0, 2024: 4500.0}
# Coal rate of electricity supplied [kgce/kWh]; national average 319 gce/kWh in 2014 [NEA-2014];
# a large modern unit runs below average: ASSUMED.
PLANT_COAL_RATE_KGCE_PER_KWH: dict[int, float] = {2010: 0.318, 2015: 0.305, 2024: 0.292}
# Fuel input per unit of heat supplied [kgce/GJ]: 34.12 kgce/GJ divided by an ASSUMED 85 % boiler
# efficiency.
PLANT_HEAT_RATE_KGCE_PER_GJ = 40.1
# Share of the plant's coal burned for its own use (auxiliary power, station service) and booked
# to I.4.1 [unitless]; ASSUMED (typical auxiliary power rate of a coal unit).
PLANT_OWN_USE_SHARE = 0.055

# Heat (steam and hot water) supplied by the CHP plant [GJ]; ASSUMED 24 PJ in 2010 growing 4.5 %
# a year as small coal boilers in industrial parks are replaced by district steam.
HEAT_2010_GJ = 24.0e6
HEAT_GROWTH_PCT = 4.5

# Forest ("林木覆盖率") and green space. Changzhou: tree cover 25.5 % of land area in 2016,
# 1 percentage point above the level before the national-forest-city campaign
# [CZ-2016, CZ-FOREST-2017]; built-up area green space 10,906.12 ha at end 2020 [CZ-GREEN-2020];
# land is 36.18 of 43.85 x 10^4 ha of the total area [CZ-PROFILE]; cultivated land
# 14.82 x 10^4 ha [CZ-PROFILE]. Other years ASSUMED.
TREE_COVER_PCT: dict[int, float] = {2010: 24.2, 2013: 24.5, 2016: 25.5, 2024: 26.6}
LAND_SHARE_OF_AREA = 36.18 / 43.85
GREEN_SPACE_HA: dict[int, float] = {2010: 7600.0, 2015: 9000.0, 2020: 10906.12, 2024: 11600.0}
CROPLAND_2020_HA = 148_200.0
CROPLAND_CHANGE_PCT = -0.3  # ASSUMED per year

# Standard-coal coefficients [tce per unit of the energy_balance unit]: GB/T 2589 reference
# coefficients (raw coal 0.7143, coke 0.9714, fuel oil 1.4286, gasoline and kerosene 1.4714,
# diesel 1.4571, LPG 1.7143 kgce/kg; natural gas 12.143 tce/10^4 m3) [GB2589-TABLE].
# Electricity and heat are converted by their calorific value through the unit registry
# (1 MWh = 3.6 GJ; 1 tce = 29.3076 GJ): see ``generator.tce_per_unit``.
TCE_PER_UNIT: dict[str, float] = {
    "raw_coal": 0.7143,  # per t
    "coke": 0.9714,  # per t
    "fuel_oil": 1.4286,  # per t
    "gasoline": 1.4714,  # per t
    "kerosene": 1.4714,  # per t
    "diesel": 1.4571,  # per t
    "lpg": 1.7143,  # per t
    "natural_gas": 0.0012143,  # per m3
}

# ---------------------------------------------------------------------------------------------
# Final (non-power-plant) fuel use: share of the final fuel total in tce, by (gpc_ref, activity),
# at anchor years 2010, 2015, 2020, 2024. ASSUMED, shaped to the facts that coal's share falls
# and gas rises (national coal share ~68 % in the 2010s to 56.8 % in 2020 [NBS-COAL-2020];
# Jiangsu gas use 30.7 billion m3 in 2020, 61.6 % of it city gas and industrial fuel
# [NEA-JS-GAS-2020]); Wang et al. (2012) [WANG-2012] give average sector shares of Chinese city
# CO2: industry energy 65.1 %, transport 10.4 %, households 7.7 %, commerce 4.2 %.
FINAL_FUEL_SHARES: dict[tuple[str, str], tuple[float, float, float, float]] = {
    ("I.3.1", "raw_coal"): (0.400, 0.350, 0.270, 0.225),
    ("I.3.1", "coke"): (0.175, 0.170, 0.160, 0.150),
    ("I.3.1", "fuel_oil"): (0.025, 0.018, 0.011, 0.008),
    ("I.3.1", "diesel"): (0.020, 0.018, 0.016, 0.015),
    ("I.3.1", "lpg"): (0.006, 0.006, 0.006, 0.006),
    ("I.3.1", "natural_gas"): (0.040, 0.075, 0.125, 0.150),
    ("I.1.1", "natural_gas"): (0.008, 0.011, 0.022, 0.027),
    ("I.1.1", "lpg"): (0.013, 0.011, 0.008, 0.006),
    ("I.1.1", "raw_coal"): (0.008, 0.004, 0.0015, 0.0005),
    ("I.2.1", "natural_gas"): (0.006, 0.009, 0.020, 0.026),
    ("I.2.1", "lpg"): (0.008, 0.007, 0.006, 0.005),
    ("I.2.1", "diesel"): (0.004, 0.004, 0.003, 0.003),
    ("I.2.1", "raw_coal"): (0.006, 0.003, 0.001, 0.0005),
    ("I.5.1", "diesel"): (0.012, 0.012, 0.011, 0.011),
    ("I.5.1", "raw_coal"): (0.003, 0.002, 0.0012, 0.001),
    ("I.4.1", "fuel_oil"): (0.002, 0.0015, 0.0012, 0.001),
    ("II.1.1", "gasoline"): (0.095, 0.115, 0.135, 0.140),
    ("II.1.1", "diesel"): (0.120, 0.118, 0.112, 0.105),
    ("II.1.1", "lpg"): (0.004, 0.003, 0.002, 0.0015),
    ("II.1.1", "natural_gas"): (0.003, 0.005, 0.009, 0.010),
    ("II.4.3", "kerosene"): (0.003, 0.005, 0.005, 0.007),
    ("II.5.1", "diesel"): (0.025, 0.030, 0.034, 0.037),
}
SHARE_ANCHOR_YEARS: tuple[int, ...] = (2010, 2015, 2020, 2024)

# Electricity use by sector: share of the whole-society total, anchor years as above. ASSUMED,
# except that households used 3.44 of 40.8 billion kWh (8.4 %) in 2015 [CZ-2015-XII].
ELECTRICITY_SHARES: dict[str, tuple[float, float, float, float]] = {
    "I.3.2": (0.785, 0.765, 0.715, 0.655),
    "I.1.2": (0.075, 0.084, 0.098, 0.110),
    "I.2.2": (0.118, 0.130, 0.157, 0.180),
    "I.5.2": (0.012, 0.011, 0.010, 0.010),
    "II.2.2": (0.010, 0.0095, 0.012, 0.015),
    "II.1.2": (0.0, 0.0005, 0.005, 0.015),
}
# Heat supplied by the CHP plant by sector, ASSUMED.
HEAT_SHARES: dict[str, tuple[float, float, float, float]] = {
    "I.3.2": (0.93, 0.92, 0.91, 0.90),
    "I.2.2": (0.05, 0.055, 0.062, 0.068),
    "I.1.2": (0.02, 0.025, 0.028, 0.032),
}

# ---------------------------------------------------------------------------------------------
# Districts: (code, name_en, name_zh, population share, urban factor, industry weight,
# cropland weight, forest weight). Invented names; the administrative-division codes use the
# unassigned prefix 3299 so they cannot be mistaken for a real Jiangsu district. Shares ASSUMED.
DISTRICTS: tuple[tuple[str, str, str, float, float, float, float, float], ...] = (
    ("329901", "Xiyang City", "溪阳市", 0.15, 0.45, 0.09, 1.30, 1.60),
    ("329902", "Qingshan District", "青山区", 0.07, 0.40, 0.06, 0.90, 2.20),
    ("329903", "Nancheng District", "南城区", 0.12, 0.95, 0.04, 0.15, 0.30),
    ("329904", "Hubin District", "湖滨区", 0.08, 0.60, 0.05, 1.10, 0.90),
    ("329905", "Dongpu District", "东浦区", 0.09, 0.55, 0.10, 1.20, 0.70),
    ("329906", "Xiling District", "西陵区", 0.07, 0.45, 0.07, 1.25, 1.00),
    ("329907", "Gaoxin District", "高新区", 0.11, 0.85, 0.18, 0.50, 0.50),
    ("329908", "Zhongcheng District", "中城区", 0.14, 1.00, 0.04, 0.05, 0.25),
    ("329909", "Linjiang District", "临江区", 0.09, 0.70, 0.22, 0.60, 0.40),
    ("329910", "Beigang District", "北港区", 0.08, 0.70, 0.15, 0.80, 0.50),
)
POWER_PLANT_DISTRICT = "329909"
AIRPORT_DISTRICT = "329910"
RAIL_DISTRICT_WEIGHTS: dict[str, float] = {
    "329908": 0.30, "329903": 0.15, "329907": 0.20, "329909": 0.15, "329901": 0.20,
}  # fmt: skip


def interpolate_anchors(
    anchors: Mapping[int, float], years: Sequence[int] | np.ndarray, *, log: bool = False
) -> np.ndarray:
    """Values for ``years`` by interpolation between anchor years (flat beyond the ends).

    Parameters
    ----------
    anchors : mapping of int to float
        Anchor year -> value.
    years : sequence of int
        Years wanted.
    log : bool
        Interpolate the logarithm (constant growth rate between anchors) instead of the value.

    Returns
    -------
    numpy.ndarray
        One value per year, float64.
    """
    xs = np.array(sorted(anchors), dtype=float)
    ys = np.array([anchors[int(x)] for x in xs], dtype=float)
    wanted = np.asarray(years, dtype=float)
    if log:
        return np.exp(np.interp(wanted, xs, np.log(ys)))
    return np.interp(wanted, xs, ys)


def interpolate_share_table(table: Mapping[object, Sequence[float]], years: Sequence[int]) -> np.ndarray:
    """Shares per year from a table of anchor-year shares, linear between anchors.

    Parameters
    ----------
    table : mapping
        Key -> shares at :data:`SHARE_ANCHOR_YEARS` [unitless].
    years : sequence of int
        Years wanted.

    Returns
    -------
    numpy.ndarray
        Array of shape (len(years), len(table)) in the table's key order, not normalised.
    """
    columns = [
        interpolate_anchors(dict(zip(SHARE_ANCHOR_YEARS, shares, strict=True)), years) for shares in table.values()
    ]
    return np.column_stack(columns)


def rate_index(changes: Mapping[tuple[int, int], float], years: Sequence[int]) -> np.ndarray:
    """Cumulative index (first year = 1) of a quantity changing by ``changes`` % a year.

    Parameters
    ----------
    changes : mapping of (first_year, last_year) to float
        Annual change [% per year] applied in each year of the inclusive range.
    years : sequence of int
        Consecutive years; the first gets index 1.

    Returns
    -------
    numpy.ndarray
        Index per year [unitless].
    """
    factors = np.ones(len(years))
    for i, year in enumerate(years[1:], start=1):
        for (first, last), pct in changes.items():
            if first <= year <= last:
                factors[i] = 1.0 + pct / 100.0
    return np.cumprod(factors)
