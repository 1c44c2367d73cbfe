"""Demo City's carbon accounts: enterprise carbon codes and household carbon inclusion (``make demo``)."""

from __future__ import annotations

from typing import Any

from zerocity.accounts.enterprise import compute_accounts, grade_accounts, validate_registry
from zerocity.accounts.household import score_events
from zerocity.accounts.points import PointsPolicy, award_points
from zerocity.inventory.engine import compute_inventory

__all__ = ["demo_accounts"]


def demo_accounts(city: Any, year: int = 2024) -> dict[str, Any]:
    """Carbon codes of the Demo City's enterprises and its households' inclusion points for ``year``.

    Returns
    -------
    dict
        ``grades`` (count per grade 1-5 and ``not graded``), ``best`` and ``worst`` (three
        enterprises each: name, industry, ratio to the industry average, grade), ``households``
        (participants, events accepted and refused by reason, kg CO2e credited, points).
    """
    registry = validate_registry(city.enterprises, source="Demo City enterprises")
    result = compute_inventory(city.records, region=city.region, years=[year], source="Demo City records")
    accounts = compute_accounts(registry, emissions=result.emissions, records=result.records, year=year)
    graded = grade_accounts(accounts)
    counts = graded["grade"].value_counts()
    grades = {str(int(g)): int(counts.get(g, 0)) for g in (1, 2, 3, 4, 5)}
    grades["not graded"] = int(graded["grade"].isna().sum())
    ranked = graded.dropna(subset=["grade"]).sort_values("ratio")
    name_col = "name_en" if "name_en" in ranked.columns else "name"

    def pick(frame: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": r[name_col],
                "industry": r.get("industry_code", ""),
                "ratio": float(r["ratio"]),
                "grade": int(r["grade"]),
            }
            for r in frame.to_dict("records")
        ]

    scored = score_events(city.behaviour_events, source="Demo City behaviour events")
    points = award_points(scored, PointsPolicy())
    accepted = scored["status"] == "accepted"
    return {
        "year": year,
        "grades": grades,
        "best": pick(ranked.head(3)),
        "worst": pick(ranked.tail(3).iloc[::-1]),
        "households": {
            "participants": int(scored["household_id"].nunique()),
            "events": len(scored),
            "accepted": int(accepted.sum()),
            "refused_by_reason": {str(k): int(v) for k, v in scored.loc[~accepted, "reason"].value_counts().items()},
            "credited_kg": float(scored["awarded_kg"].sum()),
            "points": float(points["points"].sum()) if "points" in points.columns else None,
        },
    }
