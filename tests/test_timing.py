"""Delays, hangs and gates through the public API, and how timeouts and cancellation end calls.

Every test runs on asyncio and on trio (through anyio's plugin); the ones about one library's own
timeout helpers parametrize ``anyio_backend`` to that library, as marked.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import anyio
import pytest
import trio

from asyncfakes import ExpectationsNotMet, FakeConnection, FakeRecord

pytestmark = pytest.mark.anyio

ASYNCIO_ONLY = pytest.mark.parametrize("anyio_backend", ["asyncio"])  # asyncio's own timeout helpers
TRIO_ONLY = pytest.mark.parametrize("anyio_backend", ["trio"])  # trio's own cancel scopes


# --- delays -------------------------------------------------------------------------------


async def test_delayed_answer_arrives_after_an_undelayed_one() -> None:
    """Of two concurrent calls, the delayed one finishes last, after at least part of its delay."""
    conn = FakeConnection()
    conn.when(sql="SELECT 'slow'").delays(0.05).returns("slow")
    conn.when(sql="SELECT 'fast'").returns("fast")
    finished: list[str] = []

    async def ask(sql: str) -> None:
        finished.append(await conn.fetch_val(sql))

    started = time.monotonic()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(ask, "SELECT 'slow'")
            tg.start_soon(ask, "SELECT 'fast'")

    assert ["fast", "slow"] == finished
    assert time.monotonic() - started >= 0.025


async def test_delays_order_concurrent_calls_by_delay() -> None:
    """Three calls started together finish in the order of their delays, not of their start."""
    conn = FakeConnection()
    conn.fetch_val.delays(0.15).returns_once("c")
    conn.fetch_val.returns_once("a")
    conn.fetch_val.delays(0.01).returns_once("b")
    finished: list[str] = []

    async def ask() -> None:
        finished.append(await conn.fetch_val("SELECT 1"))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(ask)
                await anyio.wait_all_tasks_blocked()

    assert ["a", "b", "c"] == finished
    assert ["returned"] * 3 == [c.outcome for c in conn.calls]


async def test_delayed_answer_is_shaped_like_an_undelayed_one() -> None:
    """A delayed value comes back in the driver's type, the same as without the delay."""
    conn = FakeConnection()
    conn.fetch.delays(0.001).returns([{"id": 1}])

    with anyio.fail_after(5):
        record = await conn.fetch("SELECT id FROM t")

    assert FakeRecord([{"id": 1}]) == record
    assert 1 == record[0]["id"]


async def test_delayed_error_is_raised_after_the_delay() -> None:
    """A delayed error is raised, and recorded as raised, once the delay is over."""
    conn = FakeConnection()
    conn.execute.delays(0.001).raises_once(ValueError("late failure"))

    with anyio.fail_after(5), pytest.raises(ValueError, match="late failure"):
        await conn.execute("UPDATE t SET a = 1")

    call = conn.execute.calls.one()
    assert "raised" == call.outcome
    assert isinstance(call.error, ValueError)


async def test_delayed_call_cancelled_during_its_delay() -> None:
    """A timeout shorter than the delay cancels the call, which is recorded as cancelled."""
    conn = FakeConnection()
    conn.fetch_val.delays(10).returns(1)

    with anyio.move_on_after(0.01) as scope:
        await conn.fetch_val("SELECT 1")

    assert scope.cancelled_caught
    assert "cancelled" == conn.fetch_val.calls.one().outcome


async def test_delayed_answer_function_gets_the_call() -> None:
    """delays() also applies to answers(): the function runs after the delay, with the Call."""
    conn = FakeConnection()
    conn.fetch_val.delays(0.001).answers(lambda call: call.params[0] * 2)

    with anyio.fail_after(5):
        assert 42 == await conn.fetch_val("SELECT $1", [21])


# --- hangs --------------------------------------------------------------------------------


async def test_hangs_once_then_answers() -> None:
    """The first call hangs until its timeout; the next one gets the later answer."""
    conn = FakeConnection()
    conn.fetch_val.hangs_once().returns("second")

    with anyio.move_on_after(0.01) as scope:
        await conn.fetch_val("SELECT 1")
    with anyio.fail_after(5):
        answer = await conn.fetch_val("SELECT 1")

    assert scope.cancelled_caught
    assert "second" == answer
    assert ["cancelled", "returned"] == [c.outcome for c in conn.fetch_val.calls]
    conn.verify()


