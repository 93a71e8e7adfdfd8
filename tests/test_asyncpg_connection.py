"""asyncfakes.asyncpg.FakeConnection: answers, shapes, recording and the rules asyncpg enforces.

Every test runs on asyncio and on trio.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest

from asyncfakes import ExpectationsNotMet, UnexpectedCall
from asyncfakes.asyncpg import (
    FakeConnection,
    Record,
    connection_lost,
    error_class,
    rows,
    serialization_failure,
)

pytestmark = pytest.mark.anyio

InterfaceError = error_class("InterfaceError")


async def test_unscripted_methods_answer_like_an_empty_database() -> None:
    """Nothing scripted: a status with 0 rows, [], None, None, [], None, and a statement."""
    conn = FakeConnection()
    executemany: Any = conn.executemany  # it answers None, which mypy would flag in an expression

    assert ("INSERT 0 0", [], None, None, [], None) == (
        await conn.execute("INSERT INTO t VALUES (1)"),
        await conn.fetch("SELECT 1"),
        await conn.fetchrow("SELECT 1"),
        await conn.fetchval("SELECT 1"),
        await conn.fetchmany("SELECT $1::int", [(1,)]),
        await executemany("SELECT $1::int", [(1,)]),
    )
    assert "SELECT 1" == (await conn.prepare("SELECT 1")).get_query()


async def test_calls_record_sql_args_and_keywords() -> None:
    """The SQL, the *args as params, and keywords like timeout= and column= are recorded."""
    conn = FakeConnection()
    await conn.fetchval("SELECT $1::int", 5, column=0, timeout=2)

    call = conn.fetchval.calls.one()
    assert ("SELECT $1::int", (5,), {"column": 0, "timeout": 2}) == (call.sql, call.params, dict(call.kwargs))
    conn.fetchval.assert_awaited_once_with("SELECT $1::int", 5, column=0, timeout=2)


@pytest.mark.parametrize(
    ("value", "status"),
    [("UPDATE 9", "UPDATE 9"), (3, "UPDATE 3"), ([{"a": 1}, {"a": 2}], "UPDATE 2"), ({"a": 1}, "UPDATE 1")],
)
async def test_execute_derives_the_status_from_the_scripted_count(value: Any, status: str) -> None:
    """A status string stands; a count, a list of rows or one row give the statement's status."""
    conn = FakeConnection()
    conn.execute.returns(value)

    assert status == await conn.execute("UPDATE t SET a = 1")


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
@pytest.mark.parametrize("value", [True, 1.5, object()])
async def test_execute_refuses_answers_that_are_no_status(value: Any) -> None:
    """A bool or another object is no status: the TypeError says what to script."""
    conn = FakeConnection()
    conn.execute.returns(value)

    with pytest.raises(TypeError, match=r"execute\(\) answers a status string; the script gave"):
        await conn.execute("UPDATE t SET a = 1")


async def test_scripted_rows_come_back_as_records_of_the_record_class() -> None:
    """Dicts become Records (or the record_class given per call or per connection)."""

    class Mine(Record):
        pass

    conn = FakeConnection(record_class=Mine)
    conn.fetch.returns([{"id": 1}])
    conn.fetchrow.returns([{"id": 1}, {"id": 2}])

    assert [Mine] == [type(row) for row in await conn.fetch("SELECT 1")]
    assert Record is type((await conn.fetch("SELECT 1", record_class=Record))[0])
    assert (1,) == await conn.fetchrow("SELECT 1")
    with pytest.raises(InterfaceError, match="record_class is expected"):
        await conn.fetch("SELECT 1", record_class=dict)
    with pytest.raises(InterfaceError, match="record_class is expected"):
        FakeConnection(record_class=dict)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "column", "expected"),
    [
        (42, 0, 42),
        ([1, 2], 0, [1, 2]),
        ([], 0, []),
        ({"a": 1, "b": 2}, "b", 2),
        (Record({"a": 1, "b": 2}), 1, 2),
        (rows("a", (7,), (8,)), 0, 7),
        ([{"a": 5}], "a", 5),
    ],
)
async def test_fetchval_takes_a_column_from_scripted_rows(
    value: Any, column: int | str, expected: Any
) -> None:
    """A scalar is the value; a row (or list of rows) gives its column."""
    conn = FakeConnection()
    conn.fetchval.returns(value)

    assert expected == await conn.fetchval("SELECT 1", column=column)


