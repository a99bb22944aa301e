"""The SpiffWorkflow adapter: the only package that imports SpiffWorkflow."""

from engine.bpmn.activity_log import ActivityRun, changed_runs
from engine.bpmn.cache import WORKFLOWS, WorkflowCache
from engine.bpmn.calls import CallRule, bind_late, keys_of, late_bound, rule_of, version_tag
from engine.bpmn.checks import Problem
from engine.bpmn.codec import (
    SERIALIZER_VERSION,
    dump_state,
    load_spec,
    load_state,
    new_workflow,
)
from engine.bpmn.conditional_events import has_waiting_conditions, start_condition_holds
from engine.bpmn.decisions import DecisionError, evaluate_decision, take_evaluations
from engine.bpmn.definition_facts import (
    StartForm,
    call_activities,
    conditional_starts,
    event_start_ids,
    signal_starts,
    start_form,
)
from engine.bpmn.deployment import (
    DeploymentRefused,
    ParsedDecision,
    ParsedDeployment,
    ParsedProcess,
    ParsedRequirements,
    parse_deployment,
)
from engine.bpmn.events import (
    Subscription,
    ThrownEvent,
    deliver,
    initiator_names,
    parse_duration,
    pass_rest_start,
    pass_start_timer,
    take_thrown_events,
    task_variables,
    waiting_subscriptions,
)
from engine.bpmn.external_errors import throw_bpmn_error
from engine.bpmn.generated_forms import (
    FormFieldSpec,
    FormOption,
    GeneratedForm,
    generated_form,
    start_generated_form,
    strptime_pattern,
)
from engine.bpmn.io_values import evaluate_parameter
from engine.bpmn.migration import MigrationPlan, element_ids, plan_and_migrate
from engine.bpmn.prune import PrunedActivity, pending, prune, shown, take_dropped
from engine.bpmn.task_listeners import fire as fire_task_listeners
from engine.bpmn.task_listeners import listeners_of as task_listeners_of
from engine.bpmn.task_listeners import open_user_tasks
from engine.bpmn.task_views import (
    ExternalTaskView,
    TimerView,
    UserTaskView,
    activity_states,
    errored_tasks,
    ready_user_tasks,
    started_external_tasks,
    waiting_timers,
)
from engine.bpmn.token_repair import (
    move_token,
    retry_task,
    skip_task,
)
from engine.bpmn.user_task_events import (
    set_user_task_data,
    throw_from_user_task,
    user_task_data,
)
from engine.bpmn.workflow import (
    StepFailure,
    advance,
    complete_external_task,
    complete_user_task,
    find_task,
    is_completed,
    refresh_timers,
    set_start_variables,
    stall_reason,
    take_completed,
    update_active_data,
    variables,
)

__all__ = [
    "CallRule", "bind_late", "keys_of", "late_bound", "rule_of", "version_tag",
    "SERIALIZER_VERSION", "DecisionError", "DeploymentRefused", "ExternalTaskView",
    "ParsedDecision", "StartForm", "call_activities", "conditional_starts", "evaluate_decision",
    "evaluate_parameter", "has_waiting_conditions", "signal_starts", "start_condition_holds",
    "event_start_ids",
    "start_form",
    "ParsedDeployment", "ParsedProcess",
    "ParsedRequirements", "Problem", "StepFailure", "TimerView",
    "UserTaskView", "advance", "complete_external_task", "complete_user_task",
    "dump_state", "errored_tasks", "find_task", "is_completed", "load_spec", "load_state",
    "move_token", "new_workflow", "parse_deployment", "ready_user_tasks", "refresh_timers",
    "retry_task", "set_start_variables", "skip_task", "stall_reason", "started_external_tasks",
    "throw_bpmn_error", "set_user_task_data", "throw_from_user_task", "user_task_data",
    "variables", "waiting_timers", "activity_states", "update_active_data",
    "Subscription", "ThrownEvent", "deliver", "initiator_names", "parse_duration",
    "pass_rest_start",
    "pass_start_timer",
    "take_thrown_events", "task_variables", "waiting_subscriptions",
    "MigrationPlan", "element_ids", "plan_and_migrate", "PrunedActivity", "pending", "prune",
    "shown", "WORKFLOWS",
    "ActivityRun", "changed_runs", "take_dropped", "take_evaluations",
    "WorkflowCache",
    "fire_task_listeners", "task_listeners_of", "open_user_tasks",
    "take_completed",
    "FormFieldSpec", "FormOption", "GeneratedForm", "generated_form", "start_generated_form",
    "strptime_pattern",
]
