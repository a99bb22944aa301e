"""Job definition settings: read for a page of job definitions and for new timer jobs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from engine.models import JobDefinitionSetting
from engine.repository.base import Repository


class JobDefinitionRepository(Repository):
    def settings(self, ids: Sequence[str]) -> dict[str, JobDefinitionSetting]:
        """id -> its setting, for those of these ids that ops changed."""
        if not ids:
            return {}
        stmt = select(JobDefinitionSetting).where(JobDefinitionSetting.id.in_(sorted(ids)))
        return {row.id: row for row in self.session.scalars(stmt)}

    def setting_for_update(self, job_definition_id: str) -> JobDefinitionSetting:
        """The setting to change (made on first change); the row is locked on PostgreSQL."""
        stmt = (select(JobDefinitionSetting)
                .where(JobDefinitionSetting.id == job_definition_id).with_for_update())
        row = self.session.scalars(stmt).first()
        if row is None:
            row = JobDefinitionSetting(id=job_definition_id, suspended=False, priority=None)
            self.session.add(row)
        return row
