"""Which fakes exist: ``Verifiable``, the base every fake with ``verify()`` shares, and verify scopes.

Test runners (the pytest plugin, the unittest mixin, the patch helpers) open a :class:`Scope`
while a test runs; every fake created meanwhile is remembered there, weakly, so the runner can
verify them all when the test ends. A fake nobody inspected that is garbage-collected with
problems warns with :class:`UnverifiedFakeWarning`. Nothing here runs on a fake's calls: only
creating and collecting a fake costs anything.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Iterator
from typing import Any, ClassVar, TypeVar

from ._errors import ExpectationsNotMet

__all__ = ["Scope", "UnverifiedFakeWarning", "Verifiable", "open_scope"]


class UnverifiedFakeWarning(UserWarning):
    """A fake was garbage-collected with problems that nobody verified or inspected.

    A ``UserWarning`` rather than a ``ResourceWarning``: Python and pytest hide
    ``ResourceWarning`` by default, and a forgotten ``verify()`` is a test bug worth seeing.
    """


class Scope:
    """The fakes created while a test (or a fixture, or a patch) runs, to verify them together.

    Made by :func:`open_scope`; fakes created while it is the innermost open scope belong to it.
    Holds them weakly; a fake collected before the scope ends with problems nobody inspected is
    remembered here instead of warning, so the scope reports it with the others.
    """

    __slots__ = ("_fakes", "_lost", "_open")

    def __init__(self) -> None:
        self._fakes: list[weakref.ref[Verifiable]] = []
        self._lost: list[tuple[str, str]] = []
        self._open = True

    @property
    def is_open(self) -> bool:
        """Whether fakes created now can still join this scope."""
        return self._open

    def close(self) -> None:
        """Stop collecting fakes (idempotent); fakes created afterwards go to the next scope out."""
        if self._open:
            self._open = False
            _scopes.remove(self)

    def fakes(self) -> list[Verifiable]:
        """The fakes created in this scope that are alive and belong to no other fake, in order."""
        alive = (ref() for ref in self._fakes)
        return [fake for fake in alive if fake is not None and fake._asyncfakes_owner is None]

    def reports(self) -> Iterator[tuple[str, str]]:
        """Yield ``(the fake's repr, its verify() report)`` for each fake of the scope with problems."""
        for fake in self.fakes():
            try:
                fake.verify()
            except ExpectationsNotMet as error:
                yield repr(fake), str(error)
        for name, report in self._lost:
            yield f"{name} (garbage-collected before the end)", report

    def verify(self, what: str = "this test", hint: str = "") -> None:
        """Close the scope and raise one :class:`ExpectationsNotMet` merging every fake's report."""
        __tracebackhide__ = True
        self.close()
        found = list(self.reports())
        self._lost.clear()
        if found:
            lines = [f"{len(found)} fake(s) created during {what} have problems{hint}:"]
            for name, report in found:
                lines += ["", f"{name}:", *(f"  {line}" for line in report.splitlines())]
            raise ExpectationsNotMet("\n".join(lines))

    def dismiss(self) -> None:
        """Close the scope and forget its fakes unverified: they count as inspected and will not warn."""
        self.close()
        for fake in self.fakes():
            fake._asyncfakes_inspected = True
        self._fakes.clear()
        self._lost.clear()


_scopes: list[Scope] = []


def _ignored() -> bool:
    """Whether the warnings filters would drop an :class:`UnverifiedFakeWarning` (by category alone)."""
    # No import here: at interpreter exit (a fake still alive) an import raises ImportError.
    for action, message, category, module, _ in warnings.filters:
        if not issubclass(UnverifiedFakeWarning, category):
            continue
        if (message is not None and message.pattern) or module is not None:
            return False  # a finer filter: let warnings decide, with the message
        return action == "ignore"
    return False


def open_scope() -> Scope:
    """Open a :class:`Scope` that collects the fakes created from now until it is closed."""
    scope = Scope()
    _scopes.append(scope)
    return scope


_T = TypeVar("_T")


class _Tracked(type):
    # Registering once the instance is built (not in __new__) keeps a fake whose __init__
    # raised out of every scope: there is nothing to verify in it.
    def __call__(cls: type[_T], *args: Any, **kwargs: Any) -> _T:
        fake: _T = type.__call__(cls, *args, **kwargs)
        fake._asyncfakes_built = True  # type: ignore[attr-defined]
        if _scopes:
            scope = _scopes[-1]
            scope._fakes.append(weakref.ref(fake))  # type: ignore[arg-type]
            fake._asyncfakes_scope = scope  # type: ignore[attr-defined]
        return fake


class Verifiable(metaclass=_Tracked):
    """The base of every fake that has ``verify()``: connections, pools, engines.

    A subclass gets, with no call of its own: tracking from creation (so the pytest plugin and
    :class:`asyncfakes.unittest.VerifyFakesMixin` verify it when the test that created it ends),
    ``verify()`` raising :class:`ExpectationsNotMet` with the report, and an
    :class:`UnverifiedFakeWarning` if it is garbage-collected with problems nobody looked at.

    It extends :meth:`problems` (``return super().problems() + [...]``), may override
    :meth:`verify_report`, and calls :meth:`adopt` on every fake it makes whose problems its own
    ``problems()`` reports (a pool's connections), so they are not reported twice.
    """

    # Class-level defaults, so a fake outside any scope stores nothing for the registry.
    _asyncfakes_owner: Verifiable | None = None
    _asyncfakes_inspected: bool = False
    _asyncfakes_scope: Scope | None = None
    _asyncfakes_built: bool = False

    verify_title: ClassVar[str] = "verify()"
    """How :meth:`verify_report` names the check in its first line (a pool says ``pool.verify()``)."""

    def problems(self) -> list[str]:
        """What ``verify()`` reports, one line each; subclasses extend it. Counts as inspecting the fake."""
        self._asyncfakes_inspected = True
        return []

    def verify_report(self, found: list[str]) -> str:
        """The text of ``verify()``'s failure for the problems ``found``; subclasses may add context."""
        lines = [f"{len(found)} problem(s) found by {self.verify_title}:"]
        lines += [f"  {i}. {text}" for i, text in enumerate(found, 1)]
        return "\n".join(lines)

    def verify(self) -> None:
        """Fail with :class:`ExpectationsNotMet` listing every problem, not just the first."""
        __tracebackhide__ = True
        found = self.problems()
        if found:
            raise ExpectationsNotMet(self.verify_report(found))

    def adopt(self, fake: Verifiable) -> None:
        """Make this fake answer for ``fake``: its problems are reported by this one's ``problems()``."""
        fake._asyncfakes_owner = self

    def __del__(self) -> None:
        if self._asyncfakes_inspected or self._asyncfakes_owner is not None or not self._asyncfakes_built:
            return
        scope = self._asyncfakes_scope
        if (scope is None or not scope.is_open) and _ignored():
            return  # silenced: skip the cost of finding the problems too
        try:
            found = self.problems()
            text = self.verify_report(found) if found else ""
        except Exception:  # at interpreter exit, what problems() needs may already be torn down
            return
        if not text:
            return
        if scope is not None and scope.is_open:
            scope._lost.append((repr(self), text))
            return
        warnings.warn(
            f"{self!r} was garbage-collected with problems nobody verified; call verify() at the end of "
            "the test (the pytest plugin and asyncfakes.unittest.VerifyFakesMixin do it for you).\n" + text,
            UnverifiedFakeWarning,
            stacklevel=2,
        )
