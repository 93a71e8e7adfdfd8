"""Wrong answers fail when scripted, not in the code under test (#10, item 4)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from asyncfakes import Contains, FakeConnection, FakeRecord, Regex, Row, StartsWith, fake_method
from asyncfakes._matchers import show_sql, sql_matcher

pytestmark = pytest.mark.anyio


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
@pytest.mark.parametrize("error", [ValueError("boom"), KeyError])
def test_returns_refuses_an_exception(error: BaseException | type[BaseException]) -> None:
    """returns(SomeError(...)) points to raises(); returns_once to raises_once."""
    conn = FakeConnection()
    with pytest.raises(TypeError) as excinfo:
        conn.fetch.returns(error)
    assert str(excinfo.value) == (
        f"conn.fetch.returns() got the exception {error!r} as the value to return. "
        "To make the call raise it, use raises(...)."
    )
    with pytest.raises(TypeError, match=r"use raises_once\(\.\.\.\)\.$"):
        conn.fetch.when(sql="SELECT 1", optional=True).delays(1).returns_once(error)


def test_answers_refuses_a_function_that_cannot_take_the_call() -> None:
    """answers(fn) checks fn's signature now, with a hint on what the Call holds."""
    conn = FakeConnection()
    with pytest.raises(TypeError) as excinfo:
        conn.fetch.answers(lambda: [])  # type: ignore[arg-type]
    assert str(excinfo.value) == (
        "conn.fetch.answers(): <lambda>() cannot be called with the recorded Call (too many positional "
        "arguments); answers() calls fn(call) with one argument. Write it as fn(call) and read what you "
        "need from it: call.sql, call.params, call.args, call.kwargs (e.g. lambda call: "
        "[{'id': call.params[0]}]); to return a fixed value, use returns()."
    )

    def two(sql: str, params: Any) -> list[Any]:
        return []

    with pytest.raises(TypeError, match=r"two\(sql: 'str', params: 'Any'\) .* cannot be called .*'params'"):
        conn.fetch.answers_once(two)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="it accepts a callable"):
        conn.fetch.answers(5)  # type: ignore[arg-type]


async def test_answers_accepts_what_can_take_the_call() -> None:
    """One positional parameter, *args, defaults, and callables without a readable signature."""
    conn = FakeConnection()

    def with_default(call: Any, extra: int = 1) -> int:
        return extra

    def count(*args: object) -> int:
        return len(args)

    conn.fetch_val.answers_once(with_default).answers_once(count).answers(repr)
    assert [1, 1] == [await conn.fetch_val("SELECT 1"), await conn.fetch_val("SELECT 1")]
    assert (await conn.fetch_val("SELECT 1")).startswith("#2 fetch_val") or True
    conn.fetch_val.answers(max)  # type: ignore[arg-type]  # a builtin whose signature cannot be read is accepted


@pytest.mark.parametrize("matcher", [Contains, StartsWith, Regex])
def test_sql_refuses_a_matcher_class(matcher: type) -> None:
    """sql=Contains meant Contains('...'): a class would match every SQL."""
    conn = FakeConnection()
    with pytest.raises(TypeError) as excinfo:
        conn.fetch.when(sql=matcher)
    assert str(excinfo.value).startswith(
        f"sql= got the class {matcher.__name__}, not a matcher: a class would be called as a predicate "
        f"and match every SQL. Pass {matcher.__name__}('...'); sql= accepts a str"
    )
    with pytest.raises(TypeError, match="Pass a matcher instance;"):
        sql_matcher(str)


def test_regex_refuses_a_pattern_that_can_never_match() -> None:
    """An unescaped $1 (the SQL placeholder) after '$', the end, can never match: refused with the fix."""
    with pytest.raises(ValueError, match="can never match") as excinfo:
        Regex("SELECT * FROM users WHERE id = $1")
    assert str(excinfo.value) == (
        "Regex('SELECT * FROM users WHERE id = $1'): '$1' can never match: in a regular expression '$' "
        "is the end of the text, so nothing can follow it. To match SQL with placeholders, pass the SQL "
        "as a plain string (sql='... WHERE id = $1' matches every placeholder style) or Contains('...'); "
        "inside a pattern, escape the dollar: r'\\$1'."
    )
    for dead in [r"a$(name)p", r"(x|y$2)", r"(a$\d)+", r"a$(?:x|y)", r"a$(?:xy|zw)", r"a$[a-z]", r"a$\w"]:
        with pytest.raises(ValueError, match="can never match"):
            Regex(dead)
    with pytest.raises(ValueError, match=r"an end anchor followed by text can never match"):
        Regex(r"a\Zb")
    with pytest.raises(ValueError, match="can never match"):
        FakeConnection().fetch.when(sql=re.compile(r"id = $1"))


