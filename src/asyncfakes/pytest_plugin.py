"""Optional pytest fixtures that verify fakes when the test ends: the only module importing pytest.

Enable it in a ``conftest.py`` (``pytest_plugins = ["asyncfakes.pytest_plugin"]``) or with
``-p asyncfakes.pytest_plugin``. It is not loaded automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

import pytest

from ._connection import FakeConnection

__all__ = ["Verifiable", "fake_connection", "verify_fakes"]


class Verifiable(Protocol):
    """Anything with ``verify()``: every fake connection and fake pool."""

    def verify(self) -> None:
        """Fail when the fake found problems."""
        ...


V = TypeVar("V", bound=Verifiable)


@pytest.fixture
def verify_fakes() -> Iterator[Callable[[V], V]]:
    """Register fakes to be verified when the test ends; returns each fake as it is given.

    ``conn = verify_fakes(FakeConnection(strict=True))`` (or any flavour's connection or pool).
    """
    __tracebackhide__ = True
    registered: list[Verifiable] = []

    def register(fake: V) -> V:
        if not callable(getattr(fake, "verify", None)):
            msg = f"verify_fakes() takes a fake with verify(), got {fake!r}."
            raise TypeError(msg)
        registered.append(fake)
        return fake

    yield register
    for fake in registered:
        fake.verify()


@pytest.fixture
def fake_connection(verify_fakes: Callable[[FakeConnection], FakeConnection]) -> FakeConnection:
    """A generic :class:`FakeConnection`, verified when the test ends."""
    return verify_fakes(FakeConnection())
