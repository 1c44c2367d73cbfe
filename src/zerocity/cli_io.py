"""``zerocity io``: environmentally extended input-output analysis on the command line.

Commands: ``check`` (read and validate a table), ``footprint`` (production, consumption or
life-cycle emissions, embodied trade), ``price`` (Leontief price model of a carbon price), ``cap``
(GDP loss of an emission cap, LP), ``downscale`` (provincial table -> city with SLQ/FLQ).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zerocity.brain.io import (
    DEFAULT_DELTA,
    DTA_NOTE,
    PERSPECTIVE_DEFINITIONS,
    CapObjective,
    CapStructure,
    ImportPricing,
    IOTable,
    LQMethod,
    Perspective,
    carbon_price_impact,
    direct_emissions_from_inventory,
    downscale,
    emission_cap,
    footprint,
    load_demo_employment,
    load_demo_table,
    read_emissions,
    read_employment,
    read_gpc_mapping,
    read_inventory_json,
    read_io_table,
    write_io_table,
)
from zerocity.clikit import out, print_json, run
from zerocity.errors import ZerocityError

__all__ = ["io_app"]

io_app = typer.Typer(
    help="Input-output analysis: footprints and embodied trade, carbon-price and cap impacts, downscaling.",
    no_args_is_help=True,
)

TableArg = Annotated[
    Path | None, typer.Argument(help="IO table in the NBS layout (XLSX or CSV, Chinese or English headers).")
]
DemoOption = Annotated[bool, typer.Option("--demo", help="Use the shipped generated demo table (Jiangsu-like).")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="XLSX sheet (default: the first).")]
MoneyOption = Annotated[
    str | None, typer.Option("--money-unit", help="Money unit of the table (default: from the file, else wan_yuan).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
EmissionsOption = Annotated[
    Path | None,
    typer.Option(
        "--emissions", help="Direct emissions CSV: sector,tco2e (IO sectors) or gpc_ref,tco2e (with --mapping)."
    ),
]
MappingOption = Annotated[Path | None, typer.Option("--mapping", help="GPC-to-IO mapping CSV: gpc,sector,share.")]
InventoryOption = Annotated[
    Path | None,
    typer.Option(
        "--inventory", help="JSON of `zerocity inventory compute --json` (scope 1 by GPC reference; needs --mapping)."
    ),
]


class _UsageError(ZerocityError, ValueError):
    code = "usage"


def _table(path: Path | None, demo: bool, sheet: str | None, money_unit: str | None = None) -> IOTable:
    if demo:
        return load_demo_table()
    if path is None:
        raise _UsageError("give a TABLE file or --demo")
    return read_io_table(path, sheet=sheet, money_unit=money_unit)


def _with_emissions(
    table: IOTable, emissions: Path | None, mapping: Path | None, inventory: Path | None
) -> tuple[IOTable, list[str]]:
    """The table with direct emissions from a CSV or an inventory JSON; notes on what was used."""
    if emissions is not None and inventory is not None:
        raise _UsageError("give --emissions or --inventory, not both")
    mapped = read_gpc_mapping(mapping) if mapping is not None else None
    if inventory is not None:
        if mapped is None:
            raise _UsageError("--inventory needs --mapping (GPC references to IO sectors)")
        direct = direct_emissions_from_inventory(read_inventory_json(inventory), mapped, table, source=str(inventory))
        origin = f"direct emissions from the inventory {inventory} (scope 1, mapped with {mapping})"
    elif emissions is not None:
        direct = read_emissions(emissions, table, mapped)
        origin = f"direct emissions from {emissions}"
    else:
        if table.emissions is None:
            raise _UsageError(f"{table.label} has no emissions row: give --emissions or --inventory")
        return table, [f"direct emissions from the table's emissions row ({table.label})"]
    notes = [origin] + [f"skipped {ref}: {why}" for ref, why in sorted(direct.skipped.items())]
    return table.with_emissions(direct.by_sector, direct.final), notes


def _fmt(v: float) -> str:
    if v != v:  # NaN
        return "-"
    return f"{v:,.4f}" if abs(v) < 100 else f"{v:,.0f}"


def _pct(v: float) -> str:
    return f"{100 * v:.3f} %"


@io_app.command("check")
def check_cmd(
    table_path: TableArg = None,
    demo: DemoOption = False,
    sheet: SheetOption = None,
    money_unit: MoneyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read a table, check its balances and subtotals, and print its totals."""

    def go() -> None:
        table = _table(table_path, demo, sheet, money_unit)
        summary = table.summary()
        if as_json:
            print_json(summary)
            return
        t = Table(title=f"{table.name}: balanced ({table.n} sectors)", show_header=False)
        t.add_column("")
        t.add_column("", justify="right")
        t.add_row(f"total output [{table.money_unit}]", _fmt(summary["total_output"]))
        t.add_row(f"value added [{table.money_unit}]", _fmt(summary["value_added"]))
        for k, v in summary["final_demand"].items():
            t.add_row(f"final demand: {k}", _fmt(v))
        for k, v in summary["imports"].items():
            t.add_row(f"{k}", _fmt(v))
        if summary["direct_emissions"] is not None:
            t.add_row(f"direct emissions of sectors [{table.emission_unit}]", _fmt(summary["direct_emissions"]))
        t.add_row(f"direct emissions of final demand [{table.emission_unit}]", _fmt(summary["final_direct_emissions"]))
        out.print(t)
        for note in table.notes:
            out.print(f"note: {note}")

    run(go)


