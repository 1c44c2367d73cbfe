"""Users: create, list, disable. City administrators act in their own tenant; platform administrators anywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from zerocity.service.accounts import create_user, get_tenant, list_users, set_user_disabled
from zerocity.service.deps import Page, PlatformSession
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, Role, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import audit_success
from zerocity.service.schemas import Page as PageOut
from zerocity.service.schemas import UserCreate, UserPublic, UserUpdate, error_responses
from zerocity.store.models import Tenant, User

router = APIRouter(prefix="/users", tags=["users"])
_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


def scope_tenant_id(principal: Principal) -> int | None:
    """The tenant a user or key manager acts in: its own; None (all) for platform administrators."""
    if principal.role is Role.PLATFORM_ADMIN:
        return None
    if principal.tenant_id is None:  # pragma: no cover - every other role has a tenant
        raise ApiError(403, "no_tenant", "this caller belongs to no tenant")
    return principal.tenant_id


def target_tenant(session: Session, principal: Principal, slug: str | None) -> Tenant | None:
    """The tenant a new user or key goes to: the caller's own, or (platform administrators) the one named."""
    if principal.role is Role.PLATFORM_ADMIN:
        return get_tenant(session, slug) if slug else None
    if slug is not None and slug != principal.tenant:
        raise ApiError(403, "forbidden", "city administrators act in their own tenant only")
    return session.get(Tenant, principal.tenant_id)


def _public(session: Session, user: User) -> UserPublic:
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id is not None else None
    return UserPublic(
        id=user.id,
        username=user.username,
        role=Role(user.role),
        tenant=tenant.slug if tenant else None,
        entity_id=user.entity_id,
        household_id=user.household_id,
        disabled=user.disabled,
        created_at=user.created_at,
    )


@router.post("", status_code=201, response_model=UserPublic, responses=_ERRORS, summary="Create a user")
def post_user(
    request: Request,
    body: UserCreate,
    session: PlatformSession,
    principal: Principal = Depends(require(Permission.USER_MANAGE)),  # noqa: B008
) -> UserPublic:
    """Create a user; only platform administrators create platform administrators."""
    if body.role is Role.PLATFORM_ADMIN and principal.role is not Role.PLATFORM_ADMIN:
        raise ApiError(403, "forbidden", "only platform administrators create platform administrators")
    tenant = target_tenant(session, principal, body.tenant)
    user = create_user(
        session,
        tenant_id=tenant.id if tenant else None,
        username=body.username,
        password=body.password,
        role=body.role,
        entity_id=body.entity_id,
        household_id=body.household_id,
    )
    audit_success(
        request,
        principal,
        "user.create",
        f"user:{user.id}",
        session=session,
        status_code=201,
        details={"username": user.username, "role": user.role, "tenant": tenant.slug if tenant else None},
    )
    return _public(session, user)


@router.get("", response_model=PageOut[UserPublic], responses=_ERRORS, summary="List users")
def get_users(
    session: PlatformSession,
    page: Page,
    role: Annotated[Role | None, Query(description="Only this role.")] = None,
    disabled: Annotated[bool | None, Query(description="Only disabled (true) or active (false) users.")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Text in the username.")] = None,
    principal: Principal = Depends(require(Permission.USER_MANAGE)),  # noqa: B008
) -> PageOut[UserPublic]:
    """Users of the caller's tenant (every tenant for platform administrators)."""
    rows, total = list_users(
        session,
        scope_tenant_id=scope_tenant_id(principal),
        role=role,
        disabled=disabled,
        q=q,
        limit=page.limit,
        offset=page.offset,
    )
    return PageOut[UserPublic](
        items=[_public(session, u) for u in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.patch("/{user_id}", response_model=UserPublic, responses=_ERRORS, summary="Disable or enable a user")
def patch_user(
    request: Request,
    user_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: UserUpdate,
    session: PlatformSession,
    principal: Principal = Depends(require(Permission.USER_MANAGE)),  # noqa: B008
) -> UserPublic:
    """Disable (revoking its refresh tokens) or re-enable a user of the caller's tenant."""
    if body.disabled and user_id == principal.id and principal.kind.value == "user":
        raise ApiError(400, "bad_request", "you cannot disable yourself")
    user = set_user_disabled(
        session, scope_tenant_id=scope_tenant_id(principal), user_id=user_id, disabled=body.disabled
    )
    audit_success(
        request,
        principal,
        "user.disable" if body.disabled else "user.enable",
        f"user:{user.id}",
        session=session,
        details={"username": user.username},
    )
    return _public(session, user)
