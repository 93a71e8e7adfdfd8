"""Contract: committing a transaction after a failed statement raises nothing on asyncpg; it rolls back.

The fake agrees, and its ``verify()`` reports the lost writes (the real driver cannot).
"""

from __future__ import annotations

import pytest

from asyncfakes.asyncpg import error_class, postgres_error
from tests.contract._asyncpg_support import Target, anyio_backend, db

__all__ = ["anyio_backend", "db"]

pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]  # the report is asserted here

FAIL = "SELECT 1/0"


def division_by_zero() -> Exception:
    """PostgreSQL's error for ``FAIL``."""
    return postgres_error("22012", "division by zero")


async def test_commit_after_a_failure_rolls_back_silently_and_the_fake_reports_it(db: Target) -> None:
    """tx.commit() and an executed COMMIT after a failure: no error, status ROLLBACK, no rows kept."""
    await db.setup("CREATE TEMP TABLE t (id int)")
    if db.fake:
        db.fake.fetchval.raises(division_by_zero())
        db.fake.fetch.returns([])

    tx = db.conn.transaction()
    await tx.start()
    await db.conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(error_class("DivisionByZeroError")):
        await db.conn.fetchval(FAIL)
    await tx.commit()
    await db.conn.execute("BEGIN")
    await db.conn.execute("INSERT INTO t VALUES (2)")
    with pytest.raises(error_class("DivisionByZeroError")):
        await db.conn.fetchval(FAIL)
    status = await db.conn.execute("COMMIT")

    assert ("ROLLBACK", [], False) == (
        status,
        await db.conn.fetch("SELECT * FROM t"),
        db.conn.is_in_transaction(),
    )
    if db.fake:
        with pytest.raises(AssertionError) as caught:
            db.fake.verify()
        report = str(caught.value)
        assert (
            "transaction #0 was committed after #2 fetchval('SELECT 1/0', ()) [in transaction #0] raised"
            in report
        )
        assert (
            "a COMMIT was executed (its status was 'ROLLBACK') after #6 fetchval('SELECT 1/0', ())" in report
        )
