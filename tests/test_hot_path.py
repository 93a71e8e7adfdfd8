"""The compact Call: args rebuilt from the SQL and params it holds, exactly as they were passed."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes import BaseConnection, Call, FakeConnection, FakeConnectionClosed, fake_method

pytestmark = pytest.mark.anyio


class StarConnection(BaseConnection):
    """A driver whose query methods take their parameters as ``*args``, like asyncpg's."""

    @fake_method
    async def query(self, sql: str, *args: Any, timeout: float | None = None) -> list[Any]:
        return []


async def test_args_are_rebuilt_as_passed() -> None:
    """Call.args equals what was passed, however the call was written, with the params snapshot."""
    conn = FakeConnection()
    params = [1]
    await conn.fetch("SELECT $1", params)
    await conn.fetch("SELECT 1")
    await conn.fetch(stmt="SELECT 2")
    await conn.fetch("SELECT $1", parameters=[3])
    params.append(2)

    assert [("SELECT $1", [1]), ("SELECT 1",), (), ("SELECT $1",)] == [c.args for c in conn.calls]
    assert [1] == conn.calls[0].params


async def test_star_args_are_split_and_rebuilt() -> None:
    """(sql, *args) calls record the tuple of args as params, with or without keywords."""
    conn = StarConnection()
    await conn.query("SELECT $1, $2", 1, 2)
    await conn.query("SELECT $1", 1, timeout=3)
    await conn.query("SELECT 1")

    assert [(1, 2), (1,), ()] == conn.calls.params
    assert [("SELECT $1, $2", 1, 2), ("SELECT $1", 1), ("SELECT 1",)] == [c.args for c in conn.calls]
    assert {"timeout": 3} == dict(conn.calls[1].kwargs)


def test_args_that_are_not_the_sql_and_params_are_kept() -> None:
    """A Call made with args that differ from its sql and params keeps the args tuple itself."""
    assert ("SELECT 1", 2) == Call("fetch", "SELECT 1", (1,), ("SELECT 1", 2), {}, 0, None).args
    assert ("other", [1]) == Call("fetch", "SELECT 1", [1], ("other", [1]), {}, 0, None).args


async def test_raised_outcome_keeps_the_error() -> None:
    """A call that raised reports outcome 'raised' and the error; one that returned has no error."""
    conn = FakeConnection()
    error = KeyError("boom")
    conn.fetch.raises_once(error)
    with pytest.raises(KeyError):
        await conn.fetch("SELECT 1")
    await conn.fetch("SELECT 1")

    failed, passed = conn.calls
    assert ("raised", error) == (failed.outcome, failed.error)
    assert ("returned", None) == (passed.outcome, passed.error)


async def test_a_closed_connection_without_rules_of_its_own_refuses_calls() -> None:
    """A connection that adds no check_call still refuses calls once closed (the base rule)."""
    conn = StarConnection()
    await conn.query("SELECT 1")
    await conn.close()

    with pytest.raises(FakeConnectionClosed, match=r"query\(\) on a closed connection"):
        await conn.query("SELECT 1")
    assert ["query", "close", "query"] == [c.method for c in conn.calls]
