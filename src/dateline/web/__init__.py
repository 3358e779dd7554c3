"""The analyst's web app: a FastAPI HTTP API and an offline dashboard (``dateline serve``).

Needs the ``web`` extra (``pip install 'dateline[web]'``). The dashboard's JavaScript is
built from ``web-src/`` into ``static/`` and committed, so no npm is needed at install time.
"""

from __future__ import annotations

from typing import Any

from ..errors import MissingExtraError

__all__ = ["create_app", "serve"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The ASGI app; see :func:`dateline.web.app.create_app`."""
    try:
        from .app import create_app as _create
    except ModuleNotFoundError as exc:
        raise MissingExtraError(exc.name or "fastapi", "web") from None
    return _create(*args, **kwargs)


def serve(db: str | None, ctx: Any, host: str | None = None, port: int | None = None) -> None:
    """Open the store and serve the app with uvicorn until interrupted.

    Args:
        db: store URL or DuckDB path (None: ``store.db`` from the settings).
        ctx: the dateline context.
        host: bind address (default ``web.host``, 127.0.0.1).
        port: port (default ``web.port``).
    """
    try:
        import uvicorn
    except ModuleNotFoundError:
        raise MissingExtraError("uvicorn", "web") from None
    from ..store import open_store

    web = ctx.settings.web
    with open_store(db, ctx.settings) as store:
        app = create_app(store, ctx)
        uvicorn.run(app, host=host or web.host, port=port or web.port, log_level="warning")
