"""Call, the immutable record of one interaction, and CallLog, an ordered read-only list of them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from operator import is_
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, cast, overload

from ._copies import CONTAINERS, snapshot
from ._errors import FakeAssertionError, did_you_mean, history_lines, render, shorten, similarity
from ._matchers import Matcher, normalize_sql, params_equal, show_sql, sql_matcher

if TYPE_CHECKING:
    from ._transaction import BaseTransaction

__all__ = ["UNSET", "Call", "CallLog", "Outcome"]

Outcome = Literal["pending", "returned", "raised", "cancelled"]
"""How a call ended: still ``pending`` while in flight, then returned, raised or cancelled."""

EMPTY_KWARGS: Final[Mapping[str, Any]] = MappingProxyType({})

# Call.args is kept as a code, not a tuple, when it is rebuilt from the SQL and params the call
# holds anyway: most calls are fetch(sql) or fetch(sql, params), and the tuple (with the
# caller's own params object in it) would double what a recorded call keeps alive.
_SQL_ONLY: Final = 1  # args == (sql,)
_SQL_PARAMS: Final = 2  # args == (sql, params)
_SQL_STAR: Final = 3  # args == (sql, *params), params being the *args tuple


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final[Any] = _Unset()


class Call:
    """One awaited call on a fake: what was sent, where it ran, and how it ended.

    Read-only. ``params`` is a deep snapshot taken when the call was made (lists, dicts and
    sets copied, nested ones too), so mutating them afterwards cannot rewrite history;
    ``args`` and ``kwargs`` hold snapshots too. A Call equals the tuple ``(sql, params)`` (the
    SQL compared after normalisation), so
    ``assert conn.execute.calls == [("SELECT 1", None)]`` reads naturally.
    """

    __slots__ = (
        "_args",
        "_index",
        "_kwargs",
        "_method",
        "_outcome",
        "_params",
        "_sql",
        "_transaction",
    )

    def __init__(
        self,
        method: str,
        sql: str | None,
        params: Any,
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        index: int,
        transaction: BaseTransaction | None,
    ) -> None:
        self._method = method
        self._sql = sql
        kind = type(params)  # pyright: ignore[reportUnknownVariableType]  # params: the user's Any
        # A deep snapshot (nested lists and dicts too); a tuple of scalars is kept as it is. The
        # flat list, the generic fake's usual params, is copied here without a further call.
        if kind is list:
            copied = params.copy()
            for item in copied:
                if type(item) in CONTAINERS:
                    copied = snapshot(params)
                    break
            self._params = copied
        elif kind is tuple:  # asyncpg's *args: kept as it is unless it holds a container
            for item in params:
                if type(item) in CONTAINERS:
                    params = snapshot(params)
                    break
            self._params = params
        else:
            self._params = snapshot(params) if kind is dict else params
        count = len(args)
        packed: tuple[Any, ...] | int = args
        if count and args[0] is sql:
            if count == 1:
                packed = _SQL_ONLY
            elif count == 2 and args[1] is params:
                packed = _SQL_PARAMS
            elif (
                kind is tuple
                and count == len(params) + 1
                and (args[1] is params[0] if count == 2 else all(map(is_, args[1:], params)))
            ):
                packed = _SQL_STAR
        self._args: tuple[Any, ...] | int = snapshot(packed) if packed is args else packed
        self._kwargs = snapshot(kwargs) if type(kwargs) is dict else kwargs
        self._index = index
        self._transaction = transaction
        # The Outcome while pending, returned or cancelled; the exception itself once raised.
        self._outcome: Outcome | BaseException = "pending"

    @property
    def method(self) -> str:
        """The fake method's name, e.g. ``"fetch"``."""
        return self._method

    @property
    def sql(self) -> str | None:
        """The SQL as the code under test sent it (``None`` for calls without SQL)."""
        return self._sql

    @property
    def params(self) -> Any:
        """The parameters, snapshotted at call time."""
        return self._params

    @property
    def args(self) -> tuple[Any, ...]:
        """The positional arguments, as passed (holding the params snapshot, not the original)."""
        args = self._args
        if isinstance(args, tuple):
            return args
        if args == _SQL_ONLY:
            return (self._sql,)
        if args == _SQL_PARAMS:
            return (self._sql, self._params)
        return (self._sql, *self._params)

    @property
    def kwargs(self) -> Mapping[str, Any]:
        """The keyword arguments, as passed (read-only)."""
        return self._kwargs

    @property
    def index(self) -> int:
        """The position of this call in its connection's history, from 0."""
        return self._index

    @property
    def transaction(self) -> BaseTransaction | None:
        """The transaction the call ran in, or ``None``."""
        return self._transaction

    @property
    def outcome(self) -> Outcome:
        """``"pending"``, ``"returned"``, ``"raised"`` or ``"cancelled"``."""
        outcome = self._outcome
        return outcome if isinstance(outcome, str) else "raised"

    @property
    def error(self) -> BaseException | None:
        """The exception the call raised, if it raised."""
        outcome = self._outcome
        return None if isinstance(outcome, str) else outcome

    def describe(self, *, outcome: bool = True) -> str:
        """One line for failure messages: ``#2 fetch('SELECT 1', (5,)) -> returned``."""
        shown = [] if self._sql is None else [show_sql(self._sql)]
        if self._params is not None:
            shown.append(shorten(self._params, 80))
        text = f"#{self._index} {self._method}({', '.join(shown)})"
        if outcome:
            error = self.error
            if error is None:
                text += f" -> {self._outcome}"
            elif isinstance(error, AssertionError):
                text += f" -> raised {type(error).__name__}"
            else:
                text += f" -> raised {shorten(error, 60)}"
        if self._transaction is not None:
            text += f" [in transaction #{self._transaction.number}]"
        return text

    def matches(self, sql: object = UNSET, params: object = UNSET, method: str | None = None) -> bool:
        """Return whether this call matches: SQL by matcher rules, params by ``==``."""
        if method is not None and method != self._method:
            return False
        if sql is not UNSET and (self._sql is None or not sql_matcher(sql).matches(self._sql)):
            return False
        return params is UNSET or params_equal(params, self._params)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Call):
            return (
                self._method == other._method
                and self._sql == other._sql
                and params_equal(self._params, other._params)
                and self._kwargs == other._kwargs
            )
        if isinstance(other, tuple):  # ("SELECT ...", params), as mock's call
            pair = cast("tuple[object, ...]", other)
            if len(pair) == 2 and isinstance(pair[0], (str, Matcher)):
                return self.matches(pair[0], pair[1])
        return NotImplemented

    __hash__: ClassVar[None] = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Call(method={self._method!r}, sql={self._sql!r}, params={self._params!r}, "
            f"index={self._index}, outcome={self.outcome!r})"
        )


