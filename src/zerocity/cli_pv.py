"""``zerocity pv``: rooftop PV yield, economics and city-scale potential (pvlib)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.table import Table

from zerocity.clikit import out, print_json, progress, run
from zerocity.energy.pv import (
    DEMO_SITE,
    Mounting,
    PvDesign,
    PvError,
    PvEstimate,
    PvFinance,
    Roof,
    Site,
    Transposition,
    Weather,
    city_potential,
    clear_sky_weather,
    estimate,
    grid_factor,
    polygon_area_m2,
    read_weather,
)
from zerocity.energy.storage import load_profile, load_profile_names, load_tariff
from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError
from zerocity.tables import read_table

__all__ = ["pv_app"]

pv_app = typer.Typer(
    help="Rooftop PV: yield (pvlib), self-consumption, revenue, payback, avoided CO2.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
WeatherOption = Annotated[Path | None, typer.Option("--weather", help="EPW or TMY3 file (default: clear-sky model).")]
AnnualGhiOption = Annotated[
    float | None, typer.Option("--annual-ghi", help="Scale the clear sky to this annual GHI [kWh/m2/yr].")
]
ClearSkyIndexOption = Annotated[
    float | None, typer.Option("--clear-sky-index", help="Scale the clear sky by this all-sky/clear-sky ratio.")
]
TurbidityOption = Annotated[
    float | None, typer.Option("--turbidity", help="Linke turbidity (default: pvlib's monthly climatology).")
]
YearOption = Annotated[int, typer.Option("--year", help="Weather year of the clear-sky model.")]
RegionOption = Annotated[str, typer.Option("--region", help="Region of the grid emission factor.")]
FactorYearOption = Annotated[int, typer.Option("--factor-year", help="Year of the grid emission factor.")]


class _FileError(ZerocityError, ValueError):
    code = "file"


def _weather(
    path: Path | None,
    site: Site,
    *,
    year: int,
    turbidity: float | None,
    clear_sky_index: float | None,
    annual_ghi: float | None,
) -> Weather:
    if path is not None:
        return read_weather(path)
    return clear_sky_weather(
        site, year=year, turbidity=turbidity, clear_sky_index=clear_sky_index, annual_ghi_kwh_m2=annual_ghi
    )


def _polygon_roofs(path: Path, tilt: float, azimuth: float, usable: float) -> list[Roof]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _FileError(f"{path}: cannot read GeoJSON: {exc}") from exc
    features = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
    roofs = []
    for i, feat in enumerate(features or [], start=1):
        geom = feat.get("geometry", feat) if isinstance(feat, dict) else None
        if not isinstance(geom, dict) or geom.get("type") != "Polygon":
            raise _FileError(f"{path}: feature {i} is not a Polygon (lon/lat, EPSG:4326)")
        props = feat.get("properties") or {}
        roofs.append(
            Roof(
                id=str(props.get("id", f"roof-{i}")),
                area_m2=polygon_area_m2(geom["coordinates"][0]),
                tilt=float(props.get("tilt", tilt)),
                azimuth=float(props.get("azimuth", azimuth)),
                usable_fraction=float(props.get("usable_fraction", usable)),
            )
        )
    if not roofs:
        raise _FileError(f"{path}: no polygons")
    return roofs


def _table_roofs(path: Path, tilt: float, azimuth: float, usable: float) -> list[Roof]:
    frame = read_table(path)
    if "area_m2" not in frame.columns:
        raise _FileError(f"{path}: needs a column area_m2 (and optionally id, tilt, azimuth, usable_fraction)")
    issues: list[RecordIssue] = []
    roofs = []
    for row, rec in enumerate(frame.to_dict(orient="records"), start=1):
        try:
            roofs.append(
                Roof(
                    id=str(rec.get("id", f"roof-{row}")),
                    area_m2=float(rec["area_m2"]),
                    tilt=float(rec.get("tilt", tilt)),
                    azimuth=float(rec.get("azimuth", azimuth)),
                    usable_fraction=float(rec.get("usable_fraction", usable)),
                )
            )
        except (PvError, TypeError, ValueError) as exc:
            issues.append(RecordIssue(row, "area_m2", str(exc)))
    if issues:
        raise InvalidRecordsError(str(path), issues)
    return roofs


def _load(
    path: Path | None, column: str, profile: str | None, annual_kwh: float | None, weather: Weather
) -> np.ndarray | None:
    index = pd.DatetimeIndex(weather.data.index)
    if path is not None:
        frame = read_table(path)
        if column not in frame.columns:
            raise _FileError(f"{path}: no column {column!r} (hourly load in kW); columns: {list(frame.columns)}")
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            issues = [
                RecordIssue(int(i) + 1, column, "expected a non-negative number [kW]", str(frame[column].iloc[i]))
                for i in np.flatnonzero(bad.to_numpy())
            ]
            raise InvalidRecordsError(str(path), issues)
        if len(values) != len(index):
            raise _FileError(f"{path}: {len(values)} load rows, the weather has {len(index)} steps")
        return values.to_numpy(float)
    if profile is not None:
        if annual_kwh is None:
            raise _FileError("--load-profile needs --annual-load-kwh")
        return load_profile(profile, annual_kwh, index).to_numpy()
    return None


def _fmt(v: float | None, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    return f"{v:,.{digits}f}"


def _show_estimate(main: PvEstimate, options: dict[str, PvEstimate]) -> None:
    b = main.balance.to_dict()
    table = Table(title=f"Rooftop PV ({main.design.mounting.value.upper()}), {main.weather_source}", show_header=False)
    table.add_column("", justify="left")
    table.add_column("", justify="right")
    rows = [
        ("roofs", f"{len(main.roofs)}  ({_fmt(main.roofs['area_m2'].sum())} m2)"),
        ("array rating, kWp", _fmt(main.kwp, 1)),
        ("AC energy, kWh/yr", _fmt(main.annual_kwh)),
        ("specific yield, kWh/kWp", _fmt(main.specific_yield)),
        ("self-consumed, kWh/yr", _fmt(b["self_consumed_kwh"])),
        ("exported, kWh/yr", _fmt(b["exported_kwh"])),
        (
            "self-consumption ratio",
            "-" if b["self_consumption_ratio"] is None else f"{b['self_consumption_ratio']:.1%}",
        ),
        ("revenue year 1, yuan", _fmt(main.revenue_year1)),
        ("capex, yuan", _fmt(main.capex)),
        ("NPV, yuan", _fmt(main.npv)),
        ("LCOE, yuan/kWh", _fmt(main.lcoe, 3)),
        ("simple payback, years", _fmt(main.payback_years, 1)),
        ("avoided CO2, t/yr", _fmt(main.avoided_tco2, 1)),
        ("grid factor", f"{main.grid.t_per_mwh:.4f} t/MWh ({main.grid.factor_ids})"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    out.print(table)
    if len(options) > 1:
        cmp = Table(title="Cost options: building-applied (BAPV) vs building-integrated (BIPV)")
        for c in ("option", "module", "kWp", "kWh/yr", "capex yuan/Wp", "NPV yuan", "LCOE yuan/kWh", "payback yr"):
            cmp.add_column(c, justify="left" if c in ("option", "module") else "right")
        for name, e in options.items():
            cmp.add_row(
                name,
                e.design.module.id,
                _fmt(e.kwp, 1),
                _fmt(e.annual_kwh),
                _fmt(e.finance.capex_for(e.design.mounting), 2),
                _fmt(e.npv),
                _fmt(e.lcoe, 3),
                _fmt(e.payback_years, 1),
            )
        out.print(cmp)
    for note in _notes(main):
        out.print(f"note: {note}", highlight=False)


def _notes(e: PvEstimate) -> list[str]:
    notes = list(e.grid.warnings)
    if e.weather_source.startswith("clear sky") and "scaled" not in e.weather_source:
        notes.append("cloudless clear-sky year: an upper bound of the yield; give --weather FILE or --annual-ghi")
    return notes


@pv_app.command("estimate")
def estimate_cmd(
    roofs_file: Annotated[
        Path | None, typer.Argument(help="Roofs: CSV/XLSX (area_m2, tilt, azimuth, usable_fraction) or GeoJSON.")
    ] = None,
    area: Annotated[float | None, typer.Option("--area", help="One roof of this area [m2].")] = None,
    tilt: Annotated[float, typer.Option("--tilt", help="Module tilt [deg].")] = 25.0,
    azimuth: Annotated[float, typer.Option("--azimuth", help="Module azimuth, 180 = south [deg].")] = 180.0,
    usable: Annotated[float, typer.Option("--usable", help="Usable fraction of the roof area.")] = 0.6,
    lat: Annotated[float, typer.Option("--lat", help="Latitude [deg].")] = DEMO_SITE.latitude,
    lon: Annotated[float, typer.Option("--lon", help="Longitude [deg].")] = DEMO_SITE.longitude,
    tz: Annotated[str, typer.Option("--tz", help="Time zone of the clear-sky year.")] = "Asia/Shanghai",
    mounting: Annotated[Mounting, typer.Option("--mounting", help="BAPV (racked) or BIPV (integrated).")] = (
        Mounting.BAPV
    ),
    module: Annotated[str | None, typer.Option("--module", help="Module id (data/modules.csv).")] = None,
    inverter: Annotated[str | None, typer.Option("--inverter", help="Inverter id (data/inverters.csv).")] = None,
    dc_ac: Annotated[float | None, typer.Option("--dc-ac", help="DC/AC ratio.")] = None,
    losses: Annotated[float | None, typer.Option("--losses", help="PVWatts system losses [%].")] = None,
    transposition: Annotated[Transposition, typer.Option("--transposition", help="Sky diffuse model.")] = (
        Transposition.PEREZ
    ),
    weather_file: WeatherOption = None,
    annual_ghi: AnnualGhiOption = None,
    clear_sky_index: ClearSkyIndexOption = None,
    turbidity: TurbidityOption = None,
    year: YearOption = 2023,
    load_file: Annotated[Path | None, typer.Option("--load", help="Hourly load CSV/XLSX, one row per step.")] = None,
    load_column: Annotated[str, typer.Option("--load-column", help="Load column [kW].")] = "load_kw",
    load_profile_name: Annotated[
        str | None, typer.Option("--load-profile", help=f"Shipped load shape: {', '.join(load_profile_names())}.")
    ] = None,
    annual_load: Annotated[float | None, typer.Option("--annual-load-kwh", help="Annual load [kWh].")] = None,
    tariff_file: Annotated[
        Path | None, typer.Option("--tariff", help="Tariff YAML (default: Jiangsu example).")
    ] = None,
    feed_in: Annotated[float | None, typer.Option("--feed-in", help="Feed-in price [yuan/kWh].")] = None,
    capex: Annotated[float | None, typer.Option("--capex-per-wp", help="Installed cost [yuan/Wp].")] = None,
    discount_rate: Annotated[float | None, typer.Option("--discount-rate", help="Discount rate [1/yr].")] = None,
    lifetime: Annotated[int | None, typer.Option("--lifetime", help="Life [yr].")] = None,
    region: RegionOption = "CN-JS",
    factor_year: FactorYearOption = 2024,
    compare: Annotated[bool, typer.Option("--compare/--no-compare", help="Also price the other mounting.")] = True,
    hourly: Annotated[bool, typer.Option("--hourly", help="Include the hourly balance in JSON.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Yield, self-consumption, revenue, NPV, LCOE, payback and avoided CO2 of rooftop PV."""

    def go() -> None:
        if roofs_file is not None:
            suffix = roofs_file.suffix.lower()
            if suffix in {".geojson", ".json"}:
                roofs = _polygon_roofs(roofs_file, tilt, azimuth, usable)
            else:
                roofs = _table_roofs(roofs_file, tilt, azimuth, usable)
        elif area is not None:
            roofs = [Roof(id="roof-1", area_m2=area, tilt=tilt, azimuth=azimuth, usable_fraction=usable)]
        else:
            raise _FileError("give a roofs file or --area")
        site = Site(latitude=lat, longitude=lon, tz=tz)
        weather = _weather(
            weather_file, site, year=year, turbidity=turbidity, clear_sky_index=clear_sky_index, annual_ghi=annual_ghi
        )
        load = _load(load_file, load_column, load_profile_name, annual_load, weather)
        tariff = load_tariff(tariff_file)
        base = PvFinance()
        finance = PvFinance(
            capex_per_wp=capex,
            om_per_wp_year=base.om_per_wp_year,
            degradation=base.degradation,
            lifetime_years=lifetime if lifetime is not None else base.lifetime_years,
            discount_rate=discount_rate if discount_rate is not None else base.discount_rate,
            feed_in_price=feed_in,
        )
        grid = grid_factor(region, factor_year)
        mounts = [mounting] + ([m for m in Mounting if m is not mounting] if compare else [])
        results: dict[str, PvEstimate] = {}
        for mount in mounts:
            design = PvDesign.default(
                mount,
                module=module if mount is mounting else None,
                inverter=inverter,
                dc_ac_ratio=dc_ac,
                losses_pct=losses,
                transposition=transposition,
            )
            results[mount.value] = estimate(
                roofs, weather, design=design, load_kw=load, tariff=tariff, finance=finance, grid=grid
            )
        main = results[mounting.value]
        if as_json:
            doc = main.to_dict(hourly=hourly)
            doc["options"] = {k: _option_summary(v) for k, v in results.items()}
            doc["notes"] = _notes(main)
            print_json(doc)
            return
        _show_estimate(main, results)

    run(go)


