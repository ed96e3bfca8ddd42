"""Full-text search over quote text: the one read whose SQL differs per database.

- SQLite: the FTS5 table `quotes_fts` (migration 0002) holds each quote's text,
  speaker, kind and (migration 0007) outlet, under the rowid -((day of seen_on << 32) | quote id)
  (negated by migration 0008: newest first is FTS5's forward order, cheaper than its backward
  one), so the index alone finds, filters, orders (newest first) and counts a listing's matches.
- PostgreSQL: the generated `quotes.text_tsv` column, one more condition of an
  ordinary query. With the `rum` extension (migration 0007) its RUM index carries each
  match's `sort_key` (day << 32 | id, as SQLite's rowid), so matches are ordered newest
  first inside the index (`RUM_NEWEST_FIRST`) and only a page of rows is read from the
  table; without it, the GIN index finds the matches and every one is read and sorted.

`api.quotes` builds its listings from these pieces and asks `Store.is_sqlite`
which plan to use; the SQL of either database stays here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import TextClause, text

from api.store.values import FIRST_DAY

__all__ = [
    "FTS_VALUES_SQL",
    "fts_outlet_token",
    "ORDERED_INDEX",
    "RUM_NEWEST_FIRST",
    "newest_key",
    "FTS_ID_MASK",
    "FTS_KEY_SQL",
    "FTS_WHERE",
    "TSV_MATCH",
    "fts5_query",
    "key_day",
    "kind_streamed_in_search",
    "topic_params",
]

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 32
# SQLite: a quote's full-text rowid is its key (day of seen_on << 32) | id (migration 0002), negated
# (0008), so the index yields matches newest first walking forwards; the key's low 32 bits are the quote id.
FTS_ID_MASK = 0xFFFFFFFF
# The rowid in SQL, over a quotes row: what migration 0008's triggers index a quote under
# (for tools that fill or check the index by hand; the migration itself keeps its own copy).
FTS_KEY_SQL = "(-((CAST(julianday(seen_on) AS INTEGER) << 32) | id))"
# What the index holds of a quotes row, after the key: text, speaker, kind, outlet (`fts_outlet_token`).
FTS_VALUES_SQL = "text, 's' || speaker_id, kind, 'o' || hex(outlet) || '0'"
# SQLite: the matches of a listing (parameters from `topic_params`).
FTS_WHERE = text("quotes_fts MATCH :match AND quotes_fts.rowid >= :low AND quotes_fts.rowid <= :high")
# PostgreSQL: a quote holds every topic word (stemmed).
TSV_MATCH: TextClause = text("quotes.text_tsv @@ plainto_tsquery('english', :words)")
# PostgreSQL with rum: the RUM index's order, newest first from the key `newest_key` gives
# (`<=|`: how far below it; keys above it, newer than a date range, come last).
ORDERED_INDEX = "ix_quotes_text_rum"
RUM_NEWEST_FIRST: TextClause = text("quotes.sort_key <=| CAST(:newest_key AS bigint)")
_DAY_ZERO = date(1, 1, 1)


# RUM orders by a float8 distance (newest_key - sort_key): exact only below 2**53, so the key
# stays near the quotes' own keys (about 2**51 now), not at the top of bigint.
_FAR_DAY = date(2999, 12, 31)


def newest_key(until: date | None) -> int:
    """The largest `sort_key` of a quote seen on `until` or before (without a date: on any day to come)."""
    return (((min(until or _FAR_DAY, _FAR_DAY) - _DAY_ZERO).days + 1) << 32) - 1


def key_day(key: int, *, sqlite: bool) -> date:
    """The day of a search key (SQLite's full-text rowid or PostgreSQL's `sort_key`: day << 32 | id)."""
    day = key >> 32
    return date.fromordinal(max(1, day - _JULIAN_OFFSET if sqlite else day + 1))


def fts5_query(q: str) -> str | None:
    """Topic words as an FTS5 query: every word must occur (stemmed); None when there are none."""
    words = _WORD.findall(q)
    return " ".join(f'"{w}"' for w in words[:MAX_WORDS]) or None


def fts_outlet_token(outlet: str) -> str:
    """How the `outlet` column of `quotes_fts` holds an outlet (migration 0007): one token, 'o', the
    UTF-8 bytes in hex, '0' (a digit last, so the porter stemmer leaves it whole)."""
    return f"o{outlet.encode('utf-8', 'surrogatepass').hex()}0"


# Kinds whose quotes are few enough (a tenth each in news) that the index's own list of them
# narrows a search: intersecting the list of a common kind (direct: half the quotes) with the
# words' costs more than checking each match's row. On the 1M-quote store, the newest 101
# matches of the benchmark's draw: direct 2.0 ms in the index against 0.8 checked on the rows,
# indirect 1.6 / 1.0; mixed 1.2 / 2.3, continuation 1.2 / 2.4; with a speaker as well
# (its list already short) the rows win for every kind (0.7-1.0 ms against 1.9-3.3).
_KINDS_IN_INDEX = frozenset({"mixed", "continuation"})


def kind_streamed_in_search(kind: str, speaker_ids: Sequence[int] | None) -> bool:
    """SQLite: whether a search's kind filter is checked on each match's row instead of in the index."""
    return speaker_ids is not None or kind not in _KINDS_IN_INDEX


def _fts_match(words: str, speaker_ids: Sequence[int] | None, kind: str | None, outlet: str | None) -> str:
    """The FTS5 query of a SQLite listing with topic words: the words in the text, and the
    speaker, kind (migration 0002) and outlet (0007) columns for those filters."""
    match = f"text : ({words})"
    if speaker_ids is not None:
        match += " AND (" + " OR ".join(f'speaker : "s{int(sid)}"' for sid in speaker_ids) + ")"
    if kind is not None:
        match += f' AND kind : "{kind}"'
    if outlet is not None:
        match += f' AND outlet : "{fts_outlet_token(outlet)}"'
    return match


_JULIAN_OFFSET = 1_721_424  # SQLite's CAST(julianday(day) AS INTEGER) less the day's ordinal


def _fts_day(day: date) -> int:
    """What SQLite's CAST(julianday(day) AS INTEGER) gives: the high half of an FTS rowid."""
    return day.toordinal() + _JULIAN_OFFSET


def topic_params(
    q: str, *, sqlite: bool, speaker_ids: Sequence[int] | None, kind: str | None,
    since: date | None, until: date | None, outlet: str | None = None,
) -> dict[str, Any] | None:
    """The parameters of a listing's topic words (`FTS_WHERE` or `TSV_MATCH`); None when there are none."""
    words = fts5_query(q) if sqlite else " ".join(_WORD.findall(q)[:MAX_WORDS])
    if not words:
        return None
    params: dict[str, Any] = {"words": words}
    if sqlite:
        # The full-text index answers it all: speaker, kind and outlet are its columns, dates its rowids.
        params["match"] = _fts_match(words, speaker_ids, kind, outlet)
        # Keys from `first` to before `end`; undated quotes (day UNDATED) sit below FIRST_DAY: any
        # date range leaves them out. The rowids are the keys negated: from -(end - 1) to -first.
        dated_range = since is not None or until is not None
        first = _fts_day(max(since or FIRST_DAY, FIRST_DAY)) << 32 if dated_range else 0
        end = (_fts_day(until) + 1) << 32 if until is not None else 2**63 - 1
        params["low"], params["high"] = -(end - 1), -first
    return params
