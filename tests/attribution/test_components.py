"""The engine's spaCy components: the rule table, config, entry points, error handling."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from spacy.util import raise_error

import attribution.rules as rules
from attribution import ExtractionFailed, Extractor, Thresholds
from attribution.components import continue_batch, failure_of, quotes_of
from attribution.rules import NOT_SPEECH, RULES, QuoteContext, QuoteRule, TextRule

GOOD = [
    "“We will keep the harbour open,” said Greta Lindqvist, the port director.",
    "Dmitri Volkov warned that the river could flood again.",
]
BAD = "“This one breaks the rules,” said Kwame Asante."


def _explode(c: QuoteContext) -> None:
    if "breaks the rules" in c.inner:
        raise RuntimeError("a rule tripped")
    return None


@pytest.fixture
def exploding_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """A first quote rule that raises on one text only."""
    monkeypatch.setattr(rules, "RULES", (QuoteRule("explode", _explode), *RULES))


# ---------------------------------------------------------------- the rule table

def test_rule_table_runs_quote_rules_then_text_rules() -> None:
    kinds = [type(r) for r in RULES]
    first_text = kinds.index(TextRule)
    assert all(k is QuoteRule for k in kinds[:first_text])
    assert all(k is TextRule for k in kinds[first_text:])
    assert [r.name for r in RULES][:2] == ["scare-quote", "cue-after"]
    with pytest.raises(ValueError, match="before the text rules"):
        rules._check_order((TextRule("t", lambda p: []), QuoteRule("q", lambda c: None)))


def test_a_rule_added_to_the_table_takes_its_place(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    text = GOOD[0]
    assert [q.evidence["quote"] for q in extractor.extract(text)] == ["direct-cue-after"]
    # a quote rule first in the table that calls every quoted stretch no quote wins over
    # the quote rules after it; the text rules still run (and report the words as indirect)
    monkeypatch.setattr(rules, "RULES", (QuoteRule("never", lambda c: NOT_SPEECH), *RULES))
    assert [q.evidence["quote"] for q in extractor.extract(text)] == ["indirect-complement-clause"]


# ---------------------------------------------------------------- errors

def test_one_failing_document_does_not_abort_the_batch(extractor: Extractor, exploding_rule: None) -> None:
    expected = [extractor.extract(t) for t in GOOD]
    failures: list[tuple[int, ExtractionFailed]] = []
    out = list(extractor.extract_many([GOOD[0], BAD, GOOD[1]], on_error=lambda i, e: failures.append((i, e))))
    assert out == [expected[0], [], expected[1]]
    assert [i for i, _ in failures] == [1]
    error = failures[0][1]
    assert error.index == 1
    assert "quotelens_attribution" in error.reason and "RuntimeError: a rule tripped" in error.reason


def test_one_failing_document_in_worker_processes(extractor: Extractor, exploding_rule: None) -> None:
    expected = [extractor.extract(t) for t in GOOD]
    failures: list[int] = []
    texts = [GOOD[0], BAD, GOOD[1], BAD]
    out = list(extractor.extract_many(texts, workers=2, batch_size=1, on_error=lambda i, e: failures.append(i)))
    assert out == [expected[0], [], expected[1], []]
    assert failures == [1, 3]


def test_failures_are_logged_by_default(extractor: Extractor, exploding_rule: None,
                                        caplog: pytest.LogCaptureFixture) -> None:
    out = list(extractor.extract_many([BAD, GOOD[1]]))
    assert out[0] == [] and out[1]
    assert "text 0: extraction failed in quotelens_attribution" in caplog.text


def test_extract_one_failing_text_raises(extractor: Extractor, exploding_rule: None) -> None:
    with pytest.raises(ExtractionFailed, match="a rule tripped"):
        extractor.extract(BAD)


def test_error_handler_marks_the_doc_and_the_pipe_goes_on(extractor: Extractor, exploding_rule: None) -> None:
    seen: list[tuple[str, int]] = []

    def handler(name, proc, docs, exc):  # noqa: ANN001
        seen.append((name, len(docs)))
        continue_batch(name, proc, docs, exc)

    pipe = extractor.nlp.get_pipe("quotelens_attribution")
    pipe.set_error_handler(handler)
    try:
        docs = list(extractor.nlp.pipe([GOOD[0], BAD, GOOD[1]]))
    finally:
        pipe.set_error_handler(continue_batch)
    assert seen == [("quotelens_attribution", 1)]
    assert [failure_of(d) is not None for d in docs] == [False, True, False]
    assert quotes_of(docs[0]) and quotes_of(docs[1]) == []


def test_spacy_default_error_handler_still_raises(extractor: Extractor, exploding_rule: None) -> None:
    pipe = extractor.nlp.get_pipe("quotelens_attribution")
    pipe.set_error_handler(raise_error)
    try:
        with pytest.raises(RuntimeError, match="a rule tripped"):
            list(extractor.nlp.pipe([GOOD[0], BAD]))
    finally:
        pipe.set_error_handler(continue_batch)


def test_extraction_failed_pickles() -> None:
    import pickle

    e = pickle.loads(pickle.dumps(ExtractionFailed(3, "quotelens_attribution: KeyError: 'x'")))
    assert (e.index, e.reason) == (3, "quotelens_attribution: KeyError: 'x'")
    assert str(e) == "text 3: extraction failed in quotelens_attribution: KeyError: 'x'"


# ---------------------------------------------------------------- config and registration

def test_thresholds_are_the_component_config(extractor: Extractor) -> None:
    cfg = extractor.nlp.get_pipe_config("quotelens_attribution")
    defaults = Thresholds()
    assert cfg["min_frame_p"] == defaults.min_frame_p == 0.4
    assert cfg["min_indirect_weight"] == defaults.min_indirect_weight
    assert extractor.nlp.get_pipe("quotelens_attribution").thresholds == defaults


def test_a_threshold_set_in_config_changes_what_is_found(extractor: Extractor) -> None:
    nlp = extractor.nlp
    text = "Kwame Asante said the budget was balanced."
    assert [q.kind for q in extractor.extract(text)] == ["indirect"]
    # a cue must now be more reliable than any to report indirect speech (no that-clause here)
    nlp.add_pipe("quotelens_attribution", name="strict", config={"min_indirect_weight": 1.01})
    try:
        doc = nlp(text, disable=["quotelens_attribution"])
    finally:
        nlp.remove_pipe("strict")
    assert [q for q in quotes_of(doc) if q["kind"] == "indirect"] == []


def test_name_repair_is_the_component_that_writes_ents(extractor: Extractor) -> None:
    names = extractor.nlp.pipe_names
    assert names.index("ner") < names.index("quotelens_name_repair") < names.index("quotelens_attribution")
    meta = extractor.nlp.get_pipe_meta("quotelens_name_repair")
    assert meta.assigns == ["doc.ents"]
    assert "doc.ents" not in extractor.nlp.get_pipe_meta("quotelens_attribution").assigns


def test_factories_come_through_the_spacy_entry_point() -> None:
    """A fresh process that never imports `attribution` can still add the components."""
    code = (
        "import json, sys, spacy\n"
        "nlp = spacy.blank('en')\n"
        "nlp.add_pipe('quotelens_newline_sentences')\n"
        "nlp.add_pipe('quotelens_attribution', config={'min_frame_p': 0.5})\n"
        "print(json.dumps({'pipes': nlp.pipe_names,"
        " 'min_frame_p': nlp.get_pipe('quotelens_attribution').thresholds.min_frame_p}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {"pipes": ["quotelens_newline_sentences", "quotelens_attribution"],
                                      "min_frame_p": 0.5}
