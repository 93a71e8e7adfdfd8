"""The failing side of matchers and stubs (mutation testing found them tested only when they match)."""

from __future__ import annotations

import re

import pytest

from asyncfakes import (
    ANY,
    Contains,
    ExpectationsNotMet,
    FakeAssertionError,
    FakeConnection,
    Matcher,
    Regex,
    SQLMatcher,
    StartsWith,
    UnexpectedCall,
)
from asyncfakes._calls import UNSET

# These tests leave unmet expectations, unused stubs and unexpected calls on purpose.
pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]


def test_regex_flags_are_applied_and_shown() -> None:
    """flags= changes what a Regex matches, and its repr shows them (and only them)."""
    assert not Regex("select").matches("SELECT 1")
    assert Regex("select", re.IGNORECASE).matches("SELECT 1")
    assert not Regex("^1", re.IGNORECASE).matches("SELECT\n1")
    assert Regex("^1", re.MULTILINE).matches("SELECT\n1")
    assert "Regex('^1', flags=re.MULTILINE)" == repr(Regex("^1", re.MULTILINE))
    assert "Regex('a')" == repr(Regex(re.compile("a")))
    compiled = re.compile("a", re.IGNORECASE)
    assert compiled is Regex(compiled).pattern


def test_matcher_not_equal_is_the_negation_of_equal() -> None:
    """!= between a matcher and a string is the exact opposite of ==, for every matcher."""
    for matcher in (Regex("users"), Contains("from users"), StartsWith("select"), SQLMatcher("select 1")):
        for sql in ("SELECT 1", "SELECT * FROM users", "DELETE FROM t"):
            assert (matcher != sql) is (not matcher.matches(sql))
            assert (matcher == sql) is matcher.matches(sql)
        assert matcher != 1
        assert (matcher == None) is False  # noqa: E711 - the comparison itself is under test
    assert (ANY != "anything") is False
    assert (ANY != 42) is False


def test_matchers_match_only_their_text() -> None:
    """Contains, StartsWith and SQLMatcher refuse SQL that lacks, misplaces or extends their text."""
    assert not Contains("from users").matches("SELECT * FROM orders")
    assert not StartsWith("from users").matches("SELECT * FROM users")
    assert not SQLMatcher("SELECT 1").matches("SELECT 1, 2")
    assert SQLMatcher("SELECT 1").matches("select  1;")


async def test_a_stub_with_params_and_a_non_string_sql_matcher_needs_both() -> None:
    """A scanned stub (Regex, Contains) with params= answers only calls whose params are equal."""
    conn = FakeConnection()
    conn.fetch_val.when(sql=Contains("from users"), params=[1]).returns("one")
    conn.fetch_val.when(sql=Regex("orders"), params=[2]).returns("two")

    assert "one" == await conn.fetch_val("SELECT name FROM users WHERE id = $1", [1])
    assert None is await conn.fetch_val("SELECT name FROM users WHERE id = $1", [2])
    assert "two" == await conn.fetch_val("SELECT name FROM orders WHERE id = $1", (2,))
    assert None is await conn.fetch_val("SELECT name FROM orders WHERE id = $1", [1])
    assert None is await conn.fetch_val("SELECT name FROM items WHERE id = $1", [1])


async def test_a_method_stub_does_not_answer_other_methods() -> None:
    """conn.fetch_val.when(...) leaves the same SQL on another method unanswered."""
    conn = FakeConnection()
    scanned = conn.fetch_val.when(sql=Contains("users")).returns(7)
    exact = conn.when(sql="SELECT 2", method="fetch_val").returns(8)

    await conn.fetch_row("SELECT * FROM users")
    await conn.fetch_row("SELECT 2")
    assert ([], []) == (list(scanned.calls), list(exact.calls))
    assert 7 == await conn.fetch_val("SELECT * FROM users")
    assert 8 == await conn.fetch_val("SELECT 2")
    assert (1, 1) == (len(scanned.calls), len(exact.calls))


