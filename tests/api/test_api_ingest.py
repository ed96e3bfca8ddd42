"""Storing articles in bulk and the batched store underneath, on SQLite and PostgreSQL.

The quotes are hand-built engine records (`api_records`), so these tests do not
depend on what the extraction engine finds.
"""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from api_records import ScriptedExtractor, anonymous, person, quote_in
from sqlalchemy import select

import api.ingest.batches
import api.speakers.directory
from api.ingest.batches import ArticleResult, ingest_paths
from api.services import ArticleInput, Services, prepare_article
from api.speakers.slugs import unique_slugs
from api.store.models import Speaker, SpeakerAlias, SpeakerRedirect

TEXTS = {
    name: f"“{name} is the word of the day,” {speaker} said in article {name}."
    for name, speaker in (("alpha", "Ada Lovelace"), ("beta", "Alan Turing"), ("gamma", "Ada Lovelace"),
                          ("delta", "Grace Hopper"), ("epsilon", "Alan Turing"), ("zeta", "Grace Hopper"))
}
# batch_size=2 puts the repeats of alpha and gamma in later batches, zeta's in its own batch
LINES = ["alpha", "beta", "alpha", "gamma", None, "delta", "gamma", "epsilon", "zeta", "zeta"]


def _script(extractor: ScriptedExtractor) -> None:
    for name, text in TEXTS.items():
        speaker = text.split("” ")[1].split(" said")[0]
        extractor.add(text, [quote_in(text, f"{name} is the word of the day", person(speaker))])


def _write_lines(path: Path) -> None:
    rows = [{"text": TEXTS[n], "title": n} if n else {"txt": "no text field"} for n in LINES]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _thread_pool(max_workers: int, **_ignored: Any) -> Executor:
    """Stands in for the worker processes: the same executor calls, the scripted extractor."""
    return ThreadPoolExecutor(max_workers=max_workers)


