"""The evaluation harness behind ``dateline eval SUITE``.

Suites are registered by import path in :data:`SUITES` (so a suite whose module is
written elsewhere works as soon as that module exists). Each returns a JSON-ready
dict with a flat ``summary`` of metrics and optional ``tables`` for printing.

articles
    Codes every ``X.txt`` that has an ``X.gold.json`` (format: ``eval/ANNOTATION.md``)
    and scores the events at two levels:

    * lenient: same CAMEO root (or an ``alt_cameo`` root), same source and target
      principal (first three letters of a state code, the whole code of an
      IGO/NGO, "" for an unknown target);
    * strict: also the full code (or an alt), the full actor codes (roles) and the
      date when the gold has one.

    Matching is one-to-one (Hungarian), preferring required gold events. Gold
    events marked ``optional`` are neither required nor false positives when
    produced. Also: metadata accuracy per field, extraction checks, per-root and
    per-article breakdowns and a confusion table of roots.
plv
    ``classify``: PLOVER root from (sentence, source, target); accuracy and
    macro-F1, with 5-fold cross-validation when the file is the training split
    of the shipped model. ``end-to-end``: the pipeline codes the sentence; right
    when an event of the gold type has source/target spans overlapping the gold.
plover-gsr, actors
    Delegated to ``dateline.events.evaluate_plover_gsr`` /
    ``dateline.actors.evaluate_actors`` when those exist (fallback scorer for
    plover-gsr here).
zyte, wcxb
    Extraction benchmarks from :mod:`dateline.evaluate_extraction`.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .context import Context
from .errors import ConfigError, InputError
from .model import Event, Meta, Story

__all__ = [
    "SUITES",
    "GoldEvent",
    "PredEvent",
    "SuiteOptions",
    "match_events",
    "principal",
    "run_suite",
    "score_article_events",
    "score_events",
    "write_result",
]

#: suite name -> "module:function"; every function takes (ctx, SuiteOptions) unless it
#: lives in another module, in which case only the keyword arguments it declares are passed
SUITES: dict[str, str] = {
    "articles": "dateline.evaluate:suite_articles",
    "plv": "dateline.evaluate:suite_plv",
    "plover-gsr": "dateline.evaluate:suite_plover_gsr",
    "actors": "dateline.evaluate:suite_actors",
    "zyte": "dateline.evaluate_extraction:score_zyte",
    "wcxb": "dateline.evaluate_extraction:score_wcxb",
    "articles-extraction": "dateline.evaluate_extraction:score_articles_extraction",
}

DEFAULT_SHARED = Path("/work/shared")


@dataclass(frozen=True, slots=True, kw_only=True)
class SuiteOptions:
    """Options shared by the suites (the CLI fills them)."""

    data: Path | None = None  # a directory or file overriding the suite's default data
    shared: Path = DEFAULT_SHARED
    include_seed: bool = True
    mode: str = "classify"  # plv: classify | end-to-end | both
    limit: int | None = None
    folds: int = 5
    seed: int = 13


# --- event matching ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldEvent:
    """A gold event from a ``.gold.json`` file."""

    source: str
    target: str
    cameo: str
    alt_cameo: tuple[str, ...] = ()
    date: date | None = None
    optional: bool = False
    evidence: str = ""

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> GoldEvent:
        """Build from the annotation JSON (see ANNOTATION.md)."""
        return cls(
            source=d.get("source") or "",
            target=d.get("target") or "",
            cameo=str(d["cameo"]),
            alt_cameo=tuple(str(a) for a in d.get("alt_cameo") or ()),
            date=date.fromisoformat(d["date"]) if d.get("date") else None,
            optional=bool(d.get("optional", False)),
            evidence=d.get("evidence") or "",
        )

    @property
    def codes(self) -> set[str]:
        """The gold code and its alternatives."""
        return {self.cameo, *self.alt_cameo}


@dataclass(frozen=True, slots=True, kw_only=True)
class PredEvent:
    """A predicted event reduced to what the scorer compares."""

    source: str
    target: str
    cameo: str
    date: date | None = None
    sentence: int = -1

    @classmethod
    def from_event(cls, e: Event) -> PredEvent:
        """From a pipeline :class:`~dateline.model.Event`."""
        return cls(
            source=e.source or "", target=e.target or "", cameo=e.cameo, date=e.date, sentence=e.sentence
        )


def principal(code: str) -> str:
    """The principal of an actor code: whole code for IGO/NGO, first 3 letters otherwise."""
    code = (code or "").strip().upper()
    if code.startswith(("IGO", "NGO")):
        return code
    return code[:3]


def _root(code: str) -> str:
    return code[:2]


def _match(level: str, p: PredEvent, g: GoldEvent) -> bool:
    same_actors = principal(p.source) == principal(g.source) and principal(p.target) == principal(g.target)
    if level == "actors":
        return same_actors
    if not same_actors or _root(p.cameo) not in {_root(c) for c in g.codes}:
        return False
    if level == "lenient":
        return True
    return (
        p.cameo in g.codes
        and p.source.upper() == g.source.upper()
        and p.target.upper() == g.target.upper()
        and (g.date is None or p.date == g.date)
    )


def match_events(pred: Sequence[PredEvent], gold: Sequence[GoldEvent], level: str) -> list[tuple[int, int]]:
    """One-to-one matching of predictions to gold at ``level`` (lenient | strict | actors).

    Hungarian assignment maximising matched required gold first, then matched
    optional gold (so a prediction of an optional event is not a false positive),
    and for ``actors`` preferring pairs with the same root.

    Returns:
        (prediction index, gold index) pairs.
    """
    if not pred or not gold:
        return []
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    big = len(pred) * len(gold) + 1  # lexicographic: one required match beats all optional ones
    w = np.zeros((len(pred), len(gold)))
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if _match(level, p, g):
                w[i, j] = (big if not g.optional else 1.0) + (
                    0.5 if _root(p.cameo) == _root(g.cameo) else 0.0
                )
    rows, cols = linear_sum_assignment(w, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if w[i, j] > 0]


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        """Accumulate another count."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def prf(self) -> dict[str, float | int]:
        """Precision, recall, F1 (1.0 when there is nothing to find and nothing found)."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def score_events(
    pred: Sequence[PredEvent], gold: Sequence[GoldEvent], level: str
) -> tuple[Counts, list[tuple[int, int]]]:
    """Counts at ``level`` for one article, and the matched pairs.

    Args:
        pred: predicted events.
        gold: gold events (optional ones are neither required nor false positives).
        level: lenient | strict.

    Returns:
        The counts and the (pred, gold) pairs.
    """
    pairs = match_events(pred, gold, level)
    matched_pred = {i for i, _ in pairs}
    matched_req = sum(1 for _, j in pairs if not gold[j].optional)
    required = sum(1 for g in gold if not g.optional)
    counts = Counts(tp=matched_req, fp=len(pred) - len(matched_pred), fn=required - matched_req)
    return counts, pairs


@dataclass(slots=True)
class EventTally:
    """Event scores accumulated over articles."""

    levels: dict[str, Counts] = field(default_factory=lambda: {"lenient": Counts(), "strict": Counts()})
    per_root: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)


def score_article_events(
    pred: Sequence[PredEvent], gold: Sequence[GoldEvent], tally: EventTally
) -> dict[str, Any]:
    """Score one article, add it to ``tally`` and return its lenient/strict scores."""
    out: dict[str, Any] = {}
    for level in ("lenient", "strict"):
        counts, pairs = score_events(pred, gold, level)
        tally.levels[level].add(counts)
        out[level] = counts.prf()
        if level == "lenient":
            _per_root(pred, gold, pairs, tally)
    _confusion(pred, gold, tally)
    return out


def _per_root(
    pred: Sequence[PredEvent], gold: Sequence[GoldEvent], pairs: list[tuple[int, int]], tally: EventTally
) -> None:
    """Lenient TP/FN per gold root and FP per predicted root."""
    matched_pred = {i for i, _ in pairs}
    matched_gold = {j for _, j in pairs}
    for j, g in enumerate(gold):
        if not g.optional:
            tally.per_root[_root(g.cameo)].tp += j in matched_gold
            tally.per_root[_root(g.cameo)].fn += j not in matched_gold
    for i, p in enumerate(pred):
        if i not in matched_pred:
            tally.per_root[_root(p.cameo)].fp += 1


def _confusion(pred: Sequence[PredEvent], gold: Sequence[GoldEvent], tally: EventTally) -> None:
    """(gold root, predicted root) over actor-matched pairs; "-" for a missing side."""
    pairs = match_events(pred, gold, "actors")
    matched_pred = {i for i, _ in pairs}
    matched_gold = {j for _, j in pairs}
    for i, j in pairs:
        if not gold[j].optional or _root(pred[i].cameo) in {_root(c) for c in gold[j].codes}:
            tally.confusion[(_root(gold[j].cameo), _root(pred[i].cameo))] += 1
    for j, g in enumerate(gold):
        if j not in matched_gold and not g.optional:
            tally.confusion[(_root(g.cameo), "-")] += 1
    for i, p in enumerate(pred):
        if i not in matched_pred:
            tally.confusion[("-", _root(p.cameo))] += 1


# --- metadata and extraction checks ----------------------------------------------


def _norm(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split()).casefold()


def predicted_meta(m: Meta) -> dict[str, str | None]:
    """Extracted metadata in the gold files' field names and formats (see ANNOTATION.md)."""
    published = m.published_date or (m.published.date() if m.published else None)
    return {
        "title": m.title,
        "published": published.isoformat() if published else None,
        "published_time": m.published.isoformat() if m.published else None,
        "dateline": m.dateline,
        "agency": m.agency,
        "byline": m.byline,
        "section": m.section,
    }


