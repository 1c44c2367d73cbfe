"""Store, list, load and delete user factor sets.

A factor set is a frame with the columns of ``zerocity/factors/data/README.md`` (``factor_id``
required). It is stored as one ``factor_sets`` row (name, version, SHA-256 of the content,
source path, row count, column names and dtypes) and one ``factor_set_rows`` row per factor
with the whole row as JSON. Name and version identify a set: storing the same pair twice is
refused, so inventories computed with a set can always be traced back to its exact content.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zerocity.store.db import (
    as_utc,
    bulk_insert,
    frame_columns,
    frame_to_rows,
    json_dumps,
    rows_to_frame,
    sha256_json,
)
from zerocity.store.errors import AlreadyExistsError, NotFoundError, StoreError
from zerocity.store.models import FactorSet, FactorSetRow

__all__ = [
    "FactorSetSummary",
    "delete_factor_set",
    "list_factor_sets",
    "load_factor_set",
    "save_factor_set",
    "version_key",
]

logger = logging.getLogger(__name__)

_VERSION_PARTS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class FactorSetSummary:
    """One stored factor set as listed, without its rows.

    Attributes
    ----------
    id : int
        Factor set id.
    name : str
        Name of the set.
    version : str
        Version of the set (unique per name).
    sha256 : str
        SHA-256 of the content (columns, dtypes and rows).
    source_path : str
        File the set was read from.
    loaded_at : datetime.datetime
        When it was stored (UTC, timezone-aware).
    row_count : int
        Number of factor rows.
    """

    id: int
    name: str
    version: str
    sha256: str
    source_path: str
    loaded_at: datetime
    row_count: int


def version_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key of a version string comparing digit runs as numbers (``1.10`` after ``1.9``).

    Parameters
    ----------
    version : str
        Version text, e.g. ``2024.1`` or ``v2-rc1``.

    Returns
    -------
    tuple
        Key usable with :func:`sorted`; digit runs sort after text at the same position.
    """
    return tuple(
        (1, int(part), "") if part.isdigit() else (0, 0, part) for part in _VERSION_PARTS.split(version) if part
    )


