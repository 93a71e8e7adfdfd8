"""The answer queue, Gate, the loop-neutral event and sleep, and the running-library detection."""
# It tests the answer queue and Gate themselves, below the public API: it reads their internals.
# pyright: reportPrivateUsage=false

from __future__ import annotations

import asyncio
import inspect
import sys
from typing import Any

import anyio
import pytest
import trio

from asyncfakes import FakeConnection, Gate
from asyncfakes._answers import (
    CALL,
    GATE,
    HANG,
    RAISE,
    VALUE,
    Answer,
    AnswerQueue,
    check_exception,
    fresh_exception,
    make_answer,
)
from asyncfakes._calls import Call
from asyncfakes._loops import Event, current_async_library, is_cancellation

pytestmark = pytest.mark.anyio


def make_call(index: int = 0) -> Call:
    return Call("fetch", "SELECT 1", None, ("SELECT 1",), {}, index, None)


class NeedsArgument(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)


# --- detecting the running library -------------------------------------------------------


async def test_current_async_library_names_the_running_backend(anyio_backend: str) -> None:
    """Inside a run, the detection names the library anyio runs the test on."""
    assert anyio_backend == current_async_library()


def test_current_async_library_outside_trio_is_asyncio() -> None:
    """With trio imported but no trio run active, the detection falls back to asyncio."""
    assert "trio" in sys.modules
    assert "asyncio" == current_async_library()


def test_current_async_library_without_trio_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """When trio was never imported, the detection answers asyncio without importing it."""
    monkeypatch.delitem(sys.modules, "trio")

    assert "asyncio" == current_async_library()
    assert "trio" not in sys.modules


def test_current_async_library_inside_trio_run() -> None:
    """A plain trio.run (no anyio) is detected as trio."""
    assert "trio" == trio.run(_library_name)


async def _library_name() -> str:
    return current_async_library()


def test_asyncio_cancellation_is_a_cancellation() -> None:
    """asyncio.CancelledError is recognised as cancellation."""
    assert is_cancellation(asyncio.CancelledError())


def test_trio_cancellation_is_a_cancellation() -> None:
    """trio.Cancelled, caught from a cancelled scope, is recognised as cancellation."""
    caught: list[BaseException] = []

    async def main() -> None:
        with trio.CancelScope() as scope:
            scope.cancel()
            try:
                await trio.sleep(1)
            except trio.Cancelled as error:
                caught.append(error)
                raise

    trio.run(main)
    assert 1 == len(caught)
    assert is_cancellation(caught[0])


@pytest.mark.parametrize(
    "error",
    [KeyboardInterrupt(), ValueError("x"), type("CancelledError", (Exception,), {})()],
    ids=["KeyboardInterrupt", "ValueError", "an-Exception-named-CancelledError"],
)
def test_other_errors_are_not_cancellations(error: BaseException) -> None:
    """Errors that only look like cancellation (or are other BaseExceptions) are not."""
    assert not is_cancellation(error)


# --- the loop-neutral event ---------------------------------------------------------------


async def test_event_set_before_wait_returns_at_once() -> None:
    """Waiting on an event that is already set does not block."""
    event = Event()
    event.set()

    with anyio.fail_after(1):
        await event.wait()

    assert event.is_set()


async def test_event_wakes_every_waiter() -> None:
    """Several tasks waiting on one event all wake when it is set."""
    event = Event()
    woken: list[int] = []

    async def waiter(number: int) -> None:
        await event.wait()
        woken.append(number)

    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            for number in range(3):
                tg.start_soon(waiter, number)
            await anyio.wait_all_tasks_blocked()
            assert [] == woken
            event.set()

    assert [0, 1, 2] == sorted(woken)


# --- Gate ---------------------------------------------------------------------------------


async def test_gate_holds_the_call_until_released() -> None:
    """The call waits at the gate; started() returns it; release() lets it answer."""
    gate = Gate()
    call = make_call()
    results: list[Any] = []

    async def held() -> None:
        results.append(await gate._hold(call))

    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(held)
            assert call is await gate.started()
            assert gate.is_started
            assert not gate.is_released
            assert [] == results
            gate.release({"id": 1})

    assert [{"id": 1}] == results
    assert gate.is_released
    assert call is gate.call


async def test_gate_released_without_a_value_answers_none() -> None:
    """release() with no arguments lets the call answer None."""
    gate = Gate()
    gate.release()

    assert None is await gate._hold(make_call())


async def test_gate_released_before_the_call_arrives() -> None:
    """A gate released early lets its call through as soon as it arrives."""
    gate = Gate()
    gate.release(7)

    call = make_call()

    with anyio.fail_after(1):
        assert 7 == await gate._hold(call)
        assert call is await gate.started()


