"""What the store's text columns take: one place for the checks and the clipping."""

from __future__ import annotations

from quotelens.errors import InvalidInput

__all__ = ["check_text", "clip"]


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
