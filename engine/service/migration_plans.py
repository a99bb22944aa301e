"""Camunda's migration plans (/migration/generate, validate, execute) over migrate_instance.

VocFlow migrates by element id (engine.bpmn.migration): an activity keeps its id from one
version to the next. A plan's instructions therefore map an id to the same id; an
instruction to another id is reported as a failure, not guessed at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine import authz, bpmn
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.models import ProcessDefinition
from engine.repository import Query
from engine.service import rest_batches, rest_runtime
from engine.service.actors import Actor
from engine.service.call_binding import bind_calls
from engine.service.instances import set_variables
from engine.service.migration import migrate_instance
from engine.service.runtime import workflow_specs
from engine.uow import UnitOfWork


@dataclass(frozen=True)
class MigrationInstruction:
    source_activity_ids: list[str]
    target_activity_ids: list[str]
    update_event_trigger: bool = False


@dataclass(frozen=True)
class MigrationPlan:
    source_definition_id: str
    target_definition_id: str
    instructions: list[MigrationInstruction]
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InstructionReport:
    instruction: MigrationInstruction
    failures: list[str]


def _definition(uow: UnitOfWork, definition_id: str, role: str) -> ProcessDefinition:
    row = uow.definitions.get(definition_id) if definition_id else None
    if row is None or row.kind != "process":
        raise NotFound(f"{role} process definition {definition_id!r} does not exist")
    return row


def _ids(uow: UnitOfWork, row: ProcessDefinition) -> set[str]:
    spec, subs = workflow_specs(uow, row, bind_calls(uow, row))
    return bpmn.element_ids(spec, subs)


def _pair(uow: UnitOfWork, source_id: str, target_id: str, actor: Actor
          ) -> tuple[ProcessDefinition, ProcessDefinition]:
    authz.require_ops(actor, "migrate instances")
    source = _definition(uow, source_id, "source")
    target = _definition(uow, target_id, "target")
    if source.key != target.key:
        raise ValidationFailed(
            f"{target.id} is a version of '{target.key}', not of '{source.key}': VocFlow "
            "migrates between versions of one process", details={"target": [target.key]})
    return source, target


def generate(uow: UnitOfWork, source_id: str, target_id: str, update_event_triggers: bool,
             values: dict[str, Any], *, actor: Actor) -> MigrationPlan:
    """A plan that maps every element id the two versions share to itself."""
    source, target = _pair(uow, source_id, target_id, actor)
    shared = sorted(_ids(uow, source) & _ids(uow, target))
    return MigrationPlan(source.id, target.id, [
        MigrationInstruction([i], [i], update_event_triggers) for i in shared], values)


def validate(uow: UnitOfWork, plan: MigrationPlan, *, actor: Actor
             ) -> list[InstructionReport]:
    """The instructions that fail, each with why (an empty list: the plan is valid)."""
    source, target = _pair(uow, plan.source_definition_id, plan.target_definition_id, actor)
    source_ids, target_ids = _ids(uow, source), _ids(uow, target)
    reports, seen = [], set()
    for item in plan.instructions:
        failures = []
        if len(item.source_activity_ids) != 1 or len(item.target_activity_ids) != 1:
            failures.append("an instruction maps exactly one source activity to one target "
                            "activity")
        for sid in item.source_activity_ids:
            if sid not in source_ids:
                failures.append(f"source activity '{sid}' does not exist in {source.id}")
            if sid in seen:
                failures.append(f"there are multiple instructions for source activity '{sid}'")
            seen.add(sid)
        for tid in item.target_activity_ids:
            if tid not in target_ids:
                failures.append(f"target activity '{tid}' does not exist in {target.id}")
        if item.source_activity_ids != item.target_activity_ids:
            failures.append("VocFlow migrates by element id: the target activity must have "
                            "the source activity's id")
        if failures:
            reports.append(InstructionReport(item, failures))
    return reports


def execute(uow: UnitOfWork, plan: MigrationPlan, listed: Sequence[str], q: Query | None, *,
            actor: Actor, now: datetime) -> int:
    """Migrate the chosen instances (all or none); the number migrated."""
    failed = validate(uow, plan, actor=actor)
    if failed:
        raise ValidationFailed("the migration plan is not valid", details={
            "instructionReports": [{"sourceActivityIds": r.instruction.source_activity_ids,
                                    "failures": r.failures} for r in failed]})
    mapped = {i for item in plan.instructions for i in item.source_activity_ids}
    chosen = rest_batches.instance_ids(uow, listed, q, actor=actor)
    for instance_id in chosen:
        _check_instance(uow, instance_id, plan, mapped, actor)
        migrate_instance(uow, instance_id, plan.target_definition_id, actor, now,
                         dry_run=False)
        if plan.variables:
            set_variables(uow, instance_id, plan.variables, actor, now)
    return len(chosen)


def _check_instance(uow: UnitOfWork, instance_id: str, plan: MigrationPlan,
                    mapped: set[str], actor: Actor) -> None:
    tree = rest_runtime.activity_instances(uow, instance_id, actor=actor)
    if tree.instance.definition_id != plan.source_definition_id:
        raise InvalidState(
            f"process instance {instance_id} runs on {tree.instance.definition_id}, not on "
            f"the plan's source {plan.source_definition_id}")
    unmapped = sorted({n.element_id for n in rest_runtime.flatten(tree.children)} - mapped)
    if unmapped:
        raise InvalidState(
            f"process instance {instance_id}: no migration instruction for its active "
            f"activities {', '.join(unmapped)}", details={"activityIds": unmapped})
