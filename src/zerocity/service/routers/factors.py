"""Factors: the shipped library and a tenant's own factor sets; list, show, explain, import, vocabulary.

``GET /factors``, ``/factors/explain`` and ``/factors/{id}`` take an optional stored factor set of
the caller's tenant (``factor_set``, ``factor_set_version``), whose factors win as with the CLI's
``--factor-set NAME``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from sqlalchemy.orm import Session

from zerocity.factors import FactorLibrary, default_library
from zerocity.service import factors as service
from zerocity.service.deps import Page, get_registry, get_settings, tenant_session
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import audit_success
from zerocity.service.schemas import FactorActivity, FactorSetPublic, error_responses
from zerocity.service.schemas import Page as PageOut
from zerocity.service.settings import Settings
from zerocity.service.tenancy import TenantRegistry
from zerocity.service.uploads import Upload

router = APIRouter(prefix="/factors", tags=["factors"])
_ERRORS = error_responses(401, 403, 404, 422)

Text = Annotated[str | None, Query(max_length=200)]
#: Names and versions of stored factor sets.
SET_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
FactorSetName = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=SET_NAME_PATTERN,
        description="A stored factor set of your tenant; its factors win over shipped ones.",
    ),
]
FactorSetVersion = Annotated[
    str | None,
    Query(min_length=1, max_length=32, pattern=SET_NAME_PATTERN, description="Its version (default: the latest)."),
]


def _library(
    principal: Principal, registry: TenantRegistry, factor_set: str | None, version: str | None
) -> FactorLibrary:
    """The shipped library, or with a stored set of the caller's tenant (404 when it has none of the name)."""
    if factor_set is None:
        if version is not None:
            raise ApiError(
                422,
                "invalid_request",
                "factor_set_version: give factor_set too",
                [{"location": ["query", "factor_set_version"], "message": "given without factor_set"}],
            )
        return default_library()
    with contextlib.contextmanager(tenant_session)(principal, registry) as session:
        return service.requested_set_library(session, factor_set, version, where="query").library


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
    factor_set: FactorSetName = None,
    factor_set_version: FactorSetVersion = None,
    principal: Principal = Depends(require(Permission.FACTOR_READ)),  # noqa: B008
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
) -> dict[str, Any]:
    """Factors of the shipped library (and of ``factor_set``), in load order, filtered.

    Exact matches on activity, gas, region, parameter and dataset (a stored set's dataset is its
    name); text in the source; free text ``q``.
    """
    lib = _library(principal, registry, factor_set, factor_set_version)
    rows = [r.as_dict() for r in lib.records()]
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
    factor_set: FactorSetName = None,
    factor_set_version: FactorSetVersion = None,
    principal: Principal = Depends(require(Permission.FACTOR_READ)),  # noqa: B008
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
) -> dict[str, Any]:
    """Every candidate factor for a request, ranked, with why each is or is not eligible and which won.

    With ``factor_set``, the stored set's factors take part (and win, being a user's own set).
    """
    lib = _library(principal, registry, factor_set, factor_set_version)
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
            "factor_set": factor_set,
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


@router.get("/sets", response_model=PageOut[FactorSetPublic], summary="List factor sets", responses=_ERRORS)
def list_factor_sets(
    page: Page,
    principal: Principal = Depends(require(Permission.FACTOR_READ)),  # noqa: B008
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
) -> dict[str, Any]:
    """Shipped datasets, then the factor sets stored by your tenant (``zerocity factors sets``).

    A caller without a tenant (the platform administrator) sees the shipped datasets only.
    """
    if principal.tenant is None:
        rows = service.factor_set_rows(None)
    else:
        with contextlib.contextmanager(tenant_session)(principal, registry) as session:
            rows = service.factor_set_rows(session)
    return {
        "items": rows[page.offset : page.offset + page.limit],
        "total": len(rows),
        "limit": page.limit,
        "offset": page.offset,
    }


@router.post(
    "/sets",
    status_code=201,
    response_model=FactorSetPublic,
    responses=error_responses(401, 403, 409, 413, 422),
    summary="Import a factor set",
)
def import_factor_set(
    request: Request,
    file: Annotated[
        UploadFile, File(description="Factor set, CSV or XLSX, columns of zerocity/factors/data/README.md.")
    ],
    name: Annotated[str, Form(min_length=1, max_length=64, pattern=SET_NAME_PATTERN, description="Name of the set.")],
    version: Annotated[
        str, Form(min_length=1, max_length=32, pattern=SET_NAME_PATTERN, description="Version of the set.")
    ] = "1",
    principal: Principal = Depends(require(Permission.FACTOR_IMPORT)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Validate a factor set and store it in your tenant (``zerocity factors import``).

    Every problem gives 422 naming the form field, file, row and column; a name and version
    already stored give 409. Use the set with ``factor_set`` on ``/factors``, ``/factors/explain``
    and ``POST /inventories``.
    """
    upload = Upload("file", file.filename or "factors.csv", file.file.read())
    row = service.import_factor_set(
        session,
        settings,
        upload=upload,
        name=name,
        version=version,
        tenant=str(principal.tenant),
        loaded_by=principal.actor,
    )
    session.commit()
    audit_success(
        request,
        principal,
        "factorset.import",
        f"factorset:{name}:{version}",
        status_code=201,
        details={"records": row["records"], "sha256": row["sha256"], "file": row["source"]},
    )
    return row


@router.get("/activities", response_model=PageOut[FactorActivity], summary="The activity vocabulary", responses=_ERRORS)
def list_activities(
    page: Page,
    category: Annotated[str | None, Query(max_length=64, description="Only this category.")] = None,
    principal: Principal = Depends(require(Permission.FACTOR_READ)),  # noqa: B008
) -> dict[str, Any]:
    """Activity ids a record or factor may name (``zerocity factors activities``), with names and units."""
    rows = [r for r in service.activity_rows() if category is None or r["category"] == category]
    return {
        "items": rows[page.offset : page.offset + page.limit],
        "total": len(rows),
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/{factor_id}", summary="Show one factor", responses=_ERRORS)
def show_factor(
    factor_id: Annotated[str, Path(max_length=200)],
    factor_set: FactorSetName = None,
    factor_set_version: FactorSetVersion = None,
    principal: Principal = Depends(require(Permission.FACTOR_READ)),  # noqa: B008
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
) -> dict[str, Any]:
    """One factor with its source (404 naming the id when unknown); ``factor_set`` to show a stored set's factor."""
    return _library(principal, registry, factor_set, factor_set_version).get(factor_id).as_dict()
