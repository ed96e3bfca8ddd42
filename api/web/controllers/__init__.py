"""One controller per resource; handlers are thin, the work is in `api.services`."""

from .articles import ArticleController
from .extract import ExtractController
from .health import HealthController
from .quotes import QuoteController
from .speakers import SpeakerController

__all__ = ["ArticleController", "ExtractController", "HealthController", "QuoteController", "SpeakerController"]