def meta_checks(gold_meta: dict[str, Any], story: Story) -> dict[str, bool]:
    """Field -> whether the predicted value equals the gold (case/space-insensitive)."""
    got = predicted_meta(story.meta)
    return {k: _norm(got.get(k)) == _norm(v) for k, v in gold_meta.items() if k in got}


def extraction_checks(gold: dict[str, Any], text: str) -> dict[str, bool]:
    """Body starts with ``body_first``, ends with ``body_last``, no boilerplate survives."""
    body = _norm(text)
    first, last = _norm(gold.get("body_first")), _norm(gold.get("body_last"))
    return {
        "body_first": bool(first) and body.startswith(first),
        "body_last": bool(last) and body.endswith(last),
        "boilerplate_removed": all(_norm(b) not in body for b in gold.get("boilerplate") or ()),
    }


# --- the articles suite ------------------------------------------------------------


def article_pairs(directory: Path) -> list[tuple[str, Path, Path]]:
    """(id, text file, gold file) for every ``X.txt`` with an ``X.gold.json`` beside it."""
    out = []
    for gold in sorted(directory.glob("*.gold.json")):
        stem = gold.name[: -len(".gold.json")]
        txt = gold.with_name(stem + ".txt")
        if txt.exists():
            out.append((stem, txt, gold))
    return out


