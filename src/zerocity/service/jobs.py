"""Background jobs of the HTTP service: model runs that take more than a couple of seconds.

A job is a row of the tenant database (``service_jobs``): the request's validated parameters,
its status (``queued`` -> ``running`` -> ``succeeded`` or ``failed``), its JSON result or error.
:class:`JobRunner` executes them in a small thread pool of the process (one worker by default:
the solvers and Monte Carlo runs use a whole core each, and a 2-core host must keep one free
for requests; zerocity's choice). Because the row is written before the job is queued, the status
survives a restart; at start-up, jobs left ``running`` by a process of this host that no longer
exists (``worker`` is ``host:pid``) are marked ``failed`` with that reason, and ``queued`` jobs
are queued again. Jobs running in another live process (``zerocity serve --workers N``) or on
another host are left alone.

Job kinds are registered with :func:`job_kind`: a name and a function ``params -> result``
(both JSON documents). A :class:`zerocity.errors.ZerocityError` of the function is the job's
error message (a user error); anything else is logged and reported as an internal error.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from zerocity.errors import ZerocityError
from zerocity.jsonio import jsonable
from zerocity.service.errors import ApiError
from zerocity.service.tenancy import TenantRegistry
from zerocity.store.db import as_utc, session_scope
from zerocity.store.models import ServiceJob, Tenant

__all__ = ["JOB_KINDS", "JobRunner", "JobStatus", "get_job", "job_doc", "job_kind", "list_jobs"]

logger = logging.getLogger(__name__)

#: Workers of the pool (zerocity's choice for 2-core hosts; see the module docstring).
DEFAULT_WORKERS = 1
#: Longest error text kept [characters].
_ERROR_CHARS = 2000

JobFunction = Callable[[dict[str, Any]], dict[str, Any]]

#: Registered job kinds: name -> function.
JOB_KINDS: dict[str, JobFunction] = {}


class JobStatus(StrEnum):
    """Life of a job."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a function as the job kind ``name`` (a decorator)."""

    def register(function: JobFunction) -> JobFunction:
        if name in JOB_KINDS and JOB_KINDS[name] is not function:
            raise ValueError(f"job kind {name!r} is registered twice")
        JOB_KINDS[name] = function
        return function

    return register


def job_doc(job: ServiceJob, *, with_result: bool = True) -> dict[str, Any]:
    """The JSON form of a job (``result`` only when asked for and finished)."""
    doc: dict[str, Any] = {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "created_by": job.created_by,
        "created_at": as_utc(job.created_at),
        "started_at": None if job.started_at is None else as_utc(job.started_at),
        "finished_at": None if job.finished_at is None else as_utc(job.finished_at),
        "error": job.error,
    }
    if with_result:
        doc["params"] = job.params
        doc["result"] = job.result
    return doc


