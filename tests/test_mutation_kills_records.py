"""The failing side of Row and FakeRecord comparisons (mutation testing found them tested only equal)."""

from __future__ import annotations

from collections.abc import Sequence

from asyncfakes import FakeRecord, Row


def test_row_is_not_comparable_with_other_types() -> None:
    """A Row compared with a non-row, non-mapping, non-tuple value is simply unequal."""
    row = Row({"id": 1})

    assert (row == 1) is False
    assert (row == [1]) is False
    assert (row != "id") is True
    assert row.__eq__([1]) is NotImplemented


def test_rows_hash_by_their_columns_and_values() -> None:
    """Equal rows hash equal; rows that differ hash differently, so they work as set members."""
    assert hash(Row({"id": 1})) == hash(Row({"id": 1}))
    assert hash(Row({"id": 1})) != hash(Row({"id": 2}))
    assert hash(Row({"id": 1})) != hash(Row({"key": 1}))
    assert 2 == len({Row({"id": 1}), Row({"id": 2}), Row({"id": 1})})


def test_a_boolean_result_counts_as_one_row() -> None:
    """True and False are results, not row counts: rowcount is 1, as for any other scalar."""
    assert (1, 1) == (FakeRecord(True).rowcount, FakeRecord(False).rowcount)
    assert "FakeRecord(True, rowcount=1)" == repr(FakeRecord(True))
    assert (3, 0) == (FakeRecord(3).rowcount, FakeRecord(0).rowcount)


def test_fake_record_is_not_comparable_with_other_types() -> None:
    """A FakeRecord equals only a FakeRecord with the same data and rowcount."""
    record = FakeRecord([{"id": 1}])

    assert (record == [{"id": 1}]) is False
    assert record.__eq__([{"id": 1}]) is NotImplemented
    assert record != FakeRecord([{"id": 1}], rowcount=2)
    assert record != FakeRecord([{"id": 2}])


def test_fake_record_is_a_sequence() -> None:
    """isinstance(record, Sequence) holds, as for the driver's result lists."""
    assert isinstance(FakeRecord([{"id": 1}]), Sequence)
