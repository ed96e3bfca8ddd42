"""Who a mention is: names to their fullest form, pronouns and nominals to entities.

Heuristics, in the order a reader applies them:
- a name resolves to the fullest form of that name in the document
  ("Caggins" → "Myles B. Caggins III"), keeping titles, roles, organisations;
- he/she → the most recent person who spoke or was a subject;
- "the general", "the US military spokesperson", "the Pentagon chief" → the most
  recent person whose titles or roles fit the head noun; failing that, one named
  a little later (a lede that names the speaker in the next paragraph);
- "the officials", "the administration official" → the unnamed source introduced
  before with the same head noun;
- "a senior defense official", "two administration officials" → an unnamed
  source of its own, never merged into a named person.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz.distance import Levenshtein
from spacy.tokens import Doc, Span, Token

from .lexicon import Lexicon, data_lines, gendered_words, genders_told, load_words
from .names import AFFIXES, is_name_extension, name_tokens, speaker_key
from .records import Speaker, SpeakerKind
from .syntax import mention_bounds, relative_antecedent

DEFINITE = frozenset({"the", "this", "that", "these", "those"})
ORG_ENTS = frozenset({"ORG", "GPE", "NORP", "FAC"})
FEMALE = frozenset({"she", "her", "hers"})
MALE = frozenset({"he", "him", "his"})
PLURAL = frozenset({"they", "them", "their", "we"})
_DOTS = re.compile(r"[.\u2019'’]")


RANKS = load_words("ranks.txt")
ORG_WORDS = load_words("org_words.txt")
RIVAL_WINDOW = 600  # characters back from a pronoun in which another person makes it ambiguous
FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our", "you", "your"})
NEUTER = frozenset({"it", "its"})


def _given_names() -> dict[str, str]:
    """Given name -> "m"/"f", mined from PolNeAR train (benchmarks/mine_genders.py)."""
    out = {}
    for line in data_lines("given_names.tsv"):
        name, gender, _votes = line.split("\t")
        out[name] = gender
    return out


GENDERED_WORDS = gendered_words()
# Honorifics only a person bears ("Mr. King" is a person even when the tagger calls it a noun).
_PERSON_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sen", "rep", "gov"})
_GENDER_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss"})
GIVEN_NAMES = _given_names()


def repair_person_names(doc: Doc, lex: Lexicon) -> None:
    """Fix the small NER's usual misses on unfamiliar names, in place.

    "Olumide Bakare" tagged ORG on "Bakare" only, "Beatriz Carvalho" tagged
    PERSON on "Carvalho" only: the entity grows left over the capitalised proper
    nouns that compound into it. A grown ORG/GPE, or a multi-word GPE that is no
    place seen in PolNeAR train ("Oduya Mbeki"), that has a person's shape and is
    the subject of a verb, becomes a PERSON. A person's name ends at a colon.
    A capitalised proper noun the tagger left untagged that is the surname of a
    person it did tag ("Oz took Trump through …" after "Oz's show") is that
    person's name too, and grows over a given name before it ("Mehmet Oz").
    """
    _tag_known_surnames(doc)
    _tag_coordinated_names(doc)
    ents = list(doc.ents)
    changed = False
    out = []
    for ent in ents:
        start = ent.start
        while (start > 0 and doc[start - 1].ent_iob_ == "O" and doc[start - 1].pos_ == "PROPN"
               and doc[start - 1].text[:1].isupper() and doc[start - 1].head.i in range(start, ent.end)
               and doc[start - 1].dep_ in ("compound", "flat") and not doc[start - 1].text.endswith(".")
               and not _title_word(doc[start - 1], lex)):
            start -= 1
        label = ent.label_
        end = ent.end
        if label == "PERSON":
            # a title-cased headline runs the name on past a colon: "Tove Halvorsen: Bridge Tolls Will"
            end = next((t.i for t in ent[1:] if t.text == ":"), ent.end)
        grown = start < ent.start or end < ent.end
        span = doc[start:end]
        if label in ("ORG", "GPE") and ent.root.dep_ in ("nsubj", "nsubjpass") and _person_shaped(span):
            unknown_place = label == "GPE" and " ".join(t.text for t in span).lower() not in lex.places
            if grown or unknown_place:
                label = "PERSON"
        if grown or label != ent.label_:
            changed = True
            out.append(Span(doc, start, end, label=label))
        else:
            out.append(ent)
    if changed:
        doc.ents = out


def _tag_known_surnames(doc: Doc) -> None:
    """Untagged proper nouns spelt like the last word of a PERSON entity become PERSON."""
    surnames = {e[-1].text for e in doc.ents if e.label_ == "PERSON" and e[-1].text[:1].isupper()
                and e[-1].is_alpha and len(e[-1].text) > 1}
    if not surnames:
        return
    new = [Span(doc, t.i, t.i + 1, label="PERSON") for t in doc
           if t.text in surnames and t.ent_iob_ == "O" and t.pos_ == "PROPN"
           and not (t.i + 1 < len(doc) and doc[t.i + 1].pos_ == "PROPN" and doc[t.i + 1].ent_iob_ != "O")]
    if new:
        doc.ents = sorted([*doc.ents, *new], key=lambda e: e.start)


def _tag_coordinated_names(doc: Doc) -> None:
    """"James and Olive Meehan": an untagged run of capitalised proper nouns coordinated with a
    tagged person is a person too."""
    new = []
    for t in doc:
        if t.dep_ != "conj" or t.ent_iob_ != "O" or t.pos_ != "PROPN" or not t.text[:1].isupper():
            continue
        if t.head.ent_type_ != "PERSON":
            continue
        lo = t.i
        while lo > 0 and doc[lo - 1].dep_ == "compound" and doc[lo - 1].head.i == t.i and doc[lo - 1].pos_ == "PROPN" \
                and doc[lo - 1].ent_iob_ == "O" and doc[lo - 1].text[:1].isupper():
            lo -= 1
        if lo < t.i:  # a given name and a surname, not a lone word
            new.append(Span(doc, lo, t.i + 1, label="PERSON"))
    if new:
        doc.ents = sorted([*doc.ents, *new], key=lambda e: e.start)


def _title_word(tok: Token, lex: Lexicon) -> bool:
    """A rank, title, role or organisation word ("Executive", "Gen", "Ministry")."""
    low = _DOTS.sub("", tok.lower_)
    return low in AFFIXES or low in RANKS or low in ORG_WORDS or low in lex.role_words


def _person_shaped(span: Span) -> bool:
    words = [t for t in span if not t.is_punct]
    return 2 <= len(words) <= 4 and all(
        t.pos_ == "PROPN" and t.text[:1].isupper() and not (t.text.isupper() and len(t.text) > 1)
        and _DOTS.sub("", t.lower_) not in ORG_WORDS for t in words)


def looks_like_person_name(span: Span) -> bool:
    """"Nadia Brannigan" (that the NER called an organisation) has a person's shape."""
    words = [t for t in span if not t.is_punct]
    if not 2 <= len(words) <= 4 or span[0].lower_ in DEFINITE:
        return False
    for t in words:
        if not t.text[:1].isupper() or t.pos_ not in ("PROPN", "NOUN", "ADJ"):
            return False
        if t.text.isupper() and len(t.text) > 1 and not t.text.endswith("."):
            return False  # an acronym: CENTCOM, NATO
        if _DOTS.sub("", t.lower_) in ORG_WORDS or t.ent_type_ in ("GPE", "NORP"):
            return False
    return True


