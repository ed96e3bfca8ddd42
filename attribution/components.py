"""spaCy components: thin wrappers that call the engine's plain functions.

- `quotelens_newline_sentences` (before the parser): a line break always starts
  a sentence, so a headline never glues onto the first paragraph.
- `quotelens_attribution` (last): runs `extract_quotes` and stores the quotes as
  plain dicts in `doc._.quotes`, which survive `nlp.pipe(n_process>1)`.
"""

from __future__ import annotations

import bisect
from typing import Any

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

from .extract import extract_quotes

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


@Language.component("quotelens_newline_sentences", assigns=["token.is_sent_start"])
def newline_sentences(doc: Doc) -> Doc:
    """Mark the token after a line break as a sentence start."""
    text = doc.text
    if "\n" not in text or len(doc) < 2:
        return doc
    starts = doc.to_array(IDX)  # each token's character offset, read in C
    pos = text.find("\n")
    while pos != -1:
        # the first token that starts after the line break
        i = int(bisect.bisect_right(starts, pos))
        while i < len(doc) and doc[i].is_space:
            i += 1
        if 0 < i < len(doc):
            doc[i].is_sent_start = True
        pos = text.find("\n", pos + 1)
    return doc


class AttributionComponent:
    """Finds every attribution in a parsed doc and stores it in `doc._.quotes`."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = [q.to_dict() for q in extract_quotes(doc)]
        return doc


@Language.factory("quotelens_attribution", assigns=["doc._.quotes"], requires=["token.dep", "doc.ents"])
def make_attribution(nlp: Language, name: str) -> AttributionComponent:
    return AttributionComponent()


def quotes_of(doc: Doc) -> list[dict[str, Any]]:
    """The serialised quotes a processed doc carries (empty if none)."""
    return list(doc._.quotes or [])
