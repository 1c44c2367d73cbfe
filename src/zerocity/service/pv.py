"""Rooftop PV over HTTP (``zerocity pv estimate|city``): yield with pvlib, economics, avoided CO2.

``estimate``: weather is pvlib's clear-sky year at the site (optionally scaled to an annual GHI
or by a clear-sky index); EPW/TMY3 weather files and GeoJSON roofs are the CLI's (files on disk).

``city`` (a job): every roof of an uploaded roof table (CSV/XLSX, read by the CLI's reader) or
of the Demo City, with clear-sky or uploaded EPW/TMY3 weather. The table is checked row by row
before the job is queued (422 with every bad cell); the uploads wait for the job in its folder
(:func:`zerocity.service.uploads.job_folder`), removed when the job ends.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zerocity.energy.pv import (
    ROOF_COLUMNS,
    Mounting,
    PvDesign,
    PvError,
    PvEstimate,
    PvFinance,
    Roof,
    Site,
    Weather,
    city_potential,
    clear_sky_weather,
    estimate,
    grid_factor,
    load_modules,
    read_weather,
)
from zerocity.energy.storage import load_profile, load_tariff
from zerocity.errors import InvalidRecordsError, RecordIssue
from zerocity.jsonio import jsonable
from zerocity.service.errors import ApiError
from zerocity.service.jobs import job_kind
from zerocity.service.uploads import TABLE_SUFFIXES, Upload, invalid, read_upload, remove_folder, removed_on_error
from zerocity.tables import read_table

__all__ = ["CITY_JOB", "city_job", "estimate_run", "prepare_city"]

#: Job kind of the city-scale rooftop potential.
CITY_JOB = "energy.pv_city"
#: Columns of the Demo City roof table to break down by (``zerocity.demo.roofs.demo_roofs``).
DEMO_BREAKDOWNS = ("district", "kind", "mounting", "tilt", "azimuth")
#: Suffixes of weather files (EPW; NSRDB TMY3 as CSV).
WEATHER_SUFFIXES = (".epw", ".csv")
#: Ranges of the numeric roof columns (those :func:`zerocity.energy.pv.city_potential` enforces).
_ROOF_RANGES = {"area_m2": (0.0, None), "usable_fraction": (0.0, 1.0), "tilt": (0.0, 90.0), "azimuth": (0.0, 360.0)}

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


def _roof_issues(frame: pd.DataFrame) -> list[RecordIssue]:
    """Every bad cell of a roof table (the rules of ``city_potential``, reported per row and column)."""
    missing = [c for c in ROOF_COLUMNS if c not in frame.columns]
    if missing:
        return [RecordIssue(0, c, f"column missing; expected {list(ROOF_COLUMNS)}") for c in missing]
    issues: list[RecordIssue] = []
    for column, (low, high) in _ROOF_RANGES.items():
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        wanted = f"a number >= {low:g}" if high is None else f"a number from {low:g} to {high:g}"
        bad = np.isnan(values) | (values < low) | (False if high is None else values > high)
        cells = frame[column].astype(str).to_numpy()
        issues += [RecordIssue(int(i) + 1, column, f"expected {wanted}", cells[i]) for i in np.flatnonzero(bad)]
    mountings = {m.value for m in Mounting}
    issues += [
        RecordIssue(i + 1, "mounting", f"expected one of {sorted(mountings)}", str(v))
        for i, v in enumerate(frame["mounting"])
        if str(v).strip().lower() not in mountings
    ]
    if "module" in frame.columns:
        modules = load_modules()
        issues += [
            RecordIssue(i + 1, "module", "unknown module id (data/modules.csv)", str(v))
            for i, v in enumerate(frame["module"])
            if isinstance(v, str) and v and v not in modules
        ]
    return sorted(issues, key=lambda i: (i.row, i.column))


def _read_roofs(path: Path) -> pd.DataFrame:
    frame = read_table(path)
    issues = _roof_issues(frame)
    if issues:
        raise InvalidRecordsError(path.name, issues)
    return frame


def _keep(folder: Path | None, name: str, content: bytes) -> str:
    """Write an upload into the job's folder; returns its file name there."""
    if folder is None:
        raise ValueError("uploads need the job's folder")  # a programming error of the caller
    (folder / name).write_bytes(content)
    return name


