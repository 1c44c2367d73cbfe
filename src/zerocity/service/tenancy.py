"""Tenancy: one database per city, and the one mapping from a tenant slug to its engine.

The platform database (:attr:`Settings.database_url`) holds the platform tables (tenants, users,
keys, tokens, audit log). Each tenant has its own database with the full zerocity schema:

* SQLite: the file ``<data_dir>/tenants/<slug>.sqlite``;
* PostgreSQL: the schema ``<prefix><slug>`` (default prefix ``tenant_``) of the platform's
  database, reached with the URL query ``options=-csearch_path=<schema>``.

A request reaches a tenant database only through :func:`zerocity.service.deps.tenant_session`,
which takes the authenticated principal; other processes (the monitor worker) call
:func:`tenant_engine`.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from zerocity.errors import ZerocityError
from zerocity.service.settings import Settings
from zerocity.store.db import get_engine, session_scope, upgrade
from zerocity.store.errors import NotFoundError
from zerocity.store.models import Tenant

__all__ = [
    "SLUG_PATTERN",
    "InvalidSlugError",
    "TenantNotFoundError",
    "TenantRegistry",
    "registry_for",
    "tenant_engine",
    "validate_slug",
]

logger = logging.getLogger(__name__)

#: Tenant slugs: lower-case letter, then lower-case letters, digits or underscores, 2-40 in all
#: (safe as a file name and as a PostgreSQL schema name).
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class InvalidSlugError(ZerocityError, ValueError):
    """A tenant slug that does not match :data:`SLUG_PATTERN`."""

    code = "invalid_slug"


class TenantNotFoundError(NotFoundError):
    """No tenant has this slug."""

    code = "tenant_not_found"


def validate_slug(slug: str) -> str:
    """Check a tenant slug.

    Parameters
    ----------
    slug : str
        Candidate slug.

    Returns
    -------
    str
        The slug, unchanged.

    Raises
    ------
    InvalidSlugError
        The slug does not match :data:`SLUG_PATTERN`.
    """
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        raise InvalidSlugError(
            f"invalid tenant slug {slug!r}: expected 2-40 characters, a lower-case letter first, "
            "then lower-case letters, digits or '_'"
        )
    return slug


class TenantRegistry:
    """Engines of the platform database and of every tenant database of one deployment.

    Engines are created once and cached; a tenant database is migrated to the head revision the
    first time this process uses it (creation migrates it too).

    Parameters
    ----------
    settings : Settings
        Platform database URL, data directory and PostgreSQL schema prefix.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._platform: Engine | None = None
        self._tenants: dict[str, Engine] = {}

    @property
    def dialect(self) -> str:
        """Dialect name of the platform database (``sqlite`` or ``postgresql``)."""
        return make_url(self.settings.database_url).get_backend_name()

    def platform_engine(self) -> Engine:
        """The platform database engine, migrated on first use."""
        with self._lock:
            if self._platform is None:
                engine = get_engine(self.settings.database_url)
                upgrade(engine)
                self._platform = engine
            return self._platform

    def schema_name(self, slug: str) -> str:
        """PostgreSQL schema of a tenant."""
        return f"{self.settings.tenant_schema_prefix}{validate_slug(slug)}"

    def tenant_url(self, slug: str) -> str:
        """SQLAlchemy URL of a tenant's database.

        Raises
        ------
        InvalidSlugError
            Bad slug.
        ZerocityError
            The platform database is neither SQLite nor PostgreSQL.
        """
        validate_slug(slug)
        dialect = self.dialect
        if dialect == "sqlite":
            path = Path(self.settings.data_dir) / "tenants" / f"{slug}.sqlite"
            return f"sqlite:///{path.resolve().as_posix()}"
        if dialect == "postgresql":
            url = make_url(self.settings.database_url).update_query_dict(
                {"options": f"-csearch_path={self.schema_name(slug)}"}
            )
            return url.render_as_string(hide_password=False)
        raise ZerocityError(f"tenancy supports SQLite and PostgreSQL, not {dialect!r}")

    def provision(self, slug: str) -> Engine:
        """Create (if missing) and migrate a tenant's database; return its engine.

        Parameters
        ----------
        slug : str
            Tenant slug (need not be registered yet: tenant creation calls this first).
        """
        validate_slug(slug)
        if self.dialect == "sqlite":
            (Path(self.settings.data_dir) / "tenants").mkdir(parents=True, exist_ok=True)
        else:
            with self.platform_engine().begin() as connection:
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema_name(slug)}"'))
        engine = get_engine(self.tenant_url(slug))
        upgrade(engine)
        with self._lock:
            old = self._tenants.pop(slug, None)
            self._tenants[slug] = engine
        if old is not None:
            old.dispose()
        logger.info("tenant database of %r ready", slug)
        return engine

    def exists(self, slug: str) -> bool:
        """Whether a tenant with this slug is registered in the platform database."""
        if not SLUG_PATTERN.match(slug or ""):
            return False
        with session_scope(self.platform_engine()) as session:
            return session.execute(select(Tenant.id).where(Tenant.slug == slug)).first() is not None

    def engine(self, slug: str) -> Engine:
        """The engine of a registered tenant's database.

        Raises
        ------
        InvalidSlugError
            Bad slug.
        TenantNotFoundError
            No tenant has this slug (no database is created for it).
        """
        validate_slug(slug)
        with self._lock:
            cached = self._tenants.get(slug)
        if cached is not None:
            return cached
        if not self.exists(slug):
            raise TenantNotFoundError(f"tenant {slug!r} not found")
        return self.provision(slug)

    def upgrade_all(self) -> list[str]:
        """Migrate the platform database and every tenant database to the head revision.

        Returns
        -------
        list of str
            Slugs of the tenants migrated.
        """
        engine = self.platform_engine()
        with session_scope(engine) as session:
            slugs = list(session.scalars(select(Tenant.slug).order_by(Tenant.slug)))
        for slug in slugs:
            self.provision(slug)
        return slugs

    def dispose(self) -> None:
        """Close every pooled connection of this registry."""
        with self._lock:
            engines = list(self._tenants.values())
            self._tenants.clear()
            platform, self._platform = self._platform, None
        for engine in engines:
            engine.dispose()
        if platform is not None:
            platform.dispose()


_REGISTRIES: dict[tuple[str, str, str], TenantRegistry] = {}
_REGISTRIES_LOCK = threading.Lock()


def registry_for(settings: Settings | None = None) -> TenantRegistry:
    """The registry of a configuration (one per database URL, data directory and prefix).

    Parameters
    ----------
    settings : Settings, optional
        Defaults to the environment (``ZEROCITY_DATABASE_URL``, ``ZEROCITY_DATA_DIR``...).
    """
    resolved = settings or Settings()
    key = (resolved.database_url, str(Path(resolved.data_dir).resolve()), resolved.tenant_schema_prefix)
    with _REGISTRIES_LOCK:
        registry = _REGISTRIES.get(key)
        if registry is None:
            registry = _REGISTRIES[key] = TenantRegistry(resolved)
        return registry


def tenant_engine(slug: str, settings: Settings | None = None) -> Engine:
    """The database engine of a registered tenant (cached, migrated on first use).

    Parameters
    ----------
    slug : str
        Tenant slug.
    settings : Settings, optional
        Deployment configuration; defaults to the environment.

    Returns
    -------
    sqlalchemy.Engine
        Engine of the tenant's SQLite file or PostgreSQL schema.

    Raises
    ------
    TenantNotFoundError
        No tenant has this slug.
    """
    return registry_for(settings).engine(slug)
