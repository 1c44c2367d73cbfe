"""Routes of the ledger pages: tree head and health, an entry's proof, verify-a-proof, live monitoring.

* ``/ledger`` (``ledger.read``): the newest signed tree head and, for ``ledger.health`` roles, the
  full recomputation (:func:`zerocity.service.mrv.ledger_health`); ``/ledger/proof?index=``
  downloads an entry's standalone inclusion proof (a reporter: its own entity's entries).
* ``/verify`` (anyone, as the API's ``POST /ledger/proofs/check``): paste a proof, optionally a
  public key, and see whether it checks.
* ``/live`` (``monitor.city``): today's readings and emissions; ``/live/stream`` pushes the same
  numbers as server-sent events every few seconds, so the page updates without reloading.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from zerocity.i18n import N_
from zerocity.jsonio import jsonable
from zerocity.monitor.rollups import live_view
from zerocity.service import mrv as service_mrv
from zerocity.service.deps import row_scope
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, allowed
from zerocity.web import auth, enterprises
from zerocity.web.issues import api_error_text
from zerocity.web.pages import Page, message, page_of, render, to_login
from zerocity.web.profile import load_profile

__all__ = ["LIVE_INTERVAL_S", "router"]

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

#: Seconds between two live updates (zerocity's choice: readings arrive every 15 min per meter,
#: many meters make the total move every few seconds). ``?interval=`` picks 1-60 s.
LIVE_INTERVAL_S = 5.0
#: Problems of a ledger check -> message ids of their kind.
PROBLEM_IDS = {"entry": N_("web_problem_entry"), "head": N_("web_problem_head"), "tree": N_("web_problem_tree")}


def _tenant_page(request: Request, permission: Permission) -> Page | Response:
    page = page_of(request)
    if page.user is None:
        return to_login(request)
    if page.user.tenant is None:
        return message(page, "web_no_tenant", 403)
    if not allowed(page.user.role, permission):
        return message(page, "web_forbidden", 403)
    return page


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, check: bool = False) -> Response:
    """The signed tree head; the full chain check on request (``?check=1``)."""
    page = _tenant_page(request, Permission.LEDGER_READ)
    if isinstance(page, Response):
        return page
    user = page.user
    if user is None or user.tenant is None:
        return to_login(request)
    engine = page.registry.engine(user.tenant)
    head = service_mrv.ledger_head(engine, page.settings)
    may_check = allowed(user.role, Permission.LEDGER_HEALTH)
    health = service_mrv.ledger_health(engine, page.settings) if check and may_check else None
    return render(
        page,
        "ledger.html.j2",
        profile=load_profile(page.settings, user.tenant),
        head=head,
        health=health,
        may_check=may_check,
        problem_ids=PROBLEM_IDS,
    )


@router.get("/ledger/proof")
def ledger_proof(request: Request, index: int) -> Response:
    """The standalone inclusion proof of entry ``index`` as a JSON download."""
    page = _tenant_page(request, Permission.LEDGER_READ)
    if isinstance(page, Response):
        return page
    user = page.user
    if user is None or user.tenant is None:
        return to_login(request)
    engine = page.registry.engine(user.tenant)
    try:
        proof = service_mrv.entry_proof(engine, scope=row_scope(user), index=index, size=None)
    except ApiError as exc:
        text, detail = api_error_text(exc.code, exc.message, exc.details, page.lang, page.t)
        return render(page, "message.html.j2", status=exc.status, message=text, detail=detail)
    body = json.dumps(jsonable(proof), ensure_ascii=False, indent=2).encode("utf-8")
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="ledger-entry-{index}-proof.json"'},
    )


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request) -> Response:
    """Check a proof: paste its JSON (no login needed)."""
    page = page_of(request)
    return render(page, "verify.html.j2", proof="", public_key="", result=None, error="")


@router.post("/verify", response_class=HTMLResponse)
def verify_proof(
    request: Request,
    proof: Annotated[str, Form(max_length=2_000_000)],
    public_key: Annotated[str, Form(max_length=10_000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Check the pasted proof with the given public key, else this platform's."""
    page = page_of(request)
    try:
        auth.check_csrf(request, csrf)
    except auth.CsrfError:
        return message(page, "web_csrf", 403)
    context: dict[str, Any] = {"proof": proof, "public_key": public_key, "result": None, "error": ""}
    try:
        document = json.loads(proof)
        if not isinstance(document, dict):
            raise ValueError("a proof is a JSON object")
    except ValueError as exc:
        context["error"] = page.t("web_proof_not_json", reason=str(exc))
        return render(page, "verify.html.j2", status=422, **context)
    try:
        context["result"] = service_mrv.check_submitted_proof(document, public_key.strip() or None, page.settings)
    except ApiError as exc:
        text, detail = api_error_text(exc.code, exc.message, exc.details, page.lang, page.t)
        context["error"] = f"{text} {detail}".strip()
        return render(page, "verify.html.j2", status=exc.status, **context)
    return render(page, "verify.html.j2", **context)


def _entity_names(page: Page) -> dict[str, str]:
    user = page.user
    if user is None or user.tenant is None:
        return {}
    registry = enterprises.current_registry(
        user.tenant, page.registry.engine(user.tenant), cache_key=str(page.settings.data_dir)
    )
    if registry is None:
        return {}
    names = dict(zip(registry.frame["uscc"].astype(str), registry.frame["name"].astype(str), strict=True))
    if page.lang == "zh":
        names.update({k: v for k, v in registry.names_zh.items() if v})
    return names


def live_numbers(page: Page) -> dict[str, Any]:
    """Today's live view of the user's tenant (local day of the city profile's UTC offset)."""
    user = page.user
    if user is None or user.tenant is None:
        return {}
    profile = load_profile(page.settings, user.tenant)
    offset = profile.utc_offset_h if profile is not None else 0.0
    view: dict[str, Any] = jsonable(live_view(page.registry.engine(user.tenant), utc_offset_h=offset))
    return view


def _interval(value: float) -> float:
    """Seconds between live updates, limited to 1-60."""
    return min(60.0, max(1.0, float(value)))


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request, interval: float = LIVE_INTERVAL_S) -> Response:
    """Today's readings and emissions; the page subscribes to ``/live/stream`` (every ``interval`` s)."""
    page = _tenant_page(request, Permission.MONITOR_CITY)
    if isinstance(page, Response):
        return page
    user = page.user
    if user is None or user.tenant is None:
        return to_login(request)
    view = live_numbers(page)
    return render(
        page,
        "live.html.j2",
        profile=load_profile(page.settings, user.tenant),
        view=view,
        names=_entity_names(page),
        interval=_interval(interval),
    )


@router.get("/live/stream")
async def live_stream(request: Request, interval: float = LIVE_INTERVAL_S) -> Response:
    """Server-sent events: the live view as JSON (event ``live``) every ``interval`` seconds."""
    page = await run_in_threadpool(page_of, request)
    if page.user is None or page.user.tenant is None or not allowed(page.user.role, Permission.MONITOR_CITY):
        return Response(status_code=403)
    pause = _interval(interval)

    async def events() -> AsyncIterator[bytes]:
        yield b"retry: 5000\n\n"
        while not await request.is_disconnected():
            view = await run_in_threadpool(live_numbers, page)
            yield f"event: live\ndata: {json.dumps(view, ensure_ascii=False)}\n\n".encode()
            await asyncio.sleep(pause)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
