"""The web dashboard: pages, charts and live views served by ``zerocity serve``.

:func:`mount` adds the dashboard to the API's FastAPI app (same process, same settings): pages
at ``/``, static files at ``/static`` (plotly.js from the installed ``plotly`` package at
``/static/plotly.min.js``; no CDN, no web fonts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from zerocity.service.settings import Settings

__all__ = ["mount"]


def mount(app: FastAPI, settings: Settings | None = None) -> FastAPI:
    """Add the dashboard's routes to an app built by :func:`zerocity.service.create_app`.

    Parameters
    ----------
    app : fastapi.FastAPI
        The API app (its ``state.settings`` and ``state.registry`` are used).
    settings : Settings, optional
        Must be the app's settings when given (kept for symmetry with ``create_app``).

    Returns
    -------
    fastapi.FastAPI
        ``app``. Mounting twice changes nothing (the second call returns at once).
    """
    if getattr(app.state, "web_mounted", False):
        return app
    from zerocity.web.assets import install_static

    if settings is not None and settings is not app.state.settings:
        raise ValueError("mount: settings differ from the app's; pass the settings given to create_app")
    from zerocity.web.brain_pages import router as brain_router
    from zerocity.web.enterprise_pages import router as enterprise_router
    from zerocity.web.ledger_pages import router as ledger_router
    from zerocity.web.pages import router

    install_static(app)
    app.include_router(router)
    app.include_router(enterprise_router)
    app.include_router(ledger_router)
    app.include_router(brain_router)
    app.state.web_mounted = True
    return app
