"""A construction unit starts its own key-task project (the page's 申报新项目)."""

from __future__ import annotations

from datetime import datetime

from engine.errors import Forbidden, NotFound
from engine.models import ProcessInstance
from engine.service.actors import Actor
from engine.service.instances import start_instance
from engine.uow import UnitOfWork

PROJECT = "key_task_project"
DEFAULT_REVISION_ROUNDS = 2


def start_project(uow: UnitOfWork, actor: Actor, now: datetime, *,
                  max_revision_rounds: int = DEFAULT_REVISION_ROUNDS) -> ProcessInstance:
    """key_task_project for the actor's one unit, in that unit's province."""
    units = sorted(actor.unit_ids)
    if len(units) != 1:
        raise Forbidden(f"{actor.username} is not the member of exactly one unit")
    unit = uow.product.unit(units[0])
    if unit is None:
        raise NotFound(f"unit {units[0]} does not exist")
    variables = {"unit_id": unit.id, "province_code": unit.province_code,
                 "max_revision_rounds": max_revision_rounds}
    return start_instance(uow, PROJECT, actor, now, variables=variables)
