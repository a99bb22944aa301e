"""Camunda's decision requirements definitions: one per DMN file of several decisions, read
by anyone signed in (like decisions), with its XML, image and evaluation counts."""

from __future__ import annotations

from typing import Any

from engine import authz
from engine.errors import NotFound
from engine.models import DecisionRequirements, DeploymentResource
from engine.repository import Query
from engine.service.actors import Actor
from engine.service.rest_definitions import IMAGE_SUFFIXES
from engine.uow import UnitOfWork

Tenanted = list[tuple[DecisionRequirements, str | None]]


def page(uow: UnitOfWork, q: Query, *, actor: Actor) -> Tenanted:
    """A page of DRDs, each with the tenant-id of its deployment."""
    rows = uow.queries.rows("decision_requirements", q, authz.scope_filter(actor))
    tenants = uow.definitions.deployment_tenants(sorted({r.deployment_id for r in rows}))
    return [(r, tenants.get(r.deployment_id)) for r in rows]


def count(uow: UnitOfWork, q: Query, *, actor: Actor) -> int:
    return uow.queries.count("decision_requirements", q, authz.scope_filter(actor))


def requirements(uow: UnitOfWork, ident: str, *, by_key: bool = False,
                 tenant_id: str | None = None, tenant: bool = False, actor: Actor
                 ) -> tuple[DecisionRequirements, str | None]:
    """A DRD by id, or the newest version of a key (for the tenant-id), with its tenant."""
    del actor  # signed in is enough: definitions are not scoped
    row = (uow.requirements.latest(ident, tenant, tenant_id) if by_key or tenant
           else uow.requirements.get(ident))
    if row is None:
        what = f"key '{ident}'" if by_key or tenant else f"id '{ident}'"
        where = f" and tenant-id '{tenant_id}'" if tenant else ""
        raise NotFound(f"No matching decision requirements definition with {what}{where}")
    deployment = uow.definitions.get_deployment(row.deployment_id)
    return row, deployment.tenant_id if deployment else None


def _files(uow: UnitOfWork, row: DecisionRequirements) -> dict[str, DeploymentResource]:
    return {r.name: r for r in uow.definitions.deployment_resources(row.deployment_id)}


def xml(uow: UnitOfWork, ident: str, *, actor: Actor, **how: Any) -> tuple[str, str]:
    """(id, the DMN file's text) of a DRD found as requirements() finds it."""
    row, _tenant = requirements(uow, ident, actor=actor, **how)
    found = _files(uow, row).get(row.resource_name)
    if found is None:
        raise NotFound(f"the resource {row.resource_name} of {row.id} is not deployed")
    return row.id, found.content.decode("utf-8")


def diagram(uow: UnitOfWork, ident: str, *, actor: Actor, **how: Any
            ) -> DeploymentResource | None:
    """The image deployed beside the DMN file (name.{key}.png or name.png), or None."""
    row, _tenant = requirements(uow, ident, actor=actor, **how)
    base = row.resource_name.rsplit(".", 1)[0]
    wanted = [f"{base}.{row.key}.{s}" for s in IMAGE_SUFFIXES]
    wanted += [f"{base}.{s}" for s in IMAGE_SUFFIXES]
    files = _files(uow, row)
    return next((files[name] for name in wanted if name in files), None)


def of_decisions(uow: UnitOfWork, pairs: list[tuple[str, str]], *, actor: Actor
                 ) -> dict[tuple[str, str], DecisionRequirements]:
    """(deployment id, resource name) of decision definitions -> their DRD."""
    del actor
    return uow.requirements.of_resources(pairs)


def statistics(uow: UnitOfWork, ident: str, decision_instance_id: str | None = None, *,
               actor: Actor) -> dict[str, int]:
    """decision key -> evaluations of the DRD's decisions kept in history that the actor
    may see (optionally of one evaluation: a decision instance id)."""
    row, _tenant = requirements(uow, ident, actor=actor)
    return uow.requirements.decision_evaluations(row, authz.scope_filter(actor),
                                                 decision_instance_id)
