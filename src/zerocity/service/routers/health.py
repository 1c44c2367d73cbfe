"""``GET /health``: liveness and platform database reachability (unauthenticated)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import text

from zerocity import __version__
from zerocity.service.deps import get_registry
from zerocity.service.tenancy import TenantRegistry

router = APIRouter(tags=["health"])


@router.get("/health", summary="Service health")
def health(registry: TenantRegistry = Depends(get_registry)) -> dict[str, Any]:  # noqa: B008
    """The service version and whether the platform database answers."""
    with registry.platform_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": registry.dialect}