async def test_hangs_is_sticky() -> None:
    """hangs() makes every call hang, each one recorded as cancelled."""
    conn = FakeConnection()
    conn.fetch.hangs()

    for _ in range(2):
        with anyio.move_on_after(0.01):
            await conn.fetch("SELECT 1")

    assert ["cancelled", "cancelled"] == [c.outcome for c in conn.fetch.calls]


async def test_hang_under_anyio_fail_after_raises_timeout_error() -> None:
    """anyio.fail_after around a hung call raises TimeoutError, as with a real slow query."""
    conn = FakeConnection()
    conn.execute.hangs_once()

    with pytest.raises(TimeoutError), anyio.fail_after(0.01):
        await conn.execute("SELECT pg_sleep(10)")

    call = conn.calls.one()
    assert "cancelled" == call.outcome
    assert None is call.error
    assert "#0 execute('SELECT pg_sleep(10)') -> cancelled" == call.describe()


async def test_hang_on_a_stub_only_hangs_matching_calls() -> None:
    """A hanging stub leaves other SQL answering normally."""
    conn = FakeConnection()
    conn.when(sql="SELECT slow()").hangs()
    conn.fetch_val.returns(1)

    with anyio.move_on_after(0.01) as scope:
        await conn.fetch_val("SELECT slow()")
    with anyio.fail_after(5):
        assert 1 == await conn.fetch_val("SELECT fast()")

    assert scope.cancelled_caught
    assert ["cancelled", "returned"] == [c.outcome for c in conn.calls]


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_unused_hangs_once_is_reported_by_verify() -> None:
    """A hang that no call reached is an unused one-shot answer, and verify() says so."""
    conn = FakeConnection()
    conn.fetch.hangs_once()

    with pytest.raises(ExpectationsNotMet, match=r"conn.fetch: a one-shot answer was never used \(hangs\)"):
        conn.verify()


@ASYNCIO_ONLY
async def test_hang_under_asyncio_wait_for_raises_timeout_error() -> None:
    """asyncio.wait_for around a hung call raises asyncio's TimeoutError and cancels the call."""
    conn = FakeConnection()
    conn.fetch.hangs_once()

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(conn.fetch("SELECT 1"), 0.01)

    assert "cancelled" == conn.fetch.calls.one().outcome


@ASYNCIO_ONLY
@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout is new in Python 3.11")
async def test_hang_under_asyncio_timeout_raises_timeout_error() -> None:
    """asyncio.timeout around a hung call raises TimeoutError, and the task is not left cancelling."""
    if sys.version_info >= (3, 11):
        conn = FakeConnection()
        conn.fetch.hangs_once()

        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01):
                await conn.fetch("SELECT 1")

        assert "cancelled" == conn.fetch.calls.one().outcome
        task = asyncio.current_task()
        assert task is not None
        assert 0 == task.cancelling()


@ASYNCIO_ONLY
async def test_task_cancel_during_a_hang() -> None:
    """Task.cancel() on a hung call raises CancelledError to the awaiter; the call is cancelled."""
    conn = FakeConnection()
    conn.fetch.hangs()
    task = asyncio.ensure_future(conn.fetch("SELECT 1"))
    await asyncio.sleep(0)
    assert 1 == conn.in_flight

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert "cancelled" == conn.fetch.calls.one().outcome
    assert 0 == conn.in_flight


@TRIO_ONLY
async def test_hang_under_trio_move_on_after() -> None:
    """trio.move_on_after around a hung call moves on and reports it caught the cancellation."""
    conn = FakeConnection()
    conn.fetch_row.hangs_once()

    with trio.move_on_after(0.01) as scope:
        await conn.fetch_row("SELECT 1")

    assert scope.cancelled_caught
    assert "cancelled" == conn.fetch_row.calls.one().outcome


@TRIO_ONLY
async def test_hang_under_trio_fail_after_raises_too_slow() -> None:
    """trio.fail_after around a hung call raises trio.TooSlowError."""
    conn = FakeConnection()
    conn.fetch_row.hangs_once()

    with pytest.raises(trio.TooSlowError), trio.fail_after(0.01):
        await conn.fetch_row("SELECT 1")

    assert "cancelled" == conn.fetch_row.calls.one().outcome


# --- gates --------------------------------------------------------------------------------


