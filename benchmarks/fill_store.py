"""A large synthetic store for load tests, written row by row without the engine.

`fill_store(url, quotes=1_000_000, speakers=100_000)` migrates an empty database
and bulk-writes articles, speakers (with aliases, titles, roles and
organisations) and quotes in realistic shapes:

- person names from first names and generated surnames (many distinct surnames,
  some shared), organisations from a pattern; a surname alias for many persons;
- quotes of 10-40 words cut from real news text (PolNeAR dev, else the seeds),
  so topic words have a natural spread; each with ~200 characters of context;
- how often a speaker is quoted follows a Zipf law (a few are quoted thousands
  of times, most a handful), every speaker at least once; 5% of quotes have no speaker;
- articles of 5-35 quotes over seven years, from a few dozen outlets.

SQLite gets `executemany` with the quote indexes and the FTS5 trigger dropped
during the load and rebuilt after; PostgreSQL gets COPY with the quote indexes
dropped and rebuilt. Mentions are not written (only speaker edits read them).

    uv run python benchmarks/fill_store.py sqlite+aiosqlite:////tmp/big.db --quotes 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS_DIRS = (ROOT.parent / "shared" / "polnear" / "dev" / "text", ROOT / "seeds")
CHUNK = 20_000

_FIRST_NAMES = """James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark
Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian
Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob
Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry Pamela Justin Nicole Scott Anna
Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet
Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan
Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia Ethan Judith Jeremy Evelyn
Walter Hannah Christian Andrea Keith Megan Roger Cheryl Terry Jacqueline Austin Madison Sean Teresa Gerald Abigail
Carl Sophia Harold Martha Dylan Sara Arthur Gloria Lawrence Janice Jordan Kathryn Jesse Ann Bryan Isabella Billy
Judy Bruce Charlotte Gabriel Julia Joe Grace Logan Amber Alan Alice Juan Jean Albert Denise Willie Frances Elijah
Danielle Wayne Marilyn Randy Natalie Vincent Beverly Mason Diana Roy Brittany Ralph Theresa Bobby Kayla Russell
Alexis Bradley Doris Philip Lori Eugene Tiffany Mohammed Ahmed Ali Fatima Hassan Omar Yusuf Aisha Ibrahim Layla
Wei Li Hiroshi Yuki Sergei Olga Dmitri Ivan Lars Ingrid Pierre Marie Giovanni Francesca Carlos Lucia Raj Priya
Kwame Amara Chidi Ngozi"""
_SYLLABLES = """al an ar bel ber bran cal car cas dan del dor el en er fal fer gar gil han har kel ken kin lan
lar len lin mar mel mor nal nor ol or par per quin ran ren ros sal san sel son tal tan ter thor val ven vin
wal war wen zar zel ma ko ri su ta ne mi do ga ho"""
FIRST_NAMES = _FIRST_NAMES.split()
SYLLABLES = _SYLLABLES.split()
SURNAME_ENDINGS = ["", "", "", "son", "sen", "ez", "ski", "ova", "ini", "ley", "ton", "berg", "stein", "man", "i"]
TITLES = ["Gen.", "Sen.", "Rep.", "Dr.", "Col.", "Gov.", "President", "Minister", "Secretary", "Prof.", "Adm."]
ROLES = ["spokesperson", "minister", "senator", "governor", "general", "analyst", "professor", "ambassador",
         "chairman", "director", "secretary of state", "prime minister", "official", "mayor", "economist"]
ORG_WORDS = ["Ministry of Defence", "Department of State", "National Bank", "Workers Union", "Health Agency",
             "Army", "Parliament", "Central Command", "Commission", "Institute", "Council", "Party"]
PLACES = ["Iraq", "Iran", "Syria", "France", "Texas", "Ohio", "Kenya", "Brazil", "Japan", "Poland", "Canada",
          "Egypt", "India", "Mexico", "Turkey", "Germany", "Nigeria", "Chile", "Peru", "Spain"]
OUTLETS = [f"{a} {b}" for a in ("Daily", "Evening", "Morning", "Global", "National", "City")
           for b in ("News", "Post", "Times", "Herald", "Tribune", "Courier")]
CUES = [("said", "say"), ("told", "tell"), ("says", "say"), ("added", "add"), ("warned", "warn"),
        ("argued", "argue"), ("stated", "state"), ("according to", "accord")]
KINDS = ["direct"] * 5 + ["indirect"] * 3 + ["mixed", "continuation"]
FIRST_DAY = date(2019, 1, 1)
DAYS = 7 * 365


@dataclass
class SpeakerRow:
    id: int
    slug: str
    name: str
    kind: str
    aliases: list[str]
    titles: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    quote_count: int = 0
    articles: set[int] = field(default_factory=set)
    first_seen: date | None = None
    last_seen: date | None = None


@dataclass
class FillSummary:
    """What was written, for the load test to pick its requests from."""

    quotes: int
    speakers: int
    articles: int
    seconds: float
    speaker_names: list[str]  # index = speaker id - 1
    speaker_weights: list[int]  # quote counts, index = speaker id - 1
    topic_words: list[str]  # words that occur in quotes, by frequency (commonest first)


def corpus_words() -> list[str]:
    for folder in CORPUS_DIRS:
        if folder.is_dir():
            words = [w for p in sorted(folder.glob("*.txt")) for w in p.read_text("utf-8").split()]
            if len(words) > 1000:
                return words
    raise SystemExit("fill_store: no news text to cut quotes from")


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "speaker"


def make_speakers(n: int, rng: random.Random) -> list[SpeakerRow]:
    surnames: list[str] = []
    seen: set[str] = set()
    while len(surnames) < max(50, n // 4):  # about four speakers per surname, as in the news
        s = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))) + rng.choice(SURNAME_ENDINGS)
        s = s.capitalize()
        if s not in seen:
            seen.add(s)
            surnames.append(s)
    out: list[SpeakerRow] = []
    slugs: set[str] = set()
    for i in range(1, n + 1):
        if rng.random() < 0.05:
            name = f"{rng.choice(PLACES)} {rng.choice(ORG_WORDS)}"
            if rng.random() < 0.5:
                name = f"{name} {rng.choice(SYLLABLES).capitalize()}{rng.choice(SYLLABLES)}"
            kind, aliases = "organisation", [name]
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(surnames)
            middle = f" {rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.2 else ""
            name = f"{first}{middle} {last}"
            kind, aliases = "person", [name]
            if rng.random() < 0.6:
                aliases.append(last)
        slug = base = _slugify(name)
        k = 2
        while slug in slugs:
            slug = f"{base}-{k}"
            k += 1
        slugs.add(slug)
        row = SpeakerRow(id=i, slug=slug, name=name, kind=kind, aliases=aliases)
        if kind == "person":
            if rng.random() < 0.5:
                row.titles.append(rng.choice(TITLES))
            if rng.random() < 0.4:
                row.roles.append(rng.choice(ROLES))
            if rng.random() < 0.2:
                row.organisations.append(f"{rng.choice(PLACES)} {rng.choice(ORG_WORDS)}")
        out.append(row)
    return out


def _article_sizes(total: int, rng: random.Random) -> Iterator[int]:
    left = total
    while left > 0:
        size = min(left, rng.randint(5, 35))
        left -= size
        yield size


class Generator:
    """Rows, chunk by chunk, consistent with each other (ids, counts, dates)."""

    def __init__(self, quotes: int, speakers: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = corpus_words()
        self.speakers = make_speakers(speakers, self.rng)
        self.quotes = quotes
        # Zipf: speaker of rank r is quoted about 1/r as often; everyone at least once.
        weights = [1.0 / r for r in range(1, speakers + 1)]
        self.rng.shuffle(weights)
        cum, acc = [], 0.0
        for w in weights:
            acc += w
            cum.append(acc)
        self.cum_weights = cum
        self.speaker_ids = list(range(1, speakers + 1))
        self.word_counts: dict[str, int] = {}
        self.articles = 0

    def _speaker_draws(self, n: int, first_quote: int) -> list[int | None]:
        # the first `speakers` quotes go to every speaker once, the rest by weight
        draws: list[int | None] = []
        for q in range(first_quote, first_quote + n):
            if q < len(self.speakers):
                draws.append(q + 1)
            elif self.rng.random() < 0.05:
                draws.append(None)
            else:
                draws.append(None)  # placeholder, filled below
        fill = [i for i, (q, d) in enumerate(zip(range(first_quote, first_quote + n), draws, strict=True))
                if d is None and q >= len(self.speakers)]
        unattributed = set(self.rng.sample(fill, k=len(fill) // 20)) if fill else set()
        picks = self.rng.choices(self.speaker_ids, cum_weights=self.cum_weights, k=len(fill))
        for i, sid in zip(fill, picks, strict=True):
            draws[i] = None if i in unattributed else sid
        return draws

    def _snippet(self, n_words: int) -> tuple[str, int]:
        start = self.rng.randrange(0, len(self.words) - n_words - 80)
        return " ".join(self.words[start : start + n_words]), start

    def chunks(self) -> Iterator[tuple[list[tuple], list[tuple]]]:
        """(article rows, quote rows) per chunk of about CHUNK quotes."""
        rng = self.rng
        now = datetime.now(UTC)
        qid = 1
        articles: list[tuple] = []
        quotes: list[tuple] = []
        speakers = self.speakers
        shuffled = list(range(self.quotes))
        del shuffled  # draws are made per article below
        for size in _article_sizes(self.quotes, rng):
            self.articles += 1
            aid = self.articles
            seen_on = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            published = seen_on if rng.random() < 0.9 else None
            owners = self._speaker_draws(size, qid - 1)
            first_of_article = len(quotes)
            parts: list[str] = []
            offset = 0
            for sid in owners:
                n_words = rng.randint(10, 40)
                text, start = self._snippet(n_words)
                before = " ".join(self.words[max(0, start - 18) : start])
                after = " ".join(self.words[start + n_words : start + n_words + 18])
                cue, lemma = rng.choice(CUES)
                speaker = speakers[sid - 1] if sid is not None else None
                mention = (speaker.aliases[-1] if speaker and rng.random() < 0.5 else "he") if speaker else None
                sentence = f"“{text},” {mention or 'someone'} {cue}. "
                q_start = offset + 1
                q_end = q_start + len(text)
                cue_start = q_end + 3 + len(mention or "someone") + 1
                parts.append(sentence)
                offset += len(sentence)
                for w in text.lower().split():
                    w = w.strip(".,;:!?\"'“”‘’()")
                    if w.isalpha() and len(w) > 3:
                        self.word_counts[w] = self.word_counts.get(w, 0) + 1
                quotes.append((
                    qid, aid, sid, q_start, q_end, text, rng.choice(KINDS), cue, lemma, cue_start,
                    cue_start + len(cue), mention, None, None, None, round(rng.uniform(0.4, 0.99), 3), "{}",
                    f"{before} “{text},” {mention or 'someone'} {cue}. {after}"[:260], seen_on,
                ))
                qid += 1
                if speaker is not None:
                    speaker.quote_count += 1
                    speaker.articles.add(aid)
                    if speaker.first_seen is None or seen_on < speaker.first_seen:
                        speaker.first_seen = seen_on
                    if speaker.last_seen is None or seen_on > speaker.last_seen:
                        speaker.last_seen = seen_on
            body = "".join(parts)
            title = " ".join(self._snippet(rng.randint(5, 11))[0].split()).strip(" ,.;")[:200]
            outlet = rng.choice(OUTLETS)
            articles.append((
                aid, hashlib.sha256(body.encode()).hexdigest(), title, outlet,
                f"https://news.example/{aid}", published, seen_on, body, size, now,
            ))
            quotes[first_of_article:] = [q + (outlet,) for q in quotes[first_of_article:]]
            if len(quotes) >= CHUNK:
                yield articles, quotes
                articles, quotes = [], []
        if quotes or articles:
            yield articles, quotes

    def speaker_rows(self) -> tuple[list[tuple], list[tuple], list[tuple]]:
        from api.speakers.index import normalised_alias
        from attribution.names import speaker_key

        now = datetime.now(UTC)
        speakers, aliases, attrs = [], [], []
        alias_id = attr_id = 0
        for s in self.speakers:
            speakers.append((s.id, s.slug, s.name, s.kind, False, False, s.quote_count, len(s.articles),
                             s.first_seen, s.last_seen, now, now))
            for name in s.aliases:
                alias_id += 1
                aliases.append((alias_id, s.id, name, normalised_alias(name, s.kind)[:300],
                                speaker_key(name, s.kind)[:300], s.kind, None, False, 1))
            for typ, values in (("title", s.titles), ("role", s.roles), ("organisation", s.organisations)):
                for v in values:
                    attr_id += 1
                    attrs.append((attr_id, s.id, typ, v, s.first_seen, s.last_seen))
        return speakers, aliases, attrs


ARTICLE_COLS = ("id", "content_hash", "title", "outlet", "url", "published", "seen_on", "text", "quote_count",
                "created_at")
QUOTE_COLS = ("id", "article_id", "speaker_id", "start_offset", "end_offset", "text", "kind", "cue", "cue_lemma",
              "cue_start", "cue_end", "mention", "mention_start", "mention_end", "via", "confidence", "evidence",
              "context", "seen_on", "outlet")
SPEAKER_COLS = ("id", "slug", "name", "kind", "name_locked", "edited", "quote_count", "article_count",
                "first_seen", "last_seen", "created_at", "updated_at")
ALIAS_COLS = ("id", "speaker_id", "name", "normalised", "key", "kind", "article_id", "pinned", "seen_count")
ATTR_COLS = ("id", "speaker_id", "type", "value", "first_seen", "last_seen")


def _sqlite_fill(path: str, gen: Generator, progress: bool) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    con.execute("PRAGMA foreign_keys=OFF")
    kept = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name='quotes' AND sql IS NOT NULL "
        "AND type IN ('index', 'trigger')"
    ).fetchall()
    for name, sql in kept:
        con.execute(f"DROP {'TRIGGER' if sql.upper().startswith('CREATE TRIGGER') else 'INDEX'} {name}")

    def insert(table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
        if rows:
            con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                            [_sqlite_row(r) for r in rows])

    con.execute("BEGIN")
    done = 0
    for articles, quotes in gen.chunks():
        insert("articles", ARTICLE_COLS, articles)
        insert("quotes", QUOTE_COLS, quotes)
        done += len(quotes)
        if progress:
            print(f"\r  quotes {done:,}", end="", file=sys.stderr, flush=True)
    speakers, aliases, attrs = gen.speaker_rows()
    insert("speakers", SPEAKER_COLS, speakers)
    insert("speaker_aliases", ALIAS_COLS, aliases)
    insert("speaker_attributes", ATTR_COLS, attrs)
    con.execute("COMMIT")
    if progress:
        print("\n  indexes and full-text index", file=sys.stderr)
    for _name, sql in kept:
        con.execute(sql)
    if con.execute("SELECT 1 FROM sqlite_master WHERE name='quotes_fts'").fetchone():
        # As the triggers of migration 0008 index each quote; then merged into one segment, as the
        # migration leaves it (a bulk insert leaves a dozen or more).
        from api.store.fulltext import FTS_KEY_SQL, FTS_VALUES_SQL

        con.execute(f"INSERT INTO quotes_fts(rowid, text, speaker, kind, outlet) "
                    f"SELECT {FTS_KEY_SQL}, {FTS_VALUES_SQL} FROM quotes")
        con.execute("INSERT INTO quotes_fts(quotes_fts) VALUES ('optimize')")
    con.execute("UPDATE store_meta SET value = value + 1 WHERE key = 'speakers_version'")
    con.execute("ANALYZE")
    con.close()


def _sqlite_row(row: tuple) -> tuple:
    return tuple(v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else v
                 for v in row)


async def _postgres_fill(url: str, gen: Generator, progress: bool) -> None:
    import asyncpg

    con = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        kept = await con.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'quotes' AND indexname <> 'pk_quotes'"
        )
        for r in kept:
            await con.execute(f"DROP INDEX {r['indexname']}")
        fks = await con.fetch(
            "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint "
            "WHERE conrelid = 'quotes'::regclass AND contype = 'f'"
        )
        for r in fks:
            await con.execute(f"ALTER TABLE quotes DROP CONSTRAINT {r['conname']}")
        done = 0
        for articles, quotes in gen.chunks():
            await con.copy_records_to_table("articles", records=articles, columns=list(ARTICLE_COLS))
            await con.copy_records_to_table("quotes", records=[_pg_quote(q) for q in quotes],
                                            columns=list(QUOTE_COLS))
            done += len(quotes)
            if progress:
                print(f"\r  quotes {done:,}", end="", file=sys.stderr, flush=True)
        speakers, aliases, attrs = gen.speaker_rows()
        await con.copy_records_to_table("speakers", records=speakers, columns=list(SPEAKER_COLS))
        await con.copy_records_to_table("speaker_aliases", records=aliases, columns=list(ALIAS_COLS))
        await con.copy_records_to_table("speaker_attributes", records=attrs, columns=list(ATTR_COLS))
        if progress:
            print("\n  indexes", file=sys.stderr)
        for r in kept:
            await con.execute(r["indexdef"])
        for r in fks:
            await con.execute(f"ALTER TABLE quotes ADD CONSTRAINT {r['conname']} {r['def']}")
        for table in ("articles", "quotes", "speakers", "speaker_aliases", "speaker_attributes"):
            await con.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        await con.execute("UPDATE store_meta SET value = value + 1 WHERE key = 'speakers_version'")
        # as autovacuum would soon: statistics, and the visibility map index-only scans rely on
        await con.execute("VACUUM (ANALYZE)")
    finally:
        await con.close()


def _pg_quote(row: tuple) -> tuple:
    # the evidence column is JSON: asyncpg's COPY wants its text form
    return row[:16] + (json.dumps({}),) + row[17:]


async def fill_store(url: str, quotes: int = 1_000_000, speakers: int = 100_000, *, seed: int = 5,
                     progress: bool = True) -> FillSummary:
    """Migrate the empty database at `url` and fill it; raises if it holds articles already."""
    from sqlalchemy import text

    from api.store.db import create_migration_engine
    from api.store.migrate import upgrade

    if speakers < 1 or quotes < speakers:
        raise ValueError("need at least one speaker and at least as many quotes as speakers")
    t0 = time.perf_counter()
    await upgrade(url)
    engine = create_migration_engine(url)
    try:
        async with engine.connect() as conn:
            if await conn.scalar(text("SELECT count(*) FROM articles")):
                raise SystemExit(f"fill_store: {url} holds articles already; give an empty database")
    finally:
        await engine.dispose()
    gen = Generator(quotes, speakers, seed)
    parsed_backend = url.split(":", 1)[0].split("+", 1)[0]
    if parsed_backend == "sqlite":
        path = url.split(":///", 1)[1]
        await asyncio.to_thread(_sqlite_fill, path, gen, progress)
    else:
        await _postgres_fill(url, gen, progress)
    topic = sorted(gen.word_counts, key=lambda w: -gen.word_counts[w])
    return FillSummary(
        quotes=quotes, speakers=speakers, articles=gen.articles, seconds=time.perf_counter() - t0,
        speaker_names=[s.name for s in gen.speakers], speaker_weights=[s.quote_count for s in gen.speakers],
        topic_words=topic,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fill_store", description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", help="an empty database (sqlite+aiosqlite:///FILE or postgresql://...)")
    parser.add_argument("--quotes", type=int, default=1_000_000)
    parser.add_argument("--speakers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    summary = asyncio.run(fill_store(args.database_url, args.quotes, args.speakers, seed=args.seed))
    print(f"{summary.quotes:,} quotes, {summary.speakers:,} speakers, {summary.articles:,} articles "
          f"in {summary.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