@pytest.mark.parametrize("exact_first", [True, False])
async def test_the_earliest_registered_stub_wins_across_exact_and_scanned_stubs(exact_first: bool) -> None:
    """A plain-SQL stub and a matcher stub that both match: the one written first answers."""
    conn = FakeConnection()
    if exact_first:
        conn.fetch_val.when(sql="SELECT * FROM users").returns("exact")
        conn.fetch_val.when(sql=Contains("users")).returns("scanned")
    else:
        conn.fetch_val.when(sql=Contains("users")).returns("scanned")
        conn.fetch_val.when(sql="SELECT * FROM users").returns("exact")

    assert ("exact" if exact_first else "scanned") == await conn.fetch_val("SELECT * FROM users")
    assert "scanned" == await conn.fetch_val("SELECT id FROM users")


async def test_an_exhausted_stub_hands_over_to_the_next_matching_one() -> None:
    """A stub whose one-shot answers are used stops matching; the next matching stub answers."""
    conn = FakeConnection()
    conn.fetch_val.when(sql="SELECT 1").returns_once("first")
    conn.fetch_val.when(sql="SELECT 1").returns("later")
    conn.fetch_val.when(sql=Contains("2")).returns_once("two")
    conn.fetch_val.when(sql=StartsWith("select")).returns("any select")

    assert ["first", "later", "later"] == [await conn.fetch_val("SELECT 1") for _ in range(3)]
    assert ["two", "any select"] == [await conn.fetch_val("SELECT 2") for _ in range(2)]


async def test_expect_times_zero_fails_when_used() -> None:
    """expect(times=0) passes verify() unused, and fails it once a call matches."""
    unused = FakeConnection()
    stub = unused.fetch.expect(sql="DELETE FROM users", times=0)
    assert "fetch.expect(sql='DELETE FROM users', times=0)" == repr(stub)
    assert stub.is_expectation
    unused.verify()

    used = FakeConnection()
    used.fetch.expect(sql="DELETE FROM users", times=0)
    await used.fetch("DELETE FROM users")
    with pytest.raises(ExpectationsNotMet) as excinfo:
        used.verify()
    assert str(excinfo.value).startswith(
        "1 problem(s) found by verify():\n"
        "  1. fetch.expect(sql='DELETE FROM users', times=0) was expected 0 time(s), but was used 1 time(s).\n"
    )


async def test_expect_counts_exactly() -> None:
    """expect(times=2) fails when used once or three times, and says how often."""
    for count in (1, 3):
        conn = FakeConnection()
        conn.execute.expect(sql=Contains("users"), times=2)
        for _ in range(count):
            await conn.execute("DELETE FROM users")
        with pytest.raises(
            ExpectationsNotMet,
            match=re.escape(
                f"execute.expect(sql=Contains('users'), times=2) was expected 2 time(s), but was used {count} time(s)."
            ),
        ):
            conn.verify()


@pytest.mark.parametrize("times", [-1, True, 1.0, "1"])
def test_expect_refuses_a_bad_times(times: object) -> None:
    """times must be an int >= 0 (not a bool, float or string)."""
    conn = FakeConnection()
    with pytest.raises(ValueError, match=re.escape(f"expect(times=...) takes an int >= 0, got {times!r}.")):
        conn.fetch.expect(sql="SELECT 1", times=times)  # type: ignore[arg-type]


def test_stub_reprs_show_method_sql_params_and_times() -> None:
    """A stub prints as the when()/expect() call that made it."""
    conn = FakeConnection()
    assert "when()" == repr(conn.when())
    assert "when(sql=Regex('x'))" == repr(conn.when(sql=Regex("x")))
    assert "fetch.when(params=[1])" == repr(conn.fetch.when(params=[1]))
    assert "execute.expect(sql='SELECT 1')" == repr(conn.execute.expect(sql="SELECT 1"))
    assert "expect(sql='SELECT 1', times=3)" == repr(conn.expect(sql="SELECT 1", times=3))


