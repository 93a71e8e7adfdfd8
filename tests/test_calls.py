"""Call and CallLog: what is recorded, how it compares, and how it fails."""

from __future__ import annotations

import pytest

from asyncfakes import ANY, Call, CallLog, Contains, FakeAssertionError, FakeConnection

pytestmark = pytest.mark.anyio


async def make_conn() -> FakeConnection:
    conn = FakeConnection()
    await conn.fetch("SELECT * FROM users WHERE id = $1", [1])
    await conn.execute("UPDATE users SET name = $1 WHERE id = $2", ["Ana", 1])
    await conn.fetch_val("SELECT count(*) FROM users")
    return conn


async def test_call_records_everything() -> None:
    """A Call holds the method, SQL, params, args, kwargs, index, transaction and outcome."""
    conn = FakeConnection()
    await conn.fetch("SELECT $1", parameters=[5])
    call = conn.calls.one()

    assert "fetch" == call.method
    assert "SELECT $1" == call.sql
    assert [5] == call.params
    assert ("SELECT $1",) == call.args
    assert {"parameters": [5]} == dict(call.kwargs)
    assert 0 == call.index
    assert None is call.transaction
    assert "returned" == call.outcome
    assert None is call.error


async def test_params_are_snapshotted() -> None:
    """Mutating the params after the call cannot rewrite history."""
    conn = FakeConnection()
    params = [1]
    mapping = {"a": 1}
    await conn.fetch("SELECT $1", params)
    await conn.fetch("SELECT :a", mapping)
    params.append(2)
    mapping["b"] = 2

    assert [[1], {"a": 1}] == conn.calls.params


async def test_call_is_read_only() -> None:
    """Calls cannot be changed by tests or code."""
    conn = await make_conn()
    with pytest.raises(AttributeError):
        conn.calls.first.sql = "x"  # type: ignore[misc]


async def test_call_equals_sql_params_tuple() -> None:
    """A Call equals (sql, params) with the SQL normalised and list == tuple."""
    conn = await make_conn()
    first = conn.calls.first

    assert ("select * from users where id = ?", (1,)) == first
    assert (Contains("from users"), [ANY]) == first
    assert ("SELECT 1", [1]) != first
    assert (1, 2) != first
    assert first != "SELECT"
    assert first == conn.calls[0]
    assert first != conn.calls[1]
    assert conn.fetch.calls == [("SELECT * FROM users WHERE id = $1", [1])]


async def test_call_repr_and_describe() -> None:
    """Calls print constructor-style, and describe themselves in one line."""
    conn = await make_conn()
    assert (
        "Call(method='fetch', sql='SELECT * FROM users WHERE id = $1', params=[1], index=0, outcome='returned')"
        == repr(conn.calls.first)
    )
    assert "#2 fetch_val('SELECT count(*) FROM users') -> returned" == conn.calls.last.describe()


async def test_calllog_queries() -> None:
    """CallLog is a read-only sequence with sql/params lists, slicing and filtering."""
    conn = await make_conn()
    log = conn.calls

    assert 3 == len(log)
    assert isinstance(log, CallLog)
    assert ["fetch", "execute", "fetch_val"] == [c.method for c in log]
    assert [[1], ["Ana", 1], None] == log.params
    assert "UPDATE users SET name = $1 WHERE id = $2" == log.sql[1]
    assert isinstance(log[1:], CallLog)
    assert 2 == len(log[1:])
    assert 1 == len(log.filter(method="execute"))
    assert 3 == len(log.filter(sql=Contains("users"), params=ANY))
    assert 1 == len(log.filter(sql=Contains("users"), params=[ANY]))
    assert 1 == len(log.filter(params=[1]))
    assert log == list(log)
    assert log != "x"
    assert repr(log).startswith("CallLog([Call(method='fetch'")


async def test_filter_rejects_unknown_method_names() -> None:
    """A typo in filter(method=...) fails instead of silently matching nothing."""
    conn = await make_conn()
    with pytest.raises(
        ValueError, match="filter\\(method='fecth'\\): no fake method has that name. Did you mean 'fetch'\\?"
    ):
        conn.calls.filter(method="fecth")


async def test_one_lists_every_call_when_not_exactly_one() -> None:
    """one() fails with the calls it found."""
    conn = await make_conn()
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.calls.one()

    assert str(excinfo.value) == (
        "Expected exactly one of calls, but there were 3.\n"
        "  #0 fetch('SELECT * FROM users WHERE id = $1', [1]) -> returned\n"
        "  #1 execute('UPDATE users SET name = $1 WHERE id = $2', ['Ana', 1]) -> returned\n"
        "  #2 fetch_val('SELECT count(*) FROM users') -> returned\n"
        "Calls on this connection (3):\n"
        "  #0 fetch('SELECT * FROM users WHERE id = $1', [1]) -> returned\n"
        "  #1 execute('UPDATE users SET name = $1 WHERE id = $2', ['Ana', 1]) -> returned\n"
        "  #2 fetch_val('SELECT count(*) FROM users') -> returned"
    )


