"""HTTP errors: one body for every 4xx/5xx, and the one place domain errors become statuses.

Every error response is ``{"error": {"code": str, "message": str, "details": [...]}}``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from zerocity.errors import InvalidRecordsError, ZerocityError
from zerocity.store.errors import AlreadyExistsError

__all__ = ["ApiError", "BodySizeLimit", "ErrorHook", "error_body", "install_error_handlers", "status_of"]

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An HTTP error raised by the service itself.

    Parameters
    ----------
    status : int
        HTTP status.
    code : str
        Machine-readable error code.
    message : str
        What went wrong, for people.
    details : list, optional
        Structured details (JSON).
    headers : dict, optional
        Extra response headers (``Retry-After``, ``WWW-Authenticate``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers


def error_body(code: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    """The error document of every error response."""
    return {"error": {"code": code, "message": message, "details": jsonable_encoder(details or [])}}


def status_of(exc: ZerocityError) -> int:
    """HTTP status of a domain error: 404 for lookups, 409 for duplicates, 422 for bad records, else 400."""
    if isinstance(exc, InvalidRecordsError):
        return 422
    if isinstance(exc, LookupError):
        return 404
    if isinstance(exc, AlreadyExistsError):
        return 409
    return 400


def _response(status: int, code: str, message: str, details: list[Any] | None = None, headers=None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


ErrorHook = Callable[[Request, int, str, str], None]


async def _notify(request: Request, status: int, code: str, message: str) -> None:
    hook: ErrorHook | None = getattr(request.app.state, "error_hook", None)
    if hook is None:
        return
    try:
        await run_in_threadpool(hook, request, status, code, message)
    except Exception:  # an audit failure must not hide the original error
        logger.exception("error hook failed for %s %s", request.method, request.url.path)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    await _notify(request, exc.status, exc.code, exc.message)
    return _response(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ZerocityError)
    details: list[Any] = []
    message = str(exc)
    if isinstance(exc, InvalidRecordsError):
        details = [
            {"row": issue.row, "column": issue.column, "message": issue.message, "value": issue.value}
            for issue in exc.issues
        ]
        message = exc.report(limit=5)
    await _notify(request, status_of(exc), exc.code, message)
    return _response(status_of(exc), exc.code, message, details)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {
            "location": [str(part) for part in error.get("loc", ())],
            "message": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    where = "; ".join(f"{'.'.join(d['location'])}: {d['message']}" for d in details[:5])
    await _notify(request, 422, "invalid_request", where)
    return _response(422, "invalid_request", f"invalid request: {where}", details)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    await _notify(request, exc.status_code, code, str(exc.detail))
    return _response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    await _notify(request, 500, "internal_error", type(exc).__name__)
    return _response(500, "internal_error", "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one body."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(ZerocityError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


class _BodyTooLarge(StarletteHTTPException):
    """Raised while reading a body past the limit; an HTTP error so that FastAPI re-raises it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than the limit of {limit} bytes")


class BodySizeLimit:
    """ASGI middleware: request bodies larger than ``limit`` bytes get 413.

    A declared ``Content-Length`` above the limit is refused before reading; a body without
    one (chunked) is counted while the application reads it.

    Parameters
    ----------
    app : ASGI application
        Wrapped application.
    limit : int
        Largest body [bytes].
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _refuse(self, send: Send) -> None:
        response = _response(
            413,
            "payload_too_large",
            f"request body larger than the limit of {self.limit} bytes",
            [{"limit": self.limit}],
        )
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, refusing bodies above the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.limit:
                    await self._refuse(send)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _BodyTooLarge(self.limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(send)