@io_app.command("footprint")
def footprint_cmd(
    table_path: TableArg = None,
    demo: DemoOption = False,
    emissions: EmissionsOption = None,
    mapping: MappingOption = None,
    inventory: InventoryOption = None,
    perspective: Annotated[
        Perspective, typer.Option("--perspective", help="Accounting perspective of the headline figure.")
    ] = Perspective.CONSUMPTION,
    sheet: SheetOption = None,
    money_unit: MoneyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Emissions under a perspective (production, consumption, life-cycle), footprints and embodied trade."""

    def go() -> None:
        table, notes = _with_emissions(_table(table_path, demo, sheet, money_unit), emissions, mapping, inventory)
        fp = footprint(table)
        if as_json:
            data = fp.to_dict(perspective)
            data["notes"] = notes + data["notes"]
            print_json(data)
            return
        unit = table.emission_unit
        out.print(f"[bold]Perspective: {perspective.value}[/bold] - {PERSPECTIVE_DEFINITIONS[perspective]}")
        out.print(f"Imports: {DTA_NOTE}")
        totals = Table(title=f"{table.name}: emissions by perspective [{unit}]")
        totals.add_column("perspective")
        totals.add_column("emissions", justify="right")
        for p in Perspective:
            mark = " (used)" if p is perspective else ""
            totals.add_row(p.value + mark, _fmt(fp.total(p)))
        for k, v in fp.trade().items():
            totals.add_row(k.replace("_", " "), _fmt(v))
        out.print(totals)
        by = fp.by_sector(perspective)
        sect = Table(title=f"{perspective.value} emissions by sector [{unit}]")
        sect.add_column("sector")
        sect.add_column("emissions", justify="right")
        sect.add_column(f"direct intensity [{unit}/{table.money_unit}]", justify="right")
        sect.add_column("total intensity", justify="right")
        for s, v in by.items():
            if s in fp.direct.index:
                sect.add_row(str(s), _fmt(v), _fmt(fp.direct_intensity[s]), _fmt(fp.total_intensity[s]))
            else:
                sect.add_row(str(s), _fmt(v), "", "")
        out.print(sect)
        fd = Table(title=f"Footprint by final-demand category [{unit}]")
        fd.add_column("category")
        fd.add_column("footprint", justify="right")
        for k, v in fp.by_final_demand().items():
            fd.add_row(str(k), _fmt(v))
        out.print(fd)
        for note in notes:
            out.print(f"note: {note}")

    run(go)


@io_app.command("price")
def price_cmd(
    carbon_price: Annotated[float, typer.Option("--carbon-price", help="Carbon price [yuan per t CO2e].")],
    table_path: TableArg = None,
    demo: DemoOption = False,
    import_prices: Annotated[
        ImportPricing,
        typer.Option("--import-prices", help="fixed: imports keep their prices; pass-through: priced like domestic."),
    ] = ImportPricing.FIXED,
    emissions: EmissionsOption = None,
    mapping: MappingOption = None,
    inventory: InventoryOption = None,
    sheet: SheetOption = None,
    money_unit: MoneyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Leontief price model: price changes by sector and the CPI-like impact of a carbon price."""

    def go() -> None:
        table, notes = _with_emissions(_table(table_path, demo, sheet, money_unit), emissions, mapping, inventory)
        r = carbon_price_impact(table, carbon_price, import_pricing=import_prices)
        if as_json:
            data = r.to_dict()
            data["notes"] = notes + data["notes"]
            print_json(data)
            return
        t = Table(title=f"{table.name}: carbon price {carbon_price:g} yuan/tCO2e, imports {import_prices.value}")
        t.add_column("sector")
        t.add_column("cost push", justify="right")
        t.add_column("price change", justify="right")
        for s in table.sectors:
            t.add_row(s, _pct(r.cost_push[s]), _pct(r.price_change[s]))
        out.print(t)
        c = Table(title="CPI-like index (household basket)")
        c.add_column("households")
        c.add_column("change", justify="right")
        c.add_column("of which own fuel use", justify="right")
        for k, v in r.cpi.items():
            c.add_row(k, _pct(v), _pct(r.cpi_direct.get(k, 0.0)))
        out.print(c)
        out.print(f"carbon cost paid: {_fmt(r.carbon_cost)} {table.money_unit}")
        for note in [*r.notes, *notes]:
            out.print(f"note: {note}")

    run(go)


@io_app.command("cap")
def cap_cmd(
    cap: Annotated[
        float, typer.Option("--cap", help="Cap on production-based emissions [emission unit of the table].")
    ],
    table_path: TableArg = None,
    demo: DemoOption = False,
    structure: Annotated[
        CapStructure, typer.Option("--structure", help="Final demand scaled as one, per category, or per product.")
    ] = CapStructure.CATEGORY,
    objective: Annotated[
        CapObjective, typer.Option("--objective", help="Minimise the GDP or the output loss.")
    ] = CapObjective.GDP,
    min_scale: Annotated[float, typer.Option("--min-scale", help="Lowest scale of any final demand group.")] = 0.0,
    emissions: EmissionsOption = None,
    mapping: MappingOption = None,
    inventory: InventoryOption = None,
    sheet: SheetOption = None,
    money_unit: MoneyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Smallest GDP (or output) loss that meets an emission cap under a fixed final-demand structure (LP)."""

    def go() -> None:
        table, notes = _with_emissions(_table(table_path, demo, sheet, money_unit), emissions, mapping, inventory)
        r = emission_cap(table, cap, structure=structure, objective=objective, min_scale=min_scale)
        if as_json:
            data = r.to_dict()
            data["notes"] = notes
            print_json(data)
            return
        d = r.to_dict()
        head = Table(title=f"{table.name}: cap {_fmt(cap)} {table.emission_unit}", show_header=False)
        head.add_column("")
        head.add_column("", justify="right")
        head.add_row("base-year emissions (production)", _fmt(r.base_emissions))
        head.add_row("emissions under the cap", _fmt(r.emissions))
        head.add_row(f"GDP loss [{table.money_unit}]", f"{_fmt(r.gdp_loss)} ({_pct(d['gdp_loss_share'] or 0.0)})")
        head.add_row(
            f"output loss [{table.money_unit}]", f"{_fmt(r.output_loss)} ({_pct(d['output_loss_share'] or 0.0)})"
        )
        head.add_row(f"marginal {objective.value} loss [yuan/tCO2e]", _fmt(r.marginal_cost))
        out.print(head)
        sc = Table(title=f"Scale of final demand ({structure.value})")
        sc.add_column("group")
        sc.add_column("scale", justify="right")
        for k, v in r.scale.items():
            sc.add_row(str(k), f"{v:.4f}")
        out.print(sc)
        out.print(f"programme: {d['programme']}")
        for note in notes:
            out.print(f"note: {note}")

    run(go)


@io_app.command("downscale")
def downscale_cmd(
    provincial_table: TableArg = None,
    demo: DemoOption = False,
    city_employment: Annotated[
        Path | None, typer.Option("--city-employment", help="CSV: sector,city,province employment [persons].")
    ] = None,
    method: Annotated[LQMethod, typer.Option("--method", help="Location quotients: slq or flq.")] = LQMethod.FLQ,
    delta: Annotated[float, typer.Option("--delta", help="FLQ exponent (0 <= delta < 1).")] = DEFAULT_DELTA,
    household_share: Annotated[
        float | None, typer.Option("--household-share", help="City share of household consumption (population share).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Name of the city table.")] = "city",
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the city table (CSV or XLSX, NBS layout).")
    ] = None,
    language: Annotated[str, typer.Option("--language", help="Header language of --output: zh or en.")] = "zh",
    sheet: SheetOption = None,
    money_unit: MoneyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Estimate a city table from a provincial one with location quotients (SLQ or FLQ)."""

    def go() -> None:
        table = _table(provincial_table, demo, sheet, money_unit)
        if city_employment is not None:
            emp = read_employment(city_employment, table)
        elif demo:
            emp = load_demo_employment()
        else:
            raise _UsageError("give --city-employment CSV (sector,city,province)")
        if language not in {"zh", "en"}:
            raise _UsageError(f"--language must be zh or en, got {language!r}")
        result = downscale(table, emp, method=method, delta=delta, household_share=household_share, name=name)
        if output is not None:
            write_io_table(result.table, output, language=language)
        if as_json:
            data = result.to_dict()
            data["output_file"] = None if output is None else str(output)
            print_json(data)
            return
        title = f"{name} from {table.name}: {method.value.upper()}" + (
            f", delta {delta:g}, lambda* {result.lambda_star:.4f}" if result.lambda_star is not None else ""
        )
        t = Table(title=title)
        for c in ("sector", "SLQ", f"output [{table.money_unit}]", "outflow", "inflow"):
            t.add_column(c, justify="left" if c == "sector" else "right")
        city = result.table
        outflow = city.final_demand["outflow"]
        inflow = city.imports["inflow"]
        for s in city.sectors:
            t.add_row(s, f"{result.slq[s]:.3f}", _fmt(city.output[s]), _fmt(outflow[s]), _fmt(inflow[s]))
        out.print(t)
        out.print(f"city value added: {_fmt(float(city.total_value_added.sum()))} {table.money_unit}")
        if output is not None:
            out.print(f"wrote {output}")
        for note in city.notes:
            out.print(f"note: {note}")

    run(go)
