"""asyncfakes.psycopg FakeAsyncConnection: connect, settings, handlers, failures, verify() notes."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.pq import ConnStatus, TransactionStatus
from psycopg.rows import dict_row

from asyncfakes import ExpectationsNotMet
from asyncfakes.psycopg import (
    FakeAsyncConnection,
    FakeAsyncCursor,
    FakeAsyncServerCursor,
    connection_lost,
    unique_violation,
)

pytestmark = pytest.mark.anyio


async def test_connect_on_the_class_makes_a_new_fake_with_the_options() -> None:
    """FakeAsyncConnection.connect(...) gives a new fake, autocommit and row factory applied."""
    conn = await FakeAsyncConnection.connect("dbname=x", autocommit=True, row_factory=dict_row, user="u")

    assert (True, dict_row, "dbname=x", {"user": "u"}) == (
        conn.autocommit,
        conn.row_factory,
        conn.conninfo,
        conn.conninfo_kwargs,
    )


async def test_connect_on_a_fake_gives_that_fake() -> None:
    """conn.connect replaces psycopg.AsyncConnection.connect in a test: the scripted fake comes back."""
    conn = FakeAsyncConnection()

    got = await conn.connect("", cursor_factory=FakeAsyncServerCursor)

    assert got is conn
    assert conn.cursor_factory is FakeAsyncServerCursor


async def test_info_tells_status_and_server() -> None:
    """conn.info: transaction status, connection status, parameters."""
    conn = FakeAsyncConnection()
    info = conn.info

    assert (ConnStatus.OK, 0, "UTC", None) == (
        info.status,
        info.pipeline_status,
        info.parameter_status("TimeZone"),
        info.parameter_status("nope"),
    )
    assert "asyncfakes" == info.get_parameters()["dbname"]
    assert "<ConnectionInfo IDLE>" == repr(info)
    await conn.close()
    assert (ConnStatus.BAD, TransactionStatus.UNKNOWN) == (info.status, info.transaction_status)


async def test_a_call_in_flight_shows_active() -> None:
    """While a statement is being answered the status is ACTIVE."""
    conn = FakeAsyncConnection(autocommit=True)
    seen: list[object] = []

    def answer(call: object) -> int:
        seen.append(conn.info.transaction_status)
        return 1

    conn.execute.answers(answer)

    await conn.execute("UPDATE t SET a = 1")

    assert [TransactionStatus.ACTIVE] == seen


async def test_handlers_are_kept() -> None:
    """Notice and notify handlers can be added and removed."""
    conn = FakeAsyncConnection()

    def handler(message: object) -> None:
        raise AssertionError("the fake sends no notices")

    conn.add_notice_handler(handler)
    conn.add_notify_handler(handler)
    added = (list(conn.notice_handlers), list(conn.notify_handlers))
    conn.remove_notice_handler(handler)
    conn.remove_notify_handler(handler)

    assert (([handler], [handler]), [], []) == (added, conn.notice_handlers, conn.notify_handlers)


@pytest.mark.parametrize("attribute", ["isolation_level", "read_only", "deferrable"])
async def test_every_setting_is_read_only(attribute: str) -> None:
    """Assigning a setting raises AttributeError naming the set_ method."""
    conn = FakeAsyncConnection()

    with pytest.raises(AttributeError, match=f"please use 'await .set_{attribute}\\(\\)' instead"):
        setattr(conn, attribute, None)


async def test_settings_reset_to_none_and_shape_begin() -> None:
    """The BEGIN statement carries the settings; None resets them."""
    conn = FakeAsyncConnection()
    await conn.set_isolation_level(psycopg.IsolationLevel.REPEATABLE_READ)
    await conn.set_read_only(False)
    await conn.set_deferrable(True)
    await conn.execute("SELECT 1")
    await conn.rollback()
    await conn.set_isolation_level(None)
    await conn.set_read_only(None)
    await conn.set_deferrable(None)
    await conn.execute("SELECT 1")

    assert ["BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE DEFERRABLE", "BEGIN"] == [
        c.sql for c in conn.calls.filter(method="start")
    ]


async def test_cursor_factory_and_named_cursors() -> None:
    """cursor() uses the cursor factory; cursor(name) gives a server cursor."""
    conn = FakeAsyncConnection()

    plain, named = conn.cursor(), conn.cursor("c", scrollable=True, withhold=True)

    assert FakeAsyncCursor is type(plain)
    assert isinstance(named, FakeAsyncServerCursor)
    assert (True, True, 100, "<psycopg FakeAsyncServerCursor 'c'>") == (
        named.scrollable,
        named.withhold,
        named.itersize,
        repr(named),
    )


async def test_a_lost_connection_is_broken_and_closed() -> None:
    """connection_lost(): OperationalError, then closed and broken; the transaction is gone."""
    conn = FakeAsyncConnection()
    conn.execute.raises(connection_lost())

    with pytest.raises(psycopg.OperationalError, match="server closed the connection unexpectedly"):
        await conn.execute("SELECT 1")

    assert (True, True, TransactionStatus.UNKNOWN) == (conn.closed, conn.broken, conn.info.transaction_status)
    assert "rolled_back" == conn.transactions[0].state
    await conn.close()
    assert conn.broken
    with pytest.raises(psycopg.OperationalError, match="^the connection is closed$"):
        await conn.commit()


async def test_a_recorded_call_on_a_closed_connection_is_refused() -> None:
    """A statement reaching the script after close() fails as psycopg's (the connection is closed)."""
    conn = FakeAsyncConnection()
    cursor = conn.cursor()
    await conn.close()

    with pytest.raises(psycopg.OperationalError, match="^the connection is closed$"):
        await conn.execute.record("SELECT 1")
    with pytest.raises(psycopg.OperationalError):
        await cursor.execute("SELECT 1")
    with pytest.raises(psycopg.OperationalError):
        conn.cursor()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_closing_inside_a_transaction_is_reported() -> None:
    """close() with uncommitted work discards it, and verify() says so."""
    conn = FakeAsyncConnection()
    await conn.execute("INSERT INTO t VALUES (1)")

    await conn.close()

    assert "rolled_back" == conn.transactions[0].state
    with pytest.raises(
        ExpectationsNotMet, match="closed inside .* PostgreSQL discarded its uncommitted work"
    ):
        conn.verify()


