"""One JSON error shape for every failure the HTTP API returns.

Every error body is::

    {"error": {"status": 404, "code": "not_found", "message": "...", "details": [...]}}

``code`` is a stable machine-readable word, ``message`` says what happened and what to
try, ``details`` lists per-field problems for validation errors (may be empty).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import DatelineError, InputError, StoreError

__all__ = ["ApiError", "error_body", "install_error_handlers"]

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the API reports on purpose.

    Args:
        status: HTTP status code.
        message: what happened and what to try.
        code: machine-readable code; defaults to one derived from ``status``.
        details: optional list of per-field problems.
    """

    def __init__(
        self, status: int, message: str, *, code: str | None = None, details: list[Any] | None = None
    ):
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or _CODES.get(status, "error")
        self.details = details or []


def error_body(
    status: int, message: str, code: str | None = None, details: list[Any] | None = None
) -> dict[str, Any]:
    """The error document for ``status``.

    Args:
        status: HTTP status code.
        message: human-readable explanation.
        code: machine-readable code (derived from the status when omitted).
        details: per-field problems.

    Returns:
        ``{"error": {...}}`` ready to serialise.
    """
    return {
        "error": {
            "status": status,
            "code": code or _CODES.get(status, "error"),
            "message": message,
            "details": details or [],
        }
    }


def _respond(
    status: int,
    message: str,
    code: str | None = None,
    details: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(status, message, code, details), status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Field problems without echoing the (possibly large) input back."""
    out = []
    for err in exc.errors():
        out.append(
            {"field": ".".join(str(p) for p in err.get("loc", ())), "problem": str(err.get("msg", ""))}
        )
    return out


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception to the one error shape (validation, HTTP, dateline, unexpected)."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _respond(exc.status, exc.message, exc.code, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        first = details[0] if details else {"field": "?", "problem": "invalid"}
        message = f"invalid request: {first['field']}: {first['problem']}"
        return _respond(422, message, "invalid_request", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint; see /docs for the API"
        return _respond(exc.status_code, message)

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return _respond(422, f"the input cannot be coded ({exc.reason}): {exc}", "uncodable_input")

    @app.exception_handler(StoreError)
    async def _store(_: Request, exc: StoreError) -> JSONResponse:
        return _respond(503, f"the event store failed: {exc}", "store_error")

    @app.exception_handler(DatelineError)
    async def _dateline(_: Request, exc: DatelineError) -> JSONResponse:
        return _respond(400, str(exc), "dateline_error")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return _respond(
            500, f"unexpected server error ({type(exc).__name__}); the server log has the details"
        )
