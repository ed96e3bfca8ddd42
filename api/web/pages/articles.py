"""Article pages: the list, and one article's text with every quote marked at its offsets."""

from __future__ import annotations

import json
from typing import Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import Integer, bindparam, select

from api.services import Services
from api.store.fastread import Prepared
from api.store.models import Quote
from api.web.highlight import marked_text, speaker_styles
from api.web.pages._common import PAGE_SIZE, Paging, page_number

__all__ = ["article_list", "article_page"]

# The engine's evidence of each quote of an article (the API's Quote leaves it out).
_ARTICLE_EVIDENCE = Prepared(
    select(Quote.id, Quote.evidence).where(Quote.article_id == bindparam("aid", type_=Integer))
)


def _evidence_rows(value: Any) -> list[tuple[str, str]]:
    """The engine's evidence (which rules found the quote, the speaker, the resolution) as label/value pairs."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [("evidence", value)]
    if not isinstance(value, dict):
        return []
    rows: list[tuple[str, str]] = []
    for key, item in value.items():
        if isinstance(item, list | tuple):
            text = ", ".join(str(i) for i in item)
        elif isinstance(item, dict):
            text = "; ".join(f"{k}: {v}" for k, v in item.items())
        else:
            text = str(item)
        rows.append((str(key).replace("_", " "), text))
    return rows


@get("/articles", name="articles", include_in_schema=False)
async def article_list(services: NamedDependency[Services], page: FromQuery[int | None] = None) -> Template:
    """Stored articles, newest first, with how many quotes each holds."""
    number = page_number(page)
    articles = await services.articles.page(PAGE_SIZE, (number - 1) * PAGE_SIZE)
    return Template(template_name="articles.html.j2", context={
        "articles": articles.items, "paging": Paging(number, articles.total, PAGE_SIZE, {}, "/articles")})


@get("/articles/{article_id:int}", name="article", include_in_schema=False)
async def article_page(services: NamedDependency[Services], article_id: FromPath[int]) -> Template:
    """The text with each quote highlighted (a colour and a letter per speaker), and each quote's details."""
    article = await services.articles.detail(article_id)
    rows = await services.store.rows(_ARTICLE_EVIDENCE, {"aid": article.id})
    evidence = {r[0]: _evidence_rows(r[1]) for r in rows}
    quotes = sorted(article.quotes, key=lambda q: (q.start, q.id))
    styles = speaker_styles(quotes)
    return Template(template_name="article.html.j2", context={
        "a": article, "quotes": quotes, "styles": styles,
        "legend": sorted(styles.values(), key=lambda s: s.speaker is None),
        "marked": marked_text(article.text, quotes, styles), "evidence": evidence,
    })
