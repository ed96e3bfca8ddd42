"""Which database errors are a 503 (try again) rather than a 500 (a bug)."""

from __future__ import annotations

import errno

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.store.db import _database_unreachable, _unavailable_when_unreachable
from quotelens.errors import Unavailable


@pytest.mark.parametrize("exc, unavailable", [
    (PoolTimeout("QueuePool limit of size 5 overflow 5 reached"), True),
    (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), True),
    (TimeoutError(), True),
    (OSError(errno.ENOENT, "no such file"), False),
    (ValueError("a bug"), False),
])
def test_unreachable_or_overloaded_database(exc: BaseException, unavailable: bool) -> None:
    assert _database_unreachable(exc) is unavailable


async def test_pool_timeout_becomes_503() -> None:
    with pytest.raises(Unavailable):
        async with _unavailable_when_unreachable():
            raise PoolTimeout("QueuePool limit reached")
