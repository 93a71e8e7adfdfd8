"""Memo: a bounded dict of facts computed once per key (a statement's placeholders, its columns).

A hit is a plain dict lookup, which is what the per-call hot path can afford: about half the cost
of calling an ``lru_cache``-wrapped function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["Memo"]

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V]):
    """``memo[key]`` is ``compute(key)``, computed on the first lookup and kept.

    When ``size`` keys are kept, the next miss forgets them all: a test suite sends a few hundred
    distinct statements, so the bound only guards against a generator of unique SQL.
    """

    __slots__ = ("_compute", "_size")

    def __init__(self, compute: Callable[[K], V], size: int = 4096) -> None:
        super().__init__()
        self._compute = compute
        self._size = size

    def __missing__(self, key: K) -> V:
        value = self._compute(key)
        if len(self) >= self._size:
            self.clear()
        self[key] = value
        return value
