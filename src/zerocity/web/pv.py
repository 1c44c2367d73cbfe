"""The rooftop PV page's view model: the city's roof potential by district and a one-roof estimator.

The district numbers are ``zerocity pv city`` (:func:`zerocity.energy.pv.city_potential`) on the
tenant's roof table (:func:`zerocity.web.profile.load_roofs`); the estimator is ``zerocity pv
estimate`` (:func:`zerocity.energy.pv.estimate`) for one roof at a point the user picks on the map.
Both use one weather year at the city (a clear-sky year scaled to the city's annual irradiation,
:func:`zerocity.energy.pv.clear_sky_weather`) and the grid factor the inventory engine resolves
for the city's region and last statistics year (:func:`zerocity.energy.pv.grid_factor`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zerocity.energy.pv import (
    Mounting,
    PvDesign,
    PvFinance,
    Roof,
    Site,
    Weather,
    city_potential,
    clear_sky_weather,
    estimate,
    grid_factor,
    pv_defaults,
)
from zerocity.energy.storage import load_profile, load_profile_names, load_tariff
from zerocity.i18n import N_, format_number
from zerocity.web import figures
from zerocity.web.issues import FormIssue
from zerocity.web.profile import CityProfile, RoofTable
from zerocity.web.resultcache import cached_result, input_digest

__all__ = [
    "WEATHER_YEAR",
    "EstimateForm",
    "city_site",
    "estimate_roof",
    "parse_estimate",
    "pv_digest",
    "pv_numbers",
    "pv_view",
]

logger = logging.getLogger(__name__)

Translate = Callable[..., str]

#: Calendar year of the clear-sky weather (the CLI's default ``--year``).
WEATHER_YEAR = 2023
#: Roof kinds of :func:`zerocity.demo.roofs.demo_roofs` -> message ids.
KIND_IDS = {
    "public": N_("web_roof_public"),
    "industrial": N_("web_roof_industrial"),
    "residential": N_("web_roof_residential"),
}
#: Load shapes of :func:`zerocity.energy.storage.load_profile` -> message ids.
LOAD_IDS = {
    "commercial": N_("web_load_commercial"),
    "industrial": N_("web_load_industrial"),
    "residential": N_("web_load_residential"),
}
#: Mountings -> message ids.
MOUNTING_IDS = {Mounting.BAPV.value: N_("web_mounting_bapv"), Mounting.BIPV.value: N_("web_mounting_bipv")}


def _rings(profile: CityProfile) -> list[np.ndarray]:
    rings: list[np.ndarray] = []
    for feature in profile.districts.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = [geometry["coordinates"]] if geometry.get("type") == "Polygon" else geometry.get("coordinates", [])
        rings.extend(np.asarray(polygon[0], dtype=float) for polygon in polygons)
    return rings


def city_site(profile: CityProfile) -> Site:
    """The city's weather site: the centre of its districts' bounding box [deg], in the city's time zone.

    The time zone is ``Etc/GMT-<h>`` for a whole-hour UTC offset ``h`` of the profile (no daylight
    saving), else UTC. At city scale the sun's position hardly changes across the districts, so
    one site serves the whole city.
    """
    rings = _rings(profile)
    if rings:
        points = np.vstack(rings)
        lon = float((points[:, 0].min() + points[:, 0].max()) / 2)
        lat = float((points[:, 1].min() + points[:, 1].max()) / 2)
    else:
        lat, lon = 0.0, 0.0
    return Site(latitude=round(lat, 4), longitude=round(lon, 4), tz=_tz(profile.utc_offset_h), name=profile.name)


def _tz(offset_h: float) -> str:
    if offset_h == int(offset_h) and offset_h != 0:
        return f"Etc/GMT{-int(offset_h):+d}"
    return "UTC"


def annual_ghi(profile: CityProfile) -> tuple[float, bool]:
    """The city's annual global horizontal irradiation [kWh/m2/yr] and whether it is the shipped assumption."""
    if profile.annual_ghi_kwh_m2 is not None:
        return float(profile.annual_ghi_kwh_m2), False
    return float(pv_defaults()["weather"]["demo_annual_ghi_kwh_m2"]), True


