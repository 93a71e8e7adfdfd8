"""Answer verbs, stubs (when), expectations (expect), strictness and verify()."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncfakes import (
    ANY,
    Call,
    Contains,
    ExpectationsNotMet,
    FakeConnection,
    FakeRecord,
    Regex,
    UnexpectedCall,
)
from asyncfakes._answers import AnswerQueue, make_answer

pytestmark = pytest.mark.anyio


async def test_one_shots_come_first_then_sticky_then_natural() -> None:
    """Order of use: queued one-shots (FIFO), then the sticky answer, then the natural empty one."""
    conn = FakeConnection()
    conn.fetch_val.returns_once(1).returns_once(2)
    assert [1, 2, None] == [await conn.fetch_val("SELECT x") for _ in range(3)]

    conn.fetch_val.returns(9).returns_once(3)
    assert [3, 9, 9] == [await conn.fetch_val("SELECT x") for _ in range(3)]


async def test_raises_accepts_classes_and_instances() -> None:
    """An exception class is instantiated per call; an instance is raised as is."""
    conn = FakeConnection()
    error = KeyError("k")
    conn.fetch.raises_once(TimeoutError).raises_once(error)

    with pytest.raises(TimeoutError):
        await conn.fetch("SELECT 1")
    with pytest.raises(KeyError) as excinfo:
        await conn.fetch("SELECT 1")
    assert error is excinfo.value

    conn.fetch.raises(ValueError("sticky"))
    for _ in range(2):
        with pytest.raises(ValueError, match="sticky"):
            await conn.fetch("SELECT 1")


async def test_answers_with_sync_and_async_callables() -> None:
    """answers(fn) receives the Call; fn may be sync or async, and may raise."""
    conn = FakeConnection()

    async def double(call: Call) -> int:
        value: int = call.params[0]
        return 2 * value

    conn.fetch_val.answers_once(lambda call: call.params[0] + 1).answers(double)
    assert 6 == await conn.fetch_val("SELECT $1", [5])
    assert 10 == await conn.fetch_val("SELECT $1", [5])

    def broken(call: object) -> None:
        raise RuntimeError("db fail")

    conn.fetch_val.answers(broken)
    with pytest.raises(RuntimeError, match="db fail"):
        await conn.fetch_val("SELECT 1")


async def test_scripted_values_are_shaped() -> None:
    """Plain data is shaped into the method's return type; a FakeRecord passes through, as a copy."""
    conn = FakeConnection()
    record = FakeRecord([{"a": 1}], rowcount=7)
    conn.execute.returns_once(record).returns_once([{"a": 2}])
    conn.execute_many.returns_once(3).returns_once("x").returns_once(record)

    first = await conn.execute("SELECT 1")
    assert record == first
    assert record is not first
    assert [{"a": 2}] == (await conn.execute("SELECT 1")).result()
    assert 3 == (await conn.execute_many("INSERT", [])).rowcount
    assert "x" == (await conn.execute_many("INSERT", [])).result()
    assert record == await conn.execute_many("INSERT", [])


@pytest.mark.parametrize(
    ("verb", "value", "message"),
    [
        (
            "raises",
            "boom",
            "conn.fetch.raises() got 'boom' of type str; it accepts an exception instance or class. "
            "To return a value, use returns().",
        ),
        (
            "answers",
            3,
            "conn.fetch.answers() got 3 of type int; it accepts a callable that receives the Call (sync or async).",
        ),
    ],
)
def test_misuse_of_verbs_fails_at_once(verb: str, value: object, message: str) -> None:
    """A non-exception to raises(), or a non-callable to answers(), is a TypeError right away."""
    conn = FakeConnection()
    with pytest.raises(TypeError) as excinfo:
        getattr(conn.fetch, verb)(value)
    assert (message,) == excinfo.value.args


def test_exception_class_that_needs_arguments_is_refused() -> None:
    """A class that cannot be built without arguments must be passed as an instance."""

    class NeedsArgs(Exception):
        def __init__(self, code: int) -> None:
            super().__init__(code)

    conn = FakeConnection()
    with pytest.raises(
        TypeError, match=r"got the class NeedsArgs, which cannot be created without arguments"
    ):
        conn.fetch.raises(NeedsArgs)


