"""``zerocity sinks landuse``: land-use emissions and removals (IPCC 2006 Vol. 4, GPC V.2 Land)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from zerocity.clikit import eprint, err, out, print_json, run
from zerocity.sinks.landuse import (
    DEFAULT_SOIL_YEARS,
    DEFAULT_TRANSITION_YEARS,
    SOIL_TYPES,
    LandFactors,
    LandUseError,
    LandUseResult,
    demo_landuse,
    landuse_emissions,
    read_areas,
    read_changes,
)
from zerocity.tables import read_table

__all__ = ["landuse_command"]


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"


def _show(result: LandUseResult, year: int | None, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict(year))
        return
    totals = result.totals()
    if year is not None:
        totals = totals[totals["year"] == year]
    table = Table(title="Land (GPC V.2, scope 1): CO2 (t CO2e), removals negative")
    for c in ("year", "gross emissions", "removals", "net"):
        table.add_column(c, justify="right")
    for r in totals.itertuples(index=False):
        table.add_row(str(r.year), _fmt(r.gross_emissions), _fmt(r.removals), _fmt(r.net))
    out.print(table)
    ne = [n for n in result.not_estimated if year is None or n["year"] == year]
    if ne:
        pairs = pd.DataFrame(ne).groupby(["pool", "from_class", "land_class"], as_index=False)["area_ha"].sum()
        listed = "; ".join(
            f"{r.pool} {r.from_class or ''}{'->' if r.from_class else ''}{r.land_class} {r.area_ha:,.1f} ha"
            for r in pairs.itertuples(index=False)
        )
        eprint(f"not estimated (NE), no soil factors: {listed}. First reason: {ne[0]['reason']}")
    last = year if year is not None else (int(totals["year"].max()) if len(totals) else None)
    if last is None:
        return
    cats = result.by_category(last)
    detail = Table(title=f"By land category, {last}")
    for c in ("category", "subcategory", "area (ha)", "t CO2e"):
        detail.add_column(c, justify="left" if c in {"category", "subcategory"} else "right")
    for r in cats.itertuples(index=False):
        detail.add_row(str(r.land_category), str(r.subcategory), _fmt(r.area_ha), _fmt(r.tco2e))
    pools = result.rows[result.rows["year"] == last].groupby("pool")["tco2e"].sum()
    for pool, t in pools.items():
        detail.add_row(f"pool: {pool}", "", "", _fmt(float(t)))
    out.print(detail)


def landuse_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Areas (CSV/XLSX): year, land_class, area_ha [, district, zone, losses_tc, stock_tc_per_ha]."
        ),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Use the Demo City land (forest, green space, cropland).")
    ] = False,
    changes: Annotated[
        Path | None,
        typer.Option(
            "--changes", help="Land-use change matrix: from_class, to_class, area_ha, year (or year_from, year_to)."
        ),
    ] = None,
    factors: Annotated[
        Path | None, typer.Option("--factors", help="Factor CSV (columns of the shipped defaults); overrides them.")
    ] = None,
    zone: Annotated[str | None, typer.Option("--zone", help="Climate zone of rows without one.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Show one year only.")] = None,
    transition_years: Annotated[
        int, typer.Option("--transition-years", help="Years converted land stays 'converted'.")
    ] = DEFAULT_TRANSITION_YEARS,
    soil: Annotated[
        bool,
        typer.Option(
            "--soil", help="Also mineral soil carbon of conversions (Eq. 2.25) and drained organic soils (organic_ha)."
        ),
    ] = False,
    soil_type: Annotated[
        str | None,
        typer.Option("--soil-type", help=f"Soil type of conversions without one ({', '.join(SOIL_TYPES)})."),
    ] = None,
    soil_years: Annotated[
        int, typer.Option("--soil-years", help="D: years a conversion's soil change is spread over.")
    ] = DEFAULT_SOIL_YEARS,
    skip_missing_soil: Annotated[
        bool,
        typer.Option(
            "--skip-missing-soil",
            help="Report soil estimates without factors as not estimated (NE) instead of failing.",
        ),
    ] = False,
    records: Annotated[
        Path | None,
        typer.Option("--records", help="Also write the results as inventory records (V.2, measured) to this CSV."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Emissions and removals of land (IPCC 2006 Vol. 4 gain-loss, stock-difference and conversions)."""

    def go() -> None:
        user = LandFactors.from_csv(factors) if factors is not None else None
        if demo:
            if file is not None or changes is not None:
                raise LandUseError("--demo infers the land-use changes from the Demo City; give no FILE or --changes")
            from zerocity.demo import build_demo_city

            result = demo_landuse(build_demo_city(), user, soil=soil)
        elif file is not None:
            base = LandFactors.defaults()
            fs = base.merged(user) if user is not None else base
            areas = read_areas(read_table(file, as_text=True), str(file), zone)
            moves = (
                read_changes(read_table(changes, as_text=True), str(changes), zone, soil_type)
                if changes is not None
                else None
            )
            result = landuse_emissions(
                areas,
                moves,
                fs,
                transition_years=transition_years,
                soil=soil,
                soil_years=soil_years,
                missing_soil="skip" if skip_missing_soil else "error",
            )
        else:
            raise LandUseError("give a FILE of land areas or --demo")
        if records is not None:
            result.inventory_records().to_csv(records, index=False)
            err.print(f"wrote inventory records to {records} (add them to the inventory's records)", highlight=False)
        _show(result, year, as_json)

    run(go)
