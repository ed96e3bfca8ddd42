"""The attribution rules, in one ordered table (`RULES`).

Each rule is a small function that only reads the parsed `Doc` (and the frames
found in it) and says what it finds:

- a **quote rule** looks at one quoted stretch (a `QuoteContext`) and returns a
  `Draft` (the stretch is a quote, attributed this way), `NOT_SPEECH` (it is no
  quote at all: stop) or `None` (not this rule's case: try the next). For each
  stretch the quote rules run in table order and the first answer wins.
- a **text rule** runs once over the whole document (a `Passage`), after every
  quote rule, and returns the drafts it finds (transcript lines, indirect speech).

To add a rule: write the function here and put it in `RULES` where it should
take precedence. Its words and lists belong in `attribution/data/` (read through
`attribution.lexicon`), its numeric knobs in `attribution.thresholds`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Final

from .frames import Frame, speaks
from .lexicon import Lexicon
from .marks import QuoteSpan, paragraph_bounds
from .records import QuoteKind
from .syntax import Cue, char_span_of, mention_bounds, noun_phrase_head_after
from .thresholds import Thresholds

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = [
    "NOT_SPEECH",
    "RULES",
    "Draft",
    "Passage",
    "QuoteContext",
    "QuoteRule",
    "TextRule",
    "find_drafts",
]

SENTENCE_END = frozenset(".!?")


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


class _NotSpeech:
    """A quote rule's answer when the quoted stretch is no quote (scare quotes, a title)."""

    def __repr__(self) -> str:
        return "NOT_SPEECH"


NOT_SPEECH: Final = _NotSpeech()


@dataclass
class Passage:
    """One document as the rules see it, with the drafts found so far."""

    doc: Doc
    lex: Lexicon
    thresholds: Thresholds
    spans: list[QuoteSpan]
    frames: list[Frame]
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    last_in_paragraph: dict[int, Draft] = field(default_factory=dict)
    previous: Draft | None = None  # the last quote kept
    # the quoted stretches some quote rule kept (set once every quote rule has run)
    speech_spans: list[QuoteSpan] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = self.doc.text
        self.paragraphs = paragraph_bounds(self.text)
        # a verb that reports only through a mined frame ("wants to …") frames no quote by position
        self.framing = [f for f in self.frames if f.cue.rule != "frame-table"]
        # nor does a mined frame's content hold a quote: those are reported as indirect
        self.holding = [f for f in self.framing if f.content_weight is None]
        self.frames_by_pos = sorted(((self.doc[f.cue.token].idx, f) for f in self.framing), key=lambda x: x[0])
        self.cue_positions = [p for p, _ in self.frames_by_pos]

    def keep(self, d: Draft, qi: int, paragraph: int) -> None:
        """Record a quote rule's draft for quoted stretch `qi`."""
        if d.frame is not None:
            d.frame.quotes.append(qi)
        self.drafts.append(d)
        self.last_in_paragraph[paragraph] = d
        self.previous = d


@dataclass
class QuoteContext:
    """One quoted stretch and what the quote rules ask about it."""

    passage: Passage
    qi: int  # index in passage.spans
    q: QuoteSpan
    tokens: tuple[int, int]  # first and last token of the quoted words
    n_words: int
    inner: str  # the quoted words

    @property
    def doc(self) -> Doc:
        return self.passage.doc

    @property
    def text(self) -> str:
        return self.passage.text

    @property
    def p_lo(self) -> int:
        return self.passage.paragraphs[self.q.paragraph][0]

    @property
    def p_hi(self) -> int:
        return self.passage.paragraphs[self.q.paragraph][1]

    @cached_property
    def adjacent(self) -> tuple[Frame | None, Frame | None]:
        """The frames with a source in the quote's own sentence: (after it, before it).

        Computed on first use; finding them may give a sourceless frame after the
        quote its speaker by position (`_fallback_source_after`), which later
        quotes and the indirect rule then see.
        """
        p = self.passage
        return _adjacent_frames(p.doc, p.text, self.q, p.spans, self.qi, self.p_lo, self.p_hi,
                                p.cue_positions, p.frames_by_pos)


