"""Stricter by default (#10): near misses, unused stubs and half-written scripts reach verify()."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes import (
    Contains,
    ExpectationsNotMet,
    FakeAssertionError,
    FakeConnection,
    Regex,
    UnexpectedCall,
    add_note,
    fake_method,
)

pytestmark = pytest.mark.anyio


def problems(conn: FakeConnection) -> list[str]:
    """What verify() reports, one string per problem."""
    return conn.problems()


# --- near misses ---------------------------------------------------------------------------------


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_misspelt_query_is_a_near_miss_reported_by_verify() -> None:
    """A call no stub answered, that reads almost like a stub, is listed with the difference."""
    conn = FakeConnection()
    conn.fetch_val.when(sql="SELECT count(*) FROM users").returns(10)
    conn.fetch_val.when(sql="SELECT 1").returns(1)
    assert 1 == await conn.fetch_val("SELECT 1")
    assert None is await conn.fetch_val("SELECT count(*) FROM user")

    with pytest.raises(ExpectationsNotMet) as excinfo:
        conn.verify()

    assert str(excinfo.value) == (
        "1 problem(s) found by verify():\n"
        "  1. fetch_val.when(sql='SELECT count(*) FROM users') answered no call.\n"
        "     nearest call: #1 fetch_val('SELECT count(*) FROM user') -> returned\n"
        "       sql differs (normalised):\n"
        "         - select count ( * ) from users\n"
        "         + select count ( * ) from user\n"
        "Calls on this connection (2):\n"
        "  #0 fetch_val('SELECT 1') -> returned\n"
        "  #1 fetch_val('SELECT count(*) FROM user') -> returned"
    )


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_near_miss_of_a_used_stub_is_listed_on_its_own() -> None:
    """When the nearest stub answered other calls, the near miss itself is the problem."""
    conn = FakeConnection()
    stub = conn.fetch.when(sql="SELECT * FROM users WHERE id = $1", params=[1]).returns([{"id": 1}])
    await conn.fetch("SELECT * FROM users WHERE id = $1", [1])
    await conn.fetch("SELECT * FROM users WHERE id = $1", [2])

    assert [
        "#1 fetch('SELECT * FROM users WHERE id = $1', [2]) matched no stub and got the default answer; "
        f"nearest: {stub!r}\n"
        "     params differ: expected [1], got [2]"
    ] == problems(conn)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_used_up_one_shots_make_a_near_miss() -> None:
    """A stub that matches but has no answer left says so."""
    conn = FakeConnection()
    conn.fetch_val.when(sql="SELECT 1").returns_once(1)
    await conn.fetch_val("SELECT 1")
    await conn.fetch_val("SELECT 1")
    (problem,) = problems(conn)
    assert problem.endswith("it matches, but all its one-shot answers were used")


async def test_different_statements_are_no_near_miss() -> None:
    """Calls that differ by whole words, or that a default answer covers, are left alone."""
    conn = FakeConnection()
    conn.execute.when(sql="UPDATE b SET n = n + 1").returns(None)
    conn.fetch.when(sql=Contains("FROM orders")).returns([])
    conn.fetch.when(sql=Regex(r"FROM items\b")).returns([])
    await conn.execute("UPDATE b SET n = n + 1")
    await conn.execute("UPDATE a SET n = n - 1")
    await conn.fetch("SELECT * FROM orders")
    await conn.fetch("SELECT * FROM items")
    await conn.fetch("SELECT * FROM users")
    await conn.fetch_val("SELECT 1")  # a method without stubs
    conn.fetch_row.when(sql="SELECT * FROM users WHERE id = $1", params=[1]).returns({"id": 1})
    conn.fetch_row.returns(None)  # a default answer for every other call
    await conn.fetch_row("SELECT * FROM users WHERE id = $1", [1])
    await conn.fetch_row("SELECT * FROM users WHERE id = $1", [2])
    async with conn.transaction():  # transaction control is never a near miss
        pass
    conn.verify()


async def test_the_attribute_api_answers_on_purpose() -> None:
    """The generic fake's fetch_return = ... is a scripted answer: no near miss."""
    conn = FakeConnection()
    conn.fetch.when(sql="SELECT $1", params=[1]).returns([{"a": 1}])
    conn.fetch_return = [{"a": 2}]
    conn.execute_return = "OK"
    conn.execute.when(sql="DELETE FROM t WHERE id = $1", params=[1]).returns("DELETE 1")
    await conn.fetch("SELECT $1", [1])
    await conn.execute("DELETE FROM t WHERE id = $1", [1])
    assert [{"a": 2}] == (await conn.fetch("SELECT $1", [2])).result()
    await conn.execute_many("DELETE FROM t WHERE id = $1", [[2]])
    conn.verify()


