"""Queries on deployments, deployed resources and process definitions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, and_, cast, delete, func, or_, select

from engine.models import (
    DecisionRequirements,
    Deployment,
    DeploymentResource,
    HistoryEvent,
    Job,
    ProcessDefinition,
    ProcessInstance,
)
from engine.repository.base import Repository


class DefinitionRepository(Repository):
    def get(self, definition_id: str) -> ProcessDefinition | None:
        return self.session.get(ProcessDefinition, definition_id)

    def latest(self, key: str, kind: str = "process") -> ProcessDefinition | None:
        stmt = (
            select(ProcessDefinition)
            .where(ProcessDefinition.key == key, ProcessDefinition.kind == kind)
            .order_by(ProcessDefinition.version.desc())
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def version(self, key: str, version: int, kind: str = "process"
                ) -> ProcessDefinition | None:
        stmt = select(ProcessDefinition).where(
            ProcessDefinition.key == key, ProcessDefinition.kind == kind,
            ProcessDefinition.version == version)
        return self.session.scalars(stmt).first()

    def list(self, *, key: str | None = None, latest_only: bool = False,
             kind: str | None = None) -> Sequence[ProcessDefinition]:
        stmt = select(ProcessDefinition).order_by(
            ProcessDefinition.key, ProcessDefinition.version
        )
        if key:
            stmt = stmt.where(ProcessDefinition.key == key)
        if kind:
            stmt = stmt.where(ProcessDefinition.kind == kind)
        if latest_only:
            newest = (
                select(ProcessDefinition.kind, ProcessDefinition.key,
                       func.max(ProcessDefinition.version).label("v"))
                .group_by(ProcessDefinition.kind, ProcessDefinition.key)
                .subquery()
            )
            stmt = stmt.join(newest, and_(
                newest.c.kind == ProcessDefinition.kind,
                newest.c.key == ProcessDefinition.key,
                newest.c.v == ProcessDefinition.version,
            ))
        return self.session.scalars(stmt).all()

    def latest_decisions(self) -> Sequence[ProcessDefinition]:
        return self.list(kind="decision", latest_only=True)

    def keys(self, kind: str = "process") -> set[str]:
        stmt = select(ProcessDefinition.key).where(ProcessDefinition.kind == kind).distinct()
        return set(self.session.scalars(stmt).all())

    def lock_deployments(self) -> None:
        """Serialise deployments: versions are numbered under this lock."""
        if self.dialect == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(7_331_001)))

    def get_deployment(self, deployment_id: str) -> Deployment | None:
        return self.session.get(Deployment, deployment_id)

    def list_deployments(self, limit: int = 100) -> Sequence[Deployment]:
        stmt = select(Deployment).order_by(Deployment.deployed_at.desc()).limit(limit)
        return self.session.scalars(stmt).all()

    def deployment_definitions(self, deployment_id: str) -> Sequence[ProcessDefinition]:
        stmt = select(ProcessDefinition).where(ProcessDefinition.deployment_id == deployment_id)
        return self.session.scalars(stmt).all()

    def deployment_resources(self, deployment_id: str) -> Sequence[DeploymentResource]:
        stmt = select(DeploymentResource).where(DeploymentResource.deployment_id == deployment_id)
        return self.session.scalars(stmt).all()

    def latest_resource(self, name: str, deployment_name: str) -> DeploymentResource | None:
        stmt = (
            select(DeploymentResource)
            .join(Deployment, Deployment.id == DeploymentResource.deployment_id)
            .where(DeploymentResource.name == name, Deployment.name == deployment_name)
            .order_by(Deployment.deployed_at.desc(), DeploymentResource.id.desc())
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def with_timer_starts(self) -> Sequence[ProcessDefinition]:
        return [d for d in self.list(kind="process", latest_only=True) if d.timer_starts]

    def deployment_tenants(self, deployment_ids: Sequence[str]) -> dict[str, str | None]:
        """deployment id -> the tenant-id it was deployed with."""
        stmt = select(Deployment.id, Deployment.tenant_id).where(
            Deployment.id.in_(list(deployment_ids)))
        return {d: t for d, t in self.session.execute(stmt).all()}

    def latest_for_tenant(self, key: str, kind: str, tenant_id: str | None
                          ) -> ProcessDefinition | None:
        """The newest version of a key among deployments of one tenant (None: no tenant)."""
        tenant = (Deployment.tenant_id.is_(None) if tenant_id is None
                  else Deployment.tenant_id == tenant_id)
        stmt = (select(ProcessDefinition)
                .join(Deployment, Deployment.id == ProcessDefinition.deployment_id)
                .where(ProcessDefinition.key == key, ProcessDefinition.kind == kind, tenant)
                .order_by(ProcessDefinition.version.desc()).limit(1))
        return self.session.scalars(stmt).first()

    def versions(self, key: str, kind: str = "process") -> Sequence[ProcessDefinition]:
        stmt = (select(ProcessDefinition)
                .where(ProcessDefinition.key == key, ProcessDefinition.kind == kind)
                .order_by(ProcessDefinition.version))
        return self.session.scalars(stmt).all()

    def instance_counts(self, definition_ids: Sequence[str]) -> tuple[int, int]:
        """(runtime instances, all instances) of the definitions."""
        of = ProcessInstance.definition_id.in_(list(definition_ids))
        running = ProcessInstance.status.in_(("running", "suspended"))
        total = self.session.scalar(select(func.count()).where(of)) or 0
        live = self.session.scalar(select(func.count()).where(of, running)) or 0
        return int(live), int(total)

    def calling_instances(self, definition_ids: Sequence[str]) -> int:
        """Instances of other definitions bound to one of these (they call it): they load
        its spec for as long as they are stored."""
        ids = list(definition_ids)
        bound = or_(*(cast(ProcessInstance.bindings, String).like(f'%"{d}"%') for d in ids))
        stmt = select(func.count()).where(bound, ProcessInstance.definition_id.not_in(ids))
        return int(self.session.scalar(stmt) or 0)

    def runtime_instance_ids(self, definition_ids: Sequence[str]) -> Sequence[str]:
        stmt = (select(ProcessInstance.id)
                .where(ProcessInstance.definition_id.in_(list(definition_ids)),
                       ProcessInstance.status.in_(("running", "suspended")))
                .order_by(ProcessInstance.id))
        return self.session.scalars(stmt).all()

    def delete_definitions(self, definition_ids: Sequence[str]) -> None:
        """The definitions with their instances, their history and their timer-start jobs.

        Tasks, jobs, incidents, subscriptions and facts of the instances go with them
        (ON DELETE CASCADE); history events carry no foreign key, so they go by name.
        """
        ids = list(definition_ids)
        instances = select(ProcessInstance.id).where(ProcessInstance.definition_id.in_(ids))
        for stmt in (delete(HistoryEvent).where(HistoryEvent.instance_id.in_(instances)),
                     delete(Job).where(Job.definition_id.in_(ids)),
                     delete(ProcessInstance).where(ProcessInstance.definition_id.in_(ids)),
                     delete(ProcessDefinition).where(ProcessDefinition.id.in_(ids))):
            self.session.execute(stmt.execution_options(synchronize_session=False))
        self.session.expire_all()

    def delete_deployment(self, deployment_id: str) -> None:
        """A deployment's files, DRDs and the deployment (its definitions must be gone)."""
        for stmt in (delete(DeploymentResource)
                     .where(DeploymentResource.deployment_id == deployment_id),
                     delete(DecisionRequirements)
                     .where(DecisionRequirements.deployment_id == deployment_id),
                     delete(Deployment).where(Deployment.id == deployment_id)):
            self.session.execute(stmt.execution_options(synchronize_session=False))
        self.session.expire_all()
