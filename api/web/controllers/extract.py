"""Extraction without storing: text in, the engine's quotes out."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.openapi.spec import Example
from litestar.params import Body

from api.ingest.text import prepare_article_text
from api.web.controllers._common import ServicesDep, problems
from quotelens.contract import EXAMPLE_TEXT, ExtractedQuote, ExtractRequest, ExtractResponse

__all__ = ["ExtractController"]


class ExtractController(Controller):
    path = "/api/extract"
    tags = ["extract"]

    @post("/", operation_id="extractQuotes", summary="Find the quotes in a text; nothing is stored",
          status_code=200, responses=problems(400, 413, 415, 422, 429, 503))
    async def extract(
        self,
        services: ServicesDep,
        data: Annotated[ExtractRequest, Body(examples=[Example(summary="One quote", value={"text": EXAMPLE_TEXT})])],
    ) -> ExtractResponse:
        """The quotes the engine finds in the text, with speakers, cues and offsets; nothing is stored."""
        text = prepare_article_text(data.text, services.settings.max_article_chars)
        quotes = await services.engine.extract(text)
        return ExtractResponse(quotes=[msgspec.convert(q.to_dict(), ExtractedQuote) for q in quotes])