async def test_async_with_swallows_a_failing_rollback() -> None:
    """A rollback failing on the way out of `async with conn` does not hide the original error."""
    conn = FakeAsyncConnection()
    conn.when(sql="ROLLBACK").raises(unique_violation())

    with pytest.raises(ZeroDivisionError):
        async with conn:
            await conn.execute("SELECT 1")
            raise ZeroDivisionError

    assert conn.closed


async def test_async_with_leaves_a_pool_connection_open() -> None:
    """A connection that belongs to a pool is committed, not closed, by `async with`."""
    conn = FakeAsyncConnection()
    conn._pool = object()  # pyright: ignore[reportPrivateUsage]

    async with conn:
        await conn.execute("SELECT 1")

    assert (False, "IDLE") == (conn.closed, conn.info.transaction_status.name)


async def test_async_with_on_a_closed_connection_does_nothing() -> None:
    """Leaving `async with` after close() neither commits nor fails."""
    async with FakeAsyncConnection() as conn:
        await conn.close()

    assert 1 == len(conn.calls)


async def test_repr_shows_the_status() -> None:
    """The repr names the transaction status and the number of calls."""
    conn = FakeAsyncConnection()
    await conn.execute("SELECT 1")

    assert "<psycopg FakeAsyncConnection INTRANS, 2 calls>" == repr(conn)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_strict_connections_refuse_unscripted_statements() -> None:
    """strict=True: an unscripted execute raises UnexpectedCall; BEGIN/COMMIT need no script."""
    from asyncfakes import UnexpectedCall

    conn = FakeAsyncConnection(strict=True)
    conn.execute.when(sql="SELECT 1").returns([{"n": 1}])

    assert [(1,)] == await (await conn.execute("SELECT 1")).fetchall()
    with pytest.raises(UnexpectedCall):
        await conn.execute("SELECT 2")


async def test_verify_leaves_an_implicit_transaction_to_the_caller() -> None:
    """A transaction psycopg opened by itself is not a problem; a block still open is."""
    conn = FakeAsyncConnection()
    await conn.execute("SELECT 1")
    conn.verify()

    async with conn.transaction():
        with pytest.raises(ExpectationsNotMet, match="savepoint active> was never committed"):
            conn.verify()
