"""The rule-based CAMEO event coder and its pipeline stage.

For each sentence of the spaCy parse the coder:

1. finds trigger tokens by lemma in the lexicon index (verbs, and event nouns under a
   light verb: "held talks", "imposed sanctions", "paid a visit");
2. keeps the most specific pattern that matches (object lemmas, preposition, particle);
3. drops triggers that are negated, modal, conditional, only planned or governed by
   another trigger ("agreed to meet" is one event, 03, not two);
4. finds the source (subject, or the "by" agent of a passive; through conjunctions,
   xcomp chains, relative clauses; first-person subjects of reported speech resolve
   to the reporter; "the two sides" to the parties of the last consultation);
5. finds the targets in the slots the pattern names, one event per conjoined target;
6. refines the code through modifier words ("phone talks" -> 041) and attaches
   Goldstein, quad class and PLOVER from the ontology.

Clause-level patterns with no trigger word: "X said Y must ..." (demand), "X is ready to
..." (intent), "X said Y was illegal" / "X described Y as hostile" (111) and "X called Y
a reliable partner" (051); the word lists are in ``grammar.yaml``.

When a slot stays empty, general fallbacks from ``grammar.yaml`` fill it, each named in
``Event.reason``: the target of a conjoined verb sharing the subject ("contacted X and
lodged a protest"); a definite event noun pointing back to an earlier event ("condemned
the crackdown" -> its actor); the party that appealed for aid (donors with no recipient);
a protest's own government; and for agent-less coercion passives the patient's courts or
police ("was jailed" -> JUD). "They" after talks stands for both parties.

Arguments are matched to actor mentions (``Story.mentions``) by character span.
Events repeating the same (source, target, root) in a story are coded once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .lexicon import Grammar, Lexicon, Pattern, lexicon
from .model import Actor, Event, Mention, Span, Story, content_id
from .ontology import Ontology, ontology
from .pipeline import Stage

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan
    from spacy.tokens import Token

    from .context import Context

__all__ = ["CODER_VERSION", "EventStage", "code_doc", "evaluate_plover_gsr"]

CODER_VERSION = "dateline.events.cameo.v1/1"
DECIDED_BY = "rules:dateline.events.cameo.v1"

_SUBJ = ("nsubj", "nsubjpass", "csubj")
_NP_LINKS = ("conj", "appos", "compound", "amod", "poss", "nmod", "nummod")
_CLIMB = ("xcomp", "ccomp", "advcl", "conj")
#: clause-level patterns with no trigger word: "X said Y must ..." (a demand) and
#: "X is ready/willing to ..." (an intent to cooperate)
_MUST = Pattern(code="100", line=0, verb="(Y must ...)", target=())
_READY = Pattern(code="030", line=0, verb="(ready to ...)", target=("dobj", "to", "with"))
_READY_WORDS = frozenset({"willing", "ready", "prepared", "committed"})
#: "X said Y was illegal" (target: the reported clause's subject), "X described Y as hostile"
_BLAME = Pattern(code="111", line=0, verb="(said Y was <bad>)", target=("ccomp",))
_LABEL = Pattern(code="111", line=0, verb="(called Y <bad>)", target=("dobj",))
_PRAISE = Pattern(code="051", line=0, verb="(called Y <good>)", target=("dobj",))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A trigger that matched a pattern: ``clause`` is the verb whose subject is the source."""

    trigger: Token
    clause: Token
    pattern: Pattern
    obj: Token | None


@dataclass(frozen=True, slots=True)
class Arg:
    """A resolved argument: the actor, its span, and how it was found."""

    actor: Actor
    start: int
    end: int
    text: str
    how: str = ""


