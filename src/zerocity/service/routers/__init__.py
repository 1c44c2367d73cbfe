"""Routers of the HTTP API, one module per area; :data:`ROUTERS` lists them for the app factory.

To add an area: write a module with a ``router = APIRouter(prefix=..., tags=[...])`` using the
dependencies of :mod:`zerocity.service.deps` (``require(permission)`` for the caller,
``tenant_session`` for data) and append it here.
"""

from __future__ import annotations

from fastapi import APIRouter

from zerocity.service.routers import (
    apikeys,
    audit,
    auth,
    enterprise,
    factors,
    health,
    households,
    inventories,
    jobs,
    ledger,
    models,
    monitor,
    mrv,
    public,
    tenants,
    users,
)

__all__ = ["ROUTERS"]

#: Every router, mounted under ``/api/v1``.
ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    tenants.router,
    users.router,
    apikeys.router,
    audit.router,
    factors.router,
    inventories.router,
    public.router,
    mrv.router,
    ledger.router,
    enterprise.router,
    households.router,
    monitor.router,
    models.router,
    jobs.router,
]
