"""Marginal abatement cost curves over HTTP (``zerocity macc build|optimise``, ``build --from-scenario``).

Measures arrive as JSON records (the rows of a measures file), or come from a scenario model
(its YAML text, or the Demo City model): measures, abatement from its wedges and costs from the
model. Building the curve answers in the request (the Demo City model takes about 1 s); the
portfolio optimisation (a MILP with HiGHS) is a job.
"""

from __future__ import annotations

import logging
from typing import Any

from zerocity.brain.macc import (
    AbatementBasis,
    MaccError,
    build_macc,
    measures_from_records,
    optimise,
    portfolio_from_scenario,
)
from zerocity.brain.scenario.model import ScenarioModelError
from zerocity.jsonio import jsonable
from zerocity.service.errors import ApiError
from zerocity.service.jobs import job_kind
from zerocity.service.models import compiled_model

__all__ = ["MACC_JOB", "build_run", "check_measures", "from_scenario_run", "optimise_job"]

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


def from_scenario_run(params: dict[str, Any]) -> dict[str, Any]:
    """MACC of the measures of a scenario model (``zerocity macc build --from-scenario MODEL --json``).

    Abatement of each measure applied between ``start`` and its descendant ``end`` is its
    standalone effect or its wedge [t CO2e/yr]; costs, timing and discounting are the model's
    (:func:`zerocity.brain.macc.portfolio_from_scenario`). Bars: cost per tonne [currency/t CO2e]
    against cumulative abatement [t CO2e] (or abatement in ``year`` [t CO2e/yr]).

    Raises
    ------
    ApiError
        422: a model that does not validate (line and field), a scenario the model does not have,
        ``end`` not inheriting from ``start``, or no measure with costs between them.
    """
    compiled = compiled_model(params)
    for field in ("start", "end"):
        if params[field] not in compiled.scenarios:
            raise ApiError(
                422,
                "invalid_request",
                f"unknown scenario {params[field]!r} ({field}); the model has {', '.join(compiled.scenarios)}",
                [{"location": ["body", field]}],
            )
    try:
        portfolio = portfolio_from_scenario(
            compiled,
            params["start"],
            params["end"],
            effect=params["effect"],
            level=params.get("level"),
            discount_rate=params.get("discount_rate"),
        )
    except (ScenarioModelError, MaccError) as exc:
        raise ApiError(422, "invalid_request", str(exc), [{"location": ["body", "end"], "message": str(exc)}]) from None
    curve = build_macc(portfolio, cost_method=params["cost_method"], basis=_basis(params))
    doc: dict[str, Any] = jsonable(curve.to_dict())
    return doc
