"""Aggregates for dashboards built elsewhere (Grafana, Superset, notebooks): counts over a period."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter

from api.quotes.aggregates import Aggregates, Period
from api.web.controllers._common import ServicesDep, problems
from api.web.controllers.quotes import Since, Until
from api.web.pages._common import provide_aggregates
from quotelens.contract import OutletCounts, SpeakerCounts, UnnamedShare, WeekCounts
from quotelens.errors import BadRequest

__all__ = ["StatsController"]

TopLimit = Annotated[int, Parameter(ge=1, le=1000, description="How many (default 20, at most 1,000).")]
MAX_WEEKS_DAYS = 366 * 20  # a weekly series spans at most twenty years


def _provide(state: State) -> Aggregates:
    return provide_aggregates(state)


def _period(since: Any, until: Any) -> Period:
    if since is not None and until is not None and since > until:
        raise BadRequest(f"since ({since}) is after until ({until})")
    return Period(since, until)


class StatsController(Controller):
    path = "/api/stats"
    tags = ["stats"]
    dependencies = {"aggregates": Provide(_provide, sync_to_thread=False)}

    @get("/top-speakers", operation_id="topSpeakers", summary="The most quoted speakers of a period",
         responses=problems(400, 429))
    async def top_speakers(self, aggregates: NamedDependency[Aggregates], since: Since = None,
                           until: Until = None, limit: TopLimit = 20) -> SpeakerCounts:
        """Speakers by how many quotes they have in articles of the period (no dates: all time), most first."""
        period = _period(since, until)
        return SpeakerCounts(since=since, until=until, items=await aggregates.top_speakers(period, limit))

    @get("/weekly", operation_id="quotesPerWeek", summary="Quotes per week",
         responses=problems(400, 404, 429))
    async def weekly(
        self,
        services: ServicesDep,
        aggregates: NamedDependency[Aggregates],
        since: Since = None,
        until: Until = None,
        speaker: Annotated[str | None, Parameter(max_length=200, description="Only this speaker (id or slug).")]
        = None,
        outlet: Annotated[str | None, Parameter(max_length=300, description="Only articles of this outlet.")]
        = None,
    ) -> WeekCounts:
        """Quotes per ISO week (the Monday it starts on), every week of the period present; of one speaker
        or one outlet when asked. Without dates, from the first to the last week with quotes."""
        period = _period(since, until)
        if period.days is not None and period.days > MAX_WEEKS_DAYS:
            raise BadRequest("a weekly series spans at most twenty years")
        if speaker is not None and outlet is not None:
            raise BadRequest("give a speaker or an outlet, not both")
        ref = None
        if speaker is not None:
            ref = await services.speakers.ref(speaker)
        items = await aggregates.weekly(period, speaker_id=ref.id if ref else None, outlet=outlet)
        return WeekCounts(since=since, until=until, speaker=ref, outlet=outlet, items=items)

    @get("/outlets", operation_id="quotesPerOutlet", summary="Quotes and articles per outlet",
         responses=problems(400, 429))
    async def outlets(self, aggregates: NamedDependency[Aggregates], since: Since = None, until: Until = None,
                      limit: TopLimit = 20) -> OutletCounts:
        """Outlets by the quotes their articles of the period hold, most first (outlet null: not known)."""
        period = _period(since, until)
        return OutletCounts(since=since, until=until, items=await aggregates.outlets(period, limit))

    @get("/unnamed", operation_id="unnamedShare", summary="The share of quotes from unnamed sources",
         responses=problems(400, 429))
    async def unnamed(self, aggregates: NamedDependency[Aggregates], since: Since = None,
                      until: Until = None) -> UnnamedShare:
        """Quotes of the period whose speaker is an unnamed source ("a senior official") or was not found."""
        return await aggregates.unnamed_share(_period(since, until))
