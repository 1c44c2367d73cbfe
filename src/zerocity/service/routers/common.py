"""Helpers shared by the routers: audit rows of writes, file downloads and their OpenAPI responses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from zerocity.reports import MEDIA_TYPES
from zerocity.service.audit import Outcome, record_audit
from zerocity.service.deps import client_address, get_registry
from zerocity.service.principal import Principal
from zerocity.store.db import session_scope

__all__ = ["REPORT_MEDIA", "ReportFormatQuery", "ReportLangQuery", "audit_success", "download", "file_responses"]


#: Media types of a report download (PDF, XLSX).
REPORT_MEDIA = tuple(MEDIA_TYPES.values())
#: Query parameters of a report download.
ReportFormatQuery = Annotated[str, Query(pattern="^(pdf|xlsx)$", description="pdf or xlsx.")]
ReportLangQuery = Annotated[str, Query(pattern="^(en|zh)$", description="en or zh.")]


def file_responses(errors: dict[int | str, dict[str, Any]], *media_types: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of a download: ``errors`` and a 200 in each of ``media_types``."""
    return {**errors, 200: {"content": {media: {} for media in media_types}}}


def audit_success(
    request: Request,
    principal: Principal,
    action: str,
    target: str,
    *,
    session: Session | None = None,
    status_code: int = 200,
    details: dict[str, Any] | None = None,
) -> None:
    """Record a successful write: in ``session`` (a platform session, same transaction) or its own."""
    kwargs: dict[str, Any] = {
        "principal": principal,
        "action": action,
        "target": target,
        "outcome": Outcome.SUCCESS,
        "status_code": status_code,
        "client": client_address(request),
        "details": details,
    }
    if session is not None:
        record_audit(session, **kwargs)
        return
    with session_scope(get_registry(request).platform_engine()) as own:
        record_audit(own, **kwargs)


def download(content: bytes, media_type: str, filename: str) -> Response:
    """A file as an attachment, never rendered inline (uploads such as evidence are whatever was sent)."""
    name = filename.replace('"', "_")
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"},
    )
