"""One store and every service built on it: what the web app, the CLI and benchmarks hold.

The composition root of `api`: it wires `api.store`, `api.speakers`, `api.quotes`
and `api.ingest` together from a `Settings`; nothing below it imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.ingest.runner import EngineRunner, QuoteExtractor
from api.ingest.service import (
    ArticleInput,
    IngestOutcome,
    IngestService,
    PreparedArticle,
    prepare_article,
)
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

    @classmethod
    def build(
        cls, settings: Settings, *, extractor: QuoteExtractor | None = None, database_url: str | None = None
    ) -> Services:
        """Everything for `settings`; `extractor` replaces the engine (tests), `database_url` the store's URL."""
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
        quotes = QuoteService(store, threshold)
        return cls(
            settings=settings,
            store=store,
            directory=directory,
            ingest=IngestService(store, directory, match_threshold=settings.speaker_match_threshold),
            speakers=SpeakerService(store, directory, search_cutoff=settings.speaker_search_cutoff),
            quotes=quotes,
            articles=ArticleService(store, quotes),
            engine=EngineRunner(extractor, model=settings.spacy_model),
        )

    async def store_article(self, article: ArticleInput) -> IngestOutcome:
        """Check, extract and store one article (or find it stored already)."""
        prepared = prepare_article(article, self.settings.max_article_chars)
        existing = await self.ingest.find_article(prepared.content_hash)
        if existing is not None:
            return IngestOutcome(existing, created=False)
        quotes = await self.engine.extract(prepared.text)
        return await self.ingest.ingest(prepared, quotes)

    async def close(self) -> None:
        await self.engine.close()
        await self.store.dispose()
