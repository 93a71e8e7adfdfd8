"""asyncpg's exception classes (or same-named stand-ins without asyncpg) and one-call error helpers.

asyncpg is imported the first time an error is needed, never when ``asyncfakes.asyncpg`` is
imported (importing asyncpg costs tens of milliseconds).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeVar, cast, overload

if TYPE_CHECKING:

    class PostgresError(Exception):
        """What the type checker knows of asyncpg's server errors (asyncpg ships no types)."""

        sqlstate: str | None
        severity: str | None
        message: str | None
        detail: str | None
        hint: str | None
        schema_name: str | None
        table_name: str | None
        column_name: str | None
        data_type_name: str | None
        constraint_name: str | None

        def as_dict(self) -> dict[str, Any]: ...

    class InterfaceError(Exception):
        """What the type checker knows of asyncpg's client-side errors."""


__all__ = [
    "connection_lost",
    "exceptions_only",
    "deadlock_detected",
    "error_class",
    "interface_error",
    "is_connection_loss",
    "is_server_error",
    "postgres_error",
    "serialization_failure",
    "unique_violation",
]

_FIELDS: Final = (
    "severity",
    "severity_en",
    "sqlstate",
    "message",
    "detail",
    "hint",
    "position",
    "internal_position",
    "internal_query",
    "context",
    "schema_name",
    "table_name",
    "column_name",
    "data_type_name",
    "constraint_name",
    "server_source_filename",
    "server_source_line",
    "server_source_function",
)


class _StandInPostgresError(Exception):
    """The stand-in for ``asyncpg.PostgresError``: the message fields, ``as_dict()``, asyncpg's str."""

    sqlstate: ClassVar[str | None] = None

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        for field in _FIELDS:
            if field != "sqlstate":
                setattr(self, field, None)

    def __str__(self) -> str:
        text = str(self.args[0]) if self.args else ""
        detail, hint = getattr(self, "detail", None), getattr(self, "hint", None)
        if detail:
            text += f"\nDETAIL:  {detail}"
        if hint:
            text += f"\nHINT:  {hint}"
        return text

    def as_dict(self) -> dict[str, Any]:
        """The fields that are set, by name, as asyncpg's ``as_dict()``."""
        found = {field: getattr(self, field, None) for field in _FIELDS}
        return {field: value for field, value in found.items() if value is not None}


class _StandInInterfaceError(Exception):
    """The stand-in for ``asyncpg.InterfaceError``: a client-side misuse, with detail and hint."""

    def __init__(self, *args: Any, detail: str | None = None, hint: str | None = None) -> None:
        super().__init__(*args)
        self.detail = detail
        self.hint = hint


