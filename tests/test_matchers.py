"""SQL normalisation, the SQL matchers and parameter equality."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncfakes import ANY, Contains, FakeConnection, Matcher, Regex, SQLMatcher, StartsWith, normalize_sql
from asyncfakes._matchers import params_equal, sql_matcher


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 1", "select 1"),
        ("  select\n\t1  ", "select 1"),
        ("SELECT 1;", "select 1"),
        ("SELECT 1 ; ;", "select 1"),
        ("SELECT a,b FROM t", "select a , b from t"),
        ("SELECT 1 -- trailing comment\n", "select 1"),
        ("SELECT /* inline */ 1", "select 1"),
        ("SELECT 'Ana  Bo' FROM t", "select 'Ana  Bo' from t"),
        ("SELECT 'it''s'", "select 'it''s'"),
        ('SELECT "MixedCase" FROM t', 'select "MixedCase" from t'),
        ("SELECT $tag$ Keep  CASE $tag$", "select $tag$ Keep  CASE $tag$"),
        ("WHERE a = $1 AND b = $2", "where a = $1 and b = $2"),
        ("WHERE a = ? AND b = ?", "where a = $1 and b = $2"),
        ("WHERE a = %s AND b = %s", "where a = $1 and b = $2"),
        ("WHERE a = :a AND b = :b AND c = :a", "where a = $1 and b = $2 and c = $1"),
        ("WHERE a = %(a)s AND b = %(b)s", "where a = $1 and b = $2"),
        ("SELECT x::int", "select x :: int"),
        ("WHERE a <= 1 AND b <> 2", "where a <= 1 and b <> 2"),
    ],
)
def test_normalize_sql(sql: str, expected: str) -> None:
    """Normalisation drops layout, comments, case and `;`, and unifies placeholders."""
    assert expected == normalize_sql(sql)


def _has_a_one(sql: str) -> bool:
    return "1" in sql


@pytest.mark.parametrize(
    ("sql", "matcher", "matches"),
    [
        ("SELECT * FROM users WHERE id = $1", "select * from users where id = ?", True),
        ("SELECT * FROM users WHERE id = $1", "SELECT * FROM users WHERE id = %s;", True),
        ("SELECT * FROM users WHERE id = $1", "SELECT * FROM user WHERE id = $1", False),
        ("SELECT 'A'", "SELECT 'a'", False),
        ("SELECT * FROM users", Regex(r"FROM\s+users"), True),
        ("SELECT * FROM users", Regex(r"from users"), False),
        ("SELECT * FROM users", Regex(r"from users", re.IGNORECASE), True),
        ("SELECT * FROM users", re.compile(r"\*"), True),
        ("INSERT  INTO users (a) VALUES ($1)", Contains("insert into USERS"), True),
        ("DELETE FROM users", Contains("insert into users"), False),
        ("  SELECT 1", StartsWith("select"), True),
        ("WITH x AS (SELECT 1) SELECT 1", StartsWith("select"), False),
        ("anything at all", ANY, True),
        ("SELECT 1", _has_a_one, True),
        ("SELECT 2", _has_a_one, False),
        ("SELECT ?", SQLMatcher("select $1"), True),
    ],
)
def test_sql_matchers(sql: str, matcher: Any, matches: bool) -> None:
    """Each kind of SQL matcher accepts exactly the statements it describes."""
    assert matches == sql_matcher(matcher).matches(sql)


def test_matchers_compare_equal_to_the_sql_they_match() -> None:
    """A matcher can stand inside an expected list, dirty-equals style."""
    assert ["INSERT INTO t VALUES (1)", "SELECT 2"] == [Contains("insert into t"), StartsWith("SELECT")]
    assert Contains("x") != "SELECT 1"
    assert Contains("x") != 42


def test_sql_matcher_rejects_the_wrong_type() -> None:
    """A non-matcher in sql= fails at once, naming what is accepted."""
    with pytest.raises(TypeError) as excinfo:
        sql_matcher(42)

    assert (
        "sql= got 42 of type int; it accepts a str (compared after normalisation), Regex, Contains, "
        "StartsWith, re.Pattern, ANY, a predicate or an object deciding equality itself "
        "(unittest.mock.ANY, dirty-equals). To match any SQL, pass ANY from asyncfakes or "
        "leave sql= out.",
    ) == excinfo.value.args


def test_sql_matcher_takes_objects_that_decide_equality_as_in_params() -> None:
    """unittest.mock.ANY and any __eq__-based matcher work in sql= as in params= (value == sql)."""

    class Mentions:
        def __init__(self, word: str) -> None:
            self.word = word

        def __eq__(self, other: object) -> bool:
            return isinstance(other, str) and self.word in other

        __hash__ = None  # type: ignore[assignment]

        def __repr__(self) -> str:
            return f"Mentions({self.word!r})"

    assert sql_matcher(mock.ANY).matches("SELECT 1")
    orders = sql_matcher(Mentions("orders"))
    assert orders.matches("SELECT * FROM orders")
    assert not orders.matches("SELECT * FROM users")
    assert "Mentions('orders')" == repr(orders)
    with pytest.raises(TypeError, match="sql= got 3.5 of type float"):
        sql_matcher(3.5)  # a builtin value defines __eq__ too, but never equals SQL


@pytest.mark.anyio
async def test_eq_matchers_in_sql_answer_and_assert() -> None:
    conn = FakeConnection()
    conn.fetch_val.when(sql=mock.ANY).returns(3)
    assert 3 == await conn.fetch_val("SELECT count(*) FROM users")
    conn.assert_executed(mock.ANY)


def test_matcher_base_needs_matches() -> None:
    """The base class is abstract: a subclass must implement matches()."""
    with pytest.raises(NotImplementedError):
        Matcher().matches("SELECT 1")


def test_custom_matcher_subclass() -> None:
    """A new matcher is one method, and works wherever SQL matchers do."""

    class HasTable(Matcher):
        def matches(self, sql: str) -> bool:
            return "users" in sql.lower()

    assert sql_matcher(HasTable()).matches("SELECT * FROM Users")
    assert "SELECT * FROM users" == HasTable()


@pytest.mark.parametrize(
    ("matcher", "text"),
    [
        (Regex("a+"), "Regex('a+')"),
        (Regex("a+", re.IGNORECASE), "Regex('a+', flags=re.IGNORECASE)"),
        (Contains("x"), "Contains('x')"),
        (StartsWith("x"), "StartsWith('x')"),
        (SQLMatcher("SELECT 1"), "'SELECT 1'"),
        (ANY, "ANY"),
        (sql_matcher(len), "len"),
    ],
)
def test_matcher_reprs(matcher: Matcher, text: str) -> None:
    """Matchers print like the expression that made them."""
    assert text == repr(matcher)


# Typed, so that pyright reads [] and {} as list[object] and dict[object, object].
EQUALITY: list[tuple[object, object, bool]] = [
    ([1, "a"], (1, "a"), True),
    ((1, "a"), [1, "a"], True),
    ([1, "a"], [1, "b"], False),
    ([1], [1, 2], False),
    ([1], 1, False),
    ({"a": 1}, {"a": 1}, True),
    ({"a": 1}, {"a": 2}, False),
    ({"a": 1}, {"b": 1}, False),
    ({"a": 1}, [("a", 1)], False),
    ([[1, 2]], ([1, 2],), True),
    ([(1, 2)], [[1, 2]], True),
    ([ANY, 2], (99, 2), True),
    ([mock.ANY, 2], (99, 2), True),
    (None, None, True),
    (None, [], True),
    ((), None, True),
    ([], (), True),
    ({}, [], True),
    (None, [None], False),
    ([None], None, False),
    ([[]], [None], False),
    ([()], [None], False),
    (0, None, False),
    ("", None, False),
    (None, 0, False),
    (ANY, None, True),
]


@pytest.mark.parametrize(("expected", "actual", "equal"), EQUALITY)
def test_params_equal(expected: object, actual: object, equal: bool) -> None:
    """Params compare with ==, expected first; lists and tuples of the same items are equal.

    No parameters is one thing however spelt (None, (), [], {}), as a whole set, not inside one.
    """
    assert equal == params_equal(expected, actual)


sql_text = st.text(alphabet=st.sampled_from("abcXYZ 019,()*=<>;$?:%'\n\t-_"), max_size=40)


@given(sql_text)
def test_normalisation_is_idempotent(sql: str) -> None:
    """Normalising twice changes nothing."""
    once = normalize_sql(sql)
    assert once == normalize_sql(once)


@given(st.lists(st.sampled_from(["SELECT", "a", ",", "b", "FROM", "t", "=", "$1"]), min_size=1), st.data())
def test_normalisation_ignores_layout(words: list[str], data: st.DataObject) -> None:
    """Any amount of whitespace between tokens normalises the same."""
    gaps = data.draw(
        st.lists(st.sampled_from([" ", "  ", "\n", "\t "]), min_size=len(words), max_size=len(words))
    )
    spaced = "".join(gap + word for gap, word in zip(gaps, words, strict=True))
    assert normalize_sql(" ".join(words)) == normalize_sql(spaced)


@given(st.sampled_from(["select a from t", "SELECT A FROM T", "Select a From t;"]))
def test_plain_string_matches_its_case_variants(variant: str) -> None:
    """Letter case outside quotes never matters to a plain-string match."""
    assert SQLMatcher("select a from t").matches(variant)
