"""The Actions page's view model: the energy plan's Pareto front with a chosen plan, and building ranking.

The same calls as ``zerocity energy optimise --pareto`` (:func:`zerocity.energy.planning.pareto_front`)
and ``zerocity actions buildings benchmark`` (:func:`zerocity.actions.buildings.benchmark`), on the
energy system and building sample of the tenant's profile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from zerocity.actions import buildings as bld
from zerocity.energy.planning import Plan, pareto_front
from zerocity.energy.system import load_system
from zerocity.i18n import N_
from zerocity.web import figures
from zerocity.web.profile import CityProfile

__all__ = ["PARETO_POINTS", "ActionNumbers", "action_numbers", "actions_view"]

Translate = Callable[..., str]

#: Plans on the Pareto front (zerocity's choice: the CLI demo's 4, about 6 s of HiGHS).
PARETO_POINTS = 4
#: Buildings shown in the ranking (the worst first) [count]; zerocity's choice.
RANKED = 20
#: Benchmark grades -> message ids.
GRADE_IDS = {
    "better_than_guide": N_("web_bgrade_guide"),
    "within_constraint": N_("web_bgrade_within"),
    "exceeds_constraint": N_("web_bgrade_exceeds"),
    "no_benchmark": N_("web_bgrade_none"),
}


@dataclass(frozen=True)
class ActionNumbers:
    """Language-free results of the Actions page."""

    plans: list[Plan] | None
    buildings: bld.BenchmarkResult | None


def action_numbers(profile: CityProfile) -> ActionNumbers:
    """Solve the Pareto front and benchmark the buildings of a profile (several seconds)."""
    plans = None
    if profile.energy_system:
        plans, _ = pareto_front(load_system(data=profile.energy_system), PARETO_POINTS)
    ranking = None
    if profile.buildings is not None and len(profile.buildings):
        year = int(profile.statistics["year"].max())
        ranking = bld.benchmark(profile.buildings, region=profile.region, year=year, source="buildings")
    return ActionNumbers(plans, ranking)


def actions_view(numbers: ActionNumbers, chosen: int | None, t: Translate) -> dict[str, Any]:
    """The page: front points, the chosen plan's capacities, the building ranking and grade counts.

    Parameters
    ----------
    chosen : int, optional
        Index of the plan to show (0 = cheapest); the middle of the front by default.
    """
    figs: dict[str, Any] = {}
    view: dict[str, Any] = {"front": None, "plan": None, "chosen": None, "buildings": None, "figures": figs}
    if numbers.plans:
        plans = numbers.plans
        pick = chosen if chosen is not None and 0 <= chosen < len(plans) else len(plans) // 2
        front = pd.DataFrame(
            [
                {
                    "index": i,
                    "cost_m_yuan": p.objectives["cost"] / 1e6,
                    "co2_kt": p.objectives["co2"] / 1e3,
                    "self_sufficiency": p.self_sufficiency,
                }
                for i, p in enumerate(plans)
            ]
        )
        figs["pareto"] = figures.pareto_front(
            front,
            "cost_m_yuan",
            "co2_kt",
            title=t("web_chart_pareto"),
            x_title=t("web_cost_axis"),
            y_title=t("web_co2_axis"),
            chosen=pick,
        )
        capacities = plans[pick].capacities
        view["front"] = front.to_dict("records")
        view["chosen"] = pick
        view["plan"] = capacities[capacities["total"] > 0].to_dict("records")
    if numbers.buildings is not None:
        table = numbers.buildings.table.sort_values("rank").head(RANKED)
        rows = table.astype(object).where(table.notna(), None).to_dict("records")
        for r in rows:
            r["grade_name"] = t(GRADE_IDS[r["grade"]]) if r.get("grade") in GRADE_IDS else str(r.get("grade") or "")
        summary = numbers.buildings.summary()
        view["buildings"] = {
            "rows": rows,
            "by_grade": {t(GRADE_IDS.get(k, k)): v for k, v in summary["by_grade"].items()},
            "tco2e": summary["tco2e"],
            "count": len(numbers.buildings.table),
        }
    return view
