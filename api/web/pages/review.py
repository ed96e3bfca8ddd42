"""The review page: speakers worth a second look, with merge, split and rename.

When keys are configured (QUOTELENS_API_KEYS) the page and its actions need one:
from the `X-API-Key` header, or from a cookie the page's sign-in form sets
(HttpOnly, SameSite=Strict; the API's own routes ignore it). The actions are HTML form posts
that call the same speaker service as the API's edit routes, then show the
result; a post from another site (its Origin not this host) is refused.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template
from msgspec import Struct

from api.quotes.aggregates import Aggregates
from api.services import Services
from api.speakers.review import LOW_CONFIDENCE, ReviewQueue
from api.web.pages._common import query_string
from api.web.problems import problem_for
from api.web.security import API_KEY_HEADER, PUBLIC, key_is_valid
from api.web.security import PAGE_KEY_COOKIE as KEY_COOKIE
from quotelens.contract import SpeakerDetail
from quotelens.errors import BadRequest, QuotelensError, Unauthorized

__all__ = ["KEY_COOKIE", "review_page", "sign_in", "merge", "split", "rename", "review_guard"]

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


def given_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    return connection.headers.get(API_KEY_HEADER) or connection.cookies.get(KEY_COOKIE)


async def review_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The review page and its actions need a valid key whenever keys are configured."""
    keys: tuple[str, ...] = connection.app.state.settings.api_keys
    if keys and not key_is_valid(given_key(connection), keys):
        raise Unauthorized(f"the review page needs a valid {API_KEY_HEADER} (sign in with a key)")


def _same_origin(request: Request[Any, Any, Any]) -> None:
    """Refuse a form post another site's page made a browser send (no CSRF token needed)."""
    origin = request.headers.get("origin")
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise BadRequest("a review action must come from this site's own pages")
    if origin is not None and origin != "null":
        host = request.headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            raise BadRequest("a review action must come from this site's own pages")


def provide_review(state: State, aggregates: NamedDependency[Aggregates]) -> ReviewQueue:
    found: ReviewQueue | None = state.get("review_queue")
    if found is None:
        services: Services = state.services
        found = ReviewQueue(services.store, services.directory, aggregates.cache)
        state.review_queue = found
    return found


async def _render(services: Services, queue: ReviewQueue, *, done: str | None = None,
                  speaker: str | None = None, other: str | None = None, error: str | None = None,
                  fix: str | None = None, status: int = 200) -> Template:
    duplicates, low, once = await asyncio.gather(
        queue.likely_duplicates(), queue.low_confidence(), queue.seen_once())
    result = await _detail_or_none(services, speaker) if done in ("merge", "split", "rename") else None
    fixing = await _detail_or_none(services, fix)
    # The speakers on this page, offered as suggestions in the forms' speaker fields.
    known = {p.keep.slug: p.keep.name for p in duplicates} | {p.other.slug: p.other.name for p in duplicates}
    known |= {row.speaker.slug: row.speaker.name for row in low} | {ref.slug: ref.name for ref in once}
    if fixing is not None:
        known[fixing.slug] = fixing.name
    return Template(template_name="review.html.j2", status_code=status, context={
        "duplicates": duplicates, "low": low, "once": once, "low_cut": LOW_CONFIDENCE,
        "threshold": services.quotes.speaker_confidence,
        "done": done, "result": result, "other": other, "error": error,
        "keys_configured": bool(services.settings.api_keys), "fix": fixing.slug if fixing else (fix or "")[:200],
        "fixing": fixing, "known": sorted(known.items(), key=lambda kv: kv[1].lower()),
    })


async def _detail_or_none(services: Services, ident: str | None) -> SpeakerDetail | None:
    if not ident or not ident.strip():
        return None
    try:
        return await services.speakers.detail(ident.strip()[:200])
    except QuotelensError:
        return None


