"""``zerocity actions``: sector actions on the command line (buildings, transport, data centres)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
import yaml
from pydantic import ValidationError
from rich.table import Table

from zerocity.actions import buildings as bld
from zerocity.actions import datacentre as dcm
from zerocity.actions import transport as trn
from zerocity.clikit import default_region, out, print_json, run
from zerocity.tables import read_table

__all__ = ["actions_app"]

actions_app = typer.Typer(
    help="Sector actions: building benchmarks, life-cycle carbon and retrofit plans; transport; data centres.",
    no_args_is_help=True,
)
buildings_app = typer.Typer(help="Buildings: benchmark, life-cycle carbon, retrofit plans.", no_args_is_help=True)
transport_app = typer.Typer(
    help="Transport: stock and trip emissions, EV transition, charging demand.", no_args_is_help=True
)
datacentre_app = typer.Typer(
    help="Data centres: energy, emissions, PUE targets, improvement paths.", no_args_is_help=True
)
actions_app.add_typer(buildings_app, name="buildings")
actions_app.add_typer(transport_app, name="transport")
actions_app.add_typer(datacentre_app, name="datacentre")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
RegionOption = Annotated[
    str | None,
    typer.Option("--region", help="Region of the factors (default ZEROCITY_REGION or CN; CN-JS with --demo)."),
]
YearOption = Annotated[int, typer.Option("--year", help="Year of the factors.")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="XLSX sheet (default: the first).")]


def _fmt(v: Any) -> str:
    if isinstance(v, float | np.floating):
        x = float(v)
        if np.isnan(x):
            return "-"
        return f"{x:,.0f}" if abs(x) >= 100 or x.is_integer() else f"{x:,.3f}"
    return str(v)


_HEADERS = {
    "building_id": "id",
    "building_type": "type",
    "building_class": "class",
    "floor_area_m2": "m2",
    "intensity_kwh_m2": "kWh/m2",
    "constraint_kwh_m2": "constraint",
    "guide_kwh_m2": "guide",
    "kgco2e_per_m2": "kgCO2e/m2",
    "tco2e_per_year": "tCO2e/a",
    "net_cost_per_tco2e": "yuan/t net",
    "payback_years": "payback a",
    "baseline_tco2e": "base tCO2e",
    "reduction_tco2e": "cut tCO2e",
    "reduction_share": "cut share",
    "grid_factor_t_per_mwh": "grid t/MWh",
    "meets_applicable_targets": "meets",
}


def _table(title: str, frame: pd.DataFrame, columns: list[str], limit: int | None = None) -> Table:
    t = Table(title=title)
    for c in columns:
        t.add_column(_HEADERS.get(c, c), justify="right" if pd.api.types.is_numeric_dtype(frame[c]) else "left")
    rows = frame if limit is None else frame.head(limit)
    for rec in rows[columns].itertuples(index=False):
        t.add_row(*(_fmt(v) for v in rec))
    return t


def _buildings_input(
    file: Path | None, demo: bool, sheet: str | None, building_class: str | None
) -> tuple[pd.DataFrame, str, str | None]:
    if demo:
        return bld.demo_buildings(building_class or "B"), "Demo City", "CN-JS"
    if file is None:
        raise bld.ActionInputError("give a buildings FILE or --demo")
    frame = read_table(file, sheet)
    if building_class and "building_class" not in frame.columns:
        frame = frame.assign(building_class=building_class)
    return frame, str(file), None


# --------------------------------------------------------------------------- buildings
@buildings_app.command("benchmark")
def benchmark_cmd(
    file: Annotated[Path | None, typer.Argument(help="Buildings table (CSV/XLSX), see docs/actions.md.")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Demo City's 600 public buildings (2024).")] = False,
    benchmarks: Annotated[
        Path | None, typer.Option("--benchmarks", help="Benchmark table replacing the shipped GB/T 51161 cells.")
    ] = None,
    building_class: Annotated[
        str | None, typer.Option("--class", help="GB/T 51161 class (A/B) for buildings without one.")
    ] = None,
    gas_kwh_per_m3: Annotated[
        float | None, typer.Option("--gas-kwh-per-m3", help="Gas conversion into the intensity [kWh/m3].")
    ] = None,
    region: RegionOption = None,
    year: YearOption = 2024,
    top: Annotated[int, typer.Option("--top", help="Rows shown in the table (JSON has all).")] = 20,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Benchmark buildings' energy intensity against constraint and guide values; rank them."""

    def go() -> None:
        frame, source, demo_region = _buildings_input(file, demo, sheet, building_class)
        bench = None if benchmarks is None else bld.load_benchmarks(benchmarks)
        res = bld.benchmark(
            frame,
            benchmarks=bench,
            region=region or demo_region or default_region(),
            year=year,
            gas_kwh_per_m3=gas_kwh_per_m3,
            source=source,
        )
        if as_json:
            print_json(res.to_dict())
            return
        cols = [
            "rank",
            "building_id",
            "building_type",
            "building_class",
            "floor_area_m2",
            "intensity_kwh_m2",
            "constraint_kwh_m2",
            "guide_kwh_m2",
            "ratio",
            "grade",
            "kgco2e_per_m2",
        ]
        out.print(_table(f"Benchmark, {source} ({res.region} {res.year}), worst first", res.table, cols, top))
        s = res.summary()
        out.print(
            "grades: " + ", ".join(f"{k} {v}" for k, v in s["by_grade"].items()) + f"; total {s['tco2e']:,.0f} t CO2e/a"
        )
        for n in res.notes:
            out.print(f"note: {n}")

    run(go)


