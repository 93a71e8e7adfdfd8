"""The failing side of Call, CallLog and the assert_* helpers (mutation testing found them untested)."""
# Mutation-kill tests: they set a Call's recorded outcome directly, to reach each failing branch.
# pyright: reportPrivateUsage=false

from __future__ import annotations

import pytest

from asyncfakes import ANY, Call, CallLog, Contains, FakeAssertionError, FakeConnection, Regex

# These tests leave unmet expectations, unused stubs and unexpected calls on purpose.
pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]


def make_call(
    method: str = "fetch",
    sql: str | None = "SELECT $1",
    params: object = (1,),
    kwargs: dict[str, object] | None = None,
) -> Call:
    return Call(method, sql, params, (sql, params), kwargs or {}, 0, None)


def test_call_equals_a_call_only_when_method_sql_params_and_kwargs_all_agree() -> None:
    """Each of method, SQL, params and keyword arguments alone makes two calls differ."""
    call = make_call()

    assert call == make_call()
    assert call != make_call(method="execute")
    assert call != make_call(sql="SELECT $2")
    assert call != make_call(params=(2,))
    assert call != make_call(kwargs={"timeout": 1})
    assert not call.__eq__(make_call(params=(2,)))


def test_call_equals_sql_params_pair_only_when_both_match() -> None:
    """(sql, params) needs the SQL and the params to match; other shapes are not comparable."""
    call = make_call()

    assert call == ("select ?", [1])
    assert call != ("select ?", [2])
    assert call != ("select 2", [1])
    assert call == (Regex(r"\$1"), (1,))
    assert call != (Regex(r"\$2"), (1,))
    assert call.__eq__(("SELECT $1", (1,), None)) is NotImplemented
    assert call.__eq__((42, (1,))) is NotImplemented
    assert call.__eq__(["SELECT $1", (1,)]) is NotImplemented
    assert call.__eq__("SELECT $1") is NotImplemented


def test_a_call_without_sql_matches_no_sql() -> None:
    """A call that sent no SQL (close(), a savepoint helper) never matches an SQL pattern."""
    call = make_call(sql=None, params=None)

    assert not call.matches(sql=ANY)
    assert call.matches(params=None)
    assert not call.matches(method="execute")
    assert call.matches(method="fetch")


def test_calllog_equals_a_list_only_item_by_item() -> None:
    """A CallLog equals a list or tuple of the same length whose items all compare equal."""
    log = CallLog([make_call(), make_call(sql="SELECT 2", params=None)])

    assert log == [("SELECT $1", [1]), ("SELECT 2", None)]
    assert log == (("SELECT $1", [1]), ("SELECT 2", None))
    assert log == CallLog(list(log))
    assert log != [("SELECT $1", [1])]
    assert log != [("SELECT $1", [1]), ("SELECT 2", None), ("SELECT 3", None)]
    assert log != [("SELECT $1", [1]), ("SELECT 3", None)]
    assert log != [("SELECT $1", [2]), ("SELECT 2", None)]
    assert log.__eq__("SELECT $1") is NotImplemented
    assert log.__eq__({0: make_call()}) is NotImplemented


def test_calllog_reads_back_sql_params_and_slices() -> None:
    """sql, params and slicing keep the order and the title of the log."""
    first, second = make_call(), make_call(sql="SELECT 2", params=None)
    log = CallLog([first, second], title="fetch calls")

    assert ["SELECT $1", "SELECT 2"] == log.sql
    assert [(1,), None] == log.params
    assert [second] == list(log[1:])
    assert 1 == len(log[1:])
    assert "CallLog([" in repr(log[1:])
    with pytest.raises(FakeAssertionError, match="^Expected exactly one of fetch calls, but there were 2"):
        log.one()
    with pytest.raises(
        FakeAssertionError, match="^Expected at least one of fetch calls, but there were none"
    ):
        _ = log[2:].first


async def conn_with_calls() -> FakeConnection:
    conn = FakeConnection()
    await conn.fetch("SELECT * FROM users WHERE id = $1", [1])
    await conn.fetch("SELECT * FROM orders WHERE id = $1", [2])
    return conn


async def test_assert_awaited_with_fails_on_a_different_sql() -> None:
    """The last await is compared by SQL too, not only by params."""
    conn = await conn_with_calls()

    conn.fetch.assert_awaited_with("select * from orders where id = ?", [2])
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.fetch.assert_awaited_with("SELECT * FROM users WHERE id = $1", [2])

    assert str(excinfo.value) == (
        "The last await of fetch differs from the expected one.\n"
        "Expected: 'SELECT * FROM users WHERE id = $1', [2]\n"
        "Calls on this connection (2):\n"
        "  #0 fetch('SELECT * FROM users WHERE id = $1', [1]) -> returned\n"
        "  #1 fetch('SELECT * FROM orders WHERE id = $1', [2]) -> returned\n"
        "Nearest match: #1 fetch('SELECT * FROM orders WHERE id = $1', [2]) -> returned\n"
        "  sql differs (normalised):\n"
        "    - select * from users where id = $1\n"
        "    + select * from orders where id = $1"
    )


