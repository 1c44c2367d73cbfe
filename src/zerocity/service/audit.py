"""The audit log: who did what to which object, in which tenant, when, and how it ended.

Rows live in the platform database. Logins (success and failure), user and key changes and
every write are recorded; failed writes too (outcome ``denied`` or ``failure``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zerocity.service.principal import Principal
from zerocity.store.models import AuditEntry

__all__ = ["Outcome", "list_audit", "record_audit"]

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    """How an audited action ended."""

    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


def record_audit(
    session: Session,
    *,
    principal: Principal | None,
    action: str,
    target: str = "",
    outcome: Outcome = Outcome.SUCCESS,
    tenant: str | None = None,
    status_code: int | None = None,
    client: str | None = None,
    details: dict[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEntry:
    """Add one audit row to the session (the caller commits).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Platform database session.
    principal : Principal or None
        Caller; None when unknown (a failed login names the actor through ``actor``).
    action : str
        Dotted action name (``auth.login``, ``user.create``, ``inventory.import``...).
    target : str
        Object acted on (``user:12``, ``inventory:3``).
    outcome : Outcome
        Success, failure or denied.
    tenant : str, optional
        Tenant slug; defaults to the principal's.
    status_code : int, optional
        HTTP status of the response.
    client : str, optional
        Client address.
    details : dict, optional
        Extra JSON facts (never secrets).
    actor : str, optional
        Overrides the principal's actor text.
    """
    entry = AuditEntry(
        tenant=tenant if tenant is not None else (principal.tenant if principal else None),
        actor=actor or (principal.actor if principal else "anonymous"),
        role=principal.role.value if principal else None,
        action=action[:64],
        target=target[:200],
        outcome=outcome.value,
        status_code=status_code,
        client=(client or None) and client[:64],
        details=details or {},
    )
    session.add(entry)
    logger.info("audit %s %s %s %s", entry.actor, action, target, outcome.value)
    return entry


def list_audit(
    session: Session,
    *,
    tenant: str | None,
    all_tenants: bool,
    action: str | None = None,
    actor: str | None = None,
    outcome: Outcome | None = None,
    since: datetime | None = None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEntry], int]:
    """Audit rows, newest first, of one tenant (or of all, for platform administrators).

    Returns
    -------
    tuple of (list of AuditEntry, int)
        The page of rows and the number of rows matching the filters.
    """
    query = select(AuditEntry)
    if not all_tenants:
        query = query.where(AuditEntry.tenant == tenant)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if outcome:
        query = query.where(AuditEntry.outcome == outcome.value)
    if since:
        moment = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
        query = query.where(AuditEntry.at >= moment)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total)
