"""Database failures in psqlpy's shape: the one-call helpers, and the class and message per method.

psqlpy reports one server error with different classes and message prefixes depending on the
method that met it and on whether it happened while preparing or while executing the statement
(measured against psqlpy 0.13.1 on PostgreSQL 15; see the contract suite). An error made by a
helper here carries its PostgreSQL text; when a fake method raises it, the connection re-shapes it
in place to exactly what psqlpy would raise from that method, so one helper works everywhere.
"""

from __future__ import annotations

from typing import Literal

from . import exceptions as exc

__all__ = [
    "ABORTED",
    "Failure",
    "aborts",
    "client_side",
    "adjust_for_transaction",
    "connection_lost",
    "deadlock_detected",
    "failure_of",
    "foreign_key_violation",
    "is_lost",
    "make",
    "postgres_error",
    "reshape",
    "serialization_failure",
    "unique_violation",
]

Phase = Literal["prepare", "execute"]

_TAG = "_asyncfakes_psqlpy_failure"
_EXECUTE = "Cannot execute query, error - "
ABORTED = "db error: ERROR: current transaction is aborted, commands ignored until end of transaction block"
"""PostgreSQL's answer to any statement in a failed transaction, as psqlpy words it."""

_SERIALIZATION_AT_COMMIT = (
    "db error: ERROR: could not serialize access due to read/write dependencies among transactions\n"
    "DETAIL: Reason code: Canceled on identification as a pivot, during commit attempt.\n"
    "HINT: The transaction might succeed if retried."
)


class Failure:
    """What a failure is, independent of the method that meets it.

    ``phase`` is when it happens (``None``: at prepare time unless the statement is already
    prepared on the connection, as for a lost connection or an aborted transaction); ``kind``
    is ``"server"`` (PostgreSQL reported an error: a transaction block is aborted), ``"lost"``
    (the connection is gone) or ``"client"`` (psqlpy refused before the server was involved).
    """

    __slots__ = ("at_commit", "kind", "phase", "text", "used_phase")

    def __init__(
        self,
        text: str,
        *,
        phase: Phase | None,
        kind: Literal["server", "lost", "client"],
        at_commit: str | None = None,
    ) -> None:
        self.text = text
        self.phase = phase
        self.kind = kind
        self.at_commit = at_commit
        self.used_phase: Phase = phase or "prepare"


def failure_of(error: BaseException) -> Failure | None:
    """Return the failure an error was made from, or ``None`` for any other error."""
    found: Failure | None = getattr(error, _TAG, None)
    return found


def make(failure: Failure) -> exc.ConnectionExecuteError:
    """Return the error for ``failure``, shaped as ``conn.execute`` raises it until re-shaped."""
    error = exc.ConnectionExecuteError(_EXECUTE + failure.text)
    setattr(error, _TAG, failure)
    return error


def _shape(method: str, phase: Phase, failure: Failure, with_params: bool) -> tuple[type[Exception], str]:
    text = failure.text
    if method in ("execute", "fetch"):
        if phase == "prepare" and with_params:
            # psqlpy prepares a statement with parameters itself, and reports that step plainly.
            return exc.DatabaseError, text
        return exc.ConnectionExecuteError, _EXECUTE + text
    if method in ("fetch_row", "fetch_val"):
        return (exc.DatabaseError if phase == "prepare" else exc.ConnectionExecuteError), text
    if method == "execute_many":
        if phase == "prepare":
            prefix = "Cannot build statement in execute_many: "
        elif failure.phase is None:
            # A prepared statement skips the build; the BEGIN psqlpy wraps the sets in fails first.
            prefix = "Cannot open transaction wrap in execute_many: "
        else:
            prefix = "Error occurred in `execute_many` statement: "
        return exc.ConnectionExecuteError, prefix + text
    if method == "start":
        return exc.TransactionBeginError, f"Transaction begin error: Cannot start transaction due to - {text}"
    if method == "commit":
        text = failure.at_commit or text
        return (
            exc.TransactionCommitError,
            f"Transaction commit error: Cannot execute COMMIT statement, error - {text}",
        )
    if method == "rollback":
        return (
            exc.TransactionRollbackError,
            f"Transaction rollback error: Cannot execute ROLLBACK statement, error - {text}",
        )
    return exc.DatabaseError, text


def _tagged(cls: type[Exception], message: str, failure: Failure) -> Exception:
    error = cls(message)
    setattr(error, _TAG, failure)
    return error


def reshape(
    error: BaseException, method: str, *, prepared_before: bool, with_params: bool = False
) -> Exception | None:
    """Return the error psqlpy raises from ``method`` for a failure's error (``None`` for others).

    ``with_params``: the call passed parameters (psqlpy words a failure to prepare those otherwise).
    """
    failure = failure_of(error)
    if failure is None:
        return None
    phase: Phase = failure.phase or ("execute" if prepared_before else "prepare")  # pyright: ignore[reportAssignmentType]
    failure.used_phase = phase
    cls, message = _shape(method, phase, failure, with_params)
    return _tagged(cls, message, failure)


