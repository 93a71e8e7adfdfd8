"""psqlpy's exception classes, as ``asyncfakes.psqlpy`` raises them.

When psqlpy is installed these ARE psqlpy's own classes (``asyncfakes.psqlpy.exceptions.Error is
psqlpy.exceptions.Error``), so ``except psqlpy.exceptions.ConnectionExecuteError`` in the code under
test catches what the fake raises. Without psqlpy they are same-named stand-ins in the same
hierarchy, so tests can still name them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._standins import adopt, psqlpy_module

if TYPE_CHECKING:
    from psqlpy.exceptions import (
        BaseConnectionError,
        BaseConnectionPoolError,
        BaseCursorError,
        BaseListenerError,
        BaseTransactionError,
        ConnectionClosedError,
        ConnectionExecuteError,
        ConnectionPoolBuildError,
        ConnectionPoolConfigurationError,
        ConnectionPoolExecuteError,
        CursorClosedError,
        CursorCloseError,
        CursorFetchError,
        CursorStartError,
        DatabaseError,
        DataError,
        Error,
        IntegrityError,
        InterfaceError,
        InternalError,
        ListenerCallbackError,
        ListenerClosedError,
        ListenerStartError,
        MacAddrConversionError,
        NotSupportedError,
        OperationalError,
        ProgrammingError,
        PyToRustValueMappingError,
        RustToPyValueMappingError,
        TransactionBeginError,
        TransactionClosedError,
        TransactionCommitError,
        TransactionExecuteError,
        TransactionRollbackError,
        TransactionSavepointError,
        UUIDValueConvertError,
        WarningError,
    )

__all__ = [
    "BaseConnectionError",
    "BaseConnectionPoolError",
    "BaseCursorError",
    "BaseListenerError",
    "BaseTransactionError",
    "ConnectionClosedError",
    "ConnectionExecuteError",
    "ConnectionPoolBuildError",
    "ConnectionPoolConfigurationError",
    "ConnectionPoolExecuteError",
    "CursorCloseError",
    "CursorClosedError",
    "CursorFetchError",
    "CursorStartError",
    "DataError",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "ListenerCallbackError",
    "ListenerClosedError",
    "ListenerStartError",
    "MacAddrConversionError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "PyToRustValueMappingError",
    "RustToPyValueMappingError",
    "TransactionBeginError",
    "TransactionClosedError",
    "TransactionCommitError",
    "TransactionExecuteError",
    "TransactionRollbackError",
    "TransactionSavepointError",
    "UUIDValueConvertError",
    "WarningError",
]

# Every name in psqlpy.exceptions.__all__ (psqlpy 0.13): psqlpy's class, or a stand-in.
globals().update(adopt(__all__, psqlpy_module("psqlpy.exceptions")))
