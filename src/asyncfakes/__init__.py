"""asyncfakes: async test doubles for database connections.

Script what the "database" answers, hand the fake to the code under test, then assert on
exactly what it sent.
"""

from __future__ import annotations

from ._answers import AnswerFunction, Gate
from ._calls import Call, CallLog, Outcome
from ._columns import output_columns
from ._connection import BaseConnection
from ._errors import (
    ExpectationsNotMet,
    FakeAssertionError,
    FakeConnectionClosed,
    FakeTransactionError,
    NameHints,
    ParameterMismatch,
    UnexpectedCall,
    aborted_note,
    add_note,
    call_site,
    missing_attribute,
)
from ._generic import FakeConnection
from ._loops import Event
from ._matchers import ANY, Contains, Matcher, Regex, SQLMatcher, StartsWith, normalize_sql
from ._memo import Memo
from ._method import FakeMethod
from ._patching import DriverPatch, EntryCall
from ._records import FakeRecord, Row
from ._registry import UnverifiedFakeWarning, Verifiable
from ._spec import FakeHost, MethodSpec, fake_method
from ._stubs import Delayed, Scriptable, Stub
from ._transaction import BaseTransaction, FakeTransaction, TransactionState

__all__ = [
    "ANY",
    "AnswerFunction",
    "BaseConnection",
    "BaseTransaction",
    "Call",
    "CallLog",
    "Contains",
    "Delayed",
    "DriverPatch",
    "EntryCall",
    "Event",
    "ExpectationsNotMet",
    "FakeAssertionError",
    "FakeConnection",
    "FakeConnectionClosed",
    "FakeHost",
    "FakeMethod",
    "FakeRecord",
    "FakeTransaction",
    "FakeTransactionError",
    "Gate",
    "Matcher",
    "Memo",
    "MethodSpec",
    "NameHints",
    "Outcome",
    "ParameterMismatch",
    "Regex",
    "Row",
    "SQLMatcher",
    "Scriptable",
    "StartsWith",
    "Stub",
    "TransactionState",
    "UnexpectedCall",
    "UnverifiedFakeWarning",
    "Verifiable",
    "aborted_note",
    "add_note",
    "call_site",
    "fake_method",
    "missing_attribute",
    "normalize_sql",
    "output_columns",
]


def __getattr__(name: str) -> str:
    if name != "__version__":
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    from importlib.metadata import version

    return version("asyncfakes")
