"""Background jobs of the caller's tenant: status and result of long model runs.

This router owns the job runner's life: its lifespan (merged into the app's, after the
migrations) starts the pool, recovers the jobs of a stopped process, and stops the pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from zerocity.service import jobs as service
from zerocity.service.deps import Page, tenant_session
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.schemas import error_responses

_ERRORS = error_responses(401, 403, 404, 422)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the job runner (after the app's migrations), recover jobs, stop it at shutdown."""
    runner = service.JobRunner(app.state.registry)
    app.state.jobs = runner
    await run_in_threadpool(runner.recover)
    try:
        yield
    finally:
        runner.shutdown()


router = APIRouter(prefix="/jobs", tags=["jobs"], lifespan=lifespan)


def job_runner(request: Request) -> service.JobRunner:
    """The app's job runner (503 when the app was started without its lifespan)."""
    runner: service.JobRunner | None = getattr(request.app.state, "jobs", None)
    if runner is None:
        raise ApiError(503, "unavailable", "the job runner is not running")
    return runner


@router.get("", responses=_ERRORS, summary="List jobs")
def list_jobs(
    page: Page,
    status: Annotated[service.JobStatus | None, Query(description="Only jobs in this state.")] = None,
    kind: Annotated[str | None, Query(max_length=64, description="Only jobs of this kind.")] = None,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Jobs of the tenant, newest first, without their results."""
    items, total = service.list_jobs(session, status=status, kind=kind, limit=page.limit, offset=page.offset)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/{job_id}", responses=_ERRORS, summary="Status and result of a job")
def get_job(
    job_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="Job id.")],
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """``status`` (queued, running, succeeded, failed), ``result`` when succeeded, ``error`` when failed."""
    return service.get_job(session, job_id)