def _option_summary(e: PvEstimate) -> dict[str, Any]:
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


@pv_app.command("city")
def city_cmd(
    roofs_file: Annotated[
        Path | None,
        typer.Argument(
            help="Roof table CSV/XLSX: roof_id, district, area_m2, usable_fraction, tilt, azimuth, mounting."
        ),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="All Demo City roofs (public, industrial, residential).")
    ] = False,
    by: Annotated[str, typer.Option("--by", help="Breakdown column (district, kind, ...).")] = "district",
    weather_file: WeatherOption = None,
    annual_ghi: AnnualGhiOption = None,
    clear_sky_index: ClearSkyIndexOption = None,
    turbidity: TurbidityOption = None,
    year: YearOption = 2023,
    lat: Annotated[float, typer.Option("--lat", help="Latitude of the clear-sky weather [deg].")] = DEMO_SITE.latitude,
    lon: Annotated[float, typer.Option("--lon", help="Longitude of the clear-sky weather [deg].")] = (
        DEMO_SITE.longitude
    ),
    region: RegionOption = "CN-JS",
    factor_year: FactorYearOption = 2024,
    as_json: JsonOption = False,
) -> None:
    """City-scale rooftop PV: kWp, MWh/yr and avoided t CO2/yr of every roof, by district."""

    def go() -> None:
        if demo:
            from zerocity.demo import build_demo_city
            from zerocity.demo.roofs import demo_roofs

            city = build_demo_city()
            roofs = demo_roofs(city)
            names = {f["properties"]["code"]: f["properties"]["name_en"] for f in city.districts["features"]}
            source = "Demo City"
        elif roofs_file is not None:
            roofs, names, source = read_table(roofs_file), {}, str(roofs_file)
        else:
            raise _FileError("give a roof table or --demo")
        if by not in roofs.columns:
            raise _FileError(f"{source}: no column {by!r} to break down by; columns: {list(roofs.columns)}")
        keys = ["tilt", "azimuth", "mounting"] + (["module"] if "module" in roofs.columns else [])
        missing = [k for k in keys if k not in roofs.columns]
        classes = 1 if missing else len(roofs[keys].drop_duplicates())
        with progress(classes + 2) as step:
            step("weather")
            if demo and weather_file is None and annual_ghi is None and clear_sky_index is None:
                from zerocity.demo.roofs import demo_weather

                weather = demo_weather(year)
            else:
                site = Site(latitude=lat, longitude=lon)
                weather = _weather(
                    weather_file,
                    site,
                    year=year,
                    turbidity=turbidity,
                    clear_sky_index=clear_sky_index,
                    annual_ghi=annual_ghi,
                )
            step("grid factor")
            grid = grid_factor(region, factor_year)
            result = city_potential(roofs, weather, grid=grid, progress=step)
        if as_json:
            doc = result.to_dict(by=by)
            doc["source"] = source
            if names and by == "district":
                for row in doc["breakdown"]:
                    row["name"] = names.get(str(row["district"]), "")
            print_json(doc)
            return
        totals = result.totals()
        table = Table(
            title=f"Rooftop PV potential, {source}: {int(totals['roofs']):,} roofs, {result.classes} "
            f"orientation classes, {result.seconds:.1f} s"
        )
        cols = [by, *(["name"] if names and by == "district" else []), "roofs", "MWp", "GWh/yr", "kWh/kWp", "t CO2/yr"]
        for c in cols:
            table.add_column(c, justify="left" if c in (by, "name") else "right")
        for row in result.by(by).itertuples(index=False):
            key = str(getattr(row, by))
            cells = [key, *([names.get(key, "")] if names and by == "district" else [])]
            cells += [
                f"{row.roofs:,}",
                _fmt(row.kwp / 1000, 1),
                _fmt(row.mwh_per_year / 1000, 1),
                _fmt(row.specific_yield),
                _fmt(row.tco2_per_year),
            ]
            table.add_row(*cells)
        table.add_row(
            "city",
            *([""] if names and by == "district" else []),
            f"{int(totals['roofs']):,}",
            _fmt(totals["kwp"] / 1000, 1),
            _fmt(totals["mwh_per_year"] / 1000, 1),
            _fmt(totals["specific_yield"]),
            _fmt(totals["tco2_per_year"]),
        )
        out.print(table)
        out.print(f"weather: {result.weather_source}", highlight=False)
        out.print(f"grid factor: {grid.t_per_mwh:.4f} t CO2/MWh ({grid.factor_ids})", highlight=False)
        for w in grid.warnings:
            out.print(f"note: {w}", highlight=False)

    run(go)
