"""asyncfakes.psqlpy results: QueryResult, SingleQueryResult, Record, Column, and shaping scripted data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from asyncfakes.psqlpy import AnswerError, Column, QueryResult, Record, SingleQueryResult
from asyncfakes.psqlpy._results import first_value, one_row, rows_of
from asyncfakes.psqlpy.exceptions import ConnectionExecuteError

ROWS: list[dict[str, Any]] = [{"id": 1, "name": "ax"}, {"id": 2, "name": None}]


@dataclass
class User:
    id: int
    name: str | None


def test_result_copies_rows_so_callers_cannot_change_the_answer() -> None:
    """result() gives fresh dicts each time: mutating one does not change the next call."""
    result = QueryResult(ROWS)

    result.result()[0]["id"] = 99

    assert ROWS == result.result()
    assert [(1, "ax"), (2, None)] == result.result(as_tuple=True)
    assert [(1, "ax"), (2, None)] == result.result(None, True)


def test_custom_decoders_apply_to_named_non_null_columns_only() -> None:
    """A decoder runs on its column's non-NULL values; unknown column names are ignored."""
    result = QueryResult([{"id": 1, "name": b"ax"}, {"id": 2, "name": None}])
    decoders: dict[str, Any] = {"name": bytes.decode, "nope": str}

    assert [{"id": 1, "name": "ax"}, {"id": 2, "name": None}] == result.result(custom_decoders=decoders)
    assert [("ax",), (None,)] == result.row_factory(lambda row: (row["name"],), custom_decoders=decoders)


def test_as_class_and_row_factory_build_one_object_per_row() -> None:
    """as_class calls cls(**row) and row_factory fn(row), for each row in order."""
    result = QueryResult(ROWS)

    assert [User(1, "ax"), User(2, None)] == result.as_class(User)
    assert [1, 2] == result.row_factory(lambda row: row["id"])


def test_a_query_result_is_not_a_sequence_and_reprs_its_rows() -> None:
    """Like psqlpy's, it cannot be iterated or measured; its repr shows the rows."""
    result = QueryResult(ROWS)

    with pytest.raises(TypeError):
        len(result)  # type: ignore[arg-type]
    assert f"QueryResult({ROWS!r})" == repr(result)
    assert [] == QueryResult().result()


def test_single_query_result_gives_one_row_in_each_shape() -> None:
    """result(), as_tuple, as_class and row_factory on one row give one value, not a list."""
    one = SingleQueryResult({"id": 1, "name": b"ax"})

    assert {"id": 1, "name": b"ax"} == one.result()
    assert (1, b"ax") == one.result(as_tuple=True)
    assert (1, "ax") == one.result({"name": bytes.decode}, True)
    assert User(1, b"ax") == one.as_class(User)  # type: ignore[arg-type]
    assert "ax" == one.row_factory(lambda row: row["name"], custom_decoders={"name": bytes.decode})
    assert "SingleQueryResult({'id': 1, 'name': b'ax'})" == repr(one)


def test_records_read_like_psqlpys_record() -> None:
    """Position, name, slice, get, list keys/values/items, iteration, len and repr."""
    record = QueryResult(ROWS).records()[0]

    assert (1, "ax", "ax", [1, "ax"]) == (record[0], record["name"], record[-1], record[0:2])
    assert (["id", "name"], [1, "ax"], [("id", 1), ("name", "ax")]) == (
        record.keys(),
        record.values(),
        record.items(),
    )
    assert (None, 0, [1, "ax"], 2) == (record.get("nope"), record.get("nope", 0), list(record), len(record))
    assert ({"id": 1, "name": "ax"}, "<Record id: 1, name: 'ax'>") == (dict(record), repr(record))


def test_records_refuse_bad_keys_as_psqlpy_does() -> None:
    """A missing name is a KeyError, a position out of range an IndexError, a float a TypeError."""
    record = Record({"id": 1})

    with pytest.raises(KeyError):
        record["nope"]
    with pytest.raises(IndexError, match="^Record index 3 out of range$"):
        record[3]
    with pytest.raises(TypeError, match="^Record key must be int, slice, or str$"):
        record[1.5]  # type: ignore[call-overload]


def test_column_has_a_name_and_no_table_oid() -> None:
    """A prepared statement's Column carries the name; table_oid is None in the fake."""
    column = Column("id")

    assert ("id", None, "Column('id')") == (column.name, column.table_oid, repr(column))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, []), (ROWS, ROWS), (tuple(ROWS), ROWS), ([], []), (QueryResult(ROWS), ROWS)],
)
def test_rows_of_accepts_lists_of_dicts_a_query_result_or_none(value: Any, expected: Any) -> None:
    """execute/fetch answers: None is no rows, a list or tuple of dicts are the rows."""
    assert expected == rows_of("fetch", value).result()


@pytest.mark.parametrize(
    ("value", "hint"),
    [({"id": 1}, "A dict is one row"), ([1, 2], "Rows are dicts"), (5, "Rows are dicts")],
)
def test_rows_of_refuses_other_data_saying_what_to_script(value: Any, hint: str) -> None:
    """A dict, scalars or a list of non-dicts for fetch is a test mistake with a clear message."""
    with pytest.raises(AnswerError, match=rf"^conn\.fetch: psqlpy's fetch\(\) gives a QueryResult.*{hint}"):
        rows_of("fetch", value)


def test_one_row_takes_a_dict_or_exactly_one_row() -> None:
    """fetch_row answers: a dict, a SingleQueryResult, or rows that hold exactly one."""
    single = SingleQueryResult({"id": 1})

    assert single is one_row(single)
    assert {"id": 1} == one_row({"id": 1}).result()
    assert {"id": 2} == one_row([{"id": 2}]).result()
    assert {"id": 3} == one_row(QueryResult([{"id": 3}])).result()
    for rows in (None, [], ROWS, QueryResult(ROWS)):
        with pytest.raises(ConnectionExecuteError, match="^query returned an unexpected number of rows$"):
            one_row(rows)
    with pytest.raises(AnswerError, match=r"^conn\.fetch_row: psqlpy's fetch_row\(\) gives one row"):
        one_row(5)


def test_first_value_is_the_value_or_the_first_column_of_one_row() -> None:
    """fetch_val answers: any value as is; a result must hold one row, whose first column it gives."""
    assert [1, 2] == first_value([1, 2])
    assert None is first_value(None)
    assert 7 == first_value(QueryResult([{"a": 7, "b": 8}]))
    assert 9 == first_value(SingleQueryResult({"a": 9}))
    assert None is first_value(SingleQueryResult({}))
    with pytest.raises(ConnectionExecuteError, match="^query returned an unexpected number of rows$"):
        first_value(QueryResult(ROWS))
