"""The Actions page's view model: the energy plan's Pareto front with a chosen plan, and building ranking.

The same calls as ``zerocity energy optimise --pareto`` (:func:`zerocity.energy.planning.pareto_front`)
and ``zerocity actions buildings benchmark`` (:func:`zerocity.actions.buildings.benchmark`), on the
energy system and building sample of the tenant's profile. The results are computed once per
version of those inputs (:func:`action_digest`) and kept in memory and on disk
(:mod:`zerocity.web.resultcache`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from zerocity.actions import buildings as bld
from zerocity.energy.planning import pareto_front
from zerocity.energy.system import load_system
from zerocity.i18n import N_
from zerocity.web import figures
from zerocity.web.profile import CityProfile
from zerocity.web.resultcache import cached_result, input_digest

__all__ = ["PARETO_POINTS", "ActionNumbers", "action_digest", "action_numbers", "actions_view"]

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
    """Language-free results of the Actions page: plain data, computed once per input version.

    Attributes
    ----------
    front : pandas.DataFrame or None
        Plans of the Pareto front, cheapest first: ``index``, ``cost_m_yuan`` [10^6 yuan/yr],
        ``co2_kt`` [kt CO2/yr], ``self_sufficiency`` [unitless].
    capacities : list of pandas.DataFrame
        Per plan: ``technology``, ``kind``, ``existing``, ``new``, ``total`` [MW or MWh].
    buildings : pandas.DataFrame or None
        The benchmark table of the buildings, worst first (:class:`zerocity.actions.buildings.BenchmarkResult`).
    buildings_summary : dict or None
        Counts by grade and totals (``BenchmarkResult.summary()``).
    """

    front: pd.DataFrame | None
    capacities: list[pd.DataFrame]
    buildings: pd.DataFrame | None
    buildings_summary: dict[str, Any] | None

    def to_data(self) -> dict[str, Any]:
        """Plain data for :mod:`zerocity.web.resultcache`."""
        return {
            "front": self.front,
            "capacities": self.capacities,
            "buildings": self.buildings,
            "buildings_summary": self.buildings_summary,
        }

    @classmethod
    def from_data(cls, doc: dict[str, Any]) -> ActionNumbers:
        """The inverse of :meth:`to_data`."""
        return cls(doc["front"], list(doc["capacities"]), doc["buildings"], doc["buildings_summary"])


def _compute(profile: CityProfile) -> ActionNumbers:
    """Solve the Pareto front and benchmark the buildings of a profile (several seconds)."""
    front = None
    capacities: list[pd.DataFrame] = []
    if profile.energy_system:
        plans, _ = pareto_front(load_system(data=profile.energy_system), PARETO_POINTS)
        front = pd.DataFrame(
            [
                {
                    "index": i,
                    "cost_m_yuan": float(p.objectives["cost"]) / 1e6,
                    "co2_kt": float(p.objectives["co2"]) / 1e3,
                    "self_sufficiency": float(p.self_sufficiency),
                }
                for i, p in enumerate(plans)
            ]
        )
        columns = ["technology", "kind", "existing", "new", "total"]
        capacities = [p.capacities[columns].reset_index(drop=True) for p in plans]
    table = summary = None
    if profile.buildings is not None and len(profile.buildings):
        year = int(profile.statistics["year"].max())
        ranking = bld.benchmark(profile.buildings, region=profile.region, year=year, source="buildings")
        table = ranking.table.sort_values("rank").reset_index(drop=True)
        summary = ranking.summary()
    return ActionNumbers(front, capacities, table, summary)


def action_digest(profile: CityProfile) -> str:
    """Digest of everything the Actions page's numbers depend on (the profile's energy system and buildings)."""
    return input_digest(
        "actions",
        {
            "energy_system": profile.energy_system,
            "buildings": None if profile.buildings is None else profile.buildings.to_dict("records"),
            "region": profile.region,
            "year": int(profile.statistics["year"].max()),
            "pareto_points": PARETO_POINTS,
        },
    )


def action_numbers(profile: CityProfile, *, folder: Path | None = None) -> ActionNumbers:
    """The Pareto front and the building benchmark of a profile, computed once per input version.

    Parameters
    ----------
    profile : CityProfile
    folder : pathlib.Path, optional
        Where results are kept on disk (:func:`zerocity.web.resultcache.cache_folder`); memory only by default.
    """
    doc = cached_result("actions", action_digest(profile), lambda: _compute(profile).to_data(), folder=folder)
    return ActionNumbers.from_data(doc)


def actions_view(numbers: ActionNumbers, chosen: int | None, t: Translate) -> dict[str, Any]:
    """The page: front points, the chosen plan's capacities, the building ranking and grade counts.

    Parameters
    ----------
    chosen : int, optional
        Index of the plan to show (0 = cheapest); the middle of the front by default.
    """
    figs: dict[str, Any] = {}
    view: dict[str, Any] = {"front": None, "plan": None, "chosen": None, "buildings": None, "figures": figs}
    if numbers.front is not None and len(numbers.front):
        front = numbers.front
        pick = chosen if chosen is not None and 0 <= chosen < len(front) else len(front) // 2
        figs["pareto"] = figures.pareto_front(
            front,
            "cost_m_yuan",
            "co2_kt",
            title=t("web_chart_pareto"),
            x_title=t("web_cost_axis"),
            y_title=t("web_co2_axis"),
            chosen=pick,
        )
        capacities = numbers.capacities[pick]
        view["front"] = front.to_dict("records")
        view["chosen"] = pick
        view["plan"] = capacities[capacities["total"] > 0].to_dict("records")
    if numbers.buildings is not None and numbers.buildings_summary is not None:
        head = numbers.buildings.head(RANKED)
        rows = head.astype(object).where(head.notna(), None).to_dict("records")
        for r in rows:
            r["grade_name"] = t(GRADE_IDS[r["grade"]]) if r.get("grade") in GRADE_IDS else str(r.get("grade") or "")
        summary = numbers.buildings_summary
        view["buildings"] = {
            "rows": rows,
            "by_grade": {t(GRADE_IDS.get(k, k)): v for k, v in summary["by_grade"].items()},
            "tco2e": summary["tco2e"],
            "count": len(numbers.buildings),
        }
    return view
