"""The Camunda REST list resources of users, groups and decision definitions (SQL filters).

They join queries.RESOURCES when this module is imported (engine.repository does), so the
one QueryRepository answers /user, /group and /decision-definition like every other list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, false, select, true
from sqlalchemy.orm import aliased

from engine.models import DecisionRequirements, Group, Membership, ProcessDefinition, User
from engine.repository.queries import RESOURCES, Resource, Special, deployment_tenant
from engine.repository.scopes import ScopeFilter

_PD = ProcessDefinition


def user_scope_clause(scope: ScopeFilter) -> ColumnElement[bool]:
    """Users the actor may see: all (unrestricted), else themself and their groups' members."""
    if scope.unrestricted:
        return true()
    mine, theirs = aliased(Membership), aliased(Membership)
    me = aliased(User)
    shared = (select(theirs.user_id)
              .join(mine, mine.group_id == theirs.group_id)
              .join(me, me.id == mine.user_id).where(me.username == scope.username))
    return (User.username == scope.username) | User.id.in_(shared)


def group_scope_clause(scope: ScopeFilter) -> ColumnElement[bool]:
    """Groups the actor may see: all (unrestricted), else the groups they belong to."""
    if scope.unrestricted:
        return true()
    return Group.name.in_(scope.groups)


def _member_of_group(op: str, value: Any) -> ColumnElement[bool]:
    names = list(value) if op == "in" else [value]
    return exists().where(Membership.user_id == User.id, Membership.group_id == Group.id,
                          Group.name.in_(names))


def _has_member(op: str, value: Any) -> ColumnElement[bool]:
    names = list(value) if op == "in" else [value]
    return exists().where(Membership.group_id == Group.id, Membership.user_id == User.id,
                          User.username.in_(names))


def _no_tenants(_op: str, _value: Any) -> ColumnElement[bool]:
    """We keep no tenants: a tenant's members are nobody."""
    return false()


def _latest_of(kind: str) -> Special:
    def clause(_op: str, value: Any) -> ColumnElement[bool]:
        newer = aliased(ProcessDefinition)
        later = exists().where(newer.key == _PD.key, newer.kind == kind,
                               newer.version > _PD.version)
        return ~later if value else later
    return clause


def _requirements(column: Any) -> Special:
    """Decisions of a DMN file whose DRD has this id or key (op "null": of no DRD)."""
    def clause(op: str, value: Any) -> ColumnElement[bool]:
        of_file = exists().where(DecisionRequirements.deployment_id == _PD.deployment_id,
                                 DecisionRequirements.resource_name == _PD.resource_name)
        if op == "null":
            return ~of_file if value else of_file
        return of_file.where(column == value)
    return clause


RESOURCES.update({
    "user": Resource(
        base=lambda scope: select(User).where(user_scope_clause(scope)),
        fields={"id": User.username, "first_name": User.display_name, "email": User.email},
        order=(User.username,),
        specials={"member_of_group": _member_of_group, "member_of_tenant": _no_tenants}),
    "group": Resource(
        base=lambda scope: select(Group).where(group_scope_clause(scope)),
        fields={"id": Group.name, "name": Group.display_name},
        order=(Group.name,),
        specials={"member": _has_member, "member_of_tenant": _no_tenants}),
    "decision": Resource(
        base=lambda _scope: select(_PD).where(_PD.kind == "decision"),
        fields={"id": _PD.id, "key": _PD.key, "name": _PD.name, "version": _PD.version,
                "deployment_id": _PD.deployment_id, "resource_name": _PD.resource_name,
                "deployed_at": _PD.deployed_at},
        order=(_PD.key, _PD.version),
        specials={"latest": _latest_of("decision"), "tenant": deployment_tenant,
                  "drd_id": _requirements(DecisionRequirements.id),
                  "drd_key": _requirements(DecisionRequirements.key)}),
})

__all__ = ["group_scope_clause", "user_scope_clause"]
