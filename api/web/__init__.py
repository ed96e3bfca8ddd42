"""The HTTP layer (Litestar): the app (`app`), controllers, problem details (`problems`), API keys
(`security`). The only place that knows status codes."""

from .app import create_app

__all__ = ["create_app"]
