"""``zerocity macc``: marginal abatement cost curves and portfolio choice on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from zerocity.brain.macc import (
    DEFAULT_MIP_GAP,
    AbatementBasis,
    BudgetBasis,
    CostMethod,
    Effect,
    Goal,
    MaccCurve,
    MaccError,
    Portfolio,
    PortfolioResult,
    build_macc,
    optimise,
    portfolio_from_scenario,
    read_measures,
)
from zerocity.clikit import out, print_json, run

__all__ = ["macc_app"]

macc_app = typer.Typer(
    help="Marginal abatement cost curves and the cheapest portfolio of measures (MILP, HiGHS).",
    no_args_is_help=True,
)

FileArg = Annotated[Path | None, typer.Argument(help="Measures file (CSV, XLSX or YAML). Omit with --from-scenario.")]
ScenarioOption = Annotated[
    Path | None, typer.Option("--from-scenario", help="Scenario model (YAML): measures, wedges and costs from it.")
]
StartOption = Annotated[str, typer.Option("--from", help="Starting scenario (with --from-scenario).")]
EndOption = Annotated[str | None, typer.Option("--to", help="Descendant scenario (with --from-scenario).")]
EffectOption = Annotated[
    Effect, typer.Option("--effect", help="Scenario abatement: each measure alone (standalone) or its wedge.")
]
LevelOption = Annotated[str | None, typer.Option("--level", help="GPC level of scenario totals (default: model's).")]
CostOption = Annotated[CostMethod, typer.Option("--cost-method", help="Cost per tonne: levelised or annualised.")]
YearOption = Annotated[int | None, typer.Option("--year", help="Abatement in this year [t CO2e/yr].")]
PeriodOption = Annotated[
    str | None, typer.Option("--period", help="Cumulative abatement over FIRST:LAST [t CO2e] (default: horizon).")
]
RateOption = Annotated[float | None, typer.Option("--discount-rate", help="Discount rate [1/yr] (overrides file).")]
BaseOption = Annotated[int | None, typer.Option("--base-year", help="Year discounted to (measures files).")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="XLSX sheet (default: the first).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _portfolio(
    file: Path | None,
    scenario: Path | None,
    start: str,
    end: str | None,
    effect: Effect,
    level: str | None,
    rate: float | None,
    base_year: int | None,
    sheet: str | None,
) -> Portfolio:
    if (file is None) == (scenario is None):
        raise MaccError("give a measures FILE or --from-scenario MODEL (not both)")
    if scenario is not None:
        if end is None:
            raise MaccError("--from-scenario needs --to SCENARIO (and --from, default BAU)")
        return portfolio_from_scenario(scenario, start, end, effect=effect, level=level, discount_rate=rate)
    assert file is not None
    return read_measures(file, sheet=sheet, base_year=base_year, discount_rate=rate)


def _num(v: float | None, digits: int = 0) -> str:
    if v is None or pd.isna(v):
        return "-"
    return f"{v:,.{digits}f}"


def _txt(v: object) -> str:
    """Cell text; missing values (None, NaN, NA) are blank."""
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else escape(str(v))


def _show_macc(curve: MaccCurve) -> None:
    p = curve.portfolio
    basis = curve.basis.describe(p.years)
    title = (
        f"MACC, {p.source}: {curve.cost_method.value} cost [{p.currency}/t CO2e] against "
        f"{basis['label']} [{basis['unit']}]"
    )
    table = Table(title=escape(title))
    for c in ("rank", "id", "name", "group", "cost/t", "abatement", "x0", "x1", "PV cost", "note"):
        table.add_column(c, justify="left" if c in {"id", "name", "group", "note"} else "right")
    for r in curve.table.itertuples(index=False):
        table.add_row(
            "-" if pd.isna(r.rank) else str(r.rank),
            _txt(r.id),
            _txt(r.name),
            _txt(r.group),
            _num(r.cost_per_t, 1),
            _num(r.abatement),
            _num(r.x0),
            _num(r.x1),
            _num(r.pv_cost),
            _txt(r.reason),
        )
    out.print(table)
    for note in p.notes:
        out.print(escape(f"note: {note}"), highlight=False)


def _show_result(result: PortfolioResult, portfolio: Portfolio) -> None:
    unit = result.basis["unit"]
    head = Table(title=escape(f"Portfolio ({result.goal.value}), {portfolio.source}"), show_header=False)
    head.add_column("", justify="left")
    head.add_column("", justify="right")
    target = result.goal is Goal.TARGET
    requested = f"{_num(result.requested)} {unit if target else result.currency}"
    cost_unit = result.currency + ("" if result.cost_method is CostMethod.LEVELISED else "/yr")
    rows = [
        ("target" if target else f"budget ({result.budget_basis})", requested),
        (f"{result.basis['label']} [{unit}]", _num(result.abatement)),
        (f"cost ({result.cost_method.value}) [{cost_unit}]", _num(result.cost)),
        (f"capex [{result.currency}]", _num(result.capex)),
        (f"present value of net costs [{result.currency}]", _num(result.pv_cost)),
        ("measures adopted", f"{len(result.selected)} of {len(result.adoption)}"),
        ("solver", f"{result.method} (HiGHS): {result.status}"),
        ("MIP gap", "-" if result.mip_gap is None else f"{result.mip_gap:.2e}"),
        ("solve time [s]", f"{result.seconds:.3f}"),
    ]
    for label, value in rows:
        head.add_row(escape(label), escape(value))
    out.print(head)
    costs = portfolio.costs()
    table = Table(title="Adopted measures")
    for c in ("id", "name", "group", "share", "capex", "PV cost"):
        table.add_column(c, justify="left" if c in {"id", "name", "group"} else "right")
    for mid in result.selected:
        row = costs.loc[mid]
        table.add_row(
            _txt(mid), _txt(row["name"]), _txt(row["group"]), f"{result.adoption[mid]:.3g}", _num(row["capex"]),
            _num(row["pv_cost"]),
        )  # fmt: skip
    out.print(table)
    for note in [*portfolio.notes, *result.notes]:
        out.print(escape(f"note: {note}"), highlight=False)


@macc_app.command("build")
def build_cmd(
    file: FileArg = None,
    from_scenario: ScenarioOption = None,
    start: StartOption = "BAU",
    end: EndOption = None,
    effect: EffectOption = Effect.STANDALONE,
    level: LevelOption = None,
    cost_method: CostOption = CostMethod.LEVELISED,
    year: YearOption = None,
    period: PeriodOption = None,
    discount_rate: RateOption = None,
    base_year: BaseOption = None,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """MACC table and chart data: measures by cost per tonne, bar widths = abatement."""

    def go() -> None:
        portfolio = _portfolio(file, from_scenario, start, end, effect, level, discount_rate, base_year, sheet)
        curve = build_macc(portfolio, cost_method=cost_method, basis=AbatementBasis.parse(year, period))
        if as_json:
            print_json(curve.to_dict())
        else:
            _show_macc(curve)

    run(go)


@macc_app.command("optimise")
def optimise_cmd(
    file: FileArg = None,
    target: Annotated[
        float | None, typer.Option("--target", help="Abatement to reach (on --year/--period), cheapest selection.")
    ] = None,
    budget: Annotated[float | None, typer.Option("--budget", help="Budget [currency]: most abatement.")] = None,
    budget_basis: Annotated[
        BudgetBasis, typer.Option("--budget-basis", help="What the budget limits: capex or pv_cost.")
    ] = BudgetBasis.CAPEX,
    partial: Annotated[bool, typer.Option("--partial", help="Allow adopting a share of a measure (LP).")] = False,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Solver time limit [s].")] = None,
    mip_gap: Annotated[float, typer.Option("--mip-gap", help="Relative MIP gap to stop at.")] = DEFAULT_MIP_GAP,
    from_scenario: ScenarioOption = None,
    start: StartOption = "BAU",
    end: EndOption = None,
    effect: EffectOption = Effect.STANDALONE,
    level: LevelOption = None,
    cost_method: CostOption = CostMethod.LEVELISED,
    year: YearOption = None,
    period: PeriodOption = None,
    discount_rate: RateOption = None,
    base_year: BaseOption = None,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cheapest set of measures reaching --target, or most abatement within --budget (MILP, HiGHS)."""

    def go() -> None:
        portfolio = _portfolio(file, from_scenario, start, end, effect, level, discount_rate, base_year, sheet)
        result = optimise(
            portfolio,
            target=target,
            budget=budget,
            basis=AbatementBasis.parse(year, period),
            cost_method=cost_method,
            budget_basis=budget_basis,
            partial=partial,
            time_limit=time_limit,
            mip_rel_gap=mip_gap,
        )
        if as_json:
            print_json({"portfolio": portfolio.describe(), **result.to_dict()})
        else:
            _show_result(result, portfolio)

    run(go)
