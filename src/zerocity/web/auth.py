"""Cookie sessions of the dashboard, CSRF protection of its forms, and the language preference.

* Login checks the username and password with :func:`zerocity.service.accounts.authenticate`
  (the API's rate limit and audit rows) and stores an access token of
  :func:`zerocity.service.security.issue_access_token` in the cookie :data:`SESSION_COOKIE`:
  ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's request carries it),
  ``Path=/``, and ``Secure`` when the request came over HTTPS. The token lives
  ``settings.access_token_minutes``; after that the next page asks to log in again.
* CSRF: **double-submit token plus Origin check**. Every page sets a random token in the cookie
  :data:`CSRF_COOKIE` (``SameSite=Strict``, HttpOnly: the server writes it into each form's hidden
  field ``csrf``); a POST is accepted only when the form field equals the cookie (constant-time
  compare) and, when the browser sends an ``Origin`` header, it is this server's origin. SameSite
  Strict alone already keeps other sites' requests cookie-less; the token also covers old browsers
  and same-site subdomains.
* The language is the cookie :data:`LANG_COOKIE` (set by the switch form), else the browser's
  ``Accept-Language`` (``zh...`` -> Chinese), else English.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from zerocity.i18n import LANGUAGES
from zerocity.service.permissions import Role
from zerocity.service.principal import Principal, PrincipalKind
from zerocity.service.security import InvalidTokenError, decode_access_token, issue_access_token
from zerocity.service.settings import Settings
from zerocity.store.models import Tenant, User

__all__ = [
    "CSRF_COOKIE",
    "LANG_COOKIE",
    "SESSION_COOKIE",
    "CsrfError",
    "check_csrf",
    "csrf_token",
    "language",
    "principal_of_token",
    "safe_next",
    "set_csrf_cookie",
    "set_session_cookie",
    "web_principal",
]

logger = logging.getLogger(__name__)

SESSION_COOKIE = "zc_session"
CSRF_COOKIE = "zc_csrf"
LANG_COOKIE = "zc_lang"
#: Lifetime of the language cookie [s]: one year, zerocity's choice.
LANG_MAX_AGE = 365 * 24 * 3600


class CsrfError(Exception):
    """A POST whose CSRF token or Origin does not match."""


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def language(request: Request) -> str:
    """The page language of a request (cookie, then ``Accept-Language``, then English)."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    for part in accept.split(","):
        tag = part.split(";")[0].strip()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"


def principal_of_token(session: Session, token: str, settings: Settings) -> Principal | None:
    """The user of a session token, or None (bad, expired, disabled user, or tenant mismatch)."""
    try:
        claims = decode_access_token(token, key=settings.signing_key())
    except InvalidTokenError:
        return None
    user = session.get(User, claims.user_id)
    if user is None or user.disabled:
        return None
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id is not None else None
    slug = tenant.slug if tenant else None
    if slug != claims.tenant:
        return None
    return Principal(
        kind=PrincipalKind.USER,
        id=user.id,
        name=user.username,
        role=Role(user.role),
        tenant=slug,
        tenant_id=user.tenant_id,
        entity_id=user.entity_id,
        household_id=user.household_id,
    )


def web_principal(request: Request, session: Session, settings: Settings) -> Principal | None:
    """The logged-in user of a request (from the session cookie), or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return principal_of_token(session, token, settings)


def set_session_cookie(response: Response, request: Request, user: User, slug: str | None, settings: Settings) -> None:
    """Log a user in: a new access token in the HttpOnly, SameSite=Strict session cookie."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    token, _ = issue_access_token(user_id=user.id, tenant=slug, key=settings.signing_key(), lifetime=lifetime)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def csrf_token(request: Request) -> str:
    """The request's CSRF token: the cookie's, or a new one (then set by :func:`set_csrf_cookie`)."""
    existing = getattr(request.state, "csrf", None)
    if existing:
        return str(existing)
    token = request.cookies.get(CSRF_COOKIE) or ""
    if len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.state.csrf_new = True
    request.state.csrf = token
    return token


def set_csrf_cookie(response: Response, request: Request) -> None:
    """Send the CSRF cookie when the request had none (called on every HTML response)."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(
            CSRF_COOKIE, str(request.state.csrf), path="/", httponly=True, samesite="strict", secure=_secure(request)
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a POST whose form token differs from the cookie or whose Origin is another site.

    Raises
    ------
    CsrfError
        Missing or wrong token, or a foreign ``Origin``.
    """
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    if not cookie or not submitted or not secrets.compare_digest(cookie.encode(), submitted.encode()):
        raise CsrfError("the form's security token is missing or does not match")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin.rstrip("/") != own:
            raise CsrfError(f"cross-site form post from {origin}")


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target limited to this site's paths (no scheme, no host, no ``//``)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
