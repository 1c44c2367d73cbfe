"""The tenant's ledger over HTTP: evidence files, the entry log, actors, the auditor's export.

The same domain calls as ``zerocity ledger evidence-add|log|actors|export``
(:class:`zerocity.ledger.log.Ledger`, :func:`zerocity.ledger.verify.export_ledger`); the tree
head, proofs and health are in :mod:`zerocity.service.mrv`.

An enterprise reporter sees the part of the ledger about its own entity: entries whose payload
names it (``entity``, or ``from``/``to`` of an allowance movement; the rule of the inclusion
proofs, widened to allowances), the evidence files those entries refer to, and the actors of
its entity besides the city's (administrators, verifiers). An evidence file the reporter stored
but no entry refers to yet is not linked to any entity in the ledger's model, so it is not
visible to a reporter (404) until an entry of its entity refers to it.
"""

from __future__ import annotations

import io
import logging
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from zerocity.ledger.log import Entry, Ledger, LedgerError
from zerocity.ledger.verify import export_ledger
from zerocity.service.deps import RowScope
from zerocity.service.errors import ApiError
from zerocity.service.inventories import ExportedFile
from zerocity.service.mrv import platform_key
from zerocity.service.settings import Settings
from zerocity.store.db import session_scope
from zerocity.store.models import LedgerEntry

__all__ = ["actor_list", "entries_page", "evidence_file", "export_zip", "store_evidence"]

logger = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"[^A-Za-z0-9_.-]")
_DEFAULT_MEDIA = "application/octet-stream"


def _about(entry: Entry, entity: str) -> bool:
    """Whether an entry is about ``entity`` (its payload names it)."""
    payload = entry.payload
    return entity != "" and entity in (payload.get("entity"), payload.get("from"), payload.get("to"))


def store_evidence(engine: Engine, *, content: bytes, filename: str) -> dict[str, Any]:
    """Store a file by the SHA-256 of its content, once (``zerocity ledger evidence-add``).

    Returns
    -------
    dict
        ``sha256`` [64 hex digits], ``size`` [bytes], ``name``, ``media_type``.
    """
    if not content:
        raise ApiError(422, "invalid_request", "the evidence file is empty", [{"location": ["body", "file"]}])
    name = _FILE_NAME.sub("_", Path(filename or "evidence").name)[:300] or "evidence"
    ledger = Ledger(engine)
    try:
        digest = ledger.add_evidence(content, name=name)
    except IntegrityError:  # the same file stored at the same moment by another request
        digest = ledger.add_evidence(content, name=name)
    row = ledger.evidence(digest)
    logger.info("stored evidence %s (%d bytes)", digest, len(content))
    return {"sha256": digest, "size": int(row.size), "name": row.name, "media_type": row.media_type}


def evidence_file(engine: Engine, *, scope: RowScope, digest: str) -> ExportedFile:
    """A stored evidence file (a reporter: only one an entry of its entity refers to; else 404)."""
    ledger = Ledger(engine)
    try:
        row = ledger.evidence(digest)
    except LedgerError:
        raise ApiError(404, "not_found", f"no evidence file with SHA-256 {digest}") from None
    if scope.entity_id is not None:
        linked = any(digest in e.data.get("evidence", []) and _about(e, scope.entity_id) for e in ledger.entries())
        if not linked:
            raise ApiError(404, "not_found", f"no evidence file with SHA-256 {digest} of your entity")
    return ExportedFile(bytes(row.content), row.media_type or _DEFAULT_MEDIA, row.name)


def _filtered(stmt: Select[Any], type_prefix: str | None, subject: str | None) -> Select[Any]:
    if type_prefix:
        stmt = stmt.where(LedgerEntry.entry_type.startswith(type_prefix, autoescape=True))
    if subject is not None:
        stmt = stmt.where(LedgerEntry.subject == subject)
    return stmt


def entries_page(
    engine: Engine,
    *,
    scope: RowScope,
    type_prefix: str | None,
    subject: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Ledger entries in index order (``zerocity ledger log``): ``{"index", **entry}`` and the total.

    An enterprise reporter gets the entries about its own entity only.
    """
    if scope.entity_id is not None:
        ledger = Ledger(engine)
        mine = [e for e in ledger.entries(type_prefix=type_prefix, subject=subject) if _about(e, scope.entity_id)]
        return [{"index": e.index, **e.data} for e in mine[offset : offset + limit]], len(mine)
    with session_scope(engine) as session:
        total = int(session.scalar(_filtered(select(func.count()).select_from(LedgerEntry), type_prefix, subject)) or 0)
        stmt = _filtered(select(LedgerEntry.idx), type_prefix, subject)
        indices = [int(i) for i in session.scalars(stmt.order_by(LedgerEntry.idx).offset(offset).limit(limit))]
        ledger = Ledger(engine)
        items = [{"index": i, **ledger.entry(i, session).data} for i in indices]
    return items, total


def actor_list(engine: Engine, *, scope: RowScope) -> list[dict[str, Any]]:
    """Registered actors, the latest registration of each (``zerocity ledger actors``), oldest first.

    Each: ``actor``, ``role``, ``entity``, ``public_key``, ``key_id`` and ``index`` (the entry).
    An enterprise reporter sees the city's actors and its own entity's, not other entities' reporters.
    """
    actors = sorted(Ledger(engine).actors().values(), key=lambda a: int(a["index"]))
    if scope.entity_id is not None:
        actors = [a for a in actors if a.get("role") != "reporter" or a.get("entity") == scope.entity_id]
    return actors


def export_zip(engine: Engine, settings: Settings, *, tenant: str) -> ExportedFile:
    """The tenant's whole ledger as ``zerocity ledger export`` writes it, in a ZIP archive.

    ``ledger.json`` (format, platform public key, tree heads), ``entries.jsonl`` and
    ``evidence/<sha256>``; unpacked, ``zerocity ledger verify --export DIR`` checks it.
    """
    with tempfile.TemporaryDirectory(prefix="zerocity-ledger-") as folder:
        root = Path(folder) / "export"
        doc = export_ledger(engine, platform_key(settings).public_key(), root)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(root).as_posix())
    logger.info("exported the ledger of %s: %d entries, %d evidence files", tenant, doc["entries"], doc["evidence"])
    return ExportedFile(buffer.getvalue(), "application/zip", f"ledger-{tenant}.zip")
