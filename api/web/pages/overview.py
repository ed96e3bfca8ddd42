"""The overview page: who is quoted most in a period, quotes per week, latest quotes, outlets, unnamed sources."""

from __future__ import annotations

import asyncio
from typing import Literal

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from api.quotes.aggregates import Aggregates, Period
from api.services import QuoteFilter, Services
from api.web.charts import share_bar
from api.web.pages._common import weekly_chart

__all__ = ["overview", "PERIODS"]

PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365, "all": None}
PERIOD_LABELS = {"7": "7 days", "30": "30 days", "90": "90 days", "365": "a year", "all": "all time"}
TOP_SPEAKERS = 15
TOP_OUTLETS = 10
LATEST = 8
DEFAULT_PERIOD = "30"


async def period_of(aggregates: Aggregates, key: str) -> Period:
    days = PERIODS[key]
    return Period() if days is None else await aggregates.recent(days)


async def default_period(aggregates: Aggregates) -> str:
    """The last 30 days, unless most quotes are in undated articles: a bounded period would hide them."""

    async def decide() -> str:
        every, weeks = await asyncio.gather(aggregates.unnamed_share(Period()), aggregates.weekly(Period()))
        dated = sum(w.quotes for w in weeks)
        return "all" if every.quotes - dated > dated else DEFAULT_PERIOD

    return await aggregates.cache.get(("overview-default",), decide)


@get("/", name="overview", include_in_schema=False)
async def overview(
    services: NamedDependency[Services],
    aggregates: NamedDependency[Aggregates],
    period: FromQuery[Literal["7", "30", "90", "365", "all"] | None] = None,
) -> Template:
    """The front page; `period` counts back from the newest article in the store.

    By default the last 30 days, unless most quotes are in undated articles (which are
    in no bounded period): then all time.
    """
    shown = period if period is not None else await default_period(aggregates)
    span = await period_of(aggregates, shown)
    top, (weekly, dated), outlets, unnamed, latest = await asyncio.gather(
        aggregates.top_speakers(span, TOP_SPEAKERS),
        weekly_chart(aggregates, span, title="Quotes per week", chart_id="weekly"),
        aggregates.outlets(span, TOP_OUTLETS),
        aggregates.unnamed_share(span),
        services.quotes.page(QuoteFilter(), LATEST, 0),
    )
    most = max((c.quotes for c in top), default=1)
    # Over all time the total counts undated articles, which have no week in the chart.
    undated = unnamed.quotes - dated if span.since is None else 0
    return Template(
        template_name="overview.html.j2",
        context={
            "period": shown, "periods": PERIOD_LABELS, "span": span, "fell_back": period is None and shown == "all",
            "undated": max(0, undated),
            "top": top, "most": most, "outlets": outlets, "unnamed": unnamed, "latest": latest.items,
            "weekly_chart": weekly,
            "unnamed_chart": share_bar(unnamed.unnamed, unnamed.quotes, title="Quotes from unnamed sources",
                                       chart_id="unnamed"),
            "top_outlet_quotes": max((o.quotes for o in outlets), default=1) or 1,
        },
    )
