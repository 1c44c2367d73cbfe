"""Inventories of the caller's tenant: import an upload, list, summary, export, publish."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerocity.service import inventories as service
from zerocity.service.deps import Page, platform_session, row_scope, tenant_session
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import audit_success
from zerocity.service.schemas import InventoryPublic, error_responses
from zerocity.service.schemas import Page as PageOut
from zerocity.store.models import Tenant

router = APIRouter(prefix="/inventories", tags=["inventories"])
_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422)

InventoryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Inventory id.")]


@router.post("", status_code=201, response_model=InventoryPublic, responses=_ERRORS, summary="Import an inventory")
def import_inventory(
    request: Request,
    file: Annotated[UploadFile, File(description="Activity records, CSV or XLSX (see `zerocity inventory`).")],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    gwp: Annotated[str, Form(pattern="^(AR4|AR5|AR6)$")] = "AR5",
    region: Annotated[str, Form(min_length=2, max_length=32, pattern=r"^[A-Za-z][A-Za-z0-9-]*$")] = "CN",
    level: Annotated[str, Form(pattern=r"^(BASIC|BASIC\+|TERRITORIAL)$")] = "BASIC",
    principal: Principal = Depends(require(Permission.INVENTORY_IMPORT)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Validate, compute and store an inventory, all or nothing.

    Invalid rows give 422 with one detail per problem (``row``, 1-based data row; ``column``;
    ``message``; ``value``) and nothing is stored. Enterprise reporters may only upload rows of
    their own entity (column ``entity``).
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
    responses={
        **_ERRORS,
        200: {
            "content": {
                "text/csv": {},
                "application/json": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        },
    },
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
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@router.get(
    "/{inventory_id}/report",
    responses={
        **_ERRORS,
        200: {
            "content": {
                "application/pdf": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        },
    },
    summary="Inventory report (GPC layout)",
)
def inventory_report(
    inventory_id: InventoryId,
    format: Annotated[str, Query(pattern="^(pdf|xlsx)$", description="pdf or xlsx.")] = "pdf",
    lang: Annotated[str, Query(pattern="^(en|zh)$", description="en or zh.")] = "en",
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
    return Response(
        report.content,
        media_type=report.media_type,
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )


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
