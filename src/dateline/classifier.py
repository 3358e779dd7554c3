"""The learned event-type classifier and the re-ranking stage.

Given a candidate event as (sentence, source span, target span), the classifier
predicts the PLOVER event type with calibrated probabilities. The rule coder
proposes events; :class:`RerankStage` asks the classifier and, when the setting
``events.classifier = "rerank"`` is on, may switch an event's code to another
candidate compatible with the rule evidence. Every event keeps its evidence and
records which component decided it (``decided_by``) and a calibrated ``confidence``.

The model is small and ships in the package (``data/models/``): TF-IDF word and
character n-grams over the sentence with the source and target marked
(``[SRC] ... [/SRC]``, ``[TGT] ... [/TGT]``) plus n-grams of the stretch between
them (where the trigger verb usually is), a multinomial logistic regression, and
a temperature fitted on held-out folds so the probabilities are calibrated. It is
stored as plain arrays (``.npz``) and a JSON header, never as a pickle, so loading
runs no code and works across scikit-learn versions.

Build it with ``dateline train`` (see :mod:`dateline.train`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .context import Context
from .errors import ConfigError
from .model import Event, Story
from .pipeline import Stage

__all__ = [
    "LABELS",
    "EventClassifier",
    "RerankStage",
    "classification_scores",
    "expected_calibration_error",
    "fit",
    "load",
    "load_default",
    "mark_spans",
    "models_dir",
    "save",
]

#: PLOVER event types the classifier predicts (the PLV label set; YIELD = CONCEDE + RETREAT)
LABELS: tuple[str, ...] = (
    "ACCUSE",
    "AGREE",
    "AID",
    "ASSAULT",
    "COERCE",
    "CONSULT",
    "COOPERATE",
    "MOBILIZE",
    "PROTEST",
    "REJECT",
    "REQUEST",
    "SANCTION",
    "SUPPORT",
    "THREATEN",
    "YIELD",
)

MODEL_FILE = "event_type.npz"

#: vectorizer settings; kept in the model header so a saved model rebuilds the same features
_WORD = {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True, "lowercase": True}
_CHAR = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 3, "sublinear_tf": True, "lowercase": True}
_BETWEEN = {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True, "lowercase": True}


def models_dir() -> Path:
    """The package directory that holds the shipped model files."""
    return Path(str(resources.files("dateline").joinpath("data", "models")))


def mark_spans(text: str, source: str = "", target: str = "") -> str:
    """The text with the first occurrence of each span wrapped in markers.

    Args:
        text: the sentence.
        source: the source actor's text ("" when unknown).
        target: the target actor's text ("" when unknown).

    Returns:
        e.g. ``"[SRC] Iran [/SRC] condemned [TGT] the U.S. [/TGT]"``; a span not found
        in the text is left unmarked.
    """
    spans = []
    for span, tag in ((source, "SRC"), (target, "TGT")):
        i = text.find(span) if span else -1
        if i >= 0:
            spans.append((i, i + len(span), tag))
    out, pos = [], 0
    for start, end, tag in sorted(spans):
        if start < pos:  # overlapping spans: mark only the first
            continue
        out += [text[pos:start], f"[{tag}] ", text[start:end], f" [/{tag}]"]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def between(text: str, source: str = "", target: str = "") -> str:
    """The stretch between the source and target spans, where the trigger usually is.

    Falls back to the text after the source, or the whole text, when a span is missing.
    """
    s = text.find(source) if source else -1
    t = text.find(target) if target else -1
    if s >= 0 and t >= 0:
        a, b = sorted(((s, s + len(source)), (t, t + len(target))))
        return text[a[1] : b[0]] if b[0] > a[1] else text
    if s >= 0:
        return text[s + len(source) : s + len(source) + 120]
    return text


@dataclass(slots=True, kw_only=True)
class EventClassifier:
    """A fitted event-type classifier: vectorizers, linear weights and a temperature.

    Use :meth:`predict_proba` on candidates given as objects with ``text``,
    ``source`` and ``target`` attributes (e.g. :class:`dateline.train.Example`).
    """

    vectorizers: dict[str, Any]
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float = 1.0
    labels: tuple[str, ...] = LABELS
    model_id: str = "tfidf-lr"
    meta: dict[str, Any] = field(default_factory=dict)

    def features(self, items: Sequence[Any]) -> Any:
        """The sparse feature matrix for the candidates."""
        from scipy.sparse import hstack

        marked = [mark_spans(x.text, x.source, x.target) for x in items]
        betw = [between(x.text, x.source, x.target) for x in items]
        blocks = [
            self.vectorizers["word"].transform(marked),
            self.vectorizers["char"].transform(marked),
            self.vectorizers["between"].transform(betw),
        ]
        return hstack(blocks).tocsr()

    def logits(self, items: Sequence[Any]) -> np.ndarray:
        """Uncalibrated scores, one row per candidate and one column per label."""
        x = self.features(items)
        out: np.ndarray = np.asarray(x @ self.coef.T) + self.intercept
        return out

    def predict_proba(self, items: Sequence[Any]) -> np.ndarray:
        """Calibrated probabilities over :attr:`labels` for each candidate."""
        if not items:
            return np.zeros((0, len(self.labels)))
        return _softmax(self.logits(items) / self.temperature)

    def predict(self, items: Sequence[Any]) -> list[tuple[str, float]]:
        """The most probable label and its probability for each candidate."""
        probs = self.predict_proba(items)
        return [(self.labels[int(i)], float(p[i])) for p, i in zip(probs, probs.argmax(axis=1), strict=True)]

    def describe(self) -> dict[str, Any]:
        """Plain description for manifests: feature sizes and the temperature."""
        return {
            "model_id": self.model_id,
            "n_features": int(self.coef.shape[1]),
            "temperature": round(self.temperature, 4),
            "vectorizers": {k: len(v.vocabulary_) for k, v in self.vectorizers.items()},
        }


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


# --- training ---------------------------------------------------------------------


def _vectorizer(params: dict[str, Any], vocabulary: dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(dtype=np.float32, vocabulary=vocabulary, **params)


def fit(
    examples: Sequence[Any], seed: int = 13, *, c: float = 8.0, calibrate: bool = True
) -> EventClassifier:
    """Fit the classifier on labelled examples (``text``, ``source``, ``target``, ``label``).

    Args:
        examples: the training examples.
        seed: random seed (solver and calibration folds).
        c: inverse L2 regularisation strength of the logistic regression.
        calibrate: fit a temperature on a held-out quarter of the PLV rows (otherwise T = 1).

    Returns:
        The fitted classifier.
    """
    y = np.array([LABELS.index(e.label) for e in examples])
    model = _fit_once(examples, y, seed, c)
    if calibrate:
        model.temperature = _fit_temperature(examples, y, seed, c)
    return model


def _fit_once(examples: Sequence[Any], y: np.ndarray, seed: int, c: float) -> EventClassifier:
    from sklearn.linear_model import LogisticRegression

    vecs = {"word": _vectorizer(_WORD), "char": _vectorizer(_CHAR), "between": _vectorizer(_BETWEEN)}
    marked = [mark_spans(e.text, e.source, e.target) for e in examples]
    vecs["word"].fit(marked)
    vecs["char"].fit(marked)
    vecs["between"].fit([between(e.text, e.source, e.target) for e in examples])
    model = EventClassifier(vectorizers=vecs, coef=np.zeros((0, 0)), intercept=np.zeros(0))
    x = model.features(examples)
    lr = LogisticRegression(C=c, max_iter=2000, random_state=seed, class_weight="balanced")
    lr.fit(x, y)
    coef = np.zeros((len(LABELS), x.shape[1]), dtype=np.float32)
    intercept = np.full(len(LABELS), -1e4, dtype=np.float32)  # labels absent from training never win
    coef[lr.classes_] = lr.coef_
    intercept[lr.classes_] = lr.intercept_
    model.coef, model.intercept = coef, intercept
    return model


def _fit_temperature(examples: Sequence[Any], y: np.ndarray, seed: int, c: float) -> float:
    """The temperature minimising the log loss on a held-out quarter of the sentence-level data.

    The held-out part is drawn from the PLV rows only (when there are enough), so the
    probabilities are calibrated for news sentences, not for the synthetic stories.
    """
    from scipy.optimize import minimize_scalar
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(examples))
    news = np.array([getattr(e, "origin", "plv") in ("plv", "") for e in examples])
    pool = idx[news] if news.sum() >= 200 else idx
    counts = np.bincount(y[pool])
    strat = y[pool] if counts[counts > 0].min() >= 2 else None
    _, held = train_test_split(pool, test_size=0.25, random_state=seed, stratify=strat)
    keep = np.setdiff1d(idx, held)
    model = _fit_once([examples[i] for i in keep], y[keep], seed, c)
    logits = model.logits([examples[i] for i in held])
    gold = y[held]

    def nll(t: float) -> float:
        p = _softmax(logits / t)
        return float(-np.log(p[np.arange(len(gold)), gold] + 1e-12).mean())

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


# --- scoring ----------------------------------------------------------------------


def expected_calibration_error(correct: np.ndarray, confidence: np.ndarray, bins: int = 10) -> float:
    """ECE: the bin-weighted gap between confidence and accuracy (equal-width bins).

    Args:
        correct: 1 where the top prediction was right, else 0.
        confidence: the top predicted probability.
        bins: number of equal-width confidence bins.

    Returns:
        A number in [0, 1]; 0 means perfectly calibrated.
    """
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(ece)


def classification_scores(gold: Sequence[str], probs: np.ndarray) -> dict[str, Any]:
    """Accuracy, macro-F1, ECE and per-label F1 from gold labels and probabilities over LABELS."""
    from sklearn.metrics import accuracy_score, f1_score

    pred = [LABELS[int(i)] for i in probs.argmax(axis=1)]
    present = sorted(set(gold))
    correct = np.array([p == g for p, g in zip(pred, gold, strict=True)], dtype=float)
    per_label = f1_score(gold, pred, labels=present, average=None, zero_division=0)
    return {
        "n": len(gold),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(float(f1_score(gold, pred, labels=present, average="macro", zero_division=0)), 4),
        "ece": round(expected_calibration_error(correct, probs.max(axis=1)), 4),
        "per_label_f1": {lab: round(float(f), 4) for lab, f in zip(present, per_label, strict=True)},
        "predictions": pred,
    }


# --- persistence ------------------------------------------------------------------


def save(model: EventClassifier, directory: str | Path) -> Path:
    """Write the model as ``event_type.npz`` (arrays + a JSON header) and return its path."""
    header = {
        "model_id": model.model_id,
        "labels": list(model.labels),
        "temperature": model.temperature,
        "params": {"word": _WORD, "char": _CHAR, "between": _BETWEEN},
        "vocab": {k: _vocab_list(v.vocabulary_) for k, v in model.vectorizers.items()},
    }
    arrays = {f"idf_{k}": v.idf_.astype(np.float32) for k, v in model.vectorizers.items()}
    path = Path(directory) / MODEL_FILE
    with open(path, "wb") as fh:  # an open handle keeps numpy from appending ".npz"
        np.savez_compressed(
            fh,
            header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            coef=model.coef.astype(np.float16),
            intercept=model.intercept.astype(np.float32),
            **arrays,
        )
    return path


def _vocab_list(vocabulary: dict[str, int]) -> list[str]:
    terms = [""] * len(vocabulary)
    for term, i in vocabulary.items():
        terms[i] = term
    return terms


def load(path: str | Path) -> EventClassifier:
    """Load a model written by :func:`save`.

    Raises:
        ConfigError: the file is missing or not a dateline model.
    """
    try:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(bytes(z["header"]).decode("utf-8"))
            coef = z["coef"].astype(np.float32)
            intercept = z["intercept"]
            idf = {k: z[f"idf_{k}"] for k in header["vocab"]}
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(
            f"cannot load the event classifier from {path}: {exc}; rebuild it with `dateline train`"
        ) from None
    vecs = {}
    for key, terms in header["vocab"].items():
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in header["params"][key].items()}
        vec = _vectorizer(params, {t: i for i, t in enumerate(terms)})
        vec.idf_ = idf[key]
        vecs[key] = vec
    return EventClassifier(
        vectorizers=vecs,
        coef=coef,
        intercept=intercept,
        temperature=float(header["temperature"]),
        labels=tuple(header["labels"]),
        model_id=str(header["model_id"]),
    )


def load_default(ctx: Context | None = None) -> EventClassifier | None:
    """The shipped model (cached on ``ctx``), or None when no model file is installed."""
    path = models_dir() / MODEL_FILE
    if not path.exists():
        return None
    if ctx is None:
        return load(path)
    return ctx.resource("classifier.event_type", lambda: load(path))


# --- the re-ranking stage -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    """What the classifier reads for one event: the sentence and the two spans."""

    text: str
    source: str
    target: str


def fold_type(plover_type: str) -> str:
    """A PLOVER 0.8 type in the classifier's label set (CONCEDE/RETREAT -> YIELD)."""
    t = (plover_type or "").upper()
    return "YIELD" if t in {"CONCEDE", "RETREAT"} else t


