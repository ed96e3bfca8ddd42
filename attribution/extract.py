"""Entry points: text in, quotes out.

`extract_quotes(doc)` is the engine as one plain function over a parsed `Doc`;
`Extractor` holds a loaded pipeline and handles raw text: long texts in pieces,
many texts in batches or worker processes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .confidence import speaker_confidence
from .coref import DocumentEntities, Entity, repair_person_names
from .lexicon import Lexicon, get_lexicon
from .marks import QuoteSpan, find_quote_spans, paragraph_bounds
from .records import Quote, QuoteKind
from .syntax import (
    Cue,
    according_to_source,
    addressee_outlet,
    char_span_of,
    content_of,
    find_verb_cues,
    mention_bounds,
    mined_content,
    noun_phrase_head_after,
    subject_of,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

__all__ = ["Extractor", "extract_quotes"]

MIN_INDIRECT_WEIGHT = 0.3  # cues rarer than this in PolNeAR train only frame direct quotes
SENTENCE_END = frozenset(".!?")
THAT_CLAUSE_WEIGHT = 0.6  # a weak cue with a that-clause reports it ("He continued that …")



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


@dataclass
class Draft:
    """A quote before its speaker is resolved."""

    start: int
    end: int
    kind: QuoteKind
    frame: Frame | None
    confidence: float
    rule: str
    inherit_from: Draft | None = None  # continuation/same-paragraph: whose speaker
    same_attribution: bool = False  # a further part of `inherit_from`'s attribution


def extract_quotes(doc: Doc) -> list[Quote]:
    """Every attribution in a parsed document, in text order."""
    text = doc.text
    if not text.strip():
        return []
    lex = get_lexicon()
    repair_person_names(doc, lex)
    spans = find_quote_spans(text)
    frames = _find_frames(doc, lex, spans)
    drafts = _direct_quotes(doc, text, spans, frames)
    taken = {(d.start, d.end) for d in drafts}
    speech_spans = [s for s in spans if (s.start, s.end) in taken]
    quoted_paragraphs = {s.paragraph for s in speech_spans}
    drafts += _transcript_lines(doc, text, spans, quoted_paragraphs)
    drafts += _indirect_quotes(doc, frames, speech_spans, lex)
    drafts.sort(key=lambda d: (d.start, d.end))
    return _resolve(doc, drafts, lex)


# ---------------------------------------------------------------- frames

def _inside_quote(starts: list[int], spans: list[QuoteSpan], pos: int) -> int | None:
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and spans[i].open_mark <= pos < spans[i].outer_end:
        return i
    return None


def _find_frames(doc: Doc, lex: Lexicon, spans: list[QuoteSpan]) -> list[Frame]:
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
            if source is not None and rule.startswith("inherited") and not _speaks(source, lex):
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
            if content is not None and cue.weight < MIN_INDIRECT_WEIGHT and _that_clause(tok):
                content_weight = THAT_CLAUSE_WEIGHT  # "He continued that Iraq has taken …"
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
    if not _speaks(source, lex):
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
            if child.dep_ in ("nsubj", "nsubjpass") and _speaks(child, lex) and child.lower_ not in ("who", "that", "which"):
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


# ---------------------------------------------------------------- direct quotes

def _token_range(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span.start, span.end - 1


def _words(doc: Doc, lo: int, hi: int) -> int:
    return sum(1 for t in doc[lo : hi + 1] if not (t.is_punct or t.is_space))


def _direct_quotes(doc: Doc, text: str, spans: list[QuoteSpan], frames: list[Frame]) -> list[Draft]:
    paragraphs = paragraph_bounds(text)
    # a verb that reports only through a mined frame ("wants to …") frames no quote by position
    framing = [f for f in frames if f.cue.rule != "frame-table"]
    # nor does a mined frame's content hold a quote: those are reported as indirect
    holding = [f for f in framing if f.content_weight is None]
    frames_by_pos = sorted(((doc[f.cue.token].idx, f) for f in framing), key=lambda x: x[0])
    cue_positions = [p for p, _ in frames_by_pos]
    drafts: list[Draft] = []
    last_in_paragraph: dict[int, Draft] = {}
    previous: Draft | None = None

    def keep(d: Draft, qi: int, paragraph: int) -> None:
        nonlocal previous
        if d.frame is not None:
            d.frame.quotes.append(qi)
        drafts.append(d)
        last_in_paragraph[paragraph] = d
        previous = d

    for qi, q in enumerate(spans):
        p_lo, p_hi = paragraphs[q.paragraph]
        tokens = _token_range(doc, q.start, q.end)
        if tokens is None:
            continue
        n_words = _words(doc, *tokens)
        inner = text[q.start : q.end]
        if _is_scare_quote(text, q, n_words):
            continue
        right, left = _adjacent_frames(doc, text, q, spans, qi, p_lo, p_hi, cue_positions, frames_by_pos)
        # 1. "“…,” X said" — a cue right after the quote, in the same sentence
        if right is not None and _is_speech(inner, n_words, frame=True):
            # "… supporting the “Iraqi-led fight,” Austin added": a fragment in prose is mixed
            prose = len(text[_sentence_start(text, q, spans, qi, p_lo) : q.open_mark].split())
            kind = "mixed" if prose >= 3 else "direct"
            keep(Draft(q.start, q.end, kind, right, 0.9 if kind == "direct" else 0.8, f"{kind}-cue-after"), qi, q.paragraph)
            continue
        # 1b. "“…” ― Name" (a byline after the quote) / "Name: “…”" (a speaker label)
        labelled = _labelled_speaker(doc, text, q, p_lo, p_hi)
        if labelled is not None and n_words >= 2:
            frames.append(labelled)
            keep(Draft(q.start, q.end, "direct", labelled, 0.85, "direct-" + labelled.cue.rule), qi, q.paragraph)
            continue
        # 2. a cue whose reported content holds this quote: direct or mixed
        holder = _holding_frame(doc, holding, q)
        if holder is not None:
            # prose around the quote in the reported clause makes it mixed
            kind: QuoteKind = "mixed" if _is_fragment(_unquoted_words(doc, holder, spans), inner) else "direct"
            keep(Draft(q.start, q.end, kind, holder, 0.9 if kind == "direct" else 0.8, f"{kind}-in-content"), qi, q.paragraph)
            continue
        # 3. "X said: “…”" — a cue before the quote, in the same sentence
        if left is not None and _is_speech(inner, n_words, frame=True):
            # "Caggins said, and Iraq is safer than “it has been in years.”": reported, then quoted
            between = text[doc[left.cue.token].idx + len(doc[left.cue.token]) : q.open_mark]
            n_between = len([w for w in between.split() if w.strip(",:;") not in ("", "that")])
            kind = "mixed" if _is_fragment(n_between, inner) else "direct"
            keep(Draft(q.start, q.end, kind, left, 0.85, f"{kind}-cue-before"), qi, q.paragraph)
            continue
        # 4. another quote of the same paragraph already has a speaker
        same = last_in_paragraph.get(q.paragraph)
        if same is not None and _is_speech(inner, n_words, frame=False):
            keep(Draft(q.start, q.end, "direct", None, 0.75, "direct-same-paragraph", inherit_from=same,
                       same_attribution=True), qi, q.paragraph)
            continue
        # 5. a paragraph that is only a quote continues the previous speaker
        para_text = text[p_lo:p_hi].strip()
        opens_paragraph = text[p_lo : q.open_mark].strip() == ""
        covers = (q.outer_end - q.open_mark) >= 0.6 * len(para_text)
        prev_para_continues = q.paragraph > 0 and any(
            s.paragraph == q.paragraph - 1 and s.continues for s in spans[max(0, qi - 3) : qi]
        )
        if _TRANSCRIPT_LABEL.match(inner):
            continue  # “WALLACE: …”: a transcript line names its own speaker
        if previous is not None and opens_paragraph and (covers or prev_para_continues) and n_words >= 3:
            keep(Draft(q.start, q.end, "continuation", None, 0.7, "continuation-paragraph", inherit_from=previous), qi, q.paragraph)
    return drafts


_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:[A-Z]\.)+[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Maj|Capt|Sgt|Adm|Sen|Rep|Gov|Pres|St|Jr|Sr|Prof|Rev|No|Vol|Inc|Corp|Co|Ltd|vs|etc|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec))$")


def _is_sentence_end(text: str, i: int) -> bool:
    """True when text[i] ends a sentence: not an abbreviation, an initial, or a decimal point."""
    ch = text[i]
    if ch not in SENTENCE_END:
        return False
    nxt = text[i + 1 : i + 3]
    if nxt and not (nxt[0].isspace() or nxt[0] in "”\"’'"):
        return False
    if ch == "." and _ABBREVIATION.search(text[max(0, i - 12) : i]):
        after = text[i + 1 :].lstrip()[:1]
        if not after or not after.isupper():
            return False
        return not re.search(r"\b(?:[A-Z]|Mr|Mrs|Ms|Dr|Gen|Col|Lt|Maj|Capt|Sgt|Adm|Sen|Rep|Gov|St)$", text[max(0, i - 6) : i])
    return True


def _sentence_start(text: str, q: QuoteSpan, spans: list[QuoteSpan], qi: int, p_lo: int) -> int:
    """Where the quote's sentence starts: its paragraph, the previous quote or a sentence end."""
    lo = p_lo
    if qi > 0 and spans[qi - 1].paragraph == q.paragraph:
        lo = max(lo, spans[qi - 1].outer_end)
    for i in range(q.open_mark - 1, lo - 1, -1):
        if _is_sentence_end(text, i):
            return i + 1
    return lo


