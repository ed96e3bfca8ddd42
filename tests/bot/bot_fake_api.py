"""A small in-memory stand-in for the quotelens API, speaking the HTTP contract.

Served through `httpx.MockTransport`, so the bot's client, core and Discord
handlers run against contract-shaped JSON without a server. The real app is
exercised in `test_integration_api.py`; this fake lets unit tests control the
data (ambiguous names, injection strings, huge quotes) and failures (down, slow).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from rapidfuzz import fuzz, utils

INJECTION = "@everyone <@&1> <@123456789012345678> **bold** __u__ ~~s~~ ||spoiler|| `code` [click](https://evil.example) # head"


@dataclass
class FakeSpeaker:
    id: int
    slug: str
    name: str
    kind: str = "person"
    aliases: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "slug": self.slug, "name": self.name, "kind": self.kind}


@dataclass
class FakeArticle:
    id: int
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None

    def ref(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "url": self.url,
        }


@dataclass
class FakeQuote:
    id: int
    text: str
    speaker_id: int | None
    article_id: int
    kind: str = "direct"
    uncertain: bool = False  # the API's speaker_uncertain


def seed_world() -> tuple[list[FakeSpeaker], list[FakeArticle], list[FakeQuote]]:
    """Speakers, articles and quotes modelled on the seed articles."""
    speakers = [
        FakeSpeaker(1, "kenneth-mckenzie", "Kenneth McKenzie", aliases=["Gen. Kenneth McKenzie", "McKenzie"],
                    titles=["Marine Gen.", "Gen."], roles=["U.S. Central Command head"],
                    organisations=["U.S. Central Command"]),
        FakeSpeaker(2, "myles-b-caggins-iii", "Myles B. Caggins III",
                    aliases=["Col. Myles B. Caggins III", "Caggins"], titles=["Col."],
                    roles=["Operation Inherent Resolve (OIR) Spokesman"],
                    organisations=["Operation Inherent Resolve"]),
        FakeSpeaker(3, "lloyd-austin", "Lloyd Austin", aliases=["Austin"],
                    roles=["Secretary of Defense"], organisations=["Pentagon"]),
        FakeSpeaker(4, "mohammed-shia-al-sudani", "Mohammed Shia al-Sudani",
                    aliases=["Sudani", "al-Sudani"], roles=["Iraqi Prime Minister"]),
        FakeSpeaker(5, "mustafa-al-kadhimi", "Mustafa al-Kadhimi", aliases=["al-Kadhimi"],
                    roles=["Iraqi Prime Minister"]),
        FakeSpeaker(6, "a-senior-u-s-defense-official", "a senior U.S. defense official",
                    kind="anonymous"),
    ]
    articles = [
        FakeArticle(1, "US forces in Iraq carry out overnight strike on Islamic State terrorist cell",
                    "Al Arabiya", "2020-09-09", "https://example.org/a1"),
        FakeArticle(2, "Defense Secretary Doubles Down On Anti-ISIS Mission During Unannounced Visit To Iraq",
                    "Daily Caller", "2023-03-07", "https://example.org/a2"),
        FakeArticle(3, "US general predicts some troops will remain in Iraq", "The Hill",
                    "2020-09-10", "https://example.org/a3"),
        FakeArticle(4, "U.S. troop reduction in Iraq", "Reuters", "2024-11-15", "https://example.org/a4"),
    ]
    quotes = [
        FakeQuote(1, "Our partnership with the Iraqi security forces remains strong,", 2, 1),
        FakeQuote(2, "he was confident that ongoing talks with Iraq will keep US military troops in the country",
                  1, 1, "indirect"),
        FakeQuote(3, "It’s going to take everybody working together to defeat terrorism,", 2, 1),
        FakeQuote(4, "I believe that going forward, they’re going to want us to be with them,", 1, 3),
        FakeQuote(5, "We will be there with them, but the troops will be fewer after the withdrawal of some units,",
                  1, 3),
        FakeQuote(6, "The killing of Soleimani changed the relationship,", 1, 3),
        FakeQuote(7, "The U.S. will remain in Iraq until ISIS is defeated,", 3, 2),
        FakeQuote(8, "the ISIS threat to Iraq is over and the coalition is no longer needed", 4, 4, "indirect"),
        FakeQuote(9, "Soleimani's killing hurt the partnership,", 4, 4),
        FakeQuote(10, "to rein in the militias that are not under state control", 5, 1, "indirect"),
        FakeQuote(11, "The withdrawal will be gradual,", 6, 2),
    ]
    return speakers, articles, quotes


class FakeApi:
    """Contract routes over in-memory data; records every request it serves."""

    def __init__(self) -> None:
        self.speakers, self.articles, self.quotes = seed_world()
        self.requests: list[httpx.Request] = []
        self.down = False  # every request fails to connect
        self.delay = 0.0  # seconds before every answer
        self.status_override: int | None = None  # answer every request with this status
        self.search_cutoff = 60.0
        self.estimated_total: int | None = None  # quote pages give this total, marked as the API's estimate

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -- data helpers ---------------------------------------------------------

    def add_speaker(self, name: str, **kw: Any) -> FakeSpeaker:
        sid = max(s.id for s in self.speakers) + 1
        slug = kw.pop("slug", "-".join(name.lower().replace(".", "").split()))
        speaker = FakeSpeaker(sid, slug, name, **kw)
        self.speakers.append(speaker)
        return speaker

    def add_quote(self, text: str, speaker_id: int | None, article_id: int = 1, kind: str = "direct",
                  uncertain: bool = False) -> FakeQuote:
        quote = FakeQuote(max(q.id for q in self.quotes) + 1, text, speaker_id, article_id, kind, uncertain)
        self.quotes.append(quote)
        return quote

    def _article(self, aid: int) -> FakeArticle:
        return next(a for a in self.articles if a.id == aid)

    def _speaker(self, key: str) -> FakeSpeaker | None:
        for s in self.speakers:
            if key == str(s.id) or key == s.slug or key.lower() == s.name.lower():
                return s
        return None

    def _quote_json(self, q: FakeQuote) -> dict[str, Any]:
        speaker = next((s for s in self.speakers if s.id == q.speaker_id), None)
        return {
            "id": q.id,
            "text": q.text,
            "kind": q.kind,
            "start": 0,
            "end": len(q.text),
            "cue": "said",
            "mention": speaker.name if speaker else None,
            "via": None,
            "confidence": 0.5 if q.uncertain else 0.9,
            "speaker_uncertain": q.uncertain,
            "context": q.text,
            "speaker": speaker.ref() if speaker else None,
            "article": self._article(q.article_id).ref(),
        }

    def _quote_count(self, sid: int) -> int:
        return sum(1 for q in self.quotes if q.speaker_id == sid)

    def _dates(self, sid: int) -> list[str]:
        return sorted(
            d
            for q in self.quotes
            if q.speaker_id == sid and (d := self._article(q.article_id).published)
        )

    # -- routes -----------------------------------------------------------------

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if self.status_override:
            return self._problem(self.status_override, "overridden")
        path = request.url.path
        params = request.url.params
        parts = [p for p in path.split("/") if p]
        if path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        if parts[:2] == ["api", "speakers"] and len(parts) == 2:
            return self._search_speakers(params)
        if parts[:2] == ["api", "speakers"] and len(parts) in (3, 4):
            speaker = self._speaker(parts[2])
            if speaker is None:
                return self._problem(404, "No such speaker")
            if len(parts) == 3:
                return httpx.Response(200, json=self._speaker_detail(speaker))
            return self._quotes(params, speaker)
        if path == "/api/quotes":
            speaker = None
            if params.get("speaker"):
                speaker = self._speaker(params["speaker"])
                if speaker is None:
                    return self._page([], params)
            return self._quotes(params, speaker)
        return self._problem(404, "Not found")

    def _problem(self, status: int, detail: str) -> httpx.Response:
        return httpx.Response(
            status,
            content=json.dumps({"type": "about:blank", "title": "Error", "status": status, "detail": detail}),
            headers={"content-type": "application/problem+json"},
        )

    def _page(self, items: list[dict[str, Any]], params: httpx.QueryParams) -> httpx.Response:
        limit = min(int(params.get("limit", 20)), 100)
        offset = int(params.get("offset", 0))
        page: dict[str, Any] = {"items": items[offset : offset + limit], "total": len(items), "limit": limit,
                                "offset": offset}
        if self.estimated_total is not None and items:
            page.update(total=self.estimated_total, total_is_estimate=True)
        return httpx.Response(200, json=page)

    def _search_speakers(self, params: httpx.QueryParams) -> httpx.Response:
        q = params.get("q")
        hits = []
        for s in self.speakers:
            if q:
                score = max(
                    fuzz.WRatio(q, form, processor=utils.default_process) for form in [s.name, *s.aliases]
                )
                if score < self.search_cutoff:
                    continue
            else:
                score = 0.0
            hits.append({**s.ref(), "score": score, "quote_count": self._quote_count(s.id),
                         "aliases": s.aliases, "roles": s.roles})
        if q:
            hits.sort(key=lambda h: (-h["score"], -h["quote_count"]))
        else:
            hits.sort(key=lambda h: -h["quote_count"])
        return self._page(hits, params)

    def _speaker_detail(self, s: FakeSpeaker) -> dict[str, Any]:
        dates = self._dates(s.id)
        first, last = (dates[0], dates[-1]) if dates else (None, None)

        def attrs(values: list[str]) -> list[dict[str, Any]]:
            return [{"value": v, "first_seen": first, "last_seen": last} for v in values]

        return {
            **s.ref(),
            "aliases": s.aliases,
            "titles": attrs(s.titles),
            "roles": attrs(s.roles),
            "organisations": attrs(s.organisations),
            "quote_count": self._quote_count(s.id),
            "article_count": len({q.article_id for q in self.quotes if q.speaker_id == s.id}),
            "first_seen": first,
            "last_seen": last,
        }

    def _quotes(self, params: httpx.QueryParams, speaker: FakeSpeaker | None) -> httpx.Response:
        selected = []
        for q in self.quotes:
            published = self._article(q.article_id).published or ""
            if speaker is not None and q.speaker_id != speaker.id:
                continue
            if (text := params.get("q")) and not all(
                word.lower() in q.text.lower() for word in text.split()
            ):
                continue
            if params.get("since") and published < params["since"]:
                continue
            if params.get("until") and published > params["until"]:
                continue
            selected.append(q)
        selected.sort(key=lambda q: (self._article(q.article_id).published or "", q.id), reverse=True)
        return self._page([self._quote_json(q) for q in selected], params)