class Coder:
    """Codes the events of one parsed story (holds the per-story state for coreference)."""

    def __init__(
        self, lex: Lexicon, onto: Ontology, mentions: Iterable[Mention], convention: str = "gdelt"
    ) -> None:
        self.lex, self.gram, self.onto, self.convention = lex, lex.grammar, onto, convention
        self.mentions = sorted((m for m in mentions if m.actor is not None), key=lambda m: (m.start, -m.end))
        self.events: list[Event] = []
        self.story_id = ""
        self.last_dyad: tuple[Arg, Arg] | None = None  # parties of the latest consultation, coded or not
        self.by_clause: dict[int, Candidate] = {}  # the current sentence's candidates by clause verb

    # --- 1-2: triggers ---------------------------------------------------------------

    def candidates(self, sent: SpacySpan) -> Iterator[Candidate]:
        """Step 1-2: the best-matching pattern for each trigger token in the sentence."""
        for tok in sent:
            cand = None
            # most tokens trigger nothing: look the patterns up before reading the parse around them
            if tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB"):
                patterns = _lookup(self.lex.by_verb, tok)
                if patterns:
                    cand = self._best(tok, tok, patterns)
            elif tok.pos_ in ("NOUN", "PROPN"):
                patterns = _lookup(self.lex.by_noun, tok)
                if patterns:
                    cand = self._best(tok, _governor(tok), patterns)
            if cand is None and tok.pos_ in ("VERB", "AUX"):
                cand = self._clause_pattern(tok)
            if cand is not None:
                yield cand

    def _clause_pattern(self, verb: Token) -> Candidate | None:
        """A demand ("Russia said Sudan must return ...") or readiness ("is willing to send ...")."""
        head = verb.head.lemma_.lower()
        pattern = None
        if verb.dep_ == "ccomp" and head in self.gram.reporting_verbs and self._modal(verb) == "must":
            pattern = _MUST
        elif verb.dep_ == "xcomp" and head in _READY_WORDS:
            pattern = _READY
        elif self._blames(verb):
            return Candidate(trigger=verb, clause=verb.head, pattern=_BLAME, obj=None)
        elif verb.lemma_.lower() in self.gram.labelling_verbs:
            pattern = self._label_pattern(verb)
        return (
            None
            if pattern is None
            else Candidate(trigger=verb, clause=verb, pattern=pattern, obj=_object(verb))
        )

    def _blames(self, verb: Token) -> bool:
        """ "The opposition said the election was fraudulent": a reported "be" with a disapproval word."""
        if verb.lemma_.lower() != "be" or verb.dep_ != "ccomp":
            return False
        if verb.head.lemma_.lower() not in self.gram.reporting_verbs:
            return False
        return any(c.dep_ in ("acomp", "attr") and self._bad(c) for c in verb.children)

    def _label_pattern(self, verb: Token) -> Pattern | None:
        """ "described the comments as hostile" (111), "called Seoul its most important neighbor" (051)."""
        labels = [c for c in verb.children if c.dep_ in ("oprd", "xcomp", "acomp", "ccomp")]
        hosts = [verb, *(c for c in verb.children if c.dep_ == "dobj")]  # "as" may hang from the object
        labels += [
            g for h in hosts for c in h.children if c.dep_ == "prep" and c.lower_ == "as" for g in c.children
        ]
        for words, pattern in ((self.gram.disapproval_words, _LABEL), (self.gram.approval_words, _PRAISE)):
            if any(_label_words(c) & words for c in labels):
                return pattern
        return None

    def _bad(self, tok: Token) -> bool:
        """A disapproval word, or a noun phrase headed or modified by one ("a flawed vote")."""
        return bool(_label_words(tok) & self.gram.disapproval_words)

    def _best(self, trigger: Token, clause: Token | None, patterns: Iterable[Pattern]) -> Candidate | None:
        """The most specific pattern that matches at ``trigger``, or None."""
        if clause is None:
            return None
        obj = _object(clause) if trigger is clause else None
        scored = []
        for i, p in enumerate(patterns):
            if self._matches(p, trigger, clause, obj):
                cand = Candidate(trigger=trigger, clause=clause, pattern=p, obj=obj)
                has_slot = any(self._slot_tokens(cand, slot) for slot in p.target)
                # "staged a protest" (141) over "lodged a protest" (114): the pattern naming the verb wins
                own = bool(p.noun and p.governors.intersection(_lemmas(clause)))
                scored.append((p.specificity + 2 * own, has_slot, -i, cand))
        if not scored:
            return None
        return max(scored, key=lambda t: t[:3])[3]

    def _matches(self, p: Pattern, trigger: Token, clause: Token, obj: Token | None) -> bool:
        """Whether pattern ``p`` fits the trigger's neighbourhood."""
        if p.noun:
            allowed = p.governors | self.gram.light_verbs
            return clause is not trigger and any(w in allowed for w in _lemmas(clause))
        near = _near_words(clause)
        if p.prep and p.prep not in near:
            return False
        if any(w not in near for w in p.extras):
            return False
        obj_words = _conj_lemmas(obj)
        if p.objects and not (obj_words & p.objects):
            return False
        return not (p.objects_not and obj_words & p.objects_not)

    # --- 3: factuality ---------------------------------------------------------------

    def factual(self, cand: Candidate, fired: set[int]) -> str | None:
        """Step 3: None when negated, modal, conditional or under another trigger.

        Returns "" for a fact, or the word that makes it a stated intent ("will" in
        "Portugal will support ...", "willing" in "is willing to send troops").
        """
        if _negated(cand.trigger, self.gram) or _negated(cand.clause, self.gram):
            # "Syria says it will not accept more refugees": a refusal, not a non-event
            return "will not" if self._modal(cand.clause) == "will" else None
        intent, tok = "", cand.clause
        while True:
            modal = self._modal(tok)
            if modal:
                if intent or tok is not cand.clause or modal not in self.gram.complement_codes:
                    return None
                intent = modal
            if self._conditional(tok):
                return None
            if tok.dep_ not in _CLIMB or tok.head.i == tok.i:
                return intent
            head, dep, word = tok.head, tok.dep_, tok.head.lemma_.lower()
            if head.i in fired and (dep in ("xcomp", "ccomp") or _purpose(tok)):
                return None  # "agreed to meet": the governing trigger is the event
            if dep == "xcomp" and word in self.gram.complement_codes and not intent:
                intent = word  # "is willing to send troops", "plans to impose restrictions"
            elif dep in ("xcomp", "ccomp") and word in self.gram.hypothetical_governors:
                return None
            if dep == "xcomp" and _negated(head, self.gram):
                return None
            if dep in ("ccomp", "conj") and word in self.gram.reporting_verbs:
                return intent  # reported speech: the reporter's clause does not make it hypothetical
            tok = head

    def _modal(self, tok: Token) -> str:
        """The modal auxiliary of a clause ("will" also for reported "would"), or ""."""
        for child in tok.children:
            word = child.lower_
            if child.dep_ == "aux" and word in self.gram.modal_aux:
                reported = tok.dep_ == "ccomp" and tok.head.lemma_.lower() in self.gram.reporting_verbs
                if word in ("must", "should") and reported:
                    return "must"
                return "will" if word in ("will", "wo", "'ll") or (word == "would" and reported) else word
        return ""

    def _conditional(self, tok: Token) -> bool:
        """A conditional/indirect-question complementizer, or a subjectless modifier clause."""
        if any(c.dep_ == "mark" and c.lower_ in self.gram.hypothetical_marks for c in tok.children):
            return True
        if tok.dep_ == "acl" and tok.tag_ == "VBN":
            return False  # "the declaration signed by X", "candidates detained at a rally": done
        return tok.dep_ in ("pcomp", "acl", "amod") and not any(c.dep_ in _SUBJ for c in tok.children)

    # --- 4: sources ------------------------------------------------------------------

    def sources(self, cand: Candidate) -> list[Arg]:
        """Step 4: the actor(s) doing the event."""
        subj, how = _subject(cand.clause)
        if subj is None:
            return []
        return self.resolve(subj, how)

    def resolve(self, tok: Token, how: str, depth: int = 0) -> list[Arg]:
        """Actors for an argument token: mentions, then pronoun and group-subject rules."""
        if tok.lower_ in self.gram.plural_pronouns and self.last_dyad is not None and not self._earlier(tok):
            return self._dyad()  # "They held a three-way meeting": both parties of the latest talks
        args = self.args_at(tok, how)
        if args:
            return [b for a in args for b in self._with_principal(a, tok)]
        word = tok.lower_
        if word in self.gram.first_person:
            return self._reporter(tok)
        if word in self.gram.third_person:
            return self._antecedent(tok)
        if tok.lemma_.lower() in self.gram.dyad_subjects and _has_child_word(tok, self.gram.dyad_determiners):
            return self._dyad()[:1]
        if depth >= 3:
            return []
        # "members of the council", "the Minister of Foreign Affairs of the Kingdom of Jordan",
        # "a car bombing by the Islamic State group"
        for prep in ("of", "from", "in", "by"):
            for pobj in _prep_objects(tok, prep):
                found = self.resolve(pobj, f"{how} {prep}", depth + 1)
                if found:
                    return found
        return []

    def _with_principal(self, arg: Arg, tok: Token) -> list[Arg]:
        """A role-only actor takes the countries named in its prepositional phrases.

        "Workers affiliated with the Serbian Workers' Union" -> SRBCVL; "lawmakers in
        Fornost and Gondor" -> FORLEG and GONLEG.
        """
        if _principal(arg.actor):
            return [arg]
        role = arg.actor.role or arg.actor.code.strip("-")
        out = []
        for pobj in (g for c in tok.subtree if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"):
            for found in self.args_at(pobj, arg.how):
                p = _principal(found.actor)
                if p and (found.start, found.end) != (arg.start, arg.end):
                    actor = dataclasses.replace(arg.actor, principal=p, code=p + role)
                    out.append(dataclasses.replace(arg, actor=actor, how=arg.how + " + country in phrase"))
            if out:
                return out
        return [arg]

    def args_at(self, tok: Token, how: str) -> list[Arg]:
        """Mentions covering ``tok`` or its noun-phrase modifiers, one per principal."""
        found: list[Arg] = []
        for core in _np_core(tok):
            for m in self._covering(core):
                if not any(_same(a, m) or _inside_same(a, m) for a in found):
                    assert m.actor is not None
                    found.append(Arg(actor=m.actor, start=m.start, end=m.end, text=m.text, how=how))
        return _one_per_principal(found)

    def _covering(self, tok: Token) -> list[Mention]:
        """Mentions whose span covers the token, outermost first."""
        start = tok.idx
        return [m for m in self.mentions if m.start <= start < m.end]

    def _reporter(self, tok: Token) -> list[Arg]:
        """First person inside reported speech: the subject of the reporting verb."""
        for anc in tok.ancestors:
            if anc.lemma_.lower() in self.gram.reporting_verbs:
                subj, _how = _subject(anc)
                if subj is not None and subj.lower_ not in self.gram.first_person:
                    return self.resolve(subj, "reporter of quote")
        return []

    def _earlier(self, tok: Token) -> list[Mention]:
        """Mentions before ``tok`` in its sentence."""
        start = tok.sent.start_char
        return [m for m in self.mentions if start <= m.start and m.end <= tok.idx]

    def _antecedent(self, tok: Token) -> list[Arg]:
        """Third-person pronoun: the nearest earlier mention in the sentence, else the last source.

        Subjects come first ("Armed gangs attacked police stations as they demanded ...").
        """
        before = self._earlier(tok)
        if before:
            subjects = [m for m in before if _in_subject(tok.doc, m)]
            m = max(subjects or before, key=lambda m: (m.end, -m.start))
            assert m.actor is not None
            return [Arg(actor=m.actor, start=m.start, end=m.end, text=m.text, how="antecedent")]
        last = self.events[-1] if self.events else None
        if last is not None and last.source_actor is not None:
            return [_event_arg(last, "source", "last source")]
        return []

    def _dyad(self) -> list[Arg]:
        """ "The two sides": source and target of the most recent consultation."""
        if self.last_dyad is None:
            return []
        return [dataclasses.replace(a, how="dyad") for a in self.last_dyad]

    # --- 5: targets ------------------------------------------------------------------

    def targets(self, cand: Candidate) -> list[Arg]:
        """Step 5: the first target slot of the pattern that yields actors."""
        for slot in cand.pattern.target:
            for tok in self._slot_tokens(cand, slot):
                args = self.resolve(tok, slot)
                if args:
                    return args
        return []

    def _slot_tokens(self, cand: Candidate, slot: str) -> list[Token]:
        """Tokens that fill a target slot."""
        clause, obj = cand.clause, cand.obj
        if slot == "dobj":
            return [obj] if obj is not None else []
        if slot == "dative":
            return [c for c in clause.children if c.dep_ in ("dative", "iobj")]
        if slot == "ccomp":
            return [s for c in clause.children if c.dep_ == "ccomp" for s in c.children if s.dep_ in _SUBJ]
        if slot == "poss":
            holders = [obj] if obj is not None else []
            holders += [
                p for pp in clause.children if pp.dep_ == "prep" for p in pp.children if p.dep_ == "pobj"
            ]
            return [c for h in holders for c in h.children if c.dep_ == "poss"]
        hosts = [cand.trigger, clause] + ([obj] if obj is not None else [])
        if cand.trigger.dep_ == "compound":
            hosts.append(cand.trigger.head)  # "a mediation effort between X and Y"
        found = [p for h in hosts for p in _prep_objects(h, slot)]
        if not found:  # "a meeting involving X": a participle standing in for the preposition
            found = [
                o
                for h in hosts
                for a in h.children
                if a.dep_ == "acl" and a.lower_ == slot
                for o in a.children
                if o.dep_ == "dobj"
            ]
        if not found and obj is not None:  # "shared information on the missile with the US"
            found = [
                p
                for pp in obj.children
                if pp.dep_ == "prep"
                for o in pp.children
                if o.dep_ == "pobj"
                for p in _prep_objects(o, slot)
            ]
        return found

    # --- 6: events -------------------------------------------------------------------

    def code_sentence(self, sent: SpacySpan, index: int) -> None:
        """Code one sentence, appending to ``self.events``."""
        fired: set[int] = set()
        roots: dict[int, str] = {}
        cands = list(self.candidates(sent))
        by_clause = self.by_clause = {c.clause.i: c for c in cands}
        for cand in cands:
            status = self.factual(cand, fired)
            if status is None or _elaborates(cand, roots):
                continue
            fired.add(cand.clause.i)
            roots[cand.clause.i] = cand.pattern.code[:2]
            complement = self._complement(cand, by_clause) if not status else self._intent(cand, status)
            if status and complement is None:
                continue  # a future or a readiness with no intent code: not an event yet
            if status == "must":
                self._emit_demand(cand, index, complement)
            else:
                self._emit(cand, index, complement)

    def _intent(self, cand: Candidate, word: str) -> tuple[str, Candidate] | None:
        """ "Will support" -> (032, the support candidate), from grammar.complement_codes[word]."""
        table = self.gram.complement_codes.get(word, {})
        code = self.refine(cand)[0]
        for key in (code, code[:3], code[:2], "*"):
            if key in table:
                return table[key], cand
        return None

    def _complement(self, cand: Candidate, by_clause: dict[int, Candidate]) -> tuple[str, Candidate] | None:
        """ "Agreed to hold talks" -> (036, the talks candidate), from grammar.complement_codes."""
        table = self.gram.complement_codes.get(cand.pattern.verb)
        if not table:
            return None
        for child in cand.clause.children:
            inner = by_clause.get(child.i) if child.dep_ == "xcomp" else None
            if inner is None:
                continue
            code = self.refine(inner)[0]
            for key in (code, code[:3], code[:2]):
                if key in table:
                    return table[key], inner
        return None

    def _emit(self, cand: Candidate, index: int, complement: tuple[str, Candidate] | None = None) -> None:
        """Build events for every (source, target) pair of a factual candidate."""
        code, mod = self.refine(cand)
        sources = self.sources(cand)
        targets = self.targets(cand)
        if complement is not None:
            code, inner = complement
            mod = f"complement '{inner.pattern.label}'"
            targets = self.targets(inner) or targets
        if not targets and self.gram.subtree_targets:
            targets = self._subtree_target(cand, sources)
        if not targets:
            targets = self._sibling_target(cand) or self._referent_target(cand, code)
        if not sources:
            sources = self._implied_source(cand, targets)
        if not targets and sources:
            targets = self._implied_target(code, sources[0])
        base_root = self.refine(cand)[0][:2]  # the event itself, before "failed to"/"will" recode it
        if not targets and len(sources) > 1 and base_root in ("03", "04", "05", "06"):
            sources, targets = sources[:1], sources[1:]  # "Israel and Lebanon renewed negotiations"
        if not targets and sources and sources[0].how == "dyad":
            targets = self._dyad()[1:]
        if cand.pattern.target and not targets and code[:2] in self.gram.target_required_roots:
            return
        if cand.pattern in (_BLAME, _LABEL, _PRAISE) and not targets:
            return  # "called the plan dangerous": a criticism of nobody coded is no dyadic event
        for src in sources:
            others = [
                t for t in targets if t.actor.code != src.actor.code and not self._self_reference(src, t)
            ]
            if targets and not others and (code[:2] in self.gram.target_required_roots or len(sources) > 1):
                continue  # only itself as partner: no talks with itself; "X and Y promised ..." is X -> Y
            partners: list[Arg | None] = list(others) or [None]
            for tgt in partners:
                self._add(cand, code, mod, src, tgt, index)

    def _sibling_target(self, cand: Candidate) -> list[Arg]:
        """ "contacted his Indian counterpart and lodged a protest": the conjoined act's target.

        Only between verbs that share their subject (a "conj" link), both of them triggers.
        """
        clause = cand.clause
        linked = [clause.head] if clause.dep_ == "conj" else []
        linked += [c for c in clause.children if c.dep_ == "conj"]
        for other in linked:
            sibling = self.by_clause.get(other.i)
            if sibling is not None and sibling is not cand and not _has_own_subject(other):
                found = [
                    dataclasses.replace(a, how=f"target of conjoined '{other.text}'")
                    for a in self.targets(sibling)
                ]
                if found:
                    return found
        return []

    def _referent_target(self, cand: Candidate, code: str) -> list[Arg]:
        """A target the text names only by reference.

        "condemned the crackdown": the actor of the latest earlier conflictual event (13-20);
        "are the main donors" with no recipient: the party that appealed for aid (023) earlier.
        """
        root, obj = code[:2], cand.obj
        if code == "015":  # "claimed responsibility for the attack": the attack's target
            nouns = _prep_objects(cand.clause, "for") + (_prep_objects(obj, "for") if obj is not None else [])
            ev = self._referred_event() if any(self._definite(n) for n in nouns) else None
            if ev is not None and ev.target_actor is not None:
                return [_event_arg(ev, "target", "target of the claimed act")]
        if root in self.gram.referring_roots and obj is not None and self._definite(obj):
            ev = self._referred_event()
            if ev is not None:
                return [_event_arg(ev, "source", "referent of the object")]
        if root == "07":
            for ev in self.events:
                if ev.cameo.startswith("023"):
                    arg = _event_arg(ev, "source", "party that appealed for aid")
                    country = _principal(arg.actor)  # the aid goes to the country, not its government
                    if not country:
                        continue
                    return [
                        dataclasses.replace(arg, actor=Actor(code=country, principal=country, kind="state"))
                    ]
        return []

    def _definite(self, noun: Token) -> bool:
        """A definite common noun ("the crackdown", "these attacks") that can point back to an event."""
        dets = (c for c in noun.children if c.dep_ == "det")
        return noun.pos_ == "NOUN" and any(c.lower_ in self.gram.referring_determiners for c in dets)

    def _referred_event(self) -> Event | None:
        """The latest earlier event of a root a definite noun can refer back to (13-20)."""
        return next((e for e in reversed(self.events) if e.root in self.gram.referable_roots), None)

    def _implied_source(self, cand: Candidate, targets: list[Arg]) -> list[Arg]:
        """ "Sannikov has been jailed": the courts (JUD) of the patient's own country."""
        role = next(
            (self.gram.implied_agents[w] for w in _lemmas(cand.trigger) if w in self.gram.implied_agents), ""
        )
        passive = cand.clause.dep_ == "acl" or any(c.dep_ == "nsubjpass" for c in cand.clause.children)
        if not role or not passive or not targets or not _principal(targets[0].actor):
            return []
        principal = _principal(targets[0].actor)
        actor = Actor(
            code=principal + role, principal=principal, role=role, kind="agent", source="implied agent"
        )
        return [Arg(actor=actor, start=cand.trigger.idx, end=cand.trigger.idx, text="", how="implied agent")]

    def _with_role(self, src: Arg, root: str) -> Arg:
        """A bare state doing what only its government or army does: "Mali expelled ..." is MLIGOV."""
        actor, role = src.actor, self.gram.implied_roles.get(root, "")
        if not role or actor.role or actor.code != actor.principal or len(actor.code) != 3:
            return src
        return dataclasses.replace(src, actor=dataclasses.replace(actor, code=actor.code + role, role=role))

    def _implied_target(self, code: str, src: Arg) -> list[Arg]:
        """ "Thousands of demonstrators flooded the streets": a domestic protest targets the government.

        Only for the roots and source roles grammar.implied_targets names (root -> roles -> target role).
        """
        rule = self.gram.implied_targets.get(code[:2])
        country = _principal(src.actor)
        if not rule or not country or src.actor.role not in rule["roles"] or len(country) != 3:
            return []
        role = rule["target"]
        actor = Actor(
            code=country + role, principal=country, role=role, kind="agent", source="implied target"
        )
        return [Arg(actor=actor, start=src.start, end=src.start, text="", how="implied target")]

    def _self_reference(self, src: Arg, tgt: Arg) -> bool:
        """A pronoun target of the source's own country ("France recalled its ambassador")."""
        pronoun = tgt.how in ("antecedent", "last source") or tgt.text.lower() in self.gram.third_person
        return pronoun and _principal(tgt.actor) == _principal(src.actor)

    def _subtree_target(self, cand: Candidate, sources: list[Arg]) -> list[Arg]:
        """PETRARCH-style fallback: the first actor after the trigger in its clause."""
        end = cand.trigger.idx + len(cand.trigger.text)
        lo, hi = cand.clause.left_edge.idx, cand.clause.right_edge.idx + len(cand.clause.right_edge.text)
        taken = {(a.start, a.end) for a in sources}
        for m in self.mentions:
            if end <= m.start and m.end <= hi and m.start >= lo and (m.start, m.end) not in taken:
                span = cand.trigger.doc.char_span(m.start, m.end, alignment_mode="expand")
                args = self.args_at(span.root, "first actor after trigger") if span is not None else []
                return [a for a in args if (a.start, a.end) not in taken]
        return []

    def _emit_demand(self, cand: Candidate, index: int, complement: tuple[str, Candidate] | None) -> None:
        """ "Russia said Sudan must return the helicopter": the reporter demands it of the subject."""
        reporter = cand.clause.head
        subj, _how = _subject(reporter)
        target_tok, _ = _subject(cand.clause)
        if complement is None or subj is None or target_tok is None:
            return
        for src in self.resolve(subj, "reporter"):
            for tgt in self.resolve(target_tok, "subject of 'must'"):
                if tgt.actor.code != src.actor.code:
                    self._add(cand, complement[0], "demand 'must'", src, tgt, index)

    def refine(self, cand: Candidate) -> tuple[str, str]:
        """The pattern's code, or a more specific one named by a modifier word."""
        p = cand.pattern
        if not p.mods:
            return p.code, ""
        words = _modifier_words(cand)
        hits = [(len(code), code, w) for w, code in p.mods.items() if w in words]
        if not hits:
            return p.code, ""
        _, code, word = max(hits)
        return code, word

    def _add(self, cand: Candidate, code: str, mod: str, src: Arg, tgt: Arg | None, index: int) -> None:
        """Append one event unless the story already has it (same principals and root)."""
        src = self._with_role(src, code[:2])
        if code[:2] in ("03", "04") and tgt is not None:
            self.last_dyad = (src, tgt)
        key = _dedupe_key(src, tgt, code)
        if any(_same_event(_dedupe_key_event(e), key) for e in self.events):
            return
        rec = self.onto.get(code)
        trig = cand.trigger
        reason = f"lexicon '{cand.pattern.label}' (line {cand.pattern.line}) -> {cand.pattern.code}"
        if mod.startswith(("complement", "demand")):
            reason += f" + {mod} -> {code}"
        elif mod:
            reason += f" + modifier '{mod}' -> {code}"
        reason += f"; source {src.how}" + (f", target {tgt.how}" if tgt else "")
        self.events.append(
            Event(
                id=content_id(
                    self.story_id, index, code, src.actor.code, tgt.actor.code if tgt else "", trig.idx
                ),
                story_id=self.story_id,
                sentence=index,
                cameo=code,
                root=rec.root,
                name=rec.name,
                goldstein=rec.goldstein,
                quad_class=self.onto.quad_class(code, self.convention),
                quad_convention=self.convention,
                plover_type=rec.plover_type,
                plover_mode=rec.plover_mode,
                source=src.actor.code,
                target=tgt.actor.code if tgt else "",
                source_actor=src.actor,
                target_actor=tgt.actor if tgt else None,
                trigger=Span(start=trig.idx, end=trig.idx + len(trig.text), text=trig.text),
                source_span=Span(start=src.start, end=src.end, text=src.text),
                target_span=Span(start=tgt.start, end=tgt.end, text=tgt.text) if tgt else None,
                reason=reason,
                confidence=_confidence(src, tgt),
                decided_by=DECIDED_BY,
                coder_version=CODER_VERSION,
                dictionary_version=self.lex.version,
                ontology_version=self.onto.version,
            )
        )


# --- small syntax helpers -----------------------------------------------------------------


def _lemmas(tok: Token) -> list[str]:
    """The parser's lemma, then suffix-stripped guesses (the model lemmatizes "staged" as "stag")."""
    low = tok.lower_
    out = [tok.lemma_.lower(), low]
    for suffix in ("ed", "d", "es", "s", "ing"):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            base = low[: -len(suffix)]
            out += [base, base + "e"]
    return out


def _lookup(index: dict[str, tuple[Pattern, ...]], tok: Token) -> tuple[Pattern, ...]:
    """Patterns for the first of the token's lemma guesses that the index knows."""
    for word in _lemmas(tok):
        if word in index:
            return index[word]
    return ()


def _governor(noun: Token) -> Token | None:
    """The verb an event noun hangs from: object, passive subject, or "in talks with"."""
    tok = noun
    while tok.dep_ in ("conj", "compound") and tok.head.i != tok.i:
        tok = tok.head
    if tok.dep_ in ("dobj", "nsubjpass", "attr", "oprd"):
        return tok.head
    if tok.dep_ == "pobj" and tok.head.head.pos_ in ("VERB", "AUX"):
        return tok.head.head
    return None


def _object(verb: Token) -> Token | None:
    """The verb's object; the passive subject for passives; the noun a participle modifies."""
    if verb.dep_ == "acl" and verb.tag_ == "VBN" and not any(c.dep_ == "dobj" for c in verb.children):
        return verb.head  # "candidates detained at a rally"
    for dep in ("dobj", "nsubjpass", "attr"):
        for child in verb.children:
            if child.dep_ == dep:
                return child
    return None


def _near_words(verb: Token) -> set[str]:
    """Lemmas of the verb's particles, prepositions, objects and adverbs (for prep/extras)."""
    words: set[str] = set()
    for child in verb.children:
        if child.dep_ in (
            "prt",
            "prep",
            "agent",
            "dobj",
            "acomp",
            "advmod",
            "npadvmod",
            "dative",
            "oprd",
            "xcomp",
            "ccomp",  # "found the regime guilty": the parser makes "guilty" a clause
        ):
            words.add(child.lemma_.lower())
            words.add(child.lower_)
            words.update(g.lemma_.lower() for g in child.children if g.dep_ in ("pobj", "prep"))
    return words


def _conj_lemmas(tok: Token | None) -> set[str]:
    """Lemmas of a token, its conjuncts and an "of" object ("a barrage of drones")."""
    if tok is None:
        return set()
    out = {tok.lemma_.lower(), tok.lower_}
    for c in (*tok.conjuncts, *(c for c in tok.children if c.dep_ == "compound")):
        out.add(c.lemma_.lower())
    for p in _prep_objects(tok, "of"):
        out.add(p.lemma_.lower())
    return out


def _prep_objects(tok: Token, prep: str) -> list[Token]:
    """Objects of the preposition ``prep`` attached to ``tok``."""
    return [
        g
        for c in tok.children
        if c.dep_ in ("prep", "agent", "dative") and c.lower_ == prep
        for g in c.children
        if g.dep_ in ("pobj", "pcomp")
    ]


def _negated(tok: Token, gram: Grammar) -> bool:
    """A negation child ("did not", "never") or a "no" determiner on a noun trigger."""
    return any(c.dep_ in ("neg", "det") and c.lower_ in gram.negations for c in tok.children)


def _in_subject(doc: Any, m: Mention) -> bool:
    """Whether a mention lies in a clause subject (up through noun-phrase links only)."""
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    tok = span.root if span is not None else None
    for _ in range(8):
        if tok is None or tok.dep_ in _SUBJ:
            return tok is not None
        if tok.dep_ not in (*_NP_LINKS, "det", "prep", "pobj") or tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


def _label_words(tok: Token) -> set[str]:
    """A label's head word and its modifiers ("a flawed vote", "most important neighbor")."""
    words = {tok.lemma_.lower(), tok.lower_}
    return words | {c.lemma_.lower() for c in tok.children if c.dep_ in ("amod", "conj", "advmod")}


def _has_own_subject(verb: Token) -> bool:
    """A conjoined verb with its own subject is a separate clause ("X attacked and Y replied")."""
    return verb.dep_ == "conj" and any(c.dep_ in _SUBJ for c in verb.children)


def _elaborates(cand: Candidate, roots: dict[int, str]) -> bool:
    """ "attacked police stations, killing four officers": the participle details the same event."""
    clause = cand.clause
    return (
        clause.dep_ == "advcl" and clause.tag_ == "VBG" and roots.get(clause.head.i) == cand.pattern.code[:2]
    )


def _purpose(tok: Token) -> bool:
    """An infinitive clause of purpose ("arrived to meet"); "while sharing" is an event of its own."""
    return tok.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)


