"""Script: what a fake connection answers from and records into, and the problems ``verify()`` finds."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from ._answers import AnswerQueue
from ._calls import UNSET, Call, nearest_call
from ._errors import FakeAssertionError, UnexpectedCall, render, similarity
from ._matchers import Regex, SQLMatcher, normalize_sql, params_equal, show_sql, sql_matcher
from ._stubs import Stub

if TYPE_CHECKING:
    from ._stubs import Scriptable

__all__ = ["Script"]

_NEAR = 0.75  # how alike (0..1) a misspelt word and the stub's must be for a call to be a near miss
_TYPOS = 2  # at most this many misspelt words
_VERBS = "(or raises/answers/hangs)"


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
        "near_misses",
        "optional_stubs",
        "ordered",
        "pending",
        "since",
        "stubs",
        "unexpected",
        "unfinished",
    )

    def __init__(
        self, methods: frozenset[str], *, ordered: bool = False, optional_stubs: bool = False
    ) -> None:
        self.methods: frozenset[str] = methods
        self.ordered: bool = ordered
        self.optional_stubs: bool = optional_stubs
        self.pending: dict[int, tuple[str, str | None]] = {}
        self.reset()

    def reset(self) -> None:
        """Forget every call, answer, stub and expectation, and the problems found about them."""
        self.history: list[Call] = []
        self.answers: dict[str, AnswerQueue] = {}
        self.stubs: list[Stub] = []
        self.expectations: list[Stub] = []
        self.unexpected: list[tuple[Call | None, UnexpectedCall]] = []
        self.misfits: list[tuple[Call, str]] = []
        self.near_misses: list[tuple[Call, int]] = []
        self.unfinished: dict[Scriptable, tuple[str | None, str]] = {}
        self.since: dict[str, int] = {}
        self.pending.clear()
        self._exact: dict[str, list[Stub]] = {}
        self._scanned: list[Stub] = []
        self._seq = itertools.count()

    def forget(self, method: str) -> None:
        """Forget ``method``'s calls, answers and stubs (the connection's history keeps the calls)."""
        self.since[method] = len(self.history)
        self.answers.pop(method, None)
        kept = [stub for stub in self.stubs if stub.method != method]
        self.unexpected = [(c, e) for c, e in self.unexpected if c is None or c.method != method]
        self.misfits = [(c, text) for c, text in self.misfits if c.method != method]
        self.near_misses = [(c, n) for c, n in self.near_misses if c.method != method]
        self.unfinished = {k: v for k, v in self.unfinished.items() if v[0] != method}
        self.stubs, self.expectations, self._exact, self._scanned = [], [], {}, []
        for stub in kept:
            self._index(stub)

    def queue_for(self, method: str) -> AnswerQueue:
        """Return the answer queue of ``method``, made on first use."""
        queue = self.answers.get(method)
        if queue is None:
            queue = self.answers[method] = AnswerQueue()
        return queue

    def add_stub(
        self, method: str | None, sql: object, params: object, times: int | None, *, optional: bool = False
    ) -> Stub:
        """Register a stub (``times=None``) or an expectation, indexed by its normalised SQL."""
        matcher = None if sql is UNSET else sql_matcher(sql)
        count = cast("object", times)
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            msg = f"expect(times=...) takes an int >= 0, got {times!r}."
            raise ValueError(msg)
        stub = Stub(method, matcher, params, times, next(self._seq), self, optional=optional)
        self._index(stub)
        if times is None:
            self.unfinished[stub] = (method, f"conn.{stub!r}")
        return stub

    def _index(self, stub: Stub) -> None:
        self.stubs.append(stub)
        if stub.times is not None:
            self.expectations.append(stub)
        if isinstance(stub.sql, SQLMatcher):
            self._exact.setdefault(stub.sql.key, []).append(stub)
        else:
            self._scanned.append(stub)

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
                self.unexpected.append((None, error))
                raise error

    def check_unfinished(self, call: Call) -> None:
        """Refuse a call while a script for its method lacks its answer verb (``delays(0.2)`` alone)."""
        for method, line in self.unfinished.values():
            if method in (None, call.method):
                msg = render(
                    f"{line} has no answer verb, so the script for {call.method} is half-written: "
                    f"write {line}.returns(...) {_VERBS}.",
                    history=self.history,
                    hint="to count calls without answering them, use expect(...) or .calls.filter(sql=...).",
                )
                raise FakeAssertionError(msg)

    def unexpected_call(self, call: Call) -> UnexpectedCall:
        """Build (and remember, for ``verify()``) the error for a call nothing was scripted for."""
        method = call.method
        candidates = [s for s in self.stubs if s.method in (None, method)]
        if any(s.times is not None for s in candidates):
            reason = f"the connection is strict, and an expectation for {method} exists but differs"
        elif candidates:
            reason = f"the connection is strict, and no stub for {method} matches it"
        else:
            reason = f"the connection is strict and nothing is scripted for {method}"
        nearest = None
        if self.stubs:
            best = max(self.stubs, key=lambda s: _stub_score(s, call))
            nearest = f"{best!r}\n" + "\n".join(stub_differences(best, call))
        error = UnexpectedCall(
            render(
                f"Unexpected call {call.describe(outcome=False)}: {reason}.",
                history=self.history,
                nearest=nearest,
                hint=f"script it: conn.{method}.returns(...) or .when(sql=...).returns(...).",
            )
        )
        self.unexpected.append((call, error))
        return error

    def near_miss(self, call: Call, count: int) -> Stub | None:
        """The stub (of the first ``count``) that ``call`` nearly matched, or ``None``."""
        near = [s for s in self.stubs[:count] if s.method in (None, call.method) and _is_near(s, call)]
        return max(near, key=lambda s: _stub_score(s, call)) if near else None

    def near_miss_note(self, call: Call) -> str | None:
        """The note for an error the natural answer to a near-miss ``call`` raised, or ``None``."""
        stub = self.near_miss(call, len(self.stubs))
        if stub is None:
            return None
        lines = [f"asyncfakes: no stub answered {call.describe(outcome=False)}; nearest stub {stub!r}:"]
        return "\n".join(lines + stub_differences(stub, call))

    def problems(self) -> Iterator[str]:
        """Yield one description per problem ``verify()`` reports."""
        misses: dict[Stub, Call] = {}
        loose: list[tuple[Call, Stub]] = []
        for call, count in self.near_misses:
            stub = self.near_miss(call, count)
            if stub is not None:
                if self._reported(stub):
                    misses.setdefault(stub, call)
                else:
                    loose.append((call, stub))
        for stub in self.expectations:
            used = len(stub._calls)
            if used != stub.times:
                text = f"{stub!r} was expected {stub.times} time(s), but was used {used} time(s)."
                yield text + (self._nearest(stub, misses) if used == 0 else "")
        for stub in self.stubs:
            if self._reported(stub) and stub.times is None:
                yield f"{stub!r} answered no call." + self._nearest(stub, misses)
        for call, stub in loose:
            shown = call.describe(outcome=False)
            text = f"{shown} matched no stub and got the default answer; nearest: {stub!r}"
            yield "\n".join([text, *("   " + line for line in stub_differences(stub, call))])
        for line in dict.fromkeys(line for _, line in self.unfinished.values()):
            yield f"{line} has no answer verb, so it answers nothing: write {line}.returns(...) {_VERBS}."
        for method, queue in self.answers.items():
            for answer in queue.pending:
                yield f"conn.{method}: a one-shot answer was never used ({answer.describe()})."
        for stub in self.stubs:
            if stub._calls and not self._optional(stub):
                for answer in stub._queue.pending:
                    yield f"{stub!r}: a one-shot answer was never used ({answer.describe()})."
        for call, misfit in self.misfits:
            shown = call.describe(outcome=False)
            yield f"a scripted answer does not fit what the method returns: {shown}: {misfit}"
        for _, error in self.unexpected:
            yield f"an UnexpectedCall was raised into the code under test:\n    {str(error).splitlines()[0]}"
        for method, sql in self.pending.values():
            target = "" if sql is None else show_sql(sql)
            yield f"{method}({target}) was created but never awaited."

    def _optional(self, stub: Stub) -> bool:
        return stub.optional or self.optional_stubs

    def _reported(self, stub: Stub) -> bool:
        """Whether ``verify()`` reports ``stub`` itself: an unmet expectation, or an unused stub."""
        if stub.times is not None:
            return len(stub._calls) != stub.times
        return not stub._calls and not self._optional(stub) and stub not in self.unfinished

    def _nearest(self, stub: Stub, misses: dict[Stub, Call]) -> str:
        call = misses.get(stub)
        calls = self.history if call is None else [call]
        if stub.times is None:  # an unused stub: only its own method's calls are worth showing
            calls = [c for c in calls if stub.method in (None, c.method)]
        found = nearest_call(calls, _sql_of(stub), stub.params, stub.method)
        return "\n     nearest call: " + found.replace("\n", "\n     ") if found else ""


def _sql_of(stub: Stub) -> object:
    if isinstance(stub.sql, SQLMatcher):
        return stub.sql.text
    return UNSET if stub.sql is None else stub.sql


def _stub_score(stub: Stub, call: Call) -> float:
    score = 0.25 if stub.method in (None, call.method) else 0.0
    if stub.params is UNSET or params_equal(stub.params, call.params):
        score += 0.5
    if isinstance(stub.sql, SQLMatcher) and call.sql is not None:
        score += similarity(stub.sql.key, normalize_sql(call.sql))
    return score


def _is_near(stub: Stub, call: Call) -> bool:
    """Whether ``call`` looks meant for ``stub``: its SQL matches, or reads almost the same."""
    assert call.sql is not None  # calls without SQL are never near misses
    if stub.sql is None:
        return True
    if stub.sql.matches(call.sql):
        return True
    return isinstance(stub.sql, SQLMatcher) and _typos_apart(stub.sql.key, normalize_sql(call.sql))


def _typos_apart(expected: str, got: str) -> bool:
    """Whether two normalised statements differ only by a misspelt word or two (``user``/``users``).

    Statements that differ by whole words (``UPDATE a`` and ``UPDATE b``) are different statements
    a test may mean to leave unscripted, so they are no near miss.
    """
    from difflib import SequenceMatcher

    words, others = expected.split(), got.split()
    changes = [c for c in SequenceMatcher(None, words, others).get_opcodes() if c[0] != "equal"]
    return len(changes) <= _TYPOS and all(
        tag == "replace" and i2 - i1 == j2 - j1 == 1 and similarity(words[i1], others[j1]) >= _NEAR
        for tag, i1, i2, j1, j2 in changes
    )


def stub_differences(stub: Stub, call: Call) -> list[str]:
    """What differs between ``stub`` and ``call``, one line each (indented for a message)."""
    lines: list[str] = []
    if stub.method is not None and stub.method != call.method:
        lines.append(f"  method differs: expected {stub.method!r}, got {call.method!r}")
    if stub.sql is not None and (call.sql is None or not stub.sql.matches(call.sql)):
        expected = stub.sql.key if isinstance(stub.sql, SQLMatcher) else repr(stub.sql)
        got = normalize_sql(call.sql) if call.sql is not None else "no SQL"
        lines += ["  sql differs (normalised):", f"    - {expected}", f"    + {got}"]
        if isinstance(stub.sql, Regex) and call.sql is not None and stub.sql.pattern.pattern in call.sql:
            lines.append(
                "  the pattern is this SQL, but in a Regex '*', '?', '(', '.' are pattern syntax: "
                "pass the SQL as a plain string to match it as written"
            )
    if stub.params is not UNSET and not params_equal(stub.params, call.params):
        lines.append(f"  params differ: expected {stub.params!r}, got {call.params!r}")
    if not lines:
        lines.append("  it matches, but all its one-shot answers were used")
    return lines
