"""Liveness and readiness."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.openapi.datastructures import ResponseSpec

from api.web.controllers._common import ServicesDep
from api.web.security import PUBLIC
from quotelens.contract import Health, Readiness

__all__ = ["HealthController"]


class HealthController(Controller):
    tags = ["health"]
    opt = PUBLIC

    @get("/health", operation_id="health", summary="The process is up")
    async def health(self) -> Health:
        """Answers as long as the process serves requests; checks nothing else."""
        return Health()

    @get("/ready", operation_id="ready", summary="Database reachable and pipeline loaded",
         responses={503: ResponseSpec(Readiness, description="Not ready: the body says which part")})
    async def ready(self, services: ServicesDep) -> Response[Readiness]:
        """200 when the database answers, the pipeline is loaded and the NLP queue has room, else 503."""
        database = await services.store.ping()
        pipeline = services.engine.ready
        nlp_queue = not services.engine.queue_full
        ok = database and pipeline and nlp_queue
        return Response(
            Readiness(status="ready" if ok else "unavailable", database=database, pipeline=pipeline,
                      nlp_queue=nlp_queue),
            status_code=200 if ok else 503,
        )
