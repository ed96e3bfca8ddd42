"""Quote listings as CSV: for `Accept: text/csv` on the API, the search page's download and `quotelens export`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from litestar import Request, Response

from quotelens.contract import QuotePage, QuoteRead

__all__ = ["CSV_COLUMNS", "CSV_MEDIA_TYPE", "quote_row", "quotes_csv", "wants_csv", "page_or_csv"]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CSV_COLUMNS = (
    "quote_id", "text", "kind", "speaker_id", "speaker_slug", "speaker_name", "speaker_kind", "mention", "cue",
    "via", "confidence", "start", "end", "article_id", "article_title", "outlet", "published", "url",
    "speaker_uncertain", "speaker_guess_slug", "speaker_guess_name",
)


def quote_row(q: QuoteRead) -> list[Any]:
    """One quote as the values of CSV_COLUMNS."""
    s, a, g = q.speaker, q.article, q.speaker_guess
    return [
        q.id, q.text, q.kind, s.id if s else "", s.slug if s else "", s.name if s else "", s.kind if s else "",
        q.mention or "", q.cue or "", q.via or "", q.confidence, q.start, q.end,
        a.id, a.title or "", a.outlet or "", a.published.isoformat() if a.published else "", a.url or "",
        "yes" if q.speaker_uncertain else "", g.slug if g else "", g.name if g else "",
    ]


def quotes_csv(quotes: Iterable[QuoteRead], *, header: bool = True) -> str:
    """Quotes as CSV text (RFC 4180: CRLF line ends, fields quoted where needed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(CSV_COLUMNS)
    for q in quotes:
        writer.writerow(quote_row(q))
    return out.getvalue()


def wants_csv(request: Request[Any, Any, Any]) -> bool:
    """True when the client prefers CSV to JSON (`Accept: text/csv`)."""
    accept = request.headers.get("accept", "")
    if "text/csv" not in accept:
        return False
    return request.accept.best_match(["application/json", "text/csv"], default="application/json") == "text/csv"


def page_or_csv(request: Request[Any, Any, Any], page: QuotePage) -> QuotePage | Response[str]:
    """The page as it is, or as CSV when the client asked for it; paging stays in headers."""
    if not wants_csv(request):
        return page
    return Response(
        quotes_csv(page.items),
        media_type=CSV_MEDIA_TYPE,
        headers={"X-Total-Count": str(page.total), "X-Limit": str(page.limit), "X-Offset": str(page.offset)},
    )
