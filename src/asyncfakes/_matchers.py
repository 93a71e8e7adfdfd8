"""SQL normalisation, SQL matchers and parameter equality: pure functions and small value objects."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, ClassVar, Final, cast

from ._errors import type_error

__all__ = [
    "ANY",
    "Contains",
    "Matcher",
    "Regex",
    "SQLMatcher",
    "StartsWith",
    "normalize_sql",
    "params_equal",
    "show_sql",
    "sql_matcher",
]

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(?P<tag>\w*)\$.*?\$(?P=tag)\$)
    | (?P<numbered>\$\d+)
    | (?P<pyformat>%\((?P<pyname>\w+)\)s)
    | (?P<positional>\?|%s)
    | (?P<cast>::)
    | (?P<named>:(?P<name>[A-Za-z_]\w*))
    | (?P<word>\w+)
    | (?P<op><=|>=|<>|!=|\|\||->>|->|\#>>|\#>|@>|<@)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@lru_cache(maxsize=4096)
def normalize_sql(sql: str) -> str:
    """Return the canonical form of ``sql`` that plain-string matching compares.

    Whitespace and comments go, letters outside quotes are lower-cased, a trailing ``;`` is
    dropped, and every placeholder style (``$1``, ``?``, ``%s``, ``%(name)s``, ``:name``)
    becomes ``$n``, numbered by position (named ones by first appearance).

    >>> normalize_sql("SELECT *  FROM t WHERE id = ?;")
    'select * from t where id = $1'
    """
    tokens: list[str] = []
    counter = 0
    names: dict[str, str] = {}
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        if kind in ("word", "op", "other", "cast"):
            tokens.append(match.group().lower())
        elif kind in ("string", "numbered"):
            tokens.append(match.group(kind))
        elif kind == "positional":
            counter += 1
            tokens.append(f"${counter}")
        else:  # named or pyformat
            name = match.group("name") or match.group("pyname")
            if name not in names:
                names[name] = f"${len(names) + 1}"
            tokens.append(names[name])
    while tokens and tokens[-1] == ";":
        tokens.pop()
    return " ".join(tokens)


def show_sql(sql: str) -> str:
    """``repr(sql)`` for a message, multi-line SQL on one readable line.

    Runs of whitespace with a line break become one space and ``-- comments`` become
    ``/* comments */``; text in quotes is kept as written. Single-line SQL is shown as it is.
    """
    if "\n" not in sql:
        return repr(sql)
    parts: list[str] = []
    for match in _TOKEN.finditer(sql):
        text = match.group()
        kind = match.lastgroup
        if kind == "space":
            text = " "
        elif kind == "comment" and text[:2] == "--":
            text = f"/* {text[2:].strip()} */"
        parts.append(text)
    return repr("".join(parts).strip())


class Matcher:
    """Base of the SQL matchers: subclass it and implement ``matches(sql)``.

    A matcher also compares equal to the strings it matches, so it can stand inside an
    expected value: ``assert conn.calls.sql == [Contains("insert into users")]``.
    """

    __slots__ = ()

    def matches(self, sql: str) -> bool:
        """Return whether ``sql`` (as the code under test sent it) matches."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.matches(other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__: ClassVar[None] = None  # type: ignore[assignment]


class _Anything(Matcher):
    __slots__ = ()

    def matches(self, sql: str) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANY"


ANY: Final[Any] = _Anything()
"""Matches any SQL and equals any value, in ``sql=``, ``params=`` and inside expected params."""


class Regex(Matcher):
    r"""Matches SQL that ``re.search`` finds ``pattern`` in (the SQL as sent, not normalised).

    >>> Regex(r"FROM users\b").matches("SELECT * FROM users")
    True
    """

    __slots__ = ("pattern",)

    def __init__(self, pattern: str | re.Pattern[str], flags: int = 0) -> None:
        self.pattern: re.Pattern[str] = (
            pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        )
        _refuse_dead_end(self.pattern)

    def matches(self, sql: str) -> bool:
        """Return whether the pattern is found anywhere in ``sql``."""
        return self.pattern.search(sql) is not None

    def __repr__(self) -> str:
        flags = self.pattern.flags & ~re.UNICODE
        shown = f", flags={re.RegexFlag(flags)!r}" if flags else ""
        return f"Regex({self.pattern.pattern!r}{shown})"


