"""Page commands: a page's one call, composed only of engine.service commands.

Each takes the unit of work first and `actor`/`now` by keyword, so that a page runs it with
`common.run` (engine.execute): the permission checks stay in the service functions called.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from engine import UnitOfWork, files, service
from engine.config import Settings
from engine.models import HumanTask, Job
from engine.service import Actor, passwords, scopes
from engine.service import task_list as engine_task_list

REGISTRATION = "unit_registration"


def register_unit(uow: UnitOfWork, username: str, password: str, data: dict[str, Any], *,
                  now: datetime) -> str:
    """A new applicant account, its unit_registration started and the form submitted.

    One unit of work: an invalid form (FormInvalid) leaves no account and no instance.
    """
    passwords.require_strong_password(password, "password", (username,))
    service.add_user(uow, username, now, password=password, email=data.get("contact_email"))
    applicant = service.actor_for(uow, username)
    instance = service.start_instance(uow, REGISTRATION, applicant, now, variables={})
    [task] = scopes.inbox(uow, applicant, view="offered", instance_id=instance.id)
    service.complete_task(uow, task.id, data, applicant, now)
    return instance.id


def my_registrations(uow: UnitOfWork, *, actor: Actor) -> list[service.InstanceDetail]:
    """The registrations I started, with their tasks and history."""
    rows = scopes.list_instances(uow, actor, process_key=REGISTRATION, limit=20)
    return [service.show_instance(uow, r.id, actor) for r in rows
            if r.started_by == actor.username]


def claim(uow: UnitOfWork, task_id: str, *, actor: Actor, now: datetime) -> HumanTask:
    scopes.visible_task(uow, task_id, actor)
    return service.claim_task(uow, task_id, actor, now)


def unclaim(uow: UnitOfWork, task_id: str, *, actor: Actor, now: datetime) -> HumanTask:
    scopes.visible_task(uow, task_id, actor)
    return service.unclaim_task(uow, task_id, actor, now)


def upload(uow: UnitOfWork, settings: Settings, name: str, content: bytes, *, actor: Actor,
           now: datetime) -> dict[str, Any]:
    """Store an evidence file for the uploader's unit (as POST /api/v1/files); its reference."""
    return files.upload_file(uow, settings, None, name, content, actor, now).as_dict()


def instance_jobs(uow: UnitOfWork, instance_id: str, *, actor: Actor) -> list[Job]:
    """Ops: the timers and external-task work of one instance."""
    return list(scopes.list_jobs(uow, actor, instance_id=instance_id))


def task_list(uow: UnitOfWork, *, actor: Actor, now: datetime, view: str,
              **filters: Any) -> dict[str, Any]:
    """待办: the rows with unit and project names, and the counts, in one unit of work."""
    rows = engine_task_list.inbox_rows(uow, actor, view=view, now=now, **filters)
    return {"rows": rows, "counts": scopes.inbox_counts(uow, actor, now)}


def ops_console(uow: UnitOfWork, *, actor: Actor, now: datetime, grace: timedelta
                ) -> dict[str, Any]:
    """Ops: jobs (the ops check is scopes.list_jobs'), stuck instances, open incidents."""
    jobs = list(scopes.list_jobs(uow, actor, limit=200))
    return {"jobs": jobs, "stuck": service.find_stuck(uow, now, grace, actor),
            "incidents": list(scopes.list_incidents(uow, actor))}