async def test_near_miss_counts_only_stubs_registered_before_the_call() -> None:
    """A stub added after the call cannot have been nearly matched by it."""
    conn = FakeConnection()
    conn.fetch.when(sql="SELECT 1").returns([])
    await conn.fetch("SELECT 1")
    await conn.fetch("SELECT $1", [5])
    conn.fetch.when(sql="SELECT $1", params=[6], optional=True).returns([])
    conn.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_connection_wide_stub_has_near_misses_too() -> None:
    """conn.when() stubs are nearly matched by any method's calls (that send SQL)."""
    conn = Driver()
    conn.when(params=[1]).returns([])
    conn.when(sql="SELECT 2").returns([])
    await conn.fetch("SELECT $1", [1])
    await conn.fetch("SELECT 2")
    await conn.fetch("SELECT $1", [2])
    await conn.ping()
    (problem,) = problems(conn)
    assert "params differ: expected [1], got [2]" in problem


class Driver(FakeConnection):
    """A driver whose natural answer to fetch_one raises, as psqlpy's fetch_row does on no rows."""

    @fake_method(sql=None)
    async def ping(self) -> None:
        return None

    @fake_method
    async def fetch_one(self, stmt: str, parameters: Any = None) -> Any:
        raise LookupError("no rows")


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_an_error_from_the_natural_answer_carries_the_near_miss() -> None:
    """A driver error raised for an unscripted call says which stub it nearly matched."""
    conn = Driver()
    conn.fetch_one.when(sql="SELECT * FROM users WHERE id = $1", params=[1]).returns({"id": 1})
    with pytest.raises(LookupError) as excinfo:
        await conn.fetch_one("SELECT * FROM users WHERE id = $1", [2])
    assert [
        "asyncfakes: no stub answered #0 fetch_one('SELECT * FROM users WHERE id = $1', [2]); nearest stub "
        "fetch_one.when(sql='SELECT * FROM users WHERE id = $1', params=[1]):\n"
        "  params differ: expected [1], got [2]"
    ] == excinfo.value.__notes__


async def test_an_error_for_an_unrelated_call_gets_no_note() -> None:
    """Without a near stub the natural answer's error is left as it is."""
    conn = Driver()
    conn.fetch_one.when(sql="SELECT 1").returns({"a": 1})
    with pytest.raises(LookupError) as excinfo:
        await conn.fetch_one("DELETE FROM t")
    assert not hasattr(excinfo.value, "__notes__")
    await conn.fetch_one("SELECT 1")


def test_add_note_works_without_add_note() -> None:
    """add_note() keeps notes in __notes__ (what Python 3.11 shows), appending to existing ones."""
    error = ValueError("x")
    assert error is add_note(error, "one")
    add_note(error, "two")
    assert ["one", "two"] == error.__notes__


# --- unused stubs -------------------------------------------------------------------------------


async def test_an_unused_stub_is_reported_with_nothing_called() -> None:
    """A when() that answered nothing fails verify(), even when nothing was called."""
    conn = FakeConnection()
    conn.when(sql="SELECT 1").returns(1)
    assert ["when(sql='SELECT 1') answered no call."] == problems(conn)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_stub_that_answered_once_is_fine() -> None:
    """One answered call is enough; left-over sticky answers are not a problem, left-over one-shots are."""
    conn = FakeConnection()
    conn.fetch_val.when(sql="SELECT 1").returns(1)
    await conn.fetch_val("SELECT 1")
    conn.verify()
    stub = conn.fetch_val.when(sql="SELECT 2").returns_once(1).returns_once(2)
    await conn.fetch_val("SELECT 2")
    assert [f"{stub!r}: a one-shot answer was never used (returns 2)."] == problems(conn)


async def test_unused_stub_opt_outs() -> None:
    """optional=True per stub, optional_stubs=True per connection (one-shots included)."""
    conn = FakeConnection()
    stub = conn.fetch.when(sql="SELECT 1", optional=True).returns_once([]).returns_once([])
    conn.when(sql="SELECT 2", optional=True).raises(KeyError)
    assert "fetch.when(sql='SELECT 1', optional=True)" == repr(stub)
    await conn.fetch("SELECT 1")
    conn.verify()

    lenient = FakeConnection(optional_stubs=True)
    lenient.fetch.when(sql="SELECT 1").returns([])
    lenient.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_an_unused_stub_shows_only_its_own_method_calls() -> None:
    """The nearest call of an unused stub is one of its method's calls, or none."""
    conn = FakeConnection()
    conn.fetch_val.when(sql="SELECT 1").returns(1)
    await conn.execute("SELECT 1")
    assert ["fetch_val.when(sql='SELECT 1') answered no call."] == problems(conn)


