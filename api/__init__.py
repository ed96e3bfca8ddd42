"""The quotelens HTTP API (Litestar) and its store: articles, quotes, tracked speakers.

    >>> from api import create_app
    >>> app = create_app()            # settings from the environment

Rooms, lowest first (docs/ARCHITECTURE.md): `store`, `speakers`, `quotes`, `ingest`,
`services` (wires them), `web` (HTTP). `api` imports `attribution` and the bottom of
`quotelens` (settings, errors, contract); nothing imports `api` but the CLI and tests
(the bot talks to it over HTTP).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import api.store` (migrations, the CLI) does not load Litestar.
    if name == "create_app":
        from .web.app import create_app

        return create_app
    raise AttributeError(name)
