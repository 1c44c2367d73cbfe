"""Settings of the HTTP service (pydantic-settings, environment variables ``ZEROCITY_*``).

Secrets never have a default in the code: the JWT signing key comes from
``ZEROCITY_JWT_SECRET`` or, when that is unset, from a key file ``<data_dir>/jwt.key`` created
once with 32 random bytes and mode 0600.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from zerocity.store.db import data_dir, database_url

__all__ = ["JWT_KEY_FILE", "Settings", "load_jwt_secret"]

logger = logging.getLogger(__name__)

#: Name of the JWT key file in the data directory.
JWT_KEY_FILE = "jwt.key"
#: Shortest accepted JWT secret [bytes]: HS256 keys shorter than the hash output (32 bytes)
#: weaken it (RFC 7518 section 3.2 requires a key of at least the hash size).
MIN_SECRET_BYTES = 32


def load_jwt_secret(directory: Path) -> str:
    """The JWT signing key of a data directory, created on first use.

    Parameters
    ----------
    directory : pathlib.Path
        Data directory holding ``jwt.key``.

    Returns
    -------
    str
        Hex text of 32 random bytes (64 characters).
    """
    path = directory / JWT_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    logger.info("created JWT key file %s (mode 0600)", path)
    return key


class Settings(BaseSettings):
    """Configuration of one service instance.

    Attributes
    ----------
    database_url : str
        Platform database (SQLAlchemy URL); ``ZEROCITY_DATABASE_URL`` or the SQLite default.
    data_dir : pathlib.Path
        Directory of tenant SQLite files (``tenants/<slug>.sqlite``) and of ``jwt.key``.
    jwt_secret : str
        HS256 signing key; ``ZEROCITY_JWT_SECRET`` or the key file.
    access_token_minutes : int
        Lifetime of access tokens [min]; 15 is zerocity's choice (short enough that a stolen
        token is of little use, long enough not to refresh on every page).
    refresh_token_days : int
        Lifetime of refresh tokens [d]; 14 is zerocity's choice.
    max_body_bytes : int
        Largest request body [bytes]; 10 MB is zerocity's choice (a year of a city's activity
        records as CSV is well under that); larger bodies get 413.
    login_max_failures : int
        Failed logins per username and client within the window before 429; 5 is zerocity's choice.
    login_window_minutes : int
        Rate limit window [min]; 15 is zerocity's choice.
    tenant_schema_prefix : str
        PostgreSQL schema of tenant ``slug`` is ``<prefix><slug>`` (tests use a unique prefix).
    """

    model_config = SettingsConfigDict(env_prefix="ZEROCITY_", extra="ignore")

    database_url: str = Field(default_factory=database_url)
    data_dir: Path = Field(default_factory=data_dir)
    jwt_secret: str = ""
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    tenant_schema_prefix: str = Field(default="tenant_", pattern=r"^[a-z][a-z0-9_]{0,20}$")

    @field_validator("jwt_secret")
    @classmethod
    def _strong_secret(cls, value: str) -> str:
        if value and len(value.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"the JWT secret must be at least {MIN_SECRET_BYTES} bytes long")
        return value

    def signing_key(self) -> str:
        """The JWT signing key: the configured secret, else the data directory's key file."""
        return self.jwt_secret or load_jwt_secret(self.data_dir)
