"""``create_pool()``: asyncpg's module-level pool factory, making a new :class:`FakePool`."""

from __future__ import annotations

from typing import Any

from ._pool import FakePool, Hook

__all__ = ["create_pool"]


def create_pool(
    dsn: str | None = None,
    *,
    min_size: int = 10,
    max_size: int = 10,
    setup: Hook | None = None,
    init: Hook | None = None,
    record_class: type[Any] | None = None,
    **connect_kwargs: Any,
) -> FakePool:
    """``asyncpg.create_pool``'s shape, making a new :class:`FakePool` (shared script).

    For code that takes the pool factory as a parameter; to script the pool before the code
    creates it, make a ``FakePool()`` and pass its ``create_pool`` instead.
    """
    return FakePool().create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        setup=setup,
        init=init,
        record_class=record_class,
        **connect_kwargs,
    )
