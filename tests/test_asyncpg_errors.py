"""asyncpg's exception classes, the stand-ins used without asyncpg, and the one-call helpers."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from asyncfakes.asyncpg import (
    connection_lost,
    deadlock_detected,
    error_class,
    postgres_error,
    serialization_failure,
    unique_violation,
)
from asyncfakes.asyncpg._errors import (
    _STAND_INS,
    _catalogue,
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
    ] == [
        (type(e).__name__, e.sqlstate)  # type: ignore[attr-defined]
        for e in (serialization_failure(), deadlock_detected(), lost)
    ]
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
