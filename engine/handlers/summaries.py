"""The `open_provincial_summaries` topic: one provincial_summary per province, key task, year.

Which projects count as active in a year Y: key_task_project instances, running or
completed (a one-year project may close before 16 December), that have entered the annual
assessment loop (the variable `year` exists: it is set only after the Ministry confirmed
the recommendation) and whose construction period covers Y. Returned, rejected or
not-recommended projects never get there; terminated instances are ignored.
"""

from __future__ import annotations

from typing import Any

from engine import bpmn
from engine.handlers.base import Context, HandlerFailed
from engine.models import ProcessInstance
from engine.service.actors import SYSTEM_ACTOR
from engine.service.instances import start_instance
from engine.service.runtime import load_workflow
from engine.uow import UnitOfWork

PROJECT_PROCESS = "key_task_project"
SUMMARY_PROCESS = "provincial_summary"


def summary_key(province_code: str, key_task: str, year: int) -> str:
    return f"summary:{province_code}:{key_task}:{year}"


def _covers(variables: dict[str, Any], year: int) -> bool:
    if "year" not in variables:
        return False
    try:
        start = int(variables["period_start_year"])
        end = int(variables["period_end_year"])
    except (KeyError, TypeError, ValueError):
        return False
    return start <= year <= end


def active_pairs(uow: UnitOfWork, year: int) -> list[tuple[str, str]]:
    """(province, key task) pairs with at least one project active in the year, sorted."""
    pairs: set[tuple[str, str]] = set()
    instances = uow.product.instances_of(PROJECT_PROCESS, ("running", "completed"))
    for instance in instances:
        if not (instance.province_code and instance.key_task):
            continue
        if (instance.province_code, instance.key_task) in pairs:
            continue
        if _covers(bpmn.variables(load_workflow(uow, instance)), year):
            pairs.add((instance.province_code, instance.key_task))
    return sorted(pairs)


def open_summaries(uow: UnitOfWork, year: int, now: Any) -> list[ProcessInstance]:
    """Start the missing summaries of the year; a concurrent caller waits, then finds them."""
    repo = uow.product
    repo.lock_name(f"{SUMMARY_PROCESS}:{year}")
    wanted = {summary_key(p, kt, year): (p, kt) for p, kt in active_pairs(uow, year)}
    existing = repo.existing_business_keys(wanted) if wanted else set()
    started = []
    for key, (province, key_task) in sorted(wanted.items()):
        if key in existing:
            continue
        started.append(start_instance(
            uow, SUMMARY_PROCESS, SYSTEM_ACTOR, now, business_key=key,
            variables={"province_code": province, "key_task": key_task, "year": year},
        ))
    return started


def open_provincial_summaries(ctx: Context) -> dict[str, Any]:
    try:
        year = int(ctx.variables["year"])
    except (KeyError, TypeError, ValueError) as exc:
        raise HandlerFailed(f"input parameter 'year' is missing or not a year: {exc}") from exc
    with ctx.uow_factory() as uow:
        started = open_summaries(uow, year, ctx.now)
        keys = [i.business_key for i in started]
    return {"summaries_opened": len(keys)}
