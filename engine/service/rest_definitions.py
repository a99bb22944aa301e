"""Camunda's repository service: definitions by key and tenant, decisions, suspend, delete.

Every signed-in user reads definitions and evaluates decisions (no side effect but an audit
event). Suspending a definition is ops' (it stops new starts; with its instances, a repair);
deleting one is the designer's, and deleting with running instances needs ops too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine import authz, bpmn
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.models import Deployment, DeploymentResource, ProcessDefinition
from engine.repository import Query
from engine.service import instances as runtime_instances
from engine.service.actors import Actor
from engine.service.decision_log import record_evaluation
from engine.service.deployments import DeploymentResult, deploy
from engine.service.runtime import record
from engine.service.timers import schedule_timer_starts
from engine.uow import UnitOfWork

KINDS = {"process": "process definition", "decision": "decision definition"}


def definition(uow: UnitOfWork, ident: str, kind: str = "process", *, by_key: bool = False,
               tenant_id: str | None = None, tenant: bool = False,
               actor: Actor) -> ProcessDefinition:
    """A definition by id, or the newest version of a key; with tenant, the newest version
    deployed for that tenant-id (Camunda's /key/{key}/tenant-id/{tenantId})."""
    del actor  # signed in is enough: definitions are not scoped
    if tenant:
        row = uow.definitions.latest_for_tenant(ident, kind, tenant_id)
    elif by_key:
        row = uow.definitions.latest(ident, kind)
    else:
        row = uow.definitions.get(ident)
    if row is None or row.kind != kind:
        what = f"key '{ident}'" if by_key or tenant else f"id '{ident}'"
        where = f" and tenant-id '{tenant_id}'" if tenant else ""
        raise NotFound(f"No matching {KINDS[kind]} with {what}{where}")
    return row


def tenant_of(uow: UnitOfWork, row: ProcessDefinition) -> str | None:
    """The tenant-id the definition was deployed with (a label: we keep no tenants)."""
    deployment = uow.definitions.get_deployment(row.deployment_id)
    return deployment.tenant_id if deployment else None


Tenanted = list[tuple[ProcessDefinition, str | None]]


def page(uow: UnitOfWork, resource: str, q: Query, *, actor: Actor) -> Tenanted:
    """A page of process ("definition") or decision ("decision") definitions, each with the
    tenant-id of its deployment (every signed-in user reads them)."""
    if resource not in ("definition", "decision"):
        raise NotFound(f"no definitions called {resource}")
    rows = uow.queries.rows(resource, q, authz.scope_filter(actor))
    tenants = uow.definitions.deployment_tenants(sorted({r.deployment_id for r in rows}))
    return [(r, tenants.get(r.deployment_id)) for r in rows]


def with_tenant(uow: UnitOfWork, ident: str, kind: str = "process", *, by_key: bool = False,
                tenant_id: str | None = None, tenant: bool = False, actor: Actor
                ) -> tuple[ProcessDefinition, str | None]:
    """definition() with the tenant-id of its deployment."""
    row = definition(uow, ident, kind, by_key=by_key, tenant_id=tenant_id, tenant=tenant,
                     actor=actor)
    return row, tenant_of(uow, row)


def count_decisions(uow: UnitOfWork, q: Query, *, actor: Actor) -> int:
    return uow.queries.count("decision", q, authz.scope_filter(actor))


def evaluate(uow: UnitOfWork, ident: str, variables: dict[str, Any], *, by_key: bool = False,
             tenant_id: str | None = None, tenant: bool = False, actor: Actor,
             now: datetime) -> list[dict[str, Any]]:
    """Evaluate a decision with these variables: one dict of outputs per selected rule."""
    row = definition(uow, ident, "decision", by_key=by_key, tenant_id=tenant_id,
                     tenant=tenant, actor=actor)
    trace: list[dict[str, Any]] = []
    try:
        result = bpmn.evaluate_decision(row.source_xml, row.key, variables, trace)
    except bpmn.DecisionError as exc:
        raise InvalidState(f"Cannot evaluate decision {row.id}: {exc}") from exc
    record(uow, None, actor, "decision_evaluated", now,
           data={"decision_id": row.id, "rules": len(result)})
    record_evaluation(uow, row, trace, actor, now)
    return result


def suspend(uow: UnitOfWork, rows: Sequence[ProcessDefinition], suspended: bool,
            with_instances: bool, *, actor: Actor, now: datetime) -> None:
    """Ops: suspend (no new starts) or activate definitions, and their runtime instances."""
    authz.require_ops(actor, "suspend or activate process definitions")
    for row in rows:
        row.suspended = suspended
        record(uow, None, actor, "definition_suspended" if suspended else
               "definition_activated", now, data={"definition_id": row.id})
        if not with_instances:
            continue
        for instance_id in uow.definitions.runtime_instance_ids([row.id]):
            instance = uow.instances.get(instance_id)
            if instance is None or (instance.status == "suspended") == suspended:
                continue
            change = (runtime_instances.suspend_instance if suspended
                      else runtime_instances.resume_instance)
            change(uow, instance_id, actor, now)
    uow.flush()


def suspend_by(uow: UnitOfWork, ident: str, suspended: bool, with_instances: bool, *,
               by_key: bool = False, tenant_id: str | None = None, tenant: bool = False,
               actor: Actor, now: datetime) -> None:
    """PUT …/suspended: one definition by id, or every version of a key."""
    row = definition(uow, ident, by_key=by_key, tenant_id=tenant_id, tenant=tenant,
                     actor=actor)
    rows = [row] if not (by_key or tenant) else [
        d for d in uow.definitions.versions(row.key)
        if not tenant or tenant_of(uow, d) == tenant_id]
    suspend(uow, rows, suspended, with_instances, actor=actor, now=now)


def delete(uow: UnitOfWork, rows: Sequence[ProcessDefinition], cascade: bool, *,
           actor: Actor, now: datetime) -> None:
    """Designer: delete definitions; their instances (and those instances' history) only
    with cascade, which needs ops too when some still run. Refused while a running instance
    exists without cascade, or when an ended one keeps its history (nothing is orphaned),
    and always while instances of other definitions call one of them (they load its spec).
    The newest remaining version of a key takes over its timer starts.
    """
    authz.require_deploy(actor)
    ids = [r.id for r in rows]
    running, total = uow.definitions.instance_counts(ids)
    if total and not cascade:
        raise InvalidState(
            f"{total} process instance(s) ({running} running) belong to "
            + ", ".join(ids) + "; delete with cascade=true to delete them and their history")
    if running:
        authz.require_ops(actor, "delete running process instances")
    callers = uow.definitions.calling_instances(ids)
    if callers:
        raise InvalidState(f"{callers} process instance(s) of other definitions call "
                           + ", ".join(ids) + " and need it for as long as they are kept")
    keys = {(r.key, r.kind) for r in rows}
    uow.definitions.delete_definitions(ids)
    record(uow, None, actor, "definitions_deleted", now,
           data={"definitions": ids, "instances": total})
    latest = [d for key, kind in keys if (d := uow.definitions.latest(key, kind)) is not None]
    schedule_timer_starts(uow, latest, now)


def delete_by(uow: UnitOfWork, ident: str, cascade: bool, *, by_key: bool = False,
              tenant_id: str | None = None, tenant: bool = False, actor: Actor,
              now: datetime) -> None:
    """DELETE /process-definition/{id} or every version of a key (for the tenant)."""
    row = definition(uow, ident, by_key=by_key, tenant_id=tenant_id, tenant=tenant,
                     actor=actor)
    rows = [row] if not (by_key or tenant) else [
        d for d in uow.definitions.versions(row.key)
        if not tenant or tenant_of(uow, d) == tenant_id]
    delete(uow, rows, cascade, actor=actor, now=now)


def delete_deployment(uow: UnitOfWork, deployment_id: str, cascade: bool, *, actor: Actor,
                      now: datetime) -> None:
    """DELETE /deployment/{id}: its definitions (see delete), its files, the deployment."""
    authz.require_deploy(actor)
    found = uow.definitions.get_deployment(deployment_id)
    if found is None:
        raise NotFound(f"Deployment with id '{deployment_id}' does not exist")
    rows = uow.definitions.deployment_definitions(deployment_id)
    if rows:
        delete(uow, rows, cascade, actor=actor, now=now)
    uow.definitions.delete_deployment(deployment_id)
    record(uow, None, actor, "deployment_deleted", now, data={"deployment_id": deployment_id})


def called_definitions(uow: UnitOfWork, definition_id: str, *, actor: Actor
                       ) -> list[tuple[ProcessDefinition, list[str]]]:
    """The newest definition of every process the call activities of this one name, with
    the calling activity ids (Camunda's static called process definitions)."""
    row = definition(uow, definition_id, actor=actor)
    found = []
    for key, activities in bpmn.call_activities(row.source_xml, row.key).items():
        called = uow.definitions.latest(key)
        if called is not None:
            found.append((called, activities))
    return found


def deployment_row(uow: UnitOfWork, deployment_id: str, *, actor: Actor) -> Deployment:
    del actor
    found = uow.definitions.get_deployment(deployment_id)
    if found is None:
        raise NotFound(f"Deployment with id '{deployment_id}' does not exist")
    return found


IMAGE_SUFFIXES = ("png", "jpg", "jpeg", "gif", "svg")


def diagram(uow: UnitOfWork, row: ProcessDefinition, *, actor: Actor
            ) -> DeploymentResource | None:
    """The image deployed beside the definition's file (Camunda's naming: someProcess.bpmn
    with someProcess.png or someProcess.{key}.png), or None: we draw no images ourselves."""
    del actor
    base = row.resource_name.rsplit(".", 1)[0]
    wanted = [f"{base}.{row.key}.{s}" for s in IMAGE_SUFFIXES]
    wanted += [f"{base}.{s}" for s in IMAGE_SUFFIXES]
    files = {r.name: r for r in uow.definitions.deployment_resources(row.deployment_id)}
    return next((files[name] for name in wanted if name in files), None)


def resource_named(uow: UnitOfWork, row: ProcessDefinition, name: str, *, actor: Actor
                   ) -> DeploymentResource | None:
    """A file of the definition's deployment by name."""
    del actor
    return next((r for r in uow.definitions.deployment_resources(row.deployment_id)
                 if r.name == name), None)


def refuse_restart(uow: UnitOfWork, row: ProcessDefinition, *, actor: Actor) -> None:
    """Ops' restart of ended instances: not supported (history does not keep the tokens'
    variables at each step to start them again faithfully), refused by name."""
    del uow
    authz.require_ops(actor, "restart process instances")
    raise InvalidState(f"restarting process instances of {row.id} is not supported")


def registered_deployments(uow: UnitOfWork, *, actor: Actor) -> list[str]:
    """Deployments whose jobs this engine's workers run: every one (any worker runs any)."""
    del actor
    return [d.id for d in uow.definitions.list_deployments(limit=100_000)]


def redeploy(uow: UnitOfWork, deployment_id: str, resource_ids: Sequence[str] | None,
             resource_names: Sequence[str] | None, source: str | None, *, actor: Actor,
             now: datetime) -> DeploymentResult:
    """Designer: deploy a deployment's files again (all, or those named) as new versions."""
    found = deployment_row(uow, deployment_id, actor=actor)
    files = list(uow.definitions.deployment_resources(deployment_id))
    if resource_ids is not None or resource_names is not None:
        ids, names = set(resource_ids or ()), set(resource_names or ())
        missing = (ids - {str(f.id) for f in files}) | (names - {f.name for f in files})
        if missing:
            raise NotFound(f"deployment {deployment_id} has no resource(s) "
                           + ", ".join(sorted(missing)))
        files = [f for f in files if str(f.id) in ids or f.name in names]
    return deploy(uow, {f.name: f.content for f in files}, actor, now, name=found.name,
                  source=source, tenant_id=found.tenant_id, duplicate_filtering=False)


def set_time_to_live(uow: UnitOfWork, ident: str, kind: str, days: int | None, *,
                     by_key: bool = False, tenant_id: str | None = None, tenant: bool = False,
                     actor: Actor, now: datetime) -> None:
    """Designer or ops: the historyTimeToLive a definition reports (None: none), over the
    diagram's own camunda:historyTimeToLive. Nothing is cleaned up by it yet."""
    if not authz.is_ops(actor):
        authz.require_deploy(actor)
    if days is not None and days < 0:
        raise ValidationFailed("historyTimeToLive must not be negative",
                               details={"historyTimeToLive": ["negative"]})
    row = definition(uow, ident, kind, by_key=by_key, tenant_id=tenant_id, tenant=tenant,
                     actor=actor)
    row.history_ttl_set, row.history_ttl_days = True, days
    record(uow, None, actor, "history_ttl_set", now, data={"definition_id": row.id,
                                                           "days": days})
    uow.flush()
