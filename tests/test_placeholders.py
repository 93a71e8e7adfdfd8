"""The generic fake checks parameters against the SQL's placeholders (issue 10, item 5)."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes import ExpectationsNotMet, FakeConnection, ParameterMismatch
from asyncfakes._placeholders import Placeholders, parameter_problem, placeholders

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT $2, $1, $2", Placeholders("$n", 2, ())),
        ("SELECT data ? 'k' FROM t WHERE id = $1", Placeholders("$n", 1, ())),
        ("SELECT %(a)s, %(b)s, %(a)s", Placeholders("%(name)s", 2, ("a", "b"))),
        ("SELECT %s, %s", Placeholders("%s", 2, ())),
        ("SELECT :a, :b, :a", Placeholders(":name", 2, ("a", "b"))),
        ("SELECT ?, ?", Placeholders("?", 2, ())),
        ("SELECT '$1', 1 -- $2", Placeholders("", 0, ())),
        ("SELECT 1::int", Placeholders("", 0, ())),
    ],
)
def test_placeholders_by_style(sql: str, expected: Placeholders) -> None:
    """Each style is counted; $n wins over ? (a jsonb operator); strings, comments and casts are not placeholders."""
    assert expected == placeholders(sql)


@pytest.mark.parametrize(
    ("sql", "params", "problem"),
    [
        (
            "SELECT * FROM users WHERE id = $1 AND name = $2",
            [7],
            "the SQL expects 2 parameters ($1..$2), 1 was given: [7].",
        ),
        (
            "SELECT * FROM users WHERE id = $1",
            (7, 8),
            "the SQL expects 1 parameter ($1), 2 were given: (7, 8).",
        ),
        (
            "SELECT 1",
            [1],
            "the SQL has no placeholders, but 1 parameter was given: [1]. Add the placeholders to the SQL, "
            "or pass no parameters.",
        ),
        ("SELECT %s, %s", None, "the SQL expects 2 parameters (%s, %s), but no parameters were passed."),
        (
            "SELECT $1",
            {"id": 1},
            "the SQL uses positional placeholders ($1), which take a list or tuple of values; a mapping was "
            "given: {'id': 1}.",
        ),
        (
            "SELECT :id, :name",
            {"id": 1},
            "the SQL uses the named placeholders :id, :name; the mapping given has no 'name': {'id': 1}.",
        ),
        (
            "SELECT %(id)s",
            {},
            "the SQL uses the named placeholders %(id)s; the mapping given has no 'id': {}.",
        ),
    ],
)
def test_parameter_problems_are_named_exactly(sql: str, params: Any, problem: str) -> None:
    """The message names the placeholders expected and the parameters given."""
    assert problem == parameter_problem(sql, params)


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("SELECT $1", [1]),
        ("SELECT :a, :b", [1, 2]),
        ("SELECT :a", {"a": 1, "extra": 2}),
        ("SELECT 1", None),
        ("SELECT 1", ()),
        ("SELECT 1", {}),
        ("SELECT data ? 'k' FROM t", None),
        ("SELECT arr[1:n] FROM t", None),
        ("SELECT $1", 5),
    ],
)
def test_parameters_that_fit(sql: str, params: Any) -> None:
    """Fitting parameters pass; ? and :name without parameters may be PostgreSQL operators; scalars are not checked."""
    assert parameter_problem(sql, params) is None


@pytest.mark.asyncfakes(verify=False)  # the mismatches are the point
async def test_the_generic_fake_refuses_a_parameter_count_mismatch() -> None:
    """fetch() with one parameter for two placeholders raises ParameterMismatch naming the SQL and counts."""
    conn = FakeConnection()
    conn.fetch.returns([{"id": 1}])

    with pytest.raises(ParameterMismatch) as caught:
        await conn.fetch("SELECT * FROM users WHERE id = $1 AND name = $2", [7])

    assert str(caught.value) == (
        "#0 fetch('SELECT * FROM users WHERE id = $1 AND name = $2', [7]): the SQL expects 2 parameters "
        "($1..$2), 1 was given: [7]."
    )
    assert "raised" == conn.calls.one().outcome


@pytest.mark.asyncfakes(verify=False)  # the mismatches are the point
async def test_a_swallowed_mismatch_is_reported_by_verify() -> None:
    """Code that catches the error does not hide it: verify() lists it."""
    conn = FakeConnection()
    try:
        await conn.execute("UPDATE users SET name = $1 WHERE id = $2", ["Ana"])
    except Exception:  # the code under test swallows it
        pass

    with pytest.raises(ExpectationsNotMet) as caught:
        conn.verify()

    assert (
        "  1. #0 execute('UPDATE users SET name = $1 WHERE id = $2', ['Ana']): the SQL expects 2 parameters "
        "($1..$2), 1 was given: ['Ana']. (ParameterMismatch raised)"
    ) in str(caught.value).splitlines()


@pytest.mark.asyncfakes(verify=False)  # the mismatches are the point
async def test_execute_many_checks_every_parameter_set() -> None:
    """Each set of execute_many is checked; the message names the set."""
    conn = FakeConnection()
    await conn.execute_many("INSERT INTO t VALUES ($1, $2)", [[1, 2], (3, 4)])
    await conn.execute_many("INSERT INTO t VALUES ($1)", [1, 2])  # scalars: not checked

    with pytest.raises(ParameterMismatch, match=r"parameter set #1: the SQL expects 2 parameters"):
        await conn.execute_many("INSERT INTO t VALUES ($1, $2)", [[1, 2], [3]])


@pytest.mark.asyncfakes(verify=False)  # the mismatches are the point
async def test_every_generic_query_method_and_transaction_is_checked() -> None:
    """execute, fetch, fetch_row and fetch_val, on the connection and in a transaction, are all checked."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        for method in (tx.execute, tx.fetch, tx.fetch_row, tx.fetch_val):
            await method("SELECT $1", [1])
            with pytest.raises(ParameterMismatch):
                await method("SELECT $1")
        await tx.execute("SELECT 1")
    await conn.close()
    with pytest.raises(Exception, match="closed"):
        await conn.fetch("SELECT $1", [1])


async def test_execute_many_without_a_list_of_sets_is_not_checked() -> None:
    """execute_many with no parameter list (or another object) has nothing to count."""
    conn = FakeConnection()
    await conn.execute_many("INSERT INTO t VALUES ($1)")

    assert [("INSERT INTO t VALUES ($1)", None)] == conn.execute_many.calls
