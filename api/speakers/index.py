"""Speaker tracking: which known speaker a newly quoted name belongs to, and fuzzy search.

Pure code over an in-memory index of every speaker's normalised names, so
neither a search nor matching a new quote scans the speakers table. The
services keep the index in step with the store (`api.speakers.directory`).

Matching rules, in order:
1. Unnamed sources ("a senior defense official") match only the same description
   in the same article: two articles' anonymous officials are two speakers.
2. An exact normalised alias of the same kind; aliases a person pinned (split,
   rename) win over others.
3. Persons only: name similarity (`attribution.names.name_similarity`, surnames
   must agree; one name containing the other's words counts as close) at or
   above a threshold against the speaker's names; a full name
   is compared with the speaker's full names only, so "John McKenzie" does not
   join a Kenneth McKenzie who was once called just "McKenzie".
4. Near-ties are broken by shared roles, organisations and titles, then by the
   number of quotes, then by the older speaker.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import numpy as np
from rapidfuzz import fuzz, process

from attribution.lexicon import data_lines, genders_told
from attribution.names import is_name_extension, name_similarity, name_tokens, normalise_name

__all__ = [
    "AliasInfo",
    "SpeakerEntry",
    "SpeakerIndex",
    "fold_description",
    "normalised_alias",
    "query_tokens",
    "attribute_words",
    "description_words",
    "generation",
    "person_tokens",
    "same_given_name",
    "search_tier",
]

_NON_WORD = re.compile(r"[^\w]+")
_DETERMINERS = frozenset({"a", "an", "the"})
TIE_MARGIN = 5.0  # scores this close count as a tie, settled by attributes
TOKEN_CANDIDATES = 64  # vocabulary tokens considered per query token when matching a quoted name
# Search: fewer. On 2,000 benchmark queries (100,000 speakers, a third misspelt) 16 instead of
# 64 changed the first hit twice, both times to the better one ("Kelanze": Kelanez, not Elan),
# and cut the time a query takes from 0.70 to 0.40 ms.
SEARCH_TOKEN_CANDIDATES = 16
# Search: a vocabulary token is scored against a query token only when their padded
# bigrams overlap this much (Dice). Nearly every token within fuzz.ratio 70 of the
# query token passes (benchmarks/search_recall.py measures how nearly); most others do not.
SEARCH_MIN_DICE = 0.3
# Search: a hit that shares no word with the query (a typo, a word-alike) must score at
# least this (fuzz.WRatio) to be listed: "mckenzy" finds Kenneth McKenzie (77), "Larry King"
# does not find Harry Reid (60). No hit is better than a wrong one.
FUZZY_ONLY_CUTOFF = 75.0
TOKENS_LIKE_KEPT = 20_000  # query words remembered with their like vocabulary words, per snapshot
SEARCH_CHANGES_KEPT = 2000  # speakers changed since the search snapshot before it is taken again


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def fold_description(text: str) -> str:
    """An unnamed source's or an organisation's description as comparable words."""
    return " ".join(t for t in _NON_WORD.split(_fold(text).replace("_", " ")) if t and t not in _DETERMINERS)


def normalised_alias(name: str, kind: str) -> str:
    """The form of a name that aliases are compared and stored by."""
    return normalise_name(name) if kind == "person" else fold_description(name)


def query_tokens(query: str) -> tuple[str, ...]:
    """The words of a search query that can match a name (titles and particles dropped)."""
    toks = name_tokens(query)
    return tuple(t for t in toks if t not in _DETERMINERS)


EXTENSION_SCORE = 95.0


def _person_score(name: str, known: str) -> float:
    """How alike a quoted person name and a known one are, 0-100.

    One name holding all of the other's words ("Lloyd Austin" in "Defense
    Secretary Lloyd Austin") scores high even when the first words differ.
    """
    score = name_similarity(name, known)
    if score < EXTENSION_SCORE and (is_name_extension(name, known) or is_name_extension(known, name)):
        return EXTENSION_SCORE
    return score


@dataclass(frozen=True, slots=True)
class AliasInfo:
    """One stored alias: the name as written, its normalised form, how it was placed."""

    name: str
    normalised: str
    kind: str
    pinned: bool = False
    article_id: int | None = None


@dataclass(slots=True)
class SpeakerEntry:
    """What the index knows of one speaker."""

    id: int
    slug: str
    name: str
    kind: str
    quote_count: int = 0
    aliases: tuple[AliasInfo, ...] = ()
    titles: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    # derived
    norms: tuple[str, ...] = field(default=(), init=False)
    full_norms: tuple[str, ...] = field(default=(), init=False)
    gender: str = field(default="", init=False)  # "m"/"f" when titles and roles tell ("Mrs.", "first lady")
    generations: frozenset[str] = field(default=frozenset(), init=False)  # `generation` of each alias

    def __post_init__(self) -> None:
        norms = {normalised_alias(self.name, self.kind)} | {a.normalised for a in self.aliases}
        norms.discard("")
        self.norms = tuple(sorted(norms))
        self.full_norms = tuple(n for n in self.norms if len(n.split()) >= 2)
        self.gender = _attribute_gender((*self.titles, *self.roles)) if self.kind == "person" else ""
        self.generations = frozenset(generation(a.name) for a in self.aliases)

    @property
    def alias_names(self) -> list[str]:
        return [a.name for a in self.aliases]

    def attribute_words(self) -> set[str]:
        return {v.lower() for v in (*self.titles, *self.roles, *self.organisations)}

    def described_by(self) -> frozenset[str]:
        """The words its titles, roles and organisations support (`attribute_words`)."""
        return attribute_words((*self.titles, *self.roles, *self.organisations))


def _bigrams(token: str) -> set[str]:
    padded = f"^{token}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


_GENERATION = re.compile(r"(?<![\w])(jr|sr|junior|senior)(?![\w])\.?", re.IGNORECASE)
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mister", "dr", "madam"})


def generation(name: str) -> str:
    """"jr" or "sr" when a name says which of a father and son it is ("Donald Trump Jr."), else ""."""
    m = _GENERATION.search(name)
    return "" if m is None else ("jr" if m[1].lower() in ("jr", "junior") else "sr")


_HONORIFIC_GENDER = re.compile(r"^\s*(?:(mr|mister)|(mrs|ms|miss|madam))\b\.?", re.IGNORECASE)


def honorific_gender(name: str) -> str:
    """"m" for "Mr. X", "f" for "Mrs./Ms. X", else ""."""
    m = _HONORIFIC_GENDER.match(name)
    return "" if m is None else ("m" if m[1] else "f")


def _attribute_gender(values: Iterable[str]) -> str:
    """The gender a person's titles and roles agree on; "" when none or when they disagree."""
    told = genders_told(values)
    return next(iter(told)) if len(told) == 1 else ""


