"""Marking quotes in an article's text (every quote's pieces spell exactly its offsets' text), the weekly
chart drawn on the server, and search words marked in quotes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import msgspec
import pytest

from api.web.charts import nice_ceiling, weekly_bars
from api.web.highlight import marked_text, speaker_styles
from api.web.words import mark_words
from quotelens.contract import ArticleRef, QuoteRead, SpeakerRef, WeekCount


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


def _weeks(*counts: int) -> list[WeekCount]:
    return [WeekCount(week=date(2020, 6, 8) + timedelta(days=7 * i), quotes=n) for i, n in enumerate(counts)]


def test_weekly_chart_states_its_figures() -> None:
    svg = str(weekly_bars(_weeks(3, 0, 5), title="Quotes per week", chart_id="w"))
    assert svg.count("<rect") == 2  # the empty week draws nothing
    assert "8 quotes in 3 weeks" in svg and "busiest week, starting 22 Jun 2020, had 5" in svg
    assert 'role="img"' in svg and '<svg class="bars" id="w"' in svg
    # The figures as a table too, the weeks that had quotes.
    assert re.findall(r"<tr><th scope=\"row\">([^<]+)</th><td>(\d+)</td></tr>", svg) == [
        ("8 Jun 2020", "3"), ("22 Jun 2020", "5")]
    # The axis: a round top, and its half.
    assert re.search(r'<div class="y-axis"[^>]*><span>5</span><span>2.5</span><span>0</span>', svg)
    assert [nice_ceiling(v) for v in (1, 3, 7, 12, 51, 1000)] == [1, 5, 10, 20, 100, 1000]


@pytest.mark.parametrize("counts, labels", [
    ((4,), ["8 Jun 2020"]),  # one week: one label, under its bar
    ((4, 2), ["8 Jun 2020"]),  # two weeks side by side: a second label would overlap the first
    (tuple(range(1, 40)), ["8 Jun 2020", "19 Oct 2020", "1 Mar 2021"]),
])
def test_weekly_chart_labels_do_not_overlap(counts: tuple[int, ...], labels: list[str]) -> None:
    svg = str(weekly_bars(_weeks(*counts), title="t", chart_id="w"))
    placed = re.findall(r'<span class="[a-z-]+" style="(left|right): ([\d.]+)%">([^<]+)</span>', svg)
    assert [text for _, _, text in placed] == labels
    lefts = [float(at) if side == "left" else 100 - float(at) for side, at, _ in placed]
    assert all(b - a >= 30 for a, b in zip(lefts, lefts[1:], strict=False))


def test_a_short_series_keeps_its_bars_narrow() -> None:
    svg = str(weekly_bars(_weeks(6), title="t", chart_id="w"))
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    bar = float(re.search(r'<rect class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert bar / width < 0.1
    assert "6 quotes in the week of 8 Jun 2020." in svg


def test_no_weeks_is_a_sentence() -> None:
    assert str(weekly_bars([], title="t", chart_id="w", empty="No dated quotes.")) == (
        '<p class="empty" id="w-empty">No dated quotes.</p>')


def test_an_uncertain_speaker_is_marked_like_no_speaker() -> None:
    # The API names no speaker for an uncertain quote (its guess is apart): it shares the "?" mark.
    text = "“We stay,” he said. “We go,” she said."
    sure, unsure = _quote(1, text, 1, 8, 1), _quote(2, text, 21, 26, None)
    unsure = msgspec.structs.replace(unsure, speaker_uncertain=True, speaker_guess=sure.speaker)
    html = str(marked_text(text, [sure, unsure], speaker_styles([sure, unsure])))
    assert re.findall(r'<span class="badge ([^"]*)" id="m-(\d)" title="([^"]*)">([^<]*)</span>', html) == [
        ("c0 u0", "1", "Speaker 1", "A"), ("cn u0", "2", "speaker not found or uncertain", "?")]


@pytest.mark.parametrize("query, text, marked", [
    ("troops", "The troop left; troopers and Troops stayed.", ["troop", "troopers", "Troops"]),
    ("withdrawal Iraq", "a withdrawing force in Iraqi towns", ["withdrawing", "Iraqi"]),
    ("of it", "one of it", []),  # words too short to point at
    ("", "anything", []),
    ("<b>", "a <b> tag", []),
])
def test_search_words_are_marked(query: str, text: str, marked: list[str]) -> None:
    html = str(mark_words(text, query))
    assert re.findall(r"<mark>([^<]*)</mark>", html) == marked
    assert unescape(re.sub(r"</?mark>", "", html)) == text  # nothing else changed, and escaped
    assert "<b>" not in html