@get("/review", name="review", include_in_schema=False, guards=[review_guard])
async def review_page(services: NamedDependency[Services], review: NamedDependency[ReviewQueue],
                      done: FromQuery[str | None] = None, speaker: FromQuery[str | None] = None,
                      other: FromQuery[str | None] = None, fix: FromQuery[str | None] = None) -> Template:
    """Likely duplicates, low-confidence attributions and names seen once, each with its fix at hand;
    `fix` fills in the speaker of the merge, split and rename forms."""
    return await _render(services, review, done=done, speaker=speaker, other=other, fix=fix)


class KeyForm(Struct):
    key: str = ""
    next: str = "/review"


@post("/review/sign-in", name="review_sign_in", include_in_schema=False, status_code=303, opt=PUBLIC)
async def sign_in(request: Request[Any, Any, Any], data: Annotated[KeyForm, Form]) -> Response[Any]:
    """Check a key and keep it in a cookie for the review pages."""
    _same_origin(request)
    keys: tuple[str, ...] = request.app.state.settings.api_keys
    if keys and not key_is_valid(data.key, keys):
        return Template(template_name="key.html.j2", status_code=401,
                        context={"next": data.next, "error": "That key is not one of this service's keys."})
    target = data.next if data.next.startswith("/") and not data.next.startswith("//") else "/review"
    return Redirect(target, status_code=303, cookies=[
        Cookie(key=KEY_COOKIE, value=data.key, path="/", httponly=True, samesite="strict",
               secure=request.url.scheme == "https", max_age=8 * 3600)])


class MergeForm(Struct):
    speaker: str = ""
    other: str = ""


class SplitForm(Struct):
    speaker: str = ""
    alias: str = ""


class RenameForm(Struct):
    speaker: str = ""
    name: str = ""


async def _act(request: Request[Any, Any, Any], services: Services, queue: ReviewQueue, action: str,
               call: Any, other: str | None = None) -> Response[Any]:
    _same_origin(request)
    try:
        detail = await call()
    except QuotelensError as exc:
        if isinstance(exc, Unauthorized):
            raise
        return await _render(services, queue, error=f"{action} failed: {exc.detail}", status=problem_for(exc)[0])
    return Redirect("/review" + query_string({"done": action, "speaker": detail.slug, "other": other}),
                    status_code=303)


@post("/review/merge", name="review_merge", include_in_schema=False, guards=[review_guard], status_code=303)
async def merge(request: Request[Any, Any, Any], services: NamedDependency[Services],
                review: NamedDependency[ReviewQueue], data: Annotated[MergeForm, Form]) -> Response[Any]:
    """Merge `other` into `speaker` (ids or slugs), as POST /api/speakers/{speaker}/merge does."""
    folded = await _detail_or_none(services, data.other)  # its name, for the message: the slug will be gone
    return await _act(request, services, review, "merge",
                      lambda: services.speakers.merge(data.speaker.strip()[:200], data.other.strip()[:200]),
                      other=folded.name if folded is not None else data.other.strip()[:200])


@post("/review/split", name="review_split", include_in_schema=False, guards=[review_guard], status_code=303)
async def split(request: Request[Any, Any, Any], services: NamedDependency[Services],
                review: NamedDependency[ReviewQueue], data: Annotated[SplitForm, Form]) -> Response[Any]:
    """Split an alias off a speaker into a speaker of its own, as POST /api/speakers/{speaker}/split does."""
    return await _act(request, services, review, "split",
                      lambda: services.speakers.split(data.speaker.strip()[:200], data.alias[:300]),
                      other=data.speaker.strip()[:200])


@post("/review/rename", name="review_rename", include_in_schema=False, guards=[review_guard], status_code=303)
async def rename(request: Request[Any, Any, Any], services: NamedDependency[Services],
                 review: NamedDependency[ReviewQueue], data: Annotated[RenameForm, Form]) -> Response[Any]:
    """Give a speaker a display name ingest keeps, as PATCH /api/speakers/{speaker} does."""
    return await _act(request, services, review, "rename",
                      lambda: services.speakers.rename(data.speaker.strip()[:200], data.name[:300]))
