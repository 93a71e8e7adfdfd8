"""Answer verbs, stubs (``when``) and expectations (``expect``), the stub index, and verification."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._answers import CALL, GATE, HANG, RAISE, VALUE, AnswerFunction, AnswerQueue, Gate, make_answer
from ._calls import UNSET, Call, CallLog, nearest_call
from ._errors import UnexpectedCall, render, shorten
from ._matchers import Matcher, SQLMatcher, normalize_sql, params_equal, sql_matcher

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Delayed", "Script", "Scriptable", "Stub"]


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

    def _script(self, kind: int, payload: Any, once: bool, verb: str) -> Self:
        answer = make_answer(kind, payload, self._delay(), f"{self!r}.{verb}()")
        queue = self._answer_queue()
        if once:
            queue.push(answer)
        else:
            queue.set_sticky(answer)
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
        value: object = seconds
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:  # pyright: ignore[reportUnnecessaryIsInstance]
            msg = f"delays() takes a number of seconds >= 0, got {seconds!r}."
            raise ValueError(msg)
        return Delayed(self, float(seconds))


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

    def __repr__(self) -> str:
        return f"{self._target!r}.delays({self._seconds})"


class Stub(Scriptable):
    """Answers for the calls that match: made by ``when(...)``, or ``expect(...)`` when it must be used."""

    __slots__ = ("_calls", "_queue", "method", "params", "seq", "sql", "times")

    def __init__(
        self, method: str | None, sql: Matcher | None, params: Any, times: int | None, seq: int
    ) -> None:
        self.method: str | None = method
        self.sql: Matcher | None = sql
        self.params: Any = params
        self.times: int | None = times
        self.seq: int = seq
        self._queue = AnswerQueue()
        self._calls: list[Call] = []

    def _answer_queue(self) -> AnswerQueue:
        return self._queue

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
        return not self._queue.exhausted

    def __repr__(self) -> str:
        verb = "expect" if self.times is not None else "when"
        target = f"{self.method}." if self.method else ""
        parts = [] if self.sql is None else [f"sql={self.sql!r}"]
        if self.params is not UNSET:
            parts.append(f"params={shorten(self.params, 60)}")
        if self.times not in (None, 1):
            parts.append(f"times={self.times}")
        return f"{target}{verb}({', '.join(parts)})"


class Script:
    """The state a fake connection answers from and records into; pool connections may share one."""

    __slots__ = (
        "_exact",
        "_scanned",
        "_seq",
        "answers",
        "expectations",
        "history",
        "methods",
        "misfits",
        "ordered",
        "pending",
        "stubs",
        "unexpected",
    )

    def __init__(self, methods: frozenset[str], *, ordered: bool = False) -> None:
        self.methods = methods
        self.ordered = ordered
        self.history: list[Call] = []
        self.answers: dict[str, AnswerQueue] = {}
        self.stubs: list[Stub] = []
        self.expectations: list[Stub] = []
        self.unexpected: list[UnexpectedCall] = []
        self.misfits: list[str] = []
        self.pending: dict[int, tuple[str, str | None]] = {}
        self._exact: dict[str, list[Stub]] = {}
        self._scanned: list[Stub] = []
        self._seq = itertools.count()

    def queue_for(self, method: str) -> AnswerQueue:
        """Return the answer queue of ``method``, made on first use."""
        queue = self.answers.get(method)
        if queue is None:
            queue = self.answers[method] = AnswerQueue()
        return queue

    def add_stub(self, method: str | None, sql: object, params: object, times: int | None) -> Stub:
        """Register a stub (``times=None``) or an expectation, indexed by its normalised SQL."""
        matcher = None if sql is UNSET else sql_matcher(sql)
        count: object = times
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):  # pyright: ignore[reportUnnecessaryIsInstance]
            msg = f"expect(times=...) takes an int >= 0, got {times!r}."
            raise ValueError(msg)
        stub = Stub(method, matcher, params, times, next(self._seq))
        self.stubs.append(stub)
        if times is not None:
            self.expectations.append(stub)
        if isinstance(matcher, SQLMatcher):
            self._exact.setdefault(matcher.key, []).append(stub)
        else:
            self._scanned.append(stub)
        return stub

    def find_stub(self, method: str, sql: str | None, params: Any) -> Stub | None:
        """Return the earliest-registered stub that matches and can answer, or ``None``."""
        best: Stub | None = None
        if self._exact and sql is not None:
            for stub in self._exact.get(normalize_sql(sql), ()):
                if stub.accepts_matched(method, params):
                    best = stub
                    break
        for stub in self._scanned:
            if best is not None and stub.seq > best.seq:
                break
            if stub.accepts(method, sql, params):
                best = stub
                break
        if best is not None and self.ordered and best.times is not None:
            self._check_order(best)
        return best

    def _check_order(self, stub: Stub) -> None:
        for earlier in self.expectations[: self.expectations.index(stub)]:
            if len(earlier._calls) < (earlier.times or 0):
                msg = render(
                    f"Call out of order: it matches {stub!r}, but {earlier!r} comes first "
                    f"and was used {len(earlier._calls)} of {earlier.times} time(s).",
                    history=self.history,
                    hint="with ordered=True, declare expectations in the order the code makes the calls.",
                )
                error = UnexpectedCall(msg)
                self.unexpected.append(error)
                raise error

    def unexpected_call(self, call: Call, reason: str) -> UnexpectedCall:
        """Build (and remember, for ``verify()``) the error for a call nothing was scripted for."""
        nearest = None
        if self.stubs:
            best = max(self.stubs, key=lambda s: _stub_score(s, call))
            nearest = f"{best!r}\n" + "\n".join(_stub_differences(best, call))
        error = UnexpectedCall(
            render(
                f"Unexpected call {call.describe(outcome=False)}: {reason}.",
                history=self.history,
                nearest=nearest,
                hint=f"script it: conn.{call.method}.returns(...) or .when(sql=...).returns(...).",
            )
        )
        self.unexpected.append(error)
        return error

    def problems(self) -> Iterator[str]:
        """Yield one description per problem ``verify()`` reports."""
        for stub in self.expectations:
            used = len(stub._calls)
            if used != stub.times:
                nearest = nearest_call(self.history, _sql_of(stub), stub.params, stub.method)
                text = f"{stub!r} was expected {stub.times} time(s), but was used {used} time(s)."
                if nearest and used == 0:
                    text += "\n     nearest call: " + nearest.replace("\n", "\n     ")
                yield text
        for method, queue in self.answers.items():
            for answer in queue.pending:
                yield f"conn.{method}: a one-shot answer was never used ({answer.describe()})."
        for stub in self.stubs:
            for answer in stub._queue.pending:
                yield f"{stub!r}: a one-shot answer was never used ({answer.describe()})."
        for misfit in self.misfits:
            yield f"a scripted answer does not fit what the method returns: {misfit}"
        for error in self.unexpected:
            yield f"an UnexpectedCall was raised into the code under test:\n    {str(error).splitlines()[0]}"
        for method, sql in self.pending.values():
            target = "" if sql is None else repr(sql)
            yield f"{method}({target}) was created but never awaited."


def _sql_of(stub: Stub) -> object:
    if isinstance(stub.sql, SQLMatcher):
        return stub.sql.text
    return UNSET if stub.sql is None else stub.sql


def _stub_score(stub: Stub, call: Call) -> float:
    from ._errors import similarity

    score = 0.25 if stub.method in (None, call.method) else 0.0
    if stub.params is UNSET or params_equal(stub.params, call.params):
        score += 0.5
    if isinstance(stub.sql, SQLMatcher) and call.sql is not None:
        score += similarity(stub.sql.key, normalize_sql(call.sql))
    return score


def _stub_differences(stub: Stub, call: Call) -> list[str]:
    lines: list[str] = []
    if stub.method is not None and stub.method != call.method:
        lines.append(f"  method differs: expected {stub.method!r}, got {call.method!r}")
    if stub.sql is not None and (call.sql is None or not stub.sql.matches(call.sql)):
        expected = stub.sql.key if isinstance(stub.sql, SQLMatcher) else repr(stub.sql)
        got = normalize_sql(call.sql) if call.sql is not None else "no SQL"
        lines += ["  sql differs (normalised):", f"    - {expected}", f"    + {got}"]
    if stub.params is not UNSET and not params_equal(stub.params, call.params):
        lines.append(f"  params differ: expected {stub.params!r}, got {call.params!r}")
    if not lines:
        lines.append("  it matches, but all its one-shot answers were used")
    return lines
