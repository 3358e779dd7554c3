"""The FastAPI application: API routes under ``/api``, the dashboard at ``/``.

    app = create_app(store, ctx)          # an open Store and a dateline Context
    uvicorn.run(app, host="127.0.0.1", port=8765)

The store connection is shared by the worker threads behind a lock (DuckDB connections
are not safe for concurrent use), so requests are answered one query at a time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from ..context import Context
from ..errors import NotFoundError
from ..settings import WebSettings
from ..store import Store
from . import corrections as fixes
from . import queries
from .errors import ApiError, install_error_handlers
from .schemas import (
    ActorList,
    ActorProfile,
    AggregateOut,
    ArticleList,
    ArticleOut,
    CodeRequest,
    CorrectionIn,
    CorrectionList,
    CorrectionOut,
    DyadList,
    EventFilters,
    EventOut,
    Page,
    PlaceList,
)
from .security import BodyLimitMiddleware, require_token

__all__ = ["WebState", "create_app"]

T = TypeVar("T")
#: the longest daily series one request may ask for (about ten years)
MAX_PERIODS = 3700


@dataclass
class WebState:
    """What the routes share: the store (behind a lock), the context and the web settings."""

    store: Store
    ctx: Context
    token: str
    max_page_size: int
    page_size: int
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn(store, ...)`` holding the store lock."""
        with self.lock:
            return fn(self.store, *args, **kwargs)


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


State = Annotated[WebState, Depends(_state)]
Filters = Annotated[EventFilters, Query()]


def _limit(state: WebState, limit: int | None) -> int:
    return min(limit or state.page_size, state.max_page_size)


def _event_out(row: dict[str, Any]) -> EventOut:
    """An API event from an events row with its attached mention and corrections."""
    m = row.get("mention") or {}

    def span(prefix: str) -> dict[str, Any] | None:
        start, end = m.get(f"{prefix}_start"), m.get(f"{prefix}_end")
        return (
            {"start": start, "end": end, "text": m.get(f"{prefix}_text")}
            if start is not None and end is not None
            else None
        )

    place = None
    if row.get("place_name") or row.get("place_country"):
        place = {
            "name": row.get("place_name"),
            "country": row.get("place_country"),
            "lat": row.get("lat"),
            "lon": row.get("lon"),
        }
    return EventOut.model_validate(
        {
            "id": row["id"],
            "story_id": m.get("story_id") or row["story_id"],
            "sentence": m.get("sentence"),
            "date": row["event_date"],
            "cameo": row["cameo"],
            "root": row["root"],
            "name": row.get("name"),
            "goldstein": row.get("goldstein"),
            "quad_class": row.get("quad_class"),
            "plover_type": row.get("plover_type"),
            "plover_mode": row.get("plover_mode"),
            "source": row["source"],
            "target": row["target"],
            "source_name": row.get("source_name"),
            "target_name": row.get("target_name"),
            "source_text": m.get("source_text"),
            "target_text": m.get("target_text"),
            "trigger": span("trigger"),
            "source_span": span("source"),
            "target_span": span("target"),
            "evidence": m.get("evidence"),
            "place": place,
            "num_mentions": row.get("num_mentions") or 0,
            "num_sources": row.get("num_sources") or 0,
            "num_articles": row.get("num_articles") or 0,
            "title": m.get("title"),
            "url": m.get("url") or row.get("source_url"),
            "corrections": [fixes.decode(c) for c in row.get("corrections", [])],
        }
    )


# --- read endpoints -----------------------------------------------------------------------

read = APIRouter(prefix="/api", tags=["read"])


@read.get("/health")
def health(state: State) -> dict[str, Any]:
    """Liveness and the store's engine and schema version."""
    return {
        "status": "ok",
        "engine": state.store.engine,
        "schema_version": state.run(lambda s: s.schema_version()),
    }


@read.get("/events", response_model=Page)
def list_events(
    state: State,
    f: Filters,
    limit: Annotated[
        int | None, Query(ge=1, le=10_000, description="page size (capped by web.max_page_size)")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=500, description="next_cursor from the previous page")
    ] = None,
) -> Page:
    """Events matching the filters, newest first, one page at a time."""
    rows, next_cursor = state.run(queries.event_page, f, _limit(state, limit), cursor)
    return Page(items=[_event_out(r) for r in rows], next_cursor=next_cursor)


@read.get("/events/{event_id}", response_model=EventOut)
def get_event(state: State, event_id: str) -> EventOut:
    """One merged event with its evidence and corrections."""
    rows = state.run(queries.events_by_id, [event_id])
    if not rows:
        raise ApiError(404, f"no event {event_id!r}; list events with /api/events")
    return _event_out(rows[0])


@read.get("/aggregates", response_model=AggregateOut)
def get_aggregates(
    state: State,
    f: Filters,
    interval: Literal["day", "week", "month"] = "day",
    baseline_from: date | None = None,
    baseline_to: date | None = None,
) -> AggregateOut:
    """Counts per period by quad class, Goldstein sum and mean, per 100 articles, change vs a baseline."""
    if (baseline_from is None) != (baseline_to is None):
        raise ApiError(422, "give both baseline_from and baseline_to, or neither")
    window = (baseline_from, baseline_to) if baseline_from and baseline_to else None
    return AggregateOut.model_validate(state.run(queries.aggregates, f, interval, window, MAX_PERIODS))


