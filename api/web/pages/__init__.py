"""The dashboard in the browser: HTML pages rendered on the server, served by the API's own app.

Everything a page needs ships in the package (templates and static files beside
this package); no page asks any other host for anything.

    /                     overview: most quoted, quotes per week, latest quotes, outlets, unnamed share
    /speakers?q=          find a speaker
    /speakers/{slug}      a speaker: names, roles over time, quotes per week, quotes (filtered, paged)
    /articles, /articles/{id}   articles; one with its quotes highlighted
    /search?q=&speaker=&since=&until=&kind=   quote search, paged; /search.csv the same as CSV
    /review               speakers worth a second look, with merge, split, rename (key when configured)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.di import Provide
from litestar.openapi.plugins import RedocRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from api.web.pages._common import html_errors, provide_aggregates, skip_json_check
from api.web.pages.articles import article_list, article_page
from api.web.pages.overview import overview
from api.web.pages.review import merge, provide_review, rename, review_page, sign_in, split
from api.web.pages.search import search_csv, search_page
from api.web.pages.speakers import speaker_list, speaker_page
from api.web.security import PUBLIC
from api.web.words import mark_words
from quotelens.contract import QUOTE_KINDS

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "docs_render_plugins", "pages_router", "static_router", "template_config"]

WEB_DIR = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
STATIC_PATH = "/static"


def _add_template_helpers(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.globals["static"] = lambda name: f"{STATIC_PATH}/{name}"
    env.globals["quote_kinds"] = QUOTE_KINDS
    env.filters["day"] = lambda d: d.strftime("%-d %b %Y") if d else "undated"
    env.filters["marked"] = mark_words
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["percent"] = lambda x: f"{x:.1%}"
    env.trim_blocks = True
    env.lstrip_blocks = True


def template_config() -> TemplateConfig[Any]:
    return TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=_add_template_helpers)


# Pages load only what the app serves (so a page can never call another host), are never framed,
# and post forms only to the app. Inline styles stay allowed: bar widths are style attributes.
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PAGE_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=PAGE_POLICY),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
]


def pages_router() -> Router:
    """Every page, with HTML error pages and form posts instead of the API's JSON rules."""
    return Router(
        response_headers=PAGE_HEADERS,
        path="/",
        route_handlers=[overview, speaker_list, speaker_page, article_list, article_page, search_page, search_csv,
                        review_page, sign_in, merge, split, rename],
        dependencies={"aggregates": Provide(provide_aggregates, sync_to_thread=False),
                      "review": Provide(provide_review, sync_to_thread=False)},
        before_request=skip_json_check,
        exception_handlers=html_errors,
        include_in_schema=False,
        tags=["pages"],
    )


def static_router() -> Router:
    """The stylesheet, the script and the vendored API docs UI, cacheable for a day."""
    return create_static_files_router(
        path=STATIC_PATH, directories=[STATIC_DIR], opt=dict(PUBLIC),
        cache_control=CacheControlHeader(max_age=86400, public=True), include_in_schema=False,
    )


def docs_render_plugins() -> list[Any]:
    """/schema as Redoc served from the package: no CDN script, no web fonts, no remote favicon."""
    return [RedocRenderPlugin(js_url=f"{STATIC_PATH}/vendor/redoc.standalone.js", google_fonts=False,
                              path="/", favicon="<link rel='icon' href='data:,'>")]
