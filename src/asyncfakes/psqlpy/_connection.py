"""FakeConnection: psqlpy's Connection, its checks, and the server-session state PostgreSQL enforces."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, cast

from asyncfakes import BaseConnection, BaseTransaction, Call, aborted_note, add_note, call_site, fake_method

from . import exceptions as exc
from ._cursor import FakeCursor, FakePreparedStatement
from ._failures import ABORTED, Failure, aborts, connection_lost, failure_of, is_lost, make, reshape
from ._options import transaction_options
from ._params import check_many, check_parameters
from ._results import (
    AnswerError,
    QueryResult,
    SingleQueryResult,
    first_value,
    one_row,
    rows_of,
    unexpected_row_count,
)
from ._sessions import Session, begun_inside, resume
from ._transaction import FakeTransaction
from ._unfaked import UNFAKED_CONNECTION

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._leases import Lease

__all__ = ["FakeConnection", "Parameters", "PoolSlots"]

Parameters = Sequence[Any] | Mapping[str, Any] | None
"""What psqlpy accepts as query parameters (``$1`` from a sequence, ``$(name)p`` from a mapping)."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_QUOTED = re.compile(r'"(?:[^"]|"")+"')
RETURNED = "Underlying connection is returned to the pool"
_FINISHED = ("committed", "rolled_back")  # after a failed commit psqlpy still runs its statements
_PREPARING = ("execute", "fetch", "fetch_row", "fetch_val", "execute_many")
_SAVEPOINTS = ("create_savepoint", "rollback_savepoint", "release_savepoint")
_WHILE_ABORTED = ("commit", "rollback", "rollback_savepoint")
_WITH_PARAMETERS = ("execute", "fetch", "fetch_row", "fetch_val", "prepare", "cursor")
_TRANSACTION_CONTROL = ("start", "commit", "rollback", *_SAVEPOINTS)


class PoolSlots(Protocol):
    """What a pool connection needs from its pool: a slot to take, and to give back."""

    async def take_slot(self) -> Session | None:
        """Wait for a free slot (psqlpy blocks while the pool is exhausted); its server session's state."""
        ...

    def give_back_slot(self, connection: FakeConnection) -> None:
        """Return a slot to the pool, with what ``connection`` leaves on its server session."""
        ...


def _is_prepared(call: Call) -> bool:
    if "prepared" in call.kwargs:
        return bool(call.kwargs["prepared"])
    return len(call.args) < 3 or bool(call.args[2])


def _remember(host: Any, call: Call) -> None:
    conn: FakeConnection = host.fake_context()[0]
    if call.method in _PREPARING and call.sql is not None and _is_prepared(call):
        conn._prepared.add(call.sql)


def _fit(host: Any, call: Call, rows: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Refuse rows whose columns are not the statement's; the rows in its column order if they differ."""
    conn: FakeConnection = host.fake_context()[0]
    for row in rows:
        conn.check_columns(call, list(row))
    columns = conn.row_columns(call)
    if not columns or all(tuple(row) == columns for row in rows):
        return None
    return [{name: row[name] for name in columns} for row in rows]


def _shape_rows(host: Any, call: Call, value: Any) -> QueryResult:
    result = rows_of(call.method, value)
    fitted = _fit(host, call, result._rows)
    _remember(host, call)
    return result if fitted is None else QueryResult(fitted)


def _shape_row(host: Any, call: Call, value: Any) -> SingleQueryResult:
    _remember(host, call)
    row = one_row(value)
    fitted = _fit(host, call, [row._row])
    return row if fitted is None else SingleQueryResult(fitted[0])


def _shape_value(host: Any, call: Call, value: Any) -> Any:
    _remember(host, call)
    if isinstance(value, QueryResult):
        fitted = _fit(host, call, value._rows)
        value = value if fitted is None else QueryResult(fitted)
    elif isinstance(value, SingleQueryResult):
        fitted = _fit(host, call, [value._row])
        value = value if fitted is None else SingleQueryResult(fitted[0])
    return first_value(value)


def _shape_none(host: Any, call: Call, value: Any) -> None:
    if value is not None:
        msg = (
            f"conn.{call.method}: psqlpy's {call.method}() always returns None, so there is no value to "
            f"script; got {value!r}. To make it fail, script raises(...) instead."
        )
        raise AnswerError(msg)
    _remember(host, call)


def _shape_statement(host: Any, call: Call, value: Any) -> FakePreparedStatement:
    if value is not None and not (
        isinstance(value, (list, tuple))
        and all(isinstance(name, str) for name in cast("Sequence[object]", value))
    ):
        msg = (
            "conn.prepare: script the statement's column names (a list of str, for columns()), "
            f"or None; got {value!r}. Script its rows on conn.execute."
        )
        raise AnswerError(msg)
    conn: FakeConnection = host.fake_context()[0]
    return FakePreparedStatement(conn, call.sql or "", call.params, cast("Sequence[str]", value or ()))


class FakeConnection(BaseConnection):
    """A fake psqlpy ``Connection``: psqlpy's methods, results, errors and transaction rules.

    Script answers as plain data (``conn.fetch.returns([{"id": 1}])``, ``conn.fetch_row.returns({...})``,
    ``conn.fetch_val.returns(3)``), then assert on ``conn.calls`` or each method's ``.calls``. Calls
    made through its transactions, cursors and prepared statements land in the same history and
    answer from the same script.

    Unscripted, it behaves as an empty database: ``execute``/``fetch`` give no rows, and
    ``fetch_row``/``fetch_val`` fail as psqlpy does for a query that found no row. psqlpy's own
    checks apply whether or not a call is scripted: parameter types and counts, calls after
    ``close()``, statements in a transaction that a failed statement aborted.
    """

    transaction_class: ClassVar[type[BaseTransaction]] = FakeTransaction
    fake_hosts: ClassVar[tuple[type, ...]] = (FakeCursor, FakePreparedStatement)
    unfaked_methods: ClassVar[Mapping[str, str]] = UNFAKED_CONNECTION

    def __init__(
        self,
        *,
        strict: bool = False,
        ordered: bool = False,
        optional_stubs: bool = False,
        share_with: BaseConnection | None = None,
    ) -> None:
        super().__init__(strict=strict, ordered=ordered, optional_stubs=optional_stubs, share_with=share_with)
        self._handle: Literal["ready", "pending", "closed"] = "ready"
        self._home: PoolSlots | None = None
        self._lease: Lease | None = None  # how the pool that handed it out holds it
        self._origin: object = None
        self._prepared: set[str] = set()
        self._in_block = self._inherited = False  # inherited: a server session left inside a transaction
        self._flagged = False
        self._aborted = False
        self._aborted_by: Call | None = None  # the statement that aborted the transaction
        self._lost = False
        self._savepoints: list[str] = []
        self._notes: list[str] = []
        self._acquired_at = ""  # where a pool handed it out, for "the pool is exhausted" notes

    # --- psqlpy's query methods ---------------------------------------------------------------
    @fake_method(shape=_shape_rows)
    async def execute(
        self, querystring: str, parameters: Parameters = None, prepared: bool = True
    ) -> QueryResult:
        """Run a statement; answers a :class:`QueryResult` (no rows unless scripted)."""
        self._note_prepared(querystring, prepared)
        return QueryResult()

    @fake_method(shape=_shape_rows)
    async def fetch(
        self, querystring: str, parameters: Parameters = None, prepared: bool = True
    ) -> QueryResult:
        """Run a query; answers a :class:`QueryResult` (psqlpy's ``fetch`` is ``execute``)."""
        self._note_prepared(querystring, prepared)
        return QueryResult()

    @fake_method(shape=_shape_row)
    async def fetch_row(
        self, querystring: str, parameters: Parameters = None, prepared: bool = True
    ) -> SingleQueryResult:
        """Run a query for exactly one row; zero or several rows fail as in psqlpy."""
        self._note_prepared(querystring, prepared)
        raise unexpected_row_count()

    @fake_method(shape=_shape_value)
    async def fetch_val(self, querystring: str, parameters: Parameters = None, prepared: bool = True) -> Any:
        """Run a query for the first column of exactly one row; zero or several rows fail."""
        self._note_prepared(querystring, prepared)
        raise unexpected_row_count()

    @fake_method(shape=_shape_none)
    async def execute_many(
        self, querystring: str, parameters: Sequence[Parameters] | None = None, prepared: bool = True
    ) -> None:
        """Run a statement once per parameter set; one recorded call holds the whole list."""
        self._note_prepared(querystring, prepared and bool(parameters))

    @fake_method(shape=_shape_none)
    async def execute_batch(self, querystring: str) -> None:
        """Run ``;``-separated statements without parameters; returns ``None``."""

    @fake_method(shape=_shape_statement, strict=False)
    async def prepare(self, querystring: str, parameters: Parameters = None) -> FakePreparedStatement:
        """Prepare a statement (its ``execute()`` calls are what to script; answered even when strict).

        Script the column names (a list of str) if the code reads ``columns()``.
        """
        return FakePreparedStatement(self, querystring, parameters, ())

    @property
    def transactions(self) -> Sequence[FakeTransaction]:
        """Every transaction made on this connection, in order: psqlpy's fake transactions."""
        return cast("Sequence[FakeTransaction]", super().transactions)

    def transaction(
        self, isolation_level: Any = None, read_variant: Any = None, deferrable: bool | None = None
    ) -> FakeTransaction:
        """Return a new :class:`FakeTransaction` (not begun), as psqlpy's sync ``transaction()`` does."""
        options = transaction_options(isolation_level, read_variant, deferrable)
        if self._handle != "ready":
            raise exc.ConnectionClosedError(RETURNED)
        return FakeTransaction(self, options=options)

    def cursor(
        self, querystring: str | None = None, parameters: Parameters = None, array_size: int | None = None
    ) -> FakeCursor:
        """Return a cursor over ``querystring`` (started by ``start()`` or ``async with``)."""
        return FakeCursor(self, querystring, parameters, array_size)

    async def in_transaction(self) -> bool:
        """Psqlpy's own flag: set by ``begin()``, cleared by a commit or rollback that succeeds."""
        return self._flagged

    def close(self) -> None:  # type: ignore[override]  # psqlpy's close() is sync; the core's is async
        """Give the connection back (to its pool); later calls raise ``ConnectionClosedError``."""
        if self._handle == "ready" and self._home is not None:
            self._home.give_back_slot(self)
        self._handle = "closed"

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called (or the ``async with`` block ended)."""
        return self._handle == "closed"

    def __del__(self) -> None:
        # psqlpy gives a pooled connection dropped without close() back to its pool when it is
        # collected; the pool's lease keeps the fake afterwards, for pool.connections and verify().
        lease = self.__dict__.get("_lease")
        if lease is not None:
            self._lease = None
            lease.dropped(self)
            return
        super().__del__()

    async def __aenter__(self) -> Self:
        if self._handle == "pending":
            assert self._home is not None
            resume(self, await self._home.take_slot())
            self._handle = "ready"
            self._acquired_at = call_site()
        return self

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:  # psqlpy's parameter names, so that protocols copied from psqlpy match
        self.close()

    # --- the extension hooks: psqlpy's checks and the server session --------------------------
    def check_call(self, call: Call) -> None:
        """Refuse a call as psqlpy and PostgreSQL would, before it is answered."""
        origin, self._origin = self._origin, None
        method = call.method
        tx = call.transaction
        if isinstance(origin, FakeTransaction) and origin.state in _FINISHED:
            raise exc.TransactionClosedError(RETURNED)
        if method in _SAVEPOINTS and tx is not None and tx.state in _FINISHED:
            raise exc.TransactionClosedError(RETURNED)
        if self._handle != "ready" and origin is None and method not in _TRANSACTION_CONTROL:
            raise exc.ConnectionClosedError(RETURNED)
        refusal = None
        if method == "execute_many":
            refusal = check_many(call.sql, call.params)
        elif method in _WITH_PARAMETERS:
            refusal = check_parameters(call.sql, call.params, count=method != "prepare")
        if refusal is not None:
            raise refusal
        if self._lost:
            raise connection_lost()
        if method in _SAVEPOINTS:
            self._check_savepoint(method, call.args[1])
        elif self._aborted and method not in _WHILE_ABORTED:
            raise add_note(make(Failure(ABORTED, phase=None, kind="server")), aborted_note(self._aborted_by))

    def _check_savepoint(self, method: str, name: str) -> None:
        statement = {"create_savepoint": "SAVEPOINT", "rollback_savepoint": "ROLLBACK TO SAVEPOINT"}.get(
            method, "RELEASE SAVEPOINT"
        )
        if not self._in_block:
            msg = f"{statement} can only be used in transaction blocks"
            raise _server(msg, aborting=False)
        near = _syntax_error_near(name)
        if near is not None:
            msg = f"syntax error at {near}"
            raise _server(msg)
        if self._aborted and method != "rollback_savepoint":
            raise add_note(make(Failure(ABORTED, phase=None, kind="server")), aborted_note(self._aborted_by))
        if method != "create_savepoint" and name not in self._savepoints:
            msg = f'savepoint "{name}" does not exist'
            raise _server(msg)

    def call_failed(self, call: Call, error: BaseException) -> BaseException | None:
        """Give the error psqlpy's shape for this method, and update the session state."""
        sql = call.sql
        prepared = call.method in _PREPARING and sql is not None and _is_prepared(call)
        shaped = reshape(
            error,
            call.method,
            prepared_before=prepared and sql in self._prepared,
            with_params=bool(call.params),
        )
        error = shaped or error
        failure = failure_of(error)
        if prepared and failure is not None and failure.used_phase == "execute":
            self._prepared.add(sql or "")
        if is_lost(error):
            self._lost = True
        elif self._in_block and aborts(error):
            if not self._aborted:
                self._aborted_by = call
            self._aborted = True
        return shaped

    def problems(self) -> list[str]:
        """What ``verify()`` reports: the core's problems and psqlpy pitfalls met on this connection."""
        return super().problems() + self._notes

    def _note_prepared(self, querystring: str, prepared: bool) -> None:
        if prepared:
            self._prepared.add(querystring)

    # --- the server session, driven by the transaction and the cursor --------------------------
    def _begin_block(self, who: str) -> None:
        if self._in_block:
            self._notes.append(begun_inside(who, self._inherited))
        self._in_block = self._flagged = True

    def _end_block(self, *, succeeded: bool) -> None:
        self._in_block = self._aborted = self._inherited = False
        self._flagged = self._flagged and not succeeded
        self._savepoints.clear()

    def __repr__(self) -> str:
        state = {"ready": "open", "pending": "not acquired yet", "closed": "closed"}[self._handle]
        return f"<psqlpy FakeConnection {state}, {len(self.calls)} calls>"


def _server(message: str, *, aborting: bool = True) -> Exception:
    return make(
        Failure(f"db error: ERROR: {message}", phase="execute", kind="server" if aborting else "client")
    )


def _syntax_error_near(name: str) -> str | None:
    """Where PostgreSQL's parser stops in ``SAVEPOINT <name>`` (psqlpy does not quote it), or ``None``."""
    if _IDENTIFIER.fullmatch(name) or _QUOTED.fullmatch(name):
        return None
    words = name.split()
    if not words:
        return "end of input"
    if len(words) > 1 and _IDENTIFIER.fullmatch(words[0]):
        return f'or near "{words[1]}"'
    first = words[0]
    bad = next((c for c in first if not (c.isalnum() or c in "_$")), first[0])
    return f'or near "{bad}"'
