"""Same-named stand-ins for psqlpy's exceptions and enums, used when psqlpy is not installed.

When psqlpy is importable the flavour uses psqlpy's own classes (see :func:`adopt`), so the
code under test catches exactly what real psqlpy raises; these mirror its 0.13 hierarchy.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Sequence
from types import ModuleType
from typing import Any

__all__ = ["adopt", "psqlpy_module"]


class Error(Exception):
    """Stand-in for ``psqlpy.exceptions.Error``: the base of psqlpy's errors."""


class WarningError(Exception):
    """Stand-in for ``psqlpy.exceptions.WarningError`` (not under ``Error``, as in psqlpy)."""


class InterfaceError(Error):
    """Stand-in for ``psqlpy.exceptions.InterfaceError``."""


class DatabaseError(Error):
    """Stand-in for ``psqlpy.exceptions.DatabaseError``."""


class BaseConnectionPoolError(InterfaceError):
    """Stand-in for ``psqlpy.exceptions.BaseConnectionPoolError``."""


class ConnectionPoolBuildError(BaseConnectionPoolError):
    """Stand-in for ``psqlpy.exceptions.ConnectionPoolBuildError``."""


class ConnectionPoolConfigurationError(BaseConnectionPoolError):
    """Stand-in for ``psqlpy.exceptions.ConnectionPoolConfigurationError``."""


class ConnectionPoolExecuteError(BaseConnectionPoolError):
    """Stand-in for ``psqlpy.exceptions.ConnectionPoolExecuteError``."""


class BaseConnectionError(InterfaceError):
    """Stand-in for ``psqlpy.exceptions.BaseConnectionError``."""


class ConnectionExecuteError(BaseConnectionError):
    """Stand-in for ``psqlpy.exceptions.ConnectionExecuteError``."""


class ConnectionClosedError(BaseConnectionError):
    """Stand-in for ``psqlpy.exceptions.ConnectionClosedError``."""


class BaseTransactionError(InterfaceError):
    """Stand-in for ``psqlpy.exceptions.BaseTransactionError``."""


class TransactionBeginError(BaseTransactionError):
    """Stand-in for ``psqlpy.exceptions.TransactionBeginError``."""


class TransactionCommitError(BaseTransactionError):
    """Stand-in for ``psqlpy.exceptions.TransactionCommitError``."""


class TransactionRollbackError(BaseTransactionError):
    """Stand-in for ``psqlpy.exceptions.TransactionRollbackError``."""


class TransactionSavepointError(BaseTransactionError):
    """Stand-in for ``psqlpy.exceptions.TransactionSavepointError``."""


class TransactionExecuteError(BaseTransactionError):
    """Stand-in for ``psqlpy.exceptions.TransactionExecuteError``."""


class TransactionClosedError(BaseTransactionError):
    """Stand-in for ``psqlpy.exceptions.TransactionClosedError``."""


class BaseCursorError(InterfaceError):
    """Stand-in for ``psqlpy.exceptions.BaseCursorError``."""


class CursorStartError(BaseCursorError):
    """Stand-in for ``psqlpy.exceptions.CursorStartError``."""


class CursorCloseError(BaseCursorError):
    """Stand-in for ``psqlpy.exceptions.CursorCloseError``."""


class CursorFetchError(BaseCursorError):
    """Stand-in for ``psqlpy.exceptions.CursorFetchError``."""


class CursorClosedError(BaseCursorError):
    """Stand-in for ``psqlpy.exceptions.CursorClosedError``."""


class BaseListenerError(InterfaceError):
    """Stand-in for ``psqlpy.exceptions.BaseListenerError``."""


class ListenerStartError(BaseListenerError):
    """Stand-in for ``psqlpy.exceptions.ListenerStartError``."""


class ListenerClosedError(BaseListenerError):
    """Stand-in for ``psqlpy.exceptions.ListenerClosedError``."""


class ListenerCallbackError(BaseListenerError):
    """Stand-in for ``psqlpy.exceptions.ListenerCallbackError``."""


class DataError(DatabaseError):
    """Stand-in for ``psqlpy.exceptions.DataError``."""


class UUIDValueConvertError(DataError):
    """Stand-in for ``psqlpy.exceptions.UUIDValueConvertError``."""


class MacAddrConversionError(DataError):
    """Stand-in for ``psqlpy.exceptions.MacAddrConversionError``."""


class RustToPyValueMappingError(DataError):
    """Stand-in for ``psqlpy.exceptions.RustToPyValueMappingError``."""


class PyToRustValueMappingError(DataError):
    """Stand-in for ``psqlpy.exceptions.PyToRustValueMappingError``."""


class OperationalError(DatabaseError):
    """Stand-in for ``psqlpy.exceptions.OperationalError``."""


class IntegrityError(DatabaseError):
    """Stand-in for ``psqlpy.exceptions.IntegrityError``."""


class InternalError(DatabaseError):
    """Stand-in for ``psqlpy.exceptions.InternalError``."""


class ProgrammingError(DatabaseError):
    """Stand-in for ``psqlpy.exceptions.ProgrammingError``."""


class NotSupportedError(DatabaseError):
    """Stand-in for ``psqlpy.exceptions.NotSupportedError``."""


class IsolationLevel(enum.Enum):
    """Stand-in for ``psqlpy.IsolationLevel`` (the values are psqlpy's runtime ones)."""

    ReadUncommitted = 0
    ReadCommitted = 1
    RepeatableRead = 2
    Serializable = 3

    def __repr__(self) -> str:
        return f"IsolationLevel.{self.name}"


class ReadVariant(enum.Enum):
    """Stand-in for ``psqlpy.ReadVariant``."""

    ReadOnly = 0
    ReadWrite = 1

    def __repr__(self) -> str:
        return f"ReadVariant.{self.name}"


def psqlpy_module(name: str) -> ModuleType | None:
    """Return psqlpy's module ``name`` (``"psqlpy"``, ``"psqlpy.exceptions"``), or ``None``."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def adopt(names: Sequence[str], module: ModuleType | None) -> dict[str, Any]:
    """Return ``names`` bound to psqlpy's own objects from ``module``, or to the stand-ins."""
    source = vars(module) if module is not None else globals()
    return {name: source[name] for name in names}
