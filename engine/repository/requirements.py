"""Decision requirements definitions (one per deployed DMN file of several decisions).

Importing this module adds "decision_requirements" to engine.repository.queries.RESOURCES,
so the one QueryRepository filters, sorts, pages and counts /decision-requirements-definition
in SQL like every other list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import aliased

from engine.models import (
    DecisionRequirements,
    Deployment,
    HistoricDecision,
    ProcessDefinition,
    ProcessInstance,
)
from engine.repository.base import Repository
from engine.repository.decision_history import decision_scope_clause
from engine.repository.queries import RESOURCES, Resource
from engine.repository.scopes import ScopeFilter

_DR, _PD, _HD = DecisionRequirements, ProcessDefinition, HistoricDecision


def _tenant(op: str, value: Any) -> ColumnElement[bool]:
    tenant = (Deployment.tenant_id.is_(None) if op == "null"
              else Deployment.tenant_id.in_(list(value)))
    return exists().where(Deployment.id == _DR.deployment_id, tenant)


def _latest(_op: str, value: Any) -> ColumnElement[bool]:
    newer = aliased(DecisionRequirements)
    later = exists().where(newer.key == _DR.key, newer.version > _DR.version)
    return ~later if value else later


RESOURCES["decision_requirements"] = Resource(
    base=lambda _scope: select(_DR),
    fields={"id": _DR.id, "key": _DR.key, "name": _DR.name, "version": _DR.version,
            "deployment_id": _DR.deployment_id, "resource_name": _DR.resource_name,
            "deployed_at": _DR.deployed_at},
    order=(_DR.key, _DR.version),
    specials={"latest": _latest, "tenant": _tenant})


def _decisions_of(row: DecisionRequirements) -> ColumnElement[bool]:
    return and_(_PD.kind == "decision", _PD.deployment_id == row.deployment_id,
                _PD.resource_name == row.resource_name)


class RequirementsRepository(Repository):
    def add(self, row: DecisionRequirements) -> None:
        self.session.add(row)

    def get(self, requirements_id: str) -> DecisionRequirements | None:
        return self.session.get(DecisionRequirements, requirements_id)

    def latest(self, key: str, tenant: bool = False, tenant_id: str | None = None
               ) -> DecisionRequirements | None:
        """The newest version of a key; with tenant, among deployments of that tenant-id
        (None: deployed without one)."""
        stmt = select(_DR).where(_DR.key == key).order_by(_DR.version.desc()).limit(1)
        if tenant:
            stmt = stmt.join(Deployment, Deployment.id == _DR.deployment_id).where(
                Deployment.tenant_id.is_(None) if tenant_id is None
                else Deployment.tenant_id == tenant_id)
        return self.session.scalars(stmt).first()

    def of_resources(self, pairs: Sequence[tuple[str, str]]
                     ) -> dict[tuple[str, str], DecisionRequirements]:
        """(deployment id, resource name) -> the DRD deployed from that file."""
        if not pairs:
            return {}
        deployments = sorted({d for d, _name in pairs})
        stmt = select(_DR).where(_DR.deployment_id.in_(deployments))
        return {(r.deployment_id, r.resource_name): r for r in self.session.scalars(stmt)
                if (r.deployment_id, r.resource_name) in set(pairs)}

    def decision_evaluations(self, row: DecisionRequirements, scope: ScopeFilter,
                             instance_id: str | None = None) -> dict[str, int]:
        """decision key -> how many historic decision instances of the DRD's decisions the
        scope sees (as /history/decision-instance lists them), optionally those of one
        evaluation (the decision instance and those it required)."""
        stmt = (select(_PD.key, func.count(_HD.id))
                .join(_HD, _HD.decision_definition_id == _PD.id)
                .outerjoin(ProcessInstance, ProcessInstance.id == _HD.instance_id)
                .where(_decisions_of(row), decision_scope_clause(scope))
                .group_by(_PD.key).order_by(_PD.key))
        if instance_id is not None:
            stmt = stmt.where((_HD.id == instance_id) | (_HD.root_id == instance_id))
        return {key: int(n) for key, n in self.session.execute(stmt).all()}