def adjust_for_transaction(error: BaseException) -> Exception | None:
    """The error for an ``execute``/``fetch`` failure raised through a Transaction (psqlpy differs)."""
    failure = failure_of(error)
    if failure is not None and failure.used_phase == "prepare":
        return _tagged(exc.DatabaseError, failure.text, failure)
    return None


# The psqlpy classes raised only on the client side, before or after the server ran the statement
# (psqlpy's RustPSQLDriverError mapping): parameter and value mapping, closed objects, the pool
# and listeners. Any other psqlpy error a test builds is taken as a server error.
_CLIENT_SIDE_CLASSES = (
    exc.PyToRustValueMappingError,
    exc.RustToPyValueMappingError,
    exc.UUIDValueConvertError,
    exc.MacAddrConversionError,
    exc.ConnectionClosedError,
    exc.TransactionClosedError,
    exc.CursorClosedError,
    exc.BaseConnectionPoolError,
    exc.BaseListenerError,
)
_CLIENT = "_asyncfakes_psqlpy_client_side"


def client_side(error: Exception) -> Exception:
    """Mark ``error`` (made by the fake) as raised by psqlpy itself: it aborts no transaction."""
    setattr(error, _CLIENT, True)
    return error


def aborts(error: BaseException) -> bool:
    """Whether ``error`` came from PostgreSQL, so an open transaction block is now aborted.

    A psqlpy error a test scripts (``raises(TransactionExecuteError("duplicate key ..."))``) counts
    as a server error unless its class is one psqlpy raises only on the client side.
    """
    failure = failure_of(error)
    if failure is not None:
        return failure.kind == "server"
    return (
        isinstance(error, exc.Error)
        and not isinstance(error, _CLIENT_SIDE_CLASSES)
        and not getattr(error, _CLIENT, False)
    )


def is_lost(error: BaseException) -> bool:
    """Whether ``error`` says the connection to the server is gone."""
    failure = failure_of(error)
    return failure is not None and failure.kind == "lost"


def _text(message: str, detail: str | None, hint: str | None) -> str:
    text = f"db error: ERROR: {message}"
    if detail is not None:
        text += f"\nDETAIL: {detail}"
    if hint is not None:
        text += f"\nHINT: {hint}"
    return text


def postgres_error(
    message: str,
    *,
    detail: str | None = None,
    hint: str | None = None,
    at: Phase = "execute",
) -> exc.ConnectionExecuteError:
    """An error PostgreSQL reports (``ERROR: message``), raised as psqlpy raises it from each method.

    ``at="prepare"`` makes it fail while the statement is prepared, as a syntax error or a
    missing table does; psqlpy uses other classes there. Inside a transaction it aborts the
    transaction, as PostgreSQL does::

        conn.fetch_row.raises(postgres_error("canceling statement due to statement timeout"))

    The error returned is the ``ConnectionExecuteError`` ``conn.execute`` raises; raised from
    another method it becomes that method's class (every one a ``psqlpy.exceptions.Error``).
    """
    if at not in ("prepare", "execute"):
        msg = f"postgres_error(at={at!r}): at= is 'execute' (the default) or 'prepare'."
        raise ValueError(msg)
    return make(Failure(_text(message, detail, hint), phase=at, kind="server"))


def unique_violation(constraint: str, *, detail: str | None = None) -> exc.ConnectionExecuteError:
    """A unique-constraint violation on ``constraint``, in psqlpy's shape for the method that meets it.

    ``detail`` is PostgreSQL's ``DETAIL`` line, e.g. ``"Key (email)=(ana@example.com) already exists."``
    """
    return postgres_error(f'duplicate key value violates unique constraint "{constraint}"', detail=detail)


def foreign_key_violation(
    constraint: str, *, table: str, detail: str | None = None
) -> exc.ConnectionExecuteError:
    """An insert or update on ``table`` that violates the foreign key ``constraint``.

    ``detail`` is PostgreSQL's ``DETAIL`` line, e.g. ``'Key (user_id)=(7) is not present in table "users".'``
    """
    return postgres_error(
        f'insert or update on table "{table}" violates foreign key constraint "{constraint}"', detail=detail
    )


def serialization_failure() -> exc.ConnectionExecuteError:
    """A serialization failure (SQLSTATE 40001), on a statement or on ``commit()``: retry the transaction."""
    error = postgres_error("could not serialize access due to concurrent update")
    failure = failure_of(error)
    assert failure is not None
    failure.at_commit = _SERIALIZATION_AT_COMMIT
    return error


def deadlock_detected() -> exc.ConnectionExecuteError:
    """A deadlock PostgreSQL broke by failing this statement (SQLSTATE 40P01)."""
    return postgres_error(
        "deadlock detected",
        detail="Process 1 waits for ShareLock on transaction 2; blocked by process 2.",
        hint="See server log for query details.",
    )


def connection_lost() -> exc.ConnectionExecuteError:
    """The server connection is gone: this call and every later one on the connection fail."""
    return make(Failure("connection closed", phase=None, kind="lost"))
