"""Platform events on the ledger: every state change of the platform becomes an entry.

Callers record the event in the same database transaction as the change itself
(:func:`record_event` with the caller's session), so that a stored inventory or factor set and
its ledger entry exist together or not at all. Later features (accounts, points, API actions)
record theirs through the same call.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.ledger.log import EntryDraft, Ledger
from zerocity.ledger.signing import load_or_create_key_file, platform_key_path

__all__ = ["record_event"]


def record_event(
    session: Session,
    engine: Engine,
    type: str,
    payload: dict[str, Any],
    *,
    subject: str = "",
    actor: str = "platform",
    evidence: tuple[str, ...] = (),
    tenant: str = "default",
) -> int:
    """Append one event, signed by the platform, inside the caller's transaction.

    Returns
    -------
    int
        The entry's index.
    """
    ledger = Ledger(engine, platform_key=load_or_create_key_file(platform_key_path()))
    draft = EntryDraft(type, actor, payload, subject=subject, evidence=evidence, tenant=tenant)
    (index,), _ = ledger.append([draft], session=session)
    return index
