"""Micro-level tables of the Demo City: industrial enterprises, public buildings, households.

All magnitudes here are ASSUMED illustrative values (see ``docs/demo-city.md``); the energy the
enterprises use is not drawn here but allocated top-down in :mod:`zerocity.demo.generator`, so
that the enterprise records add up to the city's industrial energy exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zerocity.identifiers import random_uscc

__all__ = [
    "INDUSTRIES",
    "Industry",
    "sample_buildings",
    "sample_enterprises",
    "sample_households",
]


@dataclass(frozen=True)
class Industry:
    """One industry class of GB/T 4754-2017 and how its enterprises are drawn.

    Attributes
    ----------
    code : str
        Class code, e.g. ``C3011``.
    name_en, name_zh : str
        Class name (English translation and the standard's Chinese name).
    word_en, word_zh : str
        Short word used in company names.
    count : int
        Number of enterprises of the class in the Demo City.
    median_output : float
        Median 2024 output value of an enterprise [10^4 yuan] before the city-wide scaling
        (sizes are lognormal with log-sd 0.6, clipped at +-2 sd).
    group : str
        ``heavy``, ``hightech`` or ``light``: district preference and coal phase-out.
    profile : dict of str to float
        Relative energy intensity by activity [tce per 10^4 yuan output, indicative]; used only
        to share each activity's industrial total among enterprises.
    """

    code: str
    name_en: str
    name_zh: str
    word_en: str
    word_zh: str
    count: int
    median_output: float
    group: str
    profile: dict[str, float]


def _p(**kw: float) -> dict[str, float]:
    return kw


INDUSTRIES: tuple[Industry, ...] = (
    Industry("C3110", "Ironmaking", "炼铁", "Iron & Steel", "钢铁", 2, 3_000_000, "heavy",
             _p(coke=1.6, raw_coal=0.5, natural_gas=0.02, diesel=0.005, electricity_grid=0.06)),
    Industry("C3120", "Steelmaking", "炼钢", "Special Steel", "特钢", 3, 800_000, "heavy",
             _p(coke=0.05, raw_coal=0.05, natural_gas=0.05, diesel=0.005, electricity_grid=0.12)),
    Industry("C3130", "Steel rolling", "钢压延加工", "Steel Rolling", "轧钢", 14, 250_000,
             "heavy", _p(natural_gas=0.06, raw_coal=0.04, fuel_oil=0.01, diesel=0.003,
                         lpg=0.002, electricity_grid=0.04)),
    Industry("C3011", "Cement manufacturing", "水泥制造", "Cement", "水泥", 6, 300_000, "heavy",
             _p(raw_coal=1.2, diesel=0.01, fuel_oil=0.005, electricity_grid=0.12)),
    Industry("C3021", "Cement products", "水泥制品制造", "Building Materials", "建材", 12,
             50_000, "light", _p(raw_coal=0.02, diesel=0.01, electricity_grid=0.02)),
    Industry("C3041", "Flat glass", "平板玻璃制造", "Glass", "玻璃", 3, 350_000, "heavy",
             _p(natural_gas=0.6, fuel_oil=0.2, raw_coal=0.05, electricity_grid=0.06)),
    Industry("C2614", "Organic chemical raw materials", "有机化学原料制造", "Chemical", "化工",
             16, 350_000, "heavy",
             _p(raw_coal=0.35, natural_gas=0.15, fuel_oil=0.05, coke=0.05,
                heat_purchased=0.15, electricity_grid=0.06)),
    Industry("C2619", "Other basic chemical raw materials", "其他基础化学原料制造",
             "Fine Chemical", "精细化工", 14, 150_000, "heavy",
             _p(raw_coal=0.25, natural_gas=0.10, coke=0.02, heat_purchased=0.10,
                electricity_grid=0.08)),
    Industry("C2651", "Primary plastics and synthetic resins", "初级形态塑料及合成树脂制造",
             "New Materials", "新材料", 10, 250_000, "heavy",
             _p(natural_gas=0.08, raw_coal=0.05, fuel_oil=0.02, heat_purchased=0.08,
                electricity_grid=0.05)),
    Industry("C2710", "Chemical APIs", "化学药品原料药制造", "Pharmaceutical", "制药", 12,
             150_000, "hightech",
             _p(natural_gas=0.03, raw_coal=0.02, heat_purchased=0.08, electricity_grid=0.04)),
    Industry("C2221", "Machine-made paper and paperboard", "机制纸及纸板制造", "Paper", "纸业",
             8, 200_000, "heavy",
             _p(raw_coal=0.35, natural_gas=0.05, heat_purchased=0.15, electricity_grid=0.08)),
    Industry("C1713", "Cotton printing and dyeing", "棉印染精加工", "Printing & Dyeing", "印染",
             22, 60_000, "light",
             _p(raw_coal=0.15, natural_gas=0.05, heat_purchased=0.25, electricity_grid=0.05)),
    Industry("C1711", "Cotton spinning", "棉纺纱加工", "Cotton Spinning", "棉纺", 18, 60_000,
             "light", _p(natural_gas=0.005, heat_purchased=0.02, electricity_grid=0.08)),
    Industry("C1810", "Woven garments", "机织服装制造", "Garments", "服饰", 29, 40_000, "light",
             _p(natural_gas=0.003, lpg=0.002, heat_purchased=0.01, electricity_grid=0.01)),
    Industry("C1331", "Edible vegetable oil", "食用植物油加工", "Grain & Oil", "粮油", 6,
             300_000, "light",
             _p(raw_coal=0.05, natural_gas=0.02, heat_purchased=0.05, electricity_grid=0.01)),
    Industry("C2922", "Plastic sheets, pipes and profiles", "塑料板、管、型材制造", "Plastics",
             "塑业", 26, 50_000, "light",
             _p(natural_gas=0.005, lpg=0.002, electricity_grid=0.04)),
    Industry("C3252", "Aluminium rolling", "铝压延加工", "Aluminium", "铝业", 10, 250_000,
             "heavy", _p(natural_gas=0.05, fuel_oil=0.005, electricity_grid=0.05)),
    Industry("C3311", "Metal structures", "金属结构制造", "Steel Structure", "钢构", 30,
             60_000, "light",
             _p(natural_gas=0.005, lpg=0.003, diesel=0.003, electricity_grid=0.01)),
    Industry("C3411", "Boilers and auxiliary equipment", "锅炉及辅助设备制造", "Boiler", "锅炉",
             20, 100_000, "light",
             _p(natural_gas=0.006, lpg=0.002, diesel=0.002, electricity_grid=0.01)),
    Industry("C3670", "Motor vehicle parts", "汽车零部件及配件制造", "Auto Parts", "汽车零部件",
             60, 150_000, "light",
             _p(natural_gas=0.006, lpg=0.001, diesel=0.001, electricity_grid=0.015)),
    Industry("C3612", "New-energy vehicles", "新能源车整车制造", "New Energy Vehicle",
             "新能源汽车", 4, 2_500_000, "hightech",
             _p(natural_gas=0.004, lpg=0.001, diesel=0.001, heat_purchased=0.002,
                electricity_grid=0.01)),
    Industry("C3821", "Transformers, rectifiers and inductors", "变压器、整流器和电感器制造",
             "Electric", "电气", 31, 150_000, "hightech",
             _p(natural_gas=0.003, lpg=0.001, electricity_grid=0.01)),
    Industry("C3825", "Photovoltaic equipment and components", "光伏设备及元器件制造",
             "Photovoltaic", "光伏", 26, 500_000, "hightech",
             _p(natural_gas=0.004, heat_purchased=0.002, electricity_grid=0.04)),
    Industry("C3841", "Lithium-ion batteries", "锂离子电池制造", "Battery", "电池", 18, 1_000_000,
             "hightech", _p(natural_gas=0.005, heat_purchased=0.004, electricity_grid=0.03)),
)  # fmt: skip

_NAME_PREFIXES: tuple[tuple[str, str], ...] = (
    ("Huaxing", "华兴"), ("Hengda", "恒达"), ("Jinyuan", "金源"), ("Xinyu", "新宇"),
    ("Ruifeng", "瑞丰"), ("Tiancheng", "天成"), ("Yongtai", "永泰"), ("Hongyuan", "宏远"),
    ("Borun", "博润"), ("Jiahe", "嘉禾"), ("Huitong", "汇通"), ("Xintai", "鑫泰"),
    ("Weiye", "伟业"), ("Lianchuang", "联创"), ("Taihe", "泰和"), ("Guangyuan", "广源"),
    ("Antai", "安泰"), ("Changsheng", "昌盛"), ("Dingxin", "鼎新"), ("Fuhua", "富华"),
    ("Haoran", "浩然"), ("Jingcheng", "精诚"), ("Kaiyuan", "凯源"), ("Longteng", "龙腾"),
    ("Mingrui", "明瑞"), ("Qiangsheng", "强盛"), ("Shengda", "晟达"), ("Tongchuang", "同创"),
    ("Wanfeng", "万丰"), ("Xiangyu", "翔宇"), ("Yida", "亿达"), ("Zhongxin", "众鑫"),
    ("Baorun", "宝润"), ("Chenguang", "晨光"), ("Dahua", "大华"), ("Enze", "恩泽"),
    ("Fengyuan", "丰源"), ("Guohua", "国华"), ("Hechuang", "和创"), ("Jiaxin", "佳鑫"),
)  # fmt: skip

# District preference multipliers by industry group, applied to the districts' industry weight.
_GROUP_DISTRICT_BOOST: dict[str, dict[str, float]] = {
    "heavy": {"329909": 3.0, "329910": 2.5, "329902": 2.0, "329908": 0.1, "329903": 0.1},
    "hightech": {"329907": 3.0, "329906": 1.5, "329908": 0.3, "329903": 0.5},
    "light": {"329908": 0.2, "329903": 0.4},
}


def _choice_probabilities(codes: list[str], base: np.ndarray, boost: dict[str, float]) -> np.ndarray:
    weights = base * np.array([boost.get(code, 1.0) for code in codes])
    return weights / weights.sum()


def sample_enterprises(
    rng: np.random.Generator,
    district_codes: list[str],
    industry_weights: np.ndarray,
    output_total_2024: float,
) -> pd.DataFrame:
    """Draw the industrial enterprises (one row each) with their life span and size.

    Parameters
    ----------
    rng : numpy.random.Generator
        Seeded generator.
    district_codes : list of str
        District codes, in the order of ``industry_weights``.
    industry_weights : numpy.ndarray
        Relative industrial weight of each district [unitless].
    output_total_2024 : float
        Target total 2024 output value of the enterprises still operating [10^4 yuan]; the
        drawn sizes are scaled to it.

    Returns
    -------
    pandas.DataFrame
        Columns ``uscc``, ``name_en``, ``name_zh``, ``industry_code``, ``industry_name``,
        ``industry_name_zh``, ``group``, ``district``, ``founded_year``, ``closed_year``
        (``<NA>`` when operating), ``size`` (relative 2024 output, including closed plants'
        notional size), ``land_area_mu``, ``output_value_10k_yuan``, ``employees``.
    """
    rows: list[dict[str, object]] = []
    used: set[str] = set()
    for industry in INDUSTRIES:
        p = _choice_probabilities(district_codes, industry_weights, _GROUP_DISTRICT_BOOST[industry.group])
        districts = rng.choice(len(district_codes), size=industry.count, p=p)
        sizes = industry.median_output * np.exp(np.clip(rng.normal(0.0, 0.6, size=industry.count), -1.2, 1.2))
        order = np.argsort(-sizes)
        founded = np.where(
            rng.random(industry.count) < 0.75,
            rng.integers(1985, 2011, size=industry.count),
            rng.integers(2011, 2023, size=industry.count),
        )
        closure_prob = 0.30 if industry.group == "heavy" or industry.code == "C1713" else 0.05
        closes = rng.random(industry.count) < closure_prob
        closed_year = np.where(closes, rng.integers(2015, 2023, size=industry.count), 0)
        # The two largest plants of every class run the whole period, so every activity with
        # an industrial total has at least one enterprise to carry it in every year.
        for anchor in order[:2]:
            founded[anchor] = min(int(founded[anchor]), 2005)
            closed_year[anchor] = 0
        closed_year = np.where(closed_year <= founded, 0, closed_year)
        prefixes = rng.permutation(len(_NAME_PREFIXES))
        for k in range(industry.count):
            pinyin, hanzi = _NAME_PREFIXES[prefixes[k % len(_NAME_PREFIXES)]]
            extra_en = "" if k < len(_NAME_PREFIXES) else " No. 2"
            extra_zh = "" if k < len(_NAME_PREFIXES) else "第二"
            district = district_codes[int(districts[k])]
            code = random_uscc(rng, district)
            while code in used:
                code = random_uscc(rng, district)
            used.add(code)
            rows.append(
                {
                    "uscc": code,
                    "name_en": f"Demo City {pinyin} {industry.word_en}{extra_en} Co., Ltd.",
                    "name_zh": f"示范市{hanzi}{industry.word_zh}{extra_zh}有限公司",
                    "industry_code": industry.code,
                    "industry_name": industry.name_en,
                    "industry_name_zh": industry.name_zh,
                    "group": industry.group,
                    "district": district,
                    "founded_year": int(founded[k]),
                    "closed_year": int(closed_year[k]) if closed_year[k] else None,
                    "size": float(sizes[k]),
                }
            )
    frame = pd.DataFrame(rows)
    frame["closed_year"] = frame["closed_year"].astype("Int64")
    operating = frame["closed_year"].isna()
    scale = output_total_2024 / frame.loc[operating, "size"].sum()
    frame["size"] *= scale
    frame["output_value_10k_yuan"] = np.where(operating, frame["size"], 0.0).round(1)
    # Output per mu of land [10^4 yuan/mu] and per employee [10^4 yuan/person]: ASSUMED.
    group = frame["group"].to_numpy()
    per_mu = np.select([group == "heavy", group == "hightech"], [500.0, 800.0], 300.0) * rng.lognormal(
        0.0, 0.4, size=len(frame)
    )
    per_worker = np.select([group == "heavy", group == "hightech"], [400.0, 250.0], 100.0) * rng.lognormal(
        0.0, 0.3, size=len(frame)
    )
    frame["land_area_mu"] = np.maximum(frame["size"] / per_mu, 5.0).round(1)
    frame["employees"] = np.maximum(np.rint(frame["size"] / per_worker), 8).astype("int64")
    frame.loc[~operating, "employees"] = 0
    # Energy intensity of each plant relative to its industry's profile: firms of one industry
    # differ widely in efficiency (vintage, scale, process). Lognormal, sigma 0.45 (p10 0.56,
    # p90 1.78): ASSUMED. Drawn last so that the draws above are unchanged.
    frame["energy_efficiency"] = rng.lognormal(0.0, 0.45, size=len(frame))
    return frame


# Public buildings: type -> (probability, median floor area [m2], electricity intensity
# [kWh/m2/yr], natural gas intensity [m3/m2/yr], share using gas). ASSUMED.
BUILDING_TYPES: dict[str, tuple[float, float, float, float, float]] = {
    "office": (0.35, 12_000.0, 85.0, 1.0, 0.5),
    "school": (0.30, 18_000.0, 35.0, 1.5, 0.8),
    "hospital": (0.08, 40_000.0, 140.0, 8.0, 1.0),
    "hotel": (0.12, 20_000.0, 120.0, 9.0, 1.0),
    "mall": (0.15, 35_000.0, 180.0, 2.0, 0.6),
}


def sample_buildings(
    rng: np.random.Generator, district_codes: list[str], weights: np.ndarray, count: int = 600
) -> pd.DataFrame:
    """Draw public buildings with their 2024 electricity and natural gas use.

    Parameters
    ----------
    rng : numpy.random.Generator
        Seeded generator.
    district_codes : list of str
        District codes.
    weights : numpy.ndarray
        Relative share of public buildings by district [unitless].
    count : int
        Number of buildings.

    Returns
    -------
    pandas.DataFrame
        ``building_id``, ``district``, ``type``, ``floor_area_m2`` [m2], ``electricity_mwh``
        [MWh/yr], ``gas_m3`` [m3/yr], ``year`` (2024).
    """
    types = list(BUILDING_TYPES)
    probs = np.array([BUILDING_TYPES[t][0] for t in types])
    kind = rng.choice(len(types), size=count, p=probs / probs.sum())
    params = np.array([BUILDING_TYPES[t][1:] for t in types])[kind]
    area = params[:, 0] * rng.lognormal(0.0, 0.6, size=count)
    elec = area * params[:, 1] * rng.lognormal(0.0, 0.3, size=count) / 1000.0
    uses_gas = rng.random(count) < params[:, 3]
    gas = np.where(uses_gas, area * params[:, 2] * rng.lognormal(0.0, 0.4, size=count), 0.0)
    district = rng.choice(len(district_codes), size=count, p=weights / weights.sum())
    return pd.DataFrame(
        {
            "building_id": [f"PB{i:04d}" for i in range(1, count + 1)],
            "district": np.array(district_codes)[district],
            "type": np.array(types)[kind],
            "floor_area_m2": np.round(area, 1),
            "electricity_mwh": np.round(elec, 3),
            "gas_m3": np.round(gas, 1),
            "year": 2024,
        }
    )


# Household size distribution (1..6 persons), ASSUMED so that the mean is 2.51 persons, the
# average family household size of the 2020 census [CZ-CENSUS-2020].
HOUSEHOLD_SIZE_PROBS = (0.22, 0.35, 0.24, 0.11, 0.05, 0.03)
PIPED_GAS_SHARE = 0.8  # ASSUMED share of households on piped natural gas


def sample_households(
    rng: np.random.Generator,
    district_codes: list[str],
    weights: np.ndarray,
    electricity_per_household_kwh: float,
    gas_per_household_m3: float,
    count: int = 2000,
) -> pd.DataFrame:
    """Draw a household survey sample for 2024, scaled to the city's per-household means.

    Parameters
    ----------
    rng : numpy.random.Generator
        Seeded generator.
    district_codes : list of str
        District codes.
    weights : numpy.ndarray
        Population share by district [unitless].
    electricity_per_household_kwh : float
        City mean residential electricity per household in 2024 [kWh/yr]; the sample mean
        equals it.
    gas_per_household_m3 : float
        City mean residential natural gas per household in 2024 [m3/yr]; the sample mean
        equals it.
    count : int
        Sample size.

    Returns
    -------
    pandas.DataFrame
        ``household_id``, ``district``, ``members`` [persons], ``floor_area_m2`` [m2],
        ``electricity_kwh`` [kWh/yr], ``gas_m3`` [m3/yr], ``year`` (2024).
    """
    members = rng.choice(np.arange(1, 7), size=count, p=np.array(HOUSEHOLD_SIZE_PROBS))
    area = 55.0 * members**0.55 * rng.lognormal(0.0, 0.3, size=count)
    elec = members**0.5 * area**0.3 * rng.lognormal(0.0, 0.35, size=count)
    elec *= electricity_per_household_kwh / elec.mean()
    on_gas = rng.random(count) < PIPED_GAS_SHARE
    gas = np.where(on_gas, members**0.6 * rng.lognormal(0.0, 0.4, size=count), 0.0)
    gas *= gas_per_household_m3 / gas.mean()
    district = rng.choice(len(district_codes), size=count, p=weights / weights.sum())
    return pd.DataFrame(
        {
            "household_id": [f"HH{i:05d}" for i in range(1, count + 1)],
            "district": np.array(district_codes)[district],
            "members": members.astype("int64"),
            "floor_area_m2": np.round(area, 1),
            "electricity_kwh": elec,
            "gas_m3": gas,
            "year": 2024,
        }
    )