@read.get("/aggregates/dyads", response_model=DyadList)
def get_dyads(
    state: State,
    f: Filters,
    level: Literal["principal", "actor"] = "principal",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> DyadList:
    """Goldstein sum and mean per dyad (undirected unless ``directed=true``), most active first."""
    items = state.run(queries.dyads, f, level, f.directed, limit)
    return DyadList.model_validate({"level": level, "directed": f.directed, "items": items})


@read.get("/places", response_model=PlaceList)
def get_places(state: State, f: Filters, limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> PlaceList:
    """Event counts per place, with coordinates for the map."""
    return PlaceList.model_validate({"items": state.run(queries.places, f, limit)})


@read.get("/actors", response_model=ActorList)
def get_actors(
    state: State,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="code or name fragment")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> ActorList:
    """Actors seen in events, most active first, optionally matching ``q``."""
    return ActorList.model_validate({"items": state.run(queries.search_actors, q, limit)})


@read.get("/actors/{code}", response_model=ActorProfile)
def get_actor(state: State, code: str) -> ActorProfile:
    """An actor's profile: counts as source and target, dates, quad classes, partners, names in text."""
    profile = state.run(queries.actor_profile, code.upper())
    if profile is None:
        raise ApiError(404, f"no actor {code!r} in the events; search with /api/actors?q=...")
    return ActorProfile.model_validate(profile)


@read.get("/articles", response_model=ArticleList)
def get_articles(
    state: State,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ArticleList:
    """Stored articles, latest first, optionally matching ``q`` in headline or text."""
    rows, next_cursor = state.run(queries.articles, q, _limit(state, limit), cursor)
    return ArticleList.model_validate({"items": rows, "next_cursor": next_cursor})


@read.get("/articles/{story_id}", response_model=ArticleOut)
def get_article(state: State, story_id: str) -> ArticleOut:
    """The clean text with mention, trigger and quote spans, its coded events and their corrections."""

    def load(store: Store) -> dict[str, Any] | None:
        story = queries.article(store, story_id)
        if story is not None:
            story["corrections"] = fixes.list_corrections(
                store, story_id=story.get("duplicate_of") or story_id
            )
        return story

    story = state.run(load)
    if story is None:
        raise ApiError(404, f"no article {story_id!r}; list articles with /api/articles")
    story["events"] = [_event_out(e) for e in story["events"]]
    return ArticleOut.model_validate(story)


@read.get("/corrections", response_model=CorrectionList)
def get_corrections(
    state: State,
    event_id: Annotated[str | None, Query(max_length=80)] = None,
    story_id: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> CorrectionList:
    """Analyst corrections, newest first, optionally for one event or article."""
    items = state.run(
        fixes.list_corrections, event_ids=[event_id] if event_id else (), story_id=story_id, limit=limit
    )
    return CorrectionList.model_validate({"items": items})


# --- endpoints that code or write ---------------------------------------------------------

write = APIRouter(prefix="/api", tags=["write"])


@write.post("/code")
def code(state: State, body: CodeRequest, request: Request) -> dict[str, Any]:
    """Code raw text (no token needed) or a URL (token needed); nothing is stored."""
    from ..api import code_text

    if body.url is not None:
        require_token(request)
        return dict(_code_url(state, body.url).to_dict())
    return dict(code_text(body.text or "", ctx=state.ctx).to_dict())


def _code_url(state: WebState, url: str) -> Any:
    """Fetch one page with the polite fetcher (robots.txt, rate limit, timeout) and code it."""
    from ..api import build_pipeline
    from ..readers.url import Fetcher, FetchError, story_from_response

    settings = state.ctx.settings
    fetcher = Fetcher(settings)
    try:
        story = story_from_response(fetcher.get(url), settings, source=url)
    except FetchError as exc:
        raise ApiError(502, f"could not fetch {url}: {exc}", code="fetch_failed") from None
    finally:
        fetcher.close()
    return build_pipeline(state.ctx)(story)


@write.post(
    "/corrections", status_code=201, response_model=CorrectionOut, dependencies=[Depends(require_token)]
)
def post_correction(state: State, body: CorrectionIn) -> CorrectionOut:
    """File an analyst's correction; stored apart from the machine output and shown with it."""
    try:
        row = state.run(fixes.add_correction, body.model_dump())
    except NotFoundError as exc:
        raise ApiError(404, str(exc)) from None
    return CorrectionOut.model_validate(row)


# --- the app --------------------------------------------------------------------------------


def _static_dir() -> str:
    return str(resources.files("dateline.web").joinpath("static"))


def create_app(store: Store, ctx: Context, web: WebSettings | None = None) -> FastAPI:
    """The ASGI app over an open store.

    Args:
        store: the event store (the app does not close it).
        ctx: the dateline context (settings; the NLP model for ``/api/code`` is loaded on first use).
        web: web settings; defaults to ``ctx.settings.web``. ``DATELINE_WEB_TOKEN`` overrides an empty token.

    Returns:
        The FastAPI application, with its OpenAPI document at ``/openapi.json``.
    """
    web = web or ctx.settings.web
    app = FastAPI(
        title="dateline",
        summary="Coded political events (CAMEO/PLOVER): query, aggregate, read the evidence, correct.",
        version="1",
    )
    app.state.web = WebState(
        store=store,
        ctx=ctx,
        token=web.token or os.environ.get("DATELINE_WEB_TOKEN", ""),
        max_page_size=web.max_page_size,
        page_size=web.page_size,
    )
    install_error_handlers(app)
    app.include_router(read)
    app.include_router(write)
    if web.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(web.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=web.max_body_bytes)
    static = _static_dir()
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(os.path.join(static, "index.html"))

    @app.get("/dashboard", include_in_schema=False)
    def dashboard() -> RedirectResponse:
        return RedirectResponse("/")

    return app
