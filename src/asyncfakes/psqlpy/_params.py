"""psqlpy's client-side parameter checks: the placeholders a statement has, and what psqlpy refuses.

psqlpy binds ``$1, $2, ...`` from a sequence and ``$(name)p`` from a mapping; it refuses other
parameter types, a mapping without named placeholders, a missing name, and too few values (too
many are silently ignored). The fake refuses the same calls with the same errors, so a DAO that
sends the wrong number of parameters fails its unit test, not production.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from . import exceptions as exc
from ._failures import Failure, client_side, failure_of, make

__all__ = ["check_many", "check_parameters", "placeholders"]

_NUMBERED = re.compile(r"\$(\d+)")
_NAMED = re.compile(r"\$\((\w+)\)p")
_DOLLAR_QUOTE = re.compile(r"\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$")


def _identifier_char(char: str) -> bool:
    return char.isalnum() or char in "_$"


def _skip_string(sql: str, start: int, backslashes: bool) -> int:
    """Return the index after the string literal opening at ``start``."""
    i, n = start + 1, len(sql)
    while i < n:
        char = sql[i]
        if backslashes and char == "\\":
            i += 2
        elif char == "'":
            if sql.startswith("''", i):
                i += 2
            else:
                return i + 1
        else:
            i += 1
    return n


def _skip_block_comment(sql: str, start: int) -> int:
    depth, i, n = 0, start, len(sql)
    while i < n:
        if sql.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif sql.startswith("*/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def _skip_to(sql: str, start: int, closing: str) -> int:
    end = sql.find(closing, start)
    return len(sql) if end < 0 else end + len(closing)


@lru_cache(maxsize=512)
def placeholders(sql: str) -> tuple[int, tuple[str, ...]]:
    """Return the highest ``$n`` and the distinct ``$(name)p`` names, outside literals and comments."""
    highest = 0
    names: dict[str, None] = {}  # a dict keeps first-seen order
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char == "'":
            escaped = i > 0 and sql[i - 1] in "eE" and (i < 2 or not _identifier_char(sql[i - 2]))
            i = _skip_string(sql, i, escaped)
        elif char == '"':
            i = _skip_to(sql, i + 1, '"')
        elif sql.startswith("--", i):
            i = _skip_to(sql, i, "\n")
        elif sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
        elif char == "$" and not (i > 0 and _identifier_char(sql[i - 1])):
            if match := _NUMBERED.match(sql, i):
                highest = max(highest, int(match[1]))
            elif match := _NAMED.match(sql, i):
                names[match[1]] = None
            elif match := _DOLLAR_QUOTE.match(sql, i):
                i = _skip_to(sql, match.end(), match[0])
                continue
            i = match.end() if match else i + 1
        else:
            i += 1
    return highest, tuple(names)


def _is_sequence(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _mapping_error() -> Exception:
    return exc.PyToRustValueMappingError("Parameters must be sequence or mapping")


def check_parameters(sql: str | None, parameters: Any, *, count: bool = True) -> Exception | None:
    """Return the error psqlpy raises for ``parameters`` with ``sql``, or ``None`` when it accepts them.

    ``count=False`` skips the check for too few values (``prepare()`` leaves it to ``execute()``).
    """
    highest, names = placeholders(sql or "")
    if isinstance(parameters, Mapping):
        if not names or highest:
            return _mapping_error()
        for name in names:
            if name not in parameters:
                return exc.PyToRustValueMappingError(f"Cannot find parameter with name <{name}>")
        return None
    if parameters is not None and not _is_sequence(parameters):
        return _mapping_error()
    expected = highest or len(names)
    given = 0 if parameters is None else len(parameters)
    if count and given < expected:
        return make(
            Failure(f"expected {expected} parameters but got {given}", phase="execute", kind="client")
        )
    return None


def check_many(sql: str | None, parameters: Any) -> Exception | None:
    """Return the error psqlpy's ``execute_many`` raises for ``parameters``, or ``None``."""
    if parameters is None:
        return None
    if isinstance(parameters, str):
        return TypeError("Can't extract `str` to `Vec`")
    if not _is_sequence(parameters):
        return TypeError(f"'{type(parameters).__name__}' object is not an instance of 'Sequence'")
    for index, one in enumerate(parameters):
        error = check_parameters(sql, one)
        if error is not None and index == 0 and failure_of(error) is None:
            # psqlpy builds the statement from the first set, and words its refusal so.
            return client_side(exc.ConnectionExecuteError(f"Cannot build statement in execute_many: {error}"))
        if error is not None:
            return error
    return None
