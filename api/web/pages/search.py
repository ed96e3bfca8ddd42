"""Quote search: by words, speaker, dates and kind; paged; the same listing as a CSV download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template

from api.quotes.aggregates import Aggregates, Period
from api.services import QuoteFilter, Services
from api.web.csv import CSV_MEDIA_TYPE, quotes_csv
from api.web.pages._common import PAGE_SIZE, Form, Paging, page_number, query_string
from quotelens.contract import QUOTE_KINDS, QuotePage
from quotelens.errors import NotFound

__all__ = ["search_page", "search_csv", "CSV_ROWS"]

CSV_ROWS = 10_000  # at most this many quotes in one download (`quotelens export` has no cap)
OUTLETS_LISTED = 200  # outlets offered as the outlet field's suggestions


@dataclass(frozen=True)
class _Search:
    form: Form
    params: dict[str, Any]  # str | date | None; Any: the handlers' signature model takes no such union
    filter: QuoteFilter | None  # None: the speaker named matches no one
    speaker_name: str | None


async def provide_search(
    services: NamedDependency[Services],
    q: FromQuery[str | None] = None,
    speaker: FromQuery[str | None] = None,
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    outlet: FromQuery[str | None] = None,
) -> _Search:
    """The search the query string asks for (the page and its CSV read the same parameters)."""
    form = Form()
    topic, who, where = Form.text(q, 500), Form.text(speaker), Form.text(outlet)
    first, last, kind_ = form.day(since, "from"), form.day(until, "to"), form.kind(kind)
    params: dict[str, str | date | None] = {"q": topic, "speaker": who, "outlet": where, "since": first,
                                            "until": last, "kind": kind_}
    speaker_ids: list[int] | None = None
    speaker_name = None
    if who is not None:
        try:
            speaker_ids = await services.speakers.resolve_filter(who)
        except NotFound:
            speaker_ids = []
        if not speaker_ids:
            form.problems.append(f"No speaker is called anything like “{who}”.")
            return _Search(form, params, None, None)
        speaker_name = (await services.speakers.detail(str(speaker_ids[0]))).name
    # As on the API: a speaker's quotes are the confident ones.
    confidence = services.quotes.speaker_confidence if speaker_ids is not None else 0.0
    return _Search(form, params, QuoteFilter(speaker_ids=speaker_ids, q=topic, since=first, until=last,
                                             kind=kind_, outlet=where, min_confidence=confidence), speaker_name)


_SEARCH = {"found": Provide(provide_search)}


@get("/search", name="search", include_in_schema=False, dependencies=_SEARCH)
async def search_page(
    services: NamedDependency[Services],
    aggregates: NamedDependency[Aggregates],
    found: NamedDependency[_Search],
    page: FromQuery[int | None] = None,
) -> Template:
    """Quotes matching every filter given, newest article first."""
    number = page_number(page)
    result = (await services.quotes.page(found.filter, PAGE_SIZE, (number - 1) * PAGE_SIZE)
              if found.filter is not None else QuotePage(items=[], total=0, limit=PAGE_SIZE, offset=0))
    outlets = [o.outlet for o in await aggregates.outlets(Period(), OUTLETS_LISTED) if o.outlet]
    return Template(template_name="search.html.j2", context={
        "form": found.params, "outlets": outlets, "problems": found.form.problems, "kinds": QUOTE_KINDS, "quotes": result.items,
        "speaker_name": found.speaker_name, "paging": Paging(number, result.total, PAGE_SIZE, found.params, "/search",
                                                                  result.total_is_estimate),
        "csv_link": "/search.csv" + query_string(found.params),
        "searched": any(v is not None for v in found.params.values()),
    })


@get("/search.csv", name="search_csv", include_in_schema=False, dependencies=_SEARCH)
async def search_csv(services: NamedDependency[Services], found: NamedDependency[_Search]) -> Response[str]:
    """Every quote the search finds (up to CSV_ROWS), as a CSV file."""
    chunks = [quotes_csv([], header=True)]
    if found.filter is not None:
        offset, step = 0, services.settings.max_page_size
        while offset < CSV_ROWS:
            page = await services.quotes.page(found.filter, min(step, CSV_ROWS - offset), offset)
            chunks.append(quotes_csv(page.items, header=False))
            offset += len(page.items)
            if len(page.items) < step:
                break
    return Response(
        "".join(chunks), media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="quotelens-quotes.csv"'},
    )
