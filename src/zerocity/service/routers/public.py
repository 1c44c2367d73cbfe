"""Published aggregates of a tenant, for anyone (no credentials needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from zerocity.service import inventories as service
from zerocity.service.deps import Page, public_tenant_session
from zerocity.service.schemas import Page as PageOut
from zerocity.service.schemas import PublishedInventory, error_responses

router = APIRouter(prefix="/public/{tenant}", tags=["public"])
_ERRORS = error_responses(401, 404, 422)


@router.get(
    "/inventories", response_model=PageOut[PublishedInventory], responses=_ERRORS, summary="Published inventories"
)
def published_inventories(
    page: Page,
    session: Session = Depends(public_tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Totals of the inventories a city administrator published (no records, no entities)."""
    items, total = service.list_published(session, limit=page.limit, offset=page.offset)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}
