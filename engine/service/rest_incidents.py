"""Camunda /incident commands: one open incident, resolve it, annotate it."""

from __future__ import annotations

from datetime import datetime

from engine import authz
from engine.errors import NotFound
from engine.models import Incident, ProcessInstance
from engine.repository import Query
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.repair import resolve_incident
from engine.service.runtime import lock_instance, record
from engine.uow import UnitOfWork


def incident(uow: UnitOfWork, incident_id: str, *, actor: Actor
             ) -> tuple[Incident, ProcessInstance]:
    """An open incident of an instance in scope (a resolved one is history)."""
    rows = uow.queries.rows("incident", Query(filters=(("id", "eq", incident_id),), limit=1),
                            scopes.scope_of(actor))
    if not rows:
        raise NotFound(f"Incident with id {incident_id} does not exist")
    row: tuple[Incident, ProcessInstance] = rows[0]
    return row


def resolve(uow: UnitOfWork, incident_id: str, *, actor: Actor, now: datetime) -> None:
    """Mark the incident handled without running anything (ops)."""
    incident(uow, incident_id, actor=actor)
    resolve_incident(uow, incident_id, actor, now, note="resolved through /engine-rest")


def set_annotation(uow: UnitOfWork, incident_id: str, annotation: str | None, *,
                   actor: Actor, now: datetime) -> None:
    """Set (or with None clear) the note ops keep on an open incident."""
    row, instance = incident(uow, incident_id, actor=actor)
    authz.require_ops(actor, "annotate incidents")
    lock_instance(uow, instance.id)
    row.annotation = annotation
    record(uow, instance.id, actor, "incident_annotated", now, element_id=row.element_id,
           data={"incident_id": row.id, "annotation": annotation})
    uow.flush()
