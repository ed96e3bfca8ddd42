"""Sentence structure: reporting cues, their sources and their content.

Plain functions over spaCy tokens. Every function returns token indices or
character offsets into the document; nothing here resolves who a mention is
(that is `coref`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .lexicon import Lexicon

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
INHERIT_SUBJECT_DEPS = frozenset({"xcomp", "conj", "advcl", "ccomp", "pcomp", "acomp"})
RELATIVE_PRONOUNS = frozenset({"who", "that", "which", "whom"})
PRONOUNS = frozenset({"he", "she", "they", "i", "we", "it", "you"})
MENTION_RIGHT_DEPS = frozenset({"compound", "flat", "nummod", "case"})
# "told Al Arabiya": the addressee of these verbs is the medium when it is an outlet
ADDRESSEE_DEPS = frozenset({"dobj", "dative", "iobj"})


@dataclass(frozen=True, slots=True)
class Cue:
    """A reporting cue: the token that carries it, its extent and how it was found."""

    token: int  # head token index
    start: int  # char span of the cue words
    end: int
    lemma: str
    weight: float
    rule: str


def char_span_of(doc: Doc, lo: int, hi: int) -> tuple[int, int]:
    """Character offsets of tokens lo..hi (inclusive), trimmed of edge punctuation."""
    while lo <= hi and (doc[lo].is_punct or doc[lo].is_space or doc[lo].lower_ in {"that", "whether"} and lo < hi and doc[lo].dep_ == "mark"):
        lo += 1
    while hi >= lo and (doc[hi].is_punct or doc[hi].is_space) and doc[hi].text not in {"”", '"', "’"}:
        hi -= 1
    if hi < lo:
        return (doc[lo].idx if lo < len(doc) else 0, doc[lo].idx if lo < len(doc) else 0)
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def find_verb_cues(sent: Span, lex: Lexicon) -> list[Cue]:
    """Reporting verbs and phrases in a sentence, each with its weight."""
    cues = []
    for tok in sent:
        lemma = tok.lemma_.lower()
        if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.nbor().lower_ == "to":
            cues.append(Cue(tok.i, tok.idx, tok.nbor().idx + 2, "according to", 0.92, "according-to"))
        elif tok.pos_ in ("VERB", "AUX") and tok.dep_ != "amod":
            w = lex.verb_weight(lemma)
            if w > 0:
                cues.append(Cue(tok.i, tok.idx, tok.idx + len(tok.text), lemma, w, "verb-lexicon"))
            elif lemma in lex.frames:
                # reports content only through a mined frame ("wants to …")
                cues.append(Cue(tok.i, tok.idx, tok.idx + len(tok.text), lemma, 0.0, "frame-table"))
            elif lemma in lex.frame_verbs:
                # only frames a quote next to it ("…,” he continued.)
                cues.append(Cue(tok.i, tok.idx, tok.idx + len(tok.text), lemma, 0.0, "frame-verb"))
    return cues


def subject_of(verb: Token, depth: int = 0) -> tuple[Token | None, str]:
    """The token that did the saying for `verb`, and the rule that found it."""
    # two subjects when the parser read a heading into the sentence ("THE BORROWING Back when
    # …, Mr. McKinley said"): the one nearest the verb
    subjects = sorted((c for c in verb.children if c.dep_ in SUBJECT_DEPS), key=lambda c: (c.i > verb.i, abs(c.i - verb.i)))
    for child in subjects[:1]:
        if child.dep_ in SUBJECT_DEPS:
            if child.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                return child, "relative-pronoun"  # resolved to verb.head by coref
            return child, "subject-inverted" if child.i > verb.i else "subject"
    for child in verb.children:
        if child.dep_ == "agent":
            for g in child.children:
                if g.dep_ == "pobj":
                    return g, "passive-agent"
    if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN", "PRON"):
        return verb.head, "participle-modifier"  # "officials, speaking on condition …, told"
    if verb.dep_ == "relcl":
        return verb.head, "relative-clause"
    if depth < 3 and verb.dep_ in INHERIT_SUBJECT_DEPS and verb.head.i != verb.i:
        head = verb.head
        if any(c.dep_ in ("auxpass", "nsubjpass") for c in head.children) and verb.dep_ == "xcomp":
            return None, "none"  # "X is expected to announce": X is not saying anything
        # "…, X said, adding that …" / "X said … and added" / "X pledged to continue"
        if verb.dep_ in ("ccomp", "pcomp") and head.i < verb.i and verb.dep_ == "ccomp":
            return None, "none"
        found, rule = subject_of(head, depth + 1)
        if found is not None:
            return found, "inherited-" + rule if not rule.startswith("inherited") else rule
    return None, "none"


def according_to_source(cue_tok: Token) -> Token | None:
    """The pobj of "according to X"."""
    doc = cue_tok.doc
    to = doc[cue_tok.i + 1] if cue_tok.i + 1 < len(doc) else None
    for t in (to, cue_tok):
        if t is None:
            continue
        for child in t.children:
            if child.dep_ == "pobj":
                return child
    # the parser sometimes hangs "to X" elsewhere: take the next noun
    for t in doc[cue_tok.i + 2 : cue_tok.i + 8]:
        if t.pos_ in ("PROPN", "NOUN", "PRON"):
            while t.head.i > t.i and t.head.i < cue_tok.i + 10 and t.dep_ in ("compound", "amod", "det", "poss"):
                t = t.head
            return t
    return None


def relative_antecedent(tok: Token) -> Token | None:
    """The noun a relative pronoun stands for ("officials who confirmed" → officials)."""
    if tok.lower_ in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl" and tok.head.head.i != tok.head.i:
        return tok.head.head
    return None


def mention_bounds(head: Token) -> tuple[int, int]:
    """Token bounds (inclusive) of the noun phrase a source head stands for.

    Keeps determiners, modifiers, titles and compounds to the left; leaves out
    appositions, relative clauses and participles to the right, which describe
    the speaker but are not its mention.
    """
    doc = head.doc
    if head.lower_ in PRONOUNS or head.pos_ == "PRON":
        return head.i, head.i
    lo = head.i
    for child in head.lefts:
        if child.dep_ in ("punct", "cc", "prep", "advmod", "preconj") and child.i == lo - 1:
            continue
        lo = min(lo, child.left_edge.i)
    # "His ex-wife": a word the parser split at a hyphen is one word, with what its first part governs
    while lo >= 2 and doc[lo - 1].text == "-" and not doc[lo - 2].whitespace_ and not doc[lo - 1].whitespace_:
        first = doc[lo - 2]
        lo = min(lo - 2, min((c.left_edge.i for c in first.lefts), default=lo - 2))
    hi = head.i
    for child in head.rights:
        if child.dep_ in MENTION_RIGHT_DEPS and child.i == hi + 1:
            hi = child.right_edge.i
        elif child.dep_ == "prep" and child.lower_ == "of" and child.i == hi + 1:
            hi = child.right_edge.i  # "the secretary of defense"
        elif child.dep_ == "prep" and child.i == hi + 1 and _title_cased_name(head, child):
            hi = child.right_edge.i  # "The Rewards for Justice Program", "Bank of America"
        else:
            break
    # keep whole entities (read off the tokens: doc.ents is rebuilt on every access)
    if head.ent_type_:
        start = head.i
        while start > 0 and doc[start].ent_iob_ == "I":
            start -= 1
        end = head.i
        while end + 1 < len(doc) and doc[end + 1].ent_iob_ == "I":
            end += 1
        lo, hi = min(lo, start), max(hi, end)
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space or doc[lo].dep_ == "cc"):
        lo += 1
    # "Last week Stumpf told …": a time the parser hung on the name is not part of it
    while lo + 1 < hi + 1 and lo < head.i and doc[lo].lower_ in _TIME_LEADS and (
            doc[lo + 1].lower_ in _TIME_WORDS or doc[lo + 1].ent_type_ in ("DATE", "TIME")):
        lo += 2
    while hi > lo and (doc[hi].is_punct or doc[hi].is_space or doc[hi].dep_ == "case"):
        hi -= 1
    return lo, hi


_TIME_LEADS = frozenset({"last", "next", "this", "that", "earlier", "later"})
_TIME_WORDS = frozenset({
    "week", "month", "year", "weekend", "night", "morning", "afternoon", "evening", "summer", "winter", "spring",
    "fall", "autumn", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "time",
})


def _title_cased_name(head: Token, prep: Token) -> bool:
    """Whether head + prepositional phrase read as one capitalised name."""
    rest = [t for t in prep.subtree if t.i != prep.i]
    return (head.text[:1].isupper() and prep.lower_ in ("for", "of", "on", "in") and len(rest) <= 5 and bool(rest)
            and all(t.text[:1].isupper() or t.lower_ in ("of", "and", "for", "the") for t in rest)
            and rest[-1].text[:1].isupper())


def subtree_bounds(tok: Token, exclude: Iterable[Token] = ()) -> tuple[int, int]:
    """Token bounds of a subtree, optionally without some child subtrees at its edges."""
    lo, hi = tok.left_edge.i, tok.right_edge.i
    for ex in exclude:
        a, b = ex.left_edge.i, ex.right_edge.i
        if a <= lo <= b:
            lo = b + 1
        if a <= hi <= b:
            hi = a - 1
    return lo, hi


_SUBORDINATORS = frozenset({
    "because", "if", "when", "whenever", "although", "though", "while", "since", "unless", "until", "before",
    "after", "whether", "once", "so"})


def content_of(cue_tok: Token, lemma: str, source: Token | None, lex: Lexicon) -> tuple[int, int, str] | None:
    """Token bounds of what a cue reports, and the rule that found them."""
    doc = cue_tok.doc
    if lemma == "according to":
        head = cue_tok.head
        if head.i == cue_tok.i:
            return _according_to_by_comma(cue_tok)
        lo, hi = subtree_bounds(head, exclude=[cue_tok])
        lo, hi = _without(doc, lo, hi, cue_tok)
        return (lo, hi, "according-to-clause") if hi >= lo else None
    ccomps = [c for c in cue_tok.children if (c.dep_ in ("ccomp", "parataxis") or (
        # "tweeted … that Machado was “disgusting”": the parser made the that-clause adverbial
        c.dep_ == "advcl" and c.left_edge.lower_ == "that" and c.left_edge.i > cue_tok.i))
        and c.pos_ in ("VERB", "AUX", "NOUN", "ADJ", "PROPN", "PRON", "NUM")]
    if ccomps:
        c = max(ccomps, key=lambda t: t.right_edge.i - t.left_edge.i)
        lo, hi = subtree_bounds(c)
        return lo, _before_according_to(doc, lo, hi), "complement-clause"
    # "…, X said." — the cue hangs off the clause it reports
    # not when the cue is itself what its head reports ("X said he agreed …")
    reported = cue_tok.dep_ == "ccomp" and lex.verb_weight(cue_tok.head.lemma_) >= 0.3
    # "… because he cannot defend his record": a subordinate clause reports nothing before it
    subordinate = any(c.dep_ in ("mark", "advmod") and c.lower_ in _SUBORDINATORS for c in cue_tok.children)
    around = _clause_around(cue_tok)
    if around is not None:
        return around
    if not reported and not subordinate and cue_tok.dep_ in ("ccomp", "parataxis", "advcl", "conj") and cue_tok.head.i < cue_tok.i and not (
        cue_tok.dep_ == "conj" and any(c.dep_ == "cc" for c in cue_tok.head.children if c.i < cue_tok.i)
    ):
        head = cue_tok.head
        lo, hi = max(head.left_edge.i, cue_tok.sent.start), cue_tok.left_edge.i - 1
        if source is not None and source.i < cue_tok.i:
            hi = min(hi, source.left_edge.i - 1)
        if hi - lo >= 2:
            return lo, hi, "clause-before-cue"
    passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in cue_tok.children)
    for c in cue_tok.children:
        if c.dep_ == "xcomp" and lemma in lex.infinitive_content_verbs and not passive:
            lo, hi = subtree_bounds(c)
            return lo, hi, "infinitive-complement"
    for c in cue_tok.children:
        if c.dep_ == "dobj" and lemma in lex.object_content_verbs and c.right_edge.i - c.left_edge.i >= 1:
            lo, hi = subtree_bounds(c)
            return lo, hi, "object"
    return None


def _according_to_by_comma(cue_tok: Token) -> tuple[int, int, str] | None:
    """"According to X, the move reeks of …" when the parser made "According" the root: the
    rest of the sentence after the comma that closes X (or, with the phrase last, what comes
    before it)."""
    doc, sent = cue_tok.doc, cue_tok.sent
    if cue_tok.i == sent.start or doc[cue_tok.i - 1].is_punct and doc[cue_tok.i - 1].i == sent.start:
        comma = next((t.i for t in doc[cue_tok.i + 2 : sent.end] if t.text == ","), None)
        if comma is None:
            return None
        lo, hi = comma + 1, sent.end - 1
    else:
        lo, hi = sent.start, cue_tok.i - 1
    while hi > lo and (doc[hi].is_punct or doc[hi].is_space):
        hi -= 1
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    return (lo, hi, "according-to-comma") if hi - lo >= 2 else None


def _clause_around(cue_tok: Token) -> tuple[int, int, str] | None:
    """"The museum, Mr. Obama said, would make visitors face …": a cue set off by commas
    inside the clause it reports; the content is that whole clause, cue and all."""
    if cue_tok.dep_ != "parataxis" or cue_tok.head.i < cue_tok.i:
        return None
    doc = cue_tok.doc
    a, b = cue_tok.left_edge.i, cue_tok.right_edge.i
    opened = doc[a].text == "," or (a > 0 and doc[a - 1].text == ",")
    closed = doc[b].text == "," or (b + 1 < len(doc) and doc[b + 1].text == ",")
    if not (opened and closed) or doc[a].i == cue_tok.sent.start:
        return None
    head = cue_tok.head
    lo, hi = head.left_edge.i, head.right_edge.i
    while hi > lo and (doc[hi].is_punct or doc[hi].is_space):
        hi -= 1
    if lo >= a or hi <= b + 2:
        return None  # nothing reported on one side of the cue
    return lo, hi, "clause-around-cue"


def _before_according_to(doc: Doc, lo: int, hi: int) -> int:
    """Cut a trailing ", according to Reuters" off a content span."""
    for t in doc[lo + 1 : hi + 1]:
        if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            return t.i - 1
    return hi


def _without(doc: Doc, lo: int, hi: int, tok: Token) -> tuple[int, int]:
    a, b = tok.left_edge.i, tok.right_edge.i
    if a <= lo <= b:
        lo = b + 1
    elif a <= hi <= b:
        hi = a - 1
    elif lo < a and b < hi:
        # the phrase sits inside: keep the longer side
        hi, lo = (a - 1, lo) if (a - lo) >= (hi - b) else (hi, b + 1)
    return lo, hi


def addressee_outlet(cue_tok: Token, lex: Lexicon) -> str | None:
    """The outlet a cue was addressed to ("told Al Arabiya", "told Reuters")."""
    for c in cue_tok.children:
        if c.dep_ in ADDRESSEE_DEPS:
            lo, hi = mention_bounds(c)
            name = cue_tok.doc[lo : hi + 1].text
            if lex.is_outlet(name):
                return name
    return None


def noun_phrase_head_after(doc: Doc, lo: int, hi: int) -> Token | None:
    """The head of the first noun phrase in doc[lo:hi] (positional fallback for a source).

    For `“…,” a senior official, speaking on condition of anonymity, told Reuters`
    when the parser hung the official somewhere else.
    """
    for i in range(lo, min(hi, len(doc))):
        t = doc[i]
        if t.is_punct or t.is_space or not any(c.isalnum() for c in t.text) or t.ent_type_ in ("DATE", "TIME"):
            continue  # "…,” said Monday Tulsa police Chief Chuck Jordan
        if t.pos_ in ("NOUN", "PROPN", "PRON") or (t.pos_ in ("DET", "ADJ", "NUM") and i + 1 < hi):
            j = i
            # walk right through the noun phrase to its last noun
            while j + 1 < hi and doc[j + 1].pos_ in ("NOUN", "PROPN", "ADJ", "NUM", "DET", "PART") and not doc[j + 1].is_punct:
                j += 1
            k = j
            while k >= i and doc[k].pos_ not in ("NOUN", "PROPN", "PRON"):
                k -= 1
            return doc[k] if k >= i else None
        return None  # the phrase after the quote does not start with a noun phrase
    return None


# relations whose subtree may be what a verb reports (mined per lemma into frames.tsv)
FRAME_DEPS = frozenset({"ccomp", "xcomp", "dobj", "parataxis", "advcl", "attr", "oprd", "acomp", "dative"})


def _trimmed(doc: Doc, lo: int, hi: int) -> tuple[int, int]:
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    while hi > lo and (doc[hi].is_punct or doc[hi].is_space) and doc[hi].text not in {"”", '"', "''"}:
        hi -= 1
    return lo, hi


def mined_content(verb: Token, lex: Lexicon) -> tuple[int, int, str, float] | None:
    """The content of the most reliable mined frame of `verb`, with its weight."""
    lemma = verb.lemma_.lower()
    if lemma not in lex.frames:
        return None
    best = None
    for rel, lo, hi in frame_candidates(verb):
        w = lex.frame_weight(lemma, rel)
        if w > 0 and (best is None or w > best[3]):
            best = (lo, hi, "frame-" + rel, w)
    return best


def frame_candidates(verb: Token) -> list[tuple[str, int, int]]:
    """Each relation of `verb` that could carry reported content, with its token bounds.

    `dobj`, `xcomp`, `prep:for` … name one child's subtree; `dobj+` runs from the
    object to the end of the verb's phrase ("called the charges unsubstantiated");
    `clause-before` is the clause a trailing cue hangs off ("…, X said").
    """
    doc = verb.doc
    out = []
    rights = [c for c in verb.rights if not (c.is_punct or c.is_space)]
    for c in verb.children:
        if c.dep_ in FRAME_DEPS:
            out.append((c.dep_, *_trimmed(doc, c.left_edge.i, c.right_edge.i)))
        elif c.dep_ == "prep" and c.i > verb.i:
            objs = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
            if objs:
                out.append(("prep:" + c.lower_, *_trimmed(doc, objs[0].left_edge.i, objs[-1].right_edge.i)))
    objs = [c for c in rights if c.dep_ == "dobj"]
    if objs and len(rights) > 1 and rights[-1].i != objs[0].i:
        out.append(("dobj+", *_trimmed(doc, objs[0].left_edge.i, rights[-1].right_edge.i)))
    if verb.dep_ in ("ccomp", "parataxis", "advcl", "conj") and verb.head.i < verb.i:
        lo, hi = verb.head.left_edge.i, verb.left_edge.i - 1
        if hi - lo >= 2:
            out.append(("clause-before", *_trimmed(doc, lo, hi)))
    return [(rel, lo, hi) for rel, lo, hi in out if hi >= lo]
