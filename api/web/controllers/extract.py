"""Extraction without storing: text in, the engine's quotes out."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.openapi.spec import Example
from litestar.params import Body

from api.ingest.text import prepare_article_text
from api.web.controllers._common import WRITE_SECURITY, ServicesDep, problems
from api.web.security import WRITE
from quotelens.contract import EXAMPLE_TEXT, ExtractedQuote, ExtractRequest, ExtractResponse

__all__ = ["ExtractController"]


class ExtractController(Controller):
    path = "/api/extract"
    tags = ["extract"]

    @post("/", operation_id="extractQuotes", summary="Find the quotes in a text; nothing is stored",
          status_code=200, responses=problems(400, 401, 403, 413, 415, 422, 429, 503),
          opt=WRITE, security=WRITE_SECURITY)
    async def extract(
        self,
        services: ServicesDep,
        data: Annotated[ExtractRequest, Body(examples=[Example(summary="One quote", value={"text": EXAMPLE_TEXT})])],
    ) -> ExtractResponse:
        """The quotes the engine finds in the text, with speakers, cues and offsets; nothing is stored.

        Costly like a write, so it needs a key when keys are configured. NLP work is bounded:
        503 with Retry-After when the queue is full or the text is not read in time.
        """
        text = prepare_article_text(data.text, services.settings.max_article_chars)
        quotes = await services.engine.extract(text)
        return ExtractResponse(quotes=[msgspec.convert(q.to_dict(), ExtractedQuote) for q in quotes])
