"""The same fake under pytest-asyncio in strict and auto mode, run in a separate pytest (pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TEST_MODULE = """
import pytest
import pytest_asyncio

from asyncfakes import FakeConnection


async def names(conn):
    record = await conn.fetch("SELECT name FROM users WHERE active = $1", [True])
    return [row["name"] for row in record]


@pytest_asyncio.fixture  # strict mode needs its own decorator for async fixtures
async def conn():
    conn = FakeConnection(strict=True)
    yield conn
    conn.verify()


@pytest.mark.asyncio
async def test_scripted_answer(conn):
    conn.fetch.returns_once([{"name": "Ana"}])
    assert await names(conn) == ["Ana"]
    conn.fetch.assert_awaited_once_with("SELECT name FROM users WHERE active = ?", [True])


@pytest.mark.asyncio
async def test_transaction_rolls_back(conn):
    with pytest.raises(KeyError):
        async with conn.transaction() as tx:
            raise KeyError
    tx.assert_rolled_back()
"""


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_works_under_pytest_asyncio(pytester: pytest.Pytester, mode: str) -> None:
    """Async fixtures and tests using the fakes pass in pytest-asyncio's strict and auto modes."""
    pytest.importorskip("pytest_asyncio", reason="pytest-asyncio is part of the test group")
    pytester.makepyfile(test_fakes=TEST_MODULE)
    pytester.makeini(
        f"[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
    )

    result = pytester.runpytest_subprocess("-p", "asyncio", "-p", "no:randomly", "-p", "no:anyio")

    result.assert_outcomes(passed=2)
