"""Speaker tracking: which known speaker a newly quoted name belongs to, and fuzzy search.

Pure code over an in-memory index of every speaker's normalised names, so
neither a search nor matching a new quote scans the speakers table. The
services keep the index in step with the store (`api.services.index`).

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

from rapidfuzz import fuzz, process

from attribution.names import is_name_extension, name_similarity, name_tokens, normalise_name

__all__ = [
    "AliasInfo",
    "SpeakerEntry",
    "SpeakerIndex",
    "fold_description",
    "normalised_alias",
    "query_tokens",
]

_NON_WORD = re.compile(r"[^\w]+")
_DETERMINERS = frozenset({"a", "an", "the"})
TIE_MARGIN = 5.0  # scores this close count as a tie, settled by attributes
TOKEN_CANDIDATES = 64  # vocabulary tokens considered per query token


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

    def __post_init__(self) -> None:
        norms = {normalised_alias(self.name, self.kind)} | {a.normalised for a in self.aliases}
        norms.discard("")
        self.norms = tuple(sorted(norms))
        self.full_norms = tuple(n for n in self.norms if len(n.split()) >= 2)

    @property
    def alias_names(self) -> list[str]:
        return [a.name for a in self.aliases]

    def attribute_words(self) -> set[str]:
        return {v.lower() for v in (*self.titles, *self.roles, *self.organisations)}


class SpeakerIndex:
    """Every speaker's names in memory: exact lookups, fuzzy matching and search."""

    def __init__(self, entries: Iterable[SpeakerEntry] = ()) -> None:
        self.version: int | None = None  # the store's speaker version this reflects
        self.checked_at: float = 0.0
        self._entries: dict[int, SpeakerEntry] = {}
        self._exact: dict[tuple[str, str], set[int]] = {}
        self._anonymous: dict[tuple[str, int | None], set[int]] = {}
        self._token_speakers: dict[str, set[int]] = {}
        self._vocabulary: list[str] | None = None
        for entry in entries:
            self.upsert(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, speaker_id: object) -> bool:
        return speaker_id in self._entries

    def get(self, speaker_id: int) -> SpeakerEntry | None:
        return self._entries.get(speaker_id)

    def entries(self) -> list[SpeakerEntry]:
        return list(self._entries.values())

    # --- keeping it in step -------------------------------------------------

    def replace_all(self, entries: Iterable[SpeakerEntry], version: int | None) -> None:
        self._entries.clear()
        self._exact.clear()
        self._anonymous.clear()
        self._token_speakers.clear()
        self._vocabulary = None
        for entry in entries:
            self.upsert(entry)
        self.version = version

    def upsert(self, entry: SpeakerEntry) -> None:
        self.remove(entry.id)
        self._entries[entry.id] = entry
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

    def search(self, query: str, cutoff: float = 60.0, limit: int = 500) -> list[tuple[SpeakerEntry, float]]:
        """Speakers whose names are like `query`, best first, each with a score 0-100."""
        toks = query_tokens(query)
        if not toks:
            return []
        qnorm = " ".join(toks)
        candidates: set[int] = set()
        for tok in toks:
            candidates |= self._speakers_with_tokens_like(tok, 70.0)
        if not candidates:
            return []
        owners: list[int] = []
        names: list[str] = []
        for sid in candidates:
            for norm in self._entries[sid].norms:
                owners.append(sid)
                names.append(norm)
        best: dict[int, float] = {}
        for _name, score, i in process.extract(
            qnorm, names, scorer=fuzz.WRatio, score_cutoff=cutoff, limit=None
        ):
            sid = owners[i]
            if score > best.get(sid, -1.0):
                best[sid] = float(score)
        ranked = sorted(
            ((self._entries[sid], score) for sid, score in best.items()),
            key=lambda es: (-es[1], -es[0].quote_count, es[0].id),
        )
        return ranked[:limit]

    # --- matching a newly quoted speaker ---------------------------------------

    def match(
        self,
        name: str,
        kind: str,
        *,
        article_id: int | None = None,
        attributes: Iterable[str] = (),
        threshold: float = 85.0,
    ) -> tuple[SpeakerEntry, float] | None:
        """The known speaker a name quoted in an article belongs to, with a score; None for a new one."""
        norm = normalised_alias(name, kind)
        if not norm:
            return None
        attrs = {a.lower() for a in attributes}
        if kind == "anonymous":
            ids = self._anonymous.get((norm, article_id), set())
            return (self._tie_break(ids, attrs, norm), 100.0) if ids else None
        exact = self._exact.get((kind, norm), set())
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
            if entry.kind != "person":
                continue
            pool = entry.full_norms if len(toks) >= 2 and entry.full_norms else entry.norms
            score = max((_person_score(name, n) for n in pool), default=0.0)
            if score >= threshold:
                scored[sid] = score
        if not scored:
            return None
        top = max(scored.values())
        near = {sid for sid, s in scored.items() if s >= top - TIE_MARGIN}
        chosen = self._tie_break(near, attrs, norm)
        return chosen, scored[chosen.id]

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
