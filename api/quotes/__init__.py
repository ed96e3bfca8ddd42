"""Quote and article reads: listings, full-text search, an article with its quotes (`service`)."""

from .service import ArticleService, QuoteFilter, QuoteService

__all__ = ["ArticleService", "QuoteFilter", "QuoteService"]
