"""Camunda's /authorization as a read-only view of our permission model (engine.authz).

Our rights come from groups, not stored authorizations, so each row below is a grant that
authz.py already makes: everyone reads definitions and deployments and may start and
evaluate; designer deploys and deletes; ops sees and repairs every instance and task;
admin may do everything. Scope rules (a unit's or a province's own instances, tasks
offered to a user, a worker's topics) are no Camunda authorization and are not listed; a
check of READ on one process instance or task answers them truthfully all the same.
Nothing here can be created, changed or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import authz
from engine.errors import InvalidState, NotFound
from engine.repository import Query
from engine.service.actors import Actor
from engine.uow import UnitOfWork

GLOBAL, GRANT = 0, 1
# Camunda's resource type numbers and names.
RESOURCES = {0: "Application", 1: "User", 2: "Group", 3: "GroupMembership",
             4: "Authorization", 5: "Filter", 6: "ProcessDefinition", 7: "Task",
             8: "ProcessInstance", 9: "Deployment", 10: "DecisionDefinition", 11: "Tenant",
             12: "TenantMembership", 13: "Batch", 14: "DecisionRequirementsDefinition",
             17: "OperationLogCategory", 19: "HistoricTask", 20: "HistoricProcessInstance",
             21: "System"}
EVERYONE = "*"


@dataclass(frozen=True)
class Grant:
    """One row of Camunda's AuthorizationDto: who (user "*" or a group) may do what."""

    id: str
    type: int
    permissions: tuple[str, ...]
    user_id: str | None
    group_id: str | None
    resource_type: int
    resource_id: str = "*"


def _grant(who: str, resource: int, *permissions: str) -> Grant:
    everyone = who == EVERYONE
    return Grant(f"vocflow:{'everyone' if everyone else who}:{RESOURCES[resource]}",
                 GLOBAL if everyone else GRANT, permissions, EVERYONE if everyone else None,
                 None if everyone else who, resource)


GRANTS: tuple[Grant, ...] = (
    _grant(EVERYONE, 6, "READ", "CREATE_INSTANCE"),
    _grant(EVERYONE, 10, "READ", "CREATE_INSTANCE"),
    _grant(EVERYONE, 9, "READ"),
    _grant(EVERYONE, 8, "CREATE"),
    _grant(authz.DESIGNER, 9, "CREATE", "DELETE"),
    _grant(authz.DESIGNER, 6, "DELETE"),
    _grant(authz.OPS, 8, "READ", "UPDATE", "DELETE", "SUSPEND"),
    _grant(authz.OPS, 7, "READ", "UPDATE", "TASK_ASSIGN"),
    _grant(authz.OPS, 6, "READ_HISTORY", "READ_INSTANCE", "UPDATE_INSTANCE", "SUSPEND",
           "SUSPEND_INSTANCE"),
    _grant(authz.OPS, 20, "READ"),
    _grant(authz.OPS, 19, "READ"),
    *(_grant(authz.ADMIN, resource, "ALL") for resource in sorted(RESOURCES)),
)


def _applies(grant: Grant, actor: Actor) -> bool:
    return grant.user_id in (EVERYONE, actor.username) or grant.group_id in actor.groups


def grants(uow: UnitOfWork, *, actor: Actor) -> list[Grant]:
    """The grants the actor may read: all for admin, those that apply to them otherwise."""
    del uow
    return [g for g in GRANTS if authz.is_admin(actor) or _applies(g, actor)]


def grant(uow: UnitOfWork, grant_id: str, *, actor: Actor) -> Grant:
    found = next((g for g in grants(uow, actor=actor) if g.id == grant_id), None)
    if found is None:
        raise NotFound(f"Authorization with id {grant_id} does not exist.")
    return found


def refuse_change(uow: UnitOfWork, *, actor: Actor) -> None:
    """Admin: authorizations follow from groups; change a user's groups instead."""
    del uow
    authz.require_admin(actor, "change authorizations")
    raise InvalidState("authorizations are computed from group membership and cannot be "
                       "changed; add or remove the user's groups instead")


def is_authorized(uow: UnitOfWork, permission: str, resource_type: int,
                  resource_id: str | None, *, actor: Actor) -> bool:
    """Whether the actor holds permission on the resource (a concrete process instance or
    task: also whether it is in the actor's scope, as every read of it asks)."""
    if resource_type not in RESOURCES:
        raise InvalidState(f"unknown resource type {resource_type}")
    held = any(_applies(g, actor) and g.resource_type == resource_type
               and ("ALL" in g.permissions or permission in g.permissions) for g in GRANTS)
    if held or resource_id in (None, "", "*") or permission != "READ":
        return held
    if resource_type in (7, 8):
        name = "task" if resource_type == 7 else "instance"
        rows = uow.queries.rows(name, Query(filters=(("id", "eq", resource_id),), limit=1),
                                authz.scope_filter(actor))
        return bool(rows)
    return False
