"""Demo City's scenario model (base year 2024, pathways to 2060) built from its own data.

Base-year values are derived, not assumed: activity levels are Demo City's 2024 statistics and
fuel intensities are its 2024 energy balance divided by them, so the model's base year
reproduces the 2024 inventory (the test checks within 1 %). Waste, IPPU and AFOLU enter as
emission intensities (t gas per person or per 10^4 yuan) taken from the 2024 inventory of those
sectors. The local coal CHP plant (I.4.4) is calibrated on the 2024 coal it burns, the
electricity it generates and the heat the city buys.

Everything about the future is **assumed** (round figures chosen to be plausible, stated in each
variable's ``source``): growth of population and GDP (middle-of-the-road, SSP2-like), the
autonomous intensity trends of BAU, the grid factor paths, and the measures of the policy and
enhanced scenarios.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

__all__ = ["demo_scenario_model", "write_demo_model"]

BASE_YEAR = 2024
ASSUMED = "assumed (Demo City scenario model, docs/brain.md)"
DERIVED = "Demo City 2024 energy balance / statistics"

FUELS: dict[str, dict[str, Any]] = {
    "raw_coal": {"unit": "t", "label": "Coal"},
    "coke": {"unit": "t", "label": "Coke"},
    "natural_gas": {"unit": "m3", "label": "Gas"},
    "lpg": {"unit": "t", "label": "LPG"},
    "gasoline": {"unit": "t", "label": "Gasoline"},
    "diesel": {"unit": "t", "label": "Diesel"},
    "fuel_oil": {"unit": "t", "label": "Fuel Oil"},
    "kerosene": {"unit": "t", "label": "Kerosene"},
    "electricity": {"unit": "MWh", "activity": "electricity_grid", "carrier": True, "label": "Electricity"},
    "heat": {"unit": "GJ", "activity": "heat_purchased", "carrier": True, "label": "Heat"},
}
ACTIVITY_OF = {"electricity_grid": "electricity", "heat_purchased": "heat"}


def _balance(city: Any) -> pd.DataFrame:
    eb = city.energy_balance
    eb = eb[eb["year"] == BASE_YEAR].copy()
    eb["fuel"] = eb["activity"].map(lambda a: ACTIVITY_OF.get(a, a))
    return eb


def _intensities(eb: pd.DataFrame, refs: list[str], activity: float, trends: dict[str, Any]) -> dict[str, Any]:
    """Fuel intensities of the 2024 balance rows of some references over an activity level."""
    rows = eb[eb["gpc_ref"].isin(refs)].groupby("fuel")["amount"].sum()
    out: dict[str, Any] = {}
    for fuel, amount in rows.items():
        var: dict[str, Any] = {"value": float(f"{amount / activity:.6g}")}
        trend = trends.get(str(fuel), trends.get("*"))
        if trend is not None:
            var["growth"] = trend
        out[str(fuel)] = var
    return out


def _non_energy(city: Any) -> dict[str, dict[str, float]]:
    """T of each gas per reference in 2024 for waste, IPPU and AFOLU (from the inventory)."""
    from zerocity.inventory.engine import compute_inventory

    records = city.records
    keep = records["gpc_ref"].astype(str).str.match(r"^(III|IV|V)\.")
    result = compute_inventory(records[keep], region=city.region, years=[BASE_YEAR], source="Demo City records")
    e = result.emissions
    e = e[~e["biogenic"]]
    grouped = e.groupby(["gpc_ref", "gas"])["tonnes"].sum()
    out: dict[str, dict[str, float]] = {}
    for (ref, gas), t in grouped.items():
        if t > 0:
            out.setdefault(str(ref), {})[str(gas)] = float(t)
    return out


def demo_scenario_model(seed: int = 20241) -> dict[str, Any]:
    """The Demo City model as a mapping (what :func:`write_demo_model` writes as YAML)."""
    from zerocity.demo import build_demo_city
    from zerocity.factors.convert import convert_quantity
    from zerocity.factors.library import default_library
    from zerocity.units import parse_unit

    city = build_demo_city(seed=seed)
    stats = city.statistics.set_index("year").loc[BASE_YEAR]
    eb = _balance(city)
    pop = float(stats["population"])
    households = pop / 2.51  # 2020 census household size [CZ-CENSUS-2020]
    gdp1, gdp2, gdp3 = (float(stats[c]) for c in ("gdp_primary", "gdp_secondary", "gdp_tertiary"))

    assumptions = {
        "population": {
            "unit": "person",
            "value": pop,
            "growth": {
                2025: {"normal": [0.003, 0.002]},
                2030: {"normal": [0.0, 0.002]},
                2035: {"normal": [-0.003, 0.002]},
                2045: {"normal": [-0.005, 0.002]},
            },
            "source": f"{DERIVED} (2024); growth {ASSUMED}, SSP2-like for China",
        },
        "households": {
            "unit": "household",
            "value": round(households),
            "driver": "population",
            "elasticity": 1.15,
            "source": f"2024: population / 2.51 persons per household (2020 census); elasticity {ASSUMED}",
        },
        "gdp": {
            "unit": "wan_yuan",
            "value": float(stats["gdp"]),
            "ssp": "SSP2",
            "ssp_region": "CN",
            "source": (
                f"{DERIVED} (2024, current prices); real growth: China's SSP2 GDP|PPP path (IIASA GDP, "
                "Crespo Cuaresma 2017; zerocity.brain.ssp)"
            ),
        },
        "gdp_primary": {"unit": "wan_yuan", "value": gdp1, "driver": "gdp", "elasticity": 0.4, "source": ASSUMED},
        "gdp_secondary": {"unit": "wan_yuan", "value": gdp2, "driver": "gdp", "elasticity": 0.8, "source": ASSUMED},
        "gdp_tertiary": {"unit": "wan_yuan", "value": gdp3, "driver": "gdp", "elasticity": 1.15, "source": ASSUMED},
    }

    # Autonomous efficiency gains of BAU (assumed): fossil intensities fall, electricity holds up.
    fossil = {"*": -0.02, "electricity": 0.0, "heat": -0.01}
    industry = {
        "*": -0.035,
        "electricity": -0.01,
        "heat": -0.02,
        "coke": {"triangular": [-0.06, -0.04, -0.02]},
        "raw_coal": {"triangular": [-0.065, -0.045, -0.025]},
    }
    demand: dict[str, Any] = {
        "residential": {
            "gpc": "I.1",
            "description": "Residential buildings",
            "activity": {"driver": "households"},
            "intensity": _intensities(eb, ["I.1.1", "I.1.2"], households, {"*": -0.02, "electricity": 0.01}),
        },
        "commercial": {
            "gpc": "I.2",
            "description": "Commercial and institutional buildings",
            "activity": {"driver": "gdp_tertiary"},
            "intensity": _intensities(eb, ["I.2.1", "I.2.2"], gdp3, fossil),
        },
        "industry": {
            "gpc": "I.3",
            "description": "Manufacturing industries and construction",
            "activity": {"driver": "gdp_secondary"},
            "intensity": _intensities(eb, ["I.3.1", "I.3.2"], gdp2, industry),
        },
        "energy_own_use": {
            "gpc": "I.4",
            "description": "Energy industries' own use",
            "activity": {"driver": "gdp_secondary"},
            "intensity": _intensities(eb, ["I.4.1"], gdp2, {"*": -0.03}),
        },
        "agriculture": {
            "gpc": "I.5",
            "description": "Agriculture, forestry and fishing (energy)",
            "activity": {"driver": "gdp_primary"},
            "intensity": _intensities(eb, ["I.5.1", "I.5.2"], gdp1, fossil),
        },
        "transport": {
            "description": "Transportation",
            "branches": {
                "road": {
                    "gpc": "II.1",
                    "branches": {
                        "passenger": {
                            "activity": {"driver": "population"},
                            "intensity": _intensities(
                                eb[eb["fuel"] != "diesel"],
                                ["II.1.1", "II.1.2"],
                                pop,
                                {"*": 0.01, "electricity": {2025: 0.06, 2040: 0.01}},
                            ),
                        },
                        "freight": {
                            "activity": {"driver": "gdp_secondary"},
                            "intensity": _intensities(eb[eb["fuel"] == "diesel"], ["II.1.1"], gdp2, {"*": -0.02}),
                        },
                    },
                },
                "rail": {
                    "gpc": "II.2",
                    "activity": {"driver": "population"},
                    "intensity": _intensities(eb, ["II.2.2"], pop, {"*": 0.03}),
                },
                "aviation": {
                    "gpc": "II.4.3",
                    "activity": {"driver": "population"},
                    "intensity": _intensities(eb, ["II.4.3"], pop, {"*": 0.02}),
                },
                "off_road": {
                    "gpc": "II.5",
                    "activity": {"driver": "gdp_secondary"},
                    "intensity": _intensities(eb, ["II.5.1"], gdp2, {"*": -0.02}),
                },
            },
        },
    }

    non_energy = _non_energy(city)
    activity_of = {"III": ("population", pop), "IV": ("gdp_secondary", gdp2), "V": ("gdp_primary", gdp1)}
    groups: dict[str, dict[str, Any]] = {"III": {}, "IV": {}, "V": {}}
    names = {"III": "waste", "IV": "ippu", "V": "afolu"}
    for ref, gases in sorted(non_energy.items()):
        sector = ref.split(".")[0]
        driver, level = activity_of[sector]
        groups[sector][ref.replace(".", "_")] = {
            "gpc": ref,
            "activity": {"driver": driver},
            "emissions": {
                gas: {
                    "value": float(f"{t / level:.6g}"),
                    "unit": f"t/{'person' if driver == 'population' else 'wan_yuan'}",
                }
                for gas, t in gases.items()
            },
        }
    for sector, branches in groups.items():
        if branches:
            demand[names[sector]] = {"description": f"GPC sector {sector} (emission intensities)", "branches": branches}

    # Local coal CHP (I.4.4): 2024 coal, generation and the heat the city buys.
    lib = default_library()
    # Energy content as the engine counts it: the model's energy unit (tce) by GB/T 2589's coefficient.
    coal_tce = convert_quantity(1.0, "t", "tce", activity="raw_coal", library=lib, region=city.region, year=BASE_YEAR)
    coal_gj_per_t = coal_tce.result * parse_unit("tce").to(parse_unit("GJ"))
    coal_t = float(eb[(eb["gpc_ref"] == "I.4.4") & (eb["fuel"] == "raw_coal")]["amount"].sum())
    gen_mwh = float(stats["electricity_generation_mwh"])
    heat_gj = float(eb[eb["fuel"] == "heat"]["amount"].sum())
    fuel_gj = coal_t * coal_gj_per_t
    supply = {
        "electricity": {
            "losses": 0.0,
            "factor": {"interp": {2030: {"uniform": [0.48, 0.56]}, 2060: {"uniform": [0.30, 0.50]}}},
        },
        "heat": {
            # Heat-led CHP: it supplies the city's purchased heat; its electricity reduces imports.
            "processes": {
                "coal_chp": {
                    "fuel": "raw_coal",
                    "gpc": "I.4.4",
                    "description": "Local coal CHP; efficiencies calibrated on 2024 coal, heat sold and generation",
                    "efficiency": {
                        "heat": float(f"{heat_gj / fuel_gj:.6g}"),
                        "electricity": float(f"{gen_mwh * 3.6 / fuel_gj:.6g}"),
                    },
                    "share": 1.0,
                    "capacity": 3000.0,
                    "availability": 0.8,
                }
            },
        },
    }
    measures = {
        "industrial_efficiency": {
            "description": "Energy-saving retrofits in industry: fossil fuel intensities 20 % below BAU by 2035",
            "overrides": [
                {"variable": f"demand.industry.intensity.{f}", "from": 2026, "scale": {2035: 0.8}}
                for f in demand["industry"]["intensity"]
                if f not in ("electricity",)
            ],
            "cost": {"capex": 6.0e9, "opex_per_year": -2.0e8},
        },
        "coal_to_electricity": {
            "description": "Industrial coal boilers replaced: coal intensity to 40 % of BAU by 2035, electricity +15 %",
            "overrides": [
                {"variable": "demand.industry.intensity.raw_coal", "from": 2026, "scale": {2035: 0.4}},
                {"variable": "demand.industry.intensity.electricity", "from": 2026, "scale": {2035: 1.15}},
            ],
            "cost": {"capex": 4.0e9, "opex_per_year": 1.5e8},
        },
        "electric_vehicles": {
            "description": "Passenger road transport electrified: gasoline 30 % of BAU by 2040, electricity x3",
            "overrides": [
                {"variable": "demand.transport.road.passenger.intensity.gasoline", "from": 2026, "scale": {2040: 0.3}},
                {
                    "variable": "demand.transport.road.passenger.intensity.electricity",
                    "from": 2026,
                    "scale": {2040: 3.0},
                },
            ],
            "cost": {"capex": 3.0e9, "opex_per_year": -1.0e8},
        },
        "building_efficiency": {
            "description": (
                "Building retrofits and standards: residential and commercial intensities 15 % below BAU by 2035"
            ),
            "overrides": [
                {"variable": f"demand.{b}.intensity.{f}", "from": 2026, "scale": {2035: 0.85}}
                for b in ("residential", "commercial")
                for f in demand[b]["intensity"]
            ],
            "cost": {"capex": 5.0e9, "opex_per_year": -1.5e8},
        },
        "clean_grid": {
            "description": "Provincial grid decarbonisation (national policy): 0.45 t/MWh by 2030, 0.10 by 2060",
            "overrides": [{"variable": "supply.electricity.factor", "from": 2025, "interp": {2030: 0.45, 2060: 0.10}}],
        },
        "chp_phase_down": {
            "description": "Local coal CHP to a quarter of the heat supply by 2040 (the rest bought from outside)",
            "overrides": [{"variable": "supply.heat.processes.coal_chp.share", "from": 2027, "interp": {2040: 0.25}}],
            "cost": {"capex": 1.5e9},
        },
        "deep_industry": {
            "description": "Hydrogen and electrified process heat: remaining coal and coke to 20 % of BAU by 2050",
            "overrides": [
                {"variable": "demand.industry.intensity.raw_coal", "from": 2030, "scale": {2050: 0.5}},
                {"variable": "demand.industry.intensity.coke", "from": 2030, "scale": {2050: 0.2}},
                {"variable": "demand.industry.intensity.electricity", "from": 2030, "scale": {2050: 1.3}},
            ],
            "cost": {"capex": 1.2e10, "opex_per_year": 4.0e8},
        },
    }
    scenarios = {
        "BAU": {"description": "Current trends: autonomous efficiency gains, slow grid decarbonisation"},
        "policy": {
            "parent": "BAU",
            "description": "Peaking policy: efficiency, fuel switching, EVs, cleaner grid",
            "measures": [
                "industrial_efficiency",
                "coal_to_electricity",
                "electric_vehicles",
                "building_efficiency",
                "clean_grid",
            ],
        },
        "enhanced": {
            "parent": "policy",
            "description": "Enhanced: CHP phase-down, deep industrial decarbonisation, near-zero grid",
            "measures": ["chp_phase_down", "deep_industry"],
            "overrides": [{"variable": "supply.electricity.factor", "from": 2031, "interp": {2060: 0.03}}],
        },
    }
    return {
        "name": "Demo City",
        "region": city.region,
        "base_year": BASE_YEAR,
        "end_year": 2060,
        "gwp": "AR5",
        "energy_unit": "tce",
        "report_level": "BASIC",
        "discount_rate": 0.06,
        "description": "Demo City (示范市) LEAP-style model: base year from its 2024 data, futures assumed",
        "source": "zerocity.demo.scenario; docs/brain.md",
        "assumptions": assumptions,
        "fuels": FUELS,
        "demand": demand,
        "supply": supply,
        "measures": measures,
        "scenarios": scenarios,
    }


def write_demo_model(path: Path | str, seed: int = 20241) -> Path:
    """Write the Demo City model to ``path`` as YAML (a starting point for a city's own model)."""
    target = Path(path)
    header = (
        "# Demo City scenario model (zerocity). Base year 2024 derived from Demo City's data; every\n"
        "# future path is an assumption (see each 'source'). Run: zerocity scenario run THIS_FILE\n"
    )
    target.write_text(
        header + yaml.safe_dump(demo_scenario_model(seed), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return target
