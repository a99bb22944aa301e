"""Delete variables from an ended instance's history (Camunda's historic variable deletion).

An ended instance's variables are history only: its stored workflow (what
/history/variable-instance reads) and the values its history events recorded (what
/history/detail reads). Deleting one removes it from both; the event stays, without the
value, and the deletion is itself recorded, naming the variables, not their values. A
running instance's variables are its runtime state: they are deleted through the runtime
(DELETE /process-instance/{id}/variables/{name}), never behind its back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engine import authz, bpmn
from engine.bpmn import modification
from engine.errors import InvalidState, NotFound
from engine.models import HistoryEvent, ProcessInstance
from engine.repository import Query
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.history_deletion import ENDED
from engine.service.history_variables import UPDATES, recorded_values
from engine.service.runtime import load_workflow, lock_instance, record
from engine.uow import UnitOfWork


def _ended_instance(uow: UnitOfWork, instance_id: str, actor: Actor) -> ProcessInstance:
    rows = uow.queries.rows("history_instance", Query(
        filters=(("id", "eq", instance_id),), limit=1), scopes.scope_of(actor))
    if not rows:
        raise NotFound(f"historic process instance {instance_id} does not exist")
    instance: ProcessInstance = rows[0][0]
    if instance.status not in ENDED:
        raise InvalidState(f"process instance {instance_id} has not ended: its variables are "
                           "its runtime state; delete them with DELETE "
                           f"/process-instance/{instance_id}/variables/{{name}}")
    return instance


def _scrub(event: HistoryEvent, names: set[str]) -> set[str]:
    """Remove the values of these variables from the event's data; the names removed."""
    gone = names & set(recorded_values(event))
    if not gone:
        return gone
    key = UPDATES[event.action]
    data = dict(event.data or {})
    if key:
        data[key] = {k: v for k, v in data[key].items() if k not in gone}
    else:
        data = {k: v for k, v in data.items() if k not in gone}
    event.data = data  # a new dict: the JSON column sees the change
    return gone


def delete_historic_variables(uow: UnitOfWork, instance_id: str,
                              names: Sequence[str] | None = None, *, actor: Actor,
                              now: datetime) -> list[str]:
    """Ops: delete these variables (None: every one) of an ended instance in scope from its
    history; the names deleted. A name given that the instance never had is NotFound."""
    authz.require_ops(actor, "delete historic variables")
    _ended_instance(uow, instance_id, actor)
    row = lock_instance(uow, instance_id)
    workflow = load_workflow(uow, row)
    events = [e for e in uow.history.for_instance(row.id) if e.action in UPDATES]
    known = {n for n in bpmn.variables(workflow) if not n.startswith("_")}
    known |= {n for e in events for n in recorded_values(e)}
    wanted = set(known if names is None else names)
    missing = sorted(wanted - known)
    if missing:
        raise NotFound(f"historic variable instance(s) {', '.join(missing)} of process "
                       f"instance {instance_id} do not exist")
    removed = set(modification.delete_variables(workflow, sorted(wanted)))
    for event in events:
        removed |= _scrub(event, wanted)
    row.state_json = bpmn.dump_state(workflow)
    record(uow, row.id, actor, "historic_variables_deleted", now,
           data={"names": sorted(removed)})
    uow.flush()
    return sorted(removed)


def delete_historic_variable(uow: UnitOfWork, ident: str, *, actor: Actor,
                             now: datetime) -> None:
    """DELETE /history/variable-instance/{id}: the id is '<instance id>:<name>'."""
    instance_id, _, name = ident.partition(":")
    if not name:
        raise NotFound(f"historic variable instance with id {ident} does not exist")
    delete_historic_variables(uow, instance_id, [name], actor=actor, now=now)