# name, parent, sqlstate: a subset of asyncpg.exceptions, same names, parents and codes.
_STAND_INS: Final = (
    ("FatalPostgresError", "PostgresError", None),
    ("UnknownPostgresError", "FatalPostgresError", None),
    ("PostgresConnectionError", "PostgresError", "08000"),
    ("ConnectionDoesNotExistError", "PostgresConnectionError", "08003"),
    ("ConnectionFailureError", "PostgresConnectionError", "08006"),
    ("FeatureNotSupportedError", "PostgresError", "0A000"),
    ("CardinalityViolationError", "PostgresError", "21000"),
    ("DataError", "PostgresError", "22000"),
    ("DivisionByZeroError", "DataError", "22012"),
    ("NumericValueOutOfRangeError", "DataError", "22003"),
    ("InvalidTextRepresentationError", "DataError", "22P02"),
    ("StringDataRightTruncationError", "DataError", "22001"),
    ("InvalidDatetimeFormatError", "DataError", "22007"),
    ("IntegrityConstraintViolationError", "PostgresError", "23000"),
    ("RestrictViolationError", "IntegrityConstraintViolationError", "23001"),
    ("NotNullViolationError", "IntegrityConstraintViolationError", "23502"),
    ("ForeignKeyViolationError", "IntegrityConstraintViolationError", "23503"),
    ("UniqueViolationError", "IntegrityConstraintViolationError", "23505"),
    ("CheckViolationError", "IntegrityConstraintViolationError", "23514"),
    ("ExclusionViolationError", "IntegrityConstraintViolationError", "23P01"),
    ("InvalidAuthorizationSpecificationError", "PostgresError", "28000"),
    ("InvalidPasswordError", "InvalidAuthorizationSpecificationError", "28P01"),
    ("InvalidTransactionStateError", "PostgresError", "25000"),
    ("ActiveSQLTransactionError", "InvalidTransactionStateError", "25001"),
    ("NoActiveSQLTransactionError", "InvalidTransactionStateError", "25P01"),
    ("InFailedSQLTransactionError", "InvalidTransactionStateError", "25P02"),
    ("ReadOnlySQLTransactionError", "InvalidTransactionStateError", "25006"),
    ("TransactionRollbackError", "PostgresError", "40000"),
    ("SerializationError", "TransactionRollbackError", "40001"),
    ("DeadlockDetectedError", "TransactionRollbackError", "40P01"),
    ("SyntaxOrAccessError", "PostgresError", "42000"),
    ("PostgresSyntaxError", "SyntaxOrAccessError", "42601"),
    ("InsufficientPrivilegeError", "SyntaxOrAccessError", "42501"),
    ("UndefinedTableError", "SyntaxOrAccessError", "42P01"),
    ("UndefinedColumnError", "SyntaxOrAccessError", "42703"),
    ("UndefinedFunctionError", "SyntaxOrAccessError", "42883"),
    ("UndefinedObjectError", "SyntaxOrAccessError", "42704"),
    ("UndefinedParameterError", "SyntaxOrAccessError", "42P02"),
    ("DuplicateTableError", "SyntaxOrAccessError", "42P07"),
    ("DuplicateObjectError", "SyntaxOrAccessError", "42710"),
    ("InsufficientResourcesError", "PostgresError", "53000"),
    ("TooManyConnectionsError", "InsufficientResourcesError", "53300"),
    ("ObjectNotInPrerequisiteStateError", "PostgresError", "55000"),
    ("LockNotAvailableError", "ObjectNotInPrerequisiteStateError", "55P03"),
    ("OperatorInterventionError", "PostgresError", "57000"),
    ("QueryCanceledError", "OperatorInterventionError", "57014"),
    ("AdminShutdownError", "OperatorInterventionError", "57P01"),
    ("CannotConnectNowError", "OperatorInterventionError", "57P03"),
    ("SavepointError", "PostgresError", "3B000"),
    ("InvalidSavepointSpecificationError", "SavepointError", "3B001"),
    ("InvalidCursorNameError", "PostgresError", "34000"),
    ("InternalServerError", "PostgresError", "XX000"),
    ("PLPGSQLError", "PostgresError", "P0000"),
    ("RaiseError", "PLPGSQLError", "P0001"),
)


def _make_stand_ins() -> dict[str, type[Exception]]:
    made: dict[str, type[Exception]] = {
        "PostgresError": type("PostgresError", (_StandInPostgresError,), {"__module__": __name__}),
        "InterfaceError": type("InterfaceError", (_StandInInterfaceError,), {"__module__": __name__}),
    }
    for name, parent, sqlstate in _STAND_INS:
        doc = f"Stand-in for asyncpg.{name} (SQLSTATE {sqlstate}), used when asyncpg is not installed."
        made[name] = type(
            name, (made[parent],), {"sqlstate": sqlstate, "__module__": __name__, "__doc__": doc}
        )
    return made


class _Catalogue:
    """Where the classes come from: asyncpg's exceptions module, or the stand-ins."""

    def __init__(self) -> None:
        self.loaded = False
        self.module: Any = None
        self.stand_ins: dict[str, type[Exception]] = {}

    def load(self) -> None:
        try:
            import asyncpg.exceptions
        except ImportError:
            self.module = None
            self.stand_ins = _make_stand_ins()
        else:
            self.module = asyncpg.exceptions
        self.loaded = True

    def get(self, name: str) -> type[Exception]:
        if not self.loaded:
            self.load()
        found = getattr(self.module, name, None) if self.module is not None else self.stand_ins.get(name)
        if not (isinstance(found, type) and issubclass(found, Exception)):
            known = dir(self.module) if self.module is not None else self.stand_ins
            import difflib

            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            msg = f"error_class({name!r}): asyncpg has no exception class of that name.{hint}"
            raise ValueError(msg)
        return found

    def for_sqlstate(self, sqlstate: str) -> type[Exception]:
        if not self.loaded:
            self.load()
        if self.module is not None:
            found: type[Exception] = self.module.PostgresError.__class__.get_message_class_for_sqlstate(
                sqlstate
            )
            return found
        for cls in self.stand_ins.values():
            if cls.__dict__.get("sqlstate") == sqlstate:
                return cls
        return self.stand_ins["UnknownPostgresError"]


_catalogue = _Catalogue()


def error_class(name: str) -> type[Exception]:
    """Return asyncpg's exception class ``name`` (e.g. ``"UniqueViolationError"``).

    When asyncpg is installed this is asyncpg's own class, what the code under test catches;
    without it, a same-named stand-in with the same parents and ``sqlstate``.
    """
    return _catalogue.get(name)


