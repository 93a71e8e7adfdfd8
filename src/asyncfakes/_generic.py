"""FakeConnection: the generic fake with the reference fakes' methods and attribute API."""

from __future__ import annotations

from typing import Any, ClassVar

from ._calls import Call
from ._columns import known_columns
from ._connection import DEFAULT_COLUMNS, BaseConnection
from ._copies import snapshot
from ._errors import ParameterMismatch
from ._placeholders import ONE_SET, call_problem, positional_count
from ._records import (
    FakeRecord,
    check_row,
    check_rows,
    fit_columns,
    raise_if_error,
    record_of,
    rows_of,
)
from ._spec import fake_method
from ._transaction import BaseTransaction, FakeTransaction

__all__ = ["FakeConnection"]


_new = object.__new__
_columns_of = known_columns.known  # the memos' plain dicts: read directly on the hot path
_count_of = positional_count.known


def _columns(conn: BaseConnection, call: Call) -> tuple[str, ...] | None:
    # The row_columns hook, skipped for a dict lookup when the connection keeps the default.
    sql = call._sql
    if sql is None or type(conn) not in DEFAULT_COLUMNS:
        return type(conn).row_columns(conn, call)  # a class read: see BaseConnection.row_columns
    return known_columns[sql]


def rows_record(host: FakeConnection, call: Call, value: Any) -> FakeRecord:
    """Shape the generic ``fetch``'s answer, refusing what is not rows or lacks the SQL's columns."""
    if type(value) is list:  # the usual answer, a list of rows: checked inline, per call
        if value:
            sql = call._sql  # _columns(host, call), inlined
            if sql is not None and type(host) in DEFAULT_COLUMNS:
                try:
                    columns = _columns_of[sql]
                except KeyError:
                    columns = known_columns[sql]
            else:
                columns = type(host).row_columns(host, call)
            if columns is not None:
                for row in value:  # pyright: ignore[reportUnknownVariableType]
                    # A dict with exactly the statement's columns, in its order, fits at once.
                    if type(row) is not dict or tuple(row) != columns:  # pyright: ignore[reportUnknownArgumentType]
                        fit_columns(host, call, value, columns)  # pyright: ignore[reportUnknownArgumentType]
                        break
        record = _new(FakeRecord)  # FakeRecord(value, len(value)), without calling a class
        record._data = value
        record._rows = None
        record.rowcount = len(value)  # pyright: ignore[reportUnknownArgumentType]
        return record
    check_rows(value)
    return _fit(host, call, value if isinstance(value, FakeRecord) else FakeRecord(value))


def row_record(host: FakeConnection, call: Call, value: Any) -> FakeRecord:
    """Shape the generic ``fetch_row``'s answer, refusing what is not a row or lacks the SQL's columns."""
    check_row(value)
    return _fit(host, call, value if isinstance(value, FakeRecord) else FakeRecord(value))


def _fit(conn: FakeConnection, call: Call, record: FakeRecord) -> FakeRecord:
    rows = rows_of(record._data)
    if rows:
        columns = _columns(conn, call)
        if columns is not None:
            fit_columns(conn, call, rows, columns)
    return record


