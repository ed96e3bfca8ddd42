"""`quotelens_newline_sentences`: a line break always starts a sentence."""

from __future__ import annotations

import bisect

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

__all__ = ["newline_sentences"]


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