QuoteAnswer = Draft | _NotSpeech | None


@dataclass(frozen=True, slots=True)
class QuoteRule:
    """A rule over one quoted stretch; the first rule that answers wins."""

    name: str
    find: Callable[[QuoteContext], QuoteAnswer]


@dataclass(frozen=True, slots=True)
class TextRule:
    """A rule over the whole document, run after every quote rule."""

    name: str
    find: Callable[[Passage], list[Draft]]


# ---------------------------------------------------------------- quote rules

def scare_quote(c: QuoteContext) -> QuoteAnswer:
    """`the “Defeat ISIS” mission`, `nicknamed “Old Faithful,”`: a name or title, not speech."""
    return NOT_SPEECH if _is_scare_quote(c.text, c.q, c.n_words) else None


def cue_after(c: QuoteContext) -> QuoteAnswer:
    """"“…,” X said": a cue right after the quote, in the same sentence."""
    right, _left = c.adjacent
    if right is None or not _is_speech(c.inner, c.n_words, frame=True):
        return None
    # "… supporting the “Iraqi-led fight,” Austin added": a fragment in prose is mixed
    prose = len(c.text[_sentence_start(c.text, c.q, c.passage.spans, c.qi, c.p_lo) : c.q.open_mark].split())
    kind: QuoteKind = "mixed" if prose >= 3 else "direct"
    return Draft(c.q.start, c.q.end, kind, right, 0.9 if kind == "direct" else 0.8, f"{kind}-cue-after")


def labelled_speaker(c: QuoteContext) -> QuoteAnswer:
    """"“…” ― Name" (a byline after the quote) / "Name: “…”" (a speaker label)."""
    labelled = _labelled_speaker(c.doc, c.text, c.q, c.p_lo, c.p_hi)
    if labelled is None or c.n_words < 2:
        return None
    c.passage.frames.append(labelled)
    return Draft(c.q.start, c.q.end, "direct", labelled, 0.85, "direct-" + labelled.cue.rule)


def in_reported_content(c: QuoteContext) -> QuoteAnswer:
    """"X said the ad seems “…”": a cue whose reported content holds the quote."""
    holder = _holding_frame(c.doc, c.passage.holding, c.q, c.passage.lex)
    if holder is None:
        return None
    # prose around the quote in the reported clause makes it mixed
    kind: QuoteKind = "mixed" if _is_fragment(_unquoted_words(c.doc, holder, c.passage.spans), c.inner) else "direct"
    return Draft(c.q.start, c.q.end, kind, holder, 0.9 if kind == "direct" else 0.8, f"{kind}-in-content")


def cue_before(c: QuoteContext) -> QuoteAnswer:
    """"X said: “…”": a cue before the quote, in the same sentence."""
    _right, left = c.adjacent
    if left is None or not _is_speech(c.inner, c.n_words, frame=True):
        return None
    # "Caggins said, and Iraq is safer than “it has been in years.”": reported, then quoted
    cue_tok = c.doc[left.cue.token]
    between = c.text[cue_tok.idx + len(cue_tok) : c.q.open_mark]
    n_between = len([w for w in between.split() if w.strip(",:;") not in ("", "that")])
    kind: QuoteKind = "mixed" if _is_fragment(n_between, c.inner) else "direct"
    return Draft(c.q.start, c.q.end, kind, left, 0.85, f"{kind}-cue-before")


def same_paragraph(c: QuoteContext) -> QuoteAnswer:
    """Another quote of the same paragraph already has a speaker: this is its next part."""
    same = c.passage.last_in_paragraph.get(c.q.paragraph)
    if same is None or not _is_speech(c.inner, c.n_words, frame=False):
        return None
    return Draft(c.q.start, c.q.end, "direct", None, 0.75, "direct-same-paragraph", inherit_from=same,
                 same_attribution=True)