async def test_executemany_answers_none_whatever_is_scripted() -> None:
    """asyncpg's executemany never answers a value, so a scripted one is not passed on."""
    conn = FakeConnection()
    conn.executemany.returns(5)
    executemany: Any = conn.executemany

    assert None is await executemany("INSERT INTO t VALUES ($1)", [(1,)])


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_prepare_answers_only_statements() -> None:
    """prepare() can be scripted to fail; a scripted value that is no statement is refused."""
    conn = FakeConnection()
    statement = await conn.prepare("SELECT 1")
    conn.prepare.returns_once(statement).returns_once([1])

    assert statement is await conn.prepare("SELECT 2")
    with pytest.raises(TypeError, match=r"prepare\(\) answers the prepared statement"):
        await conn.prepare("SELECT 3")
    assert [None, None, None] == conn.prepare.calls.sql


async def test_a_second_operation_in_flight_is_refused() -> None:
    """Two tasks on one connection: the second call raises asyncpg's InterfaceError at once."""
    conn = FakeConnection()
    conn.fetchval.returns(1)
    outcomes: list[Any] = []

    async def use() -> None:
        try:
            outcomes.append(await conn.fetchval("SELECT 1"))
        except InterfaceError as error:
            outcomes.append(str(error))

    async with anyio.create_task_group() as tg:
        tg.start_soon(use)
        tg.start_soon(use)

    assert sorted(map(str, outcomes)) == ["1", "cannot perform operation: another operation is in progress"]
    assert ["returned", "raised"] == [call.outcome for call in conn.calls]


async def test_close_is_allowed_while_a_call_is_in_flight() -> None:
    """close() goes through even while an operation is in flight."""
    conn = FakeConnection()
    gate = conn.fetch.gate()

    async with anyio.create_task_group() as tg:
        tg.start_soon(conn.fetch, "SELECT 1")
        await gate.started()
        await conn.close()
        gate.release([])

    assert True is conn.is_closed()


async def test_arguments_are_counted_and_placeholders_need_them() -> None:
    """Wrong counts are InterfaceError; execute without args keeps $n for the server to refuse."""
    conn = FakeConnection()

    with pytest.raises(InterfaceError, match="expects 0 arguments for this query, 1 was passed"):
        await conn.fetchrow("SELECT 1", 1)
    with pytest.raises(InterfaceError, match="expects 1 argument for this query, 0 were passed"):
        await conn.fetchmany("SELECT $1::int", [()])
    with pytest.raises(error_class("UndefinedParameterError"), match=r"^there is no parameter \$2$"):
        await conn.execute("SELECT $2::int, $1::int")
    with pytest.raises(error_class("PostgresSyntaxError"), match="cannot insert multiple commands"):
        await conn.fetch("SELECT 1; SELECT 2")
    executemany: Any = conn.executemany
    assert None is await executemany("SELECT $1::int", iter([(1,)]))  # not counted: not a list


async def test_a_lost_connection_is_closed_and_forgets_its_transaction() -> None:
    """After a connection loss the connection is closed, still reports the lost transaction, and
    verify() does not blame the code for the transaction it could not end."""
    conn = FakeConnection()
    conn.fetchval.raises_once(connection_lost())
    tx = conn.transaction()
    await tx.start()

    with pytest.raises(error_class("ConnectionDoesNotExistError")):
        await conn.fetchval("SELECT 1")

    assert (True, True) == (conn.is_closed(), conn.is_in_transaction())
    with pytest.raises(InterfaceError, match="^cannot call Transaction.rollback"):
        await tx.rollback()
    conn.verify()
    await conn.close()
    assert False is conn.is_in_transaction()


async def test_failures_outside_a_transaction_abort_nothing() -> None:
    """Outside a transaction a server error, a timeout or an InterfaceError leaves the connection usable."""
    conn = FakeConnection()
    conn.fetchval.raises_once(serialization_failure()).raises_once(TimeoutError()).returns(1)

    for _ in range(2):
        with pytest.raises(Exception):  # noqa: B017, PT011
            await conn.fetchval("SELECT 1")
    assert 1 == await conn.fetchval("SELECT 1")


async def test_interface_errors_inside_a_transaction_do_not_abort_it() -> None:
    """Client-side errors never reach the server, so the transaction goes on."""
    conn = FakeConnection()
    conn.fetchval.raises_once(error_class("InterfaceError")("client side")).returns(1)

    async with conn.transaction():
        with pytest.raises(InterfaceError):
            await conn.fetchval("SELECT 1")
        assert 1 == await conn.fetchval("SELECT 1")


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_a_manual_transaction_is_tracked_and_reported_when_left_open() -> None:
    """execute('BEGIN') opens a transaction; left open, verify() reports it; ROLLBACK TO recovers."""
    conn = FakeConnection()
    conn.fetchval.raises_once(serialization_failure())
    await conn.execute("BEGIN")
    with pytest.raises(error_class("SerializationError")):
        await conn.fetchval("SELECT 1")
    with pytest.raises(error_class("InFailedSQLTransactionError")):
        await conn.fetchval("SELECT 1")
    await conn.execute("ROLLBACK TO SAVEPOINT a")
    assert None is await conn.fetchval("SELECT 1")

    with pytest.raises(ExpectationsNotMet, match="a transaction started by executing BEGIN was never ended"):
        conn.verify()
    conn.fetchval.raises_once(serialization_failure())
    with pytest.raises(error_class("SerializationError")):
        await conn.fetchval("SELECT 1")
    assert ("ROLLBACK", False) == (await conn.execute("COMMIT"), conn.is_in_transaction())
    with pytest.raises(
        ExpectationsNotMet, match=r"a COMMIT was executed \(its status was 'ROLLBACK'\) after #5"
    ):
        conn.verify()


