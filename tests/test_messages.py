"""Golden messages (#10, item 9): each failure leads to its cause, word for word."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import anyio
import pytest

from asyncfakes import (
    FakeAssertionError,
    FakeConnection,
    UnexpectedCall,
    aborted_note,
    asyncpg,
    call_site,
    missing_attribute,
    psqlpy,
)
from asyncfakes._calls import UNSET as UNSET_SQL
from asyncfakes.psqlpy import exceptions as psqlpy_exceptions

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


# --- names: misspelt, not faked yet, keyword mistakes --------------------------------------------


def read(obj: object, name: str) -> object:
    """obj.name, which type checkers would refuse to let a test even try."""
    return getattr(obj, name)


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (
            FakeConnection,
            "fetchone",
            "'FakeConnection' object has no attribute 'fetchone'. Did you mean 'fetch' or 'fetch_row'?",
        ),
        (asyncpg.FakeConnection, "fetchone", "Did you mean 'fetch' or 'fetchrow'?"),
        (asyncpg.FakeConnection, "fetch_val", "Did you mean 'fetchval'?"),
        (psqlpy.FakeConnection, "fetchval", "Did you mean 'fetch_val'?"),
        (psqlpy.FakeConnection, "fetchrow", "Did you mean 'fetch_row'?"),
        (
            asyncpg.FakePool,
            "fetchone",
            "'FakePool' object has no attribute 'fetchone'. Did you mean 'fetch' or",
        ),
        (FakeConnection, "zzzzzz", "'FakeConnection' object has no attribute 'zzzzzz'."),
    ],
)
def test_a_misspelt_name_suggests_the_right_one(make: Any, name: str, message: str) -> None:
    """conn.fetchone, asyncpg's fetchval on psqlpy and the reverse: the close names are suggested."""
    with pytest.raises(AttributeError) as excinfo:
        getattr(make(), name)
    assert message in str(excinfo.value)
    assert str(excinfo.value).startswith(f"'{type(make()).__name__}' object has no attribute '{name}'.")


@pytest.mark.asyncfakes(verify=False)  # transactions made only to read their attributes
def test_a_driver_method_not_faked_yet_says_so() -> None:
    """add_listener, copy_*, psqlpy's listener: the real driver has them, the fake does not yet."""
    with pytest.raises(AttributeError) as excinfo:
        read(asyncpg.FakeConnection(), "add_listener")
    assert str(excinfo.value) == (
        "FakeConnection.add_listener: the real driver has it, but asyncfakes does not fake it yet. "
        "LISTEN/NOTIFY has no fake: call your listener callback directly in the test. To fake it "
        "yourself, add it to a subclass of FakeConnection (fake_method makes it recorded and scriptable: "
        "README, 'Faking your own driver')."
    )
    with pytest.raises(
        AttributeError, match=r"^FakeConnection\.reset: the real driver has it, but .* yet\. To"
    ):
        read(asyncpg.FakeConnection(), "reset")
    with pytest.raises(AttributeError, match=r"^FakePool\.copy_to_table: .* COPY has no fake yet"):
        read(asyncpg.FakePool(), "copy_to_table")
    with pytest.raises(AttributeError, match=r"^FakeConnectionPool\.listener: .* LISTEN/NOTIFY"):
        read(psqlpy.FakeConnectionPool(2), "listener")
    with pytest.raises(AttributeError, match=r"^FakeTransaction\.binary_copy_to_table: .* COPY"):
        read(psqlpy.FakeConnection().transaction(), "binary_copy_to_table")
    with pytest.raises(AttributeError, match=r"^FakeConnection\.user: .* connected to nothing"):
        read(psqlpy.FakeConnection(), "user")
    with pytest.raises(
        AttributeError, match=r"'FakeTransaction' object has no attribute 'comit'\. Did you mean 'commit'\?"
    ):
        read(FakeConnection().transaction(), "comit")


@pytest.mark.asyncfakes(verify=False)  # transactions made only to read their attributes
def test_dunder_lookups_and_failing_properties_keep_their_own_error() -> None:
    """Special names fail plainly; a property's own AttributeError is not replaced by a suggestion."""
    conn = FakeConnection()
    with pytest.raises(AttributeError, match="^__wrapped__$"):
        read(conn, "__wrapped__")
    with pytest.raises(AttributeError, match="^__wrapped__$"):
        read(conn.transaction(), "__wrapped__")
    with pytest.raises(AttributeError, match="^__wrapped__$"):
        read(asyncpg.FakePool(), "__wrapped__")
    with pytest.raises(AttributeError, match="^__wrapped__$"):
        read(psqlpy.FakeConnectionPool(2), "__wrapped__")
    with pytest.raises(AttributeError, match="shared=False"):
        read(asyncpg.FakePool(shared=False), "connection")
    assert "'FakeConnection' object has no attribute 'fetch'. Did you mean" in str(
        missing_attribute(conn, "fetch")
    )


@pytest.mark.parametrize(
    ("conn", "message"),
    [
        (FakeConnection(), "Connection.fetch() got an unexpected keyword argument 'timout'"),
        (asyncpg.FakeConnection(), "Connection.fetch() got an unexpected keyword argument 'timout'"),
        (psqlpy.FakeConnection(), "Connection.fetch() got an unexpected keyword argument 'timout'"),
    ],
)
def test_keyword_mistakes_name_the_method(conn: Any, message: str) -> None:
    """The TypeError names the driver's method, as the driver's own does, not an internal binder."""
    with pytest.raises(TypeError) as excinfo:
        conn.fetch("SELECT 1", timout=1)
    # Python 3.13 adds its own suggestion (". Did you mean 'timeout'?") after the message.
    assert message == str(excinfo.value).split(". Did you mean")[0]