def _is_fragment(prose_words: int, inner: str) -> bool:
    """Whether a quote with `prose_words` of reported prose around it is mixed: three or
    more words, or any when the quote starts in lower case ("he had “conducted …”")."""
    return prose_words >= 3 or (prose_words >= 1 and inner.lstrip()[:1].islower())


def _unquoted_words(doc: Doc, frame: Frame, spans: list[QuoteSpan]) -> int:
    """Words of a frame's content that stand outside quotation marks."""
    lo, hi = frame.content  # type: ignore[misc]
    c_start, c_end = doc[lo].idx, doc[hi].idx + len(doc[hi])
    inside = 0
    for s in spans:
        if s.start < c_end and c_start < s.end:  # a quote may end past the clause ("… question.”")
            r = _token_range(doc, s.start, s.end)
            if r and max(r[0], lo) <= min(r[1], hi):
                inside += _words(doc, max(r[0], lo), min(r[1], hi))
    return _words(doc, lo, hi) - inside


def _holding_frame(doc: Doc, frames: list[Frame], q: QuoteSpan) -> Frame | None:
    """The frame whose reported content holds the quote.

    Nested cues are common ("X said the ad seems “…”"): a speaking source (a
    person, a pronoun, an official) and a strong cue win; among equals the
    outermost report does (PolNeAR train and dev both credit the outer speaker).
    """
    lex = get_lexicon()
    best = None
    best_key: tuple[bool, bool, int] | None = None
    for f in frames:
        if f.content is None or f.source is None:
            continue
        lo, hi = f.content
        c_start, c_end = doc[lo].idx, doc[hi].idx + len(doc[hi])
        if c_start <= q.open_mark + 1 and q.end <= c_end + 1 and (c_end - c_start) < 4 * (q.end - q.start) + 400:
            key = (_speaks(f.source, lex), f.cue.weight >= 0.5, c_end - c_start)
            if best_key is None or key > best_key:
                best, best_key = f, key
    return best