def _weather(site: Site, ghi: float) -> Weather:
    return clear_sky_weather(site, year=WEATHER_YEAR, annual_ghi_kwh_m2=ghi)


def _factor_year(profile: CityProfile) -> int:
    return int(profile.statistics["year"].max())


def pv_digest(profile: CityProfile, roofs: RoofTable) -> str:
    """Digest of the PV potential's inputs: the roof file, the weather site and irradiation, the grid factor's key."""
    site = city_site(profile)
    return input_digest(
        "pv",
        {
            "roofs": roofs.sha256,
            "site": [site.latitude, site.longitude, site.tz],
            "ghi": annual_ghi(profile)[0],
            "weather_year": WEATHER_YEAR,
            "region": profile.region,
            "factor_year": _factor_year(profile),
        },
    )


def _compute(profile: CityProfile, roofs: RoofTable) -> dict[str, Any]:
    site = city_site(profile)
    weather = _weather(site, annual_ghi(profile)[0])
    grid = grid_factor(profile.region, _factor_year(profile))
    result = city_potential(roofs.frame, weather, grid=grid)
    by_kind = result.by("kind") if "kind" in result.roofs.columns else None
    return {
        "by_district": result.by("district"),
        "by_kind": by_kind,
        "totals": result.totals(),
        "grid": {
            "t_per_mwh": grid.t_per_mwh,
            "factor_ids": grid.factor_ids,
            "region": grid.region,
            "year": grid.year,
            "warnings": list(grid.warnings),
        },
        "weather": weather.source,
        "classes": result.classes,
    }


def pv_numbers(profile: CityProfile, roofs: RoofTable, *, folder: Path | None = None) -> dict[str, Any]:
    """Roofs, kWp, MWh/yr and avoided t CO2/yr by district and by roof kind, computed once per input version.

    Returns
    -------
    dict
        ``by_district`` and ``by_kind`` (frames of :meth:`zerocity.energy.pv.CityPotential.by`:
        ``roofs``, ``kwp`` [kWp], ``mwh_per_year`` [MWh/yr], ``tco2_per_year`` [t CO2e/yr],
        ``specific_yield`` [kWh/kWp/yr]), ``totals``, ``grid`` (factor [t/MWh], ids, warnings),
        ``weather`` (its description), ``classes`` (pvlib runs).
    """
    found: dict[str, Any] = cached_result(
        "pv", pv_digest(profile, roofs), lambda: _compute(profile, roofs), folder=folder
    )
    return found


# ---------------------------------------------------------------------------------------- estimator
@dataclass(frozen=True)
class EstimateForm:
    """The estimator's inputs.

    Attributes
    ----------
    lat, lon : float
        Location [deg].
    area_m2 : float
        Roof area [m2].
    tilt, azimuth : float
        Module tilt [deg from horizontal] and azimuth [deg clockwise from north; 180 = south].
    usable : float
        Share of the roof holding modules [unitless].
    mounting : str
        ``bapv`` or ``bipv``.
    annual_load_kwh : float or None
        Consumption of the building [kWh/yr]; None: all PV output is exported.
    load_profile : str
        Shape of that consumption (:func:`zerocity.energy.storage.load_profile_names`).
    """

    lat: float
    lon: float
    area_m2: float = 500.0
    tilt: float = 25.0
    azimuth: float = 180.0
    usable: float = 0.6
    mounting: str = Mounting.BAPV.value
    annual_load_kwh: float | None = None
    load_profile: str = "commercial"


#: Field -> (message id of its label, lowest, highest value); the ranges are those of
#: :class:`zerocity.energy.pv.Site` and :class:`~zerocity.energy.pv.Roof`, the area's and the
#: load's upper bounds a zerocity sanity limit (a roof, not a city).
_RANGES: dict[str, tuple[str, float, float]] = {
    "lat": (N_("web_pv_lat"), -90.0, 90.0),
    "lon": (N_("web_pv_lon"), -180.0, 180.0),
    "area": (N_("web_pv_area"), 1.0, 1_000_000.0),
    "tilt": (N_("web_pv_tilt"), 0.0, 90.0),
    "azimuth": (N_("web_pv_azimuth"), 0.0, 360.0),
    "usable": (N_("web_pv_usable"), 0.0, 1.0),
    "load": (N_("web_pv_load"), 0.0, 1e9),
}


