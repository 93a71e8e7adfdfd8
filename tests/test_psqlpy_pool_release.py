"""asyncfakes.psqlpy FakeConnectionPool: a connection the code drops without close() gives its slot back.

psqlpy frees a pooled connection when CPython collects it (measured in
tests/contract/test_psqlpy_contract_pool.py); the fake holds its connections through leases so
that its own records never keep one alive.
"""

from __future__ import annotations

import gc

import anyio
import pytest

from asyncfakes import ExpectationsNotMet
from asyncfakes.psqlpy import FakeConnection, FakeConnectionPool, unique_violation
from asyncfakes.psqlpy._leases import reclaim

pytestmark = pytest.mark.anyio


def counts(pool: FakeConnectionPool) -> tuple[int, int, int, int]:
    """The four numbers of pool.status()."""
    status = pool.status()
    return status.max_size, status.size, status.available, status.waiting


async def take_and_drop(pool: FakeConnectionPool) -> None:
    """A DAO that takes a connection, runs a statement and never closes it."""
    conn = await pool.connection()
    await conn.execute("SELECT 1")


async def test_a_dropped_connection_is_kept_for_the_test_and_no_longer_usable() -> None:
    """After its collection the pool still lists it, with its calls; it counts as given back."""
    pool = FakeConnectionPool(2, shared=False)
    await take_and_drop(pool)

    [conn] = pool.connections
    assert (True, ["SELECT 1"], (2, 1, 1, 0)) == (conn.closed, conn.calls.sql, counts(pool))
    assert ["SELECT 1"] == pool.calls.sql
    pool.verify()


async def test_a_connection_closed_then_dropped_gives_its_slot_back_once() -> None:
    """close() gives the slot back; the later collection gives nothing more."""
    pool = FakeConnectionPool(2)
    conn = await pool.connection()
    conn.close()
    del conn
    gc.collect()

    assert (2, 1, 1, 0) == counts(pool)


async def test_a_connection_that_raised_is_freed_once_the_pool_looks() -> None:
    """A recorded error's traceback holds the connection: the pool forgets its frames and collects it."""
    pool = FakeConnectionPool(2)
    pool.script.execute.raises(unique_violation("users_email_key"))
    conn = await pool.connection()
    with pytest.raises(Exception, match="users_email_key") as caught:
        await conn.execute("INSERT INTO users VALUES ($1)", ["a"])
    error = caught.value
    del conn, caught

    assert (2, 1, 1, 0) == counts(pool)
    assert error.__traceback__ is None
    pool.verify()


async def test_a_blocked_acquisition_collects_a_connection_dropped_while_it_waits() -> None:
    """The waiter looks again every few milliseconds, so a dropped connection kept by a cycle serves it."""
    pool = FakeConnectionPool(2)
    pool.script.execute.raises(unique_violation("users_email_key"))
    first, second = await pool.connection(), await pool.connection()
    served: list[FakeConnection] = []

    async def third() -> None:
        served.append(await pool.connection())

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(third)
        await pool.until_blocked()
        with pytest.raises(Exception, match="users_email_key"):
            await first.execute("INSERT INTO users VALUES ($1)", ["a"])
        del first  # still referenced by the recorded error's traceback, until the waiter looks

    assert (2, 2, 0, 0) == counts(pool)
    served[0].close()
    second.close()


async def test_verify_reports_a_connection_still_referenced_and_never_closed() -> None:
    """Held at the end of the test and never closed: reported with where it was taken; dropped: not."""
    pool = FakeConnectionPool(2)
    await take_and_drop(pool)
    kept = await pool.connection()

    with pytest.raises(ExpectationsNotMet) as found:
        pool.verify()

    report = str(found.value)
    assert "1 problem(s) found by pool.verify():" in report
    assert "connection #1 (taken at tests/test_psqlpy_pool_release.py:" in report
    assert "is still out: never closed, and still referenced, so psqlpy keeps its slot busy" in report
    kept.close()
    pool.verify()


async def test_a_finished_transaction_reaches_its_connection_through_the_pool() -> None:
    """After commit, a transaction of a pooled connection holds it weakly, and still finds it."""
    pool = FakeConnectionPool(2)
    conn = await pool.connection()
    async with conn.transaction() as transaction:
        await transaction.execute("SELECT 1")

    assert conn is transaction.connection
    with pytest.raises(AttributeError, match="fecth"):
        transaction.fecth  # type: ignore[attr-defined]  # noqa: B018
    conn.close()


def test_reclaim_collects_nothing_when_no_connection_is_out() -> None:
    """Without a connection out there is nothing to collect, and no recorded error is touched."""
    error = ValueError("kept")
    try:
        raise error
    except ValueError:
        pass

    reclaim([], [], [])

    assert error.__traceback__ is not None


async def test_the_frames_of_chained_errors_are_forgotten_too() -> None:
    """The cause and context of a recorded error lose their tracebacks, each once."""
    pool = FakeConnectionPool(2)
    cause = ValueError("cause")
    try:
        raise cause
    except ValueError:
        pass
    failure = unique_violation("users_email_key")
    failure.__cause__ = cause
    failure.__context__ = cause
    pool.script.execute.raises(failure)
    conn = await pool.connection()
    with pytest.raises(Exception, match="users_email_key"):
        await conn.execute("INSERT INTO users VALUES ($1)", ["a"])
    del conn

    assert (2, 1, 1, 0) == counts(pool)
    assert cause.__traceback__ is None


def test_a_connection_outside_a_pool_is_collected_as_any_fake() -> None:
    """No pool, no lease: a plain FakeConnection is collected as before."""
    conn = FakeConnection()
    conn.verify()
    del conn
    gc.collect()