def _check_text(label: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise StoreError(f"a factor set needs a non-empty {label} (text), got {value!r}")
    return value


def save_factor_set(
    session: Session,
    *,
    name: str,
    version: str,
    frame: pd.DataFrame,
    source_path: str,
) -> int:
    """Store a factor set; refuse a name and version already stored.

    The set and its rows are written in one transaction (a savepoint inside the session's).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to write with; the caller commits.
    name : str
        Name of the set.
    version : str
        Version of the set.
    frame : pandas.DataFrame
        Factor records, columns as in ``zerocity/factors/data/README.md``; ``factor_id`` is
        required in every row. Missing values are stored as JSON null.
    source_path : str
        File the set was read from (recorded, not read).

    Returns
    -------
    int
        Id of the new factor set.

    Raises
    ------
    AlreadyExistsError
        A set with this name and version is already stored.
    StoreError
        Empty name or version, a frame without ``factor_id`` or with rows missing it.
    """
    _check_text("name", name)
    _check_text("version", version)
    if not isinstance(frame, pd.DataFrame):
        raise StoreError(f"factor set {name!r}: frame must be a pandas DataFrame")
    columns = frame_columns(frame)
    if "factor_id" not in {column["name"] for column in columns}:
        raise StoreError(f"factor set {name!r} version {version!r} has no 'factor_id' column")
    rows = frame_to_rows(frame)
    missing = [number for number, row in enumerate(rows, start=1) if row["factor_id"] is None]
    if missing:
        shown = ", ".join(str(number) for number in missing[:10])
        raise StoreError(
            f"factor set {name!r} version {version!r}: factor_id missing in "
            f"{len(missing)} row(s) (rows {shown}{', ...' if len(missing) > 10 else ''})"
        )
    existing = session.scalar(select(FactorSet.id).where(FactorSet.name == name, FactorSet.version == version))
    if existing is not None:
        raise AlreadyExistsError(
            f"factor set {name!r} version {version!r} is already stored (id {existing}); "
            "store it under a new version or delete the stored one first"
        )
    try:
        with session.begin_nested():
            factor_set = FactorSet(
                name=name,
                version=version,
                sha256=sha256_json({"columns": columns, "rows": rows}),
                source_path=str(source_path),
                row_count=len(rows),
                columns=columns,
            )
            session.add(factor_set)
            session.flush()
            factor_set_id = factor_set.id
            bulk_insert(
                session,
                FactorSetRow.__table__,  # type: ignore[arg-type]
                ("factor_set_id", "seq", "factor_id", "payload"),
                [
                    (factor_set_id, number, str(row["factor_id"]), json_dumps(row))
                    for number, row in enumerate(rows, start=1)
                ],
            )
    except IntegrityError as exc:  # stored concurrently between the check and the insert
        raise AlreadyExistsError(f"factor set {name!r} version {version!r} is already stored") from exc
    logger.info("saved factor set %d %r version %r: %d rows", factor_set_id, name, version, len(rows))
    return factor_set_id


def list_factor_sets(session: Session) -> list[FactorSetSummary]:
    """List the stored factor sets by name, then version (oldest version first).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to read with.

    Returns
    -------
    list of FactorSetSummary
        One entry per stored set.
    """
    sets = session.scalars(select(FactorSet)).all()
    ordered = sorted(sets, key=lambda s: (s.name, version_key(s.version), s.id))
    return [
        FactorSetSummary(
            id=s.id,
            name=s.name,
            version=s.version,
            sha256=s.sha256,
            source_path=s.source_path,
            loaded_at=as_utc(s.loaded_at),
            row_count=s.row_count,
        )
        for s in ordered
    ]


def _find(session: Session, name: str, version: str | None) -> FactorSet:
    candidates = session.scalars(select(FactorSet).where(FactorSet.name == name)).all()
    if not candidates:
        raise NotFoundError(f"factor set {name!r} not found")
    if version is None:
        return max(candidates, key=lambda s: (version_key(s.version), s.id))
    for candidate in candidates:
        if candidate.version == version:
            return candidate
    stored = ", ".join(repr(v) for v in sorted((s.version for s in candidates), key=version_key))
    raise NotFoundError(f"factor set {name!r} version {version!r} not found (stored versions: {stored})")


def load_factor_set(session: Session, name: str, version: str | None = None) -> pd.DataFrame:
    """Load a stored factor set as a frame.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to read with.
    name : str
        Name of the set.
    version : str, optional
        Version to load; the latest (highest by :func:`version_key`) when omitted.

    Returns
    -------
    pandas.DataFrame
        The rows in stored order, columns and dtypes as stored; ``frame.attrs["factor_set"]``
        holds the id, name, version, sha256 and source path.

    Raises
    ------
    NotFoundError
        No set of this name, or not in this version (the message lists the stored versions).
    """
    factor_set = _find(session, name, version)
    payloads = session.scalars(
        select(FactorSetRow.payload).where(FactorSetRow.factor_set_id == factor_set.id).order_by(FactorSetRow.seq)
    ).all()
    frame = rows_to_frame(list(payloads), list(factor_set.columns))
    frame.attrs["factor_set"] = {
        "id": factor_set.id,
        "name": factor_set.name,
        "version": factor_set.version,
        "sha256": factor_set.sha256,
        "source_path": factor_set.source_path,
    }
    return frame


def delete_factor_set(session: Session, name: str, version: str) -> None:
    """Delete one version of a stored factor set with its rows.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to write with; the caller commits.
    name : str
        Name of the set.
    version : str
        Version to delete (required: other versions are kept).

    Raises
    ------
    NotFoundError
        No set of this name and version.
    """
    factor_set = _find(session, name, version)
    session.execute(delete(FactorSet).where(FactorSet.id == factor_set.id))
    logger.info("deleted factor set %d %r version %r", factor_set.id, name, version)
