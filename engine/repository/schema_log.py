"""The schema revision(s) Alembic has applied to this database (its alembic_version table)."""

from __future__ import annotations

from sqlalchemy import text

from engine.repository.base import Repository


class SchemaLogRepository(Repository):
    def applied_heads(self) -> list[str]:
        """The head revision id(s) recorded in alembic_version."""
        rows = self.session.execute(text("SELECT version_num FROM alembic_version"))
        return sorted(str(row[0]) for row in rows)
