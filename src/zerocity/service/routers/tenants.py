"""Tenants (cities): create and list; platform administrators only."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from zerocity.service.accounts import create_tenant, list_tenants
from zerocity.service.deps import Page, PlatformSession, get_registry
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import audit_success
from zerocity.service.schemas import Page as PageOut
from zerocity.service.schemas import TenantCreate, TenantPublic, error_responses
from zerocity.service.tenancy import TenantRegistry

router = APIRouter(prefix="/tenants", tags=["tenants"])
_ERRORS = error_responses(400, 401, 403, 409, 422)


@router.post("", status_code=201, response_model=TenantPublic, responses=_ERRORS, summary="Create a tenant")
def post_tenant(
    request: Request,
    body: TenantCreate,
    session: PlatformSession,
    principal: Principal = Depends(require(Permission.TENANT_MANAGE)),  # noqa: B008
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
) -> TenantPublic:
    """Register a city and create its database."""
    tenant = create_tenant(session, slug=body.slug, name=body.name, registry=registry)
    audit_success(request, principal, "tenant.create", f"tenant:{tenant.slug}", session=session, status_code=201)
    return TenantPublic.model_validate(tenant)


@router.get("", response_model=PageOut[TenantPublic], responses=_ERRORS, summary="List tenants")
def get_tenants(
    session: PlatformSession,
    page: Page,
    principal: Principal = Depends(require(Permission.TENANT_MANAGE)),  # noqa: B008
) -> PageOut[TenantPublic]:
    """Every tenant, by slug."""
    rows, total = list_tenants(session, limit=page.limit, offset=page.offset)
    return PageOut[TenantPublic](
        items=[TenantPublic.model_validate(t) for t in rows], total=total, limit=page.limit, offset=page.offset
    )
