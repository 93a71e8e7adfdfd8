"""The README's plugin snippet as a real conftest: asyncfakes' plugin needs no registration.

It is loaded by its entry point; its fixtures (``asyncpg_connection``, ``asyncpg_pool``,
``asyncpg_patch``, ...) are typed with the fakes' own classes, and every fake made during a test
is verified when the test ends.
"""

from __future__ import annotations

import pytest
from orders import OrderRepository

from asyncfakes.asyncpg import FakeConnection


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def repo(asyncpg_connection: FakeConnection) -> OrderRepository:
    return OrderRepository(asyncpg_connection)