def _speaks(tok: Token, lex: Lexicon) -> bool:
    """Whether a source token can be someone speaking (not "the ad", "the election")."""
    if tok.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return True
    low = tok.lower_
    if low in ("he", "she", "they", "i", "we", "who"):
        return True
    lemma = tok.lemma_.lower()
    return tok.pos_ == "PROPN" or lemma in lex.group_nouns or lemma in lex.role_fits


def _adjacent_frames(
    doc: Doc, text: str, q: QuoteSpan, spans: list[QuoteSpan], qi: int,
    p_lo: int, p_hi: int, cue_positions: list[int], frames_by_pos: list[tuple[int, Frame]],
) -> tuple[Frame | None, Frame | None]:
    """The cues in the quote's own sentence: after it (`“…,” X said`) and before it (`X said: “…”`)."""
    right_lo = q.outer_end
    right_hi = p_hi
    if qi + 1 < len(spans) and spans[qi + 1].paragraph == q.paragraph:
        right_hi = min(right_hi, spans[qi + 1].open_mark)
    for i in range(right_lo, right_hi):
        if _is_sentence_end(text, i):
            right_hi = i + 1
            break
    inner_tail = text[q.start : q.end].rstrip()[-1:]
    ends_sentence = inner_tail in SENTENCE_END
    left_hi = q.open_mark
    left_lo = _sentence_start(text, q, spans, qi, p_lo)
    right_frames = [f for _, f in frames_by_pos[bisect.bisect_left(cue_positions, right_lo) : bisect.bisect_left(cue_positions, right_hi)]]
    left_frames = [f for _, f in frames_by_pos[bisect.bisect_left(cue_positions, left_lo) : bisect.bisect_left(cue_positions, left_hi)]]
    right = left = None
    right_words = len(text[right_lo:right_hi].split())
    # "“…,” X said." / "“…?” asked X." — and a short trailing "X said." after a full stop
    if right_frames and (not ends_sentence or inner_tail in "?!" or right_words <= 8):
        # a finite verb before a participle ("…,” an official, speaking on condition …, told Reuters)
        for f in sorted(right_frames, key=lambda f: (doc[f.cue.token].dep_ == "acl" or f.cue.weight == 0.0,
                                                     doc[f.cue.token].tag_ in ("VBG", "VBN"), f.cue.token)):
            if f.content is not None and doc[f.content[0]].idx >= right_lo and f.content_rule != "clause-before-cue":
                continue  # this cue reports something else after the quote
            if f.source is None or f.source.idx < right_lo:
                _fallback_source_after(doc, f, right_lo, right_hi)
            if f.source is not None:
                right = f
                break
    if left_frames:
        with_source = [f for f in left_frames if f.source is not None]
        if with_source:
            left = max(with_source, key=lambda f: f.cue.token)
    return right, left


