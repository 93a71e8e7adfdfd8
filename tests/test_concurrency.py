"""Many concurrent callers lose no call and keep a consistent history; fakes share no state.

The generic tests use connections made with ``share_with=`` as a pool: each task has its own
connection, all answering from and recording into one script. The asyncpg section uses the
flavour's real ``FakePool``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from asyncfakes import BaseTransaction, Call, FakeConnection
from asyncfakes.asyncpg import FakePool, error_class

pytestmark = pytest.mark.anyio

TASKS = 10_000


class Peak:
    """Counts how many answers are being produced at once, and the most at any moment."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0

    async def echo(self, call: Call) -> Any:
        """Answer the call's first parameter, yielding to other tasks while "in the database"."""
        self.now += 1
        self.most = max(self.most, self.now)
        await anyio.lowlevel.checkpoint()
        self.now -= 1
        return call.params[0]


async def test_ten_thousand_tasks_on_shared_connections_lose_no_call() -> None:
    """10,000 tasks, each on its own connection sharing one script: every call recorded once, in order."""
    pool = FakeConnection()
    peak = Peak()
    pool.fetch_val.answers(peak.echo)
    answers: dict[int, int] = {}

    async def client(number: int) -> None:
        conn = FakeConnection(share_with=pool)
        async with conn.transaction():
            await conn.execute("INSERT INTO jobs VALUES ($1)", [number])
            answers[number] = await conn.fetch_val("SELECT $1", [number])

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            for number in range(TASKS):
                tg.start_soon(client, number)

    history = pool.calls
    assert peak.most > 1, "the answers never overlapped, so this test proved nothing about concurrency"
    assert {number: number for number in range(TASKS)} == answers
    assert 4 * TASKS == len(history)
    assert list(range(4 * TASKS)) == [call.index for call in history]
    assert {"returned"} == {call.outcome for call in history}
    assert list(range(TASKS)) == sorted(call.params[0] for call in history.filter(method="execute"))

    by_transaction: defaultdict[BaseTransaction | None, list[Call]] = defaultdict(list)
    for call in history:
        by_transaction[call.transaction].append(call)
    assert TASKS == len(by_transaction)
    for tx, calls in by_transaction.items():
        assert tx is not None
        assert "committed" == tx.state
        number = calls[1].params[0]
        assert [("BEGIN", None), ("INSERT INTO jobs VALUES ($1)", [number]), ("SELECT $1", [number])] == [
            (call.sql, call.params) for call in calls[:3]
        ]
        assert "COMMIT" == calls[3].sql
    pool.verify()


async def test_one_shot_answers_are_each_taken_exactly_once_under_contention() -> None:
    """A thousand queued one-shot answers go to a thousand concurrent callers, one each."""
    pool = FakeConnection()
    for number in range(1000):
        pool.fetch_val.returns_once(number)
    got: list[int] = []

    async def client() -> None:
        conn = FakeConnection(share_with=pool)
        await anyio.lowlevel.checkpoint()
        got.append(await conn.fetch_val("SELECT next_id()"))

    async with anyio.create_task_group() as tg:
        for _ in range(1000):
            tg.start_soon(client)

    assert list(range(1000)) == sorted(got)
    assert 1000 == len(pool.calls)
    pool.verify()


async def test_concurrent_callers_on_one_connection_keep_one_history() -> None:
    """Many tasks on the same connection: indexes 0..n-1, each call once, all answered."""
    conn = FakeConnection()
    peak = Peak()
    conn.fetch_val.answers(peak.echo)

    async with anyio.create_task_group() as tg:
        for number in range(500):
            tg.start_soon(conn.fetch_val, "SELECT $1", [number])

    assert peak.most > 1
    assert 500 == conn.fetch_val.await_count
    assert list(range(500)) == [call.index for call in conn.calls]
    assert list(range(500)) == sorted(call.params[0] for call in conn.calls)
    assert 0 == conn.in_flight


