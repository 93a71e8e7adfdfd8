"""The exception family and the renderer that makes failures read like a bug report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

__all__ = [
    "ExpectationsNotMet",
    "FakeAssertionError",
    "FakeConnectionClosed",
    "FakeTransactionError",
    "UnexpectedCall",
    "add_note",
    "did_you_mean",
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
        error.__notes__ = notes  # pyright: ignore[reportAttributeAccessIssue]  # 3.11+
    notes.append(note)
    return error


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


def render(
    headline: str,
    *,
    expected: str | None = None,
    history: Sequence[_Describable] = (),
    history_title: str = "Calls on this connection",
    nearest: str | None = None,
    details: Sequence[str] = (),
    hint: str | None = None,
) -> str:
    """Build a failure message: what happened, what was expected, the history, the nearest match."""
    lines = [headline]
    if expected is not None:
        lines.append(f"Expected: {expected}")
    lines.extend(details)
    if history:
        lines.append(f"{history_title} ({len(history)}):")
        lines.extend(f"  {item.describe()}" for item in history)
    else:
        lines.append(f"{history_title}: none.")
    if nearest is not None:
        lines.append(f"Nearest match: {nearest}")
    if hint is not None:
        lines.append(f"Hint: {hint}")
    return "\n".join(lines)


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