async def test_assert_awaited_with_fails_on_different_params_of_the_last_await() -> None:
    """An earlier await with the expected arguments does not satisfy assert_awaited_with."""
    conn = await conn_with_calls()

    with pytest.raises(FakeAssertionError, match=r"params differ: expected \[1\], got \[2\]"):
        conn.fetch.assert_awaited_with("SELECT * FROM orders WHERE id = $1", [1])
    with pytest.raises(FakeAssertionError, match="The last await of fetch differs"):
        conn.fetch.assert_awaited_with("SELECT * FROM users WHERE id = $1", [1])


async def test_assert_any_await_fails_on_a_different_sql_and_names_the_nearest() -> None:
    """assert_any_await needs one await with this SQL and these params; equal params weigh more than a close SQL."""
    conn = await conn_with_calls()

    conn.fetch.assert_any_await("SELECT * FROM users WHERE id = $1", [1])
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.fetch.assert_any_await("SELECT * FROM orders WHERE id = $1", [1])

    assert str(excinfo.value) == (
        "Expected fetch to have been awaited with these arguments, but it was not.\n"
        "Expected: 'SELECT * FROM orders WHERE id = $1', [1]\n"
        "Calls on this connection (2):\n"
        "  #0 fetch('SELECT * FROM users WHERE id = $1', [1]) -> returned\n"
        "  #1 fetch('SELECT * FROM orders WHERE id = $1', [2]) -> returned\n"
        "Nearest match: #0 fetch('SELECT * FROM users WHERE id = $1', [1]) -> returned\n"
        "  sql differs (normalised):\n"
        "    - select * from orders where id = $1\n"
        "    + select * from users where id = $1"
    )
    with pytest.raises(FakeAssertionError, match="sql differs"):
        conn.fetch.assert_any_await("SELECT * FROM items WHERE id = $1", [1])


async def test_nearest_call_ranks_several_candidates_by_sql_then_params_then_method() -> None:
    """Among several calls the nearest is the closest SQL; equal SQL is settled by params, then method."""
    conn = FakeConnection()
    await conn.fetch("SELECT name FROM users WHERE id = $1", [1])
    await conn.execute("DELETE FROM orders", None)
    await conn.fetch("SELECT name FROM users WHERE id = $1", [2])
    await conn.fetch_val("SELECT name FROM users WHERE id = $1", [3])

    def nearest(sql: object, params: object = None, method: str | None = None) -> str:
        from asyncfakes._calls import UNSET, nearest_call

        text = nearest_call(conn.calls, sql, UNSET if params is None else params, method)
        assert text is not None
        return text.splitlines()[0]

    assert "#1 execute('DELETE FROM orders') -> returned" == nearest("DELETE FROM order")
    assert "#2 fetch('SELECT name FROM users WHERE id = $1', [2]) -> returned" == nearest(
        "SELECT name FROM users WHERE id = $1", [2]
    )
    assert "#3 fetch_val('SELECT name FROM users WHERE id = $1', [3]) -> returned" == nearest(
        "SELECT name FROM users WHERE id = $1", [3], "fetch_val"
    )
    assert "#3 fetch_val('SELECT name FROM users WHERE id = $1', [3]) -> returned" == nearest(
        "SELECT name FROM users WHERE id = $1", [9], "fetch_val"
    )
    assert "#2 fetch('SELECT name FROM users WHERE id = $1', [2]) -> returned" == nearest(
        Contains("from users"), [2]
    )


async def test_assert_executed_with_times_zero_and_a_count_mismatch() -> None:
    """times=0 passes only when nothing matched; the message says how often it ran."""
    conn = await conn_with_calls()

    conn.assert_executed("SELECT 1", times=0)
    with pytest.raises(FakeAssertionError) as excinfo:
        conn.assert_executed("SELECT * FROM users WHERE id = $1", times=0)
    assert str(excinfo.value).startswith(
        "Expected sql='SELECT * FROM users WHERE id = $1' to be executed 0 time(s), "
        "but it was executed 1 time(s).\n"
    )
    assert "Nearest match" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("params", "args", "expected"),
    [
        (None, ("S",), ("S",)),
        (None, (), ()),
        (None, ("T",), ("T",)),
        ((1, 2), ("S", 1, 2), ("S", 1, 2)),
        ((5,), ("S", 5), ("S", 5)),
        ((1, 2), ("S", 1, 3), ("S", 1, 3)),
        ((1, 2), ("S", 1), ("S", 1)),
        ((1, 2), ("S", 1, 2, 3), ("S", 1, 2, 3)),
        ([1], ("S", [1], "extra"), ("S", [1], "extra")),
    ],
)
def test_call_args_come_back_exactly_as_passed(
    params: object, args: tuple[object, ...], expected: tuple[object, ...]
) -> None:
    """However a call's arguments are stored, args gives back what the code passed."""
    call = Call("fetch", "S", params, args, {}, 0, None)

    assert expected == call.args
    assert len(expected) == len(call.args)