def continuation_paragraph(c: QuoteContext) -> QuoteAnswer:
    """A paragraph that is only a quote continues the previous speaker."""
    if _TRANSCRIPT_LABEL.match(c.inner):
        return None  # “WALLACE: …”: a transcript line names its own speaker
    text, q, p = c.text, c.q, c.passage
    para_text = text[c.p_lo : c.p_hi].strip()
    opens_paragraph = text[c.p_lo : q.open_mark].strip() == ""
    covers = (q.outer_end - q.open_mark) >= 0.6 * len(para_text)
    prev_para_continues = q.paragraph > 0 and any(
        s.paragraph == q.paragraph - 1 and s.continues for s in p.spans[max(0, c.qi - 3) : c.qi]
    )
    if p.previous is not None and opens_paragraph and (covers or prev_para_continues) and c.n_words >= 3:
        return Draft(q.start, q.end, "continuation", None, 0.7, "continuation-paragraph", inherit_from=p.previous)
    return None


# ---------------------------------------------------------------- text rules

_TRANSCRIPT_LABEL = re.compile(r"[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}:\s")


def transcript_lines(p: Passage) -> list[Draft]:
    """Transcript paragraphs: "WALLACE: But, Governor, …" — the label says who speaks."""
    doc, text = p.doc, p.text
    taken = {s.paragraph for s in p.speech_spans}
    drafts = []
    for p_index, (lo, hi) in enumerate(p.paragraphs):
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


_LABEL_MAX_WORDS = 6


def headline_label(p: Passage) -> list[Draft]:
    """"Pat Caddell: Democrat Voters Worried …", "A lesson from Loretta Lynch: ‘Be the voice …’":
    a headline whose label before the colon ends in a person's name credits that person
    with what follows it (a headline: the text's first paragraph, one line, no full stop
    inside the label)."""
    doc, text = p.doc, p.text
    if not p.paragraphs:
        return []
    lo, hi = p.paragraphs[0]
    para = text[lo:hi]
    colon = para.find(":")
    if colon <= 1 or len(para) > 250 or len(para[:colon].split()) > _LABEL_MAX_WORDS or "." in para[:colon]:
        return []
    label = doc.char_span(lo, lo + colon, alignment_mode="contract")
    if label is None:
        return []
    # the tagger may run a title-cased name on past the colon ("Tove Halvorsen: Bridge Tolls Will")
    person = next((e for e in doc.ents if e.label_ == "PERSON" and e.end >= label.end
                   and label.start <= e.start < label.end), None)
    if person is None:
        return []
    person = doc[person.start : label.end]
    start = lo + colon + 1
    while start < hi and text[start].isspace():
        start += 1
    end = hi
    while end > start and (text[end - 1].isspace() or text[end - 1] == "."):
        end -= 1
    if len(text[start:end].split()) < 3 or any(s.start < end and start < s.end for s in p.speech_spans):
        return []
    head = person.root
    cue = Cue(head.i, lo + colon, lo + colon + 1, ":", 0.8, "headline-label")
    frame = Frame(cue, head, "headline-label", (person.start, person.end - 1), None)
    quoted = text[start:start + 1] in "\"“‘'" and text[end - 1:end] in "\"”’'"
    kind: QuoteKind = "direct" if quoted else "indirect"
    if quoted:
        start, end = start + 1, end - 1
    return [Draft(start, end, kind, frame, 0.8, f"{kind}-headline-label")]


def colon_paragraph(p: Passage) -> list[Draft]:
    """"The governor added:" closing its paragraph: the next paragraph is what he said."""
    doc, text = p.doc, p.text
    taken = {s.paragraph for s in p.speech_spans}
    drafts = []
    ends = [b for _a, b in p.paragraphs]
    for f in p.framing:
        if f.source is None:
            continue
        cue_tok = doc[f.cue.token]
        after = cue_tok.idx + len(cue_tok)
        if text[after : after + 1] != ":":
            continue
        i = bisect.bisect_left(ends, after)
        if i + 1 >= len(p.paragraphs) or text[after + 1 : ends[i]].strip() or i + 1 in taken:
            continue
        if len(text[p.paragraphs[i][0] : after].split()) > 12:
            continue  # a long sentence ending in a colon introduces a list, not a speech
        start, end = p.paragraphs[i + 1]
        while end > start and text[end - 1].isspace():
            end -= 1
        if len(text[start:end].split()) < 4:
            continue
        if text[start] in "\"“":  # a quotation opened here (and closed here, or in a later paragraph)
            start += 1
            end -= text[end - 1] in "\"”"
        drafts.append(Draft(start, end, "direct", f, 0.8, "direct-colon-paragraph"))
    return drafts


