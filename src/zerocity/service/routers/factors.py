"""The shipped factor library: list and search with filters, show one factor, explain a resolution."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from zerocity.factors import default_library
from zerocity.service.deps import Page
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.schemas import error_responses

router = APIRouter(prefix="/factors", tags=["factors"])
_ERRORS = error_responses(401, 403, 404, 422)

Text = Annotated[str | None, Query(max_length=200)]


def _matches(row: dict[str, Any], **filters: str | None) -> bool:
    activity, gas, region, parameter, dataset, source, q = (
        filters["activity"],
        filters["gas"],
        filters["region"],
        filters["parameter"],
        filters["dataset"],
        filters["source"],
        filters["q"],
    )
    if activity is not None and row["activity"] != activity:
        return False
    if gas is not None and (row["gas"] or "").upper() != gas.upper():
        return False
    if region is not None and row["region"] != region:
        return False
    if parameter is not None and row["parameter"] != parameter:
        return False
    if dataset is not None and row["dataset"] != dataset:
        return False
    if source is not None and source.lower() not in f"{row['source']} {row['dataset']}".lower():
        return False
    return q is None or q.lower() in f"{row['factor_id']} {row['activity']} {row['source']}".lower()


@router.get("", summary="List and search factors", responses=_ERRORS)
def list_factors(
    page: Page,
    activity: Text = None,
    gas: Text = None,
    region: Text = None,
    parameter: Text = None,
    dataset: Text = None,
    source: Text = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the id, activity or source.")] = None,
    principal: Principal = Depends(require(Permission.FACTOR_READ)),  # noqa: B008
) -> dict[str, Any]:
    """Factors of the shipped library, in load order, filtered.

    Exact matches on activity, gas, region, parameter and dataset; text in the source; free text ``q``.
    """
    rows = [r.as_dict() for r in default_library().records()]
    selected = [
        r
        for r in rows
        if _matches(
            r, activity=activity, gas=gas, region=region, parameter=parameter, dataset=dataset, source=source, q=q
        )
    ]
    return {
        "items": selected[page.offset : page.offset + page.limit],
        "total": len(selected),
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/explain", summary="Explain a factor resolution", responses=_ERRORS)
def explain_factor(
    activity: Annotated[str, Query(min_length=1, max_length=100, description="Activity id.")],
    gas: Annotated[str, Query(max_length=20, description="Gas of an emission factor.")] = "CO2",
    parameter: Annotated[str, Query(max_length=64, description="ef, ncv, ... or a sector-method parameter.")] = "ef",
    gpc_ref: Annotated[str | None, Query(max_length=32, description="GPC reference, e.g. I.1.2.")] = None,
    region: Annotated[str, Query(max_length=32, description="Region code, e.g. CN-JS.")] = "CN",
    year: Annotated[int | None, Query(ge=1900, le=2200, description="Inventory year (default: this year).")] = None,
    qualifier: Annotated[str, Query(max_length=100)] = "",
    principal: Principal = Depends(require(Permission.FACTOR_READ)),  # noqa: B008
) -> dict[str, Any]:
    """Every candidate factor for a request, ranked, with why each is or is not eligible and which won."""
    lib = default_library()
    known = {str(r.parameter) for r in lib.records()}
    if parameter not in known:
        raise ApiError(422, "invalid_request", f"unknown parameter {parameter!r}", [{"known": sorted(known)}])
    res = lib.resolve(
        parameter,
        activity,
        gas=gas if parameter == "ef" else "",
        gpc_ref=gpc_ref,
        region=region,
        year=year or dt.date.today().year,
        qualifier=qualifier,
    )
    if res.winner is None:
        raise ApiError(404, "factor_not_found", lib.not_found_message(res))
    return {
        "request": {
            "parameter": parameter,
            "activity": activity,
            "qualifier": qualifier or None,
            "gas": res.gas,
            "gpc_ref": gpc_ref,
            "region": region,
            "region_chain": lib.region_chain(region),
            "year": res.year,
        },
        "winner": res.winner.factor_id,
        "warnings": list(res.warnings),
        "candidates": [
            {
                "rank": i + 1,
                "factor_id": c.record.factor_id,
                "eligible": c.eligible,
                "reason": c.reason,
                "value": c.record.value,
                "unit": c.record.unit.text,
                "region": c.record.region,
                "dataset": c.record.dataset,
            }
            for i, c in enumerate(res.candidates)
        ],
    }


@router.get("/{factor_id}", summary="Show one factor", responses=_ERRORS)
def show_factor(
    factor_id: Annotated[str, Path(max_length=200)],
    principal: Principal = Depends(require(Permission.FACTOR_READ)),  # noqa: B008
) -> dict[str, Any]:
    """One factor with its source (404 naming the id when unknown)."""
    return default_library().get(factor_id).as_dict()