# --- in-flight tracking is per connection -------------------------------------------------


class OneAtATime(FakeConnection):
    """A flavour-style rule: one operation at a time per connection, as asyncpg enforces."""

    def check_call(self, call: Call) -> None:
        super().check_call(call)
        if self.in_flight:
            msg = "cannot perform operation: another operation is in progress"
            raise RuntimeError(msg)


async def test_in_flight_counts_calls_per_connection_not_per_script() -> None:
    """Two connections share a script, but each counts only its own calls in flight."""
    pool = FakeConnection()
    first, second = FakeConnection(share_with=pool), FakeConnection(share_with=pool)
    gates = [pool.fetch.gate(), pool.fetch.gate()]

    async with anyio.create_task_group() as tg:
        tg.start_soon(first.fetch, "SELECT 1")
        await gates[0].started()
        tg.start_soon(first.fetch, "SELECT 2")
        await gates[1].started()
        assert (2, 0, 0) == (first.in_flight, second.in_flight, pool.in_flight)
        for gate in gates:
            gate.release([])

    assert 0 == first.in_flight


async def test_second_operation_on_a_busy_connection_is_refused_by_check_call() -> None:
    """check_call sees the call in flight on the same connection and refuses the second one."""
    conn = OneAtATime()
    gate = conn.fetch.gate()
    refused: list[BaseException] = []

    async def second() -> None:
        try:
            await conn.fetch_val("SELECT 2")
        except RuntimeError as error:
            refused.append(error)

    async with anyio.create_task_group() as tg:
        tg.start_soon(conn.fetch, "SELECT 1")
        await gate.started()
        await second()
        gate.release([])

    assert 1 == len(refused)
    assert "another operation is in progress" in str(refused[0])
    assert ["returned", "raised"] == [call.outcome for call in conn.calls]
    assert "SELECT 2" == conn.calls.filter(method="fetch_val").one().sql


async def test_connections_sharing_a_script_do_not_block_each_other() -> None:
    """With one operation per connection enforced, two pool connections still run at once."""
    pool = OneAtATime()
    gate = pool.fetch.gate()
    other = OneAtATime(share_with=pool)
    other.fetch_val.returns(2)

    async with anyio.create_task_group() as tg:
        tg.start_soon(pool.fetch, "SELECT 1")
        await gate.started()
        assert 2 == await other.fetch_val("SELECT 2")
        gate.release([])

    assert ["returned", "returned"] == [call.outcome for call in pool.calls]


# --- no global state ----------------------------------------------------------------------


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_two_fakes_never_see_each_others_scripts_or_calls() -> None:
    """Answers, stubs, expectations and calls scripted on one fake are invisible to another."""
    first, second = FakeConnection(), FakeConnection()
    first.fetch_val.returns(1)
    first.when(sql="SELECT 'stub'").returns("first's stub")
    first.expect(sql="DELETE FROM t")

    assert None is await second.fetch_val("SELECT 1")
    assert None is await second.fetch_val("SELECT 'stub'")
    second.verify()

    assert 1 == await first.fetch_val("SELECT 1")
    assert ["SELECT 1", "SELECT 'stub'"] == second.calls.sql
    assert ["SELECT 1"] == first.calls.sql
    assert [0] == [call.index for call in first.calls]
    assert () == second.transactions


async def test_interleaved_fakes_keep_separate_histories() -> None:
    """Fakes used by interleaving tasks each record only their own calls, numbered from 0."""
    fakes = [FakeConnection() for _ in range(3)]

    async def use(number: int, conn: FakeConnection) -> None:
        for step in range(20):
            await anyio.lowlevel.checkpoint()
            await conn.execute("INSERT INTO t VALUES ($1, $2)", [number, step])

    async with anyio.create_task_group() as tg:
        for number, conn in enumerate(fakes):
            tg.start_soon(use, number, conn)

    for number, conn in enumerate(fakes):
        assert list(range(20)) == [call.index for call in conn.calls]
        assert [[number, step] for step in range(20)] == conn.calls.params


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_transactions_and_closing_are_per_connection() -> None:
    """A transaction open on one fake, or a closed fake, changes nothing on another."""
    first, second = FakeConnection(), FakeConnection()
    tx = first.transaction()
    await tx.start()
    await first.close()

    await second.execute("UPDATE t SET a = 1")

    assert None is second.calls.one().transaction
    assert not second.closed
    assert 1 == len(first.transactions)
    assert () == second.transactions