def _article_sources(opts: SuiteOptions) -> list[tuple[str, Path, Path]]:
    directory = opts.data or opts.shared / "eval" / "articles"
    if not directory.is_dir():
        raise InputError(
            f"articles directory {directory} not found; pass --data DIR with NNN.txt + NNN.gold.json"
        )
    pairs = article_pairs(directory)
    if opts.include_seed and opts.data is None:
        pairs += [(f"seed:{s}", t, g) for s, t, g in article_pairs(opts.shared / "seed")]
    return pairs[: opts.limit] if opts.limit else pairs


def suite_articles(ctx: Context, opts: SuiteOptions) -> dict[str, Any]:
    """Code the annotated articles with the full pipeline and score them.

    Args:
        ctx: the context (settings decide e.g. whether the re-ranker runs).
        opts: ``data`` (directory), ``include_seed``, ``limit``.

    Returns:
        summary, per_article, per_root, confusion, meta and extraction results.
    """
    from .api import build_pipeline
    from .readers import read_path

    pipeline = build_pipeline(ctx)
    pairs = _article_sources(opts)
    tally = EventTally()
    meta_ok: Counter[str] = Counter()
    meta_seen: Counter[str] = Counter()  # a field is scored only on articles whose gold has it
    extract_ok: Counter[str] = Counter()
    per_article = []
    for art_id, txt, gold_path in pairs:
        gold = json.loads(gold_path.read_text("utf-8"))
        story = pipeline(read_path(txt, ctx.settings))
        gold_events = [GoldEvent.from_json(e) for e in gold.get("events", [])]
        pred_events = [PredEvent.from_event(e) for e in story.events]
        scores = score_article_events(pred_events, gold_events, tally)
        checks = meta_checks(gold.get("meta", {}), story)
        meta_seen.update(checks)
        meta_ok.update(k for k, ok in checks.items() if ok)
        extract_ok.update(k for k, ok in extraction_checks(gold, story.text).items() if ok)
        per_article.append(
            {
                "id": art_id,
                "gold": sum(1 for g in gold_events if not g.optional),
                "optional": sum(1 for g in gold_events if g.optional),
                "predicted": len(pred_events),
                "lenient_f1": scores["lenient"]["f1"],
                "strict_f1": scores["strict"]["f1"],
                "failures": [f"{f.stage}: {f.error}" for f in story.failures],
                "events": [f"{p.source}>{p.target} {p.cameo}" for p in pred_events],
            }
        )
    meta_rates = {k: round(meta_ok[k] / seen, 4) for k, seen in sorted(meta_seen.items())}
    result = _articles_result(tally, per_article, meta_rates, extract_ok, len(pairs), pipeline.names)
    result["summary"]["data_sha256"] = suite_data_sha256("articles", opts)
    return result


