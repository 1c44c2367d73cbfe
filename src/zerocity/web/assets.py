"""Static files of the dashboard: its own CSS and JS, and plotly.js from the ``plotly`` package."""

from __future__ import annotations

import functools
import hashlib

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

__all__ = ["install_static", "plotly_js"]


@functools.cache
def plotly_js() -> tuple[bytes, str]:
    """plotly.js as shipped inside the installed Python package, and its ETag (SHA-256 prefix)."""
    from plotly.offline import get_plotlyjs

    body = get_plotlyjs().encode("utf-8")
    return body, hashlib.sha256(body).hexdigest()[:32]


def install_static(app: FastAPI) -> None:
    """Add ``/static/plotly.min.js`` and the package's ``web/static`` folder at ``/static``."""

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_route(request: Request) -> Response:
        body, etag = plotly_js()
        headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=86400"}
        if request.headers.get("if-none-match") == f'"{etag}"':
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="text/javascript", headers=headers)

    app.mount("/static", StaticFiles(packages=[("zerocity.web", "static")]), name="static")