@cache
def _given_name_genders() -> dict[str, str]:
    """Given name (lower case) -> "m"/"f" (attribution/data/given_names.tsv, mined from PolNeAR train)."""
    out = {}
    for line in data_lines("given_names.tsv"):
        name, gender, _votes = line.split("\t")
        out[name.lower()] = gender
    return out


def person_tokens(name: str) -> tuple[str, ...]:
    """A person's comparable name words without honorifics ("Mr. King" → king)."""
    toks = name_tokens(name)
    return tuple(t for t in toks if t not in _HONORIFICS) or toks


def same_given_name(a: str, b: str) -> bool:
    """Strictly: could two given names be one person's when matching a new quote ("Len"/"Leonard",
    "Don"/"Donald"; not "Ivana"/"Ivanka", relatives as often as not)."""
    if a == b or a.startswith(b) or b.startswith(a):
        return True
    short, long = sorted((a, b), key=len)
    rest = iter(long[1:])
    return len(short) <= 4 and short[0] == long[0] and all(c in rest for c in short[1:])


@cache
def _abbreviations() -> dict[str, tuple[str, ...]]:
    """Abbreviation -> the words it stands for (api/speakers/data/attribute_abbreviations.tsv)."""
    out: dict[str, tuple[str, ...]] = {}
    text = files("api.speakers.data").joinpath("attribute_abbreviations.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            abbr, words = line.split("\t")
            out[abbr] = out.get(abbr, ()) + tuple(words.split())
    return out


_ATTR_TOKEN = re.compile(r"[^\W_]+")


def attribute_words(values: Iterable[str]) -> frozenset[str]:
    """The words a speaker's titles, roles and organisations support, abbreviations spelt out
    ("Sen." senator, "R-IN" republican indiana; a two-letter code only when written in capitals)."""
    table = _abbreviations()
    words: set[str] = set()
    for value in values:
        for raw in _ATTR_TOKEN.findall(_fold_keep_case(value)):
            tok = raw.lower()
            words.add(tok)
            if len(tok) > 2 or not raw.islower():
                words.update(w for phrase in table.get(tok, ()) for w in phrase.split())
    return frozenset(words)


def _fold_keep_case(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


# A description names one person when it is definite and qualified by a proper word:
# "the Vermont senator", "the FBI director"; not "a senior official" or "the senator".
_DEFINITE = re.compile(r"^the\s", re.IGNORECASE)
_DESCRIPTION_STOP = frozenset({"the", "a", "an", "of", "and", "s", "former", "then", "current", "now"})


def description_words(description: str) -> tuple[str, ...] | None:
    """The words a stored person's attributes must all support for `description` to be that
    person; None when the description cannot single anyone out."""
    if not _DEFINITE.match(description.strip()):
        return None
    raws = _ATTR_TOKEN.findall(_fold_keep_case(description))[1:]
    if len(raws) < 2 or len(raws) > 5 or not any(r[0].isupper() for r in raws[:-1]):
        return None
    words = tuple(r.lower() for r in raws if r.lower() not in _DESCRIPTION_STOP)
    return words if len(words) >= 2 else None


def _given_names_agree(a: str, b: str) -> bool:
    """Could two given names be one person's ("Len"/"Leonard", "Don"/"Donald", "Jon"/"John")?"""
    if a == b or a.startswith(b) or b.startswith(a):
        return True
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    if shared >= 3 or fuzz.ratio(a, b) >= 80:
        return True
    short, long = sorted((a, b), key=len)
    rest = iter(long[1:])  # "Len" in "Leonard": the same first letter, the others in order
    return shared >= 1 and all(c in rest for c in short[1:])


def search_tier(entry: SpeakerEntry, toks: tuple[str, ...]) -> int:
    """How a speaker's names meet a search query's words, best of its names.

    2: every query word is a word of one name ("sanders" in Bernie Sanders, "white house");
    1: the query's last word (a surname) is a word of a name;
    0: only alike words (typos, word-alikes: "sanders" in "senate leaders");
    -1: a person whose full names all have the query's surname and another given name
        ("Larry King" asked, only Billie Jean King known), or an unnamed source whose
        description holds only the surname of a full name asked for ("Mehmet Oz" asked,
        "Oz's boss"): not the person asked for.
    """
    want = set(toks)
    best, conflicts, fulls = 0, 0, 0
    for norm in entry.norms:
        words = norm.split()
        if want <= set(words):
            return 2
        if toks[-1] in words:
            best = 1
        if entry.kind == "person" and len(toks) >= 2 and len(words) >= 2 and words[-1] == toks[-1]:
            fulls += 1
            conflicts += not _given_names_agree(toks[0], words[0])
    if fulls and conflicts == fulls and not any(len(n.split()) == 1 for n in entry.norms):
        return -1
    if best == 1 and entry.kind == "anonymous" and len(toks) >= 2:
        return -1  # "Mehmet Oz" asked: "Oz's big, big boss" describes someone else
    return best


class _SearchSnapshot:
    """Every speaker's normalised names as flat arrays, for search, as the index was at one moment.

    Search scores a query against the names of speakers that have a token like one
    of the query's (fuzz.ratio >= 70). Done name by name in Python, with the whole
    vocabulary scored per query token, that cost 9 ms a query at 100,000 speakers;
    here the vocabulary is narrowed by shared bigrams first (Dice >= SEARCH_MIN_DICE)
    and the names are gathered and scored as arrays.
    """

    def __init__(self, entries: Iterable[SpeakerEntry]) -> None:
        names: list[str] = []
        owners: list[int] = []
        counts: list[int] = []
        token_names: dict[str, list[int]] = {}
        for entry in entries:
            for norm in entry.norms:
                for tok in set(norm.split()):
                    token_names.setdefault(tok, []).append(len(names))
                names.append(norm)
                owners.append(entry.id)
                counts.append(entry.quote_count)
        self.names = np.array(names, dtype=object)
        self.owners = np.array(owners, dtype=np.int64)
        self.quote_counts = np.array(counts, dtype=np.int64)
        self.token_names = {tok: np.array(ix, dtype=np.int64) for tok, ix in token_names.items()}
        self.vocabulary = np.array(list(token_names), dtype=object)
        postings: dict[str, list[int]] = {}
        sizes = np.empty(len(self.vocabulary), dtype=np.int32)
        for i, token in enumerate(token_names):
            grams = _bigrams(token)
            sizes[i] = len(grams)
            for gram in grams:
                postings.setdefault(gram, []).append(i)
        self._postings = {gram: np.array(ix, dtype=np.int64) for gram, ix in postings.items()}
        self._sizes = sizes
        self._like_cache: dict[tuple[str, float, int], list[str]] = {}  # names are asked for again and again

    def tokens_like(self, token: str, cutoff: float, limit: int) -> list[str]:
        """Vocabulary tokens with fuzz.ratio >= cutoff to `token`, best first, at most `limit`."""
        key = (token, cutoff, limit)
        found = self._like_cache.get(key)
        if found is None:
            if len(self._like_cache) >= TOKENS_LIKE_KEPT:
                self._like_cache.clear()
            found = self._like_cache[key] = self._tokens_like(token, cutoff, limit)
        return found

    def _tokens_like(self, token: str, cutoff: float, limit: int) -> list[str]:
        grams = _bigrams(token)
        lists = [self._postings[g] for g in grams if g in self._postings]
        if not lists:
            return []
        shared = np.bincount(np.concatenate(lists), minlength=len(self.vocabulary))
        near = np.flatnonzero(2 * shared >= SEARCH_MIN_DICE * (len(grams) + self._sizes))
        # Scored as one array (cdist), best first and in vocabulary order among equals, as
        # process.extract ranks them: 30% less time than extract's list of tuples (2,100 words a query).
        words = self.vocabulary[near]
        scores = process.cdist([token], words.tolist(), scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.float64)[0]
        kept = np.flatnonzero(scores >= cutoff)
        best = kept[np.lexsort((kept, -scores[kept]))][:limit]
        found: list[str] = words[best].tolist()
        return found

    def _like_any(self, toks: Iterable[str]) -> set[str]:
        like: set[str] = set()
        for tok in toks:
            if tok in self.token_names:
                like.add(tok)
            like.update(self.tokens_like(tok, 70.0, SEARCH_TOKEN_CANDIDATES))
        return like

    def scores(self, lead: tuple[str, ...], qnorm: str, cutoff: float,
               skip: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Speaker ids, best scores and quote counts of the speakers here, other than `skip`, with
        a name word like a `lead` word and a name scoring at least `cutoff`; and whether any
        name had such a word."""
        like = self._like_any(lead)
        none = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64), np.empty(0, dtype=np.int64))
        if not like:
            return (*none, False)
        rows = np.unique(np.concatenate([self.token_names[t] for t in like]))
        if len(skip):
            rows = rows[~np.isin(self.owners[rows], skip)]
        if not len(rows):
            return (*none, True)
        scored = process.cdist([qnorm], self.names[rows].tolist(), scorer=fuzz.WRatio, score_cutoff=cutoff,
                               dtype=np.float64)[0]
        rows = rows[scored >= cutoff]
        scores = scored[scored >= cutoff]
        owners = self.owners[rows]
        order = np.lexsort((-scores, owners))  # by speaker, best name first
        rows, owners, scores = rows[order], owners[order], scores[order]
        first = np.ones(len(owners), dtype=bool)
        first[1:] = owners[1:] != owners[:-1]
        return owners[first], scores[first], self.quote_counts[rows[first]], True


class SpeakerIndex:
    """Every speaker's names in memory: exact lookups, fuzzy matching and search."""

    def __init__(self, entries: Iterable[SpeakerEntry] = ()) -> None:
        self.version: int | None = None  # the store's speaker version this reflects
        self.checked_at: float = 0.0
        self._entries: dict[int, SpeakerEntry] = {}
        self._slugs: dict[str, int] = {}  # a speaker's slug -> its id
        self._exact: dict[tuple[str, str], set[int]] = {}
        self._anonymous: dict[tuple[str, int | None], set[int]] = {}
        self._token_speakers: dict[str, set[int]] = {}
        self._described: dict[str, set[int]] = {}  # attribute word -> persons
        self._vocabulary: list[str] | None = None
        # Search: a snapshot of the names, and the speakers changed since it was taken.
        self._snapshot: _SearchSnapshot | None = None
        self._changed: set[int] = set()
        for entry in entries:
            self.upsert(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, speaker_id: object) -> bool:
        return speaker_id in self._entries

    def get(self, speaker_id: int) -> SpeakerEntry | None:
        return self._entries.get(speaker_id)

    def by_slug(self, slug: str) -> SpeakerEntry | None:
        """The speaker with this slug now (not an old slug of a merged one: redirects are in the store)."""
        sid = self._slugs.get(slug)
        return self._entries.get(sid) if sid is not None else None

    def entries(self) -> list[SpeakerEntry]:
        return list(self._entries.values())

    # --- keeping it in step -------------------------------------------------

    def replace_all(self, entries: Iterable[SpeakerEntry], version: int | None) -> None:
        self._entries.clear()
        self._slugs.clear()
        self._exact.clear()
        self._anonymous.clear()
        self._token_speakers.clear()
        self._described.clear()
        self._vocabulary = None
        self._snapshot = None
        self._changed.clear()
        for entry in entries:
            self.upsert(entry)
        self.version = version

    def upsert(self, entry: SpeakerEntry) -> None:
        self.remove(entry.id)
        if self._snapshot is not None:
            self._changed.add(entry.id)
        self._entries[entry.id] = entry
        self._slugs[entry.slug] = entry.id
        if entry.kind == "person":
            for word in entry.described_by():
                self._described.setdefault(word, set()).add(entry.id)
        for alias in entry.aliases:
            if alias.kind == "anonymous":
                self._anonymous.setdefault((alias.normalised, alias.article_id), set()).add(entry.id)
            else:
                self._exact.setdefault((alias.kind, alias.normalised), set()).add(entry.id)
        for norm in entry.norms:
            for tok in norm.split():
                speakers = self._token_speakers.get(tok)
                if speakers is None:
                    self._token_speakers[tok] = {entry.id}
                    self._vocabulary = None
                else:
                    speakers.add(entry.id)

    def remove(self, speaker_id: int) -> None:
        old = self._entries.pop(speaker_id, None)
        if old is None:
            return
        if self._slugs.get(old.slug) == speaker_id:
            del self._slugs[old.slug]
        if self._snapshot is not None:
            self._changed.add(speaker_id)
        if old.kind == "person":
            for word in old.described_by():
                ids_ = self._described.get(word)
                if ids_ is not None:
                    ids_.discard(speaker_id)
                    if not ids_:
                        del self._described[word]
        for alias in old.aliases:
            table: dict = self._anonymous if alias.kind == "anonymous" else self._exact
            k = (alias.normalised, alias.article_id) if alias.kind == "anonymous" else (alias.kind, alias.normalised)
            ids = table.get(k)
            if ids is not None:
                ids.discard(speaker_id)
                if not ids:
                    del table[k]
        for norm in old.norms:
            for tok in norm.split():
                ids = self._token_speakers.get(tok)
                if ids is not None:
                    ids.discard(speaker_id)
                    if not ids:
                        del self._token_speakers[tok]
                        self._vocabulary = None

    def _vocab(self) -> list[str]:
        if self._vocabulary is None:
            self._vocabulary = list(self._token_speakers)
        return self._vocabulary

    def _speakers_with_tokens_like(self, token: str, cutoff: float) -> set[int]:
        found: set[int] = set(self._token_speakers.get(token, ()))
        for tok, _score, _i in process.extract(
            token, self._vocab(), scorer=fuzz.ratio, score_cutoff=cutoff, limit=TOKEN_CANDIDATES
        ):
            found |= self._token_speakers[tok]
        return found

    # --- search -----------------------------------------------------------------

    def prepare_search(self) -> None:
        """Take the search snapshot now (seconds for 100,000 speakers) rather than at the next search."""
        self._snapshot = _SearchSnapshot(self._entries.values())
        self._changed = set()

    def search(self, query: str, cutoff: float = 60.0, limit: int = 500) -> list[tuple[SpeakerEntry, float]]:
        """Speakers whose names are like `query`, best first, each with a score 0-100."""
        return self.search_page(query, cutoff, 0, limit)[1]

    def search_page(
        self, query: str, cutoff: float = 60.0, offset: int = 0, limit: int = 20
    ) -> tuple[int, list[tuple[SpeakerEntry, float]]]:
        """How many speakers match `query`, and a page of them, best first, each with a score 0-100.

        A speaker matches when one of its name tokens is like the query's last token
        (fuzz.ratio >= 70; like any query token when no name has a token like the
        last) and one of its names scores at least `cutoff` (fuzz.WRatio) against
        the query; one that shares no word with the query must score FUZZY_ONLY_CUTOFF,
        and a person with the query's surname but another given name does not match.
        Ranked by `search_tier` (a name holding the query's words before a word-alike),
        then persons before groups, then score, then the more quoted, then the older.
        """
        toks = query_tokens(query)
        if not toks:
            return 0, []
        qnorm = " ".join(toks)
        if self._snapshot is None or len(self._changed) > SEARCH_CHANGES_KEPT:
            self.prepare_search()
        assert self._snapshot is not None
        changed = self._changed
        skip = np.fromiter(changed, dtype=np.int64, count=len(changed))
        # The last word leads (in "Martha Smith", the Smiths, not every Martha); the
        # other words only when no name has a word like the last one.
        for lead in (toks[-1:], toks[:-1]):
            ids, scores, counts, found = self._snapshot.scores(lead, qnorm, cutoff, skip)
            # Speakers written since the snapshot: scored one by one, by the same rule.
            late: list[tuple[int, float, int]] = []
            for sid in changed:
                entry = self._entries.get(sid)
                if entry is None or not any(fuzz.ratio(tok, name_tok) >= 70.0 for norm in entry.norms
                                            for name_tok in norm.split() for tok in lead):
                    continue
                found = True
                best = max((fuzz.WRatio(qnorm, norm, score_cutoff=cutoff) for norm in entry.norms), default=0.0)
                if best >= cutoff:
                    late.append((sid, best, entry.quote_count))
            if found or len(toks) == 1:
                break
        if late:
            ids = np.concatenate([ids, np.array([h[0] for h in late], dtype=np.int64)])
            scores = np.concatenate([scores, np.array([h[1] for h in late], dtype=np.float64)])
            counts = np.concatenate([counts, np.array([h[2] for h in late], dtype=np.int64)])
        entries = self._entries
        gen = generation(query)
        ranked: list[tuple[tuple[int, int, int, float, int, int], SpeakerEntry, float]] = []
        for sid, score, count in zip(ids.tolist(), scores.tolist(), counts.tolist(), strict=True):
            entry = entries[sid]
            tier = search_tier(entry, toks)
            if tier < 0 or (tier == 0 and score < FUZZY_ONLY_CUTOFF):
                continue
            # "Donald Trump Jr." asks for the son, "Donald Trump" for the father
            same_gen = gen in entry.generations or not entry.aliases
            ranked.append(((-tier, -same_gen, -(entry.kind == "person"), -score, -count, sid), entry, score))
        ranked.sort(key=lambda r: r[0])
        return len(ranked), [(entry, score) for _key, entry, score in ranked[offset : offset + limit]]

    # --- matching a newly quoted speaker ---------------------------------------

    def match(
        self,
        name: str,
        kind: str,
        *,
        article_id: int | None = None,
        attributes: Iterable[str] = (),
        threshold: float = 85.0,
        gender: str | None = None,
    ) -> tuple[SpeakerEntry, float] | None:
        """The known speaker a name quoted in an article belongs to, with a score; None for a new one.

        `gender` is what the article tells of a person's gender ("m"/"f"): it settles a bare
        surname two known persons share ("Obama", a man, is not Michelle Obama)."""
        norm = normalised_alias(name, kind)
        if not norm:
            return None
        attrs = {a.lower() for a in attributes}
        if kind == "anonymous":
            ids = self._anonymous.get((norm, article_id), set())
            if ids:
                return self._tie_break(ids, attrs, norm), 100.0
            described = self._described_person(name)
            return (described, 90.0) if described is not None else None
        if kind == "organisation":
            # One kind per speaker: a group named like a known person (the engine typed "Donald
            # Trump" an organisation in one article) is that person, when only one has the name.
            person = self._person_named(name)
            if person is not None:
                return person, 100.0
        exact = self._exact.get((kind, norm), set())
        if kind == "person":
            exact = self._same_generation(
                {sid for sid in exact if self._may_be(self._entries[sid], name, gender)}, name, norm)
        if exact:
            pinned = {
                sid for sid in exact
                if any(a.pinned and a.normalised == norm for a in self._entries[sid].aliases)
            }
            return self._tie_break(pinned or exact, attrs, norm), 100.0
        if kind != "person":
            return None
        toks = name_tokens(name)
        if not toks:
            return None
        scored: dict[int, float] = {}
        for sid in self._speakers_with_tokens_like(toks[-1], 80.0):
            entry = self._entries[sid]
            if entry.kind != "person" or not self._may_be(entry, name, gender):
                continue
            pool = entry.full_norms if len(toks) >= 2 and entry.full_norms else entry.norms
            score = max((_person_score(name, n) for n in pool), default=0.0)
            if score < EXTENSION_SCORE and len(toks) >= 2 and any(
                    w[-1] == toks[-1] and same_given_name(toks[0], w[0]) for w in map(str.split, pool)):
                score = EXTENSION_SCORE  # "Len Burman" of "Leonard E. Burman"
            if score >= threshold:
                scored[sid] = score
        if not scored:
            return None
        top = max(scored.values())
        near = {sid for sid, s in scored.items() if s >= top - TIE_MARGIN}
        chosen = self._tie_break(near, attrs, norm)
        return chosen, scored[chosen.id]

    def _described_person(self, description: str) -> SpeakerEntry | None:
        """The one known person whose titles, roles and organisations support every word of a
        definite description ("the Vermont senator": Sen., Vermont); None when none or several."""
        words = description_words(description)
        if words is None:
            return None
        ids: set[int] | None = None
        for word in words:
            found = self._described.get(word, set())
            ids = set(found) if ids is None else ids & found
            if not ids:
                return None
        return self._entries[next(iter(ids))] if ids is not None and len(ids) == 1 else None

    def _person_named(self, name: str) -> SpeakerEntry | None:
        """The one person with this full name (two words or more) as an alias; None if none or several."""
        pnorm = normalised_alias(name, "person")
        if len(pnorm.split()) < 2:
            return None
        ids = {sid for sid in self._exact.get(("person", pnorm), ()) if self._may_be(self._entries[sid], name)}
        ids = self._same_generation(ids, name, pnorm)
        return self._entries[next(iter(ids))] if len(ids) == 1 else None

    def _same_generation(self, ids: set[int], name: str, norm: str) -> set[int]:
        """Of speakers known by this normalised name, those called so without a Jr. or Sr. when
        `name` has none ("Donald Trump" is the father, not Donald Trump Jr.), if any."""
        if generation(name) or len(ids) < 2:
            return ids
        plain = {sid for sid in ids if any(a.normalised == norm and not generation(a.name)
                                           for a in self._entries[sid].aliases)}
        return plain or ids

    def _may_be(self, entry: SpeakerEntry, name: str, text_gender: str | None = None) -> bool:
        """Whether a person quoted as `name` in a new article can be this known person.

        - Father and son: a name saying Jr. or Sr. is only someone called so before.
        - Relatives and namesakes: a full name is only someone with that given name
          (`same_given_name`) among their full names.
        - A bare surname or "Mr. X" only when the store holds one person of that surname
          (given names that could be one person's count as one), or the speaker known
          by that bare name alone.
        """
        gen = generation(name)
        if gen and not any(generation(a.name) == gen for a in entry.aliases):
            return False
        toks = person_tokens(name)
        if not toks:
            return False
        fulls = [n.split() for n in entry.full_norms]
        if len(toks) >= 2:
            same_surname = [w for w in fulls if w[-1] == toks[-1]]
            # one name holding the other's words ("Defense Secretary Lloyd Austin") agrees too
            return not same_surname or any(
                same_given_name(toks[0], w[0]) or set(w) <= set(toks) or set(toks) <= set(w) for w in same_surname)
        if not fulls:
            return True  # known by the bare name alone
        gender = honorific_gender(name) or text_gender or ""
        genders = _given_name_genders()
        if gender and all((genders.get(w[0]) or entry.gender or gender) != gender for w in fulls):
            return False  # "Mrs. Clinton" is not Bill
        return self._surname_unambiguous(toks[0], gender)

    def _surname_unambiguous(self, surname: str, gender: str = "") -> bool:
        """One person (or several whose given names agree) bears this surname in a full name; with
        an honorific's gender, one of that gender (given names of unknown gender count)."""
        genders = _given_name_genders()
        given: list[str] = []
        for sid in self._token_speakers.get(surname, ()):
            entry = self._entries[sid]
            if entry.kind != "person":
                continue
            for norm in entry.full_norms:
                words = norm.split()
                if words[-1] != surname or gender and (genders.get(words[0]) or entry.gender or gender) != gender:
                    continue
                if not any(same_given_name(words[0], g) for g in given):
                    given.append(words[0])
        return len(given) <= 1

    def _tie_break(self, ids: Iterable[int], attrs: set[str], norm: str) -> SpeakerEntry:
        entries = [self._entries[sid] for sid in ids]
        return min(
            entries,
            key=lambda e: (
                -len(attrs & e.attribute_words()),
                -(norm in e.norms),
                -e.quote_count,
                e.id,
            ),
        )
