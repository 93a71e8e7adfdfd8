"""asyncfakes.psqlpy FakeConnection: psqlpy's methods, natural answers, checks, lifecycle and cursors."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes import ExpectationsNotMet
from asyncfakes.psqlpy import (
    AnswerError,
    FakeConnection,
    FakeCursor,
    FakePreparedStatement,
    QueryResult,
    connection_lost,
    unique_violation,
)
from asyncfakes.psqlpy import exceptions as exc
from asyncfakes.psqlpy._connection import _syntax_error_near  # pyright: ignore[reportPrivateUsage]

pytestmark = pytest.mark.anyio

RETURNED = "Underlying connection is returned to the pool"


async def test_unscripted_it_answers_as_an_empty_database() -> None:
    """No rows from execute/fetch, None from execute_many/execute_batch, no row for fetch_row/fetch_val."""
    conn = FakeConnection()

    assert ([], []) == (
        (await conn.execute("UPDATE t SET a = 1")).result(),
        (await conn.fetch("SELECT 1")).result(),
    )
    many: Any = conn.execute_many  # typed -> None; the claim is that it really returns None
    batch: Any = conn.execute_batch
    assert (None, None) == (await many("INSERT $1", [[1]]), await batch("SELECT 1"))
    for method in (conn.fetch_row, conn.fetch_val):
        with pytest.raises(exc.ConnectionExecuteError, match="^query returned an unexpected number of rows$"):
            await method("SELECT 1")
    assert ["execute", "fetch", "execute_many", "execute_batch", "fetch_row", "fetch_val"] == [
        call.method for call in conn.calls
    ]


async def test_scripted_plain_data_comes_back_in_psqlpys_types() -> None:
    """Rows, one row and a value are scripted as plain data and shaped per method."""
    conn = FakeConnection()
    conn.fetch.returns([{"id": 1}])
    conn.fetch_row.returns({"id": 2})
    conn.fetch_val.returns(3)

    rows = await conn.fetch("SELECT id FROM t WHERE a = $1", [True])
    row = await conn.fetch_row("SELECT id FROM t WHERE id = $1", (2,))
    value = await conn.fetch_val("SELECT count(*) FROM t")

    assert ([{"id": 1}], {"id": 2}, 3) == (rows.result(), row.result(), value)
    conn.fetch.assert_awaited_once_with("SELECT id FROM t WHERE a = $1", [True])
    assert [[True], (2,), None] == conn.calls.params


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_badly_scripted_answer_fails_the_call_and_verify() -> None:
    """Scripting a shape psqlpy cannot return is reported at the call and again by verify()."""
    conn = FakeConnection()
    conn.fetch.returns({"id": 1})
    conn.execute_many.returns(3)

    with pytest.raises(AnswerError, match="A dict is one row"):
        await conn.fetch("SELECT 1")
    with pytest.raises(AnswerError, match=r"execute_many\(\) always returns None"):
        await conn.execute_many("INSERT $1", [[1]])

    with pytest.raises(ExpectationsNotMet, match="2 problem") as found:
        conn.verify()
    assert (
        "a scripted answer does not fit what the method returns: #0 fetch('SELECT 1'): conn.fetch: psqlpy's"
        in str(found.value)
    )


async def test_parameter_checks_apply_even_to_scripted_calls() -> None:
    """psqlpy refuses wrong parameters before any answer is taken, and the call is still recorded."""
    conn = FakeConnection()
    conn.fetch_val.returns_once(1)

    with pytest.raises(exc.ConnectionExecuteError, match="^expected 2 parameters but got 1$"):
        await conn.fetch_val("SELECT $1 + $2", [1])
    with pytest.raises(exc.PyToRustValueMappingError):
        await conn.fetch_val("SELECT $1", 5)  # type: ignore[arg-type]
    with pytest.raises(exc.ConnectionExecuteError, match="^Cannot build statement in execute_many"):
        await conn.execute_many("INSERT $1", [1, 2])  # type: ignore[list-item]

    assert 1 == await conn.fetch_val("SELECT $1 + $2", [1, 2])
    assert ["raised", "raised", "raised", "returned"] == [call.outcome for call in conn.calls]


@pytest.mark.parametrize(
    ("first", "again", "expected"),
    [
        ({}, {}, "ConnectionExecuteError"),
        ({"prepared": False}, {}, "DatabaseError"),
        ({}, {"sql": "SELECT 2"}, "DatabaseError"),
        ({"positional": False}, {}, "DatabaseError"),
    ],
)
async def test_statements_that_ran_prepared_fail_later_at_execute_time(
    first: dict[str, Any], again: dict[str, Any], expected: str
) -> None:
    """psqlpy caches prepared statements: a known one meets a lost connection at execute time."""
    conn = FakeConnection()
    conn.fetch_row.returns_once({"a": 1}).raises_once(connection_lost())
    if "positional" in first:
        await conn.fetch_row("SELECT 1", None, False)
    else:
        await conn.fetch_row("SELECT 1", prepared=first.get("prepared", True))

    with pytest.raises(exc.Error) as error:
        await conn.fetch_row(again.get("sql", "SELECT 1"))

    assert (expected, "connection closed") == (type(error.value).__name__, str(error.value))


async def test_natural_answers_and_execute_many_also_prepare_statements() -> None:
    """Unscripted execute/fetch/execute_many prepare their statement too (an empty execute_many does not)."""
    conn = FakeConnection()
    await conn.execute("SELECT 1")
    await conn.fetch("SELECT 2")
    await conn.execute_many("SELECT $1", [[1]])
    await conn.execute_many("SELECT 3", [])
    for sql in ("SELECT 4", "SELECT 5"):
        with pytest.raises(exc.ConnectionExecuteError):
            await conn.fetch_val(sql) if sql.endswith("4") else await conn.fetch_row(sql)

    assert {"SELECT 1", "SELECT 2", "SELECT $1", "SELECT 4", "SELECT 5"} == conn._prepared  # pyright: ignore[reportPrivateUsage]


async def test_a_lost_connection_fails_every_later_call() -> None:
    """After connection_lost() every call, a new transaction's begin too, fails with 'connection closed'."""
    conn = FakeConnection()
    conn.execute.raises_once(connection_lost())

    for run in (conn.execute("SELECT 1"), conn.fetch("SELECT 2"), conn.transaction().begin()):
        with pytest.raises(exc.Error, match="connection closed$"):
            await run

    assert ["execute", "fetch", "start"] == [call.method for call in conn.calls]


