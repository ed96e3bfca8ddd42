"""The engine's spaCy components, one a module, each a thin shell over plain functions.

In pipeline order:

- `quotelens_newline_sentences` (`sentences.py`, before the parser): a line
  break always starts a sentence, so a headline never glues onto the first paragraph;
- `quotelens_name_repair` (`name_repair.py`, after the NER): grows and relabels
  person names the small NER gets wrong; the one step that writes `doc.ents`;
- `quotelens_attribution` (`quotes.py`, last): runs `extract_quotes` and stores
  the quotes as plain dicts in `doc._.quotes`, which survive `nlp.pipe(n_process>1)`.

Their factories are registered when these modules are imported, and for any
spaCy pipeline through the `spacy_factories` entry point in `pyproject.toml`
(so a saved pipeline that names them loads with `spacy.load`).
"""

from __future__ import annotations

from .guarded import GuardedPipe, continue_batch
from .name_repair import NameRepair
from .quotes import QuoteFinder, failure_of, quotes_of
from .sentences import newline_sentences

__all__ = [
    "GuardedPipe",
    "NameRepair",
    "QuoteFinder",
    "continue_batch",
    "failure_of",
    "newline_sentences",
    "quotes_of",
]