def _articles_result(
    tally: EventTally,
    per_article: list[dict[str, Any]],
    meta_rates: dict[str, float],
    extract_ok: Counter[str],
    n: int,
    stages: list[str],
) -> dict[str, Any]:
    lenient, strict = tally.levels["lenient"].prf(), tally.levels["strict"].prf()
    seed = [a for a in per_article if a["id"].startswith("seed:")]
    summary: dict[str, Any] = {
        "articles": n,
        "lenient_precision": lenient["precision"],
        "lenient_recall": lenient["recall"],
        "lenient_f1": lenient["f1"],
        "strict_precision": strict["precision"],
        "strict_recall": strict["recall"],
        "strict_f1": strict["f1"],
        "failures": sum(1 for a in per_article if a["failures"]),
    }
    if seed:
        summary["seed_lenient_f1"] = seed[0]["lenient_f1"]
    summary.update({f"meta_{k}": rate for k, rate in meta_rates.items()})
    summary.update({f"extract_{k}": round(v / n, 4) for k, v in sorted(extract_ok.items())} if n else {})
    return {
        "summary": summary,
        "levels": {"lenient": lenient, "strict": strict},
        "per_root": {r: c.prf() for r, c in sorted(tally.per_root.items())},
        "confusion": [{"gold": g, "pred": p, "count": c} for (g, p), c in sorted(tally.confusion.items())],
        "per_article": per_article,
        "stages": stages,
        "tables": _articles_tables(tally, per_article),
    }


def _articles_tables(tally: EventTally, per_article: list[dict[str, Any]]) -> list[dict[str, Any]]:
    roots = [[r, c.tp, c.fp, c.fn, c.prf()["f1"]] for r, c in sorted(tally.per_root.items())]
    arts = [
        [a["id"], a["gold"], a["optional"], a["predicted"], a["lenient_f1"], a["strict_f1"]]
        for a in per_article
    ]
    # the off-diagonal cells only, most frequent first: a full root-by-root matrix is too wide to read
    cells = sorted((-c, g, p) for (g, p), c in tally.confusion.items() if g != p)
    conf: list[list[Any]] = [[g, p, -c] for c, g, p in cells]
    return [
        {"title": "per root (lenient)", "columns": ["root", "tp", "fp", "fn", "f1"], "rows": roots},
        {
            "title": "per article",
            "columns": ["article", "gold", "optional", "pred", "lenient F1", "strict F1"],
            "rows": arts,
        },
        {
            "title": "root confusions (actor-matched pairs; '-' = none)",
            "columns": ["gold root", "predicted root", "count"],
            "rows": conf,
        },
    ]


