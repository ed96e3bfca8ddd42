"""Quotes across all articles: search by speaker, topic words, date and kind."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, get
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.services import QuoteFilter
from api.web.controllers._common import Limit, Offset, ServicesDep, cap, problems
from api.web.csv import page_or_csv
from quotelens.contract import QuoteKind, QuotePage

__all__ = ["QuoteController", "TopicQuery", "Since", "Until", "KindFilter", "MinConfidence"]

TopicQuery = Annotated[
    str | None,
    Parameter(max_length=500, description="Topic words; every word must occur in the quote (stemmed).",
              examples=[Example(value="troops")]),
]
Since = Annotated[date | None, Parameter(
    description="Only quotes from articles published on or after this date (undated articles are in no range).")]
Until = Annotated[date | None, Parameter(
    description="Only quotes from articles published on or before this date (undated articles are in no range).")]
KindFilter = Annotated[QuoteKind | None, Parameter(description="Only quotes of this kind.")]
MinConfidence = Annotated[
    float | None,
    Parameter(ge=0.0, le=1.0, description=(
        "Only quotes whose speaker confidence is at least this (0-1). A speaker's quotes default to the "
        "service's threshold (QUOTELENS_SPEAKER_CONFIDENCE; the page's `min_confidence` says which applied); "
        "0 lists them all."), examples=[Example(value=0)]),
]


class QuoteController(Controller):
    path = "/api/quotes"
    tags = ["quotes"]

    @get("/", operation_id="listQuotes", summary="Search quotes across all articles",
         responses=problems(400, 404, 429))
    async def list_quotes(
        self,
        request: Request,  # type: ignore[type-arg]
        services: ServicesDep,
        speaker: Annotated[
            str | None,
            Parameter(max_length=300, description=(
                "A speaker id, slug or name (fuzzy, as in GET /api/speakers?q=: its top hit); "
                "404 when nothing matches."),
                      examples=[Example(value="mckenzie")]),
        ] = None,
        q: TopicQuery = None,
        since: Since = None,
        until: Until = None,
        kind: KindFilter = None,
        min_confidence: MinConfidence = None,
        outlet: Annotated[
            str | None,
            Parameter(max_length=300, description="Only quotes from articles of this outlet (as stored).",
                      examples=[Example(value="Al Arabiya")]),
        ] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> QuotePage:
        """A page of quotes, newest article first; with `speaker`, only its confident ones by default.

        `speaker` is resolved like a speaker search (an id, a slug, else the best name
        match); a name that matches no speaker is a 404, not an empty page. With
        `Accept: text/csv`: the page as CSV, a header row and a row per quote (paging in the
        X-Total-Count, X-Limit and X-Offset headers)."""
        speaker_ids = await services.speakers.resolve_filter(speaker) if speaker else None
        if min_confidence is None:
            min_confidence = services.quotes.speaker_confidence if speaker_ids is not None else 0.0
        return page_or_csv(request, await services.quotes.page(  # type: ignore[return-value]
            QuoteFilter(speaker_ids=speaker_ids, q=q, since=since, until=until, kind=kind,
                        min_confidence=min_confidence, outlet=outlet),
            cap(limit, services),
            offset,
        ))