def test_call_args_hold_the_params_snapshot() -> None:
    """fetch(sql, params): args holds the snapshot of params, not the caller's list."""
    params = [1]
    call = Call("fetch", "S", params, ("S", params), {}, 0, None)
    params.append(2)

    assert ("S", [1]) == call.args
    assert call.args[1] is call.params


def test_describe_shortens_long_params_and_errors() -> None:
    """describe() keeps a line short: long params and error messages are cut, the SQL is not."""
    call = Call("fetch", "SELECT 1", list(range(100)), ("SELECT 1",), {}, 3, None)
    call._outcome = ValueError("x" * 200)

    text = call.describe()

    assert text.startswith("#3 fetch('SELECT 1', [0, 1, 2,")
    assert len(text) < 200
    assert "-> raised ValueError('xxx" in text
    assert "#3 close()" == Call("close", None, None, (), {}, 3, None).describe(outcome=False)


def test_describe_names_assertion_errors_by_class_only() -> None:
    """An AssertionError raised by a call shows as its class, without the (long) message."""
    call = Call("fetch", "SELECT 1", None, ("SELECT 1",), {}, 0, None)
    call._outcome = AssertionError("a long diff")

    assert "#0 fetch('SELECT 1') -> raised AssertionError" == call.describe()
    assert "raised" == call.outcome
    assert isinstance(call.error, AssertionError)


async def test_filter_by_method_sql_and_params_each_narrow_the_log() -> None:
    """filter() keeps only the calls matching every criterion given."""
    conn = await conn_with_calls()
    await conn.fetch_val("SELECT * FROM users WHERE id = $1", [1])
    calls = conn.calls

    assert 2 == len(calls.filter(sql=Contains("from users")))
    assert 1 == len(calls.filter(sql=Contains("from users"), method="fetch_val"))
    assert 0 == len(calls.filter(sql=Contains("from users"), params=[2]))
    assert 1 == len(calls.filter(params=[2]))
    assert 2 == len(calls.filter(method="fetch"))
    with pytest.raises(ValueError, match=r"^filter\(method='fetchval'\): no fake method has that name\."):
        calls.filter(method="fetchval")


def test_recorded_tuples_args_and_kwargs_are_deep_snapshots() -> None:
    """Nested lists inside a tuple of params, the positional args and the keyword args are all copied."""
    inner = [1]
    other = [2]
    keyword = [3]
    call = Call("fetch", "S", (inner,), ("S", other), {"parameters": keyword}, 0, None)
    inner.append(9)
    other.append(9)
    keyword.append(9)

    assert ([1],) == call.params
    assert ("S", [2]) == call.args
    assert {"parameters": [3]} == dict(call.kwargs)


def test_describe_cuts_params_and_errors_at_their_widths() -> None:
    """Params are cut beyond 80 characters, an error beyond 60: exactly at the limit nothing is cut."""

    def described(params: object = None, error: BaseException | None = None) -> str:
        call = Call("f", "S", params, ("S",), {}, 0, None)
        if error is not None:
            call._outcome = error
        return call.describe()

    eighty = "x" * 78  # repr adds two quotes
    assert f"#0 f('S', '{eighty}') -> pending" == described(eighty)
    assert " ... " in described(eighty + "x")
    sixty = "y" * (60 - len("ValueError('')"))
    assert f"#0 f('S') -> raised ValueError('{sixty}')" == described(error=ValueError(sixty))
    assert " ... " in described(error=ValueError(sixty + "y"))


def test_matches_answers_false_not_just_something_falsy() -> None:
    """matches() is a predicate: True or False."""
    call = make_call()

    assert call.matches(sql="SELECT 2") is False
    assert call.matches(method="execute") is False
    assert call.matches(params=[2]) is False
    assert call.matches(sql="SELECT $1", params=[1]) is True


def test_a_calllog_without_a_title_calls_its_items_calls() -> None:
    """The default title reads naturally in the failure."""
    with pytest.raises(FakeAssertionError, match="^Expected at least one of calls, but there were none."):
        _ = CallLog([]).first


async def test_nearest_call_weighs_params_and_method_below_a_close_sql() -> None:
    """Equal params (0.5) and method (0.25) break ties, but do not beat a much closer SQL."""
    conn = FakeConnection()
    await conn.fetch_val("SELECT name FROM users WHERE id = $1", [2])
    await conn.fetch("NOTIFY chan, $1", [1])

    def nearest(params: object, method: str | None = None) -> str:
        from asyncfakes._calls import nearest_call

        text = nearest_call(conn.calls, "SELECT name FROM users WHERE id = $1", params, method)
        assert text is not None
        return text.splitlines()[0]

    assert nearest([1]).startswith("#0 fetch_val(")
    assert nearest([1], "fetch").startswith("#0 fetch_val(")


async def test_nearest_call_shows_a_matcher_as_written() -> None:
    """A non-string SQL matcher is shown by its repr in the diff, not normalised."""
    conn = FakeConnection()
    await conn.fetch("SELECT count(*) FROM users")

    with pytest.raises(FakeAssertionError) as excinfo:
        conn.assert_executed(Contains("count(id)"))

    assert (
        "  sql differs (normalised):\n    - Contains('count(id)')\n    + select count ( * ) from users"
        in str(excinfo.value)
    )