# --- the PLV suite -----------------------------------------------------------------


def suite_plv(ctx: Context, opts: SuiteOptions) -> dict[str, Any]:
    """Score PLV-format sentences: ``classify``, ``end-to-end`` or ``both`` modes.

    Args:
        ctx: the context.
        opts: ``data`` (CSV; default the PLV train split), ``mode``, ``folds``, ``seed``, ``limit``.

    Returns:
        summary with ``classify_*`` and/or ``e2e_*`` metrics.
    """
    from .train import load_plv

    path = opts.data or opts.shared / "eval" / "plv" / "plv_train.csv"
    if not path.exists():
        raise InputError(
            f"PLV file {path} not found; pass --data FILE (columns sentence_id,text,label,source,target)"
        )
    rows = load_plv(path)[: opts.limit] if opts.limit else load_plv(path)
    if opts.mode not in {"classify", "end-to-end", "both"}:
        raise ConfigError(f"unknown PLV mode {opts.mode!r}; use classify, end-to-end or both")
    result: dict[str, Any] = {
        "summary": {"sentences": len(rows), "data_sha256": suite_data_sha256("plv", opts)}
    }
    if opts.mode in {"classify", "both"}:
        result["classify"] = _plv_classify(ctx, opts, path, rows)
        result["summary"].update(
            {f"classify_{k}": v for k, v in result["classify"].items() if not isinstance(v, (dict, list))}
        )
    if opts.mode in {"end-to-end", "both"}:
        result["end_to_end"] = _plv_end_to_end(ctx, rows)
        result["summary"].update(
            {f"e2e_{k}": v for k, v in result["end_to_end"].items() if not isinstance(v, (dict, list))}
        )
    return result


def _is_training_split(path: Path) -> bool:
    from .classifier import models_dir
    from .train import sha256_file

    manifest = models_dir() / "manifest.json"
    if not manifest.exists():
        return path.name == "plv_train.csv"
    hashes = json.loads(manifest.read_text("utf-8")).get("data_sha256", {})
    return bool(hashes.get("plv") == sha256_file(path))


def _plv_classify(ctx: Context, opts: SuiteOptions, path: Path, rows: list[Any]) -> dict[str, Any]:
    """Cross-validated when ``path`` is the model's own training split, else the shipped model."""
    from . import classifier, train

    if _is_training_split(path):
        data = train.load_training_data(train.default_paths(opts.shared), classifier.LABELS)
        if opts.limit:
            data = train.TrainingData(plv=tuple(rows), extra=data.extra, hashes=data.hashes)
        scores = train.cross_validate_plv(data, classifier.fit, folds=opts.folds, seed=opts.seed)
        scores["protocol"] = f"{opts.folds}-fold CV over the PLV rows (extra data in every training fold)"
    else:
        model = classifier.load_default(ctx)
        if model is None:
            raise ConfigError("no classifier model is installed; build it with `dateline train`")
        scores = classifier.classification_scores([r.label for r in rows], model.predict_proba(rows))
        scores["protocol"] = f"shipped model {model.model_id}"
    scores.pop("predictions", None)
    return scores


def _overlaps(text: str, gold_span: str, span: Any) -> bool:
    """Whether a predicted span overlaps any occurrence of the gold span text."""
    if not gold_span:
        return True
    if span is None:
        return False
    for m in re.finditer(re.escape(gold_span), text):
        if m.start() < span.end and span.start < m.end():
            return True
    return False


