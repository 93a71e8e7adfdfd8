"""BaseConnection: lifecycle, connection-wide stubs, verification and the extension hooks of every fake."""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from ._calls import UNSET, Call, CallLog
from ._columns import known_columns, row_misfit
from ._errors import FakeConnectionClosed, NameHints, did_you_mean, history_lines
from ._method import InFlight
from ._registry import Verifiable
from ._script import Script
from ._spec import fake_method, specs_of
from ._stubs import Stub, ValueCheck
from ._transaction import BaseTransaction

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["DEFAULT_COLUMNS", "BaseConnection"]

DEFAULT_COLUMNS: set[type] = set()
"""The connection classes that keep the default ``row_columns`` (a set lookup, for the hot path)."""

_columns_of = known_columns.known

_NAMED_CALL = re.compile(r"#(\d+) (\w+)\(")
"""A call as a problem names it: ``#12 fetch(``."""


class BaseConnection(Verifiable, NameHints):
    """What every fake connection has: the script, recording, lifecycle, stubs and ``verify()``.

    Driver flavours subclass it and declare the driver's methods with :func:`fake_method`;
    :class:`FakeConnection` is the generic one. Pass ``strict=True`` to make unscripted calls
    fail with :class:`UnexpectedCall`, ``ordered=True`` to require expectations to be met
    in the order they were declared, and ``optional_stubs=True`` to let ``when()`` stubs answer
    no call without ``verify()`` reporting them. ``share_with=other`` makes this connection
    answer from and record into ``other``'s script (pools use it).
    """

    transaction_class: ClassVar[type[BaseTransaction]] = BaseTransaction
    """The transaction type ``transaction()`` makes; flavours set their own."""

    fake_hosts: ClassVar[tuple[type, ...]] = ()
    """Other classes whose fake methods record on this connection (cursors, statements)."""

    checkpoint_calls: ClassVar[bool] = False
    """When true, every call yields to the event loop once while it is in flight, as a networked
    driver's does, so ``check_call`` sees two tasks overlapping on one connection (``in_flight``)
    even when their answers are plain values."""

    _asyncfakes_uncached: bool = False
    # Set on an instance whose lifetime is observable (a pooled psqlpy connection gives its slot
    # back when collected): its fake methods are not cached on it, so no cycle delays that.

    _checks_calls: ClassVar[bool] = False
    _times_calls: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Only connections that add rules or timeouts pay for those hooks on every call.
        cls._checks_calls = cls.check_call is not BaseConnection.check_call
        cls._times_calls = cls.call_timeout is not BaseConnection.call_timeout
        if cls.row_columns is BaseConnection.row_columns:
            DEFAULT_COLUMNS.add(cls)

    def __init__(
        self,
        *,
        strict: bool = False,
        ordered: bool = False,
        optional_stubs: bool = False,
        share_with: BaseConnection | None = None,
    ) -> None:
        self.strict = strict
        self._script: Script = (
            share_with._script
            if share_with is not None
            else Script(self.method_names(), ordered=ordered, optional_stubs=optional_stubs)
        )
        self._closed = False
        self._flight = InFlight()
        self._transaction_stack: list[BaseTransaction] = []
        # Connections sharing a script share its transactions too, so their numbers are unique
        # in the one history they record into.
        self._transactions: list[BaseTransaction] = share_with._transactions if share_with is not None else []

    # --- the extension hooks -------------------------------------------------------------
    @classmethod
    def method_names(cls) -> frozenset[str]:
        """The names of every fake method recorded on this connection type."""
        names = cls.__dict__.get("_asyncfakes_names")
        if names is None:
            found: set[str] = set()
            for klass in (cls, cls.transaction_class, *cls.fake_hosts):
                found.update(specs_of(klass))
            names = frozenset(found)
            cls._asyncfakes_names = names  # type: ignore[attr-defined]
        return names

    def fake_context(self) -> tuple[BaseConnection, BaseTransaction | None]:
        """Calls on the connection record here and run in its active transaction, if any."""
        return self, None

    def check_call(self, call: Call) -> None:
        """Called before each call is answered; raise to refuse it. Flavours add driver rules."""
        if self._closed and call.method != "close":
            raise self.closed_error(call)

    def call_timeout(self, call: Call) -> float | None:
        """Seconds a scripted delay, hang or gate may take before the call times out, or ``None``.

        Flavours return the driver's own timeout (asyncpg's ``timeout=``), so a hung call fails
        with the running library's timeout error instead of hanging the test.
        """
        return None

    def closed_error(self, call: Call) -> BaseException:
        """The error for a call on a closed connection; flavours return their driver's error."""
        return FakeConnectionClosed(
            f"{call.method}() on a closed connection: close() was awaited earlier "
            "(calls on this connection are listed in conn.calls)."
        )

    def natural_answer_is_scripted(self, call: Call) -> bool:
        """Whether the test set up the natural answer ``call`` gets (the generic ``fetch_return = ...``).

        Such a call is answered on purpose, so ``verify()`` never reports it as a near miss of a stub.
        """
        return False

    def call_failed(self, call: Call, error: BaseException) -> BaseException | None:
        """Called when a call raises or is cancelled; flavours track transaction failure here.

        Return an exception to raise instead of ``error`` (to give it the driver's exact class
        for this method, say), or ``None`` to let ``error`` propagate.
        """
        return None

    def row_columns(self, call: Call) -> tuple[str, ...] | None:
        """The columns a scripted row answering ``call`` must have, or ``None`` not to check.

        By default those the SQL names at top level (:func:`output_columns`). Override it to
        refine the rule, or to return ``None`` and turn the check off.
        """
        sql = call._sql
        if sql is None:
            return None
        try:
            return _columns_of[sql]  # the memo's plain dict: the hot path of the flavours' checks
        except KeyError:
            return known_columns[sql]

    def check_columns(self, call: Call, names: Sequence[str]) -> None:
        """Raise ``ValueError`` (listing both) if a scripted row's ``names`` are not ``call``'s columns.

        Flavours call it where they shape scripted rows.
        """
        columns = self.row_columns(call)
        if columns is not None:
            problem = row_misfit(columns, tuple(names), call.method)
            if problem is not None:
                raise ValueError(problem)

    def problems(self) -> list[str]:
        """What ``verify()`` reports; flavours extend it (``super().problems() + [...]``)."""
        found = super().problems()
        found += self._script.problems()
        found += [f"{tx!r} was never committed or rolled back." for tx in self._transaction_stack]
        found += [tx.never_started() for tx in self._transactions if tx.state == "new"]
        return found

    @property
    def in_flight(self) -> int:
        """How many calls on this connection are being answered right now."""
        return self._flight.count

    @fake_method(name="close", sql=None, strict=False)
    async def _close_call(self) -> None:
        return None

    def transaction(self) -> BaseTransaction:
        """Return a new transaction (a savepoint if one is active when it starts)."""
        return self.transaction_class(self)

    async def close(self) -> None:
        """Close the connection; later calls raise. Recorded as a ``close`` call."""
        try:
            await self._close_call()
        finally:
            self._closed = True

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was awaited."""
        return self._closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    # --- whole-connection scripting and assertions ---------------------------------------
    @property
    def calls(self) -> CallLog:
        """Every call on this connection, its transactions, cursors and statements, in order."""
        history = self._script.history
        return CallLog(history, history=history, title="calls", methods=self._script.methods)

    @property
    def transactions(self) -> Sequence[BaseTransaction]:
        """Every transaction made on this connection, in order."""
        return tuple(self._transactions)

    def _method(self, method: str | None) -> str | None:
        if method is not None and method not in self._script.methods:
            msg = (
                f"method={method!r}: this connection has no fake method of that name; it has "
                f"{sorted(self._script.methods)}.{did_you_mean(method, self._script.methods)}"
            )
            raise ValueError(msg)
        return method

    def when(
        self,
        *,
        sql: object = UNSET,
        params: object = UNSET,
        method: str | None = None,
        optional: bool = False,
    ) -> Stub:
        """Return a stub answering the calls of any method (or ``method``) that match.

        ``verify()`` reports a stub that answered no call, unless it is ``optional=True``.
        """
        stub = self._script.add_stub(self._method(method), sql, params, None, optional=optional)
        stub._check = self._value_check(method)
        return stub

    def expect(
        self,
        *,
        sql: object = UNSET,
        params: object = UNSET,
        method: str | None = None,
        times: int = 1,
    ) -> Stub:
        """Like :meth:`when`, but ``verify()`` fails unless it is used exactly ``times`` times."""
        stub = self._script.add_stub(self._method(method), sql, params, times)
        stub._check = self._value_check(method)
        return stub

    def _value_check(self, method: str | None) -> ValueCheck | None:
        spec = specs_of(type(self)).get(method) if method is not None else None
        return None if spec is None else spec.check

    def reset_mock(self) -> None:
        """Forget every call, answer and stub, as ``AsyncMock.reset_mock()`` (``reset`` is asyncpg's)."""
        self._script.reset()

    def verify(self) -> None:
        """Fail with :class:`ExpectationsNotMet` listing every problem, not just the first.

        Reports what README's "What verify() reports" lists: unmet expectations, unused stubs,
        near misses, half-written scripts, unused one-shots, misfits, swallowed
        ``UnexpectedCall`` errors, calls never awaited, open transactions. Under pytest (and with
        :class:`asyncfakes.unittest.VerifyFakesMixin`) it runs by itself when the test ends.
        """
        __tracebackhide__ = True
        super().verify()

    def verify_report(self, found: list[str]) -> str:
        """``verify()``'s report: the numbered problems, then the calls on this connection.

        A long history is cut (:func:`~asyncfakes._errors.history_lines`), but the calls the
        problems name (``#12 fetch(``) are shown in any case.
        """
        lines = [super().verify_report(found)]
        history = self._script.history
        lines.append(
            f"Calls on this connection ({len(history)}):" if history else "Calls on this connection: none."
        )
        named = {(int(index), method) for index, method in _NAMED_CALL.findall("\n".join(found))}
        pinned = [call for call in history if (call.index, call.method) in named]
        lines += history_lines(history, pinned=pinned, mark="named above")
        return "\n".join(lines)

    def assert_executed(self, sql: object, params: object = UNSET, *, times: int | None = None) -> None:
        """Assert some call of any method (or exactly ``times`` calls) sent ``sql`` with ``params``."""
        __tracebackhide__ = True
        self.calls.assert_executed(sql, params, times=times)

    def assert_not_executed(self, sql: object, params: object = UNSET) -> None:
        """Assert no call of any method sent ``sql`` (with ``params``, when given)."""
        __tracebackhide__ = True
        self.calls.assert_not_executed(sql, params)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<{type(self).__name__} {state}, {len(self._script.history)} calls>"


DEFAULT_COLUMNS.add(BaseConnection)
