"""asyncfakes.psqlpy FakeCursor and FakePreparedStatement: states, chunks, and the rows they read."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes.psqlpy import FakeConnection
from asyncfakes.psqlpy import exceptions as exc

pytestmark = pytest.mark.anyio

ROWS = [{"n": 1}, {"n": 2}, {"n": 3}]


def scripted() -> FakeConnection:
    """A connection whose cursors read ROWS."""
    conn = FakeConnection()
    conn.when(method="cursor").returns(ROWS)
    return conn


async def test_fetching_needs_a_started_open_cursor() -> None:
    """Before start() and after close() every fetch raises TransactionClosedError, as in psqlpy."""
    cursor = scripted().cursor("SELECT n FROM t")

    for fetch in (cursor.fetchone, cursor.fetchmany, cursor.fetchall, cursor.__anext__):
        with pytest.raises(
            exc.TransactionClosedError, match="^Underlying connection is returned to the pool$"
        ):
            await fetch()
    await cursor.start()
    cursor.close()
    with pytest.raises(exc.TransactionClosedError):
        await cursor.fetchone()
    with pytest.raises(exc.ConnectionClosedError):
        await cursor.start()


async def test_a_cursor_without_a_query_cannot_start() -> None:
    """cursor() with no query fails at start() with CursorStartError, and nothing is recorded."""
    conn = FakeConnection()

    with pytest.raises(exc.CursorStartError, match="^Cursor start error: Cannot start cursor$"):
        await conn.cursor().start()
    assert 0 == len(conn.calls)


async def test_fetches_walk_the_rows_and_then_give_empty_results() -> None:
    """fetchone, fetchmany(n) and fetchall move through the rows; past the end they give nothing."""
    cursor = scripted().cursor("SELECT n FROM t")
    await cursor.start()

    chunks = [
        (await cursor.fetchone()).result(),
        (await cursor.fetchmany(5)).result(),
        (await cursor.fetchone()).result(),
        (await cursor.fetchall()).result(),
    ]

    assert [[ROWS[0]], ROWS[1:], [], []] == chunks
    assert (1, None) == (cursor.array_size, cursor.parameters)


async def test_async_for_reads_chunks_of_array_size() -> None:
    """`async with` starts the cursor; iteration gives array_size rows at a time, then stops."""
    async with scripted().cursor("SELECT n FROM t", array_size=2) as cursor:
        chunks = [chunk.result() async for chunk in cursor]

    assert [ROWS[:2], ROWS[2:]] == chunks


async def test_execute_restarts_the_cursor_on_another_query() -> None:
    """cursor.execute() returns None and the fetches read the new query's rows."""
    conn = FakeConnection()
    conn.when(sql="SELECT 2 AS n").returns([{"n": 2}])
    cursor = conn.cursor("SELECT 1 AS n")
    await cursor.start()

    restart: Any = cursor.execute  # typed -> None; the claim is that it really returns None
    assert None is await restart("SELECT 2 AS n", [])
    assert ([{"n": 2}], "SELECT 2 AS n", []) == (
        (await cursor.fetchall()).result(),
        cursor.querystring,
        cursor.parameters,
    )
    assert [("SELECT 1 AS n", None), ("SELECT 2 AS n", [])] == [
        (call.sql, call.params) for call in conn.calls.filter(method="cursor")
    ]


async def test_a_statement_cursor_runs_the_statement() -> None:
    """PreparedStatement.cursor() reads the statement's rows though its own query reads None."""
    conn = scripted()
    statement = await conn.prepare("SELECT n FROM t WHERE n > $1", [0])
    cursor = statement.cursor()

    await cursor.start()

    assert (ROWS, None) == ((await cursor.fetchall()).result(), cursor.querystring)
    started = conn.calls.filter(method="cursor").one()
    assert ("SELECT n FROM t WHERE n > $1", [0]) == (started.sql, started.params)
    assert [] == (await statement.execute()).result()


async def test_execute_many_may_be_scripted_to_return_none() -> None:
    """Scripting None for execute_many is allowed: it is what psqlpy returns."""
    conn = FakeConnection()
    conn.execute_many.returns(None)

    run: Any = conn.execute_many
    assert None is await run("INSERT $1", [[1]])