def _plv_end_to_end(ctx: Context, rows: Sequence[Any]) -> dict[str, Any]:
    from .api import build_pipeline
    from .readers import story_from_text
    from .train import _fold

    pipeline = build_pipeline(ctx)
    right_type = right_event = 0
    per_label: dict[str, Counts] = defaultdict(Counts)
    for row in rows:
        story = pipeline(story_from_text(row.text, source="plv"))
        typed = [e for e in story.events if _fold(e.plover_type or "") == row.label]
        ok = any(
            _overlaps(story.text, row.source, e.source_span)
            and _overlaps(story.text, row.target, e.target_span)
            for e in typed
        )
        right_type += bool(typed)
        right_event += ok
        per_label[row.label].tp += ok
        per_label[row.label].fn += not ok
    n = len(rows) or 1
    return {
        "accuracy": round(right_event / n, 4),
        "type_found": round(right_type / n, 4),
        "per_label_recall": {k: v.prf()["recall"] for k, v in sorted(per_label.items())},
    }


# --- plover-gsr and actors ---------------------------------------------------------


def _delegate(module: str, name: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def _call_with(fn: Callable[..., Any], **available: Any) -> Any:
    """Call ``fn`` with the subset of ``available`` keyword arguments it declares."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(**available)
    return fn(**{k: v for k, v in available.items() if k in params and v is not None})


def suite_plover_gsr(ctx: Context, opts: SuiteOptions) -> dict[str, Any]:
    """PLOVER type and source-principal accuracy on the PLOVER gold-standard records."""
    path = opts.data or opts.shared / "eval" / "plover_gsr.jsonl"
    fn = _delegate("dateline.events", "evaluate_plover_gsr")
    if fn is not None:
        return _as_result(_call_with(fn, path=str(path), ctx=ctx, limit=opts.limit))
    return _plover_gsr_fallback(ctx, path, opts.limit)


def _plover_gsr_fallback(ctx: Context, path: Path, limit: int | None) -> dict[str, Any]:
    from .api import build_pipeline
    from .readers import story_from_text
    from .train import _fold

    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    records = records[:limit] if limit else records
    pipeline = build_pipeline(ctx)
    top = any_ = src = with_src = 0
    for rec in records:
        gold_type = _fold(rec.get("event_v08") or "")
        story = pipeline(story_from_text(rec["text"], source=rec["id"]))
        types = [_fold(e.plover_type or "") for e in story.events]
        top += bool(types) and types[0] == gold_type
        any_ += gold_type in types
        gold_src = {principal(a["code"]) for a in rec.get("actor", []) if a.get("code")}
        if gold_src:
            with_src += 1
            src += any(
                principal(e.source) in gold_src for e in story.events if _fold(e.plover_type) == gold_type
            )
    n = len(records) or 1
    return {
        "summary": {
            "records": len(records),
            "type_accuracy_first_event": round(top / n, 4),
            "type_found": round(any_ / n, 4),
            "source_principal_accuracy": round(src / (with_src or 1), 4),
        }
    }


def suite_actors(ctx: Context, opts: SuiteOptions) -> dict[str, Any]:
    """Actor-resolution accuracy, scored by ``dateline.actors.evaluate_actors``."""
    path = opts.data or opts.shared / "eval" / "actor_cases.json"
    fn = _delegate("dateline.actors", "evaluate_actors")
    if fn is None:
        raise ConfigError(
            "the actors suite needs dateline.actors.evaluate_actors, which is not available yet"
        )
    return _as_result(_call_with(fn, path=str(path), ctx=ctx, limit=opts.limit))


def _as_result(value: Any) -> dict[str, Any]:
    """Wrap a scorer's flat dict (or dataclass) as ``{"summary": ...}`` unless it already is one."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    elif not isinstance(value, dict):
        import dataclasses

        is_record = dataclasses.is_dataclass(value) and not isinstance(value, type)
        value = dataclasses.asdict(value) if is_record else {"result": value}
    if "summary" in value:
        return dict(value)
    flat = {k: v for k, v in value.items() if isinstance(v, (int, float, str, bool)) or v is None}
    return {"summary": flat, **{k: v for k, v in value.items() if k not in flat}}


# --- running and output ------------------------------------------------------------


def run_suite(name: str, ctx: Context, opts: SuiteOptions) -> dict[str, Any]:
    """Run the suite registered as ``name``.

    Args:
        name: a key of :data:`SUITES`.
        ctx: the context.
        opts: suite options.

    Returns:
        The suite's result with ``suite`` and ``summary`` keys.
    """
    target = SUITES.get(name)
    if target is None:
        raise ConfigError(f"unknown suite {name!r}; choose one of: {', '.join(SUITES)}")
    module, _, attr = target.partition(":")
    fn = _delegate(module, attr)
    if fn is None:
        raise ConfigError(f"suite {name!r} needs {target}, which is not available in this installation")
    if module == __name__:
        result = fn(ctx, opts)
    else:
        root = str(opts.data) if opts.data else None
        result = _as_result(_call_with(fn, root=root, directory=root, limit=opts.limit))
        if name in _EXTRACTION_DATA:
            result["summary"].setdefault("data_sha256", suite_data_sha256(name, opts))
    return {"suite": name, **result}


def write_result(result: dict[str, Any], path: Path) -> Path:
    """Write the result as indented JSON (tables dropped; they repeat the data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {k: v for k, v in result.items() if k != "tables"}
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", "utf-8")
    return path


def print_result(result: dict[str, Any], *, detail: bool = True) -> None:
    """Print the summary (and the suite's tables when ``detail``) with rich."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    summary = Table(title=f"dateline eval {result.get('suite', '')}", show_header=True)
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    for key, value in result.get("summary", {}).items():
        summary.add_row(key, _fmt(value))
    console.print(summary)
    for spec in result.get("tables", []) if detail else []:
        table = Table(title=spec["title"])
        for col in spec["columns"]:
            table.add_column(str(col))
        for row in spec["rows"]:
            table.add_row(*(_fmt(v) for v in row))
        console.print(table)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def iter_suite_names() -> Iterable[str]:
    """The registered suite names."""
    return iter(SUITES)


# --- data hashes and the quality floors ---------------------------------------------

#: the metrics of each suite that the quality gate pins (summary keys)
GATED: dict[str, tuple[str, ...]] = {
    "articles": ("lenient_f1", "strict_f1", "seed_lenient_f1"),
    "plv": ("classify_accuracy", "classify_macro_f1"),
    "zyte": ("f1",),
    "wcxb": ("body_f1", "title_exact", "date_accuracy", "no_date_right", "author_exact"),
}

#: where each HTML benchmark lives under the shared folder, and the file patterns it scores
_EXTRACTION_DATA: dict[str, tuple[str, tuple[str, ...]]] = {
    "zyte": ("extraction/zyte", ("ground-truth.json", "html/*.html.gz")),
    "wcxb": ("extraction/wcxb-dev", ("ground-truth/*.json", "html/*.html.gz")),
}


def files_sha256(paths: Iterable[Path]) -> str:
    """One SHA-256 over the names and bytes of the files, in sorted name order."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted(paths, key=lambda p: (p.parent.name, p.name)):
        h.update(f"{path.parent.name}/{path.name}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def suite_data_sha256(name: str, opts: SuiteOptions) -> str:
    """The hash of the data a gated suite scores (articles + seed, or the PLV CSV)."""
    if name == "articles":
        return files_sha256(
            p for _, t, g in _article_sources(dataclasses_replace(opts, limit=None)) for p in (t, g)
        )
    if name == "plv":
        from .train import sha256_file

        return sha256_file(opts.data or opts.shared / "eval" / "plv" / "plv_train.csv")
    if name in _EXTRACTION_DATA:
        folder, patterns = _EXTRACTION_DATA[name]
        root = opts.data or opts.shared / folder
        return files_sha256(p for pattern in patterns for p in root.glob(pattern))
    raise ConfigError(f"suite {name!r} has no quality floors; gated suites: {', '.join(GATED)}")


def dataclasses_replace(opts: SuiteOptions, **changes: Any) -> SuiteOptions:
    """A copy of the options with some fields changed."""
    import dataclasses

    return dataclasses.replace(opts, **changes)


def load_floors(path: Path) -> dict[str, dict[str, Any]]:
    """The pinned floors: ``{suite: {"data_sha256": ..., metric: floor, ...}}``."""
    import tomllib

    if not path.exists():
        return {}
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def check_floors(name: str, summary: dict[str, Any], floors: dict[str, dict[str, Any]]) -> list[str]:
    """Problems with a suite's result against its floors (empty list = passes).

    Args:
        name: the suite.
        summary: the suite's summary, including ``data_sha256``.
        floors: as from :func:`load_floors`.

    Returns:
        One message per metric under its floor, or for a changed data hash.
    """
    pinned = floors.get(name, {})
    problems = []
    if pinned.get("data_sha256") and summary.get("data_sha256") != pinned["data_sha256"]:
        problems.append(
            f"{name}: the evaluation data changed (sha256 {summary.get('data_sha256')} != pinned "
            f"{pinned['data_sha256']}); re-measure and pin with `dateline eval {name} --update-floors`"
        )
    for metric in GATED.get(name, ()):
        floor = pinned.get(metric)
        if floor is not None and float(summary.get(metric, 0.0)) < float(floor):
            problems.append(f"{name}.{metric} = {summary.get(metric)} is below its floor {floor}")
    return problems


def update_floors(
    name: str,
    summary: dict[str, Any],
    path: Path,
    *,
    allow_lower: bool = False,
    changelog: Path | None = None,
    reason: str = "",
) -> dict[str, float]:
    """Pin the suite's measured metrics as its floors (rounded down to 0.01).

    Raising a floor is always allowed. Lowering one needs ``allow_lower`` and a
    ``reason``; the lowering is then recorded as a line in ``changelog``.

    Returns:
        The metrics that changed, with their new floors.
    """
    floors = load_floors(path)
    old = floors.get(name, {})
    new = {m: _floor(float(summary[m])) for m in GATED.get(name, ()) if m in summary}
    lowered = {m: v for m, v in new.items() if m in old and v < float(old[m])}
    if lowered and not (allow_lower and reason):
        names = ", ".join(f"{name}.{m} {old[m]} -> {v}" for m, v in lowered.items())
        raise ConfigError(
            f"this would lower floors ({names}); pass --allow-lower with --reason TEXT to do it on purpose"
        )
    if lowered and changelog is not None:
        _log_lowering(changelog, name, lowered, old, reason)
    changed = {m: v for m, v in new.items() if old.get(m) != v}
    floors[name] = {**old, **new, "data_sha256": summary.get("data_sha256", "")}
    path.write_text(_floors_toml(floors), "utf-8")
    return changed


def _floor(value: float) -> float:
    import math

    return math.floor(value * 100) / 100


def _log_lowering(
    changelog: Path, name: str, lowered: dict[str, float], old: dict[str, Any], reason: str
) -> None:
    lines = [f"- Lowered quality floor {name}.{m} from {old[m]} to {v}: {reason}" for m, v in lowered.items()]
    text = changelog.read_text("utf-8") if changelog.exists() else "# Changelog\n"
    head = "## Quality floors"
    if head not in text:
        text = text.rstrip("\n") + f"\n\n{head}\n\n"
    before, _, after = text.partition(head + "\n")
    changelog.write_text(before + head + "\n\n" + "\n".join(lines) + "\n" + after.lstrip("\n"), "utf-8")


def _floors_toml(floors: dict[str, dict[str, Any]]) -> str:
    out = [
        "# Quality floors checked by tests/test_quality_gate.py, with the SHA-256 of the data they were",
        "# measured on. Raise a floor with `dateline eval SUITE --update-floors`. Lowering one needs",
        "# `--update-floors --allow-lower --reason TEXT`, which also writes a line in CHANGELOG.md.",
    ]
    for suite in sorted(floors):
        out.append(f"\n[{suite}]")
        for key, value in floors[suite].items():
            out.append(f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}")
    return "\n".join(out) + "\n"
