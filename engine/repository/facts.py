"""Queries on the dashboard projections: figures per province x key task, drill-down, names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, and_, case, delete, func, or_, select, true

from engine.models import (
    EventSubscription,
    HistoryEvent,
    InstanceFacts,
    ProcessInstance,
    ProjectYear,
    Unit,
)
from engine.repository.base import Repository
from engine.repository.scopes import ScopeFilter

PROJECT, SUMMARY = "key_task_project", "provincial_summary"
FACT_EVENTS = ("instance_started", "task_completed")
# The figures' column labels; ratings are positional (rating_0 = 优秀, ...: see RATINGS).
STATES = ("draft", "in_review", "approved", "recommended", "confirmed", "rejected",
          "not_recommended", "completed", "terminated")
REPORTS = ("on_time", "late", "missing", "pending")
RATINGS = ("优秀", "良好", "合格", "不合格")
_YEARS = cast(Table, ProjectYear.__table__)
_F, _Y, _PI = InstanceFacts, ProjectYear, ProcessInstance


def facts_scope_clause(scope: ScopeFilter) -> ColumnElement[bool]:
    """Facts in scope: every row for ops/admin, else the actor's provinces or key tasks."""
    if scope.unrestricted:
        return true()
    return or_(_F.province_code.in_(scope.province_codes), _F.key_task.in_(scope.key_tasks))


def _state() -> ColumnElement[str]:
    return case((_PI.status == "terminated", "terminated"), else_=_F.state)


def _report(deadline: datetime, now: datetime) -> ColumnElement[Any]:
    """on_time / late when a report came; missing / pending when one is due; else NULL."""
    expected = and_(_PI.status != "terminated", _F.state.in_(("confirmed", "completed")))
    return case(
        (and_(_Y.reported_at.is_not(None), _Y.late.is_(True)), "late"),
        (_Y.reported_at.is_not(None), "on_time"),
        (expected, "missing" if now > deadline else "pending"),
        else_=None,
    )