@buildings_app.command("lifecycle")
def lifecycle_cmd(
    config: Annotated[Path, typer.Argument(help="Life-cycle YAML (floor area, life, materials, energy by stage).")],
    materials_catalogue: Annotated[
        Path | None,
        typer.Option("--materials-catalogue", help="Embodied-factor table replacing GB/T 51366 Appendix D."),
    ] = None,
    transport_factors: Annotated[
        Path | None, typer.Option("--transport-factors", help="Transport-factor table replacing Appendix E.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Life-cycle carbon by stage (materials, transport, construction, operation, demolition)."""

    def go() -> None:
        spec = bld.load_lifecycle(config)
        res = bld.lifecycle(
            spec,
            materials_catalogue=None if materials_catalogue is None else bld.load_materials(materials_catalogue),
            transport_modes=None if transport_factors is None else bld.load_transport_modes(transport_factors),
        )
        if as_json:
            print_json(res.to_dict())
            return
        out.print(
            _table(
                f"Life-cycle carbon of {res.name}, {res.life_years:g} years, {res.floor_area_m2:,.0f} m2",
                res.stages,
                ["stage", "tco2e", "kgco2e_per_m2", "share"],
            )
        )
        out.print(f"total {res.total_tco2e:,.1f} t CO2e, {res.total_tco2e * 1000 / res.floor_area_m2:,.1f} kg CO2e/m2")
        for n in res.notes:
            out.print(f"note: {n}")

    run(go)


@buildings_app.command("retrofit")
def retrofit_cmd(
    file: Annotated[Path | None, typer.Argument(help="Buildings table (CSV/XLSX).")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Demo City's 600 public buildings (2024).")] = False,
    measures: Annotated[
        Path | None, typer.Option("--measures", help="Measures catalogue YAML replacing the shipped (ASSUMED) one.")
    ] = None,
    building: Annotated[
        list[str] | None, typer.Option("--building", help="Only these building ids (repeatable).")
    ] = None,
    discount_rate: Annotated[
        float | None, typer.Option("--discount-rate", help="Real discount rate [unitless].")
    ] = None,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", help="Leave out measures above this net cost [yuan/t CO2e].")
    ] = None,
    region: RegionOption = None,
    year: YearOption = 2024,
    top: Annotated[int, typer.Option("--top", help="Buildings shown in the table (JSON has all).")] = 5,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ranked retrofit plan per building ("one building, one policy")."""

    def go() -> None:
        frame, source, demo_region = _buildings_input(file, demo, sheet, None)
        if building:
            unknown = sorted(set(building) - set(frame["building_id"].astype(str)))
            if unknown:
                raise bld.ActionInputError(f"{source}: unknown building id(s) {', '.join(unknown)}")
            frame = frame[frame["building_id"].astype(str).isin(building)].reset_index(drop=True)
        cat = bld.load_measures(measures)
        res = bld.retrofit_plan(
            frame,
            catalogue=cat,
            region=region or demo_region or default_region(),
            year=year,
            discount_rate=discount_rate,
            max_net_cost_per_tco2e=max_cost,
            source=source,
        )
        if as_json:
            print_json(res.to_dict())
            return
        plans = res.plans.sort_values("reduction_tco2e", ascending=False)
        out.print(
            _table(
                f"Retrofit plans, {source} (largest reductions first)",
                plans,
                [
                    "building_id",
                    "building_type",
                    "measures",
                    "baseline_tco2e",
                    "reduction_tco2e",
                    "reduction_share",
                    "capex_yuan",
                    "payback_years",
                ],
                top,
            )
        )
        cols = ["rank", "measure", "tco2e_per_year", "capex_yuan", "net_cost_per_tco2e", "payback_years"]
        for bid in plans["building_id"].head(top):
            out.print(_table(f"{bid}: measures in plan order", res.measures[res.measures["building_id"] == bid], cols))
        for n in res.notes:
            out.print(f"note: {n}")

    run(go)


# --------------------------------------------------------------------------- transport
@transport_app.command("stock")
def stock_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="Vehicle stock (CSV/XLSX): vehicle_type, fuel, count, km_per_year, consumption, consumption_unit."
        ),
    ],
    region: RegionOption = None,
    year: YearOption = 2024,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Emissions of a vehicle stock (vehicles x km x consumption x factors)."""

    def go() -> None:
        res = trn.stock_emissions(
            read_table(file, sheet), region=region or default_region(), year=year, source=str(file)
        )
        if as_json:
            print_json(res.to_dict())
            return
        out.print(
            _table(
                f"Vehicle stock, {file} ({res.region} {res.year})",
                res.table,
                ["vehicle_type", "fuel", "count", "vehicle_km", "fuel_amount", "fuel_unit", "tco2e"],
            )
        )
        out.print(f"total {res.total_tco2e:,.1f} t CO2e/a")

    run(go)


@transport_app.command("trips")
def trips_cmd(
    file: Annotated[
        Path, typer.Argument(help="Trips (CSV/XLSX): mode, pkm and gco2e_per_pkm or a vehicle description.")
    ],
    region: RegionOption = None,
    year: YearOption = 2024,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Emissions of passenger travel by mode (passenger-km x g CO2e/pkm)."""

    def go() -> None:
        res = trn.trip_emissions(
            read_table(file, sheet), region=region or default_region(), year=year, source=str(file)
        )
        if as_json:
            print_json(res.to_dict())
            return
        out.print(_table(f"Trips, {file}", res.table, ["mode", "pkm", "gco2e_per_pkm", "tco2e"]))
        out.print(f"total {res.total_tco2e:,.1f} t CO2e/a")

    run(go)


def _shape(path: Path | None) -> np.ndarray | None:
    if path is None:
        return None
    frame = read_table(path)
    if "weight" not in frame.columns:
        raise bld.ActionInputError(f"{path}: expected a 'weight' column of 24 rows (hour 0 first)")
    return pd.to_numeric(frame["weight"], errors="coerce").to_numpy(dtype=float)


@transport_app.command("ev")
def ev_cmd(
    file: Annotated[Path, typer.Argument(help="Vehicle stock (CSV/XLSX) of the base year.")],
    scenario: Annotated[
        Path, typer.Option("--scenario", help="EV scenario YAML (years, ev_share, ev_kwh_per_100km...).")
    ],
    shape: Annotated[
        Path | None, typer.Option("--shape", help="Charging shape CSV with a 'weight' column (24 rows).")
    ] = None,
    region: RegionOption = None,
    year: YearOption = 2024,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """EV transition: emissions per year along an EV-share and grid-factor path."""

    def go() -> None:
        sc = trn.load_ev_scenario(scenario)
        res = trn.ev_transition(
            read_table(file, sheet),
            sc,
            region=region or default_region(),
            year=year,
            shape=_shape(shape),
            source=str(file),
        )
        if as_json:
            print_json(res.to_dict())
            return
        out.print(_table(f"EV transition, {file}", res.table, list(res.table.columns)))
        out.print(f"grid factor: {res.grid_source}; charging shape: {res.charging_source}")
        for n in res.notes:
            out.print(f"note: {n}")

    run(go)


@transport_app.command("charging")
def charging_cmd(
    annual_mwh: Annotated[float, typer.Option("--annual-mwh", help="EV charging energy [MWh/a].")],
    shape: Annotated[
        Path | None, typer.Option("--shape", help="Charging shape CSV with a 'weight' column (24 rows).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Average-day 24-hour charging demand for an annual EV energy."""

    def go() -> None:
        w = _shape(shape)
        prof = trn.charging_profile(annual_mwh, w)
        source = "user" if w is not None else trn.charging_shape()[1]
        if as_json:
            print_json({"annual_mwh": annual_mwh, "shape_source": source, "hours": prof.to_dict("records")})
            return
        out.print(_table(f"Charging demand, {annual_mwh:,.0f} MWh/a (shape: {source})", prof, ["hour", "share", "mw"]))

    run(go)


# --------------------------------------------------------------------------- data centres
def _targets(extra: list[float] | None) -> list[dcm.PueTarget]:
    targets = list(dcm.load_targets())
    for i, limit in enumerate(extra or []):
        targets.append(dcm.PueTarget(id=f"user_{i + 1}", limit=limit, description="user target", source="user"))
    return targets


def _validated(make: Any, where: str) -> Any:
    try:
        return make()
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc']) or where}: {e['msg']}" for e in exc.errors()]
        raise bld.ActionInputError(f"{where}: " + "; ".join(parts)) from None


@datacentre_app.command("assess")
def assess_cmd(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Data-centre YAML (fields of DataCentre); options below override it."),
    ] = None,
    it_load_kw: Annotated[float | None, typer.Option("--it-load-kw", help="Average IT load [kW].")] = None,
    pue: Annotated[float | None, typer.Option("--pue", help="Power usage effectiveness.")] = None,
    cooling_kw: Annotated[
        float | None, typer.Option("--cooling-kw", help="Cooling load [kW] (instead of --pue).")
    ] = None,
    power_loss_kw: Annotated[
        float | None, typer.Option("--power-loss-kw", help="Power-distribution losses [kW].")
    ] = None,
    green_share: Annotated[
        float | None, typer.Option("--green-share", help="Share of facility energy from green power.")
    ] = None,
    new: Annotated[
        bool | None, typer.Option("--new/--existing", help="New build (targets for new data centres apply).")
    ] = None,
    size: Annotated[dcm.Size | None, typer.Option("--size", help="Size class.")] = None,
    zone: Annotated[bld.ClimateZone | None, typer.Option("--zone", help="Climate zone.")] = None,
    grid_factor: Annotated[
        float | None, typer.Option("--grid-factor", help="Grid factor [t CO2e/MWh] instead of the library's.")
    ] = None,
    target: Annotated[list[float] | None, typer.Option("--target", help="Extra PUE target (repeatable).")] = None,
    region: RegionOption = None,
    year: Annotated[int | None, typer.Option("--year", help="Year of the factors.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Energy, emissions and PUE target checks of a data centre."""

    def go() -> None:
        spec: dict[str, Any] = {}
        if config is not None:
            try:
                spec = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise bld.ActionInputError(f"{config}: cannot read YAML: {exc}") from exc
        given = {
            "it_load_kw": it_load_kw,
            "pue": pue,
            "cooling_kw": cooling_kw,
            "power_loss_kw": power_loss_kw,
            "green_share": green_share,
            "new": new,
            "size": size,
            "zone": zone,
            "region": region,
            "year": year,
        }
        spec.update({k: v for k, v in given.items() if v is not None})
        spec.setdefault("region", default_region())
        dc = _validated(lambda: dcm.DataCentre(**spec), str(config or "options"))
        res = dcm.assess(dc, targets=_targets(target), grid_factor_t_per_mwh=grid_factor)
        if as_json:
            print_json(res.to_dict())
            return
        d = res.to_dict()
        energy = pd.DataFrame({"item": list(d["energy_mwh"]), "mwh": list(d["energy_mwh"].values())})
        out.print(
            _table(
                f"{dc.name}: PUE {res.pue:.3f}, {res.tco2e:,.0f} t CO2e/a "
                f"(grid factor {res.grid_factor_t_per_mwh:g} t/MWh)",
                energy,
                ["item", "mwh"],
            )
        )
        checks = pd.DataFrame([c.to_dict() for c in res.checks])
        out.print(_table("PUE targets", checks, ["id", "limit", "applies", "meets", "margin"]))
        out.print(f"overhead split: {res.split_source}")

    run(go)


@datacentre_app.command("scenario")
def scenario_cmd(
    config: Annotated[Path, typer.Argument(help="Improvement-path YAML (datacentre, years, pue, green_share...).")],
    target: Annotated[list[float] | None, typer.Option("--target", help="Extra PUE target (repeatable).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Energy and emissions per year along a PUE and green-share improvement path."""

    def go() -> None:
        path = dcm.load_scenario(config)
        table = dcm.improvement_scenario(path, targets=_targets(target))
        if as_json:
            print_json({"name": path.datacentre.name, "years": table.to_dict("records")})
            return
        cols = [
            "year",
            "pue",
            "green_share",
            "facility_mwh",
            "grid_factor_t_per_mwh",
            "tco2e",
            "avoided_tco2e",
            "meets_applicable_targets",
        ]
        out.print(_table(f"Improvement path, {path.datacentre.name}", table, cols))

    run(go)
