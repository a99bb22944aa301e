"""Which version of a called process a call activity runs (engine.bpmn.calls has the rules).

`latest` (Camunda's default) binds the newest version deployed when the instance starts, so
an instance stays on the versions it started with (DESIGN.md: instances stay on their
version); `deployment`, `version` and `versionTag` bind as Camunda does. A callee that is
not deployed when the instance starts is bound when the call activity is reached, and is an
incident there if it is still missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine import bpmn, specs
from engine.models import ProcessDefinition
from engine.uow import UnitOfWork


def pick_callee(uow: UnitOfWork, caller: ProcessDefinition,
                rule: bpmn.CallRule) -> ProcessDefinition | None:
    """The version of rule.key that a call activity of `caller` runs, None if none is."""
    if rule.binding == "deployment":
        return next((d for d in uow.definitions.deployment_definitions(caller.deployment_id)
                     if d.key == rule.key and d.kind == "process"), None)
    if rule.binding == "version":
        return uow.definitions.version(rule.key, rule.version or 0)
    if rule.binding == "versionTag":
        for found in reversed(uow.definitions.list(key=rule.key, kind="process")):
            if bpmn.version_tag(found.source_xml, found.key) == rule.version_tag:
                return found
        return None
    return uow.definitions.latest(rule.key)


def _rules(uow: UnitOfWork, definition: ProcessDefinition, bound: Mapping[str, str]
           ) -> Iterator[tuple[ProcessDefinition, bpmn.CallRule]]:
    callers = [definition, *(uow.definitions.get(d) for d in bound.values())]
    for caller in callers:
        if caller is not None:
            for entry in caller.calls or []:
                yield caller, bpmn.rule_of(entry)


def bind_calls(uow: UnitOfWork, definition: ProcessDefinition) -> dict[str, str]:
    """At start: the callee version of every call activity the instance may reach, as far
    as they are deployed (the others are bound when reached)."""
    bindings: dict[str, str] = {}
    pending = list(_rules(uow, definition, {}))
    while pending:
        caller, rule = pending.pop()
        if rule.key in bindings or rule.key == definition.key:
            continue
        called = pick_callee(uow, caller, rule)
        if called is None:
            continue
        bindings[rule.key] = called.id
        pending.extend(_rules(uow, called, {}))
    return bindings


def late_binder(uow: UnitOfWork, definition_id: str, bindings: Mapping[str, str]
                ) -> bpmn.calls.Resolver:
    """Resolve a callee that was not deployed when the instance started, when it is reached."""

    def resolve(key: str, bound: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
        definition = uow.definitions.get(definition_id)
        if definition is None:
            return None
        for caller, rule in _rules(uow, definition, {**bindings, **bound}):
            if rule.key != key:
                continue
            called = pick_callee(uow, caller, rule)
            if called is None:
                return None
            spec, embedded = specs.own_specs(called)
            return called.id, {key: spec, **embedded}
        return None

    return resolve
