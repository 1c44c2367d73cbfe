"""``zerocity energy``: multi-objective energy system planning (linopy + HiGHS)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from zerocity.clikit import err, out, print_json, progress, run

__all__ = ["energy_app"]

energy_app = typer.Typer(
    help="Energy system planning: capacities and hourly dispatch, cost/CO2 Pareto fronts.", no_args_is_help=True
)


def _weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    out_: dict[str, float] = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        out_[key.strip()] = float(value)
    return out_


def _show_plan(plan: Any, title: str) -> None:
    o = plan.objectives
    out.print(
        f"[bold]{title}[/bold]: cost {o['cost'] / 1e6:,.2f} M yuan/yr, CO2 {o['co2']:,.0f} t/yr, primary energy "
        f"{o['primary']:,.0f} MWh/yr, self-sufficiency {plan.self_sufficiency:.1%} "
        f"(solved in {plan.solve_seconds:.1f} s)"
    )
    caps = plan.capacities
    table = Table(title="capacities")
    for col in ("technology", "kind", "existing MW", "new MW", "total MW", "MWh"):
        table.add_column(col, justify="left" if col in ("technology", "kind") else "right")
    for row in caps.to_dict(orient="records"):
        if row["kind"] == "source":
            continue
        energy = row.get("energy_mwh")
        table.add_row(
            row["technology"],
            row["kind"],
            f"{row['existing']:,.1f}",
            f"{row['new']:,.1f}",
            f"{row['total']:,.1f}",
            "" if energy is None or energy != energy else f"{energy:,.0f}",
        )
    out.print(table)


@energy_app.command("optimise")
def optimise_cmd(
    system: Annotated[Path | None, typer.Argument(help="Energy system (YAML). Omit with --demo.")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Demo City's industrial park (a year of hours).")] = False,
    demo_days: Annotated[
        bool, typer.Option("--demo-days", help="Demo City's park on 12 representative days (fast).")
    ] = False,
    objective: Annotated[str, typer.Option("--objective", help="cost, co2, primary or imports.")] = "cost",
    pareto: Annotated[int, typer.Option("--pareto", help="Cost/CO2 Pareto front with N points (0: none).")] = 0,
    weights: Annotated[
        str | None, typer.Option("--weights", help="Weighted sum, e.g. cost=1,co2=1 (normalised objectives).")
    ] = None,
    co2_cap: Annotated[float | None, typer.Option("--co2-cap", help="Upper bound on CO2 [t/yr].")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Choose capacities and hourly dispatch: one objective, a weighted sum, or a Pareto front."""
    from zerocity.energy.planning import build_model, optimise, pareto_front
    from zerocity.energy.system import load_system

    def go() -> None:
        if demo or demo_days:
            from zerocity.demo.energy_system import demo_system

            energy = load_system(data=demo_system(representative=demo_days))
        elif system is not None:
            energy = load_system(system)
        else:
            from zerocity.energy.system import EnergySystemError

            raise EnergySystemError("give a SYSTEM file or --demo")
        if pareto:
            with progress(1) as step:
                step(f"Pareto front, {pareto} points")
                plans, pm = pareto_front(energy, pareto)
            doc = {
                "system": energy.spec.name,
                "snapshots": len(energy.snapshots),
                "build_seconds": pm.build_seconds,
                "pareto": [p.to_dict() for p in plans],
            }
        else:
            pm = build_model(energy)
            plan = optimise(energy, objective=objective, weights=_weights(weights), co2_cap=co2_cap, model=pm)
            plans = [plan]
            doc = {
                "system": energy.spec.name,
                "snapshots": len(energy.snapshots),
                "build_seconds": pm.build_seconds,
                "plan": plan.to_dict(),
            }
        if as_json:
            print_json(doc)
            return
        err.print(
            f"{energy.spec.name}: {len(energy.snapshots)} snapshots, model built in {pm.build_seconds:.1f} s",
            highlight=False,
        )
        if pareto:
            table = Table(title="Pareto front: cost against CO2 (epsilon-constraint)")
            for col in ("point", "cost M yuan/yr", "CO2 t/yr", "primary MWh/yr", "self-sufficiency", "new capacity"):
                table.add_column(col, justify="right" if col != "new capacity" else "left")
            for p in plans:
                caps = p.capacities
                built = ", ".join(f"{r.technology} {r.new:,.0f}" for r in caps.itertuples() if r.new > 0.05)
                table.add_row(
                    p.label,
                    f"{p.objectives['cost'] / 1e6:,.2f}",
                    f"{p.objectives['co2']:,.0f}",
                    f"{p.objectives['primary']:,.0f}",
                    f"{p.self_sufficiency:.1%}",
                    built,
                )
            out.print(table)
            return
        _show_plan(plans[0], plans[0].label)

    run(go)
