"""Engines made cheaply: every FakeEngine after the first reuses an initialised dialect.

``create_async_engine`` builds a dialect, then initialises it on the first connection (four
start-up queries), and each engine compiles every statement again into its own cache. A test
suite makes one FakeEngine per test, so that is most of a fake test's cost. Once one engine with
a given URL and options has connected, its dialect and compiled-statement cache are kept here and
later FakeEngines with the same URL and options get a new engine on them: their own pool (so
their own fake connections and script), the same already-initialised dialect. The cache holds
no test's state: no connection, script or call.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["make_engine"]

_initialised: dict[str, Engine] = {}


def _clone(template: Engine, creator: Callable[[], Awaitable[Any]]) -> Engine:
    """An engine on ``template``'s dialect and statement cache, with a new pool using ``creator``."""
    engine = copy.copy(template)
    engine.__dict__.pop("dispatch", None)  # its own event listeners, not the template's
    pool = template.pool.recreate()  # the pool's connect events (type codecs) come along
    dialect = template.dialect

    def connect(record: Any = None) -> Any:
        return dialect.connect(async_creator_fn=creator)

    pool._creator = connect
    engine.pool = pool
    return engine


def make_engine(
    url: str, options: dict[str, Any], creator: Callable[[], Awaitable[Any]]
) -> tuple[AsyncEngine, bool]:
    """A new ``AsyncEngine`` on connections from ``creator``, and whether it initialises its dialect."""
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

    key = f"{url} {sorted(options.items())!r}"
    template = _initialised.get(key)
    if template is not None:
        return AsyncEngine(_clone(template, creator)), False
    made = create_async_engine(url, async_creator=creator, **options)
    sync = made.sync_engine

    def initialised(dbapi_connection: Any, record: Any) -> None:
        # Runs after SQLAlchemy's own first-connect listener: the dialect is initialised now.
        _initialised.setdefault(key, _clone(sync, creator))

    event.listen(sync.pool, "connect", initialised, once=True)
    return made, True
