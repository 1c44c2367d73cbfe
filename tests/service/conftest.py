"""Fixtures of the service tests: an app on temporary databases (SQLite, or PostgreSQL schemas)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from service_helpers import SECRET, World, build_world, sqlite_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from zerocity.service import Settings

POSTGRES_URL_ENV = "ZEROCITY_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "ZEROCITY_REQUIRE_POSTGRES"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return sqlite_settings(tmp_path)


@pytest.fixture
def world(settings) -> Iterator[World]:
    built = build_world(settings)
    yield built
    built.client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def shared_world(tmp_path_factory) -> Iterator[World]:
    """One world for a module of read-mostly tests (the authorisation matrix)."""
    built = build_world(sqlite_settings(tmp_path_factory.mktemp("service")))
    yield built
    built.client.__exit__(None, None, None)


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
        pytest.fail(f"{REQUIRE_POSTGRES_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres_settings(tmp_path) -> Iterator[Settings]:
    """Settings on PostgreSQL: a fresh platform schema and tenant schemas under a unique prefix, all dropped."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        _postgres_unavailable(f"{POSTGRES_URL_ENV} is not set")
        return
    tag = uuid.uuid4().hex[:10]
    platform_schema = f"zc_test_{tag}"
    prefix = f"zt{tag}_"
    admin = create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{platform_schema}"'))
    except SQLAlchemyError as exc:
        admin.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        _postgres_unavailable(f"PostgreSQL at {make_url(url)!r} unreachable: {reason}")
        return
    platform_url = (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={platform_schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        yield Settings(database_url=platform_url, data_dir=tmp_path, jwt_secret=SECRET, tenant_schema_prefix=prefix)
    finally:
        with admin.begin() as connection:
            schemas = connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p OR nspname = :s"),
                {"p": f"{prefix}%", "s": platform_schema},
            ).scalars()
            for schema in list(schemas):
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


#: Argon2 parameters of the tests: the smallest argon2-cffi accepts, so that the many logins of
#: the suite stay fast. The production parameters are checked in test_auth.py.
_FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[PasswordHasher]:
    """Swap in cheap Argon2 parameters for the tests; yields the production hasher."""
    from zerocity.service import security

    production = security._HASHER
    security._HASHER = _FAST_HASHER
    yield production
    security._HASHER = production
