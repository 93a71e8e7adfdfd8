"""asyncfakes.psycopg results, errors and cursors: scripting shapes, misfits, helpers and odd corners."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row, scalar_row

from asyncfakes import ExpectationsNotMet
from asyncfakes.psycopg import (
    Column,
    FakeAsyncConnection,
    Result,
    deadlock_detected,
    in_failed_transaction,
    postgres_error,
    query_canceled,
    serialization_failure,
)
from asyncfakes.psycopg._results import result_of, split_many

pytestmark = pytest.mark.anyio


def test_a_column_is_a_seven_item_sequence() -> None:
    """Column: name and type_code, then five Nones, as the DB-API describes."""
    column = Column("id", 23)

    assert (("id", 23, None, None, None, None, None), 7, 23) == (tuple(column), len(column), column.type_code)
    assert "<Column 'id', type_code: 23>" == repr(column)


def test_the_type_code_follows_the_first_rows_values() -> None:
    """description's type codes are guessed from the first row (text when unknown or NULL)."""
    res = result_of("execute", "SELECT", [{"a": 1, "b": "x", "c": None, "d": object()}])

    assert [23, 25, 25, 25] == [res.ftype(i) for i in range(res.nfields)]
    assert "<FakePGResult TUPLES_OK 'SELECT 1'>" == repr(res)
    assert b"SELECT 1" == res.command_status


def test_a_scripted_pgresult_passes_through() -> None:
    """A FakePGResult is used as it is."""
    res = result_of("execute", "SELECT 1", [{"a": 1}])

    assert res is result_of("execute", "SELECT 2", res)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (None, TypeError, "script rows \\(a list of dicts\\), a row count"),
        (True, TypeError, "script rows"),
        (1.5, TypeError, "script rows"),
        ("rows", TypeError, "script rows"),
        ([(1, 2)], TypeError, "must be dicts .* Result\\(rows="),
        ([{"a": 1}, {"b": 2}], ValueError, "every row needs the same columns \\['a'\\]"),
        ([{"a": 1}, (2,)], TypeError, "must be dicts"),
        (Result([(1, 2)], columns=["a"]), ValueError, "has 2 values for the columns \\['a'\\]"),
        (Result({"a": 1}, columns=["a"]), TypeError, "script the rows as a list"),  # type: ignore[arg-type]
    ],
)
def test_misfit_answers_are_refused(value: Any, error: type[Exception], match: str) -> None:
    """Answers that cannot be a psycopg result fail with what to script instead."""
    with pytest.raises(error, match=match):
        result_of("execute", "SELECT 1", value)


def test_result_takes_rows_or_a_rowcount() -> None:
    """Result(rows=..., rowcount=...) is a contradiction."""
    with pytest.raises(TypeError, match="rows \\(a query\\) or rowcount \\(a command\\), not both"):
        Result([], rowcount=1)
    assert "Result(rows=None, columns=None, rowcount=2)" == repr(Result(rowcount=2))


async def test_results_give_mappings_tuples_commands_and_statuses() -> None:
    """A single dict is one row; Result rows may be dicts; a bare Result is a command; status= wins."""
    conn = FakeAsyncConnection()
    conn.execute.returns_once({"a": 1})
    conn.execute.returns_once(Result([{"a": 2}], columns=["a"], status="FETCH 1"))
    conn.execute.returns_once(Result(status="LISTEN"))

    one = await (await conn.execute("SELECT 1")).fetchall()
    cur = await conn.execute("FETCH 1 FROM c")
    rows = await cur.fetchall()
    command = await conn.execute("LISTEN x")

    assert ([(1,)], [(2,)], "FETCH 1") == (one, rows, cur.statusmessage)
    assert ("LISTEN", -1, None) == (command.statusmessage, command.rowcount, command.description)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_misfit_is_remembered_by_verify() -> None:
    """A scripting mistake fails the call and verify(), even if the code swallowed it."""
    conn = FakeAsyncConnection()
    conn.execute.returns([(1,)])

    with pytest.raises(TypeError):
        await conn.execute("SELECT 1")
    with pytest.raises(ExpectationsNotMet, match="must be dicts"):
        conn.verify()


def test_executemany_answers_split_by_parameter_set() -> None:
    """An int total is shared among the sets; a list gives one answer per set; misfits fail."""
    shared = split_many("UPDATE t SET a = %s", [(1,), (2,), (3,)], 7, returning=False)
    empty = split_many("UPDATE t SET a = %s", [], 0, returning=False)

    assert [2, 2, 3] == [res.command_tuples for res in shared]
    assert [] == empty
    with pytest.raises(TypeError, match="script the total row count \\(an int\\), or a list of one answer"):
        split_many("UPDATE t SET a = %s", [(1,)], [1, 2], returning=False)
    with pytest.raises(TypeError, match="the rows of each set"):
        split_many("INSERT INTO t VALUES (%s) RETURNING a", [(1,)], 3, returning=True)


