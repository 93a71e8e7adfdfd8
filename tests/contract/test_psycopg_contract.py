"""Contract: asyncfakes.psycopg's rows, cursors, parameters and errors match real psycopg 3 on PostgreSQL.

Every scenario runs on the fake and on real psycopg (see _psycopg_support): the fake is scripted
with what the server answers, and both must show user code the same values, shapes and errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.rows import args_row, class_row, dict_row, kwargs_row, namedtuple_row, scalar_row

from asyncfakes.psycopg import (
    Result,
    check_violation,
    foreign_key_violation,
    not_null_violation,
    postgres_error,
    unique_violation,
)
from tests.contract._psycopg_support import Side, anyio_backend, caught, db, psycopg_side, status

__all__ = ["anyio_backend", "db", "psycopg_side"]

pytestmark = pytest.mark.anyio

ROWS = "SELECT id, name FROM (VALUES (1, 'ax'), (2, 'bx')) AS v(id, name) ORDER BY id"
AX_BX = [{"id": 1, "name": "ax"}, {"id": 2, "name": "bx"}]
TABLE = "CREATE TABLE t (id int PRIMARY KEY CHECK (id > 0), name text NOT NULL)"
INSERT = "INSERT INTO t (id, name) VALUES (%s, %s)"
DUPLICATE = 'duplicate key value violates unique constraint "t_pkey"\nDETAIL:  Key (id)=(1) already exists.'
ABORTED = "current transaction is aborted, commands ignored until end of transaction block"


@dataclass
class User:
    id: int
    name: str


async def test_rows_are_tuples_by_default_with_count_status_and_names(db: Side) -> None:
    """conn.execute gives the cursor: tuples, rowcount, statusmessage and description names."""
    if db.fake:
        db.fake.execute.returns(AX_BX)

    cur = await db.conn.execute(ROWS)

    assert [(1, "ax"), (2, "bx")] == await cur.fetchall()
    assert (2, "SELECT 2", ["id", "name"]) == (
        cur.rowcount,
        cur.statusmessage,
        [c.name for c in cur.description],
    )


def _joined(*values: object) -> str:
    return ":".join(map(str, values))


def _names(**values: object) -> list[str]:
    return sorted(values)


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        (dict_row, AX_BX),
        (class_row(User), [User(1, "ax"), User(2, "bx")]),
        (args_row(_joined), ["1:ax", "2:bx"]),
        (kwargs_row(_names), [["id", "name"], ["id", "name"]]),
        (scalar_row, [1, 2]),
    ],
    ids=["dict_row", "class_row", "args_row", "kwargs_row", "scalar_row"],
)
async def test_psycopgs_own_row_factories_shape_the_rows(db: Side, factory: Any, expected: list[Any]) -> None:
    """psycopg's row factories, set on the cursor, work unchanged."""
    if db.fake:
        db.fake.execute.returns(AX_BX)

    async with db.conn.cursor(row_factory=factory) as cur:
        await cur.execute(ROWS)
        rows = await cur.fetchall()

    assert expected == rows


async def test_namedtuple_row_set_on_the_connection(db: Side) -> None:
    """A row factory set on the connection applies to its new cursors and to conn.execute."""
    if db.fake:
        db.fake.execute.returns(AX_BX)
    db.conn.row_factory = namedtuple_row

    row = await (await db.conn.execute(ROWS)).fetchone()

    assert ((1, "ax"), "ax", "Row") == (tuple(row), row.name, type(row).__name__)


async def test_fetchone_fetchmany_fetchall_walk_the_rows(db: Side) -> None:
    """fetchmany() takes arraysize (1) rows; fetchone gives None at the end."""
    if db.fake:
        db.fake.execute.returns([*AX_BX, {"id": 3, "name": "cx"}])
    cur = db.conn.cursor()
    await cur.execute("SELECT * FROM (VALUES (1, 'ax'), (2, 'bx'), (3, 'cx')) AS v(id, name)")

    got = [
        await cur.fetchone(),
        await cur.fetchmany(),
        cur.rownumber,
        await cur.fetchall(),
        await cur.fetchone(),
    ]

    assert [(1, "ax"), [(2, "bx")], 2, [(3, "cx")], None] == got


