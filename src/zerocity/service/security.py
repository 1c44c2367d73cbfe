"""Credentials: argon2 password hashes, JWT access tokens, refresh tokens and API keys.

* Passwords: Argon2id through argon2-cffi's :class:`~argon2.PasswordHasher` with its default
  parameters (the RFC 9106 "low memory" recommendation the library ships).
* Access tokens: HS256 JWT (PyJWT) with ``sub`` (user id), ``tid`` (tenant slug or null),
  ``type="access"``, ``iat``, ``exp`` and a random ``jti``.
* Refresh tokens and API keys: 32 random bytes (URL-safe text) given to the caller once; the
  database keeps only their SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "API_KEY_PREFIX",
    "AccessClaims",
    "InvalidTokenError",
    "decode_access_token",
    "hash_password",
    "issue_access_token",
    "new_secret_token",
    "sha256_hex",
    "verify_password",
]

#: Visible prefix of API keys (helps secret scanners and people recognise them).
API_KEY_PREFIX = "zck_"
#: Smallest password length accepted [characters]; 10 is zerocity's choice (NIST SP 800-63B
#: section 5.1.1.2 asks for at least 8).
MIN_PASSWORD_LENGTH = 10
ALGORITHM = "HS256"

_HASHER = PasswordHasher()
#: Verified against when a username does not exist, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class InvalidTokenError(Exception):
    """A token that is malformed, forged, expired or of the wrong type."""


def hash_password(password: str) -> str:
    """Argon2id hash of a password (PHC string with salt and parameters)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (a missing hash still costs one verification)."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def sha256_hex(token: str) -> str:
    """SHA-256 of a token's UTF-8 text, as hex (what the database stores)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_secret_token(prefix: str = "") -> str:
    """A new random token: ``prefix`` + 32 random bytes as URL-safe base64 (43 characters)."""
    return prefix + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class AccessClaims:
    """The claims of a valid access token."""

    user_id: int
    tenant: str | None
    expires_at: datetime


def issue_access_token(*, user_id: int, tenant: str | None, key: str, lifetime: timedelta) -> tuple[str, datetime]:
    """A signed access token.

    Parameters
    ----------
    user_id : int
        Subject.
    tenant : str or None
        Tenant slug of the user.
    key : str
        HS256 signing key.
    lifetime : datetime.timedelta
        Validity [s].

    Returns
    -------
    tuple of (str, datetime)
        The token and its expiry (UTC).
    """
    now = datetime.now(UTC)
    expires = now + lifetime
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "tid": tenant,
        "type": "access",
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM), expires


def decode_access_token(token: str, *, key: str) -> AccessClaims:
    """Check an access token's signature, expiry and type.

    Raises
    ------
    InvalidTokenError
        Bad signature, expired, malformed, or not an access token.
    """
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "iat", "type"]}, leeway=0
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidTokenError("access token expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(f"invalid access token: {exc}") from exc
    if claims.get("type") != "access":
        raise InvalidTokenError("not an access token")
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise InvalidTokenError("invalid access token subject") from exc
    tenant = claims.get("tid")
    return AccessClaims(
        user_id=user_id,
        tenant=tenant if isinstance(tenant, str) else None,
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )
