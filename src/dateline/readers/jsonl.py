"""JSON and JSON Lines articles: one object per line (``.jsonl``) or an object / list (``.json``).

Each object carries the article in ``html``, ``raw``, ``text``, ``content`` or ``body``
(the first present wins) and optionally ``url``, ``title`` and ``published`` (ISO 8601).
A line that is not valid JSON, or an object without an article, is a failure; the
file goes on.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..errors import InputError
from ..model import Failure, Story
from ..settings import Settings
from .url import failure_for

__all__ = ["read_json", "read_jsonl", "story_from_object"]

_BODY_KEYS = ("html", "raw", "text", "content", "body")


def read_jsonl(path: str, settings: Settings, **_: Any) -> Iterator[Story | Failure]:
    """A story (or failure) per line of a JSON Lines file; blank lines are ignored."""
    try:
        fh = open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        yield failure_for(path, "read:jsonl", InputError(f"cannot read {path}: {exc}"))
        return
    with fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                yield _parse(line, f"{path}:{lineno}", settings)


def read_json(path: str, settings: Settings, **_: Any) -> Iterator[Story | Failure]:
    """The stories of a ``.json`` file holding one article object or a list of them."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            data = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        yield failure_for(path, "read:json", InputError(f"not a JSON article file: {path}: {exc}"))
        return
    items = data if isinstance(data, list) else [data]
    for index, obj in enumerate(items):
        source = path if len(items) == 1 else f"{path}[{index}]"
        yield _from_object(obj, source, settings)


def _parse(line: str, source: str, settings: Settings) -> Story | Failure:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return failure_for(source, "read:jsonl", InputError(f"invalid JSON: {source}: {exc}"))
    return _from_object(obj, source, settings)


def _from_object(obj: Any, source: str, settings: Settings) -> Story | Failure:
    try:
        return story_from_object(obj, source=source, settings=settings)
    except InputError as exc:
        return failure_for(source, "read:jsonl", exc)


def story_from_object(obj: Any, *, source: str, settings: Settings) -> Story:
    """A story from one article object.

    Raises:
        InputError: the object is not a dict or holds no article text.
    """
    from . import decode_bytes, story_from_text

    if not isinstance(obj, dict):
        raise InputError(f"not an article object: {source}: expected a JSON object, got {type(obj).__name__}")
    body = next((obj[k] for k in _BODY_KEYS if isinstance(obj.get(k), str) and obj[k].strip()), None)
    if body is None:
        raise InputError(f"no article text: {source}: expected one of the keys {', '.join(_BODY_KEYS)}")
    # Same checks as files: size, binary junk, printable share.
    decode_bytes(body.encode("utf-8"), settings, name=source)
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    content_type = "text/html" if "html" in obj and body is obj["html"] else None
    story = story_from_text(body, source=source, url=url, content_type=content_type)
    return dataclasses.replace(story, meta=dataclasses.replace(story.meta, **_meta_fields(obj)))


def _meta_fields(obj: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(obj.get("title"), str):
        out["title"] = obj["title"]
    published = obj.get("published") or obj.get("date")
    if isinstance(published, str):
        try:
            out["published"] = datetime.fromisoformat(published.replace("Z", "+00:00"))
        except ValueError:
            pass  # an unparseable date is left to the dates stage, which reads the text
    return out