async def test_when_routes_by_sql_and_params() -> None:
    """A stub answers only the calls that match it; others fall back to the method's answers."""
    conn = FakeConnection()
    conn.fetch_val.returns(0)
    conn.fetch_val.when(sql="SELECT count(*) FROM users").returns(10)
    conn.fetch_val.when(sql="SELECT name FROM users WHERE id = ?", params=[1]).returns("Ana")
    conn.fetch_val.when(sql=Regex(r"FROM orders")).returns(99)

    assert 10 == await conn.fetch_val("select count(*) from users;")
    assert "Ana" == await conn.fetch_val("SELECT name FROM users WHERE id = $1", (1,))
    assert 0 == await conn.fetch_val("SELECT name FROM users WHERE id = $1", (2,))
    assert 99 == await conn.fetch_val("SELECT total FROM orders")
    assert 0 == await conn.fetch_val("SELECT 1")


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_first_registered_stub_wins_across_index_and_scan() -> None:
    """Exact and pattern stubs keep registration order between them."""
    conn = FakeConnection()
    conn.fetch_val.when(sql=Contains("users")).returns("pattern first")
    conn.fetch_val.when(sql="SELECT 1 FROM users").returns("exact second")
    conn.fetch_val.when(sql="SELECT 2 FROM users").returns("exact only")
    conn.fetch_val.when(sql=Contains("orders")).returns("later pattern")

    assert "pattern first" == await conn.fetch_val("SELECT 1 FROM users")
    assert "pattern first" == await conn.fetch_val("SELECT 2 FROM users")
    assert "later pattern" == await conn.fetch_val("SELECT 2 FROM orders")


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_exhausted_one_shot_stubs_fall_through_in_order() -> None:
    """Two one-shot stubs for the same SQL answer in turn, then the method's answer applies."""
    conn = FakeConnection()
    conn.fetch_val.when(sql="SELECT x").returns_once(1)
    conn.fetch_val.when(sql="SELECT x").returns_once(2)
    assert [1, 2, None] == [await conn.fetch_val("SELECT x") for _ in range(3)]


async def test_expectation_without_answers_gives_the_natural_answer_and_records() -> None:
    """A bare expect() matches (and records) but answers like the method would, even when strict."""
    conn = FakeConnection(strict=True)
    expectation = conn.fetch_val.expect(sql="SELECT 1")
    assert None is await conn.fetch_val("SELECT 1")
    assert [("SELECT 1", None)] == expectation.calls
    conn.verify()


async def test_connection_wide_stub_matches_any_method() -> None:
    """conn.when() answers whatever method sent the SQL; method= narrows it."""
    conn = FakeConnection()
    conn.when(sql=Contains("users")).raises(PermissionError)
    conn.when(method="fetch_val", sql=ANY).returns(5)

    with pytest.raises(PermissionError):
        await conn.fetch("SELECT * FROM users")
    with pytest.raises(PermissionError):
        await conn.execute("DELETE FROM users")
    assert 5 == await conn.fetch_val("SELECT 1")


def test_unknown_method_name_suggests_the_close_one() -> None:
    """A typo in method= is a ValueError with a suggestion."""
    conn = FakeConnection()
    with pytest.raises(
        ValueError, match=r"method='fecth_val': this connection has no fake method of that name; it has \["
    ) as excinfo:
        conn.when(method="fecth_val")
    assert str(excinfo.value).endswith("Did you mean 'fetch_val'?")


