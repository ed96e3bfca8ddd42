"""One store and every service built on it: what the web app, the CLI and benchmarks hold.

The composition root of `api`: it wires `api.store`, `api.speakers`, `api.quotes`
and `api.ingest` together from a `Settings`; nothing below it imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from api.ingest.fetch import Fetcher
from api.ingest.readers import article_from_page
from api.ingest.runner import Engine, EngineRunner, QuoteExtractor
from api.ingest.service import (
    ArticleInput,
    IngestOutcome,
    IngestService,
    PreparedArticle,
    prepare_article,
)
from api.ingest.web import fetch_page, page_from_html
from api.quotes.service import ArticleService, QuoteFilter, QuoteService
from api.speakers.directory import SpeakerDirectory
from api.speakers.service import SpeakerService
from api.store.db import Store
from attribution.confidence import DEFAULT_THRESHOLD
from quotelens.settings import Settings

__all__ = [
    "ArticleInput",
    "ArticleService",
    "IngestOutcome",
    "IngestService",
    "PreparedArticle",
    "QuoteFilter",
    "QuoteService",
    "Services",
    "SpeakerDirectory",
    "SpeakerService",
    "prepare_article",
    "speaker_confidence",
]


def speaker_confidence(settings: Settings) -> float:
    """The speaker confidence a quote needs to be shown under its speaker without doubt."""
    return DEFAULT_THRESHOLD if settings.speaker_confidence is None else settings.speaker_confidence


@dataclass
class Services:
    """One store and everything built on it, shared by the app's handlers (or a CLI run)."""

    settings: Settings
    store: Store
    directory: SpeakerDirectory
    ingest: IngestService
    speakers: SpeakerService
    quotes: QuoteService
    articles: ArticleService
    engine: EngineRunner
    _fetcher: Fetcher | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls, settings: Settings, *, extractor: QuoteExtractor | None = None, engine: Engine | None = None,
        database_url: str | None = None,
    ) -> Services:
        """Everything for `settings`; `extractor` replaces the pipeline (tests: run in a thread), `engine`
        what runs it (the web app: a process of its own; default: a thread), `database_url` the store's URL."""
        store = Store(
            database_url or settings.effective_database_url,
            pool_size=settings.db_pool_size,
            sqlite_synchronous=settings.sqlite_synchronous,
            connect_timeout=settings.db_connect_timeout,
            statement_timeout=settings.db_statement_timeout,
            ping_timeout=settings.ready_timeout,
        )
        threshold = speaker_confidence(settings)
        directory = SpeakerDirectory(store, settings.speaker_index_refresh_seconds, speaker_confidence=threshold)
        speakers = SpeakerService(store, directory, search_cutoff=settings.speaker_search_cutoff)
        quotes = QuoteService(store, threshold, speakers.shown_count)
        return cls(
            settings=settings,
            store=store,
            directory=directory,
            ingest=IngestService(store, directory, match_threshold=settings.speaker_match_threshold),
            speakers=speakers,
            quotes=quotes,
            articles=ArticleService(store, quotes),
            engine=EngineRunner(extractor, model=settings.spacy_model, engine=engine),
        )

    async def store_article(self, article: ArticleInput) -> IngestOutcome:
        """Check, extract and store one article (or find it stored already)."""
        prepared = prepare_article(article, self.settings.max_article_chars)
        existing = await self.ingest.find_article(prepared.content_hash)
        if existing is not None:
            # The same text again: new details (a date, a title) correct the stored article.
            return await self.ingest.refresh_details(prepared)
        if prepared.skipped is not None:  # a language the engine does not read: stored without quotes
            return await self.ingest.ingest(prepared, [])
        quotes = await self.engine.extract(prepared.text)
        return await self.ingest.ingest(prepared, quotes)

    @property
    def fetcher(self) -> Fetcher:
        """The one fetcher of pages for this process (one request at a time per host), made on first use."""
        if self._fetcher is None:
            s = self.settings
            self._fetcher = Fetcher(allow_private=s.fetch_allow_private, max_bytes=s.fetch_max_bytes,
                                    timeout=s.fetch_timeout)
        return self._fetcher

    async def page_article(self, *, url: str | None, html: str | None, details: ArticleInput) -> ArticleInput | int:
        """The article of a web page: `html` as sent, else the page at `url` fetched now.

        `details` (its text unused) overrides what the page says about title, outlet, date.
        A URL stored before (as an article's canonical address or the one it was read
        from) is not fetched again, nor stored twice: the answer is then that article's id.
        """
        if html is None:
            if url is None:
                raise ValueError("a page needs html or a url")
            known = await self.ingest.find_by_url(url)
            if known is not None:
                return known
            page = await fetch_page(self.fetcher, url)
            article = article_from_page(page, fetched_from=url)
            if page.url and page.url != url and (known := await self.ingest.find_by_url(page.url)) is not None:
                return known
        else:
            article = article_from_page(await page_from_html(html, url))
            if url is not None:
                article = replace(article, url=url)
        return replace(
            article,
            title=details.title or article.title,
            outlet=details.outlet or article.outlet,
            published=details.published or article.published,
        )

    async def store_page(self, *, url: str | None, html: str | None, details: ArticleInput) -> IngestOutcome:
        """Store the article of a web page (`page_article`), or find it stored already."""
        found = await self.page_article(url=url, html=html, details=details)
        if isinstance(found, int):
            return IngestOutcome(found, created=False)
        return await self.store_article(found)

    async def close(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
        await self.engine.close()
        await self.store.dispose()
