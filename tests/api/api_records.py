"""Hand-built engine records for API tests: quotes with offsets that fit their text."""

from __future__ import annotations

from attribution.records import Quote, Speaker


def person(name: str, *, titles: tuple[str, ...] = (), roles: tuple[str, ...] = (),
           organisations: tuple[str, ...] = (), key: str | None = None) -> Speaker:
    from attribution.names import speaker_key

    return Speaker(name=name, key=key or speaker_key(name), kind="person", titles=titles, roles=roles,
                   organisations=organisations)


def anonymous(description: str) -> Speaker:
    from attribution.names import speaker_key

    return Speaker(name=description, key=speaker_key(description, "anonymous"), kind="anonymous")


def organisation(name: str) -> Speaker:
    from attribution.names import speaker_key

    return Speaker(name=name, key=speaker_key(name, "organisation"), kind="organisation")


def quote_in(text: str, content: str, speaker: Speaker | None, *, kind: str = "direct",
             cue: str = "said", occurrence: int = 0, confidence: float = 0.9) -> Quote:
    """A quote of `content` (found in `text`) by `speaker`, cued by `cue` after it."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(content, start + 1)
    end = start + len(content)
    cue_start = text.find(cue, end)
    mention = None
    if speaker is not None:
        surname = speaker.name.split()[-1]
        m = text.find(surname, end)
        mention = (m, m + len(surname)) if m != -1 else None
    return Quote(
        start=start, end=end, text=content, kind=kind,  # type: ignore[arg-type]
        cue_start=cue_start if cue_start != -1 else None,
        cue_end=cue_start + len(cue) if cue_start != -1 else None,
        cue=cue if cue_start != -1 else None, cue_lemma="say",
        speaker_start=mention[0] if mention else None, speaker_end=mention[1] if mention else None,
        mention=text[mention[0]:mention[1]] if mention else None,
        speaker=speaker, confidence=confidence, evidence={"rule": "test"},
    )


class ScriptedExtractor:
    """An extractor that returns the quotes registered for a text (none for others)."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[Quote]] = {}
        self.calls = 0

    def add(self, text: str, quotes: list[Quote]) -> str:
        self.scripts[text] = quotes
        return text

    def extract(self, text: str) -> list[Quote]:
        self.calls += 1
        return list(self.scripts.get(text, []))
