"""Keep the dashboard projections (instance_facts, project_years) in step with each save.

The facts are a fold over the instance's history (its start variables and the form values
of every completed task), so they need no SpiffWorkflow load: the save hook reads the few
events of one instance and writes its rows only when they changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine import authz, bpmn
from engine.models import ProcessInstance
from engine.service.actors import Actor
from engine.service.runtime import on_save
from engine.uow import UnitOfWork

PROJECT, SUMMARY, REGISTRATION = "key_task_project", "provincial_summary", "unit_registration"
PRODUCT_KEYS = (PROJECT, SUMMARY, REGISTRATION)
BEIJING = ZoneInfo("Asia/Shanghai")
Event = tuple[str, str | None, datetime, dict[str, Any]]


def report_deadline(year: int) -> datetime:
    """15 December 23:59 Beijing time of the year, in UTC (annual_assessment's deadline)."""
    return datetime(year, 12, 15, 23, 59, tzinfo=BEIJING).astimezone(UTC)


def _year_of(at: datetime) -> int:
    return at.astimezone(BEIJING).year


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _review(state: str, rounds: int, limit: int | None, decision: Any) -> tuple[str, int]:
    if decision == "approve":
        return "approved", rounds
    if decision == "reject":
        return "rejected", rounds
    if decision == "return":
        rounds += 1
        return ("rejected" if limit is not None and rounds > limit else "in_review"), rounds
    return state, rounds


def project_facts(instance: ProcessInstance,
                  events: Iterable[Event]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """State, name, period and the yearly report rows of a key_task_project instance."""
    state, rounds, limit, title = "draft", 0, None, None
    period: tuple[int | None, int | None] = (None, None)
    years: dict[int, dict[str, Any]] = {}
    current: int | None = None
    for action, element, at, data in events:
        if action == "instance_started":
            limit = _int((data.get("variables") or {}).get("max_revision_rounds"))
        elif element == "Task_SubmitPlan":
            state, title = "in_review", data.get("project_name") or title
            period = (_int(data.get("period_start_year")), _int(data.get("period_end_year")))
        elif element == "Task_ReviewPlan":
            state, rounds = _review(state, rounds, limit, data.get("decision"))
        elif element == "Task_Recommend":
            state = "recommended" if data.get("recommended") else "not_recommended"
        elif element == "Task_MinistryConfirm":
            state = "confirmed" if data.get("decision") == "confirm" else "approved"
        elif element == "Task_AnnualReport":
            current = _int(data.get("year")) or current
            if current is not None:
                years[current] = {"instance_id": instance.id, "year": current,
                                  "reported_at": at, "late": at > report_deadline(current),
                                  "rating": None}
        elif element == "Task_ProvincialAssessment" and current in years:
            years[current]["rating"] = data.get("rating")
    if instance.status == "completed" and state == "confirmed":
        state = "completed"
    start = _year_of(instance.started_at)
    values = {"title": title, "state": state, "first_year": period[0] or start,
              "last_year": period[1] or period[0] or start, "submitted_at": None}
    return values, [years[y] for y in sorted(years)]


def summary_facts(instance: ProcessInstance, events: Iterable[Event]) -> dict[str, Any]:
    """State (open / submitted / returned / acknowledged) of a provincial summary."""
    state, year, submitted = "open", None, None
    for action, element, at, data in events:
        if action == "instance_started":
            year = _int((data.get("variables") or {}).get("year"))
        elif element == "Task_WriteSummary":
            state, submitted = "submitted", at
        elif element == "Task_AcknowledgeSummary":
            state = "acknowledged" if data.get("acknowledged") else "returned"
    year = year or _year_of(instance.started_at)
    return {"title": None, "state": state, "first_year": year, "last_year": year,
            "submitted_at": submitted}


def registration_facts(instance: ProcessInstance, events: Iterable[Event]) -> dict[str, Any]:
    """The applicant unit's name and the registration's state."""
    state, title, submitted = "open", None, None
    decisions = {"approve": "approved", "return": "returned", "reject": "rejected"}
    for _action, element, at, data in events:
        if element == "Task_FillRegistration":
            state, title, submitted = "submitted", data.get("unit_name") or title, at
        elif element == "Task_VerifyRegistration":
            state = decisions.get(str(data.get("decision")), state)
    if instance.status == "completed" and state == "approved":
        state = "completed"
    year = _year_of(instance.started_at)
    return {"title": title, "state": state, "first_year": year, "last_year": year,
            "submitted_at": submitted}


def refresh(uow: UnitOfWork, instance: ProcessInstance, now: datetime) -> None:
    """Recompute one product instance's facts from its history; other processes: nothing."""
    key = instance.process_key
    if key not in PRODUCT_KEYS:
        return
    uow.history.write_waiting()  # this step's events wait in memory until a read or commit
    events: Sequence[Event] = [(r.action, r.element_id, r.at, r.data or {})
                               for r in uow.facts.fact_events(instance.id)]
    years: list[dict[str, Any]] = []
    if key == PROJECT:
        values, years = project_facts(instance, events)
    elif key == SUMMARY:
        values = summary_facts(instance, events)
    else:
        values = registration_facts(instance, events)
    values.update(instance_id=instance.id, process_key=key,
                  province_code=instance.province_code, key_task=instance.key_task,
                  unit_id=instance.unit_id, updated_at=now)
    uow.facts.save(values, years)


@on_save
def _after_save(uow: UnitOfWork, instance: ProcessInstance,
                thrown: list[bpmn.ThrownEvent], now: datetime) -> None:
    refresh(uow, instance, now)


def rebuild_facts(uow: UnitOfWork, actor: Actor, now: datetime) -> int:
    """Ops: recompute the facts of every product instance (after an upgrade); returns count."""
    authz.require_ops(actor, "rebuild the dashboard facts")
    ids = uow.facts.product_instance_ids(PRODUCT_KEYS)
    for instance_id in ids:
        instance = uow.instances.get(instance_id)
        if instance is not None:
            refresh(uow, instance, now)
    uow.flush()
    return len(ids)
