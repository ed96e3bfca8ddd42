"""Extraction without storing: text in, the engine's quotes out."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, post
from litestar.openapi.spec import Example
from litestar.params import Body

from api.controllers._common import ServicesDep, problems
from api.schemas import EXAMPLE_TEXT, ExtractRequest, ExtractResponse
from api.services.text import prepare_article_text

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
        """The engine's quotes for the text, each as `attribution.Quote.to_dict()`."""
        text = prepare_article_text(data.text, services.settings.max_article_chars)
        quotes = await services.pipeline.extract(text)
        return ExtractResponse(quotes=[q.to_dict() for q in quotes])
