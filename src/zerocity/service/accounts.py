"""Tenants, users, API keys, logins and refresh tokens: service functions on the platform database.

Every function takes a session and keyword arguments; callers (routers, CLI) commit. Functions
that act inside a tenant take ``scope_tenant_id``: the tenant the caller may act in, or None for
a platform administrator (any tenant). An object outside the scope is reported as not found, so
ids of other tenants reveal nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from zerocity.errors import ZerocityError
from zerocity.service.permissions import Role
from zerocity.service.security import (
    API_KEY_PREFIX,
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_secret_token,
    sha256_hex,
    verify_password,
)
from zerocity.service.settings import Settings
from zerocity.service.tenancy import TenantNotFoundError, TenantRegistry, validate_slug
from zerocity.store.db import as_utc
from zerocity.store.errors import AlreadyExistsError, NotFoundError
from zerocity.store.models import ApiKey, LoginFailure, RefreshToken, Tenant, User

__all__ = [
    "AccountError",
    "LoginFailedError",
    "LoginRateLimitedError",
    "RefreshTokenError",
    "authenticate",
    "authenticate_api_key",
    "create_api_key",
    "create_tenant",
    "create_user",
    "get_tenant",
    "issue_refresh_token",
    "list_api_keys",
    "list_tenants",
    "list_users",
    "revoke_api_key",
    "revoke_refresh_token",
    "rotate_refresh_token",
    "set_user_disabled",
]

logger = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,99}$")


class AccountError(ZerocityError, ValueError):
    """An account request that cannot be done as asked (bad role, weak password...)."""

    code = "invalid_account"


class LoginFailedError(ZerocityError):
    """Unknown username, wrong password or disabled user (one message for all three)."""

    code = "login_failed"


@dataclass
class LoginRateLimitedError(ZerocityError):
    """Too many failed logins for a username from a client within the window."""

    retry_after: int
    code = "rate_limited"

    def __post_init__(self) -> None:
        super().__init__(f"too many failed logins; retry in {self.retry_after} s")


class RefreshTokenError(ZerocityError):
    """A refresh token that is unknown, expired, revoked or already used."""

    code = "invalid_refresh_token"


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------- tenants
def create_tenant(session: Session, *, slug: str, name: str, registry: TenantRegistry) -> Tenant:
    """Register a tenant and create its database (migrated to the head revision).

    Raises
    ------
    InvalidSlugError
        Bad slug.
    AlreadyExistsError
        The slug is taken.
    """
    validate_slug(slug)
    if not name.strip():
        raise AccountError("a tenant needs a non-empty name")
    if session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise AlreadyExistsError(f"tenant {slug!r} already exists")
    registry.provision(slug)
    tenant = Tenant(slug=slug, name=name.strip())
    session.add(tenant)
    session.flush()
    return tenant


def get_tenant(session: Session, slug: str) -> Tenant:
    """A tenant by slug.

    Raises
    ------
    TenantNotFoundError
        No tenant has this slug.
    """
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise TenantNotFoundError(f"tenant {slug!r} not found")
    return tenant


def list_tenants(session: Session, *, limit: int, offset: int) -> tuple[list[Tenant], int]:
    """Tenants by slug, one page, and their number."""
    total = session.scalar(select(func.count(Tenant.id))) or 0
    rows = session.scalars(select(Tenant).order_by(Tenant.slug).limit(limit).offset(offset))
    return list(rows), int(total)


# ---------------------------------------------------------------------------- users
def _check_attributes(role: Role, entity_id: str | None, household_id: str | None) -> None:
    if role is Role.ENTERPRISE_REPORTER and not entity_id:
        raise AccountError("an enterprise reporter needs entity_id (its unified social credit code)")
    if role is Role.HOUSEHOLD and not household_id:
        raise AccountError("a household user needs household_id")
    if household_id and role is not Role.HOUSEHOLD:
        raise AccountError(f"household_id is for household users, not {role.value}")
    if entity_id and role not in (Role.ENTERPRISE_REPORTER, Role.VERIFIER):
        raise AccountError(f"entity_id is for enterprise reporters and verifiers, not {role.value}")


def create_user(
    session: Session,
    *,
    tenant_id: int | None,
    username: str,
    password: str,
    role: Role,
    entity_id: str | None = None,
    household_id: str | None = None,
) -> User:
    """Create a user with an Argon2id password hash.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Platform database session.
    tenant_id : int or None
        Tenant of the user; None exactly for platform administrators.
    username : str
        Unique over the deployment: 2-100 characters, letters, digits, ``_ . @ -``.
    password : str
        At least :data:`~zerocity.service.security.MIN_PASSWORD_LENGTH` characters.
    role : Role
        Role of the user.
    entity_id, household_id : str, optional
        Own entity (enterprise reporter, verifier) or household (household user).

    Raises
    ------
    AccountError
        Bad username, short password, or attributes that do not fit the role.
    AlreadyExistsError
        The username is taken.
    """
    role = Role(role)
    if not USERNAME_PATTERN.match(username or ""):
        raise AccountError(f"invalid username {username!r}: 2-100 letters, digits or '_.@-'")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if (role is Role.PLATFORM_ADMIN) != (tenant_id is None):
        raise AccountError("platform administrators have no tenant; every other role needs one")
    _check_attributes(role, entity_id, household_id)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AlreadyExistsError(f"user {username!r} already exists")
    user = User(
        tenant_id=tenant_id,
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        entity_id=entity_id or None,
        household_id=household_id or None,
        disabled=False,
    )
    session.add(user)
    session.flush()
    return user


def list_users(
    session: Session,
    *,
    scope_tenant_id: int | None,
    role: Role | None = None,
    disabled: bool | None = None,
    q: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[User], int]:
    """Users of one tenant (or all, when ``scope_tenant_id`` is None), by id, one page."""
    query = select(User)
    if scope_tenant_id is not None:
        query = query.where(User.tenant_id == scope_tenant_id)
    if role is not None:
        query = query.where(User.role == role.value)
    if disabled is not None:
        query = query.where(User.disabled == disabled)
    if q:
        query = query.where(User.username.contains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(User.id).limit(limit).offset(offset))
    return list(rows), int(total)


def get_user(session: Session, *, scope_tenant_id: int | None, user_id: int) -> User:
    """A user within the scope.

    Raises
    ------
    NotFoundError
        No such user in the scope (users of other tenants are not found either).
    """
    user = session.get(User, user_id)
    if user is None or (scope_tenant_id is not None and user.tenant_id != scope_tenant_id):
        raise NotFoundError(f"user {user_id} not found")
    return user


def set_user_disabled(session: Session, *, scope_tenant_id: int | None, user_id: int, disabled: bool) -> User:
    """Disable (revoking every refresh token) or re-enable a user within the scope."""
    user = get_user(session, scope_tenant_id=scope_tenant_id, user_id=user_id)
    user.disabled = disabled
    if disabled:
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=_now())
        )
    session.flush()
    return user


# ---------------------------------------------------------------------------- login
def authenticate(session: Session, *, username: str, password: str, client: str, settings: Settings) -> User:
    """Check a username and password, with the login rate limit.

    After ``settings.login_max_failures`` failures for the same username and client within
    ``settings.login_window_minutes``, every attempt (even a correct one) is refused until the
    oldest failure leaves the window. A success clears the failures of that username and client.

    Raises
    ------
    LoginRateLimitedError
        Too many failures; ``retry_after`` [s].
    LoginFailedError
        Unknown user, wrong password, or disabled user. The failure is recorded in the session,
        which the caller must commit.
    """
    now = _now()
    window = timedelta(minutes=settings.login_window_minutes)
    key_user, key_client = username[:100], client[:64]
    failures = list(
        session.scalars(
            select(LoginFailure.at)
            .where(LoginFailure.username == key_user, LoginFailure.client == key_client, LoginFailure.at > now - window)
            .order_by(LoginFailure.at.desc())
            .limit(settings.login_max_failures)
        )
    )
    if len(failures) >= settings.login_max_failures:
        oldest = as_utc(failures[-1])
        retry_after = max(1, int((oldest + window - now).total_seconds()) + 1)
        raise LoginRateLimitedError(retry_after)
    user = session.scalar(select(User).where(User.username == username))
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or user.disabled:
        session.add(LoginFailure(username=key_user, client=key_client, at=now))
        session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
        raise LoginFailedError("incorrect username or password")
    session.execute(delete(LoginFailure).where(LoginFailure.username == key_user, LoginFailure.client == key_client))
    return user


# ---------------------------------------------------------------------------- refresh tokens
def issue_refresh_token(session: Session, *, user: User, settings: Settings) -> str:
    """A new refresh token for a user (its SHA-256 stored); the token text is returned once."""
    token = new_secret_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            token_sha256=sha256_hex(token),
            expires_at=_now() + timedelta(days=settings.refresh_token_days),
        )
    )
    session.flush()
    return token


def rotate_refresh_token(session: Session, *, token: str, settings: Settings) -> tuple[User, str]:
    """Use a refresh token: revoke it and issue its successor.

    Presenting a token that was already used or revoked revokes every refresh token of its
    user (a replayed token means it was stolen, or its successor was).

    Raises
    ------
    RefreshTokenError
        Unknown, expired, used or revoked token, or a disabled user.
    """
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_sha256 == sha256_hex(token)))
    if row is None:
        raise RefreshTokenError("unknown refresh token")
    now = _now()
    if row.revoked_at is not None:
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == row.user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        raise RefreshTokenError("refresh token already used or revoked; every session of the user is revoked")
    if as_utc(row.expires_at) <= now:
        raise RefreshTokenError("refresh token expired")
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        raise RefreshTokenError("user disabled")
    row.revoked_at = now
    return user, issue_refresh_token(session, user=user, settings=settings)


def revoke_refresh_token(session: Session, *, token: str, user_id: int) -> bool:
    """Revoke one refresh token of a user (logout); False when it is not the user's or unknown."""
    result = session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_sha256 == sha256_hex(token),
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=_now())
    )
    return bool(getattr(result, "rowcount", 0))


