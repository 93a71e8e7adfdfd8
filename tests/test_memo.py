"""Memo: the bounded per-SQL dict of facts the hot path reads (placeholder counts, columns)."""

from __future__ import annotations

from asyncfakes._memo import Memo


def test_a_fact_is_computed_once_per_key() -> None:
    """The first lookup computes the value; the next ones read it back without computing."""
    seen: list[str] = []

    def compute(key: str) -> int:
        seen.append(key)
        return len(key)

    memo = Memo(compute)
    assert (3, 3, 5) == (memo["abc"], memo["abc"], memo["hello"])
    assert ["abc", "hello"] == seen


def test_a_full_memo_forgets_everything_at_the_next_miss() -> None:
    """At ``size`` keys a miss clears the memo first, so it never holds more than ``size``."""
    memo = Memo(len, size=2)
    assert (1, 2) == (memo["a"], memo["bb"])
    assert {"a": 1, "bb": 2} == memo.known
    assert 3 == memo["ccc"]
    assert {"ccc": 3} == memo.known
