"""``zerocity scenario``: LEAP-style scenario pathways, Monte Carlo and wedges on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from zerocity.clikit import err, out, print_json, run

__all__ = ["scenario_app"]

scenario_app = typer.Typer(
    help="Scenario pathways to 2060: run a city model, Monte Carlo, wedges between scenarios.", no_args_is_help=True
)

ModelArg = Annotated[Path | None, typer.Argument(help="Scenario model (YAML). Omit with --demo.")]
DemoOption = Annotated[bool, typer.Option("--demo", help="Use the Demo City model.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def load_cli_model(model: Path | None, demo: bool) -> Any:
    """A compiled scenario model: the Demo City model with ``demo``, else the YAML file ``model``."""
    from zerocity.brain.scenario import compile_model, load_model
    from zerocity.brain.scenario.model import ModelIssue, ScenarioModelError

    if demo:
        from zerocity.demo.scenario import demo_scenario_model

        return compile_model(demo_scenario_model(), source="Demo City model")
    if model is None:
        raise ScenarioModelError("<command line>", [ModelIssue(None, "MODEL", "give a model file or --demo")])
    return load_model(model)


def _mt(v: float | None) -> str:
    return "-" if v is None else f"{v / 1e6:,.2f}"


@scenario_app.command("run")
def run_cmd(
    model: ModelArg = None,
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", "-s", help="Scenario to run (repeatable; default all).")
    ] = None,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo samples of the uncertain numbers (0: none).")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Monte Carlo seed.")] = 12345,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the tidy table (CSV) here.")] = None,
    iamc_out: Annotated[Path | None, typer.Option("--iamc", help="Write the IAMC table (CSV or XLSX) here.")] = None,
    demo: DemoOption = False,
    as_json: JsonOption = False,
) -> None:
    """Run scenarios of a model: pathways to the end year, peak year and level, exports."""
    from zerocity.brain.scenario import iamc_frame, monte_carlo, run_scenarios, tidy_frame
    from zerocity.clikit import progress

    def go() -> None:
        compiled = load_cli_model(model, demo)
        names = scenario or list(compiled.scenarios)
        with progress(len(names) + (len(names) if runs else 0)) as step:
            step("running scenarios")
            results = run_scenarios(compiled, names)
            ensembles = {}
            if runs:
                for name in names:
                    step(f"Monte Carlo {name}")
                    ensembles[name] = monte_carlo(
                        compiled, name, runs=runs, seed=seed, coefficients=results.coefficients
                    )
        if csv_out is not None:
            tidy_frame(results).to_csv(csv_out, index=False)
            err.print(f"wrote tidy table to {csv_out}", highlight=False)
        if iamc_out is not None:
            frame = iamc_frame(results)
            if iamc_out.suffix.lower() == ".xlsx":
                frame.to_excel(iamc_out, index=False, sheet_name="data")
            else:
                frame.to_csv(iamc_out, index=False)
            err.print(f"wrote IAMC table to {iamc_out}", highlight=False)
        summary = results.summary()
        level = results.level
        for name, ens in ensembles.items():
            q = ens.quantiles(level)
            summary["scenarios"][name]["monte_carlo"] = {
                "runs": ens.runs,
                "seed": seed,
                "peak": ens.peak_distribution(level),
                "total_quantiles_tco2e": {col: {str(int(y)): float(v) for y, v in q[col].items()} for col in q.columns},
            }
        if as_json:
            print_json(summary)
            return
        _show(summary)

    run(go)


def _show(summary: dict[str, Any]) -> None:
    level = summary["report_level"]
    years = [y for y in summary["scenarios"][next(iter(summary["scenarios"]))]["totals"][level]]
    shown = [y for y in years if int(y) % 5 == 0 or y == years[0] or y == years[-1]]
    table = Table(title=f"{summary['model']} ({summary['region']}): {level} emissions, Mt CO2e ({summary['gwp']})")
    table.add_column("scenario")
    for y in shown:
        table.add_column(y, justify="right")
    table.add_column("peak", justify="right")
    for name, sc in summary["scenarios"].items():
        peak = sc["peak"]
        where = f"{peak['peak_year']} ({_mt(peak['peak_tco2e'])})" if peak["peak_year"] else "none by end year"
        table.add_row(name, *(_mt(sc["totals"][level][y]) for y in shown), where)
    out.print(table)
    for name, sc in summary["scenarios"].items():
        mc = sc.get("monte_carlo")
        if mc:
            p = mc["peak"]
            interval = p["peak_year_interval"]
            out.print(
                f"{name}: Monte Carlo {mc['runs']} runs: peak year median {p['peak_year'] or 'none'}"
                + (f" (90%: {interval[0]}-{interval[1] or 'after end'})" if interval else "")
                + f"; P(no peak by end year) {p['p_no_peak']:.2f}; P(peak by 2030) {p['p_peak_by'][2030]:.2f}",
                highlight=False,
            )
        for w in sc["warnings"]:
            err.print(f"warning [{name}]: {w}", highlight=False, markup=False)


@scenario_app.command("wedges")
def wedges_cmd(
    model: ModelArg = None,
    start: Annotated[str, typer.Option("--from", help="Starting scenario (e.g. BAU).")] = "BAU",
    end: Annotated[str, typer.Option("--to", help="A scenario inheriting from --from.")] = "policy",
    level: Annotated[str | None, typer.Option("--level", help="BASIC, BASIC+ or TERRITORIAL.")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the wedge table (CSV) here.")] = None,
    demo: DemoOption = False,
    as_json: JsonOption = False,
) -> None:
    """Emission wedges: what each measure of --to avoids relative to --from, per year."""
    from zerocity.brain.scenario import wedges

    def go() -> None:
        compiled = load_cli_model(model, demo)
        table = wedges(compiled, start, end, level=level)
        if csv_out is not None:
            table.table.to_csv(csv_out)
            err.print(f"wrote wedges to {csv_out}", highlight=False)
        if as_json:
            print_json(table.to_dict())
            return
        years = [int(y) for y in table.table.index]
        shown = [y for y in years if y % 5 == 0 or y in (years[0], years[-1])]
        t = Table(title=f"Wedges {start} -> {end}, {table.level}: avoided Mt CO2e")
        t.add_column("group", no_wrap=True)
        for y in shown:
            t.add_column(str(y), justify="right")
        t.add_column("cumulative", justify="right")
        t.add_column("alone, cum.", justify="right")
        t.add_column("¥/tCO2e", justify="right")
        for col in table.table.columns:
            cost = table.costs.get(col, {}).get("levelised_cost_per_tco2e")
            alone = table.standalone[col].sum() if col in table.standalone else None
            t.add_row(
                col,
                *(_mt(table.table.at[y, col]) for y in shown),
                _mt(table.table[col].sum()),
                _mt(alone),
                "-" if cost is None else f"{cost:,.0f}",
            )
        t.add_row(
            "total",
            *(_mt(table.start_total[years.index(y)] - table.end_total[years.index(y)]) for y in shown),
            _mt(float((table.start_total - table.end_total).sum())),
            "",
            "",
        )
        out.print(t)

    run(go)


@scenario_app.command("demo-model")
def demo_model_cmd(
    path: Annotated[Path, typer.Argument(help="Where to write the Demo City model (YAML).")],
) -> None:
    """Write the Demo City scenario model, a starting point for a city's own."""
    from zerocity.demo.scenario import write_demo_model

    def go() -> None:
        write_demo_model(path)
        err.print(f"wrote {path}", highlight=False)

    run(go)