def _subject(verb: Token) -> tuple[Token | None, str]:
    """Steps of subject finding: passive agent, nsubj, then up conj/xcomp/relcl chains."""
    tok = verb
    for _ in range(6):
        for child in tok.children:
            if child.dep_ == "agent":
                for pobj in child.children:
                    return pobj, "passive agent"
        for child in tok.children:
            if child.dep_ == "nsubj" and tok.dep_ == "relcl" and child.lower_ in ("which", "who", "that"):
                return _relative_antecedent(child, tok.head), "relative clause"
            if child.dep_ == "nsubj":
                return child, "subject"
        if any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children):
            return None, ""  # a passive with no "by" agent has no known source
        if tok.dep_ == "relcl":
            return tok.head, "relative clause"
        if tok.dep_ not in ("conj", "xcomp", "advcl", "acomp") or tok.head.i == tok.i:
            return None, ""
        tok = tok.head
    return None, ""


def _relative_antecedent(pronoun: Token, head: Token) -> Token:
    """The noun a relative pronoun follows ("a move against Washington, which expelled ...").

    The parser often hangs the clause on an earlier noun; English puts the antecedent right
    before the pronoun, so a name there wins over the parse head.
    """
    prev = pronoun.nbor(-1) if pronoun.i > pronoun.sent.start else None
    while prev is not None and prev.is_punct and prev.i > prev.sent.start:
        prev = prev.nbor(-1)
    return prev if prev is not None and prev.pos_ == "PROPN" else head


