"""Analyst corrections: stored apart from machine output, shown beside it, exported as gold.

A correction is one row of the ``corrections`` table: the merged event it is about (empty
for a missed event), its kind, and a JSON object of corrected fields that always carries
the ``story_id`` of the article the analyst was reading. Machine rows are never changed.

Export (:func:`export_gold`) writes, per corrected article, ``<story>.txt`` (the clean text)
and ``<story>.gold.json`` in the format of ``shared/eval/ANNOTATION.md``: the article's
machine events with the corrections applied (``not_event`` drops one, ``wrong_code`` and
``wrong_actor`` replace fields, ``missed_event`` adds one). Events an analyst did not touch
are taken as right, so review a whole article before relying on its gold file.

This module does not import FastAPI: the CLI uses it too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..errors import NotFoundError
from ..model import content_id
from ..store import Store

__all__ = ["add_correction", "export_gold", "gold_documents", "list_corrections"]

Row = dict[str, Any]
_FIELDS = ("story_id", "cameo", "source", "target", "date", "evidence")


def add_correction(store: Store, data: Row, *, now: datetime | None = None) -> Row:
    """Store one correction; filing the same correction twice stores it once.

    Args:
        store: the event store.
        data: validated correction fields (kind, event_id, story_id, cameo, source, target, date,
            evidence, note, author).
        now: the filing time (defaults to the clock; only ``created`` depends on it).

    Returns:
        The stored correction as :func:`list_corrections` returns it.

    Raises:
        NotFoundError: the event or story does not exist.
    """
    event_id = data.get("event_id") or ""
    story_id = data.get("story_id")
    if event_id:
        found = store.query("SELECT story_id FROM events WHERE id = ?", [event_id])
        if not found:
            raise NotFoundError(f"no event {event_id!r} in the store; correct an event listed by /api/events")
        story_id = story_id or found[0]["story_id"]
    if not story_id or not store.query("SELECT id FROM stories WHERE id = ?", [story_id]):
        raise NotFoundError(f"no story {story_id!r} in the store; open the article from /api/articles")
    fields = {k: _jsonable(data.get(k)) for k in _FIELDS if data.get(k) not in (None, "")}
    fields["story_id"] = story_id
    fields_json = json.dumps(fields, sort_keys=True)
    # A hash of what was said, not the clock: resubmitting the form does not duplicate it.
    cid = content_id(event_id, data["kind"], fields_json, data.get("note") or "", data.get("author") or "")
    if not store.query("SELECT id FROM corrections WHERE id = ?", [cid]):
        created = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
        store.execute(
            "INSERT INTO corrections (id, event_id, kind, fields, note, author, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [cid, event_id, data["kind"], fields_json, data.get("note"), data.get("author"), created],
        )
    return list_corrections(store, ids=[cid])[0]


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def decode(row: Row) -> Row:
    """A corrections row with its JSON fields spread out (``event_id`` None for a missed event)."""
    try:
        fields = json.loads(row.get("fields") or "{}")
    except json.JSONDecodeError:
        fields = {}
    out = {
        "id": row["id"],
        "event_id": row["event_id"] or None,
        "kind": row["kind"],
        "note": row.get("note"),
        "author": row.get("author"),
        "created": row["created"],
    }
    for key in _FIELDS:
        out[key] = fields.get(key)
    if out["date"]:
        out["date"] = date.fromisoformat(out["date"])
    return out


def list_corrections(
    store: Store,
    *,
    ids: Sequence[str] = (),
    event_ids: Sequence[str] = (),
    story_id: str | None = None,
    limit: int = 1000,
) -> list[Row]:
    """Corrections, newest first, optionally for given ids, events or one story.

    Args:
        store: the event store.
        ids: correction ids.
        event_ids: merged event ids.
        story_id: the article (matches the story the analyst was reading, and corrections of its events).
        limit: the most rows to return.

    Returns:
        Decoded corrections (see :func:`decode`).
    """
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in (("id", ids), ("event_id", event_ids)):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if story_id:
        # The JSON holds the story; events of the story are matched through their mentions too.
        clauses.append(
            "(fields LIKE ? OR event_id IN (SELECT event_id FROM event_mentions WHERE story_id = ?))"
        )
        params.extend([f'%"story_id": {json.dumps(story_id)}%', story_id])
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = store.query(
        f"SELECT * FROM corrections {where} ORDER BY created DESC, id LIMIT ?", [*params, limit]
    )
    return [decode(r) for r in rows]


# --- gold export ----------------------------------------------------------------------


def _words(text: str, n: int, last: bool = False) -> str:
    words = text.split()
    return " ".join(words[-n:] if last else words[:n])


def _machine_events(store: Store, story_id: str) -> list[Row]:
    return store.query(
        "SELECT m.event_id, m.source, m.target, m.cameo, m.source_text, m.target_text, m.event_date, "
        "s.text AS evidence FROM event_mentions m LEFT JOIN sentences s ON s.story_id = m.story_id "
        "AND s.idx = m.sentence WHERE m.story_id = ? AND m.linked_from IS NULL ORDER BY m.sentence, m.id",
        [story_id],
    )


def _gold_event(m: Row) -> Row:
    day = m.get("event_date")
    return {
        "source": m.get("source") or "",
        "source_text": m.get("source_text") or "",
        "target": m.get("target") or "",
        "target_text": m.get("target_text") or "",
        "cameo": m["cameo"],
        "alt_cameo": [],
        "date": day.isoformat() if isinstance(day, date) else day,
        "evidence": m.get("evidence") or "",
        "optional": False,
    }


def _apply(events: list[tuple[str, Row]], fixes: list[Row]) -> list[Row]:
    """The machine events of one story with its corrections applied, oldest correction first."""
    out = [(eid, dict(ev)) for eid, ev in events]
    for fix in sorted(fixes, key=lambda c: (c["created"], c["id"])):
        if fix["kind"] == "missed_event":
            out.append(
                (
                    "",
                    {
                        "source": fix["source"] or "",
                        "source_text": "",
                        "target": fix["target"] or "",
                        "target_text": "",
                        "cameo": fix["cameo"],
                        "alt_cameo": [],
                        "date": fix["date"].isoformat() if fix["date"] else None,
                        "evidence": fix["evidence"] or "",
                        "optional": False,
                    },
                )
            )
        elif fix["kind"] == "not_event":
            out = [(eid, ev) for eid, ev in out if eid != fix["event_id"]]
        else:
            for eid, ev in out:
                if eid == fix["event_id"]:
                    ev.update({k: fix[k] for k in ("cameo", "source", "target") if fix[k] is not None})
                    if fix["date"]:
                        ev["date"] = fix["date"].isoformat()
    return [ev for _, ev in out]


def gold_documents(store: Store) -> dict[str, tuple[str, Row]]:
    """Per corrected story: its clean text and its gold document.

    Returns:
        ``{story_id: (text, gold)}`` with gold in the ANNOTATION.md format.
    """
    by_story: dict[str, list[Row]] = {}
    for fix in list_corrections(store, limit=1_000_000):
        by_story.setdefault(fix["story_id"], []).append(fix)
    out = {}
    for story_id, fixes in sorted(by_story.items()):
        rows = store.query(
            "SELECT text, title, published_date, dateline, agency, meta_json FROM stories WHERE id = ?",
            [story_id],
        )
        if not rows:
            continue
        s = rows[0]
        meta = json.loads(s["meta_json"] or "{}")
        authors = meta.get("authors") or []
        text = s["text"] or ""
        events = [(m["event_id"], _gold_event(m)) for m in _machine_events(store, story_id)]
        out[story_id] = (
            text,
            {
                "id": story_id,
                "meta": {
                    "title": s["title"],
                    "published": s["published_date"].isoformat() if s["published_date"] else None,
                    "dateline": s["dateline"],
                    "agency": s["agency"],
                    "byline": " and ".join(authors) if authors else None,
                },
                "body_first": _words(text, 8),
                "body_last": _words(text, 8, last=True),
                "boilerplate": [],
                "events": _apply(events, fixes),
            },
        )
    return out


def export_gold(store: Store, folder: str | Path) -> list[Path]:
    """Write ``<story>.txt`` and ``<story>.gold.json`` for every corrected story.

    Args:
        store: the event store.
        folder: output folder (created if needed).

    Returns:
        The gold files written.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for story_id, (text, gold) in gold_documents(store).items():
        (out / f"{story_id}.txt").write_text(text, "utf-8")
        path = out / f"{story_id}.gold.json"
        path.write_text(json.dumps(gold, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(path)
    return written