def test_bad_times_and_delays_are_refused() -> None:
    """expect(times=) takes an int >= 0; delays() a number of seconds >= 0."""
    conn = FakeConnection()
    with pytest.raises(ValueError, match=r"expect\(times=...\) takes an int >= 0, got -1."):
        conn.expect(sql="SELECT 1", times=-1)
    with pytest.raises(ValueError, match=r"expect\(times=...\) takes an int >= 0, got True."):
        conn.fetch.expect(times=True)
    with pytest.raises(ValueError, match=r"delays\(\) takes a number of seconds >= 0, got -0.5."):
        conn.fetch.delays(-0.5)
    with pytest.raises(ValueError, match=r"got '1'"):
        conn.fetch.delays("1")  # type: ignore[arg-type]


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_strict_connection_raises_unexpected_call_with_nearest_stub() -> None:
    """strict=True: an unscripted call raises UnexpectedCall naming the nearest stub and the difference."""
    conn = FakeConnection(strict=True)
    conn.fetch.when(sql="SELECT * FROM users WHERE id = $1", params=[1]).returns([])

    with pytest.raises(UnexpectedCall) as excinfo:
        await conn.fetch("SELECT * FROM users WHERE id = $1", [2])

    assert str(excinfo.value) == (
        "Unexpected call #0 fetch('SELECT * FROM users WHERE id = $1', [2]): the connection is strict, "
        "and no stub for fetch matches it.\n"
        "Calls on this connection (1):\n"
        "  #0 fetch('SELECT * FROM users WHERE id = $1', [2]) -> pending\n"
        "Nearest match: fetch.when(sql='SELECT * FROM users WHERE id = $1', params=[1])\n"
        "  params differ: expected [1], got [2]\n"
        "Hint: script it: conn.fetch.returns(...) or .when(sql=...).returns(...)."
    )


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_unexpected_call_nearest_explains_method_and_exhaustion() -> None:
    """The nearest-stub note says when the method differs, or when the stub is used up."""
    conn = FakeConnection(strict=True)
    conn.fetch_val.when(sql="SELECT 1").returns_once(1)
    await conn.fetch_val("SELECT 1")
    with pytest.raises(UnexpectedCall, match="it matches, but all its one-shot answers were used"):
        await conn.fetch_val("SELECT 1")
    with pytest.raises(UnexpectedCall, match="method differs: expected 'fetch_val', got 'fetch'"):
        await conn.fetch("SELECT 1")


async def test_strict_mode_still_runs_transaction_control() -> None:
    """BEGIN/COMMIT and close() are never unexpected, even on a strict connection."""
    conn = FakeConnection(strict=True)
    async with conn.transaction() as tx:
        pass
    await conn.close()
    tx.assert_committed()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_lists_every_problem() -> None:
    """verify() reports unmet expectations, unused answers, swallowed UnexpectedCalls, unawaited calls."""
    conn = FakeConnection(strict=True)
    conn.expect(sql="DELETE FROM sessions WHERE user_id = $1", params=[1])
    conn.fetch.returns_once([{"id": 1}])
    stub = conn.fetch_val.when(sql="SELECT 1").returns_once(1)
    try:
        await conn.execute("DELETE FROM session WHERE user_id = $1", [1])
    except UnexpectedCall:
        pass  # the code under test swallowed it; verify() must not
    never = conn.fetch_val("SELECT 2")

    with pytest.raises(ExpectationsNotMet) as excinfo:
        conn.verify()
    never.close()

    assert str(excinfo.value) == (
        "5 problem(s) found by verify():\n"
        "  1. expect(sql='DELETE FROM sessions WHERE user_id = $1', params=[1]) was expected 1 time(s), "
        "but was used 0 time(s).\n"
        "     nearest call: #0 execute('DELETE FROM session WHERE user_id = $1', [1]) -> raised UnexpectedCall\n"
        "       sql differs (normalised):\n"
        "         - delete from sessions where user_id = $1\n"
        "         + delete from session where user_id = $1\n"
        f"  2. {stub!r} answered no call.\n"
        "  3. conn.fetch: a one-shot answer was never used (returns [{'id': 1}]).\n"
        "  4. an UnexpectedCall was raised into the code under test:\n"
        "    Unexpected call #0 execute('DELETE FROM session WHERE user_id = $1', [1]): the connection is "
        "strict, and an expectation for execute exists but differs.\n"
        "  5. fetch_val('SELECT 2') was created but never awaited.\n"
        "Calls on this connection (1):\n"
        "  #0 execute('DELETE FROM session WHERE user_id = $1', [1]) -> raised UnexpectedCall"
    )