async def test_unexpected_call_names_the_nearest_of_several_stubs() -> None:
    """In strict mode the error names the stub closest to the call: SQL, then params (0.5), then method (0.25)."""
    conn = FakeConnection(strict=True)
    conn.fetch.when(sql="SELECT name FROM orders WHERE id = $1", params=[2]).returns([])
    conn.fetch_val.when(sql="SELECT name FROM users WHERE id = $1", params=[1]).returns(1)
    conn.fetch.when(sql="SELECT name FROM users WHERE id = $1", params=[2]).returns([])
    conn.fetch.when(sql=Regex("^DELETE")).returns([])

    async def nearest(method: str, sql: str, params: list[int]) -> str:
        with pytest.raises(UnexpectedCall) as excinfo:
            await getattr(conn, method)(sql, params)
        text = str(excinfo.value)
        return text[text.index("Nearest match: ") : text.index("Hint:")]

    assert (
        "Nearest match: fetch_val.when(sql='SELECT name FROM users WHERE id = $1', params=[1])\n"
        "  method differs: expected 'fetch_val', got 'fetch'\n"
    ) == await nearest("fetch", "SELECT name FROM users WHERE id = $1", [1])
    assert (
        "Nearest match: fetch.when(sql='SELECT name FROM users WHERE id = $1', params=[2])\n"
        "  params differ: expected [2], got [3]\n"
    ) == await nearest("fetch", "SELECT name FROM users WHERE id = $1", [3])
    assert (
        "Nearest match: fetch.when(sql='SELECT name FROM orders WHERE id = $1', params=[2])\n"
        "  sql differs (normalised):\n"
        "    - select name from orders where id = $1\n"
        "    + select name from order where id = $1\n"
    ) == await nearest("fetch", "SELECT name FROM order WHERE id = $1", [2])
    assert (
        "Nearest match: fetch_val.when(sql='SELECT name FROM users WHERE id = $1', params=[1])\n"
        "  params differ: expected [1], got [3]\n"
    ) == await nearest("fetch_val", "SELECT name FROM users WHERE id = $1", [3])
    assert (
        "Nearest match: fetch.when(sql='SELECT name FROM users WHERE id = $1', params=[2])\n"
        "  method differs: expected 'fetch', got 'fetch_val'\n"
        "  sql differs (normalised):\n"
        "    - select name from users where id = $1\n"
        "    + select name from user where id = $1\n"
    ) == await nearest("fetch_val", "SELECT name FROM user WHERE id = $1", [2])


async def test_a_custom_matcher_stub_never_matches_a_call_without_sql() -> None:
    """A stub with an SQL pattern does not answer calls that send no SQL (close())."""

    class Everything(Matcher):
        def matches(self, sql: str) -> bool:
            return True

    conn = FakeConnection()
    stub = conn.when(sql=Everything()).returns([])
    await conn.fetch("SELECT 1")
    await conn.close()

    assert 1 == len(stub.calls)


@pytest.mark.parametrize(
    ("verb", "expected"),
    [
        ("raises_once", "it accepts an exception instance or class. To return a value, use returns()."),
        ("answers_once", "it accepts a callable that receives the Call (sync or async)."),
    ],
)
def test_a_wrong_answer_names_the_verb_it_was_given_to(verb: str, expected: str) -> None:
    """The error for a wrong answer names the exact verb, so the line to fix is clear."""
    conn = FakeConnection()
    with pytest.raises(TypeError) as excinfo:
        getattr(conn.fetch, verb)(42)
    assert (f"conn.fetch.{verb}() got 42 of type int; {expected}",) == excinfo.value.args


@pytest.mark.parametrize("verb", ["hangs", "hangs_once", "gate"])
def test_a_nan_delay_names_the_timing_verb(verb: str) -> None:
    """delays(nan) is refused at the verb, which the message names."""
    conn = FakeConnection()
    with pytest.raises(ValueError, match="the delay is NaN") as excinfo:
        getattr(conn.fetch.delays(float("nan")), verb)()
    assert (
        f"conn.fetch.delays(nan).{verb}(): the delay is NaN; delays() takes a number of seconds >= 0.",
    ) == excinfo.value.args


