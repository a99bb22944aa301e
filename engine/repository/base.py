"""The repository base: a session and the dialect name for dialect-specific SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    def add(self, row: Any) -> None:
        self.session.add(row)