async def test_gate_release_value_answers_the_held_call() -> None:
    """While held the call is pending and in flight; release(value) answers it, shaped."""
    conn = FakeConnection()
    gate = conn.fetch.gate()
    results: list[FakeRecord] = []

    async def load() -> None:
        results.append(await conn.fetch("SELECT id FROM users"))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(load)
            call = await gate.started()
            assert call is conn.fetch.calls.one()
            assert "pending" == call.outcome
            assert 1 == conn.in_flight
            assert [] == results
            gate.release([{"id": 1}])

    assert [FakeRecord([{"id": 1}])] == results
    assert "returned" == conn.fetch.calls.one().outcome  # the same call, now answered
    assert 0 == conn.in_flight


async def test_gate_release_error_raises_in_the_caller() -> None:
    """release(error=...) makes the held call raise it, recorded as raised with that error."""
    conn = FakeConnection()
    gate = conn.execute.gate()
    error = ConnectionResetError("server closed the connection")
    caught: list[BaseException] = []

    async def write() -> None:
        try:
            await conn.execute("INSERT INTO t VALUES (1)")
        except ConnectionResetError as exc:
            caught.append(exc)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(write)
            await gate.started()
            gate.release(error=error)

    assert [error] == caught
    call = conn.execute.calls.one()
    assert "raised" == call.outcome
    assert error is call.error


async def test_gate_cancel_while_in_flight_needs_no_sleep() -> None:
    """Cancel exactly while the query is in flight, with no sleeps: the call ends cancelled."""
    conn = FakeConnection()
    gate = conn.fetch.gate()

    async with anyio.create_task_group() as tg:
        tg.start_soon(conn.fetch, "SELECT 1")
        await gate.started()
        tg.cancel_scope.cancel()

    call = conn.fetch.calls.one()
    assert "cancelled" == call.outcome
    assert call is gate.call
    assert 0 == conn.in_flight


@ASYNCIO_ONLY
async def test_gate_with_asyncio_task_cancel() -> None:
    """With plain asyncio tasks: started(), cancel(), and the awaiter sees CancelledError."""
    conn = FakeConnection()
    gate = conn.fetch.gate()
    task = asyncio.ensure_future(conn.fetch("SELECT 1"))

    await gate.started()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert "cancelled" == conn.fetch.calls.one().outcome


@TRIO_ONLY
async def test_gate_with_trio_nursery_cancel() -> None:
    """With a plain trio nursery: started(), cancel the scope, and the call ends cancelled."""
    conn = FakeConnection()
    gate = conn.fetch.gate()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(conn.fetch, "SELECT 1")
        await gate.started()
        nursery.cancel_scope.cancel()

    assert "cancelled" == conn.fetch.calls.one().outcome


async def test_gates_release_in_any_order() -> None:
    """Two gated calls finish in the order the test releases them, not the order they started."""
    conn = FakeConnection()
    first, second = conn.fetch_val.gate(), conn.fetch_val.gate()
    finished: list[Any] = []

    async def ask(sql: str) -> None:
        finished.append(await conn.fetch_val(sql))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(ask, "SELECT 'one'")
            assert "SELECT 'one'" == (await first.started()).sql
            tg.start_soon(ask, "SELECT 'two'")
            assert "SELECT 'two'" == (await second.started()).sql
            assert 2 == conn.in_flight
            second.release("two")
            await anyio.wait_all_tasks_blocked()
            assert ["two"] == finished
            first.release("one")

    assert ["two", "one"] == finished


async def test_gate_on_a_stub_holds_only_matching_calls() -> None:
    """A gated stub holds its call while other calls on the connection answer freely."""
    conn = FakeConnection()
    gate = conn.when(sql="SELECT report()").gate()
    conn.fetch_val.returns(0)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(conn.fetch_val, "SELECT report()")
            await gate.started()
            assert 0 == await conn.fetch_val("SELECT health()")
            gate.release(1)

    assert ["returned", "returned"] == [c.outcome for c in conn.calls]
    assert ["SELECT report()", "SELECT health()"] == conn.calls.sql


async def test_delayed_gate_starts_after_the_delay() -> None:
    """delays(s).gate() holds the call only once the delay is over."""
    conn = FakeConnection()
    gate = conn.fetch_val.delays(0.001).gate()

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(conn.fetch_val, "SELECT 1")
            await gate.started()
            gate.release(1)

    assert "returned" == conn.fetch_val.calls.one().outcome


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_unused_gate_is_reported_by_verify() -> None:
    """A gate no call reached is an unused one-shot answer, and verify() says so."""
    conn = FakeConnection()
    conn.fetch.gate()

    with pytest.raises(ExpectationsNotMet, match=r"never used \(waits at a gate\)"):
        conn.verify()