def test_a_binder_outside_a_class_is_named_as_the_method() -> None:
    """A fake method declared on a function's local class without an identifier owner keeps its name."""
    from asyncfakes._binder import make_binder

    async def fetch_arrow(host: Any, sql: str) -> None:
        return None

    bind = make_binder(fetch_arrow, UNSET_SQL, UNSET_SQL, "arrow")
    with pytest.raises(TypeError, match=r"^arrow\(\) got an unexpected keyword argument 'x'$"):
        bind(None, "SELECT 1", x=1)


def test_call_site_names_the_caller_outside_asyncfakes() -> None:
    """call_site() is the first frame outside asyncfakes, relative to the working directory when inside it."""
    here = call_site()
    assert here.startswith("tests/test_messages.py:") or here.startswith("/"), here
    assert here.endswith(" in test_call_site_names_the_caller_outside_asyncfakes")
    namespace: dict[str, Any] = {"call_site": call_site}
    exec(compile("def where():\n    return call_site()\n", "/elsewhere/app.py", "exec"), namespace)
    assert "/elsewhere/app.py:2 in where" == namespace["where"]()


# --- pools and transactions: who holds the connections, which statement aborted ----------------


async def test_an_exhausted_asyncpg_pool_says_who_holds_the_connections() -> None:
    """acquire(timeout=) on an exhausted pool raises asyncpg's TimeoutError, noting who holds it."""
    pool = asyncpg.FakePool(max_size=1)
    held = await pool.acquire()
    with pytest.raises(asyncio.TimeoutError) as excinfo:  # the builtin one from Python 3.11 only
        await pool.acquire(timeout=0.01)
    (note,) = excinfo.value.__notes__
    assert re.fullmatch(
        r"asyncfakes: the pool is exhausted: 1/1 in use, acquired by #0 at \S*test_messages\.py:\d+ in "
        r"test_an_exhausted_asyncpg_pool_says_who_holds_the_connections; release them \(`async with "
        r"pool\.acquire\(\)`\), or make the pool larger\.",
        note,
    ), note
    await pool.release(held)


async def test_an_exhausted_psqlpy_pool_says_who_holds_the_connections() -> None:
    """A wait for a connection that is cancelled (a timeout) notes who holds the pool's connections."""
    pool = psqlpy.FakeConnectionPool(2)
    first = await pool.connection()
    notes: list[str] = []
    async with pool.acquire():
        with anyio.CancelScope() as scope:
            scope.cancel()
            try:
                await pool.connection()
            except BaseException as error:
                notes += error.__notes__
                raise
    first.close()
    (note,) = notes
    assert re.fullmatch(
        r"asyncfakes: cancelled while waiting for a connection: the pool is exhausted: 2/2 in use, "
        r"acquired by #0 at \S+:\d+ in test_an_exhausted_psqlpy_pool_says_who_holds_the_connections, "
        r"#1 at \S+:\d+ in test_an_exhausted_psqlpy_pool_says_who_holds_the_connections; close\(\) them "
        r"\(`async with pool\.acquire\(\)`\), or make the pool larger\.",
        note,
    ), note


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_the_aborted_transaction_error_names_the_statement_that_failed() -> None:
    """asyncpg and psqlpy: "current transaction is aborted" notes which earlier statement failed."""
    conn = asyncpg.FakeConnection()
    conn.execute.when(sql="INSERT INTO t VALUES (1)").raises_once(asyncpg.unique_violation("t_pkey"))
    aborted_tx = conn.transaction()
    await aborted_tx.start()
    with pytest.raises(asyncpg.error_class("UniqueViolationError")):
        await conn.execute("INSERT INTO t VALUES (1)")
    for _ in range(2):
        with pytest.raises(asyncpg.error_class("InFailedSQLTransactionError")) as excinfo:
            await conn.fetchval("SELECT 1")
        (note,) = excinfo.value.__notes__
        assert note.startswith(
            "asyncfakes: the transaction was aborted by the failed statement #1 execute('INSERT INTO t "
            "VALUES (1)', ()) -> raised UniqueViolationError("
        )
        assert note.endswith(
            "[in transaction #0]; PostgreSQL refuses every statement until ROLLBACK (or ROLLBACK TO SAVEPOINT)."
        )
    await aborted_tx.rollback()  # as the note says

    lite = psqlpy.FakeConnection()
    lite.execute.when(sql="INSERT INTO t VALUES (1)").raises_once(psqlpy.unique_violation("t_pkey"))
    async with lite.transaction() as tx:
        await tx.create_savepoint("sp")
        with pytest.raises(psqlpy_exceptions.ConnectionExecuteError):
            await tx.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(psqlpy_exceptions.DatabaseError) as aborted:
            await tx.fetch("SELECT 1")
        with pytest.raises(psqlpy_exceptions.DatabaseError) as savepoint:
            await tx.release_savepoint("sp")
        await tx.rollback_savepoint("sp")
    for error in (aborted.value, savepoint.value):
        (note,) = error.__notes__
        assert note.startswith("asyncfakes: the transaction was aborted by the failed statement #2 execute(")
    assert aborted_note(None).startswith("asyncfakes: the transaction was aborted by an earlier statement;")