def test_stub_accepts_answers_false_for_a_mismatch() -> None:
    """accepts() and accepts_matched() are predicates: False, not merely falsy."""
    conn = FakeConnection()
    stub = conn.fetch_val.when(sql="SELECT 1", params=[1]).returns(1)

    assert stub.accepts("fetch_val", "SELECT 2", [1]) is False
    assert stub.accepts("fetch_val", None, [1]) is False
    assert stub.accepts_matched("fetch", [1]) is False
    assert stub.accepts_matched("fetch_val", [2]) is False
    assert stub.accepts("fetch_val", "select 1", (1,)) is True


@pytest.mark.parametrize("seconds", [True, False])
def test_delays_refuses_a_boolean(seconds: bool) -> None:
    """True is not one second: delays() takes a number, and says so."""
    conn = FakeConnection()
    with pytest.raises(
        ValueError, match=re.escape(f"delays() takes a number of seconds >= 0, got {seconds!r}.")
    ):
        conn.fetch.delays(seconds)


def test_a_delayed_answer_is_checked_as_the_method_checks_it() -> None:
    """delays(...).returns(5) on fetch is refused when scripted, as returns(5) is."""
    conn = FakeConnection()
    with pytest.raises(TypeError, match=r"^conn\.fetch\.delays\(0\.1\)\.returns\(\): fetch answers rows"):
        conn.fetch.delays(0.1).returns(5)
    with pytest.raises(TypeError, match=r"^fetch\.when\(sql='SELECT 1'\)\.delays\(0\.1\)\.returns\(\): "):
        conn.fetch.when(sql="SELECT 1").delays(0.1).returns(5)


async def test_a_half_written_delay_of_a_stub_refuses_only_its_methods_calls() -> None:
    """stub.delays(0.1) with no verb blocks the stub's method, not the others."""
    conn = FakeConnection()
    stub = conn.fetch.when(sql="SELECT 1").returns([])
    stub.delays(0.1)  # no verb

    await conn.execute("DELETE FROM t")
    with pytest.raises(
        FakeAssertionError, match=r"fetch\.when\(sql='SELECT 1'\)\.delays\(0\.1\) has no answer verb"
    ):
        await conn.fetch("SELECT 1")


async def test_a_half_written_delay_of_a_delay_refuses_only_its_methods_calls() -> None:
    """delays() chained on a finished delays() with no verb blocks that method only."""
    conn = FakeConnection()
    delayed = conn.fetch.delays(0.1)
    delayed.returns([])
    delayed.delays(0.2)  # no verb

    await conn.execute("DELETE FROM t")
    with pytest.raises(
        FakeAssertionError, match=r"conn\.fetch\.delays\(0\.1\)\.delays\(0\.2\) has no answer verb"
    ):
        await conn.fetch("SELECT 1")


async def test_a_stubs_calls_fail_naming_the_stub() -> None:
    """stub.calls.one() fails naming the stub whose calls it counted."""
    conn = FakeConnection()
    stub = conn.fetch.when(sql="SELECT 1").returns([])

    with pytest.raises(FakeAssertionError) as excinfo:
        stub.calls.one()
    assert str(excinfo.value).startswith(
        "Expected exactly one of calls matching fetch.when(sql='SELECT 1'), but there were 0."
    )


def test_a_stubs_repr_cuts_its_params_beyond_60_characters() -> None:
    """Parameters that print in 60 characters show whole; 61 are cut in the middle."""
    conn = FakeConnection()
    sixty = ["x" * 56]
    sixty_one = ["x" * 57]

    assert f"fetch.when(params={sixty!r})" == repr(conn.fetch.when(params=sixty))
    assert f"fetch.when(params=['{'x' * 25} ... {'x' * 25}'])" == repr(conn.fetch.when(params=sixty_one))


def test_a_stub_made_directly_is_not_optional() -> None:
    """Stub(...) without optional= is reported by verify() when unused, as when() makes it."""
    from asyncfakes import Stub

    conn = FakeConnection()
    stub = Stub("fetch", None, UNSET, None, 0, conn._script)  # pyright: ignore[reportPrivateUsage]

    assert stub.optional is False
    assert "fetch.when()" == repr(stub)