def _np_core(tok: Token) -> list[Token]:
    """The token, then its noun-phrase modifiers and conjuncts (breadth first)."""
    out: list[Token] = []
    queue = [tok]
    while queue and len(out) < 24:
        cur = queue.pop(0)
        if cur in out:
            continue
        out.append(cur)
        queue.extend(c for c in cur.children if c.dep_ in _NP_LINKS)
    return out


def _has_child_word(tok: Token, words: frozenset[str]) -> bool:
    return any(c.lower_ in words for c in tok.children)


def _modifier_words(cand: Candidate) -> set[str]:
    """Lemmas near the trigger that can make the code more specific."""
    words: set[str] = set()
    hosts = [cand.trigger] + ([cand.obj] if cand.obj is not None else [])
    hosts += [
        p for pp in cand.clause.children if pp.dep_ in ("prep", "xcomp", "advcl") for p in [pp, *pp.children]
    ]
    for host in hosts:
        words.add(host.lemma_.lower())
        words.update(c.lemma_.lower() for c in host.subtree if c.i - host.i < 8)
    return words


def _event_arg(ev: Event, role: str, how: str) -> Arg:
    """An earlier event's source (or target) as an argument."""
    actor, span = (ev.source_actor, ev.source_span) if role == "source" else (ev.target_actor, ev.target_span)
    assert actor is not None
    return Arg(
        actor=actor,
        start=span.start if span else 0,
        end=span.end if span else 0,
        text=span.text if span else "",
        how=how,
    )


