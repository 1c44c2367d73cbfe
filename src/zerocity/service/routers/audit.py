"""The audit log: city administrators read their tenant's, platform administrators everyone's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from zerocity.service.audit import Outcome, list_audit
from zerocity.service.deps import Page, PlatformSession
from zerocity.service.permissions import Permission, Role, require
from zerocity.service.principal import Principal
from zerocity.service.schemas import AuditPublic, error_responses
from zerocity.service.schemas import Page as PageOut

router = APIRouter(prefix="/audit", tags=["audit"])
_ERRORS = error_responses(401, 403, 422)


@router.get("", response_model=PageOut[AuditPublic], responses=_ERRORS, summary="Read the audit log")
def get_audit(
    session: PlatformSession,
    page: Page,
    action: Annotated[str | None, Query(max_length=64, description="Only this action (auth.login...).")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="Only this actor (user:NAME...).")] = None,
    outcome: Annotated[Outcome | None, Query(description="Only this outcome.")] = None,
    since: Annotated[datetime | None, Query(description="Only rows at or after this time (ISO 8601).")] = None,
    principal: Principal = Depends(require(Permission.AUDIT_READ)),  # noqa: B008
) -> PageOut[AuditPublic]:
    """Audit rows, newest first."""
    rows, total = list_audit(
        session,
        tenant=principal.tenant,
        all_tenants=principal.role is Role.PLATFORM_ADMIN,
        action=action,
        actor=actor,
        outcome=outcome,
        since=since,
        limit=page.limit,
        offset=page.offset,
    )
    return PageOut[AuditPublic](
        items=[AuditPublic.model_validate(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )
