"""fake_method, the extension API: signatures, binding, recording, AsyncMock-style assertions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from asyncfakes import (
    BaseConnection,
    BaseTransaction,
    Call,
    FakeAssertionError,
    FakeConnection,
    MethodSpec,
    UnexpectedCall,
    fake_method,
)

pytestmark = pytest.mark.anyio


class Statement:
    """A prepared-statement host: its SQL comes from the host, not the arguments."""

    def __init__(self, conn: DuckConnection, query: str) -> None:
        self.conn = conn
        self.query = query

    def fake_context(self) -> tuple[BaseConnection, BaseTransaction | None]:
        return self.conn, None

    @fake_method(name="statement.fetch", sql=lambda host: host.query)
    async def fetch(self, *args: Any, timeout: float | None = None) -> list[Any]:
        return []


def _upper_rows(host: Any, call: Call, value: Any) -> list[dict[str, Any]]:
    return [{k.upper(): v for k, v in row.items()} for row in value]


class DuckConnection(BaseConnection):
    """A driver the library does not know, faked in a few lines."""

    fake_hosts = (Statement,)

    @fake_method(shape=_upper_rows)
    async def query_df(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [{"natural": True}]

    @fake_method
    async def run(self, query: str, /, *args: Any, timeout: float | None = None, **options: Any) -> str:
        return "OK"

    @fake_method(sql="statement", params=None)
    async def explain(self, mode: str, *, statement: str) -> str:
        return f"plan for {statement}"

    @fake_method(sql=None, strict=False)
    async def ping(self) -> bool:
        return True

    @fake_method(sql=None)
    async def vacuum(self) -> None:
        return None

    def prepare(self, query: str) -> Statement:
        return Statement(self, query)


async def test_custom_method_is_recorded_and_scriptable() -> None:
    """A fake_method answers naturally, is recorded, and takes scripted answers shaped by shape=."""
    conn = DuckConnection()
    assert [{"natural": True}] == await conn.query_df("SELECT 1")
    conn.query_df.returns([{"a": 1}])
    assert [{"A": 1}] == await conn.query_df("SELECT a FROM t", [1])

    assert [("SELECT 1", ()), ("SELECT a FROM t", [1])] == conn.query_df.calls
    assert 2 == conn.query_df.await_count


async def test_sql_and_params_are_bound_from_any_signature() -> None:
    """Positional-only, *args, keyword-only and **kwargs parameters all bind like the real call."""
    conn = DuckConnection()
    assert "OK" == await conn.run("SELECT $1, $2", 1, 2, timeout=3, trace=True)
    assert "plan for SELECT 1" == await conn.explain("json", statement="SELECT 1")
    assert True is await conn.ping()

    run, explain, ping = conn.calls
    assert ("SELECT $1, $2", (1, 2), {"timeout": 3, "trace": True}) == (run.sql, run.params, dict(run.kwargs))
    assert ("SELECT 1", None) == (explain.sql, explain.params)
    assert (None, None) == (ping.sql, ping.params)


async def test_bad_arguments_fail_like_the_real_call() -> None:
    """Arguments that do not fit the driver's signature raise TypeError at call time."""
    conn = DuckConnection()
    with pytest.raises(TypeError):
        conn.query_df("SELECT 1", (), "extra")  # type: ignore[call-arg,unused-coroutine]
    with pytest.raises(TypeError):
        conn.run(query="SELECT 1")  # type: ignore[call-arg,unused-coroutine]
    assert 0 == len(conn.calls)
    conn.verify()


async def test_host_supplies_the_sql_for_prepared_statements() -> None:
    """A host with fake_context records on its connection, with SQL from the host."""
    conn = DuckConnection()
    stmt = conn.prepare("SELECT * FROM t WHERE id = $1")
    conn.when(method="statement.fetch").returns([1])

    assert [1] == await stmt.fetch(5)
    assert ("SELECT * FROM t WHERE id = $1", (5,)) == conn.calls.one()
    assert "statement.fetch" in DuckConnection.method_names()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_strict_exempt_method_and_no_sql_stub_difference() -> None:
    """strict=False methods answer naturally on strict connections; a SQL stub never matches no-SQL calls."""
    conn = DuckConnection(strict=True)
    conn.when(method="run", sql="SELECT 1").returns("scripted")
    assert True is await conn.ping()
    with pytest.raises(UnexpectedCall, match=r"\+ no SQL"):
        await conn.vacuum()


def test_fake_method_refuses_what_it_cannot_declare() -> None:
    """Naming a parameter that does not exist, or decorating a non-function, fails at class creation."""
    with pytest.raises(
        TypeError,
        match=r"fake_method\(sql='qeury'\) on .*: there is no such parameter; it has \['query'\]. Did you mean 'query'\?",
    ):

        @fake_method(sql="qeury")
        async def fetch(self: Any, query: str) -> None: ...

    with pytest.raises(TypeError, match=r"fake_method\(params='x'\)"):

        @fake_method(params=("x",))
        async def fetch2(self: Any, query: str) -> None: ...

    with pytest.raises(
        TypeError, match="fake_method\\(\\) decorates an async def with the driver's signature, got 3"
    ):
        fake_method(3)  # type: ignore[call-overload]


