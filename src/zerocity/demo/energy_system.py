"""Demo City's industrial-park energy system (Gaoxin district) for ``zerocity energy optimise``.

Hourly profiles for a year (8760 h, 2023 calendar) are generated, deterministically (seed):

* ``elec_load`` [MW]: 45 MW base, +35 % on working hours (8-18 h, Monday-Friday), +15 % in July
  and August (cooling) -- **assumed** park shape;
* ``heat_load`` [MW]: 18 MW process heat on working days (8 MW otherwise) plus space heating
  12 MW x heating degree share in December-February -- **assumed**;
* ``pv_cf`` [MW/MWp]: pvlib clear-sky irradiance (Ineichen with pvlib's Linke turbidity climatology)
  at Changzhou (31.78 N, 119.97 E), transposed to a 25 deg south-facing plane (Hay-Davies),
  PVWatts DC with -0.4 %/K and a 14 % loss, times a daily clearness drawn from Beta(6, 4) (mean
  0.6) -- the cloud factor is **assumed**;
* ``wind_cf`` [MW/MW]: wind speed at hub height from a Weibull(k=2, c=6.5 m/s) marginal with
  AR(1) hourly persistence (rho 0.9), through a generic power curve (cut-in 3, rated 12, cut-out
  25 m/s) -- **assumed**;
* ``grid_price`` [yuan/MWh]: a time-of-use shape, peak 1,100 (8-11 h, 17-22 h), flat 650,
  valley 300 (0-8 h) -- **assumed** example tariff (replace with the local catalogue tariff);
* ``ev_power`` [MW]: charging available 18-8 h, 12 MW -- **assumed**.

Grid electricity carbon is the factor library's Jiangsu provincial factor (resolved through the
inventory engine); natural gas is the library's natural-gas combustion factor per MWh (NCV basis).
Costs are **assumed** round figures for illustration (yuan per MW or MWh installed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["demo_profiles", "demo_system"]

LAT, LON = 31.78, 119.97


def demo_profiles(year: int = 2023, seed: int = 20241, *, representative: bool = False) -> pd.DataFrame:
    """The generated hourly profiles of Demo City's park (8760 rows; no leap day).

    With ``representative``, 12 representative days (the 15th of each month, 288 rows) with a
    ``weight`` (days in the month) and a ``day`` column: a fast model for demos and tests.
    """
    import pvlib

    rng = np.random.default_rng(seed)
    times = pd.date_range(f"{year}-01-01", periods=8784, freq="h", tz="Asia/Shanghai")
    times = times[~((times.month == 2) & (times.day == 29))][:8760]
    hour = times.hour.to_numpy()
    weekday = np.asarray(times.day_of_week) < 5
    month = times.month.to_numpy()
    working = weekday & (hour >= 8) & (hour < 18)
    elec = 45.0 * (1 + 0.35 * working) * np.where(np.isin(month, [7, 8]), 1.15, 1.0)
    heating = np.isin(month, [12, 1, 2])
    heat = np.where(weekday, 18.0, 8.0) + 12.0 * heating * (1 + 0.3 * ((hour < 8) | (hour >= 20)))

    loc = pvlib.location.Location(LAT, LON, tz="Asia/Shanghai")
    cs = loc.get_clearsky(times)
    sun = loc.get_solarposition(times)
    extra = pvlib.irradiance.get_extra_radiation(times)
    poa = pvlib.irradiance.get_total_irradiance(
        25,
        180,
        sun["apparent_zenith"],
        sun["azimuth"],
        cs["dni"],
        cs["ghi"],
        cs["dhi"],
        dni_extra=extra,
        model="haydavies",
    )
    days = len(times) // 24
    clearness = np.repeat(rng.beta(6, 4, days), 24)[: len(times)]
    g = poa["poa_global"].to_numpy() * clearness
    cell = 25.0 + g / 800.0 * 20.0  # NOCT-style rise: 20 K at 800 W/m2
    pv = pvlib.pvsystem.pvwatts_dc(g, cell, 1.0, -0.004) * (1 - 0.14)
    pv = np.clip(np.nan_to_num(pv), 0.0, 1.0)

    from scipy import signal, stats

    # AR(1) with unit variance in the normal domain: z_t = 0.9 z_{t-1} + sqrt(1 - 0.81) e_t.
    speed = signal.lfilter([np.sqrt(1 - 0.81)], [1.0, -0.9], rng.normal(size=len(times)))
    u = stats.norm.cdf(speed)
    v = 6.5 * (-np.log(1 - u)) ** (1 / 2.0)
    wind = np.where((v >= 3) & (v < 12), ((v - 3) / 9) ** 3, np.where((v >= 12) & (v < 25), 1.0, 0.0))

    price = np.where(
        hour < 8, 300.0, np.where(((hour >= 8) & (hour < 11)) | ((hour >= 17) & (hour < 22)), 1100.0, 650.0)
    )
    ev = np.where((hour >= 18) | (hour < 8), 12.0, 0.0)
    frame = pd.DataFrame(
        {
            "elec_load": elec,
            "heat_load": heat,
            "pv_cf": pv,
            "wind_cf": wind,
            "grid_price": price,
            "ev_power": ev,
        }
    )
    if not representative:
        return frame
    pick = np.asarray(times.day == 15)
    days_in_month = np.asarray(times.days_in_month)
    out = frame[pick].reset_index(drop=True)
    out["weight"] = days_in_month[pick].astype(float)
    out["day"] = month[pick]
    return out


def _factors(region: str, year: int) -> tuple[float, float, str]:
    """Tonnes CO2e per MWh of grid electricity and of natural gas (library, through the inventory engine)."""
    from zerocity.inventory.unit_factors import unit_emissions

    grid, gas = unit_emissions(
        [("I.3.2", "electricity_grid", "MWh"), ("I.3.1", "natural_gas", "MWh")], region=region, year=year
    )
    return grid.tco2e, gas.tco2e, f"{grid.factor_ids}; {gas.factor_ids}"


def demo_system(region: str = "CN-JS", year: int = 2023, *, representative: bool = False) -> dict[str, Any]:
    """The Demo City park system as a mapping (what a YAML file would hold).

    Profiles: ``generate: demo`` (a year of hours) or ``demo_days`` (12 representative days).
    """
    grid_t, gas_t, ids = _factors(region, year)
    return {
        "name": "Demo City Gaoxin industrial park",
        "region": region,
        "year": year,
        "discount_rate": 0.06,
        "carriers": ["electricity", "heat", "gas"],
        "profiles": {"generate": "demo_days" if representative else "demo"},
        "description": f"Generated profiles and assumed costs (zerocity.demo.energy_system); factors {ids}",
        "demand": {"electricity": {"profile": "elec_load"}, "heat": {"profile": "heat_load"}},
        "technologies": {
            "grid": {
                "kind": "source",
                "carrier": "electricity",
                "price": "grid_price",
                "carbon": round(grid_t, 4),
                "primary_energy": 2.5,
                "max_power": 120.0,
                "source": "carbon: factor library (Jiangsu provincial grid factor); price: assumed ToU shape",
            },
            "gas": {
                "kind": "source",
                "carrier": "gas",
                "price": 324.0,
                "carbon": round(gas_t, 4),
                "primary_energy": 1.1,
                "counts_as_import": False,  # self-sufficiency: share of electricity and heat made in the park
                "source": "3.5 yuan/m3 at 38.931 MJ/m3 (assumed price; NCV GB/T 2589-2020); carbon: factor library",
            },
            "pv": {
                "kind": "generator",
                "carrier": "electricity",
                "availability": "pv_cf",
                "capex": 3.2e6,
                "lifetime": 25,
                "fom": 0.01,
                "max_capacity": 60.0,
            },
            "wind": {
                "kind": "generator",
                "carrier": "electricity",
                "availability": "wind_cf",
                "capex": 5.5e6,
                "lifetime": 20,
                "fom": 0.02,
                "max_capacity": 20.0,
            },
            "battery": {
                "kind": "storage",
                "carrier": "electricity",
                "capex": 3.0e5,
                "capex_energy": 9.0e5,
                "lifetime": 12,
                "efficiency_charge": 0.95,
                "efficiency_discharge": 0.95,
                "standing_loss": 0.0001,
                "cycle_cost": 20.0,
            },
            "heat_pump": {
                "kind": "converter",
                "input": "electricity",
                "outputs": {"heat": 3.0},
                "capex": 4.5e6,
                "lifetime": 20,
                "fom": 0.015,
            },
            "gas_boiler": {
                "kind": "converter",
                "input": "gas",
                "outputs": {"heat": 0.92},
                "capex": 2.5e5,
                "lifetime": 20,
                "existing": 40.0,
                "fom": 0.02,
            },
            "chp": {
                "kind": "converter",
                "input": "gas",
                "outputs": {"electricity": 0.38, "heat": 0.42},
                "capex": 2.0e6,
                "lifetime": 25,
                "fom": 0.03,
                "max_capacity": 60.0,
            },
            "thermal_store": {
                "kind": "storage",
                "carrier": "heat",
                "capex": 5.0e4,
                "capex_energy": 3.0e4,
                "lifetime": 25,
                "standing_loss": 0.005,
            },
            "ev_charging": {
                "kind": "flexible_demand",
                "carrier": "electricity",
                "daily_energy": 60.0,
                "max_power": "ev_power",
            },
            "demand_response": {"kind": "shift", "carrier": "electricity", "share": 0.1, "cost": 50.0},
        },
    }