_DASHES = "―—–-"
_LABEL_WORDS = 6


def _labelled_speaker(doc: Doc, text: str, q: QuoteSpan, p_lo: int, p_hi: int) -> Frame | None:
    """A speaker named by punctuation, not a verb: a dash byline or a colon label."""
    after = text[q.outer_end : p_hi]
    stripped = after.lstrip(" \u00a0")
    if stripped[:1] in _DASHES:
        name_start = q.outer_end + (len(after) - len(stripped))
        dash_end = name_start
        while dash_end < p_hi and text[dash_end] in _DASHES:
            dash_end += 1
        rest = text[dash_end:p_hi].strip()
        if rest and rest[0].isupper() and len(rest.split()) <= _LABEL_WORDS + 6:
            span = doc.char_span(dash_end, p_hi, alignment_mode="expand")
            if span is not None:
                head = noun_phrase_head_after(doc, span.start, span.end)
                if head is not None:
                    cue = Cue(doc[span.start].i, name_start, dash_end, "―", 0.8, "dash-byline")
                    return Frame(cue, head, "dash-byline", mention_bounds(head), None)
    before = text[p_lo : q.open_mark].rstrip(" \u00a0")
    if before.endswith(":") and 0 < len(before[:-1].split()) <= _LABEL_WORDS:
        label = before[:-1].strip()
        if label[:1].isupper() and not any(w.islower() and w not in ("of", "the", "and", "de", "al") for w in label.split()):
            span = doc.char_span(p_lo, p_lo + len(before) - 1, alignment_mode="expand")
            if span is not None:
                head = noun_phrase_head_after(doc, span.start, span.end)
                if head is not None:
                    colon = p_lo + len(before) - 1
                    cue = Cue(head.i, colon, colon + 1, ":", 0.8, "colon-label")
                    return Frame(cue, head, "colon-label", mention_bounds(head), None)
    return None


_TRANSCRIPT_LABEL = re.compile(r"[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}:\s")


def _transcript_lines(doc: Doc, text: str, spans: list[QuoteSpan], taken: set[int]) -> list[Draft]:
    """Transcript paragraphs: "WALLACE: But, Governor, …" — the label says who speaks."""
    drafts = []
    for p_index, (lo, hi) in enumerate(paragraph_bounds(text)):
        if p_index in taken:
            continue
        lead = len(text[lo:hi]) - len(text[lo:hi].lstrip("\"“ "))  # a transcript quoted whole
        lo += lead
        para = text[lo:hi]
        colon = para.find(":")
        if colon <= 1 or colon > 40:
            continue
        label = para[:colon].strip()
        words = label.split()
        if not (1 <= len(words) <= 3 and all(w.isupper() and w.isalpha() for w in words)):
            continue
        start = lo + colon + 1
        while start < hi and text[start].isspace():
            start += 1
        end = hi
        while end > start and (text[end - 1].isspace() or (lead and text[end - 1] in "\"”")):
            end -= 1
        if end - start < 10:
            continue
        span = doc.char_span(lo, lo + colon, alignment_mode="expand")
        if span is None:
            continue
        head = span[-1]
        cue = Cue(head.i, lo + colon, lo + colon + 1, ":", 0.8, "transcript-label")
        frame = Frame(cue, head, "transcript-label", (span.start, span.end - 1), None)
        drafts.append(Draft(start, end, "direct", frame, 0.8, "direct-transcript"))
    return drafts