def exceptions_only(verb: str, errors: tuple[object, ...]) -> list[BaseException]:
    """``errors`` as a list, refusing anything that is not an exception instance (a test mistake)."""
    found = [error for error in errors if isinstance(error, BaseException)]
    wrong = [error for error in errors if not isinstance(error, BaseException)]
    if wrong:
        msg = f"{verb}() takes exception instances, got {wrong[0]!r}."
        raise TypeError(msg)
    return found


def interface_error(message: str) -> InterfaceError:
    """Return asyncpg's ``InterfaceError(message)``: a client-side misuse."""
    return cast("InterfaceError", _catalogue.get("InterfaceError")(message))


_E = TypeVar("_E", bound=Exception)
_SQLSTATE: Final = re.compile(r"[0-9A-Z]{5}")


@overload
def postgres_error(code: type[_E], message: str | None = None, **fields: Any) -> _E: ...
@overload
def postgres_error(code: str, message: str | None = None, **fields: Any) -> PostgresError: ...
def postgres_error(code: str | type[Exception], message: str | None = None, **fields: Any) -> Any:
    """Return the server error asyncpg raises, for a SQLSTATE, a class name or a class.

    ``code`` is a SQLSTATE (``"23503"``; asyncpg's class for it, ``UnknownPostgresError`` for
    one it does not know), an asyncpg class name (``"ForeignKeyViolationError"``) or the class
    itself (then the result is typed as that class). ``fields`` are asyncpg's message fields:
    ``detail``, ``hint``, ``constraint_name``, ``table_name``, ``schema_name``, ``column_name``,
    ``data_type_name`` and the others; ``message`` defaults to the class name::

        conn.execute.raises(postgres_error("23503", "insert or update ... violates foreign key", ...))
    """
    unknown = sorted(set(fields) - set(_FIELDS))
    if unknown:
        msg = f"postgres_error(): unknown field(s) {unknown}; asyncpg's error fields are {list(_FIELDS)}."
        raise TypeError(msg)
    if isinstance(code, type):
        cls: type[Exception] = code
        if not issubclass(cls, _catalogue.get("PostgresError")):
            msg = f"postgres_error({cls.__name__}): not a subclass of asyncpg's PostgresError."
            raise TypeError(msg)
    elif _SQLSTATE.fullmatch(code):
        cls = _catalogue.for_sqlstate(code)
    else:
        cls = _catalogue.get(code)
        if not issubclass(cls, _catalogue.get("PostgresError")):
            msg = f"postgres_error({code!r}): not a server error class (not a subclass of PostgresError)."
            raise TypeError(msg)
    sqlstate = code if isinstance(code, str) and _SQLSTATE.fullmatch(code) else getattr(cls, "sqlstate", None)
    text = message if message is not None else cls.__name__
    error = cls(text)
    error.__dict__.update(severity="ERROR", severity_en="ERROR", sqlstate=sqlstate, message=text)
    error.__dict__.update(fields)
    return error


def unique_violation(
    constraint: str, *, table: str | None = None, detail: str | None = None, schema: str = "public"
) -> PostgresError:
    """A ``UniqueViolationError`` (SQLSTATE 23505) for ``constraint``, as PostgreSQL reports it."""
    return postgres_error(
        "23505",
        f'duplicate key value violates unique constraint "{constraint}"',
        constraint_name=constraint,
        table_name=table,
        schema_name=schema if table is not None else None,
        detail=detail,
    )


def serialization_failure(detail: str | None = None) -> PostgresError:
    """A ``SerializationError`` (SQLSTATE 40001): retry the transaction."""
    return postgres_error("40001", "could not serialize access due to concurrent update", detail=detail)


def deadlock_detected(detail: str | None = None) -> PostgresError:
    """A ``DeadlockDetectedError`` (SQLSTATE 40P01)."""
    return postgres_error(
        "40P01", "deadlock detected", detail=detail, hint="See server log for query details."
    )


def connection_lost() -> PostgresError:
    """A ``ConnectionDoesNotExistError``: the connection dropped in the middle of an operation.

    The fake connection is closed afterwards, as asyncpg's is: later calls raise
    ``InterfaceError("connection is closed")``.
    """
    lost = _catalogue.get("ConnectionDoesNotExistError")("connection was closed in the middle of operation")
    return cast("PostgresError", lost)


def is_server_error(error: BaseException) -> bool:
    """Whether ``error`` came from the server (it aborts the transaction it happened in)."""
    return isinstance(error, _catalogue.get("PostgresError")) or isinstance(
        getattr(error, "sqlstate", None), str
    )


def is_connection_loss(error: BaseException) -> bool:
    """Whether ``error`` means the connection is gone (asyncpg closes it)."""
    if isinstance(error, (ConnectionError, _catalogue.get("PostgresConnectionError"))):
        return True
    return getattr(error, "sqlstate", None) in ("57P01", "57P02", "57P03")
