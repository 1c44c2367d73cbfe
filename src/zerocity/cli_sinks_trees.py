"""``zerocity sinks trees``: carbon stock and annual sequestration of an urban tree inventory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zerocity.clikit import out, print_json, run
from zerocity.errors import ZerocityError

__all__ = ["trees_command"]


class _UsageError(ZerocityError, ValueError):
    code = "usage"


def trees_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Tree inventory CSV: tree_id, district, species or species_group, dbh_cm[, height_m, condition]."
        ),
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Use the generated Demo City inventory.")] = False,
    runs: Annotated[int, typer.Option("--runs", min=0, help="Monte Carlo draws (0: central estimate only).")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo draws.")] = 0,
    year: Annotated[int, typer.Option("--year", help="Year of the net-balance rows.")] = 2024,
    stress: Annotated[
        float | None, typer.Option("--stress-e", help="Site stress E of Chave et al. 2014 Eq. 6a for missing heights.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Urban tree carbon: biomass by allometry, CO2 stock and annual sequestration with 95 % intervals."""

    def body() -> None:
        from zerocity.sinks.trees import read_trees, tree_carbon, validate_trees

        if demo == (file is not None):
            raise _UsageError("give either an inventory FILE or --demo")
        if file is not None:
            trees = read_trees(file)
        else:
            from zerocity.demo import build_demo_city
            from zerocity.demo.trees import demo_trees

            trees = validate_trees(demo_trees(build_demo_city()), source="demo")
        result = tree_carbon(trees, runs=runs, seed=seed, e=stress)
        if as_json:
            payload = result.to_dict()
            payload["balance"] = result.balance(year).to_dict(orient="records")
            print_json(payload)
            return
        table = Table(title=f"Urban trees: CO2 stock and annual sequestration ({runs} runs, 95 % interval)")
        for c in ("district", "trees", "stock tCO2", "interval", "seq tCO2/yr", "interval"):
            table.add_column(c, justify="left" if c == "district" else "right")
        rows = [*result.districts.to_dict(orient="records"), {"district": "city", **result.city}]
        for r in rows:
            table.add_row(
                str(r["district"]),
                f"{r['trees']:,}",
                f"{r['stock_tco2']:,.0f}",
                f"{r['stock_tco2_p2_5']:,.0f}-{r['stock_tco2_p97_5']:,.0f}",
                f"{r['seq_tco2_yr']:,.1f}",
                f"{r['seq_tco2_yr_p2_5']:,.1f}-{r['seq_tco2_yr_p97_5']:,.1f}",
            )
        out.print(table)

    run(body)
