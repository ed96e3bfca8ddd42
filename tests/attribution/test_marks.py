"""Quotation marks: which stretches of a text are quoted (`attribution.marks`)."""

from __future__ import annotations

import pytest

from attribution.marks import ALL_MARKS, find_quote_spans, paragraph_bounds

P = pytest.param


def inner(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_quote_spans(text)]


SPANS = [
    P("“The bridge will open,” Tove Halvorsen said.", ["The bridge will open,"], id="curly-pair"),
    P('"The bridge will open," Tove Halvorsen said.', ["The bridge will open,"], id="straight-pair"),
    P('She called it "unfair" and "late."', ["unfair", "late."], id="two-straight-pairs"),
    P("“Open,” he said. “Now.”", ["Open,", "Now."], id="two-curly-pairs"),
    P("“Open now\" he said.", ["Open now"], id="curly-opened-straight-closed"),
    P("«We will not give up», said Ravi.", ["We will not give up"], id="guillemets"),
    P("‘We will win,’ Ravi Chandrasekhar said.", [], id="single-marks-never-open"),
    P("It’s the nations’ plan and the farmers' union's idea.", [], id="apostrophes"),
    P("“They said ‘wait,’ and we waited,” she said.", ["They said ‘wait,’ and we waited,"], id="nested-single"),
    P('He called it"unfair" today.', ["unfair"], id="straight-glued-to-word"),
    P('The plan ("a disaster") failed.', ["a disaster"], id="straight-after-bracket"),
    P("The vote” was close and “fair” too.", ["fair"], id="stray-closer-ignored"),
    P("“The vote “was close” she said.", ["The vote", "was close"], id="two-openers-restart"),
    P("An empty “” pair and a blank “ ” pair.", [], id="empty-and-blank"),
    P("“Unclosed to the end of the line", ["Unclosed to the end of the line"], id="unclosed-ends-at-paragraph"),
    P("“Unclosed here  \nA new paragraph with “a quote” in it.", ["Unclosed here", "a quote"],
      id="unclosed-stops-at-newline"),
    P("“We have\u00a0no choice,” he said.", ["We have\u00a0no choice,"], id="nbsp-inside"),
    P("''We will win,'' Ravi Chandrasekhar said.", ["We will win,"], id="two-apostrophes-are-a-double-mark"),
    P("It is one of ''suffering and delight,'' she said.", ["suffering and delight,"], id="two-apostrophes-mixed"),
    P("The players' ''statement'' was long.", ["statement"], id="plural-possessive-before-two-apostrophes"),
    P("He wrote '''emphasis''' there.", [], id="three-apostrophes-are-not-a-mark"),
]


@pytest.mark.parametrize("text, expected", SPANS)
def test_find_quote_spans(text: str, expected: list[str]) -> None:
    assert inner(text) == expected


def test_span_fields_point_at_the_marks() -> None:
    text = "He said “we will win” today."
    [span] = find_quote_spans(text)
    assert text[span.open_mark] == "“"
    assert span.close_mark is not None and text[span.close_mark] == "”"
    assert (span.start, span.end) == (span.open_mark + 1, span.close_mark)
    assert (span.outer_start, span.outer_end) == (span.open_mark, span.close_mark + 1)
    assert span.paragraph == 0 and not span.continues


def test_unclosed_quote_continues_when_next_paragraph_opens_a_quote() -> None:
    text = "“We have the crews. We have the plan.\n“And we have the will to finish it.”"
    first, second = find_quote_spans(text)
    assert first.close_mark is None and first.continues
    assert text[first.start : first.end] == "We have the crews. We have the plan."
    assert first.outer_end == first.end
    assert second.paragraph == 1 and second.close_mark is not None and not second.continues


def test_unclosed_quote_does_not_continue_into_plain_paragraph() -> None:
    text = "“We have the crews.\nThe vote is on Sunday."
    [span] = find_quote_spans(text)
    assert span.close_mark is None and not span.continues


def test_unbalanced_mark_costs_only_its_paragraph() -> None:
    text = 'An odd " mark.\nPlain text here.\n“The vote was fair,” said Beatriz Carvalho.\n"And final," she added.'
    found = inner(text)
    assert found[-2:] == ["The vote was fair,", "And final,"]


@pytest.mark.parametrize(
    "text, expected",
    [
        P("", [], id="empty"),
        P("One line", [(0, 8)], id="one-line"),
        P("A\n\nB\n", [(0, 1), (3, 4)], id="blank-line-skipped"),
        P("A\n   \nB", [(0, 1), (6, 7)], id="whitespace-line-skipped"),
        P("Headline\r\nBody text", [(0, 9), (10, 19)], id="crlf-keeps-cr"),
    ],
)
def test_paragraph_bounds(text: str, expected: list[tuple[int, int]]) -> None:
    assert paragraph_bounds(text) == expected


def test_marks_sets_cover_the_newswire_marks() -> None:
    assert set("“”\"«»„") <= ALL_MARKS
    assert not (set("‘’'") & ALL_MARKS)  # single marks are apostrophes first
