"""The one permission model: who may see, act on, repair, deploy, work, correlate and read.

Every command in engine/service asks this module, the way Camunda's commands ask their
command checker. Reads out of the actor's scope raise NotFound (nothing leaks); an action
in scope by the wrong role raises Forbidden. The SQL form of a scope is built here
(`scope_filter`) and turned into clauses only by engine/repository/scopes.py.

| group                         | reach and rights                                            |
|-------------------------------|-------------------------------------------------------------|
| unit:{id}                     | that unit's instances, tasks offered to it, its files       |
| province:{code}:reviewer/admin| that province's instances, tasks and files                  |
| ministry:{KTxx}               | instances and tasks of that key task                        |
| designer                      | deploy; start processes (scope rules for unit/province vars)|
| ops                           | see everything; repair (retry, skip, move, suspend, ...)    |
| admin                         | everything ops may; claim/assign/complete any task          |
|                               | (recorded as an override); manage users                     |
| worker / worker:{topic}       | fetch and work external tasks: `worker` every topic but the |
|                               | engine's own, `worker:{topic}` that topic                   |
| messenger                     | correlate messages and signals to instances in scope        |
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.errors import Forbidden, NotFound
from engine.models import HumanTask, ProcessInstance
from engine.repository.scopes import ScopeFilter
from engine.service.actors import SYSTEM, Actor

ADMIN, OPS, DESIGNER, WORKER, MESSENGER = "admin", "ops", "designer", "worker", "messenger"

# Topics worked by the engine's own worker (engine/handlers): outside workers reach them only
# with an explicit `worker:{topic}` grant, so nobody can swallow a notice or a new account.
ENGINE_TOPICS = frozenset({"notify", "create_unit_account", "open_provincial_summaries",
                           "http-connector"})


def is_system(actor: Actor) -> bool:
    return actor.username == SYSTEM


def is_admin(actor: Actor) -> bool:
    return ADMIN in actor.groups


def is_ops(actor: Actor) -> bool:
    """Ops and admin see every instance and may repair it."""
    return actor.in_group(OPS, ADMIN)


# --- scope ----------------------------------------------------------------------------------

def provinces_of(actor: Actor) -> list[str]:
    codes = []
    for group in actor.groups:
        parts = group.split(":")
        if len(parts) == 3 and parts[0] == "province" and parts[2] in ("reviewer", "admin"):
            codes.append(parts[1])
    return sorted(codes)


def key_tasks_of(actor: Actor) -> list[str]:
    return sorted(g.split(":", 1)[1] for g in actor.groups if g.startswith("ministry:"))


def scope_filter(actor: Actor) -> ScopeFilter:
    """What the actor may see, as the repository's SQL filter."""
    return ScopeFilter(
        username=actor.username, groups=tuple(sorted(actor.groups)),
        unrestricted=is_ops(actor), unit_ids=tuple(sorted(actor.unit_ids)),
        province_codes=tuple(provinces_of(actor)), key_tasks=tuple(key_tasks_of(actor)),
    )


def sees_instance(actor: Actor, instance: ProcessInstance) -> bool:
    """The row's own part of repository.scopes.instance_scope_clause (which also lets a
    user see an instance with an open task for them): what files and messages reach."""
    if is_ops(actor) or instance.started_by == actor.username:
        return True
    return ((instance.unit_id or "") in actor.unit_ids
            or (instance.province_code or "") in provinces_of(actor)
            or (instance.key_task or "") in key_tasks_of(actor))


def owns_file(actor: Actor, owner: str) -> bool:
    """Files belong to a group: a unit's members, or any reviewer/admin of a province."""
    if is_ops(actor) or owner in actor.groups:
        return True
    return owner.startswith("province:") and any(
        g.startswith(f"{owner}:") for g in actor.groups)


# --- user tasks -----------------------------------------------------------------------------

def offered(actor: Actor, task: HumanTask) -> bool:
    return actor.username in (task.candidate_users or []) or bool(
        actor.groups.intersection(task.candidate_groups or []))


def works_task(actor: Actor, task: HumanTask) -> bool:
    """The assignee, or (unassigned) a candidate user or group member, may complete it."""
    if task.assignee:
        return task.assignee == actor.username
    return offered(actor, task)


def may_complete(actor: Actor, task: HumanTask) -> bool:
    """works_task, or Camunda's admin override."""
    return works_task(actor, task) or is_admin(actor)


def is_override(actor: Actor, task: HumanTask) -> bool:
    """An admin acting on a task that is not assigned or offered to them."""
    return is_admin(actor) and not works_task(actor, task)


def require_complete(actor: Actor, task: HumanTask) -> None:
    if not may_complete(actor, task):
        raise Forbidden(f"{actor.username} may not complete task {task.id}")


def require_claim(actor: Actor, task: HumanTask) -> None:
    if is_admin(actor) or task.assignee == actor.username or offered(actor, task):
        return
    raise Forbidden(f"task {task.id} is not offered to {actor.username}")


def require_unclaim(actor: Actor, task: HumanTask) -> None:
    if task.assignee != actor.username and not is_ops(actor):
        raise Forbidden(f"task {task.id} is not claimed by {actor.username}")


def require_assign(actor: Actor, task: HumanTask) -> None:
    if not (is_ops(actor) or task.assignee == actor.username):
        raise Forbidden("only ops, admin or the current assignee may assign this task")


