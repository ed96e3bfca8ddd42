"""Speaker pages: finding a speaker, and one speaker with their quotes filtered by words, dates and kind."""

from __future__ import annotations

import asyncio

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api.quotes.aggregates import Aggregates, Period
from api.services import QuoteFilter, Services
from api.web.pages._common import PAGE_SIZE, Form, Paging, page_number, query_string, weekly_chart
from quotelens.contract import QUOTE_KINDS

__all__ = ["speaker_list", "speaker_page"]


@get("/speakers", name="speakers", include_in_schema=False)
async def speaker_list(services: NamedDependency[Services], q: FromQuery[str | None] = None,
                       page: FromQuery[int | None] = None) -> Template:
    """Speakers whose names are like `q` (typos forgiven), or the most quoted."""
    q = Form.text(q)
    number = page_number(page)
    hits = await services.speakers.search(q, PAGE_SIZE, (number - 1) * PAGE_SIZE)
    paging = Paging(number, hits.total, PAGE_SIZE, {"q": q}, "/speakers")
    return Template(template_name="speakers.html.j2",
                    context={"q": q, "hits": hits.items, "paging": paging})


@get("/speakers/{ident:str}", name="speaker", include_in_schema=False)
async def speaker_page(
    services: NamedDependency[Services],
    aggregates: NamedDependency[Aggregates],
    ident: FromPath[str],
    q: FromQuery[str | None] = None,
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    uncertain: FromQuery[str | None] = None,
    page: FromQuery[int | None] = None,
    edited: FromQuery[str | None] = None,
) -> Template | Redirect:
    """Names, aliases, roles with first and last seen, quotes per week, and the speaker's quotes.

    As on the API, the list holds the quotes attributed with confidence (`uncertain=1`: all of them).
    """
    form = Form()
    topic, first, last, kind_ = Form.text(q, 500), form.day(since, "from"), form.day(until, "to"), form.kind(kind)
    all_quotes = uncertain is not None and uncertain.strip() not in ("", "0")
    detail = await services.speakers.detail(ident[:200])
    params = {"q": topic, "since": first, "until": last, "kind": kind_, "uncertain": "1" if all_quotes else None}
    if ident != detail.slug:  # an id, or the slug of a speaker merged into this one
        return Redirect(f"/speakers/{detail.slug}{query_string({**params, 'page': page, 'edited': edited})}",
                        status_code=301)
    number = page_number(page)
    threshold = services.quotes.speaker_confidence
    listing = QuoteFilter(speaker_ids=[detail.id], q=topic, since=first, until=last, kind=kind_,
                          min_confidence=0.0 if all_quotes else threshold)
    quotes, every, weeks = await asyncio.gather(
        services.quotes.page(listing, PAGE_SIZE, (number - 1) * PAGE_SIZE),
        # Every quote of the speaker, however sure (a sum of counters, no rows read).
        services.quotes.page(QuoteFilter(speaker_ids=[detail.id]), 0, 0),
        weekly_chart(aggregates, Period(detail.first_seen, detail.last_seen), speaker_id=detail.id,
                     title=f"{detail.name}: quotes per week", chart_id="speaker-weekly",
                     empty="No quotes from a dated article."),
    )
    chart, dated = weeks
    filtered = any(v is not None for k, v in params.items() if k != "uncertain")
    return Template(
        template_name="speaker.html.j2",
        context={
            "s": detail, "quotes": quotes.items, "form": params, "problems": form.problems, "kinds": QUOTE_KINDS,
            "filtered": filtered, "all_quotes": all_quotes, "threshold": threshold,
            "uncertain_count": max(0, every.total - detail.quote_count), "undated": max(0, every.total - dated),
            "paging": Paging(number, quotes.total, PAGE_SIZE, params, f"/speakers/{detail.slug}",
                             quotes.total_is_estimate),
            "weekly_chart": chart,
            "uncertain_link": f"/speakers/{detail.slug}{query_string({**params, 'uncertain': '1'})}",
            "edited": edited,
        },
    )
