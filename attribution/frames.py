"""Frames: each reporting cue in a document with its source and its reported content.

A frame is the skeleton an attribution hangs on ("X said …", "according to X",
"X wants to …"); the rules in `attribution.rules` decide which quotes each
frame holds, and frames that hold none may report indirect speech.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .lexicon import Lexicon
from .marks import QuoteSpan
from .syntax import (
    Cue,
    according_to_source,
    addressee_outlet,
    content_of,
    find_verb_cues,
    mention_bounds,
    mined_content,
    subject_of,
)
from .thresholds import Thresholds

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["Frame", "find_frames", "speaks"]


@dataclass
class Frame:
    """A cue with its source: the skeleton an attribution hangs on."""

    cue: Cue
    source: Token | None
    source_rule: str
    mention: tuple[int, int] | None  # token bounds of the speaker mention
    content: tuple[int, int] | None  # token bounds of indirect content
    content_rule: str = ""
    content_weight: float | None = None  # a mined frame's weight, when one found the content
    via: str | None = None
    quotes: list[int] = field(default_factory=list)


def _inside_quote(starts: list[int], spans: list[QuoteSpan], pos: int) -> int | None:
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and spans[i].open_mark <= pos < spans[i].outer_end:
        return i
    return None


def find_frames(doc: Doc, lex: Lexicon, spans: list[QuoteSpan], thresholds: Thresholds) -> list[Frame]:
    """Every reporting cue outside quotation marks, with its source and content."""
    starts = [s.open_mark for s in spans]
    frames = []
    for sent in doc.sents:
        for cue in find_verb_cues(sent, lex):
            tok = doc[cue.token]
            if _inside_quote(starts, spans, tok.idx) is not None:
                continue
            if cue.lemma == "according to":
                source, rule = according_to_source(tok), "according-to"
            else:
                source, rule = subject_of(tok)
            if source is not None and source.lemma_.lower() in lex.speech_nouns:
                owner = next((c for c in source.children if c.dep_ == "poss" and c.pos_ in ("PROPN", "PRON")), None)
                if owner is not None:
                    source, rule = owner, rule + "-possessor"
            if source is not None and rule.startswith("inherited") and not speaks(source, lex):
                # "she thinks the video should be released but said …": she, not the video
                source = _speaking_ancestor_subject(tok, lex) or source
            if source is not None and (_inside_quote(starts, spans, source.idx) is not None
                                       or source.is_punct or source.pos_ in ("PART", "SPACE")
                                       or not any(c.isalnum() for c in source.text)
                                       or _is_dateline(source)):
                source = None
            mention = mention_bounds(source) if source is not None else None
            content = content_of(tok, cue.lemma, source, lex)
            content_weight = None
            if content is not None and cue.weight < thresholds.min_indirect_weight and _that_clause(tok):
                content_weight = thresholds.that_clause_weight  # "He continued that Iraq has taken …"
            if (content is None or content[2] == "object") and source is not None and _may_report(tok, source, rule, lex):
                # a mined frame also beats a bare object ("accused the council of hiding …")
                mined = mined_content(tok, lex)
                if mined is not None and (content is None or mined[1] - mined[0] > content[1] - content[0]):
                    content, content_weight = mined[:3], mined[3]
            frames.append(
                Frame(
                    cue=cue,
                    source=source,
                    source_rule=rule,
                    mention=mention,
                    content=(content[0], content[1]) if content else None,
                    content_rule=content[2] if content else "",
                    content_weight=content_weight,
                    via=addressee_outlet(tok, lex),
                )
            )
    _attach_outlets(doc, frames, lex)
    return frames



def _that_clause(verb: Token) -> bool:
    """Whether the verb governs a finite clause opened by "that"."""
    return any(c.dep_ == "ccomp" and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
               for c in verb.children)


def _may_report(verb: Token, source: Token, source_rule: str, lex: Lexicon) -> bool:
    """Whether a verb with only a mined frame can report here: an active verb with a
    source that can speak, outside a title-cased headline ("accused of arming …",
    "the ad calling for …" and "Defense Secretary Doubles Down" cannot), and not
    an infinitive under another verb ("declined to comment on …" is one report;
    "met to discuss the agreement" is none)."""
    if verb.tag_ == "VBN" and verb.dep_ in ("acl", "relcl", "advcl") or any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
        return False
    if source_rule.startswith("inherited") and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return False
    if not speaks(source, lex):
        return False
    words = [t for t in verb.sent if t.is_alpha and len(t) > 3]
    return not (len(words) >= 3 and all(t.text[0].isupper() for t in words))


def _speaking_ancestor_subject(tok: Token, lex: Lexicon) -> Token | None:
    """The nearest subject up the verb chain that can be someone speaking."""
    head = tok
    for _ in range(6):
        if head.head.i == head.i:
            return None
        head = head.head
        for child in head.children:
            if child.dep_ in ("nsubj", "nsubjpass") and speaks(child, lex) and child.lower_ not in ("who", "that", "which"):
                return child
    return None


def _is_dateline(tok: Token) -> bool:
    """"WASHINGTON —" / "NEW YORK (AP) —": a place opening a story, not a speaker."""
    sent_start = tok.sent.start
    return tok.i - sent_start <= 3 and tok.text.isupper() and len(tok.text) > 2 and tok.ent_type_ in ("GPE", "LOC", "")


def _attach_outlets(doc: Doc, frames: list[Frame], lex: Lexicon) -> None:
    """"X said …, according to Reuters" / "X said …, Reuters reported": X speaks, Reuters carries it."""
    def outlet_of(f: Frame) -> str | None:
        if f.mention is None:
            return None
        name = doc[f.mention[0] : f.mention[1] + 1].text
        return name if lex.is_outlet(name) else None

    for f in frames:
        name = outlet_of(f)
        if name is None or f.cue.lemma not in ("according to", "report"):
            continue
        sent = doc[f.cue.token].sent
        others = [g for g in frames if g is not f and g.source is not None and outlet_of(g) is None
                  and sent.start <= g.cue.token < sent.end]
        for g in others:
            g.via = g.via or name
        f.source = None  # the outlet only carried the words
        f.mention = None



def speaks(tok: Token, lex: Lexicon) -> bool:
    """Whether a source token can be someone speaking (not "the ad", "the election")."""
    if tok.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return True
    low = tok.lower_
    if low in ("he", "she", "they", "i", "we", "who"):
        return True
    lemma = tok.lemma_.lower()
    return tok.pos_ == "PROPN" or lemma in lex.group_nouns or lemma in lex.role_fits