def indirect_speech(p: Passage) -> list[Draft]:
    """A frame with a source and reported content that holds no quote: indirect speech."""
    doc, spans = p.doc, p.speech_spans
    drafts = []
    for f in p.frames:
        if f.content is None or f.source is None or f.quotes:
            continue
        if f.content_weight is None and f.cue.weight < p.thresholds.min_indirect_weight:
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


# ---------------------------------------------------------------- the table

#: Every rule, in the order it runs: quote rules first (for each quoted stretch the
#: first that answers wins), then text rules.
RULES: tuple[QuoteRule | TextRule, ...] = (
    QuoteRule("scare-quote", scare_quote),
    QuoteRule("cue-after", cue_after),
    QuoteRule("labelled-speaker", labelled_speaker),
    QuoteRule("in-reported-content", in_reported_content),
    QuoteRule("cue-before", cue_before),
    QuoteRule("same-paragraph", same_paragraph),
    QuoteRule("continuation-paragraph", continuation_paragraph),
    TextRule("transcript-lines", transcript_lines),
    TextRule("headline-label", headline_label),
    TextRule("colon-paragraph", colon_paragraph),
    TextRule("indirect-speech", indirect_speech),
)


def find_drafts(doc: Doc, lex: Lexicon, spans: list[QuoteSpan], frames: list[Frame],
                thresholds: Thresholds) -> list[Draft]:
    """Every quote the rules find in a document, in text order, speakers unresolved."""
    table = RULES
    passage = Passage(doc, lex, thresholds, spans, frames)
    quote_rules = [r.find for r in table if isinstance(r, QuoteRule)]
    text = passage.text
    for qi, q in enumerate(spans):
        tokens = _token_range(doc, q.start, q.end)
        if tokens is None:
            continue
        c = QuoteContext(passage, qi, q, tokens, _words(doc, *tokens), text[q.start : q.end])
        for find in quote_rules:
            answer = find(c)
            if answer is None:
                continue
            if isinstance(answer, Draft):
                passage.keep(answer, qi, q.paragraph)
            break
    taken = {(d.start, d.end) for d in passage.drafts}
    passage.speech_spans = [s for s in spans if (s.start, s.end) in taken]
    drafts = passage.drafts
    for r in table:
        if isinstance(r, TextRule):
            drafts = drafts + r.find(passage)
    drafts = unwrap_nested_reports(doc, lex, drafts)
    drafts.sort(key=lambda d: (d.start, d.end))
    return drafts


#: What carries someone's words without being their source: "issued a statement saying …",
#: "footage shows Trump saying …" (with `Lexicon.speech_nouns`: statement, letter, tweet …).
CARRIER_NOUNS: Final = frozenset({
    "footage", "video", "videos", "tape", "tapes", "clip", "clips", "recording", "recordings", "ad", "ads",
    "release", "document", "documents", "memo", "email", "emails", "note", "notice", "filing", "brief",
})


