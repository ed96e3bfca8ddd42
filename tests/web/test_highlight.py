"""Marking quotes in an article's text: every quote's pieces spell exactly its offsets' text."""

from __future__ import annotations

import re
from html import unescape

import pytest

from api.web.charts import nice_ceiling, weekly_bars
from api.web.highlight import marked_text, speaker_styles
from quotelens.contract import ArticleRef, QuoteRead, SpeakerRef


def _quote(qid: int, text: str, start: int, end: int, speaker: int | None) -> QuoteRead:
    ref = SpeakerRef(id=speaker, slug=f"s{speaker}", name=f"Speaker {speaker}", kind="person") if speaker else None
    return QuoteRead(id=qid, text=text[start:end], kind="direct", start=start, end=end, cue="said", mention=None,
                     via=None, confidence=0.9, context="", speaker=ref,
                     article=ArticleRef(id=1, title=None, outlet=None, published=None, url=None))


def _pieces(html: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for ids, inner in re.findall(r'<a class="q [^"]*" href="#q-\d+" data-quotes="([\d ]+)" data-quote="\d+">(.*?)</a>',
                                 html, flags=re.S):
        text = unescape(re.sub(r"<[^>]+>", "", inner))
        for qid in ids.split():
            out[int(qid)] = out.get(int(qid), "") + text
    return out


@pytest.mark.parametrize("text, spans", [
    ("“We stay,” he said. “We go,” she said.", [(1, 1, 8, 1), (2, 21, 26, 2)]),
    # overlapping and nested quotes, a quote at the very start and one at the very end
    ("Alpha beta <gamma> & delta\nepsilon zeta", [(1, 0, 10, 1), (2, 6, 18, 2), (3, 11, 17, None),
                                                 (4, 27, 39, 1)]),
    ("One\n\nTwo “three”", [(1, 0, 9, 3)]),
])
def test_each_quote_is_marked_exactly(text: str, spans: list[tuple[int, int, int, int | None]]) -> None:
    quotes = [_quote(qid, text, s, e, sp) for qid, s, e, sp in spans]
    html = str(marked_text(text, quotes, speaker_styles(quotes)))
    pieces = _pieces(html)
    assert pieces == {q.id: text[q.start:q.end] for q in quotes}
    # The whole text survives, escaped, once the badges are taken out.
    plain = unescape(re.sub(r"<[^>]+>", "", re.sub(r'<span class="badge[^>]*>[^<]*</span>', "", html)))
    assert plain == text


def test_speakers_get_distinct_letters_in_order_of_first_quote() -> None:
    text = "a b c d e f"
    quotes = [_quote(1, text, 4, 5, 7), _quote(2, text, 0, 1, 9), _quote(3, text, 8, 9, 7), _quote(4, text, 2, 3, None)]
    styles = speaker_styles(quotes)
    assert (styles[9].letter, styles[7].letter, styles[None].letter) == ("A", "B", "?")
    assert styles[9].css != styles[7].css


def test_weekly_chart_states_its_figures() -> None:
    from datetime import date

    from quotelens.contract import WeekCount

    svg = str(weekly_bars([WeekCount(week=date(2020, 6, 8), quotes=3), WeekCount(week=date(2020, 6, 15), quotes=0)],
                          title="Quotes per week", chart_id="w"))
    assert svg.count("<rect") == 2 and "3 quotes in 2 weeks" in svg and 'role="img"' in svg
    assert [nice_ceiling(v) for v in (1, 3, 7, 12, 51, 1000)] == [1, 5, 10, 20, 100, 1000]