async def test_async_for_iterates_the_rows(db: Side) -> None:
    """async for over the cursor gives each remaining row."""
    if db.fake:
        db.fake.execute.returns(AX_BX)
    cur = db.conn.cursor()

    assert cur is await cur.execute(ROWS)
    assert [(1, "ax"), (2, "bx")] == [row async for row in cur]


async def test_a_fresh_cursor_has_no_result(db: Side) -> None:
    """Before execute: rowcount -1, no status, no description, fetch says no result."""
    cur = db.conn.cursor()

    assert (-1, None, None, 1) == (cur.rowcount, cur.statusmessage, cur.description, cur.arraysize)
    assert ("ProgrammingError", None, "no result available") == await caught(cur.fetchone())


async def test_insert_reports_its_count_and_has_no_records(db: Side) -> None:
    """INSERT: rowcount 1, 'INSERT 0 1', no description, fetching names the command status."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.execute.returns(1)

    cur = await db.conn.execute(INSERT, (1, "ax"))

    assert (1, "INSERT 0 1", None) == (cur.rowcount, cur.statusmessage, cur.description)
    message = "the last operation didn't produce records (command status: INSERT 0 1)"
    assert ("ProgrammingError", None, message) == await caught(cur.fetchall())


async def test_update_of_nothing_reports_zero(db: Side) -> None:
    """UPDATE matching no row: rowcount 0 and 'UPDATE 0' (the unscripted fake answers that too)."""
    await db.setup(TABLE)

    cur = await db.conn.execute("UPDATE t SET name = %s WHERE id = %s", ("x", 9))

    assert (0, "UPDATE 0") == (cur.rowcount, cur.statusmessage)


async def test_insert_returning_gives_rows_and_the_insert_status(db: Side) -> None:
    """INSERT ... RETURNING: the rows, with 'INSERT 0 1'."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.execute.returns([{"id": 7}])

    cur = await db.conn.execute("INSERT INTO t VALUES (%s, %s) RETURNING id", (7, "x"))

    assert ([(7,)], "INSERT 0 1", 1) == (await cur.fetchall(), cur.statusmessage, cur.rowcount)


async def test_ddl_has_rowcount_minus_one(db: Side) -> None:
    """CREATE TABLE: rowcount -1 and the status 'CREATE TABLE'."""
    cur = await db.conn.execute("CREATE TABLE u (id int)")

    assert (-1, "CREATE TABLE") == (cur.rowcount, cur.statusmessage)


