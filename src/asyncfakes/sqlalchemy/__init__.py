"""Real SQLAlchemy (asyncio) on asyncfakes' fake drivers: test ``AsyncSession`` and Core code, no database.

``FakeEngine()`` gives a real ``AsyncEngine`` (``.engine``) whose driver connections are fakes,
and the handle that scripts what the database answers and asserts what SQLAlchemy sent, with
SQLAlchemy statements or SQL text. Needs SQLAlchemy (``pip install 'asyncfakes[sqlalchemy]'``);
``import asyncfakes`` never imports it.
"""

from __future__ import annotations

from ._engine import FakeEngine
from ._statements import Statement, compile_statement

__all__ = ["FakeEngine", "Statement", "compile_statement"]
