"""Articles in: readers of files and JSON Lines (`readers`), web pages (`html`), feeds
(`feeds`), the safe fetcher (`fetch`), URLs and saved pages as sources (`web`), feed
watching (`watch`), furniture lines (`boilerplate`), text checks (`text`), the engine runner
(`runner`), storing one article with its quotes and speakers (`service`), and many articles
in batches (`batches`)."""

from .runner import EngineRunner, QuoteExtractor
from .service import ArticleInput, IngestOutcome, IngestService, PreparedArticle, prepare_article

__all__ = [
    "ArticleInput",
    "EngineRunner",
    "IngestOutcome",
    "IngestService",
    "PreparedArticle",
    "QuoteExtractor",
    "prepare_article",
]
