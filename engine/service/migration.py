"""Ops use case: move an instance to another version of its process, with a dry-run report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from engine import authz, bpmn
from engine.errors import InvalidState, NotFound
from engine.service.actors import Actor
from engine.service.call_binding import bind_calls
from engine.service.runtime import (
    advance_and_save,
    load_workflow,
    lock_instance,
    record,
    save,
    workflow_specs,
)
from engine.uow import UnitOfWork


@dataclass
class MigrationReport:
    """The dry-run (or done) answer: the plan (what maps by BPMN id, what does not, what
    blocks) for one instance and target version."""

    instance_id: str
    source_definition_id: str
    target_definition_id: str
    dry_run: bool
    migrated: bool
    plan: bpmn.MigrationPlan

    @property
    def ok(self) -> bool:
        return bool(self.plan.ok)

    def as_dict(self) -> dict[str, Any]:
        head = {k: v for k, v in asdict(self).items() if k != "plan"}
        return {**head, **asdict(self.plan), "ok": self.ok}


def migrate_instance(
    uow: UnitOfWork, instance_id: str, target_definition_id: str, actor: Actor,
    now: datetime, *, dry_run: bool = True,
) -> MigrationReport:
    """Diff the instance against another version of its key; migrate when asked and safe.

    A dry run changes nothing. A real run refuses (InvalidState, with the report in
    details) when an active token sits on an activity that was removed or changed, or
    when a completed activity has no counterpart; otherwise it switches the definition
    and call bindings, resets waiting tokens in place (task ids are kept), refreshes the
    projections and records the migration in the history.
    """
    authz.require_visible(actor, uow.instances.get(instance_id), instance_id)
    authz.require_ops(actor, "migrate instances")
    instance = lock_instance(uow, instance_id)
    if instance.status in ("completed", "terminated"):
        raise InvalidState(f"process instance {instance_id} has ended ({instance.status})")
    target = uow.definitions.get(target_definition_id)
    if target is None or target.kind != "process":
        raise NotFound(f"process definition {target_definition_id} does not exist")
    if target.key != instance.process_key:
        raise InvalidState(
            f"{target_definition_id} is a version of '{target.key}', not of "
            f"'{instance.process_key}'", details={"target_key": target.key})
    if target.id == instance.definition_id:
        raise InvalidState(f"instance {instance_id} already runs on {target.id}")
    bindings = bind_calls(uow, target)
    new_spec, new_subs = workflow_specs(uow, target, bindings)
    workflow = load_workflow(uow, instance)
    plan = bpmn.plan_and_migrate(workflow, new_spec, new_subs)
    report = MigrationReport(
        instance_id=instance.id, source_definition_id=instance.definition_id,
        target_definition_id=target.id, dry_run=dry_run, migrated=False, plan=plan)
    if dry_run:
        return report
    if not report.ok:
        raise InvalidState("the instance cannot be migrated to this version",
                           details=report.as_dict())
    instance.definition_id = target.id
    instance.bindings = bindings
    report.migrated = True
    record(uow, instance.id, actor, "instance_migrated", now, data={
        "from": report.source_definition_id, "to": target.id, "added": plan.added,
        "removed": plan.removed, "changed": plan.changed})
    if instance.status == "suspended":  # nothing advances while suspended
        save(uow, instance, workflow, actor, now)
    else:
        advance_and_save(uow, instance, workflow, actor, now)
    return report
