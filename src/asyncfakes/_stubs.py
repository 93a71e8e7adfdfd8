"""Answer verbs, stubs (``when``) and expectations (``expect``), the stub index, and verification."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from ._answers import CALL, GATE, HANG, RAISE, VALUE, AnswerFunction, AnswerQueue, Gate, make_answer
from ._calls import UNSET, Call, CallLog
from ._errors import shorten
from ._matchers import Matcher, params_equal

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._script import Script

__all__ = ["Delayed", "Scriptable", "Stub", "ValueCheck"]

ValueCheck = Callable[[Any], object]
"""Checks a scripted value fits what a method returns: raises ``TypeError`` or ``ValueError`` if not."""


class Scriptable:
    """The answer verbs shared by fake methods and stubs.

    ``returns_once``/``raises_once``/``answers_once``/``hangs_once`` queue one-shot answers
    (first in, first out); ``returns``/``raises``/``answers``/``hangs`` set the sticky answer
    used once the queue is empty. Every verb returns ``self`` so they chain.
    """

    __slots__ = ()

    def _answer_queue(self) -> AnswerQueue:
        raise NotImplementedError

    def _delay(self) -> float:
        return 0.0

    def _value_check(self) -> ValueCheck | None:
        return None

    if TYPE_CHECKING:  # what every kind of Scriptable provides

        def _home(self) -> Script: ...
        def _method_name(self) -> str | None: ...

    def _finish(self) -> None:
        """Called once a verb scripted an answer: the script is no longer half-written."""

    def _script(self, kind: int, payload: Any, once: bool, verb: str) -> Self:
        where = f"{self!r}.{verb}()"
        answer = make_answer(kind, payload, self._delay(), where)
        check = self._value_check() if kind == VALUE else None
        if check is not None:
            try:
                check(payload)
            except (TypeError, ValueError) as misfit:
                msg = f"{where}: {misfit}"
                raise TypeError(msg) from None
        queue = self._answer_queue()
        if once:
            queue.push(answer)
        else:
            queue.set_sticky(answer)
        self._finish()
        return self

    def returns(self, value: Any) -> Self:
        """Answer every call with ``value`` (shaped into the driver's type) from now on."""
        return self._script(VALUE, value, False, "returns")

    def returns_once(self, value: Any) -> Self:
        """Answer the next call with ``value``; chain to queue several, in order."""
        return self._script(VALUE, value, True, "returns_once")

    def raises(self, error: BaseException | type[BaseException]) -> Self:
        """Raise ``error`` (an instance, or a class to instantiate) on every call from now on."""
        return self._script(RAISE, error, False, "raises")

    def raises_once(self, error: BaseException | type[BaseException]) -> Self:
        """Raise ``error`` on the next call only."""
        return self._script(RAISE, error, True, "raises_once")

    def answers(self, function: AnswerFunction) -> Self:
        """Answer every call with ``function(call)``; it may be async, return a value, or raise."""
        return self._script(CALL, function, False, "answers")

    def answers_once(self, function: AnswerFunction) -> Self:
        """Answer the next call with ``function(call)``."""
        return self._script(CALL, function, True, "answers_once")

    def hangs(self) -> Self:
        """Never answer (until cancelled) every call from now on."""
        return self._script(HANG, None, False, "hangs")

    def hangs_once(self) -> Self:
        """Never answer the next call, until it is cancelled; later calls answer as scripted."""
        return self._script(HANG, None, True, "hangs_once")

    def gate(self) -> Gate:
        """Hold the next call at a :class:`Gate` until the test releases it, and return the gate."""
        gate = Gate()
        self._script(GATE, gate, True, "gate")
        return gate

    def delays(self, seconds: float) -> Delayed:
        """Return the same verbs, each answering only after ``seconds``.

        >>> conn.fetch.delays(0.5).returns_once([])  # doctest: +SKIP
        """
        value = cast("object", seconds)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            msg = f"delays() takes a number of seconds >= 0, got {seconds!r}."
            raise ValueError(msg)
        delayed = Delayed(self, float(seconds))
        line = repr(delayed)
        self._home().unfinished[delayed] = (
            self._method_name(),
            line if line[:5] == "conn." else f"conn.{line}",
        )
        return delayed


class Delayed(Scriptable):
    """The answer verbs of a fake method or stub, each answer delayed by a fixed time."""

    __slots__ = ("_seconds", "_target")

    def __init__(self, target: Scriptable, seconds: float) -> None:
        self._target = target
        self._seconds = seconds

    def _answer_queue(self) -> AnswerQueue:
        return self._target._answer_queue()

    def _delay(self) -> float:
        return self._seconds

    def _value_check(self) -> ValueCheck | None:
        return self._target._value_check()

    def _home(self) -> Script:
        return self._target._home()

    def _method_name(self) -> str | None:
        return self._target._method_name()

    def _finish(self) -> None:
        self._home().unfinished.pop(self, None)
        self._target._finish()

    def __repr__(self) -> str:
        return f"{self._target!r}.delays({self._seconds})"


class Stub(Scriptable):
    """Answers for the calls that match: made by ``when(...)``, or ``expect(...)`` when it must be used."""

    __slots__ = (
        "_calls",
        "_check",
        "_queue",
        "_script_of",
        "method",
        "optional",
        "params",
        "seq",
        "sql",
        "times",
    )

    def __init__(
        self,
        method: str | None,
        sql: Matcher | None,
        params: Any,
        times: int | None,
        seq: int,
        script: Script,
        *,
        optional: bool = False,
    ) -> None:
        self.method: str | None = method
        self.optional: bool = optional
        """Whether ``verify()`` accepts this stub answering no call (``when(..., optional=True)``)."""
        self._script_of = script
        self.sql: Matcher | None = sql
        self.params: Any = params
        self.times: int | None = times
        self.seq: int = seq
        self._queue = AnswerQueue()
        self._calls: list[Call] = []
        self._check: ValueCheck | None = None

    def _answer_queue(self) -> AnswerQueue:
        return self._queue

    def _value_check(self) -> ValueCheck | None:
        return self._check

    def _home(self) -> Script:
        return self._script_of

    def _method_name(self) -> str | None:
        return self.method

    def _finish(self) -> None:
        self._script_of.unfinished.pop(self, None)

    @property
    def calls(self) -> CallLog:
        """The calls this stub answered."""
        return CallLog(self._calls, title=f"calls matching {self!r}")

    @property
    def is_expectation(self) -> bool:
        """Whether the stub must be used (made by ``expect``)."""
        return self.times is not None

    def accepts(self, method: str, sql: str | None, params: Any) -> bool:
        """Return whether the stub matches a call and still has an answer for it."""
        if self.sql is not None and (sql is None or not self.sql.matches(sql)):
            return False
        return self.accepts_matched(method, params)

    def accepts_matched(self, method: str, params: Any) -> bool:
        """Like :meth:`accepts`, for a call whose SQL is known to match (found by the SQL index)."""
        if self.method is not None and self.method != method:
            return False
        if self.params is not UNSET and not params_equal(self.params, params):
            return False
        queue = self._queue
        # A when() with no verb yet answers nothing (not even under strict=True); expect() may.
        return (queue.scripted or self.times is not None) and not queue.exhausted

    def __repr__(self) -> str:
        verb = "expect" if self.times is not None else "when"
        target = f"{self.method}." if self.method else ""
        parts = [] if self.sql is None else [f"sql={self.sql!r}"]
        if self.params is not UNSET:
            parts.append(f"params={shorten(self.params, 60)}")
        if self.times not in (None, 1):
            parts.append(f"times={self.times}")
        if self.optional:
            parts.append("optional=True")
        return f"{target}{verb}({', '.join(parts)})"