def unwrap_nested_reports(doc: Doc, lex: Lexicon, drafts: list[Draft]) -> list[Draft]:
    """One record per report when one report's words hold another's cue.

    - "Marsh issued a statement saying the bill would fail": the frame of "issued" takes "a
      statement saying the bill would fail" as its content, and "saying" makes a second record
      spoken by "a statement". One record remains: "the bill would fail", by Marsh.
    - "Footage shows Trump saying he would win": "he would win", by Trump; not "Trump saying he
      would win" by the footage.
    - "Marsh accused the governor of lying and asserted that …": the first record stops before
      the verb the second one hangs on.
    """
    text = doc.text
    carriers = lex.speech_nouns | CARRIER_NOUNS
    dropped: set[int] = set()
    out = list(drafts)
    for i, outer in enumerate(out):
        if outer.kind != "indirect" or outer.frame is None:
            continue
        for j, inner in enumerate(out):
            f = inner.frame
            if j == i or f is None or f.mention is None or f.source is None or inner.kind != "indirect":
                continue
            cue_at = f.cue.start
            if not (outer.start <= cue_at < outer.end and outer.start <= inner.start and inner.end <= outer.end + 2):
                continue
            mention_start = doc[f.mention[0]].idx
            lead = text[outer.start:mention_start].strip().lower()
            outer_source = outer.frame.source
            # "issued a statement saying …": the carrier is the object of the outer report's verb
            # (not "Bamberg said the videos show …": there the videos are what Bamberg reports on)
            inner_carried = f.source.lemma_.lower() in carriers and f.source.head.i == outer.frame.cue.token
            outer_carried = outer_source is not None and outer_source.lemma_.lower() in carriers
            if outer.start <= mention_start and lead in ("", "a", "an", "the") and (inner_carried or outer_carried):
                # the outer record's words are the inner one's source, cue and content, and one of
                # the two speakers is a carrier of words, not their source
                dropped.add(i)
                if inner_carried and outer_source is not None:
                    carrier = outer.frame
                    if not outer_carried:
                        frame = Frame(f.cue, carrier.source, carrier.source_rule + "-issuer", carrier.mention,
                                      f.content, f.content_rule, f.content_weight, f.via, f.quotes)
                        out[j] = Draft(inner.start, inner.end, inner.kind, frame, inner.confidence,
                                       inner.rule + "-issued", inner.inherit_from, inner.same_attribution)
                break
            cue_tok = doc[f.cue.token]
            outer_verb = doc[outer.frame.cue.token]
            if cue_tok.dep_ == "conj" and cue_tok.head.i == outer_verb.i and mention_start < outer.start:
                # "accused … and asserted that …": the first report ends before "and asserted"
                cut = cue_tok.left_edge.idx if cue_tok.left_edge.i > outer_verb.i else cue_at
                k = cue_tok.i - 1
                while k > outer_verb.i and (doc[k].dep_ in ("cc", "punct") or doc[k].is_space):
                    cut = doc[k].idx
                    k -= 1
                end = len(text[outer.start:cut].rstrip(" ,;")) + outer.start
                if end - outer.start >= 3:
                    out[i] = Draft(outer.start, end, outer.kind, outer.frame, outer.confidence, outer.rule,
                                   outer.inherit_from, outer.same_attribution)
                break
    for k, d in enumerate(out):
        f = d.frame
        if k in dropped or f is None or f.source is None or f.source.lemma_.lower() not in carriers:
            continue
        if f.source.dep_ != "dobj" or f.source.head.pos_ != "VERB":
            continue
        # "The campaign issued a statement saying …": whoever issued it
        issuer = next((c for c in f.source.head.children if c.dep_ == "nsubj"), None)
        if issuer is None or issuer.lemma_.lower() in carriers or issuer.pos_ not in ("PROPN", "NOUN"):
            continue
        frame = Frame(f.cue, issuer, f.source_rule + "-issuer", mention_bounds(issuer), f.content, f.content_rule,
                      f.content_weight, f.via, f.quotes)
        out[k] = Draft(d.start, d.end, d.kind, frame, d.confidence, d.rule + "-issued", d.inherit_from,
                       d.same_attribution)
    return [d for k, d in enumerate(out) if k not in dropped]


def _check_order(table: tuple[QuoteRule | TextRule, ...]) -> None:
    """The table reads in the order rules run: no quote rule after a text rule."""
    kinds = [isinstance(r, TextRule) for r in table]
    if kinds != sorted(kinds):
        raise ValueError("RULES: every quote rule must come before the text rules")


_check_order(RULES)


# ---------------------------------------------------------------- helpers

