"""Shared fixtures.

Database fixtures
-----------------
``db_engine`` is a migrated, empty zerocity database, once on SQLite (a file in ``tmp_path``,
always) and once on PostgreSQL (marked ``postgres``) when ``ZEROCITY_TEST_POSTGRES_URL`` is
set, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``. Each PostgreSQL test runs in
its own fresh schema (dropped afterwards), so parallel runs do not collide. Without the URL, or
with an unreachable server, PostgreSQL tests are skipped, unless ``ZEROCITY_REQUIRE_POSTGRES=1``
(CI) which makes them fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

POSTGRES_URL_ENV = "ZEROCITY_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "ZEROCITY_REQUIRE_POSTGRES"


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
        pytest.fail(f"{REQUIRE_POSTGRES_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    """A migrated SQLite database in a temporary file."""
    from zerocity.store.db import get_engine, upgrade

    engine = get_engine(f"sqlite:///{(tmp_path / 'zerocity.sqlite').as_posix()}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A migrated PostgreSQL database: a fresh schema first on the search path."""
    from zerocity.store.db import get_engine, upgrade

    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        _postgres_unavailable(f"{POSTGRES_URL_ENV} is not set")
        return
    schema = f"zc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except SQLAlchemyError as exc:
        admin.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        _postgres_unavailable(f"PostgreSQL at {make_url(url)!r} unreachable: {reason}")
        return
    engine = get_engine(
        make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    )
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_engine(request) -> Engine:
    """A migrated, empty zerocity database on each backend."""
    return request.getfixturevalue(f"{request.param}_engine")