async def test_gate_release_error_instance_is_raised() -> None:
    """release(error=instance) makes the held call raise that instance."""
    gate = Gate()
    error = ValueError("boom")
    gate.release(error=error)

    with pytest.raises(ValueError, match="boom") as info:
        await gate._hold(make_call())

    assert error is info.value


async def test_gate_release_error_class_is_instantiated() -> None:
    """release(error=Class) raises a fresh instance of the class."""
    gate = Gate()
    gate.release(error=TimeoutError)

    with pytest.raises(TimeoutError):
        await gate._hold(make_call())


def test_gate_release_signature_reads_well() -> None:
    """help(Gate.release) shows a readable default for "no value given"."""
    assert "(self, value: 'Any' = <no value>, *, error:" in str(inspect.signature(Gate.release))


def test_gate_release_twice_is_refused() -> None:
    """A gate holds one call, so a second release() is a mistake and says so."""
    gate = Gate()
    gate.release(1)

    with pytest.raises(RuntimeError, match="already released; each gate holds one call"):
        gate.release(2)


def test_gate_release_value_and_error_is_refused() -> None:
    """release() with both a value and an error is ambiguous and refused at once."""
    gate = Gate()

    with pytest.raises(TypeError, match=r"takes a value or error=\.\.\., not both"):
        gate.release([], error=ValueError("x"))

    assert not gate.is_released


@pytest.mark.parametrize("value", [ValueError("x"), ValueError], ids=["instance", "class"])
def test_gate_release_exception_as_value_is_refused(value: object) -> None:
    """An exception passed as the value is almost surely meant to be raised: say how."""
    gate = Gate()

    with pytest.raises(TypeError, match=r"use release\(error=\.\.\.\)"):
        gate.release(value)


def test_gate_release_error_that_is_not_an_exception_is_refused() -> None:
    """release(error=...) accepts only exceptions, and names what it got."""
    gate = Gate()

    with pytest.raises(TypeError, match=r"Gate.release\(error=\.\.\.\) got 'boom' of type str"):
        gate.release(error="boom")  # type: ignore[arg-type]


async def test_gate_release_after_its_call_was_cancelled_is_refused() -> None:
    """Releasing a gate whose call was cancelled would deliver to nobody; it says so."""
    conn = FakeConnection()
    gate = conn.fetch.gate()

    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(conn.fetch, "SELECT 1")
            await gate.started()
            tg.cancel_scope.cancel()

    assert "<Gate cancelled: #0 fetch('SELECT 1')>" == repr(gate)
    with pytest.raises(RuntimeError, match=r"#0 fetch\('SELECT 1'\)\) was cancelled"):
        gate.release([])


async def test_gate_repr_tells_its_state() -> None:
    """The repr says waiting, started (with the call) or released."""
    conn = FakeConnection()
    gate = conn.fetch_val.gate()
    assert "<Gate waiting>" == repr(gate)

    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(conn.fetch_val, "SELECT 2")
            await gate.started()
            assert "<Gate started: #0 fetch_val('SELECT 2')>" == repr(gate)
            gate.release(2)

    assert "<Gate released: #0 fetch_val('SELECT 2')>" == repr(gate)
    early = Gate()
    early.release()
    assert "<Gate released>" == repr(early)


# --- exceptions as answers ----------------------------------------------------------------


def test_check_exception_accepts_instances_and_classes() -> None:
    """Exception instances and no-argument classes pass the check."""
    check_exception(ValueError("x"), "here")
    check_exception(KeyError, "here")
    check_exception(asyncio.CancelledError, "here")


def test_check_exception_refuses_a_class_needing_arguments() -> None:
    """A class that cannot be built without arguments is refused now, with the fix."""
    with pytest.raises(TypeError, match=r"raises\(\) got the class NeedsArgument.*NeedsArgument\(\.\.\.\)"):
        check_exception(NeedsArgument, "raises()")


def test_check_exception_refuses_non_exceptions() -> None:
    """A value that is not an exception is refused with a pointer to returns()."""
    with pytest.raises(TypeError, match=r"raises\(\) got 42 of type int.*use returns\(\)"):
        check_exception(42, "raises()")


def test_fresh_exception_makes_a_new_instance_from_a_class() -> None:
    """A class becomes a new instance each time."""
    first = fresh_exception(KeyError)
    second = fresh_exception(KeyError)

    assert isinstance(first, KeyError)
    assert first is not second


