"""The exception family and the renderer that makes failures read like a bug report."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

__all__ = [
    "ExpectationsNotMet",
    "FakeAssertionError",
    "FakeConnectionClosed",
    "FakeTransactionError",
    "NameHints",
    "ParameterMismatch",
    "UnexpectedCall",
    "aborted_note",
    "add_note",
    "call_site",
    "did_you_mean",
    "history_lines",
    "missing_attribute",
    "render",
]


class FakeAssertionError(AssertionError):
    """A test failure found by asyncfakes: an assertion on calls, or a misuse by the code under test.

    Every failure asyncfakes raises into a test is a subclass, so test runners report it as a
    failed assertion, not as an error.
    """


class UnexpectedCall(FakeAssertionError):
    """A call nothing was scripted for, on a connection made with ``strict=True``.

    The call is also remembered, so ``verify()`` reports it even when the code under test
    caught and swallowed this error.
    """


class ExpectationsNotMet(FakeAssertionError):
    """``verify()`` found problems: unmet expectations, unused answers, unexpected or unawaited calls."""


class FakeConnectionClosed(Exception):
    """An operation was attempted on a fake connection after ``close()``.

    The generic fake raises this; driver flavours raise their driver's own error instead.
    """


class FakeTransactionError(Exception):
    """A transaction was used in a state that does not allow it (commit after rollback, ...).

    The generic fake raises this; driver flavours raise their driver's own error instead.
    """


class ParameterMismatch(FakeAssertionError):
    """The parameters of a call do not fit the placeholders of its SQL (the generic fake's check).

    A driver would refuse the statement; the generic fake raises this, and ``verify()`` reports
    it even when the code under test swallowed it. Driver flavours raise their driver's error.
    """


class _Describable(Protocol):
    def describe(self) -> str: ...


def add_note(error: BaseException, note: str) -> BaseException:
    """Add ``note`` to ``error``'s notes (shown under its traceback) and return ``error``.

    What ``BaseException.add_note`` does on Python 3.11+, on 3.10 too (which keeps the notes in
    ``__notes__`` without showing them). Flavours use it to say why a driver error happened.
    """
    notes = getattr(error, "__notes__", None)
    if not isinstance(notes, list):
        notes = []
        error.__notes__ = notes
    cast("list[str]", notes).append(note)
    return error


_PLUMBING = ("asyncfakes", "asyncio", "contextlib", "trio", "anyio", "outcome", "sniffio")


def call_site() -> str:
    """Where the test's or the application's code called into asyncfakes: ``app.py:12 in load``.

    The first frame, going outwards, outside asyncfakes and the async libraries. Flavours use
    it to say who holds a resource (``acquired by ...`` when a pool is exhausted).
    """
    import os
    import sys

    frame = sys._getframe(1)
    while frame.f_back is not None and str(frame.f_globals.get("__name__")).split(".")[0] in _PLUMBING:
        frame = frame.f_back
    path = frame.f_code.co_filename
    here = os.getcwd() + os.sep
    shown = path[len(here) :] if path.startswith(here) else path
    return f"{shown}:{frame.f_lineno} in {frame.f_code.co_name}"


def aborted_note(call: _Describable | None) -> str:
    """The note for a driver's "current transaction is aborted" error: which statement aborted it."""
    cause = "an earlier statement" if call is None else f"the failed statement {call.describe()}"
    return (
        f"asyncfakes: the transaction was aborted by {cause}; PostgreSQL refuses every statement until "
        "ROLLBACK (or ROLLBACK TO SAVEPOINT)."
    )


def shorten(value: object, width: int = 120) -> str:
    """Return ``repr(value)``, cut in the middle when longer than ``width``."""
    text = repr(value)
    if len(text) <= width:
        return text
    half = (width - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest of ``choices``, or ``""``."""
    from difflib import get_close_matches

    close = get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def missing_attribute(obj: object, name: str) -> AttributeError:
    """The ``AttributeError`` for ``obj.name`` that says why: not faked yet, or a misspelling.

    ``type(obj).unfaked_methods`` (a mapping of real driver method names to a hint, or ``""``)
    lists what the driver has and the fake does not fake yet; otherwise the closest public
    names are suggested (``fetchone`` -> ``fetch`` or ``fetch_row``; asyncpg's ``fetchval``
    on a psqlpy fake -> ``fetch_val``). Flavours call it from a ``__getattr__``.
    """
    from difflib import SequenceMatcher

    kind = type(obj).__name__
    if hasattr(type(obj), name):  # a property raised AttributeError itself: give that error back
        try:
            object.__getattribute__(obj, name)
        except AttributeError as error:
            return error
    unfaked: dict[str, str] = dict(getattr(type(obj), "unfaked_methods", {}))
    if name in unfaked:
        hint = unfaked[name]
        msg = (
            f"{kind}.{name}: the real driver has it, but asyncfakes does not fake it yet."
            f"{' ' + hint if hint else ''} To fake it yourself, add it to a subclass of {kind} "
            "(fake_method makes it recorded and scriptable: README, 'Faking your own driver')."
        )
        return AttributeError(msg)
    names = {n for n in dir(obj) if not n.startswith("_")} - set(unfaked)
    ranked = sorted(((SequenceMatcher(None, name, n).ratio(), n) for n in names), reverse=True)
    close = [n for score, n in ranked[:2] if score >= 0.6 and score >= ranked[0][0] - 0.1]
    suggestion = f" Did you mean {' or '.join(repr(n) for n in close)}?" if close else ""
    return AttributeError(f"{kind!r} object has no attribute {name!r}.{suggestion}")


class NameHints:
    """Mixin: reading an unknown attribute says why (:func:`missing_attribute`), at run time only.

    Set ``unfaked_methods`` to the driver's names the fake does not fake yet, each with a hint
    (or ``""``). Type checkers do not see the ``__getattr__``, so they keep flagging typos.
    """

    __slots__ = ()

    unfaked_methods: ClassVar[Mapping[str, str]] = {}
    """Methods of the real driver this fake does not fake yet, each with a hint (or ``""``)."""

    if not TYPE_CHECKING:  # pragma: no branch  # at run time only: type checkers still flag unknown names

        def __getattr__(self, name: str) -> Any:
            # Reached only when normal lookup fails: a misspelt or not yet faked driver method.
            if name[:2] == "__":
                raise AttributeError(name)
            raise missing_attribute(self, name)


def render(
    headline: str,
    *,
    expected: str | None = None,
    history: Sequence[_Describable] = (),
    history_title: str = "Calls on this connection",
    nearest: str | None = None,
    details: Sequence[str] = (),
    hint: str | None = None,
    pinned: Sequence[_Describable] = (),
) -> str:
    """Build a failure message: what happened, what was expected, the history, the nearest match.

    A long history is cut as :func:`history_lines` cuts it; the ``pinned`` items (the call of the
    nearest match) are shown even when they fall in the part cut out.
    """
    lines = [headline]
    if expected is not None:
        lines.append(f"Expected: {expected}")
    lines.extend(details)
    if history:
        lines.append(f"{history_title} ({len(history)}):")
        lines += history_lines(history, pinned=pinned, mark="nearest match")
    else:
        lines.append(f"{history_title}: none.")
    if nearest is not None:
        lines.append(f"Nearest match: {nearest}")
    if hint is not None:
        lines.append(f"Hint: {hint}")
    return "\n".join(lines)


HISTORY_HEAD = 10
"""How many of the first calls a long history shows in a failure message."""
HISTORY_TAIL = 40
"""How many of the last calls a long history shows in a failure message."""


def history_lines(
    history: Sequence[_Describable], *, pinned: Sequence[_Describable] = (), mark: str = ""
) -> list[str]:
    """One indented line per item; a history longer than ``HISTORY_HEAD + HISTORY_TAIL`` is cut.

    A long history shows its first ``HISTORY_HEAD`` and last ``HISTORY_TAIL`` items, with a line
    saying how many are not shown in between; a ``pinned`` item that falls in that part is shown
    in its place anyway, followed by ``<- mark``.
    """
    if len(history) <= HISTORY_HEAD + HISTORY_TAIL:
        return [f"  {item.describe()}" for item in history]
    items = list(history)
    keep = {id(item) for item in pinned}
    lines = [f"  {item.describe()}" for item in items[:HISTORY_HEAD]]
    hidden = 0
    for item in items[HISTORY_HEAD:-HISTORY_TAIL]:
        if id(item) not in keep:
            hidden += 1
            continue
        if hidden:
            lines.append(_not_shown(hidden))
            hidden = 0
        lines.append(f"  {item.describe()}" + (f"  <- {mark}" if mark else ""))
    if hidden:
        lines.append(_not_shown(hidden))
    lines += [f"  {item.describe()}" for item in items[-HISTORY_TAIL:]]
    return lines


def _not_shown(count: int) -> str:
    return f"  ... {count} call{'' if count == 1 else 's'} not shown (conn.calls has them all) ..."


def similarity(a: str, b: str) -> float:
    """Return how alike two texts are, from 0.0 to 1.0."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio()


def type_error(what: str, value: Any, accepted: str, suggestion: str = "") -> TypeError:
    """Return a ``TypeError`` saying what was wrong, what is accepted, and what to do."""
    msg = f"{what} got {shorten(value, 80)} of type {type(value).__name__}; it accepts {accepted}."
    if suggestion:
        msg += f" {suggestion}"
    return TypeError(msg)