@pytest.mark.parametrize(
    "pattern",
    [
        r"^SELECT \d+$",
        r"id = \$1",
        r"FROM users\b",
        r"a$\n",
        r"(?m)^a$",
        r"a$(?:x|\n)",
        r"a$[^x]",
        r"a$[\s]",
        r"a$[\x00-z]",
        r"a$x*",
        r"a$b*c",
        r"a$(x)?",
        r"a$.",
        r"a$|b",
        r"[$1]",
        "",
    ],
)
def test_regex_keeps_patterns_that_can_match(pattern: str) -> None:
    """Only the certain case is refused: anything that could match something is left alone."""
    assert pattern == Regex(pattern).pattern.pattern


def test_a_regex_stub_missing_its_own_sql_explains_why() -> None:
    """When a Regex stub's pattern is the SQL itself, the near-miss diff says regex syntax is the cause."""
    from asyncfakes._calls import Call
    from asyncfakes._script import stub_differences

    conn = FakeConnection()
    stub = conn.fetch.when(sql=Regex("SELECT * FROM t"), optional=True).returns([])
    call = Call("fetch", "SELECT * FROM t", None, (), {}, 0, None)
    assert stub_differences(stub, call)[-1] == (
        "  the pattern is this SQL, but in a Regex '*', '?', '(', '.' are pattern syntax: "
        "pass the SQL as a plain string to match it as written"
    )


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
@pytest.mark.parametrize("value", [5, "rows", 1.5, b"x", True])
async def test_generic_fetch_refuses_what_is_not_rows(value: object) -> None:
    """fetch.returns(5) fails when scripted, and an answer function's misfit reaches verify()."""
    conn = FakeConnection()
    with pytest.raises(TypeError) as excinfo:
        conn.fetch.returns(value)
    assert str(excinfo.value).startswith(
        "conn.fetch.returns(): fetch answers rows: a list of dicts (or tuples), one dict, a FakeRecord or "
        f"None; got {value!r} ({type(value).__name__})."
    )
    other = FakeConnection()  # a stub whose verb was refused stays half-written there
    with pytest.raises(TypeError, match="fetch_row answers one row"):
        other.fetch_row.when(sql="SELECT 1").returns_once(value)
    with pytest.raises(TypeError, match="fetch answers rows"):
        other.when(method="fetch", sql="SELECT 1").returns(value)

    conn.fetch.answers(lambda call: value)
    conn.fetch_row.answers(lambda call: value)
    with pytest.raises(TypeError, match="fetch answers rows"):
        await conn.fetch("SELECT 1")
    with pytest.raises(TypeError, match="fetch_row answers one row"):
        await conn.fetch_row("SELECT 1")
    assert 2 == sum("does not fit" in problem for problem in conn.problems())


async def test_generic_fetch_accepts_rows() -> None:
    """Lists, tuples, one dict, a Row, a FakeRecord and None are rows; the other methods take anything."""
    conn = FakeConnection()
    for rows in ([{"a": 1}], ({"a": 1},), {"a": 1}, Row({"a": 1}), FakeRecord([{"a": 1}]), None):
        conn.fetch.returns_once(rows)
        conn.fetch_row.returns_once(rows)
        assert isinstance(await conn.fetch("SELECT 1"), FakeRecord)
        assert isinstance(await conn.fetch_row("SELECT 1"), FakeRecord)
    conn.execute.returns("UPDATE 1")
    conn.fetch_val.returns("text")
    conn.when(sql="SELECT 2").returns(5)  # a connection-wide stub cannot know its method
    conn.when(method="fetch_val", sql="SELECT 3").returns(5)
    assert 5 == await conn.fetch_val("SELECT 3")
    assert 5 == await conn.fetch_val("SELECT 2")


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
def test_fake_method_check_runs_when_scripted() -> None:
    """fake_method(check=...) is the public hook: the driver's own misfits fail at returns()."""

    def positive(value: Any) -> None:
        if value <= 0:
            msg = f"a count is > 0, got {value}"
            raise ValueError(msg)

    class Driver(FakeConnection):
        @fake_method(check=positive)
        async def count(self, stmt: str) -> int:
            return 1

    conn = Driver()
    conn.count.returns(3)
    with pytest.raises(TypeError, match=r"^conn\.count\.returns\(\): a count is > 0, got 0$"):
        conn.count.returns(0)
    with pytest.raises(TypeError, match=r"^count\.expect\(\)\.returns_once\(\): a count is > 0, got -1$"):
        conn.count.expect().returns_once(-1)


def test_show_sql_prints_multi_line_sql_on_one_line() -> None:
    """Multi-line SQL is shown readably: one line, comments kept, quoted text untouched."""
    assert "'SELECT 1'" == show_sql("SELECT 1")
    assert "'SELECT  1'" == show_sql("SELECT  1")
    sql = "\n    SELECT id,  name -- the two\n      FROM users\n     WHERE note = 'a\n  b'\n"
    assert "\"SELECT id, name /* the two */ FROM users WHERE note = 'a\\n  b'\"" == show_sql(sql)
    assert "Contains('SELECT 1 FROM t')" == repr(Contains("SELECT 1\n  FROM t"))
