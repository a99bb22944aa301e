"""Camunda's POST /condition: start the processes whose conditional start event holds.

VocFlow evaluates no conditional start events. With none deployed (in the newest version
of each process) the answer is Camunda's own: no subscription was found; a deployed one is
refused by name, never silently left unstarted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine import bpmn
from engine.errors import NotFound, ValidationFailed
from engine.models import ProcessInstance
from engine.service.actors import Actor
from engine.uow import UnitOfWork


def evaluate_start_conditions(uow: UnitOfWork, values: dict[str, Any],
                              business_key: str | None, definition_id: str | None, *,
                              actor: Actor, now: datetime) -> list[ProcessInstance]:
    """The instances started (none here: see the module's docstring)."""
    del values, business_key, now, actor  # signed in is enough to start, as everywhere
    if definition_id:
        row = uow.definitions.get(definition_id)
        if row is None or row.kind != "process":
            raise NotFound(f"process definition {definition_id} does not exist")
        if not bpmn.conditional_starts(row.source_xml, row.key):
            raise ValidationFailed(f"Process definition with id '{definition_id}' does not "
                                   "declare conditional start event.")
        rows = [row]
    else:
        rows = list(uow.definitions.list(latest_only=True, kind="process"))
    found = [f"{r.id} ({', '.join(ids)})" for r in rows
             if (ids := bpmn.conditional_starts(r.source_xml, r.key))]
    if found:
        raise ValidationFailed("conditional start events are not evaluated by VocFlow: "
                               + "; ".join(found), details={"processDefinitionIds": found})
    raise ValidationFailed("No subscriptions were found during evaluation of the conditional "
                           "start events.")
