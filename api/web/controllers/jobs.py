"""Jobs: where an article posted to a queue-backed service is (queued, active, complete, failed)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from api.jobs.queue import JobState
from api.web.controllers._common import JobsDep, ServicesDep, problems
from quotelens.contract import JobRead
from quotelens.errors import NotFound

__all__ = ["JobController", "job_read"]


async def job_read(services: ServicesDep, state: JobState) -> JobRead:
    """The wire form of a job's state, with the article once it is stored."""
    article = None
    if state.status == "complete" and state.article_id is not None:
        article = await services.articles.detail(state.article_id)
    return JobRead(id=state.id, status=state.status,  # type: ignore[arg-type]
                   attempts=state.attempts, error=state.error, article=article)


class JobController(Controller):
    path = "/api/jobs"
    tags = ["jobs"]

    @get("/{job_id:str}", operation_id="getJob", summary="An ingest job's status; the article once stored",
         responses=problems(400, 404, 429, 503))
    async def get_job(
        self,
        services: ServicesDep,
        jobs: JobsDep,
        job_id: Annotated[str, Parameter(description="The job id from POST /api/articles' Location.",
                                         max_length=64)],
    ) -> JobRead:
        """queued, active, complete (with the stored article) or failed (with why, after every try).

        A job the queue has forgotten (finished jobs are kept a day) answers from the
        store: complete when its article is stored.
        """
        state = await jobs.state(job_id) if jobs is not None else None
        if state is None:
            article_id = await services.ingest.find_article(job_id) if len(job_id) == 64 else None
            if article_id is None:
                raise NotFound(f"no job {job_id!r}")
            state = JobState(id=job_id, status="complete", article_id=article_id)
        return await job_read(services, state)
