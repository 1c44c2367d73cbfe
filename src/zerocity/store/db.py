"""Database location, engines, sessions and schema migrations.

The database is SQLite by default (one file in the user's data directory) and PostgreSQL (or
any SQLAlchemy URL) when ``ZEROCITY_DATABASE_URL`` is set. The schema is created and upgraded
by Alembic, configured in code: no ``alembic.ini`` is needed; the migration scripts ship inside
the package next to this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from platformdirs import user_data_dir
from sqlalchemy import JSON, Engine, Table, create_engine, event, insert, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

__all__ = [
    "BATCH_SIZE",
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "MIGRATIONS_DIR",
    "alembic_config",
    "as_utc",
    "bulk_insert",
    "current_revision",
    "data_dir",
    "database_url",
    "downgrade",
    "fetch_rows",
    "frame_columns",
    "frame_to_rows",
    "get_engine",
    "head_revision",
    "json_dumps",
    "rows_to_frame",
    "session_scope",
    "sha256_json",
    "to_jsonable",
    "upgrade",
    "write_transaction",
]

logger = logging.getLogger(__name__)

#: Environment variable holding a full SQLAlchemy database URL.
DATABASE_URL_ENV = "ZEROCITY_DATABASE_URL"
#: Environment variable holding the directory of the default SQLite database.
DATA_DIR_ENV = "ZEROCITY_DATA_DIR"
#: File name of the default SQLite database.
SQLITE_FILENAME = "zerocity.sqlite"
#: Folder of the Alembic environment (``env.py``) and revision scripts.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Rows per INSERT executemany batch in :func:`bulk_insert`.
BATCH_SIZE = 10_000


def data_dir() -> Path:
    """The directory of zerocity's local data, created if missing.

    Returns
    -------
    pathlib.Path
        ``$ZEROCITY_DATA_DIR`` when set, else the platform's user data directory for
        ``zerocity`` (e.g. ``~/.local/share/zerocity`` on Linux).
    """
    configured = os.environ.get(DATA_DIR_ENV)
    path = Path(configured).expanduser() if configured else Path(user_data_dir("zerocity"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """The URL of the database zerocity uses.

    Returns
    -------
    str
        ``$ZEROCITY_DATABASE_URL`` when set, else a SQLite URL of ``zerocity.sqlite`` in
        :func:`data_dir` (the directory is created).
    """
    configured = os.environ.get(DATABASE_URL_ENV)
    if configured:
        return configured
    return f"sqlite:///{(data_dir() / SQLITE_FILENAME).resolve().as_posix()}"


_ENCODER = json.JSONEncoder(allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def json_dumps(value: Any) -> str:
    """Serialise a value for a JSON column, refusing NaN and infinities.

    PostgreSQL rejects ``NaN`` in JSON and SQLite would store text other readers cannot parse,
    so values must be cleaned first (see :func:`to_jsonable`);
    this is the last guard.

    Parameters
    ----------
    value : Any
        JSON-compatible value.

    Returns
    -------
    str
        Compact JSON text, non-ASCII characters kept as they are.
    """
    return _ENCODER.encode(value)


def sha256_json(value: Any) -> str:
    """SHA-256 of a JSON value in canonical form (sorted keys, compact separators).

    Parameters
    ----------
    value : Any
        JSON-compatible value (already passed through :func:`to_jsonable`).

    Returns
    -------
    str
        Hex digest; equal values give equal digests whatever their key order.
    """
    text = json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_jsonable(value: Any) -> Any:
    """Convert a value to plain JSON types, missing values becoming None.

    NaN, infinities, ``pd.NA`` and ``NaT`` become None; numpy scalars and arrays become Python
    numbers and lists; dates and times become ISO 8601 text; mappings and sequences are
    converted recursively (keys become text); anything else becomes its ``str``.

    Parameters
    ----------
    value : Any
        Value to convert.

    Returns
    -------
    Any
        None, bool, int, float, str, list or dict.
    """
    if value is None or type(value) in (str, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        return [to_jsonable(item) for item in value]
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return to_jsonable(float(value))
    if isinstance(value, timedelta):
        return str(pd.Timedelta(value).isoformat())
    return str(value)


def frame_columns(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Names (as text) and dtypes of a frame's columns, in order.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to describe.

    Returns
    -------
    list of dict
        ``[{"name": str, "dtype": str}, ...]``, what :func:`rows_to_frame` restores.

    Raises
    ------
    StoreError
        Two columns with the same name (as text).
    """
    from zerocity.store.errors import StoreError

    names = [str(column) for column in frame.columns]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise StoreError(f"cannot store a frame with duplicate column names: {duplicated}")
    return [{"name": name, "dtype": str(dtype)} for name, dtype in zip(names, frame.dtypes, strict=True)]


