"""The failing side of fake_method and FakeMethod (mutation testing found them tested only passing)."""
# Mutation-kill tests: private fake methods (_query) are the point, as is a statement's own method.
# pyright: reportPrivateUsage=false

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes import CallLog, FakeAssertionError, FakeConnection, UnexpectedCall, fake_method
from asyncfakes._spec import MethodSpec

# These tests leave unscripted calls and unused stubs on purpose.
pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]


async def _natural(self: Any, sql: str) -> str:
    return "natural"


def test_method_spec_is_strict_unless_told_otherwise() -> None:
    """A MethodSpec made directly is strict, as fake_method's are."""
    assert MethodSpec(_natural).strict is True
    assert MethodSpec(_natural, strict=False).strict is False


@pytest.mark.parametrize("target", [len, object(), "fetch"])
def test_fake_method_refuses_what_is_not_a_python_function(target: Any) -> None:
    """A builtin, an object or a string is refused at once, naming what fake_method decorates."""
    with pytest.raises(
        TypeError, match=r"^fake_method\(\) decorates an async def with the driver's signature, got "
    ):
        fake_method(target)


def custom_class() -> type[Any]:
    """A connection class with fake methods, made inside the test that uses it.

    fake_method runs when a class is created: a class made at import (collection) time would be
    made before a mutation run applies its mutant, and no test could tell.
    """

    class Custom(FakeConnection):
        @fake_method(name="query", shape=lambda host, call, value: ("shaped", value), strict=False)
        async def _query(self, sql: str, parameters: Any = None) -> Any:
            return "natural"

        @fake_method
        async def plain(self, sql: str) -> Any:
            return "plain natural"

    return Custom


async def test_fake_method_options_name_shape_and_strict_all_apply() -> None:
    """name= names the calls (and the binder's errors), shape= shapes answers, strict=False answers naturally."""
    conn = custom_class()(strict=True)

    assert "natural" == await conn._query("SELECT 1")
    conn._query.returns(5)
    assert ("shaped", 5) == await conn._query("SELECT 1")
    assert ["query", "query"] == [call.method for call in conn.calls]
    with pytest.raises(TypeError, match=r"^Custom\.query\(\) got an unexpected keyword argument 'bad'$"):
        conn._query("SELECT 1", bad=1)


async def test_a_fake_method_is_strict_by_default() -> None:
    """@fake_method without options refuses an unscripted call on a strict connection."""
    custom = custom_class()
    conn = custom(strict=True)

    with pytest.raises(UnexpectedCall, match=r"^Unexpected call #0 plain\('SELECT 2'\)"):
        await conn.plain("SELECT 2")
    assert "plain natural" == await custom().plain("SELECT 2")


async def test_an_error_a_stub_raises_carries_no_near_miss_note() -> None:
    """A call a stub answered (by raising) was not a near miss: its error has no note."""
    conn = FakeConnection()
    conn.fetch.when(sql="SELECT 1").raises(ValueError("x"))

    with pytest.raises(ValueError, match="^x$") as excinfo:
        await conn.fetch("SELECT 1")
    assert None is getattr(excinfo.value, "__notes__", None)


async def test_psqlpy_fetch_row_without_a_row_notes_the_near_miss() -> None:
    """psqlpy's 'unexpected number of rows' for an unscripted fetch_row names the stub it nearly matched."""
    from asyncfakes import psqlpy
    from asyncfakes.psqlpy import exceptions

    conn = psqlpy.FakeConnection()
    conn.fetch_row.when(sql="SELECT * FROM users WHERE id = $1", params=[1]).returns({"id": 1})
    with pytest.raises(exceptions.ConnectionExecuteError) as excinfo:
        await conn.fetch_row("SELECT * FROM users WHERE id = $1", [2])

    assert [
        "asyncfakes: no stub answered #0 fetch_row('SELECT * FROM users WHERE id = $1', [2]); nearest stub "
        "fetch_row.when(sql='SELECT * FROM users WHERE id = $1', params=[1]):\n"
        "  params differ: expected [1], got [2]"
    ] == excinfo.value.__notes__


async def test_assert_awaited_with_on_a_prepared_statement_reads_its_query() -> None:
    """A statement's methods take their SQL from the statement: the assertion compares it too."""
    from asyncfakes import asyncpg

    conn = asyncpg.FakeConnection()
    conn.fetchval.returns(1)
    statement = await conn.prepare("SELECT $1::int")
    await statement.fetchval(1)

    statement._fetchval.assert_awaited_with(1)
    with pytest.raises(FakeAssertionError, match=r"params differ: expected \(2,\), got \(1,\)"):
        statement._fetchval.assert_awaited_with(2)


async def test_a_methods_calls_fail_showing_the_whole_connection_history() -> None:
    """conn.fetch.calls is only fetch's calls, but its failures list every call on the connection."""
    conn = FakeConnection()
    await conn.execute("DELETE FROM t")
    calls: CallLog = conn.fetch.calls

    assert 0 == len(calls)
    with pytest.raises(FakeAssertionError) as excinfo:
        calls.one()
    assert str(excinfo.value) == (
        "Expected exactly one of fetch calls, but there were 0.\n"
        "Calls on this connection (1):\n"
        "  #0 execute('DELETE FROM t') -> returned"
    )


async def test_a_stub_lists_the_calls_it_answered() -> None:
    """stub.calls holds the very calls the stub answered, with their SQL and parameters."""
    conn = FakeConnection()
    stub = conn.fetch_val.when(sql="SELECT $1::int").returns(1)

    await conn.fetch_val("SELECT $1::int", [7])
    await conn.fetch_val("SELECT 2")

    assert [conn.calls[0]] == list(stub.calls)
    assert ("SELECT $1::int", [7]) == (stub.calls[0].sql, stub.calls[0].params)


async def test_an_error_of_the_methods_own_answer_carries_no_near_miss_note() -> None:
    """A call no stub matched but the method's answer served (by raising) was answered: no note."""
    conn = FakeConnection()
    conn.fetch.when(sql="SELECT * FROM users WHERE id = $1", params=[1]).returns([])
    conn.fetch.raises(ValueError("x"))

    with pytest.raises(ValueError, match="^x$") as excinfo:
        await conn.fetch("SELECT * FROM users WHERE id = $1", [2])
    assert None is getattr(excinfo.value, "__notes__", None)


async def test_a_fake_without_checkpoints_does_not_yield_to_other_tasks() -> None:
    """The generic fake (checkpoint_calls False) answers without a loop round trip, even with tasks ready."""
    import anyio

    conn = FakeConnection()
    ran: list[str] = []

    async def other() -> None:
        ran.append("other")

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(other)
        await conn.fetch_val("SELECT 1")
        ran.append("call answered")

    assert ["call answered", "other"] == ran


async def test_a_pooled_psqlpy_connection_is_freed_as_soon_as_it_is_dropped() -> None:
    """Its fake methods are not cached on it, so no cycle keeps it: dropped, it gives its slot back at once."""
    import gc

    from asyncfakes import psqlpy

    pool = psqlpy.FakeConnectionPool(2)
    gc.disable()  # only reference counting may free it
    try:
        conn = await pool.connection()
        await conn.execute("SELECT 1")
        del conn
        [dropped] = pool.connections
        assert dropped.closed
    finally:
        gc.enable()
    assert ["SELECT 1"] == pool.calls.sql
