"""Actor resolution: names, agents and mentions coded as CAMEO actor codes.

Two entry points:

* :func:`resolve` codes a short text ("South Korea's top nuclear envoy", "The DEA",
  "Kim Jong-un") at a date without spaCy; ``dateline actors lookup`` prints its reasons.
  A plural demonym is the people ("ordinary Kazakhs" -> KAZCVL); a religion before a
  generic person noun is a religious actor ("a Jewish community leader" -> REL); a city
  codes its state.
* :class:`ActorStage` finds the actor mentions of a parsed story (``Story.mentions``).

Rules the stage applies, in order (each mention's ``reason`` names the one that fired):

1. **Names.** Token n-grams (longest first) are looked up in the merged dictionary
   (:mod:`dateline.dictionaries`): states, demonyms, capitals, metonyms, IGOs, groups,
   office holders and the Phoenix names. A single-token match must be capitalised, and a
   match of at most three letters must be upper case ("US", not "us"). Phrases listed in
   ``nonactors.yaml`` ("Korean Peninsula") are skipped.
2. **Surnames.** A lone proper noun equal to the first or last word of a person named
   earlier in the story is that person ("Noh" -> Noh Kyu-duk); if several match ("Kim"),
   the most recently mentioned wins. The words come from the entry's canonical name, so a
   titled entry ("North Korean leader Kim Jong-un") still yields "Kim".
3. **"the North" / "the South".** In a Korea story (home country or one of the two most
   mentioned states is KOR or PRK) they are PRK / KOR.
4. **Role nouns.** A noun phrase whose head is an agent noun (envoy, ministry, regime,
   warplanes...) is one mention. Its country comes from, in order: a name inside the phrase
   ("South Korea's", "American", "the Joe Biden administration"); a person in apposition
   ("his American counterpart, Sung Kim"); an ``of/in/from`` phrase ("gangs in Haiti"); an
   earlier mention with the same head noun ("the ministry" after "the foreign ministry");
   "its"/"their" -> the last state named; else the story's home country (the dateline
   place, else the agency's country from ``agencies.yaml``, used only when the story names
   that country itself, so a Dubai dateline on a Yemen story does not count), else the
   most often named state. "former ..." gives ELI. Organisation modifiers keep their own
   code ("Hamas leaders" -> PSEREB); "his American and Chinese counterparts" gives one
   mention per country.
   A "counterpart" takes the role of its clause's subject ("the Pakistan army's director
   general ... contacted his Indian counterpart" -> INDMIL). A curated agent noun that the
   Phoenix lists also hold as a name ("Joint Chiefs of Staff") is left to this rule, so it
   takes the story's country rather than Phoenix's.
   After the role nouns: a state modifying a noun of armed action is its military ("Indian
   firing", "an Israeli raid" -> MIL); a capital that is attacked or located ("an attack on
   Kyiv", "Beirut's southern suburbs") is the city, i.e. the bare state, not GOV.
5. **Unknown persons.** A PERSON entity not in the dictionary takes the actor of its
   appositive role phrase ("Noh Kyu-duk, special representative ...": GOV of the home country),
   else of the title printed before it ("Defense Minister Ivan Petrovsky" -> MIL). A title's
   country is a state inside it, else an "of" phrase, else the story's context: the home
   country, else the nearest earlier state mention, else the most named state.
   **Cities.** A place entity naming a city of ``cities.csv`` (not after "in"/"near"/...)
   codes its state without a role ("the RSF laid siege to el-Fasher" -> SDN). Ship names
   after "USS"/"HMS" are the navy ("the USS Dwight D. Eisenhower" -> USAMIL).
6. **Pronouns.** A subject "it"/"they" of the sentence's main speech verb ("..., it
   noted.") refers to the most recent organisation that spoke; otherwise "it"/"they" take
   the most recent non-person actor and "he"/"she" the most recent person. "It" with a
   copula ("It remains unclear whether ...") is an expletive and is skipped.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .context import Context
from .dictionaries import (
    RELIGIONS,
    ActorDictionary,
    AgentEntry,
    Entry,
    Lookup,
    collapse,
    load_dictionary,
    norm,
    singular,
    strip_key,
)
from .model import Actor, Mention, Meta, Story, content_id
from .nlp import TokenView
from .pipeline import Stage

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "ActorStage",
    "Resolution",
    "actor_dictionary",
    "agent",
    "evaluate_actors",
    "home_country",
    "lookup_report",
    "resolve",
    "resolve_explained",
    "use_dictionary",
]

#: kinds of dictionary entries that stand for a state as a whole (a role noun may replace their role)
_STATE_KINDS = frozenset({"state", "demonym", "capital", "name"})
#: role nouns that denote one person (for he/she and for "counterpart")
_PERSON_HEADS = frozenset(
    "envoy minister president premier leader official spokesman spokeswoman spokesperson diplomat "
    "ambassador counterpart representative chancellor secretary king queen emir general commander "
    "governor mayor senator lawmaker judge prosecutor negotiator chief director head".split()
)
#: verbs that introduce reported speech: "it noted" refers back to an organisation that spoke
_SPEECH = frozenset(
    "say note add state tell announce claim write report stress insist warn urge explain "
    "confirm deny reveal argue".split()
)
_FORMER = frozenset({"former", "ex", "retired", "disgraced", "late"})
_ARG_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "appos", "conj"})
_HYPHEN_PREFIXES = frozenset({"inter", "anti", "pro", "non", "intra", "pan", "trans"})
_HYPHEN_SUFFIXES = frozenset({"allied", "backed", "brokered", "sponsored", "aligned", "friendly", "bound"})
_COPULAS = frozenset({"be", "remain", "seem", "appear", "become"})
_PRONOUNS = frozenset({"he", "she", "it", "they", "him", "her", "them", "we", "i"})
_LEADING = frozenset(
    "the a an his her its their our this that these those some several many two three four five six "
    "seven eight nine ten dozens hundreds thousands members member of ordinary".split()
)
_PREPS_OF = frozenset({"of", "in", "from"})
_CUT_PREPS = frozenset({"of", "for", "in", "at", "from", "to", "on", "across"})
#: person nouns that say little about the role: an earlier agent noun in the phrase decides
_GENERIC_HEADS = frozenset(
    "officer official member leader head chief spokesman spokeswoman spokesperson accountant "
    "president director chairman group".split()
)
#: nouns of armed action or hardware: a state or demonym modifying them is the state's military
#: ("Indian firing", "an Israeli raid", "Russian warplanes" is a role noun already)
_MILITARY_ACTS = frozenset(
    "firing shelling strike airstrike raid bombardment bombing incursion offensive invasion base "
    "attack".split()
)
#: verbs whose object, when a capital, is the city attacked ("shelled Kyiv")
_ATTACK_VERBS = frozenset("attack strike shell bomb bombard hit target pound raid storm besiege".split())
#: nouns of a city's parts: "Beirut's southern suburbs" is the city, not the government
_PLACE_NOUNS = frozenset(
    "suburb outskirts district neighborhood neighbourhood street centre center airport area outskirt".split()
)
#: ship-name prefixes (metonyms of a navy in states.yaml): the name after them is the ship
_SHIP_PREFIXES = frozenset({"USS", "HMS"})
#: prepositions of location: a city after them is where something happened, not an actor
_WHERE_PREPS = frozenset(
    "in near from outside inside across around throughout within via through into across between".split()
)
_WORD = re.compile(r"[#@]?[\w][\w.'’\-]*")
_AFFIX = re.compile(r"-(?:based|led|backed|owned|run|allied|linked)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """How a text resolved: the actor (or None) and the steps that decided it."""

    text: str
    actor: Actor | None
    reason: str
    steps: tuple[str, ...] = ()
    lookup: Lookup | None = None


_RESOURCE = "actors.dictionary"


def actor_dictionary(ctx: Context) -> ActorDictionary:
    """The merged actor dictionary for ``ctx`` (built once, then cached)."""
    return ctx.resource(_RESOURCE, lambda: load_dictionary(ctx.settings.actors.dictionaries))


def use_dictionary(ctx: Context, dictionary: ActorDictionary) -> None:
    """Make ``ctx`` resolve actors with ``dictionary`` instead of the built-ins.

    Call it on a fresh context before building the pipeline, e.g. with
    :func:`dateline.dictionaries.dictionary_from_tabari` for PETRARCH's validation world.

    Raises:
        ValueError: the context already built its dictionary.
    """
    if _RESOURCE in ctx.loaded():
        raise ValueError("this context already loaded its actor dictionary; use a fresh Context")
    ctx.resource(_RESOURCE, lambda: dictionary)


def _actor(lk: Lookup, role: str | None = None, *, source: str = "", kind: str = "") -> Actor:
    """An Actor from a dictionary lookup, optionally with another role."""
    e = lk.entry
    assert e is not None
    role = lk.role if role is None else role
    return Actor(
        code=lk.principal + role,
        principal=lk.principal,
        role=role,
        name=e.canonical or e.name,
        kind=_actor_kind(e),
        valid_from=e.valid_from,
        valid_to=e.valid_to,
        source=source or e.source,
    )


def _actor_kind(e: Entry) -> str:
    if e.kind in {"person", "igo", "ngo", "group"}:
        return e.kind
    if e.principal.startswith("IGO"):
        return "igo"
    return "state" if e.kind in _STATE_KINDS | {"metonym"} else e.kind


def _role_actor(principal: str, role: str, *, name: str, source: str, kind: str = "agent") -> Actor:
    return Actor(code=principal + role, principal=principal, role=role, name=name, kind=kind, source=source)


# --- the short-text resolver ------------------------------------------------------------


@dataclass(slots=True)
class _Hit:
    """A dictionary name found in a word sequence."""

    start: int
    end: int
    lookup: Lookup


def _words(text: str) -> list[str]:
    """Words of a short text; "Somalia-based" and "Kurdish-led" keep only the place."""
    return [_AFFIX.sub("", w) for w in _WORD.findall(text)]


def _name_hits(words: list[str], d: ActorDictionary, when: date | None) -> list[_Hit]:
    """Non-overlapping dictionary names in ``words``, longest first, left to right."""
    hits: list[_Hit] = []
    i = 0
    while i < len(words):
        found = None
        for n in range(min(d.max_words, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            key = norm(phrase)
            if key in d.blocked:
                found = _Hit(start=i, end=i + n, lookup=Lookup(key=key, entry=None))
                break
            if key not in d.names and key not in d.phoenix:
                continue
            if n == 1 and not _plausible_single(words[i]):
                continue
            lk = d.lookup(phrase, when)
            if lk.entry is not None:
                found = _Hit(start=i, end=i + n, lookup=lk)
                break
        if found:
            hits.append(found)
            i = found.end
        else:
            i += 1
    return [h for h in hits if h.lookup.entry is not None]


def _plausible_single(word: str) -> bool:
    """A one-word name must be capitalised; one of up to three letters must be upper case."""
    letters = [c for c in word if c.isalpha()]
    if not letters or not (word[0].isupper() or word[0] in "#@" or word[0].isdigit()):
        return False
    return len(letters) > 3 or all(c.isupper() for c in letters)


def _agent_spans(lowered: list[str], d: ActorDictionary) -> list[tuple[AgentEntry, int, int]]:
    """Non-overlapping agent phrases in ``lowered`` words, longest first, left to right."""
    out = []
    i = 0
    while i < len(lowered):
        for j in range(len(lowered), i, -1):
            a = d.agent(" ".join(lowered[i:j]))
            if a is not None:
                out.append((a, i, j))
                i = j
                break
        else:
            i += 1
    return out


def _agent_in(words: list[str], d: ActorDictionary) -> tuple[AgentEntry, int, int] | None:
    """The agent noun of a phrase.

    Steps: 1. find the agent phrases; 2. prefer those before a preposition (the head part:
    "ministry of mines"); 3. the last one is the head, unless it is a generic person noun
    ("officer", "spokesman") after a more telling one ("intelligence agency officer" -> SPY).
    """
    lowered = [w.lower().removesuffix("'s").removesuffix("’s") for w in words]
    spans = _agent_spans(lowered, d)
    if not spans:
        return None
    cut = next((i for i, w in enumerate(lowered) if w in _CUT_PREPS and i > 0), len(words))
    head_part = [s for s in spans if s[1] < cut] or spans
    head = head_part[-1]
    if lowered[head[2] - 1] in _GENERIC_HEADS or singular(lowered[head[2] - 1]) in _GENERIC_HEADS:
        telling = [s for s in head_part[:-1] if s[0].role != head[0].role]
        if telling:
            t = telling[-1]
            if t[0].role in RELIGIONS:  # "a Jewish community leader": a religious actor
                return dataclasses.replace(t[0], role="REL", role2=t[0].role), t[1], t[2]
            return t
        after = [s for s in spans if s[1] > cut]  # "a group of tourists": the tourists
        if after:
            return after[0]
    return head


def resolve_explained(
    text: str,
    when: date | None = None,
    ctx: Context | None = None,
    *,
    context: str = "",
    dictionary: ActorDictionary | None = None,
) -> Resolution:
    """Resolve a short text to an actor, keeping the reasons.

    Steps: 1. the whole text as a dictionary name; 2. names inside it (a person wins,
    else the first state/organisation); 3. an agent noun for the role; 4. a country from
    ``context`` ("German" for "Defense Minister") when the text has none; 5. "former" -> ELI.

    Args:
        text: a name or noun phrase.
        when: the date of the story (persons' posts change); None = latest known.
        ctx: a context (its cached dictionary is used); or pass ``dictionary``. Without
            either a fresh context loads the dictionaries, so pass one when resolving many.
        context: optional text naming the country the phrase belongs to.
        dictionary: a dictionary to use instead of the context's.

    Returns:
        A :class:`Resolution`; ``actor`` is None when nothing resolved.
    """
    d = dictionary if dictionary is not None else actor_dictionary(ctx or Context())
    clean = text.strip().strip(",;:\"'“”‘’")
    steps: list[str] = []
    if not clean.strip("."):
        return Resolution(text=text, actor=None, reason="empty text")
    whole = d.lookup(clean, when)
    if whole.entry is None and clean.endswith("."):  # "N.K." keeps its period, a sentence's goes
        clean = clean.rstrip(".")
        whole = d.lookup(clean, when)
    if whole.entry is not None and whole.key not in d.blocked:
        reason = f"name {clean!r}: {whole.why}"
        role = None
        curated = d.agent(whole.key)
        if whole.entry.tier == 0 and curated is not None and curated.tier > 0 and curated.role != whole.role:
            # an imported name that is also a curated agent noun ("the Senate"): the
            # curated role wins, the import still gives the country
            role = curated.role
            reason = f"{reason}; curated agent {curated.phrase!r} -> {role} ({curated.source})"
        elif (head_role := _institution_role(whole, d)) is not None:
            role = head_role
            reason = f"{reason}; ends in a curated agent noun -> {role}"
        return Resolution(
            text=text, actor=_actor(whole, role, source=reason), reason=reason, steps=(reason,), lookup=whole
        )
    city = d.cities.get(norm(clean))
    if city is not None:
        reason = f"city {clean!r} (cities.csv) -> {city}"
        actor = Actor(code=city, principal=city, name=clean, kind="state", source=reason)
        return Resolution(text=text, actor=actor, reason=reason, steps=(reason,))
    words = _words(clean)
    former = any(w.lower() in _FORMER for w in words)
    while words and words[0].lower() in _LEADING | _FORMER:
        words = words[1:]
    if len(words) == 1 and words[0].lower() in _PRONOUNS:
        reason = f"pronoun {words[0]!r} without an antecedent: unknown actor"
        actor = Actor(code="UNK", principal="", role="UNK", kind="pronoun", source=reason)
        return Resolution(text=text, actor=actor, reason=reason, steps=(reason,))
    hits = _name_hits(words, d, when)
    covered = {i for h in hits for i in range(h.start, h.end)}
    rest = [w for i, w in enumerate(words) if i not in covered]
    agent_hit = _agent_in(rest, d) if rest else None
    person = next((h for h in hits if h.lookup.entry and h.lookup.entry.kind == "person"), None)
    titled = person is not None and any(i < person.start for i in range(len(words)) if i not in covered)
    return _combine(text, hits, agent_hit, former, steps, d, when, context, titled=titled)


def _combine(
    text: str,
    hits: list[_Hit],
    agent_hit: tuple[AgentEntry, int, int] | None,
    former: bool,
    steps: list[str],
    d: ActorDictionary,
    when: date | None,
    context: str,
    *,
    titled: bool = False,
) -> Resolution:
    """Combine names and an agent noun into one actor (see resolve_explained)."""
    person = next((h for h in hits if h.lookup.entry and h.lookup.entry.kind == "person"), None)
    with_role = next((h for h in hits if h.lookup.role), None)
    base = person or with_role or (hits[0] if hits else None)
    agent_e = agent_hit[0] if agent_hit else None
    if agent_e:
        steps.append(f"agent {agent_e.phrase!r} -> {agent_e.role} ({agent_e.source})")
    if base is not None:
        lk = base.lookup
        assert lk.entry is not None
        steps.append(f"name {lk.key!r}: {lk.why}")
        role = lk.role
        state = next((h for h in hits if h.lookup.entry and h.lookup.entry.kind in _STATE_KINDS), None)
        if not person and state is not None and state.lookup.principal != lk.principal:
            # "Chile's Defense Department": the named state owns the generic institution
            steps.append(f"state {state.lookup.key!r} owns {lk.key!r}")
            lk = dataclasses.replace(lk, principal=state.lookup.principal, code=state.lookup.principal + role)
        entry_kind = lk.entry.kind if lk.entry else ""
        curated = d.agent(lk.key)
        if (
            lk.entry is not None
            and lk.entry.tier == 0
            and curated is not None
            and curated.tier > 0
            and curated.role != role
        ):
            steps.append(f"curated agent {curated.phrase!r} -> {curated.role} ({curated.source})")
            role = curated.role
        if agent_e and not person and (entry_kind in _STATE_KINDS or not role):
            role = agent_e.role
        elif not agent_e and not role and len(hits) == 1 and _plural_demonym(lk.key, lk.principal, d):
            steps.append(f"plural demonym {lk.key!r}: its people -> CVL")
            role = "CVL"
        elif agent_e and person and titled and agent_e.role != role and not _dated_match(lk, when):
            # a printed title is the evidence of the post when no dated tenure covers the date
            steps.append(f"title {agent_e.phrase!r} -> {agent_e.role} overrides the dictionary post")
            role = agent_e.role
        if former and role:
            role = "ELI"
            steps.append("'former' -> ELI")
        reason = "; ".join(steps)
        return Resolution(
            text=text, actor=_actor(lk, role, source=reason), reason=reason, steps=tuple(steps), lookup=lk
        )
    if agent_e is None:
        return Resolution(text=text, actor=None, reason="no name or agent noun found", steps=tuple(steps))
    principal = ""
    if context:
        ctx_hits = _name_hits(_words(context), d, when)
        if ctx_hits:
            principal = ctx_hits[0].lookup.principal
            steps.append(f"country from context {context!r} -> {principal}")
    role = "ELI" if former else agent_e.role
    reason = "; ".join(steps)
    actor = _role_actor(principal, role, name=agent_e.phrase, source=reason)
    return Resolution(text=text, actor=actor, reason=reason, steps=tuple(steps))


def _institution_role(lk: Lookup, d: ActorDictionary) -> str | None:
    """The role of an imported state name that ends in a curated agent noun, when the import
    says ELI ("Bush administration": Phoenix ELI, but an administration governs -> GOV)."""
    e = lk.entry
    if e is None or e.tier != 0 or lk.role != "ELI" or lk.principal not in d.state_names or " " not in lk.key:
        return None
    last = lk.key.rsplit(" ", 1)[1]
    head = d.agent(last)
    if head is None or head.tier == 0 or last in _PERSON_HEADS or head.role in {"UNK", "JNK", "ELI", "CVL"}:
        return None  # a person noun ("Stephenson King") is a surname, not an institution
    return head.role


def _plural_demonym(key: str, principal: str, d: ActorDictionary) -> bool:
    """True for a plural demonym ("kazakhs", "afghans"): the people of the state, not the state."""
    if not key.endswith("s") or len(key) < 5:
        return False
    one = d.lookup(key[:-1])
    return one.entry is not None and one.entry.kind == "demonym" and one.principal == principal


def _dated_match(lk: Lookup, when: date | None) -> bool:
    """True when the lookup chose a dated entry that covers ``when``."""
    return bool(when and lk.entry and lk.entry.dated and lk.entry.covers(when))


def resolve(text: str, when: date | None = None, ctx: Context | None = None, **kw: Any) -> Actor | None:
    """Resolve a short text to an actor; ``actor.source`` holds the explanation.

    Args:
        text: a name or noun phrase ("S. Korea", "the Pentagon", "Joe Biden").
        when: the story date; None = latest known.
        ctx: the context whose dictionary to use.
        **kw: ``context=`` and ``dictionary=`` as for :func:`resolve_explained`.

    Returns:
        The actor, or None.
    """
    return resolve_explained(text, when, ctx, **kw).actor


def agent(text: str, ctx: Context | None = None, *, dictionary: ActorDictionary | None = None) -> Resolution:
    """Code a role noun phrase by its agent noun and country modifier.

    "American warplanes" -> USA MIL, "The DEA" -> USA COP (a metonym), "soldiers" -> MIL.

    Args:
        text: the noun phrase.
        ctx: the context whose dictionary to use; or pass ``dictionary``.

    Returns:
        A :class:`Resolution` (actor None when no agent noun or name is found).
    """
    return resolve_explained(text, None, ctx, dictionary=dictionary)


def lookup_report(name: str, when: date | None, ctx: Context, *, context: str = "") -> str:
    """The text ``dateline actors lookup`` prints: the code, the steps, the entries and conflicts.

    Args:
        name: the text to resolve.
        when: the date; None = latest known.
        ctx: the context (its settings name any user dictionaries).
        context: optional text naming the country.

    Returns:
        A multi-line report.
    """
    d = actor_dictionary(ctx)
    res = resolve_explained(name, when, ctx, context=context, dictionary=d)
    a = res.actor
    lines = [f"{name!r} as of {when or 'latest'} -> {a.code if a else 'unresolved'}"]
    if a is not None:
        lines.append(f"  principal {a.principal or '-'}  role {a.role or '-'}  kind {a.kind or '-'}")
    lines += [f"  because {step}" for step in res.steps] or [f"  because {res.reason}"]
    lk = res.lookup or d.lookup(name, when)
    for e in lk.candidates:
        dates = f"{e.valid_from or '...'} to {e.valid_to or 'now'}" if e.dated else "undated"
        lines.append(f"  entry {e.code:10} {dates:26} {e.note or e.kind:30} {e.source}")
    for e in lk.overridden:
        dates = f"{e.valid_from or '...'} to {e.valid_to or 'now'}" if e.dated else "undated"
        lines.append(
            f"  overridden {e.code:10} {dates:26} {e.source} (a higher-priority source owns this name)"
        )
    return "\n".join(lines)


# --- the stage ----------------------------------------------------------------------------


def home_country(meta: Meta, d: ActorDictionary) -> tuple[str, str]:
    """The story's home country from its dateline place, else its agency.

    Args:
        meta: the story metadata.
        d: the actor dictionary.

    Returns:
        ``(principal, why)``; ``("", ...)`` when neither names a country.
    """
    if meta.dateline:
        for part in [meta.dateline, *reversed(meta.dateline.split(","))]:
            lk = d.lookup(part.strip().title() if part.isupper() else part.strip())
            if lk.entry is not None and len(lk.principal) == 3:
                return lk.principal, f"dateline {meta.dateline!r} -> {lk.principal}"
    for name in (meta.agency, meta.outlet):
        if name and norm(name) in d.agencies:
            return d.agencies[norm(name)], f"agency {name!r} -> {d.agencies[norm(name)]}"
    return "", "no dateline or agency country"


@dataclass(slots=True)
class _M:
    """A mention under construction (token span, actor, kind, reason)."""

    start: int  # token index
    end: int
    actor: Actor | None
    kind: str
    reason: str
    head: int  # token index
    person: bool = False
    speaker: bool = False
    head_lemma: str = ""
    surnames: tuple[str, ...] = ()
    place: bool = False  # a city: never the antecedent of a pronoun


class ActorStage(Stage):
    """Find actor mentions in a parsed story and code them (see the module docstring)."""

    name = "dateline.actors.v1"
    requires = frozenset({"doc", "sentences", "meta"})
    provides = frozenset({"mentions"})

    def process(self, story: Story) -> Story:
        d = actor_dictionary(self.ctx)
        doc = story.doc
        when = story.meta.published_date or (story.meta.published.date() if story.meta.published else None)
        found = _StoryResolver(doc, d, when, story.meta).run()
        starts = [s.start for s in story.sentences]
        mentions = tuple(_mention(story, doc, m, starts) for m in found if m.actor is not None)
        return dataclasses.replace(story, mentions=mentions)


def _mention(story: Story, doc: Doc, m: _M, starts: list[int]) -> Mention:
    span = doc[m.start : m.end]
    start, end = span.start_char, span.end_char
    sentence = max(0, bisect.bisect_right(starts, start) - 1)
    assert m.actor is not None
    return Mention(
        id=content_id(story.id, start, end, m.actor.code),
        sentence=sentence,
        start=start,
        end=end,
        text=story.text[start:end] if story.text else span.text,
        actor=m.actor,
        kind=m.kind,
        head=doc[m.head].idx,
        reason=m.reason,
    )


class _TokenTable(TokenView):
    """Per-token facts the name matcher reads many times, computed once per Doc."""

    def __init__(self, doc: Doc) -> None:
        super().__init__(doc)  # the rules iterate ``tokens`` and slice ``text``, never the Doc
        self.words = [t.text for t in self.tokens]
        # a trailing "." or "'" may belong to a name ("U.S.", "Koreas'")
        self.punct = [
            t.is_punct and w not in {".", "'"} for t, w in zip(self.tokens, self.words, strict=True)
        ]
        sent_start = [t.is_sent_start for t in self.tokens]
        self.end = [s + len(w) for s, w in zip(self.starts, self.words, strict=True)]
        self.capital = [w[:1].isupper() or w[:1] in "#@" for w in self.words]
        # never match across a real sentence end (the parser's own breaks can be wrong)
        self.next_break = [len(doc)] * len(doc)
        upcoming = len(doc)
        for k in range(len(doc) - 1, -1, -1):
            self.next_break[k] = upcoming
            if k and sent_start[k] and self.words[k - 1] in {".", "!", "?", "\n"}:
                upcoming = k


class _StoryResolver:
    """The per-story state of the stage's rules."""

    def __init__(self, doc: Doc, d: ActorDictionary, when: date | None, meta: Meta) -> None:
        self.doc, self.d, self.when = doc, d, when
        self.home, self.home_why = home_country(meta, d)
        self.tok = _TokenTable(doc)
        self.mentions: list[_M] = []
        self.absorbed: list[_M] = []  # names folded into a role phrase (kept for surnames)
        self.taken: set[int] = set()
        self.agents: dict[str, AgentEntry | None] = {}  # phrase -> d.agent(phrase), for this story
        self.collapsed: dict[str, str] = {}  # word -> collapse(word), for this story

    def _collapse_word(self, word: str) -> str:
        """``collapse(word)``, once per distinct word of the story."""
        if word not in self.collapsed:
            self.collapsed[word] = collapse(word)
        return self.collapsed[word]

    def _may_end_agent(self, run: list[Token], tail: str) -> bool:
        """False when no agent phrase can end the way every ``run[k:] + tail`` phrase ends.

        All those phrases end in the same word; when it is plain ASCII letters it is also the
        last word of the phrase's :func:`~dateline.dictionaries.norm` key, and of the
        singular key ``d.agent`` tries next, so one set lookup can rule out the whole run.
        """
        chunks = (tail if tail.strip() else run[-1].lower_ if run else "").split()
        if not chunks or not (chunks[-1].isascii() and chunks[-1].isalpha()):
            return True
        last, ends = chunks[-1], self.d.agent_last_words
        return last in ends or singular(last) in ends

    def _agent(self, phrase: str) -> AgentEntry | None:
        """``d.agent(phrase)``, once per phrase: the role rule asks for the same nouns again and again."""
        if phrase not in self.agents:
            self.agents[phrase] = self.d.agent(phrase)
        return self.agents[phrase]

    def run(self) -> list[_M]:
        """Apply rules 1-6 and return the mentions in text order."""
        names = self._names()
        self.dominant = self._dominant(names)
        names += self._north_south()
        self._add(names)
        self._titles()
        self._roles()
        self._military_acts()
        self._peoples()
        self._capital_places()
        self._unknown_persons()
        self._cities()
        self._surnames()
        ordered = sorted(self.mentions, key=lambda m: m.start)
        self._pronouns(ordered)
        return sorted(self.mentions, key=lambda m: m.start)

    # 1. names ------------------------------------------------------------------------
    def _names(self) -> list[_M]:
        d, words = self.d, self.tok.words
        out: list[_M] = []
        starts: dict[str, bool] = {}  # word -> may start a name; most words recur in a story
        i = 0
        while i < len(words):
            word = words[i]
            first = starts.get(word)
            if first is None:
                first = starts[word] = norm(word) in d.first_words
            if not first and not (word in {"#", "@"} and i + 1 < len(words)):
                i += 1
                continue
            hit = self._longest(i)
            if hit is None or self._overtaken(i, hit[0]):
                i += 1
                continue
            end, lk = hit
            if lk is not None and word in _SHIP_PREFIXES:
                end = self._ship_name_end(end)
            if lk is not None and not self._hyphen_modifier(i, end):
                out.append(self._name_mention(i, end, lk))
            i = end
        return out

    def _ship_name_end(self, end: int) -> int:
        """End of a ship's name after its prefix ("USS Dwight D. Eisenhower"): the ship, not the man."""
        doc = self.doc
        while end < len(doc) and (
            doc[end].pos_ == "PROPN" or (doc[end].text == "." and len(doc[end - 1].text) == 1)
        ):
            end += 1
        return end

    def _hyphen_modifier(self, i: int, end: int) -> bool:
        """True for names inside a hyphenated modifier that is not that actor.

        "inter-Korean", "anti-American", "pro-Russian" and "Iran-backed", "U.S.-allied",
        "Qatar-brokered" describe something else; "Somalia-based" still names the country.
        """
        doc = self.doc
        if i >= 2 and doc[i - 1].text == "-" and doc[i - 2].lower_ in _HYPHEN_PREFIXES:
            return True
        return end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in _HYPHEN_SUFFIXES

    def _overtaken(self, i: int, end: int) -> bool:
        """True when a name starting inside [i, end) runs further ("President Moon | Moon Jae In")."""
        for j in range(i + 1, end):
            if norm(self.tok.words[j]) in self.d.first_words:
                later = self._longest(j)
                if later is not None and later[0] > end and later[1] is not None:
                    return True
        return False

    def _longest(self, i: int) -> tuple[int, Lookup | None] | None:
        """The longest dictionary name (or blocked phrase) starting at token ``i``."""
        d, text, t = self.doc, self.d, self.tok
        limit = min(len(d), i + text.max_words + 1, t.next_break[i])  # +1: a trailing "'s" token
        collapsed = self._collapsed_spans(i, limit)
        for end in range(i + len(collapsed), i, -1):
            if end > i + 1 and t.punct[end - 1]:
                continue
            key = strip_key(collapsed[end - i - 1])  # norm(raw)
            if key in text.blocked:
                return end, None
            if key not in text.names and key not in text.phoenix:
                continue  # a cheap membership test before the dated lookup
            raw = t.text[t.starts[i] : t.end[end - 1]]
            if end == i + 1 and not _plausible_single(raw):
                continue
            if not any(t.capital[i:end]):
                continue
            lk = text.lookup(raw, self.when)
            if lk.entry is not None:
                if end == i + 1 and lk.entry.tier == 0 and d[i].ent_type_ == "PERSON":
                    continue  # a lone given or family name in the Phoenix lists is too ambiguous
                curated = text.agent(key)
                if lk.entry.tier == 0 and curated is not None and curated.tier > 0:
                    # an imported name that is a curated agent noun ("Joint Chiefs of Staff",
                    # "Defense Department"): the role rule gives it the story's country
                    return end, None
                return end, lk
        return None

    def _collapsed_spans(self, i: int, limit: int) -> list[str]:
        """``collapse()`` of the text from token ``i`` to each end that may close a dictionary name.

        Item ``k`` is the span ``[i, i + k + 1)``; the list stops before ``limit`` once no
        longer span can be a name. Growing the span one token at a time, the words already
        followed by a space stay the leading words of every longer span (see
        :func:`~dateline.dictionaries.collapse`); once they do not start any dictionary key,
        the search ends. A leading "the" is skipped, as :func:`~dateline.dictionaries.norm`
        drops it. This rejects most candidate ends with one set lookup, where ``_longest``
        used to build and normalise every one of them.
        """
        t, prefixes = self.tok, self.d.word_prefixes
        out: list[str] = []
        collapsed = ""
        for end in range(i + 1, limit + 1):
            j = end - 1
            gap = t.text[t.end[j - 1] : t.starts[j]] if j > i else ""
            if j == i or (gap and gap.isspace()):
                # across whitespace, collapse(a + " " + b) is collapse(a) + " " + collapse(b):
                # every step works per character or per word (lower() too, as a space stops
                # its only look-around, the Greek final sigma)
                piece = self._collapse_word(t.words[j])
                collapsed = f"{collapsed} {piece}" if collapsed and piece else collapsed or piece
            else:
                collapsed = collapse(t.text[t.starts[i] : t.end[j]])
            # the words followed by a space (collapse() leaves single spaces, none at the ends)
            done = collapsed[: max(0, collapsed.rfind(" "))]
            if done == "the" or done.startswith("the "):
                done = done[4:]
            if done and done not in prefixes:
                break
            out.append(collapsed)
        return out

    def _name_mention(self, i: int, end: int, lk: Lookup) -> _M:
        assert lk.entry is not None
        span = self.doc[i:end]
        kind = lk.entry.kind if lk.entry.kind != "name" else "name"
        reason = f"{_KIND_WORDS.get(kind, 'name')} {span.text!r}: {lk.why}"
        person = lk.entry.kind == "person" or (kind == "name" and span.root.ent_type_ == "PERSON")
        role = _institution_role(lk, self.d)
        if role is not None:
            reason = f"{reason}; ends in a curated agent noun -> {role}"
            person = False
        return _M(
            start=i,
            end=end,
            actor=_actor(lk, role, source=lk.entry.source),
            kind="person" if person else _MENTION_KIND.get(kind, "name"),
            reason=reason,
            head=span.root.i,
            person=person,
            surnames=_person_keys(span, lk.entry) if person else (),
        )

    def _dominant(self, names: list[_M]) -> list[str]:
        """The two most often named states (names and capitals; demonyms are modifiers)."""
        counts = Counter(
            m.actor.principal
            for m in names
            if m.actor and len(m.actor.principal) == 3 and m.kind in {"name", "capital"}
        )
        if self.home and self.home not in counts:
            # a foreign bureau's dateline ("DUBAI" for a story on Yemen), or an agency reporting
            # on another country, is not the story's country
            self.home, self.home_why = "", f"{self.home_why}, but never named in the story"
        return [p for p, _ in counts.most_common(2)]

    # 3. the North / the South -----------------------------------------------------------
    def _north_south(self) -> list[_M]:
        korea = self.home in {"KOR", "PRK"} or bool({"KOR", "PRK"} & set(self.dominant))
        if not korea:
            return []
        out = []
        for tok in self.tok.tokens:
            if tok.text not in {"North", "South"}:
                continue
            nxt = tok.nbor(1) if tok.i + 1 < len(self.doc) else None
            if nxt is not None and nxt.text[:1].isupper() and nxt.pos_ == "PROPN":
                continue  # "North Korea", "South Sudan": names, handled by the dictionary
            prev = tok.nbor(-1) if tok.i > 0 else None
            if prev is None or prev.lower_ != "the":
                continue
            principal = "PRK" if tok.text == "North" else "KOR"
            reason = (
                f"'the {tok.text}' in a Korea story -> {principal} "
                f"({self.home_why}; dominant {self.dominant})"
            )
            actor = Actor(
                code=principal, principal=principal, name=f"the {tok.text}", kind="state", source=reason
            )
            out.append(_M(start=prev.i, end=tok.i + 1, actor=actor, kind="name", reason=reason, head=tok.i))
        return out

    def _add(self, ms: Iterable[_M]) -> None:
        for m in ms:
            if any(i in self.taken for i in range(m.start, m.end)):
                continue
            self.mentions.append(m)
            self.taken.update(range(m.start, m.end))

    def _titles(self) -> None:
        """Widen a person's mention over its title ("French Foreign Minister Jean-Yves Le Drian")."""
        for m in [m for m in self.mentions if m.person]:
            root = self.doc[m.head]
            left = self._np_left(root)
            if left >= m.start:
                continue
            inside = [o for o in self.mentions if o is not m and left <= o.start and o.end <= m.start]
            if any(o.person or (o.actor and o.actor.kind != "state") for o in inside):
                continue
            for o in inside:
                self.mentions.remove(o)
            title = self.doc[left : m.start].text
            m.reason = f"{m.reason}; title {title!r}"
            self.taken.update(range(left, m.start))
            self._title_role(m, left)
            m.start = left

    def _title_role(self, m: _M, left: int) -> None:
        """Let a printed title (``doc[left : m.start]``) decide the role when the dates cannot.

        Without a story date, or when the dictionary says the person had left office (ELI),
        "Iraqi President Saddam Hussein" is evidence that he held the post then: the
        title's curated role wins. "former ..." gives ELI.
        """
        a = m.actor
        if a is None or len(a.principal) != 3:
            return
        words = [t.text for t in self.doc[left : m.start] if t.dep_ not in {"det", "poss"}]
        if any(w.lower() in _FORMER for w in words):
            if a.role and a.role != "ELI":  # "former President X": out of office, whatever the dates say
                m.actor = self._with_role(a, "ELI")
                m.reason = f"{m.reason}; 'former' -> ELI"
            return
        if self.when is not None and a.role != "ELI":
            return
        found = _agent_in(words, self.d)
        if found is None or found[0].tier == 0 or found[0].role in {"UNK", "JNK", "ELI", a.role}:
            return
        m.actor = self._with_role(a, found[0].role)
        m.reason = f"{m.reason}; the printed title {found[0].phrase!r} -> {found[0].role}"

    # 4. role noun phrases ------------------------------------------------------------------
    def _roles(self) -> None:
        # an argument tagged ADJ ("The Chinese military") is still a noun phrase head
        heads = [
            t
            for t in self.tok.tokens
            if t.dep_ != "compound"
            and (t.pos_ in {"NOUN", "PROPN"} or (t.pos_ == "ADJ" and t.dep_ in _ARG_DEPS))
        ]
        # heads with an "of"/"for" phrase on their right, which an agent phrase may take in
        with_tail = {
            t.head.i
            for t in self.tok.tokens
            if t.dep_ == "prep" and t.lower_ in {"of", "for"} and t.head.i < t.i
        }
        for h in heads:
            if (
                h.i not in with_tail
                and h.dep_ not in {"det", "poss", "case"}
                and not self._may_end_agent([h], "")
            ):
                continue  # _role_phrase's first test, without building the "of" tails it cannot have
            self._role_phrase(h)

    def _np_left(self, h: Token) -> int:
        """Left edge of the noun phrase headed by ``h`` (its left modifiers only)."""
        left = h.i
        for child in h.lefts:
            if child.dep_ in {
                "det",
                "poss",
                "amod",
                "compound",
                "nmod",
                "nummod",
                "quantmod",
                "case",
                "punct",
            }:
                left = min(left, child.left_edge.i)
        return left

    def _role_phrase(self, h: Token) -> None:
        if h.i in self.taken:
            return  # the head is itself a name ("Pentagon"): keep the name mention
        tails = self._of_tails(h)
        if h.dep_ not in {"det", "poss", "case"} and not any(self._may_end_agent([h], t) for t, _ in tails):
            return  # the head ends every agent phrase tried below, and no agent noun ends that way
        left = self._np_left(h)
        # the agent phrase: the longest run of plain modifiers ending at the head
        plain = [
            t
            for t in self.tok.tokens[left : h.i + 1]
            if t.dep_ not in {"det", "poss", "case"} and t.i not in self.taken
        ]
        run: list[Token] = []
        for t in reversed(plain):
            if run and t.i != run[-1].i - 1:
                break
            run.append(t)
        run.reverse()
        agent_hit, right = None, h.i + 1
        for tail, end in tails:
            if not self._may_end_agent(run, tail):
                continue
            for k in range(len(run)):
                a = self._agent(" ".join(t.lower_ for t in run[k:]) + tail)
                if a is not None:
                    agent_hit, right = (a, run[k].i), end
                    break
            if agent_hit is not None:
                break
        if agent_hit is None:
            return
        a, a_start = agent_hit
        if a.role in {"UNK", "JNK"}:
            return
        inside = [m for m in self.mentions if left <= m.start and m.end <= a_start]
        if a.tier == 0 and not inside:
            return  # an imported agent noun without a country is too weak a signal
        former = any(t.lower_ in _FORMER for t in self.tok.tokens[left : h.i])
        actor, reason = self._role_actor(h, a, inside, former)
        if actor is None:
            return
        for m in inside:
            self.mentions.remove(m)
            self.absorbed.append(m)
        self.taken.difference_update(i for m in inside for i in range(m.start, m.end))
        if any(i in self.taken for i in range(left, right)):
            return
        m = _M(
            start=left,
            end=right,
            actor=actor,
            kind="role",
            reason=reason,
            head=h.i,
            person=h.lemma_.lower() in _PERSON_HEADS,
            speaker=_is_speaker(h),
            head_lemma=h.lemma_.lower(),
        )
        self._add([m])
        # conjunct countries share the phrase's tokens, so they bypass the overlap check
        self.mentions.extend(self._conjunct_modifiers(inside, m))

    def _military_acts(self) -> None:
        """A state modifying a noun of armed action is its military ("Indian firing" -> INDMIL)."""
        for m in self.mentions:
            a = m.actor
            if a is None or a.role or len(a.principal) != 3 or m.kind not in {"name", "demonym", "capital"}:
                continue
            tok = self.doc[m.head]
            act = tok.head if tok.dep_ in {"amod", "poss", "compound", "nmod"} else None
            if m.kind == "demonym" and m.end < len(self.doc):
                act = act or self.doc[m.end]  # "Indian firing" even when the parse attaches it elsewhere
            if act is not None and (act.lemma_.lower() in _MILITARY_ACTS or act.lower_ in _MILITARY_ACTS):
                m.actor = self._with_role(a, "MIL")
                m.reason = f"{m.reason}; modifies {act.text!r} (armed action) -> MIL"

    def _peoples(self) -> None:
        """A plural demonym as a noun is the people ("Nigerians protested" -> NGACVL)."""
        for m in self.mentions:
            a = m.actor
            if a is None or a.role or m.kind != "demonym" or m.end - m.start != 1:
                continue
            tok = self.doc[m.head]
            if tok.dep_ not in _ARG_DEPS or tok.pos_ not in {"NOUN", "PROPN"}:
                continue
            if _plural_demonym(norm(tok.text), a.principal, self.d):
                m.actor = self._with_role(a, "CVL")
                m.reason = f"{m.reason}; plural demonym as a noun: its people -> CVL"

    def _capital_places(self) -> None:
        """A capital that is attacked or located is the city, not the government.

        "a drone attack on Kyiv", "shelled Kyiv", "Beirut's southern suburbs" -> the bare
        state; "Beijing's envoy" or "Beijing said" keep GOV.
        """
        for m in self.mentions:
            a = m.actor
            if a is None or m.kind != "capital" or not a.role:
                continue
            tok = self.doc[m.head]
            head = tok.head
            place = (
                (
                    tok.dep_ == "pobj"
                    and head.lower_ in {"on", "against"}
                    and head.head.lemma_ in _MILITARY_ACTS
                )
                or (tok.dep_ == "dobj" and head.lemma_.lower() in _ATTACK_VERBS)
                or (tok.dep_ in {"poss", "compound"} and head.lemma_.lower() in _PLACE_NOUNS)
            )
            if place:
                m.actor = dataclasses.replace(a, code=a.principal, role="")
                m.reason = f"{m.reason}; the city itself ({head.text!r}) -> {a.principal}"

    def _counterpart_role(self, h: Token) -> str:
        """The role of the person whose counterpart ``h`` is: the subject of its clause.

        "Pakistan army's director general ... contacted his Indian counterpart" -> MIL.
        """
        v = h
        for _ in range(6):  # climb to the clause's verb
            if v.pos_ in {"VERB", "AUX"} or v.dep_ == "ROOT":
                break
            v = v.head
        for child in v.children:
            if child.dep_ not in {"nsubj", "nsubjpass"}:
                continue
            for m in self.mentions:
                if m.start <= child.i < m.end and m.actor is not None and m.actor.role not in {"", "ELI"}:
                    return m.actor.role
        return ""

    def _of_tails(self, h: Token) -> list[tuple[str, int]]:
        """Agent phrases may run on through "of"/"for": ("Secretary" + " of foreign affairs")."""
        tails = []
        for prep in h.rights:
            if prep.dep_ == "prep" and prep.lower_ in {"of", "for"}:
                for obj in prep.children:
                    if obj.dep_ == "pobj" and not any(
                        i in self.taken for i in range(obj.left_edge.i, obj.i + 1)
                    ):
                        words = " ".join(
                            t.lower_ for t in self.doc[obj.left_edge.i : obj.i + 1] if t.dep_ != "det"
                        )
                        tails.append((f" {prep.lower_} {words}", obj.i + 1))
        return [*tails, ("", h.i + 1)]

    def _conjunct_modifiers(self, inside: list[_M], m: _M) -> list[_M]:
        """ "his American and Chinese counterparts": a mention for each further country."""
        out = []
        for other in inside[1:]:
            if other.actor is None or m.actor is None or other.actor.principal == m.actor.principal:
                continue
            tok = self.doc[other.head]
            if tok.dep_ != "conj":
                continue
            actor = self._with_role(other.actor, m.actor.role)
            text = self.doc[m.start : m.end].text
            reason = f"conjunct modifier of {text!r}: {other.reason.split(':')[0]} -> {actor.code}"
            out.append(
                dataclasses.replace(
                    other, actor=actor, kind="role", reason=reason, head_lemma=m.head_lemma, person=m.person
                )
            )
        return out

    def _role_actor(
        self, h: Token, a: AgentEntry, inside: list[_M], former: bool
    ) -> tuple[Actor | None, str]:
        role = "ELI" if former else a.role
        what = f"role noun {a.phrase!r} -> {a.role}"
        if h.lemma_.lower() == "counterpart" and not former:
            peer = self._counterpart_role(h)
            if peer and peer != role:
                role, what = peer, f"{what}; counterpart of a {peer} subject -> {peer}"
        for m in inside:
            if m.actor is None:
                continue
            member = m.kind == "role" and h.lemma_.lower() in _PERSON_HEADS | _GENERIC_HEADS
            if m.actor.kind in {"group", "igo", "ngo"} or (m.kind == "metonym" and m.actor.role) or member:
                # members of an organisation are the organisation ("Hamas leaders" -> PSEREB,
                # "Pakistan army's director general" -> PAKMIL)
                return m.actor, f"{what}; organisation {self.doc[m.start : m.end].text!r} -> {m.actor.code}"
            if m.person and m.actor.role:
                return self._with_role(
                    m.actor, role
                ), f"{what}; {m.kind} {self.doc[m.start : m.end].text!r} -> {m.actor.principal}"
            return self._with_role(
                m.actor, role
            ), f"{what}; modifier {self.doc[m.start : m.end].text!r} -> {m.actor.principal}"
        appos = self._appos_actor(h)
        if appos is not None:
            actor, text = appos
            return actor, f"{what}; apposition {text!r} -> {actor.code}"
        prep = self._prep_principal(h)
        if prep:
            return _role_actor(prep[0], role, name=a.phrase, source=what), f"{what}; {prep[1]}"
        if h.lemma_.lower() in {"counterpart"}:
            return None, ""
        owner = self._possessive_owner(h)
        if owner is not None and owner.actor is not None:
            text = self.doc[owner.start : owner.end].text
            return self._with_role(
                owner.actor, role
            ), f"{what}; possessive refers to {text!r} -> {owner.actor.principal}"
        earlier = self._same_head(h)
        if earlier is not None and earlier.actor is not None:
            text = self.doc[earlier.start : earlier.end].text
            return self._with_role(
                earlier.actor, role
            ), f"{what}; same noun as earlier {text!r} -> {earlier.actor.code}"
        principal, why = (
            (self.home, self.home_why)
            if self.home
            else ((self.dominant[0], f"most named state {self.dominant[0]}") if self.dominant else ("", ""))
        )
        if not principal:
            return _role_actor("", role, name=a.phrase, source=what), f"{what}; no country known"
        return _role_actor(
            principal, role, name=a.phrase, source=what
        ), f"{what}; unmodified: story country ({why})"

    @staticmethod
    def _with_role(actor: Actor, role: str) -> Actor:
        if not actor.principal or len(actor.principal) != 3:
            return actor
        return dataclasses.replace(actor, code=actor.principal + role, role=role)

    def _appos_actor(self, h: Token) -> tuple[Actor, str] | None:
        for child in h.rights:
            if child.dep_ == "appos":
                for m in self.mentions:
                    if m.start <= child.i < m.end and m.actor is not None and m.person:
                        return m.actor, self.doc[m.start : m.end].text
        return None

    def _prep_principal(self, h: Token) -> tuple[str, str] | None:
        for child in h.rights:
            if child.dep_ == "prep" and child.lower_ in _PREPS_OF:
                for obj in child.children:
                    if obj.dep_ != "pobj":
                        continue
                    for m in self.mentions:
                        if m.start <= obj.i < m.end and m.actor is not None and len(m.actor.principal) >= 3:
                            return (
                                m.actor.principal,
                                f"'{child.text} {self.doc[m.start : m.end].text}' -> {m.actor.principal}",
                            )
        return None

    def _possessive_owner(self, h: Token) -> _M | None:
        """For "its"/"their" + role noun: the most recent state or organisation named before."""
        if not any(c.dep_ == "poss" and c.lower_ in {"its", "their"} for c in h.children):
            return None
        named = [m for m in self.mentions if m.end <= h.i and m.kind in {"name", "capital"} and not m.person]
        return max(named, key=lambda m: m.start, default=None)

    def _same_head(self, h: Token) -> _M | None:
        best = None
        for m in self.mentions:
            if (
                m.kind == "role"
                and m.head_lemma == h.lemma_.lower()
                and m.end <= h.i
                and m.actor
                and m.actor.principal
            ):
                if best is None or m.start > best.start:
                    best = m
        return best

    # 5b. cities ----------------------------------------------------------------------------------
    def _cities(self) -> None:
        """A place entity naming a city of cities.csv, as an argument, codes its state.

        "rockets hit Tiberias" -> ISR, when the story names Israel too (a city's name alone is
        ambiguous: "Chelsea", "Jackson"). Only place or organisation entities count (a city named
        "Florence" is also a person), and not as the object of "in"/"near"/... : a place
        where something happens is a place, not an actor (the places stage keeps those).
        """
        named = {m.actor.principal for m in self.mentions if m.actor is not None and m.kind != "pronoun"}
        for ent in self.doc.ents:
            if ent.label_ not in {"GPE", "LOC", "FAC", "ORG"} or any(
                i in self.taken for i in range(ent.start, ent.end)
            ):
                continue
            principal = self.d.cities.get(norm(ent.text))
            if principal is None or ent.text.isupper() or principal not in named:
                continue  # "NIS" is an acronym; a city of a state the story never names is a guess
            root = ent.root
            if root.dep_ == "pobj" and root.head.lower_ in _WHERE_PREPS:
                continue
            reason = f"city {ent.text!r} (cities.csv) -> {principal}"
            actor = Actor(code=principal, principal=principal, name=ent.text, kind="state", source=reason)
            self._add(
                [
                    _M(
                        start=ent.start,
                        end=ent.end,
                        actor=actor,
                        kind="name",
                        reason=reason,
                        head=root.i,
                        place=True,
                    )
                ]
            )

    # 5. persons not in the dictionary ---------------------------------------------------------
    def _unknown_persons(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ != "PERSON" or any(i in self.taken for i in range(ent.start, ent.end)):
                continue
            if not all(t.pos_ == "PROPN" or t.is_punct for t in ent):
                continue  # "Off Mokha": a tagging slip, not a name
            actor, reason = self._person_from_appos(ent)
            start = ent.start
            if actor is None:
                actor, reason, start = self._person_from_title(ent)
            if actor is None:
                continue
            self._add(
                [
                    _M(
                        start=start,
                        end=ent.end,
                        actor=actor,
                        kind="person",
                        reason=reason,
                        head=ent.root.i,
                        person=True,
                        speaker=_is_speaker(ent.root),
                        surnames=_surname_keys(ent.text),
                    )
                ]
            )

    def _person_from_title(self, ent: Span) -> tuple[Actor | None, str, int]:
        """An unknown person coded by the title printed before the name.

        "Defense Minister Ivan Petrovsky" -> MIL, "President Zymbrovich" -> GOV. The country
        is a state named in the title ("Belarusian President ..."), else the story's context
        (:meth:`_context_country`). Returns ``(actor, reason, start)``; the mention then
        covers the title.
        """
        left = min(self._np_left(ent.root), ent.start)
        toks = [
            t for t in self.doc[left : ent.end] if t.i not in self.taken and t.dep_ not in {"det", "poss"}
        ]
        found = _agent_in([t.text for t in toks], self.d)
        if found is None or found[0].role in {"UNK", "JNK"}:
            return None, "", ent.start
        a = found[0]
        if toks[found[2] - 1].i >= ent.end - 1 and len(ent) > 1:
            return None, "", ent.start  # the "title" is the surname itself
        former = any(t.lower_ in _FORMER for t in self.doc[left : ent.start])
        role = "ELI" if former else a.role
        what = f"title {a.phrase!r} -> {a.role}"
        inside = [m for m in self.mentions if left <= m.start and m.end <= ent.start and m.actor is not None]
        if a.tier == 0 and not inside:
            return None, "", ent.start  # an imported agent noun alone is too weak a title
        org = next(
            (m for m in inside if m.actor is not None and m.actor.kind in {"group", "igo", "ngo"}), None
        )
        owner = next((m for m in inside if m.actor is not None and len(m.actor.principal) >= 3), None)
        if org is not None and org.actor is not None:
            # a member of an organisation is the organisation ("Hamas chief X" -> PSEREB)
            text = self.doc[org.start : org.end].text
            actor = dataclasses.replace(org.actor, name=ent.text, kind="person")
            self._absorb(inside)
            return actor, f"unknown person {ent.text!r}: {what}; organisation {text!r} -> {actor.code}", left
        if owner is not None and owner.actor is not None:
            principal = owner.actor.principal
            why = f"{what}; {self.doc[owner.start : owner.end].text!r} in the title -> {principal}"
        elif (prep := self._prep_principal(ent.root)) is not None:
            principal, why = prep[0], f"{what}; {prep[1]}"
        else:
            principal, why = self._context_country(ent.start)
            why = f"{what}; {why}"
        if not principal:
            return None, "", ent.start
        self._absorb(inside)
        actor = _role_actor(principal, role, name=ent.text, source=why, kind="person")
        return actor, f"unknown person {ent.text!r}: {why}", left

    def _absorb(self, inside: list[_M]) -> None:
        """Fold mentions into a wider one (kept in ``absorbed`` for surnames)."""
        for m in inside:
            self.mentions.remove(m)
            self.absorbed.append(m)
            self.taken.difference_update(range(m.start, m.end))

    def _context_country(self, i: int) -> tuple[str, str]:
        """The country of a bare title at token ``i``: the story's home country, else the
        state of the nearest preceding mention, else the most named state."""
        if self.home:
            return self.home, f"no country in the title: story country ({self.home_why})"
        before = [
            m
            for m in self.mentions
            if m.end <= i and m.actor is not None and len(m.actor.principal) == 3 and m.kind != "pronoun"
        ]
        if before:
            m = max(before, key=lambda m: m.start)
            text = self.doc[m.start : m.end].text
            return m.actor.principal, f"no country in the title: nearest earlier mention {text!r}"  # type: ignore[union-attr]
        if self.dominant:
            return self.dominant[0], f"no country in the title: most named state {self.dominant[0]}"
        return "", ""

    def _person_from_appos(self, ent: Span) -> tuple[Actor | None, str]:
        root = ent.root
        candidates = [c for c in root.rights if c.dep_ == "appos"]
        if root.dep_ == "appos":
            candidates.append(root.head)
        for c in candidates:
            for m in self.mentions:
                if m.kind == "role" and m.start <= c.i < m.end and m.actor is not None:
                    text = self.doc[m.start : m.end].text
                    return m.actor, f"apposition: {ent.text!r} is {text!r} -> {m.actor.code} ({m.reason})"
        return None, ""

    # 2. surnames -------------------------------------------------------------------------
    def _surnames(self) -> None:
        persons = sorted(
            (m for m in self.mentions + self.absorbed if m.person and m.surnames), key=lambda m: m.start
        )
        if not persons:
            return
        for tok in self.tok.tokens:
            if tok.i in self.taken or tok.pos_ != "PROPN" or not tok.text[:1].isupper():
                continue
            if any(t.pos_ == "PROPN" and t.i not in self.taken for t in _neighbours(tok)):
                continue
            key = norm(tok.text)
            match = [p for p in persons if key in p.surnames and p.end <= tok.i]
            if not match:
                continue
            p = max(match, key=lambda m: m.start)
            full = self.doc[p.start : p.end].text
            assert p.actor is not None
            reason = f"surname {tok.text!r} -> {full} ({p.actor.code})"
            self._add(
                [
                    _M(
                        start=tok.i,
                        end=tok.i + 1,
                        actor=p.actor,
                        kind="person",
                        reason=reason,
                        head=tok.i,
                        person=True,
                        speaker=_is_speaker(tok),
                        surnames=p.surnames,
                    )
                ]
            )
            persons = sorted([*persons, self.mentions[-1]], key=lambda m: m.start)

    # 6. pronouns ----------------------------------------------------------------------------
    def _pronouns(self, ordered: list[_M]) -> None:
        starts = [m.start for m in ordered]
        for tok in self.tok.tokens:
            low = tok.lower_
            if low not in {"it", "he", "she", "they"} or tok.dep_ not in {"nsubj", "nsubjpass"}:
                continue
            if low == "it" and tok.head.lemma_.lower() in _COPULAS:
                continue  # "It remains unclear whether ...": an expletive, not an actor
            before = ordered[: bisect.bisect_left(starts, tok.i)]
            ante = _antecedent(low, tok, before)
            if ante is None or ante.actor is None:
                continue
            text = self.doc[ante.start : ante.end].text
            reason = f"pronoun {tok.text!r} -> antecedent {text!r}"
            self.mentions.append(
                _M(
                    start=tok.i,
                    end=tok.i + 1,
                    actor=ante.actor,
                    kind="pronoun",
                    reason=reason,
                    head=tok.i,
                    person=ante.person,
                    speaker=_is_speaker(tok),
                )
            )


def _antecedent(pronoun: str, tok: Token, before: list[_M]) -> _M | None:
    """The most recent compatible mention for a subject pronoun (rule 6)."""
    if pronoun in {"he", "she"}:
        return next((m for m in reversed(before) if m.person), None)
    if _is_speaker(tok) and tok.head.dep_ in {"ROOT", "parataxis"}:
        # "..., it noted.": the reporting clause of the sentence refers to the last speaker
        spoke = next((m for m in reversed(before) if m.speaker and not m.person), None)
        if spoke is not None:
            return spoke
    return next(
        (
            m
            for m in reversed(before)
            if not m.place
            and ((not m.person and m.kind != "pronoun") or (m.kind == "pronoun" and not m.person))
        ),
        None,
    )


def _is_speaker(tok: Token) -> bool:
    return tok.dep_ in {"nsubj", "nsubjpass"} and tok.head.lemma_.lower() in _SPEECH


def _neighbours(tok: Token) -> list[Token]:
    doc = tok.doc
    return [doc[j] for j in (tok.i - 1, tok.i + 1) if 0 <= j < len(doc)]


def _person_keys(span: Span, entry: Entry) -> tuple[str, ...]:
    """Surname keys of a dictionary person: from the canonical name when the entry has one.

    An entry may spell a title with the name ("North Korean leader Kim Jong-un"); the words a
    later mention uses come from the name itself ("Kim Jong-un" -> "kim", "jong-un"), and
    from the PERSON entity inside the matched text ("Kim Jong Un" -> "kim", "un").
    """
    keys: list[str] = []
    if entry.kind == "person" and entry.canonical:
        keys += _surname_keys(entry.canonical)
    ents = [t for t in span if t.ent_type_ == "PERSON"]
    keys += _surname_keys(" ".join(t.text for t in ents) if ents else span.text)
    return tuple(dict.fromkeys(keys))


def _surname_keys(text: str) -> tuple[str, ...]:
    """The words a later mention may use for this person: first and last name words."""
    words = [w for w in norm(text).split(" ") if w and w not in {"mr", "mrs", "ms", "dr", "jr.", "jr"}]
    if len(words) < 2:
        return tuple(words)
    return tuple(dict.fromkeys([words[0], words[-1]]))


_KIND_WORDS = {
    "state": "state name",
    "demonym": "demonym",
    "capital": "capital",
    "metonym": "metonym",
    "igo": "organization",
    "ngo": "organization",
    "group": "group",
    "person": "person",
    "name": "name",
}
_MENTION_KIND = {
    "state": "name",
    "demonym": "demonym",
    "capital": "capital",
    "metonym": "metonym",
    "igo": "name",
    "ngo": "name",
    "group": "name",
    "name": "name",
}


# --- evaluation -------------------------------------------------------------------------------

#: NGEC case conventions -> dateline's: their "IGO" is any IGO principal, "UNO"/"EUR" are ours
_CASE_PRINCIPALS = {"UNO": "IGOUNO", "EUR": "IGOEU"}


def _case_date(value: str | None, today: date) -> date | None:
    if not value:
        return None  # no date: the latest known affiliation
    if value.lower() == "today":
        return today
    from dateutil import parser

    try:
        parsed: date = parser.parse(value).date()
        return parsed
    except (ValueError, OverflowError):
        return today


def _case_ok(actor: Actor | None, expect: dict[str, Any]) -> tuple[bool, str]:
    """Score one case: country where given, role where given (either of code_1/code_2)."""
    principal = actor.principal if actor else ""
    role = actor.role if actor else ""
    if "country" in expect:
        want = expect["country"]
        want = _CASE_PRINCIPALS.get(want, want)
        ok = principal.startswith("IGO") if want == "IGO" else principal == want
        if not ok:
            return False, "country"
    roles = {expect.get(k, "") for k in ("code_1", "code_2") if k in expect}
    if "code_1" in expect and expect["code_1"] != "????":
        if role not in roles and not (role == "" and expect["code_1"] == ""):
            return False, "role"
    return True, ""


def evaluate_actors(path: str | Path, ctx: Context | None = None, limit: int | None = None) -> dict[str, Any]:
    """Score the resolver on an NGEC-style case file (``actor_cases.json``).

    A case counts when it gives a country or a role; it is right when the resolved
    principal equals the country (their ``IGO`` = any IGO, ``UNO`` = IGOUNO, ``EUR`` = IGOEU)
    and the role equals ``code_1`` or ``code_2``. Cases with only a Wikipedia title (the
    ``query_wiki`` method) or no text are reported as not scored. "Today" means the date of
    the newest dated case (the file was written then), so results do not drift with the
    clock; a missing date means "latest known affiliation" (``when=None``).

    Args:
        path: the JSON list of cases.
        ctx: the context (dictionary); a default one when None.
        limit: score only the first N cases (a quick look).

    Returns:
        ``{"accuracy", "right", "scored", "not_scored", "all_cases", "accuracy_all",
        "accuracy_all_with_titles", "title_cases", "title_matches", "title_code_matches",
        "failures": {"country" | "role": [case, ...]}}``. ``accuracy_all`` counts every
        unscored case as wrong. For the cases that give only a Wikipedia title, two secondary
        figures: ``title_matches`` (the resolved actor's canonical name equals the title; an
        independent check, also used in ``accuracy_all_with_titles``) and
        ``title_code_matches`` (the text and the title resolve to the same code; both sides
        go through our own dictionary, so it is only an upper bound).
    """
    cases = json.loads(Path(path).read_text("utf-8"))
    cases = cases[:limit] if limit else cases
    explicit = [
        _case_date(c["args"][2], date.min) for c in cases if len(c.get("args", [])) > 2 and c["args"][2]
    ]
    today = max((x for x in explicit if x and x != date.min), default=date.today())
    d = actor_dictionary(ctx or Context())
    right, scored, not_scored, titles, titled, title_codes = 0, 0, 0, 0, 0, 0
    failures: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        args, expect = case.get("args", []), case.get("expect", {})
        if not args or not args[0] or not ({"country", "code_1"} & set(expect)):
            not_scored += 1
            if args and args[0] and "title" in expect:  # secondary: the title's entity
                titled += 1
                actor = resolve_explained(args[0], None, dictionary=d).actor
                titles += bool(actor and norm(actor.name) == norm(expect["title"]))
                # the same code as the title's own resolution: consistent, but our dictionary
                # judges both sides, so this is an upper bound, not an independent score
                entity = resolve_explained(expect["title"], None, dictionary=d).actor
                title_codes += bool(actor and entity and actor.code == entity.code)
            continue
        when = _case_date(args[2] if len(args) > 2 else None, today)
        res = resolve_explained(args[0], when, dictionary=d, context=args[1] if len(args) > 1 else "")
        ok, what = _case_ok(res.actor, expect)
        scored += 1
        if ok:
            right += 1
            continue
        got = res.actor.code if res.actor else None
        failures.setdefault(what, []).append(
            {"text": args[0], "expect": expect, "got": got, "why": res.reason}
        )
    total = scored + not_scored
    return {
        "accuracy": right / scored if scored else 0.0,
        "right": right,
        "scored": scored,
        "not_scored": not_scored,
        "all_cases": total,
        "accuracy_all": right / total if total else 0.0,
        "accuracy_all_with_titles": (right + titles) / total if total else 0.0,
        "title_cases": titled,
        "title_matches": titles,
        "title_code_matches": title_codes,
        "today": today.isoformat(),
        "failures": failures,
    }
