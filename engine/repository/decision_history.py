"""Historic decision instances: written with the step (or request) that evaluated them.

Importing this module adds "history_decision" to engine.repository.queries.RESOURCES, so
the one QueryRepository filters, sorts, pages and counts it in SQL like every other list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, delete, false, or_, select, true
from sqlalchemy.orm import aliased, defer

from engine.models import Deployment, HistoricDecision, ProcessDefinition, ProcessInstance
from engine.repository.base import Repository
from engine.repository.queries import RESOURCES, Resource
from engine.repository.scopes import ScopeFilter, instance_scope_clause

_HD, _PI, _PD = HistoricDecision, ProcessInstance, ProcessDefinition
_TABLE = cast(Table, HistoricDecision.__table__)
_CALLER = aliased(ProcessDefinition)
# The decision a business rule task was bound to when its process was deployed: the newest
# version of the key deployed with or before the process (the deploy's binding rule).
_BOUND = (select(_PD.id).where(
    _PD.kind == "decision", _PD.key == bindparam("bound_key"),
    _PD.deployed_at <= select(_CALLER.deployed_at)
    .where(_CALLER.id == bindparam("process_definition_id")).scalar_subquery())
    .order_by(_PD.version.desc()).limit(1).scalar_subquery())
_INSERT = _TABLE.insert().values(decision_definition_id=_BOUND)


class DecisionHistoryRepository(Repository):
    def record(self, rows: Sequence[dict[str, Any]], deployed_with: str) -> None:
        """Insert evaluations in one statement, which also finds each row's decision
        definition: its bound_key's newest version deployed with or before the definition
        `deployed_with` (the calling process's, or the decision's own for REST)."""
        if rows:
            self.session.execute(_INSERT, [
                {**row, "process_definition_id": deployed_with} for row in rows])

    def delete_ids(self, ids: Sequence[str]) -> int:
        """Delete these evaluations and those they required; how many rows went."""
        if not ids:
            return 0
        result = self.session.execute(delete(HistoricDecision).where(or_(
            HistoricDecision.id.in_(list(ids)), HistoricDecision.root_id.in_(list(ids))))
            .execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)


def decision_scope_clause(scope: ScopeFilter) -> ColumnElement[bool]:
    """Evaluations in instances in scope; one of no instance (REST): its evaluator's, and
    ops'."""
    alone = true() if scope.unrestricted else _HD.user_id == scope.username
    return or_(and_(_HD.instance_id.is_not(None), instance_scope_clause(scope)),
               and_(_HD.instance_id.is_(None), alone))


_DECISION = aliased(ProcessDefinition)
_TENANT = (select(Deployment.tenant_id).join(_DECISION, _DECISION.deployment_id == Deployment.id)
           .where(_DECISION.id == _HD.decision_definition_id).scalar_subquery())


def _tenant(op: str, value: Any) -> ColumnElement[bool]:
    return _TENANT.is_(None) if op == "null" else _TENANT.in_(list(value))


def _none(_op: str, _value: Any) -> ColumnElement[bool]:
    """Case filters: VocFlow runs no CMMN cases, so no evaluation belongs to one."""
    return false()


RESOURCES["history_decision"] = Resource(
    base=lambda scope: select(_HD, _PI, _TENANT).outerjoin(_PI, _PI.id == _HD.instance_id)
    .where(decision_scope_clause(scope)).options(defer(_PI.state_json)),
    fields={"id": _HD.id, "root_id": _HD.root_id,
            "decision_definition_id": _HD.decision_definition_id,
            "decision_key": _HD.decision_key, "decision_name": _HD.decision_name,
            "definition_id": _PI.definition_id, "process_key": _PI.process_key,
            "instance_id": _HD.instance_id, "element_id": _HD.element_id,
            "activity_instance_id": _HD.activity_instance_id, "user_id": _HD.user_id,
            "evaluated_at": _HD.evaluated_at, "tenant_id": _TENANT},
    order=(_HD.evaluated_at, _HD.id),
    specials={"tenant": _tenant, "case": _none,
              "root_only": lambda _op, value: (
                  _HD.root_id.is_(None) if value else true())})