async def test_unscripted_executemany_returning_gives_empty_results() -> None:
    """Unscripted, each set of an INSERT ... RETURNING returns no rows."""
    conn = FakeAsyncConnection()
    cur = conn.cursor()

    await cur.executemany("INSERT INTO t VALUES (%s) RETURNING a", [(1,), (2,)], returning=True)

    assert ([], True, []) == (await cur.fetchall(), cur.nextset(), await cur.fetchall())


async def test_executemany_without_sets_leaves_no_status() -> None:
    """An empty parameter list runs nothing."""
    cur = FakeAsyncConnection().cursor()

    await cur.executemany("INSERT INTO t VALUES (%s)", [])
    plain = (cur.rowcount, cur.statusmessage)
    await cur.executemany("INSERT INTO t VALUES (%s) RETURNING a", [], returning=True)

    assert ((0, None), -1, None) == (plain, cur.rowcount, cur.pgresult)


async def test_psycopg_sql_objects_and_bytes_are_recorded_as_text() -> None:
    """sql.SQL(...).format(...) and bytes queries are recorded as the text psycopg would send."""
    conn = FakeAsyncConnection()

    await conn.execute(sql.SQL("SELECT {} FROM {}").format(sql.Identifier("a"), sql.Identifier("t")))
    await conn.execute(b"SELECT 2")

    assert ['SELECT "a" FROM "t"', "SELECT 2"] == conn.execute.calls.sql
    with pytest.raises(TypeError, match="query should be str, bytes or a psycopg.sql object, got int"):
        await conn.execute(42)


async def test_cursor_surface() -> None:
    """connection, row_factory (writable, re-making rows), rownumber, repr, _close()."""
    conn = FakeAsyncConnection()
    conn.execute.returns([{"a": 1}, {"a": 2}])
    cur = conn.cursor()
    before = repr(cur)

    cur.row_factory = dict_row
    await cur.execute("SELECT a FROM t")
    first = await cur.fetchone()
    cur.row_factory = scalar_row
    rest = await cur.fetchall()
    during = repr(cur)
    cur._close()  # pyright: ignore[reportPrivateUsage]

    assert (conn, scalar_row) == (cur.connection, cur.row_factory)
    assert ({"a": 1}, [2]) == (first, rest)
    assert ("<psycopg FakeAsyncCursor [no result]>", "<psycopg FakeAsyncCursor [TUPLES_OK]>") == (
        before,
        during,
    )
    assert ("<psycopg FakeAsyncCursor [closed]>", None) == (repr(cur), cur.rownumber)


async def test_scalar_row_on_an_unscripted_query_gives_nothing_rather_than_failing() -> None:
    """An unscripted SELECT knows no columns; scalar_row still works (no rows)."""
    cur = FakeAsyncConnection().cursor(row_factory=scalar_row)

    await cur.execute("SELECT count(*) FROM t")

    assert None is await cur.fetchone()


async def test_a_row_factory_error_on_a_described_result_propagates() -> None:
    """A row factory refusing a result with columns fails the execute, as in psycopg."""

    def refuse(cursor: Any) -> Any:
        raise psycopg.ProgrammingError("not this one")

    conn = FakeAsyncConnection(row_factory=refuse)
    conn.execute.returns([{"a": 1}])

    with pytest.raises(psycopg.ProgrammingError, match="not this one"):
        await conn.execute("SELECT a FROM t")


def test_postgres_error_checks_its_arguments() -> None:
    """A bad SQLSTATE or an unknown field fails at once; an unknown code gives DatabaseError."""
    with pytest.raises(ValueError, match="five-character code"):
        postgres_error("235", "x")
    with pytest.raises(TypeError, match="unknown diagnostic field\\(s\\) \\['colum_name'\\]"):
        postgres_error("23505", "x", colum_name="a")
    odd = postgres_error("ZZ999", "odd", hint="try again")

    assert (psycopg.DatabaseError, "ZZ999", "odd\nHINT:  try again", "try again") == (
        type(odd),
        odd.sqlstate,
        str(odd),
        odd.diag.message_hint,
    )


@pytest.mark.parametrize(
    ("error", "name", "sqlstate"),
    [
        (serialization_failure(), "SerializationFailure", "40001"),
        (deadlock_detected(), "DeadlockDetected", "40P01"),
        (query_canceled(), "QueryCanceled", "57014"),
        (query_canceled("statement timeout"), "QueryCanceled", "57014"),
        (in_failed_transaction(), "InFailedSqlTransaction", "25P02"),
    ],
)
def test_helpers_give_psycopgs_classes(error: psycopg.Error, name: str, sqlstate: str) -> None:
    """Each helper builds psycopg's own class for its SQLSTATE."""
    assert (name, sqlstate, "ERROR") == (type(error).__name__, error.sqlstate, error.diag.severity)


