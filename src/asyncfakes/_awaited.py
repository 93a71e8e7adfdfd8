"""AsyncMock's assertion vocabulary on fake methods: ``await_count``, ``assert_awaited_with`` and kin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, ParamSpec, overload

from ._calls import UNSET, Call, CallLog, nearest_match
from ._errors import FakeAssertionError, render
from ._matchers import Matcher, show_sql

if TYPE_CHECKING:
    from ._connection import BaseConnection

__all__ = ["AwaitAssertions"]

P = ParamSpec("P")


class AwaitAssertions(Generic[P]):
    """The ``AsyncMock`` names a fake method answers to, comparing SQL normalised and params by ``==``."""

    __slots__ = ()

    if TYPE_CHECKING:  # what FakeMethod provides
        _conn: BaseConnection

        @property
        def name(self) -> str: ...
        @property
        def calls(self) -> CallLog: ...
        def _expected(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str | None, Any]: ...

    @property
    def await_count(self) -> int:
        """How many times this method was awaited."""
        return len(self.calls)

    @property
    def await_args(self) -> Call | None:
        """The last call awaited (it equals ``(sql, params)``), or ``None``, as ``AsyncMock``'s."""
        calls = self.calls
        return calls[-1] if calls else None

    @property
    def await_args_list(self) -> CallLog:
        """Every call awaited, in order (the same as ``calls``), as ``AsyncMock``'s."""
        return self.calls

    def _fail(
        self, headline: str, expected: str | None = None, nearest: tuple[Call, str] | None = None
    ) -> FakeAssertionError:
        script = self._conn._script
        created = [sql for method, sql in script.pending.values() if method == self.name]
        details: list[str] = []
        if created:
            details.append(
                f"Created but never awaited ({len(created)}), a missing 'await'?: "
                + ", ".join(f"{self.name}({'' if sql is None else show_sql(sql)})" for sql in created)
            )
        return FakeAssertionError(
            render(
                headline,
                expected=expected,
                details=details,
                history=script.history,
                nearest=None if nearest is None else nearest[1],
                pinned=() if nearest is None else (nearest[0],),
            )
        )

    def assert_awaited(self) -> None:
        """Assert the method was awaited at least once."""
        __tracebackhide__ = True
        if not self.await_count:
            msg = f"Expected {self.name} to have been awaited, but it was not."
            raise self._fail(msg)

    def assert_awaited_once(self) -> None:
        """Assert the method was awaited exactly once."""
        __tracebackhide__ = True
        count = self.await_count
        if count != 1:
            msg = f"Expected {self.name} to have been awaited once, but it was awaited {count} times."
            raise self._fail(msg)

    def assert_not_awaited(self) -> None:
        """Assert the method was never awaited."""
        __tracebackhide__ = True
        count = self.await_count
        if count:
            msg = f"Expected {self.name} not to have been awaited, but it was awaited {count} times."
            raise self._fail(msg)

    @overload
    def assert_awaited_with(self, *args: P.args, **kwargs: P.kwargs) -> None: ...
    @overload
    def assert_awaited_with(self, sql: Matcher, /, *args: Any, **kwargs: Any) -> None: ...
    def assert_awaited_with(self, *args: Any, **kwargs: Any) -> None:
        """Assert the last await sent this SQL (normalised) and these parameters."""
        __tracebackhide__ = True
        sql, params = self._expected(args, kwargs)
        calls = self.calls
        if not calls:
            msg = f"Expected {self.name} to have been awaited, but it was not."
            raise self._fail(
                msg,
                f"{_shown(sql)}, {params!r}",
            )
        last = calls[-1]
        if not last.matches(UNSET if sql is None else sql, params):
            msg = f"The last await of {self.name} differs from the expected one."
            raise self._fail(
                msg,
                f"{_shown(sql)}, {params!r}",
                nearest_match([last], UNSET if sql is None else sql, params),
            )

    @overload
    def assert_awaited_once_with(self, *args: P.args, **kwargs: P.kwargs) -> None: ...
    @overload
    def assert_awaited_once_with(self, sql: Matcher, /, *args: Any, **kwargs: Any) -> None: ...
    def assert_awaited_once_with(self, *args: Any, **kwargs: Any) -> None:
        """Assert the method was awaited exactly once, with this SQL and these parameters."""
        __tracebackhide__ = True
        self.assert_awaited_once()
        self.assert_awaited_with(*args, **kwargs)

    @overload
    def assert_any_await(self, *args: P.args, **kwargs: P.kwargs) -> None: ...
    @overload
    def assert_any_await(self, sql: Matcher, /, *args: Any, **kwargs: Any) -> None: ...
    def assert_any_await(self, *args: Any, **kwargs: Any) -> None:
        """Assert some await sent this SQL (normalised) and these parameters."""
        __tracebackhide__ = True
        sql, params = self._expected(args, kwargs)
        calls = self.calls
        if not any(c.matches(UNSET if sql is None else sql, params) for c in calls):
            msg = f"Expected {self.name} to have been awaited with these arguments, but it was not."
            raise self._fail(
                msg,
                f"{_shown(sql)}, {params!r}",
                nearest_match(list(calls), UNSET if sql is None else sql, params),
            )


def _shown(sql: str | None) -> str:
    return "None" if sql is None else show_sql(sql)
