"""单位注册 from the public page: the applicant's account, its registration, its progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.service import passwords, scopes
from engine.service.actors import Actor
from engine.service.instances import InstanceDetail, show_instance, start_instance
from engine.service.tasks import complete_task
from engine.service.users import actor_for, add_user
from engine.uow import UnitOfWork

REGISTRATION = "unit_registration"


def register_unit(uow: UnitOfWork, username: str, password: str, data: dict[str, Any], *,
                  now: datetime) -> str:
    """A new applicant account, its unit_registration started and the form submitted.

    One unit of work: an invalid form (FormInvalid) leaves no account and no instance.
    """
    passwords.require_strong_password(password, "password", (username,))
    add_user(uow, username, now, password=password, email=data.get("contact_email"))
    applicant = actor_for(uow, username)
    instance = start_instance(uow, REGISTRATION, applicant, now, variables={})
    [task] = scopes.inbox(uow, applicant, view="offered", instance_id=instance.id)
    complete_task(uow, task.id, data, applicant, now)
    return instance.id


def my_registrations(uow: UnitOfWork, *, actor: Actor) -> list[InstanceDetail]:
    """The registrations the actor started, with their tasks and history."""
    rows = scopes.list_instances(uow, actor, process_key=REGISTRATION, limit=20)
    return [show_instance(uow, r.id, actor) for r in rows if r.started_by == actor.username]
