"""MRV of the caller's tenant: submit data and reports, list and read report states, decide.

Mirrors ``zerocity mrv submit|verify|reject|status|history``; the workflow rules are those of
:mod:`zerocity.ledger.mrv` (see :mod:`zerocity.service.mrv` for the server-held actor keys).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.ledger.mrv import ReportState
from zerocity.service import mrv as service
from zerocity.service.deps import Page, get_settings, row_scope, tenant_engine, tenant_session
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import audit_success
from zerocity.service.schemas import (
    MrvDataSubmitted,
    MrvDecision,
    MrvDecisionRequest,
    MrvReportListed,
    MrvReportSubmit,
    MrvSubmitted,
    error_responses,
)
from zerocity.service.schemas import Page as PageOut
from zerocity.service.settings import Settings

router = APIRouter(prefix="/mrv", tags=["mrv"])
_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422)

ReportId = Annotated[
    str,
    Path(
        max_length=300,
        pattern=r"^report:[a-z][a-z0-9_]{1,39}:[^:/]{1,200}:[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$",
        description="Report id, ``report:<tenant>:<entity or city>:<period>``.",
    ),
]
Period = Annotated[str, Form(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$", description="Reporting period.")]


@router.post(
    "/data", status_code=201, response_model=MrvDataSubmitted, responses=_ERRORS, summary="Submit activity data"
)
def submit_data(
    request: Request,
    file: Annotated[UploadFile, File(description="The activity-data file (kept as evidence by its SHA-256).")],
    period: Period,
    entity: Annotated[str | None, Form(max_length=200, description="Entity (USCC); default: your own.")] = None,
    principal: Principal = Depends(require(Permission.MRV_SUBMIT)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Record monitoring data for a report (state ``monitored`` until a report is submitted)."""
    done = service.submit_data_file(
        engine,
        settings,
        principal=principal,
        period=period,
        entity=entity,
        filename=file.filename or "data",
        content=file.file.read(),
    )
    audit_success(request, principal, "mrv.data", done["report"], status_code=201, details={"entry": done["entry"]})
    return done


@router.post("/reports", status_code=201, response_model=MrvSubmitted, responses=_ERRORS, summary="Submit a report")
def submit_report(
    request: Request,
    body: MrvReportSubmit,
    principal: Principal = Depends(require(Permission.MRV_SUBMIT)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Submit (or correct, as version v + 1) a report from a stored inventory, signed on the ledger.

    Enterprise reporters submit for their own entity only; city administrators the city's own
    report. A version awaiting a decision cannot be replaced (409).
    """
    done = service.submit_inventory_report(
        session,
        engine,
        settings,
        principal=principal,
        scope=row_scope(principal),
        inventory_id=body.inventory_id,
        period=body.period,
        entity=body.entity,
        note=body.note,
    )
    audit_success(
        request, principal, "mrv.submit", done["report"], status_code=201, details={"version": done["version"]}
    )
    return done


@router.get("/reports", response_model=PageOut[MrvReportListed], responses=_ERRORS, summary="List reports")
def list_reports(
    page: Page,
    state: Annotated[ReportState | None, Query(description="Only reports in this state.")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="Only this entity ('' for the city).")] = None,
    period: Annotated[str | None, Query(max_length=10, description="Only this period.")] = None,
    principal: Principal = Depends(require(Permission.MRV_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> dict[str, Any]:
    """Reports replayed from the ledger, latest activity first (an enterprise reporter: its own only)."""
    items, total = service.list_reports(
        engine,
        scope=row_scope(principal),
        state=None if state is None else state.value,
        entity=entity,
        period=period,
        limit=page.limit,
        offset=page.offset,
    )
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/reports/{report}", responses=_ERRORS, summary="State of a report")
def get_report(
    report: ReportId,
    principal: Principal = Depends(require(Permission.MRV_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> dict[str, Any]:
    """Current state and each version (reporter, state, totals [t CO2e], decision)."""
    return service.read_report(engine, principal=principal, scope=row_scope(principal), report=report)


@router.get("/reports/{report}/history", responses=_ERRORS, summary="Ledger entries of a report")
def report_history(
    report: ReportId,
    principal: Principal = Depends(require(Permission.MRV_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> list[dict[str, Any]]:
    """Every entry about the report, oldest first: ``index``, ``type``, ``actor``, ``time``, ``payload``."""
    return service.report_events(engine, principal=principal, scope=row_scope(principal), report=report)


@router.post("/reports/{report}/decision", response_model=MrvDecision, responses=_ERRORS, summary="Decide a report")
def decide_report(
    request: Request,
    report: ReportId,
    body: MrvDecisionRequest,
    principal: Principal = Depends(require(Permission.MRV_DECIDE)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Verify or reject the pending version (verifiers; never a report of their own entity: 403)."""
    done = service.decide(
        engine,
        settings,
        principal=principal,
        report=report,
        verified=body.verified,
        reasons=body.reasons,
        note=body.note,
    )
    audit_success(request, principal, "mrv.decide", report, details={"state": done["state"], "entry": done["entry"]})
    return done
