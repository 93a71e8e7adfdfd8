"""FakeEngine: a real SQLAlchemy ``AsyncEngine`` whose connections are asyncfakes' fake drivers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from asyncfakes import BaseConnection, Call, CallLog, Matcher, Stub, UnexpectedCall, Verifiable

from ._drivers import driver_for
from ._natural import BOOTSTRAP, Described, NaturalAnswers
from ._statements import BoundValues, Statement, compile_statement
from ._templates import make_engine

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["FakeEngine"]

UNSET: Any = object()  # "params= not given": the statement's own bound values


class FakeEngine(Verifiable):
    """A real ``AsyncEngine`` (``.engine``) on fake drivers, and the handle a test scripts and asserts on.

    Everything above the driver is real SQLAlchemy: the ORM, ``AsyncSession``, Core, SQLModel.
    The test says what the database answers and asserts what SQLAlchemy sent, with SQLAlchemy
    statements or SQL text::

        fake = FakeEngine()
        fake.when(select(User).where(User.id == 1)).returns([{"id": 1, "name": "Ana"}])
        async with AsyncSession(fake.engine) as session:
            user = (await session.scalars(select(User).where(User.id == 1))).one()
        fake.assert_executed(select(User).where(User.id == 1))

    Unscripted, the database answers what a test needs: the dialect's start-up queries, no rows
    for a ``SELECT`` (with its columns), fresh primary keys for ``INSERT ... RETURNING``.
    ``strict=True`` makes every unscripted statement an :class:`~asyncfakes.UnexpectedCall`;
    ``optional_stubs=True`` lets ``when(...)`` stubs answer no call without ``verify()`` failing.
    ``url`` picks the dialect and its fake driver: ``postgresql+asyncpg://`` (the default) or
    ``postgresql+psycopg://``. Extra keyword arguments go to ``create_async_engine``.
    """

    def __init__(
        self,
        url: str = "postgresql+asyncpg://",
        *,
        strict: bool = False,
        ordered: bool = False,
        optional_stubs: bool = False,
        **options: Any,
    ) -> None:
        from sqlalchemy import event

        self._driver = driver = driver_for(url)
        # Typed loosely: the flavour's own connection class, with its own fake methods.
        self.db: Any = driver.connection(strict=strict, ordered=ordered, optional_stubs=optional_stubs)
        """The fake driver connection whose script every connection of the engine shares
        (``asyncfakes.asyncpg.FakeConnection``, or ``asyncfakes.psycopg.FakeAsyncConnection``)."""
        self.adopt(self.db)
        self._natural = NaturalAnswers()
        self._connections: list[BaseConnection] = []
        self._strict = strict
        self._unexpected: list[str] = []
        getattr(self.db, driver.statement_methods[0]).answers(self._answer)
        if driver.many_method is not None:
            getattr(self.db, driver.many_method).answers(self._answer)
        options = {**driver.options, **options}
        engine, initialises = make_engine(url, options, self._connect)
        self.engine: AsyncEngine = engine
        """The real ``AsyncEngine``: give it to ``AsyncSession``, ``async_sessionmaker``, the app."""
        if initialises:  # the dialect's start-up queries, answered even when strict
            for sql, answer in BOOTSTRAP.items():
                self.db.when(sql=sql, optional=True).returns(answer)
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._before_execute)

    def _answer(self, call: Call) -> Any:
        """The answer to a statement nothing was scripted for (strict: an UnexpectedCall)."""
        if self._strict:
            message = (
                f"Unexpected statement {call.describe(outcome=False)}: the engine is strict and nothing "
                "is scripted for it. Script it: fake.when(statement).returns(...)."
            )
            self._unexpected.append(message)
            raise UnexpectedCall(message)
        if call.method == self._driver.many_method:
            return None
        return self._natural.answer(call.sql or "", call.params)

    async def _connect(self) -> BaseConnection:
        connection = self._driver.connection(share_with=self.db)
        self.adopt(connection)
        self._connections.append(connection)
        return connection

    def _before_execute(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        compiled = getattr(context, "compiled", None)
        table = getattr(getattr(compiled, "statement", None), "table", None)
        flush = "compiled_cache" in getattr(context, "execution_options", {})
        self._natural.described[statement] = Described(table, flush)

    # --- scripting ------------------------------------------------------------------------
    def _matching(self, statement: Any, params: Any) -> dict[str, Any]:
        """``sql=`` and (unless none) ``params=`` for the core's matching."""
        if isinstance(statement, (Matcher, re.Pattern)):
            matcher: object = cast("object", statement)  # Contains("INSERT INTO users"), a re.Pattern
            bound = None
        else:
            sql, bound = compile_statement(statement, self.engine.dialect)
            matcher = Statement(sql)
        if params is UNSET:
            params = (
                BoundValues(tuple(cast("dict[str, Any]", bound).values()))
                if isinstance(bound, dict)
                else bound
            )
        return {"sql": matcher} if params is None else {"sql": matcher, "params": params}

    def when(self, statement: Any, *, params: Any = UNSET) -> Stub:
        """Return a stub answering ``statement`` (a SQLAlchemy statement, or SQL text).

        A statement matches by its compiled SQL and its bound parameters, by value; ``params=``
        overrides them (``params=ANY`` for any). Script rows as dicts (any key order; they are
        placed by the statement's columns), a row count for ``UPDATE``/``DELETE``, or an error.
        """
        stub: Stub = self.db.when(**self._matching(statement, params))
        return stub

    def expect(self, statement: Any, *, params: Any = UNSET, times: int = 1) -> Stub:
        """Like :meth:`when`, but :meth:`verify` fails unless it is used exactly ``times`` times."""
        stub: Stub = self.db.expect(**self._matching(statement, params), times=times)
        return stub

    # --- assertions -------------------------------------------------------------------------
    @property
    def calls(self) -> CallLog:
        """Every driver call of every connection the engine made, in order."""
        calls: CallLog = self.db.calls
        return calls

    @property
    def statements(self) -> CallLog:
        """The statements SQLAlchemy sent (the driver's statement calls), start-up queries excepted."""
        found = [
            call
            for call in self.db.calls
            if call.method in self._driver.statement_methods
            and " ".join((call.sql or "").lower().split()) not in BOOTSTRAP
        ]
        return CallLog(found, history=self.db.calls, title="statements")

    def assert_executed(self, statement: Any, *, params: Any = UNSET, times: int | None = None) -> None:
        """Assert SQLAlchemy sent ``statement`` (with its bound parameters), or exactly ``times`` times."""
        __tracebackhide__ = True
        self.db.calls.assert_executed(**self._matching(statement, params), times=times)

    def assert_not_executed(self, statement: Any, *, params: Any = UNSET) -> None:
        """Assert SQLAlchemy never sent ``statement`` (with these parameters, when given)."""
        __tracebackhide__ = True
        self.db.calls.assert_not_executed(**self._matching(statement, params))

    def problems(self) -> list[str]:
        """What ``verify()`` reports: the shared script's problems, then each connection's own."""
        shared: list[str] = self.db.problems()
        found = super().problems() + shared
        found += [
            f"an UnexpectedCall was raised into the code under test: {text}" for text in self._unexpected
        ]
        for number, connection in enumerate(self._connections):
            found += [f"connection #{number}: {p}" for p in connection.problems() if p not in shared]
        return found

    def verify(self) -> None:
        """Fail listing every problem: unmet expectations, unused answers, transactions left open."""
        __tracebackhide__ = True
        super().verify()

    def verify_report(self, found: list[str]) -> str:
        """``verify()``'s report: the numbered problems, then every statement the engine sent."""
        report: str = self.db.verify_report(found)
        return report

    async def dispose(self) -> None:
        """Dispose of the engine's pool (``await engine.dispose()``)."""
        await self.engine.dispose()

    def __repr__(self) -> str:
        return f"<asyncfakes.sqlalchemy.FakeEngine {self.engine.url}, {len(self.db.calls)} calls>"
