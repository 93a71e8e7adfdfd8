"""The registry: scopes collect the fakes created in them, and unverified fakes warn when collected."""
# It tests the private registry module itself (its scopes), isolating each test from the others'.
# pyright: reportPrivateUsage=false

from __future__ import annotations

import gc
import subprocess
import sys
import warnings
from collections.abc import Iterator

import pytest

from asyncfakes import ExpectationsNotMet, FakeConnection, UnverifiedFakeWarning, Verifiable, _registry
from asyncfakes.asyncpg import FakePool
from asyncfakes.psqlpy import FakeConnectionPool


@pytest.fixture
def outside() -> Iterator[None]:
    """No scope is open, as in a script run without pytest: the test's own scope is set aside."""
    saved = _registry._scopes[:]
    _registry._scopes.clear()
    try:
        yield
    finally:
        _registry._scopes[:] = saved


def collect_warnings(make: object) -> list[str]:
    """Drop every reference to what ``make()`` builds, collect it, and return the warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make()  # type: ignore[operator]
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, UnverifiedFakeWarning)]


class Leaky(Verifiable):
    """A fake with one problem, for the registry's own tests."""

    def problems(self) -> list[str]:
        return [*super().problems(), "something was left over."]


def test_a_scope_collects_the_fakes_created_while_it_is_innermost(outside: None) -> None:
    """Fakes join the innermost open scope, in creation order; a pool's connections stay with the pool."""
    before = FakeConnection()
    outer = _registry.open_scope()
    first = FakeConnection()
    inner = _registry.open_scope()
    pool, psqlpy_pool = FakePool(), FakeConnectionPool(2)
    inner.close()
    inner.close()  # idempotent
    second = FakeConnection()
    outer.close()
    after = FakeConnection()

    assert [first, second] == outer.fakes()
    assert [pool, psqlpy_pool] == inner.fakes()
    assert not inner.is_open
    assert not outer.is_open
    assert before is not after
    outer.verify()
    inner.verify()


def test_verify_merges_every_report_into_one_failure(outside: None) -> None:
    """Each fake with problems is listed with its own verify() report, under one headline."""
    scope = _registry.open_scope()
    conn = FakeConnection()
    conn.fetch.returns_once([])
    FakeConnection()  # no problems: not listed
    leaky = Leaky()

    with pytest.raises(ExpectationsNotMet) as excinfo:
        scope.verify("the block", " (hint)")

    assert str(excinfo.value) == "\n".join(
        [
            "2 fake(s) created during the block have problems (hint):",
            "",
            "<FakeConnection open, 0 calls>:",
            "  1 problem(s) found by verify():",
            "    1. conn.fetch: a one-shot answer was never used (returns []).",
            "  Calls on this connection: none.",
            "",
            f"{leaky!r}:",
            "  1 problem(s) found by verify():",
            "    1. something was left over.",
        ]
    )


def test_a_fake_collected_inside_its_scope_is_reported_by_the_scope(outside: None) -> None:
    """A fake that dies before its scope ends does not warn: the scope reports it."""
    scope = _registry.open_scope()

    assert [] == collect_warnings(lambda: Leaky())
    with pytest.raises(ExpectationsNotMet, match=r"(?s)Leaky object.*\(garbage-collected before the end\):"):
        scope.verify()


def test_dismiss_counts_the_fakes_as_inspected(outside: None) -> None:
    """A dismissed scope's fakes never warn, and what died inside it is forgotten."""
    scope = _registry.open_scope()
    kept = [Leaky()]
    collect_warnings(lambda: Leaky())
    scope.dismiss()
    scope.verify()  # nothing left to report

    assert [] == collect_warnings(kept.clear)


def test_an_unverified_fake_with_problems_warns_when_collected(outside: None) -> None:
    """Outside any scope, a fake nobody verified warns with its report when it is collected."""

    def make() -> None:
        conn = FakeConnection()
        conn.fetch_val.returns_once(1)

    [message] = collect_warnings(make)
    assert message.startswith(
        "<FakeConnection open, 0 calls> was garbage-collected with problems nobody verified; call verify() "
        "at the end of the test (the pytest plugin and asyncfakes.unittest.VerifyFakesMixin do it for you).\n"
        "1 problem(s) found by verify():\n"
        "  1. conn.fetch_val: a one-shot answer was never used (returns 1)."
    )


def test_a_fake_whose_scope_has_ended_warns(outside: None) -> None:
    """A fake outliving its scope unverified warns when it is finally collected."""
    scope = _registry.open_scope()
    kept = [Leaky()]
    scope.close()

    assert 1 == len(collect_warnings(kept.clear))


def test_no_warning_when_inspected_owned_clean_or_half_built(outside: None) -> None:
    """Fakes verified or inspected, owned by another, without problems, or never built do not warn."""

    def inspected() -> None:
        Leaky().problems()

    def verified() -> None:
        with pytest.raises(ExpectationsNotMet):
            Leaky().verify()

    def owned() -> None:
        owner = FakeConnection()
        owner.adopt(Leaky())
        owner.verify()

    class Broken(Leaky):
        def __init__(self) -> None:
            raise ValueError("bad argument")

    def half_built() -> None:
        with pytest.raises(ValueError, match="bad argument"):
            Broken()

    class Unreadable(Verifiable):
        def problems(self) -> list[str]:
            raise RuntimeError("torn down")

    for make in (inspected, verified, owned, FakeConnection, half_built, Unreadable):
        assert [] == collect_warnings(make), make


def test_a_half_built_fake_joins_no_scope(outside: None) -> None:
    """A fake whose __init__ raised is not verified by the scope it was made in."""
    scope = _registry.open_scope()
    with pytest.raises(Exception, match="Maximum database pool size must be more than 1"):
        FakeConnectionPool(1)
    assert [] == scope.fakes()
    scope.close()


def test_a_silenced_warning_skips_finding_the_problems(outside: None) -> None:
    """simplefilter('ignore', UnverifiedFakeWarning) skips the (possibly costly) problems() at collection."""
    looked: list[str] = []

    class Counting(Leaky):
        def problems(self) -> list[str]:
            looked.append("problems")
            return super().problems()

    def make() -> None:
        Counting()
        gc.collect()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", UnverifiedFakeWarning)
        warnings.simplefilter("error", DeprecationWarning)  # first, but another category: not decisive
        make()
    assert ([], []) == (looked, caught)

    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()  # no filter at all: the warning shows
        make()
    assert ["problems"] == looked
    assert 1 == len(caught)
    looked.clear()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=UnverifiedFakeWarning, module="elsewhere")
        make()
    assert ["problems"] == looked  # a finer filter: the problems are found, warnings decides
    assert 1 == len(caught)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("", ""),
        ("conn.fetch.returns_once([])", "conn.fetch: a one-shot answer was never used"),
    ],
)
def test_a_fake_still_alive_at_interpreter_exit_warns_cleanly(script: str, expected: str) -> None:
    """At exit imports fail: a fake alive then warns about its problems, or says nothing, never a traceback."""
    source = f"from asyncfakes import FakeConnection\nconn = FakeConnection()\n{script}\n"
    done = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Exception ignored" not in done.stderr
    assert (expected in done.stderr) if expected else ("" == done.stderr)