async def test_close_is_sync_idempotent_and_refuses_later_calls() -> None:
    """close() returns None at once; later calls raise ConnectionClosedError and are recorded."""
    conn = FakeConnection()
    assert (False, "<psqlpy FakeConnection open, 0 calls>") == (conn.closed, repr(conn))

    conn.close()
    conn.close()

    assert (True, "<psqlpy FakeConnection closed, 0 calls>") == (conn.closed, repr(conn))
    with pytest.raises(exc.ConnectionClosedError, match=f"^{RETURNED}$"):
        await conn.fetch("SELECT 1")
    with pytest.raises(exc.ConnectionClosedError):
        conn.transaction()
    assert "raised" == conn.calls.one().outcome


async def test_async_with_gives_the_connection_and_closes_it() -> None:
    """`async with conn as c` binds conn itself and closes it on the way out."""
    conn = FakeConnection()

    async with conn as bound:
        assert bound is conn
        assert not conn.closed

    assert conn.closed


async def test_a_transaction_made_before_close_keeps_working() -> None:
    """A Transaction holds the server connection: it runs and commits after conn.close()."""
    conn = FakeConnection()
    tx = conn.transaction()
    conn.close()

    await tx.begin()
    await tx.execute("INSERT INTO t VALUES (1)")
    await tx.commit()

    tx.assert_committed()
    with pytest.raises(exc.ConnectionClosedError):
        await conn.execute("SELECT 1")


async def test_in_transaction_follows_psqlpys_flag() -> None:
    """in_transaction() is psqlpy's flag: up after begin, down after a commit that succeeded."""
    conn = FakeConnection()
    tx = conn.transaction()
    flags = [await conn.in_transaction()]
    await tx.begin()
    flags.append(await conn.in_transaction())
    await tx.commit()
    flags.append(await conn.in_transaction())

    assert [False, True, False] == flags


async def test_prepared_statements_run_on_the_connections_script() -> None:
    """prepare() records a call; each execute() is an execute call with the statement's SQL and parameters."""
    conn = FakeConnection()
    conn.prepare.returns(["id", "name"])
    conn.execute.when(sql="SELECT * FROM u WHERE id > $1").returns([{"id": 4, "name": "d"}])

    statement = await conn.prepare("SELECT * FROM u WHERE id > $1", [3])
    conn.close()
    rows = (await statement.execute()).result()

    assert isinstance(statement, FakePreparedStatement)
    assert (["id", "name"], [{"id": 4, "name": "d"}]) == ([c.name for c in statement.columns()], rows)
    assert [("prepare", [3]), ("execute", [3])] == [(call.method, call.params) for call in conn.calls]
    assert "<psqlpy FakePreparedStatement 'SELECT * FROM u WHERE id > $1'>" == repr(statement)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_prepare_refuses_answers_that_are_not_column_names() -> None:
    """A scripted prepare answer is a list of column names; anything else is a clear mistake."""
    conn = FakeConnection()
    conn.prepare.returns([{"id": 1}])

    with pytest.raises(AnswerError, match=r"^conn\.prepare: script the statement's column names"):
        await conn.prepare("SELECT 1")
    assert [] == (await FakeConnection().prepare("SELECT 1")).columns()


