"""Who is who across articles: kinds, bare surnames, relatives, namesakes, descriptions, titles that change.

Table-driven over the index (a name quoted in a new article, the known speaker it joins),
then a cross-article set of short articles through the real app.
"""

from __future__ import annotations

import pytest
from api_records import ScriptedExtractor, anonymous, organisation, person, quote_in
from test_api_tracking import entry

from api.speakers.index import SpeakerEntry, SpeakerIndex, attribute_words, description_words


def described(sid: int, name: str, *, titles: tuple[str, ...] = (), roles: tuple[str, ...] = (),
              organisations: tuple[str, ...] = (), quotes: int = 1) -> SpeakerEntry:
    e = entry(sid, name, "person", quotes=quotes, roles=roles, organisations=organisations)
    e.titles = titles
    return SpeakerEntry(id=e.id, slug=e.slug, name=e.name, kind=e.kind, quote_count=e.quote_count,
                        aliases=e.aliases, titles=titles, roles=roles, organisations=organisations)


@pytest.fixture
def index() -> SpeakerIndex:
    return SpeakerIndex([
        entry(1, "Donald Trump", "person", "Trump", quotes=50),
        entry(2, "Ivana Trump", "person", quotes=3),
        entry(3, "Tim Kaine", "person", "Kaine", quotes=4),
        entry(4, "Leonard E. Burman", "person", quotes=2),
        described(5, "Bernie Sanders", titles=("Sen.",), roles=("Vt",), organisations=("Vermont",)),
        described(6, "Mike Pence", titles=("Gov.",), roles=("R-IN", "Republican vice-presidential nominee")),
        described(7, "Ben Cardin", titles=("Sen.",), roles=("D-MD",)),
        described(13, "Patrick Leahy", titles=("Sen.",), roles=("D-VT",)),
        described(8, "James Comey", roles=("FBI Director",)),
        entry(9, "Hillary Clinton", "person", quotes=30),
        entry(10, "Bill Clinton", "person", quotes=10),
        entry(11, "Donald Trump Jr.", "person", quotes=2),
        entry(12, "White House", "organisation", quotes=5),
        entry(14, "Carla Holt", "person", quotes=2),
        entry(15, "Andrew Holt", "person", quotes=2),
        described(16, "Barack Obama", roles=("President",)),
        described(17, "Michelle Obama", roles=("the first lady",)),
    ])


@pytest.mark.parametrize("name, kind, expected", [
    # one kind per speaker: a person's full name typed as a group joins the person
    ("Tim Kaine", "organisation", 3),
    ("Ivana Trump", "organisation", 2),
    ("White House", "organisation", 12),
    ("Kaine", "organisation", None),            # a bare word stays a group: too little to go on
    # a bare surname or Mr. X: only when one person bears it
    ("Kaine", "person", 3),
    ("Mr. Kaine", "person", 3),
    ("Burman", "person", 4),
    ("Mr. Trump", "person", None),              # Donald, Ivana: ambiguous
    ("Clinton", "person", None),                # Hillary or Bill
    ("Mrs. Clinton", "person", None),          # Bill's gender is not known to the name list
    ("Holt", "person", None),                  # Carla or Andrew
    ("Mrs. Holt", "person", 14),               # the honorific tells
    ("Mr. Holt", "person", 15),
    # the same first name joins; relatives and namesakes stay apart
    ("Donald J. Trump", "person", 1),
    ("Len Burman", "person", 4),
    ("Ivanka Trump", "person", None),
    ("Ivana Trump", "person", 2),
    ("Eric Trump", "person", None),
    ("Hillary Rodham Clinton", "person", 9),
    # father and son
    ("Donald Trump Jr.", "person", 11),
    ("Donald Trump", "person", 1),
    ("Fred Trump Sr.", "person", None),
    # descriptions: a stored person whose titles and roles fit, when exactly one fits
    ("the Vermont senator", "anonymous", None),   # Sanders or Leahy
    ("the Maryland senator", "anonymous", 7),
    ("the Indiana governor", "anonymous", 6),
    ("the FBI director", "anonymous", 8),
    ("the senator", "anonymous", None),         # too little to single anyone out
    ("a Vermont senator", "anonymous", None),   # indefinite: someone, not the one
    ("the Ohio governor", "anonymous", None),   # nobody fits
    ("the New York businessman", "anonymous", None),
])
def test_joins(index: SpeakerIndex, name: str, kind: str, expected: int | None) -> None:
    found = index.match(name, kind, article_id=99)
    assert (found[0].id if found else None) == expected


@pytest.mark.parametrize("name, gender, expected", [
    # the gender the article tells (pronouns, roles) settles a shared surname; a role stored
    # with a known person ("the first lady") tells theirs when the given name list does not
    ("Obama", None, None),
    ("Obama", "m", 16),
    ("Obama", "f", 17),
    ("Holt", "f", 14),
    ("Holt", "m", 15),
    ("Trump", "m", None),       # Donald and Donald Trump Jr.: both men
    ("Barack Obama", "f", 16),  # a full name is matched by its given name, whatever the pronouns
])
def test_gender_settles_a_shared_surname(index: SpeakerIndex, name: str, gender: str | None,
                                         expected: int | None) -> None:
    found = index.match(name, "person", article_id=99, gender=gender)
    assert (found[0].id if found else None) == expected


