"""Speaker tracking across articles at the service level, on SQLite and PostgreSQL.

The quotes are hand-built engine records named like the seed articles' speakers,
so these tests do not depend on what the extraction engine finds.
"""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from api_records import anonymous, organisation, person, quote_in
from sqlalchemy import func, select

from api.services import ArticleInput, Services, prepare_article
from api.store.models import Article, Mention, Quote, Speaker, SpeakerAlias
from quotelens.errors import Conflict, NotFound

ART_000 = (
    "“Our partnership with the Iraqi security forces remains strong,” Caggins said. "
    "Gen. Kenneth McKenzie met Prime Minister Mustafa al-Kadhimi. "
    "“Talks will keep US troops in the country,” McKenzie said."
)
ART_001 = (
    "“U.S. forces are ready to remain in Iraq,” Austin said after a conversation with Mohammed al-Sudani. "
    "“Iraq should pursue balance and stability,” Sudani said. "
    "“Iraq must not become a playground,” a senior U.S. defense official said."
)
ART_002 = (
    "“I believe that going forward, they’re going to want us to be with them,” U.S. Central Command head "
    "Marine Gen. Kenneth McKenzie told reporters. “The new prime minister is negotiating a land mine,” "
    "McKenzie said of Mustafa al-Kadhimi. “We will protect American troops,” al-Kadhimi said."
)
ART_004 = (
    "“The threat does remain,” a senior defense official said. "
    "“The justifications are no longer there,” Mohammed Shia al Sudani said. "
    "“ISIS is down,” CENTCOM said."
)

MCKENZIE_000 = person("Gen. Kenneth F. McKenzie Jr.", titles=("Gen.",), roles=("US Central Command Commander",))
MCKENZIE_002 = person("Kenneth McKenzie", titles=("Marine Gen.",), roles=("U.S. Central Command head",))
KADHIMI = person("Mustafa al-Kadhimi", titles=("Prime Minister",))
SUDANI_001 = person("Mohammed al-Sudani", titles=("Prime Minister",))
SUDANI_004 = person("Mohammed Shia al Sudani", titles=("Iraqi Prime Minister",))


def seed_like_articles() -> list[tuple[ArticleInput, list]]:
    return [
        (ArticleInput(ART_000, title="000", published=date(2020, 6, 9)), [
            quote_in(ART_000, "Our partnership with the Iraqi security forces remains strong", person("Myles B. Caggins III")),
            quote_in(ART_000, "Talks will keep US troops in the country", MCKENZIE_000),
        ]),
        (ArticleInput(ART_001, title="001", published=date(2023, 3, 7)), [
            quote_in(ART_001, "U.S. forces are ready to remain in Iraq", person("Lloyd Austin", roles=("Secretary of Defense",))),
            quote_in(ART_001, "Iraq should pursue balance and stability", SUDANI_001),
            quote_in(ART_001, "Iraq must not become a playground", anonymous("a senior U.S. defense official")),
        ]),
        (ArticleInput(ART_002, title="002", published=date(2020, 6, 10)), [
            quote_in(ART_002, "I believe that going forward, they’re going to want us to be with them", MCKENZIE_002),
            quote_in(ART_002, "The new prime minister is negotiating a land mine", MCKENZIE_002),
            quote_in(ART_002, "We will protect American troops", KADHIMI),
        ]),
        (ArticleInput(ART_004, title="004", published=date(2024, 11, 15)), [
            quote_in(ART_004, "The threat does remain", anonymous("a senior defense official")),
            quote_in(ART_004, "The justifications are no longer there", SUDANI_004),
            quote_in(ART_004, "ISIS is down", organisation("CENTCOM")),
        ]),
    ]


async def ingest(services: Services, article: ArticleInput, quotes: list):  # noqa: ANN201
    return await services.ingest.ingest(prepare_article(article, 200_000), quotes)


async def ingest_all(services: Services) -> None:
    for article, quotes in seed_like_articles():
        outcome = await ingest(services, article, quotes)
        assert outcome.created


async def speakers_named(services: Services, surname: str) -> list[Speaker]:
    async with services.store.read() as s:
        rows = (await s.scalars(select(Speaker).where(Speaker.name.contains(surname)))).all()
    return list(rows)


async def quote_articles(services: Services, speaker_id: int) -> set[str]:
    async with services.store.read() as s:
        return set((await s.scalars(
            select(Article.title).join(Quote, Quote.article_id == Article.id).where(Quote.speaker_id == speaker_id)
        )).all())