def test_a_new_fake_starts_empty() -> None:
    """However many fakes came before (in any test order), a new one has no calls and no script."""
    conn = FakeConnection()

    assert 0 == len(conn.calls)
    assert () == conn.transactions
    assert 0 == conn.in_flight
    conn.verify()


# --- the asyncpg flavour: a real pool, and its one-operation-at-a-time rule ---------------


async def test_ten_thousand_tasks_from_an_asyncpg_pool_lose_no_call() -> None:
    """10,000 tasks acquire from a 100-connection FakePool at once: every call recorded once, in order."""
    pool = FakePool(max_size=100)
    peak = Peak()
    pool.connection.fetchval.answers(peak.echo)
    answers: dict[int, int] = {}

    async def client(number: int) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("INSERT INTO jobs VALUES ($1)", number)
            answers[number] = await conn.fetchval("SELECT $1::int", number)

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            for number in range(TASKS):
                tg.start_soon(client, number)

    history = pool.connection.calls
    assert peak.most > 1, "the answers never overlapped, so this test proved nothing about concurrency"
    assert {number: number for number in range(TASKS)} == answers
    assert 4 * TASKS == len(history)
    assert list(range(4 * TASKS)) == [call.index for call in history]
    assert {"returned"} == {call.outcome for call in history}
    assert list(range(TASKS)) == sorted(call.params[0] for call in history.filter(method="execute"))

    by_transaction: defaultdict[Any, list[Call]] = defaultdict(list)
    for call in history:
        by_transaction[call.transaction].append(call)
    assert TASKS == len(by_transaction)
    for calls in by_transaction.values():
        number = calls[1].params[0]
        assert ["start", "execute", "fetchval", "commit"] == [call.method for call in calls]
        assert [(number,), (number,)] == [call.params for call in calls[1:3]]
    assert () == pool.in_use
    pool.verify()


async def test_asyncpg_another_operation_in_progress_fires_on_a_shared_connection() -> None:
    """Two tasks on one pool connection: the second call raises asyncpg's InterfaceError."""
    pool = FakePool(max_size=2)
    gate = pool.connection.fetch.gate()

    async with pool.acquire() as conn, anyio.create_task_group() as tg:
        tg.start_soon(conn.fetch, "SELECT pg_sleep(1)")
        await gate.started()
        with pytest.raises(error_class("InterfaceError"), match="another operation is in progress"):
            await conn.fetchval("SELECT 1")
        gate.release([])

    assert ["returned", "raised"] == [call.outcome for call in pool.connection.calls]
    pool.verify()


async def test_asyncpg_pool_connections_in_flight_at_once_are_not_busy() -> None:
    """Two connections from one pool, each with a call in flight, never see each other as busy."""
    pool = FakePool(max_size=2)
    gates = [pool.connection.fetchval.gate(), pool.connection.fetchval.gate()]
    answers: list[int] = []

    async def client(number: int) -> None:
        async with pool.acquire() as conn:
            answers.append(await conn.fetchval("SELECT $1::int", number))

    async with anyio.create_task_group() as tg:
        tg.start_soon(client, 0)
        await gates[0].started()
        tg.start_soon(client, 1)
        await gates[1].started()
        assert 2 == len(pool.in_use)
        gates[1].release(1)
        await anyio.wait_all_tasks_blocked()
        assert [1] == answers
        gates[0].release(0)

    assert [1, 0] == answers
    assert ["returned", "returned"] == [call.outcome for call in pool.connection.calls]
