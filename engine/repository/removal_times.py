"""Removal times of historic process instances and decision evaluations (set-removal-time)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import bindparam, select, update

from engine.models import HistoricDecision, ProcessInstance
from engine.repository.base import Repository

_SET_INSTANCE = (update(ProcessInstance).where(ProcessInstance.id == bindparam("row_id"))
                 .values(removal_time=bindparam("when")))
_SET_DECISION = (update(HistoricDecision).where(HistoricDecision.id == bindparam("row_id"))
                 .values(removal_time=bindparam("when")))


class RemovalTimeRepository(Repository):
    def set_for_instances(self, times: Mapping[str, datetime | None]) -> None:
        """Set each instance's removal time. The rows are locked first in ascending id order
        (the house lock order for many instances). The instance's version is not bumped: a
        removal time is history's, and a worker advancing the instance meanwhile must not
        fail for it (its UPDATE names only the columns it changed)."""
        ids = sorted(times)
        if not ids:
            return
        if self.dialect == "postgresql":
            self.session.execute(select(ProcessInstance.id).where(ProcessInstance.id.in_(ids))
                                 .order_by(ProcessInstance.id).with_for_update())
        self.session.connection().execute(_SET_INSTANCE, [
            {"row_id": i, "when": times[i]} for i in ids])

    def set_for_decisions(self, times: Mapping[str, datetime | None]) -> None:
        """Set each evaluation's removal time (evaluations are written once, never locked)."""
        if times:
            self.session.connection().execute(_SET_DECISION, [
                {"row_id": i, "when": times[i]} for i in sorted(times)])