async def test_terminate_closes_without_a_close_call() -> None:
    """terminate() closes at once: no close call is recorded, later calls raise."""
    conn = FakeConnection()
    conn.terminate()

    assert (True, "closed", []) == (conn.is_closed(), repr(conn).split()[1].rstrip(","), list(conn.calls))
    with pytest.raises(InterfaceError, match="^connection is closed$"):
        await conn.execute("SELECT 1")


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_strict_mode_refuses_unscripted_queries_but_not_housekeeping() -> None:
    """strict=True: an unscripted fetch raises UnexpectedCall; transactions and close still work."""
    conn = FakeConnection(strict=True)

    with pytest.raises(UnexpectedCall):
        await conn.fetch("SELECT 1")
    async with conn.transaction():
        pass
    await conn.close()


async def test_the_connection_repr_says_its_state() -> None:
    """The repr names the flavour, the state and the number of calls."""
    conn = FakeConnection()
    await conn.execute("SELECT 1")

    assert "<asyncfakes.asyncpg.FakeConnection open, 1 calls>" == repr(conn)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # asyncpg runs on asyncio only
async def test_timeout_applies_to_a_hung_or_slow_answer(anyio_backend: str) -> None:
    """A scripted hang or delay past timeout= raises asyncio.TimeoutError, as asyncpg does, and aborts the transaction."""
    conn = FakeConnection()
    conn.fetchval.hangs_once().returns(2)
    conn.fetchval.delays(0.5).returns_once(1)

    with pytest.raises(asyncio.TimeoutError):
        await conn.fetchval("SELECT pg_sleep(10)", timeout=0.01)
    with pytest.raises(asyncio.TimeoutError):
        await conn.fetchval("SELECT 1", timeout=0.01)
    assert 2 == await conn.fetchval("SELECT 2", timeout=0.01)
    assert ["raised", "raised", "returned"] == [c.outcome for c in conn.fetchval.calls]

    tx = conn.transaction()
    await tx.start()
    conn.execute.hangs_once()
    with pytest.raises(asyncio.TimeoutError):
        await conn.execute("UPDATE t SET a = 1", timeout=0.01)
    with pytest.raises(error_class("InFailedSQLTransactionError")):
        await conn.execute("UPDATE t SET a = 2")
    await tx.rollback()


async def test_connect_answers_the_connection_and_records_the_attempt() -> None:
    """conn.connect has asyncpg.connect's shape: it answers the connection, open again, and records."""
    conn = FakeConnection()
    await conn.close()

    got = await conn.connect("postgresql://db/app", timeout=5)

    assert got is conn
    assert False is conn.is_closed()
    call = conn.connect.calls.one()
    assert ("postgresql://db/app", {"timeout": 5}) == (call.args[0], call.kwargs)


async def test_connect_can_be_scripted_to_fail_then_succeed() -> None:
    """A scripted refusal raises once; the connection is not marked lost; the next attempt works."""
    conn = FakeConnection()
    conn.connect.raises_once(ConnectionRefusedError(111, "refused"))
    other = FakeConnection()
    conn.connect.returns_once(other)

    with pytest.raises(ConnectionRefusedError):
        await conn.connect()
    assert other is await conn.connect()
    assert False is conn.is_closed()
    assert ["raised", "returned"] == [call.outcome for call in conn.connect.calls]


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_connect_refuses_a_scripted_answer_that_is_not_a_connection() -> None:
    """Scripting connect() with data is a mistake named at the call and reported by verify()."""
    conn = FakeConnection()
    conn.connect.returns(1)

    with pytest.raises(TypeError, match=r"connect\(\) answers a connection; the script gave 1"):
        await conn.connect()
    import asyncfakes

    conn.connect.returns(asyncfakes.FakeConnection())  # not an asyncpg fake connection
    with pytest.raises(TypeError, match=r"connect\(\) answers a connection; the script gave <FakeConnection"):
        await conn.connect()
    with pytest.raises(ExpectationsNotMet, match="connect"):
        conn.verify()
