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


async def test_migration_attribute_api_answers_like_the_hand_written_fake() -> None:
    """fetch_return & co. answer when nothing else is scripted, exactly as tests/fakes.py did."""
    conn = FakeConnection()
    conn.fetch_return = [{"id": 1}, {"id": 2}]
    conn.fetch_val_return = 5
    row = {"id": 9}
    conn.fetch_row_return = row

    assert [{"id": 1}, {"id": 2}] == (await conn.fetch("SELECT", None)).result()
    assert 5 == await conn.fetch_val("SELECT count(*)")
    answer = await conn.fetch_row("SELECT")
    assert row == answer.result()
    assert 9 == answer[0]["id"]
    kept = FakeRecord({"id": 8})
    conn.fetch_row_return = kept
    assert kept is await conn.fetch_row("SELECT")  # a FakeRecord is answered as it is
    conn.fetch_row_return = None
    assert {"id": 1} == (await conn.fetch_row("SELECT")).result()
    assert [{"id": 2}] == conn.fetch_return


async def test_migration_execute_return_queue_and_errors() -> None:
    """A list of lists in execute_return is a queue; an exception instance is raised."""
    conn = FakeConnection()
    conn.execute_return = [[{"status": "pending"}], [{"status": "approved"}]]
    first = await conn.execute("SELECT $1", [1])
    second = await conn.execute("SELECT $1", [2])
    assert "pending" == first.result()[0]["status"]
    assert "approved" == second.result()[0]["status"]
    assert [] == (await conn.execute("SELECT")).result()

    conn.execute_return = RuntimeError("db down")
    with pytest.raises(RuntimeError, match="db down"):
        await conn.execute("SELECT")
    with pytest.raises(RuntimeError, match="db down"):
        await conn.execute_many("INSERT INTO t VALUES ($1)", [[1]])
    for name in ("fetch_return", "fetch_row_return", "fetch_val_return"):
        setattr(conn, name, KeyError(name))
    with pytest.raises(KeyError):
        await conn.fetch("SELECT")
    with pytest.raises(KeyError):
        await conn.fetch_row("SELECT")
    with pytest.raises(KeyError):
        await conn.fetch_val("SELECT")


async def test_migration_call_lists() -> None:
    """execute_calls, fetch_calls and fetch_val_calls are lists of (stmt, params) as before."""
    conn = FakeConnection()
    await conn.execute("INSERT INTO a VALUES ($1)", ["x"])
    await conn.execute_many("INSERT INTO a VALUES ($1)", parameters=[["y"], ["z"]])
    await conn.fetch("SELECT * FROM a")
    await conn.fetch_row("SELECT * FROM a WHERE id = $1", [1])
    await conn.fetch_val("SELECT count(*) FROM a")

    assert [
        ("INSERT INTO a VALUES ($1)", ["x"]),
        ("INSERT INTO a VALUES ($1)", [["y"], ["z"]]),
    ] == conn.execute_calls
    assert [("SELECT * FROM a", None), ("SELECT * FROM a WHERE id = $1", [1])] == conn.fetch_calls
    assert [("SELECT count(*) FROM a", None)] == conn.fetch_val_calls
    _stmt, params = conn.execute_calls[1]
    assert 2 == len(params)


async def test_async_with_connection_and_repr() -> None:
    """async with conn gives the connection back; repr says its state."""
    async with FakeConnection() as conn:
        await conn.fetch("SELECT 1")
    assert "<FakeConnection open, 1 calls>" == repr(conn)
    await conn.close()
    await conn.close()
    assert "<FakeConnection closed, 3 calls>" == repr(conn)
    assert 0 == conn.in_flight


async def test_shared_script_between_connections() -> None:
    """share_with makes two connections answer from, and record into, one script."""
    first = FakeConnection()
    second = FakeConnection(share_with=first)
    first.fetch_val.returns_once(1)
    assert 1 == await second.fetch_val("SELECT 1")
    await first.fetch_val("SELECT 2")
    assert ["SELECT 1", "SELECT 2"] == second.calls.sql
    assert [0, 1] == [c.index for c in first.calls]


async def test_two_fakes_share_nothing() -> None:
    """Separate fakes never see each other's scripts or calls."""
    a, b = FakeConnection(), FakeConnection()
    a.fetch_val.returns(1)
    assert None is await b.fetch_val("SELECT 1")
    assert 0 == len(a.calls)


def test_long_values_are_shortened_in_messages() -> None:
    """Huge parameters are cut in the middle so a failure message stays readable."""
    from asyncfakes._errors import shorten

    text = shorten("x" * 500, 40)
    assert 40 >= len(text)
    assert " ... " in text


def test_the_generic_fake_sets_no_timeout() -> None:
    """The base hook gives no timeout, so the generic fake never bounds a scripted hang itself."""
    from asyncfakes import Call

    call = Call("fetch", "SELECT 1", None, ("SELECT 1",), {}, 0, None)
    assert None is FakeConnection().call_timeout(call)