# The parser behind ``re`` (``re._parser`` from Python 3.11, ``sre_parse`` before): read, never patched.
_SRE: Any = vars(re).get("_parser") or vars(re).get("sre_parse")
_ENDS = ("AT_END", "AT_END_STRING")
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _consumes(items: Any) -> bool:
    """Whether a parsed sequence must start by consuming a character other than a newline."""
    if not items:
        return False
    op, arg = items[0]
    name = op.name
    if name == "LITERAL":
        return bool(arg != 10)
    if name == "IN":
        return all(_not_newline(kind.name, value) for kind, value in arg)
    if name == "SUBPATTERN":
        return _consumes(arg[-1])
    if name in _REPEATS:
        return bool(arg[0] >= 1) and _consumes(arg[2])
    if name == "BRANCH":
        return all(_consumes(branch) for branch in arg[1])
    return False


def _not_newline(kind: str, value: Any) -> bool:
    """Whether one item of a character class can only match characters other than a newline."""
    if kind == "LITERAL":
        return bool(value != 10)
    if kind == "RANGE":
        return not value[0] <= 10 <= value[1]
    return kind == "CATEGORY" and value.name in ("CATEGORY_DIGIT", "CATEGORY_WORD")


def _dead_end(items: Any) -> bool:
    """Whether some sequence in the parsed pattern has an end anchor followed by a required character."""
    for index, (op, arg) in enumerate(items):
        name = op.name
        if name == "AT" and arg.name in _ENDS and _consumes(items[index + 1 :]):
            return True
        if name == "SUBPATTERN" and _dead_end(arg[-1]):
            return True
        if name in _REPEATS and _dead_end(arg[2]):
            return True
        if name == "BRANCH" and any(_dead_end(branch) for branch in arg[1]):
            return True
    return False


def _refuse_dead_end(pattern: re.Pattern[str]) -> None:
    r"""Refuse a pattern with a part that can never match, as an unescaped ``$1`` is.

    In a regular expression ``$`` is the end of the text, so ``$1`` (the SQL placeholder pasted
    into a pattern) asks for a ``1`` after the end: that part can never match anything. Only
    this certain case is refused; a pattern that merely looks odd is left alone.
    """
    if not _dead_end(_SRE.parse(pattern.pattern, pattern.flags)):
        return
    found = re.search(r"(?<!\\)\$(?:\(\w+\)\w*|\w+)", pattern.pattern)
    shown = repr(found.group()) if found else "an end anchor followed by text"
    msg = (
        f"Regex({pattern.pattern!r}): {shown} can never match: in a regular expression '$' is the end "
        "of the text, so nothing can follow it. To match SQL with placeholders, pass the SQL as a plain "
        "string (sql='... WHERE id = $1' matches every placeholder style) or Contains('...'); inside "
        "a pattern, escape the dollar: r'\\$1'."
    )
    raise ValueError(msg)


class _TextMatcher(Matcher):
    """A matcher defined by a text, kept with its normalised ``key``."""

    __slots__ = ("key", "text")

    def __init__(self, text: str) -> None:
        self.text: str = text
        self.key: str = normalize_sql(text)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({show_sql(self.text)})"


class Contains(_TextMatcher):
    """Matches SQL whose normalised form contains the normalised ``text``.

    >>> Contains("insert into USERS").matches("INSERT  INTO users (name) VALUES ($1)")
    True
    """

    __slots__ = ()

    def matches(self, sql: str) -> bool:
        """Return whether the normalised ``sql`` contains the normalised text."""
        return self.key in normalize_sql(sql)