async def test_seed_speakers_are_tracked_across_articles(services: Services) -> None:
    await ingest_all(services)
    [mckenzie] = await speakers_named(services, "McKenzie")
    assert await quote_articles(services, mckenzie.id) == {"000", "002"}
    assert mckenzie.quote_count == 3 and mckenzie.article_count == 2
    assert (mckenzie.first_seen, mckenzie.last_seen) == (date(2020, 6, 9), date(2020, 6, 10))

    [sudani] = await speakers_named(services, "Sudani")
    assert await quote_articles(services, sudani.id) == {"001", "004"}
    assert sudani.name == "Mohammed Shia al Sudani"  # the fuller name won

    [kadhimi] = await speakers_named(services, "Kadhimi")
    assert kadhimi.id != sudani.id
    assert await quote_articles(services, kadhimi.id) == {"002"}

    assert len(await speakers_named(services, "Caggins")) == 1
    assert len(await speakers_named(services, "Austin")) == 1

    async with services.store.read() as s:
        anonymous_rows = (await s.scalars(select(Speaker).where(Speaker.kind == "anonymous"))).all()
    assert len(anonymous_rows) == 2  # one per article, never joined to a person
    for row in anonymous_rows:
        assert row.quote_count == 1


async def test_aliases_and_attributes_accumulate(services: Services) -> None:
    await ingest_all(services)
    detail = await services.speakers.detail("kenneth-mckenzie")
    assert set(detail.aliases) == {"Gen. Kenneth F. McKenzie Jr.", "Kenneth McKenzie"}
    roles = {r.value: (r.first_seen, r.last_seen) for r in detail.roles}
    assert roles == {
        "US Central Command Commander": (date(2020, 6, 9), date(2020, 6, 9)),
        "U.S. Central Command head": (date(2020, 6, 10), date(2020, 6, 10)),
    }
    assert {t.value for t in detail.titles} == {"Gen.", "Marine Gen."}
    sudani = await services.speakers.detail("mohammed-sudani")
    assert set(sudani.aliases) == {"Mohammed al-Sudani", "Mohammed Shia al Sudani"}


async def test_same_text_twice_is_one_article(services: Services) -> None:
    article, quotes = seed_like_articles()[0]
    first = await ingest(services, article, quotes)
    again = await ingest(services, ArticleInput(article.text + "\n\n", title="other title"), quotes)
    assert first.created and not again.created
    assert again.article_id == first.article_id
    async with services.store.read() as s:
        assert await s.scalar(select(func.count(Article.id))) == 1
        assert await s.scalar(select(func.count(Quote.id))) == 2


async def test_concurrent_identical_ingests_store_one_row(services: Services) -> None:
    article, quotes = seed_like_articles()[1]
    outcomes = await asyncio.gather(*(ingest(services, article, quotes) for _ in range(6)))
    assert sorted(o.created for o in outcomes) == [False] * 5 + [True]
    assert len({o.article_id for o in outcomes}) == 1
    async with services.store.read() as s:
        assert await s.scalar(select(func.count(Article.id))) == 1
        assert await s.scalar(select(func.count(Speaker.id))) == 3


async def test_two_processes_share_speakers(services: Services, settings, database_url, extractor) -> None:  # noqa: ANN001
    """A second Services on the same store (as another process would be) sees and extends the same speakers."""
    other = Services.build(settings, extractor=extractor, database_url=database_url)
    try:
        arts = seed_like_articles()
        await ingest(services, *arts[0])
        await ingest(other, *arts[2])  # McKenzie again, through the other "process"
        [mckenzie] = await speakers_named(services, "McKenzie")
        assert mckenzie.quote_count == 3
        hits = (await services.speakers.search("mckenzie", 10, 0)).items
        assert [h.quote_count for h in hits if h.slug == "kenneth-mckenzie"] == [3]
        # concurrent identical posts from both at once: one article
        outcomes = await asyncio.gather(ingest(services, *arts[3]), ingest(other, *arts[3]))
        assert sorted(o.created for o in outcomes) == [False, True]
    finally:
        await other.close()


