"""AsyncMock's vocabulary on fake methods and connections (#10, item 10)."""

from __future__ import annotations

import pytest

from asyncfakes import ExpectationsNotMet, FakeAssertionError, FakeConnection, UnexpectedCall

pytestmark = pytest.mark.anyio


async def test_await_args_and_await_args_list() -> None:
    """await_args is the last call (or None); await_args_list every call, as AsyncMock's."""
    conn = FakeConnection()
    assert [None, []] == [conn.fetch.await_args, conn.fetch.await_args_list]
    await conn.fetch("SELECT $1", [1])
    await conn.fetch("SELECT 2")
    assert ("SELECT 2", None) == conn.fetch.await_args
    assert [("SELECT $1", [1]), ("SELECT 2", None)] == conn.fetch.await_args_list


async def test_method_reset_forgets_calls_answers_and_stubs() -> None:
    """conn.fetch.reset() forgets fetch's calls, answers, stubs and problems; other methods keep theirs."""
    conn = FakeConnection()
    conn.fetch.returns_once([{"a": 1}]).returns_once([{"a": 2}])
    conn.fetch.when(sql="SELECT 9").returns([])
    conn.fetch.expect(sql="SELECT 8")
    conn.fetch.delays(1)
    conn.fetch_val.returns_once(5)
    await conn.execute("DELETE FROM t")
    conn.fetch.reset()
    assert conn.fetch.await_count == 0
    await conn.fetch("SELECT 1")
    await conn.fetch_val("SELECT 1")
    conn.fetch.reset()
    conn.fetch.assert_not_awaited()
    assert 3 == len(conn.calls)  # the connection's history keeps everything
    conn.verify()


async def test_method_reset_forgets_its_problems_only() -> None:
    """Unexpected calls and misfits of the reset method go; other methods' stay."""
    conn = FakeConnection(strict=True)
    conn.fetch.answers(lambda call: 5)
    conn.fetch_val.when(sql="SELECT 1").returns(1)
    with pytest.raises(TypeError):
        await conn.fetch("SELECT 1")
    with pytest.raises(UnexpectedCall):
        await conn.execute("SELECT 1")
    await conn.fetch_val("SELECT 1")
    conn.fetch.reset()
    assert 1 == len(conn.problems())
    conn.execute.reset()
    conn.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_method_reset_keeps_an_order_error() -> None:
    """An out-of-order error belongs to no one method: it stays until the connection is reset."""
    conn = FakeConnection(ordered=True)
    conn.fetch.expect(sql="SELECT 1")
    conn.fetch.expect(sql="SELECT 2")
    with pytest.raises(UnexpectedCall):
        await conn.fetch("SELECT 2")
    conn.fetch.reset()
    assert ["an UnexpectedCall was raised"] == [p.split(" into")[0] for p in conn.problems()]


async def test_connection_reset_mock_forgets_everything() -> None:
    """conn.reset_mock() forgets calls, answers, stubs, expectations and problems; state is kept."""
    conn = FakeConnection(strict=True)
    conn.fetch_return = [{"a": 1}]
    conn.fetch.returns_once([])
    conn.expect(sql="SELECT 1")
    never = conn.fetch("SELECT 2")
    with pytest.raises(UnexpectedCall):
        await conn.execute("SELECT 3")
    tx = conn.transaction()
    await tx.start()
    with pytest.raises(ExpectationsNotMet):
        conn.verify()
    conn.reset_mock()
    assert [] == conn.calls
    assert None is conn.fetch_return
    await tx.commit()  # the transaction's state is the connection's: kept
    assert [("COMMIT", None)] == conn.calls
    conn.fetch.returns([])
    await never  # created before the reset, awaited after: no leftovers
    assert [("SELECT 2", ())] == conn.fetch.calls
    conn.verify()


@pytest.mark.parametrize("none", [None, (), []])
async def test_no_parameters_compare_equal_in_every_assertion(none: object) -> None:
    """A statement sent without parameters equals (), [] and None in assertions and stubs."""
    conn = FakeConnection()
    conn.fetch_val.when(sql="SELECT 1", params=none).returns(1)
    assert 1 == await conn.fetch_val("SELECT 1")
    await conn.execute("SELECT 2", [])
    assert ("SELECT 1", none) == conn.fetch_val.calls.one()
    assert [("SELECT 2", none)] == conn.execute.calls
    conn.fetch_val.assert_awaited_once_with("SELECT 1", none)
    conn.execute.assert_any_await("SELECT 2", none)
    conn.assert_executed("SELECT 1", none)
    conn.assert_executed("SELECT 2", none, times=1)
    assert 1 == len(conn.calls.filter(sql="SELECT 2", params=none))
    with pytest.raises(FakeAssertionError):
        conn.execute.assert_awaited_with("SELECT 2", [None])
