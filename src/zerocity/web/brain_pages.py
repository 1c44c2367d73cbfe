"""Routes of the Brain page (``model.run``: city administrator and analyst) and the household page.

The household page (``household.self``) shows a household user its own footprint, events and
points, and redeems catalogue items through :func:`zerocity.service.households.redeem_item`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zerocity.service import households as service_households
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, allowed
from zerocity.store.db import session_scope
from zerocity.web import actions, auth, brain, households, views
from zerocity.web.pages import city_of, message, page_of, render, to_login
from zerocity.web.profile import load_profile

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/brain", response_class=HTMLResponse)
def brain_page(request: Request) -> Response:
    """Kaya LMDI waterfall, peak forecast, scenario pathways, wedges and the MACC."""
    page = page_of(request)
    if page.user is None:
        return to_login(request)
    if not allowed(page.user.role, Permission.MODEL_RUN):
        return message(page, "web_forbidden", 403)
    data = city_of(page)
    if isinstance(data, HTMLResponse):
        return data
    numbers = views.cached_view(("brain-numbers", data.cache_id), lambda: brain.brain_numbers(data))
    view = views.cached_view(("brain", data.cache_id, page.lang), lambda: brain.brain_view(data, page.t, numbers))
    return render(page, "brain.html.j2", profile=data.profile, view=view, before=brain.PEAK_BEFORE)


@router.get("/actions", response_class=HTMLResponse)
def actions_page(request: Request, plan: int | None = None) -> Response:
    """The energy plan's Pareto front with a chosen plan, and the ranking of public buildings."""
    page = page_of(request)
    user = page.user
    if user is None:
        return to_login(request)
    if user.tenant is None or not allowed(user.role, Permission.MODEL_RUN):
        return message(page, "web_forbidden", 403)
    profile = load_profile(page.settings, user.tenant)
    if profile is None:
        return message(page, "web_no_city_data", 404)
    key = ("action-numbers", user.tenant, str(page.settings.data_dir))
    numbers = views.cached_view(key, lambda: actions.action_numbers(profile))
    view = actions.actions_view(numbers, plan, page.t)
    return render(page, "actions.html.j2", profile=profile, view=view)


@router.get("/household", response_class=HTMLResponse)
def household_page(request: Request, done: str = "") -> Response:
    """A household's own page: footprint, behaviour events, points and the redemption catalogue."""
    page = page_of(request)
    user = page.user
    if user is None:
        return to_login(request)
    if user.tenant is None or not allowed(user.role, Permission.HOUSEHOLD_SELF):
        return message(page, "web_forbidden", 403)
    profile = load_profile(page.settings, user.tenant)
    if profile is None:
        return message(page, "web_no_city_data", 404)
    engine = page.registry.engine(user.tenant)
    with session_scope(engine) as session:
        view = households.household_view(session, engine, page.settings, profile, user, page.t)
    return render(
        page,
        "household.html.j2",
        profile=profile,
        view=view,
        notice=page.t("web_done_redeemed") if done == "redeemed" else "",
    )


@router.post("/household/redeem", response_class=HTMLResponse)
def household_redeem(
    request: Request, item: Annotated[str, Form(max_length=100)], csrf: Annotated[str, Form()] = ""
) -> Response:
    """Redeem a catalogue item against the household's points (the ledger records it)."""
    page = page_of(request)
    user = page.user
    if user is None:
        return to_login(request)
    try:
        auth.check_csrf(request, csrf)
    except auth.CsrfError:
        return message(page, "web_csrf", 403)
    if user.tenant is None or not allowed(user.role, Permission.HOUSEHOLD_SELF):
        return message(page, "web_forbidden", 403)
    engine = page.registry.engine(user.tenant)
    try:
        with session_scope(engine) as session:
            service_households.redeem_item(session, engine, page.settings, principal=user, item=item)
    except ApiError as exc:
        return render(page, "message.html.j2", status=exc.status, message=exc.message)
    return RedirectResponse("/household?done=redeemed", status_code=303)