async def test_merge_moves_quotes_aliases_and_links(services: Services) -> None:
    await ingest_all(services)
    # Pretend the engine had split Caggins in two, then a person merges them.
    text = "“We help the Iraqi security forces,” Mike Caggins said."
    await ingest(services, ArticleInput(text, title="005"), [quote_in(text, "We help the Iraqi security forces",
                                                                        person("Mike Caggins"))])
    caggins = await services.speakers.detail("myles-caggins")
    mike_caggins = await services.speakers.detail("mike-caggins")
    merged = await services.speakers.merge("myles-caggins", str(mike_caggins.id))
    assert merged.id == caggins.id
    assert merged.quote_count == 2 and merged.article_count == 2
    assert "Mike Caggins" in merged.aliases
    # the old id and slug lead to the merged speaker
    assert (await services.speakers.detail("mike-caggins")).id == caggins.id
    assert (await services.speakers.detail(str(mike_caggins.id))).id == caggins.id
    # a later article with the merged-away spelling joins the merged speaker
    text2 = "“The coalition stays,” Mike Caggins said."
    await ingest(services, ArticleInput(text2), [quote_in(text2, "The coalition stays", person("Mike Caggins"))])
    assert (await services.speakers.detail("myles-caggins")).quote_count == 3
    with pytest.raises(Conflict):
        await services.speakers.merge("myles-caggins", "mike-caggins")
    with pytest.raises(NotFound):
        await services.speakers.merge("myles-caggins", "nobody-at-all")


async def test_split_survives_new_articles_and_reprocessing(services: Services) -> None:
    await ingest_all(services)
    new = await services.speakers.split("mohammed-sudani", "Mohammed al-Sudani")
    assert new.name == "Mohammed al-Sudani" and new.quote_count == 1
    old = await services.speakers.detail("mohammed-sudani")
    assert old.quote_count == 1 and "Mohammed al-Sudani" not in old.aliases
    # a new article spelling it the split-off way joins the new speaker
    text = "“Stability first,” Mohammed al-Sudani said."
    await ingest(services, ArticleInput(text), [quote_in(text, "Stability first", SUDANI_001)])
    assert (await services.speakers.detail(new.slug)).quote_count == 2
    # re-extracting article 001 keeps the split
    art001, quotes001 = seed_like_articles()[1]
    article_id = await services.ingest.find_article(prepare_article(art001, 10**6).content_hash)
    assert article_id is not None
    await services.ingest.reprocess(article_id, quotes001)
    assert (await services.speakers.detail(new.slug)).quote_count == 2
    assert (await services.speakers.detail("mohammed-sudani")).quote_count == 1
    with pytest.raises(NotFound):
        await services.speakers.split("mohammed-sudani", "Nobody Here")
    with pytest.raises(Conflict):
        await services.speakers.split(new.slug, "Mohammed al-Sudani")  # its only name


async def test_rename_is_kept_by_later_ingests(services: Services) -> None:
    await ingest_all(services)
    renamed = await services.speakers.rename("kenneth-mckenzie", "Gen. Frank McKenzie")
    assert renamed.name == "Gen. Frank McKenzie" and renamed.slug == "kenneth-mckenzie"
    text = "“We will stay,” Kenneth Franklin McKenzie Jr. said."
    await ingest(services, ArticleInput(text), [quote_in(text, "We will stay",
                                                         person("Kenneth Franklin McKenzie Jr."))])
    after = await services.speakers.detail("kenneth-mckenzie")
    assert after.name == "Gen. Frank McKenzie"
    assert after.quote_count == 4


async def test_edits_survive_reprocessing_every_article(services: Services) -> None:
    await ingest_all(services)
    await services.speakers.rename("mustafa-kadhimi", "PM Mustafa al-Kadhimi")
    anon = [s for s in (await services.speakers.search(None, 100, 0)).items if s.kind == "anonymous"]
    await services.speakers.merge("lloyd-austin", anon[0].slug)  # say the official was Austin
    before = {s.slug: s.quote_count for s in (await services.speakers.search(None, 100, 0)).items}
    for article, quotes in seed_like_articles():
        article_id = await services.ingest.find_article(prepare_article(article, 10**6).content_hash)
        assert article_id is not None
        await services.ingest.reprocess(article_id, quotes)
    after = {s.slug: s.quote_count for s in (await services.speakers.search(None, 100, 0)).items}
    assert after == before
    assert (await services.speakers.detail("mustafa-kadhimi")).name == "PM Mustafa al-Kadhimi"


async def test_quotes_without_speaker_and_bad_engine_output(services: Services) -> None:
    text = "“Nobody knows,” it was said. Short."
    good = quote_in(text, "Nobody knows", None)
    from dataclasses import replace

    bad_offsets = replace(good, start=5, end=500)
    bad_kind = replace(good, kind="shouted")  # type: ignore[arg-type]
    outcome = await ingest(services, ArticleInput(text), [good, bad_offsets, bad_kind])
    assert outcome.quotes == 1
    async with services.store.read() as s:
        assert await s.scalar(select(func.count(Mention.id))) == 0
        assert await s.scalar(select(func.count(SpeakerAlias.id))) == 0