# --- half-written scripts -----------------------------------------------------------------------


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_delay_without_a_verb_fails_the_next_call_and_verify() -> None:
    """conn.fetch_val.delays(0.2) alone is refused at the next call of fetch_val, with the line to write."""
    conn = FakeConnection()
    conn.fetch_val.delays(0.2)
    await conn.fetch("SELECT 1")  # another method is not concerned
    with pytest.raises(FakeAssertionError) as excinfo:
        await conn.fetch_val("SELECT 1")
    assert str(excinfo.value).startswith(
        "conn.fetch_val.delays(0.2) has no answer verb, so the script for fetch_val is half-written: "
        "write conn.fetch_val.delays(0.2).returns(...) (or raises/answers/hangs).\n"
    )
    assert [
        "conn.fetch_val.delays(0.2) has no answer verb, so it answers nothing: write "
        "conn.fetch_val.delays(0.2).returns(...) (or raises/answers/hangs)."
    ] == problems(conn)[:1]


async def test_a_delay_with_its_verb_is_complete() -> None:
    """The verb after delays() finishes the script, also through a stub, a reused or a nested Delayed."""
    conn = FakeConnection()
    conn.execute.delays(1).delays(0).returns(None)
    await conn.execute("SELECT 1")
    slow = conn.fetch_val.delays(0)
    slow.returns_once(1)
    slow.returns_once(2)
    conn.fetch.when(sql="SELECT 1").delays(0).returns([])
    assert [1, 2] == [await conn.fetch_val("SELECT x"), await conn.fetch_val("SELECT x")]
    await conn.fetch("SELECT 1")
    conn.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_when_without_a_verb_is_half_written() -> None:
    """A verb-less when() is refused at the next call of its method, strict or not."""
    for strict in (False, True):
        conn = FakeConnection(strict=strict)
        conn.fetch.when(sql="SELECT 1")
        conn.execute.returns(None)
        await conn.execute("SELECT 1")  # another method is not concerned
        with pytest.raises(FakeAssertionError, match=r"write conn\.fetch\.when\(sql='SELECT 1'\)\.returns"):
            await conn.fetch("SELECT 1")
        assert not isinstance(FakeAssertionError, UnexpectedCall)
        assert [
            "conn.fetch.when(sql='SELECT 1') has no answer verb, so it answers nothing: write "
            "conn.fetch.when(sql='SELECT 1').returns(...) (or raises/answers/hangs)."
        ] == problems(conn)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_connection_wide_when_without_a_verb_stops_every_method() -> None:
    """conn.when() with no verb concerns the calls of every method."""
    conn = FakeConnection()
    conn.when(sql="SELECT 1").delays(1)
    with pytest.raises(FakeAssertionError, match=r"^conn\.when\(sql='SELECT 1'\) has no answer verb"):
        await conn.execute("SELECT 2")
    first, second = problems(conn)
    assert first.startswith("conn.when(sql='SELECT 1') has no answer verb")
    assert second.startswith("conn.when(sql='SELECT 1').delays(1.0) has no answer verb")


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_verbless_when_does_not_count_as_scripted_for_strict() -> None:
    """Under strict=True a when() stub with no verb answers nothing: its matching is off."""
    conn = FakeConnection(strict=True)
    stub = conn.fetch_val.when(sql="SELECT 1")
    assert not stub.accepts("fetch_val", "SELECT 1", None)
    stub.returns(1)
    assert stub.accepts("fetch_val", "SELECT 1", None)
    assert conn.fetch_val.expect(sql="SELECT 2").accepts("fetch_val", "SELECT 2", None)


@pytest.mark.asyncfakes(verify=False)  # the problems are the point of this test
async def test_psqlpy_fetch_row_without_a_row_notes_the_near_miss() -> None:
    """psqlpy's 'unexpected number of rows' for an unscripted fetch_row names the stub it nearly matched."""
    from asyncfakes import psqlpy
    from asyncfakes.psqlpy import exceptions as psqlpy_exceptions

    conn = psqlpy.FakeConnection()
    conn.fetch_row.when(sql="SELECT * FROM users WHERE id = $1", params=[1]).returns({"id": 1})
    with pytest.raises(psqlpy_exceptions.ConnectionExecuteError) as excinfo:
        await conn.fetch_row("SELECT * FROM users WHERE id = $1", [2])
    assert [
        "asyncfakes: no stub answered #0 fetch_row('SELECT * FROM users WHERE id = $1', [2]); nearest stub "
        "fetch_row.when(sql='SELECT * FROM users WHERE id = $1', params=[1]):\n"
        "  params differ: expected [1], got [2]"
    ] == excinfo.value.__notes__
    (problem,) = conn.problems()  # the stub answered no call; its near miss is shown under it
    assert problem.endswith("params differ: expected [1], got [2]")