def prepare_city(
    params: dict[str, Any], *, roofs: Upload | None, weather: Upload | None, folder: Path | None
) -> dict[str, Any]:
    """Check the inputs of a city run and keep its uploads in ``folder``; returns the job's parameters.

    Parameters
    ----------
    params : dict
        ``demo``, ``by``, ``lat``, ``lon`` [deg], ``year``, ``annual_ghi`` [kWh/m2/yr],
        ``clear_sky_index``, ``turbidity``, ``region``, ``factor_year``.
    roofs : Upload, optional
        Roof table (CSV/XLSX): :data:`zerocity.energy.pv.ROOF_COLUMNS`, optionally ``module``.
    weather : Upload, optional
        EPW or TMY3 (CSV) weather file instead of the clear-sky year.
    folder : Path, optional
        The job's upload folder (needed with uploads); removed here when the inputs are refused.

    Raises
    ------
    ApiError
        422 naming the field, file, row and column of every problem.
    """
    with removed_on_error(folder):
        out = dict(params)
        if params["demo"] == (roofs is not None):
            raise invalid("roofs", "give a roof table (CSV/XLSX) or demo=true, not both")
        if roofs is not None:
            frame = read_upload(roofs, TABLE_SUFFIXES, _read_roofs)
            if params["by"] not in frame.columns:
                message = f"{roofs.name}: no column {params['by']!r} to break down by; columns: {list(frame.columns)}"
                raise invalid("by", message)
            out["roofs_file"] = _keep(folder, f"roofs{Path(roofs.name).suffix.lower()}", roofs.content)
            out["source"] = roofs.name
        elif params["by"] not in DEMO_BREAKDOWNS:
            message = f"the Demo City roofs break down by {', '.join(DEMO_BREAKDOWNS)}, not {params['by']!r}"
            raise invalid("by", message)
        if weather is not None:
            read_upload(weather, WEATHER_SUFFIXES, read_weather)
            out["weather_file"] = _keep(folder, weather.name, weather.content)
        out["folder"] = None if folder is None else str(folder)
        return out


def _city_weather(params: dict[str, Any], folder: Path | None) -> Weather:
    if params.get("weather_file") and folder is not None:
        return read_weather(folder / params["weather_file"])
    clear = params.get("annual_ghi") is None and params.get("clear_sky_index") is None
    if params["demo"] and clear:
        from zerocity.demo.roofs import demo_weather

        return demo_weather(params["year"])
    return clear_sky_weather(
        Site(latitude=params["lat"], longitude=params["lon"]),
        year=params["year"],
        turbidity=params.get("turbidity"),
        clear_sky_index=params.get("clear_sky_index"),
        annual_ghi_kwh_m2=params.get("annual_ghi"),
    )


@job_kind(CITY_JOB)
def city_job(params: dict[str, Any]) -> dict[str, Any]:
    """City-scale rooftop PV: kWp, MWh/yr and avoided t CO2/yr by district (``zerocity pv city --json``)."""
    folder = Path(params["folder"]) if params.get("folder") else None
    try:
        if folder is not None and not folder.is_dir():
            raise PvError("the uploaded files of this job are gone (the data directory changed); submit it again")
        names: dict[str, str] = {}
        if params["demo"]:
            from zerocity.demo import build_demo_city
            from zerocity.demo.roofs import demo_roofs

            city = build_demo_city()
            roofs = demo_roofs(city)
            names = {f["properties"]["code"]: f["properties"]["name_en"] for f in city.districts["features"]}
            source = "Demo City"
        elif folder is not None:
            roofs, source = read_table(folder / params["roofs_file"]), params["source"]
        else:
            raise PvError("a city run needs a roof table or the Demo City")
        weather = _city_weather(params, folder)
        grid = grid_factor(params["region"], params["factor_year"])
        result = city_potential(roofs, weather, grid=grid)
    finally:
        remove_folder(folder)
    by = params["by"]
    doc = result.to_dict(by=by)
    doc["source"] = source
    if names and by == "district":
        for row in doc["breakdown"]:
            row["name"] = names.get(str(row["district"]), "")
    out: dict[str, Any] = jsonable(doc)
    return out
