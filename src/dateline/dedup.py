"""Near-duplicate articles: MinHash signatures over word shingles, LSH to find candidates.

The same wire story republished with other boilerplate (headers, related links, captions)
shares most of its body's word 5-grams. Before a story is coded, its body is hashed and
looked up among the stories already coded; a match at ``dedup.threshold`` (estimated
Jaccard similarity) makes it a *linked duplicate*: stored, counted as one more article
for its original's events, never coded again. The merge rule for events across articles
lives in :mod:`dateline.store.base` and is stated in ``docs/dedup.md``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .context import Context
from .model import Story
from .settings import Settings

__all__ = [
    "DuplicateIndex",
    "Match",
    "minhash",
    "shingles",
    "signature_bytes",
    "signature_from_bytes",
    "with_body",
]

_WORD = re.compile(r"\w+", re.UNICODE)
_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)
# Fixed seed: signatures must be comparable across runs and processes.
_SEED = 1
_SCHEME = "affine32"


@dataclass(frozen=True, slots=True)
class Match:
    """The stored story a new one duplicates, and their estimated Jaccard similarity."""

    story_id: str
    similarity: float
    url: str | None = None


def shingles(text: str, size: int) -> set[bytes]:
    """Lower-cased word ``size``-grams of ``text`` (the whole text when it is shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def minhash(text: str, settings: Settings) -> Any:
    """The MinHash signature (datasketch ``MinHash``) of ``text``'s shingles, or None when it has no words."""
    from datasketch import MinHash

    grams = shingles(text, settings.dedup.shingle)
    if not grams:
        return None
    mh = MinHash(num_perm=settings.dedup.num_perm, seed=_SEED, scheme=_SCHEME)
    mh.update_batch(sorted(grams))
    return mh


def signature_bytes(mh: Any) -> bytes:
    """A signature as bytes, for the store."""
    return bytes(np.asarray(mh.hashvalues, dtype=np.uint32).tobytes())


def signature_from_bytes(data: bytes, settings: Settings) -> Any:
    """Inverse of :func:`signature_bytes`."""
    from datasketch import MinHash

    values = np.frombuffer(data, dtype=np.uint32)
    return MinHash(num_perm=len(values), seed=_SEED, scheme=_SCHEME, hashvalues=values.copy())


def with_body(story: Story, ctx: Context) -> Story:
    """The story with ``text`` (and metadata) from the extract stage, else the raw text without markup.

    Comparing bodies, not raw pages, is what makes copies with other boilerplate match.
    """
    if story.text:
        return story
    stage = ctx.resource("dedup.extract", lambda: _extract_stage(ctx))
    if stage is not None:
        try:
            extracted: Story = stage(story)
            if extracted.text and not extracted.failures:
                return extracted
        except Exception:  # noqa: BLE001 - dedup falls back to the raw text; coding reports the error
            pass
    raw = story.raw
    return dataclasses.replace(story, text=_TAG.sub(" ", raw) if story.content_type == "text/html" else raw)


def _extract_stage(ctx: Context) -> Any:
    """The registered extract stage, or None when it cannot be built."""
    from .registry import DEFAULT_PIPELINE, load_stage

    try:
        return load_stage(DEFAULT_PIPELINE[0])(ctx)
    except Exception:  # noqa: BLE001 - without an extractor dedup compares raw text
        return None


class DuplicateIndex:
    """An LSH index over the signatures of coded stories.

    Args:
        settings: ``dedup.threshold`` and ``dedup.num_perm``.
    """

    def __init__(self, settings: Settings) -> None:
        from datasketch import MinHashLSH

        self.settings = settings
        self._lsh = MinHashLSH(threshold=settings.dedup.threshold, num_perm=settings.dedup.num_perm)
        self._signatures: dict[str, Any] = {}
        self._order: dict[str, int] = {}
        self._urls: dict[str, str | None] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def load(self, store: Any) -> int:
        """Index every signature kept in ``store``; returns how many were loaded."""
        rows = store.query(
            "SELECT m.story_id, m.signature, s.canonical_url FROM story_minhash m "
            "JOIN stories s ON s.id = m.story_id ORDER BY s.seq"
        )
        for row in rows:
            self.add(
                row["story_id"], signature_from_bytes(row["signature"], self.settings), row["canonical_url"]
            )
        return len(rows)

    def add(self, story_id: str, mh: Any, url: str | None = None) -> None:
        """Index a coded story's signature (and its canonical URL)."""
        if story_id in self._signatures:
            return
        self._lsh.insert(story_id, mh)
        self._signatures[story_id] = mh
        self._order[story_id] = len(self._order)
        self._urls[story_id] = url

    def find(self, mh: Any) -> Match | None:
        """The most similar indexed story at or above the threshold (earliest on ties), or None."""
        best: Match | None = None
        for candidate in sorted(self._lsh.query(mh), key=self._order.__getitem__):
            similarity = float(mh.jaccard(self._signatures[candidate]))
            if similarity >= self.settings.dedup.threshold and (best is None or similarity > best.similarity):
                best = Match(candidate, similarity, self._urls[candidate])
        return best
