"""Camunda /history list queries: historic tasks and the logs read from history_events.

Importing this module adds its resources to engine.repository.queries.RESOURCES, so the
one QueryRepository filters, sorts, pages and counts them like every other list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select, true

from engine.models import (
    HistoricTask,
    HistoryEvent,
    HumanTask,
    OperationAnnotation,
    ProcessInstance,
)
from engine.repository.queries import RESOURCES, Resource
from engine.repository.scopes import ScopeFilter, instance_scope_clause

_TH, _HE, _HT, _PI = HistoricTask, HistoryEvent, HumanTask, ProcessInstance
# History events that are operations of a person on an instance, a task, a job, an incident,
# a deployment or a user: Camunda's user operation log. What the engine did by itself
# (actor "system"), what workers did, sign-ins, tokens and passwords are not in it.
USER_OPERATIONS = (
    "instance_started", "instance_suspended", "instance_resumed", "instance_terminated",
    "instance_migrated", "variables_set", "task_claimed", "task_unclaimed", "task_assigned",
    "task_completed", "task_due_changed", "task_skipped", "token_moved", "job_due_date_set",
    "job_retries_set", "incident_retried", "incident_resolved", "message_received",
    "deployed", "user_created", "user_updated", "member_added", "member_removed",
    "operation_annotated", "operation_annotation_cleared", "historic_variables_deleted",
    "job_definition_suspended", "job_definition_activated", "job_definition_priority_set",
    "job_deleted",
)
# What workers reported on external tasks, and the timer jobs that fired.
EXTERNAL_TASK_LOG = ("external_task_completed", "external_task_bpmn_error",
                     "external_task_failed")
JOB_LOG = ("timer_fired",)
# Who was made or unmade a task's assignee (candidates are not in the events).
IDENTITY_LINKS = ("task_claimed", "task_unclaimed", "task_assigned")


def _live(historic: Any, open_task: Any) -> Any:
    """An open task's value is its human_tasks row's (claims change it); an ended one's is
    what its end copied."""
    return case((_HT.id.is_not(None), open_task), else_=historic)


def _historic_task_scope(scope: ScopeFilter) -> ColumnElement[bool]:
    """Tasks of instances in scope, and the tasks the actor held or worked."""
    return or_(instance_scope_clause(scope), _TH.assignee == scope.username,
               _HT.assignee == scope.username)


def _anywhere(scope: ScopeFilter) -> ColumnElement[bool]:
    """Events of instances in scope; those of no instance (deploys, users): ops only."""
    return true() if scope.unrestricted else instance_scope_clause(scope)


def _data(key: str) -> Any:
    return _HE.data[key].as_string()


def _events(actions: tuple[str, ...], *where: Any) -> Any:
    def base(scope: ScopeFilter) -> Any:
        return (select(_HE, _PI).outerjoin(_PI, _PI.id == _HE.instance_id)
                .where(_HE.action.in_(actions), _anywhere(scope), *where))
    return base


_EVENT_FIELDS = {"id": _HE.id, "instance_id": _HE.instance_id, "action": _HE.action,
                 "definition_id": _PI.definition_id, "process_key": _PI.process_key,
                 "element_id": _HE.element_id, "task_id": _HE.task_id, "actor": _HE.actor,
                 "at": _HE.at}

# A claim links its claimer, an assignment the user named (none: the link is removed).
_LINKED_USER = case((_HE.action == "task_claimed", _HE.actor),
                    (_HE.action == "task_assigned", _data("assignee")), else_=None)
_LINK_OPERATION = case((_LINKED_USER.is_(None), "delete"), else_="add")

RESOURCES.update({
    "history_task": Resource(
        base=lambda scope: select(_TH, _PI, _HT).join(_PI, _PI.id == _TH.instance_id)
        .outerjoin(_HT, and_(_HT.id == _TH.task_id, _TH.ended_at.is_(None)))
        .where(_historic_task_scope(scope)),
        fields={"id": _TH.id, "instance_id": _TH.instance_id, "process_key": _TH.process_key,
                "definition_id": _PI.definition_id, "business_key": _PI.business_key,
                "element_id": _TH.element_id, "name": _TH.name,
                "assignee": _live(_TH.assignee, _HT.assignee),
                "priority": _live(_TH.priority, _HT.priority),
                "due_at": _live(_TH.due_at, _HT.due_at),
                "follow_up_at": _live(_TH.follow_up_at, _HT.follow_up_at),
                "created_at": _TH.created_at, "ended_at": _TH.ended_at,
                "end_reason": _TH.end_reason, "instance_ended_at": _PI.ended_at},
        order=(_TH.created_at, _TH.id), specials={}),
    "history_operation": Resource(
        base=lambda scope: select(_HE, _PI, OperationAnnotation.annotation)
        .outerjoin(_PI, _PI.id == _HE.instance_id)
        .outerjoin(OperationAnnotation, OperationAnnotation.event_id == _HE.id)
        .where(_HE.action.in_(USER_OPERATIONS), _HE.actor != "system", _anywhere(scope)),
        fields=_EVENT_FIELDS, order=(_HE.at, _HE.id), specials={}),
    "history_external_task_log": Resource(
        base=_events(EXTERNAL_TASK_LOG),
        fields={**_EVENT_FIELDS, "job_id": _data("job_id"), "topic": _data("topic"),
                "error": _data("error")},
        order=(_HE.at, _HE.id), specials={}),
    "history_job_log": Resource(
        base=_events(JOB_LOG), fields={**_EVENT_FIELDS, "job_id": _data("job_id")},
        order=(_HE.at, _HE.id), specials={}),
    "history_identity_link": Resource(
        base=_events(IDENTITY_LINKS),
        fields={**_EVENT_FIELDS, "user_id": _LINKED_USER, "link_operation": _LINK_OPERATION},
        order=(_HE.at, _HE.id), specials={}),
})
