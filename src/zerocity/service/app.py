"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from zerocity import __version__
from zerocity.service.audit import Outcome, record_audit
from zerocity.service.deps import API_PREFIX, client_address
from zerocity.service.errors import BodySizeLimit, install_error_handlers
from zerocity.service.routers import ROUTERS
from zerocity.service.settings import Settings
from zerocity.service.tenancy import TenantRegistry
from zerocity.store.db import session_scope

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _audit_failed_write(registry: TenantRegistry) -> object:
    """The error hook: every failed write (4xx/5xx on POST, PUT, PATCH, DELETE) gets an audit row.

    Failed logins are audited by the login endpoint itself (with the username tried).
    """

    def hook(request: Request, status: int, code: str, message: str) -> None:
        if request.method not in _WRITES or request.url.path == f"{API_PREFIX}/auth/token":
            return
        principal = getattr(request.state, "principal", None)
        with session_scope(registry.platform_engine()) as session:
            record_audit(
                session,
                principal=principal,
                action=f"{request.method} {request.url.path}"[:64],
                target=request.url.path[:200],
                outcome=Outcome.DENIED if status in (401, 403, 429) else Outcome.FAILURE,
                status_code=status,
                client=client_address(request),
                details={"code": code, "message": message[:500]},
            )

    return hook


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the zerocity HTTP API.

    Parameters
    ----------
    settings : Settings, optional
        Configuration; from the environment (``ZEROCITY_*``) when omitted.

    Returns
    -------
    fastapi.FastAPI
        The app: every router under ``/api/v1``, OpenAPI at ``/api/v1/openapi.json``, one error
        body, a request size limit. Migrations of the platform and tenant databases run at startup.
    """
    resolved = settings or Settings()
    registry = TenantRegistry(resolved)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        slugs = await run_in_threadpool(registry.upgrade_all)
        logger.info("databases at head: platform and %d tenant(s)", len(slugs))
        try:
            yield
        finally:
            registry.dispose()

    app = FastAPI(
        title="zerocity",
        version=__version__,
        description="Carbon data, strategy and action tools for cities on the way to net zero.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = resolved
    app.state.registry = registry
    app.state.error_hook = _audit_failed_write(registry)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.add_middleware(BodySizeLimit, limit=resolved.max_body_bytes)
    # The web dashboard is the same app: pages at /, assets at /static (zerocity.web).
    from zerocity.web import mount

    mount(app, resolved)
    return app
