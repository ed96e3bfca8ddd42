"""Speakers: search, detail, their quotes, and a person's corrections."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, patch, post
from litestar.openapi.spec import Example
from litestar.params import Body, Parameter

from api.services import QuoteFilter
from api.store.values import check_text
from api.web.controllers._common import WRITE_SECURITY, Limit, Offset, ServicesDep, cap, problems
from api.web.controllers.quotes import KindFilter, MinConfidence, Since, TopicQuery, Until
from api.web.csv import page_or_csv
from api.web.security import WRITE
from quotelens.contract import (
    QuotePage,
    SpeakerDetail,
    SpeakerHitPage,
    SpeakerMerge,
    SpeakerRename,
    SpeakerSplit,
)

__all__ = ["SpeakerController"]

IdOrSlug = Annotated[str, Parameter(max_length=200, description="A speaker id or slug.",
                                    examples=[Example(value="kenneth-mckenzie")])]


class SpeakerController(Controller):
    path = "/api/speakers"
    tags = ["speakers"]

    @get("/", operation_id="searchSpeakers", summary="Find speakers by name", responses=problems(400, 429))
    async def search(
        self,
        services: ServicesDep,
        q: Annotated[
            str | None,
            Parameter(max_length=300, description="A name, fuzzy: typos, titles and particles are forgiven.",
                      examples=[Example(summary="Surname", value="mckenzie"),
                                Example(summary="Misspelt", value="Kenneth Mckenzy")]),
        ] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> SpeakerHitPage:
        """Speakers whose names or aliases match `q`, best first; without `q`, the most quoted first."""
        return await services.speakers.search(q, cap(limit, services), offset)

    @get("/{id_or_slug:str}", operation_id="getSpeaker", summary="One speaker",
         responses=problems(400, 404, 429))
    async def detail(self, services: ServicesDep, id_or_slug: IdOrSlug) -> SpeakerDetail:
        """Names, aliases, titles, roles and organisations (with first and last seen), and counts."""
        return await services.speakers.detail(id_or_slug)

    @get("/{id_or_slug:str}/quotes", operation_id="listSpeakerQuotes", summary="A speaker's quotes",
         responses=problems(400, 404, 429))
    async def quotes(
        self,
        request: Request,  # type: ignore[type-arg]
        services: ServicesDep,
        id_or_slug: IdOrSlug,
        q: TopicQuery = None,
        since: Since = None,
        until: Until = None,
        kind: KindFilter = None,
        min_confidence: MinConfidence = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> QuotePage:
        """A page of the speaker's quotes, newest article first: by default only those whose speaker
        confidence reaches the service's threshold (`min_confidence=0`: all). With `Accept: text/csv`:
        the page as CSV, a header row and a row per quote (paging in the X-Total-Count, X-Limit and
        X-Offset headers)."""
        speaker_id = await services.speakers.locate(id_or_slug)
        if min_confidence is None:
            min_confidence = services.quotes.speaker_confidence
        return page_or_csv(request, await services.quotes.page(  # type: ignore[return-value]
            QuoteFilter(speaker_ids=[speaker_id], q=q, since=since, until=until, kind=kind,
                        min_confidence=min_confidence),
            cap(limit, services),
            offset,
        ))

    @post("/{id_or_slug:str}/merge", operation_id="mergeSpeakers", summary="Merge another speaker into this one",
          status_code=200, opt=WRITE, security=WRITE_SECURITY,
          responses=problems(400, 401, 404, 409, 413, 415, 422, 429))
    async def merge(
        self,
        services: ServicesDep,
        id_or_slug: IdOrSlug,
        data: Annotated[SpeakerMerge, Body(examples=[Example(value={"other": "mckenzie"})])],
    ) -> SpeakerDetail:
        """The other speaker's quotes and aliases move here; its id and slug lead here from now on."""
        other = data.other if isinstance(data.other, int) else check_text(data.other, "other")  # NUL: 422
        return await services.speakers.merge(id_or_slug, other)

    @post("/{id_or_slug:str}/split", operation_id="splitSpeaker", summary="Split an alias off into its own speaker",
          status_code=201, opt=WRITE, security=WRITE_SECURITY,
          responses=problems(400, 401, 404, 409, 413, 415, 422, 429))
    async def split(
        self,
        services: ServicesDep,
        id_or_slug: IdOrSlug,
        data: Annotated[SpeakerSplit, Body(examples=[Example(value={"alias": "Mohammed al-Sudani"})])],
    ) -> SpeakerDetail:
        """The alias, and the quotes made under it, become a new speaker (returned)."""
        return await services.speakers.split(id_or_slug, data.alias)

    @patch("/{id_or_slug:str}", operation_id="renameSpeaker", summary="Rename a speaker",
           opt=WRITE, security=WRITE_SECURITY, responses=problems(400, 401, 404, 413, 415, 422, 429))
    async def rename(
        self,
        services: ServicesDep,
        id_or_slug: IdOrSlug,
        data: Annotated[SpeakerRename, Body(examples=[Example(value={"name": "Gen. Kenneth F. McKenzie Jr."})])],
    ) -> SpeakerDetail:
        """Set the display name; later ingests keep it. The slug does not change."""
        return await services.speakers.rename(id_or_slug, data.name)