async def test_a_query_without_rows_keeps_its_columns(db: Side) -> None:
    """A SELECT that finds nothing still describes its columns; fetchone gives None."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.execute.returns(Result([], columns=["id", "name"]))

    cur = await db.conn.execute("SELECT id, name FROM t")

    assert (None, ["id", "name"], 0) == (
        await cur.fetchone(),
        [c.name for c in cur.description],
        cur.rowcount,
    )


async def test_a_closed_cursor_refuses_fetch_and_execute(db: Side) -> None:
    """After close(): InterfaceError 'the cursor is closed', for fetches and execute."""
    if db.fake:
        db.fake.execute.returns(AX_BX)
    cur = await db.conn.execute(ROWS)
    await cur.close()

    closed = ("InterfaceError", None, "the cursor is closed")
    assert (closed, closed, True) == (
        await caught(cur.fetchone()),
        await caught(cur.execute(ROWS)),
        cur.closed,
    )


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_closed_connection_refuses_work_but_results_stay(db: Side) -> None:
    """After close(): closed, not broken, close() again is fine, execute fails, results stay."""
    if db.fake:
        db.fake.execute.returns(AX_BX)
    cur = await db.conn.execute(ROWS)
    await db.conn.close()
    await db.conn.close()

    assert (True, False, "UNKNOWN") == (db.conn.closed, db.conn.broken, status(db.conn))
    assert ("OperationalError", None, "the connection is closed") == await caught(db.conn.execute(ROWS))
    assert [(1, "ax"), (2, "bx")] == await cur.fetchall()


async def test_dollar_placeholders_are_not_psycopgs(db: Side) -> None:
    """$1 is no placeholder for psycopg: the parameters do not fit."""
    expected = ("ProgrammingError", None, "the query has 0 placeholders but 1 parameters were passed")

    assert expected == await caught(db.conn.execute("SELECT $1", [1]))


async def test_too_few_parameters(db: Side) -> None:
    """Two %s and one parameter."""
    expected = ("ProgrammingError", None, "the query has 2 placeholders but 1 parameters were passed")

    assert expected == await caught(db.conn.execute("SELECT %s, %s", (1,)))


async def test_a_missing_named_parameter(db: Side) -> None:
    """%(b)s without b in the mapping."""
    expected = ("ProgrammingError", None, "query parameter missing: b")

    assert expected == await caught(db.conn.execute("SELECT %(a)s, %(b)s", {"a": 1}))


async def test_named_placeholders_need_a_mapping(db: Side) -> None:
    """%(a)s with a sequence of parameters is a TypeError."""
    expected = ("TypeError", None, "named placeholders require a mapping of parameters")

    assert expected == await caught(db.conn.execute("SELECT %(a)s", [1]))


async def test_a_literal_percent_fails_only_with_parameters(db: Side) -> None:
    """'%' is a placeholder error with parameters, plain text without."""
    if db.fake:
        db.fake.execute.returns_once([{"?column?": "50%"}])
    plain = await (await db.conn.execute("SELECT '50%'")).fetchone()
    message = "incomplete placeholder: '%'; if you want to use '%' as an operator you can double it up, i.e. use '%%'"

    assert ("50%",) == plain
    assert ("ProgrammingError", None, message) == await caught(db.conn.execute("SELECT '50% ' || %s", ["x"]))


async def test_several_statements_only_without_parameters(db: Side) -> None:
    """Two statements run in one execute without parameters; with parameters the server refuses."""
    await db.conn.set_autocommit(True)
    await db.conn.execute("CREATE TABLE u (id int); CREATE TABLE w (id int)")
    message = "cannot insert multiple commands into a prepared statement"

    assert ("SyntaxError", "42601", message) == await caught(db.conn.execute("SELECT %s; SELECT 2", [1]))


async def test_copy_needs_the_copy_method(db: Side) -> None:
    """COPY through execute() is refused by psycopg."""
    await db.setup(TABLE)
    expected = ("ProgrammingError", None, "COPY cannot be used with this method; use copy() instead")

    assert expected == await caught(db.conn.execute("COPY t FROM STDIN"))


async def test_unique_violation_has_its_class_sqlstate_and_diag(db: Side) -> None:
    """A duplicate key: UniqueViolation < IntegrityError, 23505, diag.constraint_name, DETAIL in str."""
    await db.setup(TABLE, "INSERT INTO t VALUES (1, 'ax')")
    if db.fake:
        db.fake.execute.raises(unique_violation("t_pkey", key="(id)=(1)"))

    with pytest.raises(psycopg.IntegrityError) as info:
        await db.conn.execute(INSERT, (1, "ax"))

    error = info.value
    assert (type(error), error.sqlstate, str(error)) == (psycopg.errors.UniqueViolation, "23505", DUPLICATE)
    assert ("t_pkey", "Key (id)=(1) already exists.") == (
        error.diag.constraint_name,
        error.diag.message_detail,
    )


async def test_not_null_and_check_violations(db: Side) -> None:
    """NOT NULL and CHECK violations: their classes, codes and messages."""
    await db.setup(TABLE)
    await db.conn.set_autocommit(True)
    if db.fake:
        db.fake.execute.raises_once(not_null_violation("name", table="t", row="(1, null)"))
        db.fake.execute.raises_once(check_violation("t_id_check", table="t", row="(-1, x)"))

    null = await caught(db.conn.execute(INSERT, (1, None)))
    check = await caught(db.conn.execute(INSERT, (-1, "x")))

    assert (
        "NotNullViolation",
        "23502",
        'null value in column "name" of relation "t" violates not-null constraint\nDETAIL:  Failing row contains (1, null).',
    ) == null
    assert (
        "CheckViolation",
        "23514",
        'new row for relation "t" violates check constraint "t_id_check"\nDETAIL:  Failing row contains (-1, x).',
    ) == check


async def test_foreign_key_violation(db: Side) -> None:
    """A missing referenced row: ForeignKeyViolation, 23503, with table and constraint in diag."""
    await db.setup(
        "CREATE TABLE parent (id int PRIMARY KEY)",
        "CREATE TABLE child (id int, parent_id int REFERENCES parent)",
    )
    if db.fake:
        db.fake.execute.raises(
            foreign_key_violation("child_parent_id_fkey", table="child", key="(parent_id)=(5)")
        )

    with pytest.raises(psycopg.errors.ForeignKeyViolation) as info:
        await db.conn.execute("INSERT INTO child VALUES (1, %s)", [5])

    assert ("23503", "child", "child_parent_id_fkey") == (
        info.value.sqlstate,
        info.value.diag.table_name,
        info.value.diag.constraint_name,
    )


async def test_any_sqlstate_gets_psycopgs_class(db: Side) -> None:
    """postgres_error picks the class psycopg.errors.lookup gives: division by zero."""
    if db.fake:
        db.fake.execute.raises(postgres_error("22012", "division by zero"))

    assert ("DivisionByZero", "22012", "division by zero") == await caught(db.conn.execute("SELECT 1/0"))


async def test_executemany_sums_the_rowcount(db: Side) -> None:
    """executemany returns None; rowcount is the total; there is no result to fetch."""
    await db.setup(TABLE)
    cur = db.conn.cursor()

    returned = await cur.executemany(INSERT, [(1, "a"), (2, "b"), (3, "c")])

    assert (None, 3, "INSERT 0 1") == (returned, cur.rowcount, cur.statusmessage)
    assert ("ProgrammingError", None, "no result available") == await caught(cur.fetchone())


async def test_executemany_returning_gives_one_result_per_set(db: Side) -> None:
    """With returning=True each set's rows are a result; nextset() moves on."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.when(method="executemany").returns([[{"id": 1}], [{"id": 2}]])
    cur = db.conn.cursor()

    await cur.executemany("INSERT INTO t VALUES (%s, %s) RETURNING id", [(1, "a"), (2, "b")], returning=True)
    first = await cur.fetchall()
    moved = cur.nextset()
    second = await cur.fetchall()

    assert ([(1,)], True, [(2,)], None) == (first, moved, second, cur.nextset())


