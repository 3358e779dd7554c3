"""Reproducible training of the event-type classifier (``dateline train``).

One command rebuilds the model shipped in ``dateline/data/models/``::

    dateline train                      # default data paths under ../shared
    dateline train --shared /path/to/shared --seed 13

Training data (development data only; the PLV *test* split is never read):

1. the PLV train split (sentence + source/target spans + PLOVER root);
2. the PLOVER gold-standard records (CAMEO-manual sentences coded in PLOVER);
3. the NGEC synthetic stories (machine-written; labels only, no spans);
4. example sentences from the CAMEO manual, mapped to PLOVER by ``cameo2plover``.

PLOVER 0.8 splits YIELD into CONCEDE and RETREAT; PLV keeps YIELD, so both are
folded into YIELD (the label set is :data:`dateline.classifier.LABELS`).

The manifest written next to the model records the SHA-256 of every input file,
the seed, library versions and the cross-validated PLV scores.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import platform
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DictionaryError, InputError

__all__ = [
    "Example",
    "TrainingData",
    "cross_validate_plv",
    "default_paths",
    "load_cameo_manual",
    "load_plover_gsr",
    "load_plv",
    "load_synthetic",
    "load_training_data",
    "sha256_file",
    "train_and_save",
]

#: PLOVER 0.8 types folded into the PLV label set
_FOLD = {"CONCEDE": "YIELD", "RETREAT": "YIELD"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    """One labelled training example: a text with optional source/target spans."""

    text: str
    label: str
    source: str = ""
    target: str = ""
    origin: str = ""  # plv | gsr | synthetic | cameo-manual


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingData:
    """The PLV rows (the CV folds) and the extra examples added to every fold."""

    plv: tuple[Example, ...]
    extra: tuple[Example, ...]
    hashes: dict[str, str]


def sha256_file(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fold(label: str) -> str:
    label = label.strip().upper()
    return _FOLD.get(label, label)


def default_paths(shared: str | Path = "../shared") -> dict[str, Path]:
    """Where the training files live under the shared data directory."""
    root = Path(shared)
    return {
        "plv": root / "eval" / "plv" / "plv_train.csv",
        "gsr": root / "eval" / "plover_gsr.jsonl",
        "synthetic": root / "eval" / "synthetic" / "ngec_synthetic_events.csv.zip",
        "cameo_manual": root / "ontology" / "CAMEO.Manual.1.1b3.txt",
        "cameo2plover": root / "ontology" / "cameo2plover.txt",
    }


def load_plv(path: str | Path) -> list[Example]:
    """Rows of a PLV-format CSV (sentence_id,text,label,source,target).

    Args:
        path: the CSV file.

    Returns:
        One example per row, label folded into the PLV label set.
    """
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"text", "label", "source", "target"} - set(reader.fieldnames or ())
        if missing:
            raise DictionaryError(
                str(path),
                1,
                f"missing columns {sorted(missing)}; expected sentence_id,text,label,source,target",
            )
        return [
            Example(
                text=r["text"],
                label=_fold(r["label"]),
                source=r["source"] or "",
                target=r["target"] or "",
                origin="plv",
            )
            for r in reader
        ]


def load_plover_gsr(path: str | Path) -> list[Example]:
    """PLOVER gold-standard records (JSON lines) with their first actor and recipient."""
    out = []
    for line in Path(path).read_text("utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        label = _fold(rec.get("event_v08") or rec.get("event_v05") or "")
        if not label:
            continue
        src = rec["actor"][0]["text"] if rec.get("actor") else ""
        tgt = rec["recipient"][0]["text"] if rec.get("recipient") else ""
        out.append(Example(text=rec["text"], label=label, source=src, target=tgt, origin="gsr"))
    return out


def load_synthetic(path: str | Path, max_chars: int = 600) -> list[Example]:
    """NGEC synthetic stories (zipped CSV); the lead of each story, which states the event."""
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".csv"))
        text = zf.read(name).decode("utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return [
        Example(text=_lead(r["text"], max_chars), label=_fold(r["label"]), origin="synthetic") for r in rows
    ]


def _lead(text: str, max_chars: int) -> str:
    """The first sentences of a story, up to about ``max_chars`` characters."""
    if len(text) <= max_chars:
        return text
    cut = text.rfind(". ", 0, max_chars)
    return text[: cut + 1] if cut > 0 else text[:max_chars]


_CODE_LINE = re.compile(r"^\s*CAMEO\s+(\d{2,4})\s*$")
_EXAMPLE_LINE = re.compile(r"^\s*Example\s+(.*)$")
_FIELD_LINE = re.compile(r"^\s*(CAMEO|Name|Description|Usage Notes|Example|Notes?)\s{2,}")


def load_cameo2plover(path: str | Path) -> dict[str, str]:
    """CAMEO code -> PLOVER type from the PLOVER ``cameo2plover.txt`` table (folded labels)."""
    table: dict[str, str] = {}
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        body = line.split("#", 1)[0].strip()
        if not body or ":" not in body:
            continue
        code, _, rest = body.partition(":")
        code = code.strip()
        if not code.isdigit():
            raise DictionaryError(str(path), n, f"expected 'CODE: TYPE, mode, context', got {line!r}")
        ptype = rest.split(",", 1)[0].strip()
        if ptype:
            table.setdefault(code, _fold(ptype))
    return table


def load_cameo_manual(manual: str | Path, cameo2plover: str | Path) -> list[Example]:
    """Example sentences of the CAMEO manual's verb codebook, labelled via cameo2plover.

    An example runs from its ``Example`` line until a blank line or the next field;
    hyphenated line breaks ("Sat-\\nurday") are joined.
    """
    table = load_cameo2plover(cameo2plover)
    out: list[Example] = []
    code, buf = "", list[str]()
    for line in Path(manual).read_text("utf-8").splitlines():
        m = _CODE_LINE.match(line)
        if m:
            _flush(out, table, code, buf)
            code, buf = m.group(1), []
            continue
        ex = _EXAMPLE_LINE.match(line)
        if ex and ex.group(1).startswith("Note"):  # "Example Note  ..." is a coder's note
            _flush(out, table, code, buf)
        elif ex and code:
            _flush(out, table, code, buf)
            buf = [ex.group(1).strip()]
        elif buf and line.strip() and not _FIELD_LINE.match(line) and not line.startswith("CHAPTER"):
            buf.append(line.strip())
        elif buf:
            _flush(out, table, code, buf)
            buf = []
    _flush(out, table, code, buf)
    return out


def _flush(out: list[Example], table: dict[str, str], code: str, buf: list[str]) -> None:
    if not buf or not code:
        return
    label = table.get(code) or table.get(code[:3]) or table.get(code[:2])
    text = re.sub(r"-\s+(?=[a-z])", "", " ".join(buf)).strip()
    if label and len(text) > 20:
        out.append(Example(text=text, label=label, origin="cameo-manual"))
    buf.clear()


def load_training_data(paths: dict[str, Path], labels: Sequence[str]) -> TrainingData:
    """All training sources, restricted to ``labels``, with the SHA-256 of each file.

    Args:
        paths: as from :func:`default_paths`.
        labels: the label set; examples with other labels are dropped.

    Returns:
        The PLV rows and the extra examples, plus the data hashes.
    """
    for key, path in paths.items():
        if not Path(path).exists():
            raise InputError(
                f"training file {key} not found at {path}; pass --shared to point at the shared data"
            )
    keep = set(labels)
    extra = _dedupe(
        [
            *load_plover_gsr(paths["gsr"]),
            *load_synthetic(paths["synthetic"]),
            *load_cameo_manual(paths["cameo_manual"], paths["cameo2plover"]),
        ]
    )
    return TrainingData(
        plv=tuple(e for e in load_plv(paths["plv"]) if e.label in keep),
        extra=tuple(e for e in extra if e.label in keep),
        hashes={key: sha256_file(path) for key, path in sorted(paths.items())},
    )


def _dedupe(examples: list[Example]) -> list[Example]:
    """Drop repeated texts (the PLOVER records reuse CAMEO-manual sentences); first one wins."""
    seen: set[str] = set()
    out = []
    for e in examples:
        key = " ".join(e.text.split()).lower()
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def cross_validate_plv(
    data: TrainingData,
    build: Any,
    *,
    folds: int = 5,
    seed: int = 13,
    extra: bool = True,
) -> dict[str, Any]:
    """Stratified k-fold CV over the PLV rows; the extra data joins every training fold.

    Args:
        data: the training data.
        build: ``build(train_examples, seed) -> model`` with ``model.predict_proba(examples)``.
        folds: number of folds.
        seed: fold shuffling and model seed.
        extra: whether to add the extra examples to each training fold.

    Returns:
        accuracy, macro_f1, ece and the out-of-fold predictions.
    """
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from .classifier import LABELS, classification_scores

    plv = list(data.plv)
    y = [e.label for e in plv]
    probs = np.zeros((len(plv), len(LABELS)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        train = [plv[i] for i in train_idx] + (list(data.extra) if extra else [])
        model = build(train, seed)
        probs[test_idx] = model.predict_proba([plv[i] for i in test_idx])
    scores = classification_scores(y, probs)
    scores["folds"] = folds
    return scores


def train_and_save(
    shared: str | Path = "../shared",
    out_dir: str | Path | None = None,
    *,
    seed: int = 13,
    folds: int = 5,
    run_cv: bool = True,
) -> dict[str, Any]:
    """Train the shipped classifier on all development data and write model + manifest.

    Args:
        shared: the shared data directory.
        out_dir: where to write (default: the package's ``data/models``).
        seed: the random seed for folds and model.
        folds: CV folds for the recorded PLV scores.
        run_cv: set False to skip the cross-validation (faster; the manifest then has no scores).

    Returns:
        The manifest that was written.
    """
    import sklearn

    from . import classifier

    paths = default_paths(shared)
    data = load_training_data(paths, classifier.LABELS)
    cv = cross_validate_plv(data, classifier.fit, folds=folds, seed=seed) if run_cv else {}
    cv.pop("predictions", None)
    model = classifier.fit(list(data.plv) + list(data.extra), seed)
    model.model_id = f"tfidf-lr-{_short_hash(data.hashes, seed)}"
    target = Path(out_dir) if out_dir else classifier.models_dir()
    target.mkdir(parents=True, exist_ok=True)
    model_path = classifier.save(model, target)
    manifest = {
        "model_id": model.model_id,
        "model_file": model_path.name,
        "model_sha256": sha256_file(model_path),
        "seed": seed,
        "labels": list(classifier.LABELS),
        "features": model.describe(),
        "data_sha256": data.hashes,
        "data_counts": _counts(data.plv, data.extra),
        "cv_plv": cv,
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            **_np_version(),
        },
        "command": f"dateline train --shared {shared} --seed {seed}",
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "utf-8")
    return manifest


def _short_hash(hashes: dict[str, str], seed: int) -> str:
    """Eight hex digits naming the model by its training data and seed."""
    return hashlib.sha256(json.dumps([hashes, seed], sort_keys=True).encode()).hexdigest()[:8]


def _np_version() -> dict[str, str]:
    import numpy as np

    return {"numpy": np.__version__}


def _counts(plv: Iterable[Example], extra: Iterable[Example]) -> dict[str, int]:
    counts: dict[str, int] = {"plv": len(list(plv))}
    for e in extra:
        counts[e.origin] = counts.get(e.origin, 0) + 1
    return counts
