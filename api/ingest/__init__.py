"""Articles in: readers of files and JSON Lines (`readers`), web pages (`html`), feeds
(`feeds`), the safe fetcher (`fetch`), URLs and saved pages as sources (`web`), feed
watching (`watch`), furniture lines (`boilerplate`), text checks (`text`), the engine runner
(`runner`) and the engine in a process of its own (`engine_process`), storing one article
with its quotes and speakers (`service`), and many articles in batches (`batches`).

The names below load lazily: the engine process imports `api.ingest.engine_process`
without the store and the speaker index (seconds and tens of MB it would never use).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runner import EngineRunner, QuoteExtractor
    from .service import (
        ArticleInput,
        IngestOutcome,
        IngestService,
        PreparedArticle,
        prepare_article,
    )

__all__ = [
    "ArticleInput",
    "EngineRunner",
    "IngestOutcome",
    "IngestService",
    "PreparedArticle",
    "QuoteExtractor",
    "prepare_article",
]

_WHERE = {"EngineRunner": ".runner", "QuoteExtractor": ".runner", "ArticleInput": ".service",
          "IngestOutcome": ".service", "IngestService": ".service", "PreparedArticle": ".service",
          "prepare_article": ".service"}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(where, __name__), name)
    globals()[name] = value
    return value
