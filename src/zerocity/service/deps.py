"""FastAPI dependencies: settings, the caller, and the database sessions.

Tenancy is enforced here, in one place: a request gets a tenant database session only from
:func:`tenant_session` (the authenticated principal's tenant) or :func:`public_tenant_session`
(the published data of the tenant named in the path, for anyone). Both open the session with
:func:`_open_tenant_session` on the principal's tenant engine. Row limits inside a tenant
(an enterprise reporter's own entity) come from :func:`row_scope`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.service.accounts import authenticate_api_key
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Role
from zerocity.service.principal import ANONYMOUS, Principal, PrincipalKind
from zerocity.service.security import InvalidTokenError, decode_access_token
from zerocity.service.settings import Settings
from zerocity.service.tenancy import SLUG_PATTERN, TenantRegistry
from zerocity.store.db import session_scope
from zerocity.store.models import Tenant, User

__all__ = [
    "PageParams",
    "PlatformSession",
    "RowScope",
    "client_address",
    "current_principal",
    "get_registry",
    "get_settings",
    "optional_principal",
    "platform_session",
    "public_tenant_session",
    "row_scope",
    "tenant_engine",
    "tenant_session",
]

API_PREFIX = "/api/v1"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_settings(request: Request) -> Settings:
    """The settings of the running app."""
    settings: Settings = request.app.state.settings
    return settings


def get_registry(request: Request) -> TenantRegistry:
    """The tenant registry of the running app."""
    registry: TenantRegistry = request.app.state.registry
    return registry


def client_address(request: Request) -> str:
    """The client's address (the rate limit and audit key), ``unknown`` when the server has none."""
    return request.client.host if request.client else "unknown"


def platform_session(registry: TenantRegistry = Depends(get_registry)) -> Iterator[Session]:  # noqa: B008
    """A session on the platform database, committed when the request succeeds."""
    with session_scope(registry.platform_engine()) as session:
        yield session


PlatformSession = Annotated[Session, Depends(platform_session)]


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def _principal_of_user(engine: Engine, user_id: int, token_tenant: str | None) -> Principal:
    """The user of a valid access token, read on every request (a disabled user is refused at once).

    One Core query on a pooled connection, no ORM session: it runs for every request.
    """
    statement = (
        select(
            User.id,
            User.username,
            User.role,
            User.disabled,
            User.tenant_id,
            User.entity_id,
            User.household_id,
            Tenant.slug,
        )
        .outerjoin(Tenant, Tenant.id == User.tenant_id)
        .where(User.id == user_id)
    )
    with engine.connect() as connection:
        row = connection.execute(statement).first()
    if row is None or row.disabled:
        raise _unauthorized("user unknown or disabled")
    if row.slug != token_tenant:
        raise _unauthorized("token tenant does not match the user")
    return Principal(
        kind=PrincipalKind.USER,
        id=row.id,
        name=row.username,
        role=Role(row.role),
        tenant=row.slug,
        tenant_id=row.tenant_id,
        entity_id=row.entity_id,
        household_id=row.household_id,
    )


def optional_principal(
    request: Request,
    token: str | None = Depends(oauth2_scheme),
    api_key: str | None = Depends(api_key_scheme),
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> Principal:
    """The caller: a user (bearer token), an API key (``X-API-Key``), or anonymous.

    Presented but invalid credentials are refused (401), never downgraded to anonymous.
    """
    principal = ANONYMOUS
    if token:
        try:
            claims = decode_access_token(token, key=settings.signing_key())
        except InvalidTokenError as exc:
            raise _unauthorized(str(exc)) from None
        principal = _principal_of_user(registry.platform_engine(), claims.user_id, claims.tenant)
    elif api_key:
        with session_scope(registry.platform_engine()) as session:
            found = authenticate_api_key(session, token=api_key)
            if found is None:
                raise _unauthorized("unknown or revoked API key")
            key, tenant = found
            principal = Principal(
                kind=PrincipalKind.API_KEY,
                id=key.id,
                name=key.name,
                role=Role(key.role),
                tenant=tenant.slug,
                tenant_id=tenant.id,
                entity_id=key.entity_id,
                household_id=key.household_id,
            )
    request.state.principal = principal
    return principal


def current_principal(principal: Principal = Depends(optional_principal)) -> Principal:  # noqa: B008
    """The authenticated caller; 401 for anonymous requests."""
    if principal.kind is PrincipalKind.ANONYMOUS:
        raise _unauthorized("authentication required (bearer token or X-API-Key)")
    return principal


def _open_tenant_session(registry: TenantRegistry, principal: Principal) -> Iterator[Session]:
    """The one place a request's tenant database session is opened: the principal's tenant."""
    if principal.tenant is None:
        raise ApiError(403, "no_tenant", "this caller belongs to no tenant and cannot read tenant data")
    with session_scope(registry.engine(principal.tenant)) as session:
        yield session


def tenant_session(
    principal: Principal = Depends(current_principal),  # noqa: B008
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
) -> Iterator[Session]:
    """A session on the authenticated caller's tenant database."""
    yield from _open_tenant_session(registry, principal)


def public_principal(
    tenant: Annotated[str, Path(description="Tenant slug.", max_length=40)],
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
    caller: Principal = Depends(optional_principal),  # noqa: B008
) -> Principal:
    """A public (published data only) view of the tenant named in the path, for any caller."""
    if not SLUG_PATTERN.match(tenant) or not registry.exists(tenant):
        raise ApiError(404, "tenant_not_found", f"tenant {tenant!r} not found")
    return Principal(PrincipalKind.ANONYMOUS, 0, caller.name, Role.PUBLIC, tenant, None)


def public_tenant_session(
    principal: Principal = Depends(public_principal),  # noqa: B008
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
) -> Iterator[Session]:
    """A session on the tenant named in the path; routers using it read published data only."""
    yield from _open_tenant_session(registry, principal)


@dataclass(frozen=True)
class RowScope:
    """Row limits of a caller inside its tenant.

    Attributes
    ----------
    entity_id : str or None
        Only rows of this entity (enterprise reporters); None: no entity limit.
    household_id : str or None
        Only rows of this household (household users); None: no household limit.
    """

    entity_id: str | None
    household_id: str | None


def row_scope(principal: Principal) -> RowScope:
    """The row limits of a principal: the one helper that applies the own-entity and own-household rules."""
    if principal.role is Role.ENTERPRISE_REPORTER:
        return RowScope(entity_id=principal.entity_id or "", household_id=None)
    if principal.role is Role.HOUSEHOLD:
        return RowScope(entity_id=None, household_id=principal.household_id or "")
    return RowScope(entity_id=None, household_id=None)


@dataclass(frozen=True)
class PageParams:
    """``limit`` (default 50, at most 1000) and ``offset`` of a list request."""

    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=1000, description="Items per page (at most 1000).")] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Items to skip.")] = 0,
) -> PageParams:
    """Pagination parameters of a list endpoint."""
    return PageParams(limit=limit, offset=offset)


Page = Annotated[PageParams, Depends(page_params)]


def tenant_engine(
    principal: Principal = Depends(current_principal),  # noqa: B008
    registry: TenantRegistry = Depends(get_registry),  # noqa: B008
) -> Engine:
    """The engine of the authenticated caller's tenant database.

    For domain objects that open their own transactions on it (the ledger's locked appends);
    like :func:`tenant_session`, it is always the principal's own tenant.
    """
    if principal.tenant is None:
        raise ApiError(403, "no_tenant", "this caller belongs to no tenant and cannot read tenant data")
    return registry.engine(principal.tenant)
