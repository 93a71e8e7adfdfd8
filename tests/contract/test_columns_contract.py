"""Contract: a row has exactly the columns the SQL names, in its order; the fakes check scripted rows.

On the real drivers the rows come from PostgreSQL; on the fakes a row is scripted with the same
columns in another order, and comes back in the statement's order, as the server returns it.
"""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes import output_columns
from asyncfakes.psqlpy import QueryResult
from tests.contract._asyncpg_support import Target, anyio_backend, db
from tests.contract._psqlpy_support import Side, caught, psqlpy_side
from tests.contract._psqlpy_support import db as psqlpy_db

__all__ = ["anyio_backend", "caught", "db", "psqlpy_db", "psqlpy_side"]

pytestmark = pytest.mark.anyio

TABLE = "CREATE TEMP TABLE comments (id serial, comment_number int, body text)"
NAMED = [
    "SELECT 1 AS b, 2 AS a",
    'SELECT x.a, x.b AS "Mixed Case", x.c cee FROM (SELECT 1 AS a, 2 AS b, 3 AS c) x',
    "WITH c AS (SELECT 1 AS n) SELECT n, n + 1 AS m FROM c",
    "SELECT DISTINCT ON (a) a, b AS bee FROM (VALUES (1, 2)) v(a, b)",
    "SELECT count(*) n, max(x) AS top FROM (VALUES (1)) v(x)",
    "SELECT 'a, b' AS s, $$ ) FROM x $$ AS d, 1::int AS i",
    "INSERT INTO comments (comment_number, body) VALUES (7, 'x') RETURNING comment_number, body",
]


def _scrambled(sql: str) -> dict[str, int]:
    columns = output_columns(sql)
    assert columns is not None, sql
    return {name: i for i, name in reversed(list(enumerate(columns)))}


@pytest.mark.parametrize("sql", NAMED)
async def test_asyncpg_rows_have_the_columns_the_sql_names_in_its_order(db: Target, sql: str) -> None:
    """Real rows' keys are output_columns(sql); a scripted row in another key order comes back in it."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.fetch.returns([_scrambled(sql)])

    row = (await db.conn.fetch(sql))[0]

    assert list(output_columns(sql) or ()) == list(row.keys())


@pytest.mark.parametrize("sql", NAMED)
async def test_psqlpy_rows_have_the_columns_the_sql_names_in_its_order(psqlpy_db: Side, sql: str) -> None:
    """The same on psqlpy: the keys of each result row, in order."""
    await psqlpy_db.setup(TABLE.replace("TEMP ", ""))
    if psqlpy_db.fake:
        psqlpy_db.fake.fetch.returns(QueryResult([_scrambled(sql)]))

    rows: Any = (await psqlpy_db.conn.fetch(sql)).result()

    assert list(output_columns(sql) or ()) == list(rows[0])


@pytest.mark.asyncfakes(verify=False)  # the misfits are the point of this test
async def test_a_row_keyed_by_a_column_the_statement_does_not_return_fails_at_the_call() -> None:
    """The public bug: row["id"] read from RETURNING comment_number. Real: KeyError; fake: refused."""
    from asyncfakes.asyncpg import FakeConnection

    sql = "INSERT INTO comments (body) VALUES ($1) RETURNING comment_number"
    conn = FakeConnection()
    conn.fetchrow.returns({"id": 1, "comment_number": 7})

    with pytest.raises(ValueError, match=r"not returned \['id'\]") as caught_error:
        await conn.fetchrow(sql, "x")

    assert (
        "fetchrow(): a scripted row has the columns ['id', 'comment_number'], but the statement returns "
        "['comment_number'] (not returned ['id']). Script rows with exactly the columns the SQL names, "
        "in any order, so the test reads what production would."
    ) == str(caught_error.value)
