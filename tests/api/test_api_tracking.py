"""The in-memory speaker index: matching new names to known speakers, and fuzzy search."""

from __future__ import annotations

import pytest

from api.speakers.index import AliasInfo, SpeakerEntry, SpeakerIndex, normalised_alias, search_tier


def entry(sid: int, name: str, kind: str = "person", *aliases: str, quotes: int = 1, article: int | None = None,
          roles: tuple[str, ...] = (), organisations: tuple[str, ...] = (), pinned: tuple[str, ...] = ()) -> SpeakerEntry:
    names = (name, *aliases)
    infos = tuple(
        AliasInfo(n, normalised_alias(n, kind), kind, n in pinned, article if kind == "anonymous" else None)
        for n in names
    )
    return SpeakerEntry(id=sid, slug=f"s{sid}", name=name, kind=kind, quote_count=quotes, aliases=infos,
                        roles=roles, organisations=organisations)


@pytest.fixture
def index() -> SpeakerIndex:
    return SpeakerIndex([
        entry(1, "Kenneth McKenzie", "person", "Gen. Kenneth McKenzie", quotes=5,
              roles=("U.S. Central Command head",)),
        entry(2, "Mohammed al-Sudani", "person", quotes=2),
        entry(3, "Mustafa al-Kadhimi", "person", quotes=2),
        entry(4, "Myles B. Caggins III", "person", quotes=4),
        entry(5, "Lloyd Austin", "person", quotes=3),
        entry(6, "a senior defense official", "anonymous", quotes=1, article=10),
        entry(7, "CENTCOM", "organisation", quotes=2),
    ])


@pytest.mark.parametrize(
    "name, kind, article, expected",
    [
        ("Gen. Kenneth F. McKenzie", "person", None, 1),
        # a Jr. or Sr. is someone called so before (father and son share the rest of the name)
        ("Gen. Kenneth F. McKenzie Jr.", "person", None, None),
        ("Marine Gen. Kenneth McKenzie", "person", None, 1),
        ("McKenzie", "person", None, 1),
        ("Kenneth Mckenzy", "person", None, 1),
        ("Mohammed Shia al Sudani", "person", None, 2),
        ("Sudani", "person", None, 2),
        ("al-Kadhimi", "person", None, 3),
        ("Mustafa Al Kadhimi", "person", None, 3),
        ("Col. Myles Caggins", "person", None, 4),
        ("Austin", "person", None, 5),
        ("Defense Secretary Lloyd Austin", "person", None, 5),
        # different people stay apart
        ("John McKenzie", "person", None, None),
        ("Mohammed al-Kadhimi", "person", None, None),
        ("Mustafa al-Sudani", "person", None, None),
        # unnamed sources: same article only, never a person
        ("a senior defense official", "anonymous", 10, 6),
        ("a senior defense official", "anonymous", 11, None),
        ("Kenneth McKenzie", "anonymous", 10, None),
        ("a senior defense official", "person", None, None),
        # organisations: exact names only
        ("CENTCOM", "organisation", None, 7),
        ("Centcom", "organisation", None, 7),
        ("CENTCOM", "person", None, None),
    ],
)
def test_match(index: SpeakerIndex, name: str, kind: str, article: int | None, expected: int | None) -> None:
    found = index.match(name, kind, article_id=article)
    assert (found[0].id if found else None) == expected


def test_full_name_is_not_matched_through_a_bare_surname_alias() -> None:
    index = SpeakerIndex([entry(1, "Kenneth McKenzie", "person", "McKenzie")])
    assert index.match("John McKenzie", "person") is None
    assert index.match("McKenzie", "person")[0].id == 1  # type: ignore[index]


def test_roles_and_organisations_break_ties() -> None:
    index = SpeakerIndex([
        entry(1, "John Smith", quotes=10, organisations=("Acme",)),
        entry(2, "John Smith", quotes=1, roles=("senator",)),
    ])
    assert index.match("John Smith", "person", attributes=["senator"])[0].id == 2  # type: ignore[index]
    assert index.match("John Smith", "person", attributes=["Acme"])[0].id == 1  # type: ignore[index]
    # no attribute in common: the more quoted speaker
    assert index.match("John Smith", "person", attributes=["mayor"])[0].id == 1  # type: ignore[index]


def test_pinned_alias_wins_an_exact_tie() -> None:
    index = SpeakerIndex([
        entry(1, "Mohammed Shia al Sudani", "person", "Mohammed al-Sudani", quotes=9),
        entry(2, "Mohammed al Sudani", "person", pinned=("Mohammed al Sudani",), quotes=1),
    ])
    assert index.match("Mohammed al-Sudani", "person")[0].id == 2  # type: ignore[index]


@pytest.mark.parametrize(
    "query, expected_first",
    [
        ("mckenzie", 1),
        ("Kenneth Mckenzy", 1),
        ("McKenzie", 1),
        ("Gen. McKenzie", 1),
        ("sudani", 2),
        ("kadhimi", 3),
        ("caggins", 4),
        ("defense official", 6),
        ("centcom", 7),
    ],
)
def test_search_ranks_the_right_speaker_first(index: SpeakerIndex, query: str, expected_first: int) -> None:
    hits = index.search(query)
    assert hits, query
    assert hits[0][0].id == expected_first
    assert 0 <= hits[0][1] <= 100


