"""Marginal abatement cost curves over HTTP (``zerocity macc build|optimise``).

Measures arrive as JSON records (the rows of a measures file). Building the curve answers in the
request; the portfolio optimisation (a MILP with HiGHS) is a job.
"""

from __future__ import annotations

import logging
from typing import Any

from zerocity.brain.macc import AbatementBasis, build_macc, measures_from_records, optimise
from zerocity.jsonio import jsonable
from zerocity.service.jobs import job_kind

__all__ = ["MACC_JOB", "build_run", "check_measures", "optimise_job"]

logger = logging.getLogger(__name__)

#: Job kind of the portfolio optimisation.
MACC_JOB = "macc.optimise"


def _portfolio(params: dict[str, Any]) -> Any:
    return measures_from_records(
        params["measures"],
        source="measures",
        base_year=params.get("base_year"),
        discount_rate=params.get("discount_rate"),
    )


def _basis(params: dict[str, Any]) -> AbatementBasis:
    return AbatementBasis.parse(params.get("year"), params.get("period"))


def check_measures(params: dict[str, Any]) -> None:
    """Validate measures and the abatement basis before a job is queued (422 with every bad field)."""
    _portfolio(params)
    _basis(params)


def build_run(params: dict[str, Any]) -> dict[str, Any]:
    """MACC table and chart data: measures by cost per tonne, bar widths = abatement."""
    curve = build_macc(_portfolio(params), cost_method=params["cost_method"], basis=_basis(params))
    doc: dict[str, Any] = jsonable(curve.to_dict())
    return doc


@job_kind(MACC_JOB)
def optimise_job(params: dict[str, Any]) -> dict[str, Any]:
    """Cheapest set of measures reaching a target, or most abatement within a budget (MILP, HiGHS)."""
    portfolio = _portfolio(params)
    result = optimise(
        portfolio,
        target=params.get("target"),
        budget=params.get("budget"),
        basis=_basis(params),
        cost_method=params["cost_method"],
        budget_basis=params["budget_basis"],
        partial=params["partial"],
        time_limit=params.get("time_limit"),
        mip_rel_gap=params["mip_gap"],
    )
    doc: dict[str, Any] = jsonable({"portfolio": portfolio.describe(), **result.to_dict()})
    return doc