def test_fresh_exception_drops_an_old_traceback() -> None:
    """An instance raised before is reused without its old traceback."""
    error = ValueError("x")
    try:
        raise error
    except ValueError:
        pass
    assert error.__traceback__ is not None

    assert error is fresh_exception(error)
    assert None is error.__traceback__


# --- Answer -------------------------------------------------------------------------------


async def test_answer_value_and_error() -> None:
    """A value answer returns it; an error answer raises it."""
    assert 5 == await Answer(VALUE, 5).produce(make_call())
    with pytest.raises(KeyError):
        await Answer(RAISE, KeyError).produce(make_call())


async def test_answer_callable_sync_and_async() -> None:
    """A callable answer gets the Call; an async one is awaited."""

    async def async_index(call: Call) -> int:
        return call.index + 100

    def index(call: Call) -> int:
        return call.index

    assert 3 == await Answer(CALL, index).produce(make_call(3))
    assert 103 == await Answer(CALL, async_index).produce(make_call(3))


async def test_answer_delay_then_value() -> None:
    """A delayed value answer still answers the value (timing is checked in test_timing)."""
    with anyio.fail_after(5):
        assert "late" == await Answer(VALUE, "late", 0.001).produce(make_call())


async def test_answer_hang_waits_until_cancelled() -> None:
    """A hang answer never returns; a timeout cancels it."""
    with anyio.move_on_after(0.01) as scope:
        await Answer(HANG, None).produce(make_call())

    assert scope.cancelled_caught


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (Answer(VALUE, [1, 2]), "returns [1, 2]"),
        (Answer(RAISE, ValueError("no")), "raises ValueError('no')"),
        (Answer(CALL, len), "answers with len"),
        (Answer(HANG, None), "hangs"),
        (Answer(GATE, Gate()), "waits at a gate"),
        (Answer(VALUE, 1, 0.5), "returns 1 after 0.5s"),
        (Answer(HANG, None, 2.0), "hangs after 2.0s"),
    ],
)
def test_answer_describe(answer: Answer, text: str) -> None:
    """Each kind of answer describes itself for verify() messages."""
    assert text == answer.describe()


def test_answer_is_plain_only_for_undelayed_values() -> None:
    """Only an undelayed value can skip the await."""
    assert Answer(VALUE, 1).is_plain
    assert not Answer(VALUE, 1, 0.1).is_plain
    assert not Answer(RAISE, KeyError).is_plain


def test_make_answer_validates_now() -> None:
    """Bad payloads are refused when scripted, not when the call happens."""
    with pytest.raises(TypeError, match=r"where got 'x' of type str; it accepts an exception"):
        make_answer(RAISE, "x", where="where")
    with pytest.raises(TypeError, match=r"where got 3 of type int; it accepts a callable"):
        make_answer(CALL, 3, where="where")
    assert 0.25 == make_answer(VALUE, None, 0.25).delay


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
def test_nan_delay_is_refused_when_scripted() -> None:
    """A NaN delay would sleep for no time on asyncio and fail only later on trio: refused now."""
    conn = FakeConnection()

    with pytest.raises(ValueError, match=r"conn.fetch.delays\(nan\).returns\(\): the delay is NaN"):
        conn.fetch.delays(float("nan")).returns([])

    assert not conn.fetch._answer_queue().scripted


# --- AnswerQueue --------------------------------------------------------------------------


def test_queue_one_shots_first_then_sticky() -> None:
    """One-shot answers come out first in, first out; then the sticky one, again and again."""
    queue = AnswerQueue()
    first, second, sticky = Answer(VALUE, 1), Answer(VALUE, 2), Answer(VALUE, 3)
    queue.push(first)
    queue.push(second)
    queue.set_sticky(sticky)

    before = queue.pending
    taken = [queue.take() for _ in range(4)]

    assert (first, second) == before
    assert [first, second, sticky, sticky] == taken
    assert () == queue.pending
    assert not queue.exhausted


def test_queue_exhausted_after_its_one_shots() -> None:
    """A queue of one-shots with no sticky answer is exhausted once they are used."""
    queue = AnswerQueue()
    states = [queue.exhausted]
    queue.push(Answer(VALUE, 1))
    states.append(queue.exhausted)
    queue.take()
    states.append(queue.exhausted)

    assert [False, False, True] == states
    assert None is queue.take()


def test_queue_clear_forgets_everything() -> None:
    """clear() drops one-shots and the sticky answer, and the queue is unscripted again."""
    queue = AnswerQueue()
    queue.push(Answer(VALUE, 1))
    queue.set_sticky(Answer(VALUE, 2))

    queue.clear()

    assert not queue.scripted
    assert None is queue.sticky
    assert () == queue.pending
    assert None is queue.take()