# --- transactions and cancellation --------------------------------------------------------


async def test_transaction_body_cancelled_ends_rolled_back() -> None:
    """Cancelling the body while a query is in flight rolls the transaction back."""
    conn = FakeConnection()
    gate = conn.execute.when(sql="UPDATE b SET n = n + 1").gate()

    async def transfer() -> None:
        async with conn.transaction():
            await conn.execute("UPDATE a SET n = n - 1")
            await conn.execute("UPDATE b SET n = n + 1")

    async with anyio.create_task_group() as tg:
        tg.start_soon(transfer)
        await gate.started()
        tg.cancel_scope.cancel()

    tx = conn.transactions[0]
    tx.assert_rolled_back()
    assert ["BEGIN", "UPDATE a SET n = n - 1", "UPDATE b SET n = n + 1", "ROLLBACK"] == tx.calls.sql
    assert ["returned", "returned", "cancelled", "returned"] == [c.outcome for c in tx.calls]
    assert not conn._transaction_stack  # pyright: ignore[reportPrivateUsage]
    conn.verify()


async def test_transaction_body_timeout_ends_rolled_back() -> None:
    """A timeout around a transaction whose query hangs raises TimeoutError and rolls back."""
    conn = FakeConnection()
    conn.fetch.hangs_once()

    with pytest.raises(TimeoutError), anyio.fail_after(0.01):
        async with conn.transaction():
            await conn.fetch("SELECT * FROM t FOR UPDATE")

    tx = conn.transactions[0]
    assert "rolled_back" == tx.state
    assert "cancelled" == conn.fetch.calls.one().outcome
    assert tx is conn.fetch.calls.one().transaction


async def test_savepoint_body_cancelled_rolls_back_both_levels() -> None:
    """Cancellation inside a savepoint rolls back the savepoint, then the outer transaction."""
    conn = FakeConnection()
    gate = conn.fetch.gate()

    async def work() -> None:
        async with conn.transaction(), conn.transaction():
            await conn.fetch("SELECT 1")

    async with anyio.create_task_group() as tg:
        tg.start_soon(work)
        await gate.started()
        tg.cancel_scope.cancel()

    outer, inner = conn.transactions
    assert ("rolled_back", "rolled_back") == (outer.state, inner.state)
    assert [
        "BEGIN",
        "SAVEPOINT asyncfakes_sp_1",
        "SELECT 1",
        "ROLLBACK TO SAVEPOINT asyncfakes_sp_1",
        "ROLLBACK",
    ] == (conn.calls.sql)


async def test_commit_cancelled_in_flight_leaves_the_transaction_failed() -> None:
    """A commit cancelled while in flight never completed: the transaction is failed, not committed."""
    conn = FakeConnection()
    gate = conn.when(sql="COMMIT").gate()

    async def work() -> None:
        async with conn.transaction():
            await conn.execute("INSERT INTO t VALUES (1)")

    async with anyio.create_task_group() as tg:
        tg.start_soon(work)
        await gate.started()
        tg.cancel_scope.cancel()

    tx = conn.transactions[0]
    assert "failed" == tx.state
    assert "cancelled" == conn.calls.last.outcome
    assert "COMMIT" == conn.calls.last.sql
    assert not conn._transaction_stack  # pyright: ignore[reportPrivateUsage]


@ASYNCIO_ONLY
async def test_transaction_body_cancelled_by_asyncio_task_cancel() -> None:
    """With plain asyncio: Task.cancel() on a transaction body rolls it back."""
    conn = FakeConnection()
    gate = conn.execute.gate()

    async def work() -> None:
        async with conn.transaction():
            await conn.execute("DELETE FROM t")

    task = asyncio.ensure_future(work())
    await gate.started()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    conn.transactions[0].assert_rolled_back()


@TRIO_ONLY
async def test_transaction_body_cancelled_by_trio_move_on_after() -> None:
    """With plain trio: a move_on_after around a hung transaction body rolls it back."""
    conn = FakeConnection()
    conn.execute.hangs()

    with trio.move_on_after(0.01):
        async with conn.transaction():
            await conn.execute("DELETE FROM t")

    conn.transactions[0].assert_rolled_back()
    assert ["start", "execute", "rollback"] == [c.method for c in conn.calls]