# ---------------------------------------------------------------------------- API keys
def create_api_key(
    session: Session,
    *,
    tenant_id: int,
    name: str,
    role: Role,
    created_by: str,
    entity_id: str | None = None,
    household_id: str | None = None,
) -> tuple[ApiKey, str]:
    """Create an API key of a tenant; the key text is returned once and only its SHA-256 kept.

    Raises
    ------
    AccountError
        Empty name, the platform administrator role, or attributes that do not fit the role.
    """
    role = Role(role)
    if role is Role.PLATFORM_ADMIN:
        raise AccountError("API keys cannot have the platform_admin role")
    if not name.strip():
        raise AccountError("an API key needs a non-empty name")
    _check_attributes(role, entity_id, household_id)
    token = new_secret_token(API_KEY_PREFIX)
    key = ApiKey(
        tenant_id=tenant_id,
        name=name.strip()[:100],
        prefix=token[:12],
        key_sha256=sha256_hex(token),
        role=role.value,
        entity_id=entity_id or None,
        household_id=household_id or None,
        created_by=created_by[:100],
    )
    session.add(key)
    session.flush()
    return key, token


def list_api_keys(
    session: Session, *, scope_tenant_id: int | None, revoked: bool | None = None, limit: int, offset: int
) -> tuple[list[ApiKey], int]:
    """API keys of one tenant (or all), by id, one page."""
    query = select(ApiKey)
    if scope_tenant_id is not None:
        query = query.where(ApiKey.tenant_id == scope_tenant_id)
    if revoked is not None:
        query = query.where(ApiKey.revoked_at.is_not(None) if revoked else ApiKey.revoked_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ApiKey.id).limit(limit).offset(offset))
    return list(rows), int(total)


