"""Compare two deployed versions of a diagram, and what a migration would block."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine import authz, bpmn
from engine.errors import Forbidden, NotFound
from engine.models import ProcessDefinition, ProcessInstance
from engine.service.actors import Actor
from engine.service.call_binding import bind_calls
from engine.service.diagrams import Element, elements_of
from engine.service.migration import MigrationReport
from engine.service.runtime import load_workflow, workflow_specs
from engine.uow import UnitOfWork

MAX_CHECKED = 200  # instances dry-run per diff; `running` says how many there are


@dataclass(frozen=True)
class ElementChange:
    """A changed element: changes maps a field (type, name, attributes.<a>, camunda.<a>,
    details.<d>, incoming, outgoing) to its (old, new) value; None = absent."""

    element_id: str
    type: str
    name: str | None
    changes: Mapping[str, tuple[Any, Any]]


@dataclass(frozen=True)
class BlockedInstance:
    """An unfinished instance of the old version that cannot move to the new one: reasons
    (one line per blocking token) and the migration dry-run report (MigrationReport)."""

    instance_id: str
    business_key: str | None
    status: str
    reasons: tuple[str, ...]
    report: MigrationReport


@dataclass(frozen=True)
class DefinitionDiff:
    """diff_definitions' answer: elements added / removed (Element) / changed, both XMLs
    for drawing, and, for two versions of one key, the old version's unfinished instances:
    running (how many), checked (how many were dry-run, at most MAX_CHECKED), blocked and
    migratable (ids)."""

    old_definition_id: str
    new_definition_id: str
    old_xml: str
    new_xml: str
    added: tuple[Element, ...]
    removed: tuple[Element, ...]
    changed: tuple[ElementChange, ...]
    running: int
    checked: int
    blocked: tuple[BlockedInstance, ...]
    migratable: tuple[str, ...]


def _fields(element: Element) -> dict[str, Any]:
    found: dict[str, Any] = {"type": element.type, "name": element.name,
                             "incoming": element.incoming, "outgoing": element.outgoing}
    for prefix, values in (("attributes", element.attributes), ("camunda", element.camunda),
                           ("details", element.details)):
        found.update({f"{prefix}.{k}": v for k, v in values.items()})
    return found


def compare(old: Mapping[str, Element], new: Mapping[str, Element]
            ) -> tuple[tuple[Element, ...], tuple[Element, ...], tuple[ElementChange, ...]]:
    """(added, removed, changed) between two element maps, each ordered by element id."""
    added = tuple(new[k] for k in sorted(set(new) - set(old)))
    removed = tuple(old[k] for k in sorted(set(old) - set(new)))
    changed = []
    for key in sorted(set(old) & set(new)):
        before, after = _fields(old[key]), _fields(new[key])
        diff = {f: (before.get(f), after.get(f)) for f in sorted(set(before) | set(after))
                if before.get(f) != after.get(f)}
        if diff:
            changed.append(ElementChange(key, new[key].type, new[key].name, diff))
    return added, removed, tuple(changed)


def _definition(uow: UnitOfWork, definition_id: str) -> ProcessDefinition:
    definition = uow.definitions.get(definition_id)
    if definition is None or definition.kind != "process":
        raise NotFound(f"process definition {definition_id} does not exist")
    return definition


def dry_run(uow: UnitOfWork, instance: ProcessInstance, target: ProcessDefinition,
            pair: Any) -> MigrationReport:
    """migrate_instance's dry-run report, without the row lock (nothing is written)."""
    workflow = load_workflow(uow, instance)
    plan = bpmn.plan_and_migrate(workflow, *pair)
    return MigrationReport(instance_id=instance.id, source_definition_id=instance.definition_id,
                           target_definition_id=target.id, dry_run=True, migrated=False,
                           plan=plan)


def _instances(uow: UnitOfWork, old: ProcessDefinition, new: ProcessDefinition
               ) -> tuple[int, list[BlockedInstance], list[str]]:
    if old.key != new.key or old.id == new.id:
        return 0, [], []
    total, instances = uow.facts.running_on(old.id, MAX_CHECKED)
    pair = workflow_specs(uow, new, bind_calls(uow, new))
    blocked, movable = [], []
    for instance in instances:
        report = dry_run(uow, instance, new, pair)
        if report.ok:
            movable.append(instance.id)
            continue
        reasons = tuple(f"{b.get('element_id')}: {b.get('reason')}" for b in report.plan.blocking)
        blocked.append(BlockedInstance(instance.id, instance.business_key, instance.status,
                                       reasons, report))
    return total, blocked, movable


def diff_definitions(uow: UnitOfWork, old_definition_id: str, new_definition_id: str,
                     actor: Actor) -> DefinitionDiff:
    """Semantic diff of two deployed diagrams (designers and ops only) by element id: type,
    name, attributes, camunda attributes and extensions, event definitions, scripts,
    conditions, flows; for two versions of one key also which instances would block."""
    if not (authz.is_ops(actor) or actor.in_group(authz.DESIGNER, authz.ADMIN)):
        raise Forbidden("only designers and ops may compare diagram versions")
    old = _definition(uow, old_definition_id)
    new = _definition(uow, new_definition_id)
    added, removed, changed = compare(elements_of(old), elements_of(new))
    total, blocked, movable = _instances(uow, old, new)
    return DefinitionDiff(old.id, new.id, old.source_xml, new.source_xml, added, removed,
                          changed, total, len(blocked) + len(movable), tuple(blocked),
                          tuple(movable))