async def test_executemany_checks_every_parameter_set(db: Side) -> None:
    """A set that does not fit the placeholders fails the whole call."""
    await db.setup(TABLE)
    expected = ("ProgrammingError", None, "the query has 2 placeholders but 1 parameters were passed")

    assert expected == await caught(db.conn.cursor().executemany(INSERT, [(1, "a"), (2,)]))


async def test_a_named_cursor_reads_rows_inside_a_transaction(db: Side) -> None:
    """conn.cursor(name) is a server cursor with that name; it reads rows like any cursor."""
    if db.fake:
        db.fake.execute.returns(AX_BX)

    async with db.conn.cursor("named") as cur:
        await cur.execute(ROWS)
        rows = await cur.fetchall()

    assert ("named", [(1, "ax"), (2, "bx")]) == (cur.name, rows)


async def test_an_unscripted_query_describes_the_columns_it_names(db: Side) -> None:
    """On an empty table, SELECT id, name has no rows and describes both columns (unscripted)."""
    await db.setup(TABLE)

    cur = await db.conn.cursor(row_factory=dict_row).execute("SELECT id, name AS who FROM t")

    assert ([], ["id", "who"], "SELECT 0") == (
        await cur.fetchall(),
        [c.name for c in cur.description],
        cur.statusmessage,
    )
