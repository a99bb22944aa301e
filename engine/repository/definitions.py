"""Queries on deployments, deployed resources and process definitions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func, select

from engine.models import (
    Deployment,
    DeploymentResource,
    ProcessDefinition,
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