class RerankStage(Stage):
    """Score each rule event with the classifier; in ``rerank`` mode, maybe switch its code.

    For every event whose code maps to a PLOVER type, the classifier gives calibrated
    probabilities for (sentence, source span, target span). The candidate codes are
    the event's own code and the base codes of the lexicon patterns for the same
    trigger lemma (the codes the rule evidence supports). With
    ``events.classifier = "rerank"`` the event moves to the candidate whose type is
    most probable when that type beats the rule's by ``rerank_margin`` and reaches
    ``rerank_min_probability``; ``decided_by`` then names the classifier. Otherwise
    the rule's code stays, ``confidence`` becomes the classifier's probability of its
    type and ``decided_by`` becomes "rules+classifier" (in rerank mode). Trigger,
    spans and reason (evidence) are always kept.
    """

    name = "dateline.events.rerank.v1"
    requires = frozenset({"events"})
    provides = frozenset({"events_ranked"})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.model = load_default(ctx)
        self.settings = ctx.settings.events
        self._batch_probs: dict[str, Any] = {}  # story id -> probabilities, filled per batch by pipe()

    def pipe(self, stories: Iterable[Story]) -> Iterator[Story]:
        """Score a batch's events in one ``predict_proba`` call (each call has a fixed cost of ~5 ms)."""
        batch: list[Story] = []
        for story in stories:
            batch.append(story)
            if len(batch) >= self.ctx.settings.nlp.batch_size:
                yield from self._pipe_batch(batch)
                batch = []
        if batch:
            yield from self._pipe_batch(batch)

    def _pipe_batch(self, batch: list[Story]) -> Iterator[Story]:
        """Precompute every story's probabilities, then run each story through ``__call__``."""
        self._precompute(batch)
        try:
            yield from (self(s) for s in batch)
        finally:
            self._batch_probs.clear()

    def _precompute(self, batch: list[Story]) -> None:
        if self.model is None:
            return
        labels = self.model.labels
        todo = [
            (s, [e for e in s.events if fold_type(e.plover_type) in labels]) for s in batch if not s.failures
        ]
        try:
            probs = self.model.predict_proba([self._candidate(s, e) for s, evs in todo for e in evs])
        except Exception:  # noqa: BLE001 - process() then scores story by story and records the one that fails
            return
        at = 0
        for s, evs in todo:
            self._batch_probs[s.id] = probs[at : at + len(evs)]
            at += len(evs)

    def process(self, story: Story) -> Story:
        if self.model is None or not story.events:
            return story
        scored = [(i, e) for i, e in enumerate(story.events) if fold_type(e.plover_type) in self.model.labels]
        if not scored:
            return story
        ready = self._batch_probs.get(story.id)
        if ready is not None:
            probs = ready
        else:
            probs = self.model.predict_proba([self._candidate(story, e) for _, e in scored])
        events = list(story.events)
        for (i, event), p in zip(scored, probs, strict=True):
            events[i] = self._decide(story, event, dict(zip(self.model.labels, p.tolist(), strict=True)))
        return dataclasses.replace(story, events=tuple(events))

    @property
    def _model_id(self) -> str:
        return self.model.model_id if self.model is not None else "none"

    def _candidate(self, story: Story, event: Event) -> _Candidate:
        text = (
            story.sentences[event.sentence].text if 0 <= event.sentence < len(story.sentences) else story.text
        )
        return _Candidate(
            text=text,
            source=event.source_span.text if event.source_span else "",
            target=event.target_span.text if event.target_span else "",
        )

    def _decide(self, story: Story, event: Event, probs: dict[str, float]) -> Event:
        """Steps: 1. probability of the rule's type; 2. best compatible candidate; 3. switch or annotate."""
        rule_type = fold_type(event.plover_type)
        p_rule = probs[rule_type]
        note = f"; classifier {self._model_id} P({rule_type})={p_rule:.2f}"
        if self.settings.classifier != "rerank":
            return dataclasses.replace(event, confidence=round(p_rule, 3), reason=event.reason + note)
        best_code, best_type = self._best_candidate(story, event, probs)
        p_best = probs.get(best_type, 0.0)
        if (
            best_code != event.cameo
            and p_best >= self.settings.rerank_min_probability
            and p_best - p_rule >= self.settings.rerank_margin
        ):
            return self._switch(
                event, best_code, p_best, note + f"; switched to {best_code} ({best_type} P={p_best:.2f})"
            )
        return dataclasses.replace(
            event, confidence=round(p_rule, 3), decided_by="rules+classifier", reason=event.reason + note
        )

    def _best_candidate(self, story: Story, event: Event, probs: dict[str, float]) -> tuple[str, str]:
        from .ontology import ontology

        onto = ontology(self.ctx)
        best = (event.cameo, fold_type(event.plover_type))
        for code in self._candidate_codes(story, event):
            rec = onto.codes.get(code)
            ptype = fold_type(rec.plover_type) if rec else ""
            if ptype in probs and probs[ptype] > probs.get(best[1], 0.0):
                best = (code, ptype)
        return best

    def _candidate_codes(self, story: Story, event: Event) -> list[str]:
        """The base codes of the lexicon patterns for the trigger's lemma (and its surface form)."""
        from .lexicon import lexicon

        if event.trigger is None:
            return []
        lex = lexicon(self.ctx)
        words = {event.trigger.text.lower(), _lemma_at(story, event.trigger.start)}
        codes = []
        for word in words - {""}:
            for pattern in (*lex.by_verb.get(word, ()), *lex.by_noun.get(word, ())):
                codes.append(pattern.code)
        return sorted(set(codes))

    def _switch(self, event: Event, code: str, probability: float, note: str) -> Event:
        from .ontology import ontology

        onto = ontology(self.ctx)
        rec = onto.get(code)
        return dataclasses.replace(
            event,
            cameo=code,
            root=rec.root,
            name=rec.name,
            goldstein=rec.goldstein,
            quad_class=onto.quad_class(code, event.quad_convention or self.settings.quad_convention),
            plover_type=rec.plover_type,
            plover_mode=rec.plover_mode,
            confidence=round(probability, 3),
            decided_by=f"classifier:{self._model_id}",
            reason=event.reason + note,
        )


def _lemma_at(story: Story, offset: int) -> str:
    """The lemma of the spaCy token starting at ``offset``, or "" without a doc."""
    if story.doc is None:
        return ""
    for tok in story.doc:
        if tok.idx == offset:
            return str(tok.lemma_).lower()
    return ""