@pytest.mark.parametrize("values, present, absent", [
    (("Sen.", "Vt"), {"senator", "vermont"}, set()),
    (("R-IN",), {"republican", "indiana"}, set()),
    (("speaker in Congress",), {"congress"}, {"indiana"}),  # a lower-case "in" is a word, not Indiana
])
def test_attribute_words(values: tuple[str, ...], present: set[str], absent: set[str]) -> None:
    words = attribute_words(values)
    assert present <= words and not absent & words


@pytest.mark.parametrize("description, words", [
    ("the Vermont senator", ("vermont", "senator")),
    ("The FBI director", ("fbi", "director")),
    ("the senator", None),
    ("a senior defense official", None),
    ("the former first lady and U.S. senator from New York and more", None),
])
def test_description_words(description: str, words: tuple[str, ...] | None) -> None:
    assert description_words(description) == words


# --- a cross-article set through the real app -------------------------------------

ARTICLES = [
    ("2016-07-01", "“We will win Ohio,” Donald Trump said.", [("We will win Ohio", person("Donald Trump"))]),
    ("2016-07-02", "“My father is a builder,” Ivanka Trump said.",
     [("My father is a builder", person("Ivanka Trump"))]),
    ("2016-07-03", "“Family matters,” Ivana Trump said.", [("Family matters", person("Ivana Trump"))]),
    ("2016-07-04", "“The rally was huge,” Donald Trump Jr. said.",
     [("The rally was huge", person("Donald Trump Jr."))]),
    ("2016-07-05", "“It is rigged,” Mr. Trump said.", [("It is rigged", person("Mr. Trump"))]),
    ("2016-07-06", "“Trade deals are bad,” the Trump campaign, Donald Trump, said.",
     [("Trade deals are bad", organisation("Donald Trump"))]),
    ("2016-07-07", "“Health care is a right,” Sen. Bernie Sanders said.",
     [("Health care is a right", person("Bernie Sanders", titles=("Sen.",), organisations=("Vermont",)))]),
    ("2016-07-08", "“Wall Street is greedy,” the Vermont senator said.",
     [("Wall Street is greedy", anonymous("the Vermont senator"))]),
    ("2016-07-09", "“We need a revolution,” Sanders said.", [("We need a revolution", person("Sanders"))]),
    ("2016-07-10", "“Indiana is strong,” Gov. Mike Pence said.",
     [("Indiana is strong", person("Mike Pence", titles=("Gov.",), roles=("Indiana governor",)))]),
    ("2017-02-01", "“The office is busy,” Vice President Mike Pence said.",
     [("The office is busy", person("Mike Pence", titles=("Vice President",)))]),
    ("2017-02-02", "“We stand together,” the Indiana governor said.",
     [("We stand together", anonymous("the Indiana governor"))]),
    ("2017-02-03", "“I disagree,” Mike Johnson, a farmer from Ohio, said.",
     [("I disagree", person("Mike Johnson"))]),
    ("2017-02-04", "“Me too,” Mike Johnson, a teacher in Texas, said.", [("Me too", person("Mike Johnson"))]),
]


async def test_cross_article_set(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    for day, text, quotes in ARTICLES:
        extractor.add(text, [quote_in(text, words, sp) for words, sp in quotes])
        r = await client.post("/api/articles", json={"text": text, "published": day})
        assert r.status_code == 201, r.text

    async def said(query: str) -> set[str]:
        hits = (await client.get("/api/speakers", params={"q": query, "limit": 1})).json()["items"]
        assert hits, query
        page = (await client.get(f"/api/speakers/{hits[0]['id']}/quotes", params={"limit": 100})).json()
        return {q["text"] for q in page["items"]}

    # relatives stay apart; the person typed as a group joins him
    assert await said("Donald Trump") == {"We will win Ohio", "Trade deals are bad"}
    assert await said("Ivanka Trump") == {"My father is a builder"}
    assert await said("Ivana Trump") == {"Family matters"}
    assert await said("Donald Trump Jr.") == {"The rally was huge"}
    # "Mr. Trump" with several Trumps in the store is nobody's for sure: a speaker of its own
    assert "It is rigged" not in await said("Donald Trump")
    # a bare surname with one such person, and a description that fits only him
    assert await said("Bernie Sanders") == {"Health care is a right", "Wall Street is greedy",
                                           "We need a revolution"}
    # titles change (governor, then vice president): one person, the description still fits
    assert await said("Mike Pence") == {"Indiana is strong", "The office is busy", "We stand together"}
    pence = (await client.get("/api/speakers", params={"q": "Mike Pence"})).json()["items"][0]
    detail = (await client.get(f"/api/speakers/{pence['id']}")).json()
    titles = {t["value"]: (t["first_seen"], t["last_seen"]) for t in detail["titles"]}
    assert titles == {"Gov.": ("2016-07-10", "2016-07-10"), "Vice President": ("2017-02-01", "2017-02-01")}
    # namesakes with the same name are one speaker to the store (nothing tells them apart here)
    assert await said("Mike Johnson") == {"I disagree", "Me too"}
    kinds = {h["name"]: h["kind"] for h in (await client.get("/api/speakers", params={"q": "trump"})).json()["items"]}
    assert kinds.get("Donald Trump") == "person" and "organisation" not in {
        k for n, k in kinds.items() if n == "Donald Trump"}
