"""``zerocity sinks``: land use, vegetation from remote sensing, urban trees and the net balance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from zerocity.cli_sinks_landuse import landuse_command
from zerocity.cli_sinks_trees import trees_command
from zerocity.cli_sinks_vegetation import vegetation_command
from zerocity.clikit import out, print_json, progress, run

__all__ = ["sinks_app"]

sinks_app = typer.Typer(
    help="Carbon sinks and the net balance: land use, vegetation (CASA), urban trees, districts' net carbon.",
    no_args_is_help=True,
)
sinks_app.command("landuse")(landuse_command)
sinks_app.command("vegetation")(vegetation_command)
sinks_app.command("trees")(trees_command)


def demo_balance(seed: int = 20241) -> Any:
    """Demo City's net balance 2010-2024: BASIC+ inventory by district, land use and urban trees.

    Land use (IPCC Tier 1: forest growth, cropland, conversions) and urban trees (growth in
    settlements, which Tier 1 land use leaves at zero) are counted.
    """
    from zerocity.demo import build_demo_city
    from zerocity.demo.trees import demo_trees
    from zerocity.inventory.engine import compute_inventory
    from zerocity.sinks.balance import inventory_by_district, net_balance
    from zerocity.sinks.landuse import demo_landuse
    from zerocity.sinks.trees import tree_carbon, validate_trees

    city = build_demo_city(seed=seed)
    result = compute_inventory(city.records, region=city.region, source="Demo City records")
    emissions = inventory_by_district(result, "BASIC+")
    # Tier 1 land use counts no growth in settlements remaining settlements: urban trees supply it,
    # so the two add without double counting (conversions to settlements stay with land use).
    land = demo_landuse(city).inventory_rows()
    trees = tree_carbon(validate_trees(demo_trees(city), source="Demo City trees"), runs=200, seed=seed)
    tree_rows = pd.concat([trees.balance(year) for year in sorted(set(emissions["year"]))], ignore_index=True)
    res = net_balance(emissions, {"landuse": land, "trees": tree_rows}, level="BASIC+")
    res.notes.append("urban trees: one generated 2024 inventory, its growth counted in every year")
    return res


@sinks_app.command("balance")
def balance_command(
    demo: Annotated[bool, typer.Option("--demo", help="Demo City 2010-2024 (inventory, land use, trees).")] = False,
    emissions: Annotated[
        Path | None, typer.Option("--emissions", help="CSV: year, district, tco2e (gross emissions).")
    ] = None,
    sink: Annotated[
        list[Path] | None, typer.Option("--sink", help="CSV: year, district, tco2e (negative = removal); repeatable.")
    ] = None,
    alternative: Annotated[
        list[Path] | None, typer.Option("--alternative", help="Another estimate of the same sinks, reported only.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Year to show (default: the last).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Net balance per district and city: gross emissions, removals, net, carbon class, sink trend."""
    from zerocity.sinks.balance import BalanceError, net_balance

    def go() -> None:
        if demo:
            with progress(1) as step:
                step("Demo City: inventory, land use, trees")
                res = demo_balance()
        elif emissions is not None:

            def read(p: Path) -> pd.DataFrame:
                try:
                    return pd.read_csv(p, dtype={"district": str})
                except (OSError, ValueError) as exc:
                    raise BalanceError(f"{p}: cannot read: {exc}") from None

            res = net_balance(
                read(emissions),
                {p.stem: read(p) for p in sink or []},
                alternatives={p.stem: read(p) for p in alternative or []},
            )
        else:
            raise BalanceError("give --emissions (and --sink files) or --demo")
        if as_json:
            print_json(res.to_dict())
            return
        shown = year or int(res.table["year"].max())
        rows = res.table[res.table["year"] == shown]
        trend = res.trend.set_index("district")["removals_slope"]
        table = Table(title=f"Net balance {shown} ({res.level}; sinks: {', '.join(res.sources)}), t CO2e")
        for col in ("district", "gross", "removals", "net", "offset", "class", "sink trend /yr"):
            table.add_column(col, justify="left" if col in ("district", "class") else "right")
        for r in rows.to_dict(orient="records"):
            table.add_row(
                str(r["district"]),
                f"{r['gross_tco2e']:,.0f}",
                f"{r['removals_tco2e']:,.0f}",
                f"{r['net_tco2e']:,.0f}",
                f"{r['offset_share']:.1%}",
                str(r["class"]),
                f"{trend.get(r['district'], float('nan')):,.0f}",
            )
        c = res.city[res.city["year"] == shown].iloc[0]
        table.add_row(
            "all",
            f"{c.gross_tco2e:,.0f}",
            f"{c.removals_tco2e:,.0f}",
            f"{c.net_tco2e:,.0f}",
            f"{c.offset_share:.1%}",
            str(c["class"]),
            f"{trend.get('all', float('nan')):,.0f}",
        )
        out.print(table)
        for note in res.notes:
            out.print(f"note: {note}", highlight=False)

    run(go)
