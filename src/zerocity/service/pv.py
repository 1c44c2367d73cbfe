"""Rooftop PV over HTTP (``zerocity pv estimate``): yield with pvlib, self-consumption, economics, avoided CO2.

Weather is pvlib's clear-sky year at the site (optionally scaled to an annual GHI or by a
clear-sky index); EPW/TMY3 weather files and GeoJSON roofs are the CLI's (files on disk).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from zerocity.energy.pv import (
    Mounting,
    PvDesign,
    PvEstimate,
    PvFinance,
    Roof,
    Site,
    clear_sky_weather,
    estimate,
    grid_factor,
)
from zerocity.energy.storage import load_profile, load_tariff
from zerocity.jsonio import jsonable
from zerocity.service.errors import ApiError

__all__ = ["estimate_run"]

logger = logging.getLogger(__name__)


def _summary(e: PvEstimate) -> dict[str, Any]:
    return {
        "mounting": e.design.mounting.value,
        "module": e.design.module.id,
        "kwp": e.kwp,
        "annual_kwh": e.annual_kwh,
        "capex_per_wp": e.finance.capex_for(e.design.mounting),
        "capex": e.capex,
        "npv": e.npv,
        "lcoe": e.lcoe,
        "simple_payback_years": e.payback_years,
    }


def estimate_run(params: dict[str, Any]) -> dict[str, Any]:
    """Estimate rooftop PV for roofs at a site; with ``compare``, the other mounting is priced too."""
    if params.get("roofs"):
        roofs = [
            Roof(
                id=r["id"],
                area_m2=r["area_m2"],
                tilt=r.get("tilt") if r.get("tilt") is not None else params["tilt"],
                azimuth=r.get("azimuth") if r.get("azimuth") is not None else params["azimuth"],
                usable_fraction=r.get("usable_fraction") if r.get("usable_fraction") is not None else params["usable"],
            )
            for r in params["roofs"]
        ]
    else:
        roofs = [
            Roof(
                id="roof-1",
                area_m2=params["area"],
                tilt=params["tilt"],
                azimuth=params["azimuth"],
                usable_fraction=params["usable"],
            )
        ]
    site = Site(latitude=params["lat"], longitude=params["lon"], tz=params["tz"])
    weather = clear_sky_weather(
        site,
        year=params["year"],
        turbidity=params.get("turbidity"),
        clear_sky_index=params.get("clear_sky_index"),
        annual_ghi_kwh_m2=params.get("annual_ghi"),
    )
    load = None
    if params.get("load_profile"):
        if params.get("annual_load_kwh") is None:
            raise ApiError(422, "invalid_request", "load_profile needs annual_load_kwh", [{"location": ["body"]}])
        index = pd.DatetimeIndex(weather.data.index)
        load = load_profile(params["load_profile"], params["annual_load_kwh"], index).to_numpy()
    base = PvFinance()
    finance = PvFinance(
        capex_per_wp=params.get("capex_per_wp"),
        om_per_wp_year=base.om_per_wp_year,
        degradation=base.degradation,
        lifetime_years=params["lifetime"] if params.get("lifetime") is not None else base.lifetime_years,
        discount_rate=params["discount_rate"] if params.get("discount_rate") is not None else base.discount_rate,
        feed_in_price=params.get("feed_in"),
    )
    grid = grid_factor(params["region"], params["factor_year"])
    mounting = Mounting(params["mounting"])
    mounts = [mounting] + ([m for m in Mounting if m is not mounting] if params["compare"] else [])
    results: dict[str, PvEstimate] = {}
    for mount in mounts:
        design = PvDesign.default(
            mount,
            module=params.get("module") if mount is mounting else None,
            inverter=params.get("inverter"),
            dc_ac_ratio=params.get("dc_ac"),
            losses_pct=params.get("losses"),
            transposition=params["transposition"],
        )
        results[mount.value] = estimate(
            roofs, weather, design=design, load_kw=load, tariff=load_tariff(), finance=finance, grid=grid
        )
    main = results[mounting.value]
    doc = main.to_dict(hourly=params["hourly"])
    doc["options"] = {k: _summary(v) for k, v in results.items()}
    notes = list(main.grid.warnings)
    if main.weather_source.startswith("clear sky") and "scaled" not in main.weather_source:
        notes.append("cloudless clear-sky year: an upper bound of the yield; give annual_ghi or clear_sky_index")
    doc["notes"] = notes
    out: dict[str, Any] = jsonable(doc)
    return out
