"""FakeRecord, the result of one statement, and Row."""

from __future__ import annotations

import pytest

from asyncfakes import FakeRecord, Row


def test_row_is_a_mapping_and_a_sequence() -> None:
    """A row answers by name and by position, and converts to a dict."""
    row = Row({"id": 7, "name": "Ana"})

    assert 7 == row["id"]
    assert "Ana" == row[1]
    assert (7, "Ana") == row[0:2]
    assert "Ana" == row.get("name")
    assert None is row.get("missing")
    assert 0 == row.get("missing", 0)
    assert ["id", "name"] == list(row.keys())
    assert [7, "Ana"] == list(row.values())
    assert [("id", 7), ("name", "Ana")] == list(row.items())
    assert {"id": 7, "name": "Ana"} == dict(row)
    assert [7, "Ana"] == list(row)
    assert 2 == len(row)
    assert "id" in row


def test_row_unpacks_like_a_driver_record() -> None:
    """Iteration yields values, so a row unpacks into variables."""
    id_, name = Row({"id": 1, "name": "Bo"})
    assert (1, "Bo") == (id_, name)


def test_row_errors_name_the_columns() -> None:
    """A missing column or position says what the row has."""
    row = Row({"id": 1})
    with pytest.raises(KeyError, match=r"'nmae': this row has the columns \['id'\]"):
        row["nmae"]
    with pytest.raises(IndexError, match="row index 3 out of range: this row has 1 columns"):
        row[3]


def test_row_equality_and_hash() -> None:
    """Rows equal rows, dicts and tuples with the same content, and hash by content."""
    row = Row({"id": 1, "name": "Ana"})
    assert Row({"id": 1, "name": "Ana"}) == row
    assert {"id": 1, "name": "Ana"} == row
    assert (1, "Ana") == row
    assert row != Row({"id": 2, "name": "Ana"})
    assert row != 1
    assert hash(Row({"id": 1, "name": "Ana"})) == hash(row)
    assert "Row({'id': 1, 'name': 'Ana'})" == repr(row)


@pytest.mark.parametrize(
    ("data", "rowcount", "rows"),
    [
        ([{"id": 1}, {"id": 2}], 2, 2),
        ([], 0, 0),
        ({"id": 1}, 1, 1),
        (5, 5, 0),
        (None, 1, 0),
        ("x", 1, 0),
        (True, 1, 0),
        ([(1, "a")], 1, 1),
    ],
)
def test_fake_record_shapes(data: object, rowcount: int, rows: int) -> None:
    """rowcount follows the data (an int is the count, a list its length, else 1)."""
    record = FakeRecord(data)
    assert data is record.result()
    assert rowcount == record.rowcount
    assert rows == len(record)


def test_fake_record_rows() -> None:
    """Dict rows become Row objects; other items are kept as they are."""
    record = FakeRecord([{"id": 1}, (2,)])
    assert isinstance(record[0], Row)
    assert (2,) == record[1]
    assert [Row({"id": 1}), (2,)] == list(record)
    assert (Row({"id": 1}),) == record[:1]


def test_fake_record_explicit_rowcount_equality_and_repr() -> None:
    """An explicit rowcount wins; records compare by data and rowcount."""
    record = FakeRecord([{"id": 1}], rowcount=10)
    assert 10 == record.rowcount
    assert FakeRecord([{"id": 1}], rowcount=10) == record
    assert FakeRecord([{"id": 1}]) != record
    assert record != [{"id": 1}]
    assert "FakeRecord([{'id': 1}], rowcount=10)" == repr(record)