class FakeConnection(BaseConnection):
    """A fake async database connection: script what it answers, then assert on what it was sent.

    The generic fake, with the method set of the hand-written fakes people migrate from:
    ``execute``, ``execute_many``, ``fetch``, ``fetch_row``, ``fetch_val``, ``transaction()``,
    ``close()`` and ``async with conn``; and their attribute API (``fetch_return = ...``,
    ``execute_calls``) answering whenever nothing else is scripted.
    """

    transaction_class: ClassVar[type[BaseTransaction]] = FakeTransaction

    def __init__(
        self,
        *,
        strict: bool = False,
        ordered: bool = False,
        optional_stubs: bool = False,
        share_with: BaseConnection | None = None,
    ) -> None:
        super().__init__(strict=strict, ordered=ordered, optional_stubs=optional_stubs, share_with=share_with)
        self._clear_returns()

    def _clear_returns(self) -> None:
        self.execute_return: Any = None
        self.fetch_return: Any = None
        self.fetch_row_return: Any = None
        self.fetch_val_return: Any = None
        self._mismatches: list[str] = []

    def reset_mock(self) -> None:
        """Forget every call, answer, stub and expectation, and the ``*_return`` attributes."""
        super().reset_mock()
        self._clear_returns()

    def natural_answer_is_scripted(self, call: Call) -> bool:
        """Whether a ``*_return`` attribute (the hand-written fakes' API) answers ``call``."""
        method = "execute" if call.method == "execute_many" else call.method
        return getattr(self, f"{method}_return", None) is not None

    def transaction(self) -> FakeTransaction:
        """Return a new transaction (a savepoint if one is active when it starts)."""
        return FakeTransaction(self)

    def check_call(self, call: Call) -> None:
        """Refuse calls on a closed connection, and parameters that do not fit the SQL's placeholders.

        ``execute``, ``fetch``, ``fetch_row`` and ``fetch_val`` take one set of parameters,
        ``execute_many`` a list of them: a list or tuple must have one value per placeholder, a
        mapping a key per named placeholder. The error (:class:`ParameterMismatch`) is also
        reported by ``verify()``, in case the code under test swallows it.
        """
        params = call._params
        kind = type(params)  # pyright: ignore[reportUnknownVariableType]
        sql = call._sql
        one_set = kind is list or kind is tuple
        if one_set and sql is not None and call._method in ONE_SET and not self._closed:
            try:
                count = _count_of[sql]
            except KeyError:
                count = positional_count[sql]
            if count == len(params):
                return  # the usual call, answered after one dict lookup
        if self._closed:
            super().check_call(call)
        if sql is None:
            return
        problem = call_problem(call._method, sql, params)
        if problem is not None:
            message = f"{call.describe(outcome=False)}: {problem}"
            self._mismatches.append(message)
            raise ParameterMismatch(message)

    def problems(self) -> list[str]:
        """The core's problems, and every parameter mismatch raised into the code under test."""
        return super().problems() + [f"{text} (ParameterMismatch raised)" for text in self._mismatches]

    # --- the generic driver surface ------------------------------------------------------
    @fake_method(shape=record_of)
    async def execute(self, stmt: str, parameters: Any = None) -> FakeRecord:
        """Run a statement; answers a :class:`FakeRecord`."""
        value = self.execute_return
        raise_if_error(value)
        if isinstance(value, list) and value and all(isinstance(item, list) for item in value):  # pyright: ignore[reportUnknownVariableType]
            return FakeRecord(value.pop(0))
        return FakeRecord(snapshot(value))

    @fake_method(shape=record_of, params=("parameters_list", "parameters"))
    async def execute_many(
        self, stmt: str, parameters_list: Any = None, parameters: Any = None
    ) -> FakeRecord:
        """Run a statement once per parameter set; answers a :class:`FakeRecord` of the row count."""
        raise_if_error(self.execute_return)
        params = parameters_list if parameters_list is not None else parameters
        total = len(params) if params else 0
        return FakeRecord(total, rowcount=total)

    @fake_method(shape=rows_record, check=check_rows)
    async def fetch(self, stmt: str, parameters: Any = None) -> FakeRecord:
        """Run a query; answers a :class:`FakeRecord` of its rows."""
        raise_if_error(self.fetch_return)
        return FakeRecord(snapshot(self.fetch_return))

    @fake_method(shape=row_record, check=check_row)
    async def fetch_row(self, stmt: str, parameters: Any = None) -> FakeRecord:
        """Run a query for one row; answers a :class:`FakeRecord` (``record[0]`` is the :class:`Row`)."""
        value = self.fetch_row_return
        raise_if_error(value)
        if value is not None:
            return value if isinstance(value, FakeRecord) else FakeRecord(snapshot(value))
        if isinstance(self.fetch_return, list) and self.fetch_return:  # pyright: ignore[reportUnknownMemberType]
            return FakeRecord(self.fetch_return.pop(0))  # pyright: ignore[reportUnknownMemberType]
        return FakeRecord(snapshot(self.fetch_return))  # pyright: ignore[reportUnknownMemberType]

    @fake_method
    async def fetch_val(self, stmt: str, parameters: Any = None) -> Any:
        """Run a query for one value; answers the value itself."""
        raise_if_error(self.fetch_val_return)
        return snapshot(self.fetch_val_return)

    # --- the hand-written fakes' call lists --------------------------------------------
    def _pairs(self, *methods: str) -> list[tuple[str | None, Any]]:
        return [(c.sql, c.params) for c in self._script.history if c.method in methods]

    @property
    def execute_calls(self) -> list[tuple[str | None, Any]]:
        """``(stmt, params)`` of every ``execute`` and ``execute_many`` call (migration API)."""
        return self._pairs("execute", "execute_many")

    @property
    def fetch_calls(self) -> list[tuple[str | None, Any]]:
        """``(stmt, params)`` of every ``fetch`` and ``fetch_row`` call (migration API)."""
        return self._pairs("fetch", "fetch_row")

    @property
    def fetch_val_calls(self) -> list[tuple[str | None, Any]]:
        """``(stmt, params)`` of every ``fetch_val`` call (migration API)."""
        return self._pairs("fetch_val")
