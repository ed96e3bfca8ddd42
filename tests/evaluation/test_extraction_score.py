"""The extraction scorer on hand-made gold and predictions whose hits and misses are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quotelens.evaluation import (
    GoldItem,
    load_polnear,
    load_predictions,
    load_seed_gold,
    score_extraction,
)
from quotelens.evaluation.extraction import speaker_is_right

TEXT = ('Jane Smith spoke on Monday. "We will build the bridge," Smith said. '
        'The mayor said taxes would fall. "It is late," a spokesman said. Bob Jones said nothing new.')


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture
def seed_corpus(tmp_path: Path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text(TEXT, "utf-8")
    bridge, smith = span(TEXT, "We will build the bridge,"), span(TEXT, "Smith said")
    taxes, mayor = span(TEXT, "taxes would fall"), span(TEXT, "The mayor")
    late = span(TEXT, "It is late,")
    gold = [
        {"start": bridge[0], "end": bridge[1], "kind": "direct", "speaker": "Jane Smith",
         "speaker_start": smith[0], "speaker_end": smith[0] + 5, "mention": "Smith"},
        {"start": taxes[0], "end": taxes[1], "kind": "indirect", "speaker": "Tom Reed",
         "speaker_start": mayor[0], "speaker_end": mayor[1], "mention": "The mayor"},
        # no source: a prediction landing here is neither a hit nor a false positive
        {"start": late[0], "end": late[1], "kind": "direct", "speaker": None,
         "speaker_start": None, "speaker_end": None, "mention": None},
    ]
    gold_file = write_jsonl(tmp_path / "gold.jsonl", [{"doc": "a", "quotes": gold}])
    return load_seed_gold(gold_file, tmp_path / "texts")


def pred(part: str, speaker: str | None, mention: str | None = None) -> dict:
    start, end = span(TEXT, part)
    s = span(TEXT, mention) if mention else (None, None)
    return {"start": start, "end": end, "speaker": speaker, "speaker_start": s[0], "speaker_end": s[1]}


PREDS = [
    pred("We will build the bridge,", "Jane Smith"),      # hit, speaker right by name
    pred("the bridge", "Jane Smith"),                     # second on the same gold item: false positive
    pred("taxes would fall", "Bob Jones"),                # found, speaker wrong
    pred("It is late,", "a spokesman"),                   # on a source-less gold item: not counted
    pred("Bob Jones said nothing new", "Bob Jones"),      # no gold there: false positive
]


def test_all_attributions(seed_corpus) -> None:
    score = score_extraction(seed_corpus, {"a": PREDS})
    counts = score.all
    assert (counts.gold, counts.pred, counts.detected, counts.attributed) == (2, 4, 2, 1)
    assert counts.detection == (0.5, 1.0, 0.6667)
    assert counts.attribution == (0.25, 0.5, 0.3333)
    assert (score.docs, score.docs_missing_in_pred) == (1, 0)


def test_direct_quotes_only(seed_corpus) -> None:
    # direct predictions: those with a quotation mark within two characters (the first,
    # second and fourth); the fourth lands on a source-less item and is dropped
    counts = score_extraction(seed_corpus, {"a": PREDS}).direct
    assert (counts.gold, counts.pred, counts.detected, counts.attributed) == (1, 2, 1, 1)
    assert counts.attribution == (0.5, 1.0, 0.6667)


def test_speaker_mention_overlap_counts_without_the_name(seed_corpus) -> None:
    found = [pred("taxes would fall", "somebody", mention="The mayor")]
    counts = score_extraction(seed_corpus, {"a": found}).all
    assert (counts.pred, counts.detected, counts.attributed) == (1, 1, 1)


def test_nothing_predicted(seed_corpus) -> None:
    score = score_extraction(seed_corpus, {})
    assert score.docs_missing_in_pred == 1
    assert score.all.detection == (0.0, 0.0, 0.0)
    assert (score.all.gold, score.all.pred) == (2, 0)


@pytest.mark.parametrize("speaker, speaker_span, expected", [
    ("Jane Smith", None, True),             # shares "smith" / "jane"
    ("Ms. Smith", None, True),
    ("Sen. Mr.", None, False),              # titles alone name nobody
    ("Jo", None, False),                    # shorter than three letters
    (None, (5, 12), True),                  # mention overlaps the gold source
    (None, (12, 20), False),                # touches it only
    ("Bob Jones", (30, 35), False),
])
def test_speaker_is_right(speaker, speaker_span, expected) -> None:
    gold = GoldItem(spans=((100, 120),), direct=True, source_spans=((0, 12),),
                    names=frozenset({"jane", "smith"}))
    start, end = speaker_span or (None, None)
    assert speaker_is_right({"speaker": speaker, "speaker_start": start, "speaker_end": end}, gold) is expected


def test_ties_go_to_the_later_prediction(tmp_path: Path) -> None:
    # two predictions overlap one gold item equally: one is paired, the other is a
    # false positive; the later one is paired (the shared scorer's order), so only
    # its speaker decides attribution
    text = 'He said "abcdefghij" and more.'
    (tmp_path / "d.txt").write_text(text, "utf-8")
    s, e = span(text, "abcdefghij")
    gold = write_jsonl(tmp_path / "g.jsonl", [{"doc": "d", "quotes": [
        {"start": s, "end": e, "kind": "direct", "speaker": "Ann Lee", "speaker_start": 0, "speaker_end": 2}]}])
    corpus = load_seed_gold(gold, tmp_path)
    first = {"start": s, "end": s + 5, "speaker": "Ann Lee"}
    second = {"start": s + 5, "end": e, "speaker": "Max Roe"}
    counts = score_extraction(corpus, {"d": [first, second]}).all
    assert (counts.pred, counts.detected, counts.attributed) == (2, 1, 0)


POLNEAR_TEXT = 'Title\n"We are ready," he said. Officials said the plan, which "works well," was late.\n'


def _corenlp_xml(text: str) -> str:
    # a parse with one coreference chain: "Ann Lee" (representative) and "he"
    tokens = [("Ann", 0), ("Lee", 4), ("he", text.index("he said"))]
    toks = "".join(f"<token><word>{w}</word><CharacterOffsetBegin>{b}</CharacterOffsetBegin>"
                   f"<CharacterOffsetEnd>{b + len(w)}</CharacterOffsetEnd></token>" for w, b in tokens)
    return ("<root><document><sentences><sentence><tokens>" + toks + "</tokens></sentence></sentences>"
            "<coreference><coreference>"
            "<mention representative=\"true\"><sentence>1</sentence><start>1</start><end>3</end>"
            "<text>Ann Lee</text></mention>"
            "<mention><sentence>1</sentence><start>3</start><end>4</end><text>he</text></mention>"
            "</coreference></coreference></document></root>")


@pytest.fixture
def polnear_split(tmp_path: Path) -> Path:
    split = tmp_path / "dev"
    for sub in ("text", "attributions", "corenlp"):
        (split / sub).mkdir(parents=True)
    (split / "text" / "doc1.txt").write_text(POLNEAR_TEXT, "utf-8")
    t = POLNEAR_TEXT
    ready, he = span(t, '"We are ready,"'), span(t, "he")  # PolNeAR content holds the marks
    cue = span(t, "said")
    officials = span(t, "Officials")
    part1, part2 = span(t, "the plan, which"), span(t, '"works well," was late')
    ann = "\n".join([
        f"T1\tSource {he[0]} {he[1]}\the",
        f"T2\tCue {cue[0]} {cue[1]}\tsaid",
        f"T3\tContent {ready[0]} {ready[1]}\t\"We are ready,\"",
        f"T4\tAttribution {cue[0]} {cue[1]}\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        f"T5\tSource {officials[0]} {officials[1]}\tOfficials",
        f"T6\tContent {part1[0]} {part1[1]};{part2[0]} {part2[1]}\tthe plan …",
        "T7\tAttribution 0 5\tTitle",
        "E2\tAttribution:T7 Content:T6 Source:T5",
        "T8\tContent 0 5\tTitle",
        "T9\tAttribution 0 5\tTitle",
        "E3\tAttribution:T9 Content:T8",          # no source: not scored
        "A1\tFactuality E1 certain",              # other lines are ignored
    ]) + "\n"
    (split / "attributions" / "doc1_0a1b.ann").write_text(ann, "utf-8")
    # a second annotator of the same article: the first alphabetically is used
    (split / "attributions" / "doc1_ff00.ann").write_text("", "utf-8")
    (split / "corenlp" / "doc1.txt.xml").write_text(_corenlp_xml(t), "utf-8")
    return split


def test_polnear_split(polnear_split: Path) -> None:
    corpus = load_polnear(polnear_split)
    assert list(corpus.gold) == ["doc1"]
    first, second, third = corpus.gold["doc1"]
    assert first.direct and first.names == {"ann", "lee"}  # "he" named through coreference
    assert len(second.spans) == 2 and second.direct and second.names == frozenset()  # a role word names nobody
    assert not third.has_source
    t = POLNEAR_TEXT
    preds = [
        {"start": span(t, "We are ready,")[0], "end": span(t, "We are ready,")[1], "speaker": "Ann Lee"},
        {"start": span(t, "works well")[0], "end": span(t, "works well")[1], "speaker": "Ann Lee"},
    ]
    score = score_extraction(corpus, {"doc1": preds})
    assert (score.all.gold, score.all.pred, score.all.detected, score.all.attributed) == (2, 2, 2, 1)
    assert (score.direct.gold, score.direct.pred, score.direct.attributed) == (2, 2, 1)


def test_predictions_file_round_trip(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [{"doc": "a", "quotes": PREDS}, {"doc": "b"}])
    assert load_predictions(path) == {"a": PREDS, "b": []}