async def test_verify_passes_when_all_is_used() -> None:
    """A fully used script verifies cleanly."""
    conn = FakeConnection()
    conn.fetch_val.expect(sql="SELECT 1", times=2).returns(1)
    conn.fetch_val.returns_once(3)
    assert [1, 1, 3] == [await conn.fetch_val(s) for s in ("SELECT 1", "SELECT 1", "SELECT 2")]
    conn.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_expectation_used_too_often_is_reported() -> None:
    """An expectation called more than times= fails verify() too."""
    conn = FakeConnection()
    conn.fetch_val.expect(sql="SELECT 1", times=1)
    await conn.fetch_val("SELECT 1")
    await conn.fetch_val("SELECT 1")
    with pytest.raises(ExpectationsNotMet, match=r"was expected 1 time\(s\), but was used 2 time\(s\)\.\n"):
        conn.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_open_transaction_is_reported() -> None:
    """A transaction started and never ended is a verify() problem."""
    conn = FakeConnection()
    await conn.transaction().start()
    with pytest.raises(
        ExpectationsNotMet, match=r"<FakeTransaction #0 active> was never committed or rolled back"
    ):
        conn.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_ordered_expectations() -> None:
    """With ordered=True a call matching a later expectation before an earlier one is unexpected."""
    conn = FakeConnection(ordered=True)
    conn.expect(sql="BEGIN", method="start")
    conn.execute.expect(sql="INSERT INTO a VALUES (1)")
    conn.execute.expect(sql="INSERT INTO b VALUES (1)")

    with pytest.raises(
        UnexpectedCall,
        match=r"Call out of order: it matches execute.expect\(sql='INSERT INTO b VALUES \(1\)'\)",
    ):
        await conn.execute("INSERT INTO b VALUES (1)")

    async with conn.transaction():
        await conn.execute("INSERT INTO a VALUES (1)")
        await conn.execute("INSERT INTO b VALUES (1)")
    with pytest.raises(ExpectationsNotMet, match="Call out of order"):
        conn.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_stub_reprs() -> None:
    """Stubs print like the call that made them."""
    conn = FakeConnection()
    assert "fetch.when(sql='SELECT 1')" == repr(conn.fetch.when(sql="SELECT 1"))
    assert "expect(params=[1], times=2)" == repr(conn.expect(params=[1], times=2))
    assert "when()" == repr(conn.when())
    assert "conn.fetch.delays(0.5)" == repr(conn.fetch.delays(0.5))
    assert conn.expect().is_expectation
    assert not conn.when().is_expectation


answers = st.lists(st.tuples(st.booleans(), st.integers()), max_size=8)


@given(answers)
def test_queue_order_exhaustion_and_stickiness(script: list[tuple[bool, int]]) -> None:
    """One-shots come out in FIFO order, the last sticky answer repeats, then nothing."""
    queue = AnswerQueue()
    for once, value in script:
        answer = make_answer(0, value)
        if once:
            queue.push(answer)
        else:
            queue.set_sticky(answer)
    one_shots = [v for once, v in script if once]
    stickies = [v for once, v in script if not once]
    taken: list[object] = []
    for _ in range(len(one_shots) + 3):
        next_answer = queue.take()
        taken.append(None if next_answer is None else next_answer.payload)

    expected_tail = [stickies[-1]] * 3 if stickies else [None] * 3
    assert one_shots + expected_tail == taken
    assert queue.exhausted == (bool(script) and not stickies)
    assert () == queue.pending


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_describes_expectations_of_every_matcher_kind() -> None:
    """Unmet expectations with a pattern, with no SQL, or on another method still get a nearest call."""
    conn = FakeConnection()
    await conn.fetch("SELECT * FROM users")
    conn.expect(sql=Contains("FROM orders"))
    conn.expect(params=[1])
    conn.execute.expect(sql="SELECT * FROM users")
    with pytest.raises(ExpectationsNotMet) as excinfo:
        conn.verify()
    text = str(excinfo.value)
    assert "expect(sql=Contains('FROM orders')) was expected 1 time(s)" in text
    assert "expect(params=[1]) was expected 1 time(s)" in text
    assert "method differs: expected 'execute', got 'fetch'" in text


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_strict_call_with_no_stubs_has_no_nearest_match() -> None:
    """With no stubs registered, UnexpectedCall shows no nearest match."""
    conn = FakeConnection(strict=True)
    with pytest.raises(UnexpectedCall) as excinfo:
        await conn.fetch("SELECT 1")
    assert "Nearest match" not in str(excinfo.value)


def test_scriptable_base_is_abstract() -> None:
    """Scriptable subclasses must say where their answers go."""
    from asyncfakes import Scriptable

    with pytest.raises(NotImplementedError):
        Scriptable().returns(1)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_an_answer_that_does_not_fit_is_reported_even_if_swallowed() -> None:
    """A scripted value the method cannot shape raises at the call and is reported by verify()."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection

    conn = AsyncpgConnection()
    conn.fetch.returns(5)
    try:
        await conn.fetch("SELECT 1")
    except TypeError:
        pass  # the code under test swallowed it
    with pytest.raises(ExpectationsNotMet) as excinfo:
        conn.verify()
    assert (
        "1. a scripted answer does not fit what the method returns: #0 fetch('SELECT 1', ()): "
        "fetch() answers a list of rows; the script gave 5 (int)."
    ) in str(excinfo.value)
