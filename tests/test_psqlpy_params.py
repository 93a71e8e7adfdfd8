"""asyncfakes.psqlpy parameter checks: placeholders outside literals, and what psqlpy refuses."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes.psqlpy._params import check_many, check_parameters, placeholders


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 1", (0, ())),
        ("SELECT $1, $2::int", (2, ())),
        ("SELECT $2", (2, ())),
        ("SELECT $(a)p, $(b)p, $(a)p", (0, ("a", "b"))),
        ("SELECT '$1', \"$2\", $3", (3, ())),
        ("SELECT 'it''s $1', $2", (2, ())),
        ("SELECT E'it\\'s $1', $2", (2, ())),
        ("SELECT e'\\'$9', $1", (1, ())),
        ("SELECT name'$5'", (0, ())),
        ("SELECT 1 -- $1\n, $2", (2, ())),
        ("SELECT 1 -- $1", (0, ())),
        ("SELECT /* $1 /* $2 */ $3 */ $4", (4, ())),
        ("SELECT /* $1", (0, ())),
        ("SELECT $$ $1 $$, $2", (2, ())),
        ("SELECT $tag$ $1 $tag$, $3", (3, ())),
        ("SELECT $tag$ $1", (0, ())),
        ("SELECT a$1, $ x", (0, ())),
        ("SELECT 'open $1", (0, ())),
        ('SELECT "open $1', (0, ())),
        ("SELECT E'open \\", (0, ())),
    ],
)
def test_placeholders_are_found_outside_literals_and_comments(
    sql: str, expected: tuple[int, tuple[str, ...]]
) -> None:
    """The highest $n and the named $(x)p placeholders, ignoring strings, identifiers and comments."""
    assert expected == placeholders(sql)


@pytest.mark.parametrize(
    ("sql", "params", "expected"),
    [
        ("SELECT $1", [1], None),
        ("SELECT $1", (1, 2), None),
        ("SELECT 1", None, None),
        ("SELECT $(a)p", {"a": 1, "b": 2}, None),
        ("SELECT $(a)p", [1], None),
        (None, None, None),
        ("SELECT $1", 5, ("PyToRustValueMappingError", "Parameters must be sequence or mapping")),
        ("SELECT $1", "a", ("PyToRustValueMappingError", "Parameters must be sequence or mapping")),
        ("SELECT $1", b"a", ("PyToRustValueMappingError", "Parameters must be sequence or mapping")),
        ("SELECT $1", {1}, ("PyToRustValueMappingError", "Parameters must be sequence or mapping")),
        ("SELECT $1", {"a": 1}, ("PyToRustValueMappingError", "Parameters must be sequence or mapping")),
        ("SELECT 1", {}, ("PyToRustValueMappingError", "Parameters must be sequence or mapping")),
        ("SELECT $(a)p, $(b)p", {"a": 1}, ("PyToRustValueMappingError", "Cannot find parameter with name <b>")),
        ("SELECT $2", [1], ("ConnectionExecuteError", "Cannot execute query, error - expected 2 parameters but got 1")),
        ("SELECT $1", None, ("ConnectionExecuteError", "Cannot execute query, error - expected 1 parameters but got 0")),
        ("SELECT $(a)p", [], ("ConnectionExecuteError", "Cannot execute query, error - expected 1 parameters but got 0")),
    ],
)  # fmt: skip
def test_check_parameters_refuses_what_psqlpy_refuses(sql: str | None, params: Any, expected: Any) -> None:
    """Each refusal has psqlpy's class and message (a count error in execute's shape until re-shaped)."""
    error = check_parameters(sql, params)

    assert expected == (None if error is None else (type(error).__name__, str(error)))


def test_prepare_does_not_count_parameters() -> None:
    """prepare() leaves too few values to execute(), but still refuses a non-sequence."""
    assert None is check_parameters("SELECT $1", [], count=False)
    assert check_parameters("SELECT $1", 5, count=False) is not None


MANY: list[tuple[object, tuple[str, str] | None]] = [
        (None, None),
        ([], None),
        ([[1], (2,), {"a": 3}], ("PyToRustValueMappingError", "Parameters must be sequence or mapping")),
        ([[1], [2]], None),
        ("ab", ("TypeError", "Can't extract `str` to `Vec`")),
        (5, ("TypeError", "'int' object is not an instance of 'Sequence'")),
        ({"a": 1}, ("TypeError", "'dict' object is not an instance of 'Sequence'")),
        ([1, 2], ("ConnectionExecuteError", "Cannot build statement in execute_many: Parameters must be sequence or mapping")),
        ([{"b": 1}], ("ConnectionExecuteError", "Cannot build statement in execute_many: Parameters must be sequence or mapping")),
        ([[1], 5], ("PyToRustValueMappingError", "Parameters must be sequence or mapping")),
        ([[]], ("ConnectionExecuteError", "Cannot execute query, error - expected 1 parameters but got 0")),
]  # fmt: skip


@pytest.mark.parametrize(("params", "expected"), MANY)
def test_check_many_wants_a_sequence_of_parameter_sets(params: Any, expected: Any) -> None:
    """execute_many: the first set builds the statement (its refusal says so), later ones are bound."""
    error = check_many("SELECT $1", params)

    assert expected == (None if error is None else (type(error).__name__, str(error)))


def test_check_many_names_a_missing_key_of_the_first_set() -> None:
    """A missing $(name)p in the first set is a build error naming the parameter."""
    error = check_many("SELECT $(a)p", [{"b": 1}])

    assert "Cannot build statement in execute_many: Cannot find parameter with name <a>" == str(error)