class JobRunner:
    """Runs the jobs of every tenant in one small thread pool.

    Parameters
    ----------
    registry : TenantRegistry
        Where each tenant's database is.
    workers : int
        Jobs run at the same time.
    """

    def __init__(self, registry: TenantRegistry, workers: int = DEFAULT_WORKERS) -> None:
        self.registry = registry
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zerocity-job")
        self._lock = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------------ life
    def recover(self) -> dict[str, int]:
        """Mark jobs left ``running`` by a stopped process as failed; queue ``queued`` jobs again.

        Returns
        -------
        dict
            ``failed`` and ``requeued`` counts over all tenants.
        """
        with session_scope(self.registry.platform_engine()) as session:
            slugs = list(session.scalars(select(Tenant.slug)))
        counts = {"failed": 0, "requeued": 0}
        now = datetime.now(UTC)
        for slug in slugs:
            with session_scope(self.registry.engine(slug)) as session:
                for job in session.scalars(select(ServiceJob).where(ServiceJob.status == JobStatus.RUNNING.value)):
                    if not _worker_gone(job.worker):
                        continue
                    job.status = JobStatus.FAILED.value
                    job.finished_at = now
                    job.error = "the service stopped while the job was running; submit it again"
                    counts["failed"] += 1
                queued = list(session.scalars(select(ServiceJob.id).where(ServiceJob.status == JobStatus.QUEUED.value)))
            for job_id in queued:
                self._pool.submit(self._run, slug, job_id)
                counts["requeued"] += 1
        if counts["failed"] or counts["requeued"]:
            logger.warning("jobs recovered at start: %s", counts)
        return counts

    def shutdown(self) -> None:
        """Stop taking jobs; running ones finish in their thread, queued ones stay queued in the database."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ use
    def submit(self, slug: str, *, kind: str, params: dict[str, Any], created_by: str) -> dict[str, Any]:
        """Store a job of tenant ``slug`` and queue it; returns its document (status ``queued``)."""
        if kind not in JOB_KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        with self._lock:
            if self._closed:
                raise ApiError(503, "unavailable", "the service is stopping; submit the job again later")
        with session_scope(self.registry.engine(slug)) as session:
            job = ServiceJob(
                kind=kind,
                status=JobStatus.QUEUED.value,
                params=jsonable(params),
                created_by=created_by[:200],
                created_at=datetime.now(UTC),
            )
            session.add(job)
            session.flush()
            doc = job_doc(job, with_result=False)
        self._pool.submit(self._run, slug, int(doc["id"]))
        logger.info("job %s of %s queued (%s)", doc["id"], slug, kind)
        return doc

    def _run(self, slug: str, job_id: int) -> None:
        """Run one job; every failure ends in a stored ``failed`` status (never left ``running``)."""
        try:
            self._execute(slug, job_id)
        except Exception:  # a worker thread must not die silently: the job would stay queued or running
            logger.exception("job %s of %s: the runner failed", job_id, slug)

    def _execute(self, slug: str, job_id: int) -> None:
        engine = self.registry.engine(slug)
        claimed = _write_with_retries(lambda session: _claim(session, job_id), engine)
        if claimed is None:
            return
        kind, params = claimed
        result: dict[str, Any] | None = None
        error: str | None = None
        try:
            function = JOB_KINDS[kind]
            result = jsonable(function(params))
        except ZerocityError as exc:
            error = str(exc)
        except Exception as exc:  # a job must end failed, never stay running
            logger.exception("job %s of %s (%s) failed", job_id, slug, kind)
            error = f"internal error: {type(exc).__name__}"
        _write_with_retries(lambda session: _finish(session, job_id, result, error), engine)
        logger.info("job %s of %s (%s): %s", job_id, slug, kind, "succeeded" if error is None else "failed")


#: Attempts of a job's status write when the database is busy, and the pause between them [s].
_WRITE_ATTEMPTS, _WRITE_PAUSE_S = 5, 0.2


def _write_with_retries(write: Callable[[Session], Any], engine: Any) -> Any:
    """Run ``write`` in its own transaction, again after a pause when the database is busy."""
    for attempt in range(_WRITE_ATTEMPTS):
        try:
            with session_scope(engine) as session:
                return write(session)
        except OperationalError:
            if attempt == _WRITE_ATTEMPTS - 1:
                raise
            logger.warning("job status write: database busy, retrying")
            time.sleep(_WRITE_PAUSE_S * (attempt + 1))
    return None  # pragma: no cover - the loop returns or raises


def _this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _worker_gone(worker: str | None) -> bool:
    """Whether the process that ran a job is gone: this host and a pid that is not alive.

    Jobs of another host cannot be checked and count as alive; a job without a worker (claimed by
    an older version) counts as gone.
    """
    if not worker:
        return True
    host, _, pid_text = worker.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True  # this process has just started: the job was claimed by an earlier life of the pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _claim(session: Session, job_id: int) -> tuple[str, dict[str, Any]] | None:
    job = session.get(ServiceJob, job_id)
    if job is None or job.status != JobStatus.QUEUED.value:
        return None
    job.worker = _this_worker()
    job.status = JobStatus.RUNNING.value
    job.started_at = datetime.now(UTC)
    return job.kind, dict(job.params)


def _finish(session: Session, job_id: int, result: dict[str, Any] | None, error: str | None) -> None:
    job = session.get(ServiceJob, job_id)
    if job is None:
        return
    job.status = JobStatus.SUCCEEDED.value if error is None else JobStatus.FAILED.value
    job.result = result
    job.error = None if error is None else error[:_ERROR_CHARS]
    job.finished_at = datetime.now(UTC)


def get_job(session: Session, job_id: int) -> dict[str, Any]:
    """A job of the tenant (404 when there is none)."""
    job = session.get(ServiceJob, job_id)
    if job is None:
        raise ApiError(404, "not_found", f"job {job_id} not found")
    return job_doc(job)


def list_jobs(
    session: Session, *, status: JobStatus | None, kind: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Jobs of the tenant, newest first (without their results)."""
    statement = select(ServiceJob)
    if status is not None:
        statement = statement.where(ServiceJob.status == status.value)
    if kind is not None:
        statement = statement.where(ServiceJob.kind == kind)
    total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    rows = session.scalars(statement.order_by(ServiceJob.id.desc()).limit(limit).offset(offset))
    return [job_doc(j, with_result=False) for j in rows], total
