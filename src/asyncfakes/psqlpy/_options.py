"""Transaction options: psqlpy's IsolationLevel and ReadVariant, their checks, and the BEGIN they send."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._standins import adopt, psqlpy_module

if TYPE_CHECKING:
    from psqlpy import IsolationLevel, ReadVariant

__all__ = ["IsolationLevel", "ReadVariant", "begin_sql", "transaction_options"]

globals().update(adopt(("IsolationLevel", "ReadVariant"), psqlpy_module("psqlpy")))

_LEVELS = {
    "ReadUncommitted": "READ UNCOMMITTED",
    "ReadCommitted": "READ COMMITTED",
    "RepeatableRead": "REPEATABLE READ",
    "Serializable": "SERIALIZABLE",
}
_VARIANTS = {"ReadOnly": "READ ONLY", "ReadWrite": "READ WRITE"}


def _member(value: object) -> str:
    # psqlpy's enums are pyo3 types without .name; both they and the stand-ins repr as Class.Member.
    return repr(value).rpartition(".")[2]


def transaction_options(isolation_level: Any, read_variant: Any, deferrable: Any) -> dict[str, Any]:
    """Check ``transaction()``'s arguments as psqlpy does (a ``TypeError`` at once) and return them."""
    for value, kind, name in (
        (isolation_level, IsolationLevel, "IsolationLevel"),
        (read_variant, ReadVariant, "ReadVariant"),
        (deferrable, bool, "bool"),
    ):
        if value is not None and not isinstance(value, kind):
            msg = f"'{type(value).__name__}' object is not an instance of '{name}'"
            raise TypeError(msg)
    return {"isolation_level": isolation_level, "read_variant": read_variant, "deferrable": deferrable}


def begin_sql(options: Mapping[str, Any]) -> str:
    """The statement psqlpy's ``begin()`` sends, e.g. ``START TRANSACTION ISOLATION LEVEL SERIALIZABLE``."""
    parts = ["START TRANSACTION"]
    level, variant, deferrable = options["isolation_level"], options["read_variant"], options["deferrable"]
    if level is not None:
        parts.append(f"ISOLATION LEVEL {_LEVELS[_member(level)]}")
    if variant is not None:
        parts.append(_VARIANTS[_member(variant)])
    if deferrable is not None:
        parts.append("DEFERRABLE" if deferrable else "NOT DEFERRABLE")
    return " ".join(parts)
