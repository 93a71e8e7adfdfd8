"""The generic FakeConnection: method set, natural answers, migration API, lifecycle."""

from __future__ import annotations

import pytest

from asyncfakes import FakeConnection, FakeConnectionClosed, FakeRecord

pytestmark = pytest.mark.anyio


async def test_fetch_answers_scripted_rows_as_record() -> None:
    """Plain data scripted with returns() comes back as a FakeRecord of rows."""
    conn = FakeConnection()
    conn.fetch.returns([{"id": 1, "name": "Ana"}])

    record = await conn.fetch("SELECT id, name FROM users", None)

    assert [{"id": 1, "name": "Ana"}] == record.result()
    assert 1 == record[0]["id"]
    assert "Ana" == record[0][1]


async def test_unscripted_methods_give_natural_empty_answers() -> None:
    """With nothing scripted, each method answers like the hand-written fake."""
    conn = FakeConnection()

    assert FakeRecord(None) == await conn.execute("UPDATE t SET a = 1")
    assert FakeRecord(None) == await conn.fetch("SELECT 1")
    assert None is await conn.fetch_val("SELECT 1")
    many = await conn.execute_many("INSERT INTO t VALUES ($1)", [[1], [2]])
    assert 2 == many.rowcount


async def test_closed_connection_refuses_calls() -> None:
    """After close(), a call raises a clear error and is still recorded."""
    conn = FakeConnection()
    await conn.close()

    with pytest.raises(FakeConnectionClosed, match=r"fetch\(\) on a closed connection"):
        await conn.fetch("SELECT 1")

    assert conn.closed
    assert ["close", "fetch"] == [c.method for c in conn.calls]
    assert "raised" == conn.calls.last.outcome