async def test_a_cursor_reads_its_scripted_rows_in_chunks() -> None:
    """The rows scripted for the `cursor` call come back through fetchone/fetchmany/fetchall."""
    conn = FakeConnection()
    conn.when(method="cursor").returns([{"n": 1}, {"n": 2}, {"n": 3}])
    cursor = conn.cursor("SELECT n FROM t WHERE a = $1", [1], array_size=2)
    assert "<psqlpy FakeCursor not started 'SELECT n FROM t WHERE a = $1'>" == repr(cursor)

    await cursor.start()
    chunks = [(await cursor.fetchmany()).result(), (await cursor.fetchall()).result()]

    assert isinstance(cursor, FakeCursor)
    assert ([[{"n": 1}, {"n": 2}], [{"n": 3}]], "started") == (chunks, repr(cursor).split()[2])
    assert ["cursor", "fetchmany", "fetchall"] == [call.method for call in conn.calls]
    cursor.close()
    assert "closed" == repr(cursor).split()[2]


async def test_a_cursor_fetch_can_be_scripted_to_fail() -> None:
    """Fetches are calls too: a scripted failure reaches the code iterating the cursor."""
    conn = FakeConnection()
    conn.when(method="fetchmany").raises(connection_lost())

    async with conn.cursor("SELECT 1") as cursor:
        with pytest.raises(exc.DatabaseError, match="^connection closed$"):
            await cursor.fetchmany(5)
        with pytest.raises(exc.DatabaseError):
            await cursor.fetchone()


async def test_a_cursor_of_a_finished_transaction_cannot_start() -> None:
    """A cursor made by a transaction that has ended fails to start, as psqlpy's does."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        cursor = tx.cursor("SELECT 1")

    with pytest.raises(exc.ConnectionClosedError):
        await cursor.start()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_cursor_inside_a_transaction_is_reported_by_verify() -> None:
    """psqlpy 0.13 rolls the enclosing transaction back when such a cursor closes: verify() says so."""
    conn = FakeConnection()
    async with conn.transaction() as tx, tx.cursor("SELECT 1"):
        pass

    with pytest.raises(ExpectationsNotMet, match="rolls the enclosing transaction back"):
        conn.verify()


async def test_a_unique_violation_takes_the_shape_of_each_method() -> None:
    """One scripted helper error becomes psqlpy's class and message for whichever method meets it."""
    conn = FakeConnection()
    conn.when(sql="INSERT INTO t VALUES (1)").raises(unique_violation("t_pkey"))

    errors: list[str] = []
    for method in (conn.execute, conn.fetch_row, conn.execute_batch):
        with pytest.raises(exc.Error) as caught:
            await method("INSERT INTO t VALUES (1)")
        errors.append(type(caught.value).__name__)

    assert ["ConnectionExecuteError", "ConnectionExecuteError", "DatabaseError"] == errors


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sp", None),
        ("sp_2$x", None),
        ('"my point"', None),
        ("", "end of input"),
        ("bad name", 'or near "name"'),
        ("bad-name", 'or near "-"'),
        ("1a", 'or near "1"'),
        ("a-b c", 'or near "-"'),
    ],
)
def test_savepoint_names_are_parsed_as_postgresql_would(name: str, expected: str | None) -> None:
    """psqlpy interpolates the name unquoted; where PostgreSQL's parser stops is the error."""
    assert expected == _syntax_error_near(name)


async def test_connections_sharing_a_script_share_answers_and_history() -> None:
    """share_with=other: one script, one history, unique transaction numbers."""
    first = FakeConnection()
    second = FakeConnection(share_with=first)
    first.fetch.returns(QueryResult([{"a": 1}]))

    rows = (await second.fetch("SELECT a")).result()
    async with first.transaction(), second.transaction() as tx:
        pass

    assert ([{"a": 1}], 1) == (rows, tx.number)
    assert 5 == len(first.calls)
