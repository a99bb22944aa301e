"""Write every DMN evaluation (Camunda's historic decision instances): one statement each."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine import bpmn, ids
from engine.models import ProcessDefinition, ProcessInstance
from engine.service.actors import Actor
from engine.uow import UnitOfWork


def _plain(value: Any) -> Any:
    """A value as JSON can hold it (dates as ISO text, decimals as numbers)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _rows(trace: list[dict[str, Any]], now: datetime, user: str | None,
          **where: Any) -> list[dict[str, Any]]:
    """One row per evaluated decision; the last of the trace is the root the others served."""
    root = str(uuid.uuid4())
    rows = []
    for position, seen in enumerate(trace):
        last = position == len(trace) - 1
        rows.append({
            "id": root if last else str(uuid.uuid4()), "root_id": None if last else root,
            "bound_key": seen["decision_id"], "decision_key": seen["decision_id"],
            "decision_name": seen["decision_name"], "user_id": user, "evaluated_at": now,
            "inputs": _plain(seen["inputs"]), "outputs": _plain(seen["outputs"]),
            "collect_result": _plain(seen["collect_result"]), **where})
    return rows


def _user(actor: Actor | str | None) -> str | None:
    name = actor.username if isinstance(actor, Actor) else actor
    return None if name in (None, "system") else name


def record_step(uow: UnitOfWork, instance: ProcessInstance, workflow: Any,
                actor: Actor | str | None, now: datetime) -> None:
    """Record the decisions the step's business rule tasks evaluated (one statement)."""
    rows = []
    for evaluation in bpmn.take_evaluations(workflow):
        element_id, task_id = evaluation["element_id"], evaluation["task_id"]
        rows += _rows(evaluation["trace"], now, _user(actor), instance_id=instance.id,
                      element_id=element_id,
                      activity_instance_id=ids.activity_instance_id(element_id, task_id))
    uow.decision_history.record(rows, instance.definition_id)


def record_evaluation(uow: UnitOfWork, definition: ProcessDefinition,
                      trace: list[dict[str, Any]], actor: Actor, now: datetime) -> None:
    """Record a decision evaluated by itself (REST evaluate), with those it required."""
    uow.decision_history.record(
        _rows(trace, now, _user(actor), instance_id=None, element_id=None,
              activity_instance_id=None), definition.id)