class CallLog(Sequence[Call]):
    """An ordered, read-only list of calls with query and assertion helpers.

    A CallLog is a snapshot: take it again (``conn.calls``) to see later calls.
    """

    __slots__ = ("_calls", "_history", "_methods", "_title")

    def __init__(
        self,
        calls: Sequence[Call],
        *,
        history: Sequence[Call] | None = None,
        title: str = "calls",
        methods: frozenset[str] = frozenset(),
    ) -> None:
        self._calls = tuple(calls)
        self._history = tuple(history) if history is not None else self._calls
        self._title = title
        self._methods = methods

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> CallLog: ...
    def __getitem__(self, index: int | slice) -> Call | CallLog:
        if isinstance(index, slice):
            return self._derive(self._calls[index])
        return self._calls[index]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(self._calls)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, CallLog)):
            calls = cast("Sequence[object] | CallLog", other)
            return len(self._calls) == len(calls) and all(
                a == b for a, b in zip(self._calls, calls, strict=True)
            )
        return NotImplemented

    __hash__: ClassVar[None] = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CallLog({list(self._calls)!r})"

    def _derive(self, calls: Sequence[Call]) -> CallLog:
        return CallLog(calls, history=self._history, title=self._title, methods=self._methods)

    def _fail(self, headline: str, **kwargs: Any) -> FakeAssertionError:
        return FakeAssertionError(render(headline, history=self._history, **kwargs))

    @property
    def sql(self) -> list[str | None]:
        """The SQL of each call, in order."""
        return [call.sql for call in self._calls]

    @property
    def params(self) -> list[Any]:
        """The parameters of each call, in order."""
        return [call.params for call in self._calls]

    @property
    def first(self) -> Call:
        """The first call; fails with the history when there is none."""
        __tracebackhide__ = True
        if not self._calls:
            msg = f"Expected at least one of {self._title}, but there were none."
            raise self._fail(msg)
        return self._calls[0]

    @property
    def last(self) -> Call:
        """The last call; fails with the history when there is none."""
        __tracebackhide__ = True
        if not self._calls:
            msg = f"Expected at least one of {self._title}, but there were none."
            raise self._fail(msg)
        return self._calls[-1]

    def one(self) -> Call:
        """Return the only call; fail listing every call when there are none or several."""
        __tracebackhide__ = True
        if len(self._calls) != 1:
            msg = f"Expected exactly one of {self._title}, but there were {len(self._calls)}."
            raise self._fail(msg, details=history_lines(self._calls))
        return self._calls[0]

    def filter(self, *, method: str | None = None, sql: object = UNSET, params: object = UNSET) -> CallLog:
        """Return the calls that match ``method``, ``sql`` (matcher rules) and ``params`` (``==``)."""
        if method is not None and self._methods and method not in self._methods:
            suggestion = did_you_mean(method, self._methods)
            msg = f"filter(method={method!r}): no fake method has that name.{suggestion}"
            raise ValueError(msg)
        if sql is not UNSET:
            sql = sql_matcher(sql)
        return self._derive([c for c in self._calls if c.matches(sql, params, method)])

    def assert_executed(self, sql: object, params: object = UNSET, *, times: int | None = None) -> None:
        """Assert some call (or exactly ``times`` calls) sent ``sql`` with ``params``."""
        __tracebackhide__ = True
        found = self.filter(sql=sql, params=params)
        if (times is None and found) or len(found) == times:
            return
        want = f"sql={_shown(sql)}" + ("" if params is UNSET else f", params={params!r}")
        count = "at least once" if times is None else f"{times} time(s)"
        msg = f"Expected {want} to be executed {count}, but it was executed {len(found)} time(s)."
        match = None if found else nearest_match(self._calls, sql, params)
        raise self._fail(
            msg,
            nearest=None if match is None else match[1],
            pinned=() if match is None else (match[0],),
        )

    def assert_not_executed(self, sql: object, params: object = UNSET) -> None:
        """Assert no call sent ``sql`` (with ``params``, when given)."""
        __tracebackhide__ = True
        found = self.filter(sql=sql, params=params)
        if found:
            msg = f"Expected sql={_shown(sql)} not to be executed, but it was executed {len(found)} time(s):"
            raise self._fail(msg, details=history_lines(found))


