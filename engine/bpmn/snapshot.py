"""One walk over a workflow's task tree: everything a save projects (tasks, jobs, waits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import task_views as views
from engine.bpmn import workflow as wf
from engine.bpmn.event_subprocess_starts import trigger_starts
from engine.bpmn.events import Subscription, subscriptions_of

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_WORKING = TaskState.READY | TaskState.STARTED | TaskState.ERROR
_NOT_FINISHED = TaskState.NOT_FINISHED_MASK
_DEFAULT_DEPTH = 1000  # TaskIterator's default max_depth; a tree this small is never cut


@dataclass
class Snapshot:
    """What a workflow waits on, read in one walk (same tasks, same order as get_tasks)."""

    workflow: BpmnWorkflow
    user_tasks: list[views.UserTaskView] = field(default_factory=list)
    timers: list[views.TimerView] = field(default_factory=list)
    external_tasks: list[views.ExternalTaskView] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    waiting: list[Task] = field(default_factory=list)
    working: list[Task] = field(default_factory=list)
    unfinished: bool = False
    visited: int = 0
    tasks: list[Task] = field(default_factory=list)  # every task the walk visited

    def variables(self) -> dict[str, Any]:
        """As bpmn.variables(), from the tokens found by the walk (read now: data may change)."""
        return wf.merge_token_data(self.workflow, self.waiting, self.working)

    def is_completed(self) -> bool:
        """As bpmn.is_completed()."""
        return not self.unfinished and bool(self.workflow.is_completed())

    def stall_reason(self) -> str | None:
        """As bpmn.stall_reason(); only a tree past the depth limit needs another walk."""
        if not self.waiting and not self.working:
            if self.workflow.is_completed():
                return None
            return "no task is ready, waiting or running, and the process has not ended"
        if self.visited <= _DEFAULT_DEPTH:
            return None  # every active task lies within the default iteration depth
        return wf.stall_reason(self.workflow)


def _walk(workflow: BpmnWorkflow) -> list[Task]:
    """Tasks in BpmnTaskIterator's order (depth first, a subprocess before the children).

    Like get_tasks(state=<definite states>, max_depth=DEEP): children of predicted tasks
    are not visited (they are predicted too), subprocesses always are.
    """
    subprocesses = workflow.top_workflow.subprocesses
    result: list[Task] = []
    stack = [workflow.task_tree]
    while stack:
        task = stack.pop()
        result.append(task)
        subprocess = subprocesses.get(task.id)
        if subprocess is not None:
            stack.extend(reversed(task.children))
            stack.append(subprocess.task_tree)
        elif task._children and task.state >= TaskState.FUTURE:
            stack.extend(reversed(task.children))
    return result


def snapshot(workflow: BpmnWorkflow) -> Snapshot:
    """User tasks, timers, external tasks, subscriptions and tokens, from one walk."""
    snap = Snapshot(workflow)
    snap.tasks = tasks = _walk(workflow)
    snap.visited = len(tasks)
    for task in tasks:
        state = task.state
        if state & _NOT_FINISHED:
            snap.unfinished = True
        if not state & _ACTIVE:
            continue
        if state == TaskState.WAITING:
            snap.waiting.append(task)
            _waiting(snap, task)
        else:
            snap.working.append(task)
            if state == TaskState.READY and task.task_spec.manual:
                snap.user_tasks.append(views.user_task_view(task))
            elif state == TaskState.STARTED and task.task_spec.bpmn_id is not None:
                if isinstance(task.task_spec, ServiceTask):
                    snap.external_tasks.append(views.external_task_view(task))
    for start in trigger_starts(workflow):  # message and signal event subprocesses
        snap.subscriptions.extend(subscriptions_of(start, workflow.correlations))
    return snap


def _waiting(snap: Snapshot, task: Task) -> None:
    spec = task.task_spec
    if spec.bpmn_id is not None:
        timer = views.timer_view(task)
        if timer is not None:
            snap.timers.append(timer)
    snap.subscriptions.extend(subscriptions_of(spec, snap.workflow.correlations,
                                               conditional=True))
