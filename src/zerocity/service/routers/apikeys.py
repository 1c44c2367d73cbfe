"""API keys for meters and machines: create (key shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from zerocity.service.accounts import create_api_key, list_api_keys, revoke_api_key
from zerocity.service.deps import Page, PlatformSession
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, Role, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import audit_success
from zerocity.service.routers.users import scope_tenant_id, target_tenant
from zerocity.service.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, error_responses
from zerocity.service.schemas import Page as PageOut
from zerocity.store.models import ApiKey, Tenant

router = APIRouter(prefix="/api-keys", tags=["api keys"])
_ERRORS = error_responses(400, 401, 403, 404, 422)


def _public(session: Session, key: ApiKey) -> dict[str, object]:
    tenant = session.get(Tenant, key.tenant_id)
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "role": Role(key.role),
        "tenant": tenant.slug if tenant else "",
        "entity_id": key.entity_id,
        "household_id": key.household_id,
        "created_by": key.created_by,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


@router.post("", status_code=201, response_model=ApiKeyCreated, responses=_ERRORS, summary="Create an API key")
def post_api_key(
    request: Request,
    body: ApiKeyCreate,
    session: PlatformSession,
    principal: Principal = Depends(require(Permission.APIKEY_MANAGE)),  # noqa: B008
) -> ApiKeyCreated:
    """Create a key of a tenant; the response carries the key, which is never shown again."""
    tenant = target_tenant(session, principal, body.tenant)
    if tenant is None:
        raise ApiError(400, "bad_request", "an API key belongs to a tenant: give 'tenant'")
    key, token = create_api_key(
        session,
        tenant_id=tenant.id,
        name=body.name,
        role=body.role,
        created_by=principal.actor,
        entity_id=body.entity_id,
        household_id=body.household_id,
    )
    audit_success(
        request,
        principal,
        "apikey.create",
        f"apikey:{key.id}",
        session=session,
        status_code=201,
        details={"name": key.name, "role": key.role, "tenant": tenant.slug},
    )
    return ApiKeyCreated(**_public(session, key), key=token)  # type: ignore[arg-type]


@router.get("", response_model=PageOut[ApiKeyPublic], responses=_ERRORS, summary="List API keys")
def get_api_keys(
    session: PlatformSession,
    page: Page,
    revoked: Annotated[bool | None, Query(description="Only revoked (true) or active (false) keys.")] = None,
    principal: Principal = Depends(require(Permission.APIKEY_MANAGE)),  # noqa: B008
) -> PageOut[ApiKeyPublic]:
    """Keys of the caller's tenant (every tenant for platform administrators)."""
    rows, total = list_api_keys(
        session, scope_tenant_id=scope_tenant_id(principal), revoked=revoked, limit=page.limit, offset=page.offset
    )
    return PageOut[ApiKeyPublic](
        items=[ApiKeyPublic(**_public(session, k)) for k in rows],  # type: ignore[arg-type]
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.delete("/{key_id}", response_model=ApiKeyPublic, responses=_ERRORS, summary="Revoke an API key")
def delete_api_key(
    request: Request,
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: PlatformSession,
    principal: Principal = Depends(require(Permission.APIKEY_MANAGE)),  # noqa: B008
) -> ApiKeyPublic:
    """Revoke a key of the caller's tenant; it stops working at once."""
    key = revoke_api_key(session, scope_tenant_id=scope_tenant_id(principal), key_id=key_id)
    audit_success(request, principal, "apikey.revoke", f"apikey:{key.id}", session=session)
    return ApiKeyPublic(**_public(session, key))  # type: ignore[arg-type]
