"""asyncfakes.psqlpy errors: psqlpy's own classes or stand-ins, and failures in psqlpy's shape per method."""

from __future__ import annotations

import sys

import pytest

from asyncfakes.psqlpy import (
    connection_lost,
    deadlock_detected,
    foreign_key_violation,
    postgres_error,
    serialization_failure,
    unique_violation,
)
from asyncfakes.psqlpy import exceptions as exc
from asyncfakes.psqlpy._failures import aborts, adjust_for_transaction, failure_of, is_lost, reshape
from asyncfakes.psqlpy._options import begin_sql, transaction_options
from asyncfakes.psqlpy._standins import adopt, psqlpy_module

TEXT = "db error: ERROR: boom"


def test_the_exceptions_are_psqlpys_own_when_it_is_installed() -> None:
    """With psqlpy importable, asyncfakes.psqlpy.exceptions holds psqlpy's classes themselves."""
    real = pytest.importorskip("psqlpy.exceptions")

    assert all(getattr(real, name) is getattr(exc, name) for name in exc.__all__)
    assert sorted(real.__all__) == sorted(exc.__all__)


def test_the_stand_ins_mirror_psqlpys_hierarchy() -> None:
    """Each stand-in has the same name and the same parents, by name, as psqlpy's class."""
    real = pytest.importorskip("psqlpy.exceptions")
    stand_ins = adopt(exc.__all__, None)

    for name in exc.__all__:
        mine = [cls.__name__ for cls in stand_ins[name].__mro__]
        theirs = [cls.__name__ for cls in getattr(real, name).__mro__]
        assert theirs == mine
        assert stand_ins[name] is not getattr(real, name)


def test_without_psqlpy_the_stand_ins_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """psqlpy_module() answers None when psqlpy cannot be imported, and adopt() then picks stand-ins."""
    monkeypatch.setitem(sys.modules, "psqlpy.exceptions", None)

    assert None is psqlpy_module("psqlpy.exceptions")
    levels = adopt(("IsolationLevel", "ReadVariant"), None)
    assert ("IsolationLevel.Serializable", "ReadVariant.ReadOnly") == (
        repr(levels["IsolationLevel"].Serializable),
        repr(levels["ReadVariant"].ReadOnly),
    )


SHAPES = [
    ("execute", "prepare", "ConnectionExecuteError", f"Cannot execute query, error - {TEXT}"),
    ("fetch", "execute", "ConnectionExecuteError", f"Cannot execute query, error - {TEXT}"),
    ("fetch_row", "prepare", "DatabaseError", TEXT),
    ("fetch_val", "execute", "ConnectionExecuteError", TEXT),
    ("execute_many", "prepare", "ConnectionExecuteError", f"Cannot build statement in execute_many: {TEXT}"),
    ("execute_many", "execute", "ConnectionExecuteError", f"Error occurred in `execute_many` statement: {TEXT}"),
    ("execute_batch", "execute", "DatabaseError", TEXT),
    ("start", "execute", "TransactionBeginError", f"Transaction begin error: Cannot start transaction due to - {TEXT}"),
    ("commit", "execute", "TransactionCommitError",
     f"Transaction commit error: Cannot execute COMMIT statement, error - {TEXT}"),
    ("rollback", "execute", "TransactionRollbackError",
     f"Transaction rollback error: Cannot execute ROLLBACK statement, error - {TEXT}"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "at", "name", "message"), SHAPES)
def test_a_failure_takes_psqlpys_shape_for_the_method(method: str, at: str, name: str, message: str) -> None:
    """reshape() gives a helper's error the class and message psqlpy uses for that method."""
    error = reshape(postgres_error("boom", at=at), method, prepared_before=False)  # type: ignore[arg-type]

    assert (name, message) == (type(error).__name__, str(error))


def test_a_deferred_failure_depends_on_whether_the_statement_was_prepared() -> None:
    """A lost connection fails at prepare time for a new statement, at execute time for a known one."""
    fresh = reshape(connection_lost(), "fetch_val", prepared_before=False)
    known = reshape(connection_lost(), "fetch_val", prepared_before=True)
    many = reshape(connection_lost(), "execute_many", prepared_before=True)

    assert ("DatabaseError", "connection closed") == (type(fresh).__name__, str(fresh))
    assert ("ConnectionExecuteError", "connection closed") == (type(known).__name__, str(known))
    assert "Cannot open transaction wrap in execute_many: connection closed" == str(many)