def _shown(sql: object) -> str:
    return show_sql(sql) if isinstance(sql, str) else repr(sql)


def matcher_text(sql: object) -> str | None:
    """The text a SQL matcher stands for, normalised, to rank near misses by; ``None`` if it has none."""
    if isinstance(sql, str):
        return normalize_sql(sql)
    text = getattr(sql, "text", None)
    return normalize_sql(text) if isinstance(text, str) else None


def nearest_call(calls: Sequence[Call], sql: object, params: object, method: str | None = None) -> str | None:
    """Describe the call closest to ``sql``/``params`` and what differed, or ``None`` if no calls."""
    match = nearest_match(calls, sql, params, method)
    return None if match is None else match[1]


def nearest_match(
    calls: Sequence[Call], sql: object, params: object, method: str | None = None
) -> tuple[Call, str] | None:
    """The call closest to ``sql``/``params`` and the description of what differed, or ``None``."""
    candidates = [c for c in calls if c.sql is not None]
    if not candidates:
        return None
    target = matcher_text(sql)

    def score(call: Call) -> float:
        assert call.sql is not None
        text = similarity(target, normalize_sql(call.sql)) if target is not None else 0.0
        same_params = params is UNSET or params_equal(params, call.params)
        same_method = method is None or method == call.method
        return text + (0.5 if same_params else 0.0) + (0.25 if same_method else 0.0)

    best = max(candidates, key=score)
    lines = [best.describe()]
    if method is not None and best.method != method:
        lines.append(f"  method differs: expected {method!r}, got {best.method!r}")
    assert best.sql is not None
    if sql is not UNSET and not sql_matcher(sql).matches(best.sql):
        shown = normalize_sql(sql) if isinstance(sql, str) else repr(sql)
        lines += [
            "  sql differs (normalised):",
            f"    - {shown}",
            f"    + {normalize_sql(best.sql)}",
        ]
    if params is not UNSET and not params_equal(params, best.params):
        lines.append(f"  params differ: expected {params!r}, got {best.params!r}")
    return best, "\n".join(lines)