def frame_to_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as JSON-ready dicts (column name as text to value).

    Missing values (NaN, None, NaT, ``pd.NA``) and infinities become None, numpy scalars become
    Python numbers, timestamps become ISO 8601 text. The index is dropped.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to convert.

    Returns
    -------
    list of dict
        One dict per row, keys in column order.
    """
    names = [str(column) for column in frame.columns]
    columns: list[list[Any]] = []
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        values = cast(Any, series).to_numpy(dtype=object, na_value=None)
        if series.dtype.kind in "biu":
            columns.append(values.tolist())
        elif series.dtype.kind == "f":
            columns.append([None if value is None or not math.isfinite(value) else value for value in values])
        else:
            columns.append([to_jsonable(value) for value in values])
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def rows_to_frame(rows: list[dict[str, Any]], columns: list[dict[str, str]]) -> pd.DataFrame:
    """Rebuild a frame from rows stored by :func:`frame_to_rows`.

    Parameters
    ----------
    rows : list of dict
        Row dicts (keys missing from a row read as missing values).
    columns : list of dict
        ``[{"name", "dtype"}, ...]`` from :func:`frame_columns`; gives the column order and the
        dtype each column is cast back to when the values allow it (an integer column that
        held missing values stays float, as pandas would read it).

    Returns
    -------
    pandas.DataFrame
        Frame with a fresh ``RangeIndex``.
    """
    names = [column["name"] for column in columns]
    frame = pd.DataFrame(rows, columns=names) if rows else pd.DataFrame({name: [] for name in names})
    for column in columns:
        name, dtype = column["name"], column["dtype"]
        if str(frame[name].dtype) == dtype:
            continue
        try:
            frame[name] = frame[name].astype(pd.api.types.pandas_dtype(dtype))
        except (TypeError, ValueError) as exc:
            logger.debug("column %r kept as %s (not %s): %s", name, frame[name].dtype, dtype, exc)
    return frame


def _insert_sql(connection: Connection, table: Table, columns: Sequence[str]) -> str | None:
    """INSERT text with driver placeholders, JSON columns taking serialised text.

    None when the driver's paramstyle is not positional (the caller falls back to Core).
    """
    dialect = connection.dialect
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle or "")
    if marker is None:
        return None
    preparer = dialect.identifier_preparer
    values = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON) and dialect.name == "postgresql":
            # Text to JSON/JSONB; SQLite stores JSON as the text itself.
            target = column_type.dialect_impl(dialect).compile(dialect=dialect)
            values.append(f"CAST({marker} AS {target})")
        else:
            values.append(marker)
    names = ", ".join(preparer.quote(name) for name in columns)
    return f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({', '.join(values)})"


def _copy_rows(connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bool:
    """Write rows with PostgreSQL ``COPY ... FROM STDIN`` when the driver is psycopg 3."""
    if connection.dialect.name != "postgresql":
        return False
    dbapi_connection = connection.connection.dbapi_connection
    cursor = dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if not hasattr(cursor, "copy"):  # psycopg2 and others: executemany
            return False
        preparer = connection.dialect.identifier_preparer
        names = ", ".join(preparer.quote(name) for name in columns)
        with cursor.copy(f"COPY {preparer.format_table(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return True
    finally:
        cursor.close()


def bulk_insert(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows fast: ``COPY`` on PostgreSQL (psycopg 3), else the driver's executemany.

    This bypasses SQLAlchemy's per-row parameter processing, which dominates the cost of large
    inserts: values must already be what the driver takes, and JSON columns take text made by
    :func:`json_dumps` (or None for SQL NULL). Rows join the session's transaction.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session whose transaction the rows join.
    table : sqlalchemy.Table
        Target table.
    columns : sequence of str
        Column names, in the order of the values of each row.
    rows : sequence of sequences
        One tuple of values per row.
    """
    if not rows:
        return
    connection = session.connection()
    if _copy_rows(connection, table, columns, rows):
        return
    sql = _insert_sql(connection, table, columns)
    json_columns = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, JSON)]
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        if sql is not None:
            connection.exec_driver_sql(sql, [tuple(row) for row in batch])
            continue
        decoded = []  # drivers with named parameters: let SQLAlchemy bind every value itself
        for row in batch:
            values = dict(zip(columns, row, strict=True))
            for i in json_columns:
                text = row[i]
                values[columns[i]] = None if text is None else json.loads(text)
            decoded.append(values)
        connection.execute(insert(table), decoded)


def fetch_rows(session: Session, statement: Executable) -> list[tuple[Any, ...]]:
    """Run a SELECT on the session's connection and return the driver's raw tuples.

    Skips SQLAlchemy's row objects and result processing, which dominate the cost of reading
    hundreds of thousands of rows; select only columns whose driver values are what the
    caller wants (numbers, text; JSON cast to text).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session whose transaction the query runs in.
    statement : sqlalchemy.sql.Executable
        Core SELECT.

    Returns
    -------
    list of tuple
        The rows as the driver returns them.
    """
    connection = session.connection()
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    params = compiled.params
    arguments: Any = tuple(params[name] for name in compiled.positiontup or ()) if dialect.positional else params
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, arguments)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def as_utc(moment: datetime) -> datetime:
    """A timestamp read from the database as a timezone-aware UTC datetime.

    Parameters
    ----------
    moment : datetime.datetime
        Value of a ``DateTime(timezone=True)`` column; SQLite keeps no time zone and returns
        the stored UTC value naive.

    Returns
    -------
    datetime.datetime
        The same instant with ``tzinfo=UTC``.
    """
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


