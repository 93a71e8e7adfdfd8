"""The exception family and the message renderer."""

from __future__ import annotations

import pytest

from asyncfakes import ExpectationsNotMet, FakeAssertionError, UnexpectedCall
from asyncfakes._errors import did_you_mean, render, type_error


@pytest.mark.parametrize("error", [FakeAssertionError, UnexpectedCall, ExpectationsNotMet])
def test_failures_are_assertion_errors(error: type[Exception]) -> None:
    """Test runners report every asyncfakes failure as a failed assertion."""
    assert issubclass(error, AssertionError)


def test_did_you_mean() -> None:
    """A close name is suggested; a far one is not."""
    assert " Did you mean 'fetch'?" == did_you_mean("fecth", ["fetch", "execute"])
    assert "" == did_you_mean("zzz", ["fetch", "execute"])


def test_render_sections_in_order() -> None:
    """A message has the headline, expected, details, history, nearest match and hint, in that order."""

    class Item:
        def describe(self) -> str:
            return "#0 fetch('SELECT 1')"

    text = render(
        "Headline.",
        expected="something",
        history=[Item()],
        nearest="#0 close",
        details=["  detail"],
        hint="do this",
    )
    assert (
        "Headline.\n"
        "Expected: something\n"
        "  detail\n"
        "Calls on this connection (1):\n"
        "  #0 fetch('SELECT 1')\n"
        "Nearest match: #0 close\n"
        "Hint: do this"
    ) == text


def test_type_error_names_value_type_and_remedy() -> None:
    """type_error says what was wrong, what is accepted and what to do."""
    error = type_error("raises()", 3, "an exception", "Use returns().")
    assert ("raises() got 3 of type int; it accepts an exception. Use returns().",) == error.args
