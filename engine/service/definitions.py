"""Read deployed definitions: lists, one definition, the versions of a key."""

from __future__ import annotations

from collections.abc import Sequence

from engine.errors import NotFound
from engine.models import ProcessDefinition
from engine.service.actors import Actor
from engine.service.instances import resolve_definition
from engine.uow import UnitOfWork


def list_definitions(uow: UnitOfWork, actor: Actor, *, key: str | None = None,
                     latest_only: bool = True, kind: str | None = None
                     ) -> Sequence[ProcessDefinition]:
    """Deployed definitions: what may be started is no secret to a signed-in user."""
    return uow.definitions.list(key=key, latest_only=latest_only, kind=kind)


def get_definition(uow: UnitOfWork, key_or_id: str, actor: Actor) -> ProcessDefinition:
    """A process definition by id, or the newest version of a key."""
    return resolve_definition(uow, key_or_id)


def definition_versions(uow: UnitOfWork, key: str, actor: Actor
                        ) -> Sequence[ProcessDefinition]:
    """Every deployed version of one key, oldest first; NotFound when none."""
    rows = uow.definitions.list(key=key)
    if not rows:
        raise NotFound(f"no process definition '{key}' is deployed")
    return rows