def _fallback_source_after(doc: Doc, frame: Frame, lo_char: int, hi_char: int) -> None:
    """Find the speaker by position when the parse gave the cue no usable subject."""
    span = doc.char_span(lo_char, hi_char, alignment_mode="expand")
    if span is None:
        return
    cue_i = frame.cue.token
    head = noun_phrase_head_after(doc, span.start, cue_i)  # “…,” an official … told
    rule = "position-before-cue"
    if head is None:
        head = noun_phrase_head_after(doc, cue_i + 1, span.end)  # “…,” said the official
        rule = "position-after-cue"
    if head is not None:
        frame.source, frame.source_rule, frame.mention = head, rule, mention_bounds(head)


def _is_scare_quote(text: str, q: QuoteSpan, n_words: int) -> bool:
    """`the “Defeat ISIS” mission`, `nicknamed “Old Faithful,”`: a name or title, not speech."""
    inner = text[q.start : q.end].strip().rstrip(",")
    words = inner.split()
    before = text[max(0, q.open_mark - 12) : q.open_mark].split()
    # "said on CNN's “State of the Union.”", "the author of “Make Your Kid a Millionaire,”":
    # a title-cased name of a show, book or film after a preposition or a possessive
    minor = {"a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "at", "by", "with", "your", "my"}
    title_cased = 1 <= n_words <= 8 and all(
        w[:1].isupper() or w.lower() in minor or not w[:1].isalpha() for w in words) and words[0][:1].isupper()
    if title_cased and before and (before[-1].lower() in ("on", "of", "in", "from", "to", "with") or before[-1].endswith(("’s", "'s"))):
        return True
    inner = inner.rstrip(".!?") if title_cased and n_words <= 4 else inner
    if n_words > 4 or inner[-1:] in ".!?":
        return False
    titled = all(w[:1].isupper() or not w[:1].isalpha() for w in words)
    after = text[q.outer_end : q.outer_end + 15].split()
    determiner = bool(before) and before[-1].lower() in ("the", "a", "an", "its", "his", "her", "their", "our", "nicknamed", "called", "dubbed", "titled", "named")
    noun_follows = bool(after) and after[0][:1].islower() and after[0].isalpha()
    return (determiner and (titled or noun_follows)) or (titled and noun_follows)


def _is_speech(inner: str, n_words: int, frame: bool) -> bool:
    """Tell a quotation from scare quotes around a name, a title or a word."""
    if n_words == 0:
        return False
    if frame:
        return n_words >= 2 or inner.rstrip()[-1:] in ".,!?"
    words = inner.split()
    if n_words < 4 and not (n_words >= 2 and inner.rstrip()[-1:] in ".!?"):
        return False
    titled = sum(1 for w in words if w[:1].isupper())
    return not (titled == len(words) and n_words <= 6)


# ---------------------------------------------------------------- indirect

def _indirect_quotes(doc: Doc, frames: list[Frame], spans: list[QuoteSpan], lex: Lexicon) -> list[Draft]:
    drafts = []
    for f in frames:
        if f.content is None or f.source is None or f.quotes:
            continue
        if f.content_weight is None and f.cue.weight < MIN_INDIRECT_WEIGHT:
            continue
        lo, hi = f.content
        start, end = char_span_of(doc, lo, hi)
        if end - start < 3:
            continue
        if any(s.start < end and start < s.end for s in spans):
            continue  # holds a quotation that did not take this frame: leave it to the quote
        conf = round(min(0.95, 0.4 + 0.5 * (f.content_weight or f.cue.weight)), 3)
        drafts.append(Draft(start, end, "indirect", f, conf, "indirect-" + f.content_rule))
    return drafts


# ---------------------------------------------------------------- resolution

def _resolve(doc: Doc, drafts: list[Draft], lex: Lexicon) -> list[Quote]:
    entities = DocumentEntities(doc, lex)
    resolved: dict[int, tuple[Entity | None, tuple[int, int] | None, str, str]] = {}
    out_rows = []
    # resolve in the order a reader meets the mentions
    order = sorted(drafts, key=lambda d: min(d.start, doc[d.frame.cue.token].idx) if d.frame else d.start)
    for d in order:
        if d.frame is not None and d.frame.mention is not None and d.frame.source is not None:
            lo, hi = d.frame.mention
            res = entities.resolve(lo, hi, d.frame.source)
            span = doc[lo : hi + 1]
            mspan = (span.start_char, span.end_char)
            if res.entity is not None:
                entities.note_speaker(span.start_char, res.entity)
            resolved[id(d)] = (res.entity, mspan, d.frame.source_rule, res.rule)
        elif d.inherit_from is not None and id(d.inherit_from) in resolved:
            ent, mspan, _src_rule, _ = resolved[id(d.inherit_from)]
            resolved[id(d)] = (ent, mspan, "inherited", d.rule)
        else:
            resolved[id(d)] = (None, None, "none", "unresolved")
        out_rows.append(d)
    quotes = []
    text = doc.text
    group_of: dict[int, int] = {}
    frame_group: dict[int, int] = {}
    groups = 0
    for d in sorted(out_rows, key=lambda d: (d.start, d.end)):
        if d.same_attribution and d.inherit_from is not None and id(d.inherit_from) in group_of:
            group_of[id(d)] = group_of[id(d.inherit_from)]
        elif d.frame is not None and id(d.frame) in frame_group:
            group_of[id(d)] = frame_group[id(d.frame)]
        else:
            group_of[id(d)] = groups
            groups += 1
        if d.frame is not None:
            frame_group.setdefault(id(d.frame), group_of[id(d)])
    for d in sorted(out_rows, key=lambda d: (d.start, d.end)):
        ent, mspan, src_rule, res_rule = resolved[id(d)]
        f = d.frame
        evidence = {"quote": d.rule, "speaker": src_rule, "resolution": res_rule}
        if f is not None:
            evidence["cue"] = f.cue.rule
            cue_at = f.cue.start
            if any(o is not d and o.kind in ("indirect", "mixed") and o.start <= cue_at < o.end for o in out_rows):
                evidence["nested"] = "inside-reported-content"  # "X says that Y called …"
        base = d.confidence if ent is not None else d.confidence * 0.5
        evidence["rule_confidence"] = f"{base:.3f}"
        mention = text[mspan[0] : mspan[1]] if mspan else None
        kind = ent.kind if ent is not None else None
        confidence = speaker_confidence(evidence, base, kind, mention) if ent is not None else base
        quotes.append(
            Quote(
                start=d.start,
                end=d.end,
                text=text[d.start : d.end],
                kind=d.kind,
                cue_start=f.cue.start if f else None,
                cue_end=f.cue.end if f else None,
                cue=text[f.cue.start : f.cue.end] if f else None,
                cue_lemma=f.cue.lemma if f else None,
                speaker_start=mspan[0] if mspan else None,
                speaker_end=mspan[1] if mspan else None,
                mention=mention,
                speaker=ent.speaker() if ent is not None else None,
                via=f.via if f else None,
                confidence=confidence,
                evidence=evidence,
                group=group_of[id(d)],
            )
        )
    return quotes


# ---------------------------------------------------------------- the pipeline shell

class Extractor:
    """Holds a loaded pipeline and turns texts into quotes."""

    #: texts longer than this are processed in paragraph-aligned pieces
    chunk_chars = 100_000

    def __init__(self, nlp: Language | None = None, model: str | None = None) -> None:
        from .pipeline import build_pipeline

        self.nlp = nlp if nlp is not None else build_pipeline(model)

    def extract(self, text: str) -> list[Quote]:
        """The quotes in one text."""
        return next(self.extract_many([text]))

    def extract_many(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 16
    ) -> Iterator[list[Quote]]:
        """The quotes of each text, in input order; `workers` > 1 uses processes."""
        from .pipeline import run_pipe

        yield from run_pipe(self.nlp, texts, workers=workers, batch_size=batch_size,
                            chunk_chars=self.chunk_chars)
