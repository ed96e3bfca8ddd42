"""What the store's text columns take: one place for the checks and the clipping."""

from __future__ import annotations

from datetime import date

from quotelens.errors import InvalidInput

__all__ = ["FIRST_DAY", "UNDATED", "check_text", "clip", "dated", "seen_day"]

# The `seen_on` of an article without a publication date, and of its quotes and mentions:
# the earliest date both databases store. Newest-first reads put such articles last
# with no NULL ordering to tell apart; `since` leaves them out by itself and `until`
# by `seen_on > UNDATED`; speaker and attribute first/last seen dates skip it.
UNDATED = date(1, 1, 1)
# The first day a date range can start on: anything from it on is dated.
FIRST_DAY = date(1, 1, 2)


def seen_day(published: date | None) -> date:
    """The day an article counts as seen on: its publication date, else UNDATED."""
    return published if published is not None else UNDATED


def dated(day: date | None) -> date | None:
    """A stored day as a date to show or count in date ranges (None for UNDATED)."""
    return None if day is None or day <= UNDATED else day


def check_text(value: str, field: str) -> str:
    """`value` unchanged, or InvalidInput when it cannot be stored (NUL, lone surrogates)."""
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character (\\u0000), which cannot be stored", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{field} is not valid Unicode (it contains a lone surrogate)", field=field) from None
    return value


def clip(value: str | None, limit: int) -> str | None:
    """`value` cut to a column's length (None stays None)."""
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"
