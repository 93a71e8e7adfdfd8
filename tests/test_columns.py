"""output_columns: the columns a statement names at top level, or None when they are not knowable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncfakes import output_columns


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # plain, aliased and qualified columns
        ("SELECT a, b AS c, t.d FROM t", ("a", "c", "d")),
        ("select id from users where id = $1", ("id",)),
        ('SELECT a.b.c, "T"."D" FROM t', ("c", "D")),
        ("SELECT Name, x AS Label FROM t", ("name", "label")),
        ('SELECT x AS "Mixed Case", y AS "q""uote" FROM t', ("Mixed Case", 'q"uote')),
        ('SELECT U&"a" FROM t', ("a",)),
        ("SELECT count(*) AS n, max(x) top FROM t", ("n", "top")),
        ("SELECT a b, 'x' label, $1 p, 1.5e3 f FROM t", ("b", "label", "p", "f")),
        ("SELECT ARRAY[1, 2] arr, a[1] first FROM t", ("arr", "first")),
        ("SELECT a::int AS b FROM t", ("b",)),
        ("SELECT a AS from FROM t", ("from",)),
        ("SELECT a IS DISTINCT FROM b AS d, c FROM t", ("d", "c")),
        ("SELECT a IS NOT DISTINCT FROM b AS d FROM t", ("d",)),
        # the list ends where the statement's clauses begin
        ("SELECT a FROM t UNION SELECT b FROM u", ("a",)),
        ("SELECT a WHERE true", ("a",)),
        ("SELECT a ORDER BY 1 LIMIT 2", ("a",)),
        ("SELECT a INTO x FROM t", ("a",)),
        ("SELECT a FOR UPDATE", ("a",)),
        ("SELECT FROM t", ()),
        ("SELECT a, b", ("a", "b")),
        # DISTINCT, ALL, CTEs
        ("SELECT DISTINCT a, b FROM t", ("a", "b")),
        ("SELECT ALL a FROM t", ("a",)),
        ("SELECT DISTINCT ON (a, b) a, c FROM t", ("a", "c")),
        ("WITH x AS (SELECT 1 AS y), z (w) AS (SELECT 2) SELECT y, w FROM x, z", ("y", "w")),
        ("WITH RECURSIVE r AS MATERIALIZED (SELECT 1 AS n) SELECT n FROM r", ("n",)),
        ("WITH x AS (INSERT INTO t DEFAULT VALUES RETURNING id) SELECT id AS new_id FROM x", ("new_id",)),
        # quoting, comments, dollar quotes: commas and keywords inside them do not count
        ("SELECT 'a, b FROM' AS s, E'it\\'s, x' AS e FROM t", ("s", "e")),
        ("SELECT 'C:\\' AS path, x FROM t", ("path", "x")),
        ("SELECT $$a, b$$ AS d, $tag$ ) FROM $tag$ AS e", ("d", "e")),
        ("SELECT /* a, /* nested */ b */ a -- , c\n, d FROM t", ("a", "d")),
        ("SELECT f(a, (b), c) AS g FROM t", ("g",)),
        ("SELECT a FROM t;", ("a",)),
        ("SELECT a FROM t; ;", ("a",)),
        # RETURNING lists of data-changing statements
        ("INSERT INTO t (a) VALUES ($1) RETURNING id, comment_number", ("id", "comment_number")),
        ("UPDATE t SET a = 1 WHERE b = 2 RETURNING a AS x, t.b", ("x", "b")),
        ("DELETE FROM t WHERE id = $1 RETURNING id", ("id",)),
        ("INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET a = 2 RETURNING a", ("a",)),
        ("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE RETURNING t.a", ("a",)),
        ("WITH s AS (SELECT 1) UPDATE t SET a = 1 RETURNING a", ("a",)),
        # statements that return no columns
        ("INSERT INTO t (a) VALUES ($1)", ()),
        ("UPDATE t SET returning_x = 1", ()),
        ("DELETE FROM t WHERE note = 'RETURNING id'", ()),
        # not knowable from the text: None
        ("SELECT * FROM t", None),
        ("SELECT t.*, a FROM t", None),
        ("SELECT a, * FROM t", None),
        ("SELECT count(*) FROM t", None),
        ("SELECT a + 1 FROM t", None),
        ("SELECT a * b FROM t", None),
        ("SELECT a::int FROM t", None),
        ("SELECT a::double precision FROM t", None),
        ("SELECT 1", None),
        ("SELECT $1", None),
        ("SELECT x IS NULL FROM t", None),
        ('SELECT a COLLATE "C" FROM t', None),
        ("SELECT NOT a FROM t", None),
        ("SELECT CASE WHEN a THEN 1 END FROM t", None),
        ("SELECT current_date", None),
        ("SELECT EXISTS (SELECT 1)", None),
        ("SELECT a AS 'x' FROM t", None),
        ("SELECT a, FROM t", None),
        ("DELETE FROM t RETURNING *", None),
        ("UPDATE t SET a = 1 RETURNING WITH (OLD AS o) o.a", None),
        ("VALUES (1, 2)", None),
        ("TABLE t", None),
        ("SHOW search_path", None),
        ("CREATE TABLE t (a int)", None),
        ("EXPLAIN SELECT a FROM t", None),
        ("WITH x AS (SELECT 1)", None),
        ("(SELECT a FROM t)", None),
        ("SELECT a; SELECT b", None),
        ("SELECT a FROM (SELECT 1", None),
        ("SELECT a) FROM t", None),
        ("SELECT 'a FROM t", None),
        ('SELECT "a FROM t', None),
        ("SELECT a /* unterminated", ("a",)),
        ("SELECT a, $x$ unterminated", None),
        ("", None),
        (";", None),
    ],
)
def test_output_columns(sql: str, expected: tuple[str, ...] | None) -> None:
    """Each statement names the columns in the table, or None when they are not knowable."""
    assert expected == output_columns(sql)


@given(st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=6))
def test_aliases_round_trip(names: list[str]) -> None:
    """Every aliased expression list names exactly its aliases, in order."""
    sql = "SELECT " + ", ".join(f"f(x, 'y, z') AS \"{name}\"" for name in names) + " FROM t"
    assert tuple(names) == output_columns(sql)
