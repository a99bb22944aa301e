"""Plain functions that create what tests need: deployments, users, started instances."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine import service
from engine.models import ProcessDefinition, ProcessInstance
from engine.service import SYSTEM_ACTOR, Actor
from engine.uow import UowFactory

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROCESSES = Path(__file__).resolve().parent.parent / "processes"
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def deploy_files(uow_factory: UowFactory, *paths: Path, now: datetime = NOW,
                 name: str | None = None) -> list[ProcessDefinition]:
    files = {p.name: p.read_bytes() for p in paths}
    with uow_factory() as uow:
        result = service.deploy(uow, files, SYSTEM_ACTOR, now, name=name)
    return result.definitions


def deploy_fixture(uow_factory: UowFactory, *names: str, now: datetime = NOW
                   ) -> list[ProcessDefinition]:
    return deploy_files(uow_factory, *(FIXTURES / n for n in names), now=now)


def make_user(uow_factory: UowFactory, username: str, *groups: str,
              password: str | None = None) -> Actor:
    with uow_factory() as uow:
        service.add_user(uow, username, NOW, password=password)
        for group in groups:
            service.add_member(uow, username, group)
        return service.actor_for(uow, username)


def start(uow_factory: UowFactory, key: str, now: datetime = NOW, *,
          actor: Actor = SYSTEM_ACTOR, business_key: str | None = None,
          **variables: Any) -> ProcessInstance:
    with uow_factory() as uow:
        return service.start_instance(uow, key, actor, now, variables=variables,
                                      business_key=business_key)


def open_tasks(uow_factory: UowFactory, instance_id: str) -> list[Any]:
    with uow_factory() as uow:
        return list(uow.tasks.for_instance(instance_id))


def show(uow_factory: UowFactory, instance_id: str) -> service.InstanceDetail:
    with uow_factory() as uow:
        return service.show_instance(uow, instance_id, SYSTEM_ACTOR)


def activity_states(detail: service.InstanceDetail) -> dict[str, set[str]]:
    """Element id -> the states its tasks are in (a loop can leave several)."""
    result: dict[str, set[str]] = {}
    for activity in detail.activities:
        result.setdefault(activity["element_id"], set()).add(activity["state"])
    return result
