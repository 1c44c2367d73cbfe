"""Authentication: OAuth2 password flow, refresh-token rotation, logout, and the caller."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from sqlalchemy.orm import Session

from zerocity.service.accounts import (
    LoginFailedError,
    LoginRateLimitedError,
    RefreshTokenError,
    audited_login,
    issue_refresh_token,
    revoke_refresh_token,
    rotate_refresh_token,
)
from zerocity.service.audit import record_audit
from zerocity.service.deps import PlatformSession, client_address, get_settings
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal, PrincipalKind
from zerocity.service.schemas import Me, RefreshRequest, TokenPair, error_responses
from zerocity.service.security import issue_access_token
from zerocity.service.settings import Settings
from zerocity.store.models import Tenant, User

router = APIRouter(prefix="/auth", tags=["auth"])

_ERRORS = error_responses(401, 422, 429)


def _tokens(session: Session, user: User, settings: Settings) -> TokenPair:
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id is not None else None
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = issue_access_token(
        user_id=user.id, tenant=tenant.slug if tenant else None, key=settings.signing_key(), lifetime=lifetime
    )
    refresh = issue_refresh_token(session, user=user, settings=settings)
    return TokenPair(access_token=access, expires_in=int(lifetime.total_seconds()), refresh_token=refresh)


@router.post("/token", response_model=TokenPair, responses=_ERRORS, summary="Log in (OAuth2 password flow)")
def login(
    request: Request,
    session: PlatformSession,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> TokenPair:
    """Exchange a username and password for an access token (15 min) and a refresh token (14 d).

    Five failures for one username from one client within 15 minutes (zerocity's choice, see
    :class:`~zerocity.service.settings.Settings`) lock further attempts with 429 and ``Retry-After``.
    """
    try:
        user, _tenant = audited_login(
            session,
            username=username,
            password=password,
            client=client_address(request),
            settings=settings,
            action="auth.login",
            status_code=200,
        )
    except LoginRateLimitedError as exc:
        raise ApiError(
            429, "rate_limited", str(exc), [{"retry_after": exc.retry_after}], {"Retry-After": str(exc.retry_after)}
        ) from None
    except LoginFailedError as exc:
        raise ApiError(401, "login_failed", str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
    tokens = _tokens(session, user, settings)
    return tokens


@router.post("/refresh", response_model=TokenPair, responses=_ERRORS, summary="Rotate a refresh token")
def refresh(
    request: Request,
    body: RefreshRequest,
    session: PlatformSession,
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> TokenPair:
    """New access and refresh tokens; the refresh token given is spent (using it again revokes all)."""
    try:
        user, new_refresh = rotate_refresh_token(session, token=body.refresh_token, settings=settings)
    except RefreshTokenError as exc:
        session.commit()  # keep the revocation of a replayed token's family
        raise ApiError(401, "invalid_refresh_token", str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id is not None else None
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = issue_access_token(
        user_id=user.id, tenant=tenant.slug if tenant else None, key=settings.signing_key(), lifetime=lifetime
    )
    record_audit(
        session,
        principal=None,
        actor=f"user:{user.username}",
        tenant=tenant.slug if tenant else None,
        action="auth.refresh",
        target=f"user:{user.id}",
        client=client_address(request),
        status_code=200,
    )
    return TokenPair(access_token=access, expires_in=int(lifetime.total_seconds()), refresh_token=new_refresh)


@router.post("/logout", status_code=204, responses=_ERRORS, summary="Revoke a refresh token")
def logout(
    request: Request,
    body: RefreshRequest,
    session: PlatformSession,
    principal: Principal = Depends(require(Permission.ME)),  # noqa: B008
) -> Response:
    """Revoke the caller's refresh token (access tokens expire on their own within minutes)."""
    if principal.kind is not PrincipalKind.USER:
        raise ApiError(400, "not_a_user", "API keys have no refresh tokens; revoke the key instead")
    revoked = revoke_refresh_token(session, token=body.refresh_token, user_id=principal.id)
    record_audit(
        session,
        principal=principal,
        action="auth.logout",
        target=f"user:{principal.id}",
        client=client_address(request),
        status_code=204,
        details={"revoked": revoked},
    )
    return Response(status_code=204)


@router.get("/me", response_model=Me, responses=_ERRORS, summary="The caller")
def me(principal: Principal = Depends(require(Permission.ME))) -> Me:  # noqa: B008
    """Who the credentials belong to: role, tenant, entity or household."""
    return Me(
        kind=principal.kind.value,
        id=principal.id,
        name=principal.name,
        role=principal.role,
        tenant=principal.tenant,
        entity_id=principal.entity_id,
        household_id=principal.household_id,
    )