def revoke_api_key(session: Session, *, scope_tenant_id: int | None, key_id: int) -> ApiKey:
    """Revoke an API key within the scope (keys of other tenants are not found)."""
    key = session.get(ApiKey, key_id)
    if key is None or (scope_tenant_id is not None and key.tenant_id != scope_tenant_id):
        raise NotFoundError(f"API key {key_id} not found")
    if key.revoked_at is None:
        key.revoked_at = _now()
    session.flush()
    return key


def audited_login(
    session: Session, *, username: str, password: str, client: str, settings: Settings, action: str, status_code: int
) -> tuple[User, str | None]:
    """:func:`authenticate` with one audit row per outcome (the one login of the API and the web pages).

    A refused attempt (rate limited: 429, wrong credentials: 401) is audited and committed before
    the error propagates, so the row survives the caller's rollback; a success is audited with
    ``status_code`` in the caller's transaction.

    Returns
    -------
    tuple of (User, str or None)
        The user and the slug of its tenant (None for platform administrators).

    Raises
    ------
    LoginRateLimitedError, LoginFailedError
        As :func:`authenticate`.
    """
    from zerocity.service.audit import Outcome, record_audit

    who = f"user:{username[:100]}"
    try:
        user = authenticate(session, username=username, password=password, client=client, settings=settings)
    except (LoginRateLimitedError, LoginFailedError) as exc:
        limited = isinstance(exc, LoginRateLimitedError)
        record_audit(
            session,
            principal=None,
            actor=who,
            action=action,
            target=who,
            outcome=Outcome.DENIED if limited else Outcome.FAILURE,
            status_code=429 if limited else 401,
            client=client,
            details={"reason": "rate_limited"} if limited else None,
        )
        session.commit()
        raise
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id is not None else None
    slug = tenant.slug if tenant else None
    record_audit(
        session,
        principal=None,
        actor=f"user:{user.username}",
        tenant=slug,
        action=action,
        target=f"user:{user.id}",
        outcome=Outcome.SUCCESS,
        status_code=status_code,
        client=client,
    )
    return user, slug


#: Resolution of an API key's ``last_used_at`` [s]: a key used again within this time is not written
#: again, so a meter gateway posting many batches costs one write a minute, not one per request
#: (zerocity's choice).
LAST_USED_RESOLUTION_S = 60


def authenticate_api_key(session: Session, *, token: str) -> tuple[ApiKey, Tenant] | None:
    """The active key with this text and its tenant, noting its use; None when unknown or revoked.

    The use is noted in its own short write transaction (at most once per
    :data:`LAST_USED_RESOLUTION_S`), never in the caller's read transaction: on SQLite a read
    transaction that later writes fails at once when another process wrote in between.
    """
    key = session.scalar(select(ApiKey).where(ApiKey.key_sha256 == sha256_hex(token)))
    if key is None or key.revoked_at is not None:
        return None
    tenant = session.get(Tenant, key.tenant_id)
    if tenant is None:
        return None
    now = _now()
    if key.last_used_at is None or now - as_utc(key.last_used_at) > timedelta(seconds=LAST_USED_RESOLUTION_S):
        try:
            with session.get_bind().engine.begin() as connection:
                connection.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
            set_committed_value(key, "last_used_at", now)
        except OperationalError as exc:  # a usage timestamp must not fail the request
            logger.warning("could not note the use of API key %s: %s", key.id, exc)
    return key, tenant
