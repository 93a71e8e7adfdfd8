"""Exact wording of the answer errors (mutation testing found them matched only in part)."""

from __future__ import annotations

import pytest

from asyncfakes import Gate


def test_gate_release_twice_is_refused_with_the_full_message() -> None:
    """A second release names the rule: each gate holds one call."""
    gate = Gate()
    gate.release(1)

    with pytest.raises(RuntimeError) as excinfo:
        gate.release(2)
    assert (
        "Gate.release(): this gate was already released; each gate holds one call.",
    ) == excinfo.value.args


def test_gate_release_value_and_error_is_refused_with_the_full_message() -> None:
    """A value and an error at once is refused, saying the call either returns or raises."""
    gate = Gate()

    with pytest.raises(TypeError) as excinfo:
        gate.release(1, error=ValueError("x"))
    assert (
        "Gate.release() takes a value or error=..., not both: the held call either returns or raises.",
    ) == excinfo.value.args