def _same(arg: Arg, m: Mention) -> bool:
    return arg.start == m.start and arg.end == m.end


def _inside_same(arg: Arg, m: Mention) -> bool:
    """``m`` lies inside ``arg`` with the same principal ("South Korea" in "South Korea's envoy").

    A nested mention of another principal is kept: "his American and Chinese counterparts".
    """
    inside = arg.start <= m.start and m.end <= arg.end
    return inside and m.actor is not None and _principal(m.actor) == _principal(arg.actor)


def _one_per_principal(args: list[Arg]) -> list[Arg]:
    """Keep one argument per principal, preferring the code with a role (USAGOV over USA)."""
    best: dict[str, Arg] = {}
    for a in args:
        key = a.actor.principal or a.actor.code
        if key not in best or len(a.actor.code) > len(best[key].actor.code):
            best[key] = a
    return list(best.values())


def _principal(actor: Actor | None) -> str:
    """Country/IGO part of an actor ("" for a role-only actor such as "---GOV" or "CVL")."""
    if actor is None or actor.principal.startswith("-"):
        return ""
    return actor.principal


def _dedupe_key(src: Arg, tgt: Arg | None, code: str) -> tuple[str, str, str]:
    """Principals and full code: the same act told twice is one event, "jailed" and "convicted" two."""
    pair = (_principal(src.actor), _principal(tgt.actor if tgt else None))
    if code[:2] in ("03", "04") and pair[1]:
        pair = (min(pair), max(pair))  # a meeting of A and B is one event
    return pair[0], pair[1], code


