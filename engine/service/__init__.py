"""Use cases: every entry point (API, CLI, worker, tests) calls these inside one unit of work."""

from engine.service import (
    accounts,
    dashboard,
    definitions,
    diagram_diff,
    directory,
    facts,
    instance_view,
    passwords,
    preferences,
    registration,
    scopes,
    signin,
    task_admin,
    task_list,
)
from engine.service.actors import SYSTEM_ACTOR, Actor
from engine.service.deployments import DeploymentResult, deploy
from engine.service.external_tasks import (
    LockedTask,
    complete_external_task,
    extend_lock,
    fetch_and_lock,
    handle_failure,
    unlock,
)
from engine.service.instances import (
    InstanceDetail,
    get_instance,
    instance_history,
    instance_variables,
    resolve_definition,
    resume_instance,
    set_variables,
    show_instance,
    start_instance,
    suspend_instance,
    terminate_instance,
)
from engine.service.messages import broadcast_signal, correlate_message
from engine.service.migration import MigrationReport, migrate_instance
from engine.service.repair import (
    get_incident,
    list_incidents,
    move_token,
    resolve_incident,
    retry_and_report,
    retry_incident,
    skip_task,
)
from engine.service.stuck import OpsConsole, StuckRow, find_stuck, ops_console
from engine.service.task_admin import change_due_date
from engine.service.tasks import (
    Completion,
    assign_task,
    claim_task,
    complete_and_report,
    complete_task,
    get_task,
    list_tasks,
    may_act,
    unclaim_task,
)
from engine.service.timers import fire_timer, fire_timer_start, schedule_timer_starts
from engine.service.users import (
    actor_for,
    add_member,
    add_user,
    ensure_group,
    hash_password,
    verify_password,
)

__all__ = [
    "Actor", "Completion", "DeploymentResult", "InstanceDetail", "LockedTask", "MigrationReport",
    "OpsConsole", "SYSTEM_ACTOR", "StuckRow", "accounts", "actor_for", "add_member", "add_user",
    "assign_task",
    "broadcast_signal", "change_due_date", "claim_task", "complete_and_report",
    "complete_external_task", "complete_task", "correlate_message", "dashboard", "definitions",
    "deploy", "diagram_diff", "directory", "ensure_group", "extend_lock", "facts",
    "fetch_and_lock", "find_stuck", "fire_timer", "fire_timer_start", "get_incident",
    "get_instance", "get_task", "handle_failure", "instance_view", "task_list",
    "hash_password", "instance_history", "instance_variables", "list_incidents", "list_tasks",
    "may_act", "migrate_instance", "move_token", "ops_console", "passwords", "preferences",
    "registration",
    "resolve_definition",
    "resolve_incident", "resume_instance", "retry_and_report", "retry_incident",
    "schedule_timer_starts", "scopes", "set_variables", "show_instance", "signin", "skip_task",
    "start_instance", "suspend_instance", "task_admin", "terminate_instance", "unclaim_task",
    "unlock", "verify_password",
]
