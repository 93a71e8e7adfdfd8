"""The failing side of Row and FakeRecord comparisons and of the generic fake's answer shapes (mutation testing)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

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


# --- the generic fake's shaping of answers (#10 mutation) --------------------------------------


def test_fetch_and_fetch_row_refuse_a_scalar_naming_it_shortened_and_its_type() -> None:
    """The message shows the value cut to 60 characters and its type, for fetch and fetch_row."""
    from asyncfakes import FakeConnection

    conn = FakeConnection()
    long_text = "x" * 100
    shown = "'" + "x" * 26 + " ... " + "x" * 26 + "'"  # repr() cut to 60 characters at most

    with pytest.raises(TypeError) as rows:
        conn.fetch.returns(long_text)
    with pytest.raises(TypeError) as row:
        conn.fetch_row.returns(long_text)

    assert str(rows.value) == (
        f"conn.fetch.returns(): fetch answers rows: a list of dicts (or tuples), one dict, a FakeRecord or None; got {shown} (str). "
        "For one value script fetch_val; for a row count, execute."
    )
    assert str(row.value) == (
        f"conn.fetch_row.returns(): fetch_row answers one row: a dict (or a tuple), a FakeRecord or None; got {shown} (str). "
        "For one value script fetch_val."
    )


@pytest.mark.anyio
@pytest.mark.asyncfakes(verify=False)  # verify() reports the refused rows too
async def test_rows_that_are_mappings_but_not_dicts_are_checked_against_the_columns() -> None:
    """A MappingProxy (or any Mapping) row with other columns than the SQL names is refused like a dict."""
    from types import MappingProxyType

    from asyncfakes import FakeConnection

    conn = FakeConnection()
    conn.fetch.returns_once([MappingProxyType({"idd": 1})])
    conn.fetch_row.returns_once(MappingProxyType({"idd": 1}))
    conn.fetch.returns_once([MappingProxyType({"id": 1})])

    with pytest.raises(ValueError, match="idd"):
        await conn.fetch("SELECT id FROM users")
    with pytest.raises(ValueError, match="idd"):
        await conn.fetch_row("SELECT id FROM users")
    fitting = await conn.fetch("SELECT id FROM users")

    assert [{"id": 1}] == [dict(row) for row in fitting]


@pytest.mark.anyio
async def test_a_scripted_fake_record_is_answered_as_it_is() -> None:
    """fetch and fetch_row answer a scripted FakeRecord itself: its data and its explicit rowcount."""
    from asyncfakes import FakeConnection

    conn = FakeConnection()
    rows = FakeRecord([{"id": 1}, {"id": 2}], rowcount=7)
    one = FakeRecord({"id": 3}, rowcount=4)
    conn.fetch.returns(rows)
    conn.fetch_row.returns(one)

    fetched = await conn.fetch("SELECT id FROM users")
    fetched_row = await conn.fetch_row("SELECT id FROM users")

    assert ([{"id": 1}, {"id": 2}], 7) == (fetched.result(), fetched.rowcount)
    assert ({"id": 3}, 4) == (fetched_row.result(), fetched_row.rowcount)


@pytest.mark.anyio
@pytest.mark.asyncfakes(verify=False)  # verify() reports the refused rows too
async def test_a_scripted_fake_record_of_rows_is_checked_against_the_columns() -> None:
    """A FakeRecord holding a list of rows with other columns than the SQL names is refused too."""
    from asyncfakes import FakeConnection

    conn = FakeConnection()
    conn.fetch.returns_once(FakeRecord([{"idd": 1}]))
    conn.fetch_row.returns_once(FakeRecord([{"idd": 2}]))

    with pytest.raises(ValueError, match="idd"):
        await conn.fetch("SELECT id FROM users")
    with pytest.raises(ValueError, match="idd"):
        await conn.fetch_row("SELECT id FROM users")


@pytest.mark.anyio
async def test_check_columns_sees_only_the_rows_that_are_not_exactly_the_columns() -> None:
    """A dict row with exactly the SQL's columns fits at once; the check_columns hook sees the others."""
    from types import MappingProxyType

    from asyncfakes import Call, FakeConnection

    seen: list[list[str]] = []

    class Recording(FakeConnection):
        def check_columns(self, call: Call, names: Sequence[str]) -> None:
            seen.append(list(names))
            super().check_columns(call, names)

    conn = Recording()
    conn.fetch.returns([{"id": 1}, MappingProxyType({"id": 2}), {"id": 3}])

    rows = await conn.fetch("SELECT id FROM users")

    assert [1, 2, 3] == [row["id"] for row in rows]
    assert [["id"]] == seen


@pytest.mark.anyio
async def test_execute_many_counts_a_scripted_boolean_as_one_row_as_execute_does() -> None:
    """True and False are results, not row counts, for execute_many as for execute and FakeRecord."""
    from asyncfakes import FakeConnection

    conn = FakeConnection()
    conn.execute.returns(False)
    conn.execute_many.returns(False)

    one = await conn.execute("UPDATE users SET active = $1", [True])
    many = await conn.execute_many("UPDATE users SET active = $1", [[True], [False]])

    assert (False, 1) == (one.result(), one.rowcount)
    assert (False, 1) == (many.result(), many.rowcount)
    assert one == many
    assert "FakeRecord(False, rowcount=1)" == repr(many)
