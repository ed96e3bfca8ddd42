"""Articles: ingest one, list them, read one with its quotes."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, Parameter

from api.jobs.queue import JobState
from api.services import ArticleInput, prepare_article
from api.web.controllers._common import (
    WRITE_SECURITY,
    JobsDep,
    Limit,
    Offset,
    ServicesDep,
    cap,
    problems,
)
from api.web.controllers.jobs import job_read
from api.web.security import WRITE
from quotelens.contract import ArticleCreate, ArticleDetail, ArticlePage, ArticleUpdate, JobRead
from quotelens.errors import BadRequest

__all__ = ["ArticleController"]

ARTICLE_EXAMPLE = {
    "title": "US general predicts some troops will remain in Iraq",
    "outlet": "The Hill",
    "published": "2020-06-09",
    "url": "https://example.org/us-general-troops-iraq",
    "text": (
        "The top U.S. general in the Middle East predicts that a small amount of U.S. troops "
        "will remain in Iraq.\n“I believe that going forward, they’re going to want us to be "
        "with them,” U.S. Central Command head Marine Gen. Kenneth McKenzie told reporters Tuesday."
    ),
}


class ArticleController(Controller):
    path = "/api/articles"
    tags = ["articles"]

    @post(
        "/",
        operation_id="createArticle",
        summary="Store an article and its quotes",
        status_code=201,
        opt=WRITE,
        security=WRITE_SECURITY,
        responses={
            200: ResponseSpec(ArticleDetail, description="The same text was stored before: that article"),
            202: ResponseSpec(JobRead, description="With a job queue: queued; follow the Location header"),
            **problems(400, 401, 413, 415, 422, 429, 502, 503),
        },
    )
    async def create(
        self,
        services: ServicesDep,
        jobs: JobsDep,
        data: Annotated[
            ArticleCreate,
            Body(examples=[Example(summary="A news article", value=ARTICLE_EXAMPLE)]),
        ],
    ) -> Response[ArticleDetail | JobRead]:
        """Extract the article's quotes, track their speakers and store it all (201).

        The article is `text`, or the page in `html`, or (`url` alone) the page the server
        fetches: a URL it will not fetch (not http(s), a private address, over the size
        cap) or a response that is no article page is 422; a site that does not answer
        with the page (unreachable, an HTTP error, a timeout) is 502. A page in another
        language than English is stored without quotes (`skipped` says why).

        Posting a text stored before returns that article (200), also when the same text
        arrives twice at once; title, outlet, published or url sent with it that differ
        from the stored ones correct them. A URL stored before is not fetched again. With
        a job queue configured (QUOTELENS_REDIS_URL) a new article is queued for the
        workers instead (a page is fetched and read first): 202 with a `Location` of
        `/api/jobs/{id}` to follow (the same text queued twice is one job).
        """
        given = sum(x is not None for x in (data.text, data.html))
        if given > 1:
            raise BadRequest("give the article as text or as html, not both", field="html")
        if given == 0 and data.url is None:
            raise BadRequest("give the article's text, its page's html, or a url to fetch it from", field="text")
        article = ArticleInput(text=data.text or "", title=data.title, url=data.url, outlet=data.outlet,
                               published=data.published)
        if data.text is None:
            found = await services.page_article(url=data.url, html=data.html, details=article)
            if isinstance(found, int):  # a URL stored before
                return Response(await services.articles.detail(found), status_code=200)
            article = found
        if jobs is not None:
            prepared = prepare_article(article, services.settings.max_article_chars)
            existing = await services.ingest.find_article(prepared.content_hash)
            if existing is not None:
                await services.ingest.refresh_details(prepared)
                return Response(await services.articles.detail(existing), status_code=200)
            job_id = await jobs.enqueue(prepared)
            state = await jobs.state(job_id) or JobState(id=job_id, status="queued")
            return Response(await job_read(services, state), status_code=202,
                            headers={"Location": f"/api/jobs/{job_id}"})
        outcome = await services.store_article(article)
        detail = await services.articles.detail(outcome.article_id)
        return Response(detail, status_code=201 if outcome.created else 200)

    @patch(
        "/{article_id:int}",
        operation_id="updateArticle",
        summary="Correct an article's title, outlet, date, url or authors",
        opt=WRITE,
        security=WRITE_SECURITY,
        responses=problems(400, 401, 404, 413, 415, 422, 429, 503),
    )
    async def update(
        self,
        services: ServicesDep,
        article_id: Annotated[int, Parameter(description="Article id.")],
        data: Annotated[
            ArticleUpdate,
            Body(examples=[Example(summary="The date the page left out", value={"published": "2024-11-15"})]),
        ],
    ) -> ArticleDetail:
        """Set the fields given (null clears one; a field left out stays); the article as it is now.

        A new `published` moves the article's quotes to that day in every listing and date
        filter; without one the article sorts last and falls in no since/until range.
        """
        changes = {name: getattr(data, name) for name in data.__struct_fields__
                   if getattr(data, name) is not msgspec.UNSET}
        await services.ingest.correct(article_id, changes)
        return await services.articles.detail(article_id)

    @get("/", operation_id="listArticles", summary="Articles, newest first", responses=problems(400, 429))
    async def list_articles(self, services: ServicesDep, limit: Limit = 20, offset: Offset = 0) -> ArticlePage:
        """A page of stored articles, each with its number of quotes."""
        return await services.articles.page(cap(limit, services), offset)

    @get("/{article_id:int}", operation_id="getArticle", summary="One article with its quotes",
         responses=problems(400, 404, 429))
    async def get_article(
        self, services: ServicesDep, article_id: Annotated[int, Parameter(description="Article id.")]
    ) -> ArticleDetail:
        """The article text with every quote's offsets, speaker and context."""
        return await services.articles.detail(article_id)
