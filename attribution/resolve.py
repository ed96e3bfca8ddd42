"""Speaker resolution over a document's drafts: each quote gets its speaker.

A draft with a frame resolves its mention through `attribution.coref`; a
draft that continues another inherits that one's speaker; parts of one
attribution share a group number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .confidence import speaker_confidence
from .coref import DocumentEntities, Entity
from .lexicon import Lexicon
from .records import Quote
from .rules import Draft

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["resolve_speakers"]


def _mention_chars(doc: Doc, d: Draft) -> tuple[int, int]:
    """The character span of a draft's own speaker mention ((-1, -1) when it has none)."""
    if d.frame is None or d.frame.mention is None:
        return -1, -1
    lo, hi = d.frame.mention
    return doc[lo].idx, doc[hi].idx + len(doc[hi])


def _content_chars(doc: Doc, d: Draft) -> list[tuple[int, int]]:
    """The character spans of what a draft reports: its own span, and for a quoted fragment
    the whole reported clause around it ("said Trump is reduced to “taunts” because he …")."""
    spans = [(d.start, d.end)]
    if d.frame is not None and d.frame.content is not None:
        lo, hi = d.frame.content
        a, b = doc[lo].idx, doc[hi].idx + len(doc[hi])
        if a <= d.start and d.end <= b:
            spans.append((a, b))
    return spans


def resolve_speakers(doc: Doc, drafts: list[Draft], lex: Lexicon) -> list[Quote]:
    """The quotes of a document, in text order, each with its resolved speaker."""
    entities = DocumentEntities(doc, lex)
    entities.contents = sorted({(a, b, *_mention_chars(doc, d)) for d in drafts for a, b in _content_chars(doc, d)})
    resolved: dict[int, tuple[Entity | None, tuple[int, int] | None, str, str]] = {}
    out_rows = []
    mspan: tuple[int, int] | None
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