def require_work(actor: Actor, task: HumanTask, what: str) -> None:
    """Delegate, resolve, comment, throw from, write variables of: who may complete it."""
    if not may_complete(actor, task):
        raise Forbidden(f"{actor.username} may not {what} task {task.id}")


def require_update_task(actor: Actor) -> None:
    """Rename, re-date, re-prioritise a task, or offer it to other users or groups: ops."""
    require_ops(actor, "change a task's fields or who it is offered to")


def sees_filter(actor: Actor, owner: str) -> bool:
    """A saved task filter is its owner's; admin sees and manages every user's."""
    return is_admin(actor) or owner == actor.username


def require_comment_author(actor: Actor, author: str) -> None:
    if not (is_admin(actor) or author == actor.username):
        raise Forbidden(f"only {author} (or admin) may change or delete this comment")


# --- roles ----------------------------------------------------------------------------------

def require_ops(actor: Actor, what: str = "repair instances") -> None:
    if not is_ops(actor):
        raise Forbidden(f"only members of 'ops' may {what}")


def require_admin(actor: Actor, what: str = "manage users and groups") -> None:
    if not is_admin(actor):
        raise Forbidden(f"only members of 'admin' may {what}")


def directory_scope(actor: Actor) -> ScopeFilter:
    """Who and which groups a user may list: admin everyone; others themself, the members
    of their own groups, and those groups (Camunda's default READ on one's own user)."""
    return ScopeFilter(username=actor.username, groups=tuple(sorted(actor.groups)),
                       unrestricted=is_admin(actor))


def require_deploy(actor: Actor) -> None:
    if not actor.in_group(DESIGNER, ADMIN):
        raise Forbidden("only members of 'designer' may deploy")


def require_visible(actor: Actor, instance: ProcessInstance | None, instance_id: str
                    ) -> ProcessInstance:
    if instance is None or not sees_instance(actor, instance):
        raise NotFound(f"process instance {instance_id} does not exist")
    return instance


def require_manage_instance(actor: Actor, instance: ProcessInstance) -> None:
    """Suspend, resume, terminate: ops, or the user who started the instance."""
    if not (is_ops(actor) or actor.username == instance.started_by):
        raise Forbidden("only ops or the user who started the instance may do this")


# --- external tasks -------------------------------------------------------------------------

def works_topic(actor: Actor, topic: str) -> bool:
    """`worker:{topic}` grants that topic; `worker` (and admin) every topic but the engine's."""
    if is_system(actor) or f"{WORKER}:{topic}" in actor.groups:
        return True
    return actor.in_group(WORKER, ADMIN) and topic not in ENGINE_TOPICS


def require_topics(actor: Actor, topics: Iterable[str]) -> None:
    refused = sorted({t for t in topics if not works_topic(actor, t)})
    if refused:
        raise Forbidden(f"{actor.username} may not work external tasks of topic "
                        + ", ".join(f"'{t}'" for t in refused),
                        details={"topics": refused})


def lock_owner(actor: Actor, worker_id: str) -> str:
    """The lock is the worker id *and* the signed-in user: another user's worker with the
    same id cannot complete, fail, extend or unlock it."""
    return worker_id if is_system(actor) else f"{actor.username}/{worker_id}"


def holds_lock(actor: Actor, lock: str | None) -> bool:
    """Unlock needs no worker id (Camunda's protocol): the user who locked it, or ops."""
    if lock is None or is_system(actor) or is_ops(actor):
        return True
    return lock.startswith(f"{actor.username}/")


def worker_id_of(lock: str | None) -> str | None:
    """The worker id a client sent, from a stored lock owner."""
    return lock.split("/", 1)[1] if lock and "/" in lock else lock


# --- messages and signals -------------------------------------------------------------------

def correlates(actor: Actor) -> bool:
    return is_system(actor) or actor.in_group(MESSENGER, WORKER, OPS, ADMIN)


def require_correlate(actor: Actor, kind: str = "message") -> None:
    if not correlates(actor):
        raise Forbidden(f"{actor.username} may not correlate a {kind}: that needs the "
                        f"'{MESSENGER}' group (or '{WORKER}', 'ops')")


# --- starts ---------------------------------------------------------------------------------

def start_scope(actor: Actor, variables: dict[str, Any], unit_province: str | None) -> None:
    """Check (and fill in) a start's unit_id / province_code against the actor.

    A unit member's `unit_id` must be one of theirs (it is filled in when they have one unit)
    and `province_code` comes from the unit record (`unit_province`), never the request.
    Province staff start only in their province. Ops start anything.
    """
    if is_ops(actor) or is_system(actor):
        return
    units = sorted(actor.unit_ids)
    unit = variables.get("unit_id")
    if units:
        if unit in (None, "") and len(units) == 1:
            unit = variables["unit_id"] = units[0]
        if str(unit) not in units:
            raise Forbidden(f"{actor.username} may not start instances for unit {unit}")
        if unit_province is not None:
            variables["province_code"] = unit_province
        return
    if unit not in (None, ""):
        raise Forbidden(f"{actor.username} may not start instances for unit {unit}")
    province = variables.get("province_code")
    if province not in (None, "") and str(province) not in provinces_of(actor):
        raise Forbidden(f"{actor.username} may not start instances for province {province}")
