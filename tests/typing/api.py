"""Static checks of the public API's types: mypy --strict verifies every assert_type here.

Nothing here runs; the deliberate ``# type: ignore[code]`` lines are negative tests, kept honest by
``warn_unused_ignores`` (part of ``strict``).
"""

# pyright: reportUnnecessaryTypeIgnoreComment=error
from __future__ import annotations

from collections.abc import Coroutine, Sequence
from typing import Any
from unittest import mock

from typing_extensions import assert_type

from asyncfakes import (
    ANY,
    BaseConnection,
    BaseTransaction,
    Call,
    CallLog,
    Contains,
    Delayed,
    FakeConnection,
    FakeMethod,
    FakeRecord,
    FakeTransaction,
    Gate,
    Outcome,
    Regex,
    Row,
    StartsWith,
    Stub,
    TransactionState,
    fake_method,
)


class Custom(BaseConnection):
    @fake_method
    async def lookup(self, key: str, *, default: int = 0) -> int:
        return default


async def check_generic(conn: FakeConnection) -> None:
    assert_type(await conn.fetch("SELECT 1"), FakeRecord)
    assert_type(await conn.fetch_val("SELECT 1"), Any)
    coroutine = conn.fetch("SELECT 1")
    checked = assert_type(coroutine, Coroutine[Any, Any, FakeRecord])
    checked.close()
    assert_type(await conn.fetch.returns([])("SELECT 1"), FakeRecord)
    assert isinstance(conn.fetch, FakeMethod)
    assert_type(conn.fetch.delays(0.1), Delayed)
    assert_type(conn.fetch.gate(), Gate)
    assert_type(conn.fetch.when(sql="SELECT 1"), Stub)
    assert_type(conn.when(sql="SELECT 1").returns_once(1), Stub)
    assert_type(conn.calls, CallLog)
    assert_type(conn.calls.one(), Call)
    assert_type(conn.calls.first.outcome, Outcome)
    assert_type(conn.calls.sql, list[str | None])
    assert_type(conn.transaction(), FakeTransaction)
    assert_type(conn.transactions, Sequence[BaseTransaction])
    assert_type(conn.transaction().state, TransactionState)
    async with conn.transaction() as tx:
        assert_type(tx, FakeTransaction)
        assert_type(await tx.fetch_row("SELECT 1"), FakeRecord)
        assert_type(await tx.fetch("SELECT 1"), FakeRecord)
    record = await conn.fetch("SELECT 1")
    assert_type(record[0], Row)
    assert_type(record.rowcount, int)
    assert_type(conn.execute_calls, list[tuple[str | None, Any]])
    # fetch_row answers a FakeRecord: the row is record[0] (indexed by column), the data result().
    one = await conn.fetch_row("SELECT id FROM t WHERE id = ?", [1])
    assert_type(one, FakeRecord)
    assert_type(one[0], Row)
    assert_type(one[0]["id"], Any)
    assert_type(one.result(), Any)
    assert_type(await conn.fetch_row.returns({"id": 1})("SELECT 1"), FakeRecord)
    one["id"]  # type: ignore[call-overload]  # a FakeRecord is indexed by row, not by column

    await conn.fetch()  # type: ignore[call-arg]
    await conn.fetch("SELECT 1", [1], "extra")  # type: ignore[call-arg]


async def check_extension(conn: Custom) -> None:
    assert_type(await conn.lookup("a"), int)
    assert_type(await conn.lookup("a", default=1), int)
    assert_type(conn.transaction(), BaseTransaction)
    await conn.lookup(1)  # type: ignore[arg-type]
    await conn.lookup("a", 1)  # type: ignore[call-arg]
    conn.lookup.assert_awaited_once_with("a", default=0)
    conn.lookup.assert_awaited_with(key=3)  # type: ignore[call-overload]


async def check_matchers(conn: FakeConnection, custom: Custom) -> None:
    # A matcher for the SQL type-checks where it works at run time, with the parameters as usual;
    # unittest.mock.ANY is typed Any, so it fits any parameter.
    conn.fetch.assert_awaited_with(Contains("FROM users"), [1])
    conn.fetch.assert_awaited_once_with(Regex(r"FROM\s+users"), mock.ANY)
    conn.fetch.assert_any_await(ANY, [1])
    conn.fetch.assert_awaited_with(mock.ANY, [1])
    custom.lookup.assert_awaited_with(StartsWith("a"), default=1)
    assert_type(conn.when(sql=mock.ANY), Stub)
    assert_type(conn.fetch.when(sql=Contains("FROM users"), params=[mock.ANY]), Stub)
    conn.fetch.assert_awaited_with(1, [1])  # type: ignore[call-overload]
