"""Camunda's POST /condition: start the processes whose conditional start event holds.

As Camunda's condition evaluation: the conditional start events of the newest version of
each process (or of the one definition named) are read with the variables given; an
instance starts at each start event whose condition holds, with those variables and the
business key. A variable the condition reads and the request lacks makes it false. No
conditional start event in reach is Camunda's error ("No subscriptions were found"); one
whose condition cannot be evaluated otherwise is refused naming the event, and nothing
starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine import bpmn
from engine.errors import NotFound, ValidationFailed
from engine.models import ProcessDefinition, ProcessInstance
from engine.service.actors import Actor
from engine.service.call_binding import bind_calls
from engine.service.instances import start_instance
from engine.service.runtime import workflow_specs
from engine.uow import UnitOfWork


def evaluate_start_conditions(uow: UnitOfWork, values: dict[str, Any],
                              business_key: str | None, definition_id: str | None, *,
                              actor: Actor, now: datetime) -> list[ProcessInstance]:
    """The instances started, one per conditional start event that holds."""
    if definition_id:
        row = uow.definitions.get(definition_id)
        if row is None or row.kind != "process":
            raise NotFound(f"process definition {definition_id} does not exist")
        if not bpmn.conditional_starts(row.source_xml, row.key):
            raise ValidationFailed(f"Process definition with id '{definition_id}' does not "
                                   "declare conditional start event.")
        rows = [row]
    else:
        rows = [r for r in uow.definitions.list(latest_only=True, kind="process")
                if not r.suspended and bpmn.conditional_starts(r.source_xml, r.key)]
    if not rows:
        raise ValidationFailed("No subscriptions were found during evaluation of the "
                               "conditional start events.")
    holding = [(row, element_id) for row in rows
               for element_id in bpmn.conditional_starts(row.source_xml, row.key)
               if _holds(uow, row, element_id, values)]
    return [start_instance(uow, row.id, actor, now, variables=dict(values),
                           business_key=business_key, start_event=element_id)
            for row, element_id in holding]


def _holds(uow: UnitOfWork, definition: ProcessDefinition, element_id: str,
           values: dict[str, Any]) -> bool:
    bindings = bind_calls(uow, definition)
    spec, subprocesses = workflow_specs(uow, definition, bindings)
    try:
        return bpmn.start_condition_holds(bpmn.new_workflow(spec, subprocesses), element_id,
                                          values)
    except ValidationFailed as exc:
        raise ValidationFailed(f"{definition.id}: {exc.message}", details={
            **(exc.details or {}), "processDefinitionId": definition.id}) from exc
