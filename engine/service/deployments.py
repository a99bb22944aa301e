"""Deploy BPMN and DMN files as new definition versions; identical bytes are a no-op."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine import authz, bpmn
from engine.errors import ProcessDefinitionError
from engine.models import (
    DecisionRequirements,
    Deployment,
    DeploymentResource,
    ProcessDefinition,
)
from engine.service.actors import Actor
from engine.service.runtime import record
from engine.service.timers import schedule_timer_starts
from engine.uow import UnitOfWork


@dataclass(frozen=True)
class DeploymentResult:
    deployment: Deployment
    definitions: list[ProcessDefinition]
    duplicate: bool
    warnings: list[str] = field(default_factory=list)
    external_topics: list[str] = field(default_factory=list)


def _definition_id(key: str, version: int) -> str:
    return f"{key}:{version}:{uuid.uuid4()}"


def deploy(
    uow: UnitOfWork,
    files: Mapping[str, bytes],
    actor: Actor,
    now: datetime,
    *,
    name: str | None = None,
    source: str | None = None,
    tenant_id: str | None = None,
    duplicate_filtering: bool = True,
) -> DeploymentResult:
    """Check every file, then store a deployment with one definition per process/decision.

    The whole deployment is refused, changing nothing, when any file has a problem. With
    duplicate filtering, unchanged files (same name, same bytes as the newest deployment of
    that name) return the existing deployment and its definitions.
    """
    authz.require_deploy(actor)
    name = name or ", ".join(sorted(files)) or "deployment"
    uow.definitions.lock_deployments()
    if duplicate_filtering:
        existing = _unchanged(uow, files, name)
        if existing is not None:
            return existing
    try:
        parsed = bpmn.parse_deployment(
            files,
            {d.key: d.source_xml for d in uow.definitions.latest_decisions()},
            uow.definitions.keys("process"),
        )
    except bpmn.DeploymentRefused as refused:
        raise ProcessDefinitionError(
            "deployment refused: " + "; ".join(str(p) for p in refused.problems[:10]),
            details={"problems": [p.__dict__ for p in refused.problems]},
        ) from refused
    deployment = Deployment(id=str(uuid.uuid4()), name=name, source=source,
                            tenant_id=tenant_id, deployed_by=actor.username, deployed_at=now)
    uow.definitions.add(deployment)
    for file_name, content in files.items():
        uow.definitions.add(DeploymentResource(
            deployment_id=deployment.id, name=file_name, content=content,
            sha256=hashlib.sha256(content).hexdigest()))
    for requirements in parsed.requirements:
        _store_requirements(uow, requirements, deployment)
    definitions = [_store(uow, d, deployment, now) for d in parsed.decisions]
    definitions += [_store(uow, p, deployment, now) for p in parsed.processes]
    uow.flush()
    schedule_timer_starts(uow, definitions, now)
    record(uow, None, actor, "deployed", now, data={
        "deployment_id": deployment.id, "definitions": [d.id for d in definitions]})
    topics = sorted({t for p in parsed.processes for t in p.external_topics})
    return DeploymentResult(deployment, definitions, duplicate=False,
                            warnings=[str(w) for w in parsed.warnings], external_topics=topics)


def _unchanged(uow: UnitOfWork, files: Mapping[str, bytes], name: str) -> DeploymentResult | None:
    deployment_ids = set()
    for file_name, content in files.items():
        previous = uow.definitions.latest_resource(file_name, name)
        if previous is None or previous.sha256 != hashlib.sha256(content).hexdigest():
            return None
        deployment_ids.add(previous.deployment_id)
    if not deployment_ids:
        return None
    newest = max((uow.definitions.get_deployment(d) for d in deployment_ids),
                 key=lambda d: d.deployed_at if d else datetime.min)
    if newest is None:
        return None
    definitions = [d for dep in deployment_ids
                   for d in uow.definitions.deployment_definitions(dep)]
    return DeploymentResult(newest, definitions, duplicate=True)


def _next_version(uow: UnitOfWork, key: str, kind: str) -> int:
    latest = uow.definitions.latest(key, kind)
    return 1 if latest is None else latest.version + 1


def _store(uow: UnitOfWork, parsed: bpmn.ParsedDecision | bpmn.ParsedProcess,
           deployment: Deployment, now: datetime) -> ProcessDefinition:
    """One definition row, numbered n+1 for its key (under the deployment lock)."""
    if isinstance(parsed, bpmn.ParsedProcess):
        kind, extra = "process", {
            "spec_json": json.dumps(parsed.spec_json), "calls": parsed.calls,
            "timer_starts": parsed.timer_starts, "message_starts": parsed.message_starts}
    else:
        kind, extra = "decision", {
            "spec_json": "{}", "calls": [], "timer_starts": [], "message_starts": []}
    version = _next_version(uow, parsed.key, kind)
    row = ProcessDefinition(
        id=_definition_id(parsed.key, version), kind=kind, key=parsed.key, version=version,
        name=parsed.name, resource_name=parsed.resource_name, deployment_id=deployment.id,
        sha256=parsed.sha256, source_xml=parsed.source_xml, deployed_at=now, **extra)
    uow.definitions.add(row)
    uow.flush()
    return row


def _store_requirements(uow: UnitOfWork, parsed: bpmn.ParsedRequirements,
                        deployment: Deployment) -> None:
    """A DMN file's decision requirements definition, numbered n+1 for its key."""
    latest = uow.requirements.latest(parsed.key)
    version = 1 if latest is None else latest.version + 1
    uow.requirements.add(DecisionRequirements(
        id=_definition_id(parsed.key, version), key=parsed.key, version=version,
        name=parsed.name, resource_name=parsed.resource_name, deployment_id=deployment.id,
        deployed_at=deployment.deployed_at))
    uow.flush()


def list_deployments(uow: UnitOfWork, limit: int = 100) -> Sequence[Deployment]:
    """The newest deployments first."""
    return uow.definitions.list_deployments(limit)
