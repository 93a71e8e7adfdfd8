"""Prepared statements and cursors: recorded on the connection, answering from its script."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes.asyncpg import FakeConnection, Record, error_class, rows

pytestmark = pytest.mark.anyio

InterfaceError = error_class("InterfaceError")


async def test_a_statement_answers_from_the_connections_script() -> None:
    """stmt.fetch & co. are recorded under the connection's method names, with the query as SQL."""
    conn = FakeConnection()
    conn.fetch.returns([{"a": 1}])
    conn.fetchrow.returns_once({"a": 1})
    conn.fetchval.returns_once(2)
    conn.fetchmany.returns([{"a": 3}])
    statement = await conn.prepare("SELECT $1::int AS a", name="mine")

    got: Any = (
        statement.get_statusmsg(),
        await statement.fetch(1),
        statement.get_statusmsg(),
        await statement.fetchrow(1),
        await statement.fetchrow(1),
        statement.get_statusmsg(),
        await statement.fetchval(1),
        await statement.fetchval(1, column=0),
        await statement.fetchmany([(1,)]),
        await statement.executemany([(1,), (2,)]),  # type: ignore[func-returns-value]
    )

    assert (None, [(1,)], "SELECT 1", (1,), None, "SELECT 0", 2, None, [(3,)], None) == got
    assert ("mine", "SELECT $1::int AS a") == (statement.get_name(), statement.get_query())
    assert ["fetch", "fetchrow", "fetchrow", "fetchval", "fetchval", "fetchmany", "executemany"] == [
        call.method for call in conn.calls[1:]
    ]
    assert [(1,), [(1,), (2,)]] == [conn.fetch.calls.one().params, conn.executemany.calls.one().params]
    assert "<asyncfakes.asyncpg.FakePreparedStatement mine 'SELECT $1::int AS a'>" == repr(statement)


async def test_a_statement_gets_a_name_and_the_record_class() -> None:
    """Without name= a unique asyncpg-like name; the prepare's record_class shapes its rows."""

    class Mine(Record):
        pass

    conn = FakeConnection()
    conn.fetch.returns([{"a": 1}])
    first = await conn.prepare("SELECT 1", record_class=Mine)
    second = await conn.prepare("SELECT 1")

    assert first.get_name() != second.get_name()
    assert first.get_name().startswith("__asyncpg_stmt_")
    assert (Mine, Record) == (type((await first.fetch())[0]), type((await second.fetch())[0]))


async def test_a_statement_of_a_closed_connection_refuses_calls() -> None:
    """Every statement method names itself in asyncpg's InterfaceError."""
    conn = FakeConnection()
    statement = await conn.prepare("SELECT 1")
    await conn.close()

    for method in ("get_query", "get_name", "get_statusmsg", "cursor"):
        with pytest.raises(InterfaceError, match=f"^cannot call PreparedStatement.{method}\\(\\)"):
            getattr(statement, method)()
    for name in ("fetch", "fetchrow", "fetchval"):
        with pytest.raises(InterfaceError, match=f"^cannot call PreparedStatement.{name}\\(\\)"):
            await getattr(statement, name)()
    for name in ("fetchmany", "executemany"):
        with pytest.raises(InterfaceError, match=f"^cannot call PreparedStatement.{name}\\(\\)"):
            await getattr(statement, name)([])


async def test_a_statement_cursor_records_a_cursor_call() -> None:
    """stmt.cursor(*args) opens with a `cursor` call carrying the statement's query and args."""
    conn = FakeConnection()
    conn.when(method="cursor").returns(rows("a", (1,), (2,)))
    statement = await conn.prepare("SELECT generate_series(1, $1) AS a")

    async with conn.transaction():
        cursor = await statement.cursor(2)
        assert [(1,), (2,)] == await cursor.fetch(5)
        assert [1, 2] == [row["a"] async for row in statement.cursor(2, prefetch=1)]

    assert [("SELECT generate_series(1, $1) AS a", (2,))] * 2 == [
        (c.sql, c.params) for c in conn.calls if c.method == "cursor"
    ]


async def test_cursor_calls_are_recorded_and_scriptable() -> None:
    """cursor_fetch/cursor_fetchrow/cursor_forward are recorded; a scripted answer overrides the rows."""
    conn = FakeConnection()
    conn.when(method="cursor").returns(rows("a", (1,), (2,), (3,)))
    conn.when(method="cursor_fetch").returns_once([{"a": 9}])

    async with conn.transaction():
        cursor = await conn.cursor("SELECT a FROM t")
        got = [await cursor.fetch(2), await cursor.fetchrow(), await cursor.forward(1), await cursor.fetch(5)]
        with pytest.raises(InterfaceError, match="^n must be greater than zero$"):
            await cursor.forward(0)

    assert [[(9,)], (1,), 1, [(3,)]] == got
    assert ["cursor_fetch", "cursor_fetchrow", "cursor_forward", "cursor_fetch"] == [
        call.method for call in conn.calls if call.method.startswith("cursor_")
    ]
    assert '<asyncfakes.asyncpg.FakeCursor "SELECT a FROM t">' == repr(cursor)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_cursor_lives_in_its_own_transaction() -> None:
    """Outside a transaction it is refused; in a later transaction its portal is gone."""
    conn = FakeConnection()
    async with conn.transaction():
        cursor = await conn.cursor("SELECT 1")

    with pytest.raises(error_class("NoActiveSQLTransactionError")):
        await cursor.fetchrow()
    async with conn.transaction():
        with pytest.raises(
            error_class("InvalidCursorNameError"), match='^cursor "__asyncpg_portal_.*" does not exist$'
        ):
            await cursor.fetch(1)
    await conn.execute("BEGIN")
    assert [] == await (await conn.cursor("SELECT 1")).fetch(1)


async def test_cursor_factory_rules() -> None:
    """prefetch only for iteration and > 0; a closed or released connection refuses the cursor."""
    conn = FakeConnection()

    async with conn.transaction():
        with pytest.raises(InterfaceError, match="^prefetch argument must be greater than zero$"):
            async for _ in conn.cursor("SELECT 1", prefetch=0):
                pass  # pragma: no cover
        factory = conn.cursor("SELECT 1")
        iterator = factory.__aiter__()
        assert iterator is iterator.__aiter__()
        assert [] == [row async for row in iterator]
    await conn.close()

    with pytest.raises(
        InterfaceError,
        match=r"^cannot call CursorFactory.__await__\(\): the underlying connection is closed$",
    ):
        await factory
    with pytest.raises(InterfaceError, match=r"^cannot call CursorFactory.__aiter__\(\)"):
        factory.__aiter__()
    with pytest.raises(InterfaceError, match=r"^cannot call CursorIterator.__anext__\(\)"):
        await iterator.__anext__()


async def test_unscripted_statement_and_cursor_answers_are_empty() -> None:
    """With nothing scripted a statement's fetch and fetchmany give [], its cursor no rows."""
    conn = FakeConnection()
    statement = await conn.prepare("SELECT 1")

    async with conn.transaction():
        cursor = await statement.cursor()
        assert ([], [], [], None) == (
            await statement.fetch(),
            await statement.fetchmany([()]),
            await cursor.fetch(1),
            await cursor.fetchrow(),
        )
        with pytest.raises(InterfaceError, match="^n must be greater than zero$"):
            await cursor.fetch(-1)
        with pytest.raises(
            InterfaceError, match="^prefetch argument can only be specified for iterable cursor$"
        ):
            await statement.cursor(prefetch=3)
