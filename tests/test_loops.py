"""The public API works on any event loop, and touches none until a call needs timing.

The same tour of the API runs under ``asyncio.run``, ``uvloop.run`` (when uvloop is installed),
``trio.run`` directly, and anyio's pytest plugin on asyncio, asyncio with uvloop, and trio.
"""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
import textwrap

import anyio
import pytest
import trio

from asyncfakes import FakeConnection, FakeRecord, Regex

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None
LOOP_MODULES = ("asyncio", "trio", "anyio", "sniffio", "uvloop")


# This module adds asyncio-with-uvloop to the shared asyncio/trio backends: "any event loop" is its claim.
@pytest.fixture(
    params=[
        pytest.param("asyncio", id="asyncio"),
        pytest.param(
            ("asyncio", {"use_uvloop": True}),
            id="uvloop",
            marks=pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop is not installed"),
        ),
        pytest.param("trio", id="trio"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> object:
    """Run this module's anyio tests on asyncio, uvloop and trio."""
    return request.param


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter and return what it printed."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert 0 == result.returncode, result.stderr
    return result.stdout.strip()


# --- nothing touches a loop until it must -------------------------------------------------


@pytest.mark.parametrize("module", ["asyncfakes", "asyncfakes.asyncpg"])
def test_import_loads_no_async_library(module: str) -> None:
    """Importing the package (or a flavour) imports neither asyncio nor trio (nor anyio, sniffio, uvloop)."""
    printed = run_python(
        f"""
        import sys
        import {module}
        print(sorted(m for m in {LOOP_MODULES!r} if m in sys.modules))
        """
    )

    assert "[]" == printed


def test_plain_calls_run_without_any_event_loop() -> None:
    """Values, errors, stubs and transactions answer with no loop running and no library imported."""
    printed = run_python(
        f"""
        import sys
        from asyncfakes import FakeConnection

        def drive(coroutine):
            try:
                coroutine.send(None)
            except StopIteration as done:
                return done.value
            raise AssertionError("the plain call path suspended")

        async def work(conn):
            async with conn.transaction():
                await conn.execute("INSERT INTO t VALUES ($1)", [1])
            try:
                await conn.fetch_val("SELECT broken()")
            except KeyError:
                pass
            return await conn.fetch("SELECT 1")

        conn = FakeConnection()
        conn.fetch.returns([{{"one": 1}}])
        conn.when(sql="SELECT broken()").raises(KeyError)
        record = drive(work(conn))
        assert record[0]["one"] == 1, record
        assert conn.transactions[0].state == "committed"
        print(len(conn.calls), sorted(m for m in {LOOP_MODULES!r} if m in sys.modules))
        """
    )

    assert "5 []" == printed


def test_timing_imports_only_the_running_library() -> None:
    """A delay under asyncio.run does not import trio; the library is found, not imported."""
    printed = run_python(
        """
        import asyncio
        import sys
        from asyncfakes import FakeConnection

        async def main():
            conn = FakeConnection()
            conn.fetch_val.delays(0.001).returns(1)
            return await conn.fetch_val("SELECT 1")

        print(asyncio.run(main()), "trio" in sys.modules)
        """
    )

    assert "1 False" == printed


# --- the tour -----------------------------------------------------------------------------


async def tour() -> None:
    """The public API with no timing: the same code on every loop."""
    conn = FakeConnection()
    conn.fetch.returns([{"id": 1, "name": "Ana"}])
    conn.fetch_val.returns_once(3).raises_once(ValueError("no such table"))
    conn.expect(sql="DELETE FROM sessions WHERE user_id = $1", params=[1])
    conn.when(sql=Regex(r"^UPDATE")).returns(FakeRecord(None, rowcount=2))

    async with conn:
        rows = await conn.fetch("SELECT id, name FROM users")
        assert "Ana" == rows[0]["name"]
        assert 3 == await conn.fetch_val("SELECT count(*) FROM users")
        with pytest.raises(ValueError, match="no such table"):
            await conn.fetch_val("SELECT count(*) FROM missing")

        async with conn.transaction() as tx:
            await tx.execute("DELETE FROM sessions WHERE user_id = $1", [1])
        tx.assert_committed()

        try:
            async with conn.transaction():
                assert 2 == (await conn.execute("UPDATE users SET name = $1", ["Bo"])).rowcount
                raise LookupError
        except LookupError:
            pass
        conn.transactions[1].assert_rolled_back()

    conn.fetch.assert_awaited_once_with("SELECT id, name FROM users")
    conn.assert_executed("update users set name = ?", ["Bo"])
    assert 9 == len(conn.calls)
    assert list(range(9)) == [c.index for c in conn.calls]
    conn.verify()
    await conn.close()
    assert conn.closed


def assert_timing_outcomes(conn: FakeConnection) -> None:
    """What each timing scenario leaves: a hang cancelled, a retry answered, a body rolled back."""
    assert ["cancelled", "returned"] == [c.outcome for c in conn.fetch_val.calls]
    assert ["BEGIN", "UPDATE t SET a = 1", "ROLLBACK"] == conn.transactions[0].calls.sql
    assert ["returned", "cancelled", "returned"] == [c.outcome for c in conn.transactions[0].calls]
    conn.transactions[0].assert_rolled_back()
    assert ["fast", "slow"] == sorted(c.sql or "" for c in conn.fetch.calls)  # trio starts tasks in any order
    assert 0 == conn.in_flight


def timing_fake() -> FakeConnection:
    conn = FakeConnection()
    conn.fetch_val.hangs_once().returns(2)
    conn.when(sql="slow").delays(0.02).returns([{"v": "slow"}])
    return conn


async def work(conn: FakeConnection) -> None:
    async with conn.transaction():
        await conn.execute("UPDATE t SET a = 1")


async def asyncio_timing() -> None:
    """Timeouts, a gate, cancellation and delays with asyncio's own primitives."""
    conn = timing_fake()
    try:
        await asyncio.wait_for(conn.fetch_val("SELECT 1"), 0.01)
    except asyncio.TimeoutError:
        pass
    else:
        raise AssertionError("wait_for did not time out")
    assert 2 == await conn.fetch_val("SELECT 1")

    gate = conn.execute.gate()
    task = asyncio.ensure_future(work(conn))
    await gate.started()
    task.cancel()
    (outcome,) = await asyncio.gather(task, return_exceptions=True)
    assert isinstance(outcome, asyncio.CancelledError)

    finished: list[str] = []

    async def fetch(sql: str) -> None:
        await conn.fetch(sql)
        finished.append(sql)

    await asyncio.gather(fetch("slow"), fetch("fast"))
    assert ["fast", "slow"] == finished
    assert_timing_outcomes(conn)


async def trio_timing() -> None:
    """Timeouts, a gate, cancellation and delays with trio's own primitives."""
    conn = timing_fake()
    with trio.move_on_after(0.01) as scope:
        await conn.fetch_val("SELECT 1")
    assert scope.cancelled_caught
    assert 2 == await conn.fetch_val("SELECT 1")

    gate = conn.execute.gate()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(work, conn)
        await gate.started()
        nursery.cancel_scope.cancel()

    finished: list[str] = []

    async def fetch(sql: str) -> None:
        await conn.fetch(sql)
        finished.append(sql)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(fetch, "slow")
        nursery.start_soon(fetch, "fast")
    assert ["fast", "slow"] == finished
    assert_timing_outcomes(conn)


async def anyio_timing() -> None:
    """Timeouts, a gate, cancellation and delays with anyio's primitives, on any backend."""
    conn = timing_fake()
    try:
        with anyio.fail_after(0.01):
            await conn.fetch_val("SELECT 1")
    except TimeoutError:
        pass
    else:
        raise AssertionError("fail_after did not time out")
    assert 2 == await conn.fetch_val("SELECT 1")

    gate = conn.execute.gate()
    async with anyio.create_task_group() as tg:
        tg.start_soon(work, conn)
        await gate.started()
        tg.cancel_scope.cancel()

    finished: list[str] = []

    async def fetch(sql: str) -> None:
        await conn.fetch(sql)
        finished.append(sql)

    async with anyio.create_task_group() as tg:
        tg.start_soon(fetch, "slow")
        tg.start_soon(fetch, "fast")
    assert ["fast", "slow"] == finished
    assert_timing_outcomes(conn)


# --- the runners --------------------------------------------------------------------------


def test_public_api_under_asyncio_run() -> None:
    """The tour and the asyncio timing scenario pass under plain asyncio.run."""
    asyncio.run(tour())
    asyncio.run(asyncio_timing())


@pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop is not installed")
def test_public_api_under_uvloop() -> None:
    """The tour and the asyncio timing scenario pass on uvloop's loop."""
    import uvloop

    async def on_uvloop() -> str:
        await tour()
        await asyncio_timing()
        return type(asyncio.get_running_loop()).__module__

    assert "uvloop" == uvloop.run(on_uvloop())


def test_public_api_under_trio_run() -> None:
    """The tour and the trio timing scenario pass under plain trio.run, without anyio."""
    trio.run(tour)
    trio.run(trio_timing)


@pytest.mark.anyio
async def test_public_api_under_anyio_plugin() -> None:
    """The tour and the anyio timing scenario pass under anyio's plugin, on each backend."""
    await tour()
    await anyio_timing()


def test_others_may_run_reads_asyncios_ready_queue_and_due_timers() -> None:
    """On asyncio's own loop: False only when no callback is ready and no timer is due."""
    import asyncio

    from asyncfakes._loops import others_may_run

    async def probe() -> list[bool]:
        loop = asyncio.get_running_loop()
        seen = [others_may_run()]
        later = loop.call_later(3600, lambda: None)
        seen.append(others_may_run())
        due = loop.call_at(loop.time() - 1, lambda: None)
        seen.append(others_may_run())
        due.cancel()
        later.cancel()
        soon = loop.call_soon(lambda: None)
        seen.append(others_may_run())
        soon.cancel()
        return seen

    assert [False, False, True, True] == asyncio.run(probe())


def test_others_may_run_says_yes_where_the_loop_does_not_tell() -> None:
    """trio and uvloop do not show their run queue: a fake call always yields there."""
    import trio

    from asyncfakes._loops import others_may_run

    async def probe() -> bool:
        return others_may_run()

    assert True is trio.run(probe)
    uvloop = pytest.importorskip("uvloop")
    assert True is uvloop.run(probe())


def test_others_may_run_says_yes_before_asyncio_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without asyncio imported no asyncio loop can be running (trio is): a fake call yields."""
    import sys

    from asyncfakes import _loops  # pyright: ignore[reportPrivateUsage]

    monkeypatch.setattr(_loops, "_running_loop", [])
    monkeypatch.delitem(sys.modules, "asyncio")
    assert True is _loops.others_may_run()
    assert [] == _loops._running_loop  # pyright: ignore[reportPrivateUsage]  # asyncio's function is looked up again once it is imported