def test_through_a_transaction_execute_fails_as_a_database_error_at_prepare_time() -> None:
    """adjust_for_transaction() turns a prepare-time execute failure into psqlpy's DatabaseError only."""
    prepared = reshape(postgres_error("a", at="prepare"), "execute", prepared_before=False)
    executed = reshape(postgres_error("b"), "execute", prepared_before=False)
    assert prepared is not None
    assert executed is not None

    adjusted = adjust_for_transaction(prepared)

    assert ("DatabaseError", "db error: ERROR: a") == (type(adjusted).__name__, str(adjusted))
    assert None is adjust_for_transaction(executed)
    assert "ConnectionExecuteError" == type(executed).__name__
    assert None is adjust_for_transaction(ValueError("c"))
    assert None is failure_of(ValueError("c"))


def test_reshape_leaves_other_errors_alone() -> None:
    """An error not made by a helper keeps its class and message."""
    assert None is reshape(exc.ConnectionExecuteError("mine"), "fetch_row", prepared_before=False)


def test_the_helpers_word_errors_as_postgresql_does() -> None:
    """Each helper's message, in conn.execute's shape until a method re-shapes it."""
    prefix = "Cannot execute query, error - db error: ERROR: "

    assert f'{prefix}duplicate key value violates unique constraint "users_email_key"' == str(
        unique_violation("users_email_key")
    )
    assert f'{prefix}insert or update on table "o" violates foreign key constraint "o_fk"\nDETAIL: d' == str(
        foreign_key_violation("o_fk", table="o", detail="d")
    )
    assert f"{prefix}could not serialize access due to concurrent update" == str(serialization_failure())
    assert str(deadlock_detected()).startswith(f"{prefix}deadlock detected\nDETAIL: Process")
    assert str(deadlock_detected()).endswith("\nHINT: See server log for query details.")
    assert "Cannot execute query, error - connection closed" == str(connection_lost())


def test_a_serialization_failure_on_commit_reads_as_postgresql_says_there() -> None:
    """At COMMIT the serialization failure names the read/write dependencies, with DETAIL and HINT."""
    error = reshape(serialization_failure(), "commit", prepared_before=False)

    assert "TransactionCommitError" == type(error).__name__
    assert "read/write dependencies among transactions" in str(error)
    assert str(error).endswith("HINT: The transaction might succeed if retried.")


def test_postgres_error_refuses_an_unknown_phase() -> None:
    """at= is 'execute' or 'prepare'; anything else fails at once, naming both."""
    with pytest.raises(ValueError, match=r"^postgres_error\(at='later'\): at= is 'execute'"):
        postgres_error("x", at="later")  # type: ignore[arg-type]


def test_which_errors_abort_a_transaction_and_which_lose_the_connection() -> None:
    """Server errors (and psqlpy errors a test builds) abort; psqlpy's own client-side refusals do not."""
    from asyncfakes.psqlpy._results import unexpected_row_count

    assert [True, True, True, False, False, False, False] == [
        aborts(unique_violation("k")),
        aborts(exc.DatabaseError(TEXT)),
        aborts(exc.TransactionExecuteError("duplicate key value violates unique constraint")),
        aborts(unexpected_row_count()),
        aborts(exc.PyToRustValueMappingError("Can't convert value from python to rust type")),
        aborts(connection_lost()),
        aborts(ValueError(TEXT)),
    ]
    assert [True, False, False] == [
        is_lost(connection_lost()),
        is_lost(unique_violation("k")),
        is_lost(exc.DatabaseError("connection closed")),
    ]


def test_transaction_options_are_checked_and_become_the_begin_statement() -> None:
    """psqlpy's enums and a bool are accepted and spelt out in START TRANSACTION; others are refused."""
    levels = adopt(("IsolationLevel", "ReadVariant"), psqlpy_module("psqlpy"))
    serializable, read_only = levels["IsolationLevel"].Serializable, levels["ReadVariant"].ReadOnly

    assert "START TRANSACTION" == begin_sql(transaction_options(None, None, None))
    assert "START TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY NOT DEFERRABLE" == begin_sql(
        transaction_options(serializable, read_only, False)
    )
    assert "START TRANSACTION ISOLATION LEVEL READ COMMITTED READ WRITE DEFERRABLE" == begin_sql(
        transaction_options(levels["IsolationLevel"].ReadCommitted, levels["ReadVariant"].ReadWrite, True)
    )
    with pytest.raises(TypeError, match="^'str' object is not an instance of 'IsolationLevel'$"):
        transaction_options("serializable", None, None)
