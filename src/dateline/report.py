"""Writers for coded stories: a readable table, JSON stories, or JSONL events."""

from __future__ import annotations

import json
import sys
from types import TracebackType
from typing import IO, Any

from .model import Event, Story, to_jsonable

__all__ = ["StoryWriter", "event_record", "events_table"]


def event_record(event: Event, story: Story) -> dict[str, Any]:
    """One event as a flat JSON-ready dict, with its story's id, URL and headline."""
    d: dict[str, Any] = to_jsonable(event)
    d.update(story_source=story.source, story_url=story.meta.url, headline=story.meta.title)
    return d


def events_table(story: Story) -> Any:
    """A rich Table of the story's events."""
    from rich.table import Table

    title = story.meta.title or story.source
    table = Table(title=f"{title} — {len(story.events)} events", show_lines=False)
    for col in ("date", "source", "code", "event", "target", "evidence"):
        table.add_column(col, overflow="fold")
    for e in story.events:
        table.add_row(
            e.date.isoformat() if e.date else "",
            e.source or "-",
            e.cameo,
            e.name,
            e.target or "-",
            e.trigger.text if e.trigger else "",
        )
    return table


class StoryWriter:
    """Writes stories in one of the CLI formats to a file or stdout."""

    def __init__(self, fmt: str, out: str | None = None) -> None:
        self.fmt = fmt
        self.out = out
        self._fh: IO[str] | None = None

    def __enter__(self) -> StoryWriter:
        self._fh = open(self.out, "w", encoding="utf-8") if self.out else sys.stdout
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fh is not None and self._fh is not sys.stdout:
            self._fh.close()

    def write(self, story: Story) -> None:
        """Write one coded story."""
        assert self._fh is not None
        if self.fmt == "json":
            self._fh.write(json.dumps(story.to_dict(), ensure_ascii=False, indent=1) + "\n")
        elif self.fmt == "jsonl":
            for e in story.events:
                self._fh.write(json.dumps(event_record(e, story), ensure_ascii=False) + "\n")
        else:
            from rich.console import Console

            Console(file=self._fh, width=160 if self.out else None).print(events_table(story))
        self._fh.flush()