def _number(params: Mapping[str, str], name: str, issues: list[FormIssue], default: float | None) -> float | None:
    text = (params.get(name) or "").strip()
    if text == "":
        return default
    label, low, high = _RANGES[name]
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        issues.append(FormIssue(name, N_("web_form_not_number"), {"field": label, "value": text}))
        return None
    if not math.isfinite(value) or not low <= value <= high:
        issues.append(FormIssue(name, N_("web_form_range"), {"field": label, "value": text, "low": low, "high": high}))
        return None
    return value


def parse_estimate(params: Mapping[str, str], site: Site) -> tuple[EstimateForm | None, EstimateForm, list[FormIssue]]:
    """Read the estimator's query parameters.

    Returns
    -------
    tuple
        The form to compute (None when nothing was asked or a field is wrong), the values to show
        in the form (the site and the defaults where missing) and the issues found.
    """
    asked = bool((params.get("lat") or "").strip() or (params.get("lon") or "").strip())
    issues: list[FormIssue] = []
    base = EstimateForm(lat=site.latitude, lon=site.longitude)
    lat = _number(params, "lat", issues, site.latitude)
    lon = _number(params, "lon", issues, site.longitude)
    area = _number(params, "area", issues, base.area_m2)
    tilt = _number(params, "tilt", issues, base.tilt)
    azimuth = _number(params, "azimuth", issues, base.azimuth)
    usable = _number(params, "usable", issues, base.usable)
    load = _number(params, "load", issues, None)
    mounting = (params.get("mounting") or base.mounting).strip().lower()
    if mounting not in MOUNTING_IDS:
        issues.append(FormIssue("mounting", N_("web_form_choice"), {"field": N_("web_pv_mounting"), "value": mounting}))
        mounting = base.mounting
    shape = (params.get("profile") or base.load_profile).strip().lower()
    if shape not in load_profile_names():
        issues.append(FormIssue("profile", N_("web_form_choice"), {"field": N_("web_pv_profile"), "value": shape}))
        shape = base.load_profile
    shown = EstimateForm(
        lat=base.lat if lat is None else lat,
        lon=base.lon if lon is None else lon,
        area_m2=base.area_m2 if area is None else area,
        tilt=base.tilt if tilt is None else tilt,
        azimuth=base.azimuth if azimuth is None else azimuth,
        usable=base.usable if usable is None else usable,
        mounting=mounting,
        annual_load_kwh=load if load else None,
        load_profile=shape,
    )
    return (shown if asked and not issues else None), shown, issues


