"""Contract: a psqlpy connection dropped inside a transaction frees its slot, and leaves the transaction open.

psqlpy 0.13 frees a pooled connection when CPython collects it, even while a transaction begun on
it is still open (the code dropped both), and resets nothing: the server connection goes back to
the pool inside that transaction, and the next code that gets it runs in it. The pool hands out
its idle connections first in, first out. Every scenario runs on the fake and on real psqlpy
against PostgreSQL (see _psqlpy_support).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.contract._psqlpy_support import Side, anyio_backend, caught, db, psqlpy_side

__all__ = ["anyio_backend", "db", "psqlpy_side"]

pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]  # the leaks are the point

ABORTED = "db error: ERROR: current transaction is aborted, commands ignored until end of transaction block"
MISSING = "SELECT * FROM missing"


def counts(pool: Any) -> tuple[int, int, int, int]:
    """What ``pool.status()`` says: max_size, size, available, waiting."""
    status = pool.status()
    return status.max_size, status.size, status.available, status.waiting


def script_missing_table(db: Side, pool: Any) -> None:
    """On the fake, the query on a missing table fails as PostgreSQL's does."""
    if db.is_real:
        return
    from asyncfakes.psqlpy import postgres_error

    pool.script.execute.when(sql=MISSING).raises(
        postgres_error('relation "missing" does not exist', at="prepare")
    )


def reported(db: Side, pool: Any) -> str:
    """The fake's verify() report (the real driver reports nothing)."""
    if db.is_real:
        return ""
    with pytest.raises(AssertionError) as report:
        pool.verify()
    return str(report.value)


async def begun_and_dropped(pool: Any, *, fail: bool = False) -> None:
    """A DAO that begins a transaction, runs statements, and drops it with its connection unfinished."""
    conn = await pool.connection()
    transaction = conn.transaction()
    await transaction.begin()
    await transaction.execute("SELECT 1")
    await conn.execute("SELECT 2")
    if fail:
        await caught(transaction.execute(MISSING))


async def test_a_transaction_dropped_with_its_connection_gives_the_slot_back(db: Side) -> None:
    """Nothing holds the connection any more: its slot is free, and the next acquisition does not wait."""
    pool = db.pool(2)
    await begun_and_dropped(pool)
    dropped = counts(pool)
    conn = await asyncio.wait_for(pool.connection(), 2)

    assert ((2, 1, 1, 0), (2, 1, 0, 0)) == (dropped, counts(pool))
    conn.close()
    report = reported(db, pool)
    assert db.is_real or "transaction #0 was begun and never committed or rolled back" in report


async def test_a_transaction_not_begun_dropped_with_its_connection_gives_the_slot_back(db: Side) -> None:
    """A transaction made and never begun does not keep a connection the code dropped with it."""
    pool = db.pool(2)
    conn = await pool.connection()
    transaction = conn.transaction()
    del conn, transaction
    again = await asyncio.wait_for(pool.connection(), 2)

    assert (2, 1, 0, 0) == counts(pool)  # the same connection again: psqlpy opened no other
    again.close()


async def test_a_transaction_still_held_keeps_its_dropped_connection_usable(db: Side) -> None:
    """The code holding the transaction (not the connection) keeps the slot, and can run and commit."""
    pool = db.pool(2)
    if not db.is_real:
        pool.script.fetch_val.returns(1)
    conn = await pool.connection()
    transaction = conn.transaction()
    await transaction.begin()
    del conn
    held = counts(pool)
    value = await transaction.fetch_val("SELECT 1")
    await transaction.commit()

    assert ((2, 1, 0, 0), 1, (2, 1, 1, 0)) == (held, value, counts(pool))


async def test_the_next_user_of_a_connection_dropped_in_an_aborted_transaction_runs_in_it(db: Side) -> None:
    """psqlpy resets nothing: every statement fails until the next user rolls back."""
    pool = db.pool(2)
    script_missing_table(db, pool)
    await begun_and_dropped(pool, fail=True)
    conn = await asyncio.wait_for(pool.connection(), 2)
    failed = await caught(conn.execute("SELECT 1"))
    transaction = conn.transaction()
    begin = await caught(transaction.begin())
    flagged = await conn.in_transaction()
    await transaction.rollback()
    await conn.execute("SELECT 1")  # the rollback ended the transaction left open
    cleared = await conn.in_transaction()

    assert ("ConnectionExecuteError", f"Cannot execute query, error - {ABORTED}") == failed
    assert (
        "TransactionBeginError",
        f"Transaction begin error: Cannot start transaction due to - {ABORTED}",
    ) == begin
    assert (True, False, (2, 1, 0, 0)) == (flagged, cleared, counts(pool))  # flagged though begin failed
    conn.close()


async def test_a_transaction_begun_on_a_connection_left_in_one_joins_it(db: Side) -> None:
    """The next user's begin() is ignored by PostgreSQL: its commit ends the transaction left open."""
    pool = db.pool(2)
    await begun_and_dropped(pool)
    conn = await asyncio.wait_for(pool.connection(), 2)
    async with conn.transaction() as transaction:
        await transaction.execute("SELECT 3")
    conn.close()
    clean = await pool.connection()
    await clean.execute("SELECT 4")  # the commit ended the transaction left open: nothing fails

    assert (2, 1, 0, 0) == counts(pool)
    clean.close()
    report = reported(db, pool)
    assert db.is_real or "began on a connection the pool handed out still inside a transaction" in report


@pytest.mark.parametrize("dropped_first", [True, False], ids=["dropped-first", "closed-first"])
async def test_the_pool_hands_out_the_connection_given_back_first(db: Side, dropped_first: bool) -> None:
    """Of two idle connections, the next acquisition gets the one given back first (FIFO)."""
    pool = db.pool(3)
    script_missing_table(db, pool)
    other = await pool.connection()
    conn = await pool.connection()
    transaction = conn.transaction()
    await transaction.begin()
    await caught(transaction.execute(MISSING))
    if dropped_first:
        del conn, transaction
        counts(pool)  # the fake collects the dropped connection here; psqlpy freed it at once
        other.close()
    else:
        other.close()
        del conn, transaction
    first = await pool.connection()
    first_failed = await caught(first.execute("SELECT 1")) if dropped_first else None
    second = await pool.connection()
    second_failed = None if dropped_first else await caught(second.execute("SELECT 1"))

    aborted = ("ConnectionExecuteError", f"Cannot execute query, error - {ABORTED}")
    assert aborted == (first_failed or second_failed)
    await (second if dropped_first else first).execute("SELECT 1")  # the other one is clean
    first.close()
    second.close()


async def test_a_smaller_pool_closes_the_idle_connections_given_back_first(db: Side) -> None:
    """resize() down closes the oldest idle connections: a session left aborted goes with them."""
    pool = db.pool(3)
    script_missing_table(db, pool)
    first, second, third = await pool.connection(), await pool.connection(), await pool.connection()
    await first.transaction().begin()
    await caught(first.execute(MISSING))
    first.close()
    second.close()
    third.close()
    pool.resize(2)
    taken = [await pool.connection(), await pool.connection()]
    for conn in taken:
        await conn.execute("SELECT 1")  # neither runs in the aborted transaction

    assert (2, 2, 0, 0) == counts(pool)
    for conn in taken:
        conn.close()