async def test_first_and_last_fail_on_empty_log() -> None:
    """first/last on no calls fail with a message, not an IndexError."""
    conn = FakeConnection()
    with pytest.raises(
        FakeAssertionError, match="Expected at least one of fetch calls, but there were none."
    ):
        _ = conn.fetch.calls.first
    with pytest.raises(FakeAssertionError, match="Calls on this connection: none."):
        _ = conn.fetch.calls.last


async def test_assert_executed_passes_and_counts() -> None:
    """assert_executed matches SQL by normalisation, params by ==, and counts with times=."""
    conn = await make_conn()
    await conn.fetch("select * from users where id = ?", (1,))

    conn.assert_executed("SELECT * FROM users WHERE id = $1")
    conn.assert_executed("SELECT * FROM users WHERE id = $1", params=[1], times=2)
    conn.assert_executed(Contains("update users"), times=1)
    conn.assert_not_executed("DELETE FROM users")
    conn.assert_not_executed("SELECT * FROM users WHERE id = $1", params=[2])


async def test_assert_executed_failure_shows_nearest_match() -> None:
    """A failed assert_executed shows the history and the closest call with what differed."""
    conn = await make_conn()
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.assert_executed("SELECT * FROM users WHERE id = $1", params=[2])

    assert str(excinfo.value) == (
        "Expected sql='SELECT * FROM users WHERE id = $1', params=[2] to be executed at least once, "
        "but it was executed 0 time(s).\n"
        "Calls on this connection (3):\n"
        "  #0 fetch('SELECT * FROM users WHERE id = $1', [1]) -> returned\n"
        "  #1 execute('UPDATE users SET name = $1 WHERE id = $2', ['Ana', 1]) -> returned\n"
        "  #2 fetch_val('SELECT count(*) FROM users') -> returned\n"
        "Nearest match: #0 fetch('SELECT * FROM users WHERE id = $1', [1]) -> returned\n"
        "  params differ: expected [2], got [1]"
    )


async def test_assert_executed_times_mismatch_and_sql_diff() -> None:
    """A wrong count says how many; a SQL mismatch shows a normalised diff."""
    conn = await make_conn()
    with pytest.raises(
        FakeAssertionError, match=r"to be executed 2 time\(s\), but it was executed 1 time\(s\)"
    ):
        conn.assert_executed("SELECT count(*) FROM users", times=2)
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.assert_executed("SELECT count(id) FROM users")
    assert (
        "  sql differs (normalised):\n"
        "    - select count ( id ) from users\n"
        "    + select count ( * ) from users"
    ) in str(excinfo.value)
    with pytest.raises(FakeAssertionError, match="Nearest match: #2"):
        conn.assert_executed(Contains("count(id)"))


async def test_assert_executed_on_empty_connection() -> None:
    """With no calls at all there is no nearest match to show."""
    conn = FakeConnection()
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.assert_executed("SELECT 1")
    assert "Nearest match" not in str(excinfo.value)
    assert "Calls on this connection: none." in str(excinfo.value)


async def test_assert_not_executed_lists_offending_calls() -> None:
    """assert_not_executed fails listing the calls that matched."""
    conn = await make_conn()
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.assert_not_executed(Contains("users"), params=[1])
    assert str(excinfo.value).startswith(
        "Expected sql=Contains('users') not to be executed, but it was executed 1 time(s):\n"
        "  #0 fetch('SELECT * FROM users WHERE id = $1', [1]) -> returned\n"
    )


async def test_describe_of_raised_and_transaction_calls() -> None:
    """describe() shows the error raised and the transaction a call ran in."""
    conn = FakeConnection()
    conn.fetch.raises_once(ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        await conn.fetch("SELECT 1")
    async with conn.transaction():
        await conn.execute("SELECT 2")

    assert "#0 fetch('SELECT 1') -> raised ValueError('boom')" == conn.calls[0].describe()
    assert "#2 execute('SELECT 2') -> returned [in transaction #0]" == conn.calls[2].describe()


def test_call_can_be_built_directly() -> None:
    """Call is a plain value object: flavours and tests can make one."""
    call = Call("fetch", "SELECT 1", None, ("SELECT 1",), {}, 4, None)
    assert "pending" == call.outcome
    assert "#4 fetch('SELECT 1') -> pending" == call.describe()
    assert "#4 fetch('SELECT 1')" == call.describe(outcome=False)


def test_unset_sentinel_repr() -> None:
    """The 'not given' sentinel prints as UNSET in signatures and messages."""
    from asyncfakes._calls import UNSET

    assert "UNSET" == repr(UNSET)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_nearest_match_names_the_method_difference() -> None:
    """An expectation on one method, near a call of another, says the method differs."""
    conn = FakeConnection()
    await conn.fetch("SELECT 1")
    conn.fetch_val.expect(sql="SELECT 1")
    with pytest.raises(FakeAssertionError, match="method differs: expected 'fetch_val', got 'fetch'"):
        conn.verify()