@dataclass
class Entity:
    """A speaker-to-be in one document: a person, an unnamed source or an organisation."""

    name: str
    kind: SpeakerKind
    titles: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # char offsets of mentions
    head_lemma: str = ""
    plural: bool = False
    gender: str | None = None  # "m" / "f" when the text tells
    gender_votes: dict[str, float] = field(default_factory=dict)

    def vote_gender(self, gender: str, weight: float) -> None:
        self.gender_votes[gender] = self.gender_votes.get(gender, 0.0) + weight

    def fit_words(self) -> set[str]:
        words: set[str] = set()
        for s in (*self.titles, *self.roles, *self.organisations):
            words.update(_DOTS.sub("", w).lower() for w in s.split())
        return words

    def speaker(self) -> Speaker:
        return Speaker(
            name=self.name,
            key=speaker_key(self.name, self.kind),
            kind=self.kind,
            titles=tuple(dict.fromkeys(self.titles)),
            roles=tuple(dict.fromkeys(self.roles)),
            organisations=tuple(dict.fromkeys(self.organisations)),
            gender=self.gender if self.kind == "person" else None,
        )


@dataclass(frozen=True, slots=True)
class Resolution:
    entity: Entity | None
    rule: str


def _clean_name(text: str) -> str:
    text = text.strip().replace("\u00a0", " ")
    text = re.sub(r"(’s|'s|’|')$", "", text).strip()
    text = re.sub(r"(?<=\w)’(?=\w)", "'", text)  # "O’Neill" and "O'Neill": one spelling
    return re.sub(r"\s+", " ", text).strip(" '’\"“”")


def _pre_name_tokens(ent: Span) -> list[Token]:
    """Tokens before a name inside its noun phrase: titles, ranks, roles."""
    root = ent.root
    out = []
    for t in root.subtree:
        if t.i >= ent.start:
            break
        if t.dep_ in ("det", "punct", "case", "cc", "poss") and t.i < ent.start and t.lower_ in ("the", "a", "an", ","):
            continue
        out.append(t)
    # a title the tokenizer glued into the entity ("Gen. Kenneth McKenzie")
    for t in ent:
        if _DOTS.sub("", t.lower_) in AFFIXES:
            out.append(t)
        else:
            break
    return out


def _split_titles(tokens: list[Token], doc: Doc, ents: list[Span]) -> tuple[list[str], list[str], list[str]]:
    titles: list[str] = []
    role_words: list[str] = []
    orgs: list[str] = []
    run: list[str] = []
    previous = -2
    # a role is the run of words right before the name ("Homeland Security Secretary"), not
    # what else the parser hung on it ("Black Lawmakers Rip Donald Trump", "when", a quote mark)
    kept = list(tokens)
    for k in range(len(kept) - 1, 0, -1):
        if kept[k].i != kept[k - 1].i + 1 and not kept[k].text.endswith("."):
            kept = kept[k:]
            break
    if any((t.pos_ in ("VERB", "AUX", "ADP", "SCONJ") or (t.pos_ == "PRON" and t.dep_ != "poss"))
           and _DOTS.sub("", t.lower_) not in RANKS for t in kept) or not any(
            t.pos_ in ("NOUN", "PROPN", "ADJ") and t.is_alpha for t in kept):
        kept = [t for t in kept if _DOTS.sub("", t.lower_) in RANKS]
    tokens = kept
    for t in tokens:
        bare = _DOTS.sub("", t.lower_)
        if bare in RANKS and t.text[:1].isupper():
            word = t.text + ("." if t.i + 1 < len(doc) and doc[t.i + 1].text == "." and not t.text.endswith(".") else "")
            if run and t.i == previous + 1:
                run.append(word)
            else:
                if run:
                    titles.append(" ".join(run))
                run = [word]
            previous = t.i
        elif not (t.is_punct and t.text == "."):
            role_words.append(t.text_with_ws)
    if run:
        titles.append(" ".join(run))
    role = "".join(role_words).strip(" ,")
    if role:
        orgs.extend(e.text for e in ents if e.label_ in ORG_ENTS and tokens and tokens[0].i <= e.start and e.end - 1 <= tokens[-1].i)
    return titles, ([role] if role and role not in titles else []), orgs


