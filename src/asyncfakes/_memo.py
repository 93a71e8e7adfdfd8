"""Memo: a bounded dict of facts computed once per key (a statement's placeholders, its columns).

The hot path reads ``memo.known``, a plain dict, directly::

    counts = Memo(count_placeholders)
    try:
        count = counts.known[sql]
    except KeyError:
        count = counts[sql]  # computed once, kept

A hit is then a plain dict lookup, the cheapest there is: subscripting a ``dict`` subclass costs
twice as much on CPython 3.11 (its ``__getitem__`` is called through a slot wrapper), and calling
an ``lru_cache``-wrapped function more still.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Memo"]

K = TypeVar("K")
V = TypeVar("V")


class Memo(Generic[K, V]):
    """``memo[key]`` is ``compute(key)``, computed on the first lookup and kept in ``memo.known``.

    When ``size`` keys are kept, the next miss forgets them all: a test suite sends a few hundred
    distinct statements, so the bound only guards against a generator of unique SQL.
    """

    __slots__ = ("_compute", "_size", "known")

    def __init__(self, compute: Callable[[K], V], size: int = 4096) -> None:
        self._compute = compute
        self._size = size
        self.known: dict[K, V] = {}
        """What is kept, by key: read it directly on a hot path (the same dict object for good)."""

    def __getitem__(self, key: K) -> V:
        known = self.known
        try:
            return known[key]
        except KeyError:
            pass
        value = self._compute(key)
        if len(known) >= self._size:
            known.clear()
        known[key] = value
        return value
