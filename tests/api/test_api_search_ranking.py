"""Speaker search ranking: the person asked for before word-alikes and groups; no hit before a wrong one."""

from __future__ import annotations

import pytest
from test_api_tracking import entry

from api.speakers.index import SpeakerIndex


@pytest.fixture
def index() -> SpeakerIndex:
    # Word-alikes and groups are quoted more than the persons asked for: counts must not win.
    return SpeakerIndex([
        entry(1, "Bernie Sanders", "person", "Sanders", quotes=3),
        entry(2, "Senate leaders", "anonymous", quotes=9, article=1),
        entry(3, "Tim Kaine", "person", quotes=2),
        entry(4, "Elaine Kamarck", "person", quotes=7),
        entry(5, "Leonard Kamin", "person", quotes=8),
        entry(6, "Harry Reid", "person", quotes=12),
        entry(7, "Billie Jean King", "person", quotes=5),
        entry(8, "Donald Trump", "person", quotes=40),
        entry(9, "Trump", "organisation", quotes=60),
        entry(10, "Ivana Trump", "person", quotes=3),
        entry(11, "Ivanka Trump", "person", quotes=4),
        entry(12, "Kenneth McKenzie", "person", "McKenzie", quotes=5),
        entry(13, "White House", "organisation", quotes=6),
        entry(14, "Leonard E. Burman", "person", quotes=2),
        entry(15, "Charlotte Meehan", "person", quotes=14),
        entry(16, "Meehan", "person", quotes=2),
    ])


@pytest.mark.parametrize("query, top", [
    ("sanders", "Bernie Sanders"),              # surname, not a word-alike group
    ("Bernie Sanders", "Bernie Sanders"),
    ("kaine", "Tim Kaine"),                     # not Kamin or Kamarck
    ("Tim Kaine", "Tim Kaine"),
    ("trump", "Donald Trump"),                  # the person before the organisation of that name
    ("Donald Trump", "Donald Trump"),
    ("Ivanka Trump", "Ivanka Trump"),           # relatives: the given name decides
    ("Ivana Trump", "Ivana Trump"),
    ("mckenzy", "Kenneth McKenzie"),            # a typo still finds him
    ("Kenneth Mckenzy", "Kenneth McKenzie"),
    ("Gen. McKenzie", "Kenneth McKenzie"),
    ("white house", "White House"),             # a group asked for by its name
    ("Len Burman", "Leonard E. Burman"),        # a short given name
    ("James Meehan", "Meehan"),                 # the bare surname may be him; Charlotte is not
    ("Larry King", None),                       # Billie Jean King is another King; Harry Reid a word-alike
    ("Zbigniew Quorth", None),
])
def test_top_hit(index: SpeakerIndex, query: str, top: str | None) -> None:
    hits = index.search(query, cutoff=60.0, limit=5)
    assert (hits[0][0].name if hits else None) == top, [(e.name, s) for e, s in hits]


@pytest.mark.parametrize("query, absent", [
    ("Larry King", {"Harry Reid", "Billie Jean King"}),
    ("James Meehan", {"Charlotte Meehan"}),
    ("sanders", set()),
])
def test_wrong_people_are_not_listed(index: SpeakerIndex, query: str, absent: set[str]) -> None:
    names = {e.name for e, _s in index.search(query, cutoff=60.0)}
    assert not names & absent, names


def test_more_quotes_break_ties() -> None:
    index = SpeakerIndex([entry(1, "Hillary Clinton", quotes=3), entry(2, "Bill Clinton", quotes=9)])
    assert [e.name for e, _s in index.search("clinton")] == ["Bill Clinton", "Hillary Clinton"]


def test_total_counts_the_listed_hits(index: SpeakerIndex) -> None:
    total, page = index.search_page("Larry King", 60.0, 0, 20)
    assert total == len(page) == 0
    total, page = index.search_page("kaine", 60.0, 0, 20)
    assert total == len(page) and page[0][0].name == "Tim Kaine"