class StartsWith(_TextMatcher):
    """Matches SQL whose normalised form starts with the normalised ``text``.

    >>> StartsWith("select").matches("  SELECT 1")
    True
    """

    __slots__ = ()

    def matches(self, sql: str) -> bool:
        """Return whether the normalised ``sql`` starts with the normalised text."""
        return normalize_sql(sql).startswith(self.key)


class SQLMatcher(_TextMatcher):
    """Matches SQL equal to ``text`` after normalisation: what a plain string in ``sql=`` means.

    >>> SQLMatcher("SELECT $1").matches("select ?;")
    True
    """

    __slots__ = ()

    def matches(self, sql: str) -> bool:
        """Return whether ``sql`` normalises to the same text."""
        return normalize_sql(sql) == self.key

    def __repr__(self) -> str:
        return show_sql(self.text)


class _Predicate(Matcher):
    __slots__ = ("function",)

    def __init__(self, function: Callable[[str], object]) -> None:
        self.function = function

    def matches(self, sql: str) -> bool:
        return bool(self.function(sql))

    def __repr__(self) -> str:
        return getattr(self.function, "__name__", repr(self.function))


class _Equals(Matcher):
    """An object that decides equality itself (``unittest.mock.ANY``, dirty-equals): ``value == sql``."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def matches(self, sql: str) -> bool:
        return bool(self.value == sql)

    def __repr__(self) -> str:
        return repr(self.value)


def _decides_equality(value: object) -> bool:
    """Whether ``value`` is a matcher by ``__eq__`` (not a builtin value, which never equals SQL)."""
    kind = type(value)
    return kind.__module__ != "builtins" and kind.__eq__ is not object.__eq__


SQL_ACCEPTED = (
    "a str (compared after normalisation), Regex, Contains, StartsWith, re.Pattern, ANY, a predicate "
    "or an object deciding equality itself (unittest.mock.ANY, dirty-equals)"
)


def sql_matcher(value: object, where: str = "sql=") -> Matcher:
    """Turn what a user passed as ``sql=`` into a Matcher, or raise ``TypeError`` at once."""
    if isinstance(value, Matcher):
        return value
    if isinstance(value, str):
        return SQLMatcher(value)
    if isinstance(value, re.Pattern):
        return Regex(cast("re.Pattern[str]", value))  # a bytes pattern fails at its first match
    if isinstance(value, type):
        example = f"{value.__name__}('...')" if issubclass(value, Matcher) else "a matcher instance"
        msg = (
            f"{where} got the class {value.__name__}, not a matcher: a class would be called as a "
            f"predicate and match every SQL. Pass {example}; {where} accepts {SQL_ACCEPTED}."
        )
        raise TypeError(msg)
    if callable(value):
        return _Predicate(value)
    if _decides_equality(value):
        return _Equals(value)
    raise type_error(
        where,
        value,
        SQL_ACCEPTED,
        "To match any SQL, pass ANY from asyncfakes or leave sql= out.",
    )


def _no_parameters(value: object) -> bool:
    return value is None or (type(value) in (tuple, list, dict) and not value)


def params_equal(expected: object, actual: object) -> bool:
    """Compare parameters with ``==``, expected first, where a list equals a tuple of the same items.

    Expected values go on the left so ``unittest.mock.ANY`` and dirty-equals objects decide. "No
    parameters" is one thing however it is spelt: ``None``, ``()``, ``[]`` and ``{}`` are equal
    as whole parameter sets (not inside them, where ``None`` is a value).
    """
    if _no_parameters(expected) and _no_parameters(actual):
        return True
    return _equal(expected, actual)


def _equal(expected: object, actual: object) -> bool:
    # Per call (stub matching): isinstance() narrows to list[Unknown]..., and a cast() is a call.
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(actual, (list, tuple))
            and len(expected) == len(actual)  # pyright: ignore[reportUnknownArgumentType]
            and all(_equal(e, a) for e, a in zip(expected, actual, strict=True))  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        )
    if isinstance(expected, Mapping):
        return (
            isinstance(actual, Mapping)
            and expected.keys() == actual.keys()
            and all(_equal(expected[k], actual[k]) for k in expected)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        )
    return bool(expected == actual)