def test_spec_on_the_class_and_repr() -> None:
    """Reading a fake method from the class gives its spec; from an instance, the bound method."""
    assert isinstance(DuckConnection.query_df, MethodSpec)
    assert "<fake_method query_df>" == repr(DuckConnection.query_df)
    conn = DuckConnection()
    assert conn.query_df is conn.query_df
    assert "conn.query_df" == repr(conn.query_df)
    assert "query_df" == conn.query_df.name


async def test_asyncmock_style_assertions_pass() -> None:
    """assert_awaited* compare the SQL normalised and the params with ==, as AsyncMock users expect."""
    conn = FakeConnection()
    conn.fetch.assert_not_awaited()
    await conn.fetch("SELECT * FROM t WHERE id = $1", [1])

    conn.fetch.assert_awaited()
    conn.fetch.assert_awaited_once()
    conn.fetch.assert_awaited_with("select * from t where id = ?", (1,))
    conn.fetch.assert_awaited_once_with("SELECT * FROM t WHERE id = $1", parameters=[1])
    await conn.fetch("SELECT 2")
    conn.fetch.assert_any_await("SELECT * FROM t WHERE id = $1", [1])
    conn.fetch.assert_awaited_with("SELECT 2")


async def test_asyncmock_style_assertions_fail_with_history() -> None:
    """Each assertion fails with a message naming the method and the history."""
    conn = FakeConnection()
    with pytest.raises(FakeAssertionError, match="Expected fetch to have been awaited, but it was not."):
        conn.fetch.assert_awaited()
    with pytest.raises(FakeAssertionError, match="Expected fetch to have been awaited, but it was not."):
        conn.fetch.assert_awaited_with("SELECT $1")
    await conn.fetch("SELECT $1", [1])
    await conn.fetch("SELECT $1", [2])
    with pytest.raises(
        FakeAssertionError, match="Expected fetch to have been awaited once, but it was awaited 2 times."
    ):
        conn.fetch.assert_awaited_once()
    with pytest.raises(
        FakeAssertionError, match="Expected fetch not to have been awaited, but it was awaited 2 times."
    ):
        conn.fetch.assert_not_awaited()
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.fetch.assert_awaited_with("SELECT $1", [1])
    assert str(excinfo.value) == (
        "The last await of fetch differs from the expected one.\n"
        "Expected: 'SELECT $1', [1]\n"
        "Calls on this connection (2):\n"
        "  #0 fetch('SELECT $1', [1]) -> returned\n"
        "  #1 fetch('SELECT $1', [2]) -> returned\n"
        "Nearest match: #1 fetch('SELECT $1', [2]) -> returned\n"
        "  params differ: expected [1], got [2]"
    )
    with pytest.raises(
        FakeAssertionError, match="Expected fetch to have been awaited with these arguments, but it was not."
    ):
        conn.fetch.assert_any_await("SELECT $1", [3])
    with pytest.raises(FakeAssertionError, match="awaited once"):
        conn.fetch.assert_awaited_once_with("SELECT $1", [2])


async def test_base_connection_transactions() -> None:
    """A flavour on BaseConnection gets BaseTransaction, without the generic query methods."""
    conn = DuckConnection()
    async with conn.transaction() as tx:
        await conn.run("SELECT 1")
    assert isinstance(tx, BaseTransaction)
    assert not hasattr(tx, "fetch_row")
    assert not hasattr(conn, "fetch_row")
    assert ["BEGIN", "SELECT 1", "COMMIT"] == conn.calls.sql


class DriverError(Exception):
    """What the pretend driver raises."""


class TranslatingConnection(DuckConnection):
    """A flavour that gives every failure its driver's own exception class."""

    def call_failed(self, call: Call, error: BaseException) -> BaseException | None:
        if isinstance(error, KeyError):
            return DriverError(f"{call.method}: {error}")
        return None


async def test_call_failed_may_replace_the_error() -> None:
    """A flavour's call_failed can return the exception to raise instead; the call records it."""
    conn = TranslatingConnection()
    conn.run.raises_once(KeyError("k")).raises_once(ValueError("v"))

    with pytest.raises(DriverError, match="run: 'k'") as excinfo:
        await conn.run("SELECT 1")
    with pytest.raises(ValueError, match="v"):
        await conn.run("SELECT 2")

    assert excinfo.value is conn.calls[0].error
    assert excinfo.value.__suppress_context__
    assert isinstance(conn.calls[1].error, ValueError)


class TimedConnection(DuckConnection):
    """A flavour whose driver takes a timeout= on every query."""

    def call_timeout(self, call: Call) -> float | None:
        timeout: float | None = call.kwargs.get("timeout")
        return timeout


async def test_call_timeout_bounds_hangs_on_the_running_library() -> None:
    """With call_timeout, a hung answer fails with the running library's timeout error; plain answers are untouched."""
    import sys

    conn = TimedConnection()
    conn.run.hangs_once().returns("OK")
    import asyncio

    expected: type[BaseException] = asyncio.TimeoutError  # the builtin TimeoutError from 3.11 on
    if "trio" in sys.modules:
        import trio

        try:
            trio.lowlevel.current_task()
        except RuntimeError:
            pass
        else:
            expected = trio.TooSlowError
    with pytest.raises(expected):
        await conn.run("SELECT 1", timeout=0.01)
    assert "OK" == await conn.run("SELECT 1", timeout=0.01)
    assert "OK" == await conn.run("SELECT 1")
    assert "raised" == conn.calls[0].outcome
