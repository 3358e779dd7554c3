"""Write-endpoint tokens and request-size limits.

Read-only endpoints need no token (the server binds to localhost by default). Write
endpoints depend on :func:`require_token`; the token comes from ``web.token`` in the
settings or ``DATELINE_WEB_TOKEN``, and an empty token refuses every write.
"""

from __future__ import annotations

import hmac
import json

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError, error_body

__all__ = ["BodyLimitMiddleware", "check_token", "require_token"]


def check_token(expected: str, authorization: str | None) -> None:
    """Raise 401/403 unless ``authorization`` is ``Bearer <expected>``.

    Args:
        expected: the configured token ("" refuses all writes).
        authorization: the request's Authorization header, if any.

    Raises:
        ApiError: 403 when writes are disabled, 401 when the token is missing or wrong.
    """
    if not expected:
        raise ApiError(
            403,
            "write endpoints are disabled: set web.token in the settings or DATELINE_WEB_TOKEN",
            code="writes_disabled",
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise ApiError(401, "this endpoint needs a token: send 'Authorization: Bearer <token>'")
    # Constant-time comparison, so response time says nothing about the token.
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ApiError(401, "the token is not valid")


def require_token(request: Request) -> None:
    """FastAPI dependency for write endpoints."""
    check_token(request.app.state.web.token, request.headers.get("authorization"))


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, by header or by counting the stream."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send)
            return
        # Read the whole body first (it is bounded by the limit), so an oversized chunked
        # upload is refused before any endpoint starts parsing it.
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_bytes:
                await self._reject(send)
                return
            more = message.get("more_body", False)
        await self.app(
            scope,
            _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive),
            send,
        )

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            error_body(413, f"request body over the limit of {self.max_bytes} bytes (web.max_body_bytes)")
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A receive callable that hands out ``messages`` first, then defers to ``then``."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive
