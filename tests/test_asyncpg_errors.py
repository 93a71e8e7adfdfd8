"""asyncpg's exception classes, the stand-ins used without asyncpg, and the one-call helpers."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from asyncfakes.asyncpg import (
    check_violation,
    connection_lost,
    deadlock_detected,
    error_class,
    foreign_key_violation,
    invalid_password,
    not_null_violation,
    postgres_error,
    query_cancelled,
    serialization_failure,
    undefined_column,
    undefined_table,
    unique_violation,
)
from asyncfakes.asyncpg._errors import (
    _STAND_INS,  # pyright: ignore[reportPrivateUsage]
    _catalogue,  # pyright: ignore[reportPrivateUsage]
    interface_error,
    is_connection_loss,
    is_server_error,
)


@pytest.fixture
def stand_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend asyncpg is not installed: the catalogue loads the stand-ins."""
    monkeypatch.setitem(sys.modules, "asyncpg", None)
    monkeypatch.setattr(_catalogue, "loaded", False)
    monkeypatch.setattr(_catalogue, "module", None)
    return  # monkeypatch restores the catalogue after the test


def test_with_asyncpg_installed_the_classes_are_asyncpgs_own() -> None:
    """error_class gives asyncpg's class, so user code's `except asyncpg.X` catches the fake's errors."""
    asyncpg = pytest.importorskip("asyncpg")

    assert asyncpg.UniqueViolationError is error_class("UniqueViolationError")
    assert isinstance(unique_violation("k"), asyncpg.UniqueViolationError)
    assert asyncpg.InterfaceError is type(interface_error("x"))


def test_importing_the_flavour_does_not_import_asyncpg() -> None:
    """asyncpg (tens of milliseconds to import) is loaded only when the first error is made."""
    code = (
        "import sys, asyncfakes.asyncpg as f; a = 'asyncpg' in sys.modules; "
        "f.error_class('InterfaceError'); print(a, 'asyncpg' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "False True" == result.stdout.strip()


def test_unknown_class_names_suggest_the_closest(stand_ins: None) -> None:
    """A typo in error_class() gets a did-you-mean; a name far from any gets none."""
    with pytest.raises(ValueError, match="Did you mean 'UniqueViolationError'"):
        error_class("UniqueViolationErorr")
    with pytest.raises(ValueError, match=r"no exception class of that name\.$"):
        error_class("zzzz")


def test_unknown_class_names_are_refused_with_asyncpg_too() -> None:
    """With asyncpg, a name that is not an exception class of it is refused the same way."""
    pytest.importorskip("asyncpg")
    with pytest.raises(ValueError, match="Did you mean 'InterfaceError'"):
        error_class("InterfaceEror")
    with pytest.raises(ValueError, match="no exception class of that name"):
        error_class("compat")


def test_stand_ins_mirror_asyncpg_names_parents_and_sqlstates() -> None:
    """Every stand-in has asyncpg's name, sqlstate and parent, so code that catches by name agrees."""
    exceptions = pytest.importorskip("asyncpg.exceptions")
    for name, parent, sqlstate in _STAND_INS:
        real = getattr(exceptions, name)
        assert (sqlstate, parent) == (real.__dict__.get("sqlstate"), real.__bases__[0].__name__), name


def test_stand_ins_behave_like_asyncpg_errors(stand_ins: None) -> None:
    """Without asyncpg: same-named classes with sqlstate, fields, as_dict() and asyncpg's str()."""
    error: Any = unique_violation("users_email_key", table="users", detail="Key (email)=(a) already exists.")

    assert ("UniqueViolationError", "23505", "users_email_key", "users", "public") == (
        type(error).__name__,
        error.sqlstate,
        error.constraint_name,
        error.table_name,
        error.schema_name,
    )
    assert str(error).endswith("\nDETAIL:  Key (email)=(a) already exists.")
    assert {"constraint_name", "detail", "message", "schema_name", "severity", "severity_en", "sqlstate"} | {
        "table_name"
    } == set(error.as_dict())
    assert isinstance(error, error_class("IntegrityConstraintViolationError"))
    assert isinstance(error, error_class("PostgresError"))
    hinted: Any = deadlock_detected()
    assert "deadlock detected\nHINT:  See server log for query details." == str(hinted)
    assert "" == str(error_class("PostgresError")())
    interface: Any = error_class("InterfaceError")
    bare = interface("x", hint="h")
    assert ("x", None, "h") == (str(bare), bare.detail, bare.hint)


def test_postgres_error_picks_the_class_by_sqlstate(stand_ins: None) -> None:
    """A known SQLSTATE gives its class; an unknown one UnknownPostgresError, as asyncpg does."""
    assert "DivisionByZeroError" == type(postgres_error("22012", "division by zero")).__name__
    assert "UnknownPostgresError" == type(postgres_error("XX123", "odd")).__name__


def test_postgres_error_with_asyncpg_sets_the_fields() -> None:
    """With asyncpg, postgres_error builds asyncpg's class with the fields set on the instance."""
    pytest.importorskip("asyncpg")
    error: Any = postgres_error("23503", "fk", constraint_name="c", detail="d")

    assert ("ForeignKeyViolationError", "c", "fk\nDETAIL:  d") == (
        type(error).__name__,
        error.constraint_name,
        str(error),
    )


def test_postgres_error_refuses_unknown_fields() -> None:
    """A misspelt field is a TypeError listing the real ones."""
    with pytest.raises(TypeError, match=r"unknown field\(s\) \['constraint'\]; asyncpg's error fields are"):
        postgres_error("23505", "dup", constraint="x")


def test_the_helpers_make_the_common_failures() -> None:
    """Serialization failure 40001, deadlock 40P01, lost connection 08003, each asyncpg's class."""
    lost = connection_lost()
    assert [
        ("SerializationError", "40001"),
        ("DeadlockDetectedError", "40P01"),
        ("ConnectionDoesNotExistError", "08003"),
    ] == [(type(e).__name__, e.sqlstate) for e in (serialization_failure(), deadlock_detected(), lost)]
    assert "connection was closed in the middle of operation" == str(lost)


def test_which_errors_abort_a_transaction_or_end_a_connection() -> None:
    """Server errors (or anything with a sqlstate) abort; connection errors and shutdowns end it."""
    with_sqlstate = RuntimeError("x")
    with_sqlstate.sqlstate = "22012"  # type: ignore[attr-defined]
    assert [True, True, False, False] == [
        is_server_error(e)
        for e in (serialization_failure(), with_sqlstate, interface_error("x"), RuntimeError())
    ]
    shutdown = postgres_error("57P01", "terminating connection due to administrator command")
    assert [True, True, True, False, False] == [
        is_connection_loss(e)
        for e in (
            connection_lost(),
            ConnectionResetError(),
            shutdown,
            serialization_failure(),
            RuntimeError(),
        )
    ]


def test_postgres_error_takes_a_class_name_or_the_class() -> None:
    """One call builds the class from a SQLSTATE, a class name or the class itself, with its fields."""
    by_code: Any = postgres_error("23503", constraint_name="c", table_name="t")
    by_name: Any = postgres_error("ForeignKeyViolationError", "fk", column_name="x", detail="d")
    fk = error_class("ForeignKeyViolationError")
    by_class: Any = postgres_error(fk, "fk")

    assert [fk, fk, fk] == [type(by_code), type(by_name), type(by_class)]
    assert ("23503", "ForeignKeyViolationError", "c", "t") == (
        by_code.sqlstate,
        str(by_code),
        by_code.constraint_name,
        by_code.table_name,
    )
    assert ("23503", "x", "fk\nDETAIL:  d") == (by_name.sqlstate, by_name.column_name, str(by_name))
    assert ("23503", "fk") == (by_class.sqlstate, by_class.message)


def test_postgres_error_refuses_what_is_not_a_server_error() -> None:
    """A client-side class, or a name that is no class of asyncpg's, is refused with the reason."""
    with pytest.raises(TypeError, match=r"postgres_error\('InterfaceError'\): not a server error class"):
        postgres_error("InterfaceError")
    with pytest.raises(TypeError, match=r"postgres_error\(ValueError\): not a subclass of asyncpg's"):
        postgres_error(ValueError)
    with pytest.raises(ValueError, match="Did you mean 'UniqueViolationError'"):
        postgres_error("UniqueViolationErorr")


def test_postgres_error_by_name_works_without_asyncpg(stand_ins: None) -> None:
    """The stand-ins answer class names too, including the authentication errors."""
    error: Any = postgres_error("InvalidPasswordError", "bad")
    assert ("InvalidPasswordError", "28P01") == (type(error).__name__, error.sqlstate)
    assert isinstance(error, error_class("InvalidAuthorizationSpecificationError"))


@pytest.mark.parametrize(
    ("error", "name", "sqlstate", "message", "fields"),
    [
        (
            foreign_key_violation(
                "orders_user_fk", table="orders", detail="Key (user_id)=(5) is not present."
            ),
            "ForeignKeyViolationError",
            "23503",
            'insert or update on table "orders" violates foreign key constraint "orders_user_fk"',
            {"constraint_name": "orders_user_fk", "table_name": "orders", "schema_name": "public"},
        ),
        (
            not_null_violation("email", table="users"),
            "NotNullViolationError",
            "23502",
            'null value in column "email" of relation "users" violates not-null constraint',
            {"column_name": "email", "table_name": "users", "schema_name": "public"},
        ),
        (
            check_violation("positive", table="t", schema="s"),
            "CheckViolationError",
            "23514",
            'new row for relation "t" violates check constraint "positive"',
            {"constraint_name": "positive", "table_name": "t", "schema_name": "s"},
        ),
        (undefined_table("nope"), "UndefinedTableError", "42P01", 'relation "nope" does not exist', {}),
        (undefined_column("x"), "UndefinedColumnError", "42703", 'column "x" does not exist', {}),
        (
            undefined_column("x", table="t"),
            "UndefinedColumnError",
            "42703",
            'column "x" of relation "t" does not exist',
            {},
        ),
        (query_cancelled(), "QueryCanceledError", "57014", "canceling statement due to user request", {}),
        (
            query_cancelled(statement_timeout=True),
            "QueryCanceledError",
            "57014",
            "canceling statement due to statement timeout",
            {},
        ),
        (
            invalid_password("app"),
            "InvalidPasswordError",
            "28P01",
            'password authentication failed for user "app"',
            {"severity": "FATAL"},
        ),
    ],
)
def test_named_helpers_build_the_servers_errors(
    error: Any, name: str, sqlstate: str, message: str, fields: dict[str, str]
) -> None:
    """Each named helper gives asyncpg's class, the SQLSTATE, PostgreSQL's message and the fields."""
    assert (name, sqlstate, message) == (type(error).__name__, error.sqlstate, error.message)
    assert fields == {key: getattr(error, key) for key in fields}