def test_search_finds_nothing_for_unrelated_words(index: SpeakerIndex) -> None:
    assert index.search("zzyzx qwv") == []
    assert index.search("   ") == []


def test_upsert_and_remove_keep_lookups_in_step(index: SpeakerIndex) -> None:
    index.remove(1)
    assert index.match("Kenneth McKenzie", "person") is None
    assert index.search("mckenzie") == []
    index.upsert(entry(1, "Kenneth McKenzie", "person", "K. McKenzie"))
    assert index.match("Kenneth McKenzie", "person")[0].id == 1  # type: ignore[index]
    index.upsert(entry(1, "Frank McKenzie"))  # replaced, not added to
    assert index.match("Kenneth McKenzie", "person") is None
    assert len(index) == 7


def test_search_scales_without_scanning_everything() -> None:
    import time

    entries = [entry(i, f"Person{i} Surname{i % 5000}") for i in range(1, 20001)]
    entries.append(entry(99999, "Kenneth McKenzie"))
    index = SpeakerIndex(entries)
    index.search("warmup")
    started = time.perf_counter()
    for _ in range(20):
        hits = index.search("Kenneth Mckenzy")
    per_query = (time.perf_counter() - started) / 20
    assert hits[0][0].id == 99999
    assert per_query < 0.05, per_query  # generous: a scan of every alias in Python would take far longer


QUERIES = ["mckenzie", "Kenneth Mckenzy", "sudani", "Mohammed Sudani", "kadhimi", "caggins", "Lloyd Austen",
           "defense official", "centcom", "Martha Smith", "smith", "Marta Smyth"]


def _ranked(index: SpeakerIndex, query: str) -> list[tuple[int, float]]:
    return [(e.id, round(score, 6)) for e, score in index.search(query)]


def test_speakers_written_after_a_search_are_searched_like_the_others(index: SpeakerIndex) -> None:
    index.search("warmup")  # takes the search snapshot
    index.upsert(entry(20, "Martha Smith", quotes=9))
    index.upsert(entry(21, "Martha Jones", quotes=1))
    index.upsert(entry(22, "John Smyth", quotes=1))
    index.upsert(entry(5, "Lloyd J. Austin III", "Lloyd Austin", quotes=30))  # changed
    index.remove(3)
    assert index.search("smith")[0][0].id == 20
    assert index.search("kadhimi") == []
    fresh = SpeakerIndex(index.entries())
    for query in QUERIES:
        assert _ranked(index, query) == _ranked(fresh, query), query


def test_the_last_word_leads_a_multi_word_search(index: SpeakerIndex) -> None:
    for sid, name in enumerate(["Martha Jones", "Martha Brown", "Martha Smith", "Paul Smith"], start=30):
        index.upsert(entry(sid, name))
    assert [e.id for e, _ in index.search("Martha Smith")] == [32]
    assert {e.id for e, _ in index.search("Martha Smith")}.isdisjoint({30, 31})  # not every Martha
    # ...nor another Smith: Paul Smith is not the person asked for (no hit beats a wrong one)
    assert 33 not in {e.id for e, _ in index.search("Martha Smith")}
    assert [e.id for e, _ in index.search("Smith")] == [32, 33]
    # No name has a word like the last one: the other words choose, but a Martha who is
    # not a Zzyzx must still be close to the query to be listed.
    assert {e.id for e, _ in index.search("Martha Zzyzx")}.isdisjoint({30, 31, 32})
    assert {e.id for e, _ in index.search("Martha Smyth")} == {32}


def test_search_page_counts_every_hit_and_pages_in_rank_order(index: SpeakerIndex) -> None:
    for sid in range(40, 65):
        index.upsert(entry(sid, f"Anna Smith{'e' * (sid % 3)}", quotes=sid % 7))
    everything = index.search("Anna Smith", limit=500)
    total, first = index.search_page("Anna Smith", 60.0, 0, 10)
    _, second = index.search_page("Anna Smith", 60.0, 10, 10)
    assert total == len(everything) >= 20
    assert [e.id for e, _ in first + second] == [e.id for e, _ in everything[:20]]
    scores = [(-search_tier(e, ("anna", "smith")), -s, -e.quote_count, e.id) for e, s in everything]
    assert scores == sorted(scores)


def test_a_description_naming_someone_else_is_no_hit_for_a_full_name() -> None:
    # "Mehmet Oz" asked, only "Oz's boss" (an unnamed source) holds the surname: no answer
    # rather than the boss's quotes; the description itself is still found by its words.
    index = SpeakerIndex([entry(1, "the head of the network and Oz's boss", "anonymous", quotes=3, article=4)])
    assert index.search("Mehmet Oz") == []
    assert [e.id for e, _ in index.search("Oz's boss")] == [1]
