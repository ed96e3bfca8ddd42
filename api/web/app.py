"""The Litestar application: `create_app()` wires settings, services and controllers.

    quotelens serve                     # migrates the store once, then starts the app (or its workers)

The app never migrates: the schema is brought up to date before it starts
(`quotelens serve`, `quotelens migrate`, the compose `migrate` step).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from typing import Any

from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from api.ingest.engine_process import ProcessEngine
from api.ingest.runner import Engine, NlpBudget, QuoteExtractor
from api.jobs.queue import ArticleQueue
from api.services import Services
from api.web.controllers._common import provide_jobs, provide_services
from api.web.controllers.articles import ArticleController
from api.web.controllers.extract import ExtractController
from api.web.controllers.health import HealthController
from api.web.controllers.jobs import JobController
from api.web.controllers.quotes import QuoteController
from api.web.controllers.speakers import SpeakerController
from api.web.controllers.stats import StatsController
from api.web.pages import docs_render_plugins, pages_router, static_router, template_config
from api.web.problems import exception_handlers, reject_unreadable_requests, require_json_body
from api.web.response_cache import ResponseCache
from api.web.security import API_KEY_HEADER, SECURITY_SCHEME, api_key_guard
from api.web.shields import RateLimiter, site_guard
from quotelens.errors import QuotelensError
from quotelens.settings import Settings, get_settings

__all__ = ["create_app"]

log = logging.getLogger("api")

API_DESCRIPTION = """\
Who said what in the news. Articles go in (`POST /api/articles`); their quotes
come out with the speaker tracked across articles, so `GET /api/speakers?q=mckenzie`
finds General McKenzie however each article spelt him.

Errors are problem details (`application/problem+json`). Lists are paginated with
`limit` (at most 100) and `offset`. Writes need an `X-API-Key` header when the
service is configured with keys (`QUOTELENS_API_KEYS`).
"""


def create_app(
    settings: Settings | None = None,
    *,
    extractor: QuoteExtractor | None = None,
    engine: Engine | None = None,
    database_url: str | None = None,
) -> Litestar:
    """The API for `settings` (the environment by default) on a store migrated beforehand.

    The pipeline runs in a process of its own (`ProcessEngine`, started with the app);
    `extractor` replaces it, run in a thread (tests), `engine` replaces what runs it;
    `database_url` replaces the store's URL.
    """
    settings = settings or get_settings()
    if extractor is None and engine is None:
        engine = ProcessEngine(settings.spacy_model, nice=settings.nlp_nice, session_nice=settings.nlp_session_nice)
    services = Services.build(settings, extractor=extractor, engine=engine, database_url=database_url)
    # NLP work for HTTP clients is bounded (the CLI and the job worker wait their turn instead).
    services.engine.budget = NlpBudget(queue_requests=settings.nlp_queue_requests,
                                       queue_chars=settings.nlp_queue_chars, timeout=settings.nlp_timeout)
    # With a job queue the workers extract: this process only enqueues (and never loads the pipeline
    # for POST /api/articles; POST /api/extract still does).
    jobs = ArticleQueue.from_settings(settings) if settings.redis_url else None

    warm_up: list[asyncio.Task[None]] = []

    async def on_startup(app: Litestar) -> None:
        services.engine.start_loading()
        # The speaker index loads in the background now, not during the first search.
        warm_up.append(asyncio.create_task(_warm_up(services)))
        log.info("quotelens API on %s", services.store.display_url)

    async def on_shutdown(app: Litestar) -> None:
        for task in warm_up:
            task.cancel()
        await asyncio.gather(*warm_up, return_exceptions=True)
        if limiter is not None:
            await limiter.close()
        await services.close()
        if jobs is not None:
            await jobs.close()

    # Outermost first: unreadable URLs, then Host / cross-site writes, then the rate limit.
    middleware: list[Any] = [reject_unreadable_requests, site_guard(settings)]
    rate = settings.rate_limit_rule
    limiter = RateLimiter(rate, settings) if rate is not None else None
    if limiter is not None:
        middleware.append(limiter.middleware)
    # Innermost: an answer given from memory has passed the shields like any other.
    responses = ResponseCache(services.store, settings)
    middleware.append(responses.middleware)

    return Litestar(
        route_handlers=[HealthController, ArticleController, SpeakerController, QuoteController, ExtractController,
                        JobController, StatsController, pages_router(), static_router()],
        template_config=template_config(),
        dependencies={"services": Provide(provide_services, sync_to_thread=False),
                      "jobs": Provide(provide_jobs, sync_to_thread=False)},
        guards=[api_key_guard],
        before_request=require_json_body,
        middleware=middleware,
        exception_handlers=exception_handlers,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        state=State({"services": services, "settings": settings, "jobs": jobs, "responses": responses}),
        cors_config=_cors(settings),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="quotelens API",
            version="1.0.0",
            description=API_DESCRIPTION,
            use_handler_docstrings=True,
            render_plugins=docs_render_plugins(),
            components=Components(
                security_schemes={
                    SECURITY_SCHEME: SecurityScheme(
                        type="apiKey", name=API_KEY_HEADER, security_scheme_in="header",
                        description="One of the keys in QUOTELENS_API_KEYS.",
                    )
                }
            ),
        ),
        on_app_init=[_quiet_logging],
        debug=False,
    )


def _cors(settings: Settings) -> CORSConfig | None:
    """Browsers on QUOTELENS_CORS_ORIGINS may read (and write, if QUOTELENS_CORS_ALLOW_WRITES); None: no CORS."""
    if not settings.cors_origins:
        return None
    methods = ["GET", "HEAD", "OPTIONS"] + (["POST", "PUT", "PATCH", "DELETE"] if settings.cors_allow_writes else [])
    return CORSConfig(allow_origins=list(settings.cors_origins), allow_methods=methods,  # type: ignore[arg-type]
                      allow_headers=["Content-Type", API_KEY_HEADER], allow_credentials=False,
                      expose_headers=["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"])


async def _warm_up(services: Services) -> None:
    """Load the speaker index and wait for the pipeline, then put what the process holds for good out of
    the cyclic collector's sight."""
    try:
        await services.directory.ensure_fresh()
    except Exception as exc:  # the database may be away at start: the first search tries again
        log.warning("speaker index not loaded at start: %s: %s", type(exc).__name__, exc)
    with contextlib.suppress(QuotelensError):  # a failed load is reported by /ready and the routes needing it
        await services.engine.load()
    # Modules, the app, the speaker index and (when it runs in this process) the pipeline live as
    # long as the process: left in the collector's sight, every full collection walks them all,
    # pausing whichever page is being served (on the 1M-quote store 300 ms, 450 with the
    # pipeline in the process; frozen, 10-20 ms).
    gc.collect()
    gc.freeze()


def _quiet_logging(app_config: AppConfig) -> AppConfig:
    # Litestar logs handled 4xx exceptions with tracebacks by default; a client's
    # bad input is not the server's error.
    app_config.logging_config = None
    return app_config
