"""Inventories of the caller's tenant: import, validate, list, summary, diff, export, report, publish; methods, CEMS."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerocity.reports import MEDIA_TYPES, ReportFormat
from zerocity.service import inventories as service
from zerocity.service.deps import Page, platform_session, row_scope, tenant_session
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import (
    REPORT_MEDIA,
    ReportFormatQuery,
    ReportLangQuery,
    audit_success,
    download,
    file_responses,
)
from zerocity.service.schemas import InventoryPublic, InventoryValidation, error_responses
from zerocity.service.schemas import Page as PageOut
from zerocity.service.uploads import Upload
from zerocity.store.models import Tenant

router = APIRouter(prefix="/inventories", tags=["inventories"])
_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422)

InventoryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Inventory id.")]
_SET_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
FactorSetField = Annotated[
    str | None,
    Form(min_length=1, max_length=64, pattern=_SET_PATTERN, description="A stored factor set of your tenant."),
]
FactorSetVersionField = Annotated[
    str | None, Form(min_length=1, max_length=32, pattern=_SET_PATTERN, description="Its version (default: latest).")
]
Region = Annotated[str, Form(min_length=2, max_length=32, pattern=r"^[A-Za-z][A-Za-z0-9-]*$")]


@router.post("", status_code=201, response_model=InventoryPublic, responses=_ERRORS, summary="Import an inventory")
def import_inventory(
    request: Request,
    file: Annotated[UploadFile, File(description="Activity records, CSV or XLSX (see `zerocity inventory`).")],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    gwp: Annotated[str, Form(pattern="^(AR4|AR5|AR6)$")] = "AR5",
    region: Region = "CN",
    level: Annotated[str, Form(pattern=r"^(BASIC|BASIC\+|TERRITORIAL)$")] = "BASIC",
    factor_set: FactorSetField = None,
    factor_set_version: FactorSetVersionField = None,
    principal: Principal = Depends(require(Permission.INVENTORY_IMPORT)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Validate, compute and store an inventory, all or nothing.

    Invalid rows give 422 with one detail per problem (``row``, 1-based data row; ``column``;
    ``message``; ``value``) and nothing is stored. Enterprise reporters may only upload rows of
    their own entity (column ``entity``). ``factor_set`` computes with a stored factor set of the
    tenant (``--factor-set NAME``); exports and reports of the inventory use it again.
    """
    content = file.file.read()
    scope = row_scope(principal)
    inventory_id = service.import_inventory(
        session,
        content=content,
        filename=file.filename or "upload",
        name=name,
        gwp=gwp,
        region=region,
        level=level,
        scope=scope,
        created_by=principal.actor,
        factor_set=factor_set,
        factor_set_version=factor_set_version,
    )
    session.commit()
    row = service.inventory_row(session, scope=scope, inventory_id=inventory_id)
    audit_success(
        request,
        principal,
        "inventory.import",
        f"inventory:{inventory_id}",
        status_code=201,
        details={"name": row["name"], "records": row["record_count"], "total_tco2e": row["total_tco2e"]},
    )
    return row


