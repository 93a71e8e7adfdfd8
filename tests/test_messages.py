"""Golden messages (#10, item 9): each failure leads to its cause, word for word."""

from __future__ import annotations

import pytest

from asyncfakes import FakeAssertionError, FakeConnection, UnexpectedCall

pytestmark = pytest.mark.anyio

MULTI_LINE = """
    SELECT id, name
      FROM users  -- active ones
     WHERE active = $1
"""


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_assert_awaited_mentions_calls_created_but_never_awaited() -> None:
    """A failed assert_awaited* says when calls were made but not awaited (a missing await)."""
    conn = FakeConnection()
    forgotten = conn.fetch("SELECT 1")
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.fetch.assert_awaited_once_with("SELECT 1")
    forgotten.close()
    assert str(excinfo.value) == (
        "Expected fetch to have been awaited once, but it was awaited 0 times.\n"
        "Created but never awaited (1), a missing 'await'?: fetch('SELECT 1')\n"
        "Calls on this connection: none."
    )


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_multi_line_sql_prints_on_one_readable_line() -> None:
    """Histories, stubs and diffs show multi-line SQL on one line, comments kept."""
    conn = FakeConnection(strict=True)
    conn.fetch.when(sql=MULTI_LINE, params=[True]).returns([])
    with pytest.raises(UnexpectedCall) as excinfo:
        await conn.fetch(MULTI_LINE, [False])
    assert str(excinfo.value) == (
        "Unexpected call #0 fetch('SELECT id, name FROM users /* active ones */ WHERE active = $1', [False]): "
        "the connection is strict, and no stub for fetch matches it.\n"
        "Calls on this connection (1):\n"
        "  #0 fetch('SELECT id, name FROM users /* active ones */ WHERE active = $1', [False]) -> pending\n"
        "Nearest match: fetch.when(sql='SELECT id, name FROM users /* active ones */ WHERE active = $1', "
        "params=[True])\n"
        "  params differ: expected [True], got [False]\n"
        "Hint: script it: conn.fetch.returns(...) or .when(sql=...).returns(...)."
    )
    with pytest.raises(FakeAssertionError) as failed:
        conn.assert_executed(MULTI_LINE, [True])
    assert str(failed.value).startswith(
        "Expected sql='SELECT id, name FROM users /* active ones */ WHERE active = $1', params=[True] to be "
        "executed at least once, but it was executed 0 time(s).\n"
    )
    with pytest.raises(FakeAssertionError) as differs:
        conn.fetch.assert_awaited_with(MULTI_LINE, [True])
    assert "Expected: 'SELECT id, name FROM users /* active ones */ WHERE active = $1', [True]\n" in str(
        differs.value
    )


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_strict_unexpected_call_says_an_expectation_exists_but_differs() -> None:
    """The headline tells apart nothing scripted, stubs that differ, and an expectation that differs."""
    conn = FakeConnection(strict=True)
    with pytest.raises(
        UnexpectedCall, match=r"\): the connection is strict and nothing is scripted for fetch\."
    ):
        await conn.fetch("SELECT 1")
    conn.fetch_val.expect(sql="SELECT count(*) FROM users")
    with pytest.raises(UnexpectedCall) as excinfo:
        await conn.fetch_val("SELECT count(*) FROM user")
    assert str(excinfo.value) == (
        "Unexpected call #1 fetch_val('SELECT count(*) FROM user'): the connection is strict, and an "
        "expectation for fetch_val exists but differs.\n"
        "Calls on this connection (2):\n"
        "  #0 fetch('SELECT 1') -> raised UnexpectedCall\n"
        "  #1 fetch_val('SELECT count(*) FROM user') -> pending\n"
        "Nearest match: fetch_val.expect(sql='SELECT count(*) FROM users')\n"
        "  sql differs (normalised):\n"
        "    - select count ( * ) from users\n"
        "    + select count ( * ) from user\n"
        "Hint: script it: conn.fetch_val.returns(...) or .when(sql=...).returns(...)."
    )