#: Connections an SQLite engine keeps open (the server's thread pool size, anyio's default 40).
SQLITE_POOL_SIZE = 40


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see the "begin"
    # listener): this makes SAVEPOINT and transactional DDL work on SQLite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed transaction (an inventory, a ledger batch) survives power loss too.
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


#: ``Connection.info`` key: begin the next transaction with ``BEGIN IMMEDIATE`` (take SQLite's
#: write lock before reading, as an append-only log must; see :func:`write_transaction`).
BEGIN_IMMEDIATE = "zerocity_begin_immediate"


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get(BEGIN_IMMEDIATE) else "BEGIN")


def get_engine(url: str | None = None) -> Engine:
    """Create an engine for a zerocity database.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; :func:`database_url` when omitted.

    Returns
    -------
    sqlalchemy.Engine
        Engine whose JSON columns refuse NaN. On SQLite every connection has foreign keys
        enforced (``ON DELETE CASCADE`` works), WAL journaling, and real transactions with
        savepoints.
    """
    resolved = url or database_url()
    options: dict[str, Any] = {}
    if make_url(resolved).get_backend_name() == "sqlite" and make_url(resolved).database not in (None, "", ":memory:"):
        # A server thread pool (40 threads) holds that many connections at once; a smaller pool
        # closes its overflow connections after each use, and every new SQLite connection pays
        # for opening the file and its PRAGMAs. File connections are cheap to keep.
        options = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_SIZE}
    engine = create_engine(resolved, json_serializer=json_dumps, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    logger.debug("engine for %s", make_url(resolved).render_as_string(hide_password=True))
    return engine


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic configuration for zerocity's migrations, built in code.

    Parameters
    ----------
    connection : sqlalchemy.engine.Connection, optional
        Connection the migrations run on (the caller owns its transaction).
    url : str, optional
        Database URL the migrations connect to when no connection is given;
        :func:`database_url` when both are omitted.

    Returns
    -------
    alembic.config.Config
        Configuration usable with :mod:`alembic.command` (``upgrade``, ``downgrade``,
        ``current``, ``check``, ``revision``).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    if url is not None or connection is None:
        config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` in one transaction.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database to migrate (an empty database gets the whole schema).
    revision : str, default "head"
        Target revision.
    """
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    logger.info("database upgraded to %s", revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Run the Alembic migrations down to ``revision`` (``"base"`` drops every table).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database to migrate.
    revision : str
        Target revision.
    """
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
    logger.info("database downgraded to %s", revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database to inspect.

    Returns
    -------
    str or None
        Revision id, or None for a database never migrated.
    """
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped with this version of zerocity.

    Returns
    -------
    str
        Revision id of the single migration head.
    """
    head = ScriptDirectory.from_config(alembic_config(url="sqlite://")).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError(f"no Alembic revisions found in {MIGRATIONS_DIR}")
    return head


@contextmanager
def write_transaction(engine: Engine, lock_id: int | None = None) -> Iterator[Session]:
    """A session whose transaction holds an exclusive write lock from its first statement.

    Writers that read and then append (the ledger's tail, a report's state) are serialised: on
    SQLite the transaction begins with ``BEGIN IMMEDIATE`` (waiting up to the busy timeout for
    another writer); on PostgreSQL it takes ``pg_advisory_xact_lock(lock_id)``, released at
    commit or rollback. Commits on success, rolls back on any exception.

    With ``lock_id=None`` PostgreSQL takes no lock (row-level conflicts are the database's, e.g.
    ``INSERT ... ON CONFLICT``); SQLite still begins with ``BEGIN IMMEDIATE``. Use it for any
    SQLite transaction that reads and then writes: a deferred one fails at once ("database is
    locked") when another connection wrote after its first read, whatever the busy timeout.
    """
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            connection.info[BEGIN_IMMEDIATE] = True
        try:
            with _committing(Session(bind=connection, expire_on_commit=False)) as session:
                if not sqlite and lock_id is not None:
                    session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
                yield session
        finally:
            connection.info.pop(BEGIN_IMMEDIATE, None)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any exception.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database the session works on.

    Yields
    ------
    sqlalchemy.orm.Session
        Session; objects stay readable after the commit (``expire_on_commit=False``).
    """
    with _committing(Session(engine, expire_on_commit=False)) as session:
        yield session


@contextmanager
def _committing(session: Session) -> Iterator[Session]:
    """Commit ``session`` on success, roll back on any exception, close it in any case."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