def _appositive_role(ent: Span) -> tuple[str | None, list[str]]:
    """"McKenzie, the top U.S. general," → "the top U.S. general"."""
    root = ent.root
    doc = ent.doc
    for c in root.children:
        if c.dep_ == "appos" and c.i >= ent.end:
            lo, hi = c.left_edge.i, c.right_edge.i
            span = doc[lo : hi + 1]
            if any(e.label_ == "PERSON" for e in span.ents) or span[0].is_punct:
                continue  # a name, or a dash's aside: no role
            orgs = [e.text for e in span.ents if e.label_ in ORG_ENTS]
            return span.text.strip(" ,"), orgs
    if root.dep_ == "conj" and root.head.dep_ == "appos":
        root = root.head  # "my parents, James and Olive Meehan": Olive's role is the parents' too
    if root.dep_ == "appos" and root.head.i < ent.start and root.head.pos_ == "NOUN":
        head = root.head
        span = doc[head.left_edge.i : head.i + 1]
        return span.text.strip(" ,"), [e.text for e in span.ents if e.label_ in ORG_ENTS]
    return None, []


class DocumentEntities:
    """The people and sources of one document, and how mentions resolve to them."""

    def __init__(self, doc: Doc, lex: Lexicon) -> None:
        self.doc = doc
        self.lex = lex
        self.ents = list(doc.ents)  # spaCy rebuilds doc.ents on every access
        self.persons: list[Entity] = []
        self.others: list[Entity] = []  # unnamed sources and organisations
        self.subject_persons: list[tuple[int, Entity]] = []  # (char pos, entity) in order
        self.person_mentions: list[tuple[int, Entity]] = []
        self.speakers: list[tuple[int, Entity]] = []  # recorded as attributions are made
        # ORG spans (by character) that end in a person's name, and that name's tokens
        self._org_names: dict[tuple[int, int], tuple[int, int]] = {}
        self._person_spans: list[tuple[Span, Entity]] = []
        self._ambiguous: dict[tuple[int, int], list[Entity]] = {}
        self._lower_words = {t.text for t in doc if t.is_lower}  # words the text writes lower-case
        # the character spans of quoted and reported content, set by the caller once the
        # quotes are found: a person named inside someone's words is not who a later
        # "she said" means ("McLenney said Clinton doesn't … ” she said": McLenney)
        self.contents: list[tuple[int, int, int, int]] = []  # content start, end; its own mention's
        self._collect_persons()
        self._infer_genders()
        self._disambiguate()
        self._span_person = {(e.start, e.end): p for e, p in self._person_spans}

    # ------------------------------------------------------------ building
    def _collect_persons(self) -> None:
        ents = [e for e in self.ents if e.label_ == "PERSON"]
        person_texts = {_clean_name(e.text) for e in ents}
        trimmed = {(e.start, e.end): self._trim_name(e, person_texts) for e in ents}
        for e in ents:  # "James and Olive Meehan": James Meehan
            surname = _shared_surname(e, ents)
            if surname:
                trimmed[(e.start, e.end)] = f"{trimmed[(e.start, e.end)]} {surname}"
        # full names first; among surnames, those an honorific genders ("Mr. Obama") before bare ones
        full_first = sorted(ents, key=lambda e: (-len(name_tokens(trimmed[(e.start, e.end)])),
                                                 _honorific_gender(e) is None))
        by_span: dict[tuple[int, int], Entity] = {}
        for ent in full_first:
            name = trimmed[(ent.start, ent.end)]
            toks = name_tokens(name)
            if not toks or self.lex.is_outlet(name) or all(_DOTS.sub("", w.lower()) in AFFIXES for w in name.split()):
                continue
            matches = [p for p in self.persons if is_name_extension(name, p.name)]
            honorific = _honorific_gender(ent)
            if honorific and matches:
                # "Mr. Obama" when the story names only Michelle Obama ("the first lady"): someone else
                matches = [p for p in matches if _own_gender(p) in (None, honorific)]
            entity = matches[0] if matches else None
            if entity is None:
                entity = Entity(name=_strip_titles(name), kind="person")
                self.persons.append(entity)
            elif len(matches) > 1:
                self._ambiguous[(ent.start, ent.end)] = matches  # "Mr. Obama" with Barack and Michelle
            by_span[(ent.start, ent.end)] = entity
            titles, roles, orgs = _split_titles(_pre_name_tokens(ent), self.doc, self.ents)
            app, app_orgs = _appositive_role(ent)
            entity.titles.extend(titles)
            entity.roles.extend(roles + ([app] if app else []))
            entity.organisations.extend(orgs + app_orgs)
        self._persons_inside_organisations(by_span, ents)
        for ent in ents:
            entity = by_span.get((ent.start, ent.end))
            if entity is None:
                continue
            entity.positions.append(ent.start_char)
            self._person_spans.append((ent, entity))
            self.person_mentions.append((ent.start_char, entity))
            if _main_clause_subject(ent) and not _inside_quotation(ent[0]):
                self.subject_persons.append((ent.start_char, entity))
        self.person_mentions.sort(key=lambda x: x[0])
        self.subject_persons.sort(key=lambda x: x[0])

    def _trim_name(self, ent: Span, person_texts: set[str]) -> str:
        """The name without words the NER took in with it.

        "Black Lawmakers Rip Donald Trump", "Crooked Hillary Clinton", "Activist
        Angela Davis", "Obama Says": a word at either end that is no given name and
        is written as an ordinary word (not a proper noun, lower-case elsewhere in
        the text, a title, or in a headline) goes when what is left is still a name:
        two words or more, or a name the text uses on its own.
        """
        words = [t for t in ent if not (t.is_punct and t.text not in ".-")]
        if not words:
            return _clean_name(ent.text)

        def ordinary(t: Token, after: Token) -> bool:
            lower = self._written_lower(t.lower_)
            return (_in_headline(t) or _title_word(t, self.lex) or t.lemma_.lower() in self.lex.role_words
                    or (lower and (t.pos_ != "PROPN" or after.text in GIVEN_NAMES)))

        def still_a_name(rest: list[Token]) -> bool:
            if not rest:
                return False
            text = _clean_name(self.doc[rest[0].i : rest[-1].i + 1].text)
            return len(rest) >= 2 or text in person_texts

        while len(words) > 1:
            first = words[0]
            if first.text in GIVEN_NAMES or not still_a_name(words[1:]):
                break
            rest_text = _clean_name(self.doc[words[1].i : words[-1].i + 1].text)
            nickname = words[1].text in GIVEN_NAMES and rest_text in person_texts and _inside_quotation(first)
            if not (ordinary(first, words[1]) or nickname):  # "Crooked Hillary Clinton" in a tweet
                break
            words = words[1:]
        while len(words) > 1 and words[-1].pos_ in ("VERB", "AUX") and still_a_name(words[:-1]):
            words = words[:-1]  # "Obama Says" in a headline
        return _clean_name(self.doc[words[0].i : words[-1].i + 1].text)

    def _written_lower(self, low: str) -> bool:
        return low in self._lower_words

    def _persons_inside_organisations(self, by_span: dict[tuple[int, int], Entity], ents: list[Span]) -> None:
        """"Defense Secretary Lloyd Austin" tagged ORG: the name at its end is a person.

        Only when the surname is known as a person elsewhere in the document, so
        "Wells Fargo" stays an organisation.
        """
        surnames: dict[str, list[Entity]] = {}
        for p in self.persons:
            if name_tokens(p.name):
                surnames.setdefault(name_tokens(p.name)[-1], []).append(p)
        for ent in self.ents:
            if ent.label_ not in ORG_ENTS or ent[-1].pos_ != "PROPN":
                continue
            last = name_tokens(ent[-1].text)
            if not last or last[-1] not in surnames:
                continue
            name_toks = [ent[-1]]
            for t in reversed(ent[:-1]):
                if t.pos_ != "PROPN" or _DOTS.sub("", t.lower_) in AFFIXES:
                    break
                is_initial = len(t.text.rstrip(".")) == 1
                if len(name_toks) >= 2 and not is_initial and not any(len(n.text.rstrip(".")) == 1 for n in name_toks):
                    break  # a given name and a surname; what comes before is a title or an office
                name_toks.insert(0, t)
            name = " ".join(t.text for t in name_toks)
            span = self.doc[name_toks[0].i : name_toks[-1].i + 1]
            namesakes = [p for p in surnames[last[-1]] if is_name_extension(name, p.name)] or surnames[last[-1]]
            person = namesakes[0]
            if len(namesakes) > 1:
                self._ambiguous[(span.start, span.end)] = namesakes  # settled with the PERSON mentions
            if len(name_tokens(name)) > len(name_tokens(person.name)) and is_name_extension(person.name, name):
                person.name = _strip_titles(name)
            first = min(ent.start, name_toks[-1].left_edge.i)
            # words of the organisation's name before the person's ("Black Lawmakers Rip Donald
            # Trump") are no role; a rank or a role word ("Defense Secretary") is
            titles, roles, orgs = _split_titles(
                [t for t in self.doc[first : name_toks[0].i] if t.lower_ in self.lex.role_words
                 or _DOTS.sub("", t.lower_) in RANKS], self.doc, self.ents)
            person.titles.extend(titles)
            person.roles.extend(roles)
            person.organisations.extend(orgs)
            by_span[(span.start, span.end)] = person
            ents.append(span)
            self._org_names[(ent.start_char, ent.end_char)] = (span.start, span.end)

    def _move_mention(self, i: int, to: Entity) -> None:
        """Mention `i` of `_person_spans` is `to`'s, not the person it was first given."""
        ent, was = self._person_spans[i]
        was.positions.remove(ent.start_char)
        to.positions.append(ent.start_char)
        self._person_spans[i] = (ent, to)

    def _refresh_mentions(self) -> None:
        """The position lists after mentions moved to another person."""
        spans = {ent.start_char: p for ent, p in self._person_spans}
        self.person_mentions = [(pos, spans.get(pos, p)) for pos, p in self.person_mentions]
        self.subject_persons = [(pos, spans.get(pos, p)) for pos, p in self.subject_persons]

    def _infer_genders(self) -> None:
        """What the text says of each person's gender.

        Strong: an honorific or a gendered word in the person's titles, roles or
        apposition ("Ms. Martin", "Clinton spokeswoman Jennifer Palmieri"). Weaker:
        the given name as news text genders it (mined from PolNeAR train); the
        first he/she after the person as a subject, in the same sentence with no
        other person between ("Palmieri said she …").
        """
        doc = self.doc
        surnames: dict[str, int] = {}
        for p in self.persons:
            toks = name_tokens(p.name)
            if toks:
                surnames[toks[-1]] = surnames.get(toks[-1], 0) + 1
        for ent, entity in self._person_spans:
            toks = name_tokens(_clean_name(ent.text))
            if len(toks) < 2 and toks and surnames.get(toks[-1], 0) > 1:
                continue  # "Mr. Scott" when two Scotts are in the story
            prev = doc[ent.start - 1] if ent.start > 0 else None
            for t in ([prev] if prev is not None else []) + [t for t in ent if _DOTS.sub("", t.lower_) in AFFIXES]:
                g = GENDERED_WORDS.get(_DOTS.sub("", t.lower_))
                if g:
                    entity.vote_gender(g, 3.0)
            if ent.root.dep_ in ("nsubj", "nsubjpass"):
                sent_end = ent.sent.end
                for t in doc[ent.end : sent_end]:
                    if t.ent_type_ == "PERSON":
                        break
                    if t.lower_ in ("he", "she", "his", "her", "him"):
                        entity.vote_gender("f" if t.lower_ in FEMALE else "m", 1.0)
                        break
        for entity in self.persons:
            for s in (*entity.titles, *entity.roles):
                for w in s.split():
                    g = GENDERED_WORDS.get(_DOTS.sub("", w.lower()))
                    if g:
                        entity.vote_gender(g, 3.0)
            given = entity.name.split()[0] if len(entity.name.split()) > 1 else ""
            g = GIVEN_NAMES.get(given)
            if g:
                entity.vote_gender(g, 2.0)
            votes = entity.gender_votes
            if votes:
                best = max(votes, key=lambda k: votes[k])
                if votes[best] >= 2 and votes[best] >= 2 * sum(v for k, v in votes.items() if k != best):
                    entity.gender = best

    def _person_named_like(self, span: Span, lo: int, hi: int) -> Entity | None:
        """A name the tagger took for a common noun: "Mr. King" (an honorific makes a person), or a
        capitalised word that is the surname of a person the article names ("McAuliffe" after
        "Gov. Terry McAuliffe"). None when the mention is no such name."""
        words = [t for t in self.doc[lo : hi + 1] if not t.is_punct]
        if not words or not all(t.text[:1].isupper() for t in words):
            return None
        honorific = _DOTS.sub("", words[0].lower_) in _PERSON_HONORIFICS
        name = _strip_titles(_clean_name(" ".join(t.text for t in words)))
        toks = name_tokens(name)
        if not toks or len(toks) > 3 or not name[:1].isupper():
            return None
        person = self._named(" ".join(toks), span.start_char) or self._misspelt(toks)
        if person is not None or not honorific:
            return person
        entity = Entity(name=self._given_name_for(name), kind="person")
        entity.vote_gender(GENDERED_WORDS.get(_DOTS.sub("", words[0].lower_), ""), 3.0)
        if entity.gender_votes.get("", 0):
            entity.gender_votes.pop("")
        self.persons.append(entity)
        return entity

    def _misspelt(self, toks: Sequence[str]) -> Entity | None:
        """The one person of the story whose surname a lone capitalised word misspells by one letter
        ("Wines believes …" of Leslie Wimes, "McLenney" of Tyresha McClenney); None if none or several."""
        if len(toks) != 1 or len(toks[0]) < 5:
            return None
        word = toks[0]
        near = {id(p): p for p in self.persons
                if (sur := name_tokens(p.name)) and len(sur) > 1 and sur[-1][:1] == word[:1]
                and sur[-1] != word and Levenshtein.distance(sur[-1], word) == 1}
        return next(iter(near.values())) if len(near) == 1 else None

    def _given_name_for(self, surname: str) -> str:
        """'Larry King' for the 'Mr. King' of a story that writes 'Larry King' where the tagger saw no
        person: a capitalised proper noun right before the surname, a given name news text genders or
        one written so at least twice; the surname alone when there is none, or several."""
        if len(surname.split()) != 1:
            return surname
        counts: dict[str, int] = {}
        for m in re.finditer(rf"\b([A-Z][a-z]+) {re.escape(surname)}\b", self.doc.text):
            span = self.doc.char_span(m.start(1), m.end(1))
            tok = span[0] if span is not None and len(span) == 1 else None
            word = m.group(1)
            if tok is None or tok.pos_ != "PROPN" or _title_word(tok, self.lex) or word.lower() in DEFINITE:
                continue
            counts[word] = counts.get(word, 0) + 1
        fits = [w for w, n in counts.items() if w in GIVEN_NAMES or n >= 2]
        return f"{fits[0]} {surname}" if len(fits) == 1 else surname

    def _disambiguate(self) -> None:
        """A surname two persons of the story share goes to the one its honorific's
        gender fits ("Mr. Obama": not Michelle Obama), else by `_namesake`."""
        self._full_mentions = [(e.start_char, p) for e, p in self._person_spans
                               if (e.start, e.end) not in self._ambiguous]
        if not self._ambiguous:
            return
        doc = self.doc
        changed = False
        for i, (ent, entity) in enumerate(self._person_spans):
            matches = self._ambiguous.get((ent.start, ent.end))
            if not matches:
                continue
            prev = doc[ent.start - 1] if ent.start > 0 else None
            honorific = GENDERED_WORDS.get(_DOTS.sub("", prev.lower_)) if prev is not None else None
            if honorific:
                fitting = [p for p in matches if p.gender in (None, honorific)]
                matches = [p for p in fitting if p.gender == honorific] or fitting or matches
            best = self._namesake(matches, ent.start_char)
            if best is not entity:
                self._move_mention(i, best)
                changed = True
        if changed:
            self._refresh_mentions()

    @cached_property
    def _section_starts(self) -> list[int]:
        """Where the text's sections begin: after a rule line ("___", "* * *", "---")."""
        return [0] + [m.end() for m in re.finditer(r"(?m)^[ \t]*[_*=~#-][_*=~#. \t-]{2,}$", self.doc.text)]

    def _namesake(self, matches: list[Entity], pos: int) -> Entity:
        """Which of several persons sharing a surname a bare surname at `pos` means.

        In a text of sections ("The Latest" live pages), the one named in full in the
        mention's own section, when only one is; else the one named first: news names a
        story's main person first and calls them by surname; a relative or namesake
        keeps a given name.
        """
        full = self._full_mentions
        starts = self._section_starts
        if len(starts) > 1:
            k = bisect.bisect_right(starts, pos) - 1
            lo, hi = starts[k], starts[k + 1] if k + 1 < len(starts) else len(self.doc.text)
            local = [p for p in matches if any(q is p and lo <= at < hi for at, q in full)]
            if len(local) == 1:
                return local[0]
        first_named = {id(p): min((at for at, q in full if q is p), default=10**9) for p in matches}
        return min(matches, key=lambda p: first_named[id(p)])

    def _named(self, name: str, pos: int) -> Entity | None:
        """The person of the story a name (or its surname) stands for, if any."""
        matches = [p for p in self.persons if is_name_extension(name, p.name)]
        if len(matches) > 1 and len(name_tokens(name)) == 1:
            return self._namesake(matches, pos)
        return matches[0] if matches else None

    def person_at(self, start: int, end: int) -> Entity | None:
        """The person named within a character range, if any (not a possessor: "X's deputy")."""
        best = None
        for ent in self.ents:
            if ent.label_ == "PERSON" and ent.start_char < end and start < ent.end_char:
                if ent.root.dep_ == "poss" or (ent.end < len(self.doc) and self.doc[ent.end].tag_ == "POS"):
                    continue
                match = self._span_person.get((ent.start, ent.end))
                if match is None:
                    match = self._named(_clean_name(ent.text), ent.start_char)
                if match is not None:
                    best = match
        return best


    def in_content(self, pos: int) -> bool:
        """Whether a character position lies inside some quote's content."""
        return any(a <= pos < b and not m_lo <= pos < m_hi for a, b, m_lo, m_hi in self.contents)

    def note_speaker(self, pos: int, entity: Entity) -> None:
        if not self.in_content(pos):  # a speaker inside another's words is no speaker of the story
            self.speakers.append((pos, entity))

    # ------------------------------------------------------------ resolving
    def resolve(self, lo: int, hi: int, head: Token) -> Resolution:
        """Resolve the mention doc[lo..hi] (head token `head`) to an entity."""
        doc = self.doc
        span = doc[lo : hi + 1]
        pos = span.start_char
        low = head.lower_
        antecedent = relative_antecedent(head)
        if antecedent is not None:
            a_lo, a_hi = mention_bounds(antecedent)
            found = self.resolve(a_lo, a_hi, antecedent)
            return Resolution(found.entity, "relative-pronoun-" + found.rule)
        if low in MALE | FEMALE | PLURAL | FIRST_PERSON | NEUTER:
            return self._resolve_pronoun(pos, low)
        if head.pos_ == "PRON":
            # "some say", "someone asked", "each touted", "this shows": nobody the text names
            return Resolution(None, "pronoun-indefinite")
        label = span.text.strip()
        if len(label) > 2 and label.isupper() and all(w.isalpha() for w in label.replace(".", "").split()):
            return self._resolve_label(label)
        if any(c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN") for c in head.children):
            # "Mr. Grassley and Mr. Leahy say": several people, no one of them
            desc = _clean_name(doc[head.left_edge.i : max(c.right_edge.i for c in head.children if c.dep_ == "conj") + 1].text)
            return Resolution(self._other(desc, "anonymous", head), "coordinated")
        if head.pos_ == "NOUN" and not any(e.label_ == "PERSON" and e.start <= head.i < e.end for e in span.ents) and not any(
                c.dep_ == "appos" and c.ent_type_ == "PERSON" for c in head.children):
            person = None  # "Clinton supporters", "Pagliano's lawyer": the name only qualifies the speaker
        else:
            person = self.person_at(span.start_char, span.end_char) or next(
                (self._span_person[t] for (a, b), t in self._org_names.items()
                 if a < span.end_char and span.start_char < b and t in self._span_person), None)
        if person is None:
            # "said the first lady, Laura Whitfield": the person the description stands beside
            appos = next((c for c in head.children if c.dep_ == "appos" and c.ent_type_ == "PERSON"), None)
            if appos is not None:
                person = self.person_at(appos.idx, appos.idx + len(appos.text))
        if person is None and head.pos_ == "PROPN" and head.ent_type_ in ORG_ENTS:
            # NER called a known person's surname an organisation ("McKenzie said")
            toks = name_tokens(_clean_name(span.text))
            person = self._named(" ".join(toks), span.start_char) if toks else None
        if person is not None:
            return Resolution(person, "name")
        ent = next((e for e in span.ents if e.label_ in ORG_ENTS and e.start <= head.i < e.end), None)
        if head.pos_ == "PROPN" and ent is None and head.ent_type_ == "" and all(
                _title_word(t, self.lex) or t.lower_ in DEFINITE or not t.is_alpha for t in span):
            # "Senator from Texas says": a title, not a name
            found = self._resolve_nominal(pos, span, head.lemma_.lower())
            return found if found.entity is not None else Resolution(None, "title-unresolved")
        if head.pos_ == "PROPN" and ent is None and head.ent_type_ == "":
            # a capitalised name the NER missed: treat as a person
            name = _clean_name(doc[lo : hi + 1].text)
            name = " ".join(w for w in name.split() if w.lower() not in DEFINITE)
            if self.lex.is_outlet(name):
                return Resolution(self._other(name, "organisation", head), "outlet")
            entity = self._named(name, span.start_char) or self._misspelt(name_tokens(name))
            if entity is None:
                entity = Entity(name=_strip_titles(name), kind="person")
                self.persons.append(entity)
            return Resolution(entity, "proper-noun")
        if ent is not None and ent.label_ == "ORG" and looks_like_person_name(ent):
            name = _strip_titles(_clean_name(ent.text))
            entity = self._named(name, span.start_char)
            if entity is None:
                entity = Entity(name=name, kind="person")
                self.persons.append(entity)
            return Resolution(entity, "name-shaped-organisation")
        if ent is not None or (head.pos_ == "PROPN" and head.ent_type_ in ORG_ENTS):
            name = _clean_name(ent.text if ent is not None else span.text)
            name = re.sub(r"^(the|The)\s+", "", name)
            person = self._named(name, span.start_char) if name_tokens(name) else None
            if person is not None:
                return Resolution(person, "name-tagged-organisation")  # "Donald Trump’s" tagged ORG
            return Resolution(self._other(name, "organisation", head), "organisation")
        named = self._person_named_like(span, lo, hi)
        if named is not None:
            return Resolution(named, "name-tagged-noun")
        # common noun
        det = next((c.lower_ for c in head.children if c.dep_ in ("det", "poss", "nummod")), "")
        if not det and span[0].dep_ in ("det", "poss") and span[0].i < head.i:
            det = span[0].lower_  # "His ex-wife": the parser hung "His" on "ex"
        lemma = head.lemma_.lower()
        if det in DEFINITE or det in ("his", "her", "its", "their", "my", "our"):
            found = self._resolve_nominal(pos, span, lemma)
            if found.entity is not None:
                return found
        kind: SpeakerKind = "anonymous"
        if lemma not in self.lex.group_nouns and lemma not in self.lex.role_fits and lemma not in GENDERED_WORDS:
            kind = "organisation"  # not "my father", "his ex-wife", "a woman": persons the text leaves unnamed
        desc = _clean_name(span.text)
        if not any(c.isalnum() for c in desc):
            return Resolution(None, "unresolved-no-words")  # marks or symbols only
        words = [t for t in doc[lo + 1 : hi + 1] if t.is_alpha]
        first = doc[lo]
        common_word = first.pos_ in ("NOUN", "ADJ") and not first.ent_type_ and first.is_sent_start  # "Officials said"
        if first.lower_ == "the" and words and all(t.text[0].isupper() or t.lower_ in ("of", "for", "and", "on", "in") for t in words):
            desc = _clean_name(doc[lo + 1 : hi + 1].text)  # "The Rewards for Justice Program": a name
        elif desc[:1].isupper() and (first.pos_ in ("DET", "NUM") or common_word or first.lower_ in ("a", "an", "the", "some", "two", "three", "several", "many")):
            desc = desc[0].lower() + desc[1:]
        return Resolution(self._other(desc, kind, head), "unnamed-" + kind)

    def writer(self) -> Entity | None:
        """The article's writer, when a byline ("By Jane Doe") or a closing note
        ("Jane Doe is a playwright …") names them."""
        if hasattr(self, "_writer"):
            return self._writer
        self._writer: Entity | None = None
        text = self.doc.text
        paragraphs = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
        candidates = [(lo, p, r"^\s*By\s+") for lo, p in paragraphs[:4]]
        candidates += [(lo, p, r"^\s*") for lo, p in paragraphs[-3:] if len(p) < 500]
        for lo, para, lead in candidates:
            m = re.match(lead, para)
            if m is None:
                continue
            start = lo + m.end()
            ent = next((e for e in self.ents if e.label_ == "PERSON" and e.start_char == start), None)
            if ent is None:
                continue
            after = text[ent.end_char : ent.end_char + 12]
            if lead.endswith("s+") or re.match(r"\s*(,|is\b|was\b|\(|writes\b)", after):
                name = _clean_name(ent.text)
                self._writer = next((p for p in self.persons if is_name_extension(name, p.name)), None)
                if self._writer is None:
                    self._writer = Entity(name=_strip_titles(name), kind="person")
                    self.persons.append(self._writer)
                break
        return self._writer

    def _resolve_label(self, label: str) -> Resolution:
        """A transcript label ("WALLACE", "PENCE"): the person of that surname in the text."""
        name = " ".join(w.capitalize() for w in label.split())
        toks = name_tokens(name)
        for p in self.persons:
            if toks and name_tokens(p.name)[-len(toks):] == toks:
                if p.name.isupper():
                    p.name = name
                return Resolution(p, "transcript-label")
        entity = Entity(name=name, kind="person")
        self.persons.append(entity)
        return Resolution(entity, "transcript-label-new")

    def _other(self, name: str, kind: SpeakerKind, head: Token) -> Entity:
        key = speaker_key(name, kind)
        for e in self.others:
            if speaker_key(e.name, e.kind) == key:
                return e
        e = Entity(name=name, kind=kind, head_lemma=head.lemma_.lower(), plural=head.tag_ in ("NNS", "NNPS"))
        e.positions.append(head.idx)
        self.others.append(e)
        return e

    def _resolve_pronoun(self, pos: int, low: str) -> Resolution:
        if low in FIRST_PERSON:
            # "I wrote", "we said" outside quotation marks: the writer, when the text
            # names them (a byline, a closing note); else no speaker rather than the
            # last person quoted
            writer = self.writer() if low in ("i", "me", "my") else None
            return Resolution(writer, "pronoun-first-person-writer" if writer else "pronoun-first-person")
        if low in NEUTER:
            return self._resolve_it(pos)
        if low in PLURAL:
            for p, e in reversed(self.speakers):
                if p < pos and (e.plural or e.kind == "organisation"):
                    return Resolution(e, "pronoun-recent-group")
            return Resolution(None, "pronoun-unresolved")
        # the most recent speaker or subject person before the pronoun whose
        # gender, when the text tells it, agrees with the pronoun
        gender = "f" if low in FEMALE else "m" if low in MALE else None
        only = self._only_person_just_before(pos, gender)
        if only is not None:
            return Resolution(only, "pronoun-previous-sentence" + ("-gender" if only.gender else ""))
        # the writer of a first-person piece is "I", never "she" ("To which she said" is the mother)
        writer = getattr(self, "_writer", None)  # when `writer()` has looked for one
        candidates = [(p, e, "pronoun-recent-speaker") for p, e in self.speakers
                      if p < pos and e.kind == "person" and e is not writer]
        candidates += [(p, e, "pronoun-recent-subject") for p, e in self.subject_persons
                       if p < pos and not self.in_content(p)]
        candidates.sort(key=lambda x: -x[0])
        for _p, e, rule in candidates:
            if gender is None or e.gender in (None, gender):
                # another person the pronoun could mean, mentioned in the last few sentences
                rivals = {id(o) for q, o in self.person_mentions
                          if pos - RIVAL_WINDOW < q < pos and o is not e and (gender is None or o.gender in (None, gender))}
                return Resolution(e, rule + ("-gender" if e.gender else "") + ("" if rivals else "-alone"))
        before = [(p, e) for p, e in self.person_mentions
                  if p < pos and e is not writer and (gender is None or e.gender in (None, gender))]
        if before:
            return Resolution(before[-1][1], "pronoun-recent-person")
        return Resolution(None, "pronoun-unresolved")

    def _only_person_just_before(self, pos: int, gender: str | None) -> Entity | None:
        """The one person the pronoun can mean in the sentence before it (and its own,
        up to it), whatever their role there: "… concerns Henry Crespo, president of
        the caucus. “No one is writing songs for Hillary,” he said." """
        if gender is None:
            return None
        tok = next((t for t in self.doc if t.idx >= pos), None)
        if tok is None:
            return None
        sent = tok.sent
        lo = sent.start_char
        if sent.start > 0:
            lo = self.doc[sent.start - 1].sent.start_char
        seen = {id(e): e for ent, e in self._person_spans
                if lo <= ent.start_char < pos and not _inside_quotation(ent[0]) and not self.in_content(ent.start_char)
                and e.gender in (None, gender)}
        speakers_between = [e for p, e in self.speakers if lo <= p < pos]
        if len(seen) == 1 and not speakers_between:
            return next(iter(seen.values()))
        return None

    def _resolve_it(self, pos: int) -> Resolution:
        """"it said", "it added": the organisation last quoted or acting before it."""
        for p, e in reversed(self.speakers):
            if p < pos and e.kind == "organisation" and not e.plural:
                return Resolution(e, "pronoun-recent-organisation")
        return Resolution(None, "pronoun-unresolved")

    def _resolve_nominal(self, pos: int, span: Span, lemma: str) -> Resolution:
        modifiers = {_DOTS.sub("", t.lower_) for t in span if t.pos_ in ("PROPN", "ADJ", "NOUN") and t.lemma_.lower() != lemma}
        # an unnamed source introduced earlier with the same head noun
        if lemma in self.lex.group_nouns:
            for e in reversed(self.others):
                if e.kind == "anonymous" and e.head_lemma == lemma and min(e.positions) < pos:
                    return Resolution(e, "nominal-same-unnamed-source")
        fits = self.lex.role_fits.get(lemma)
        if fits:
            ordered = sorted(((max([p for p in e.positions if p < pos], default=-1), e) for e in self.persons), key=lambda x: -x[0])
            scored = []
            party = _parties(modifiers)
            gender = GENDERED_WORDS.get(lemma)  # "my father" is no woman
            for last, e in ordered:
                words = e.fit_words()
                if party and _parties(words) and not (party & _parties(words)):
                    continue  # "the Republican nominee" is not the Libertarian one
                if gender and e.gender not in (None, gender):
                    continue
                if words & fits:
                    bonus = len(words & modifiers) + (2 if party & _parties(words) else 0) + (gender is not None and e.gender == gender)
                    scored.append((last >= 0, bonus, last, e))
            before = [s for s in scored if s[0]]
            if before:
                best = max(before, key=lambda s: (s[1] > 0, s[2]))
                return Resolution(best[3], "nominal-role-fit")
            # a lede naming the speaker later: the first fitting person after it
            after = [e for e in self.persons if e.positions and min(e.positions) > pos and e.fit_words() & fits]
            if after:
                after.sort(key=lambda e: min(e.positions))
                return Resolution(after[0], "nominal-role-fit-forward")
        return Resolution(None, "nominal-unresolved")


_PARTY = {"republican": "r", "gop": "r", "republicans": "r", "democratic": "d", "democrat": "d",
          "democrats": "d", "libertarian": "l", "green": "g"}


def _parties(words: set[str]) -> set[str]:
    return {_PARTY[w] for w in words if w in _PARTY}


def _main_clause_subject(ent: Span) -> bool:
    """The subject of its sentence's main verb (or of a verb coordinated with it, or
    of an adverbial clause): the person a following "he said" most likely means. Subjects of clauses inside
    what someone reported ("… said McConnell is correct") are not."""
    root = ent.root
    if root.dep_ not in ("nsubj", "nsubjpass"):
        if root.head.dep_ in ("nsubj", "nsubjpass") and root.dep_ in ("compound", "appos", "flat"):
            root = root.head
        else:
            return False
    verb = root.head
    while verb.dep_ in ("conj", "advcl"):  # "As al-Kadhimi came to power, he pledged …"
        verb = verb.head
    return verb.dep_ == "ROOT" or verb.head == verb


def _inside_quotation(tok: Token) -> bool:
    """Between quotation marks opened earlier in its paragraph."""
    text = tok.doc.text
    start = text.rfind("\n", 0, tok.idx) + 1
    before = text[start : tok.idx]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _in_headline(tok: Token) -> bool:
    """In a title-cased sentence or line ("Black Lawmakers Rip Donald Trump Over …"); a
    headline without a full stop can run into the next line's sentence."""
    doc, text = tok.doc, tok.doc.text
    line_lo = text.rfind("\n", 0, tok.idx) + 1
    line_hi = text.find("\n", tok.idx)
    line_hi = len(text) if line_hi < 0 else line_hi
    for unit in (tok.sent, doc.char_span(line_lo, line_hi, alignment_mode="expand")):
        if unit is None:
            continue
        # words outside names (the tagger calls a headline's every word a proper noun)
        words = [t for t in unit[1:] if t.is_alpha and len(t.text) > 3 and not t.ent_type_]
        if len(words) >= 3 and sum(t.text[0].isupper() for t in words) >= 0.75 * len(words):
            return True
    return False


def _shared_surname(ent: Span, persons: list[Span]) -> str | None:
    """The surname a lone given name shares with the full name it is coordinated with
    ("James and Olive Meehan": Meehan); None otherwise."""
    if len(ent) != 1 or ent[0].text not in GIVEN_NAMES:
        return None
    tok = ent[0]
    if tok.i + 1 >= len(ent.doc) or ent.doc[tok.i + 1].lower_ not in ("and", "&"):
        return None
    for other in persons:
        if (len(other) >= 2 and other.start == tok.i + 2 and other.root.dep_ == "conj"
                and other.root.head.i == tok.i and other[0].pos_ == "PROPN"):
            return other[-1].text
    return None


def _honorific_gender(ent: Span) -> str | None:
    """The gender of an honorific right before or opening a person's name ("Mr. Obama"), if any."""
    first = ent[0]
    prev = ent.doc[ent.start - 1] if ent.start > 0 else None
    for tok in (first, prev):
        if tok is not None and _DOTS.sub("", tok.lower_) in _GENDER_HONORIFICS:
            return GENDERED_WORDS.get(_DOTS.sub("", tok.lower_))
    return None


def _own_gender(entity: Entity) -> str | None:
    """What a person's given name and roles say of their gender ("Michelle", "the first lady"), before any
    surname-only mention is linked to them; None when they say nothing or disagree."""
    said = genders_told((*entity.titles, *entity.roles))
    words = entity.name.split()
    if len(words) > 1 and words[0] in GIVEN_NAMES:
        said.add(GIVEN_NAMES[words[0]])
    return next(iter(said)) if len(said) == 1 else None


def _strip_titles(name: str) -> str:
    """'Gen. Kenneth McKenzie' → 'Kenneth McKenzie' (ranks live in titles)."""
    words = name.split()
    while len(words) > 1 and (_DOTS.sub("", words[0].lower()) in AFFIXES
                              or _DOTS.sub("", words[0].lower()).removesuffix("s") in AFFIXES):
        words.pop(0)  # "Senators Charles E. Grassley" too
    return " ".join(words)