@router.get("", response_model=PageOut[InventoryPublic], responses=_ERRORS, summary="List inventories")
def list_inventories(
    page: Page,
    q: Annotated[str | None, Query(max_length=200, description="Text in the name.")] = None,
    principal: Principal = Depends(require(Permission.INVENTORY_READ)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Stored inventories the caller may see (an enterprise reporter: its entity's only)."""
    items, total = service.list_inventories(
        session, scope=row_scope(principal), q=q, limit=page.limit, offset=page.offset
    )
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.post(
    "/validate",
    response_model=InventoryValidation,
    responses=error_responses(401, 403, 413, 422),
    summary="Validate a records file",
)
def validate_inventory(
    file: Annotated[UploadFile, File(description="Activity records, CSV or XLSX (see `zerocity inventory`).")],
    gwp: Annotated[str, Form(pattern="^(AR4|AR5|AR6)$")] = "AR5",
    region: Region = "CN",
    level: Annotated[str, Form(pattern=r"^(BASIC|BASIC\+|TERRITORIAL)$")] = "BASIC",
    factor_set: FactorSetField = None,
    factor_set_version: FactorSetVersionField = None,
    principal: Principal = Depends(require(Permission.INVENTORY_IMPORT)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Check a records file as ``POST /inventories`` would; nothing is stored (``zerocity inventory validate``).

    200 with ``valid``, every problem (``row``, ``column``, ``message``, ``value``) and, when valid,
    the would-be totals [t CO2e]. An enterprise reporter's rows must carry its own entity.
    A file that cannot be read at all gives 422 naming the field and file.
    """
    upload = Upload("file", file.filename or "records.csv", file.file.read())
    return service.validate_inventory(
        session,
        upload=upload,
        gwp=gwp,
        region=region,
        level=level,
        scope=row_scope(principal),
        factor_set=factor_set,
        factor_set_version=factor_set_version,
    )


@router.get("/methods", response_model=PageOut[dict[str, Any]], responses=_ERRORS, summary="Calculation methods")
def list_methods(
    page: Page,
    name: Annotated[str | None, Query(max_length=64, description="Only this method (its input columns).")] = None,
    principal: Principal = Depends(require(Permission.INVENTORY_READ)),  # noqa: B008
) -> dict[str, Any]:
    """Methods a record's ``method`` column may name, with their input columns (``zerocity inventory methods``)."""
    docs = service.method_catalogue(name)
    return {
        "items": docs[page.offset : page.offset + page.limit],
        "total": len(docs),
        "limit": page.limit,
        "offset": page.offset,
    }


@router.post("/cems", responses=error_responses(401, 403, 413, 422), summary="Integrate CEMS readings")
def integrate_cems(
    file: Annotated[UploadFile, File(description="CEMS readings, CSV or XLSX (timestamp, flow_m3_h, ...).")],
    interval: Annotated[
        str | None, Form(max_length=32, description="Time the last reading of a stack represents, e.g. 1h, 15min.")
    ] = None,
    basis: Annotated[str, Form(pattern="^(dry|wet)$", description="Concentration basis.")] = "dry",
    records: Annotated[bool, Form(description="Also give the measured inventory rows, one per stack.")] = False,
    year: Annotated[int | None, Form(ge=1990, le=2100, description="Inventory year of those rows.")] = None,
    gpc_ref: Annotated[
        str, Form(max_length=32, pattern=r"^[IV]+(\.[0-9]+){0,2}$", description="GPC reference of those rows.")
    ] = "I.3.1",
    entity: Annotated[
        str | None, Form(max_length=64, description="Entity of those rows (a reporter: its own, the default).")
    ] = None,
    principal: Principal = Depends(require(Permission.INVENTORY_IMPORT)),  # noqa: B008
) -> dict[str, Any]:
    """CO2 per stack [t] from continuous emission monitoring readings (``zerocity inventory cems --json``).

    Bad readings give 422 naming the field, file, row and column; nothing is stored.
    """
    upload = Upload("file", file.filename or "cems.csv", file.file.read())
    return service.cems_inventory(
        upload=upload,
        interval=interval or None,
        basis=basis,
        scope=row_scope(principal),
        with_records=records,
        year=year,
        gpc_ref=gpc_ref,
        entity=entity,
    )


@router.get("/{inventory_id}", responses=_ERRORS, summary="Inventory summary and totals")
def get_inventory(
    inventory_id: InventoryId,
    principal: Principal = Depends(require(Permission.INVENTORY_READ)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """The stored result without records: totals [t CO2e] by level, gas, scope, sector, year, factors used."""
    return service.inventory_summary(session, scope=row_scope(principal), inventory_id=inventory_id)


@router.get(
    "/{inventory_id}/export",
    responses=file_responses(_ERRORS, "text/csv", "application/json", MEDIA_TYPES[ReportFormat.XLSX]),
    summary="Export an inventory",
)
def export_inventory(
    inventory_id: InventoryId,
    format: Annotated[service.ExportFormat, Query(description="csv, xlsx or json.")] = service.ExportFormat.JSON,
    principal: Principal = Depends(require(Permission.INVENTORY_READ)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> Response:
    """Per-record CSV, the GPC reporting workbook (XLSX), or the stored JSON result."""
    exported = service.export_inventory(session, scope=row_scope(principal), inventory_id=inventory_id, fmt=format)
    return download(exported.content, exported.media_type, exported.filename)


@router.get(
    "/{inventory_id}/report",
    responses=file_responses(_ERRORS, *REPORT_MEDIA),
    summary="Inventory report (GPC layout)",
)
def inventory_report(
    inventory_id: InventoryId,
    format: ReportFormatQuery = "pdf",
    lang: ReportLangQuery = "en",
    year: Annotated[int | None, Query(ge=1990, le=2100, description="Year (default: the latest).")] = None,
    city: Annotated[str | None, Query(max_length=100, description="City name (default: the tenant's).")] = None,
    population: Annotated[float | None, Query(gt=0, description="Population of the year [persons].")] = None,
    gdp: Annotated[float | None, Query(gt=0, description="GDP of the year [10^4 yuan].")] = None,
    principal: Principal = Depends(require(Permission.INVENTORY_READ)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    platform: Session = Depends(platform_session),  # noqa: B008
) -> Response:
    """The city inventory report of one year: totals, GPC table, charts, methodology, factor sources."""
    name = city or platform.scalar(select(Tenant.name).where(Tenant.slug == principal.tenant)) or ""
    report = service.inventory_report(
        session,
        scope=row_scope(principal),
        inventory_id=inventory_id,
        fmt=format,
        lang=lang,
        city=name,
        year=year,
        population=population,
        gdp=gdp,
    )
    return download(report.content, report.media_type, report.filename)


@router.get("/{inventory_id}/diff/{other_id}", responses=_ERRORS, summary="What changed between two inventories")
def diff_inventories(
    inventory_id: InventoryId,
    other_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="The later inventory's id.")],
    principal: Principal = Depends(require(Permission.INVENTORY_READ)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Change [t CO2e] from one stored inventory to another, by cause and record (``zerocity inventory diff``).

    Causes: a record added or removed, its activity changed, its factors changed, the GWP set
    changed; they add up to the total change. Both inventories must be visible to the caller.
    """
    return service.diff_inventory(session, scope=row_scope(principal), inventory_id=inventory_id, other_id=other_id)


@router.post(
    "/{inventory_id}/publish", response_model=InventoryPublic, responses=_ERRORS, summary="Publish an inventory"
)
def publish_inventory(
    request: Request,
    inventory_id: InventoryId,
    principal: Principal = Depends(require(Permission.INVENTORY_PUBLISH)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Make an inventory's totals public (``/public/{tenant}/inventories``)."""
    row = service.publish_inventory(
        session, scope=row_scope(principal), inventory_id=inventory_id, created_by=principal.actor
    )
    session.commit()
    audit_success(request, principal, "inventory.publish", f"inventory:{inventory_id}")
    return row