class FactRepository(Repository):
    def fact_events(self, instance_id: str) -> Sequence[Row[Any]]:
        """(action, element_id, at, data) of the events the facts are derived from, in order."""
        he = HistoryEvent
        stmt = (select(he.action, he.element_id, he.at, he.data)
                .where(he.instance_id == instance_id, he.action.in_(FACT_EVENTS))
                .order_by(he.id))
        return self.session.execute(stmt).all()

    def save(self, values: dict[str, Any], years: list[dict[str, Any]]) -> None:
        """Write one instance's facts and yearly rows when they differ from the stored ones."""
        instance_id = values["instance_id"]
        row = self.session.get(InstanceFacts, instance_id)
        if row is None:
            self.session.add(InstanceFacts(**values))
        else:
            for key, value in values.items():
                if key != "updated_at" and getattr(row, key) != value:
                    row.updated_at = values["updated_at"]
                    setattr(row, key, value)
        stored = self.session.execute(
            select(_YEARS).where(_YEARS.c.instance_id == instance_id).order_by(_YEARS.c.year)
        ).mappings().all()
        if [dict(r) for r in stored] != years:
            self.session.execute(delete(ProjectYear).where(ProjectYear.instance_id == instance_id))
            if years:
                self.session.execute(_YEARS.insert(), years)

    def product_instance_ids(self, process_keys: Iterable[str]) -> list[str]:
        stmt = select(_PI.id).where(_PI.process_key.in_(list(process_keys))).order_by(_PI.id)
        return list(self.session.scalars(stmt).all())

    def _projects(self, year: int, scope: ScopeFilter, province: str | None,
                  key_task: str | None) -> Any:
        stmt = (select().select_from(_F)
                .join(_PI, _PI.id == _F.instance_id)
                .outerjoin(_Y, and_(_Y.instance_id == _F.instance_id, _Y.year == year))
                .where(_F.process_key == PROJECT, _F.first_year <= year, _F.last_year >= year,
                       facts_scope_clause(scope)))
        if province:
            stmt = stmt.where(_F.province_code == province)
        if key_task:
            stmt = stmt.where(_F.key_task == key_task)
        return stmt

    def project_figures(self, year: int, scope: ScopeFilter, *, deadline: datetime,
                        now: datetime, province: str | None = None,
                        key_task: str | None = None) -> Sequence[Row[Any]]:
        """One row per (province, key task): projects, state_*, report_*, rating_<i> counts."""
        state, report = _state(), _report(deadline, now)

        def counted(expr: Any, value: str, label: str) -> Any:
            return func.coalesce(func.sum(case((expr == value, 1), else_=0)), 0).label(label)

        columns = [_F.province_code, _F.key_task, func.count().label("projects")]
        columns += [counted(state, s, f"state_{s}") for s in STATES]
        columns += [counted(report, r, f"report_{r}") for r in REPORTS]
        columns += [counted(_Y.rating, g, f"rating_{i}") for i, g in enumerate(RATINGS)]
        stmt = (self._projects(year, scope, province, key_task).add_columns(*columns)
                .group_by(_F.province_code, _F.key_task)
                .order_by(_F.province_code, _F.key_task))
        return self.session.execute(stmt).all()

    def _summaries(self, year: int, scope: ScopeFilter, province: str | None,
                   key_task: str | None) -> Any:
        stmt = (select().select_from(_F).join(_PI, _PI.id == _F.instance_id)
                .where(_F.process_key == SUMMARY, _F.first_year == year,
                       facts_scope_clause(scope)))
        if province:
            stmt = stmt.where(_F.province_code == province)
        if key_task:
            stmt = stmt.where(_F.key_task == key_task)
        return stmt

    def summary_figures(self, year: int, scope: ScopeFilter, *, province: str | None = None,
                        key_task: str | None = None) -> Sequence[Row[Any]]:
        """(province_code, key_task, state, n) of the year's provincial summaries."""
        state = _state()
        stmt = (self._summaries(year, scope, province, key_task)
                .add_columns(_F.province_code, _F.key_task, state.label("state"),
                             func.count().label("n"))
                .group_by(_F.province_code, _F.key_task, state))
        return self.session.execute(stmt).all()

    def project_rows(self, year: int, scope: ScopeFilter, *, deadline: datetime,
                     now: datetime, province: str | None = None, key_task: str | None = None,
                     state: str | None = None, report: str | None = None,
                     rating: str | None = None, limit: int | None = None,
                     offset: int = 0) -> Sequence[Row[Any]]:
        """The projects behind a figure, ordered by province, key task, unit and name."""
        state_expr, report_expr = _state(), _report(deadline, now)
        stmt = (self._projects(year, scope, province, key_task)
                .outerjoin(Unit, Unit.id == _F.unit_id)
                .add_columns(_F.instance_id, _F.province_code, _F.key_task, _F.unit_id,
                             Unit.name.label("unit_name"), _F.title,
                             state_expr.label("state"), report_expr.label("report_status"),
                             _Y.rating, _Y.reported_at))
        for expr, value in ((state_expr, state), (report_expr, report), (_Y.rating, rating)):
            if value is not None:
                stmt = stmt.where(expr == value)
        stmt = stmt.order_by(_F.province_code, _F.key_task, Unit.name, _F.title,
                             _F.instance_id).offset(offset)
        return self.session.execute(stmt.limit(limit) if limit else stmt).all()

    def summary_rows(self, year: int, scope: ScopeFilter, *, province: str | None = None,
                     key_task: str | None = None, states: Sequence[str] | None = None,
                     limit: int | None = None, offset: int = 0) -> Sequence[Row[Any]]:
        """The year's provincial summaries (instance, province, key task, state, submitted)."""
        state_expr = _state()
        stmt = (self._summaries(year, scope, province, key_task)
                .add_columns(_F.instance_id, _F.province_code, _F.key_task,
                             state_expr.label("state"), _F.submitted_at))
        if states is not None:
            stmt = stmt.where(state_expr.in_(list(states)))
        stmt = stmt.order_by(_F.province_code, _F.key_task, _F.instance_id).offset(offset)
        return self.session.execute(stmt.limit(limit) if limit else stmt).all()

    def names(self, instance_ids: Iterable[str],
              unit_ids: Iterable[str]) -> tuple[dict[str, Row[Any]], dict[str, str]]:
        """Facts (process_key, title, unit_id) by instance id and unit names by unit id."""
        ids, units = sorted(set(instance_ids)), sorted(set(unit_ids))
        facts: dict[str, Row[Any]] = {}
        if ids:
            stmt = select(_F.instance_id, _F.process_key, _F.title, _F.unit_id).where(
                _F.instance_id.in_(ids))
            facts = {row.instance_id: cast(Row[Any], row) for row in self.session.execute(stmt)}
            units = sorted(set(units) | {r.unit_id for r in facts.values() if r.unit_id})
        names: dict[str, str] = {}
        if units:
            stmt2 = select(Unit.id, Unit.name).where(Unit.id.in_(units))
            names = {row.id: row.name for row in self.session.execute(stmt2)}
        return facts, names

    def completed_by(self, username: str, *, limit: int, offset: int) -> Sequence[Row[Any]]:
        """Tasks the user completed, newest first, with their instance's names (已办)."""
        he = HistoryEvent
        stmt = (select(he.task_id, he.instance_id, he.element_id, he.at, he.data,
                       _PI.process_key, _PI.definition_id, _PI.bindings, _PI.status,
                       _F.title, _F.unit_id, Unit.name.label("unit_name"))
                .outerjoin(_PI, _PI.id == he.instance_id)
                .outerjoin(_F, _F.instance_id == he.instance_id)
                .outerjoin(Unit, Unit.id == _F.unit_id)
                .where(he.actor == username, he.action == "task_completed")
                .order_by(he.id.desc()).offset(offset).limit(limit))
        return self.session.execute(stmt).all()

    def count_completed_by(self, username: str) -> int:
        he = HistoryEvent
        stmt = select(func.count()).select_from(he).where(
            he.actor == username, he.action == "task_completed")
        return int(self.session.scalar(stmt) or 0)

    def subscribed_elements(self, instance_id: str) -> dict[str, str]:
        """element_id -> message/signal name the instance waits on (the instance picture)."""
        es = EventSubscription
        stmt = select(es.element_id, es.kind, es.name).where(
            es.instance_id == instance_id, es.kind.in_(("message", "signal")))
        return {r.element_id: f"{r.kind}:{r.name}" for r in self.session.execute(stmt)
                if r.element_id}

    def running_on(self, definition_id: str, limit: int) -> tuple[int, Sequence[ProcessInstance]]:
        """(count, first `limit`) of the unfinished instances of one definition version."""
        where = (_PI.definition_id == definition_id,
                 _PI.status.in_(("running", "suspended")))
        total = int(self.session.scalar(select(func.count()).select_from(_PI).where(*where))
                    or 0)
        stmt = select(_PI).where(*where).order_by(_PI.started_at, _PI.id).limit(limit)
        return total, self.session.scalars(stmt).all()

    def year_span(self, scope: ScopeFilter) -> tuple[int | None, int | None]:
        """(first, last) year any project or summary in scope counts for."""
        stmt = select(func.min(_F.first_year), func.max(_F.last_year)).where(
            _F.process_key.in_((PROJECT, SUMMARY)), facts_scope_clause(scope))
        row = self.session.execute(stmt).one()
        return row[0], row[1]
