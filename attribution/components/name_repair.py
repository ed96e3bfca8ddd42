"""`quotelens_name_repair`: the NER's usual misses on person names, fixed in `doc.ents`.

The one quotelens step that writes `doc.ents`; the rules after it only read
the doc. The heuristics are `attribution.coref.repair_person_names`.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..coref import repair_person_names
from ..lexicon import Lexicon, get_lexicon
from .guarded import GuardedPipe

__all__ = ["NameRepair"]


class NameRepair(GuardedPipe):
    """Grows a person's name left over its first names, relabels person-shaped ORG/GPE."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.lexicon: Lexicon = get_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        repair_person_names(doc, self.lexicon)
        return doc


@Language.factory(
    "quotelens_name_repair",
    assigns=["doc.ents"],
    requires=["doc.ents", "token.pos", "token.dep"],
)
def make_name_repair(nlp: Language, name: str) -> NameRepair:
    return NameRepair(nlp, name)
