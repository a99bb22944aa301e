"""Waiting message and signal catches in the actor's scope (Camunda's event subscriptions)."""

from __future__ import annotations

from engine import authz
from engine.errors import NotFound
from engine.models.events import EventSubscription
from engine.service import scopes
from engine.service.actors import Actor
from engine.uow import UnitOfWork


def list_subscriptions(uow: UnitOfWork, actor: Actor, *, instance_id: str | None = None,
                       kind: str | None = None, name: str | None = None,
                       limit: int = 10_000) -> list[EventSubscription]:
    """Subscriptions of one visible instance, or of all instances for ops/admin."""
    if instance_id:
        try:
            scopes.visible_instance(uow, instance_id, actor)
        except NotFound:
            return []
    elif not authz.is_ops(actor):
        return []
    return uow.events.subscriptions(instance_id, kind.lower() if kind else None, name, limit)