def _same_event(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    """Same principals and the same code, or one code a generic form of the other.

    "talked with X" (040) repeats "held phone talks with X" (041); "was jailed" (173) and
    "was convicted" (116) are two events.
    """
    if a[:2] != b[:2] or a[2][:2] != b[2][:2]:
        return False
    x, y = a[2], b[2]
    return x == y or _generic(x) or _generic(y) or x.startswith(y) or y.startswith(x)


def _generic(code: str) -> bool:
    """A root's unspecified code: "04", "040", "190"."""
    return len(code) == 2 or (len(code) == 3 and code.endswith("0"))


def _dedupe_key_event(ev: Event) -> tuple[str, str, str]:
    pair = (_principal(ev.source_actor), _principal(ev.target_actor))
    if ev.root in ("03", "04") and pair[1]:
        pair = (min(pair), max(pair))
    return pair[0], pair[1], ev.cameo


def _confidence(src: Arg, tgt: Arg | None) -> float:
    """Lower confidence when an argument came from a coreference heuristic."""
    guessed = {"antecedent", "last source", "dyad", "reporter of quote"}
    score = 0.9
    if src.how in guessed:
        score -= 0.2
    if tgt is not None and tgt.how in guessed:
        score -= 0.1
    return round(score, 2)


# --- public API -------------------------------------------------------------------------


def code_doc(
    doc: Any,
    mentions: Iterable[Mention],
    *,
    lex: Lexicon,
    onto: Ontology,
    story_id: str = "",
    convention: str = "gdelt",
) -> tuple[Event, ...]:
    """Code the events of a parsed document.

    Args:
        doc: a spaCy Doc of ``Story.text``.
        mentions: actor mentions with character offsets into the same text.
        lex: the event lexicon.
        onto: the ontology.
        story_id: the story id, used in event ids.
        convention: quad-class convention, "gdelt" or "plover".

    Returns:
        The events, in text order, one per (source, target, root).
    """
    coder = Coder(lex, onto, mentions, convention)
    coder.story_id = story_id
    for index, sent in enumerate(doc.sents):
        coder.code_sentence(sent, index)
    return tuple(coder.events)


class EventStage(Stage):
    """Fill ``Story.events`` with the rule coder's events."""

    name = "dateline.events.cameo.v1"
    requires = frozenset({"doc", "sentences", "mentions"})
    provides = frozenset({"events"})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.lex = lexicon(ctx)
        self.onto = ontology(ctx)

    def process(self, story: Story) -> Story:
        if story.doc is None:
            return story
        events = code_doc(
            story.doc,
            story.mentions,
            lex=self.lex,
            onto=self.onto,
            story_id=story.id,
            convention=self.ctx.settings.events.quad_convention,
        )
        return dataclasses.replace(story, events=events)


def evaluate_plover_gsr(path: str, ctx: Context, limit: int | None = None) -> dict[str, Any]:
    """PLOVER type and source accuracy on ``plover_gsr.jsonl`` (see :mod:`dateline.validate`)."""
    from .validate import evaluate_plover_gsr as run

    return run(path, ctx, limit=limit)