@pytest.mark.parametrize("workers", [1, 2])
async def test_bulk_ingest_reports_and_stores_alike_with_and_without_worker_processes(
    services: Services, extractor: ScriptedExtractor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    _script(extractor)
    monkeypatch.setattr(api.ingest.batches, "ProcessPoolExecutor", _thread_pool)
    monkeypatch.setattr(api.ingest.batches, "_worker_extractor", extractor)
    source = tmp_path / "articles.jsonl"
    _write_lines(source)
    reported: list[ArticleResult] = []
    summary = await ingest_paths(services, [str(source)], workers=workers, batch_size=2, progress=False,
                                 on_article=reported.append)

    assert [(r.origin.rsplit(":", 1)[1], r.status) for r in reported] == [
        ("1", "new"), ("2", "new"),
        ("3", "already stored"), ("4", "new"),
        ("5", "failed"), ("6", "new"),
        ("7", "already stored"), ("8", "new"),
        ("10", "already stored"), ("9", "new"),  # a repeat within a batch is reported before the batch is stored
    ]
    assert (summary.articles_new, summary.articles_skipped, summary.articles_failed, summary.quotes) == (6, 3, 1, 6)
    assert (summary.speakers_new, summary.speakers_matched) == (3, 3)
    async with services.store.read() as s:
        counts = {name: n for name, n in (await s.execute(select(Speaker.name, Speaker.quote_count))).all()}
    assert counts == {"Ada Lovelace": 2, "Alan Turing": 2, "Grace Hopper": 2}

    calls = extractor.calls
    again = await ingest_paths(services, [str(source)], workers=workers, batch_size=2, progress=False)
    assert (again.articles_new, again.articles_skipped, again.articles_failed) == (0, 9, 1)
    assert extractor.calls == calls  # nothing stored is extracted again

    redo = await ingest_paths(services, [str(source)], workers=workers, batch_size=2, progress=False,
                              reprocess=True)
    assert (redo.articles_new, redo.articles_reprocessed, redo.articles_skipped) == (0, 8, 1)
    async with services.store.read() as s:
        counts = {name: n for name, n in (await s.execute(select(Speaker.name, Speaker.quote_count))).all()}
    assert counts == {"Ada Lovelace": 2, "Alan Turing": 2, "Grace Hopper": 2}


async def test_a_fuller_name_later_in_the_article_becomes_the_display_name(services: Services) -> None:
    text = ("“We stay,” Kenneth McKenzie said. “We will protect the troops,” Gen. Kenneth Franklin McKenzie said. "
            "“It is calm,” an official said. “Still calm,” an official said.")
    quotes = [
        quote_in(text, "We stay", person("Kenneth McKenzie")),
        quote_in(text, "We will protect the troops", person("Kenneth Franklin McKenzie", titles=("Gen.",))),
        quote_in(text, "It is calm", anonymous("an official")),
        quote_in(text, "Still calm", anonymous("an official")),
    ]
    outcome = await services.ingest.ingest(prepare_article(ArticleInput(text, published=date(2024, 5, 1)), 200_000),
                                           quotes)
    assert (outcome.quotes, outcome.speakers_new, outcome.speakers_matched) == (4, 2, 0)
    async with services.store.read() as s:
        speakers = {r.kind: r for r in (await s.scalars(select(Speaker))).all()}
        aliases = (await s.execute(
            select(SpeakerAlias.name, SpeakerAlias.seen_count).where(
                SpeakerAlias.speaker_id == speakers["person"].id).order_by(SpeakerAlias.id)
        )).all()
    mckenzie, official = speakers["person"], speakers["anonymous"]
    assert (mckenzie.name, mckenzie.slug, mckenzie.quote_count, mckenzie.article_count) == (
        "Kenneth Franklin McKenzie", "kenneth-mckenzie", 2, 1)
    assert (mckenzie.first_seen, mckenzie.last_seen) == (date(2024, 5, 1), date(2024, 5, 1))
    assert [tuple(a) for a in aliases] == [("Kenneth McKenzie", 1), ("Kenneth Franklin McKenzie", 1)]
    assert (official.quote_count, official.slug) == (2, f"an-official-a{outcome.article_id}")


async def test_new_speaker_slugs_avoid_stored_former_and_each_others_slugs(services: Services) -> None:
    async with services.store.write() as session:
        for slug in ("ada-lovelace", "ada-lovelace-2"):
            session.add(Speaker(slug=slug, name="Ada Lovelace", kind="person"))
        await session.flush()
        kept = await session.scalar(select(Speaker.id).where(Speaker.slug == "ada-lovelace"))
        session.add(SpeakerRedirect(old_id=10_000, old_slug="ada-lovelace-3", speaker_id=kept))
        session.add(SpeakerRedirect(old_id=10_001, old_slug="alan-turing", speaker_id=kept))
        await session.flush()
        chosen = await unique_slugs(session, ["ada-lovelace", "grace-hopper", "ada-lovelace", "alan-turing",
                                              "grace-hopper"])
    assert chosen == ["ada-lovelace-4", "grace-hopper", "ada-lovelace-5", "alan-turing-2", "grace-hopper-2"]


async def test_a_search_refresh_finishing_inside_a_write_does_not_hide_another_process_speakers(
    services: Services, settings, database_url: str, extractor: ScriptedExtractor,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The search path rebuilds the index aside; if it is swapped in while this process writes,
    the write must not stamp it current when it lacks what another process wrote meanwhile."""
    other = Services.build(settings, extractor=extractor, database_url=database_url)  # another process

    async def say(where: Services, title: str, name: str) -> None:
        text = f"“{title} matters,” {name} said."
        await where.ingest.ingest(prepare_article(ArticleInput(text, title=title), 200_000),
                                  [quote_in(text, f"{title} matters", person(name))])

    build = api.speakers.directory._searchable_index
    entered, release = threading.Event(), threading.Event()

    def slow_build(*args: Any) -> Any:
        entered.set()
        release.wait(10)
        return build(*args)

    try:
        await say(services, "one", "Ada Lovelace")
        await say(other, "two", "Grace Hopper")
        monkeypatch.setattr(api.speakers.directory, "_searchable_index", slow_build)
        services.directory.index.checked_at = 0.0  # due for a check: reads the store, builds aside
        refresh = asyncio.create_task(services.directory.ensure_fresh())
        while not entered.is_set():
            await asyncio.sleep(0.01)
        await say(other, "three", "Alan Turing")
        bump = services.directory.bump_version

        async def bump_after_swap(session: Any) -> int:  # the rebuilt index arrives mid-write
            release.set()
            await refresh
            return await bump(session)

        monkeypatch.setattr(services.directory, "bump_version", bump_after_swap)
        await say(services, "four", "Katherine Johnson")
        monkeypatch.undo()
        await say(services, "five", "Alan Turing")
        async with services.store.read() as s:
            turings = (await s.scalars(select(Speaker.quote_count).where(Speaker.name == "Alan Turing"))).all()
        assert turings == [2]
    finally:
        release.set()
        await other.close()
