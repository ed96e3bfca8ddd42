"""Long id lists in pieces: each IN list stays well under SQLite's bound-parameter limit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["IN_LIST_SIZE", "chunked"]

T = TypeVar("T")

# SQLite allows 32,766 bound parameters per statement (older builds 999); PostgreSQL
# 32,767. 500 keeps a statement with two IN lists far below either.
IN_LIST_SIZE = 500


def chunked(values: Iterable[T], size: int = IN_LIST_SIZE) -> Iterator[list[T]]:
    """`values` in lists of at most `size`, in order (none for no values)."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