def estimate_roof(form: EstimateForm, profile: CityProfile) -> dict[str, Any]:
    """Yield, economics and avoided CO2 of one roof at the form's point (``zerocity pv estimate``).

    Returns
    -------
    dict
        ``kwp`` [kWp], ``annual_kwh`` [kWh/yr], ``specific_yield`` [kWh/kWp/yr], ``self_consumed_kwh``
        [kWh/yr], ``revenue`` [yuan/yr], ``om`` [yuan/yr], ``capex`` [yuan], ``capex_per_wp``
        [yuan/Wp], ``payback_years`` (None when the yearly net is not positive), ``npv`` [yuan],
        ``lcoe`` [yuan/kWh], ``avoided_tco2`` [t CO2e/yr], ``grid`` (factor [t/MWh] and ids),
        ``feed_in`` [yuan/kWh], ``tariff``, ``weather``, ``module``.
    """
    site = Site(latitude=form.lat, longitude=form.lon, tz=_tz(profile.utc_offset_h), name="")
    weather = _weather(site, annual_ghi(profile)[0])
    grid = grid_factor(profile.region, _factor_year(profile))
    design = PvDesign.default(Mounting(form.mounting))
    load = None
    if form.annual_load_kwh:
        load = load_profile(form.load_profile, form.annual_load_kwh, pd.DatetimeIndex(weather.data.index))
    roof = Roof(id="roof", area_m2=form.area_m2, tilt=form.tilt, azimuth=form.azimuth, usable_fraction=form.usable)
    result = estimate(
        [roof], weather, design=design, load_kw=load, tariff=load_tariff(), finance=PvFinance(), grid=grid
    )
    year_scale = result.annual_kwh / result.balance.total("pv_kw") if result.balance.total("pv_kw") > 0 else 1.0
    return {
        "kwp": result.kwp,
        "annual_kwh": result.annual_kwh,
        "specific_yield": result.specific_yield,
        "self_consumed_kwh": result.balance.total("self_kw") * year_scale,
        "revenue": result.revenue_year1,
        "om": result.om_per_year,
        "capex": result.capex,
        "capex_per_wp": result.finance.capex_for(design.mounting),
        "payback_years": result.payback_years,
        "npv": result.npv,
        "lcoe": result.lcoe,
        "avoided_tco2": result.avoided_tco2,
        "grid": {"t_per_mwh": grid.t_per_mwh, "factor_ids": grid.factor_ids},
        "feed_in": result.feed_in_price,
        "tariff": result.tariff_id,
        "weather": result.weather_source,
        "module": design.module.name,
    }


# ---------------------------------------------------------------------------------------- view
def pv_view(
    numbers: Mapping[str, Any] | None,
    profile: CityProfile,
    point: tuple[float, float],
    lang: str,
    t: Translate,
) -> dict[str, Any]:
    """The district table and map of the city's PV potential, labelled in one language.

    Parameters
    ----------
    numbers : mapping or None
        :func:`pv_numbers`; None when the city has no roof table (the map then shows the districts only).
    point : tuple of float
        ``(lat, lon)`` [deg] of the estimator's roof, marked on the map.

    Returns
    -------
    dict
        ``totals``, ``rows`` (per district: ``district``, ``name``, ``roofs``, ``kwp``,
        ``mwh_per_year``, ``tco2_per_year``, ``specific_yield``), ``kinds`` (the same by roof
        kind, with ``kind_name``) or None, ``grid``, ``weather``, ``classes`` (all None without
        numbers) and ``figure`` (the district map coloured by MWh/yr).
    """
    names = profile.district_names(lang)
    view: dict[str, Any] = {"totals": None, "rows": [], "kinds": None, "grid": None, "weather": None, "classes": None}
    hover: dict[str, str] = {}
    if numbers is None:
        table = pd.DataFrame({"district": list(names), "mwh_per_year": np.nan})
    else:
        table = numbers["by_district"].copy()
        table["district"] = table["district"].astype(str)
        hover = {
            str(r["district"]): t(
                "web_pv_hover",
                kwp=format_number(r["kwp"] / 1000.0, lang, decimals=1),
                mwh=format_number(r["mwh_per_year"], lang, decimals=0),
                tco2=format_number(r["tco2_per_year"], lang, decimals=0),
            )
            for r in table.to_dict("records")
        }
        if numbers.get("by_kind") is not None:
            by_kind = numbers["by_kind"].copy()
            by_kind["kind_name"] = by_kind["kind"].map(lambda k: t(KIND_IDS[k]) if k in KIND_IDS else str(k))
            view["kinds"] = by_kind.to_dict("records")
        view.update(
            totals=numbers["totals"], grid=numbers["grid"], weather=numbers["weather"], classes=numbers["classes"]
        )
    table["name"] = table["district"].map(lambda c: names.get(c, c))
    if numbers is not None:
        view["rows"] = table.to_dict("records")
    figure = figures.district_shapes(
        profile.districts,
        table[["district", "name"]].assign(value=table["mwh_per_year"]),
        title=t("web_pv_map_title"),
        value_title=t("web_unit_mwh_yr"),
        colorscale="YlOrBr",
        hover_text=hover or {code: t("web_pv_no_roofs") for code in names},
    )
    figures.add_point(figure, lon=point[1], lat=point[0], name=t("web_pv_point"))
    view["figure"] = figure
    return view