async def test_each_call_gets_its_own_rows() -> None:
    """A sticky answer gives every call its own copy: changing one call's rows leaves the next alone."""
    conn = FakeAsyncConnection(autocommit=True)
    conn.execute.returns([{"tags": ["a"]}])

    first = await (await conn.execute("SELECT tags FROM t")).fetchone()
    first[0].append("changed by the code under test")
    cur = await conn.execute("SELECT tags FROM t")

    assert cur.pgresult is not None
    assert ([(["a"],)], 1) == (await cur.fetchall(), cur.pgresult.ntuples)


async def test_a_sticky_answer_gives_each_call_its_own_rows() -> None:
    """Code that changes the rows of one result cannot change what a later call answers."""
    conn = FakeAsyncConnection(autocommit=True)
    scripted = [{"a": [1]}]
    conn.execute.returns(scripted)

    first = await conn.execute("SELECT a FROM t")
    rows = await first.fetchall()
    rows[0][0].append(2)
    second = await conn.execute("SELECT a FROM t")

    assert ([([1],)], [{"a": [1]}]) == (await second.fetchall(), scripted)


async def test_options_are_recorded_only_when_given() -> None:
    """prepare= and binary= appear in the call's kwargs when the code passes them."""
    conn = FakeAsyncConnection()
    cur = conn.cursor()

    await cur.execute("SELECT 1")
    await cur.execute("SELECT 1", prepare=True)
    await conn.execute("SELECT 1", binary=True)

    assert [{}, {"prepare": True, "binary": None}, {"prepare": None, "binary": True}] == [
        dict(c.kwargs) for c in conn.execute.calls
    ]


def test_type_codes_of_subclasses_and_tuples_of_rows() -> None:
    """A subclass of a known type gets its base's OID; a tuple of dicts is rows too."""
    import enum

    class Level(enum.IntEnum):
        LOW = 1

    res = result_of("execute", "SELECT", ({"level": Level.LOW},))

    assert ([23], 1) == ([res.ftype(0)], res.ntuples)


async def test_named_parameters_from_a_mapping_pass() -> None:
    """%(name)s placeholders with a mapping that has every name are fine, extra keys too."""
    conn = FakeAsyncConnection()

    await conn.execute("SELECT %(a)s, %(b)s, %(a)s", {"a": 1, "b": 2, "c": 3})

    assert {"a": 1, "b": 2, "c": 3} == conn.execute.calls.one().params


async def test_tuple_rows_take_their_names_from_the_sql() -> None:
    """When the SQL names every column, rows may be tuples; unscripted, the columns are described."""
    conn = FakeAsyncConnection()
    conn.execute.returns_once([(1, "Ana")])

    cur = await conn.cursor(row_factory=dict_row).execute("SELECT id, name AS who FROM users")
    rows = await cur.fetchall()
    unscripted = await conn.execute("SELECT id, name FROM users")

    assert [{"id": 1, "who": "Ana"}] == rows
    assert (["id", "name"], []) == (
        [c.name for c in unscripted.description or []],
        await unscripted.fetchall(),
    )


@pytest.mark.asyncfakes(verify=False)  # the misfit is the point
async def test_scripted_rows_must_have_the_columns_the_sql_names() -> None:
    """A row keyed by a column the statement does not return fails the call; verify() says so too."""
    conn = FakeAsyncConnection()
    conn.execute.returns([{"id": 1, "email": "a@example.com"}])

    with pytest.raises(ValueError, match="missing \\['name'\\], not returned \\['email'\\]"):
        await conn.execute("SELECT id, name FROM users")
    with pytest.raises(ExpectationsNotMet, match="a scripted row has the columns"):
        conn.verify()


async def test_rows_in_another_order_are_put_in_the_sqls_order() -> None:
    """Dict keys in any order: the cursor gives the columns in the order the SQL names them."""
    conn = FakeAsyncConnection()
    conn.execute.returns([{"name": "Ana", "id": 1}])
    conn.when(method="executemany").returns([[{"name": "Bo", "id": 2}]])

    cur = await conn.execute("SELECT id, name FROM users")
    many = conn.cursor()
    await many.executemany(
        "INSERT INTO users (name) VALUES (%s) RETURNING id, name", [("Bo",)], returning=True
    )

    assert ([(1, "Ana")], ["id", "name"]) == (await cur.fetchall(), [c.name for c in cur.description or []])
    assert [(2, "Bo")] == await many.fetchall()


async def test_dict_rows_in_another_key_order_come_back_in_the_statements_order() -> None:
    """The fast path for dict rows never garbles a dict whose keys are in another order."""
    conn = FakeAsyncConnection(autocommit=True)
    conn.execute.returns([{"name": "Ana", "id": 1}])

    cur = await conn.execute("SELECT id, name FROM users")

    assert ([(1, "Ana")], ["id", "name"]) == (
        await cur.fetchall(),
        [c.name for c in cur.description or []],
    )
