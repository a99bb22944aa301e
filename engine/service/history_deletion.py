"""Delete ended process instances with their whole history (Camunda's historic deletion).

VocFlow's history is append-only for everyone but ops: only they delete, only instances
that have ended, and the deletion itself stays in the history (an event of no instance).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engine import authz
from engine.errors import InvalidState, NotFound
from engine.repository import Query
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.runtime import record
from engine.uow import UnitOfWork

ENDED = ("completed", "terminated")


def delete_instances(uow: UnitOfWork, listed: Sequence[str], q: Query | None, *,
                     actor: Actor, now: datetime, reason: str | None = None,
                     fail_if_not_exists: bool = True) -> int:
    """Ops: delete the named ended instances and those a historic-instance query finds;
    how many went. An unknown or out-of-scope id is NotFound (unless told to skip it), a
    running one InvalidState: nothing is deleted then."""
    authz.require_ops(actor, "delete historic process instances")
    scope = scopes.scope_of(actor)
    wanted = set(listed)
    if q is not None:
        wanted |= {row[0].id for row in uow.queries.rows("history_instance", q, scope)}
    found = {row[0].id: row[0] for row in uow.queries.rows(
        "history_instance", Query(filters=(("id", "in", sorted(wanted)),)), scope)
        } if wanted else {}
    missing = sorted(wanted - set(found))
    if missing and fail_if_not_exists:
        raise NotFound(f"historic process instance(s) {', '.join(missing)} do not exist")
    running = sorted(i for i, row in found.items() if row.status not in ENDED)
    if running:
        raise InvalidState(f"process instance(s) {', '.join(running)} have not ended; "
                           "delete the runtime instance first")
    uow.instances.delete_with_history(sorted(found))
    record(uow, None, actor, "historic_instances_deleted", now,
           data={"instances": sorted(found), "reason": reason})
    return len(found)
