"""Typed records the engine returns: quotes, their speakers and the evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

QuoteKind = Literal["direct", "mixed", "indirect", "continuation"]
SpeakerKind = Literal["person", "anonymous", "organisation"]


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who said it, resolved within one document.

    `name` is the fullest form seen in the document ("Myles B. Caggins III") or,
    for an unnamed source, its description ("a senior defense official").
    `key` is stable across documents: the same person gets the same key however
    the name is spelt (see `attribution.names.speaker_key`).
    """

    name: str
    key: str
    kind: SpeakerKind
    titles: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    gender: str | None = None  # "m" / "f" when the text tells (honorific, gendered role, pronouns); persons only

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("titles", "roles", "organisations"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Speaker:
        return cls(
            name=d["name"],
            key=d["key"],
            kind=d["kind"],
            titles=tuple(d.get("titles", ())),
            roles=tuple(d.get("roles", ())),
            organisations=tuple(d.get("organisations", ())),
            gender=d.get("gender"),
        )


@dataclass(frozen=True, slots=True)
class Quote:
    """One attribution: what was said (content span), how it was cued, and by whom."""

    start: int
    end: int
    text: str
    kind: QuoteKind
    cue_start: int | None = None
    cue_end: int | None = None
    cue: str | None = None
    cue_lemma: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    mention: str | None = None
    speaker: Speaker | None = None
    via: str | None = None
    confidence: float = 0.5
    evidence: dict[str, str] = field(default_factory=dict)
    # quotes that are parts of one attribution ("“A,” X said. “B.”", two fragments
    # of one reported clause) share a group number within their document
    group: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The wire/JSON form; `speaker` is the resolved name, details under `speaker_info`."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "speaker": self.speaker.name if self.speaker else None,
            "speaker_key": self.speaker.key if self.speaker else None,
            "speaker_kind": self.speaker.kind if self.speaker else None,
            "speaker_start": self.speaker_start,
            "speaker_end": self.speaker_end,
            "mention": self.mention,
            "cue": self.cue,
            "cue_lemma": self.cue_lemma,
            "cue_start": self.cue_start,
            "cue_end": self.cue_end,
            "via": self.via,
            "confidence": round(self.confidence, 3),
            "evidence": dict(self.evidence),
            "speaker_info": self.speaker.to_dict() if self.speaker else None,
            "group": self.group,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Quote:
        """The inverse of `to_dict`."""
        info = d.get("speaker_info")
        return cls(
            start=d["start"],
            end=d["end"],
            text=d["text"],
            kind=d["kind"],
            cue_start=d.get("cue_start"),
            cue_end=d.get("cue_end"),
            cue=d.get("cue"),
            cue_lemma=d.get("cue_lemma"),
            speaker_start=d.get("speaker_start"),
            speaker_end=d.get("speaker_end"),
            mention=d.get("mention"),
            speaker=Speaker.from_dict(info) if info else None,
            via=d.get("via"),
            confidence=d.get("confidence", 0.5),
            evidence=dict(d.get("evidence") or {}),
            group=d.get("group", 0),
        )

    def shifted(self, offset: int, group_offset: int = 0) -> Quote:
        """The same quote with every offset moved by `offset` (for texts processed in pieces)."""
        def mv(x: int | None) -> int | None:
            return None if x is None else x + offset

        return replace(
            self,
            start=self.start + offset,
            end=self.end + offset,
            cue_start=mv(self.cue_start),
            cue_end=mv(self.cue_end),
            speaker_start=mv(self.speaker_start),
            speaker_end=mv(self.speaker_end),
            group=self.group + group_offset,
        )


def merge_attribution_parts(quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per attribution: the parts of a group joined into one span.

    PolNeAR annotates `“A,” X said. “B.”` as one attribution whose content is
    A and B; this gives that unit (first part's start to last part's end, the
    parts listed under `parts`) from the per-quote records.
    """
    groups: dict[int, list[dict[str, Any]]] = {}
    for q in quotes:
        groups.setdefault(q.get("group", id(q)), []).append(q)
    merged = []
    for parts in groups.values():
        first = dict(parts[0])
        if len(parts) > 1:
            first["end"] = max(p["end"] for p in parts)
            first["start"] = min(p["start"] for p in parts)
            first["parts"] = [[p["start"], p["end"]] for p in parts]
            first["text"] = " … ".join(p["text"] for p in parts)
        merged.append(first)
    return sorted(merged, key=lambda q: (q["start"], q["end"]))
