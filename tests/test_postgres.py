"""Status strings, placeholders and transaction effects read from SQL text."""

from __future__ import annotations

import pytest

from asyncfakes.postgres import command_tag, parameters, recovers, statement_count, transaction_effect


@pytest.mark.parametrize(
    ("sql", "count", "tag"),
    [
        ("INSERT INTO t VALUES ($1)", 1, "INSERT 0 1"),
        ("  -- note\n  /* x */ insert into t select 1;", 0, "INSERT 0 0"),
        ("UPDATE t SET a = 1", 3, "UPDATE 3"),
        ("DELETE FROM t", 2, "DELETE 2"),
        ("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", 1, "MERGE 1"),
        ("SELECT 1", 1, "SELECT 1"),
        ("VALUES (1), (2)", 2, "SELECT 2"),
        ("TABLE t", 4, "SELECT 4"),
        ("(SELECT 1) UNION (SELECT 2)", 2, "SELECT 2"),
        ("WITH x AS (SELECT 1) UPDATE t SET a = (SELECT 1 FROM x)", 5, "UPDATE 5"),
        ("WITH RECURSIVE r(n) AS (SELECT 1) SELECT * FROM r", 1, "SELECT 1"),
        ("WITH x AS (SELECT 1)", 0, "SELECT 0"),
        ("FETCH 2 FROM c", 2, "FETCH 2"),
        ("COPY t TO STDOUT", 7, "COPY 7"),
        ("CREATE TABLE t (id int)", 0, "CREATE TABLE"),
        ("CREATE TEMP TABLE t AS SELECT 1", 1, "SELECT 1"),
        ("CREATE MATERIALIZED VIEW v AS SELECT 1", 1, "SELECT 1"),
        ("CREATE OR REPLACE VIEW v AS SELECT 1", 0, "CREATE VIEW"),
        ("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)", 0, "CREATE INDEX"),
        ("CREATE USER bob", 0, "CREATE ROLE"),
        ("CREATE FOREIGN TABLE f (a int) SERVER s", 0, "CREATE FOREIGN TABLE"),
        ("CREATE", 0, "CREATE"),
        ("DROP TABLE IF EXISTS t", 0, "DROP TABLE"),
        ("DROP MATERIALIZED VIEW v", 0, "DROP MATERIALIZED VIEW"),
        ("ALTER TABLE t ADD COLUMN b int", 0, "ALTER TABLE"),
        ("TRUNCATE t", 0, "TRUNCATE TABLE"),
        ("BEGIN", 0, "BEGIN"),
        ("START TRANSACTION", 0, "START TRANSACTION"),
        ("END", 0, "COMMIT"),
        ("ABORT", 0, "ROLLBACK"),
        ("ROLLBACK TO SAVEPOINT a", 0, "ROLLBACK"),
        ("RELEASE SAVEPOINT a", 0, "RELEASE"),
        ("LOCK TABLE t", 0, "LOCK TABLE"),
        ("DISCARD ALL", 0, "DISCARD ALL"),
        ("DEALLOCATE ALL", 0, "DEALLOCATE ALL"),
        ("DEALLOCATE p", 0, "DEALLOCATE"),
        ("DISCARD", 0, "DISCARD"),
        ("SET search_path = public", 0, "SET"),
        ("DO $$ BEGIN PERFORM 1; END $$", 0, "DO"),
        ("SELECT 'a;b'; UPDATE t SET a = ';'", 1, "UPDATE 1"),
        ("", 0, ""),
        (" ; ", 0, ""),
    ],
)
def test_command_tag_is_what_postgresql_reports(sql: str, count: int, tag: str) -> None:
    """The status of the last statement, with the row count where PostgreSQL reports one."""
    assert tag == command_tag(sql, count)


def test_parameters_skip_strings_comments_and_dollar_quotes() -> None:
    """Only $n outside literals count, in order of appearance."""
    assert (2, 1) == parameters("SELECT $2, '$3', $$ $4 $$, $tag$ $5 $tag$, \"$6\" -- $7\n, $1")
    assert () == parameters("SELECT 1")


def test_statement_count_ignores_semicolons_in_literals_and_parentheses() -> None:
    """Statements are split on top-level semicolons only."""
    assert (1, 2, 0) == (
        statement_count("SELECT ';' ; "),
        statement_count("SELECT 1; SELECT 2"),
        statement_count(";"),
    )


@pytest.mark.parametrize(
    ("sql", "effect"),
    [
        ("BEGIN", True),
        ("START TRANSACTION ISOLATION LEVEL SERIALIZABLE", True),
        ("START", None),
        ("COMMIT", False),
        ("END", False),
        ("ABORT", False),
        ("ROLLBACK", False),
        ("ROLLBACK TO SAVEPOINT a", None),
        ("BEGIN; INSERT INTO t VALUES (1); COMMIT", False),
        ("SELECT 1", None),
    ],
)
def test_transaction_effect(sql: str, effect: bool | None) -> None:
    """BEGIN opens a manual transaction, COMMIT/ROLLBACK end it, ROLLBACK TO does neither."""
    assert effect is transaction_effect(sql)


def test_recovers_names_what_an_aborted_transaction_accepts() -> None:
    """ROLLBACK (TO), ABORT, COMMIT and END are accepted after a failure; nothing else."""
    assert [True, True, True, True, False, False] == [
        recovers(sql) for sql in ("ROLLBACK TO a", "abort", "COMMIT", "END", "SELECT 1", "")
    ]