def _token_range(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span.start, span.end - 1


def _words(doc: Doc, lo: int, hi: int) -> int:
    return sum(1 for t in doc[lo : hi + 1] if not (t.is_punct or t.is_space))


_NEAR_WORDS = 8  # a cue after a quote, or its speaker, comes within this many words of it


def _adjacent_frames(
    doc: Doc, text: str, q: QuoteSpan, spans: list[QuoteSpan], qi: int,
    p_lo: int, p_hi: int, cue_positions: list[int], frames_by_pos: list[tuple[int, Frame]],
) -> tuple[Frame | None, Frame | None]:
    """The cues in the quote's own sentence: after it (`“…,” X said`) and before it (`X said: “…”`)."""
    right_lo = q.outer_end
    right_hi = p_hi
    if qi + 1 < len(spans) and spans[qi + 1].paragraph == q.paragraph:
        right_hi = min(right_hi, spans[qi + 1].open_mark)
    trailing_sentence = False  # the text after the quote ends its own sentence (“….” Trump said.)
    for i in range(right_lo, right_hi):
        if _is_sentence_end(text, i):
            right_hi = i + 1
            trailing_sentence = True
            break
    else:
        trailing_sentence = right_hi == p_hi  # up to the paragraph's end
    inner_tail = text[q.start : q.end].rstrip()[-1:]
    ends_sentence = inner_tail in SENTENCE_END
    left_hi = q.open_mark
    left_lo = _sentence_start(text, q, spans, qi, p_lo)
    right_frames = [f for _, f in frames_by_pos[bisect.bisect_left(cue_positions, right_lo) : bisect.bisect_left(cue_positions, right_hi)]]
    left_frames = [f for _, f in frames_by_pos[bisect.bisect_left(cue_positions, left_lo) : bisect.bisect_left(cue_positions, left_hi)]]
    right = left = None
    right_words = len(text[right_lo:right_hi].split())
    # "“…,” X said." / "“…?” asked X." — and a short trailing "X said." after a full stop
    if right_frames and (not ends_sentence or inner_tail in "?!" or (right_words <= 8 and trailing_sentence)):
        # a finite verb before a participle ("…,” an official, speaking on condition …, told Reuters)
        for f in sorted(right_frames, key=lambda f: (doc[f.cue.token].dep_ == "acl" or f.cue.weight == 0.0,
                                                     doc[f.cue.token].tag_ in ("VBG", "VBN"), f.cue.token)):
            cue_words = len(text[right_lo : doc[f.cue.token].idx].split())
            if (f.content is not None and doc[f.content[0]].idx >= right_lo and f.content_rule != "clause-before-cue"
                    and not (inner_tail == "," and cue_words <= 2 and f.source is not None and f.source.idx >= right_lo)):
                continue  # this cue reports something else after the quote (not “…,” she said …)
            if f.source is None or f.source.idx < right_lo:
                _fallback_source_after(doc, f, right_lo, right_hi)
            near = min(cue_words, len(text[right_lo : f.source.idx].split()) if f.source is not None else cue_words)
            if f.source is not None and near <= _NEAR_WORDS:
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


def _holding_frame(doc: Doc, frames: list[Frame], q: QuoteSpan, lex: Lexicon) -> Frame | None:
    """The frame whose reported content holds the quote.

    Nested cues are common ("X said the ad seems “…”"): a speaking source (a
    person, a pronoun, an official) and a strong cue win; among equals the
    outermost report does (PolNeAR train and dev both credit the outer speaker).
    """
    best = None
    best_key: tuple[bool, bool, int] | None = None
    for f in frames:
        if f.content is None or f.source is None:
            continue
        lo, hi = f.content
        c_start, c_end = doc[lo].idx, doc[hi].idx + len(doc[hi])
        if c_start <= q.open_mark + 1 and q.end <= c_end + 1 and (c_end - c_start) < 4 * (q.end - q.start) + 400:
            key = (speaks(f.source, lex), f.cue.weight >= 0.5, c_end - c_start)
            if best_key is None or key > best_key:
                best, best_key = f, key
    return best

